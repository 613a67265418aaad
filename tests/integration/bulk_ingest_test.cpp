// The emulator's Bulk API 2.0 ingest jobs over loopback: insert, upsert, update, delete and
// hardDelete from uploaded CSV, each record written through the same DML checks as REST writes
// (required fields, field-level security, the Bulk API Hard Delete permission), results as
// Salesforce writes them (sf__Id, sf__Created, sf__Error), jobs that fail as a whole, abort,
// delete, and jobs that are their creator's only.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "csv_support.h"
#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::parse_csv;

const std::string kIngest = "/services/data/v60.0/jobs/ingest";

// Account has an external ID field; the integration user may write Accounts but not Industry.
class IngestOrg : public crmsync::testing::OrgFileEmulator {
 public:
  IngestOrg()
      : OrgFileEmulator("scale = 10\nseed = 7\n"
                        "[[custom_fields]]\nobject = \"Account\"\nname = \"Ext_Id__c\"\ntype = \"text\"\n"
                        "length = 40\nexternal_id = true\n"
                        "[[permission_sets]]\nname = \"crmsync_Integration\"\nobjects = { Account = { create = true, "
                        "edit = true, delete = true, view_all = true, modify_all = true } }\n"
                        "fields = { \"Account.Ext_Id__c\" = { edit = true }, \"Account.NumberOfEmployees\" = { edit = "
                        "true }, \"Account.Industry\" = { read = true, "
                        "edit = false } }\n") {}

  std::vector<std::vector<std::string>> results(const std::string& token, const std::string& id,
                                                const std::string& kind, char delimiter = ',') const {
    auto r = must(client().Get((kIngest + "/" + id + "/" + kind).c_str(), auth(token)));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.get_header_value("Content-Type"), "text/csv");
    return parse_csv(r.body, delimiter);
  }
  json records(const std::string& token, const std::string& soql, bool all = false) const {
    auto r = must(client().Get(("/services/data/v60.0/" + std::string(all ? "queryAll" : "query") +
                                "?q=" + httplib::detail::encode_query_param(soql))
                                   .c_str(),
                               auth(token)));
    if (r.status != 200) throw std::runtime_error("query failed: " + soql + " -> " + r.body);
    return json::parse(r.body)["records"];
  }
};

TEST(BulkIngestTest, InsertWritesEachRecordAndReportsSuccessesAndFailuresAsSalesforce) {
  IngestOrg org;
  const std::string token = org.integration();
  auto made = org.create(token, {{"object", "Account"}, {"operation", "insert"}, {"lineEnding", "LF"}});
  ASSERT_EQ(made.status, 200) << made.body;
  json job = json::parse(made.body);
  EXPECT_EQ(job["state"], "Open");
  EXPECT_EQ(job["id"].get<std::string>().substr(0, 3), "750");
  EXPECT_EQ(job["contentUrl"], "services/data/v60.0/jobs/ingest/" + job["id"].get<std::string>() + "/batches");
  EXPECT_EQ(job["apiVersion"], 60.0);

  const std::string id = org.load(token, {{"object", "Account"}, {"operation", "insert"}},
                                  "Name,Ext_Id__c,NumberOfEmployees\n"
                                  "Bulk One,B-1,10\n"
                                  "\"Bulk, \"\"Two\"\"\",B-2,\n"
                                  ",B-3,5\n"
                                  "Bulk Four,B-4,many\n");
  json done = org.wait(token, id);
  EXPECT_EQ(done["state"], "JobComplete");
  EXPECT_EQ(done["jobType"], "V2Ingest");
  EXPECT_EQ(done["numberRecordsProcessed"], 4);
  EXPECT_EQ(done["numberRecordsFailed"], 2);

  auto ok = org.results(token, id, "successfulResults");
  ASSERT_EQ(ok.size(), 3u) << ::testing::PrintToString(org.results(token, id, "failedResults"));
  EXPECT_EQ(ok[0], (std::vector<std::string>{"sf__Id", "sf__Created", "Name", "Ext_Id__c", "NumberOfEmployees"}));
  EXPECT_EQ(ok[1][1], "true");
  EXPECT_EQ(ok[2][2], "Bulk, \"Two\"");
  json saved = org.records(token, "SELECT Id, Name, NumberOfEmployees FROM Account WHERE Ext_Id__c = 'B-1'");
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0]["Id"], ok[1][0]);
  EXPECT_EQ(saved[0]["NumberOfEmployees"], 10);

  auto failed = org.results(token, id, "failedResults");
  ASSERT_EQ(failed.size(), 3u) << ::testing::PrintToString(failed);
  EXPECT_EQ(failed[0], (std::vector<std::string>{"sf__Id", "sf__Error", "Name", "Ext_Id__c", "NumberOfEmployees"}));
  EXPECT_EQ(failed[1][0], "");
  EXPECT_EQ(failed[1][1].rfind("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --", 0), 0u)
      << failed[1][1];
  EXPECT_EQ(failed[1][3], "B-3");
  EXPECT_EQ(failed[2][1].rfind("JSON_PARSER_ERROR:", 0), 0u) << failed[2][1];
  EXPECT_EQ(org.results(token, id, "unprocessedrecords").size(), 1u);  // the header only
}

