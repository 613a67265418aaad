// Choosing what one run syncs, as Airbyte users pick and reset streams: `crmsync sync --object X`
// (only those objects) and `crmsync sync --full-refresh X` (load X again from scratch while its table
// stays readable, swapped in when the reload is complete; a kill mid-reload leaves the old table and
// the next run finishes the reload).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <mutex>

#include "sync_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

// A row the org never had and a value the org does not hold: what only a reload from scratch undoes.
constexpr const char* kStrayId = "001000000000999AAA";

void tamper_with_accounts(const std::string& db) {
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &conn), SQLITE_OK);
  const std::string sql = std::string("UPDATE \"Account\" SET \"Name\" = 'stale' WHERE \"Id\" = (SELECT MIN(\"Id\") "
                                      "FROM \"Account\"); INSERT INTO \"Account\" (\"Id\", \"Name\", \"IsDeleted\") "
                                      "VALUES ('") + kStrayId + "', 'stray', 0);";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(conn);
}

std::int64_t rows_on_disk(const std::string& db, const std::string& table) {
  return testing::int_on_disk(db, "SELECT COUNT(*) FROM \"" + table + "\"");
}

std::int64_t stale_rows_on_disk(const std::string& db) {
  return testing::int_on_disk(db, std::string("SELECT COUNT(*) FROM \"Account\" WHERE \"Name\" IN ('stale', 'stray') "
                                              "OR \"Id\" = '") + kStrayId + "'");
}

// The Account table holds exactly the org's accounts, with their values, and its Id index.
void expect_accounts_equal_the_org(store::Store& st, RunningEmulator& emu, const config::Config& cfg) {
  auto admin = testing::admin_login(emu->base_url());
  testing::Rows expected = testing::admin_rows(*admin, cfg, "Account");
  testing::Rows actual = testing::store_rows(st, "Account");
  EXPECT_EQ(actual.size(), expected.size());
  EXPECT_FALSE(actual.contains(kStrayId));
  testing::expect_one_row_per_id_and_the_index(st, "Account", expected.size());
  testing::expect_org_rows_stored(expected, actual, "Account");
}

