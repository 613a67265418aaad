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

TEST(AccessTest, StandardUserSeesOwnAndSubordinatesRecordsAndTheAccountsOfItsDeals) {
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
  std::set<std::string> expected;  // the accounts it owns, and those of its live deals (implicit parent)
  for (std::size_t r = 0; r < accounts.slot_count(); ++r) {
    if (std::get<std::string>(accounts.row(r)[*accounts.field_index("OwnerId")]) == rep) {
      expected.insert(std::get<std::string>(accounts.row(r)[0]));
    }
  }
  const std::size_t owned = expected.size();
  std::set<std::string> on_team;  // the generated opportunity teams
  const Table& team = *db->find("OpportunityTeamMember");
  for (std::size_t r = 0; r < team.slot_count(); ++r) {
    const Row& row = team.row(r);
    if (!team.purged(r) && std::get<std::string>(row[*team.field_index("UserId")]) == rep) {
      on_team.insert(std::get<std::string>(row[*team.field_index("OpportunityId")]).substr(0, 15));
    }
  }
  const Table& opps = *db->find("Opportunity");
  for (std::size_t r = 0; r < opps.slot_count(); ++r) {
    const Row& row = opps.row(r);
    const auto* account = std::get_if<std::string>(&row[*opps.field_index("AccountId")]);
    if (opps.purged(r) || std::get<bool>(row[*opps.field_index("IsDeleted")]) || account == nullptr) continue;
    if (std::get<std::string>(row[*opps.field_index("OwnerId")]) == rep ||
        on_team.count(std::get<std::string>(row[0]).substr(0, 15))) {
      expected.insert(*account);
    }
  }
  EXPECT_EQ(visible_rows(*db, access, "Account"), expected.size());
  EXPECT_LT(owned, expected.size()) << "the generated rep is on the team of deals on others' accounts";
  EXPECT_LT(expected.size(), accounts.live_count());
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
  // Its child relationship on Campaign: Contact's plural label, as Setup proposes it, and __r.
  EXPECT_EQ(contact.field(*contact.field_index("Campaign__c")).child_relationship, "Contacts__r");
  UserAccess access(*db, user_id(*db, "integration@crmsync.test"), {});
  EXPECT_TRUE(access.field(account, account.field(*account.field_index("Region__c"))).read);
  EXPECT_FALSE(access.field(account, account.field(*account.field_index("Region__c"))).edit);
}

