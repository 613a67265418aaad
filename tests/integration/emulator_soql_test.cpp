// SOQL beyond plain selects over loopback, where the conformance corpus (one org, hand-written
// rows) cannot show it: a generated org's pages of records with subqueries, a child set too large
// to be written inline, Bulk API 2.0 running a semi-join and refusing TYPEOF, TYPEOF over a
// generated org, custom child relationships in describe, FIELDS(STANDARD) on a standard object,
// and GET /query?explain=.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "emulator_org.h"
#include "test_support.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using Org = crmsync::testing::EmulatorOrg;
using crmsync::testing::contains;
using crmsync::testing::kData;

TEST(EmulatorSoqlTest, SubqueryRecordsFollowTheirParentsAcrossQueryMorePages) {
  Org org("", "scale = 250\nseed = 5\n");  // more Accounts than a 200-record page
  auto first = org.client().Get(
      (kData + "/query?q=" +
       httplib::detail::encode_query_param("SELECT Id, (SELECT Id FROM Contacts) FROM Account ORDER BY Name"))
          .c_str(),
      {{"Authorization", "Bearer " + org.integration}, {"Sforce-Query-Options", "batchSize=200"}});
  ASSERT_EQ(first->status, 200) << first->body;
  json page = json::parse(first->body);
  std::size_t accounts = 0, with_contacts = 0;
  while (true) {
    for (const json& a : page["records"]) {
      ++accounts;
      const json plain = org.records(org.integration, "SELECT Id FROM Contact WHERE AccountId = '" +
                                                          a["Id"].get<std::string>() + "'");
      if (plain.empty()) {
        EXPECT_TRUE(a["Contacts"].is_null()) << a.dump();
        continue;
      }
      ++with_contacts;
      ASSERT_TRUE(a["Contacts"].is_object()) << a.dump();
      EXPECT_EQ(a["Contacts"]["totalSize"], plain.size());
      std::set<std::string> want, got;
      for (const json& c : plain) want.insert(c["Id"]);
      for (const json& c : a["Contacts"]["records"]) got.insert(c["Id"]);
      EXPECT_EQ(got, want);
    }
    if (page["done"] == true) break;
    auto more = org.get(org.integration, page["nextRecordsUrl"].get<std::string>());
    ASSERT_EQ(more->status, 200) << more->body;
    page = json::parse(more->body);
  }
  EXPECT_EQ(accounts, page["totalSize"].get<std::size_t>());
  EXPECT_GT(accounts, 200u);  // more than one page
  EXPECT_GT(with_contacts, 0u);
}

TEST(EmulatorSoqlTest, AChildSetPastTwoHundredRecordsIsPagedThroughItsOwnLocator) {
  Org org("", "scale = 0\nseed = 1\n");
  auto account = org.send("POST", org.admin, kData + "/sobjects/Account", {{"Name", "Big"}});
  ASSERT_EQ(account->status, 201) << account->body;
  const std::string account_id = json::parse(account->body)["id"];
  for (int i = 0; i < 250; i += 50) {  // 250 contacts, 50 per collections call
    json records = json::array();
    for (int k = i; k < i + 50; ++k) {
      char name[16];
      std::snprintf(name, sizeof name, "C%03d", k);
      records.push_back({{"attributes", {{"type", "Contact"}}}, {"LastName", name}, {"AccountId", account_id}});
    }
    auto created = org.send("POST", org.admin, kData + "/composite/sobjects", {{"allOrNone", true}, {"records", records}});
    ASSERT_EQ(created->status, 200) << created->body;
  }
  const std::string soql = "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account";
  json page = json::parse(org.query(org.admin, soql)->body);
  ASSERT_EQ(page["records"].size(), 1u) << page.dump();
  const json contacts = page["records"][0]["Contacts"];
  EXPECT_EQ(contacts["totalSize"], 250);
  EXPECT_EQ(contacts["done"], false);
  ASSERT_EQ(contacts["records"].size(), 200u);
  const std::string next = contacts["nextRecordsUrl"];
  EXPECT_TRUE(next.rfind(kData + "/query/01g", 0) == 0 && next.substr(next.size() - 4) == "-200") << next;
  // The client follows it as any nextRecordsUrl: the rest of this parent's child records.
  auto more = org.get(org.admin, next);
  ASSERT_EQ(more->status, 200) << more->body;
  const json rest = json::parse(more->body);
  EXPECT_EQ(rest["totalSize"], 250);
  EXPECT_EQ(rest["done"], true);
  ASSERT_EQ(rest["records"].size(), 50u);
  EXPECT_EQ(contacts["records"][0]["LastName"], "C000");
  EXPECT_EQ(contacts["records"][199]["LastName"], "C199");
  EXPECT_EQ(rest["records"][0]["LastName"], "C200");
  EXPECT_EQ(rest["records"][0]["attributes"]["type"], "Contact");
  EXPECT_EQ(rest["records"][49]["LastName"], "C249");
  // It is the admin's: to another user the locator is unknown.
  EXPECT_EQ(org.get(org.integration, next)->status, 400);
  // A LIMIT within 200 writes them all inline.
  page = json::parse(org.query(org.admin, "SELECT Name, (SELECT Id FROM Contacts LIMIT 200) FROM Account")->body);
  EXPECT_EQ(page["records"][0]["Contacts"]["done"], true);
  EXPECT_FALSE(page["records"][0]["Contacts"].contains("nextRecordsUrl"));
}

