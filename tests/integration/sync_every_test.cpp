// `crmsync sync --every INTERVAL`, for hosts without cron: runs on a fixed schedule until SIGTERM or
// Ctrl-C (exit 0), a failed or quota-paused run does not stop the schedule, and `crmsync status`
// shows the next run (kept in the store).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "sync_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The schedule as `crmsync status --json` shows it; null while there is none (or no store yet).
nlohmann::json schedule_of(const std::string& cfg) {
  auto r = run_crmsync("status --json --config " + cfg + " 2>/dev/null");
  if (r.exit_code != 0) return nullptr;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  return j.is_object() && j.contains("schedule") ? j["schedule"] : nlohmann::json();
}

// Polls `crmsync status --json` (every 50 ms, up to 30 s) until `done(schedule)` holds.
template <typename F>
nlohmann::json wait_for_schedule(const std::string& cfg, F done) {
  nlohmann::json s;
  for (int i = 0; i < 600; ++i) {
    s = schedule_of(cfg);
    if (s.is_object() && done(s)) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "the schedule never got there; last seen: " << s.dump();
  return s;
}

// The times of the "run at <ISO time>" lines: when each run started.
std::vector<EpochMs> run_starts(const std::string& output) {
  std::vector<EpochMs> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("run at ")) continue;  // not "next run at"
    if (auto t = parse_datetime(line.substr(7))) out.push_back(*t);
  }
  return out;
}

// Waits until the output in `path` shows `runs` runs started (up to 30 s).
bool wait_for_runs(const std::string& path, std::size_t runs) {
  for (int i = 0; i < 3000; ++i) {
    if (run_starts(read_text(path)).size() >= runs) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int exit_code_of(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Every call 100 ms late: a run is under way long enough to be interrupted.
emulator::EmulatorOptions slow_org() {
  emulator::EmulatorOptions o = RunningEmulator::options_for(150, 9);
  o.faults.rate = 1.0;
  o.faults.kinds = {"slow"};
  o.faults.slow_ms = 100;
  return o;
}
// Commits of 200 rows, one object at a time, no Bulk: a run interrupted mid-way has committed some.
const char* const kPageByPage = "batch_size = 200\nrows_per_commit = 200\nbulk_threshold = 100000000\nconcurrency = 1\n";

std::string small_config(TempDir& dir, RunningEmulator& emu, const std::string& extra = "") {
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db"),
                                                  "[sync]\nsettle_seconds = 0\n" + extra +
                                                      testing::only_toml({"Account", "Contact"})));
  return cfg;
}

TEST(SyncEveryTest, AnIntervalThatIsNotOneIsRefusedBeforeAnythingRuns) {
  for (const char* bad : {"5", "0m", "5d", "m", "1.5h", "-1s"}) {
    auto r = run_crmsync(std::string("sync --config /nonexistent.toml --every=") + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.output;
    EXPECT_TRUE(contains(r.output, "write a whole number of seconds, minutes or hours, at least 1, with its unit: "
                                   "30s, 5m, 2h"))
        << r.output;
  }
}

TEST(SyncEveryTest, RunsOnTheScheduleUntilSigtermThenExitsZeroAndStatusShowsTheNextRun) {
  RunningEmulator emu(3);
  TempDir dir;
  const std::string cfg = small_config(dir, emu);
  const std::string log = dir.file("every.log");
  pid_t pid = testing::start_crmsync({"sync", "--every", "1s", "--config", cfg}, log);
  ASSERT_GT(pid, 0);
  auto waiting = wait_for_schedule(cfg, [](const nlohmann::json& s) { return s["runs"] >= 3 && s["state"] == "waiting"; });
  EXPECT_EQ(waiting["every"], "1s");
  EXPECT_EQ(waiting["last_exit_code"], 0);
  const EpochMs next = parse_datetime(waiting["next_run"].get<std::string>()).value_or(0);
  const EpochMs now = now_ms();
  EXPECT_GT(next, now - 200) << "the next run is ahead";
  EXPECT_LE(next, now + 1000) << "within one interval";
  auto status = run_crmsync("status --config " + cfg);
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "schedule: crmsync sync --every 1s: next run ")) << status.output;

  kill(pid, SIGTERM);
  const int code = exit_code_of(pid);
  const std::string output = read_text(log);
  EXPECT_EQ(code, 0) << output;
  EXPECT_TRUE(contains(output, "next run at ")) << output;
  EXPECT_TRUE(std::regex_search(output, std::regex(R"(schedule stopped after \d+ runs; what was committed is kept)")))
      << output;
  // Each run on its slot: one second apart (a run takes a few milliseconds here).
  auto starts = run_starts(output);
  ASSERT_GE(starts.size(), 3u) << output;
  for (std::size_t i = 1; i < starts.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(starts[i] - starts[0]), 1000.0 * static_cast<double>(i), 300.0) << output;
  }
  auto stopped = schedule_of(cfg);
  EXPECT_EQ(stopped["state"], "stopped");
  EXPECT_TRUE(stopped["next_run"].is_null());
  EXPECT_TRUE(contains(run_crmsync("status --config " + cfg).output, "schedule: crmsync sync --every 1s: stopped at "));
}