// [[custom_objects]]: a table with a custom object's standard fields, the next custom key prefix
// and its sharing model; readable only through object permissions (or View All Data).
TEST(AccessTest, CustomObjectsHaveTheirStandardFieldsSharingAndObjectPermissions) {
  auto db = org_with(R"(
[[custom_objects]]
name = "Invoice__c"
label = "Invoice"
sharing = "Private"
[[custom_objects]]
name = "Ledger__c"
[[custom_fields]]
object = "Invoice__c"
name = "Amount__c"
type = "currency"
[[permission_sets]]
name = "crmsync_Integration"
objects = { Invoice__c = { read = true }, Ledger__c = { read = true } }
)");
  Table& invoice = *db->find("Invoice__c");
  Table& ledger = *db->find("Ledger__c");
  EXPECT_EQ(invoice.key_prefix(), "a00");
  EXPECT_EQ(ledger.key_prefix(), "a01");
  for (const char* f : {"Id", "Name", "OwnerId", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
                        "LastModifiedById", "SystemModstamp", "Amount__c"}) {
    EXPECT_TRUE(invoice.field_index(f)) << f;
  }
  const ObjectSpec* spec = object_spec(*db, "invoice__c");
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->custom);
  EXPECT_EQ(spec->label_plural, "Invoices");
  EXPECT_EQ(object_spec(*db, "Ledger__c")->label, "Ledger");
  EXPECT_EQ(object_spec(*db, "Account"), find_object_spec("Account"));
  // One record each, owned by the admin (the CEO, above the integration user's role).
  const std::string admin_id = user_id(*db, "admin@crmsync.test");
  for (Table* t : {&invoice, &ledger}) {
    Row row(t->fields().size());
    row[0] = db->new_id(*t);
    row[*t->field_index("OwnerId")] = admin_id;
    row[*t->field_index("IsDeleted")] = false;
    t->insert(std::move(row));
  }
  UserAccess integration(*db, user_id(*db, "integration@crmsync.test"), {});
  EXPECT_TRUE(integration.object(invoice).read);
  EXPECT_FALSE(integration.object(invoice).create);
  EXPECT_EQ(visible_rows(*db, integration, "Invoice__c"), 0u) << "Private: not its role's record";
  EXPECT_EQ(visible_rows(*db, integration, "Ledger__c"), 1u) << "Public Read/Write by default";
  EXPECT_TRUE(integration.field(invoice, invoice.field(*invoice.field_index("Amount__c"))).read);
  UserAccess admin(*db, admin_id, {});
  EXPECT_TRUE(admin.object(ledger).modify_all);
  auto none = org_with("[[custom_objects]]\nname = \"Invoice__c\"\n");
  UserAccess unknown(*none, user_id(*none, "integration@crmsync.test"), {});
  EXPECT_FALSE(unknown.object(*none->find("Invoice__c")).read) << "no object permission, no View All Data";
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
       "f.toml: org_wide_defaults.Account: 'Open' is not a sharing setting for Account; use Private, Read (PublicReadOnly) "
       "or ReadWrite (PublicReadWrite)"},
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
      {"l.toml", "[[validation_rules]]\nobject = \"Opportunity\"\nerror_condition = \"Amount <\"\nmessage = \"x\"\n",
       "l.toml: validation_rules[0].error_condition: 'Amount <' is not a SOQL condition over Opportunity"},
      {"m.toml", "[[validation_rules]]\nobject = \"Opportunity\"\nerror_condition = \"Amont < 0\"\nmessage = \"x\"\n",
       "m.toml: validation_rules[0].error_condition: 'Amont < 0' is not a SOQL condition over Opportunity"},
      {"n.toml", "[[validation_rules]]\nobject = \"Opportunity\"\nerror_condition = \"Amount < 0\"\n",
       "n.toml: validation_rules[0].message: is missing; add it"},
      {"o.toml", "[[validation_rules]]\nobject = \"Opportunity\"\nerror_condition = \"Amount < 0\"\nmessage = \"x\"\n"
                 "field = \"Amont\"\n",
       "o.toml: validation_rules[0].field: no field Amont on Opportunity"},
      {"p.toml", "[[custom_objects]]\nname = \"Invoice\"\n", "p.toml: custom_objects[0].name: 'Invoice' must end with __c"},
      {"p2.toml", "[[custom_fields]]\nobject = \"Contact\"\nname = \"A__c\"\ntype = \"reference\"\nreference_to = "
                  "\"Campaign\"\n[[custom_fields]]\nobject = \"Contact\"\nname = \"B__c\"\ntype = \"reference\"\n"
                  "reference_to = \"Campaign\"\n",
       "p2.toml: custom_fields[1].relationship_name: Campaign already has a child relationship Contacts__r "
       "(Contact.A__c); name this one apart with relationship_name"},
      {"p3.toml", "[[custom_fields]]\nobject = \"Contact\"\nname = \"A__c\"\ntype = \"reference\"\nreference_to = "
                  "\"Campaign\"\nrelationship_name = \"2 Sources\"\n",
       "p3.toml: custom_fields[0].relationship_name: '2 Sources' is not a relationship name"},
      {"q.toml", "[[custom_objects]]\nname = \"Invoice__c\"\nsharing = \"Open\"\n",
       "q.toml: custom_objects[0].sharing: 'Open' is not a sharing setting; use Private, Read (PublicReadOnly), "
       "ReadWrite (PublicReadWrite, the default) or ControlledByParent"},
      {"r.toml", "[[custom_objects]]\nname = \"Account__c\"\n[[custom_objects]]\nname = \"account__c\"\n",
       "r.toml: custom_objects[1].name: the org already has an object named account__c"},
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


