// sObject Collections (/composite/sobjects), upserts by external ID and composite batch against the
// emulator over loopback: results in request order, per-record errors in Salesforce's shape, the
// permission checks of the single-record routes, allOrNone rollback, the 200-record and
// 25-request limits, and one API call per request.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>

#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

const std::string kData = "/services/data/v60.0";

// Account gets an external ID field and the integration user may write every Account; the extra
// TOML changes the org further.
class Org : public crmsync::testing::OrgFileEmulator {
 public:
  explicit Org(const std::string& toml = "")
      : OrgFileEmulator("scale = 10\nseed = 5\n"
                        "[[custom_fields]]\nobject = \"Account\"\nname = \"Ext_Id__c\"\ntype = \"text\"\n"
                        "length = 40\nexternal_id = true\n"
                        "[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { create = true, "
                        "edit = true, delete = true, view_all = true, modify_all = true } }\n"
                        "fields = { \"Account.Ext_Id__c\" = { edit = true }, \"Account.Industry\" = { edit = true } }\n" +
                        toml) {}

  // Every call must be answered; the status is the test's business.
  static httplib::Response must(httplib::Result r) {
    if (!r) throw std::runtime_error("no answer from the emulator");
    return *r;
  }
  httplib::Response get(const std::string& token, const std::string& path) const {
    return must(client().Get(path.c_str(), auth(token)));
  }
  httplib::Response send(const std::string& method, const std::string& token, const std::string& path,
                         const json& body) const {
    auto c = client();
    if (method == "POST") return must(c.Post(path.c_str(), auth(token), body.dump(), "application/json"));
    if (method == "PATCH") return must(c.Patch(path.c_str(), auth(token), body.dump(), "application/json"));
    return must(c.Delete(path.c_str(), auth(token)));
  }
  json records(const std::string& token, const std::string& soql) const {
    auto r = get(token, kData + "/query?q=" + httplib::detail::encode_query_param(soql));
    if (r.status != 200) throw std::runtime_error("query failed: " + soql + " -> " + r.body);
    return json::parse(r.body)["records"];
  }
  // The daily API counter, read through the admin route (not an API call itself).
  long api_used() const { return json::parse(get(admin(), "/emulator/apiUsage").body)["used"].get<long>(); }
};

json account(const std::string& name) { return {{"attributes", {{"type", "Account"}}}, {"Name", name}}; }

json collection(const json& records, bool all_or_none) { return {{"allOrNone", all_or_none}, {"records", records}}; }

// Name by Id for the accounts whose Name starts with `prefix`.
std::map<std::string, std::string> names(const Org& org, const std::string& token, const std::string& prefix) {
  std::map<std::string, std::string> out;
  for (const auto& r : org.records(token, "SELECT Id, Name FROM Account WHERE Name LIKE '" + prefix + "%'")) {
    out[r["Id"]] = r["Name"];
  }
  return out;
}

