// The crmsync binary as a user runs it: clear messages and non-zero exits on bad input.
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <sstream>
#include <string_view>

#include "jwt_key.h"
#include "test_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

TEST(CliTest, SyncWithAConfigFileSucceeds) {
  RunningEmulator emu(5);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db")));
  auto r = run_crmsync("sync --config " + cfg);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "Opportunity")) << r.output;
  auto again = run_crmsync("sync --json --config " + cfg);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "\"mode\": \"incremental\"")) << again.output;
}

TEST(CliTest, MissingConfigFileIsNamed) {
  TempDir dir;
  auto r = run_crmsync("sync --config " + dir.file("nope.toml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "nope.toml")) << r.output;
}

TEST(CliTest, MalformedConfigNamesTheLine) {
  TempDir dir;
  std::string cfg = dir.file("bad.toml");
  testing::write_file(cfg, "[salesforce]\nlogin_url = \"http://127.0.0.1:1\"\nauth = password\n");
  auto r = run_crmsync("sync --config " + cfg);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "bad.toml")) << r.output;
  EXPECT_TRUE(contains(r.output, "3")) << r.output;  // the line
}

TEST(CliTest, WrongPasswordIsSurfacedInWordsWithoutThePassword) {
  RunningEmulator emu(2);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db"), "", "not-the-Pa55word"));
  auto r = run_crmsync("sync --config " + cfg);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "invalid_grant")) << r.output;
  EXPECT_TRUE(contains(r.output, "integration@crmsync.test")) << r.output;
  EXPECT_FALSE(contains(r.output, "not-the-Pa55word")) << r.output;
}

// A refused connection is retried: each retry shows as it happens (the progress line; plain lines
// off a terminal), and the final error says how many attempts over how long, not curl's "after 0
// ms" of the last attempt.
TEST(CliTest, UnreachableHostIsNamedWithEachRetryAndTheAttemptsOverTime) {
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  // emulator_toml sets retry_base_ms = 1: three retries of about a millisecond each.
  testing::write_file(cfg, testing::emulator_toml("http://127.0.0.1:9", dir.file("out.db")));
  auto r = run_crmsync("sync --config " + cfg, "CRMSYNC_SALESFORCE_MAX_RETRIES=3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "127.0.0.1:9")) << r.output;
  EXPECT_EQ(testing::count_of(r.output, "retrying POST http://127.0.0.1:9/services/oauth2/token in "), 3u) << r.output;
  EXPECT_TRUE(contains(r.output, "CONNECTION_REFUSED (attempt 1 of 4)")) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(Tried 4 times over \d+\.\d s\.)"))) << r.output;
  EXPECT_FALSE(std::regex_search(r.output, std::regex(R"(after \d+ ms)"))) << r.output;
  // At --log-level info each retry is logged, with its wait, instead of a plain line: said once.
  auto logged = run_crmsync("sync --log-level info --config " + cfg, "CRMSYNC_SALESFORCE_MAX_RETRIES=3");
  EXPECT_TRUE(std::regex_search(logged.output,
                                std::regex(R"(crmsync: info: retrying POST http://127\.0\.0\.1:9/services/oauth2/token in )"
                                           R"(\d+\.\d s: CONNECTION_REFUSED \(attempt 3 of 4\))")))
      << logged.output;
  EXPECT_EQ(testing::count_of(logged.output, "retrying POST"), 3u) << "each retry said once:\n" << logged.output;
  // --quiet stays quiet about the retries; the error still sums them up.
  auto quiet = run_crmsync("sync --quiet --config " + cfg, "CRMSYNC_SALESFORCE_MAX_RETRIES=3");
  EXPECT_FALSE(contains(quiet.output, "retrying")) << quiet.output;
  EXPECT_TRUE(contains(quiet.output, "Tried 4 times")) << quiet.output;
}

// Not only sync: every command that logs in shows each retry as it happens, then sums them up.
TEST(CliTest, EveryCommandThatLogsInShowsItsRetries) {
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml("http://127.0.0.1:9", dir.file("out.db")));
  std::string input = dir.file("calls.jsonl");
  testing::write_file(input, "");
  for (const std::string& command : {"check --config " + cfg, "export --input " + input + " --config " + cfg,
                                     "catalog --org --config " + cfg}) {
    auto r = run_crmsync(command, "CRMSYNC_SALESFORCE_MAX_RETRIES=2");
    EXPECT_NE(r.exit_code, 0) << command << "\n" << r.output;
    EXPECT_EQ(testing::count_of(r.output, "retrying POST http://127.0.0.1:9/services/oauth2/token in "), 2u)
        << command << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "CONNECTION_REFUSED (attempt 2 of 3)")) << command << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "Tried 3 times over ")) << command << "\n" << r.output;
    // --json keeps standard error for errors: the retries are summed up, not told one by one.
    auto json = run_crmsync(command + " --json", "CRMSYNC_SALESFORCE_MAX_RETRIES=2");
    EXPECT_FALSE(contains(json.output, "retrying")) << command << " --json\n" << json.output;
  }
}

