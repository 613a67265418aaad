// Schema drift between runs: a field added (column added, old rows back-filled), fields that
// become unreadable (dropped with a warning, stored values kept; a Required one stops the object),
// formula fields refreshed on their own schedule, and a field list too wide for one query URI.
#include <gtest/gtest.h>

#include "check/check.h"
#include "pg_support.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;

using testing::add_field;
using testing::custom_field;

// Over both stores (SQLite and PostgreSQL).
class SyncDriftStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, SyncDriftStoreTest, testing::kBothStores, testing::backend_name);

TEST_P(SyncDriftStoreTest, AddedFieldGetsAColumnAndOldRowsAreBackFilled) {
  RunningEmulator emu(6);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), testing::store_for(GetParam(), dir));
  testing::only(cfg, {"Account"});
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(sync::run_sync(cfg, *client, **st, {}).ok());
  auto before = testing::store_rows(**st, "Account");
  ASSERT_FALSE(before.empty());

  // The admin adds Score__c in Salesforce (values set without SystemModstamp moving, as a data
  // load with triggers off would) and selects it.
  add_field(*emu, "Account", custom_field("Score__c", "double"));
  testing::set_every_row(*emu, "Account", "Score__c", [](std::size_t r) { return emulator::Value{10.5 + double(r)}; });
  cfg.objects["Account"].include = {"Score__c"};

  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const auto& account = testing::report_for(*second, "Account");
  EXPECT_EQ(account.outcome, sync::ObjectReport::Outcome::kSynced) << account.message;
  EXPECT_EQ(account.backfilled, static_cast<std::int64_t>(before.size()));
  EXPECT_TRUE(testing::state_of(**st, "Account").pending_backfill.empty());
  auto admin = testing::admin_login(emu->base_url());
  testing::expect_store_equals_org(**st, *admin, cfg);  // Score__c included, every row
  for (const auto& [id, row] : testing::store_rows(**st, "Account")) {
    EXPECT_TRUE(std::holds_alternative<double>(row.at("Score__c"))) << id;
  }
}

