// The emulator's Bulk API 2.0 query jobs over loopback: job life cycle and states, CSV results
// paged by Sforce-Locator and maxRecords equal to the REST query, queryAll, abort, delete, and
// each SOQL restriction refused at creation with Salesforce's error.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "emulator/emulator.h"
#include "csv_support.h"
#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

const std::string kData = "/services/data/v60.0";

using crmsync::testing::parse_csv;

class BulkEmulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    emu_ = new Emulator({.port = 0, .org = {.seed = 42, .scale = 40}, .bulk_processing_ms = 5});
    ASSERT_TRUE(emu_->start().ok());
    token_ = crmsync::testing::password_login(emu_->port(), "admin@crmsync.test", "admin-pass");
  }
  static void TearDownTestSuite() {
    emu_->stop();
    delete emu_;
  }

  static httplib::Client client() { return crmsync::testing::loopback_client(emu_->port()); }
  static httplib::Headers auth() { return crmsync::testing::bearer(token_); }

  static httplib::Result create(const json& body, const std::string& base = kData) {
    return client().Post((base + "/jobs/query").c_str(), auth(), body.dump(), "application/json");
  }
  static json create_ok(const std::string& soql, const std::string& operation = "query") {
    auto r = create({{"operation", operation}, {"query", soql}});
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  }
  static json info(const std::string& id) {
    auto r = client().Get((kData + "/jobs/query/" + id).c_str(), auth());
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  }
  static json wait_complete(const std::string& id) {
    json j;
    for (int i = 0; i < 500; ++i) {
      j = info(id);
      if (j["state"] != "UploadComplete" && j["state"] != "InProgress") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return j;
  }
  static httplib::Result results(const std::string& id, const std::string& query = "") {
    return client().Get((kData + "/jobs/query/" + id + "/results" + query).c_str(), auth());
  }
  // Every record of a completed job, fetched by locator in pages of `max_records`.
  static std::vector<std::vector<std::string>> all_results(const std::string& id, int max_records, int* pages) {
    std::vector<std::vector<std::string>> rows;
    std::string locator;
    *pages = 0;
    do {
      std::string q = "?maxRecords=" + std::to_string(max_records) + (locator.empty() ? "" : "&locator=" + locator);
      auto r = results(id, q);
      EXPECT_EQ(r->status, 200) << r->body;
      if (r->status != 200) break;
      EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv");
      auto page = parse_csv(r->body);
      EXPECT_FALSE(page.empty());
      EXPECT_EQ(std::to_string(page.size() - 1), r->get_header_value("Sforce-NumberOfRecords"));
      EXPECT_LE(page.size() - 1, static_cast<std::size_t>(max_records));
      if (rows.empty()) rows.push_back(page[0]);
      EXPECT_EQ(page[0], rows[0]);  // the header row on every page
      rows.insert(rows.end(), page.begin() + 1, page.end());
      locator = r->get_header_value("Sforce-Locator");
      ++*pages;
    } while (locator != "null" && *pages < 1000);
    return rows;
  }
  static json rest_records(const std::string& soql, bool all) {
    json records = json::array();
    std::string path = kData + (all ? "/queryAll" : "/query") + "?q=" + httplib::detail::encode_query_param(soql);
    while (true) {
      auto r = client().Get(path.c_str(), auth());
      json page = json::parse(r->body);
      for (auto& rec : page["records"]) records.push_back(rec);
      if (page["done"] == true) break;
      path = page["nextRecordsUrl"];
    }
    return records;
  }
  static void expect_refused(const std::string& soql, const std::string& code, const std::string& message_part) {
    auto r = create({{"operation", "query"}, {"query", soql}});
    ASSERT_EQ(r->status, 400) << soql << " -> " << r->body;
    json e = json::parse(r->body);
    EXPECT_EQ(e[0]["errorCode"], code) << soql;
    EXPECT_NE(e[0]["message"].get<std::string>().find(message_part), std::string::npos) << r->body;
  }

  static Emulator* emu_;
  static std::string token_;
};
Emulator* BulkEmulatorTest::emu_ = nullptr;
std::string BulkEmulatorTest::token_;