// ---- sharing beyond the role hierarchy: rules, teams, manual shares ------------------------------

// Opportunity rows (of the org generated at seed 3, scale 30) whose owner holds `role`.
std::vector<std::size_t> owned_in_role(const Database& db, const std::string& role_name) {
  const Table& roles = *db.find("UserRole");
  const Table& users = *db.find("User");
  const Table& opps = *db.find("Opportunity");
  std::set<std::string> owners;
  for (std::size_t u = 0; u < users.slot_count(); ++u) {
    const auto* role = std::get_if<std::string>(&users.row(u)[*users.field_index("UserRoleId")]);
    auto r = role ? roles.find(*role) : std::nullopt;
    if (r && std::get<std::string>(roles.row(*r)[*roles.field_index("Name")]) == role_name) {
      owners.insert(std::get<std::string>(users.row(u)[0]));
    }
  }
  std::vector<std::size_t> out;
  for (std::size_t r = 0; r < opps.slot_count(); ++r) {
    if (!opps.purged(r) && owners.count(std::get<std::string>(opps.row(r)[*opps.field_index("OwnerId")]))) out.push_back(r);
  }
  return out;
}

// Rita, an EMEA rep who owns nothing (Opportunity is Private), and Mona, her manager.
const char* kSharingUsers = R"(
[[users]]
username = "rita@crmsync.test"
last_name = "Rep"
profile = "Standard User"
role = "Sales Rep, EMEA"

[[users]]
username = "mona@crmsync.test"
last_name = "Manager"
profile = "Standard User"
role = "Sales Manager, EMEA"
)";

Status update_as(const UserAccess& access, const Database& db, const char* object, std::size_t row) {
  return check_record_write(access, db, *db.find(object), WriteOp::kUpdate, row, {});
}

TEST(SharingTest, OwnerBasedRuleSharesARolesRecordsWithAnotherRoleAndItsManagers) {
  auto base = generate_org({.seed = 3, .scale = 30});
  const std::size_t americas = owned_in_role(*base, "Sales Rep, Americas").size();
  ASSERT_GT(americas, 0u);
  OrgFileExtras extras;
  auto db = org_with(std::string(kSharingUsers) + R"(
[[sharing_rules]]
object = "Opportunity"
name = "Americas deals to EMEA reps"
owned_by = "Role:Sales Rep, Americas"
shared_with = "Role:Sales Rep, EMEA"
access = "Read"
)", &extras);
  ASSERT_EQ(extras.sharing_rules.size(), 1u);
  UserAccess rita(*db, user_id(*db, "rita@crmsync.test"), {});
  EXPECT_EQ(visible_rows(*db, rita, "Opportunity"), 0u) << "without the rule Rita sees nothing (she owns none)";
  UserAccess shared(*db, user_id(*db, "rita@crmsync.test"), {}, extras.sharing_rules);
  EXPECT_EQ(visible_rows(*db, shared, "Opportunity"), americas);
  const std::size_t one = owned_in_role(*db, "Sales Rep, Americas").front();
  EXPECT_EQ(shared.record_access(*db, *db->find("Opportunity"), one), RecordAccess::kRead);
  auto refused = update_as(shared, *db, "Opportunity", one);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "INSUFFICIENT_ACCESS_OR_READONLY");
  // Mona is above Rita: what is shared with Rita's role is shared with her too.
  UserAccess mona(*db, user_id(*db, "mona@crmsync.test"), {}, extras.sharing_rules);
  EXPECT_EQ(mona.record_access(*db, *db->find("Opportunity"), one), RecordAccess::kRead);
}

