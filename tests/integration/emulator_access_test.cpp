// What one user of the emulator may reach of another's, over loopback: Bulk API 2.0 query jobs and
// REST query cursors belong to the user who made them (and their Ids say nothing about the
// next), an owner change needs transfer access, and the emulator's own /emulator/ routes need an
// admin (or --open-admin-routes).
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/sfid.h"
#include "emulator_http.h"
#include "emulator_org.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::bearer;
using crmsync::testing::kData;
using crmsync::testing::loopback_client;
using crmsync::testing::RunningEmulator;

// The default org with pages of 5 records and Bulk jobs that complete at once, and the sessions of
// its integration user and its admin.
struct TwoUsers {
  explicit TwoUsers(EmulatorOptions o = {}) : emu(with_defaults(std::move(o))) {
    integration = crmsync::testing::password_login(emu->port(), "integration@crmsync.test", "integration-pass");
    admin = crmsync::testing::password_login(emu->port(), "admin@crmsync.test", "admin-pass");
  }
  static EmulatorOptions with_defaults(EmulatorOptions o) {
    o.org.scale = 20;
    o.default_batch_size = 5;
    o.bulk_processing_ms = 0;
    return o;
  }
  httplib::Client client() { return loopback_client(emu->port()); }
  httplib::Result get(const std::string& token, const std::string& path) {
    return client().Get(path.c_str(), bearer(token));
  }
  httplib::Result post(const std::string& token, const std::string& path, const json& body) {
    return client().Post(path.c_str(), bearer(token), body.dump(), "application/json");
  }
  // A Bulk query job created by `token`'s user: its Id.
  std::string create_job(const std::string& token, const std::string& soql) {
    auto r = post(token, kData + "/jobs/query", {{"operation", "query"}, {"query", soql}});
    if (!r || r->status != 200) throw std::runtime_error("job not created: " + (r ? r->body : "no answer"));
    return json::parse(r->body)["id"];
  }
  // The first page of a REST query that must succeed.
  json query(const std::string& token, const std::string& soql) {
    auto r = get(token, kData + "/query?q=" + httplib::detail::encode_query_param(soql));
    if (!r || r->status != 200) throw std::runtime_error("query failed: " + (r ? r->body : "no answer"));
    return json::parse(r->body);
  }
  std::string first_id(const std::string& token, const std::string& soql) {
    return query(token, soql)["records"].at(0)["Id"];
  }
  std::string next_url(const std::string& token, const std::string& soql) {
    return query(token, soql).value("nextRecordsUrl", "");
  }

  RunningEmulator emu;
  std::string integration, admin;
};

void expect_not_found(const httplib::Result& r, const std::string& what) {
  ASSERT_TRUE(r) << what;
  EXPECT_EQ(r->status, 404) << what << ": " << r->body;
  EXPECT_EQ(r->body, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])") << what;
}

// ---- Bulk API 2.0 query jobs ----------------------------------------------------------------------

TEST(EmulatorAccessTest, AnotherUsersBulkJobIsNotFoundAndNotListed) {
  TwoUsers org;
  const std::string id = org.create_job(org.integration, "SELECT Id, Name FROM Account");
  const std::string job = kData + "/jobs/query/" + id;
  // Not even an admin (View All Data) reaches the integration user's job: its info, its results,
  // its abort or its deletion.
  expect_not_found(org.get(org.admin, job), "info");
  expect_not_found(org.get(org.admin, job + "/results"), "results");
  expect_not_found(org.client().Patch(job.c_str(), bearer(org.admin), R"({"state":"Aborted"})", "application/json"),
                   "abort");
  expect_not_found(org.client().Delete(job.c_str(), bearer(org.admin)), "delete");
  auto listed = [&](const std::string& token) {
    std::vector<std::string> ids;
    const json list = json::parse(org.get(token, kData + "/jobs/query")->body);
    for (const auto& j : list["records"]) ids.push_back(j["id"]);
    return ids;
  };
  EXPECT_EQ(listed(org.admin), std::vector<std::string>{});
  EXPECT_EQ(listed(org.integration), std::vector<std::string>{id});

  // The creator's job is untouched by those calls.
  json info = json::object();
  for (int i = 0; i < 50 && info.value("state", "") != "JobComplete"; ++i) {
    info = json::parse(org.get(org.integration, job)->body);
  }
  EXPECT_EQ(info["state"], "JobComplete");
  EXPECT_EQ(info["createdById"].get<std::string>().substr(0, 3), "005");
  EXPECT_EQ(org.get(org.integration, job + "/results")->status, 200);
}

