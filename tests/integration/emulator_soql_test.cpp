// SOQL beyond plain selects over loopback, where the conformance corpus (one org, hand-written
// rows) cannot show it: a generated org's pages of records with subqueries, Bulk API 2.0 running a
// semi-join, FIELDS(STANDARD) on a standard object, and GET /query?explain=.
#include <gtest/gtest.h>
#include <httplib.h>

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
