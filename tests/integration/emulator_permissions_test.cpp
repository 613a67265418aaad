// The emulator's permission model over loopback: each test starts an org from an org file (or
// changes it through the REST API as the admin) and asserts what the integration user sees.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "common/text.h"
#include "common/timeutil.h"
#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::TempDir;
using crmsync::testing::run_crmsync;
using crmsync::testing::write_file;

const std::string kData = "/services/data/v60.0";

using crmsync::testing::OrgFromFile;

std::set<std::string> field_names(const json& describe) {
  std::set<std::string> names;
  for (const auto& f : describe["fields"]) names.insert(f["name"]);
  return names;
}

json field(const json& describe, const std::string& name) {
  for (const auto& f : describe["fields"]) {
    if (f["name"] == name) return f;
  }
  return json();
}

// The default org: the integration user counts what the admin counts, object by object.
TEST(EmulatorPermissionsTest, DefaultOrgIntegrationUserSeesWhatTheAdminSees) {
  OrgFromFile org("");
  const std::string admin = org.admin(), integration = org.integration();
  for (const char* object : {"Account", "Contact", "Lead", "Opportunity", "OpportunityContactRole",
                             "OpportunityHistory", "OpportunityLineItem", "OpportunitySplit", "OpportunityTeamMember",
                             "Task", "Event", "Campaign", "CampaignMember", "User", "RecordType"}) {
    const std::string soql = std::string("SELECT COUNT() FROM ") + object;
    const long all = org.count(admin, soql);
    EXPECT_GT(all, 0) << object;
    EXPECT_EQ(org.count(integration, soql), all) << object;
  }
  auto describe = org.get(integration, kData + "/sobjects/Account/describe");
  ASSERT_EQ(describe->status, 200);
  json d = json::parse(describe->body);
  EXPECT_TRUE(field_names(d).count("Industry"));
  EXPECT_FALSE(d["createable"].get<bool>());  // Read and View All, no Create
}

TEST(EmulatorPermissionsTest, HiddenFieldIsMissingFromDescribeAndRefusedInSoql) {
  OrgFromFile org(R"(
[[permission_sets]]
name = "crmsync_Integration"
fields = { "Account.Industry" = { read = false }, "Account.Website" = { edit = false } }
)");
  const std::string integration = org.integration(), admin = org.admin();
  json d = json::parse(org.get(integration, kData + "/sobjects/Account/describe")->body);
  EXPECT_FALSE(field_names(d).count("Industry"));
  EXPECT_TRUE(field_names(d).count("Website"));
  EXPECT_FALSE(field(d, "Website")["updateable"].get<bool>());
  auto r = org.query(integration, "SELECT Id, Industry FROM Account");
  ASSERT_EQ(r->status, 400);
  json e = json::parse(r->body)[0];
  EXPECT_EQ(e["errorCode"], "INVALID_FIELD");
  EXPECT_NE(e["message"].get<std::string>().find(
                "No such column 'Industry' on entity 'Account'. If you are attempting to use a custom field, be sure "
                "to append the '__c' after the custom field name."),
            std::string::npos);
  EXPECT_NE(e["message"].get<std::string>().find("ERROR at Row:1:Column:12"), std::string::npos) << e["message"];
  // The admin still sees it.
  EXPECT_TRUE(field_names(json::parse(org.get(admin, kData + "/sobjects/Account/describe")->body)).count("Industry"));

  // The admin grants it back through the REST API: the next call sees it.
  const std::string set = org.id_of(admin, "SELECT Id FROM PermissionSet WHERE Name = 'crmsync_Integration'");
  auto bad = org.post(admin, kData + "/sobjects/FieldPermissions",
                      {{"ParentId", set}, {"SobjectType", "Account"}, {"Field", "Account.Industry"},
                       {"PermissionsRead", false}, {"PermissionsEdit", true}});
  ASSERT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)[0]["errorCode"], "FIELD_INTEGRITY_EXCEPTION");
  EXPECT_EQ(json::parse(bad->body)[0]["message"], "Permission Edit depends on permission(s): Read");
  auto created = org.post(admin, kData + "/sobjects/FieldPermissions",
                          {{"ParentId", set}, {"SobjectType", "Account"}, {"Field", "Account.Industry"},
                           {"PermissionsRead", true}});
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_TRUE(field_names(json::parse(org.get(integration, kData + "/sobjects/Account/describe")->body)).count("Industry"));
  EXPECT_EQ(org.query(integration, "SELECT Id, Industry FROM Account")->status, 200);
  // ... and takes it away again by deleting the row.
  const std::string row = json::parse(created->body)["id"];
  ASSERT_EQ(org.del(admin, kData + "/sobjects/FieldPermissions/" + row)->status, 204);
  EXPECT_EQ(org.query(integration, "SELECT Id, Industry FROM Account")->status, 400);
}

