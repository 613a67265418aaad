// The sync's Bulk API 2.0 path against the emulator: full loads of objects above
// [sync] bulk_threshold go through queryAll jobs, increments through REST; a failed job is retried
// over two halves of the window, then the window is read by REST; a Bulk load cut short starts
// over (no watermark until the job is committed) and ends equal to the org; a load SIGKILLed
// mid-job resumes that job from the last committed results locator (appending to the table, which
// has no Id index until the load ends), and so does one killed in the second of the two jobs that
// follow a QUERY_TIMEOUT.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "config/config.h"
#include "sync/sync.h"
#include "pg_support.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;
using testing::expect_store_equals_org;
using testing::ids;
using testing::login;
using testing::report_for;

sync::SyncOptions fast_bulk() {
  sync::SyncOptions o;
  o.batch_size = 200;
  o.bulk.first_poll = std::chrono::milliseconds(5);
  o.bulk.max_poll = std::chrono::milliseconds(20);
  return o;
}

// Over both stores (SQLite and PostgreSQL).
class SyncBulkStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, SyncBulkStoreTest, testing::kBothStores, testing::backend_name);

TEST_P(SyncBulkStoreTest, FullLoadAboveTheThresholdUsesBulkJobsAndIncrementsUseRest) {
  RunningEmulator emu(20, 5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), testing::store_for(GetParam(), dir));
  cfg.sync.bulk_threshold = 50;
  auto client = login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  auto first = sync::run_sync(cfg, *client, **st, fast_bulk());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  int jobs = 0, bulk_objects = 0, rest_objects = 0;
  for (const auto& o : first->objects) {
    if (o.object == "CurrencyType") continue;  // a single-currency org has none (skipped)
    ASSERT_EQ(o.outcome, sync::ObjectReport::Outcome::kSynced) << o.object << ": " << o.message;
    EXPECT_TRUE(o.bulk_fallback.empty()) << o.object << ": " << o.bulk_fallback;
    jobs += o.bulk_jobs;
    if (o.bulk) {
      ++bulk_objects;
      EXPECT_EQ(o.bulk_jobs, 1) << o.object;
      EXPECT_GT(o.records, cfg.sync.bulk_threshold) << o.object;
      EXPECT_EQ(o.records, o.rows_in_store) << o.object;
    } else {
      ++rest_objects;
      EXPECT_EQ(o.bulk_jobs, 0) << o.object;
      EXPECT_LE(o.records, cfg.sync.bulk_threshold) << o.object << " is above the threshold but was read by REST";
    }
  }
  EXPECT_GE(bulk_objects, 2);
  EXPECT_GE(rest_objects, 2);
  EXPECT_EQ(emu->bulk_jobs_created(), jobs) << "each Bulk job the report counts reached the org";
  auto admin = testing::admin_login(emu->base_url());
  expect_store_equals_org(**st, *admin, cfg);
  // Past the watermark's window: the Bulk load moved the watermark to the window's end.
  EXPECT_TRUE(testing::state_of(**st, "Task").watermark.has_value());
  EXPECT_TRUE(testing::state_of(**st, "Task").full_sync_done);

  auto tasks = ids(*admin, "SELECT Id FROM Task ORDER BY Id LIMIT 3");
  for (const auto& id : tasks) ASSERT_TRUE(admin->update("Task", id, {{"Subject", "After the Bulk load"}}).ok());
  auto second = sync::run_sync(cfg, *client, **st, fast_bulk());
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const auto& task = report_for(*second, "Task");
  EXPECT_FALSE(task.full);
  EXPECT_FALSE(task.bulk);
  EXPECT_GE(task.records, 3);
  EXPECT_EQ(emu->bulk_jobs_created(), jobs) << "increments read through REST";
  expect_store_equals_org(**st, *admin, cfg);
}

TEST(SyncBulkTest, FailedJobsSplitTheWindowThenFallBackToRest) {
  emulator::EmulatorOptions eo = RunningEmulator::options_for(10, 9);
  eo.bulk_fail_above_records = 0;  // every job that matches a record ends Failed (QUERY_TIMEOUT)
  RunningEmulator emu(eo);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Contact", "Task"});  // both above the threshold
  cfg.sync.bulk_threshold = 20;
  auto client = login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  auto report = sync::run_sync(cfg, *client, **st, fast_bulk());
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  int jobs = 0;
  for (const auto& o : report->objects) {
    ASSERT_EQ(o.outcome, sync::ObjectReport::Outcome::kSynced) << o.object << ": " << o.message;
    EXPECT_FALSE(o.bulk) << o.object;
    // The whole window, then its halves until one fails (an empty half's job succeeds).
    EXPECT_GE(o.bulk_jobs, 2) << o.object;
    EXPECT_LE(o.bulk_jobs, 3) << o.object;
    jobs += o.bulk_jobs;
    EXPECT_NE(o.bulk_fallback.find("QUERY_TIMEOUT"), std::string::npos) << o.object << ": " << o.bulk_fallback;
    EXPECT_EQ(o.records, o.rows_in_store) << o.object << ": counted once, by the REST read";
    ASSERT_FALSE(o.warnings.empty()) << o.object;
  }
  EXPECT_EQ(emu->bulk_jobs_created(), jobs);
  auto admin = testing::admin_login(emu->base_url());
  expect_store_equals_org(**st, *admin, cfg);
}

