// The permission model over a generated org: effective access from the setup rows, the org file's
// changes and its errors.
#include <gtest/gtest.h>

#include <set>

#include "common/text.h"
#include "emulator/access/access.h"
#include "emulator/emulator.h"
#include "emulator/org/org.h"

namespace crmsync::emulator {
namespace {

std::string user_id(const Database& db, const std::string& username) {
  const Table& users = *db.find("User");
  for (std::size_t r = 0; r < users.slot_count(); ++r) {
    const auto& row = users.row(r);
    if (iequals(std::get<std::string>(row[*users.field_index("Username")]), username)) {
      return std::get<std::string>(row[0]);
    }
  }
  return "";
}

// The org generated at scale 30, changed by `text` (TOML).
std::unique_ptr<Database> org_with(const std::string& text, OrgFileExtras* extras_out = nullptr) {
  auto file = parse_org_file("test-org.toml", text);
  EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().message);
  auto db = generate_org({.seed = 3, .scale = 30});
  OrgFileExtras extras;
  auto applied = apply_org_file(*file, *db, extras);
  EXPECT_TRUE(applied.ok()) << (applied.ok() ? "" : applied.error().message);
  if (extras_out) *extras_out = extras;
  return db;
}

std::size_t visible_rows(const Database& db, const UserAccess& access, const char* object) {
  const Table& t = *db.find(object);
  std::size_t n = 0;
  for (std::size_t r = 0; r < t.slot_count(); ++r) {
    if (!t.purged(r) && access.sees(db, t, r)) ++n;
  }
  return n;
}

// Accounts below the integration user's role (Revenue Operations, between the CEO and the VP):
// every account the CEO (the admin) does not own.
std::size_t accounts_below_integration(const Database& db) {
  const std::string ceo = user_id(db, "admin@crmsync.test");
  const Table& accounts = *db.find("Account");
  std::size_t n = 0;
  for (std::size_t r = 0; r < accounts.slot_count(); ++r) {
    if (std::get<std::string>(accounts.row(r)[*accounts.field_index("OwnerId")]) != ceo) ++n;
  }
  return n;
}

TEST(AccessTest, DefaultIntegrationUserSeesEveryCatalogRecordAndField) {
  auto db = generate_org({.seed = 3, .scale = 30});
  UserAccess access(*db, user_id(*db, "integration@crmsync.test"), {});
  EXPECT_TRUE(access.has("ApiEnabled"));
  EXPECT_FALSE(access.has("ViewAllData"));
  for (const char* object : {"Account", "Contact", "Lead", "Opportunity", "OpportunityLineItem", "Task", "Event",
                             "CampaignMember", "User"}) {
    const Table& t = *db->find(object);
    EXPECT_TRUE(access.object(t).read) << object;
    EXPECT_EQ(visible_rows(*db, access, object), t.live_count()) << object;
    for (const auto& f : t.fields()) EXPECT_TRUE(access.field(t, f).read) << object << "." << f.name;
  }
  EXPECT_FALSE(access.object(*db->find("Account")).edit);
  EXPECT_TRUE(access.object(*db->find("Task")).create);
}

TEST(AccessTest, StandardUserSeesOwnAndSubordinatesRecordsOnly) {
  auto db = generate_org({.seed = 3, .scale = 30});
  // An EMEA rep: no one below, Account is Private.
  const Table& users = *db->find("User");
  const Table& accounts = *db->find("Account");
  std::string rep;
  for (std::size_t r = 2; r < users.slot_count() && rep.empty(); ++r) {
    if (std::get<std::string>(users.row(r)[*users.field_index("Title")]) == "Account Executive") {
      rep = std::get<std::string>(users.row(r)[0]);
    }
  }
  ASSERT_FALSE(rep.empty());
  UserAccess access(*db, rep, {});
  std::size_t owned = 0;
  for (std::size_t r = 0; r < accounts.slot_count(); ++r) {
    if (std::get<std::string>(accounts.row(r)[*accounts.field_index("OwnerId")]) == rep) ++owned;
  }
  EXPECT_EQ(visible_rows(*db, access, "Account"), owned);
  EXPECT_LT(owned, accounts.live_count());
  // The CEO (admin) sees everything through View All Data.
  UserAccess admin(*db, user_id(*db, "admin@crmsync.test"), {});
  EXPECT_EQ(visible_rows(*db, admin, "Account"), accounts.live_count());
  EXPECT_TRUE(admin.object(*db->find("ObjectPermissions")).edit);
}

TEST(AccessTest, RemovingViewAllLeavesTheRoleHierarchy) {
  auto db = org_with("[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { view_all = false } }\n");
  const std::string integration = user_id(*db, "integration@crmsync.test");
  UserAccess access(*db, integration, {});
  const std::size_t expected = accounts_below_integration(*db);
  EXPECT_GT(expected, 0u);
  EXPECT_LT(expected, db->find("Account")->live_count());
  EXPECT_EQ(visible_rows(*db, access, "Account"), expected);
  // Contacts are Controlled by Parent but the set still has View All Records on Contact.
  EXPECT_EQ(visible_rows(*db, access, "Contact"), db->find("Contact")->live_count());
}

TEST(AccessTest, PublicReadOnlyDefaultShowsEveryAccount) {
  auto db = org_with(
      "[org_wide_defaults]\nAccount = \"PublicReadOnly\"\n"
      "[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { view_all = false } }\n");
  UserAccess access(*db, user_id(*db, "integration@crmsync.test"), {});
  EXPECT_EQ(visible_rows(*db, access, "Account"), db->find("Account")->live_count());
}

// An OwnerId change needs transfer access on top of edit access; other updates do not.
TEST(AccessTest, AnOwnerChangeNeedsTransferAccess) {
  auto db = org_with(R"(
[org_wide_defaults]
Account = "PublicReadWrite"
Lead = "PublicReadWriteTransfer"
Opportunity = "PublicReadWrite"
[[permission_sets]]
name = "Transfer_Records"
permissions = { TransferAnyEntity = true }
[[users]]
username = "rep@crmsync.test"
last_name = "Rep"
profile = "Standard User"
[[users]]
username = "closer@crmsync.test"
last_name = "Closer"
profile = "Standard User"
permission_sets = ["Transfer_Records"]
)");
  auto user_titled = [&](const std::string& title) {
    const Table& users = *db->find("User");
    for (std::size_t r = 0; r < users.slot_count(); ++r) {
      if (users.row(r)[*users.field_index("Title")] == Value{title}) return std::get<std::string>(users.row(r)[0]);
    }
    return std::string();
  };
  const std::string rep = user_id(*db, "rep@crmsync.test"), closer = user_id(*db, "closer@crmsync.test");
  const std::string admin = user_id(*db, "admin@crmsync.test"), vp = user_titled("VP, Sales");
  const std::string executive = user_titled("Account Executive");
  ASSERT_FALSE(vp.empty());
  ASSERT_FALSE(executive.empty());
  // The first record of `object` owned by `owner`, and a write of its OwnerId (or of another field).
  auto owned_by = [&](const char* object, const std::string& owner) {
    const Table& t = *db->find(object);
    for (std::size_t r = 0; r < t.slot_count(); ++r) {
      if (t.row(r)[*t.field_index("OwnerId")] == Value{owner}) return r;
    }
    ADD_FAILURE() << "no " << object << " owned by " << owner;
    return std::size_t{0};
  };
  auto refused = [&](const std::string& user, const char* object, std::size_t row, const char* field,
                     const std::string& value) -> std::string {
    UserAccess access(*db, user, {});
    const Table& t = *db->find(object);
    std::vector<std::pair<std::size_t, Value>> values{{*t.field_index(field), Value{value}}};
    auto e = check_record_write(access, *db, t, WriteOp::kUpdate, row, values);
    return e ? "" : e.error().code + ": " + e.error().message;
  };
  const std::string kRefused = "INSUFFICIENT_ACCESS_OR_READONLY: insufficient access rights on object id";

  const std::size_t ceo_account = owned_by("Account", admin);
  EXPECT_EQ(refused(rep, "Account", ceo_account, "Phone", "555"), "");  // edit access (Public Read/Write)
  EXPECT_EQ(refused(rep, "Account", ceo_account, "OwnerId", rep), kRefused);
  EXPECT_EQ(refused(rep, "Account", ceo_account, "OwnerId", admin), "");  // the same owner: no transfer
  EXPECT_EQ(refused(closer, "Account", ceo_account, "OwnerId", closer), "");  // Transfer Record
  EXPECT_EQ(refused(admin, "Opportunity", owned_by("Opportunity", executive), "OwnerId", rep), "");  // Modify All Data
  // The owner, and a user above the owner in the role hierarchy.
  const std::size_t executives = owned_by("Opportunity", executive);
  EXPECT_EQ(refused(executive, "Opportunity", executives, "OwnerId", rep), "");
  EXPECT_EQ(refused(vp, "Opportunity", executives, "OwnerId", rep), "");
  EXPECT_EQ(refused(rep, "Opportunity", executives, "OwnerId", rep), kRefused);
  EXPECT_EQ(refused(executive, "Opportunity", owned_by("Opportunity", vp), "OwnerId", executive), kRefused);
  // Leads: a Read/Write/Transfer default lets every user with edit access transfer them.
  EXPECT_EQ(refused(rep, "Lead", owned_by("Lead", admin), "OwnerId", rep), "");
}

TEST(AccessTest, TransferLeadsIsWhatTransfersLeads) {
  auto db = org_with(R"(
[org_wide_defaults]
Account = "PublicReadWrite"
Lead = "PublicReadWrite"
[[permission_sets]]
name = "Lead_Routing"
permissions = { TransferAnyLead = true }
[[users]]
username = "router@crmsync.test"
last_name = "Router"
profile = "Standard User"
permission_sets = ["Lead_Routing"]
)");
  const std::string router = user_id(*db, "router@crmsync.test"), admin = user_id(*db, "admin@crmsync.test");
  UserAccess access(*db, router, {});
  EXPECT_TRUE(access.has("TransferAnyLead"));
  EXPECT_FALSE(access.has("TransferAnyEntity"));
  for (const char* object : {"Lead", "Account"}) {
    const Table& t = *db->find(object);
    std::size_t row = 0;
    while (t.row(row)[*t.field_index("OwnerId")] != Value{admin}) ++row;
    EXPECT_EQ(access.may_transfer(t, row), std::string(object) == "Lead") << object;
  }
  UserAccess admin_access(*db, admin, {});
  EXPECT_TRUE(admin_access.has("TransferAnyEntity"));  // System Administrator
  EXPECT_TRUE(admin_access.has("TransferAnyLead"));
}

TEST(AccessTest, FieldAndObjectPermissionsFromTheOrgFile) {
  auto db = org_with(
      "[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { EditTask = false }\n"
      "objects = { Lead = { read = false } }\nfields = { \"Account.Industry\" = { read = false } }\n");
  UserAccess access(*db, user_id(*db, "integration@crmsync.test"), {});
  const Table& account = *db->find("Account");
  EXPECT_FALSE(access.field(account, account.field(*account.field_index("Industry"))).read);
  EXPECT_TRUE(access.field(account, account.field(*account.field_index("Name"))).read);  // required
  EXPECT_FALSE(access.object(*db->find("Lead")).read);
  EXPECT_FALSE(access.object(*db->find("Task")).create);
  EXPECT_TRUE(access.object(*db->find("Event")).create);
}

TEST(AccessTest, RecordTypesPerProfile) {
  OrgFileExtras extras;
  auto db = org_with(
      "[[profiles]]\nname = \"Minimum Access - API Only Integrations\"\nrecord_types = { Task = [\"Support_Task\"] }\n",
      &extras);
  AccessModel model;
  model.set_record_types(extras.record_types);
  auto access = model.for_user(*db, user_id(*db, "integration@crmsync.test"));
  const Table& rt = *db->find("RecordType");
  std::string sales, support;
  for (std::size_t r = 0; r < rt.slot_count(); ++r) {
    const std::string dev = std::get<std::string>(rt.row(r)[*rt.field_index("DeveloperName")]);
    if (dev == "Sales_Task") sales = std::get<std::string>(rt.row(r)[0]);
    if (dev == "Support_Task") support = std::get<std::string>(rt.row(r)[0]);
  }
  EXPECT_FALSE(access->record_type_available("Task", sales));
  EXPECT_TRUE(access->record_type_available("Task", support));
  EXPECT_EQ(access->default_record_type("Task"), support);
  EXPECT_EQ(access->record_type_available("Event", ""), false);
}

TEST(AccessTest, DependencyRules) {
  auto message = [](const Status& s) { return s ? std::string() : s.error().message; };
  EXPECT_EQ(message(check_object_permission_dependencies({.read = false, .edit = true})),
            "Permission Edit depends on permission(s): Read");
  EXPECT_EQ(message(check_object_permission_dependencies({.read = true, .edit = true, .modify_all = true})),
            "Permission Modify All depends on permission(s): Read, Edit, Delete, View All");
  EXPECT_EQ(message(check_object_permission_dependencies({.read = true, .del = true})),
            "Permission Delete depends on permission(s): Read, Edit");
  EXPECT_EQ(message(check_object_permission_dependencies({.read = true, .create = true, .edit = true})), "");
  EXPECT_EQ(message(check_field_permission_dependencies({.read = false, .edit = true})),
            "Permission Edit depends on permission(s): Read");
}

TEST(AccessTest, CustomFieldsOfEachKind) {
  auto db = org_with(R"(
[[custom_fields]]
object = "Account"
name = "Region__c"
type = "text"
length = 80
[[custom_fields]]
object = "Account"
name = "Notes__c"
type = "long_text_area"
[[custom_fields]]
object = "Account"
name = "Site_Address__c"
type = "address"
[[custom_fields]]
object = "Contact"
name = "Campaign__c"
type = "reference"
reference_to = "Campaign"
)");
  const Table& account = *db->find("Account");
  ASSERT_TRUE(account.field_index("Region__c"));
  EXPECT_EQ(account.field(*account.field_index("Region__c")).length, 80);
  EXPECT_TRUE(account.field(*account.field_index("Region__c")).custom);
  EXPECT_EQ(account.field(*account.field_index("Notes__c")).length, 32768);
  EXPECT_EQ(account.field(*account.field_index("Site_Address__c")).type, "address");
  EXPECT_EQ(account.field(*account.field_index("Site_Address__City__s")).compound_field_name, "Site_Address__c");
  const Table& contact = *db->find("Contact");
  EXPECT_EQ(contact.field(*contact.field_index("Campaign__c")).reference_to, std::vector<std::string>{"Campaign"});
  UserAccess access(*db, user_id(*db, "integration@crmsync.test"), {});
  EXPECT_TRUE(access.field(account, account.field(*account.field_index("Region__c"))).read);
  EXPECT_FALSE(access.field(account, account.field(*account.field_index("Region__c"))).edit);
}

// [multi_currency]: CurrencyType appears, users and owned records carry currencies.
TEST(OrgFileTest, MultiCurrencyAddsCurrencyTypeAndCurrencyFields) {
  auto single = generate_org({.seed = 3, .scale = 5});
  EXPECT_EQ(single->find("CurrencyType"), nullptr);
  EXPECT_FALSE(single->find("User")->field_index("DefaultCurrencyIsoCode"));
  EXPECT_FALSE(single->find("Opportunity")->field_index("CurrencyIsoCode"));

  auto db = org_with("[multi_currency]\ncorporate = \"USD\"\ncurrencies = [\"EUR\", { iso_code = \"JPY\", "
                     "rate = 150.5, decimal_places = 0, active = false }]\n"
                     "[[users]]\nusername = \"integration@crmsync.test\"\ncurrency = \"EUR\"\n");
  const Table* types = db->find("CurrencyType");
  ASSERT_NE(types, nullptr);
  ASSERT_EQ(types->live_count(), 3u);
  std::vector<std::string> rows;
  for (std::size_t r = 0; r < types->slot_count(); ++r) {
    const Row& row = types->row(r);
    auto get = [&](const char* f) { return row[*types->field_index(f)]; };
    rows.push_back(std::get<std::string>(get("IsoCode")) + " " + std::to_string(std::get<double>(get("ConversionRate"))) +
                   " " + std::to_string(std::get<std::int64_t>(get("DecimalPlaces"))) +
                   (std::get<bool>(get("IsActive")) ? " active" : " inactive") +
                   (std::get<bool>(get("IsCorporate")) ? " corporate" : ""));
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"USD 1.000000 2 active corporate", "EUR 1.000000 2 active",
                                            "JPY 150.500000 0 inactive"}));
  const Table& users = *db->find("User");
  const auto integration = *users.find(user_id(*db, "integration@crmsync.test"));
  const auto admin = *users.find(user_id(*db, "admin@crmsync.test"));
  EXPECT_EQ(std::get<std::string>(users.row(integration)[*users.field_index("DefaultCurrencyIsoCode")]), "EUR");
  EXPECT_EQ(std::get<std::string>(users.row(admin)[*users.field_index("DefaultCurrencyIsoCode")]), "USD");
  // The picklist lists the active currencies only.
  EXPECT_EQ(users.field(*users.field_index("CurrencyIsoCode")).picklist_values, (std::vector<std::string>{"USD", "EUR"}));
  const Table& opps = *db->find("Opportunity");
  for (std::size_t r = 0; r < opps.slot_count(); ++r) {
    EXPECT_EQ(std::get<std::string>(opps.row(r)[*opps.field_index("CurrencyIsoCode")]), "USD");  // sales owners
  }
}

