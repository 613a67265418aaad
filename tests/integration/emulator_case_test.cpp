// Case in the emulated org, over loopback: its describe as Salesforce's (key prefix 500, the
// auto-number CaseNumber, Status defaulted to New, the Cases child relationships), SOQL through its
// account both ways, /recent, SOSL and /tabs, and DML through the generic paths (REST, sObject Collections, Bulk API 2.0
// ingest): CaseNumber assigned on insert and refused on write, IsClosed and ClosedDate following
// the Status.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::OrgFromFile;

const std::string kData = "/services/data/v60.0";

class EmulatorCaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    org_ = new OrgFromFile("", 12);
    admin_ = org_->admin();
  }
  static void TearDownTestSuite() { delete org_; }

  static json describe(const std::string& object) {
    auto r = org_->get(admin_, kData + "/sobjects/" + object + "/describe");
    if (!r || r->status != 200) throw std::runtime_error("describe " + object + ": " + (r ? r->body : ""));
    return json::parse(r->body);
  }
  static json field(const json& described, const std::string& name) {
    for (const auto& f : described["fields"]) {
      if (f["name"] == name) return f;
    }
    return nullptr;
  }
  // The child relationship `name` of the described object that `child` makes through `field`.
  static bool has_child(const json& described, const std::string& child, const std::string& field,
                        const std::string& name) {
    for (const auto& r : described["childRelationships"]) {
      if (r["childSObject"] == child && r["field"] == field && r["relationshipName"] == name) return true;
    }
    return false;
  }
  static json one(const std::string& token, const std::string& soql) {
    json records = org_->records(token, soql);
    if (records.size() != 1) throw std::runtime_error(soql + ": " + records.dump());
    return records[0];
  }
  static std::string account() { return org_->id_of(admin_, "SELECT Id FROM Account ORDER BY Name LIMIT 1"); }

  static OrgFromFile* org_;
  static std::string admin_;
};
OrgFromFile* EmulatorCaseTest::org_ = nullptr;
std::string EmulatorCaseTest::admin_;

TEST_F(EmulatorCaseTest, DescribeShowsCaseAsSalesforceDoes) {
  const json c = describe("Case");
  EXPECT_EQ(c["keyPrefix"], "500");
  EXPECT_EQ(c["labelPlural"], "Cases");
  EXPECT_EQ(c["createable"], true);
  const json number = field(c, "CaseNumber");
  ASSERT_TRUE(number.is_object()) << c["fields"].dump();
  EXPECT_EQ(number["type"], "string");
  EXPECT_EQ(number["autoNumber"], true);
  EXPECT_EQ(number["createable"], false);
  EXPECT_EQ(number["updateable"], false);
  EXPECT_EQ(number["defaultedOnCreate"], true);
  EXPECT_EQ(number["idLookup"], true);
  EXPECT_EQ(number["nameField"], true);
  const json status = field(c, "Status");
  EXPECT_EQ(status["type"], "picklist");
  EXPECT_EQ(status["defaultedOnCreate"], true);
  std::set<std::string> defaults;
  for (const auto& v : status["picklistValues"]) {
    if (v["defaultValue"] == true) defaults.insert(v["value"]);
  }
  EXPECT_EQ(defaults, std::set<std::string>{"New"});
  EXPECT_EQ(field(c, "IsClosed")["updateable"], false);
  EXPECT_EQ(field(c, "ClosedDate")["type"], "datetime");
  EXPECT_EQ(field(c, "OwnerId")["referenceTo"], json::array({"User"}));
  EXPECT_EQ(field(c, "ParentId")["referenceTo"], json::array({"Case"}));
  EXPECT_EQ(field(c, "AccountId")["relationshipName"], "Account");
  for (const char* f : {"Subject", "Description", "Priority", "Origin", "Type", "Reason", "ContactId", "IsEscalated",
                        "SuppliedName", "SuppliedEmail", "IsDeleted", "CreatedDate", "SystemModstamp"}) {
    EXPECT_TRUE(field(c, f).is_object()) << f;
  }
  EXPECT_TRUE(has_child(c, "Case", "ParentId", "Cases")) << c["childRelationships"].dump();
  EXPECT_TRUE(has_child(describe("Account"), "Case", "AccountId", "Cases"));
  EXPECT_TRUE(has_child(describe("Contact"), "Case", "ContactId", "Cases"));

  // In describeGlobal, and readable by the integration user (its profile and permission set).
  auto global = json::parse(org_->get(admin_, kData + "/sobjects")->body);
  bool listed = false;
  for (const auto& o : global["sobjects"]) listed = listed || (o["name"] == "Case" && o["keyPrefix"] == "500");
  EXPECT_TRUE(listed);
  const long all = org_->count(admin_, "SELECT COUNT() FROM Case");
  EXPECT_GT(all, 0) << "the generated org has cases";
  EXPECT_EQ(org_->count(org_->integration(), "SELECT COUNT() FROM Case"), all);
}

