// crmsync's one log: what the tool does, one line per event, on standard error (never standard
// output, which carries reports and JSON). Every module writes through it: the Salesforce client's
// HTTP requests and retries (debug, info), the sync's commits (info), configuration warnings
// (warn). The CLI sets it up once from --verbose / --log-level / --log-format or CRMSYNC_LOG_LEVEL
// and CRMSYNC_LOG_FORMAT; the default shows warnings and errors only.
//
//   log::configure({.level = log::Level::kDebug, .format = log::Format::kJson});
//   if (log::enabled(log::Level::kDebug))
//     log::debug("http", "GET /services/data/v62.0/query 200 (12 ms)", {{"status", 200}, {"ms", 12}});
//
// Text lines read "crmsync: debug: GET /services/... 200 (12 ms)"; JSON lines are one object each:
// {"time":"2024-05-02T13:30:00.123Z","level":"debug","event":"http","message":"...","status":200,...}.
// What is logged never holds a secret: callers log paths without query strings (or masked ones,
// mask_url_credentials), never headers or request bodies. Thread-safe; lines never interleave.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace crmsync::log {

enum class Level { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };
enum class Format { kText, kJson };

const char* to_string(Level level);  // "error", "warn", "info", "debug"
// "error" | "warn" | "info" | "debug" (also "warning"), any case; nullopt otherwise.
std::optional<Level> parse_level(std::string_view text);
// "text" | "json", any case; nullopt otherwise.
std::optional<Format> parse_format(std::string_view text);

// One structured value of a line (JSON only; the text form has the message).
struct Field {
  using Value = std::variant<std::string, std::int64_t, double, bool>;
  std::string key;
  Value value;
  Field(std::string k, const char* v) : key(std::move(k)), value(std::string(v)) {}
  Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  Field(std::string k, std::string_view v) : key(std::move(k)), value(std::string(v)) {}
  Field(std::string k, bool v) : key(std::move(k)), value(v) {}
  Field(std::string k, int v) : key(std::move(k)), value(std::int64_t{v}) {}
  Field(std::string k, long v) : key(std::move(k)), value(std::int64_t{v}) {}
  Field(std::string k, long long v) : key(std::move(k)), value(static_cast<std::int64_t>(v)) {}
  Field(std::string k, double v) : key(std::move(k)), value(v) {}
};
using Fields = std::vector<Field>;

struct Settings {
  Level level = Level::kWarn;
  Format format = Format::kText;
  std::ostream* out = nullptr;  // nullptr: standard error
};

void configure(const Settings& settings);
Settings settings();
bool enabled(Level level);

// Writes one line when `level` is enabled. `event` names what happened ("http", "retry",
// "commit", "config"); `message` is the sentence a person reads.
void write(Level level, std::string_view event, std::string_view message, const Fields& fields = {});

inline void error(std::string_view event, std::string_view message, const Fields& fields = {}) {
  write(Level::kError, event, message, fields);
}
inline void warn(std::string_view event, std::string_view message, const Fields& fields = {}) {
  write(Level::kWarn, event, message, fields);
}
inline void info(std::string_view event, std::string_view message, const Fields& fields = {}) {
  write(Level::kInfo, event, message, fields);
}
inline void debug(std::string_view event, std::string_view message, const Fields& fields = {}) {
  write(Level::kDebug, event, message, fields);
}

}  // namespace crmsync::log