TEST(EmulatorPermissionsTest, ObjectWithoutReadIsAbsentEverywhere) {
  OrgFromFile org("[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Lead = { read = false } }\n");
  const std::string integration = org.integration(), admin = org.admin();
  json global = json::parse(org.get(integration, kData + "/sobjects/")->body);
  std::set<std::string> names;
  for (const auto& o : global["sobjects"]) names.insert(o["name"]);
  EXPECT_FALSE(names.count("Lead"));
  EXPECT_TRUE(names.count("Account"));
  EXPECT_TRUE(names.count("UserRecordAccess"));
  auto describe = org.get(integration, kData + "/sobjects/Lead/describe");
  EXPECT_EQ(describe->status, 404);
  EXPECT_EQ(json::parse(describe->body)[0]["errorCode"], "NOT_FOUND");
  auto r = org.query(integration, "SELECT Id FROM Lead");
  ASSERT_EQ(r->status, 400);
  json e = json::parse(r->body)[0];
  EXPECT_EQ(e["errorCode"], "INVALID_TYPE");
  EXPECT_NE(e["message"].get<std::string>().find("sObject type 'Lead' is not supported."), std::string::npos);
  // A lead the admin reads is not found for the integration user.
  const std::string lead = org.id_of(admin, "SELECT Id FROM Lead LIMIT 1");
  EXPECT_EQ(org.get(integration, kData + "/sobjects/Lead/" + lead)->status, 404);
  // Tasks about leads stay visible only when something else makes them so: the admin sees more.
  EXPECT_LT(org.count(integration, "SELECT COUNT() FROM Task"), org.count(admin, "SELECT COUNT() FROM Task"));
}

TEST(EmulatorPermissionsTest, RecordOutsideTheRoleHierarchyIsInvisibleUntilViewAllIsGranted) {
  OrgFromFile org("[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { view_all = false } }\n");
  const std::string integration = org.integration(), admin = org.admin();
  // Below the integration user's role (Revenue Operations): every sales user; the CEO is above.
  const std::string ceo = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'");
  const long below = org.count(admin, "SELECT COUNT() FROM Account WHERE OwnerId != '" + ceo + "'");
  const long all = org.count(admin, "SELECT COUNT() FROM Account");
  ASSERT_GT(below, 0);
  ASSERT_LT(below, all);
  EXPECT_EQ(org.count(integration, "SELECT COUNT() FROM Account"), below);
  EXPECT_EQ(static_cast<long>(org.records(integration, "SELECT Id FROM Account").size()), below);
  // A record of the CEO's: invisible.
  const std::string hidden = org.id_of(admin, "SELECT Id FROM Account WHERE OwnerId = '" + ceo + "' LIMIT 1");
  EXPECT_EQ(org.get(integration, kData + "/sobjects/Account/" + hidden)->status, 404);
  EXPECT_EQ(org.count(integration, "SELECT COUNT() FROM Account WHERE Id = '" + hidden + "'"), 0);

  // The admin grants View All Records on Account through the REST API.
  const std::string set = org.id_of(admin, "SELECT Id FROM PermissionSet WHERE Name = 'crmsync_Integration'");
  const std::string perm = org.id_of(
      admin, "SELECT Id FROM ObjectPermissions WHERE ParentId = '" + set + "' AND SobjectType = 'Account'");
  auto bad = org.patch(admin, kData + "/sobjects/ObjectPermissions/" + perm, {{"PermissionsModifyAllRecords", true}});
  ASSERT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)[0]["message"],
            "Permission Modify All depends on permission(s): Read, Edit, Delete, View All");
  ASSERT_EQ(org.patch(admin, kData + "/sobjects/ObjectPermissions/" + perm, {{"PermissionsViewAllRecords", true}})->status,
            204);
  EXPECT_EQ(org.count(integration, "SELECT COUNT() FROM Account"), all);
  EXPECT_EQ(org.get(integration, kData + "/sobjects/Account/" + hidden)->status, 200);
}