TEST(BulkIngestTest, UpsertReportsCreatedAndUpdateAndDeleteWriteByIdAsTheCreator) {
  IngestOrg org;
  const std::string token = org.integration();
  const std::string first = org.load(token, {{"object", "Account"}, {"operation", "insert"}},
                                     "Name,Ext_Id__c\nUp One,U-1\n");
  ASSERT_EQ(org.wait(token, first)["state"], "JobComplete");
  const std::string existing = org.records(token, "SELECT Id FROM Account WHERE Ext_Id__c = 'U-1'")[0]["Id"];

  const std::string up = org.load(token,
                                  {{"object", "Account"}, {"operation", "upsert"}, {"externalIdFieldName", "Ext_Id__c"},
                                   {"columnDelimiter", "SEMICOLON"}, {"lineEnding", "CRLF"}},
                                  "Ext_Id__c;Name;Industry\r\nU-1;Up One Renamed;\r\nU-2;Up Two;\r\nU-3;Up Three;Energy\r\n");
  json done = org.wait(token, up);
  EXPECT_EQ(done["externalIdFieldName"], "Ext_Id__c");
  EXPECT_EQ(done["numberRecordsFailed"], 1);
  auto client = org.client();
  auto raw = client.Get((kIngest + "/" + up + "/successfulResults").c_str(), IngestOrg::auth(token));
  EXPECT_EQ(raw->body.substr(0, 33), "\"sf__Id\";\"sf__Created\";Ext_Id__c;") << raw->body;
  EXPECT_NE(raw->body.find("\r\n"), std::string::npos);
  json renamed = org.records(token, "SELECT Name FROM Account WHERE Id = '" + existing + "'");
  EXPECT_EQ(renamed[0]["Name"], "Up One Renamed");
  // The integration user may read Industry but not edit it: refused as a REST write is.
  auto failed = org.results(token, up, "failedResults", ';');
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[1][1].rfind("INVALID_FIELD_FOR_INSERT_UPDATE:Unable to create/update fields: Industry.", 0), 0u)
      << failed[1][1];

  // The successful results name each record and whether it was created.
  std::map<std::string, std::string> created;
  for (const auto& row : parse_csv(raw->body, ';')) {
    if (row.size() >= 3) created[row[2]] = row[1];
  }
  EXPECT_EQ(created["U-1"], "false");
  EXPECT_EQ(created["U-2"], "true");

  const std::string update = org.load(token, {{"object", "Account"}, {"operation", "update"}},
                                      "Id,Name\n" + existing + ",Up Updated\n001000000000000AAA,Nobody\n,No Id\n");
  EXPECT_EQ(org.wait(token, update)["numberRecordsFailed"], 2);
  EXPECT_EQ(org.records(token, "SELECT Name FROM Account WHERE Id = '" + existing + "'")[0]["Name"], "Up Updated");
  auto update_failed = org.results(token, update, "failedResults");
  ASSERT_EQ(update_failed.size(), 3u);
  EXPECT_EQ(update_failed[1][0], "001000000000000AAA");
  EXPECT_EQ(update_failed[1][1], "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--");
  EXPECT_EQ(update_failed[2][1], "MISSING_ARGUMENT:Id not specified in an update call:--");

  const std::string del = org.load(token, {{"object", "Account"}, {"operation", "delete"}}, "Id\n" + existing + "\n");
  EXPECT_EQ(org.wait(token, del)["numberRecordsFailed"], 0);
  EXPECT_TRUE(org.records(token, "SELECT Id FROM Account WHERE Id = '" + existing + "'").empty());
  EXPECT_EQ(org.records(token, "SELECT Id FROM Account WHERE Id = '" + existing + "'", true).size(), 1u);
}

