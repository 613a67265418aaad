// The sync against an unreliable org: injected faults (20% of API calls) and sessions that expire
// mid-run. Every run ends, after reruns where an object failed, table by table equal to what an
// admin's queryAll returns.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>

#include "sync/sync.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;
using testing::expect_store_equals_org;
using testing::ids;
using testing::login;

// What the client survives: server errors, a dropped connection, a cut-off body are retried;
// QUERY_TIMEOUT fails the object, and the next run resumes it from its watermark.
emulator::EmulatorOptions faulty_org(double rate) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(20, 13);
  o.faults.rate = rate;
  o.faults.kinds = {"500", "503", "drop", "truncate", "timeout"};
  o.faults.seed = 29;
  return o;
}

sync::SyncOptions small_pages() {
  sync::SyncOptions o;
  o.batch_size = 200;  // many pages, so many calls the faults can hit
  o.rows_per_commit = 200;
  o.deleted_ids = sync::salesforce_get_deleted();  // as crmsync sync does
  return o;
}

// Runs the sync, then again for the objects that failed, until none fails (at most `max_runs`);
// returns how many runs it took.
int sync_until_done(config::Config cfg, salesforce::Client& client, store::Store& st,
                    const sync::SyncOptions& options, int max_runs) {
  for (int run = 1; run <= max_runs; ++run) {
    auto report = sync::run_sync(cfg, client, st, options);
    if (!report) throw std::runtime_error(report.error().to_string());
    if (report->ok()) return run;
    std::vector<std::string> failed;
    for (const auto& o : report->objects) {
      if (o.outcome == sync::ObjectReport::Outcome::kFailed) {
        std::cout << "  run " << run << ": " << o.object << " failed: " << o.message.substr(0, 60) << "...\n";
        failed.push_back(o.object);
      }
    }
    for (const auto& o : cfg.enabled_objects()) cfg.objects[o].enabled = false;
    for (const auto& o : failed) cfg.objects[o].enabled = true;
  }
  return max_runs + 1;
}

TEST(SyncFaultsTest, TwentyPercentFaultsInFullAndIncrementalSyncEndEqualToTheOrg) {
  RunningEmulator emu(faulty_org(0.2));
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  cfg.groups.engage = true;  // every catalog object
  auto client = login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  int full_runs = sync_until_done(cfg, *client, **st, small_pages(), 10);
  std::cout << "full sync under 20% faults: " << full_runs << " run(s)\n";
  ASSERT_LE(full_runs, 10) << "objects still failing after 10 runs";

  emu->set_fault_rate(0);  // the admin's writes and checks see a healthy org
  auto admin = testing::admin_login(emu->base_url());
  expect_store_equals_org(**st, *admin, cfg);
  auto opps = ids(*admin, "SELECT Id FROM Opportunity ORDER BY Id LIMIT 4");
  ASSERT_EQ(opps.size(), 4u);
  for (const auto& id : opps) ASSERT_TRUE(admin->update("Opportunity", id, {{"Amount", 777.25}}).ok());
  auto contacts = ids(*admin, "SELECT Id FROM Contact ORDER BY Id LIMIT 3");
  for (const auto& id : contacts) ASSERT_TRUE(admin->remove("Contact", id).ok());
  auto tasks = ids(*admin, "SELECT Id FROM Task ORDER BY Id LIMIT 2");
  for (const auto& id : tasks) ASSERT_TRUE(admin->update("Task", id, {{"Subject", "Faulty follow-up"}}).ok());
  ASSERT_TRUE(admin->create("Lead", {{"LastName", "Okafor"}, {"Company", "Retry Ltd"}}).ok());

  emu->set_fault_rate(0.2);
  int incremental_runs = sync_until_done(cfg, *client, **st, small_pages(), 10);
  std::cout << "incremental sync under 20% faults: " << incremental_runs << " run(s)\n";
  ASSERT_LE(incremental_runs, 10) << "objects still failing after 10 runs";

  emu->set_fault_rate(0);
  expect_store_equals_org(**st, *admin, cfg);
  auto stored = testing::store_rows(**st, "Opportunity");
  EXPECT_DOUBLE_EQ(std::get<double>(stored.at(opps[0]).at("Amount")), 777.25);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "Contact").at(contacts[0]).at("IsDeleted")), true);
}

TEST(SyncFaultsTest, SessionExpiredMidRunLogsInAgainAndEndsEqualToTheOrg) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(20, 17);
  o.faults.expire_session_at = 8;  // every session issued so far expires at the 8th API call
  RunningEmulator emu(o);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  auto client = login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  auto report = sync::run_sync(cfg, *client, **st, small_pages());
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  for (const auto& r : report->objects) {
    EXPECT_NE(r.outcome, sync::ObjectReport::Outcome::kFailed) << r.object << ": " << r.message;
  }
  EXPECT_GT(report->api_calls, 8) << "the expiry fell inside the run";
  auto admin = testing::admin_login(emu->base_url());
  expect_store_equals_org(**st, *admin, cfg);
}

// A connected app that rotates refresh tokens spends the token each grant uses. Every worker has a
// session of its own, and all of them log in again when the sessions expire mid-run: with the
// token in a file and with the token given once (the environment), they take turns with the latest
// token, every worker gets its session, nothing fails, and the token left behind still works.
TEST(SyncFaultsTest, EveryWorkerLogsInAgainWithARotatingRefreshToken) {
  for (bool in_file : {true, false}) {
    SCOPED_TRACE(in_file ? "refresh_token_file" : "refresh_token");
    emulator::EmulatorOptions o = RunningEmulator::options_for(20, 19);
    o.rotate_refresh_tokens = true;
    o.faults.expire_session_at = 12;  // after the workers logged in, mid-run
    RunningEmulator emu(o);
    TempDir dir;
    auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
    cfg.salesforce.auth = "refresh_token";
    cfg.salesforce.username.clear();
    cfg.salesforce.password.clear();
    auto issued = emu->issue_refresh_token("integration@crmsync.test");
    ASSERT_TRUE(issued.ok()) << issued.error().to_string();
    if (in_file) {
      cfg.salesforce.refresh_token_file = dir.file("refresh_token");
      testing::write_file(cfg.salesforce.refresh_token_file, *issued + "\n");
    } else {
      cfg.salesforce.refresh_token = *issued;
    }
    cfg.sync.concurrency = 4;
    auto client = login(cfg);
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    sync::SyncOptions options = small_pages();
    std::atomic<int> worker_sessions{0};
    options.connect = [&]() -> Result<std::unique_ptr<salesforce::Client>> {
      auto c = salesforce::Client::connect(config::connect_options(cfg));
      if (c) ++worker_sessions;
      return c;
    };
    auto report = sync::run_sync(cfg, *client, **st, options);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    EXPECT_EQ(worker_sessions.load(), 3) << "each of the 3 other workers logged in";
    for (const auto& r : report->objects) {
      EXPECT_NE(r.outcome, sync::ObjectReport::Outcome::kFailed) << r.object << ": " << r.message;
    }
    EXPECT_GT(report->api_calls, 12) << "the expiry fell inside the run";
    auto admin = testing::admin_login(emu->base_url());
    expect_store_equals_org(**st, *admin, cfg);
    // The latest token is where the next run finds it: the file, or this process's memory.
    EXPECT_TRUE(salesforce::Client::connect(config::connect_options(cfg)).ok());
  }
}

}  // namespace
}  // namespace crmsync
