// salesforce::Client against the real emulator over loopback, for the flows the emulator serves
// (password, client_credentials): login, a query through the retrying request path, call counting.
#include <gtest/gtest.h>

#include "salesforce/client.h"
#include "test_support.h"

namespace crmsync::salesforce {
namespace {

ConnectOptions emulator_options(const std::string& base_url, const std::string& auth) {
  ConnectOptions o;
  o.login_url = base_url;
  o.auth = auth;
  o.client_id = "crmsync-local";
  o.client_secret = "crmsync-local-secret";
  if (auth == "password") {
    o.username = "integration@crmsync.test";
    o.password = "integration-pass";
  }
  o.retry_base_ms = 1;
  return o;
}

class ClientEmulatorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ClientEmulatorTest, LogsInQueriesAndCountsCalls) {
  testing::RunningEmulator emu(10);
  auto client = Client::connect(emulator_options(emu->base_url(), GetParam()));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  Client& c = **client;
  EXPECT_EQ(c.instance_url(), emu->base_url());
  EXPECT_EQ(c.user_id().substr(0, 3), "005");

  auto page = c.query("SELECT Id, Name FROM Account ORDER BY Id", /*include_deleted=*/true, /*batch_size=*/200);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_GT(page->total_size, 0);
  std::int64_t pages = 1;
  while (page.ok() && !page->done) {
    page = c.query_more(page->next_records_url);
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    ++pages;
  }
  EXPECT_EQ(c.api_calls(), pages) << "no retries against a healthy emulator";
  EXPECT_TRUE(c.limits().known()) << "the emulator sends Sforce-Limit-Info";

  auto bad = c.query("SELECT Id FORM Account", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "MALFORMED_QUERY");
  EXPECT_EQ(c.api_calls(), pages + 1) << "a 400 is not retried";
}

INSTANTIATE_TEST_SUITE_P(Flows, ClientEmulatorTest, ::testing::Values("password", "client_credentials"));

TEST(ClientEmulatorAuthTest, WrongSecretIsRefusedOnceWithTheFix) {
  testing::RunningEmulator emu(10);
  ConnectOptions o = emulator_options(emu->base_url(), "client_credentials");
  o.client_secret = "not-the-secret-42";
  auto client = Client::connect(o);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(client.error().code, "invalid_client");
  EXPECT_NE(client.error().message.find("Check [salesforce] client_secret"), std::string::npos);
  EXPECT_EQ(client.error().message.find("not-the-secret-42"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::salesforce
