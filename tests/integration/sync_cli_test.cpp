// `crmsync sync` and `crmsync status` as a user runs them: the store lock, the quota pause (exit 3)
// and its resume, status output, and SIGKILL at random points ending equal to the org.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <regex>
#include <sstream>
#include <thread>

#include "jwt_key.h"
#include "pg_support.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::file_bytes;
using testing::EmulatorProcess;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

const char* kSmallSync = "[sync]\nsettle_seconds = 0\n[groups]\ndeals = false\n";

// The CLI's guarantees on either store.
class SyncCliStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, SyncCliStoreTest, testing::kBothStores, testing::backend_name);

TEST_P(SyncCliStoreTest, SecondSyncAgainstTheSameStoreIsRefused) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  std::string db = testing::store_for(GetParam(), dir, "out.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db, kSmallSync));
  {
    // Another sync, as far as crmsync can tell.
    auto held = sync::StoreLock::acquire(testing::store_url_of(db));
    ASSERT_TRUE(held.ok()) << held.error().to_string();
    auto r = run_crmsync("sync --config " + cfg);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "another crmsync sync is running")) << r.output;
    EXPECT_TRUE(contains(r.output, GetParam() == testing::StoreBackend::kSqlite ? db + ".lock" : "advisory lock"))
        << r.output;
  }
  auto r = run_crmsync("sync --quiet --config " + cfg);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(SyncCliTest, QuotaPauseExitsThreeAndTheNextRunResumes) {
  RunningEmulator emu(10);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  std::string db = dir.file("out.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db,
                                                  "[sync]\nsettle_seconds = 0\nbatch_size = 200\nconcurrency = 2\n"
                                                  "[groups]\ndeals = false\n"));
  auto paused = run_crmsync("sync --max-api-calls 6 --config " + cfg);
  EXPECT_EQ(paused.exit_code, 3) << paused.output;
  // The run's own cap, not the org's quota: said once, with the objects it left for the next run.
  std::size_t said = 0;
  for (auto at = paused.output.find("this run reached its own cap of 6 API calls (--max-api-calls 6");
       at != std::string::npos; at = paused.output.find("this run reached its own cap", at + 1)) {
    ++said;
  }
  EXPECT_EQ(said, 1u) << paused.output;
  EXPECT_FALSE(contains(paused.output, "paused until quota recovers")) << paused.output;
  EXPECT_TRUE(contains(paused.output, "Left for the next run: ")) << paused.output;

  auto status = run_crmsync("status --json --config " + cfg);
  ASSERT_EQ(status.exit_code, 0) << status.output;
  auto json = nlohmann::json::parse(status.output);
  int paused_objects = 0;
  std::set<std::string> with_watermark;  // committed pages before the pause
  for (const auto& o : json["objects"]) {
    if (o["last_error"].is_string() && contains(o["last_error"].get<std::string>(), "paused")) ++paused_objects;
    if (o["watermark"].is_string()) with_watermark.insert(o["object"].get<std::string>());
  }
  EXPECT_GT(paused_objects, 0) << status.output;
  EXPECT_FALSE(with_watermark.empty()) << status.output;

  auto resumed = run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  auto report = nlohmann::json::parse(resumed.output);
  EXPECT_EQ(report["exit_code"], 0);
  for (const auto& o : report["objects"]) {
    // What the paused run committed is not read again: those objects resume from their watermark.
    if (with_watermark.contains(o["object"].get<std::string>())) {
      EXPECT_EQ(o["mode"], "incremental") << o.dump();
    }
  }
  testing::expect_db_equals_org(cfg, db, emu->base_url());
}

