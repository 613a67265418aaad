// The emulator's Bulk API 1.0 (/services/async) over loopback: jobs and batches in XML and JSON,
// CSV, JSON and XML batch bodies written through the DML engine, batch results and requests,
// query batches with their result lists and records (CSV, and XML sObjects), Bulk 1.0's own
// error shape (exceptionCode/exceptionMessage), and jobs that are their creator's only.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "csv_support.h"
#include "emulator/wire/wire.h"
#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::parse_csv;

const std::string kAsync = "/services/async/60.0";

class AsyncOrg : public crmsync::testing::OrgFileEmulator {
 public:
  AsyncOrg()
      : OrgFileEmulator("scale = 10\nseed = 9\n"
                        "[[custom_fields]]\nobject = \"Account\"\nname = \"Ext_Id__c\"\ntype = \"text\"\n"
                        "length = 40\nexternal_id = true\n"
                        "[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { create = true, "
                        "edit = true, delete = true, view_all = true, modify_all = true } }\n"
                        "fields = { \"Account.Ext_Id__c\" = { edit = true }, \"Account.Industry\" = { read = true, "
                        "edit = false } }\n") {}

  static httplib::Headers session(const std::string& token) { return {{"X-SFDC-Session", token}}; }
  static httplib::Response must(httplib::Result r) {
    if (!r) throw std::runtime_error("no answer from the emulator");
    return *r;
  }
  httplib::Response post(const std::string& token, const std::string& path, const std::string& body,
                         const std::string& type) const {
    return must(client().Post((kAsync + path).c_str(), session(token), body, type.c_str()));
  }
  httplib::Response get(const std::string& token, const std::string& path) const {
    return must(client().Get((kAsync + path).c_str(), session(token)));
  }
  // An XML job as jsforce opens it: its Id.
  std::string xml_job(const std::string& token, const std::string& operation, const std::string& object,
                      const std::string& content_type, const std::string& ext = "") const {
    std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<jobInfo xmlns=\"http://www.force.com/2009/06/"
                       "asyncapi/dataload\">\n  <operation>" + operation + "</operation>\n  <object>" + object +
                       "</object>\n" + (ext.empty() ? "" : "<externalIdFieldName>" + ext + "</externalIdFieldName>") +
                       "  <contentType>" + content_type + "</contentType>\n</jobInfo>";
    auto r = post(token, "/job", body, "application/xml; charset=utf-8");
    EXPECT_EQ(r.status, 201) << r.body;
    auto doc = read_xml(r.body);
    if (!doc || !doc->child("id")) throw std::runtime_error("no job: " + r.body);
    EXPECT_EQ(doc->child("state")->text, "Open");
    return doc->child("id")->text;
  }
  // Polls a JSON job's batch until it is Completed or Failed: its BatchInfo.
  json wait_json(const std::string& token, const std::string& job, const std::string& batch) const {
    for (int i = 0; i < 500; ++i) {
      json info = json::parse(get(token, "/job/" + job + "/batch/" + batch).body);
      if (info["state"] == "Completed" || info["state"] == "Failed") return info;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("the batch never completed");
  }
  // Polls the batch until it is Completed or Failed: its BatchInfo.
  XmlElement wait_xml(const std::string& token, const std::string& job, const std::string& batch) const {
    for (int i = 0; i < 500; ++i) {
      auto doc = read_xml(get(token, "/job/" + job + "/batch/" + batch).body);
      if (!doc) throw std::runtime_error("not XML");
      const std::string state = doc->child("state")->text;
      if (state == "Completed" || state == "Failed") return *doc;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("the batch never completed");
  }
  json query(const std::string& token, const std::string& soql, bool all = false) const {
    auto r = must(client().Get(("/services/data/v60.0/" + std::string(all ? "queryAll" : "query") + "?q=" +
                                httplib::detail::encode_query_param(soql))
                                   .c_str(),
                               auth(token)));
    if (r.status != 200) throw std::runtime_error("query failed: " + soql + " -> " + r.body);
    return json::parse(r.body)["records"];
  }
};

TEST(BulkAsyncTest, CsvInsertBatchThroughXmlJobAsJsforceLoadsIt) {
  AsyncOrg org;
  const std::string token = org.integration();
  const std::string job = org.xml_job(token, "insert", "Account", "CSV");
  auto batch = org.post(token, "/job/" + job + "/batch", "Name,Ext_Id__c\nAsync One,A-1\n,A-2\n", "text/csv");
  ASSERT_EQ(batch.status, 201) << batch.body;
  auto info = read_xml(batch.body);
  ASSERT_TRUE(info.ok()) << batch.body;
  EXPECT_EQ(info->name, "batchInfo");
  const std::string batch_id = info->child("id")->text;
  EXPECT_EQ(batch_id.substr(0, 3), "751");
  EXPECT_EQ(info->child("jobId")->text, job);

  XmlElement done = org.wait_xml(token, job, batch_id);
  EXPECT_EQ(done.child("state")->text, "Completed");
  EXPECT_EQ(done.child("numberRecordsProcessed")->text, "2");
  EXPECT_EQ(done.child("numberRecordsFailed")->text, "1");

  auto result = org.get(token, "/job/" + job + "/batch/" + batch_id + "/result");
  ASSERT_EQ(result.status, 200) << result.body;
  auto rows = parse_csv(result.body);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Id", "Success", "Created", "Error"}));
  EXPECT_EQ(rows[1][1], "true");
  EXPECT_EQ(rows[1][2], "true");
  EXPECT_EQ(rows[2][1], "false");
  EXPECT_EQ(rows[2][3].rfind("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --", 0), 0u) << rows[2][3];
  EXPECT_EQ(org.query(token, "SELECT Id FROM Account WHERE Ext_Id__c = 'A-1'")[0]["Id"], rows[1][0]);
  EXPECT_EQ(org.get(token, "/job/" + job + "/batch/" + batch_id + "/request").body,
            "Name,Ext_Id__c\nAsync One,A-1\n,A-2\n");

  // Closing the job: no more batches.
  auto closed = org.post(token, "/job/" + job,
                         "<jobInfo xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\"><state>Closed</state></jobInfo>",
                         "application/xml");
  ASSERT_EQ(closed.status, 200) << closed.body;
  auto job_info = read_xml(closed.body);
  EXPECT_EQ(job_info->child("state")->text, "Closed");
  EXPECT_EQ(job_info->child("numberBatchesCompleted")->text, "1");
  EXPECT_EQ(job_info->child("numberRecordsProcessed")->text, "2");
  auto late = org.post(token, "/job/" + job + "/batch", "Name\nLate\n", "text/csv");
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(read_xml(late.body)->child("exceptionCode")->text, "InvalidJobState");
  auto list = read_xml(org.get(token, "/job/" + job + "/batch").body);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->name, "batchInfoList");
  EXPECT_EQ(list->children.size(), 1u);
}

TEST(BulkAsyncTest, JsonJobsAndBatchesAnswerJsonAndUpsertReportsCreated) {
  AsyncOrg org;
  const std::string token = org.integration();
  auto made = org.post(token, "/job",
                       json{{"operation", "upsert"}, {"object", "Account"}, {"externalIdFieldName", "Ext_Id__c"},
                            {"contentType", "JSON"}}
                           .dump(),
                       "application/json");
  ASSERT_EQ(made.status, 201) << made.body;
  json job = json::parse(made.body);
  EXPECT_EQ(job["state"], "Open");
  EXPECT_EQ(job["contentType"], "JSON");
  EXPECT_EQ(job["apiVersion"], 60.0);
  const std::string id = job["id"];
  auto first = org.post(token, "/job/" + id + "/batch", json::array({{{"Name", "J One"}, {"Ext_Id__c", "J-1"}}}).dump(),
                        "application/json");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string b1 = json::parse(first.body)["id"];
  auto second = org.post(token, "/job/" + id + "/batch",
                         json::array({{{"Name", "J One Again"}, {"Ext_Id__c", "J-1"}},
                                      {{"Name", "J Two"}, {"Ext_Id__c", "J-2"}, {"Industry", "Energy"}}})
                             .dump(),
                         "application/json");
  const std::string b2 = json::parse(second.body)["id"];
  ASSERT_EQ(org.wait_json(token, id, b2)["state"], "Completed");
  json r1 = json::parse(org.get(token, "/job/" + id + "/batch/" + b1 + "/result").body);
  json r2 = json::parse(org.get(token, "/job/" + id + "/batch/" + b2 + "/result").body);
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_TRUE(r1[0]["created"].get<bool>());
  ASSERT_EQ(r2.size(), 2u);
  EXPECT_EQ(r2[0], json({{"success", true}, {"created", false}, {"id", r1[0]["id"]}, {"errors", json::array()}}));
  EXPECT_FALSE(r2[1]["success"].get<bool>());
  EXPECT_EQ(r2[1]["errors"][0]["statusCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(org.query(token, "SELECT Name FROM Account WHERE Ext_Id__c = 'J-1'")[0]["Name"], "J One Again");
  json list = json::parse(org.get(token, "/job/" + id + "/batch").body);
  EXPECT_EQ(list["batchInfo"].size(), 2u);
}

TEST(BulkAsyncTest, AnEmptyOrNullRequiredFieldFailsItsRecordAsRequiredFieldMissing) {
  AsyncOrg org;
  const std::string token = org.integration();
  auto made = org.post(token, "/job", json{{"operation", "insert"}, {"object", "Account"}, {"contentType", "JSON"}}.dump(),
                       "application/json");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = json::parse(made.body)["id"];
  auto batch = org.post(token, "/job/" + id + "/batch",
                        json::array({{{"Name", ""}, {"Ext_Id__c", "E-1"}},
                                     {{"Name", nullptr}, {"Ext_Id__c", "E-2"}},
                                     {{"Name", "Named"}, {"Ext_Id__c", "E-3"}}})
                            .dump(),
                        "application/json");
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string b = json::parse(batch.body)["id"];
  ASSERT_EQ(org.wait_json(token, id, b)["state"], "Completed");
  json results = json::parse(org.get(token, "/job/" + id + "/batch/" + b + "/result").body);
  ASSERT_EQ(results.size(), 3u);
  for (int i : {0, 1}) {
    EXPECT_FALSE(results[i]["success"].get<bool>()) << results[i];
    EXPECT_EQ(results[i]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING") << results[i];
    EXPECT_EQ(results[i]["errors"][0]["message"], "Required fields are missing: [Name]");
    EXPECT_EQ(results[i]["errors"][0]["fields"], json::array({"Name"}));
  }
  EXPECT_TRUE(results[2]["success"].get<bool>());
  EXPECT_TRUE(org.query(token, "SELECT Id FROM Account WHERE Ext_Id__c IN ('E-1', 'E-2')").empty());
}

TEST(BulkAsyncTest, XmlBatchDeletesAndHardDeleteNeedsItsPermission) {
  AsyncOrg org;
  const std::string token = org.integration();
  const std::string target = org.query(token, "SELECT Id FROM Account LIMIT 1")[0]["Id"];
  const std::string job = org.xml_job(token, "delete", "Account", "XML");
  auto batch = org.post(token, "/job/" + job + "/batch",
                        "<?xml version=\"1.0\"?><sObjects xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">"
                        "<sObject><Id>" + target + "</Id></sObject><sObject><Id>001000000000000AAA</Id></sObject>"
                        "</sObjects>",
                        "application/xml");
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string batch_id = read_xml(batch.body)->child("id")->text;
  org.wait_xml(token, job, batch_id);
  auto results = read_xml(org.get(token, "/job/" + job + "/batch/" + batch_id + "/result").body);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->children.size(), 2u);
  EXPECT_EQ(results->children[0].child("success")->text, "true");
  EXPECT_EQ(results->children[1].child("success")->text, "false");
  EXPECT_EQ(results->children[1].child("errors")->child("statusCode")->text, "INVALID_CROSS_REFERENCE_KEY");
  EXPECT_TRUE(org.query(token, "SELECT Id FROM Account WHERE Id = '" + target + "'").empty());
  EXPECT_EQ(org.query(token, "SELECT Id FROM Account WHERE Id = '" + target + "'", true).size(), 1u);

  auto refused = org.post(token, "/job",
                          "<jobInfo xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\"><operation>hardDelete"
                          "</operation><object>Account</object><contentType>CSV</contentType></jobInfo>",
                          "application/xml");
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(read_xml(refused.body)->child("exceptionCode")->text, "FeatureNotEnabled");
}

TEST(BulkAsyncTest, QueryBatchGivesAResultListAndTheRecordsAsTheUserSeesThem) {
  AsyncOrg org;
  const std::string token = org.integration();
  const std::string job = org.xml_job(token, "query", "Account", "CSV");
  auto batch = org.post(token, "/job/" + job + "/batch", "SELECT Id, Name FROM Account ORDER BY Id", "text/csv");
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string batch_id = read_xml(batch.body)->child("id")->text;
  XmlElement done = org.wait_xml(token, job, batch_id);
  const json rest = org.query(token, "SELECT Id, Name FROM Account ORDER BY Id");
  EXPECT_EQ(done.child("numberRecordsProcessed")->text, std::to_string(rest.size()));
  auto list = read_xml(org.get(token, "/job/" + job + "/batch/" + batch_id + "/result").body);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->name, "result-list");
  const std::string result_id = list->child("result")->text;
  auto records = org.get(token, "/job/" + job + "/batch/" + batch_id + "/result/" + result_id);
  ASSERT_EQ(records.status, 200) << records.body;
  auto rows = parse_csv(records.body);
  ASSERT_EQ(rows.size(), rest.size() + 1);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Id", "Name"}));
  EXPECT_EQ(rows[1][0], rest[0]["Id"]);

  // A statement Bulk refuses fails the batch with its reason.
  auto bad = org.post(token, "/job/" + job + "/batch", "SELECT COUNT() FROM Account", "text/csv");
  XmlElement failed = org.wait_xml(token, job, read_xml(bad.body)->child("id")->text);
  EXPECT_EQ(failed.child("state")->text, "Failed");
  // Salesforce's layout for a query batch that fails: the refusal's code, then its message.
  EXPECT_EQ(failed.child("stateMessage")->text,
            "InvalidBatch : Failed to process query: API_ERROR: Aggregate queries are not supported in Bulk Query: "
            "COUNT()");
}

// The text of a REST JSON value as Bulk 1.0 XML writes it: null is nil (""), datetimes end in Z.
std::string xml_text_of(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.size() == 28 && s.compare(23, 5, "+0000") == 0) s = s.substr(0, 23) + "Z";
    return s;
  }
  return v.dump();
}