TEST(EmulatorPermissionsTest, GetDeletedAndGetUpdatedListOnlyRecordsTheUserSees) {
  OrgFromFile org("[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { view_all = false } }\n");
  const std::string integration = org.integration(), admin = org.admin();
  const std::string ceo = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'");
  const std::string rep_role = org.id_of(admin, "SELECT Id FROM UserRole WHERE DeveloperName = 'SalesRepAmericas'");
  const std::string rep = org.id_of(admin, "SELECT Id FROM User WHERE UserRoleId = '" + rep_role + "' LIMIT 1");
  const std::string hidden = org.id_of(admin, "SELECT Id FROM Account WHERE OwnerId = '" + ceo + "' LIMIT 1");
  const std::string below = org.id_of(admin, "SELECT Id FROM Account WHERE OwnerId = '" + rep + "' LIMIT 1");
  ASSERT_EQ(org.patch(admin, kData + "/sobjects/Account/" + below, {{"Website", "https://example.test"}})->status, 204);
  ASSERT_EQ(org.patch(admin, kData + "/sobjects/Account/" + hidden, {{"Website", "https://example.test"}})->status, 204);
  const std::string window = "?start=" + url_encode(format_datetime_sf(now_ms() - 3600000)) +
                             "&end=" + url_encode(format_datetime_sf(now_ms() + 120000));
  auto ids = [&](const std::string& token) {
    json body = json::parse(org.get(token, kData + "/sobjects/Account/updated/" + window)->body);
    return std::set<std::string>(body["ids"].begin(), body["ids"].end());
  };
  EXPECT_EQ(ids(admin), (std::set<std::string>{below, hidden}));
  EXPECT_EQ(ids(integration), std::set<std::string>{below});
  ASSERT_EQ(org.del(admin, kData + "/sobjects/Account/" + hidden)->status, 204);
  json deleted = json::parse(org.get(integration, kData + "/sobjects/Account/deleted/" + window)->body);
  EXPECT_TRUE(deleted["deletedRecords"].empty());
  deleted = json::parse(org.get(admin, kData + "/sobjects/Account/deleted/" + window)->body);
  ASSERT_EQ(deleted["deletedRecords"].size(), 1u);
  EXPECT_EQ(deleted["deletedRecords"][0]["id"], hidden);
}

