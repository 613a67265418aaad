// Objects beyond the catalog, as Airbyte users pick any stream: a custom object of the org file
// ([objects.Invoice__c]) and a standard object the catalog does not list ([objects.Profile]) sync
// with the guarantees the catalog's objects have (a full load, increments by SystemModstamp, soft
// and hard deletes, a field added later back-filled, a kill mid-load resumed); fields of
// unsupported types are skipped with a note, or refused when `include` names them. `crmsync catalog
// --org` lists what the org offers and which of it is supported. Case, the README's example, syncs
// against the default org as it is.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <thread>

#include "common/timeutil.h"

#include "pg_support.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

// Invoice__c, readable by the integration user; Ledger__c, which it may not read.
const char* kOrg = R"(
[[custom_objects]]
name = "Invoice__c"
label = "Invoice"
sharing = "Private"

[[custom_objects]]
name = "Ledger__c"
label = "Ledger"

[[custom_fields]]
object = "Invoice__c"
name = "Amount__c"
type = "currency"
precision = 18
scale = 2

[[custom_fields]]
object = "Invoice__c"
name = "Status__c"
type = "picklist"
values = ["Draft", "Sent", "Paid"]

[[custom_fields]]
object = "Invoice__c"
name = "Account__c"
type = "reference"
reference_to = "Account"

[[custom_fields]]
object = "Invoice__c"
name = "Card__c"
type = "encrypted_string"

[[custom_fields]]
object = "Invoice__c"
name = "Billing__c"
type = "address"

[[permission_sets]]
name = "crmsync_Integration"
objects = { Invoice__c = { read = true, view_all = true } }
)";

// The org above (5 accounts), as the emulator started from an org file.
std::unique_ptr<RunningEmulator> invoice_org(const TempDir& dir, int slow_ms = 0) {
  const std::string org = dir.file("org.toml");
  testing::write_file(org, kOrg);
  emulator::EmulatorOptions o = RunningEmulator::options_for(5, 7);
  o.org_file = org;
  if (slow_ms > 0) {
    o.faults.kinds = {"slow"};  // switched on by the test with set_fault_rate
    o.faults.slow_ms = slow_ms;
  }
  return std::make_unique<RunningEmulator>(o);
}

// `n` invoices created by the admin through the REST API; their Ids.
std::vector<std::string> create_invoices(salesforce::Client& admin, int n) {
  auto accounts = testing::ids(admin, "SELECT Id FROM Account");
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    auto id = admin.create("Invoice__c", {{"Name", "INV-" + std::to_string(i)},
                                          {"Amount__c", 100.25 + i},
                                          {"Status__c", "Draft"},
                                          {"Account__c", accounts[static_cast<std::size_t>(i) % accounts.size()]},
                                          {"Card__c", "4111111111111111"},
                                          {"Billing__City__s", "Lyon"}});
    if (!id) throw std::runtime_error(id.error().to_string());
    out.push_back(*id);
  }
  return out;
}

// The store holds every row the org has, with the org's values, once each, with the Id index.
void expect_object_equals_org(store::Store& st, salesforce::Client& admin, const config::Config& cfg,
                              const std::string& object) {
  testing::Rows expected = testing::admin_rows(admin, cfg, object);
  testing::Rows actual = testing::store_rows(st, object);
  ASSERT_GE(actual.size(), expected.size()) << object;
  testing::expect_one_row_per_id_and_the_index(st, object, actual.size());
  testing::expect_org_rows_stored(expected, actual, object);
}

std::vector<std::string> column_names(store::Store& st, const std::string& object) {
  auto columns = st.columns(object);
  if (!columns) throw std::runtime_error(columns.error().to_string());
  return *columns;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class BeyondCatalogStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, BeyondCatalogStoreTest, testing::kBothStores, testing::backend_name);