TEST_F(EmulatorCaseTest, QueriesReachCasesThroughTheirAccountBothWays) {
  const json first = one(admin_, "SELECT Id, CaseNumber, AccountId, Account.Name FROM Case WHERE AccountId != null "
                                 "ORDER BY CaseNumber LIMIT 1");
  const std::string account_id = first["AccountId"];
  const json acct = one(admin_, "SELECT Name FROM Account WHERE Id = '" + account_id + "'");
  EXPECT_EQ(first["Account"]["Name"], acct["Name"]);
  EXPECT_TRUE(std::regex_match(first["CaseNumber"].get<std::string>(), std::regex("[0-9]{8}"))) << first;
  // Numbered as a new org numbers them (display format {00000000}), deleted cases included.
  auto lowest = org_->get(admin_, kData + "/queryAll?q=" + httplib::detail::encode_query_param(
                                                               "SELECT CaseNumber FROM Case ORDER BY CaseNumber LIMIT 1"));
  ASSERT_EQ(lowest->status, 200) << lowest->body;
  EXPECT_EQ(json::parse(lowest->body)["records"][0]["CaseNumber"], "00001001");

  const long cases = org_->count(admin_, "SELECT COUNT() FROM Case WHERE AccountId = '" + account_id + "'");
  const json nested = one(admin_, "SELECT Name, (SELECT CaseNumber FROM Cases ORDER BY CaseNumber) FROM Account "
                                  "WHERE Id = '" + account_id + "'");
  ASSERT_TRUE(nested["Cases"].is_object()) << nested;
  EXPECT_EQ(nested["Cases"]["totalSize"], cases);
  EXPECT_EQ(nested["Cases"]["records"][0]["CaseNumber"], first["CaseNumber"]);
  EXPECT_EQ(nested["Cases"]["records"][0]["attributes"]["type"], "Case");
}