TEST(EmulatorSoqlTest, TypeofReadsEachTasksWhatAsItsOwnObjectAndBulkRefusesIt) {
  Org org;
  const json tasks = org.records(org.integration,
                                 "SELECT WhatId, TYPEOF What WHEN Account THEN Name, Industry WHEN Opportunity THEN "
                                 "Name, StageName ELSE Name END FROM Task WHERE WhatId != null LIMIT 200");
  ASSERT_FALSE(tasks.empty());
  std::size_t accounts = 0, opportunities = 0;
  for (const json& t : tasks) {
    const json& what = t["What"];
    if (what.is_null()) continue;  // a parent the user cannot see
    const std::string type = what["attributes"]["type"];
    const std::string id = t["WhatId"];
    EXPECT_NE(what["attributes"]["url"].get<std::string>().find("/sobjects/" + type + "/" + id), std::string::npos);
    if (type == "Account") {
      ++accounts;
      EXPECT_TRUE(what.contains("Industry") && !what.contains("StageName")) << what.dump();
    } else if (type == "Opportunity") {
      ++opportunities;
      EXPECT_TRUE(what.contains("StageName") && !what.contains("Industry")) << what.dump();
    } else {
      EXPECT_EQ(what.size(), 2u) << what.dump();  // attributes and ELSE's Name
    }
    const json parent = org.records(org.integration, "SELECT Name FROM " + type + " WHERE Id = '" + id + "'");
    ASSERT_EQ(parent.size(), 1u) << id;
    EXPECT_EQ(what["Name"], parent[0]["Name"]);
  }
  EXPECT_GT(accounts + opportunities, 0u);
  auto job = org.send("POST", org.integration, kData + "/jobs/query",
                      {{"operation", "query"}, {"query", "SELECT TYPEOF What WHEN Account THEN Name END FROM Task"}});
  ASSERT_EQ(job->status, 400) << job->body;
  EXPECT_EQ(json::parse(job->body)[0]["errorCode"], "API_ERROR");
  EXPECT_TRUE(contains(job->body, "TYPEOF is not supported in Bulk Query")) << job->body;
}

TEST(EmulatorSoqlTest, CustomLookupsAreChildRelationshipsInTheParentsDescribe) {
  Org org(R"([[custom_objects]]
name = "Invoice__c"
label = "Invoice"

[[custom_fields]]
object = "Invoice__c"
name = "Account__c"
type = "reference"
reference_to = "Account"
relationship_name = "Invoices"

[[custom_fields]]
object = "Contact"
name = "Source_Campaign__c"
type = "reference"
reference_to = "Campaign"
)",
          "scale = 0\nseed = 1\n");
  auto child_relationship = [&](const std::string& parent, const std::string& child) {
    auto d = org.get(org.admin, kData + "/sobjects/" + parent + "/describe");
    EXPECT_EQ(d->status, 200) << d->body;
    const json describe = json::parse(d->body);
    for (const json& r : describe["childRelationships"]) {
      if (r["childSObject"] == child && r["field"].get<std::string>().find("__c") != std::string::npos) return r;
    }
    return json();
  };
  const json invoices = child_relationship("Account", "Invoice__c");
  EXPECT_EQ(invoices, (json{{"cascadeDelete", false},
                            {"childSObject", "Invoice__c"},
                            {"deprecatedAndHidden", false},
                            {"field", "Account__c"},
                            {"junctionIdListNames", json::array()},
                            {"junctionReferenceTo", json::array()},
                            {"relationshipName", "Invoices__r"},
                            {"restrictedDelete", false}}));
  EXPECT_EQ(child_relationship("Campaign", "Contact")["relationshipName"], "Contacts__r");
  // The standard ones stay as they were.
  auto d = json::parse(org.get(org.admin, kData + "/sobjects/Account/describe")->body);
  bool contacts = false;
  for (const json& r : d["childRelationships"]) contacts = contacts || r["relationshipName"] == "Contacts";
  EXPECT_TRUE(contacts);
}