TEST(EmulatorAccessTest, BulkJobIdsAreSalesforceIdsThatDoNotFollowEachOther) {
  TwoUsers org;
  const std::string a = org.create_job(org.integration, "SELECT Id FROM Account");
  const std::string b = org.create_job(org.integration, "SELECT Id FROM Account");
  for (const std::string& id : {a, b}) {
    EXPECT_EQ(id.size(), 18u) << id;
    EXPECT_EQ(id.substr(0, 3), "750") << id;
    EXPECT_TRUE(is_sf_id(id)) << id;
  }
  // Consecutive Ids would differ in their last characters only (750RO0000000001..., 750RO0000000002...).
  EXPECT_NE(a.substr(0, 14), b.substr(0, 14)) << a << " " << b;
}

// ---- REST query cursors ----------------------------------------------------------------------------

TEST(EmulatorAccessTest, AnotherUsersQueryCursorIsAnInvalidLocator) {
  TwoUsers org;
  const std::string next = org.next_url(org.admin, "SELECT Id, Name FROM Account");
  ASSERT_FALSE(next.empty());
  auto theirs = org.get(org.integration, next);
  ASSERT_EQ(theirs->status, 400) << theirs->body;
  EXPECT_EQ(theirs->body, R"([{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}])");
  auto mine = org.get(org.admin, next);
  ASSERT_EQ(mine->status, 200) << mine->body;
  EXPECT_EQ(json::parse(mine->body)["records"].size(), 5u);
}

TEST(EmulatorAccessTest, QueryLocatorsDoNotFollowEachOther) {
  TwoUsers org;
  const std::string a = org.next_url(org.integration, "SELECT Id FROM Account");
  const std::string b = org.next_url(org.integration, "SELECT Id FROM Account");
  // /services/data/v60.0/query/01gRO0000000001AAA-5
  const std::string prefix = kData + "/query/";
  ASSERT_EQ(a.rfind(prefix, 0), 0u) << a;
  const std::string la = a.substr(prefix.size(), 18), lb = b.substr(prefix.size(), 18);
  EXPECT_EQ(la.substr(0, 3), "01g");
  EXPECT_TRUE(is_sf_id(la)) << la;
  EXPECT_NE(la.substr(0, 14), lb.substr(0, 14)) << la << " " << lb;
}

// ---- owner changes ---------------------------------------------------------------------------------

// Account is Public Read/Write: the rep may edit other users' accounts but not give them away;
// the closer holds Transfer Record.
const char* kTransferOrg = R"(
[org_wide_defaults]
Account = "PublicReadWrite"
[[permission_sets]]
name = "Transfer_Records"
permissions = { TransferAnyEntity = true }
[[users]]
username = "rep@crmsync.test"
password = "rep-pass"
last_name = "Rep"
profile = "Standard User"
[[users]]
username = "closer@crmsync.test"
password = "closer-pass"
last_name = "Closer"
profile = "Standard User"
permission_sets = ["Transfer_Records"]
)";