TEST_P(SyncBulkStoreTest, BulkLoadCutShortStartsOverAndEndsEqualToTheOrg) {
  RunningEmulator emu(40, 21);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), testing::store_for(GetParam(), dir));
  testing::only(cfg, {"Task"});
  cfg.sync.bulk_threshold = 100;
  auto client = login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  sync::SyncOptions options = fast_bulk();
  options.bulk.max_records = 50;  // several results pages,
  options.rows_per_commit = 50;   // each its own commit
  int commits = 0, commits_with_watermark = 0;
  options.on_page = [&](const sync::Progress& p) {  // on the writer thread, right after a commit
    if (p.object != "Task") return;
    ++commits;
    auto s = (*st)->load_state("Task");
    if (s.ok() && s->has_value() && (**s).watermark) ++commits_with_watermark;
  };
  auto first = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_TRUE(report_for(*first, "Task").bulk);
  EXPECT_GE(commits, 3);
  // Only the last page's commit may carry it (with the watermark's own, final post).
  EXPECT_LE(commits_with_watermark, 1) << "no watermark before the whole job is committed";
  EXPECT_TRUE(testing::state_of(**st, "Task").watermark.has_value());

  // What a load killed after its first pages leaves: rows, no watermark. Meanwhile a few of those
  // rows are purged in the org.
  store::SyncState cut = testing::state_of(**st, "Task");
  cut.watermark.reset();
  cut.full_sync_done = false;
  ASSERT_TRUE((*st)->save_state(cut).ok());
  std::vector<std::string> purged;
  auto stored_before = testing::store_rows(**st, "Task");
  for (auto it = stored_before.begin(); it != stored_before.end() && purged.size() < 5; ++it) purged.push_back(it->first);
  auto purged_count = emu->hard_delete(purged);
  ASSERT_TRUE(purged_count.ok()) << purged_count.error().message;
  ASSERT_EQ(*purged_count, 5u);

  auto report = sync::run_sync(cfg, *client, **st, fast_bulk());
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  const auto& task = report_for(*report, "Task");
  EXPECT_EQ(task.outcome, sync::ObjectReport::Outcome::kSynced) << task.message;
  EXPECT_TRUE(task.full);
  EXPECT_TRUE(task.bulk);
  EXPECT_TRUE(task.reconciled) << "rows the cut-short load committed may have vanished since";
  EXPECT_EQ(task.hard_deleted, 5);
  // Equal to the org, but for the purged rows, which stay marked deleted.
  auto admin = testing::admin_login(emu->base_url());
  auto stored = testing::store_rows(**st, "Task");
  for (const auto& id : purged) {
    ASSERT_EQ(stored.count(id), 1u) << id;
    EXPECT_EQ(std::get<bool>(stored.at(id).at("IsDeleted")), true) << id;
    stored.erase(id);
  }
  auto expected = testing::admin_rows(*admin, cfg, "Task");
  ASSERT_EQ(stored.size(), expected.size());
  for (const auto& [id, fields] : expected) {
    ASSERT_EQ(stored.count(id), 1u) << id << " missing from the store";
    for (const auto& [name, value] : fields) EXPECT_EQ(stored.at(id).at(name), value) << "Task." << name << " of " << id;
  }
}

// The committed Bulk locator as the running sync left it (read-only, beside the writer); empty
// until the first results page is committed (or the column does not exist yet).
std::string committed_locator(const std::string& db) {
  auto locator = testing::texts_on_disk(db, "SELECT bulk_locator FROM crmsync_sync_state WHERE object = 'Task'", 100);
  return locator.empty() ? std::string() : locator.front();
}

// How many indexes the table has on disk (read-only, beside the writer).
std::int64_t indexes_on_disk(const std::string& db, const std::string& table) {
  return testing::int_on_disk(db,
                              "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = '" + table + "'");
}

// After a resumed Task load (config file `cfg`, store file `db`): the load is finished, with a
// watermark and no job left to resume, and the store equals the org.
void expect_finished_load_equals_org(const std::string& cfg, const std::string& db, const std::string& base_url) {
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  store::SyncState state = testing::state_of(**st, "Task");
  EXPECT_TRUE(state.watermark.has_value());
  EXPECT_TRUE(state.bulk_job_id.empty()) << "a finished load leaves nothing to resume";
  auto admin = testing::admin_login(base_url);
  testing::expect_store_equals_org(**st, *admin, *config);
}

