// `crmsync sync --every 5m`: syncing on a schedule, for users without cron. A run starts at once,
// then on a fixed grid (start, start + every, start + 2 every, ...): a run that fails or pauses on
// the quota does not move the grid, and one that takes longer than `every` skips the slots it
// overran, so runs never overlap. The schedule (next run, last run, its exit code) is kept in the
// store's crmsync_meta under "schedule", where `crmsync status` reads it.
//
//   sync::EveryOptions every{.every_ms = 300'000};
//   every.wait_until = [](EpochMs t) { ...sleep until t unless stopped...; return !stopped; };
//   every.on_change = [&](const sync::Schedule& s) { (void)sync::save_schedule(*store, s); };
//   sync::run_every(every, [&] { return one_sync(); });  // returns when stopped
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/timeutil.h"
#include "store/store.h"

namespace crmsync::sync {

// "30s", "5m", "2h": a whole number (at least 1) and a unit, s, m or h. Errors (kConfig
// INVALID_INTERVAL) say what is accepted.
Result<std::int64_t> parse_interval_ms(std::string_view text);
// 300000 -> "5m", 90000 -> "90s", 7200000 -> "2h".
std::string format_interval(std::int64_t ms);

// What `crmsync status` shows of a schedule.
struct Schedule {
  std::int64_t every_ms = 0;
  std::string state;             // "running" (a run is under way), "waiting" (for next_run), "stopped"
  EpochMs next_run = 0;          // 0 once stopped
  EpochMs last_run_started = 0;  // 0: none yet
  EpochMs last_run_finished = 0;
  int last_exit_code = -1;       // of the last finished run (crmsync sync's codes); -1: none yet
  std::int64_t runs = 0;         // runs started since the schedule began
  std::int64_t skipped = 0;      // slots passed over because a run outlasted them
  EpochMs stopped_at = 0;
};

inline constexpr std::string_view kScheduleMetaKey = "schedule";
// What the store keeps and `crmsync status --json` shows: every, every_ms, state, next_run,
// last_run_started, last_run_finished (ISO-8601 or null), last_exit_code (null before the first run
// ends), runs, skipped, stopped_at.
nlohmann::json schedule_json(const Schedule& schedule);
// Within the caller's transaction when one is open (Store::put_meta); load_schedule is empty when
// no schedule ever ran against the store.
Status save_schedule(store::Store& store, const Schedule& schedule);
Result<std::optional<Schedule>> load_schedule(store::Store& store);

struct EveryOptions {
  std::int64_t every_ms = 0;
  std::function<EpochMs()> clock;  // empty: now_ms()
  // Waits until `until` (an absolute time by `clock`); false when the schedule was stopped meanwhile.
  std::function<bool(EpochMs until)> wait_until;
  // Asked before each run and after it: true ends the schedule (SIGTERM, Ctrl-C).
  std::function<bool()> stopped;
  // Called whenever the schedule changes (a run starts, ends, the schedule stops), to keep it.
  std::function<void(const Schedule&)> on_change;
};

// Calls `run_once` (one sync; its exit code) now and then on every slot until stopped; whatever a
// run returns, the next one happens at its slot. Returns the schedule as it stopped.
Schedule run_every(const EveryOptions& options, const std::function<int()>& run_once);

}  // namespace crmsync::sync