TEST(SharingTest, ReadWriteRuleLetsTheRecipientEditButNotDelete) {
  OrgFileExtras extras;
  auto db = org_with(std::string(kSharingUsers) + R"(
[[sharing_rules]]
object = "Opportunity"
owned_by = "RoleAndSubordinates:Sales Manager, Americas"
shared_with = "Role:Sales Rep, EMEA"
access = "Edit"
)", &extras);
  UserAccess rita(*db, user_id(*db, "rita@crmsync.test"), {}, extras.sharing_rules);
  const std::size_t one = owned_in_role(*db, "Sales Rep, Americas").front();
  EXPECT_EQ(rita.record_access(*db, *db->find("Opportunity"), one), RecordAccess::kEdit);
  EXPECT_TRUE(update_as(rita, *db, "Opportunity", one).ok());
  auto del = check_record_write(rita, *db, *db->find("Opportunity"), WriteOp::kDelete, one, {});
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.error().code, "INSUFFICIENT_ACCESS_OR_READONLY");
}

TEST(SharingTest, CriteriaRuleSharesTheRecordsMeetingItWithAPublicGroup) {
  OrgFileExtras extras;
  auto db = org_with(std::string(kSharingUsers) + R"(
[[groups]]
name = "Deal Desk"
members = ["Group:Big Deal Reviewers"]

[[groups]]
name = "Big Deal Reviewers"
members = ["User:rita@crmsync.test"]

[[sharing_rules]]
object = "Opportunity"
criteria = "Amount > 100000 AND IsClosed = false"
shared_with = "Group:Deal Desk"
access = "Read"
)", &extras);
  const Table& opps = *db->find("Opportunity");
  std::size_t big = 0;
  for (std::size_t r = 0; r < opps.slot_count(); ++r) {
    const auto* amount = std::get_if<double>(&opps.row(r)[*opps.field_index("Amount")]);
    const bool open = !std::get<bool>(opps.row(r)[*opps.field_index("IsClosed")]);
    if (!opps.purged(r) && amount && *amount > 100000 && open) ++big;
  }
  ASSERT_GT(big, 0u);
  UserAccess rita(*db, user_id(*db, "rita@crmsync.test"), {}, extras.sharing_rules);
  EXPECT_EQ(visible_rows(*db, rita, "Opportunity"), big) << "through a group nested in the rule's group";
}

TEST(SharingTest, TeamMembersAndManualSharesGiveTheirAccessLevel) {
  auto base = generate_org({.seed = 3, .scale = 30});
  const Table& opps = *base->find("Opportunity");
  const auto americas = owned_in_role(*base, "Sales Rep, Americas");
  ASSERT_GE(americas.size(), 2u);
  const std::string team_deal = std::get<std::string>(opps.row(americas[0])[0]);
  const std::string shared_deal = std::get<std::string>(opps.row(americas[1])[0]);
  auto db = org_with(std::string(kSharingUsers) + R"(
[[shares]]
object = "Opportunity"
record = ")" + team_deal + R"("
shared_with = "User:rita@crmsync.test"
access = "Edit"
team_role = "Sales Engineer"

[[shares]]
object = "Opportunity"
record = ")" + shared_deal + R"("
shared_with = "User:rita@crmsync.test"
access = "Read"
)");
  UserAccess rita(*db, user_id(*db, "rita@crmsync.test"), {});
  EXPECT_EQ(visible_rows(*db, rita, "Opportunity"), 2u);
  const Table& t = *db->find("Opportunity");
  EXPECT_EQ(rita.record_access(*db, t, *t.find(team_deal)), RecordAccess::kEdit);
  EXPECT_EQ(rita.record_access(*db, t, *t.find(shared_deal)), RecordAccess::kRead);
  EXPECT_TRUE(update_as(rita, *db, "Opportunity", *t.find(team_deal)).ok());
  EXPECT_FALSE(update_as(rita, *db, "Opportunity", *t.find(shared_deal)).ok());
  // The share rows follow the shared record: Rita reads hers, the team row is the deal's.
  EXPECT_EQ(visible_rows(*db, rita, "OpportunityShare"), 1u);
  EXPECT_GE(visible_rows(*db, rita, "OpportunityTeamMember"), 1u);
}

