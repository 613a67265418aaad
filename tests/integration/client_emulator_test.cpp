// salesforce::Client against the real emulator over loopback: every auth flow (password,
// client_credentials, jwt, refresh_token with rotation), re-login when tokens expire, retries
// through injected faults, getDeleted/getUpdated/recordCount, and the quota guard.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "salesforce/client.h"
#include "salesforce/quota.h"
#include "jwt_key.h"
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

std::unique_ptr<emulator::Emulator> start(emulator::EmulatorOptions o) {
  o.port = 0;
  o.org.scale = 10;
  auto emu = std::make_unique<emulator::Emulator>(std::move(o));
  auto started = emu->start();
  if (!started) throw std::runtime_error(started.error().to_string());
  return emu;
}

TEST(ClientEmulatorAuthTest, JwtBearerLogsInAndLogsInAgainWhenTheTokenExpires) {
  testing::TempDir dir;
  testing::write_key_and_certificate(dir.file("key.pem"), dir.file("app.crt"));
  emulator::EmulatorOptions eo;
  eo.jwt_certificate_file = dir.file("app.crt");
  eo.faults.expire_session_at = 2;
  auto emu = start(eo);
  ConnectOptions o = emulator_options(emu->base_url(), "jwt");
  o.client_secret.clear();
  o.username = "integration@crmsync.test";
  o.private_key_file = dir.file("key.pem");
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  ASSERT_TRUE((*client)->describe("Account").ok());
  auto page = (*client)->query("SELECT Id FROM Account", false);  // the 2nd call finds the session expired
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ((*client)->api_calls(), 3) << "describe, the refused query, the query again";
}

TEST(ClientEmulatorAuthTest, RefreshTokenRotationIsWrittenBackToTheFile) {
  testing::TempDir dir;
  emulator::EmulatorOptions eo;
  eo.rotate_refresh_tokens = true;
  eo.faults.expire_session_at = 1;
  auto emu = start(eo);
  auto issued = emu->issue_refresh_token("integration@crmsync.test");
  ASSERT_TRUE(issued.ok()) << issued.error().to_string();
  std::string file = dir.file("refresh_token");
  testing::write_file(file, *issued + "\n");
  ConnectOptions o = emulator_options(emu->base_url(), "refresh_token");
  o.refresh_token_file = file;
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  std::string first = testing::first_line(file);
  EXPECT_NE(first, *issued) << "the emulator rotated the token on login";
  ASSERT_TRUE((*client)->query("SELECT Id FROM Account", false).ok()) << "expired on the 1st call: log in again";
  EXPECT_NE(testing::first_line(file), first) << "the second login spent the first rotated token and stored the next";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A second process started from the file logs in with the latest token.
  auto again = Client::connect(o);
  EXPECT_TRUE(again.ok()) << again.error().to_string();
}

TEST(ClientEmulatorRetryTest, InjectedFaultsAreRetriedToTheSameAnswer) {
  emulator::EmulatorOptions eo;
  eo.faults.rate = 0.3;
  eo.faults.kinds = {"500", "503", "drop", "truncate"};
  eo.faults.seed = 5;
  auto emu = start(eo);
  ConnectOptions o = emulator_options(emu->base_url(), "password");
  o.max_retries = 10;
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  std::int64_t rows = 0, calls = 0;
  auto page = (*client)->query("SELECT Id FROM Contact ORDER BY Id", true, 200);
  while (true) {
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    ++calls;
    auto j = nlohmann::json::parse(page->body);
    rows += static_cast<std::int64_t>(j["records"].size());
    if (page->done) break;
    page = (*client)->query_more(page->next_records_url);
  }
  EXPECT_EQ(rows, page->total_size);
  for (int i = 0; i < 20; ++i, ++calls) {
    auto d = (*client)->describe("Account");
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    EXPECT_EQ((*d)["name"], "Account");
  }
  EXPECT_GT((*client)->api_calls(), calls) << "some of the calls were faulted and retried";
}

TEST(ClientEmulatorReplicationTest, GetDeletedUpdatedAndRecordCount) {
  testing::RunningEmulator emu(10);
  auto client = Client::connect(emulator_options(emu->base_url(), "password"));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  EpochMs end = now_ms(), start = end - 14LL * 86'400'000;
  auto deleted = (*client)->get_deleted("CampaignMember", start, end);
  ASSERT_TRUE(deleted.ok()) << deleted.error().to_string();
  EXPECT_FALSE(deleted->records.empty()) << "the generated org purges some CampaignMember rows";
  for (const auto& r : deleted->records) {
    EXPECT_EQ(r.id.size(), 18u);
    EXPECT_GE(r.deleted_date, start - 60'000);
    EXPECT_LE(r.deleted_date, end);
  }
  EXPECT_GT(deleted->latest_date_covered, 0);
  auto updated = (*client)->get_updated("Account", start, end);
  ASSERT_TRUE(updated.ok()) << updated.error().to_string();
  auto counts = (*client)->record_count({"Account", "Contact"});
  ASSERT_TRUE(counts.ok()) << counts.error().to_string();
  ASSERT_EQ(counts->size(), 2u);
  auto total = (*client)->query("SELECT count() FROM Account", false);
  ASSERT_TRUE(total.ok());
  for (const auto& c : *counts) {
    if (c.name == "Account") {
      EXPECT_EQ(c.count, total->total_size);
    }
  }
}

TEST(ClientEmulatorQuotaTest, PausesAtTheDailyShare) {
  testing::RunningEmulator emu(10);
  emu->set_api_used(79'998);  // of 100,000
  auto client = Client::connect(emulator_options(emu->base_url(), "password"));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  std::int64_t answered = 0;
  Status last = ok_status();
  for (int i = 0; i < 10 && last.ok(); ++i) {
    auto d = (*client)->describe("Account");
    if (d.ok()) ++answered;
    else last = d.error();
  }
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, "QUOTA_GUARD");
  EXPECT_EQ(last.error().message,
            "paused until quota recovers: org has used " + with_thousands(emu->api_used()) +
                " of 100,000 daily API requests (limit 80%)");
  EXPECT_EQ(emu->api_used(), 80'000) << "no request was sent past the share";
  EXPECT_EQ(answered, 2);
}

}  // namespace
}  // namespace crmsync::salesforce
