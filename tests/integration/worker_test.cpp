// `crmsync worker` processes against a real PostgreSQL database and real emulators over loopback:
// the schedule (a due org runs, then waits its interval; an org that fails backs off; one stopped
// by its daily quota waits an hour), a clean stop on SIGTERM, a worker that hung past its lease,
// and the test: three workers, twelve orgs, one worker SIGKILLed mid-sync, every org ending
// equal to its emulated org and no org ever running on two workers at once.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/timeutil.h"
#include "worker_support.h"

namespace crmsync::testing {
namespace {

const std::vector<std::string> kObjects = {"Account", "Contact", "Opportunity", "Task"};

// An emulator whose every API call answers `slow_ms` late, so that a run lasts long enough to be
// interrupted, frozen or killed half-way.
emulator::EmulatorOptions slow_org(int scale, int slow_ms) {
  auto o = RunningEmulator::options_for(scale, 11);
  o.faults.rate = 1.0;
  o.faults.kinds = {"slow"};
  o.faults.slow_ms = slow_ms;
  return o;
}

// `crmsync orgs add NAME` with the file `toml`, its secrets encrypted with the tests' key.
void add_org(const TempDir& dir, const std::string& name, const std::string& toml, const std::string& flags = "") {
  const std::string path = dir.file(name + ".toml");
  write_file(path, toml);
  auto r = run_crmsync("orgs add " + name + " --config " + path + " " + flags, "CRMSYNC_SECRET_KEY=" + kTestSecretKey);
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

// Rows the org's schema has committed so far (0 before its first commit).
std::int64_t committed_states(const std::string& url, const std::string& schema) {
  auto st = store::Store::open(store::OpenOptions{url, schema, "", /*create_if_missing=*/false});
  if (!st) return 0;
  auto states = (*st)->all_states();
  return states ? static_cast<std::int64_t>(states->size()) : 0;
}

void expect_org_synced(const std::string& url, const std::string& schema, const std::string& emulator_url) {
  auto cfg = sync_config(emulator_url, url);
  only(cfg, kObjects);
  auto st = org_store(url, schema);
  auto admin = admin_login(emulator_url);
  expect_store_equals_org(*st, *admin, cfg);
}

std::map<std::string, std::string> worker_env() { return {{"CRMSYNC_SECRET_KEY", kTestSecretKey}}; }

TEST(WorkerTest, ADueOrgRunsThenWaitsItsIntervalAndAFailingOrgBacksOff) {
  RunningEmulator emu(10);
  TempDir dir;
  const std::string url = pg_test_url();
  add_org(dir, "good", org_toml(emu->base_url(), url, kObjects, "interval_seconds = 2\n"));
  add_org(dir, "bad", org_toml(emu->base_url(), url, kObjects), "--secret-env password=BAD_ORG_PASSWORD");
  auto env = worker_env();
  env["BAD_ORG_PASSWORD"] = "not-the-password";
  WorkerProcess worker(url, dir.file("worker.log"), "--lease-seconds 3 --backoff-seconds 1", env);
  auto registry = open_registry(url);

  ASSERT_TRUE(eventually(
      [&] {
        return runs_of(*registry, "good").size() >= 2 && runs_of(*registry, "bad").size() >= 3 &&
               org_state(*registry, "bad").failures >= 3;
      },
      std::chrono::seconds(60)))
      << worker.output();
  EXPECT_EQ(worker.stop(), 0) << worker.output();

  auto good = runs_of(*registry, "good");
  expect_runs_never_overlap(good);
  for (const auto& run : good) EXPECT_EQ(run.outcome, "ok") << run.error;
  EXPECT_GE(good[1].started - good[0].finished, 1900) << "the second run waited the interval of 2 s";
  EXPECT_EQ(org_state(*registry, "good").failures, 0);
  expect_org_synced(url, "good", emu->base_url());

  auto bad = runs_of(*registry, "bad");
  expect_runs_never_overlap(bad);
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(bad[i].outcome, "failed");
    EXPECT_TRUE(contains(bad[i].error, "authentication failure")) << bad[i].error;
    if (i == 0) continue;
    const std::int64_t backoff = 1000LL << (i - 1);  // 1 s, 2 s, 4 s, ...
    EXPECT_GE(bad[i].started - bad[i - 1].finished, backoff - 100) << "failure " << i;
  }
  auto state = org_state(*registry, "bad");
  EXPECT_EQ(state.last_outcome, "failed");
  EXPECT_TRUE(contains(state.last_error, "authentication failure")) << state.last_error;
  EXPECT_FALSE(contains(state.last_error, "not-the-password")) << state.last_error;
  EXPECT_GE(state.next_run - state.last_run_finished, (1000LL << (state.failures - 1)) - 100);
  EXPECT_TRUE(contains(worker.output(), "bad: failed")) << worker.output();
}

TEST(WorkerTest, AnOrgPausedByItsDailyQuotaWaitsAnHourBeforeItRunsAgain) {
  auto o = RunningEmulator::options_for(10, 7);
  o.daily_api_max = 1000;
  o.api_used = 900;  // past [sync] quota_daily_share = 0.80
  RunningEmulator emu(o);
  TempDir dir;
  const std::string url = pg_test_url();
  add_org(dir, "acme", org_toml(emu->base_url(), url, kObjects));
  WorkerProcess worker(url, dir.file("worker.log"), "--lease-seconds 3", worker_env());
  auto registry = open_registry(url);
  ASSERT_TRUE(
      eventually([&] { return org_state(*registry, "acme").last_outcome == "paused"; }, std::chrono::seconds(30)))
      << worker.output();
  EXPECT_EQ(worker.stop(), 0) << worker.output();
  auto state = org_state(*registry, "acme");
  EXPECT_TRUE(contains(state.last_error, "quota_daily_share")) << state.last_error;
  EXPECT_GE(state.next_run - state.last_run_finished, 3590 * 1000LL);
  EXPECT_EQ(state.failures, 0);
}

// One org, "acme", whose emulator answers every API call 250 ms late and which syncs one object at
// a time: a run lasts a few seconds, committing as it goes.
class WorkerSlowOrgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emu_ = std::make_unique<RunningEmulator>(slow_org(200, 250));
    url_ = pg_test_url();
    add_org(dir_, "acme", org_toml((*emu_)->base_url(), url_, kObjects, "concurrency = 1\n"));
    registry_ = open_registry(url_);
  }
  std::unique_ptr<WorkerProcess> start_worker(const std::string& log) {
    return std::make_unique<WorkerProcess>(url_, dir_.file(log), "--lease-seconds 3", worker_env());
  }
  bool has_committed() {
    return eventually([&] { return committed_states(url_, "acme") > 0; }, std::chrono::seconds(30));
  }
  bool ends_ok() {
    return eventually([&] { return org_state(*registry_, "acme").last_outcome == "ok"; }, std::chrono::seconds(60));
  }
  void expect_synced() {
    (*emu_)->set_fault_rate(0);
    expect_org_synced(url_, "acme", (*emu_)->base_url());
  }

