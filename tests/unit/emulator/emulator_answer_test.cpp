// Emulator::answer: requests answered in-process as the server answers them, without a socket;
// and inputs fuzz/emulator_request.cpp found: every answer is JSON a client can read.
#include <gtest/gtest.h>

#include "common/text.h"
#include "in_process.h"

namespace crmsync::emulator {
namespace {

using testing::answer;
using testing::request;

class EmulatorAnswerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    EmulatorOptions options;
    options.org = {.seed = 42, .scale = 2};
    emu_ = new Emulator(options);
    ASSERT_TRUE(emu_->load().ok());
    token_ = testing::login(*emu_, "integration@crmsync.test", "integration-pass");
    ASSERT_FALSE(token_.empty());
  }
  static void TearDownTestSuite() { delete emu_; }

  static httplib::Response call(httplib::Request req) { return answer(*emu_, std::move(req), token_); }

  static Emulator* emu_;
  static std::string token_;
};

Emulator* EmulatorAnswerTest::emu_ = nullptr;
std::string EmulatorAnswerTest::token_;

TEST_F(EmulatorAnswerTest, AnswersAQueryAndAWriteWithoutASocket) {
  auto query = call(request("GET", "/services/data/v62.0/query?q=SELECT+Id,+Name+FROM+Account+ORDER+BY+Name+LIMIT+1"));
  ASSERT_EQ(query.status, 200) << query.body;
  EXPECT_EQ(nlohmann::json::parse(query.body)["records"].size(), 1u);
  // The body goes through the route's bounded read, as from a connection.
  auto create = call(request("POST", "/services/data/v62.0/sobjects/Task", R"({"Subject":"Call"})"));
  ASSERT_EQ(create.status, 201) << create.body;
  EXPECT_TRUE(nlohmann::json::parse(create.body)["success"].get<bool>());
  auto unknown = answer(*emu_, request("GET", "/services/data/v62.0/limits"), "not-a-session");
  EXPECT_EQ(unknown.status, 401);
}

// The MALFORMED_QUERY message held the first byte of the emoji only: the subrequest's answer was
// not JSON, and writing the batch's answer threw (the server would have answered 500).
TEST_F(EmulatorAnswerTest, ABatchSubrequestWhoseQueryHoldsAnUnknownCharacterAnswersItsError) {
  auto res = call(request("POST", "/services/data/v62.0/composite/batch",
                          R"({"batchRequests":[{"method":"GET","url":"v62.0/query?q=SELECT+Id+FROM+Contact+LIMIT\ud83d\ude00+2"}]})"));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = nlohmann::json::parse(res.body);
  EXPECT_TRUE(body["hasErrors"].get<bool>());
  const auto& result = body["results"][0];
  EXPECT_EQ(result["statusCode"], 400);
  EXPECT_EQ(result["result"][0]["errorCode"], "MALFORMED_QUERY");
  EXPECT_NE(result["result"][0]["message"].get<std::string>().find("no viable alternative at character '\xF0\x9F\x98\x80'"),
            std::string::npos)
      << res.body;
}

// Percent-encoding gives bytes that are not UTF-8; the error that echoes them was not JSON.
TEST_F(EmulatorAnswerTest, AQueryThatIsNotUtf8IsReadWithReplacementCharacters) {
  auto res = call(request("GET", "/services/data/v62.0/query?q=SELECT+Id+FROM+Account+WHERE+Name+%3D+%27%FF%27+%FF"));
  ASSERT_EQ(res.status, 400) << res.body;
  ASSERT_TRUE(is_well_formed_utf8(res.body)) << res.body;
  const auto body = nlohmann::json::parse(res.body);
  EXPECT_EQ(body[0]["errorCode"], "MALFORMED_QUERY");
  EXPECT_NE(body[0]["message"].get<std::string>().find("Name = '\xEF\xBF\xBD' \xEF\xBF\xBD"), std::string::npos)
      << res.body;
}

// The same in a batch subrequest's url, which the route decodes itself.
TEST_F(EmulatorAnswerTest, ABatchSubrequestThatIsNotUtf8IsReadWithReplacementCharacters) {
  auto res = call(request("POST", "/services/data/v62.0/composite/batch",
                          R"({"batchRequests":[{"method":"GET","url":"v62.0/query?q=SELECT+Id+FROM+%FF"}]})"));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = nlohmann::json::parse(res.body);
  EXPECT_EQ(body["results"][0]["result"][0]["errorCode"], "MALFORMED_QUERY") << res.body;
}

// The SOSL, retrieve and recent routes in-process (so the sanitizer build runs them too): every
// answer is JSON, whatever the statement; a search finds the record a query names.
TEST_F(EmulatorAnswerTest, SearchRetrieveAndRecentAnswerJsonInProcess) {
  auto named = call(request("GET", "/services/data/v62.0/query?q=SELECT+Id,+Name+FROM+Account+ORDER+BY+Name+LIMIT+1"));
  ASSERT_EQ(named.status, 200) << named.body;
  const nlohmann::json account = nlohmann::json::parse(named.body)["records"][0];
  const std::string name = account["Name"];
  const std::string word = name.substr(0, name.find(' '));
  auto found = call(request("GET", "/services/data/v62.0/search?q=" + url_encode("FIND {" + word + "} IN NAME FIELDS "
                                                                                   "RETURNING Account(Id, Name, Owner.Name)")));
  ASSERT_EQ(found.status, 200) << found.body;
  const nlohmann::json hits = nlohmann::json::parse(found.body);
  bool hit = false;
  for (const auto& r : hits["searchRecords"]) hit = hit || r["Id"] == account["Id"];
  EXPECT_TRUE(hit) << found.body;
  for (const char* sosl : {"FIND {", "FIND {a}", "FIND {\"unclosed}", "FIND {x*y?} RETURNING Account(", "FIND {ab} LIMIT",
                           "FIND {(ab OR (cd AND NOT ef))} RETURNING Account(Id WHERE Name LIKE 'a%' ORDER BY Name LIMIT 2)",
                           "FIND {ab} RETURNING Account(Id WHERE Name = 'it\\'s') WITH METADATA='LABELS' LIMIT 1"}) {
    auto res = call(request("GET", "/services/data/v62.0/search?q=" + url_encode(sosl)));
    EXPECT_TRUE(res.status == 200 || res.status == 400) << sosl << ": " << res.status;
    EXPECT_FALSE(nlohmann::json::parse(res.body, nullptr, false).is_discarded()) << sosl << ": " << res.body;
  }
  const std::string id = account["Id"];
  auto retrieved = call(request("POST", "/services/data/v62.0/composite/sobjects/Account",
                                nlohmann::json{{"ids", {id, "001"}}, {"fields", {"Id", "Name"}}}.dump()));
  ASSERT_EQ(retrieved.status, 200) << retrieved.body;
  EXPECT_TRUE(nlohmann::json::parse(retrieved.body)[1].is_null());
  auto recent = call(request("GET", "/services/data/v62.0/recent?limit=1"));
  ASSERT_EQ(recent.status, 200) << recent.body;
  EXPECT_EQ(nlohmann::json::parse(recent.body)[0]["Id"], id);
}

}  // namespace
}  // namespace crmsync::emulator