TEST_P(SyncCliStoreTest, StatusShowsEachObjectsWatermarkRowsAndCalls) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), testing::store_for(GetParam(), dir, "out.db"),
                                                  kSmallSync));
  auto none = run_crmsync("status --config " + cfg);
  EXPECT_EQ(none.exit_code, 3) << none.output;
  EXPECT_TRUE(contains(none.output, "no sync has run yet")) << none.output;
  ASSERT_EQ(run_crmsync("sync --quiet --config " + cfg).exit_code, 0);
  auto table = run_crmsync("status --config " + cfg);
  EXPECT_EQ(table.exit_code, 0) << table.output;
  for (const char* word : {"watermark", "last run", "rows", "deleted", "api calls", "last error", "Account", "Lead"}) {
    EXPECT_TRUE(contains(table.output, word)) << word << "\n" << table.output;
  }
  auto json = nlohmann::json::parse(run_crmsync("status --json --config " + cfg).output);
  bool saw_account = false;
  for (const auto& o : json["objects"]) {
    if (o["object"] != "Account") continue;
    saw_account = true;
    EXPECT_TRUE(o["watermark"].is_string());
    EXPECT_GT(o["rows"].get<int>(), 0);
    EXPECT_GT(o["api_calls"].get<int>(), 0);
    EXPECT_TRUE(o["last_error"].is_null());
  }
  EXPECT_TRUE(saw_account) << json.dump();
}

// `crmsync status` reads the store only: a config with nothing but [store] will do (the credentials
// may live in the scheduler's environment), and a store that does not exist is said to be one no
// sync has run into (exit 3), not created empty.
TEST(SyncCliTest, StatusNeedsOnlyTheStoreAndCreatesNone) {
  RunningEmulator emu(3);
  TempDir dir;
  const std::string db = dir.file("out.db");
  const std::string store_only = dir.file("status.toml");
  testing::write_file(store_only, "[store]\nurl = \"sqlite:" + db + "\"\n");

  auto none = run_crmsync("status --config " + store_only);
  EXPECT_EQ(none.exit_code, 3) << none.output;
  EXPECT_TRUE(contains(none.output, "no sync has run yet into sqlite:" + db + ": run crmsync sync --config " +
                                        store_only)) << none.output;
  EXPECT_FALSE(std::filesystem::exists(db)) << "status created a store";
  auto none_json = run_crmsync("status --json --config " + store_only);
  EXPECT_EQ(none_json.exit_code, 3) << none_json.output;
  // Standard output holds the JSON; standard error (joined to it here) says it in words.
  const std::size_t open = none_json.output.find('{'), close = none_json.output.rfind('}');
  ASSERT_NE(open, std::string::npos) << none_json.output;
  auto j = nlohmann::json::parse(none_json.output.substr(open, close - open + 1));
  EXPECT_TRUE(contains(none_json.output, "crmsync: no sync has run yet into")) << none_json.output;
  EXPECT_EQ(j["error"]["code"], "NO_SYNC_YET");
  EXPECT_TRUE(j["objects"].empty());
  EXPECT_FALSE(std::filesystem::exists(db));

  const std::string full = dir.file("crmsync.toml");
  testing::write_file(full, testing::emulator_toml(emu->base_url(), db, kSmallSync));
  ASSERT_EQ(run_crmsync("sync --quiet --config " + full).exit_code, 0);
  auto shown = run_crmsync("status --config " + store_only);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_TRUE(contains(shown.output, "Account")) << shown.output;
}

// An org-level refusal (here API access off for the integration user: 403 API_DISABLED_FOR_ORG on
// every REST call, as Salesforce answers) stops the run at the first refusal: said once, with the
// fix, exit 1 — not once per object.
TEST(SyncCliTest, AnOrgThatRefusesApiAccessStopsTheRunSayingItOnce) {
  TempDir dir;
  emulator::EmulatorOptions o = RunningEmulator::options_for(3, 7);
  o.org_file = dir.file("org.toml");
  testing::write_file(o.org_file, "[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { ApiEnabled = false }\n"
                                  "[[profiles]]\nname = \"Minimum Access - API Only Integrations\"\n"
                                  "permissions = { ApiEnabled = false }\n");
  RunningEmulator emu(o);
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db")));
  for (const char* flags : {"", "--json ", "--quiet "}) {
    auto r = run_crmsync(std::string("sync ") + flags + "--config " + cfg);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    std::size_t said = 0;
    for (std::size_t at = r.output.find("API_DISABLED_FOR_ORG"); at != std::string::npos;
         at = r.output.find("API_DISABLED_FOR_ORG", at + 1)) {
      ++said;
    }
    EXPECT_EQ(said, 1u) << flags << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "\"API Enabled\"")) << "the fix\n" << r.output;
    EXPECT_FALSE(contains(r.output, "FAILED")) << "no line per object\n" << r.output;
  }
}

