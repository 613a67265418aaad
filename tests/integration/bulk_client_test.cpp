// The Bulk API 2.0 client and the sync's fetch_bulk against the emulator: a job created, polled,
// read by locator and deleted; fetch_bulk's rows equal to what the REST path (queryAll pages
// through PageParser) stores for the same selection; Salesforce's refusals, abort and the timeout
// surfaced as typed errors.
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "salesforce/bulk.h"
#include "sync/csv_parser.h"
#include "sync/page_parser.h"
#include "test_support.h"

namespace crmsync {
namespace {

using namespace std::chrono_literals;

class BulkClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    salesforce::ConnectOptions o;
    o.login_url = emu_->base_url();
    o.client_id = "crmsync-local";
    o.client_secret = "crmsync-local-secret";
    o.username = "integration@crmsync.test";
    o.password = "integration-pass";
    auto c = salesforce::Client::connect(o);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    client_ = std::move(*c);
  }

  static salesforce::BulkQueryOptions fast() {
    salesforce::BulkQueryOptions o;
    o.first_poll = 2ms;
    o.max_poll = 20ms;
    o.timeout = 60s;
    return o;
  }

  catalog::FieldSelection selection(const std::string& object) {
    auto describe = client_->describe(object);
    EXPECT_TRUE(describe.ok());
    auto sel = catalog::select_fields(*describe, {});
    EXPECT_TRUE(sel.ok());
    return *sel;
  }

  static std::string soql_for(const catalog::FieldSelection& sel) {
    std::string q = "SELECT ";
    for (std::size_t i = 0; i < sel.fields.size(); ++i) q += (i ? ", " : "") + sel.fields[i].name;
    return q + " FROM " + sel.object + " ORDER BY " + sel.modstamp_field + ", Id";
  }

  testing::RunningEmulator emu_{30, 11};
  std::unique_ptr<salesforce::Client> client_;
};

TEST_F(BulkClientTest, QueryJobIsPolledReadByLocatorAndDeleted) {
  auto rest = client_->query("SELECT Id FROM Contact", true);
  ASSERT_TRUE(rest.ok());
  auto o = fast();
  o.include_deleted = true;
  o.max_records = 9;
  std::int64_t records = 0;
  int chunks = 0;
  auto stats = salesforce::bulk_query(*client_, "SELECT Id, LastName FROM Contact", o,
                                      [&](const salesforce::BulkChunk& chunk) -> Status {
                                        EXPECT_EQ(chunk.index, chunks);
                                        EXPECT_TRUE(chunk.csv.starts_with("\"Id\",\"LastName\"\n"));
                                        EXPECT_LE(chunk.records, 9);
                                        records += chunk.records;
                                        ++chunks;
                                        return ok_status();
                                      });
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(records, rest->total_size);
  EXPECT_EQ(stats->records, rest->total_size);
  EXPECT_EQ(stats->chunks, static_cast<int>((rest->total_size + 8) / 9));
  EXPECT_GE(stats->polls, 2);  // a job is never complete at its first poll
  auto gone = salesforce::get_query_job(*client_, stats->job_id);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
}

TEST_F(BulkClientTest, FetchBulkStoresTheRowsTheRestPathStores) {
  for (const char* object : {"Opportunity", "Task", "Contact"}) {
    auto sel = selection(object);
    const std::string soql = soql_for(sel);
    std::vector<std::vector<store::Value>> rest_rows;
    std::int64_t rest_deleted = 0;
    sync::PageParser json(sel);
    sync::ParsedPage parsed;  // the sync's one-pass path: records read while the client checks the page
    auto page = client_->query(soql, true, 0, json.reader(parsed));
    while (true) {
      ASSERT_TRUE(page.ok()) << page.error().to_string();
      EXPECT_TRUE(page->body.empty());
      rest_deleted += parsed.deleted;
      for (std::size_t r = 0; r < parsed.rows.size(); ++r) rest_rows.push_back(parsed.rows[r]);
      if (page->done) break;
      page = client_->query_more(page->next_records_url, json.reader(parsed));
    }
    ASSERT_GT(rest_rows.size(), 10u) << object;

    auto o = fast();
    o.max_records = 17;
    std::vector<std::vector<store::Value>> bulk_rows;
    auto stats = sync::fetch_bulk(*client_, soql, /*all_rows=*/true, sel, o, [&](sync::ParsedPage& p) -> Status {
      for (std::size_t r = 0; r < p.rows.size(); ++r) bulk_rows.push_back(p.rows[r]);
      return ok_status();
    });
    ASSERT_TRUE(stats.ok()) << stats.error().to_string();
    EXPECT_EQ(stats->records, static_cast<std::int64_t>(rest_rows.size()));
    EXPECT_EQ(stats->deleted, rest_deleted);
    ASSERT_EQ(bulk_rows.size(), rest_rows.size()) << object;
    for (std::size_t i = 0; i < rest_rows.size(); ++i) ASSERT_EQ(bulk_rows[i], rest_rows[i]) << object << " row " << i;
  }
}

TEST_F(BulkClientTest, RefusalsAbortAndTimeoutAreTypedErrors) {
  auto compound = salesforce::create_query_job(*client_, "SELECT Id, BillingAddress FROM Account", false);
  ASSERT_FALSE(compound.ok());
  EXPECT_EQ(compound.error().kind, ErrorKind::kSalesforce);
  EXPECT_EQ(compound.error().code, "API_ERROR");
  EXPECT_NE(compound.error().message.find("compound"), std::string::npos);

  auto bad = sync::fetch_bulk(*client_, "SELECT Nope FROM Account", false, selection("Account"), fast(),
                              [](sync::ParsedPage&) { return ok_status(); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "INVALID_FIELD");

  auto job = salesforce::create_query_job(*client_, "SELECT Id FROM Lead", false);
  ASSERT_TRUE(job.ok());
  auto aborted = salesforce::abort_query_job(*client_, job->id);
  ASSERT_TRUE(aborted.ok()) << aborted.error().to_string();
  EXPECT_EQ(aborted->state, "Aborted");
  auto waited = salesforce::wait_for_query_job(*client_, job->id, fast());
  ASSERT_TRUE(waited.ok());
  EXPECT_EQ(waited->state, "Aborted");
  EXPECT_TRUE(salesforce::delete_query_job(*client_, job->id).ok());

  auto o = fast();
  o.timeout = 1ms;  // the first poll always finds the job InProgress
  auto timed_out = salesforce::bulk_query(*client_, "SELECT Id FROM Lead", o,
                                          [](const salesforce::BulkChunk&) { return ok_status(); });
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().code, "BULK_JOB_TIMEOUT");
  EXPECT_NE(timed_out.error().message.find("Lead"), std::string::npos);
}

}  // namespace
}  // namespace crmsync