TEST(SharingTest, OnlyFullAccessSharesARecordAndAShareMustBeatTheOrgWideDefault) {
  auto base = generate_org({.seed = 3, .scale = 30});
  const auto americas = owned_in_role(*base, "Sales Rep, Americas");
  const std::string deal = std::get<std::string>(base->find("Opportunity")->row(americas[0])[0]);
  const std::string owner = std::get<std::string>(
      base->find("Opportunity")->row(americas[0])[*base->find("Opportunity")->field_index("OwnerId")]);
  auto db = org_with(std::string(kSharingUsers) + R"(
[[shares]]
object = "Opportunity"
record = ")" + deal + R"("
shared_with = "User:rita@crmsync.test"
access = "Edit"
)");
  const Table& shares = *db->find("OpportunityShare");
  auto values = [&](const std::string& level) {
    return std::vector<std::pair<std::size_t, Value>>{{*shares.field_index("OpportunityId"), deal},
                                                      {*shares.field_index("UserOrGroupId"), user_id(*db, "mona@crmsync.test")},
                                                      {*shares.field_index("OpportunityAccessLevel"), level}};
  };
  UserAccess rita(*db, user_id(*db, "rita@crmsync.test"), {});
  auto refused = check_record_write(rita, *db, shares, WriteOp::kCreate, std::nullopt, values("Read"));
  ASSERT_FALSE(refused.ok()) << "Edit access is not full access";
  EXPECT_EQ(refused.error().code, "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY");
  EXPECT_EQ(refused.error().message, "insufficient access rights on cross-reference id: " + deal);
  UserAccess owner_access(*db, owner, {});
  EXPECT_TRUE(check_record_write(owner_access, *db, shares, WriteOp::kCreate, std::nullopt, values("Read")).ok());

  auto public_read = org_with(std::string(kSharingUsers) + "[org_wide_defaults]\nOpportunity = \"PublicReadOnly\"\n");
  UserAccess owner_public(*public_read, owner, {});
  auto low = check_record_write(owner_public, *public_read, *public_read->find("OpportunityShare"), WriteOp::kCreate,
                                std::nullopt, values("Read"));
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error().code, "INVALID_ACCESS_LEVEL");
  EXPECT_TRUE(check_record_write(owner_public, *public_read, *public_read->find("OpportunityShare"), WriteOp::kCreate,
                                 std::nullopt, values("Edit")).ok());
}

TEST(SharingTest, PrivateCustomObjectsGetAShareObject) {
  auto db = org_with(std::string(kSharingUsers) + R"(
[[custom_objects]]
name = "Project__c"
sharing = "Private"

[[custom_objects]]
name = "Note__c"
)");
  const Table* share = db->find("Project__Share");
  ASSERT_NE(share, nullptr);
  for (const char* f : {"ParentId", "UserOrGroupId", "AccessLevel", "RowCause"}) EXPECT_TRUE(share->field_index(f)) << f;
  EXPECT_EQ(db->find("Note__Share"), nullptr) << "a Public Read/Write object has no share object";
}

TEST(SharingTest, WritesToSharesTeamsGroupsAndCriteriaObjectsDropTheCachedAccess) {
  auto db = generate_org({.seed = 3, .scale = 30});
  AccessModel model;
  for (const char* t : {"OpportunityShare", "AccountShare", "OpportunityTeamMember", "AccountTeamMember", "Group",
                        "GroupMember", "User"}) {
    EXPECT_TRUE(model.affects_access(*db->find(t))) << t;
  }
  EXPECT_FALSE(model.affects_access(*db->find("Opportunity")));
  model.set_sharing_rules({SharingRule{.object = "Opportunity", .criteria = "Amount > 0", .shared_with = "00G"}});
  EXPECT_TRUE(model.affects_access(*db->find("Opportunity"))) << "a criteria rule reads its records";
}

// The text of `field` in row `r` of `table` ("" when null).
std::string text_of(const Table& table, std::size_t r, const char* field) {
  const auto* v = std::get_if<std::string>(&table.row(r)[*table.field_index(field)]);
  return v ? *v : "";
}