struct BadFile {
  const char* name;
  const char* text;
  const char* expected;  // a part of the message
};

TEST(OrgFileTest, ErrorsNameTheFileTheKeyAndTheFix) {
  const BadFile cases[] = {
      {"a.toml", "colour = 1\n", "a.toml: colour: unknown key; the keys are seed, scale"},
      {"b.toml", "[[users]]\nusername = \"x@y.test\"\nprofile = \"Auditor\"\n",
       "b.toml: users[0].profile: no profile named 'Auditor'; define it under [[profiles]]"},
      {"c.toml", "[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Task = { read = false } }\n",
       "c.toml: permission_sets[0].objects.Task: Task has no object permissions of its own in Salesforce (use the "
       "user permissions ActivitiesAccess, EditTask, EditEvent)"},
      {"d.toml", "[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { FlyPlanes = true }\n",
       "d.toml: permission_sets[0].permissions.FlyPlanes: not a user permission the emulator models"},
      {"e.toml", "[[custom_fields]]\nobject = \"Account\"\nname = \"Region\"\ntype = \"text\"\n",
       "e.toml: custom_fields[0].name: 'Region' must end with __c"},
      {"f.toml", "[org_wide_defaults]\nAccount = \"Open\"\n",
       "f.toml: org_wide_defaults.Account: 'Open' is not a sharing setting for Account; use Private, PublicReadOnly "
       "or PublicReadWrite"},
      {"g.toml", "[[permission_sets]]\nname = \"crmsync_Integration\"\nfields = { \"Account.Name\" = { read = false } }\n",
       "g.toml: permission_sets[0].fields.\"Account.Name\": Account.Name is required or a system field"},
      {"h.json", "{\"scale\": -1}", "h.json: scale: must be an integer from 0 to 10000000"},
      {"i.toml", "[[users]]\nusername = \"integration@crmsync.test\"\ncurrency = \"EUR\"\n",
       "i.toml: users[0].currency: the org has a single currency; add [multi_currency]"},
      {"j.toml", "[multi_currency]\ncorporate = \"USD\"\n[[users]]\nusername = \"integration@crmsync.test\"\n"
                 "currency = \"EUR\"\n",
       "j.toml: users[0].currency: 'EUR' is not an active currency of the org; add it to [multi_currency] currencies"},
      {"k.toml", "[multi_currency]\ncorporate = \"usd\"\n", "k.toml: multi_currency.corporate: give the corporate "
                                                           "currency as a three-letter ISO code"},
  };
  for (const auto& c : cases) {
    auto file = parse_org_file(c.name, c.text);
    Status status = ok_status();
    if (!file.ok()) {
      status = file.error();
    } else {
      auto db = generate_org({.seed = 1, .scale = 0});
      OrgFileExtras extras;
      status = apply_org_file(*file, *db, extras);
    }
    ASSERT_FALSE(status.ok()) << c.name;
    EXPECT_EQ(status.error().code, "ORG_FILE_INVALID");
    EXPECT_NE(status.error().message.find(c.expected), std::string::npos) << status.error().message;
  }
}

