// Child-to-parent relationship paths over loopback: REST query records with nested parents, Bulk
// API 2.0 CSV with dotted headers, field-level security and record visibility of the parents.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <tuple>

#include "emulator_org.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using Org = crmsync::testing::EmulatorOrg;
using crmsync::testing::kData;

TEST(EmulatorRelationshipsTest, RestRecordsNestTheParentsWithTheirAttributes) {
  Org org;
  json rows =
      org.records(org.integration,
                  "SELECT Id, AccountId, Account.Name, Account.Owner.Email FROM Contact WHERE AccountId != null "
                  "LIMIT 5");
  ASSERT_FALSE(rows.empty());
  for (const json& c : rows) {
    const std::string account = c["AccountId"];
    json a = org.records(org.admin, "SELECT Name, OwnerId FROM Account WHERE Id = '" + account + "'")[0];
    json owner =
        org.records(org.admin, "SELECT Email FROM User WHERE Id = '" + a["OwnerId"].get<std::string>() + "'")[0];
    ASSERT_TRUE(c["Account"].is_object()) << c.dump();
    EXPECT_EQ(c["Account"]["attributes"]["type"], "Account");
    EXPECT_EQ(c["Account"]["attributes"]["url"], kData + "/sobjects/Account/" + account);
    EXPECT_EQ(c["Account"]["Name"], a["Name"]);
    EXPECT_EQ(c["Account"]["Owner"]["attributes"]["type"], "User");
    EXPECT_EQ(c["Account"]["Owner"]["Email"], owner["Email"]);
  }
  // The WHERE reads the parent too.
  const std::string name = rows[0]["Account"]["Name"];
  const std::string escaped = std::regex_replace(name, std::regex("'"), "\\'");
  json by_name =
      org.records(org.integration, "SELECT Id, AccountId FROM Contact WHERE Account.Name = '" + escaped + "'");
  ASSERT_FALSE(by_name.empty());
  for (const json& c : by_name) EXPECT_EQ(c["AccountId"], rows[0]["AccountId"]);

  // ?columns=true: the relationship is one column whose joinColumns are its fields.
  auto columns = org.get(org.integration, kData + "/query?columns=true&q=" +
                                              httplib::detail::encode_query_param(
                                                  "SELECT Id, Account.Name, Account.Owner.Email FROM Contact"));
  ASSERT_EQ(columns->status, 200);
  json meta = json::parse(columns->body)["columnMetadata"];
  ASSERT_EQ(meta.size(), 2u) << meta.dump();
  EXPECT_EQ(meta[1]["columnName"], "Account");
  ASSERT_EQ(meta[1]["joinColumns"].size(), 2u);
  EXPECT_EQ(meta[1]["joinColumns"][0]["columnName"], "Name");
  EXPECT_EQ(meta[1]["joinColumns"][1]["columnName"], "Owner");
  EXPECT_EQ(meta[1]["joinColumns"][1]["joinColumns"][0]["displayName"], "Account.Owner.Email");
  // A Contact without an Account (the outer join): tests/conformance/soql/relationship_paths.json.
}

TEST(EmulatorRelationshipsTest, TaskWhoAndWhatReadTheNameEntity) {
  Org org;
  json rows =
      org.records(org.integration, "SELECT Id, WhatId, What.Name, What.Type FROM Task WHERE WhatId != null LIMIT 3");
  ASSERT_FALSE(rows.empty());
  for (const json& t : rows) {
    ASSERT_TRUE(t["What"].is_object()) << t.dump();
    EXPECT_EQ(t["What"]["attributes"]["type"], "Name");
    const std::string type = t["What"]["Type"];
    EXPECT_EQ(t["What"]["attributes"]["url"], kData + "/sobjects/" + type + "/" + t["WhatId"].get<std::string>());
    json parent =
        org.records(org.admin, "SELECT Name FROM " + type + " WHERE Id = '" + t["WhatId"].get<std::string>() + "'");
    EXPECT_EQ(t["What"]["Name"], parent[0]["Name"]);
  }
  auto bad = org.query(org.integration, "SELECT Who.Industry FROM Task");
  ASSERT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)[0]["errorCode"], "INVALID_FIELD");
  EXPECT_NE(json::parse(bad->body)[0]["message"].get<std::string>().find("No such column 'Industry' on entity 'Name'"),
            std::string::npos);
}

