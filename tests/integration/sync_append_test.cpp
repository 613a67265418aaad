// A first full load appends to its table without the Id index and builds the index once the load
// is read. Killed between two committed pages (SIGKILL), the load leaves the table without the
// index on disk; the next run goes on appending, reads records changed meanwhile again (held twice
// until the index is built, which keeps their last write) and ends equal to the org, with the
// index and one row per Id. `crmsync status` reads the table without the index; a finished load
// whose index was never built gets it from the next run.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "config/config.h"
#include "sync/sync.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;

using testing::int_on_disk;

TEST(SyncAppendTest, SigkillMidRestLoadThenResumeEndsWithTheIndexAndOneRowPerId) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(50, 21);
  o.faults.kinds = {"slow"};  // rate 0 until the load starts
  o.faults.slow_ms = 30;
  RunningEmulator emu(o);
  auto admin = testing::admin_login(emu->base_url());
  // Enough Tasks for several REST pages of 200, on an Account so that the integration user sees them.
  auto existing = testing::ids(*admin, "SELECT Id FROM Task");
  auto account = testing::ids(*admin, "SELECT Id FROM Account LIMIT 1");
  ASSERT_EQ(account.size(), 1u);
  for (std::size_t n = existing.size(); n < 700; ++n) {
    ASSERT_TRUE(admin->create("Task", {{"Subject", "Call " + std::to_string(n)}, {"WhatId", account[0]}}).ok());
  }
  // Then every call answers after 30 ms, so that the load can be killed between two pages.
  emu->set_fault_rate(1.0);

  TempDir dir;
  const std::string cfg = dir.file("crmsync.toml"), db = dir.file("crmsync.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db,
                                                  "[sync]\nsettle_seconds = 0\nbatch_size = 200\n"
                                                  "rows_per_commit = 200\nbulk_threshold = 100000\n" +
                                                      testing::only_toml({"Task"})));

  pid_t pid = testing::start_sync(cfg);
  ASSERT_GT(pid, 0);
  const std::string loading =
      "SELECT count(*) FROM crmsync_sync_state WHERE object = 'Task' AND watermark IS NOT NULL AND full_sync_done = 0";
  // Killed once a page is committed, the load not finished.
  ASSERT_TRUE(testing::kill_when(pid, [&] { return int_on_disk(db, loading) == 1; }))
      << "the sync ended before it could be killed mid-load";
  EXPECT_EQ(int_on_disk(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Task'"), 0)
      << "the load appends to Task without its Id index";
  std::int64_t committed = int_on_disk(db, "SELECT count(*) FROM Task");
  EXPECT_GT(committed, 0);
  EXPECT_EQ(int_on_disk(db, "SELECT full_sync_done FROM crmsync_sync_state WHERE object = 'Task'"), 0);

  // Readers work on the table as the kill left it.
  auto shown = testing::run_crmsync("status --json --config " + cfg);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("\"Task\""), std::string::npos) << shown.output;

  // Records the killed run committed change in the org: the next run reads them again.
  emu->set_fault_rate(0);
  auto changed = testing::texts_on_disk(db, "SELECT Id FROM Task ORDER BY rowid LIMIT 3");
  ASSERT_EQ(changed.size(), 3u);
  for (const auto& id : changed) ASSERT_TRUE(admin->update("Task", id, {{"Subject", "Changed after the kill"}}).ok());

  testing::wait_past_the_next_whole_second();  // the changes fall inside the resumed run's window
  auto resumed = testing::run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  // Equal to the org with one row per Id and the index (expect_store_equals_org checks both).
  testing::expect_store_equals_org(**st, *admin, *config);
  EXPECT_EQ(int_on_disk(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'crmsync_id_Task'"), 1);
  auto rows = testing::store_rows(**st, "Task");
  for (const auto& id : changed) {
    EXPECT_EQ(std::get<std::string>(rows.at(id).at("Subject")), "Changed after the kill") << id;
  }
  EXPECT_TRUE(testing::state_of(**st, "Task").full_sync_done);
}

// A kill between a load's last commit and its index leaves a finished load without the index:
// the next run builds it before it writes, and its upserts find one row per Id.
TEST(SyncAppendTest, AFinishedLoadWithoutItsIndexGetsItFromTheNextRun) {
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account", "Contact"});
  auto client = testing::login(cfg);
  auto admin = testing::admin_login(emu->base_url());
  {
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st.ok());
    auto first = sync::run_sync(cfg, *client, **st, {});
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    EXPECT_TRUE(*(*st)->has_id_index("Account")) << "built at the end of the first load";
  }
  ASSERT_EQ(int_on_disk(dir.file("crmsync.db"), "SELECT count(*) FROM sqlite_master WHERE name = 'crmsync_id_Account'"),
            1);
  {  // What a kill right after the load's last commit leaves.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("crmsync.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP INDEX crmsync_id_Account", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto changed = testing::ids(*admin, "SELECT Id FROM Account ORDER BY Id LIMIT 2");
  for (const auto& id : changed) ASSERT_TRUE(admin->update("Account", id, {{"Name", "Renamed"}}).ok());
  testing::wait_past_the_next_whole_second();

  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_FALSE(testing::report_for(*second, "Account").full);
  EXPECT_EQ(testing::report_for(*second, "Account").records, 2);
  testing::expect_store_equals_org(**st, *admin, cfg);  // one row per Id, index present
}

}  // namespace
}  // namespace crmsync