TEST(EmulatorPermissionsTest, BulkQueryJobsApplyTheSameRules) {
  OrgFromFile org(R"(
[[permission_sets]]
name = "crmsync_Integration"
objects = { Account = { view_all = false }, Lead = { read = false } }
fields = { "Account.Industry" = { read = false } }
)");
  const std::string integration = org.integration();
  auto create = [&](const std::string& soql) {
    return org.post(integration, kData + "/jobs/query", {{"operation", "query"}, {"query", soql}});
  };
  auto refused = create("SELECT Id FROM Lead");
  ASSERT_EQ(refused->status, 400);
  EXPECT_EQ(json::parse(refused->body)[0]["errorCode"], "INVALID_TYPE");
  refused = create("SELECT Id, Industry FROM Account");
  ASSERT_EQ(refused->status, 400);
  EXPECT_EQ(json::parse(refused->body)[0]["errorCode"], "INVALID_FIELD");
  auto created = create("SELECT Id, Name FROM Account");
  ASSERT_EQ(created->status, 200) << created->body;
  const std::string id = json::parse(created->body)["id"];
  json job;
  for (int i = 0; i < 500; ++i) {  // polls until the job leaves UploadComplete / InProgress
    job = json::parse(org.get(integration, kData + "/jobs/query/" + id)->body);
    if (job["state"] != "UploadComplete" && job["state"] != "InProgress") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(job["state"], "JobComplete");
  auto results = org.get(integration, kData + "/jobs/query/" + id + "/results");
  ASSERT_EQ(results->status, 200);
  const long lines = static_cast<long>(std::count(results->body.begin(), results->body.end(), '\n'));
  EXPECT_EQ(lines - 1, org.count(integration, "SELECT COUNT() FROM Account"));  // header + visible rows
  EXPECT_LT(lines - 1, org.count(org.admin(), "SELECT COUNT() FROM Account"));
}

TEST(EmulatorPermissionsTest, WithoutEditTasksOnlyTheUsersOwnTasksAreWritten) {
  OrgFromFile org("[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { EditTask = false }\n");
  const std::string integration = org.integration(), admin = org.admin();
  const std::string me = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'integration@crmsync.test'");
  const std::string ceo = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'");
  // A Task assigned to itself (no OwnerId, or its own) is created, edited and deleted.
  auto own = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}});
  ASSERT_EQ(own->status, 201) << own->body;
  const std::string mine = json::parse(own->body)["id"];
  EXPECT_EQ(org.records(admin, "SELECT OwnerId FROM Task WHERE Id = '" + mine + "'")[0]["OwnerId"], me);
  EXPECT_EQ(org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}, {"OwnerId", me}})->status, 201);
  EXPECT_EQ(org.patch(integration, kData + "/sobjects/Task/" + mine, {{"Subject", "Other"}})->status, 204);
  // Assigned to someone else: refused on the OwnerId.
  auto refused = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}, {"OwnerId", ceo}});
  ASSERT_EQ(refused->status, 400);
  json e = json::parse(refused->body)[0];
  EXPECT_EQ(e["errorCode"], "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY");
  EXPECT_EQ(e["message"], "insufficient access rights on cross-reference id: " + ceo);
  auto reassigned = org.patch(integration, kData + "/sobjects/Task/" + mine, {{"OwnerId", ceo}});
  ASSERT_EQ(reassigned->status, 400);
  EXPECT_EQ(json::parse(reassigned->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY");
  // Another user's Task, even one below it in the role hierarchy: neither edited nor deleted.
  const std::string theirs = org.id_of(integration, "SELECT Id FROM Task WHERE OwnerId != '" + me + "' LIMIT 1");
  auto edit = org.patch(integration, kData + "/sobjects/Task/" + theirs, {{"Subject", "Other"}});
  ASSERT_EQ(edit->status, 400);
  EXPECT_EQ(json::parse(edit->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  EXPECT_EQ(json::parse(edit->body)[0]["message"], "insufficient access rights on object id");
  EXPECT_EQ(org.del(integration, kData + "/sobjects/Task/" + theirs)->status, 400);
  EXPECT_EQ(org.del(integration, kData + "/sobjects/Task/" + mine)->status, 204);
  // describe still says Task is neither createable nor updateable (the object permission is missing).
  json d = json::parse(org.get(integration, kData + "/sobjects/Task/describe")->body);
  EXPECT_FALSE(d["createable"].get<bool>());
  EXPECT_FALSE(field(d, "Subject")["createable"].get<bool>());
  // Edit Events is still granted; the admin can write tasks for anyone.
  EXPECT_EQ(org.post(integration, kData + "/sobjects/Event",
                     {{"Subject", "Meeting"}, {"StartDateTime", "2026-02-01T10:00:00.000+0000"}, {"DurationInMinutes", 30}})
                ->status,
            201);
  EXPECT_EQ(org.post(admin, kData + "/sobjects/Task", {{"Subject", "Call"}, {"OwnerId", ceo}})->status, 201);
}

TEST(EmulatorPermissionsTest, ReadOnlyFieldAndInvisibleReferenceAreRefusedOnWrite) {
  OrgFromFile org(R"(
[[permission_sets]]
name = "crmsync_Integration"
fields = { "Task.Description" = { edit = false }, "Task.CallDisposition" = { read = false } }
objects = { Account = { view_all = false } }
)");
  const std::string integration = org.integration(), admin = org.admin();
  auto r = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}, {"Description", "x"}});
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(json::parse(r->body)[0]["fields"], json::array({"Description"}));
  r = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}, {"CallDisposition", "x"}});
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "INVALID_FIELD");
  const std::string ceo = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'");
  const std::string hidden = org.id_of(admin, "SELECT Id FROM Account WHERE OwnerId = '" + ceo + "' LIMIT 1");
  r = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}, {"WhatId", hidden}});
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY");
  r = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}, {"WhatId", "001000000000000AAA"}});
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "INVALID_CROSS_REFERENCE_KEY");
  EXPECT_EQ(org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}})->status, 201);
}