TEST(BulkAsyncTest, XmlQueryJobAnswersQueryResultSObjectsEqualToTheRestQuery) {
  AsyncOrg org;
  const std::string token = org.integration();
  const std::string soql = "SELECT Id, Name, Industry, NumberOfEmployees, CreatedDate, Parent.Name, Owner.Name "
                           "FROM Account ORDER BY Id";
  const std::string job = org.xml_job(token, "query", "Account", "XML");
  auto batch = org.post(token, "/job/" + job + "/batch", soql, "application/xml");
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string batch_id = read_xml(batch.body)->child("id")->text;
  EXPECT_EQ(org.wait_xml(token, job, batch_id).child("state")->text, "Completed");
  auto list = read_xml(org.get(token, "/job/" + job + "/batch/" + batch_id + "/result").body);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->name, "result-list");
  auto answer = org.get(token, "/job/" + job + "/batch/" + batch_id + "/result/" + list->child("result")->text);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.get_header_value("Content-Type"), "application/xml");
  EXPECT_NE(answer.body.find("<queryResult xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\" "
                             "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><records xsi:type=\"sObject\">"
                             "<type>Account</type><Id>"),
            std::string::npos)
      << answer.body.substr(0, 400);
  auto doc = read_xml(answer.body);
  ASSERT_TRUE(doc.ok()) << answer.body.substr(0, 400);
  EXPECT_EQ(doc->name, "queryResult");

  const json rest = org.query(token, soql);
  ASSERT_EQ(doc->children.size(), rest.size());
  bool some_parent = false, some_without = false;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const XmlElement& r = doc->children[i];
    const json& want = rest[i];
    ASSERT_EQ(r.name, "records");
    // type, the sObject's Id, then the SELECT's fields in order (Id again first of them).
    std::vector<std::string> names;
    for (const auto& c : r.children) names.push_back(c.name);
    EXPECT_EQ(names, (std::vector<std::string>{"type", "Id", "Id", "Name", "Industry", "NumberOfEmployees",
                                               "CreatedDate", "Parent", "Owner"}));
    EXPECT_EQ(r.children[1].text, want["Id"]);
    for (const char* f : {"Id", "Name", "Industry", "NumberOfEmployees", "CreatedDate"}) {
      EXPECT_EQ(r.child(f) == nullptr ? "?" : r.child(f)->text, xml_text_of(want[f])) << f << " of " << want["Id"];
      EXPECT_EQ(r.child(f)->nil, want[f].is_null()) << f;
    }
    const XmlElement* parent = r.child("Parent");
    if (want["Parent"].is_null()) {
      some_without = true;
      EXPECT_TRUE(parent->nil);
    } else {
      some_parent = true;
      ASSERT_EQ(parent->children.size(), 3u);  // type, nil Id, Name
      EXPECT_EQ(parent->child("type")->text, "Account");
      EXPECT_TRUE(parent->child("Id")->nil);
      EXPECT_EQ(parent->child("Name")->text, want["Parent"]["Name"]);
    }
    EXPECT_EQ(r.child("Owner")->child("Name")->text, want["Owner"]["Name"]);
  }
  EXPECT_TRUE(some_parent && some_without) << "the org should hold Accounts with and without a parent";

  // Without Id in the SELECT, the sObject's Id is nil.
  auto names_only = org.post(token, "/job/" + job + "/batch", "SELECT Name FROM Account ORDER BY Id LIMIT 1",
                             "application/xml");
  const std::string second = read_xml(names_only.body)->child("id")->text;
  org.wait_xml(token, job, second);
  auto second_list = read_xml(org.get(token, "/job/" + job + "/batch/" + second + "/result").body);
  auto one = read_xml(
      org.get(token, "/job/" + job + "/batch/" + second + "/result/" + second_list->child("result")->text).body);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->children.size(), 1u);
  EXPECT_TRUE(one->children[0].child("Id")->nil);
  EXPECT_EQ(one->children[0].child("Name")->text, rest[0]["Name"]);
}

