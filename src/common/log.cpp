#include "common/log.h"

#include <atomic>
#include <iostream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "common/timeutil.h"

namespace crmsync::log {
namespace {

std::mutex& mu() {
  static std::mutex m;
  return m;
}
Settings& current() {
  static Settings s;
  return s;
}
// Read without the lock on every enabled() call: most lines are not written.
std::atomic<int> current_level{static_cast<int>(Level::kWarn)};

// The word a person reads on a text line ("warning" as the CLI has always said it).
const char* text_word(Level level) { return level == Level::kWarn ? "warning" : to_string(level); }

}  // namespace

const char* to_string(Level level) {
  switch (level) {
    case Level::kError: return "error";
    case Level::kWarn: return "warn";
    case Level::kInfo: return "info";
    case Level::kDebug: return "debug";
  }
  return "?";
}

std::optional<Level> parse_level(std::string_view text) {
  const std::string v = to_lower(text);
  if (v == "error") return Level::kError;
  if (v == "warn" || v == "warning") return Level::kWarn;
  if (v == "info") return Level::kInfo;
  if (v == "debug") return Level::kDebug;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) {
  const std::string v = to_lower(text);
  if (v == "text") return Format::kText;
  if (v == "json") return Format::kJson;
  return std::nullopt;
}

void configure(const Settings& settings) {
  std::lock_guard lock(mu());
  current() = settings;
  current_level = static_cast<int>(settings.level);
}

Settings settings() {
  std::lock_guard lock(mu());
  return current();
}

bool enabled(Level level) { return static_cast<int>(level) <= current_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view event, std::string_view message, const Fields& fields) {
  if (!enabled(level)) return;
  std::string line;
  std::lock_guard lock(mu());
  const Settings& s = current();
  if (s.format == Format::kJson) {
    nlohmann::ordered_json j = {{"time", format_datetime_iso(now_ms())},  // in this order, then the fields
                        {"level", to_string(level)},
                        {"event", event},
                        {"message", message}};
    for (const auto& f : fields) std::visit([&](const auto& v) { j[f.key] = v; }, f.value);
    // A byte that is not UTF-8 (a server's reason phrase) must not make the line unwritable.
    line = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  } else {
    line = "crmsync: " + std::string(text_word(level)) + ": " + std::string(message);
  }
  std::ostream& out = s.out != nullptr ? *s.out : std::cerr;
  out << line << '\n';
  out.flush();
}

}  // namespace crmsync::log
