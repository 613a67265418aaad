// Emulator::answer: requests answered in-process as the server answers them, without a socket.
#include <gtest/gtest.h>

#include <memory>

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

}  // namespace
}  // namespace crmsync::emulator