TEST(OrgFileTest, TomlSyntaxErrorsNameTheLine) {
  auto file = parse_org_file("broken.toml", "seed = 1\n[[users]\n");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().message.rfind("broken.toml:2: ", 0), 0u) << file.error().message;
}

TEST(OrgFileTest, LicensesAndTheirAssignments) {
  auto db = org_with(R"(
[[licenses]]
name = "Salesforce Integration"
total = 2
[[licenses]]
name = "Sales Cloud Einstein"
kind = "permission_set"
[[users]]
username = "integration@crmsync.test"
permission_set_licenses = ["Sales Cloud Einstein"]
remove_permission_set_licenses = ["SalesforceAPIIntegrationPsl"]
)");
  const Table& lic = *db->find("UserLicense");
  bool found = false;
  for (std::size_t r = 0; r < lic.slot_count(); ++r) {
    if (std::get<std::string>(lic.row(r)[*lic.field_index("Name")]) == "Salesforce Integration") {
      EXPECT_EQ(std::get<std::int64_t>(lic.row(r)[*lic.field_index("TotalLicenses")]), 2);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  const Table& psl = *db->find("PermissionSetLicense");
  const Table& assigned = *db->find("PermissionSetLicenseAssign");
  std::set<std::string> labels;
  const std::string integration = user_id(*db, "integration@crmsync.test");
  for (std::size_t r = 0; r < assigned.slot_count(); ++r) {
    if (assigned.purged(r)) continue;
    if (std::get<std::string>(assigned.row(r)[*assigned.field_index("AssigneeId")]) != integration) continue;
    auto l = psl.find(std::get<std::string>(assigned.row(r)[*assigned.field_index("PermissionSetLicenseId")]));
    labels.insert(std::get<std::string>(psl.row(*l)[*psl.field_index("MasterLabel")]));
  }
  EXPECT_EQ(labels, std::set<std::string>{"Sales Cloud Einstein"});
}

TEST(OrgFileTest, SeedAndScaleComeFirst) {
  auto file = parse_org_file("org.json", R"({"seed": 9, "scale": 12})");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->seed, 9u);
  EXPECT_EQ(file->scale, 12);
}

// docs/emulator-org-file.md starts the emulator with docs/examples/no-view-all.toml: the file is
// there, loads, and does what the page says (only the accounts below the integration user's role).
TEST(OrgFileTest, TheDocumentedExampleFileLoadsAndTakesViewAllAway) {
  auto file = read_org_file(std::string(CRMSYNC_SOURCE_DIR) + "/docs/examples/no-view-all.toml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto db = generate_org({.seed = 3, .scale = 30});
  OrgFileExtras extras;
  auto applied = apply_org_file(*file, *db, extras);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  UserAccess access(*db, user_id(*db, "integration@crmsync.test"), {});
  EXPECT_FALSE(access.object(*db->find("Account")).view_all);
  EXPECT_EQ(visible_rows(*db, access, "Account"), accounts_below_integration(*db));
  EXPECT_LT(visible_rows(*db, access, "Account"), db->find("Account")->live_count());
}

}  // namespace
}  // namespace crmsync::emulator
