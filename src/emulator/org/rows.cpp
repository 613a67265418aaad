#include "emulator/org/rows.h"

#include <stdexcept>

namespace crmsync::emulator {
namespace {
constexpr std::size_t kMissing = static_cast<std::size_t>(-1);

Table& must_find(Database& db, const char* name) {
  Table* t = db.find(name);
  if (t == nullptr) throw std::logic_error(std::string("no table ") + name);
  return *t;
}
}  // namespace

RowBuilder::RowBuilder(Database& db, const char* table) : db_(db), table_(must_find(db, table)) {}

const std::string& RowBuilder::start() {
  row_.assign(table_.fields().size(), Value{});
  id_ = db_.new_id(table_);
  row_[0] = id_;
  return id_;
}

void RowBuilder::start(std::string id) {
  row_.assign(table_.fields().size(), Value{});
  id_ = std::move(id);
  row_[0] = id_;
}

std::size_t RowBuilder::column(const char* field) {
  auto it = cache_.find(field);
  if (it != cache_.end()) return it->second;
  auto index = table_.field_index(field);
  std::size_t col = index ? *index : kMissing;
  cache_.emplace(field, col);
  return col;
}

bool RowBuilder::has(const char* field) { return column(field) != kMissing; }

void RowBuilder::set(const char* field, Value v) {
  std::size_t col = column(field);
  if (col == kMissing) throw std::logic_error(table_.name() + " has no field " + field);
  row_[col] = std::move(v);
}

const std::string& RowBuilder::insert() {
  table_.insert(std::move(row_));
  row_ = Row();
  return id_;
}

}  // namespace crmsync::emulator