TEST_P(BeyondCatalogStoreTest, ACustomObjectAndAStandardOneSyncWithTheCatalogObjectsGuarantees) {
  TempDir dir;
  auto emu = invoice_org(dir);
  auto admin = testing::admin_login((*emu)->base_url());
  auto invoices = create_invoices(*admin, 30);
  auto cfg = testing::sync_config((*emu)->base_url(), testing::store_for(GetParam(), dir));
  testing::only(cfg, {"Account"});
  cfg.objects["Invoice__c"];  // [objects.Invoice__c]: every field of a supported type
  cfg.objects["Profile"];     // a standard object beyond the catalog
  auto st = store::Store::open(sync::store_options(cfg));
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  auto client = testing::login(cfg);

  auto first = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  const auto& invoice = testing::report_for(*first, "Invoice__c");
  ASSERT_EQ(invoice.outcome, sync::ObjectReport::Outcome::kSynced) << invoice.message;
  EXPECT_TRUE(invoice.full);
  EXPECT_EQ(invoice.records, 30);
  ASSERT_EQ(invoice.notes.size(), 1u);
  EXPECT_TRUE(contains(invoice.notes[0], "Invoice__c: 2 fields not synced for their type: ")) << invoice.notes[0];
  EXPECT_TRUE(contains(invoice.notes[0], "Card__c")) << invoice.notes[0];
  EXPECT_TRUE(contains(invoice.notes[0], "Billing__c")) << invoice.notes[0];
  const auto columns = column_names(**st, "Invoice__c");
  for (const char* c : {"Id", "Name", "OwnerId", "IsDeleted", "SystemModstamp", "Amount__c", "Status__c", "Account__c",
                        "Billing__City__s"}) {
    EXPECT_TRUE(has(columns, c)) << c;
  }
  EXPECT_FALSE(has(columns, "Card__c"));
  EXPECT_FALSE(has(columns, "Billing__c"));
  expect_object_equals_org(**st, *admin, cfg, "Invoice__c");
  EXPECT_EQ(testing::report_for(*first, "Profile").outcome, sync::ObjectReport::Outcome::kSynced);
  expect_object_equals_org(**st, *admin, cfg, "Profile");

  // Changes, a soft delete, a new record and a purge: the increment reads them, getDeleted finds
  // the purge.
  testing::wait_past_the_next_whole_second();
  ASSERT_TRUE(admin->update("Invoice__c", invoices[0], {{"Status__c", "Paid"}}));
  ASSERT_TRUE(admin->update("Invoice__c", invoices[1], {{"Amount__c", 5.5}}));
  ASSERT_TRUE(admin->remove("Invoice__c", invoices[2]));
  auto purged = (*emu)->hard_delete({invoices[3]});
  ASSERT_TRUE(purged.ok() && *purged == 1u);
  create_invoices(*admin, 1);
  testing::wait_past_the_next_whole_second();
  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const auto& increment = testing::report_for(*second, "Invoice__c");
  ASSERT_EQ(increment.outcome, sync::ObjectReport::Outcome::kSynced) << increment.message;
  EXPECT_FALSE(increment.full);
  EXPECT_EQ(increment.hard_deleted, 1);
  expect_object_equals_org(**st, *admin, cfg, "Invoice__c");
  auto rows = testing::store_rows(**st, "Invoice__c");
  EXPECT_EQ(rows.size(), 31u);
  EXPECT_EQ(rows.at(invoices[2]).at("IsDeleted"), store::Value{true}) << "soft-deleted, read by queryAll";
  EXPECT_EQ(rows.at(invoices[3]).at("IsDeleted"), store::Value{true}) << "purged, found by getDeleted";
  EXPECT_EQ(rows.at(invoices[0]).at("Status__c"), store::Value{std::string("Paid")});

  // An admin adds a field (values loaded without SystemModstamp moving): discovered, given a column,
  // and back-filled into the rows already stored.
  testing::add_field(**emu, "Invoice__c", testing::custom_field("Discount__c", "double"));
  testing::set_every_row(**emu, "Invoice__c", "Discount__c", [](std::size_t r) { return emulator::Value{0.5 + double(r)}; });
  auto third = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  const auto& drift = testing::report_for(*third, "Invoice__c");
  ASSERT_EQ(drift.outcome, sync::ObjectReport::Outcome::kSynced) << drift.message;
  EXPECT_GE(drift.backfilled, 30);
  EXPECT_TRUE(has(column_names(**st, "Invoice__c"), "Discount__c"));
  expect_object_equals_org(**st, *admin, cfg, "Invoice__c");
}