TEST(BulkIngestTest, AnUpdateSettingARequiredFieldToNullFailsAsRequiredFieldMissing) {
  IngestOrg org;
  const std::string token = org.integration();
  const std::string first = org.load(token, {{"object", "Account"}, {"operation", "insert"}}, "Name,Ext_Id__c\nKeep Me,K-1\n");
  ASSERT_EQ(org.wait(token, first)["state"], "JobComplete");
  const std::string id = org.records(token, "SELECT Id FROM Account WHERE Ext_Id__c = 'K-1'")[0]["Id"];
  // #N/A sets a field to null: refused for Name, the record unchanged.
  const std::string update = org.load(token, {{"object", "Account"}, {"operation", "update"}}, "Id,Name\n" + id + ",#N/A\n");
  EXPECT_EQ(org.wait(token, update)["numberRecordsFailed"], 1);
  auto failed = org.results(token, update, "failedResults");
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[1][1].rfind("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --", 0), 0u)
      << failed[1][1];
  EXPECT_EQ(org.records(token, "SELECT Name FROM Account WHERE Id = '" + id + "'")[0]["Name"], "Keep Me");
}

TEST(BulkIngestTest, HardDeleteNeedsBulkApiHardDeleteAndSkipsTheRecycleBin) {
  IngestOrg org;
  const std::string token = org.integration();
  auto refused = org.create(token, {{"object", "Account"}, {"operation", "hardDelete"}});
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(json::parse(refused.body)[0]["errorCode"], "FEATURENOTENABLED");

  const std::string admin = org.admin();
  const std::string id = org.records(admin, "SELECT Id FROM Account LIMIT 1")[0]["Id"];
  const std::string job = org.load(admin, {{"object", "Account"}, {"operation", "hardDelete"}}, "Id\n" + id + "\n");
  json done = org.wait(admin, job);
  EXPECT_EQ(done["numberRecordsProcessed"], 1);
  EXPECT_EQ(done["numberRecordsFailed"], 0);
  EXPECT_TRUE(org.records(admin, "SELECT Id FROM Account WHERE Id = '" + id + "'", true).empty());
}