TEST(EmulatorSoqlTest, BulkQueryRunsASemiJoinAndRefusesAggregatesAndSubqueries) {
  Org org;
  const std::string soql = "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity)";
  const std::string csv = org.bulk_csv(org.integration, soql);
  const json rest = org.records(org.integration, soql);
  ASSERT_FALSE(rest.empty());
  for (const json& a : rest) EXPECT_TRUE(contains(csv, a["Id"].get<std::string>())) << a.dump();
  EXPECT_THROW(org.bulk_csv(org.integration, "SELECT Id, (SELECT Id FROM Contacts) FROM Account"),
               std::runtime_error);
  EXPECT_THROW(org.bulk_csv(org.integration, "SELECT COUNT(Id) FROM Account"), std::runtime_error);
}

TEST(EmulatorSoqlTest, FieldsStandardSelectsTheReadableStandardFields) {
  Org org(R"([[permission_sets]]
name = "crmsync_Integration"
fields = { "Account.Industry" = { read = false } }
)");
  const json rows = org.records(org.integration, "SELECT FIELDS(STANDARD) FROM Account LIMIT 1");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].contains("Name"));
  EXPECT_TRUE(rows[0].contains("OwnerId"));
  EXPECT_FALSE(rows[0].contains("Industry"));          // hidden by field-level security
  EXPECT_FALSE(rows[0].contains("Account_Notes__c"));  // custom
  const json admin = org.records(org.admin, "SELECT FIELDS(ALL) FROM Account LIMIT 1");
  EXPECT_TRUE(admin[0].contains("Industry"));
  EXPECT_TRUE(admin[0].contains("Account_Notes__c"));
}

TEST(EmulatorSoqlTest, ExplainAnswersPlansWithTheObjectsCardinality) {
  Org org;
  auto plan_of = [&](const std::string& soql) {
    auto r = org.get(org.integration, kData + "/query?explain=" + httplib::detail::encode_query_param(soql));
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  };
  const std::size_t accounts = org.records(org.integration, "SELECT Id FROM Account").size();
  json scan = plan_of("SELECT Id FROM Account WHERE Industry = 'Energy'");
  ASSERT_EQ(scan["plans"].size(), 1u);
  EXPECT_EQ(scan["plans"][0]["leadingOperationType"], "TableScan");
  EXPECT_EQ(scan["plans"][0]["sobjectType"], "Account");
  EXPECT_EQ(scan["plans"][0]["sobjectCardinality"], accounts);
  EXPECT_EQ(scan["plans"][0]["cardinality"],
            org.records(org.integration, "SELECT Id FROM Account WHERE Industry = 'Energy'").size());
  EXPECT_EQ(scan["sourceQuery"], "SELECT Id FROM Account WHERE Industry = 'Energy'");
  const std::string id = org.records(org.integration, "SELECT Id FROM Account LIMIT 1")[0]["Id"];
  json index = plan_of("SELECT Name FROM Account WHERE Id = '" + id + "'");
  EXPECT_EQ(index["plans"][0]["leadingOperationType"], "Index");
  EXPECT_EQ(index["plans"][0]["fields"], json::array({"Id"}));
  EXPECT_EQ(index["plans"][0]["cardinality"], 1);
  auto bad = org.get(org.integration, kData + "/query?explain=" + httplib::detail::encode_query_param("SELECT Nope FROM Account"));
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)[0]["errorCode"], "INVALID_FIELD");
}

TEST(EmulatorSoqlTest, ColumnsOfAnAggregateQueryAreItsAggregateResultColumns) {
  Org org;
  auto r = org.get(org.integration,
                   kData + "/query?columns=true&q=" +
                       httplib::detail::encode_query_param("SELECT Industry, COUNT(Id) n FROM Account GROUP BY Industry"));
  ASSERT_EQ(r->status, 200) << r->body;
  const json body = json::parse(r->body);
  EXPECT_EQ(body["entityName"], "AggregateResult");
  EXPECT_EQ(body["groupBy"], true);
  ASSERT_EQ(body["columnMetadata"].size(), 2u);
  EXPECT_EQ(body["columnMetadata"][0]["columnName"], "Industry");
  EXPECT_EQ(body["columnMetadata"][0]["aggregate"], false);
  EXPECT_EQ(body["columnMetadata"][1]["columnName"], "n");
  EXPECT_EQ(body["columnMetadata"][1]["aggregate"], true);
  EXPECT_EQ(body["columnMetadata"][1]["apexType"], "Integer");
}

}  // namespace
}  // namespace crmsync::emulator