TEST(SharingTest, ImplicitParentAndChildAccessFollowTheRecordsWorkedOutByHand) {
  // Contacts Private (not Controlled by Parent), so that contacts give implicit parent access.
  auto db = org_with(std::string(kSharingUsers) + "[org_wide_defaults]\nContact = \"Private\"\n");
  Table& accounts = *db->find("Account");
  Table& opps = *db->find("Opportunity");
  Table& contacts = *db->find("Contact");
  const std::string rita = user_id(*db, "rita@crmsync.test");
  // Rita (a rep, no one below her) gets two accounts of others' and one deal on a third.
  const auto americas = owned_in_role(*db, "Sales Rep, Americas");
  ASSERT_GE(americas.size(), 3u);
  std::set<std::string> given_accounts;
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string account = text_of(opps, americas[i], "AccountId");
    auto r = accounts.find(account);
    ASSERT_TRUE(r);
    accounts.mutable_row(*r)[*accounts.field_index("OwnerId")] = rita;
    given_accounts.insert(account);
  }
  std::size_t deal = 2;  // a deal on an account she does not own
  while (deal < americas.size() && given_accounts.count(text_of(opps, americas[deal], "AccountId"))) ++deal;
  ASSERT_LT(deal, americas.size());
  opps.mutable_row(americas[deal])[*opps.field_index("OwnerId")] = rita;
  auto deleted = [](const Table& t, std::size_t r) {
    const bool* b = std::get_if<bool>(&t.row(r)[*t.field_index("IsDeleted")]);
    return b != nullptr && *b;
  };

  // By hand: accounts she owns or holds a child of (implicit parent); deals she owns or whose
  // account she owns (implicit child: her role gives account owners Edit on opportunities).
  std::set<std::string> owned_accounts, expected_accounts;
  for (std::size_t r = 0; r < accounts.slot_count(); ++r) {
    if (!accounts.purged(r) && text_of(accounts, r, "OwnerId") == rita) owned_accounts.insert(text_of(accounts, r, "Id"));
  }
  expected_accounts = owned_accounts;
  std::size_t expected_opps = 0, expected_contacts = 0;
  for (std::size_t r = 0; r < opps.slot_count(); ++r) {
    if (opps.purged(r)) continue;
    const bool owns = text_of(opps, r, "OwnerId") == rita;
    if (owns && !deleted(opps, r)) expected_accounts.insert(text_of(opps, r, "AccountId"));
    if (owns || owned_accounts.count(text_of(opps, r, "AccountId"))) ++expected_opps;
  }
  for (std::size_t r = 0; r < contacts.slot_count(); ++r) {
    if (contacts.purged(r)) continue;
    const bool owns = text_of(contacts, r, "OwnerId") == rita;
    if (owns && !deleted(contacts, r)) expected_accounts.insert(text_of(contacts, r, "AccountId"));
    if (owns || owned_accounts.count(text_of(contacts, r, "AccountId"))) ++expected_contacts;
  }
  expected_accounts.erase("");
  ASSERT_GT(expected_opps, 1u);

  UserAccess access(*db, rita, {});
  EXPECT_EQ(visible_rows(*db, access, "Account"), expected_accounts.size());
  EXPECT_EQ(visible_rows(*db, access, "Opportunity"), expected_opps);
  EXPECT_EQ(visible_rows(*db, access, "Contact"), expected_contacts);
  // The account of her one deal: Read only. A deal on her account owned by another: Edit.
  const std::string deal_account = text_of(opps, americas[deal], "AccountId");
  EXPECT_EQ(access.record_access(*db, accounts, *accounts.find(deal_account)), RecordAccess::kRead);
  EXPECT_EQ(access.record_access(*db, opps, americas[0]), RecordAccess::kEdit);
  EXPECT_TRUE(access.reads_account_children());
}

