// sObject Collections results in Salesforce's shapes, and which per-record errors are retried.
#include <gtest/gtest.h>

#include "salesforce/collections.h"

namespace crmsync::salesforce {
namespace {

using nlohmann::json;

TEST(CollectionsTest, ParsesPerRecordResultsInOrder) {
  json body = json::parse(R"([
    {"id":"00T000000000001EAA","success":true,"errors":[],"created":true},
    {"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Subject]","fields":["Subject"]}]},
    {"id":"00T000000000002EAA","success":true,"errors":[],"created":false}
  ])");
  auto r = parse_collection_results(body, 3);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_TRUE((*r)[0].success);
  EXPECT_TRUE((*r)[0].created);
  EXPECT_EQ((*r)[0].id, "00T000000000001EAA");
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

TEST(CollectionsTest, AMemberOfTheWrongTypeIsAnErrorNamingItNotAnException) {
  // Issue #13: "success": "yes" aborted crmsync export with an uncaught nlohmann::type_error.
  auto yes = parse_collection_results(json::parse(R"([{"id":"00T000000000001EAA","success":"yes","errors":[]}])"), 1,
                                      "sObject Collections create Task");
  ASSERT_FALSE(yes);
  EXPECT_EQ(yes.error().code, "MALFORMED_RESPONSE");
  EXPECT_EQ(yes.error().message,
            "Salesforce's answer to sObject Collections create Task (result 1 of 1) was malformed: \"success\" is a "
            "string (\"yes\"), not a boolean.");
  const char* bad[] = {
      R"([{"id":"00T000000000001EAA","success":true,"created":"no"}])",
      R"([{"id":"00T000000000001EAA","success":true,"errors":{}}])",
      R"([{"success":false,"errors":[{"statusCode":42,"message":"m"}]}])",
      R"([{"success":false,"errors":["REQUIRED_FIELD_MISSING"]}])",
      R"([{"success":false,"errors":[{"statusCode":"X","message":"m","fields":"Subject"}]}])",
      R"([{"success":false,"errors":[{"statusCode":"X","message":"m","fields":[7]}]}])",
      R"(["00T000000000001EAA"])",
      R"([{"id":"00T000000000001EAA"}])",
  };
  for (const char* body : bad) {
    auto r = parse_collection_results(json::parse(body), 1);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, "MALFORMED_RESPONSE") << body;
    EXPECT_NE(r.error().message.find("(result 1 of 1)"), std::string::npos) << r.error().message;
  }
}

TEST(CollectionsTest, ASuccessWithoutAValidRecordIdIsNotAWrite) {
  // Issue #13: "id": 12345 was recorded as written with an empty Salesforce id.
  for (const char* id : {"12345", "null", "\"\"", "\"00T00000000001\"", "\"00T000000000001AAA\"", "\"00T00000000000!EAA\""}) {
    auto r = parse_collection_results(json::parse(std::string(R"([{"success":true,"errors":[],"id":)") + id + "}]"), 1);
    ASSERT_FALSE(r) << id;
    EXPECT_EQ(r.error().code, "MALFORMED_RESPONSE");
    EXPECT_NE(r.error().message.find("\"id\" is "), std::string::npos) << r.error().message;
  }
  EXPECT_NE(parse_collection_results(json::parse(R"([{"success":true,"id":"12345"}])"), 1)
                .error()
                .message.find("it reports success without a valid record id (\"id\" is a string (\"12345\"))"),
            std::string::npos);
  auto absent = parse_collection_results(json::parse(R"([{"success":true}])"), 1);
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().message.find("(\"id\" is absent)"), std::string::npos) << absent.error().message;
  // A 15-character id and a refusal without one are fine.
  auto fine = parse_collection_results(
      json::parse(R"([{"success":true,"id":"00T000000000001"},{"success":false,"id":null,"errors":[]}])"), 2);
  ASSERT_TRUE(fine) << fine.error().to_string();
  EXPECT_EQ((*fine)[0].id, "00T000000000001");
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