// Every API call fails (HTTP 500) for a while: those runs fail (exit 1, reported as JSON lines)
// and the schedule goes on; once the org answers again, the next run on the schedule succeeds.
TEST(SyncEveryTest, AFailedRunDoesNotStopTheScheduleAndTheNextRunComesOnTime) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(3, 7);
  o.faults.rate = 1.0;
  o.faults.kinds = {"500"};
  RunningEmulator emu(o);
  TempDir dir;
  const std::string cfg = small_config(dir, emu);
  const std::string log = dir.file("every.log");
  pid_t pid = testing::start_crmsync({"sync", "--every", "1s", "--json", "--config", cfg}, log);
  ASSERT_GT(pid, 0);
  auto failing = wait_for_schedule(cfg, [](const nlohmann::json& s) {
    return s["runs"] >= 2 && s["state"] == "waiting" && s["last_exit_code"] == 1;
  });
  emu->set_fault_rate(0);
  const std::int64_t failed_runs = failing["runs"];
  auto recovered = wait_for_schedule(cfg, [&](const nlohmann::json& s) {
    return s["runs"] > failed_runs && s["state"] == "waiting" && s["last_exit_code"] == 0;
  });
  kill(pid, SIGINT);
  EXPECT_EQ(exit_code_of(pid), 0) << read_text(log);
  // One JSON report per run, on a line of its own: failures first, then a success.
  std::istringstream lines(read_text(log));
  std::vector<int> codes;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("{")) continue;
    codes.push_back(nlohmann::json::parse(line)["exit_code"]);
  }
  ASSERT_GE(codes.size(), 3u);
  EXPECT_EQ(codes.front(), 1);
  EXPECT_EQ(codes.back(), 0);
  EXPECT_GE(std::count(codes.begin(), codes.end(), 1), 2);
  auto st = store::Store::open("sqlite:" + dir.file("out.db"));
  ASSERT_TRUE(st.ok());
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  auto admin = testing::admin_login(emu->base_url());
  testing::expect_store_equals_org(**st, *admin, *config);
}

// A run paused by --max-api-calls (exit 3) leaves the rest for the next run on the schedule, which
// resumes from the watermarks; Ctrl-C while a run is under way lets its current commit finish,
// then the schedule stops with exit 0.
TEST(SyncEveryTest, QuotaPausedRunsWaitForTheNextSlotAndCtrlCDuringARunStopsTheScheduleWithExitZero) {
  RunningEmulator emu(slow_org());
  TempDir dir;
  const std::string cfg = small_config(dir, emu, kPageByPage);
  const std::string log = dir.file("every.log");
  pid_t pid = testing::start_crmsync({"sync", "--every", "2s", "--max-api-calls", "3", "--config", cfg}, log);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_runs(log, 3)) << read_text(log);
  kill(pid, SIGINT);
  const int code = exit_code_of(pid);
  const std::string output = read_text(log);
  EXPECT_EQ(code, 0) << output;
  EXPECT_TRUE(contains(output, "this run reached its own cap of 3 API calls")) << output;
  EXPECT_TRUE(contains(output, "schedule stopped after 3 runs")) << output;
  auto starts = run_starts(output);
  ASSERT_EQ(starts.size(), 3u) << output;
  EXPECT_NEAR(static_cast<double>(starts[1] - starts[0]), 2000.0, 300.0) << "a paused run waits for its slot";
  EXPECT_NEAR(static_cast<double>(starts[2] - starts[1]), 2000.0, 300.0);
  // The paused runs committed pages: the later runs resumed from there instead of starting over.
  EXPECT_GT(testing::int_on_disk(dir.file("out.db"), "SELECT COUNT(*) FROM \"Account\""), 0);
  auto stopped = schedule_of(cfg);
  EXPECT_EQ(stopped["state"], "stopped");
  EXPECT_EQ(stopped["runs"], 3);
}

// SIGTERM (a service manager's stop) while a run is under way: the run finishes its current
// commit, the schedule stops, the process exits 0, and what was committed is kept for the next run.
TEST(SyncEveryTest, SigtermDuringARunFinishesTheCommitAndExitsZero) {
  RunningEmulator emu(slow_org());
  TempDir dir;
  const std::string cfg = small_config(dir, emu, kPageByPage);
  const std::string db = dir.file("out.db");
  const std::string log = dir.file("every.log");
  pid_t pid = testing::start_crmsync({"sync", "--every", "1h", "--config", cfg}, log);
  ASSERT_GT(pid, 0);
  bool committed = false;
  for (int i = 0; i < 3000 && !committed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    committed = testing::int_on_disk(db, "SELECT COUNT(*) FROM crmsync_sync_state WHERE watermark IS NOT NULL") > 0;
  }
  ASSERT_TRUE(committed) << "no commit seen:\n" << read_text(log);
  kill(pid, SIGTERM);
  const int code = exit_code_of(pid);
  const std::string output = read_text(log);
  EXPECT_EQ(code, 0) << output;
  EXPECT_TRUE(contains(output, "crmsync: interrupted: stopping the schedule (a run under way finishes its current "
                               "commit first) (a second SIGTERM stops at once)"))
      << output;
  EXPECT_FALSE(contains(output, "Ctrl-C again")) << "it was no Ctrl-C:\n" << output;
  EXPECT_TRUE(contains(output, "interrupted: records committed per object: ")) << output;
  EXPECT_TRUE(contains(output, "schedule stopped after 1 run; what was committed is kept")) << output;
  EXPECT_EQ(schedule_of(cfg)["state"], "stopped");
  const std::int64_t kept = testing::int_on_disk(db, "SELECT COUNT(*) FROM \"Account\"");
  EXPECT_GT(kept, 0) << output;

  // The next run resumes from what was committed and ends with the store equal to the org.
  emu->set_fault_rate(0);
  auto resumed = run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  testing::expect_db_equals_org(cfg, db, emu->base_url());
}

}  // namespace
}  // namespace crmsync
