// crmsync sync --every: the interval's spelling and the schedule's grid, on a clock the test moves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sync/schedule.h"

namespace crmsync::sync {
namespace {

TEST(ScheduleTest, IntervalsAreAWholeNumberWithSecondsMinutesOrHours) {
  EXPECT_EQ(*parse_interval_ms("30s"), 30'000);
  EXPECT_EQ(*parse_interval_ms("5m"), 300'000);
  EXPECT_EQ(*parse_interval_ms("2h"), 7'200'000);
  for (const char* bad : {"", "5", "m", "0s", "-1m", "1.5h", "5d", "5 m", "5M", "99999999h"}) {
    auto r = parse_interval_ms(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "INVALID_INTERVAL");
    EXPECT_NE(r.error().message.find("30s, 5m, 2h"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(format_interval(300'000), "5m");
  EXPECT_EQ(format_interval(90'000), "90s");
  EXPECT_EQ(format_interval(7'200'000), "2h");
}

// A clock that only moves when a run takes time or the schedule waits.
struct FakeTime {
  EpochMs now = 1'000'000;
  std::vector<EpochMs> starts;
  std::vector<Schedule> changes;
  EveryOptions options(std::int64_t every_ms, std::size_t runs) {
    EveryOptions o;
    o.every_ms = every_ms;
    o.clock = [this] { return now; };
    o.wait_until = [this](EpochMs until) {
      now = std::max(now, until);
      return true;
    };
    o.stopped = [this, runs] { return starts.size() >= runs; };
    o.on_change = [this](const Schedule& s) { changes.push_back(s); };
    return o;
  }
};

TEST(ScheduleTest, RunsStartOnTheGridWhateverTheyReturnAndALongRunSkipsTheSlotsItOverran) {
  FakeTime t;
  const EpochMs start = t.now;
  std::vector<int> codes = {1, 3, 0, 0, 0};  // failed, paused, then fine
  std::vector<EpochMs> durations = {100, 100, 25'000, 100, 100};  // the third outlasts two slots
  Schedule last = run_every(t.options(10'000, 5), [&] {
    const std::size_t i = t.starts.size();
    t.starts.push_back(t.now);
    t.now += durations[i];
    return codes[i];
  });
  EXPECT_EQ(t.starts, (std::vector<EpochMs>{start, start + 10'000, start + 20'000, start + 50'000, start + 60'000}));
  EXPECT_EQ(last.runs, 5);
  EXPECT_EQ(last.skipped, 2);
  EXPECT_EQ(last.state, "stopped");
  EXPECT_EQ(last.next_run, 0);
  EXPECT_EQ(last.last_exit_code, 0);
  // What `crmsync status` is shown along the way: while the failed first run waits, its exit code
  // and the next slot.
  ASSERT_GE(t.changes.size(), 3u);
  EXPECT_EQ(t.changes[0].state, "running");
  EXPECT_EQ(t.changes[0].next_run, start + 10'000);
  EXPECT_EQ(t.changes[1].state, "waiting");
  EXPECT_EQ(t.changes[1].last_exit_code, 1);
  EXPECT_EQ(t.changes[1].next_run, start + 10'000);
  EXPECT_EQ(t.changes.back().state, "stopped");
}

TEST(ScheduleTest, AStopDuringTheWaitEndsTheScheduleWithoutAnotherRun) {
  FakeTime t;
  EveryOptions o = t.options(60'000, 100);
  o.wait_until = [](EpochMs) { return false; };  // Ctrl-C while waiting
  int runs = 0;
  Schedule last = run_every(o, [&] {
    ++runs;
    return 0;
  });
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(last.state, "stopped");
  EXPECT_EQ(last.runs, 1);
}

// What `crmsync status` reads back is what the schedule wrote, before its first run ended too.
TEST(ScheduleTest, TheScheduleIsKeptInTheStoreAndReadBack) {
  const auto path = std::filesystem::temp_directory_path() / ("crmsync-schedule-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto st = store::Store::open("sqlite:" + path.string());
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    auto none = load_schedule(**st);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    Schedule first;
    first.every_ms = 300'000;
    first.state = "running";
    first.next_run = 1'700'000'300'000;
    first.last_run_started = 1'700'000'000'000;
    first.runs = 1;
    ASSERT_TRUE(save_schedule(**st, first));
    auto running = load_schedule(**st);
    ASSERT_TRUE(running.ok() && running->has_value());
    EXPECT_EQ((*running)->last_exit_code, -1);
    EXPECT_TRUE(schedule_json(**running)["last_exit_code"].is_null());
    Schedule later = first;
    later.state = "waiting";
    later.last_run_finished = 1'700'000'012'345;
    later.last_exit_code = 3;
    later.skipped = 2;
    ASSERT_TRUE(save_schedule(**st, later));
    auto back = load_schedule(**st);
    ASSERT_TRUE(back.ok() && back->has_value());
    const Schedule& s = **back;
    EXPECT_EQ(s.every_ms, 300'000);
    EXPECT_EQ(s.state, "waiting");
    EXPECT_EQ(s.next_run, 1'700'000'300'000);
    EXPECT_EQ(s.last_run_finished, 1'700'000'012'345);
    EXPECT_EQ(s.last_exit_code, 3);
    EXPECT_EQ(s.runs, 1);
    EXPECT_EQ(s.skipped, 2);
    EXPECT_EQ(schedule_json(s)["every"], "5m");
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace crmsync::sync