// --quiet for a scheduled run: silent when nothing needs a look, but a field that became unreadable
// (FLS removed) is still named, since only the user can grant it again.
TEST(SyncCliTest, QuietPrintsNothingButAWarningNamingAFieldNoLongerReadable) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db"), kSmallSync));
  auto first = run_crmsync("sync --quiet --config " + cfg);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output, "");
  auto admin = testing::admin_login(emu->base_url());
  ASSERT_GE(testing::remove_field_read(*admin, "Account", "Website"), 1u);
  auto second = run_crmsync("sync --quiet --config " + cfg);
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "warning: Account.Website")) << second.output;
  EXPECT_FALSE(contains(second.output, "total")) << "only the warning, not the report:\n" << second.output;
  // With --log-format json the warning is a log line like every other line on standard error.
  auto json = testing::run_crmsync_split("sync --quiet --log-format json --config " + cfg);
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, "");
  auto line = nlohmann::json::parse(json.err, nullptr, false);
  ASSERT_TRUE(line.is_object()) << "one JSON line:\n" << json.err;
  EXPECT_EQ(line["level"], "warn") << json.err;
  EXPECT_EQ(line["event"], "warning") << json.err;
  EXPECT_EQ(line["object"], "Account") << json.err;
  EXPECT_TRUE(line["message"].get<std::string>().starts_with("Account.Website")) << json.err;
}

// Runs crmsync with its standard output and error on a pseudo-terminal (as a user at a terminal
// sees it); returns everything it wrote.
testing::CommandResult run_on_terminal(const std::vector<std::string>& args, const std::string& store_url) {
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    setenv("CRMSYNC_STORE_URL", store_url.c_str(), 1);
    std::vector<char*> argv = {const_cast<char*>(CRMSYNC_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(CRMSYNC_BINARY, argv.data());
    _exit(127);
  }
  testing::CommandResult r;
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) {
      r.output.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child has exited and closed the terminal
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// OpportunityHistory (about 240 rows at scale 50) commits 200 rows before its total: a progress
// report with a rate and an ETA comes before the end.
TEST(SyncCliTest, ProgressIsRedrawnOnATerminalAndPlainLinesOtherwiseQuietAndJsonPrintNoProgress) {
  RunningEmulator emu(50, 3);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  const std::string objects = testing::only_toml({"OpportunityHistory", "Account"});
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("unused.db"),
                                                  "[sync]\nsettle_seconds = 0\nbatch_size = 200\nrows_per_commit = 200\n"
                                                  "concurrency = 1\n" + objects));
  auto store_env = [&](const std::string& name) { return "CRMSYNC_STORE_URL=sqlite:" + dir.file(name); };
  const std::regex progress_with_eta(R"(OpportunityHistory +200 / +(\d+) +records +\d+/s  ETA \d+s)");

  // Not a terminal: plain lines, no control sequences, the total, the rate and the ETA.
  auto plain = run_crmsync("sync --config " + cfg, store_env("plain.db"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_FALSE(contains(plain.output, "\x1b[")) << plain.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(plain.output, m, progress_with_eta)) << plain.output;
  EXPECT_GT(std::stoi(m[1].str()), 200);
  EXPECT_TRUE(contains(plain.output, "total")) << plain.output;  // then the report

  // A terminal: the same figures, redrawn in place (cursor up, clear line), then cleared.
  auto terminal = run_on_terminal({"sync", "--config", cfg}, "sqlite:" + dir.file("terminal.db"));
  ASSERT_EQ(terminal.exit_code, 0) << terminal.output;
  EXPECT_TRUE(contains(terminal.output, "\r\x1b[2K")) << terminal.output;
  EXPECT_TRUE(contains(terminal.output, "\x1b[J")) << terminal.output;
  EXPECT_TRUE(std::regex_search(terminal.output, progress_with_eta)) << terminal.output;
  EXPECT_TRUE(contains(terminal.output, "total")) << terminal.output;

  // --quiet: nothing at all when every object synced, even on a terminal.
  auto quiet = run_on_terminal({"sync", "--quiet", "--config", cfg}, "sqlite:" + dir.file("quiet.db"));
  EXPECT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output, "");

  // --json: the report alone (output and error together still parse as one JSON document).
  auto json = run_crmsync("sync --json --config " + cfg, store_env("json.db"));
  ASSERT_EQ(json.exit_code, 0) << json.output;
  auto report = nlohmann::json::parse(json.output);
  EXPECT_EQ(report["exit_code"], 0);
  EXPECT_EQ(report["objects"].size(), 2u);
}