TEST_F(BulkEmulatorTest, JobIsCreatedPolledAndPagedByLocatorLikeTheRestQuery) {
  const std::string soql =
      "SELECT Id, Name, Amount, CloseDate, IsWon, StageName, SystemModstamp FROM Opportunity ORDER BY SystemModstamp, Id";
  json job = create_ok(soql);
  const std::string id = job["id"];
  EXPECT_EQ(id.substr(0, 3), "750");
  EXPECT_EQ(id.size(), 18u);
  EXPECT_EQ(job["operation"], "query");
  EXPECT_EQ(job["object"], "Opportunity");
  EXPECT_EQ(job["state"], "UploadComplete");
  EXPECT_EQ(job["contentType"], "CSV");
  EXPECT_EQ(job["concurrencyMode"], "Parallel");
  EXPECT_EQ(job["lineEnding"], "LF");
  EXPECT_EQ(job["columnDelimiter"], "COMMA");
  EXPECT_DOUBLE_EQ(job["apiVersion"].get<double>(), 60.0);
  EXPECT_EQ(job["createdById"].get<std::string>().substr(0, 3), "005");
  EXPECT_EQ(job["createdDate"].get<std::string>().size(), 28u);  // 2024-04-25T15:50:37.000+0000

  json first = info(id);  // never complete at the first poll
  EXPECT_EQ(first["state"], "InProgress");
  EXPECT_EQ(first["jobType"], "V2Query");
  EXPECT_EQ(first["numberRecordsProcessed"], 0);

  auto early = results(id);
  if (early->status != 200) {  // unless the processing time already passed and this call completed it
    EXPECT_EQ(early->status, 412);
    EXPECT_EQ(json::parse(early->body)[0]["errorCode"], "JOB_NOT_COMPLETE");
  }

  json done = wait_complete(id);
  ASSERT_EQ(done["state"], "JobComplete");
  json rest = rest_records(soql, false);
  ASSERT_GT(rest.size(), 20u);
  EXPECT_EQ(done["numberRecordsProcessed"], rest.size());

  int pages = 0;
  auto rows = all_results(id, 7, &pages);
  EXPECT_EQ(pages, static_cast<int>((rest.size() + 6) / 7));
  ASSERT_EQ(rows.size(), rest.size() + 1);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Id", "Name", "Amount", "CloseDate", "IsWon", "StageName",
                                                "SystemModstamp"}));
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const json& r = rest[i];
    const auto& c = rows[i + 1];
    ASSERT_EQ(c.size(), 7u);
    EXPECT_EQ(c[0], r["Id"]);
    EXPECT_EQ(c[1], r["Name"]);
    EXPECT_EQ(c[3], r["CloseDate"].is_null() ? "" : r["CloseDate"].get<std::string>());
    EXPECT_EQ(c[4], r["IsWon"].get<bool>() ? "true" : "false");
    if (r["Amount"].is_null()) {
      EXPECT_EQ(c[2], "");
    } else {
      EXPECT_DOUBLE_EQ(std::stod(c[2]), r["Amount"].get<double>());
    }
    // 2024-01-02T03:04:05.000+0000 in JSON is 2024-01-02T03:04:05.000Z in Bulk CSV.
    std::string stamp = r["SystemModstamp"];
    EXPECT_EQ(c[6], stamp.substr(0, 23) + "Z");
  }

  // A locator can be fetched again while the job exists.
  auto again = results(id, "?maxRecords=7");
  EXPECT_EQ(parse_csv(again->body)[1], rows[1]);
}

TEST_F(BulkEmulatorTest, QueryAllIncludesDeletedRows) {
  auto made = client().Post((kData + "/sobjects/Account").c_str(), auth(), R"({"Name":"Soon gone"})",
                            "application/json");
  ASSERT_EQ(made->status, 201);
  const std::string gone = json::parse(made->body)["id"];
  ASSERT_EQ(client().Delete((kData + "/sobjects/Account/" + gone).c_str(), auth())->status, 204);
  const std::string soql = "SELECT Id, IsDeleted FROM Account";
  const std::string live = create_ok(soql, "query")["id"];
  const std::string all = create_ok(soql, "queryAll")["id"];
  ASSERT_EQ(wait_complete(live)["state"], "JobComplete");
  ASSERT_EQ(wait_complete(all)["state"], "JobComplete");
  int pages = 0;
  auto live_rows = all_results(live, 100000, &pages);
  EXPECT_EQ(pages, 1);
  auto all_rows = all_results(all, 100000, &pages);
  EXPECT_EQ(live_rows.size() - 1, rest_records(soql, false).size());
  EXPECT_EQ(all_rows.size() - 1, rest_records(soql, true).size());
  std::size_t deleted = 0;
  bool seen_gone = false;
  for (std::size_t i = 1; i < all_rows.size(); ++i) {
    deleted += all_rows[i][1] == "true";
    seen_gone = seen_gone || all_rows[i][0] == gone;
  }
  EXPECT_TRUE(seen_gone);
  EXPECT_GT(deleted, 0u);
  EXPECT_EQ(all_rows.size(), live_rows.size() + deleted);
}