TEST(BulkAsyncTest, ErrorsComeInBulkApiShapeAndJobsAreTheirCreators) {
  AsyncOrg org;
  const std::string token = org.integration();
  auto no_session = org.client().Get((kAsync + "/job/750000000000000AAA").c_str());
  ASSERT_TRUE(no_session);
  EXPECT_EQ(no_session->status, 400);
  auto err = read_xml(no_session->body);
  ASSERT_TRUE(err.ok()) << no_session->body;
  EXPECT_EQ(err->name, "error");
  EXPECT_EQ(err->child("exceptionCode")->text, "InvalidSessionId");

  auto unknown = org.get(token, "/job/750000000000000AAA");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(read_xml(unknown.body)->child("exceptionCode")->text, "InvalidJob");
  auto json_error = org.post(token, "/job", json{{"operation", "insert"}, {"object", "Nope__c"}}.dump(), "application/json");
  EXPECT_EQ(json_error.status, 400);
  EXPECT_EQ(json::parse(json_error.body),
            json({{"exceptionCode", "InvalidJob"}, {"exceptionMessage", "Unable to find object: Nope__c"}}));

  const std::string job = org.xml_job(token, "insert", "Account", "CSV");
  // A method a resource does not take: the Bulk API error reference's MethodNotAllowed wording.
  auto refused = org.client().Delete((kAsync + "/job/" + job).c_str(), AsyncOrg::session(token));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 405);
  EXPECT_EQ(refused->get_header_value("Allow"), "GET,HEAD,POST");
  auto method = read_xml(refused->body);
  ASSERT_TRUE(method.ok()) << refused->body;
  EXPECT_EQ(method->child("exceptionCode")->text, "MethodNotAllowed");
  EXPECT_EQ(method->child("exceptionMessage")->text, "HTTP Method 'DELETE' not allowed. Allowed are GET,HEAD,POST");
  const std::string admin = org.admin();
  EXPECT_EQ(read_xml(org.get(admin, "/job/" + job).body)->child("exceptionCode")->text, "InvalidJob");
  EXPECT_EQ(org.get(token, "/job/" + job + "/batch/751000000000000AAA").status, 400);
}

}  // namespace
}  // namespace crmsync::emulator