// Every secret crmsync is given or handed (password, client secret, refresh token, the access
// tokens the org issues: "<org id>!<random>") is searched for in everything a run leaves behind:
// its output (progress lines, warnings, errors: stdout and stderr) and the store's files.
TEST(SyncCliTest, SecretsNeverReachTheOutputTheErrorsOrTheStore) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(10, 23);
  o.faults.rate = 0.2;  // errors and retries get printed and stored (last_error)
  o.faults.kinds = {"500", "503", "drop", "truncate", "timeout"};
  o.faults.seed = 31;
  o.faults.expire_session_at = 6;  // a re-login mid-run
  o.rotate_refresh_tokens = true;
  TempDir dir;
  const std::string key = dir.file("key.pem");
  testing::write_key_and_certificate(key, dir.file("app.crt"));
  o.jwt_certificate_file = dir.file("app.crt");
  RunningEmulator emu(o);
  std::string cfg = dir.file("crmsync.toml");
  std::string db = dir.file("out.db");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), db, "[sync]\nsettle_seconds = 0\nbatch_size = 200\n"));

  std::string output;
  int failed_runs = 0;
  for (int run = 0; run < 10; ++run) {  // the password flow, secrets in the file
    auto r = run_crmsync("sync --config " + cfg);
    output += r.output;
    if (r.exit_code == 0) break;
    ++failed_runs;
  }
  auto refresh = emu->issue_refresh_token("integration@crmsync.test");
  ASSERT_TRUE(refresh.ok()) << refresh.error().to_string();
  // The refresh token flow with rotation, the token in the environment; then a wrong password.
  auto rotated = run_crmsync("sync --config " + cfg, "CRMSYNC_SALESFORCE_AUTH=refresh_token CRMSYNC_SALESFORCE_REFRESH_TOKEN='" +
                                                         *refresh + "'");
  output += rotated.output;
  // JWT bearer: the private key's file and the signed assertions.
  auto jwt = run_crmsync("sync --config " + cfg, "CRMSYNC_SALESFORCE_AUTH=jwt CRMSYNC_SALESFORCE_PRIVATE_KEY_FILE='" + key + "'");
  output += jwt.output;
  EXPECT_TRUE(contains(jwt.output, "total")) << "the JWT run logged in and synced:\n" << jwt.output;
  auto refused = run_crmsync("sync --config " + cfg, "CRMSYNC_SALESFORCE_PASSWORD='Wr0ng-S3cret!'");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  output += refused.output;
  auto status = run_crmsync("status --config " + cfg);
  output += status.output;
  // Something was printed and stored to search through: errors of faulty calls among it.
  EXPECT_TRUE(contains(output, "Account")) << output;
  EXPECT_TRUE(contains(output, "invalid_grant")) << output;
  emu->set_fault_rate(0);
  auto admin = testing::admin_login(emu->base_url());
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  {
    auto st = store::Store::open("sqlite:" + db);
    ASSERT_TRUE(st.ok());
    testing::expect_store_equals_org(**st, *admin, *config);
  }

  std::string store_bytes = file_bytes(db) + file_bytes(db + "-wal") + file_bytes(db + ".lock");
  ASSERT_GT(store_bytes.size(), 10000u);
  std::vector<std::string> secrets = {"integration-pass", "crmsync-local-secret", "Wr0ng-S3cret!", *refresh,
                                      "eyJ"};  // how every JWT (a signed assertion) begins: base64 of {"
  std::istringstream pem(file_bytes(key));
  for (std::string line; std::getline(pem, line);) {
    if (!line.empty() && !contains(line, "PRIVATE KEY")) secrets.push_back(line);  // the key's base64 lines
  }
  ASSERT_GT(secrets.size(), 20u);
  for (const auto& secret : secrets) {
    EXPECT_FALSE(contains(output, secret)) << secret << " in the output:\n" << output;
    EXPECT_FALSE(contains(store_bytes, secret)) << secret << " in the store";
  }
  // Every access token the org issues begins with its 15-character org id and "!".
  auto org = testing::ids(*admin, "SELECT Id FROM Organization");
  ASSERT_EQ(org.size(), 1u);
  const std::string token_prefix = org.front().substr(0, 15) + "!";
  EXPECT_FALSE(contains(output, token_prefix)) << output;
  EXPECT_FALSE(contains(store_bytes, token_prefix)) << "an access token in the store";
}