TEST(EmulatorPermissionsTest, ApiEnabledOffRefusesEveryCall) {
  OrgFromFile org(R"(
[[profiles]]
name = "Minimum Access - API Only Integrations"
permissions = { ApiEnabled = false }
[[permission_sets]]
name = "crmsync_Integration"
permissions = { ApiEnabled = false }
)");
  const std::string integration = org.integration();  // OAuth login itself succeeds, as in Salesforce
  for (const std::string& path : {kData + "/sobjects/", kData + "/query?q=SELECT+Id+FROM+Account", kData + "/limits"}) {
    auto r = org.get(integration, path);
    ASSERT_EQ(r->status, 403) << path;
    json e = json::parse(r->body)[0];
    EXPECT_EQ(e["errorCode"], "API_DISABLED_FOR_ORG");
    EXPECT_EQ(e["message"], "The REST API is not enabled for this Organization.");
  }
  EXPECT_EQ(org.get(org.admin(), kData + "/sobjects/")->status, 200);
}

TEST(EmulatorPermissionsTest, InactiveUserCannotLogIn) {
  OrgFromFile org("[[users]]\nusername = \"integration@crmsync.test\"\nactive = false\n");
  auto r = org.client().Post("/services/oauth2/token",
                             crmsync::testing::password_grant("integration@crmsync.test", "integration-pass"));
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"], "invalid_grant");
}

TEST(EmulatorPermissionsTest, UserRecordAccessAnswersPerRecord) {
  OrgFromFile org("[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { view_all = false } }\n");
  const std::string admin = org.admin();
  const std::string user = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'integration@crmsync.test'");
  const std::string ceo = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'");
  const std::string rep_role = org.id_of(admin, "SELECT Id FROM UserRole WHERE DeveloperName = 'SalesRepAmericas'");
  const std::string rep = org.id_of(admin, "SELECT Id FROM User WHERE UserRoleId = '" + rep_role + "' LIMIT 1");
  const std::string hidden = org.id_of(admin, "SELECT Id FROM Account WHERE OwnerId = '" + ceo + "' LIMIT 1");
  const std::string below = org.id_of(admin, "SELECT Id FROM Account WHERE OwnerId = '" + rep + "' LIMIT 1");
  const std::string soql = "SELECT RecordId, HasReadAccess, HasEditAccess, HasDeleteAccess, MaxAccessLevel "
                           "FROM UserRecordAccess WHERE UserId = '" + user + "' AND RecordId IN ('" + hidden + "', '" +
                           below + "') ORDER BY HasReadAccess";
  for (const std::string& token : {admin, org.integration()}) {
    json rows = org.records(token, soql);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0]["RecordId"], hidden);
    EXPECT_EQ(rows[0]["HasReadAccess"], false);
    EXPECT_EQ(rows[0]["MaxAccessLevel"], "None");
    EXPECT_EQ(rows[1]["RecordId"], below);
    EXPECT_EQ(rows[1]["HasReadAccess"], true);
    EXPECT_EQ(rows[1]["HasEditAccess"], false);  // the set has Read on Account, not Edit
    EXPECT_EQ(rows[1]["MaxAccessLevel"], "Read");
  }
  // The admin's own access to the same records: everything.
  json mine = org.records(admin, "SELECT MaxAccessLevel FROM UserRecordAccess WHERE UserId = '" + ceo +
                                     "' AND RecordId = '" + hidden + "'");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["MaxAccessLevel"], "All");
  // Salesforce's restrictions: both filters, at most 200 record ids.
  auto r = org.query(admin, "SELECT RecordId FROM UserRecordAccess WHERE UserId = '" + user + "'");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "MALFORMED_QUERY");
  std::string ids;
  for (int i = 0; i < 201; ++i) ids += std::string(i ? "," : "") + "'" + hidden + "'";
  r = org.query(admin, "SELECT RecordId FROM UserRecordAccess WHERE UserId = '" + user + "' AND RecordId IN (" + ids + ")");
  EXPECT_EQ(r->status, 400);
}

