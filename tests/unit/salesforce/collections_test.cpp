// sObject Collections results in Salesforce's shapes, and which per-record errors are retried.
#include <gtest/gtest.h>

#include "salesforce/collections.h"

namespace crmsync::salesforce {
namespace {

using nlohmann::json;

TEST(CollectionsTest, ParsesPerRecordResultsInOrder) {
  json body = json::parse(R"([
    {"id":"00T000000000001AAA","success":true,"errors":[],"created":true},
    {"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Subject]","fields":["Subject"]}]},
    {"id":"00T000000000002AAA","success":true,"errors":[],"created":false}
  ])");
  auto r = parse_collection_results(body, 3);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_TRUE((*r)[0].success);
  EXPECT_TRUE((*r)[0].created);
  EXPECT_EQ((*r)[0].id, "00T000000000001AAA");
  EXPECT_FALSE((*r)[1].success);
  ASSERT_EQ((*r)[1].errors.size(), 1u);
  EXPECT_EQ((*r)[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ((*r)[1].errors[0].message, "Required fields are missing: [Subject]");
  EXPECT_EQ((*r)[1].errors[0].fields, std::vector<std::string>{"Subject"});
  EXPECT_FALSE((*r)[2].created);
}

TEST(CollectionsTest, RefusesAnswersThatDoNotFitTheRequest) {
  EXPECT_EQ(parse_collection_results(json::object(), 1).error().code, "MALFORMED_RESPONSE");
  EXPECT_EQ(parse_collection_results(json::array({{{"success", true}}}), 2).error().code, "MALFORMED_RESPONSE");
  auto no_reason = parse_collection_results(json::array({{{"success", false}}}), 1);
  ASSERT_TRUE(no_reason);
  EXPECT_EQ((*no_reason)[0].errors.at(0).status_code, "UNKNOWN_ERROR");
}

TEST(CollectionsTest, OnlyTransientErrorsAreRetried) {
  EXPECT_TRUE(is_retryable("UNABLE_TO_LOCK_ROW"));
  EXPECT_TRUE(is_retryable("SERVER_UNAVAILABLE"));
  EXPECT_FALSE(is_retryable("REQUIRED_FIELD_MISSING"));
  EXPECT_FALSE(is_retryable("INSUFFICIENT_ACCESS_OR_READONLY"));
  EXPECT_FALSE(is_retryable("INVALID_CROSS_REFERENCE_KEY"));
  EXPECT_FALSE(is_retryable("ENTITY_IS_DELETED"));
}

}  // namespace
}  // namespace crmsync::salesforce
