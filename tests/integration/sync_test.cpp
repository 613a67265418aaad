// End to end: the emulator over loopback, the real client, a real SQLite file.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "sync/page_parser.h"
#include "sync/sync.h"
#include "test_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;
using Rows = std::map<std::string, std::map<std::string, store::Value>>;

std::unique_ptr<salesforce::Client> login(const config::Config& cfg) {
  auto c = salesforce::Client::connect(sync::connect_options(cfg));
  if (!c) throw std::runtime_error(c.error().to_string());
  return std::move(*c);
}

Rows store_rows(store::Store& st, const std::string& object) {
  Rows out;
  auto dump = st.dump(object);
  if (!dump) throw std::runtime_error(dump.error().to_string());
  for (auto& row : *dump) {
    std::map<std::string, store::Value> m(row.begin(), row.end());
    out[std::get<std::string>(m.at("Id"))] = std::move(m);
  }
  return out;
}

// What an admin's queryAll returns for the fields the store has, converted as the sync converts.
Rows admin_rows(salesforce::Client& admin, const config::Config& cfg, const std::string& object) {
  auto describe = admin.describe(object);
  if (!describe) throw std::runtime_error(describe.error().to_string());
  auto sel = catalog::select_fields(*describe, cfg.selection_for(object));
  if (!sel) throw std::runtime_error(sel.error().to_string());
  std::string soql = "SELECT ";
  for (size_t i = 0; i < sel->fields.size(); ++i) soql += (i ? ", " : "") + sel->fields[i].name;
  soql += " FROM " + object;
  sync::PageParser parser(*sel);
  Rows out;
  auto page = admin.query(soql, true);
  while (true) {
    if (!page) throw std::runtime_error(page.error().to_string());
    auto parsed = parser.parse(page->body);
    if (!parsed) throw std::runtime_error(parsed.error().to_string());
    for (auto& row : parsed->rows) {
      std::map<std::string, store::Value> m;
      for (size_t i = 0; i < row.size(); ++i) m[sel->fields[i].name] = row[i];
      out[std::get<std::string>(row[0])] = std::move(m);
    }
    if (page->done) break;
    page = admin.query_more(page->next_records_url);
  }
  return out;
}

void expect_store_equals_org(store::Store& st, salesforce::Client& admin, const config::Config& cfg) {
  for (const auto& object : cfg.enabled_objects()) {
    Rows expected = admin_rows(admin, cfg, object);
    Rows actual = store_rows(st, object);
    ASSERT_EQ(actual.size(), expected.size()) << object;
    for (const auto& [id, fields] : expected) {
      auto it = actual.find(id);
      ASSERT_NE(it, actual.end()) << object << " " << id << " missing from the store";
      for (const auto& [name, value] : fields) {
        auto col = it->second.find(name);
        ASSERT_NE(col, it->second.end()) << object << "." << name << " missing column";
        EXPECT_EQ(col->second, value) << object << "." << name << " of " << id;
      }
    }
  }
}

std::vector<std::string> ids(salesforce::Client& c, const std::string& soql) {
  auto page = c.query(soql, false);
  if (!page) throw std::runtime_error(page.error().to_string());
  std::vector<std::string> out;
  auto body = nlohmann::json::parse(page->body);  // named: a range-for over a temporary's member dangles
  for (const auto& r : body["records"]) out.push_back(r["Id"]);
  return out;
}

const sync::ObjectReport& report_for(const sync::SyncReport& r, const std::string& object) {
  for (const auto& o : r.objects) {
    if (o.object == object) return o;
  }
  throw std::runtime_error("no report for " + object);
}

TEST(SyncTest, FullThenIncrementalSyncMatchesAdminQueryAll) {
  RunningEmulator emu(25);
  TempDir dir;
  auto cfg = testing::emulator_config(emu->base_url(), dir.file("crmsync.db"));
  cfg.groups.engage = true;  // every catalog object
  auto client = login(cfg);
  auto admin = login(testing::emulator_config(emu->base_url(), "", "admin@crmsync.test", "admin-pass"));
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  auto first = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  for (const auto& o : first->objects) {
    EXPECT_EQ(o.outcome, sync::ObjectReport::Outcome::kSynced) << o.object << ": " << o.message;
    EXPECT_TRUE(o.full) << o.object;
  }
  EXPECT_GT(report_for(*first, "Account").records, 0);
  expect_store_equals_org(**st, *admin, cfg);

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

TEST(SyncTest, FailedSyncKeepsCommittedPagesAndResumes) {
  TempDir dir;
  std::string db = dir.file("crmsync.db");
  std::int64_t contacts_in_org = 0;
  {
    RunningEmulator emu(120, 11);
    auto cfg = testing::emulator_config(emu->base_url(), db);
    auto client = login(cfg);
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st.ok());
    sync::SyncOptions options;
    options.batch_size = 200;
    options.rows_per_commit = 200;
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
    EXPECT_EQ(*rows, 200);  // the committed page stayed
    auto state = (*st)->load_state("Contact");
    ASSERT_TRUE(state.ok() && state->has_value());
    EXPECT_TRUE((*state)->watermark.has_value());
    EXPECT_FALSE((*state)->full_sync_done);
    EXPECT_FALSE((*state)->last_error.empty());
  }
  // The same org (same seed) comes back; the next run resumes from the watermark and ends equal.
  RunningEmulator emu(120, 11);
  auto cfg = testing::emulator_config(emu->base_url(), db);
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

TEST(SyncTest, UnreadableRequiredFieldRefusesTheObjectAndNamesTheGrant) {
  // Excluding a Required field is a configuration error that names the field and the fix.
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

}  // namespace
}  // namespace crmsync