// Above [sync] bulk_threshold a custom object loads through Bulk API 2.0 as a catalog object does,
// and --full-refresh reloads it (its table keeps its rows until the reload replaces them).
TEST(BeyondCatalogTest, ACustomObjectLoadsThroughBulkAndAFullRefreshReloadsIt) {
  TempDir dir;
  auto emu = invoice_org(dir);
  auto admin = testing::admin_login((*emu)->base_url());
  auto invoices = create_invoices(*admin, 60);
  auto cfg = testing::sync_config((*emu)->base_url(), dir.file("out.db"));
  testing::only(cfg, {});
  cfg.objects["Invoice__c"];
  cfg.sync.bulk_threshold = 20;
  auto st = store::Store::open(sync::store_options(cfg));
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  auto client = testing::login(cfg);
  sync::SyncOptions options;
  options.bulk.first_poll = std::chrono::milliseconds(5);
  options.bulk.max_poll = std::chrono::milliseconds(20);

  auto first = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  const auto& load = testing::report_for(*first, "Invoice__c");
  ASSERT_EQ(load.outcome, sync::ObjectReport::Outcome::kSynced) << load.message;
  EXPECT_TRUE(load.full);
  EXPECT_TRUE(load.bulk) << "60 rows, above bulk_threshold = 20: " << load.bulk_fallback;
  EXPECT_EQ(load.records, 60);
  expect_object_equals_org(**st, *admin, cfg, "Invoice__c");

  // A new field, a change and a purge (this run asks no getDeleted, so an increment would keep the
  // purged row): the reload brings all three.
  testing::add_field(**emu, "Invoice__c", testing::custom_field("Note__c", "string"));
  testing::wait_past_the_next_whole_second();
  ASSERT_TRUE(admin->update("Invoice__c", invoices[0], {{"Status__c", "Paid"}}));
  ASSERT_TRUE((*emu)->hard_delete({invoices[1]}).ok());
  testing::wait_past_the_next_whole_second();
  options.full_refresh = {"invoice__c"};
  auto reload = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(reload.ok()) << reload.error().to_string();
  const auto& again = testing::report_for(*reload, "Invoice__c");
  ASSERT_EQ(again.outcome, sync::ObjectReport::Outcome::kSynced) << again.message;
  EXPECT_EQ(again.full_refresh, "done");
  EXPECT_TRUE(again.full);
  EXPECT_TRUE(again.bulk) << again.bulk_fallback;
  EXPECT_EQ(again.records, 59);
  auto rows = testing::store_rows(**st, "Invoice__c");
  EXPECT_EQ(rows.size(), 59u) << "the reload replaced the table: the purged invoice is gone";
  EXPECT_FALSE(rows.contains(invoices[1]));
  EXPECT_EQ(rows.at(invoices[0]).at("Status__c"), store::Value{std::string("Paid")});
  EXPECT_TRUE(has(column_names(**st, "Invoice__c"), "Note__c"));
  expect_object_equals_org(**st, *admin, cfg, "Invoice__c");
}