// Three large syncs from scratch, each SIGKILLed at three random points; after each kill the admin
// changes the org (an update, a soft delete, a hard delete of a row the killed run may have
// committed). Each time, the next run is not refused (the lock died with the process), resumes
// and ends equal to the org, the rows hard deleted meanwhile marked IsDeleted = 1.
class SyncCrashTest : public ::testing::TestWithParam<testing::StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, SyncCrashTest, testing::kBothStores, testing::backend_name);

TEST_P(SyncCrashTest, SigkillAtRandomPointsThenResumeEndsEqualToTheOrg) {
  EmulatorProcess emu(50);
  TempDir dir;
  // Small pages and commits so that a kill lands between many commits.
  const std::string small_commits = "[sync]\nsettle_seconds = 0\nbatch_size = 200\nrows_per_commit = 200\nconcurrency = 3\n";
  // How long an uninterrupted sync of this org takes here, into a scratch store: the kills land
  // at random points within it (a duration to aim at, not an assertion).
  std::string scratch = dir.file("scratch.toml");
  testing::write_file(scratch, testing::emulator_toml(emu.url(), testing::store_for(GetParam(), dir, "scratch.db"), small_commits));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_crmsync("sync --quiet --config " + scratch).exit_code, 0);
  auto full_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<long> delay_ms(5, std::max<long>(10, static_cast<long>(full_ms)));

  auto admin = testing::admin_login(emu.url());
  auto opps = testing::ids(*admin, "SELECT Id FROM Opportunity ORDER BY Id LIMIT 9");
  auto contacts = testing::ids(*admin, "SELECT Id FROM Contact ORDER BY Id LIMIT 9");
  auto items = testing::ids(*admin, "SELECT Id FROM OpportunityLineItem ORDER BY Id LIMIT 9");
  ASSERT_EQ(opps.size(), 9u);
  ASSERT_EQ(contacts.size(), 9u);
  ASSERT_EQ(items.size(), 9u);
  std::size_t change = 0;
  int killed_mid_run = 0;
  for (int round = 0; round < 3; ++round) {
    std::string cfg = dir.file("round" + std::to_string(round) + ".toml");
    std::string db = testing::store_for(GetParam(), dir, "round" + std::to_string(round) + ".db");
    testing::write_file(cfg, testing::emulator_toml(emu.url(), db, small_commits));
    for (int k = 0; k < 3; ++k, ++change) {
      pid_t pid = testing::start_sync(cfg);
      ASSERT_GT(pid, 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ++killed_mid_run;
      }
      ASSERT_TRUE(admin->update("Opportunity", opps[change], {{"Amount", 1000.5 + static_cast<double>(change)}}).ok());
      ASSERT_TRUE(admin->remove("Contact", contacts[change]).ok());           // soft: IsDeleted in queryAll
      ASSERT_TRUE(admin->remove("OpportunityLineItem", items[change]).ok());  // hard: gone from queryAll
    }
    auto r = run_crmsync("sync --config " + cfg);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto config = config::load_config(cfg);
    ASSERT_TRUE(config.ok());
    auto st = store::Store::open(config->store.url);
    ASSERT_TRUE(st.ok());
    SCOPED_TRACE("round " + std::to_string(round));
    testing::expect_store_equals_org_hard_deletes_marked(**st, *admin, *config);
    auto stored = testing::store_rows(**st, "Opportunity");
    EXPECT_DOUBLE_EQ(std::get<double>(stored.at(opps[change - 1]).at("Amount")), 1000.5 + static_cast<double>(change - 1));
  }
  std::cout << "killed mid-run " << killed_mid_run << " of 9 times (a full sync takes " << full_ms << " ms here)\n";
  EXPECT_GT(killed_mid_run, 0);
}

}  // namespace
}  // namespace crmsync