  std::unique_ptr<RunningEmulator> emu_;
  TempDir dir_;
  std::string url_;
  std::unique_ptr<fleet::Registry> registry_;
};

TEST_F(WorkerSlowOrgTest, SigtermMidSyncCommitsHandsTheOrgBackDueAtOnceAndExits0) {
  {
    auto worker = start_worker("first.log");
    ASSERT_TRUE(has_committed()) << worker->output();
    EXPECT_EQ(worker->stop(std::chrono::seconds(20)), 0) << worker->output();
  }
  auto stopped = org_state(*registry_, "acme");
  EXPECT_EQ(stopped.last_outcome, "interrupted");
  EXPECT_TRUE(stopped.holder.empty()) << stopped.holder;
  EXPECT_LE(stopped.next_run, stopped.last_run_finished + 10) << "due again at once";

  auto next = start_worker("second.log");
  ASSERT_TRUE(ends_ok()) << next->output();
  EXPECT_EQ(next->stop(), 0);
  auto runs = runs_of(*registry_, "acme");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].outcome, "interrupted");
  EXPECT_EQ(runs[1].outcome, "ok");
  expect_runs_never_overlap(runs);
  expect_synced();
}

// A worker frozen (SIGSTOP) past its lease: another worker takes the lease but not the org's writer
// lock, which the frozen one still holds, and hands it back; once thawed, the first finds at its next
// renewal that the lease is no longer its own and stops its sync; the org then runs to the end from
// its watermarks. The run log never shows the two at once.
TEST_F(WorkerSlowOrgTest, AWorkerThatHungPastItsLeaseStopsItsSyncAndAnotherFinishesTheOrg) {
  auto hung = start_worker("hung.log");
  ASSERT_TRUE(has_committed()) << hung->output();
  hung->freeze();
  auto other = start_worker("other.log");
  ASSERT_TRUE(eventually([&] { return contains(other->output(), "acme: not run now"); }, std::chrono::seconds(20)))
      << other->output();
  const std::int64_t thawed = now_ms();
  hung->thaw();
  ASSERT_TRUE(ends_ok()) << hung->output() << other->output();
  EXPECT_EQ(hung->stop(), 0) << hung->output();
  EXPECT_EQ(other->stop(), 0) << other->output();

  EXPECT_TRUE(contains(hung->output(), "acme: the lease is no longer this worker's")) << hung->output();
  auto runs = runs_of(*registry_, "acme");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_TRUE(hung->holds(runs[0].worker)) << runs[0].worker;
  EXPECT_EQ(runs[0].outcome, "lease_lost");
  EXPECT_LT(runs[0].finished - thawed, 3000) << "the hung worker stopped soon after it woke";
  // The org is due again once the hung worker lets go: whichever worker polls first runs it (the
  // thawed one, a worker like any other again, won one CI run in several).
  EXPECT_TRUE(other->holds(runs[1].worker) || hung->holds(runs[1].worker)) << runs[1].worker;
  EXPECT_EQ(runs[1].outcome, "ok");
  expect_runs_never_overlap(runs);
  expect_synced();
}