TEST(SyncBulkTest, SigkillMidBulkLoadResumesTheJobFromTheLastCommittedLocator) {
  // Every call answers after 20 ms, so a load of many small results pages takes long enough to be
  // killed in the middle.
  emulator::EmulatorOptions o = RunningEmulator::options_for(40, 21);
  o.faults.rate = 1.0;
  o.faults.kinds = {"slow"};
  o.faults.slow_ms = 20;
  RunningEmulator emu(o);
  TempDir dir;
  const std::string objects = testing::only_toml({"Task"});
  const std::string sync = "[sync]\nsettle_seconds = 0\nbulk_threshold = 100\nrows_per_commit = 10\n";
  const std::string cfg = dir.file("crmsync.toml"), db = dir.file("crmsync.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db, sync + objects));
  const std::string fresh_cfg = dir.file("fresh.toml");
  testing::write_file(fresh_cfg, testing::emulator_toml(emu->base_url(), dir.file("fresh.db"), sync + objects));

  // What a fresh load of Task fetches.
  std::int64_t before = emu->bulk_result_pages_served();
  auto fresh = testing::run_crmsync("sync --quiet --config " + fresh_cfg);
  ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
  const std::int64_t fresh_pages = emu->bulk_result_pages_served() - before;
  ASSERT_GE(fresh_pages, 5) << "the test needs a load of several results pages";

  // The same load, SIGKILLed once a few results pages are committed.
  const std::int64_t jobs_before = emu->bulk_jobs_created();
  before = emu->bulk_result_pages_served();
  pid_t pid = testing::start_sync(cfg);
  ASSERT_GE(pid, 0);
  ASSERT_TRUE(testing::kill_when(
      pid, [&] { return emu->bulk_result_pages_served() - before >= 3 && !committed_locator(db).empty(); }))
      << "the sync ended before it could be killed mid-load";
  const std::string locator = committed_locator(db);
  ASSERT_FALSE(locator.empty());
  ASSERT_NE(locator, "null") << "killed after the last page: nothing left to resume";
  EXPECT_EQ(indexes_on_disk(db, "Task"), 0) << "a first load appends to Task without its Id index";
  const std::int64_t pages_before_kill = emu->bulk_result_pages_served() - before;

  emu->set_fault_rate(0);
  auto resumed = testing::run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const std::int64_t pages_after_kill = emu->bulk_result_pages_served() - before - pages_before_kill;
  EXPECT_EQ(emu->bulk_jobs_created(), jobs_before + 1) << "the killed run's job was resumed, no new one made";
  EXPECT_LT(pages_after_kill, fresh_pages) << "the resumed run starts at the committed locator";
  EXPECT_NE(resumed.output.find("\"bulk_resumed\": true"), std::string::npos) << resumed.output;

  expect_finished_load_equals_org(cfg, db, emu->base_url());
}

// Sends `sync` for `cfg` to a child process and SIGKILLs it once a Bulk results locator of Task is
// committed (a page of a resumable job, with pages still to come). False when it ended first.
bool kill_once_a_locator_is_committed(const std::string& cfg, const std::string& db) {
  pid_t pid = testing::start_sync(cfg);
  if (pid < 0) return false;
  return testing::kill_when(pid, [&] {
    const std::string locator = committed_locator(db);
    return !locator.empty() && locator != "null";
  });
}

TEST(SyncBulkTest, SigkillInTheSecondHalfJobAfterAQueryTimeoutResumesThatJob) {
  // How many Tasks the org has (queryAll): a job over all of them fails with QUERY_TIMEOUT, a job
  // over either half of the time window does not.
  std::int64_t tasks = 0;
  {
    RunningEmulator probe(RunningEmulator::options_for(40, 21));
    TempDir dir;
    auto cfg = testing::sync_config(probe->base_url(), dir.file("probe.db"));
    testing::only(cfg, {"Task"});
    cfg.sync.bulk_threshold = 100;
    auto client = login(cfg);
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st.ok());
    auto report = sync::run_sync(cfg, *client, **st, fast_bulk());
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    tasks = report_for(*report, "Task").records;
    ASSERT_GT(tasks, 100);
  }
  emulator::EmulatorOptions o = RunningEmulator::options_for(40, 21);
  o.bulk_fail_above_records = tasks - 1;
  o.faults.rate = 1.0;  // every call answers after 20 ms: the second half's pages take a while
  o.faults.kinds = {"slow"};
  o.faults.slow_ms = 20;
  RunningEmulator emu(o);
  TempDir dir;
  const std::string objects = testing::only_toml({"Task"});
  const std::string cfg = dir.file("crmsync.toml"), db = dir.file("crmsync.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db,
                                                  "[sync]\nsettle_seconds = 0\nbulk_threshold = 100\n"
                                                  "rows_per_commit = 10\n" + objects));
  // Only the second half's pages record a locator: the whole window's job failed, the first
  // half's job is not resumable.
  ASSERT_TRUE(kill_once_a_locator_is_committed(cfg, db)) << "the sync ended before it could be killed";
  ASSERT_EQ(emu->bulk_jobs_created(), 3) << "the whole window's job, then one per half";
  ASSERT_NE(committed_locator(db), "null") << "killed after the last page: nothing left to resume";

  emu->set_fault_rate(0);
  auto resumed = testing::run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(emu->bulk_jobs_created(), 3) << "the second half's job was resumed, no new one made";
  EXPECT_NE(resumed.output.find("\"bulk_resumed\": true"), std::string::npos) << resumed.output;

  expect_finished_load_equals_org(cfg, db, emu->base_url());
}

}  // namespace
}  // namespace crmsync
