// End to end: the emulator over loopback, the real client, a real SQLite file or PostgreSQL database.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "sync/page_parser.h"
#include "sync/sync.h"
#include "pg_support.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;
using testing::admin_rows;
using testing::expect_store_equals_org;
using testing::ids;
using testing::login;
using testing::report_for;
using testing::store_rows;

// The sync's guarantees on either store.
class SyncStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, SyncStoreTest, testing::kBothStores, testing::backend_name);

TEST_P(SyncStoreTest, FullThenIncrementalSyncMatchesAdminQueryAll) {
  RunningEmulator emu(25);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), testing::store_for(GetParam(), dir));
  cfg.groups.engage = true;  // every catalog object
  auto client = login(cfg);
  auto admin = login(testing::emulator_config(emu->base_url(), "", "admin@crmsync.test", "admin-pass"));
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  auto first = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  for (const auto& o : first->objects) {
    if (o.object == "CurrencyType") {  // a single-currency org has none: the boards group goes on without it
      EXPECT_EQ(o.outcome, sync::ObjectReport::Outcome::kSkipped) << o.message;
      continue;
    }
    EXPECT_EQ(o.outcome, sync::ObjectReport::Outcome::kSynced) << o.object << ": " << o.message;
    EXPECT_TRUE(o.full) << o.object;
  }
  EXPECT_GT(report_for(*first, "Account").records, 0);
  expect_store_equals_org(**st, *admin, cfg);
  auto instance = (*st)->meta(store::kInstanceUrlKey);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  EXPECT_EQ(instance->value_or(""), client->instance_url()) << "the org's instance URL, for crmsync serve's links";

  // Change the org through the REST API: update, delete, create.
  auto opps = ids(*admin, "SELECT Id FROM Opportunity ORDER BY Id LIMIT 3");
  ASSERT_EQ(opps.size(), 3u);
  for (const auto& id : opps) ASSERT_TRUE(admin->update("Opportunity", id, {{"StageName", "Closed Won"}, {"Amount", 4242.5}}).ok());
  auto contacts = ids(*admin, "SELECT Id FROM Contact ORDER BY Id LIMIT 2");
  for (const auto& id : contacts) ASSERT_TRUE(admin->remove("Contact", id).ok());
  auto lead = admin->create("Lead", {{"LastName", "Nguyễn"}, {"FirstName", "Thảo"}, {"Company", "Incremental Ltd"},
                                     {"Email", "thao@incremental.example"}});
  ASSERT_TRUE(lead.ok()) << lead.error().to_string();

  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const auto& opp = report_for(*second, "Opportunity");
  EXPECT_FALSE(opp.full);
  EXPECT_GE(opp.records, 3);
  EXPECT_LT(opp.records, report_for(*first, "Opportunity").records);
  EXPECT_GE(report_for(*second, "Contact").deleted, 2);
  EXPECT_GE(report_for(*second, "Lead").records, 1);
  expect_store_equals_org(**st, *admin, cfg);

  auto stored = store_rows(**st, "Opportunity");
  EXPECT_EQ(std::get<std::string>(stored.at(opps[0]).at("StageName")), "Closed Won");
  EXPECT_DOUBLE_EQ(std::get<double>(stored.at(opps[0]).at("Amount")), 4242.5);
  EXPECT_EQ(std::get<bool>(store_rows(**st, "Contact").at(contacts[0]).at("IsDeleted")), true);
}

