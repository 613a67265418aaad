// The incremental window, the SOQL text and the URI split, without sockets.
#include <gtest/gtest.h>

#include "sync/query_plan.h"
#include "sync/quota.h"

namespace crmsync::sync {
namespace {

EpochMs at(const char* iso) { return *parse_datetime(iso); }

TEST(QueryPlanTest, IncrementWindowIsWatermarkMinusLookbackToNowMinusSettle) {
  Window w = increment_window(at("2024-05-01T10:00:00.500Z"), at("2024-05-01T12:00:00.900Z"), 300, 2);
  ASSERT_TRUE(w.start && w.end);
  EXPECT_EQ(*w.start, at("2024-05-01T09:55:00.000Z"));  // rounded down: SOQL literals have no ms
  EXPECT_EQ(*w.end, at("2024-05-01T11:59:59.000Z"));  // rounded up; the lookback covers the rest
  Window first = increment_window(std::nullopt, at("2024-05-01T12:00:00Z"), 300, 2);
  EXPECT_FALSE(first.start);
  EXPECT_EQ(*first.end, at("2024-05-01T11:59:58Z"));  // already whole
}

TEST(QueryPlanTest, SoqlCarriesTheWindowAndTheOrder) {
  Window w{at("2024-05-01T09:55:00Z"), at("2024-05-01T11:59:58Z")};
  EXPECT_EQ(build_soql("Account", {"Id", "Name", "SystemModstamp"}, "SystemModstamp", w),
            "SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2024-05-01T09:55:00Z AND "
            "SystemModstamp < 2024-05-01T11:59:58Z ORDER BY SystemModstamp, Id");
  EXPECT_EQ(build_soql("OpportunityStage", {"Id", "MasterLabel"}, "", w),
            "SELECT Id, MasterLabel FROM OpportunityStage ORDER BY Id");
  EXPECT_EQ(build_soql("Lead", {"Id"}, "SystemModstamp", Window{std::nullopt, at("2024-05-01T11:59:58Z")}),
            "SELECT Id FROM Lead WHERE SystemModstamp < 2024-05-01T11:59:58Z ORDER BY SystemModstamp, Id");
}

TEST(QueryPlanTest, NarrowFieldListsAreOneQuery) {
  auto groups = split_fields("Account", {"Id", "Name", "SystemModstamp"}, "SystemModstamp", {}, 60, 16384);
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->size(), 1u);
}

TEST(QueryPlanTest, WideFieldListsSplitIntoQueriesThatEachFitAndEachCarryIdAndModstamp) {
  std::vector<std::string> fields = {"Id", "SystemModstamp"};
  for (int i = 0; i < 600; ++i) fields.push_back("A_Rather_Long_Custom_Field_Name_Number_" + std::to_string(i) + "__c");
  Window w{at("2024-05-01T09:55:00Z"), at("2024-05-01T11:59:58Z")};
  auto groups = split_fields("Account", fields, "SystemModstamp", w, 80, 16384);
  ASSERT_TRUE(groups.ok()) << groups.error().to_string();
  EXPECT_GE(groups->size(), 2u);
  std::size_t carried = 0;
  for (const auto& g : *groups) {
    ASSERT_GE(g.size(), 3u);
    EXPECT_EQ(g[0], "Id");
    EXPECT_EQ(g[1], "SystemModstamp");
    EXPECT_LE(query_uri_length(80, build_soql("Account", g, "SystemModstamp", w)), 16384u);
    carried += g.size() - 2;
  }
  EXPECT_EQ(carried, 600u);  // every field exactly once
}

// Salesforce's 16,384 bytes hold the URI and the headers together (431 beyond): every part's
// request, with the headers crmsync sends on a query (a Salesforce access token is about 112
// characters), fits.
TEST(QueryPlanTest, EachPartsUriAndHeadersTogetherFitSalesforces16384Bytes) {
  const std::string instance = "https://acme-corporation-worldwide--uat.sandbox.my.salesforce.com";
  const std::string headers = "GET  HTTP/1.1\r\nHost: acme-corporation-worldwide--uat.sandbox.my.salesforce.com\r\n"
                              "Authorization: Bearer 00D5g000004XyZa!" + std::string(96, 'x') + "\r\n"
                              "Accept: application/json\r\nAccept-Encoding: deflate, gzip, br, zstd\r\n"
                              "Sforce-Query-Options: batchSize=2000\r\n\r\n";
  std::vector<std::string> fields = {"Id", "SystemModstamp"};
  for (int i = 0; i < 900; ++i) fields.push_back("Quarterly_Commentary_" + std::to_string(i) + "__c");
  Window w{at("2024-05-01T09:55:00Z"), at("2024-05-01T11:59:58Z")};
  auto groups = split_fields("Account", fields, "SystemModstamp", w, query_prefix_length(instance, "62.0"), 16384);
  ASSERT_TRUE(groups.ok()) << groups.error().to_string();
  EXPECT_GE(groups->size(), 2u);
  const std::size_t path = instance.size() + std::string("/services/data/v62.0/queryAll/?q=").size();
  for (std::size_t i = 0; i < groups->size(); ++i) {
    std::size_t request =
        query_uri_length(path, build_soql("Account", (*groups)[i], "SystemModstamp", w)) + headers.size();
    EXPECT_LE(request, 16384u) << "part " << i;
    if (i + 1 < groups->size()) {
      EXPECT_GT(request, 14000u) << "part " << i << " cut needlessly small";
    }
  }
}

TEST(QueryPlanTest, AFieldTooLongAloneIsRefusedByName) {
  auto groups = split_fields("Account", {"Id", "SystemModstamp", std::string(400, 'X') + "__c"}, "SystemModstamp", {},
                             80, 300);
  ASSERT_FALSE(groups.ok());
  EXPECT_EQ(groups.error().code, "URI_TOO_LONG");
  EXPECT_NE(groups.error().message.find("[objects.Account]"), std::string::npos);
}

TEST(QuotaGuardTest, MaxApiCallsThenDailyShareThenRunShare) {
  QuotaGuard bounded(0.8, 0.25, 10);
  bounded.add_calls(9);
  EXPECT_TRUE(bounded.check({}).ok());
  bounded.add_calls(1);
  auto stop = bounded.check({});
  ASSERT_FALSE(stop.ok());
  EXPECT_TRUE(is_quota_stop(stop.error()));
  EXPECT_NE(stop.error().message.find("--max-api-calls"), std::string::npos);

  // Calls in flight on other threads may pass the cap: the message names the cap, then what was made.
  QuotaGuard raced(0.8, 0.25, 6);
  raced.add_calls(7);
  auto over = raced.check({});
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("its own cap of 6 API calls (--max-api-calls 6; 7 made"), std::string::npos)
      << over.error().message;

  QuotaGuard daily(0.8, 0.25, 0);
  EXPECT_TRUE(daily.check({.used = 7999, .max = 10000}).ok());
  auto full = daily.check({.used = 8000, .max = 10000});
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().message.find("8000 of its 10000"), std::string::npos) << full.error().message;
  EXPECT_FALSE(daily.check({.used = 10, .max = 10000}).ok());  // stays tripped for the run

  QuotaGuard run(0.8, 0.25, 0);
  run.add_calls(2499);
  EXPECT_TRUE(run.check({.used = 3000, .max = 10000}).ok());
  run.add_calls(1);
  auto spent = run.check({.used = 3001, .max = 10000});
  ASSERT_FALSE(spent.ok());
  EXPECT_NE(spent.error().message.find("quota_run_share"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::sync
