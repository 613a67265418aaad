#include "sync/schedule.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "common/json.h"

namespace crmsync::sync {
namespace {

nlohmann::json time_or_null(EpochMs ms) { return ms == 0 ? nlohmann::json() : nlohmann::json(format_datetime_iso(ms)); }

EpochMs time_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return 0;
  return parse_datetime(it->get<std::string>()).value_or(0);
}

}  // namespace

Result<std::int64_t> parse_interval_ms(std::string_view text) {
  auto refuse = [&] {
    return Error(ErrorKind::kConfig, "INVALID_INTERVAL",
                 "--every " + std::string(text) +
                     ": write a whole number of seconds, minutes or hours, at least 1, with its unit: 30s, 5m, 2h.");
  };
  if (text.size() < 2) return refuse();
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60'000; break;
    case 'h': unit = 3'600'000; break;
    default: return refuse();
  }
  std::int64_t n = 0;
  std::string_view digits = text.substr(0, text.size() - 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 1 || n > 10'000'000) return refuse();
  return n * unit;
}

std::string format_interval(std::int64_t ms) {
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  return std::to_string(ms / 1000) + "s";
}

nlohmann::json schedule_json(const Schedule& s) {
  return {{"every", format_interval(s.every_ms)},
          {"every_ms", s.every_ms},
          {"state", s.state},
          {"next_run", time_or_null(s.next_run)},
          {"last_run_started", time_or_null(s.last_run_started)},
          {"last_run_finished", time_or_null(s.last_run_finished)},
          {"last_exit_code", s.last_exit_code < 0 ? nlohmann::json() : nlohmann::json(s.last_exit_code)},
          {"runs", s.runs},
          {"skipped", s.skipped},
          {"stopped_at", time_or_null(s.stopped_at)}};
}

Status save_schedule(store::Store& store, const Schedule& s) {
  return store.put_meta(kScheduleMetaKey, schedule_json(s).dump());
}

Result<std::optional<Schedule>> load_schedule(store::Store& store) {
  auto text = store.meta(kScheduleMetaKey);
  if (!text) return text.error();
  if (!*text) return std::optional<Schedule>();
  nlohmann::json j = parse_json(**text);
  if (!j.is_object()) {
    return Error(ErrorKind::kStore, "INVALID_STATE",
                 "crmsync_meta's 'schedule' is not the JSON object crmsync writes; delete that row (the next "
                 "crmsync sync --every writes it again).");
  }
  Schedule s;
  s.every_ms = j.value("every_ms", std::int64_t{0});
  s.state = j.value("state", std::string());
  s.next_run = time_of(j, "next_run");
  s.last_run_started = time_of(j, "last_run_started");
  s.last_run_finished = time_of(j, "last_run_finished");
  auto code = j.find("last_exit_code");
  s.last_exit_code = code != j.end() && code->is_number_integer() ? code->get<int>() : -1;
  s.runs = j.value("runs", std::int64_t{0});
  s.skipped = j.value("skipped", std::int64_t{0});
  s.stopped_at = time_of(j, "stopped_at");
  return std::optional<Schedule>(s);
}

Schedule run_every(const EveryOptions& options, const std::function<int()>& run_once) {
  auto now = [&] { return options.clock ? options.clock() : now_ms(); };
  auto changed = [&](const Schedule& s) {
    if (options.on_change) options.on_change(s);
  };
  auto stopped = [&] { return options.stopped && options.stopped(); };
  Schedule s;
  s.every_ms = options.every_ms;
  EpochMs slot = now();  // the first run starts at once; the grid runs from it
  while (!stopped()) {
    s.state = "running";
    s.last_run_started = now();
    s.next_run = slot + options.every_ms;
    ++s.runs;
    changed(s);
    s.last_exit_code = run_once();
    s.last_run_finished = now();
    if (stopped()) break;
    slot += options.every_ms;
    while (slot <= s.last_run_finished) {  // the run outlasted this slot: the next one that is ahead
      slot += options.every_ms;
      ++s.skipped;
    }
    s.state = "waiting";
    s.next_run = slot;
    changed(s);
    if (options.wait_until && !options.wait_until(slot)) break;
  }
  s.state = "stopped";
  s.next_run = 0;
  s.stopped_at = now();
  changed(s);
  return s;
}

}  // namespace crmsync::sync