TEST(EmulatorAccessTest, AnOwnerChangeWithoutTransferAccessIsRefusedOnEveryWriteRoute) {
  crmsync::testing::EmulatorOrg org(kTransferOrg);
  const std::string rep = org.login("rep@crmsync.test", "rep-pass");
  auto user = [&](const std::string& name) -> std::string {
    return org.records(org.admin, "SELECT Id FROM User WHERE Username = '" + name + "'")[0]["Id"];
  };
  const std::string rep_id = user("rep@crmsync.test"), ceo = user("admin@crmsync.test");
  // Five accounts of other users (the rep owns none and has no one below it).
  json accounts = org.records(org.admin, "SELECT Id, OwnerId FROM Account LIMIT 5");
  ASSERT_EQ(accounts.size(), 5u);
  std::vector<std::string> ids, owners;
  for (const json& a : accounts) {
    ids.push_back(a["Id"]);
    owners.push_back(a["OwnerId"]);
  }
  auto owner_of = [&](const std::string& id) -> std::string {
    return org.records(org.admin, "SELECT OwnerId FROM Account WHERE Id = '" + id + "'")[0]["OwnerId"];
  };
  const json give = {{"OwnerId", rep_id}};
  const json refused = {{"message", "insufficient access rights on object id"},
                        {"errorCode", "INSUFFICIENT_ACCESS_OR_READONLY"}};
  auto record = [&](const std::string& id) {
    return json{{"attributes", {{"type", "Account"}}}, {"Id", id}, {"OwnerId", rep_id}};
  };

  // PATCH /sobjects/Account/{id}: other fields, and OwnerId unchanged, are edits; a new owner is not.
  auto single = org.send("PATCH", rep, kData + "/sobjects/Account/" + ids[0], give);
  ASSERT_EQ(single->status, 400) << single->body;
  EXPECT_EQ(json::parse(single->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY") << single->body;
  EXPECT_EQ(json::parse(single->body)[0]["message"], refused["message"]);
  EXPECT_EQ(org.send("PATCH", rep, kData + "/sobjects/Account/" + ids[0], {{"Phone", "555-0100"}})->status, 204);
  EXPECT_EQ(org.send("PATCH", rep, kData + "/sobjects/Account/" + ids[0], {{"OwnerId", owners[0]}})->status, 204);

  // sObject Collections update.
  auto collection = org.send("PATCH", rep, kData + "/composite/sobjects",
                             {{"allOrNone", false}, {"records", json::array({record(ids[1])})}});
  ASSERT_EQ(collection->status, 200) << collection->body;
  json result = json::parse(collection->body)[0];
  EXPECT_EQ(result["success"], false) << result.dump();
  EXPECT_EQ(result["errors"][0]["statusCode"], "INSUFFICIENT_ACCESS_OR_READONLY") << result.dump();

  // Composite batch.
  json batch = {{"batchRequests", json::array({{{"method", "PATCH"},
                                                {"url", "v60.0/sobjects/Account/" + ids[2]},
                                                {"richInput", give}}})}};
  auto batched = org.send("POST", rep, kData + "/composite/batch", batch);
  ASSERT_EQ(batched->status, 200) << batched->body;
  json sub = json::parse(batched->body)["results"][0];
  EXPECT_EQ(sub["statusCode"], 400) << sub.dump();
  EXPECT_EQ(sub["result"][0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY") << sub.dump();

  // Upserts that match an existing record: one record, and a collection.
  auto upsert = org.send("PATCH", rep, kData + "/sobjects/Account/Id/" + ids[3], give);
  ASSERT_EQ(upsert->status, 400) << upsert->body;
  EXPECT_EQ(json::parse(upsert->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  auto upserts = org.send("PATCH", rep, kData + "/composite/sobjects/Account/Id",
                          {{"allOrNone", false}, {"records", json::array({record(ids[4])})}});
  ASSERT_EQ(upserts->status, 200) << upserts->body;
  EXPECT_EQ(json::parse(upserts->body)[0]["errors"][0]["statusCode"], "INSUFFICIENT_ACCESS_OR_READONLY")
      << upserts->body;

  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(owner_of(ids[i]), owners[i]) << ids[i];

  // Transfer Record (granted by the org file) lets the closer do what the rep could not.
  const std::string closer = org.login("closer@crmsync.test", "closer-pass");
  EXPECT_EQ(org.send("PATCH", closer, kData + "/sobjects/Account/" + ids[0], give)->status, 204);
  EXPECT_EQ(owner_of(ids[0]), rep_id);
  // Now the rep owns it: the owner may give it on.
  EXPECT_EQ(org.send("PATCH", rep, kData + "/sobjects/Account/" + ids[0], {{"OwnerId", ceo}})->status, 204);
  EXPECT_EQ(owner_of(ids[0]), ceo);
}

// ---- the emulator's own routes ------------------------------------------------------------------------

void expect_error(const httplib::Result& r, int status, const std::string& code, const std::string& what) {
  ASSERT_TRUE(r) << what;
  EXPECT_EQ(r->status, status) << what << ": " << r->body;
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], code) << what << ": " << r->body;
}

TEST(EmulatorAccessTest, AdminRoutesNeedAnAdmin) {
  TwoUsers org;
  const std::string contact = org.first_id(org.admin, "SELECT Id FROM Contact");
  const std::string count_it = "SELECT COUNT() FROM Contact WHERE Id = '" + contact + "'";
  const std::int64_t used = org.emu->api_used();
  // The integration user (no Modify All Data) reaches none of them.
  expect_error(org.post(org.integration, "/emulator/recycleBin/empty", {{"ids", {contact}}}), 403, "INSUFFICIENT_ACCESS",
               "purge");
  expect_error(org.post(org.integration, "/emulator/recycleBin/empty", json::object()), 403, "INSUFFICIENT_ACCESS",
               "empty");
  expect_error(org.client().Put("/emulator/apiUsage", bearer(org.integration), R"({"used":-100000})", "application/json"),
               403, "INSUFFICIENT_ACCESS", "set usage");
  expect_error(org.get(org.integration, "/emulator/apiUsage"), 403, "INSUFFICIENT_ACCESS", "read usage");
  EXPECT_EQ(org.emu->api_used(), used);  // not reset, and the refusals are no API calls
  // The admin does, within bounds: no negative counter, no purge of rows without a recycle bin.
  expect_error(org.client().Put("/emulator/apiUsage", bearer(org.admin), R"({"used":-1})", "application/json"), 400,
               "INVALID_FIELD", "negative usage");
  EXPECT_EQ(org.emu->api_used(), used);
  EXPECT_EQ(org.query(org.admin, count_it)["totalSize"], 1);  // not purged
  auto set = org.client().Put("/emulator/apiUsage", bearer(org.admin), R"({"used":7})", "application/json");
  ASSERT_EQ(set->status, 200) << set->body;
  EXPECT_EQ(json::parse(set->body)["used"], 7);
  const std::string organization = org.first_id(org.admin, "SELECT Id FROM Organization");
  const std::string user = org.first_id(org.admin, "SELECT Id FROM User");
  for (const std::string& id : {organization, user}) {
    expect_error(org.post(org.admin, "/emulator/recycleBin/empty", {{"ids", {contact, id}}}), 400,
                 "INVALID_TYPE_FOR_OPERATION", id);
  }
  EXPECT_EQ(org.query(org.admin, "SELECT COUNT() FROM Organization")["totalSize"], 1);
  EXPECT_EQ(org.query(org.admin, "SELECT COUNT() FROM User WHERE Id = '" + user + "'")["totalSize"], 1);
  EXPECT_EQ(org.query(org.admin, count_it)["totalSize"], 1);  // refused whole: nothing purged
  auto purged = org.post(org.admin, "/emulator/recycleBin/empty", {{"ids", {contact}}});
  ASSERT_EQ(purged->status, 200) << purged->body;
  EXPECT_EQ(json::parse(purged->body)["purged"], 1);  // the contact was still there
}

TEST(EmulatorAccessTest, AdminRoutesRefuseAnAdminWithoutApiEnabledOrDeactivated) {
  crmsync::testing::EmulatorOrg org(R"(
[[profiles]]
name = "Data Steward"
license = "Salesforce"
permissions = { ModifyAllData = true, ViewAllData = true, ApiEnabled = false }
[[users]]
username = "steward@crmsync.test"
password = "steward-pass"
last_name = "Steward"
profile = "Data Steward"
[[users]]
username = "admin2@crmsync.test"
password = "admin2-pass"
last_name = "Second"
profile = "System Administrator"
)");
  const std::string steward = org.login("steward@crmsync.test", "steward-pass");
  const std::string second = org.login("admin2@crmsync.test", "admin2-pass");
  expect_error(org.get(steward, "/emulator/apiUsage"), 403, "API_DISABLED_FOR_ORG", "without API Enabled");
  expect_error(org.send("POST", steward, "/emulator/recycleBin/empty", json::object()), 403, "API_DISABLED_FOR_ORG",
               "without API Enabled");
  EXPECT_EQ(org.get(second, "/emulator/apiUsage")->status, 200);
  const std::string id =
      org.records(org.admin, "SELECT Id FROM User WHERE Username = 'admin2@crmsync.test'")[0]["Id"];
  ASSERT_EQ(org.send("PATCH", org.admin, kData + "/sobjects/User/" + id, {{"IsActive", false}})->status, 204);
  expect_error(org.get(second, "/emulator/apiUsage"), 401, "INVALID_SESSION_ID", "deactivated");
  expect_error(org.send("POST", second, "/emulator/recycleBin/empty", json::object()), 401, "INVALID_SESSION_ID",
               "deactivated");
}

TEST(EmulatorAccessTest, OpenAdminRoutesServeEveryApiUserWhoStillPurgesOnlyWhatItMayDelete) {
  EmulatorOptions o;
  o.open_admin_routes = true;
  TwoUsers org(o);
  auto set = org.client().Put("/emulator/apiUsage", bearer(org.integration), R"({"used":3})", "application/json");
  ASSERT_EQ(set->status, 200) << set->body;
  EXPECT_EQ(org.emu->api_used(), 3);
  // The integration user reads every Contact but may delete none.
  const std::string contact = org.first_id(org.integration, "SELECT Id FROM Contact");
  auto theirs = org.post(org.integration, "/emulator/recycleBin/empty", {{"ids", {contact}}});
  ASSERT_EQ(theirs->status, 200) << theirs->body;
  EXPECT_EQ(json::parse(theirs->body)["purged"], 0);
  auto admins = org.post(org.admin, "/emulator/recycleBin/empty", {{"ids", {contact}}});
  EXPECT_EQ(json::parse(admins->body)["purged"], 1);
}

}  // namespace
}  // namespace crmsync::emulator