TEST(SyncDriftTest, UnreadableFieldsStopBeingSelectedAndKeepTheirValues) {
  RunningEmulator emu(6);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account"});
  emulator::FieldDef tier = custom_field("Tier__c", "string");
  tier.field_security = true;  // readable only through a FieldPermissions row, as custom fields are
  add_field(*emu, "Account", tier);
  testing::set_every_row(*emu, "Account", "Tier__c", [](std::size_t r) { return emulator::Value{"tier-" + std::to_string(r)}; });
  cfg.objects["Account"].include = {"Tier__c"};
  auto admin = testing::admin_login(emu->base_url());
  testing::grant_field_read(*admin, "Account", "Tier__c");
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(sync::run_sync(cfg, *client, **st, {}).ok());
  auto before = testing::store_rows(**st, "Account");

  // FLS removed on an included field and on a Recommended one.
  ASSERT_EQ(testing::remove_field_read(*admin, "Account", "Tier__c"), 1u);
  ASSERT_GE(testing::remove_field_read(*admin, "Account", "Website"), 1u);
  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok());
  const auto& account = testing::report_for(*second, "Account");
  EXPECT_EQ(account.outcome, sync::ObjectReport::Outcome::kSynced) << account.message;
  std::string warnings;
  for (const auto& w : account.warnings) warnings += w + "\n";
  EXPECT_NE(warnings.find("Account.Tier__c"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("Account.Website"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("stored values are kept"), std::string::npos) << warnings;
  auto after = testing::store_rows(**st, "Account");
  for (const auto& [id, row] : before) {
    EXPECT_EQ(after.at(id).at("Tier__c"), row.at("Tier__c")) << id;
    EXPECT_EQ(after.at(id).at("Website"), row.at("Website")) << id;
  }

  // A Required field: the object stops, naming the field and the permission to grant.
  ASSERT_GE(testing::remove_field_read(*admin, "Account", "Industry"), 1u);
  auto third = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(third.ok());
  const auto& refused = testing::report_for(*third, "Account");
  EXPECT_EQ(refused.outcome, sync::ObjectReport::Outcome::kFailed);
  EXPECT_NE(refused.message.find("Account.Industry"), std::string::npos) << refused.message;
  // The same words `crmsync check` prints for it: its message and its fix.
  auto checked = check::run_check(*client, cfg);
  ASSERT_TRUE(checked.ok()) << checked.error().to_string();
  const check::Finding* finding = nullptr;
  for (const auto& f : checked->findings) {
    if (f.code == "REQUIRED_FIELD_NOT_READABLE" && f.object == "Account" && f.field == "Industry") finding = &f;
  }
  ASSERT_NE(finding, nullptr);
  EXPECT_NE(refused.message.find(finding->message), std::string::npos) << refused.message;
  EXPECT_NE(refused.message.find(finding->fix), std::string::npos) << refused.message;
  EXPECT_NE(testing::state_of(**st, "Account").last_error.find("Account.Industry"), std::string::npos);
  EXPECT_EQ(testing::store_rows(**st, "Account").size(), before.size());  // nothing removed
}

TEST(SyncDriftTest, FormulaFieldsAreReReadOnTheirOwnSchedule) {
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account"});
  auto health = custom_field("Health__c", "string");
  health.calculated = true;
  health.formula = "IF(AnnualRevenue > 1000000, \"green\", \"red\")";
  health.createable = health.updateable = false;
  add_field(*emu, "Account", health);
  testing::set_every_row(*emu, "Account", "Health__c", [](std::size_t) { return emulator::Value{"red"}; });
  cfg.objects["Account"].include = {"Health__c"};
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(sync::run_sync(cfg, *client, **st, {}).ok());

  // The formula's inputs changed elsewhere: its values move, SystemModstamp does not.
  testing::set_every_row(*emu, "Account", "Health__c", [](std::size_t) { return emulator::Value{"green"}; });
  auto not_due = sync::run_sync(cfg, *client, **st, {});  // formula_refresh_hours = 24
  ASSERT_TRUE(not_due.ok());
  EXPECT_EQ(testing::report_for(*not_due, "Account").formulas_refreshed, 0);
  for (const auto& [id, row] : testing::store_rows(**st, "Account")) {
    EXPECT_EQ(std::get<std::string>(row.at("Health__c")), "red") << id;
  }

  cfg.sync.formula_refresh_hours = 0;  // due every run
  auto due = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(due.ok());
  auto rows = testing::store_rows(**st, "Account");
  EXPECT_EQ(testing::report_for(*due, "Account").formulas_refreshed, static_cast<std::int64_t>(rows.size()));
  for (const auto& [id, row] : rows) EXPECT_EQ(std::get<std::string>(row.at("Health__c")), "green") << id;
}

TEST(SyncWideTest, FieldListPastTheUriLimitIsSplitAndJoinedById) {
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account"});
  std::vector<std::string> names;
  for (int i = 0; i < 400; ++i) {
    names.push_back("Quarterly_Commentary_From_The_Regional_Desk_" + std::to_string(i) + "__c");
    add_field(*emu, "Account", custom_field(names.back(), "string"));
    testing::set_every_row(*emu, "Account", names.back(),
                           [i](std::size_t r) { return emulator::Value{std::to_string(i) + ":" + std::to_string(r)}; });
  }
  cfg.objects["Account"].include = names;
  auto client = testing::login(cfg);
  // One query with every field would pass 16,384 bytes (the emulator answers 414, as Salesforce does).
  std::string all = "SELECT Id";
  for (const auto& n : names) all += ", " + n;
  auto whole = client->query(all + " FROM Account", true);
  ASSERT_FALSE(whole.ok());
  EXPECT_EQ(whole.error().http_status, 414) << whole.error().to_string();

  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  auto report = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  const auto& account = testing::report_for(*report, "Account");
  ASSERT_EQ(account.outcome, sync::ObjectReport::Outcome::kSynced) << account.message;
  EXPECT_GE(account.query_parts, 2);

  // Every row has every field's value, joined on the right Id.
  std::map<std::string, std::size_t> row_of_id;
  {
    std::shared_lock lock(emu->database().mutex());
    const emulator::Table* t = emu->database().find("Account");
    for (std::size_t r = 0; r < t->slot_count(); ++r) row_of_id[std::get<std::string>(t->row(r)[0])] = r;
  }
  auto rows = testing::store_rows(**st, "Account");
  EXPECT_EQ(rows.size(), row_of_id.size());
  for (const auto& [id, row] : rows) {
    std::size_t r = row_of_id.at(id);
    for (int i = 0; i < 400; i += 37) {
      EXPECT_EQ(std::get<std::string>(row.at(names[static_cast<std::size_t>(i)])),
                std::to_string(i) + ":" + std::to_string(r)) << id;
    }
    EXPECT_EQ(std::get<std::string>(row.at(names.back())), "399:" + std::to_string(r)) << id;
  }
}

}  // namespace
}  // namespace crmsync