TEST(EmulatorCollectionsTest, CreateUpdateUpsertDelete200RecordsInOneCallEachInOrder) {
  Org org;
  const std::string token = org.integration();
  json batch = json::array();
  for (int i = 0; i < 200; ++i) batch.push_back(account("Coll " + std::to_string(i)));
  auto created = org.send("POST", token, kData + "/composite/sobjects", collection(batch, false));
  ASSERT_EQ(created.status, 200) << created.body;
  json results = json::parse(created.body);
  ASSERT_EQ(results.size(), 200u);
  std::vector<std::string> ids;
  for (const auto& r : results) {
    EXPECT_TRUE(r["success"].get<bool>());
    EXPECT_EQ(r["errors"], json::array());
    ids.push_back(r["id"]);
  }
  auto stored = names(org, token, "Coll ");
  ASSERT_EQ(stored.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(stored[ids[i]], "Coll " + std::to_string(i));

  // Update: each record carries its Id; the first 100 also get an external ID.
  json updates = json::array();
  for (int i = 0; i < 200; ++i) {
    json r = account("Coll v2 " + std::to_string(i));
    r["Id"] = ids[i];
    if (i < 100) r["Ext_Id__c"] = "EXT-" + std::to_string(i);
    updates.push_back(r);
  }
  auto updated = org.send("PATCH", token, kData + "/composite/sobjects", collection(updates, false));
  ASSERT_EQ(updated.status, 200) << updated.body;
  results = json::parse(updated.body);
  ASSERT_EQ(results.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(results[i]["id"], ids[i]);
    EXPECT_TRUE(results[i]["success"].get<bool>()) << results[i].dump();
  }
  stored = names(org, token, "Coll v2 ");
  for (int i = 0; i < 200; ++i) EXPECT_EQ(stored[ids[i]], "Coll v2 " + std::to_string(i));

  // Upsert on the external ID: EXT-0..99 exist, EXT-100..199 are new.
  json upserts = json::array();
  for (int i = 0; i < 200; ++i) {
    json r = account("Coll v3 " + std::to_string(i));
    r["Ext_Id__c"] = "ext-" + std::to_string(i);  // matching ignores case, as Salesforce's does for text
    upserts.push_back(r);
  }
  auto upserted = org.send("PATCH", token, kData + "/composite/sobjects/Account/Ext_Id__c", collection(upserts, false));
  ASSERT_EQ(upserted.status, 200) << upserted.body;
  results = json::parse(upserted.body);
  ASSERT_EQ(results.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(results[i]["success"].get<bool>()) << results[i].dump();
    EXPECT_EQ(results[i]["created"].get<bool>(), i >= 100) << i;
    if (i < 100) {
      EXPECT_EQ(results[i]["id"], ids[i]);
    } else {
      ids.push_back(results[i]["id"]);
    }
  }
  EXPECT_EQ(names(org, token, "Coll v3 ").size(), 200u);
  EXPECT_EQ(names(org, token, "Coll v2 ").size(), 100u);

  // Delete 200 of the 300 in one call.
  std::string list;
  for (int i = 0; i < 200; ++i) list += (i ? "," : "") + ids[i];
  auto deleted = org.send("DELETE", token, kData + "/composite/sobjects?allOrNone=false&ids=" + list, nullptr);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  results = json::parse(deleted.body);
  ASSERT_EQ(results.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(results[i]["id"], ids[i]);
    EXPECT_TRUE(results[i]["success"].get<bool>());
  }
  EXPECT_EQ(names(org, token, "Coll ").size(), 100u);
  // Deleting them again: each one says so.
  results = json::parse(
      org.send("DELETE", token, kData + "/composite/sobjects?ids=" + ids[0] + "," + ids[1], nullptr).body);
  EXPECT_EQ(results[0]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");
  EXPECT_FALSE(results[1]["success"].get<bool>());
}

TEST(EmulatorCollectionsTest, RefusedRecordsAmongGoodOnesWithoutAllOrNone) {
  Org org("[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { EditTask = false }\n");
  const std::string token = org.integration();
  // Without Edit Tasks, a Task assigned to another user is refused (one assigned to itself is not).
  const std::string ceo = org.records(token, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'")[0]["Id"];
  json records = json::array({account("Good A"), {{"attributes", {{"type", "Task"}}}, {"Subject", "Call"}, {"OwnerId", ceo}},
                              {{"attributes", {{"type", "Account"}}}, {"Industry", "Energy"}}, account("Good B"),
                              {{"attributes", {{"type", "Account"}}}, {"Name", "Bad field"}, {"NoSuch__c", 1}}});
  auto r = org.send("POST", token, kData + "/composite/sobjects", collection(records, false));
  ASSERT_EQ(r.status, 200) << r.body;
  json results = json::parse(r.body);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_TRUE(results[0]["success"].get<bool>());
  EXPECT_TRUE(results[3]["success"].get<bool>());
  EXPECT_EQ(results[1], json({{"success", false},
                              {"errors", json::array({{{"statusCode", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"},
                                                       {"message", "insufficient access rights on cross-reference id: " + ceo},
                                                       {"fields", json::array()}}})}}));
  EXPECT_EQ(results[2]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(results[2]["errors"][0]["message"], "Required fields are missing: [Name]");
  EXPECT_EQ(results[2]["errors"][0]["fields"], json::array({"Name"}));
  EXPECT_FALSE(results[2].contains("id"));
  EXPECT_EQ(results[4]["errors"][0]["statusCode"], "INVALID_FIELD");
  auto stored = names(org, token, "Good ");
  EXPECT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[results[0]["id"]], "Good A");

  // The same user updating a Task in a collection is refused the same way; an Account is not.
  const std::string me = org.records(token, "SELECT Id FROM User WHERE Username = 'integration@crmsync.test'")[0]["Id"];
  const std::string task = org.records(token, "SELECT Id FROM Task WHERE OwnerId != '" + me + "' LIMIT 1")[0]["Id"];
  json updates = json::array({{{"attributes", {{"type", "Task"}}}, {"Id", task}, {"Subject", "x"}},
                              {{"attributes", {{"type", "Account"}}}, {"Id", results[0]["id"]}, {"Name", "Good C"}},
                              {{"attributes", {{"type", "Account"}}}, {"Name", "no id"}}});
  results = json::parse(org.send("PATCH", token, kData + "/composite/sobjects", collection(updates, false)).body);
  EXPECT_EQ(results[0]["id"], task);
  EXPECT_EQ(results[0]["errors"][0]["statusCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  EXPECT_TRUE(results[1]["success"].get<bool>());
  EXPECT_EQ(results[2]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
  EXPECT_EQ(names(org, token, "Good C").size(), 1u);
}

TEST(EmulatorCollectionsTest, AllOrNoneRollsBackEveryWrite) {
  Org org;
  const std::string token = org.integration();
  const long accounts_before = org.records(token, "SELECT Id FROM Account").size();
  json records = json::array({account("AON 1"), {{"attributes", {{"type", "Account"}}}, {"Industry", "Energy"}},
                              account("AON 2")});
  auto r = org.send("POST", token, kData + "/composite/sobjects", collection(records, true));
  ASSERT_EQ(r.status, 200) << r.body;
  json results = json::parse(r.body);
  ASSERT_EQ(results.size(), 3u);
  const json rolled_back = json::parse(R"({"success":false,"errors":[{"statusCode":"ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "message":"Record rolled back because not all records were valid and the request was using AllOrNone header",
      "fields":[]}]})");
  EXPECT_EQ(results[0], rolled_back);
  EXPECT_EQ(results[2], rolled_back);
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(names(org, token, "AON").size(), 0u);
  EXPECT_EQ(static_cast<long>(org.records(token, "SELECT Id FROM Account").size()), accounts_before);
  // Nothing of the rolled-back inserts shows anywhere, deleted records included.
  auto all = org.get(token, kData + "/queryAll?q=" + httplib::detail::encode_query_param(
                                                       "SELECT COUNT() FROM Account WHERE Name LIKE 'AON%'"));
  EXPECT_EQ(json::parse(all.body)["totalSize"], 0);

  // Update and delete roll back too: the good record keeps its old name and stays.
  json made = json::parse(org.send("POST", token, kData + "/composite/sobjects",
                                   collection(json::array({account("Keep 1"), account("Keep 2")}), false))
                              .body);
  const std::string a = made[0]["id"], b = made[1]["id"];
  json updates = json::array({{{"attributes", {{"type", "Account"}}}, {"Id", a}, {"Name", "Changed"}},
                              {{"attributes", {{"type", "Account"}}}, {"Id", b}, {"Name", nullptr}}});
  results = json::parse(org.send("PATCH", token, kData + "/composite/sobjects", collection(updates, true)).body);
  EXPECT_EQ(results[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(results[0]["id"], a);
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(names(org, token, "Keep 1").size(), 1u);
  EXPECT_EQ(names(org, token, "Changed").size(), 0u);
  results = json::parse(org.send("DELETE", token,
                                 kData + "/composite/sobjects?allOrNone=true&ids=" + a + ",001000000000000AAA", nullptr)
                            .body);
  EXPECT_EQ(results[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_FALSE(results[1]["success"].get<bool>());
  EXPECT_EQ(names(org, token, "Keep ").size(), 2u);
}

TEST(EmulatorCollectionsTest, MoreThan200RecordsAreRefusedWhole) {
  Org org;
  const std::string token = org.integration();
  json records = json::array();
  for (int i = 0; i < 201; ++i) records.push_back(account("Big " + std::to_string(i)));
  auto r = org.send("POST", token, kData + "/composite/sobjects", collection(records, false));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), json::parse(R"([{"errorCode":"EXCEEDED_ID_LIMIT",
      "message":"record limit reached. cannot submit more than 200 records into this call"}])"));
  EXPECT_EQ(names(org, token, "Big ").size(), 0u);
  std::string ids;
  for (int i = 0; i < 201; ++i) ids += (i ? "," : "") + std::string("001000000000001AAA");
  EXPECT_EQ(org.send("DELETE", token, kData + "/composite/sobjects?ids=" + ids, nullptr).status, 400);
}

TEST(EmulatorCollectionsTest, UpsertCreatesUpdatesAndRefusesDuplicateExternalIds) {
  Org org;
  const std::string token = org.integration();
  const std::string url = kData + "/sobjects/Account/Ext_Id__c/";
  auto first = org.send("PATCH", token, url + "E-1", {{"Name", "Upsert 1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  json body = json::parse(first.body);
  EXPECT_TRUE(body["created"].get<bool>());
  const std::string id = body["id"];
  auto again = org.send("PATCH", token, url + "E-1", {{"Name", "Upsert 1b"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body), json({{"id", id}, {"success", true}, {"errors", json::array()}, {"created", false}}));
  EXPECT_EQ(names(org, token, "Upsert 1b").count(id), 1u);
  // Before API 46.0 an update answers 204.
  EXPECT_EQ(org.send("PATCH", token, "/services/data/v45.0/sobjects/Account/Ext_Id__c/E-1", {{"Name", "Upsert 1c"}})
                .status,
            204);

  // Two records share an external ID: 300 with both URLs, and the collection refuses it per record.
  std::vector<std::string> dups;
  for (int i = 0; i < 2; ++i) {
    auto made = org.send("POST", token, kData + "/sobjects/Account", {{"Name", "Dup"}, {"Ext_Id__c", "DUP"}});
    ASSERT_EQ(made.status, 201) << made.body;
    dups.push_back(json::parse(made.body)["id"]);
  }
  auto multiple = org.send("PATCH", token, url + "DUP", {{"Name", "x"}});
  EXPECT_EQ(multiple.status, 300);
  EXPECT_EQ(json::parse(multiple.body), json::array({kData + "/sobjects/Account/" + dups[0],
                                                     kData + "/sobjects/Account/" + dups[1]}));
  auto with_ext = [](const std::string& name, const std::string& ext) {
    json r = account(name);
    r["Ext_Id__c"] = ext;
    return r;
  };
  json records = json::array({with_ext("Col U1", "E-1"), with_ext("Col U2", "E-2"), with_ext("Col U3", "DUP"),
                              with_ext("Col U4", "SAME"), with_ext("Col U5", "same"), account("Col U6")});
  auto r = org.send("PATCH", token, kData + "/composite/sobjects/Account/Ext_Id__c", collection(records, false));
  ASSERT_EQ(r.status, 200) << r.body;
  json results = json::parse(r.body);
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[0], json({{"id", id}, {"success", true}, {"errors", json::array()}, {"created", false}}));
  EXPECT_TRUE(results[1]["created"].get<bool>());
  EXPECT_EQ(results[2]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
  EXPECT_EQ(results[2]["errors"][0]["message"],
            "Ext_Id__c: more than one record found for external id field: [" + dups[0] + ", " + dups[1] + "]");
  EXPECT_EQ(results[3]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
  EXPECT_EQ(results[4]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
  EXPECT_EQ(results[5]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
  EXPECT_FALSE(results[5]["created"].get<bool>());
  EXPECT_EQ(names(org, token, "Col U").size(), 2u);

  // A field that is not an external ID cannot be upserted on.
  auto not_ext = org.send("PATCH", token, kData + "/sobjects/Account/Industry/Energy", {{"Name", "x"}});
  EXPECT_EQ(not_ext.status, 404);
  EXPECT_EQ(json::parse(not_ext.body)[0]["message"],
            "Provided external ID field does not exist or is not accessible: Industry");
  EXPECT_EQ(org.send("PATCH", token, kData + "/composite/sobjects/Account/Industry", collection(records, false)).status,
            404);
}

// UpsertResult.created under allOrNone: per record when every record is saved; when one fails,
// nothing is created, and a record that would have been updated still names the record.
TEST(EmulatorCollectionsTest, UpsertUnderAllOrNoneReportsCreatedPerRecord) {
  Org org;
  const std::string token = org.integration();
  auto first = org.send("PATCH", token, kData + "/sobjects/Account/Ext_Id__c/AON-1", {{"Name", "AON Upsert 1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string id = json::parse(first.body)["id"];
  auto with_ext = [](const std::string& name, const std::string& ext) {
    json r = account(name);
    r["Ext_Id__c"] = ext;
    return r;
  };
  const std::string url = kData + "/composite/sobjects/Account/Ext_Id__c";
  auto saved = org.send("PATCH", token, url,
                        collection(json::array({with_ext("AON Upsert 1b", "AON-1"), with_ext("AON New", "AON-2")}), true));
  ASSERT_EQ(saved.status, 200) << saved.body;
  json results = json::parse(saved.body);
  EXPECT_EQ(results[0], json({{"id", id}, {"success", true}, {"errors", json::array()}, {"created", false}}));
  EXPECT_TRUE(results[1]["success"].get<bool>());
  EXPECT_TRUE(results[1]["created"].get<bool>());

  auto rolled = org.send("PATCH", token, url,
                         collection(json::array({with_ext("AON Upsert 1c", "AON-1"), with_ext("AON Newer", "AON-3"),
                                                 account("AON No Key")}),
                                    true));
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  results = json::parse(rolled.body);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["id"], id);
  EXPECT_FALSE(results[0]["created"].get<bool>());
  EXPECT_EQ(results[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_FALSE(results[1].contains("id"));
  EXPECT_FALSE(results[1]["success"].get<bool>());
  EXPECT_FALSE(results[1]["created"].get<bool>());
  EXPECT_EQ(results[2]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
  EXPECT_EQ(names(org, token, "AON Newer").size(), 0u);
  EXPECT_EQ(names(org, token, "AON Upsert 1b").count(id), 1u);
}

// sObject Tree (sf data import tree): parents and their children by child relationship name, every
// record saved or none.
TEST(EmulatorCollectionsTest, TreeSavesParentsWithChildrenOrNothing) {
  Org org;
  const std::string token = org.admin();
  auto tree = [](const std::string& account, const std::string& email) {
    return json{{"records", json::array({{{"attributes", {{"type", "Account"}, {"referenceId", "acc1"}}},
                                          {"Name", account},
                                          {"Contacts", {{"records", json::array({{{"attributes", {{"type", "Contact"},
                                                                                                  {"referenceId", "con1"}}},
                                                                                  {"LastName", "Tree Person"},
                                                                                  {"Email", email}}})}}}}})}};
  };
  auto saved = org.send("POST", token, kData + "/composite/tree/Account", tree("Tree Acme", "tree@example.com"));
  ASSERT_EQ(saved.status, 201) << saved.body;
  json body = json::parse(saved.body);
  EXPECT_FALSE(body["hasErrors"].get<bool>());
  ASSERT_EQ(body["results"].size(), 2u);
  EXPECT_EQ(body["results"][0]["referenceId"], "acc1");
  const std::string account = body["results"][0]["id"];
  json contact = org.records(token, "SELECT AccountId FROM Contact WHERE Id = '" +
                                        body["results"][1]["id"].get<std::string>() + "'");
  EXPECT_EQ(contact[0]["AccountId"], account);

  auto refused = org.send("POST", token, kData + "/composite/tree/Account", tree("Tree Refused", "not an email"));
  ASSERT_EQ(refused.status, 400) << refused.body;
  json errors = json::parse(refused.body);
  EXPECT_TRUE(errors["hasErrors"].get<bool>());
  EXPECT_EQ(errors["results"][0]["referenceId"], "con1");
  EXPECT_EQ(errors["results"][0]["errors"][0]["statusCode"], "INVALID_EMAIL_ADDRESS");
  EXPECT_EQ(names(org, token, "Tree Refused").size(), 0u);
}

TEST(EmulatorCollectionsTest, CompositeBatchRunsEachSubrequestAsTheCaller) {
  Org org("[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { EditTask = false }\n");
  const std::string token = org.integration();
  const std::string acct = org.records(token, "SELECT Id FROM Account LIMIT 1")[0]["Id"];
  const std::string me = org.records(token, "SELECT Id FROM User WHERE Username = 'integration@crmsync.test'")[0]["Id"];
  const std::string task = org.records(token, "SELECT Id FROM Task WHERE OwnerId != '" + me + "' LIMIT 1")[0]["Id"];
  json batch = {{"batchRequests",
                 json::array({{{"method", "PATCH"}, {"url", "v60.0/sobjects/Account/" + acct},
                               {"richInput", {{"Name", "Batched"}}}},
                              {{"method", "GET"}, {"url", "v60.0/sobjects/Account/" + acct + "?fields=Name"}},
                              {{"method", "PATCH"}, {"url", "/services/data/v60.0/sobjects/Task/" + task},
                               {"richInput", {{"Subject", "x"}}}},
                              {{"method", "GET"}, {"url", "v60.0/query?q=SELECT+Name+FROM+Account+WHERE+Id='" +
                                                              acct + "'"}}})}};
  auto r = org.send("POST", token, kData + "/composite/batch", batch);
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_TRUE(body["hasErrors"].get<bool>());
  json results = body["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0], json({{"statusCode", 204}, {"result", nullptr}}));
  EXPECT_EQ(results[1]["statusCode"], 200);
  EXPECT_EQ(results[1]["result"]["Name"], "Batched");
  EXPECT_EQ(results[2]["statusCode"], 400);
  EXPECT_EQ(results[2]["result"][0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  ASSERT_EQ(results[3]["statusCode"], 200) << results[3].dump();
  EXPECT_EQ(results[3]["result"]["records"][0]["Name"], "Batched");

  // haltOnError: after the refused Task write the rest is not run.
  batch["haltOnError"] = true;
  batch["batchRequests"][0]["richInput"]["Name"] = "Not run";
  std::swap(batch["batchRequests"][0], batch["batchRequests"][2]);
  results = json::parse(org.send("POST", token, kData + "/composite/batch", batch).body)["results"];
  EXPECT_EQ(results[0]["statusCode"], 400);
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(results[i]["statusCode"], 412);
    EXPECT_EQ(results[i]["result"][0]["errorCode"], "BATCH_PROCESSING_HALTED");
  }
  EXPECT_EQ(names(org, token, "Not run").size(), 0u);

  // More than 25 subrequests, or a malformed one, is refused before anything runs.
  json big = {{"batchRequests", json::array()}};
  for (int i = 0; i < 26; ++i) big["batchRequests"].push_back({{"method", "GET"}, {"url", "v60.0/limits"}});
  EXPECT_EQ(org.send("POST", token, kData + "/composite/batch", big).status, 400);
  json bad = {{"batchRequests", json::array({{{"method", "PATCH"}, {"url", "v60.0/sobjects/Account/" + acct},
                                              {"richInput", {{"Name", "Bad batch"}}}},
                                             {{"method", "GET"}, {"url", "sobjects/Account"}}})}};
  EXPECT_EQ(org.send("POST", token, kData + "/composite/batch", bad).status, 400);
  EXPECT_EQ(names(org, token, "Bad batch").size(), 0u);
}

TEST(EmulatorCollectionsTest, EachCollectionCountsOnceAndEachBatchSubrequestOnce) {
  Org org;
  const std::string token = org.integration();
  const long before = org.api_used();
  json records = json::array();
  for (int i = 0; i < 50; ++i) records.push_back(account("Count " + std::to_string(i)));
  ASSERT_EQ(org.send("POST", token, kData + "/composite/sobjects", collection(records, false)).status, 200);
  EXPECT_EQ(org.api_used(), before + 1);
  json batch = {{"batchRequests", json::array({{{"method", "GET"}, {"url", "v60.0/limits"}},
                                               {{"method", "GET"}, {"url", "v60.0/sobjects"}},
                                               {{"method", "GET"}, {"url", "v60.0/sobjects/Account/describe"}}})}};
  // "Each subrequest counts against rate limits": three subrequests are three calls.
  auto r = org.send("POST", token, kData + "/composite/batch", batch);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(org.api_used(), before + 4);
  EXPECT_EQ(r.get_header_value("Sforce-Limit-Info"), "api-usage=" + std::to_string(before + 4) + "/100000");
  ASSERT_EQ(org.send("PATCH", token, kData + "/sobjects/Account/Ext_Id__c/C-1", {{"Name", "Count x"}}).status, 201);
  EXPECT_EQ(org.api_used(), before + 5);
  // POST /composite stays one call whatever it holds.
  json composite = {{"compositeRequest", json::array({{{"method", "GET"}, {"url", "/services/data/v60.0/limits"},
                                                       {"referenceId", "a"}},
                                                      {{"method", "GET"}, {"url", "/services/data/v60.0/sobjects"},
                                                       {"referenceId", "b"}}})}};
  ASSERT_EQ(org.send("POST", token, kData + "/composite", composite).status, 200);
  EXPECT_EQ(org.api_used(), before + 6);
  // Halted subrequests never ran and are not counted.
  json halted = {{"haltOnError", true},
                 {"batchRequests", json::array({{{"method", "GET"}, {"url", "v60.0/sobjects/NoSuchObject/describe"}},
                                                {{"method", "GET"}, {"url", "v60.0/limits"}},
                                                {{"method", "GET"}, {"url", "v60.0/sobjects"}}})}};
  auto results = json::parse(org.send("POST", token, kData + "/composite/batch", halted).body)["results"];
  EXPECT_EQ(results[1]["statusCode"], 412);
  EXPECT_EQ(org.api_used(), before + 7);
}

TEST(EmulatorCollectionsTest, BatchSubrequestsPastTheDailyLimitAreRefused) {
  Org org;
  const std::string token = org.integration();
  auto put = org.client().Put("/emulator/apiUsage", Org::auth(org.admin()), R"({"used": 99998})", "application/json");
  ASSERT_TRUE(put && put->status == 200);
  json batch = {{"batchRequests", json::array({{{"method", "GET"}, {"url", "v60.0/limits"}},
                                               {{"method", "GET"}, {"url", "v60.0/sobjects"}},
                                               {{"method", "GET"}, {"url", "v60.0/sobjects/Account/describe"}}})}};
  auto r = org.send("POST", token, kData + "/composite/batch", batch);
  ASSERT_EQ(r.status, 200);
  auto body = json::parse(r.body);
  EXPECT_TRUE(body["hasErrors"].get<bool>());
  EXPECT_EQ(body["results"][0]["statusCode"], 200);
  EXPECT_EQ(body["results"][1]["statusCode"], 200);
  EXPECT_EQ(body["results"][2]["statusCode"], 403);
  EXPECT_EQ(body["results"][2]["result"][0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(r.get_header_value("Sforce-Limit-Info"), "api-usage=100000/100000");
  EXPECT_EQ(org.api_used(), 100000);
}

TEST(EmulatorCollectionsTest, CompositeRunsDescribeQueryAndGetDeletedAsOneCall) {
  Org org("[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { EditTask = false }\n");
  const std::string token = org.integration();
  const std::string task = org.records(token, "SELECT Id FROM Task LIMIT 1")[0]["Id"];
  const std::size_t accounts = org.records(token, "SELECT Id FROM Account").size();
  const long before = org.api_used();
  json composite = {
      {"compositeRequest",
       json::array({{{"referenceId", "describeAccount"}, {"method", "GET"},
                     {"url", kData + "/sobjects/Account/describe"}},
                    {{"referenceId", "pageAccount"}, {"method", "GET"},
                     {"url", kData + "/queryAll?q=SELECT+Id,Name+FROM+Account+ORDER+BY+Id"},
                     {"httpHeaders", {{"Sforce-Query-Options", "batchSize=200"}}}},
                    {{"referenceId", "deletedAccount"}, {"method", "GET"},
                     {"url", kData + "/sobjects/Account/deleted/?start=2020-01-01T00%3A00%3A00%2B00%3A00&end=2099-01-"
                                     "01T00%3A00%3A00%2B00%3A00"}},
                    {{"referenceId", "describeNothing"}, {"method", "GET"}, {"url", kData + "/sobjects/Nothing__c/describe"}},
                    {{"referenceId", "editTask"}, {"method", "PATCH"}, {"url", kData + "/sobjects/Task/" + task},
                     {"body", {{"Subject", "x"}}}}})}};
  auto r = org.send("POST", token, kData + "/composite", composite);
  ASSERT_EQ(r.status, 200) << r.body;
  json out = json::parse(r.body)["compositeResponse"];
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0]["referenceId"], "describeAccount");
  EXPECT_EQ(out[0]["httpStatusCode"], 200);
  EXPECT_EQ(out[0]["body"]["name"], "Account");
  EXPECT_EQ(out[1]["httpStatusCode"], 200);
  EXPECT_EQ(out[1]["body"]["records"].size(), accounts);
  EXPECT_TRUE(out[1]["body"]["done"].get<bool>());
  EXPECT_TRUE(out[1]["httpHeaders"].is_object());
  EXPECT_FALSE(out[1]["httpHeaders"].contains("Content-Length"));
  // getDeleted keeps its own rules inside a composite: a start 15+ days back is refused.
  EXPECT_EQ(out[2]["httpStatusCode"], 400);
  EXPECT_EQ(out[2]["body"][0]["errorCode"], "INVALID_REPLICATION_DATE") << out[2].dump();
  EXPECT_EQ(out[3]["httpStatusCode"], 404);
  EXPECT_EQ(out[3]["body"][0]["errorCode"], "NOT_FOUND");
  EXPECT_EQ(out[4]["httpStatusCode"], 400);  // the caller's permissions apply to each subrequest
  EXPECT_EQ(out[4]["body"][0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  EXPECT_EQ(org.api_used(), before + 1);  // the whole series is one call

  // allOrNone: after a failure the rest answer 400 PROCESSING_HALTED.
  composite["allOrNone"] = true;
  std::swap(composite["compositeRequest"][0], composite["compositeRequest"][4]);
  out = json::parse(org.send("POST", token, kData + "/composite", composite).body)["compositeResponse"];
  EXPECT_EQ(out[0]["httpStatusCode"], 400);
  for (int i = 1; i < 5; ++i) {
    EXPECT_EQ(out[i]["httpStatusCode"], 400);
    EXPECT_EQ(out[i]["body"][0]["errorCode"], "PROCESSING_HALTED");
  }
}

TEST(EmulatorCollectionsTest, CompositeRefusesMoreThan25SubrequestsOrMoreThan5Queries) {
  Org org;
  const std::string token = org.integration();
  auto describe = [](int i) {
    return json{{"referenceId", "d" + std::to_string(i)}, {"method", "GET"}, {"url", kData + "/sobjects/Account/describe"}};
  };
  auto query = [](int i) {
    return json{{"referenceId", "q" + std::to_string(i)}, {"method", "GET"},
                {"url", kData + "/query?q=SELECT+Id+FROM+Account+LIMIT+1"}};
  };
  json ok = {{"compositeRequest", json::array()}};
  for (int i = 0; i < 20; ++i) ok["compositeRequest"].push_back(describe(i));
  for (int i = 0; i < 5; ++i) ok["compositeRequest"].push_back(query(i));
  EXPECT_EQ(org.send("POST", token, kData + "/composite", ok).status, 200);

  json too_many = ok;
  too_many["compositeRequest"].push_back(describe(99));
  auto r = org.send("POST", token, kData + "/composite", too_many);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("at most 25 subrequests"), std::string::npos) << r.body;

  json six_queries = {{"compositeRequest", json::array()}};
  for (int i = 0; i < 6; ++i) six_queries["compositeRequest"].push_back(query(i));
  r = org.send("POST", token, kData + "/composite", six_queries);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("at most 5 query operations"), std::string::npos) << r.body;

  json duplicate = {{"compositeRequest", json::array({describe(1), describe(1)})}};
  EXPECT_EQ(org.send("POST", token, kData + "/composite", duplicate).status, 400);
  EXPECT_EQ(org.client().Delete((kData + "/composite").c_str(), crmsync::testing::bearer(token))->status, 405);
  // GET lists the composite resources the emulator serves (REST API "Get a List of Composite Resources").
  EXPECT_EQ(org.get(token, kData + "/composite").status, 200);
}

}  // namespace
}  // namespace crmsync::emulator
