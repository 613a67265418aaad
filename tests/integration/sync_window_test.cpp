// The incremental window and deletes: late commits inside the lookback, a watermark that never
// moves back, soft deletes through queryAll and hard deletes through id reconciliation (or a
// getDeleted source when one is plugged in).
#include <gtest/gtest.h>

#include "pg_support.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;

// Inserts an Account straight into the emulator's table with the given SystemModstamp, as a
// transaction that committed late would look: the emulator's own write clock never goes back.
std::string insert_late_account(emulator::Emulator& emu, const std::string& name, EpochMs modstamp) {
  auto& db = emu.database();
  std::unique_lock lock(db.mutex());
  emulator::Table* t = db.find("Account");
  emulator::Row row = t->row(0);
  std::string id = db.new_id(*t);
  row[0] = id;
  row[*t->field_index("Name")] = name;
  row[*t->field_index("IsDeleted")] = false;
  row[*t->field_index("SystemModstamp")] = emulator::DateTime{modstamp};
  row[*t->field_index("LastModifiedDate")] = emulator::DateTime{modstamp};
  t->insert(std::move(row));
  return id;
}

TEST(SyncWindowTest, LateCommittedRecordInsideTheLookbackIsPickedUp) {
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account"});
  cfg.sync.lookback_seconds = 300;
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  auto first = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EpochMs watermark = *testing::state_of(**st, "Account").watermark;

  // Committed after the first run, stamped before its watermark: 60 s (inside) and 1 h (outside).
  std::string inside = insert_late_account(*emu, "Late Inside Ltd", watermark - 60 * 1000);
  std::string outside = insert_late_account(*emu, "Late Outside Ltd", watermark - 3600 * 1000);

  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_FALSE(testing::report_for(*second, "Account").full);
  auto rows = testing::store_rows(**st, "Account");
  ASSERT_TRUE(rows.contains(inside));
  EXPECT_EQ(std::get<std::string>(rows.at(inside).at("Name")), "Late Inside Ltd");
  // Beyond the lookback an increment cannot see it: that is what lookback_seconds bounds.
  EXPECT_FALSE(rows.contains(outside));
  // Re-reading the overlap is idempotent: nothing is duplicated, the row count is the org's.
  auto admin = testing::admin_login(emu->base_url());
  EXPECT_EQ(static_cast<std::int64_t>(rows.size()),
            static_cast<std::int64_t>(testing::admin_rows(*admin, cfg, "Account").size()) - 1);
}

TEST(SyncWindowTest, AnIncrementWhoseQueryTimesOutIsReadInNarrowerWindows) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(20, 5);
  o.query_timeout_above_records = 30;  // a query matching more rows runs past Salesforce's limit
  RunningEmulator emu(o);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account"});
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  sync::SyncOptions options;
  options.deleted_ids = sync::salesforce_get_deleted();  // as crmsync sync does (no id scan)
  auto first = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(testing::report_for(*first, "Account").outcome, sync::ObjectReport::Outcome::kSynced)
      << testing::report_for(*first, "Account").message;
  EpochMs watermark = *testing::state_of(**st, "Account").watermark;

  // 60 records committed late, stamped 4 s apart over the lookback: the increment's window query
  // matches more than 30 rows and times out.
  std::vector<std::string> late;
  for (int k = 1; k <= 60; ++k) {
    late.push_back(insert_late_account(*emu, "Late " + std::to_string(k), watermark - k * 4000));
  }
  auto second = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const auto& account = testing::report_for(*second, "Account");
  ASSERT_EQ(account.outcome, sync::ObjectReport::Outcome::kSynced) << account.message;
  EXPECT_FALSE(account.full);
  EXPECT_GE(account.window_splits, 1);
  auto rows = testing::store_rows(**st, "Account");
  for (int k = 1; k <= 60; ++k) {
    const std::string& id = late[static_cast<std::size_t>(k - 1)];
    ASSERT_TRUE(rows.contains(id)) << "Late " << k;
    EXPECT_EQ(std::get<std::string>(rows.at(id).at("Name")), "Late " + std::to_string(k));
  }
  EXPECT_GE(*testing::state_of(**st, "Account").watermark, watermark);
}

