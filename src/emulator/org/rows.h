// Helpers for filling emulator tables row by row with fields named as Salesforce names them:
// a deterministic random source and a row builder that resolves field names once per table.
// Internal to the emulator (generation and DML).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulator/table.h"

namespace crmsync::emulator {

// SplitMix64: tiny, fast and identical on every platform (unlike std:: distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (inclusive).
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(range(0, static_cast<std::int64_t>(v.size()) - 1))];
  }

 private:
  std::uint64_t s_;
};

// Builds rows for one table: `start()` allocates a new Id, `set("Name", ...)` fills a field,
// `insert()` appends the row. Field names are resolved once (cached by the literal's address).
class RowBuilder {
 public:
  RowBuilder(Database& db, const char* table);

  const std::string& start();           // new row with a fresh Id; returns the Id
  void start(std::string id);           // new row with an Id allocated earlier
  void set(const char* field, Value v);  // throws std::logic_error for an unknown field (a bug)
  bool has(const char* field);
  const std::string& insert();           // appends; returns the Id
  Table& table() { return table_; }
  Row& row() { return row_; }

 private:
  std::size_t column(const char* field);
  Database& db_;
  Table& table_;
  Row row_;
  std::string id_;
  std::unordered_map<const void*, std::size_t> cache_;
};

}  // namespace crmsync::emulator