TEST_F(BulkEmulatorTest, CsvQuotesEveryValueAndKeepsQuotesCommasAndNewlines) {
  auto made = client().Post((kData + "/sobjects/Account").c_str(), auth(),
                            json{{"Name", "He said \"hi\", then\nleft \xC3\xA9"}}.dump(), "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string acct = json::parse(made->body)["id"];
  auto r = create({{"operation", "query"},
                   {"query", "SELECT Id, Name, Website, IsDeleted FROM Account WHERE Id = '" + acct + "'"},
                   {"lineEnding", "CRLF"},
                   {"columnDelimiter", "PIPE"}});
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string id = json::parse(r->body)["id"];
  EXPECT_EQ(json::parse(r->body)["columnDelimiter"], "PIPE");
  ASSERT_EQ(wait_complete(id)["state"], "JobComplete");
  auto body = results(id);
  ASSERT_EQ(body->status, 200);
  EXPECT_EQ(body->body, "\"Id\"|\"Name\"|\"Website\"|\"IsDeleted\"\r\n\"" + acct +
                            "\"|\"He said \"\"hi\"\", then\nleft \xC3\xA9\"||\"false\"\r\n");
  EXPECT_EQ(body->get_header_value("Sforce-Locator"), "null");
  EXPECT_EQ(body->get_header_value("Sforce-NumberOfRecords"), "1");
}

TEST_F(BulkEmulatorTest, AbortAndDelete) {
  const std::string id = create_ok("SELECT Id FROM Contact")["id"];
  auto aborted = client().Patch((kData + "/jobs/query/" + id).c_str(), auth(), R"({"state":"Aborted"})",
                                "application/json");
  ASSERT_EQ(aborted->status, 200) << aborted->body;
  EXPECT_EQ(json::parse(aborted->body)["state"], "Aborted");
  EXPECT_EQ(info(id)["state"], "Aborted");
  auto res = results(id);
  EXPECT_EQ(res->status, 412);
  EXPECT_NE(res->body.find("Current status: ABORTED"), std::string::npos) << res->body;
  auto twice = client().Patch((kData + "/jobs/query/" + id).c_str(), auth(), R"({"state":"Aborted"})",
                              "application/json");
  EXPECT_EQ(twice->status, 400);

  auto list = client().Get((kData + "/jobs/query").c_str(), auth());
  ASSERT_EQ(list->status, 200);
  json listed = json::parse(list->body);
  EXPECT_EQ(listed["done"], true);
  bool found = false;
  for (const auto& j : listed["records"]) found = found || j["id"] == id;
  EXPECT_TRUE(found);

  auto gone = client().Delete((kData + "/jobs/query/" + id).c_str(), auth());
  EXPECT_EQ(gone->status, 204);
  auto after = client().Get((kData + "/jobs/query/" + id).c_str(), auth());
  EXPECT_EQ(after->status, 404);
  EXPECT_EQ(json::parse(after->body)[0]["errorCode"], "NOT_FOUND");
  EXPECT_EQ(client().Delete((kData + "/jobs/query/" + id).c_str(), auth())->status, 404);
}

TEST_F(BulkEmulatorTest, RestrictionsAndBadSoqlAreRefusedAtCreation) {
  expect_refused("SELECT Id, BillingAddress FROM Account", "API_ERROR",
                 "Selecting compound data not supported in Bulk Query");
  expect_refused("SELECT COUNT() FROM Account", "API_ERROR", "Aggregate queries are not supported");
  expect_refused("SELECT SUM(Amount) FROM Opportunity", "API_ERROR", "Aggregate queries are not supported");
  expect_refused("SELECT StageName FROM Opportunity GROUP BY StageName", "API_ERROR", "GROUP BY");
  expect_refused("SELECT Id FROM Account LIMIT 10 OFFSET 5", "API_ERROR", "OFFSET");
  expect_refused("SELECT Id, (SELECT Id FROM Contacts) FROM Account", "API_ERROR",
                 "Aggregate Relationships not supported in Bulk Query");
  expect_refused("SELECT Nope FROM Account", "INVALID_FIELD", "No such column 'Nope' on entity 'Account'");
  expect_refused("SELECT Id FROM Nope", "INVALID_TYPE", "sObject type 'Nope' is not supported");
  expect_refused("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token");

  auto bad_op = create({{"operation", "insert"}, {"query", "SELECT Id FROM Account"}});
  EXPECT_EQ(bad_op->status, 400);
  auto old = create({{"operation", "query"}, {"query", "SELECT Id FROM Account"}}, "/services/data/v46.0");
  EXPECT_EQ(old->status, 404);
  auto unknown = client().Get((kData + "/jobs/query/750RO0000000000AAA/results").c_str(), auth());
  EXPECT_EQ(unknown->status, 404);
}

}  // namespace
}  // namespace crmsync::emulator