TEST(EmulatorPermissionsTest, RecordTypeTheProfileMayNotUseIsRefused) {
  OrgFromFile org(R"(
[[record_types]]
object = "Task"
name = "Call Task"
developer_name = "Call_Task"
[[profiles]]
name = "Minimum Access - API Only Integrations"
record_types = { Task = ["Call_Task", "Support_Task"] }
)");
  const std::string integration = org.integration(), admin = org.admin();
  json d = json::parse(org.get(integration, kData + "/sobjects/Task/describe")->body);
  std::map<std::string, json> infos;
  for (const auto& i : d["recordTypeInfos"]) infos[i["developerName"]] = i;
  ASSERT_EQ(infos.size(), 4u);  // Sales_Task, Support_Task, Call_Task, Master
  EXPECT_FALSE(infos["Sales_Task"]["available"].get<bool>());
  EXPECT_TRUE(infos["Support_Task"]["available"].get<bool>());
  EXPECT_TRUE(infos["Call_Task"]["available"].get<bool>());
  EXPECT_TRUE(infos["Call_Task"]["defaultRecordTypeMapping"].get<bool>());
  EXPECT_FALSE(infos["Master"]["available"].get<bool>());
  const std::string sales = infos["Sales_Task"]["recordTypeId"], call = infos["Call_Task"]["recordTypeId"];
  auto r = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}, {"RecordTypeId", sales}});
  ASSERT_EQ(r->status, 400);
  json e = json::parse(r->body)[0];
  EXPECT_EQ(e["errorCode"], "INVALID_CROSS_REFERENCE_KEY");
  EXPECT_EQ(e["message"], "Record Type ID: this ID value isn't valid for the user: " + sales);
  EXPECT_EQ(e["fields"], json::array({"RecordTypeId"}));
  // Without a record type the profile's default is used; the admin's profile may use them all.
  r = org.post(integration, kData + "/sobjects/Task", {{"Subject", "Call"}});
  ASSERT_EQ(r->status, 201);
  const std::string id = json::parse(r->body)["id"];
  EXPECT_EQ(json::parse(org.get(admin, kData + "/sobjects/Task/" + id)->body)["RecordTypeId"], call);
  EXPECT_EQ(org.post(admin, kData + "/sobjects/Task", {{"Subject", "Call"}, {"RecordTypeId", sales}})->status, 201);
}