TEST(SharingTest, AnAccountShareWithChildLevelsIsCheckedAgainstTheOrgDefaults) {
  auto db = org_with(std::string(kSharingUsers) + "[org_wide_defaults]\nAccount = \"Read\"\n");
  const Table& accounts = *db->find("Account");
  const std::string account = text_of(accounts, 0, "Id");
  UserAccess owner(*db, text_of(accounts, 0, "OwnerId"), {});
  const Table& shares = *db->find("AccountShare");
  auto values = [&](const char* account_level, const char* opp_level, const char* contact_level) {
    std::vector<std::pair<std::size_t, Value>> v = {{*shares.field_index("AccountId"), account},
                                                    {*shares.field_index("UserOrGroupId"), user_id(*db, "rita@crmsync.test")},
                                                    {*shares.field_index("AccountAccessLevel"), std::string(account_level)},
                                                    {*shares.field_index("OpportunityAccessLevel"), std::string(opp_level)}};
    if (contact_level) v.emplace_back(*shares.field_index("ContactAccessLevel"), std::string(contact_level));
    return v;
  };
  auto write = [&](auto v) { return check_record_write(owner, *db, shares, WriteOp::kCreate, std::nullopt, v); };
  auto same = write(values("Read", "None", nullptr));
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, "INVALID_ACCESS_LEVEL");
  EXPECT_EQ(same.error().message,
            "Account, Opportunity, Case Levels, Con Levels (Read, None, None, None) are below organization levels "
            "(Read, None, None, ControlledByParent)");
  EXPECT_TRUE(write(values("Read", "Edit", nullptr)).ok()) << "a child level above its default is enough";
  EXPECT_FALSE(write(values("None", "Edit", nullptr)).ok()) << "the account level may not be below its default";
  auto contact = write(values("Edit", "None", "Read"));
  ASSERT_FALSE(contact.ok());
  EXPECT_EQ(contact.error().code, "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(contact.error().message, "AccountShare: bad field names on insert/update call: ContactAccessLevel");
}

TEST(SharingTest, AUsersImplicitAccessIsDroppedWhenAnAccountOrOneOfItsChildrenIsWritten) {
  auto db = org_with(kSharingUsers);
  AccessModel model;
  model.for_user(*db, user_id(*db, "integration@crmsync.test"));  // View All: reads no children
  EXPECT_FALSE(model.affects_access(*db->find("Opportunity")));
  EXPECT_FALSE(model.affects_access(*db->find("Account")));
  // Rita owns no account: should she come to own one, its children reach her (implicit child);
  // her deals' accounts are read from the opportunities (implicit parent).
  auto rita = model.for_user(*db, user_id(*db, "rita@crmsync.test"));
  EXPECT_TRUE(rita->reads_account_children());
  EXPECT_TRUE(rita->reads_account_owners());
  EXPECT_TRUE(model.affects_access(*db->find("Opportunity")));
  EXPECT_TRUE(model.affects_access(*db->find("Contact")));
  EXPECT_TRUE(model.affects_access(*db->find("Account")));
  model.invalidate();
  EXPECT_FALSE(model.affects_access(*db->find("Account")));
}

// Each org file text is refused at load with an error naming `expected` (and the file first).
void expect_org_file_errors(const std::vector<std::pair<std::string, std::string>>& cases) {
  for (const auto& [text, expected] : cases) {
    auto file = parse_org_file("org.toml", text);
    ASSERT_TRUE(file.ok()) << text;
    auto db = generate_org({.seed = 3, .scale = 5});
    OrgFileExtras extras;
    auto applied = apply_org_file(*file, *db, extras);
    ASSERT_FALSE(applied.ok()) << text;
    EXPECT_NE(applied.error().message.find(expected), std::string::npos) << applied.error().message;
    EXPECT_EQ(applied.error().message.rfind("org.toml: ", 0), 0u) << applied.error().message;
  }
}