TEST(BulkIngestTest, UnreadableUploadFailsTheJobAndLeavesItsRecordsUnprocessed) {
  IngestOrg org;
  const std::string token = org.integration();
  const std::string csv = "Name,Nonexistent__c\nA,1\n";
  const std::string id = org.load(token, {{"object", "Account"}, {"operation", "insert"}}, csv);
  json done = org.wait(token, id);
  EXPECT_EQ(done["state"], "Failed");
  EXPECT_EQ(done["errorMessage"], "InvalidBatch : Field name not found : Nonexistent__c");
  EXPECT_EQ(done["numberRecordsProcessed"], 0);
  auto unprocessed = org.results(token, id, "unprocessedrecords");
  EXPECT_EQ(unprocessed, (std::vector<std::vector<std::string>>{{"Name", "Nonexistent__c"}, {"A", "1"}}));

  const std::string crlf = org.load(token, {{"object", "Account"}, {"operation", "insert"}}, "Name\r\nA\r\n");
  json crlf_done = org.wait(token, crlf);
  EXPECT_EQ(crlf_done["state"], "Failed");
  EXPECT_EQ(crlf_done["errorMessage"],
            "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF");
  EXPECT_TRUE(org.records(token, "SELECT Id FROM Account WHERE Name = 'A'").empty());
}

TEST(BulkIngestTest, JobsAreTheirCreatorsAndAnOpenJobTakesOneUploadUntilAbortedOrDeleted) {
  IngestOrg org;
  const std::string token = org.integration();
  const std::string admin = org.admin();
  auto bad = org.create(token, {{"object", "Nope__c"}, {"operation", "insert"}});
  EXPECT_EQ(bad.status, 400);
  auto no_key = org.create(token, {{"object", "Account"}, {"operation", "upsert"}});
  EXPECT_EQ(no_key.status, 400);
  auto not_ext = org.create(token, {{"object", "Account"}, {"operation", "upsert"}, {"externalIdFieldName", "Name"}});
  EXPECT_EQ(not_ext.status, 400);

  const std::string id = json::parse(org.create(token, {{"object", "Account"}, {"operation", "insert"}}).body)["id"];
  auto client = org.client();
  const std::string batches = kIngest + "/" + id + "/batches";
  EXPECT_EQ(client.Put(batches.c_str(), IngestOrg::auth(token), "Name\nX\n", "text/csv")->status, 201);
  auto twice = client.Put(batches.c_str(), IngestOrg::auth(token), "Name\nY\n", "text/csv");
  EXPECT_EQ(twice->status, 400);
  EXPECT_EQ(json::parse(twice->body)[0]["errorCode"], "BULK_API_ERROR");

  // Another user's job is unknown to it: its info, upload, state and deletion.
  EXPECT_EQ(client.Get((kIngest + "/" + id).c_str(), IngestOrg::auth(admin))->status, 404);
  EXPECT_EQ(org.set_state(admin, id, "Aborted").status, 404);
  EXPECT_EQ(client.Delete((kIngest + "/" + id).c_str(), IngestOrg::auth(admin))->status, 404);
  EXPECT_TRUE(json::parse(client.Get(kIngest.c_str(), IngestOrg::auth(admin))->body)["records"].empty());
  json mine = json::parse(client.Get(kIngest.c_str(), IngestOrg::auth(token))->body);
  ASSERT_EQ(mine["records"].size(), 1u);
  EXPECT_EQ(mine["records"][0]["id"], id);

  auto aborted = org.set_state(token, id, "Aborted");
  ASSERT_EQ(aborted.status, 200) << aborted.body;
  EXPECT_EQ(json::parse(aborted.body)["state"], "Aborted");
  EXPECT_EQ(org.set_state(token, id, "UploadComplete").status, 409);
  EXPECT_EQ(org.results(token, id, "unprocessedrecords").size(), 2u);  // the upload, never read
  EXPECT_TRUE(org.records(token, "SELECT Id FROM Account WHERE Name = 'X'").empty());
  EXPECT_EQ(client.Delete((kIngest + "/" + id).c_str(), IngestOrg::auth(token))->status, 204);
  EXPECT_EQ(client.Get((kIngest + "/" + id).c_str(), IngestOrg::auth(token))->status, 404);
  // Ingest jobs came with API 41.0.
  EXPECT_EQ(client.Get("/services/data/v40.0/jobs/ingest", IngestOrg::auth(token))->status, 404);
}

}  // namespace
}  // namespace crmsync::emulator