TEST(SyncWindowTest, RecordsNewerThanSettleWaitForTheNextRunAndTheWatermarkNeverMovesBack) {
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Lead"});
  auto client = testing::login(cfg);
  auto admin = testing::admin_login(emu->base_url());
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(sync::run_sync(cfg, *client, **st, {}).ok());
  EpochMs first_watermark = *testing::state_of(**st, "Lead").watermark;

  auto lead = admin->create("Lead", {{"LastName", "Settle"}, {"Company", "Settle Ltd"}, {"Email", "s@settle.example"}});
  ASSERT_TRUE(lead.ok()) << lead.error().to_string();

  // A clock an hour behind: the window ends before the new lead, and the watermark stays put.
  sync::SyncOptions behind;
  behind.clock = [] { return now_ms() - 3600 * 1000; };
  ASSERT_TRUE(sync::run_sync(cfg, *client, **st, behind).ok());
  EXPECT_FALSE(testing::store_rows(**st, "Lead").contains(*lead));
  EXPECT_EQ(*testing::state_of(**st, "Lead").watermark, first_watermark);

  // settle_seconds = 600 leaves the new lead (modified just now) for a later run.
  auto settled = cfg;
  settled.sync.settle_seconds = 600;
  ASSERT_TRUE(sync::run_sync(settled, *client, **st, {}).ok());
  EXPECT_FALSE(testing::store_rows(**st, "Lead").contains(*lead));
  EXPECT_GE(*testing::state_of(**st, "Lead").watermark, first_watermark);

  ASSERT_TRUE(sync::run_sync(cfg, *client, **st, {}).ok());
  EXPECT_TRUE(testing::store_rows(**st, "Lead").contains(*lead));
  EXPECT_GE(*testing::state_of(**st, "Lead").watermark, first_watermark);
}

// Over both stores (SQLite and PostgreSQL).
class SyncDeleteStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, SyncDeleteStoreTest, testing::kBothStores, testing::backend_name);

TEST_P(SyncDeleteStoreTest, SoftAndHardDeletesAreMarkedAndCounted) {
  RunningEmulator emu(8);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), testing::store_for(GetParam(), dir));
  testing::only(cfg, {"Contact", "OpportunityLineItem"});
  auto client = testing::login(cfg);
  auto admin = testing::admin_login(emu->base_url());
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  auto first = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(testing::report_for(*first, "OpportunityLineItem").reconciled);  // a full load needs none

  auto contacts = testing::ids(*admin, "SELECT Id FROM Contact ORDER BY Id LIMIT 1");
  auto items = testing::ids(*admin, "SELECT Id FROM OpportunityLineItem ORDER BY Id LIMIT 4");
  ASSERT_EQ(contacts.size(), 1u);
  ASSERT_EQ(items.size(), 4u);
  ASSERT_TRUE(admin->remove("Contact", contacts[0]).ok());          // soft: queryAll shows IsDeleted
  ASSERT_TRUE(admin->remove("OpportunityLineItem", items[0]).ok());  // hard: gone from queryAll

  // No getDeleted source: ids are reconciled.
  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok());
  const auto& oli = testing::report_for(*second, "OpportunityLineItem");
  EXPECT_TRUE(oli.reconciled);
  EXPECT_EQ(oli.hard_deleted, 1);
  EXPECT_EQ(oli.deleted, 1);
  EXPECT_EQ(testing::report_for(*second, "Contact").hard_deleted, 0);
  EXPECT_GE(testing::report_for(*second, "Contact").deleted, 1);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "Contact").at(contacts[0]).at("IsDeleted")), true);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "OpportunityLineItem").at(items[0]).at("IsDeleted")), true);
  EXPECT_EQ(testing::state_of(**st, "OpportunityLineItem").deleted, 1);

  // Already marked: a later reconciliation does not count it again.
  auto third = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(testing::report_for(*third, "OpportunityLineItem").hard_deleted, 0);

  // With a getDeleted source the ids are not reconciled every run; what it reports is marked.
  std::vector<std::string> reported;
  sync::SyncOptions with_source;
  with_source.deleted_ids = [&](salesforce::Client&, const std::string& object, EpochMs, EpochMs)
      -> Result<std::vector<std::string>> {
    return object == "OpportunityLineItem" ? reported : std::vector<std::string>{};
  };
  ASSERT_TRUE(admin->remove("OpportunityLineItem", items[1]).ok());
  auto fourth = sync::run_sync(cfg, *client, **st, with_source);
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE(testing::report_for(*fourth, "OpportunityLineItem").reconciled);
  EXPECT_EQ(testing::report_for(*fourth, "OpportunityLineItem").hard_deleted, 0);  // the source did not say

  reported = {items[1], "00k000000000000AAA"};  // an id the store never had is ignored
  auto fifth = sync::run_sync(cfg, *client, **st, with_source);
  ASSERT_TRUE(fifth.ok());
  EXPECT_EQ(testing::report_for(*fifth, "OpportunityLineItem").hard_deleted, 1);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "OpportunityLineItem").at(items[1]).at("IsDeleted")), true);
  EXPECT_FALSE(testing::store_rows(**st, "OpportunityLineItem").contains("00k000000000000AAA"));

  // --reconcile forces the ids pass even with a source.
  reported.clear();
  ASSERT_TRUE(admin->remove("OpportunityLineItem", items[2]).ok());
  with_source.reconcile = true;
  auto sixth = sync::run_sync(cfg, *client, **st, with_source);
  ASSERT_TRUE(sixth.ok());
  EXPECT_TRUE(testing::report_for(*sixth, "OpportunityLineItem").reconciled);
  EXPECT_EQ(testing::report_for(*sixth, "OpportunityLineItem").hard_deleted, 1);
}