TEST(OrgFileTest, ControlledByParentIsForContactsAndDetailObjects) {
  auto db = org_with(R"(
[org_wide_defaults]
Account = "Read"
Opportunity = "ReadWrite"
Contact = "ControlledByParent"
Lead = "ReadWriteTransfer"
Campaign = "FullAccess"
[[custom_objects]]
name = "Visit__c"
sharing = "ControlledByParent"
[[custom_fields]]
object = "Visit__c"
name = "Account__c"
type = "master_detail"
reference_to = "Account"
)");
  const Table& org = *db->find("Organization");
  EXPECT_EQ(text_of(org, 0, "DefaultAccountAccess"), "Read") << "the Metadata API's names are taken";
  EXPECT_EQ(text_of(org, 0, "DefaultOpportunityAccess"), "Edit");
  EXPECT_EQ(text_of(org, 0, "DefaultLeadAccess"), "ReadEditTransfer");
  EXPECT_EQ(text_of(org, 0, "DefaultCampaignAccess"), "All");
  const Table& visits = *db->find("Visit__c");
  EXPECT_FALSE(visits.field_index("OwnerId")) << "a detail record has no owner";
  EXPECT_FALSE(visits.field(*visits.field_index("Account__c")).nillable);
  EXPECT_EQ(db->find("Visit__Share"), nullptr);
  EXPECT_EQ(object_spec(*db, "Visit__c")->master_field, "Account__c");

  expect_org_file_errors({
      {"[[custom_objects]]\nname = \"Visit__c\"\nsharing = \"ControlledByParent\"\n",
       "custom_objects[0].sharing: Cannot set sharingModel to ControlledByParent on a CustomObject without a "
       "MasterDetail relationship field."},
      {"[[custom_objects]]\nname = \"Visit__c\"\n[[custom_fields]]\nobject = \"Visit__c\"\nname = \"A__c\"\n"
       "type = \"master_detail\"\nreference_to = \"Account\"\n",
       "custom_fields[0].object: a master_detail field goes on a custom object whose sharing is ControlledByParent"},
      {"[org_wide_defaults]\nOpportunity = \"ControlledByParent\"\n",
       "Salesforce offers Controlled by Parent for Contact and for custom detail objects only"},
  });
}

TEST(OrgFileTest, SharingSectionsNameTheKeyAndTheFix) {
  expect_org_file_errors({
      {"[[sharing_rules]]\nobject = \"Opportunity\"\nowned_by = \"Role:Nobody\"\nshared_with = \"Role:Sales Rep, EMEA\"\n",
       "sharing_rules[0].owned_by: no role named 'Nobody'"},
      {"[[sharing_rules]]\nobject = \"Opportunity\"\nshared_with = \"Role:Sales Rep, EMEA\"\n",
       "give either owned_by (an owner-based rule) or criteria"},
      {"[[sharing_rules]]\nobject = \"Opportunity\"\ncriteria = \"Amount >\"\nshared_with = \"Role:Sales Rep, EMEA\"\n",
       "sharing_rules[0].criteria: 'Amount >' is not a SOQL condition over Opportunity"},
      {"[[sharing_rules]]\nobject = \"Opportunity\"\ncriteria = \"Amount > 0\"\nshared_with = \"User:x@y\"\n",
       "sharing_rules[0].shared_with: 'User:x@y' names no one"},
      {"[[sharing_rules]]\nobject = \"Opportunity\"\ncriteria = \"Amount > 0\"\nshared_with = \"Group:G\"\naccess = \"All\"\n",
       "sharing_rules[0].access: 'All' must be Read or Edit"},
      {"[[shares]]\nobject = \"Lead\"\nrecord = \"x\"\nshared_with = \"User:admin@crmsync.test\"\n",
       "shares[0].object: 'Lead' has no share object"},
      {"[[groups]]\nname = \"G\"\nmembers = [\"User:nobody@x\"]\n", "groups[0].members[0]: no user with username"},
      {"[[sharing_rules]]\nobject = \"Opportunity\"\ncriteria = \"Amount > 0\"\nshared_with = \"Group:G\"\n"
       "opportunity_access = \"Edit\"\n",
       "sharing_rules[0].opportunity_access: is for Account only"},
      {"[[sharing_rules]]\nobject = \"Account\"\ncriteria = \"Name != null\"\nshared_with = \"Role:Sales Rep, EMEA\"\n"
       "contact_access = \"Read\"\n",
       "sharing_rules[0].contact_access: contacts are Controlled by Parent in this org"},
  });
}

}  // namespace
}  // namespace crmsync::emulator