TEST_F(EmulatorCaseTest, CaseNumberIsAssignedOnInsertAndRefusedOnWrite) {
  const std::string highest =
      one(admin_, "SELECT CaseNumber FROM Case ORDER BY CaseNumber DESC LIMIT 1")["CaseNumber"];
  auto created = org_->post(admin_, kData + "/sobjects/Case", {{"Subject", "Printer on fire"}, {"AccountId", account()}});
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = json::parse(created->body)["id"];
  EXPECT_EQ(id.substr(0, 3), "500");
  json c = one(admin_, "SELECT CaseNumber, Status, Priority, IsClosed, ClosedDate FROM Case WHERE Id = '" + id + "'");
  const std::string number = c["CaseNumber"];
  EXPECT_TRUE(std::regex_match(number, std::regex("[0-9]{8}"))) << number;
  EXPECT_GT(number, highest) << "numbers go on from the org's";
  EXPECT_EQ(c["Status"], "New");
  EXPECT_EQ(c["Priority"], "Medium");
  EXPECT_EQ(c["IsClosed"], false);
  EXPECT_TRUE(c["ClosedDate"].is_null());

  // Among the admin's recent items, and found by SOSL; Case has a tab.
  auto recent = json::parse(org_->get(admin_, kData + "/recent")->body);
  ASSERT_FALSE(recent.empty());
  EXPECT_EQ(recent[0]["Id"], id);
  EXPECT_EQ(recent[0]["attributes"]["type"], "Case");
  auto found = org_->get(admin_, kData + "/search?q=" + httplib::detail::encode_query_param(
                                                           "FIND {Printer on fire} RETURNING Case(Id, CaseNumber)"));
  ASSERT_EQ(found->status, 200) << found->body;
  EXPECT_NE(found->body.find(id), std::string::npos) << found->body;
  bool tab = false;
  for (const auto& t : json::parse(org_->get(admin_, kData + "/tabs")->body)) tab = tab || t["sobjectName"] == "Case";
  EXPECT_TRUE(tab);

  // Written by no one: on create and on update, in Salesforce's words.
  auto given = org_->post(admin_, kData + "/sobjects/Case", {{"Subject", "Mine"}, {"CaseNumber", "00000001"}});
  ASSERT_EQ(given->status, 400) << given->body;
  json e = json::parse(given->body)[0];
  EXPECT_EQ(e["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(e["fields"], json::array({"CaseNumber"}));
  auto changed = org_->patch(admin_, kData + "/sobjects/Case/" + id, {{"CaseNumber", "00000002"}});
  ASSERT_EQ(changed->status, 400) << changed->body;
  EXPECT_EQ(json::parse(changed->body)[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(one(admin_, "SELECT CaseNumber FROM Case WHERE Id = '" + id + "'")["CaseNumber"], c["CaseNumber"]);

  // Closing sets IsClosed and ClosedDate; reopening clears ClosedDate.
  ASSERT_EQ(org_->patch(admin_, kData + "/sobjects/Case/" + id, {{"Status", "Closed"}})->status, 204);
  c = one(admin_, "SELECT IsClosed, ClosedDate, LastModifiedDate FROM Case WHERE Id = '" + id + "'");
  EXPECT_EQ(c["IsClosed"], true);
  EXPECT_EQ(c["ClosedDate"], c["LastModifiedDate"]);
  ASSERT_EQ(org_->patch(admin_, kData + "/sobjects/Case/" + id, {{"Status", "Working"}})->status, 204);
  c = one(admin_, "SELECT IsClosed, ClosedDate FROM Case WHERE Id = '" + id + "'");
  EXPECT_EQ(c["IsClosed"], false);
  EXPECT_TRUE(c["ClosedDate"].is_null());
}

TEST_F(EmulatorCaseTest, CollectionsAndBulkIngestNumberEachNewCase) {
  json records = json::array();
  for (const char* subject : {"Collection one", "Collection two"}) {
    records.push_back({{"attributes", {{"type", "Case"}}}, {"Subject", subject}, {"Origin", "Web"}});
  }
  auto collection = org_->post(admin_, kData + "/composite/sobjects", {{"allOrNone", true}, {"records", records}});
  ASSERT_EQ(collection->status, 200) << collection->body;
  json numbers = org_->records(admin_, "SELECT CaseNumber FROM Case WHERE Subject LIKE 'Collection%' ORDER BY Subject");
  ASSERT_EQ(numbers.size(), 2u);
  EXPECT_EQ(std::stoll(numbers[1]["CaseNumber"].get<std::string>()), std::stoll(numbers[0]["CaseNumber"].get<std::string>()) + 1);

  // Bulk API 2.0 ingest: a CSV of two cases, one of them naming a CaseNumber (refused).
  const std::string job_id = org_->load(admin_, {{"object", "Case"}, {"operation", "insert"}},
                                        "Subject,CaseNumber\nBulk one,\nBulk two,00000009\n");
  const json state = org_->wait(admin_, job_id);
  EXPECT_EQ(state["numberRecordsProcessed"], 2) << state;
  EXPECT_EQ(state["numberRecordsFailed"], 1) << state;
  auto failed = org_->get(admin_, kData + "/jobs/ingest/" + job_id + "/failedResults");
  ASSERT_TRUE(failed && failed->status == 200);
  EXPECT_NE(failed->body.find("INVALID_FIELD_FOR_INSERT_UPDATE"), std::string::npos) << failed->body;
  const json bulk = one(admin_, "SELECT CaseNumber FROM Case WHERE Subject = 'Bulk one'");
  EXPECT_EQ(std::stoll(bulk["CaseNumber"].get<std::string>()), std::stoll(numbers[1]["CaseNumber"].get<std::string>()) + 1);
}

}  // namespace
}  // namespace crmsync::emulator