TEST(SyncObjectFlagTest, OnlyTheNamedObjectsAreSyncedAndAMistypedNameIsRefusedWithADidYouMean) {
  RunningEmulator emu(5);
  TempDir dir;
  const std::string cfg = dir.file("crmsync.toml");
  const std::string db = dir.file("out.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db, "[sync]\nsettle_seconds = 0\n"));

  auto mistyped = run_crmsync("sync --config " + cfg + " --object Acount");
  EXPECT_EQ(mistyped.exit_code, 2) << mistyped.output;
  EXPECT_TRUE(contains(mistyped.output, "--object Acount: no object of that name is in crmsync's catalog or in the "
                                        "configuration; did you mean Account?"))
      << mistyped.output;
  EXPECT_FALSE(std::filesystem::exists(db)) << "refused before anything was opened";
  auto off = run_crmsync("sync --config " + cfg + " --object Campaign");
  EXPECT_EQ(off.exit_code, 2) << off.output;
  EXPECT_TRUE(contains(off.output, "set [groups] engage = true to sync it")) << off.output;
  auto outside = run_crmsync("sync --config " + cfg + " --object Account --full-refresh Contact");
  EXPECT_EQ(outside.exit_code, 2) << outside.output;
  EXPECT_TRUE(contains(outside.output, "add --object Contact, or leave --object out")) << outside.output;

  // Repeatable and comma-separated, any case; the report and the store hold those objects only.
  auto r = run_crmsync("sync --json --config " + cfg + " --object lead --object Account,Contact");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto report = nlohmann::json::parse(r.output);
  std::vector<std::string> reported;
  for (const auto& o : report["objects"]) reported.push_back(o["object"]);
  EXPECT_EQ(reported, (std::vector<std::string>{"Account", "Contact", "Lead"}));
  auto states = testing::texts_on_disk(db, "SELECT object FROM crmsync_sync_state ORDER BY object");
  EXPECT_EQ(states, (std::vector<std::string>{"Account", "Contact", "Lead"}));
  EXPECT_EQ(rows_on_disk(db, "Opportunity"), -1) << "no table for an object the run left out";

  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  auto admin = testing::admin_login(emu->base_url());
  for (const char* object : {"Account", "Contact", "Lead"}) {
    testing::Rows expected = testing::admin_rows(*admin, *config, object);
    EXPECT_EQ(testing::store_rows(**st, object).size(), expected.size()) << object;
  }
}

// The reload goes into a table of its own, page by page, while readers of the store keep seeing
// the old Account table whole; the finished reload replaces it in one transaction. The other
// objects of the run are synced as usual (incrementally).
TEST(FullRefreshTest, ReloadsFromScratchWhileTheOldTableStaysReadableThenSwapsItIn) {
  RunningEmulator emu(600);  // 600 accounts: three pages of 200
  TempDir dir;
  const std::string db = dir.file("out.db");
  auto cfg = testing::sync_config(emu->base_url(), db);
  testing::only(cfg, {"Account", "Contact"});
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  auto client = testing::login(cfg);
  auto first = sync::run_sync(cfg, *client, **st, testing::one_worker_page_by_page());
  ASSERT_TRUE(first.ok() && first->ok()) << (first ? "" : first.error().to_string());
  const std::int64_t loaded = rows_on_disk(db, "Account");
  ASSERT_GT(loaded, 400);
  tamper_with_accounts(db);

  struct Seen {
    std::int64_t reload_rows, old_rows, stale;
  };
  std::mutex mu;
  std::vector<Seen> seen;  // at each committed page of the reload
  sync::SyncOptions options = testing::one_worker_page_by_page();
  options.full_refresh = {"account"};
  options.on_page = [&](const sync::Progress& p) {
    if (p.object != "Account") return;
    std::lock_guard lock(mu);
    seen.push_back({rows_on_disk(db, "crmsync_reload_Account"), rows_on_disk(db, "Account"), stale_rows_on_disk(db)});
  };
  auto report = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_TRUE(report->ok());

  ASSERT_GE(seen.size(), 3u);
  for (std::size_t i = 0; i < seen.size(); ++i) {  // each before the swap, which reports no page
    EXPECT_GT(seen[i].reload_rows, 0) << "page " << i;
    EXPECT_EQ(seen[i].old_rows, loaded + 1) << "page " << i << ": the old table, stray row included, is readable";
    EXPECT_EQ(seen[i].stale, 2) << "page " << i;
  }
  EXPECT_LT(seen.front().reload_rows, loaded) << "the reload is committed page by page";
  const auto& account = testing::report_for(*report, "Account");
  EXPECT_EQ(account.full_refresh, "done");
  EXPECT_TRUE(account.full);
  EXPECT_FALSE(testing::report_for(*report, "Contact").full) << "the rest of the run is incremental";
  EXPECT_TRUE(testing::report_for(*report, "Contact").full_refresh.empty());

  expect_accounts_equal_the_org(**st, emu, cfg);
  EXPECT_EQ(stale_rows_on_disk(db), 0);
  EXPECT_EQ(rows_on_disk(db, "crmsync_reload_Account"), -1) << "the reload table became the Account table";
  const store::SyncState state = testing::state_of(**st, "Account");
  EXPECT_TRUE(state.watermark.has_value());
  EXPECT_TRUE(state.full_sync_done);
  EXPECT_EQ(state.rows, static_cast<std::int64_t>(testing::store_rows(**st, "Account").size()));
}

// SIGKILL while the reload is half read: the old table is untouched, `crmsync status` shows the
// reload under way, and the next run (asked for nothing) finishes the reload and swaps it in.
TEST(FullRefreshTest, AKillMidReloadKeepsTheOldTableAndTheNextRunFinishesTheReload) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(1000, 3);
  o.faults.kinds = {"slow"};  // switched on for the reload: each call 100 ms late, so it can be caught
  o.faults.slow_ms = 100;
  RunningEmulator emu(o);
  TempDir dir;
  const std::string cfg = dir.file("crmsync.toml");
  const std::string db = dir.file("out.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db,
                                                  "[sync]\nsettle_seconds = 0\nbatch_size = 200\nrows_per_commit = 200\n"
                                                  "bulk_threshold = 100000000\n" +
                                                      testing::only_toml({"Account"})));
  auto first = run_crmsync("sync --quiet --config " + cfg);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::int64_t loaded = rows_on_disk(db, "Account");
  tamper_with_accounts(db);

  emu->set_fault_rate(1.0);
  pid_t pid = testing::start_sync(cfg, {"--full-refresh", "Account"});
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(testing::kill_when(pid, [&] { return rows_on_disk(db, "crmsync_reload_Account") >= 200; }))
      << "the reload ended before it could be killed";
  emu->set_fault_rate(0);
  const std::int64_t reloaded = rows_on_disk(db, "crmsync_reload_Account");
  EXPECT_LT(reloaded, loaded);
  EXPECT_EQ(rows_on_disk(db, "Account"), loaded + 1) << "the old table is untouched";
  EXPECT_EQ(stale_rows_on_disk(db), 2);

  auto status = run_crmsync("status --config " + cfg);
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "full refresh under way: Account: ")) << status.output;
  auto status_json = run_crmsync("status --json --config " + cfg);
  ASSERT_EQ(status_json.exit_code, 0) << status_json.output;
  auto j = nlohmann::json::parse(status_json.output);
  ASSERT_EQ(j["objects"].size(), 1u);
  EXPECT_GE(j["objects"][0]["full_refresh_rows"].get<std::int64_t>(), 200);

  auto next = run_crmsync("sync --config " + cfg);
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_TRUE(contains(next.output, "Account: full refresh done")) << next.output;
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  expect_accounts_equal_the_org(**st, emu, *config);
  EXPECT_EQ(rows_on_disk(db, "crmsync_reload_Account"), -1);
  auto after = run_crmsync("status --config " + cfg);
  EXPECT_FALSE(contains(after.output, "full refresh under way")) << after.output;
}

}  // namespace
}  // namespace crmsync