// OpportunityLineItem (hard deletes: they skip the recycle bin) synced once with getDeleted as
// crmsync sync uses it; then `items` of its records for the test to delete.
class SyncGetDeletedTest : public ::testing::Test {
 protected:
  std::vector<std::string> synced_then_items(int n) {
    testing::only(cfg, {"OpportunityLineItem"});
    options.deleted_ids = sync::salesforce_get_deleted();
    EXPECT_TRUE(sync::run_sync(cfg, *client, **st, options).ok());
    auto items = testing::ids(*admin, "SELECT Id FROM OpportunityLineItem ORDER BY Id LIMIT " + std::to_string(n));
    EXPECT_EQ(items.size(), static_cast<std::size_t>(n));
    return items;
  }
  RunningEmulator emu{8};
  TempDir dir;
  config::Config cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  std::unique_ptr<salesforce::Client> client = testing::login(cfg);
  std::unique_ptr<salesforce::Client> admin = testing::admin_login(emu->base_url());
  Result<std::unique_ptr<store::Store>> st = store::Store::open(cfg.store.url);
  sync::SyncOptions options;
};

TEST_F(SyncGetDeletedTest, FindsHardDeletesWithoutReconcilingIds) {
  auto items = synced_then_items(1);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(admin->remove("OpportunityLineItem", items[0]).ok());  // hard: gone from queryAll

  auto second = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(second.ok());
  const auto& oli = testing::report_for(*second, "OpportunityLineItem");
  EXPECT_EQ(oli.outcome, sync::ObjectReport::Outcome::kSynced) << oli.message;
  EXPECT_FALSE(oli.reconciled);
  EXPECT_EQ(oli.hard_deleted, 1);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "OpportunityLineItem").at(items[0]).at("IsDeleted")), true);
}

// A hard delete that happened `ago_ms` before now, as the emulator's getDeleted history holds one:
// the record is purged, its deletion stamped at that time.
void hard_delete_at(emulator::Emulator& emu, const std::string& object, const std::string& id, EpochMs when) {
  std::unique_lock lock(emu.database().mutex());
  emulator::Table* t = emu.database().find(object);
  auto r = t->find(id);
  if (!r) throw std::runtime_error("no " + object + " " + id);
  emulator::Row& row = t->mutable_row(*r);
  row[*t->field_index("SystemModstamp")] = emulator::DateTime{when};
  t->purge(*r);
}