TEST_P(SyncStoreTest, FailedSyncKeepsCommittedPagesAndResumes) {
  TempDir dir;
  std::string db = testing::store_for(GetParam(), dir);
  std::int64_t contacts_in_org = 0;
  {
    // Big enough that Contact has more pages than the writer's queue holds.
    RunningEmulator emu(400, 11);
    auto cfg = testing::sync_config(emu->base_url(), db);
    testing::only(cfg, {"Account", "Contact"});
    auto client = login(cfg);
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st.ok());
    sync::SyncOptions options = testing::one_worker_page_by_page();
    // The org goes away right after the first committed page of Contact.
    options.on_page = [&](const sync::Progress& p) {
      if (p.object == "Contact" && p.records == 200) {
        contacts_in_org = p.total;
        emu->stop();
      }
    };
    auto report = sync::run_sync(cfg, *client, **st, options);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    EXPECT_FALSE(report->ok());
    EXPECT_EQ(report_for(*report, "Contact").outcome, sync::ObjectReport::Outcome::kFailed);
    EXPECT_GT(contacts_in_org, 200);
    auto rows = (*st)->count_rows("Contact");
    ASSERT_TRUE(rows.ok());
    // The committed pages stayed (pages already fetched when the org went away may follow them).
    EXPECT_GE(*rows, 200);
    EXPECT_LT(*rows, contacts_in_org);
    auto state = (*st)->load_state("Contact");
    ASSERT_TRUE(state.ok() && state->has_value());
    EXPECT_TRUE((*state)->watermark.has_value());
    EXPECT_FALSE((*state)->full_sync_done);
    EXPECT_FALSE((*state)->last_error.empty());
  }
  // The same org (same seed) comes back; the next run resumes from the watermark and ends equal.
  RunningEmulator emu(400, 11);
  auto cfg = testing::sync_config(emu->base_url(), db);
  testing::only(cfg, {"Account", "Contact"});
  auto client = login(cfg);
  auto admin = login(testing::emulator_config(emu->base_url(), "", "admin@crmsync.test", "admin-pass"));
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  auto report = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(report.ok());
  const auto& contact = report_for(*report, "Contact");
  EXPECT_FALSE(contact.full);
  EXPECT_LT(contact.records, contacts_in_org);  // resumed, not restarted
  EXPECT_TRUE(report->ok());
  expect_store_equals_org(**st, *admin, cfg);
}

// (A Required field the integration user cannot read: SyncDriftTest.UnreadableFieldsStopBeingSelectedAndKeepTheirValues.)
TEST(SyncTest, ExcludingARequiredFieldRefusesTheObjectAndNamesTheField) {
  // Excluding a Required field is a configuration error that names the field.
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::emulator_config(emu->base_url(), dir.file("crmsync.db"));
  cfg.objects["Contact"].exclude = {"Email"};
  auto client = login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  auto report = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(report.ok());
  const auto& contact = report_for(*report, "Contact");
  EXPECT_EQ(contact.outcome, sync::ObjectReport::Outcome::kFailed);
  EXPECT_NE(contact.message.find("Email"), std::string::npos) << contact.message;
  EXPECT_EQ(report_for(*report, "Account").outcome, sync::ObjectReport::Outcome::kSynced);
}


// The integration user deactivated (or frozen) while a sync runs: its session is refused, and so is
// the new login the client tries. Every later object would fail the same way, so the run stops at
// the first refusal and says it once (an Error), instead of one failure per object.
TEST(SyncTest, AUserDeactivatedMidRunStopsTheRunAtTheFirstRefusal) {
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  auto client = login(cfg);
  auto admin = testing::admin_login(emu->base_url());
  const std::string user = ids(*admin, "SELECT Id FROM User WHERE Username = 'integration@crmsync.test'").at(0);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  sync::SyncOptions options;
  options.concurrency = 1;
  options.composite = false;  // each object makes its own calls, so the ones after the first meet the refusal
  std::vector<std::string> committed;  // objects with a committed page when the user was deactivated
  options.on_page = [&](const sync::Progress& p) {
    if (!committed.empty()) return;
    committed.push_back(p.object);
    ASSERT_TRUE(admin->update("User", user, {{"IsActive", false}}).ok());
  };
  auto run = sync::run_sync(cfg, *client, **st, options);
  ASSERT_FALSE(run.ok()) << "a report of every object failing the same way";
  EXPECT_EQ(run.error().kind, ErrorKind::kAuth) << run.error().to_string();
  EXPECT_EQ(run.error().code, "invalid_grant") << run.error().to_string();
  EXPECT_NE(run.error().message.find("make sure the user is active"), std::string::npos) << run.error().message;
  EXPECT_NE(run.error().message.find("the run stopped at the first refusal"), std::string::npos) << run.error().message;
  ASSERT_EQ(committed.size(), 1u);

  // What was committed before stays; objects after the refusal were not attempted at all.
  auto states = (*st)->all_states();
  ASSERT_TRUE(states.ok());
  int failed = 0;
  for (const auto& s : *states) failed += s.last_error.empty() ? 0 : 1;
  EXPECT_LE(failed, 1) << "only the object that met the refusal records it";
  EXPECT_GT((*st)->count_rows(committed[0]).value(), 0);
}

}  // namespace
}  // namespace crmsync