TEST(BeyondCatalogTest, IncludeNamesTheOnlyFieldsAndAnUnsupportedOneOrAMissingObjectFailsWithTheFix) {
  TempDir dir;
  auto emu = invoice_org(dir);
  auto admin = testing::admin_login((*emu)->base_url());
  create_invoices(*admin, 3);
  const std::string cfg = dir.file("crmsync.toml");
  const std::string db = dir.file("out.db");
  auto write = [&](const std::string& objects) {
    testing::write_file(cfg, testing::emulator_toml((*emu)->base_url(), db,
                                                    "[sync]\nsettle_seconds = 0\n" + testing::only_toml({"Account"}) +
                                                        objects));
  };
  write("[objects.Invoice__c]\ninclude = [\"Amount__c\"]\n");
  auto only = run_crmsync("sync --config " + cfg);
  ASSERT_EQ(only.exit_code, 0) << only.output;
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  auto columns = column_names(**st, "Invoice__c");
  std::sort(columns.begin(), columns.end());
  EXPECT_EQ(columns, (std::vector<std::string>{"Amount__c", "Id", "IsDeleted", "SystemModstamp"}));
  EXPECT_EQ(testing::store_rows(**st, "Invoice__c").size(), 3u);

  write("[objects.Invoice__c]\ninclude = [\"Amount__c\", \"Card__c\"]\n[objects.Invoce__c]\n");
  auto refused = run_crmsync("sync --json --config " + cfg);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  auto report = nlohmann::json::parse(refused.output);
  std::map<std::string, nlohmann::json> by_object;
  for (const auto& o : report["objects"]) by_object[o["object"]] = o;
  EXPECT_EQ(by_object["Account"]["outcome"], "synced");
  const std::string card = by_object["Invoice__c"]["message"];
  EXPECT_EQ(by_object["Invoice__c"]["outcome"], "failed");
  EXPECT_TRUE(contains(card, "UNSUPPORTED_FIELD_TYPE")) << card;
  EXPECT_TRUE(contains(card, "Card__c")) << card;
  EXPECT_TRUE(contains(card, "encryptedstring")) << card;
  const std::string missing = by_object["Invoce__c"]["message"];
  EXPECT_TRUE(contains(missing, "OBJECT_NOT_VISIBLE: the org has no Invoce__c object the integration user can see"))
      << missing;
  EXPECT_TRUE(contains(missing, "crmsync catalog --org")) << missing;
}

// `crmsync check` checks an object beyond the catalog as the sync reads it: Invoice__c readable with
// its skipped fields named, Ledger__c (which only another permission set reads) an error whose fix
// grants Read on it, Ledgr__c (no such object) an error pointing at `catalog --org`, an include the
// org lacks an error naming the field.
TEST(BeyondCatalogTest, CheckSaysWhatToGrantForObjectsBeyondTheCatalog) {
  TempDir dir;
  const std::string org = dir.file("org.toml");
  testing::write_file(org, std::string(kOrg) + "\n[[permission_sets]]\nname = \"Ledger_Readers\"\n"
                                                "objects = { Ledger__c = { read = true } }\n");
  emulator::EmulatorOptions o = RunningEmulator::options_for(5, 7);
  o.org_file = org;
  auto emu = std::make_unique<RunningEmulator>(o);
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml((*emu)->base_url(), dir.file("out.db"),
                                                  testing::only_toml({"Account"}) +
                                                      "[objects.Invoice__c]\n[objects.Ledger__c]\n[objects.Ledgr__c]\n"
                                                      "[objects.Profile]\ninclude = [\"Name\", \"Colour__c\"]\n"));
  auto r = run_crmsync("check --json --config " + cfg);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto doc = nlohmann::json::parse(r.output);
  std::map<std::string, std::vector<nlohmann::json>> by_object;
  for (const auto& f : doc["findings"]) {
    if (f["object"].is_string()) by_object[f["object"].get<std::string>()].push_back(f);
  }
  auto find = [&](const std::string& object, const std::string& code) -> nlohmann::json {
    for (const auto& f : by_object[object]) {
      if (f["code"] == code) return f;
    }
    return nullptr;
  };
  EXPECT_FALSE(find("Invoice__c", "OBJECT_READABLE").is_null()) << r.output;
  auto skipped = find("Invoice__c", "FIELDS_SKIPPED");
  ASSERT_FALSE(skipped.is_null()) << r.output;
  EXPECT_TRUE(contains(skipped["message"], "Card__c")) << skipped.dump();
  EXPECT_EQ(skipped["severity"], "info");
  auto ledger = find("Ledger__c", "OBJECT_NOT_READABLE");
  ASSERT_FALSE(ledger.is_null()) << r.output;
  EXPECT_EQ(ledger["severity"], "error");
  EXPECT_TRUE(contains(ledger["fix"], "Ledger__c")) << ledger.dump();
  EXPECT_TRUE(contains(ledger["fix"], "Read")) << ledger.dump();
  auto misspelt = find("Ledgr__c", "OBJECT_NOT_IN_ORG");
  ASSERT_FALSE(misspelt.is_null()) << r.output;
  EXPECT_TRUE(contains(misspelt["fix"], "crmsync catalog --org")) << misspelt.dump();
  auto colour = find("Profile", "EXTRA_FIELD_NOT_READABLE");
  ASSERT_FALSE(colour.is_null()) << r.output;
  EXPECT_EQ(colour["field"], "Colour__c");
}