TEST(EmulatorRelationshipsTest, HiddenParentFieldIsInvalidFieldAndHiddenParentRecordIsNull) {
  Org org(R"(
[[permission_sets]]
name = "crmsync_Integration"
objects = { Account = { view_all = false }, Contact = { view_all = false } }
fields = { "Account.Industry" = { read = false } }
)");
  auto bad = org.query(org.integration, "SELECT Id, Account.Industry FROM Contact");
  ASSERT_EQ(bad->status, 400);
  json e = json::parse(bad->body)[0];
  EXPECT_EQ(e["errorCode"], "INVALID_FIELD");
  EXPECT_NE(e["message"].get<std::string>().find("No such column 'Industry' on entity 'Account'."), std::string::npos);
  EXPECT_NE(e["message"].get<std::string>().find("ERROR at Row:1:Column:12"), std::string::npos);
  EXPECT_EQ(org.query(org.admin, "SELECT Id, Account.Industry FROM Contact")->status, 200);

  // A contact the integration user sees reports to one it cannot see (under the CEO's account).
  const std::string ceo = org.records(org.admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'")[0]["Id"];
  json seen = org.records(org.integration, "SELECT Id FROM Contact WHERE AccountId != null LIMIT 1");
  json unseen =
      org.records(org.admin, "SELECT Id, LastName FROM Contact WHERE Account.OwnerId = '" + ceo + "' LIMIT 1");
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_EQ(unseen.size(), 1u);
  const std::string hidden = unseen[0]["Id"];
  ASSERT_TRUE(org.records(org.integration, "SELECT Id FROM Contact WHERE Id = '" + hidden + "'").empty());
  const std::string path = kData + "/sobjects/Contact/" + seen[0]["Id"].get<std::string>();
  ASSERT_EQ(org.send("PATCH", org.admin, path, {{"ReportsToId", hidden}})->status, 204);
  const std::string soql =
      "SELECT ReportsToId, ReportsTo.LastName FROM Contact WHERE Id = '" + seen[0]["Id"].get<std::string>() + "'";
  json mine = org.records(org.integration, soql);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["ReportsToId"], hidden);                   // the lookup Id is returned ...
  EXPECT_TRUE(mine[0]["ReportsTo"].is_null()) << mine.dump();  // ... the parent's fields are not
  EXPECT_EQ(org.records(org.admin, soql)[0]["ReportsTo"]["LastName"], unseen[0]["LastName"]);
}

// Who and What lead to the Name entity; each record's fields still obey the field-level security
// of the object it is (a Contact's Email, a Lead's Phone, an Account's Phone), in SELECT, WHERE and
// Bulk results.
TEST(EmulatorRelationshipsTest, PolymorphicPathsObeyTheFieldSecurityOfTheObjectTheyLandOn) {
  Org org(R"(
[[permission_sets]]
name = "crmsync_Integration"
fields = { "Contact.Email" = { read = false }, "Lead.Phone" = { read = false }, "Account.Phone" = { read = false } }
)");
  const std::string soql = "SELECT Id, Who.Type, Who.Email, Who.Phone, What.Type, What.Phone FROM Task";
  // How many Tasks show a value at `relationship`.`field` for parents of type `type`.
  auto shown = [](const json& rows, const char* relationship, const char* type, const char* field) {
    long n = 0;
    for (const json& t : rows) {
      const json& p = t[relationship];
      n += p.is_object() && p["Type"] == type && !p[field].is_null() ? 1 : 0;
    }
    return n;
  };
  json admin = org.records(org.admin, soql), mine = org.records(org.integration, soql);
  ASSERT_EQ(admin.size(), mine.size());
  for (auto [relationship, type, field] : {std::tuple{"Who", "Contact", "Email"}, std::tuple{"Who", "Lead", "Phone"},
                                           std::tuple{"What", "Account", "Phone"}}) {
    ASSERT_GT(shown(admin, relationship, type, field), 0) << relationship << " " << type << "." << field;
    EXPECT_EQ(shown(mine, relationship, type, field), 0) << relationship << " " << type << "." << field;
  }
  // The same field of another object the user may read still shows.
  EXPECT_EQ(shown(mine, "Who", "Lead", "Email"), shown(admin, "Who", "Lead", "Email"));
  EXPECT_GT(shown(mine, "Who", "Contact", "Phone"), 0);

  // WHERE filters on what the user may read: nothing to find by a hidden value.
  auto count = [&](const std::string& token, const std::string& where) {
    auto r = org.query(token, "SELECT COUNT() FROM Task WHERE " + where);
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body)["totalSize"].get<long>();
  };
  for (const char* where : {"Who.Type = 'Contact' AND Who.Email != null", "Who.Email LIKE '%@%' AND Who.Type != 'Lead'",
                            "What.Type = 'Account' AND What.Phone != null"}) {
    EXPECT_GT(count(org.admin, where), 0) << where;
    EXPECT_EQ(count(org.integration, where), 0) << where;
  }

  // Bulk API 2.0 results: the column is there, its cells are empty.
  const std::string csv = org.bulk_csv(org.integration, "SELECT Id, Who.Email FROM Task WHERE Who.Type = 'Contact'");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "\"Id\",\"Who.Email\"");
  EXPECT_GT(std::count(csv.begin(), csv.end(), '\n'), 1);
  EXPECT_EQ(csv.find('@'), std::string::npos) << csv.substr(0, 300);
}

TEST(EmulatorRelationshipsTest, BulkCsvHasDottedHeaders) {
  Org org;
  const std::string csv = org.bulk_csv(org.integration, "SELECT Id, Account.Name, Owner.Email FROM Contact");
  ASSERT_EQ(csv.substr(0, csv.find('\n')), "\"Id\",\"Account.Name\",\"Owner.Email\"");
  json first = org.records(org.integration, "SELECT Id, Account.Name, Owner.Email FROM Contact LIMIT 1")[0];
  std::string line = csv.substr(csv.find('\n') + 1);
  line = line.substr(0, line.find('\n'));
  const std::string account =
      first["Account"].is_null() ? "" : "\"" + first["Account"]["Name"].get<std::string>() + "\"";
  EXPECT_EQ(line, "\"" + first["Id"].get<std::string>() + "\"," + account + ",\"" +
                      first["Owner"]["Email"].get<std::string>() + "\"");

  auto compound = org.send("POST", org.integration, kData + "/jobs/query",
                           {{"operation", "query"}, {"query", "SELECT Id, Account.BillingAddress FROM Contact"}});
  ASSERT_EQ(compound->status, 400);
  EXPECT_EQ(json::parse(compound->body)[0]["errorCode"], "API_ERROR");
}

}  // namespace
}  // namespace crmsync::emulator