TEST(CliTest, UnknownIncludeFieldFailsAndIsNamed) {
  RunningEmulator emu(2);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db"),
                                                  "\n[objects.Account]\ninclude = [\"Favourite_Colour__c\"]\n"));
  auto r = run_crmsync("sync --config " + cfg);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "Favourite_Colour__c")) << r.output;
}

// Credentials inside a URL (a store url's password, a login_url's user info) never reach a
// message, from the file or the environment, in any command.
TEST(CliTest, CredentialsInsideUrlsAreMaskedInEveryMessage) {
  TempDir dir;
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml("http://127.0.0.1:9", dir.file("out.db")));
  // Every command with CRMSYNC_STORE_URL = `store_url` fails without the password; `also` checks
  // each one's output further.
  auto every_command = [&](const std::string& store_url, const std::function<void(std::string_view, const std::string&)>& also) {
    for (const char* command : {"sync", "check", "status", "export --input -"}) {
      auto r = run_crmsync(std::string(command) + " --config " + cfg + " </dev/null", "CRMSYNC_STORE_URL='" + store_url + "'");
      EXPECT_NE(r.exit_code, 0) << command << "\n" << r.output;
      EXPECT_FALSE(contains(r.output, "hunter2")) << command << "\n" << r.output;
      also(command, r.output);
    }
  };
  // A store url the configuration refuses: every command repeats it, masked.
  const std::string unsupported = "mysql://crm:hunter2@db.example.com:5432/crm";
  every_command(unsupported, [](std::string_view command, const std::string& output) {
    EXPECT_TRUE(contains(output, "mysql://crm:***@db.example.com:5432/crm")) << command << "\n" << output;
    EXPECT_TRUE(contains(output, "is not supported")) << command << "\n" << output;
  });
  const std::string in_file = dir.file("mysql.toml");
  std::string toml = testing::emulator_toml("http://127.0.0.1:9", "x.db");
  toml.replace(toml.find("sqlite:x.db"), 11, unsupported);
  testing::write_file(in_file, toml);
  auto from_file = run_crmsync("sync --config " + in_file);
  EXPECT_EQ(from_file.exit_code, 1) << from_file.output;
  EXPECT_FALSE(contains(from_file.output, "hunter2")) << from_file.output;

  // A PostgreSQL store url is accepted; a server that cannot be reached is named, masked, by every
  // command that opens the store (check does not: it fails at the login).
  every_command("postgresql://crm:hunter2@127.0.0.1:9/crm", [](std::string_view command, const std::string& output) {
    EXPECT_FALSE(contains(output, "is not supported")) << command << "\n" << output;
    if (command == "check") return;
    EXPECT_TRUE(contains(output, "postgresql://crm:***@127.0.0.1:9/crm")) << command << "\n" << output;
    EXPECT_TRUE(contains(output, "PG_UNREACHABLE")) << command << "\n" << output;
  });

  // A login_url carrying user info: the network error names the host, not the password.
  for (const char* command : {"sync", "check"}) {
    auto r = run_crmsync(std::string(command) + " --config " + cfg,
                         "CRMSYNC_SALESFORCE_LOGIN_URL='http://crm:hunter2@127.0.0.1:9'");
    EXPECT_NE(r.exit_code, 0) << command << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "127.0.0.1:9")) << command << "\n" << r.output;
    EXPECT_FALSE(contains(r.output, "hunter2")) << command << "\n" << r.output;
  }
}