TEST(EmulatorPermissionsTest, CustomFieldsFromTheOrgFileInDescribe) {
  OrgFromFile org(R"org(
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
name = "Story__c"
type = "rich_text"
[[custom_fields]]
object = "Account"
name = "Tier__c"
type = "formula"
formula = "IF(AnnualRevenue > 1000000, 'A', 'B')"
[[custom_fields]]
object = "Account"
name = "Regions__c"
type = "multipicklist"
values = ["EMEA", "AMER", "APAC"]
[[custom_fields]]
object = "Account"
name = "Site__c"
type = "address"
[[custom_fields]]
object = "Account"
name = "Secret__c"
type = "encrypted_string"
[[custom_fields]]
object = "Account"
name = "Campaign__c"
type = "reference"
reference_to = "Campaign"
[[custom_fields]]
object = "Account"
name = "Erp_Id__c"
type = "external_id"
length = 40
)org");
  json d = json::parse(org.get(org.integration(), kData + "/sobjects/Account/describe")->body);
  struct Expect {
    const char* name;
    const char* type;
    const char* extra;  // extraTypeInfo or nullptr
  };
  for (const Expect& x : {Expect{"Region__c", "string", nullptr}, Expect{"Notes__c", "textarea", "plaintextarea"},
                          Expect{"Story__c", "textarea", "richtextarea"}, Expect{"Tier__c", "string", nullptr},
                          Expect{"Regions__c", "multipicklist", nullptr}, Expect{"Site__c", "address", nullptr},
                          Expect{"Secret__c", "encryptedstring", nullptr}, Expect{"Campaign__c", "reference", nullptr},
                          Expect{"Erp_Id__c", "string", nullptr}}) {
    json f = field(d, x.name);
    ASSERT_FALSE(f.is_null()) << x.name;
    EXPECT_EQ(f["type"], x.type) << x.name;
    EXPECT_TRUE(f["custom"].get<bool>()) << x.name;
    if (x.extra) {
      EXPECT_EQ(f["extraTypeInfo"], x.extra) << x.name;
    }
  }
  EXPECT_EQ(field(d, "Region__c")["length"], 80);
  EXPECT_GT(field(d, "Notes__c")["length"].get<int>(), 255);
  EXPECT_TRUE(field(d, "Story__c")["htmlFormatted"].get<bool>());
  EXPECT_TRUE(field(d, "Tier__c")["calculated"].get<bool>());
  EXPECT_EQ(field(d, "Tier__c")["calculatedFormula"], "IF(AnnualRevenue > 1000000, 'A', 'B')");
  EXPECT_EQ(field(d, "Regions__c")["picklistValues"].size(), 3u);
  EXPECT_EQ(field(d, "Site__City__s")["compoundFieldName"], "Site__c");
  EXPECT_EQ(field(d, "Secret__c")["maskType"], "all");
  EXPECT_EQ(field(d, "Campaign__c")["referenceTo"], json::array({"Campaign"}));
  EXPECT_EQ(field(d, "Campaign__c")["relationshipName"], "Campaign__r");
  EXPECT_TRUE(field(d, "Erp_Id__c")["externalId"].get<bool>());
  // Selectable in SOQL, null on existing records.
  json rows = org.records(org.integration(), "SELECT Id, Region__c, Tier__c FROM Account LIMIT 1");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0]["Region__c"].is_null());
}