// The org's cases as an admin's queryAll counts them (deleted ones included, as the sync reads).
long org_count(salesforce::Client& admin, const std::string& soql) {
  auto page = admin.query(soql, /*include_deleted=*/true);
  if (!page) throw std::runtime_error(page.error().to_string());
  return nlohmann::json::parse(page->body)["totalSize"].get<long>();
}

// Case, a standard object beyond the catalog (the README's example) against the default org:
// every field of its describe synced (all of a supported type), one row per case the org has,
// an update and a delete picked up by the next increment.
TEST(BeyondCatalogTest, CaseSyncsEveryFieldOfItsDescribeAndItsChanges) {
  TempDir dir;
  RunningEmulator emu(12, 7);
  auto admin = testing::admin_login(emu->base_url());
  auto cfg = testing::sync_config(emu->base_url(), dir.file("out.db"));
  testing::only(cfg, {});
  cfg.objects["Case"];  // [objects.Case]
  auto st = store::Store::open(sync::store_options(cfg));
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  auto client = testing::login(cfg);

  auto first = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  const auto& loaded = testing::report_for(*first, "Case");
  ASSERT_EQ(loaded.outcome, sync::ObjectReport::Outcome::kSynced) << loaded.message;
  EXPECT_TRUE(loaded.notes.empty()) << loaded.notes[0];
  const long cases = org_count(*admin, "SELECT COUNT() FROM Case");
  EXPECT_GT(cases, 12) << "a few per account";
  EXPECT_EQ(loaded.records, cases);
  auto describe = admin->describe("Case");
  ASSERT_TRUE(describe.ok());
  std::set<std::string> described;
  for (const auto& f : (*describe)["fields"]) described.insert(f["name"].get<std::string>());
  const auto names = column_names(**st, "Case");
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), described);
  expect_object_equals_org(**st, *admin, cfg, "Case");

  // A case updated and another deleted in the org: the next run is an increment that has both.
  auto open = testing::ids(*admin, "SELECT Id FROM Case WHERE IsClosed = false ORDER BY CaseNumber LIMIT 2");
  ASSERT_EQ(open.size(), 2u);
  testing::wait_past_the_next_whole_second();
  ASSERT_TRUE(admin->update("Case", open[0], {{"Status", "Closed"}, {"Subject", "Solved by phone"}}));
  ASSERT_TRUE(admin->remove("Case", open[1]));
  testing::wait_past_the_next_whole_second();
  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const auto& increment = testing::report_for(*second, "Case");
  ASSERT_EQ(increment.outcome, sync::ObjectReport::Outcome::kSynced) << increment.message;
  EXPECT_FALSE(increment.full);
  auto rows = testing::store_rows(**st, "Case");
  EXPECT_EQ(static_cast<long>(rows.size()), cases);
  EXPECT_EQ(rows.at(open[0]).at("Subject"), store::Value{std::string("Solved by phone")});
  EXPECT_EQ(rows.at(open[0]).at("IsClosed"), store::Value{true});
  EXPECT_EQ(rows.at(open[1]).at("IsDeleted"), store::Value{true});
  expect_object_equals_org(**st, *admin, cfg, "Case");
}