TEST_P(SyncDeleteStoreTest, HardDeleteOfARowALoadCutShortCommittedIsFoundByReconcilingIds) {
  // A full load pauses after its first page; the next run comes later than the lookback after a
  // row of that page vanished. getDeleted's window starts at the last success, and there is none:
  // only an id reconciliation finds it.
  RunningEmulator emu(50, 3);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), testing::store_for(GetParam(), dir));
  testing::only(cfg, {"OpportunityHistory"});
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  sync::SyncOptions options = testing::one_worker_page_by_page();
  options.deleted_ids = sync::salesforce_get_deleted();  // as crmsync sync does
  options.max_api_calls = 2;                              // the describe, then the first page
  auto cut = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(cut.ok()) << cut.error().to_string();
  const auto& first = testing::report_for(*cut, "OpportunityHistory");
  ASSERT_EQ(first.outcome, sync::ObjectReport::Outcome::kPaused) << first.message;
  auto committed = testing::store_rows(**st, "OpportunityHistory");
  ASSERT_FALSE(committed.empty());
  EXPECT_TRUE(testing::state_of(**st, "OpportunityHistory").watermark.has_value());
  EXPECT_EQ(testing::state_of(**st, "OpportunityHistory").last_success, 0);

  // Deleted (and purged) 30 minutes ago: beyond the 300-second lookback of the next run.
  const std::string gone = committed.begin()->first;
  hard_delete_at(*emu, "OpportunityHistory", gone, now_ms() - 30 * 60 * 1000);

  options.max_api_calls = 0;
  auto resumed = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(resumed.ok()) << resumed.error().to_string();
  const auto& oh = testing::report_for(*resumed, "OpportunityHistory");
  EXPECT_EQ(oh.outcome, sync::ObjectReport::Outcome::kSynced) << oh.message;
  EXPECT_FALSE(oh.full);  // resumed from the watermark
  EXPECT_TRUE(oh.reconciled);
  EXPECT_EQ(oh.hard_deleted, 1);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "OpportunityHistory").at(gone).at("IsDeleted")), true);

  // From now on there is a last success: getDeleted again, no reconciliation.
  auto next = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(testing::report_for(*next, "OpportunityHistory").reconciled);
}

TEST_F(SyncGetDeletedTest, AWindowItRefusesOrALastSuccessBeyondItsFifteenDaysReconcilesIds) {
  auto items = synced_then_items(2);
  ASSERT_EQ(items.size(), 2u);

  // getDeleted refusing the window (the emulator answers INVALID_REPLICATION_DATE for a start more
  // than 15 days back, as Salesforce does): the ids are reconciled instead of failing the object.
  ASSERT_TRUE(admin->remove("OpportunityLineItem", items[0]).ok());
  sync::SyncOptions refused = options;
  int refusals = 0;
  refused.deleted_ids = [&refusals](salesforce::Client& c, const std::string& object, EpochMs start,
                                    EpochMs end) -> Result<std::vector<std::string>> {
    auto ids = sync::salesforce_get_deleted()(c, object, start - 16LL * 24 * 3600 * 1000, end);
    if (!ids && ids.error().code == "INVALID_REPLICATION_DATE") ++refusals;
    return ids;
  };
  auto fallback = sync::run_sync(cfg, *client, **st, refused);
  ASSERT_TRUE(fallback.ok()) << fallback.error().to_string();
  const auto& oli2 = testing::report_for(*fallback, "OpportunityLineItem");
  EXPECT_EQ(oli2.outcome, sync::ObjectReport::Outcome::kSynced) << oli2.message;
  EXPECT_EQ(refusals, 1);
  EXPECT_TRUE(oli2.reconciled);
  EXPECT_EQ(oli2.hard_deleted, 1);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "OpportunityLineItem").at(items[0]).at("IsDeleted")), true);

  // The next run 16 days later (the clock crmsync reads): getDeleted cannot reach back to the last
  // success, so the ids are reconciled and the row that vanished is marked.
  ASSERT_TRUE(admin->remove("OpportunityLineItem", items[1]).ok());  // hard: gone from queryAll
  sync::SyncOptions later = options;
  later.clock = [] { return now_ms() + 16LL * 24 * 3600 * 1000; };
  auto stale = sync::run_sync(cfg, *client, **st, later);
  ASSERT_TRUE(stale.ok()) << stale.error().to_string();
  const auto& oli = testing::report_for(*stale, "OpportunityLineItem");
  EXPECT_EQ(oli.outcome, sync::ObjectReport::Outcome::kSynced) << oli.message;
  EXPECT_TRUE(oli.reconciled);
  EXPECT_EQ(oli.hard_deleted, 1);
  EXPECT_EQ(std::get<bool>(testing::store_rows(**st, "OpportunityLineItem").at(items[1]).at("IsDeleted")), true);
}

}  // namespace
}  // namespace crmsync