TEST(EmulatorPermissionsTest, OrgFileErrorsNameTheFileAndTheKey) {
  TempDir dir;
  const std::string path = dir.file("bad.toml");
  write_file(path, "[[users]]\nusername = \"new@crmsync.test\"\n");
  Emulator emu(EmulatorOptions{.port = 0, .org_file = path});
  auto s = emu.start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            path + ": users[0].profile: a new user needs a profile; add profile = \"Standard User\"");
  // The command says the same and exits 1.
  auto r = run_crmsync("emulator --port 0 --org " + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("users[0].profile: a new user needs a profile"), std::string::npos) << r.output;
  r = run_crmsync("emulator --port 0 --org " + dir.file("missing.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("missing.json: cannot read the org file"), std::string::npos) << r.output;
}

TEST(EmulatorPermissionsTest, NewUserFromTheOrgFileLogsInWithItsProfile) {
  OrgFromFile org(R"(
[[roles]]
name = "Integrations"
parent = "CEO"
[[profiles]]
name = "Auditor"
permissions = { ApiEnabled = true }
objects = { Account = { read = true } }
[[users]]
username = "auditor@crmsync.test"
password = "auditor-pass"
last_name = "Auditor"
profile = "Auditor"
role = "Integrations"
)");
  const std::string auditor = org.login("auditor@crmsync.test", "auditor-pass");
  json global = json::parse(org.get(auditor, kData + "/sobjects/")->body);
  std::set<std::string> names;
  for (const auto& o : global["sobjects"]) names.insert(o["name"]);
  EXPECT_TRUE(names.count("Account"));
  EXPECT_FALSE(names.count("Contact"));
  EXPECT_FALSE(names.count("Task"));           // no Access Activities
  EXPECT_FALSE(names.count("PermissionSet"));  // no View Setup
  // Private accounts, no one below its role, owns none: sees none; Account fields have no FLS rows.
  EXPECT_EQ(org.count(auditor, "SELECT COUNT() FROM Account"), 0);
  EXPECT_EQ(org.query(auditor, "SELECT Id, Industry FROM Account")->status, 400);

  // The admin assigns crmsync_Integration through the REST API: the next call sees its grants.
  const std::string admin = org.admin();
  const std::string user = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'auditor@crmsync.test'");
  const std::string set = org.id_of(admin, "SELECT Id FROM PermissionSet WHERE Name = 'crmsync_Integration'");
  auto assigned = org.post(admin, kData + "/sobjects/PermissionSetAssignment",
                           {{"AssigneeId", user}, {"PermissionSetId", set}});
  ASSERT_EQ(assigned->status, 201) << assigned->body;
  EXPECT_EQ(org.count(auditor, "SELECT COUNT() FROM Account"), org.count(admin, "SELECT COUNT() FROM Account"));
  EXPECT_EQ(org.query(auditor, "SELECT Id, Industry FROM Account")->status, 200);
  // The auditor cannot assign anything itself (no Manage Users, no Modify All Data).
  auto refused = org.post(auditor, kData + "/sobjects/PermissionSetAssignment",
                          {{"AssigneeId", user}, {"PermissionSetId", set}});
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(json::parse(refused->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
}

// The org file's validation rules, as an admin defines them in Setup: a create or update whose
// record meets the error condition is refused with the rule's message, on its field; everyone,
// admins included, is held to them; records that do not meet it are written.
TEST(EmulatorPermissionsTest, ValidationRulesRefuseWritesThatMeetTheirErrorCondition) {
  OrgFromFile org(R"(
[[validation_rules]]
object = "Opportunity"
name = "No_negative_amounts"
error_condition = "Amount < 0"
message = "The amount cannot be negative."
field = "Amount"

[[validation_rules]]
object = "Opportunity"
error_condition = "StageName = 'Closed Won' AND NextStep = null"
message = "Say what happens next before closing a deal as won."
)");
  const std::string admin = org.admin();
  const std::string id = org.id_of(admin, "SELECT Id FROM Opportunity WHERE IsClosed = false ORDER BY Id LIMIT 1");
  const std::string path = kData + "/sobjects/Opportunity/" + id;
  auto negative = org.patch(admin, path, {{"Amount", -5}});
  EXPECT_EQ(negative->status, 400);
  EXPECT_EQ(negative->body, R"([{"message":"The amount cannot be negative.","errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION",)"
                            R"("fields":["Amount"]}])");
  auto won = org.patch(admin, path, {{"StageName", "Closed Won"}, {"NextStep", nullptr}});
  EXPECT_EQ(won->status, 400);
  EXPECT_EQ(json::parse(won->body)[0]["fields"], json::array()) << "a rule without a field is the record's error";
  EXPECT_EQ(org.patch(admin, path, {{"StageName", "Closed Won"}, {"NextStep", "Kick-off on Monday"}})->status, 204);
  auto created = org.post(admin, kData + "/sobjects/Opportunity",
                          {{"Name", "Negative"}, {"StageName", "Prospecting"}, {"CloseDate", "2025-06-30"}, {"Amount", -1}});
  EXPECT_EQ(created->status, 400) << created->body;
  EXPECT_EQ(org.count(admin, "SELECT COUNT() FROM Opportunity WHERE Name = 'Negative'"), 0);
}

}  // namespace
}  // namespace crmsync::emulator