// The README's `[objects.Case] include = [...]`, through the command line: only those fields and
// the three every table has.
TEST(BeyondCatalogTest, CaseWithIncludeSyncsOnlyTheNamedFields) {
  TempDir dir;
  RunningEmulator emu(6, 7);
  const std::string cfg = dir.file("crmsync.toml");
  const std::string db = dir.file("out.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db,
                                                  "[sync]\nsettle_seconds = 0\n" + testing::only_toml({}) +
                                                      "[objects.Case]\ninclude = [\"Subject\", \"Status\", "
                                                      "\"Priority\", \"AccountId\"]\n"));
  auto r = run_crmsync("sync --config " + cfg);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  auto columns = column_names(**st, "Case");
  std::sort(columns.begin(), columns.end());
  EXPECT_EQ(columns, (std::vector<std::string>{"AccountId", "Id", "IsDeleted", "Priority", "Status", "Subject",
                                               "SystemModstamp"}));
  auto admin = testing::admin_login(emu->base_url());
  EXPECT_EQ(static_cast<long>(testing::store_rows(**st, "Case").size()), org_count(*admin, "SELECT COUNT() FROM Case"));

  // `check` counts the fields the sync reads: the table's columns, not the discovered ones plus `include`.
  auto c = run_crmsync("check --json --config " + cfg);
  auto doc = nlohmann::json::parse(c.output);
  std::string ok;
  for (const auto& f : doc["findings"]) {
    if (f["object"] == "Case" && f["code"] == "FIELDS_OK") ok = f["message"].get<std::string>();
  }
  EXPECT_TRUE(contains(ok, "All " + std::to_string(columns.size()) + " selected fields of Case")) << c.output;
}

// SIGKILL in the middle of a custom object's first load: the next run resumes it and ends with one
// row per record the org has.
TEST(BeyondCatalogTest, AKillMidLoadOfACustomObjectIsResumedByTheNextRun) {
  TempDir dir;
  auto emu = invoice_org(dir, /*slow_ms=*/50);
  auto admin = testing::admin_login((*emu)->base_url());
  create_invoices(*admin, 700);
  const std::string cfg = dir.file("crmsync.toml");
  const std::string db = dir.file("out.db");
  testing::write_file(cfg, testing::emulator_toml((*emu)->base_url(), db,
                                                  "[sync]\nsettle_seconds = 0\nbatch_size = 200\nrows_per_commit = 200\n"
                                                  "bulk_threshold = 100000000\n" +
                                                      testing::only_toml({}) + "[objects.Invoice__c]\n"));
  (*emu)->set_fault_rate(1.0);
  pid_t pid = testing::start_sync(cfg);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(testing::kill_when(pid, [&] {
    return testing::int_on_disk(db, "SELECT COUNT(*) FROM \"Invoice__c\"") >= 200;
  })) << "the load ended before it could be killed";
  (*emu)->set_fault_rate(0);
  EXPECT_LT(testing::int_on_disk(db, "SELECT COUNT(*) FROM \"Invoice__c\""), 700);
  // The next run's window ends at its start cut to the whole second, and the emulator stamped the
  // burst of 700 creates up to ~1 ms apart, ahead of the wall clock: the run starts once the newest
  // stamp is inside its window (otherwise the invoices stamped after it wait for the run after).
  auto newest = testing::soql_records(*admin, "SELECT SystemModstamp FROM Invoice__c ORDER BY SystemModstamp DESC LIMIT 1");
  ASSERT_EQ(newest.size(), 1u);
  auto stamp = parse_datetime(newest[0]["SystemModstamp"].get<std::string>());
  ASSERT_TRUE(stamp.has_value());
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::milliseconds(*stamp / 1000 * 1000 + 1020)));
  auto next = run_crmsync("sync --quiet --config " + cfg);
  ASSERT_EQ(next.exit_code, 0) << next.output;
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok());
  testing::Rows expected = testing::admin_rows(*admin, *config, "Invoice__c");
  EXPECT_EQ(expected.size(), 700u);
  testing::expect_one_row_per_id_and_the_index(**st, "Invoice__c", expected.size());
  testing::expect_org_rows_stored(expected, testing::store_rows(**st, "Invoice__c"), "Invoice__c");
}