// Every command that logs in (check, sync, export) with every flow: one connect_options for all.
// `crmsync check` once had its own copy without private_key_file and refresh_token*, and failed
// with "private_key_file must be set" although the file set it.
class CliLoginTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CliLoginTest, CheckSyncAndExportLogInWithTheConfiguredFlow) {
  TempDir dir;
  testing::write_key_and_certificate(dir.file("key.pem"), dir.file("app.crt"));
  emulator::EmulatorOptions o = RunningEmulator::options_for(5, 7);
  o.jwt_certificate_file = dir.file("app.crt");
  RunningEmulator emu(o);
  // Only the flow's own keys: no client_secret, no password, nothing else could log in.
  std::string flow;
  if (GetParam() == "jwt") {
    flow = "auth = \"jwt\"\nusername = \"integration@crmsync.test\"\nprivate_key_file = \"" + dir.file("key.pem") + "\"\n";
  } else {
    auto token = emu->issue_refresh_token("integration@crmsync.test");
    ASSERT_TRUE(token.ok()) << token.error().to_string();
    testing::write_file(dir.file("refresh_token"), *token + "\n");
    flow = "auth = \"refresh_token\"\nrefresh_token_file = \"" + dir.file("refresh_token") + "\"\n";
  }
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, "[salesforce]\nlogin_url = \"" + emu->base_url() + "\"\nclient_id = \"crmsync-local\"\n" + flow +
                               "\n[store]\nurl = \"sqlite:" + dir.file("out.db") + "\"\n[groups]\ndeals = false\n");

  auto check = run_crmsync("check --config " + cfg);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_TRUE(contains(check.output, "Ready: 0 required items missing")) << check.output;
  auto sync = run_crmsync("sync --quiet --config " + cfg);
  EXPECT_EQ(sync.exit_code, 0) << sync.output;
  testing::write_file(dir.file("none.jsonl"), "");
  auto exported = run_crmsync("export --config " + cfg + " --input " + dir.file("none.jsonl"));
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_TRUE(contains(exported.output, "created 0")) << exported.output;
}

INSTANTIATE_TEST_SUITE_P(Flows, CliLoginTest, ::testing::Values("jwt", "refresh_token"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(CliTest, DemoRunsEndToEnd) {
  TempDir dir;
  auto r = run_crmsync("demo --scale 10 --db " + dir.file("demo.db"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "incremental")) << r.output;
  EXPECT_TRUE(contains(r.output, dir.file("demo.db"))) << r.output;
  // The incremental run sees the admin's 2 deleted contacts through getDeleted, as `crmsync sync`
  // does, and stays within issue #4's budget: one query per object plus one page per 2,000 changes.
  std::istringstream lines(r.output.substr(r.output.find("2. The admin")));
  std::string line;
  bool contact_seen = false;
  long total_calls = -1;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string name, mode;
    long records = 0, deleted = 0, calls = 0;
    cells >> name;
    if (name == "Contact" && (cells >> mode >> records >> deleted) && mode == "incremental") {
      contact_seen = true;
      EXPECT_EQ(deleted, 2) << line;
    }
    if (name == "total" && (cells >> records >> deleted >> calls)) total_calls = calls;
  }
  EXPECT_TRUE(contact_seen) << r.output;
  EXPECT_GE(total_calls, 1) << r.output;
  EXPECT_LE(total_calls, 16) << r.output;
}

}  // namespace
}  // namespace crmsync