// The test. Twelve orgs, each its own emulator process with its own generated data (every
// call 100 ms late, so a run lasts about a second); three workers; the first worker to be seen
// half-way through an org (some objects committed, the run still going) is SIGKILLed.
TEST(WorkerTest, ThreeWorkersTwelveOrgsOneKilledMidSyncEveryOrgEndsEqualToItsOrg) {
  TempDir dir;
  const std::string url = pg_test_url();
  std::vector<std::unique_ptr<EmulatorProcess>> emulators;
  std::vector<std::string> names;
  for (int i = 0; i < 12; ++i) {
    emulators.push_back(
        std::make_unique<EmulatorProcess>(120, 100 + i, "--fault-rate 1 --fault-kinds slow --slow-ms 100"));
    names.push_back("org" + std::to_string(10 + i));
    add_org(dir, names.back(), org_toml(emulators.back()->url(), url, kObjects, "interval_seconds = 3600\n"));
  }
  auto registry = open_registry(url);
  std::vector<std::unique_ptr<WorkerProcess>> workers;
  for (int w = 0; w < 3; ++w) {
    workers.push_back(std::make_unique<WorkerProcess>(url, dir.file("worker" + std::to_string(w) + ".log"),
                                                      "--lease-seconds 3", worker_env()));
  }
  auto outputs = [&] {
    std::string out;
    for (const auto& w : workers) out += w->output();
    return out;
  };

  std::string killed_org;
  WorkerProcess* killed = nullptr;
  ASSERT_TRUE(eventually(
      [&] {
        auto orgs = registry->list();  // named: a range-for over a temporary's member dangles
        for (const auto& o : *orgs) {
          if (o.holder.empty() || o.last_run_started <= o.last_run_finished || committed_states(url, o.schema) == 0)
            continue;
          for (auto& w : workers) {
            if (!w->holds(o.holder)) continue;
            w->kill();
            killed = w.get();
            killed_org = o.name;
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(60)))
      << outputs();

  ASSERT_TRUE(eventually(
      [&] {
        auto orgs = registry->list();
        for (const auto& o : *orgs) {
          if (o.last_outcome != "ok" || !o.holder.empty()) return false;
        }
        return true;
      },
      std::chrono::seconds(120)))
      << outputs();
  for (auto& w : workers) {
    if (w.get() != killed) {
      EXPECT_EQ(w->stop(), 0) << w->output();
    }
  }

  for (const auto& name : names) {
    auto runs = runs_of(*registry, name);
    expect_runs_never_overlap(runs);
    ASSERT_FALSE(runs.empty()) << name;
    EXPECT_EQ(runs.back().outcome, "ok") << name;
    if (name != killed_org) continue;
    ASSERT_GE(runs.size(), 2u) << name;
    EXPECT_TRUE(killed->holds(runs[runs.size() - 2].worker));
    EXPECT_EQ(runs[runs.size() - 2].outcome, "abandoned");
    EXPECT_FALSE(killed->holds(runs.back().worker)) << "another worker resumed " << name;
  }
  std::vector<std::thread> checks;  // each emulator answers 100 ms late: check the orgs side by side
  for (std::size_t i = 0; i < names.size(); ++i) {
    checks.emplace_back([&, i] { expect_org_synced(url, names[i], emulators[i]->url()); });
  }
  for (auto& t : checks) t.join();
}

}  // namespace
}  // namespace crmsync::testing