TEST(CatalogOrgTest, ListsWhatTheOrgOffersToTheIntegrationUserAndWhichOfItIsSupported) {
  TempDir dir;
  auto emu = invoice_org(dir);
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml((*emu)->base_url(), dir.file("out.db"), "[objects.Invoice__c]\n"));
  auto r = run_crmsync("catalog --org --json --config " + cfg);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto offer = nlohmann::json::parse(r.output);

  // What describeGlobal shows the integration user, as the test reads it itself.
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  auto client = testing::login(*config);
  auto global = client->describe_global();
  ASSERT_TRUE(global.ok());
  std::set<std::string> offered;
  std::int64_t left_out = 0;
  for (const auto& o : (*global)["sobjects"]) {
    if (o["queryable"] == true && o["replicateable"] == true) {
      offered.insert(o["name"].get<std::string>());
    } else {
      ++left_out;
    }
  }
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& o : offer["objects"]) by_name[o["name"]] = o;
  std::set<std::string> listed;
  for (const auto& [name, unused] : by_name) listed.insert(name);
  EXPECT_EQ(listed, offered);
  EXPECT_EQ(offer["left_out"], left_out);
  EXPECT_FALSE(by_name.contains("Ledger__c")) << "not readable by the integration user";

  const auto& invoice = by_name.at("Invoice__c");
  EXPECT_EQ(invoice["custom"], true);
  EXPECT_TRUE(invoice["catalog_group"].is_null());
  EXPECT_EQ(invoice["synced"], true);
  EXPECT_EQ(invoice["modstamp_field"], "SystemModstamp");
  std::map<std::string, nlohmann::json> fields;
  for (const auto& f : invoice["fields"]) fields[f["name"]] = f;
  EXPECT_EQ(fields.at("Amount__c")["supported"], true);
  EXPECT_EQ(fields.at("Amount__c")["catalog_type"], "CURRENCY");
  EXPECT_EQ(fields.at("Card__c")["supported"], false);
  EXPECT_EQ(fields.at("Card__c")["type"], "encryptedstring");
  EXPECT_TRUE(contains(fields.at("Card__c")["reason"].get<std::string>(), "Card__c")) << fields.at("Card__c");
  EXPECT_EQ(by_name.at("Account")["catalog_group"], "core");
  EXPECT_EQ(by_name.at("Account")["synced"], true);
  EXPECT_EQ(by_name.at("Profile")["synced"], false);
  // Case, beyond the catalog: offered, and every field of it supported.
  const auto& kase = by_name.at("Case");
  EXPECT_EQ(kase["custom"], false);
  EXPECT_TRUE(kase["catalog_group"].is_null());
  EXPECT_EQ(kase["modstamp_field"], "SystemModstamp");
  std::set<std::string> unsupported;
  for (const auto& f : kase["fields"]) {
    if (f["supported"] != true) unsupported.insert(f["name"].get<std::string>());
  }
  EXPECT_TRUE(unsupported.empty()) << kase.dump();
  EXPECT_GT(kase["fields"].size(), 20u);
  EXPECT_TRUE(by_name.at("Profile")["catalog_group"].is_null());

  auto text = run_crmsync("catalog --org --config " + cfg);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_TRUE(contains(text.output, "integration@crmsync.test sees " + std::to_string(offered.size()) +
                                        " objects it can query and replicate"))
      << text.output;
  EXPECT_TRUE(std::regex_search(text.output, std::regex(R"(\nInvoice__c +Invoice +beyond the catalog; synced +\d+ of \d+)")))
      << text.output;
  EXPECT_TRUE(contains(text.output, "unsupported: address 1 (Billing__c), encryptedstring 1 (Card__c)")) << text.output;

  testing::write_file(cfg, testing::emulator_toml((*emu)->base_url(), dir.file("out.db"), "", "wrong-pass"));
  auto refused = run_crmsync("catalog --org --config " + cfg);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "cannot log in to Salesforce")) << refused.output;
}

}  // namespace
}  // namespace crmsync
