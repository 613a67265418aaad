// The command line's conveniences as a user meets them: the log (--verbose, --log-level,
// --log-format, CRMSYNC_LOG_*), CRMSYNC_CONFIG and unknown CRMSYNC_* variables, Ctrl-C, --help /
// man / completions from one definition, "did you mean", and the shipped example config. (Retries
// shown as they happen: cli_test.cpp; the run's own API cap said once: sync_cli_test.cpp.)
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "sync_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A configuration file for `emu` in `dir`, the store beside it.
std::string config_file(const TempDir& dir, RunningEmulator& emu, const std::string& extra,
                        const std::string& name = "crmsync.toml") {
  std::string cfg = dir.file(name);
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db"),
                                                  extra));
  return cfg;
}

// The org's access tokens all begin with its 15-character id and "!".
std::string access_token_prefix(const std::string& base_url) {
  auto admin = testing::admin_login(base_url);
  auto org = testing::ids(*admin, "SELECT Id FROM Organization");
  return org.empty() ? std::string("no org") : org.front().substr(0, 15) + "!";
}

TEST(CliLogTest, VerboseSyncLogsEachRequestWithStatusAndMsEachCommitAndNoSecret) {
  RunningEmulator emu(10, 5);
  TempDir dir;
  std::string cfg = config_file(dir, emu, "[sync]\nsettle_seconds = 0\nbatch_size = 200\n" +
                                              testing::only_toml({"Account", "Contact", "Task"}));
  auto r = run_crmsync("sync --verbose --config " + cfg);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::regex request(R"(crmsync: debug: (GET|POST) /services/\S+ (\d{3}) \((\d+) ms, attempt (\d+)\))");
  int requests = 0;
  std::set<std::string> statuses;
  for (const auto& line : lines_of(r.output)) {
    std::smatch m;
    if (std::regex_search(line, m, request)) {
      ++requests;
      statuses.insert(m[2].str());
    }
  }
  EXPECT_GE(requests, 5) << r.output;
  EXPECT_TRUE(statuses.contains("200")) << r.output;
  EXPECT_TRUE(contains(r.output, "crmsync: debug: POST /services/oauth2/token 200")) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(crmsync: info: Account: committed \d+ rows, watermark 20\d\d-)")))
      << r.output;

  // The same as JSON lines (from the environment), each one object with the request's figures.
  auto j = run_crmsync("sync --quiet --config " + cfg, "CRMSYNC_LOG_LEVEL=debug CRMSYNC_LOG_FORMAT=json");
  ASSERT_EQ(j.exit_code, 0) << j.output;
  int json_requests = 0;
  for (const auto& line : lines_of(j.output)) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
    if (parsed["event"] == "http") {
      ++json_requests;
      EXPECT_TRUE(parsed["status"].is_number() && parsed["ms"].is_number() && parsed["attempt"].is_number()) << line;
      EXPECT_TRUE(parsed["path"].get<std::string>().starts_with("/services/")) << line;
    }
  }
  EXPECT_GE(json_requests, 3) << j.output;

  // Neither form holds the password, the client secret or an access token.
  for (const std::string& secret : {std::string("integration-pass"), std::string("crmsync-local-secret"),
                                    access_token_prefix(emu->base_url())}) {
    EXPECT_FALSE(contains(r.output, secret)) << secret << " in:\n" << r.output;
    EXPECT_FALSE(contains(j.output, secret)) << secret << " in:\n" << j.output;
  }
}

// Logs go to standard error: with --verbose --json, standard output is the report alone.
TEST(CliLogTest, LogsGoToStandardErrorAndTheJsonReportToStandardOutput) {
  RunningEmulator emu(5);
  TempDir dir;
  std::string cfg = config_file(dir, emu, "[sync]\nsettle_seconds = 0\n" + testing::only_toml({"Account", "Contact"}));
  auto r = testing::run_crmsync_split("sync --verbose --json --config " + cfg);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << "standard output is not one JSON document:\n" << r.out;
  EXPECT_EQ(report["objects"].size(), 2u) << r.out;
  EXPECT_FALSE(contains(r.out, "crmsync: ")) << r.out;
  EXPECT_TRUE(contains(r.err, "crmsync: debug: POST /services/oauth2/token 200")) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(crmsync: debug: GET /services/data/v\d+\.\d/\S+ 200 )"))) << r.err;
  EXPECT_TRUE(contains(r.err, "crmsync: info: Account: committed ")) << r.err;
}

// With --log-format json standard error is JSON lines only: progress is a log line too, and a
// retry is said once (by the log), not a second time as a plain line.
TEST(CliLogTest, JsonLogFormatKeepsStandardErrorToJsonLinesWithEachRetryOnce) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(10, 5);
  o.faults.rate = 0.3;
  o.faults.kinds = {"503"};
  RunningEmulator emu(o);
  TempDir dir;
  std::string cfg = config_file(dir, emu, "[sync]\nsettle_seconds = 0\nbatch_size = 200\n" +
                                              testing::only_toml({"Account", "Contact", "Task"}));
  auto r = testing::run_crmsync_split("sync --log-format json --log-level info --config " + cfg,
                                      "CRMSYNC_SALESFORCE_MAX_RETRIES=8");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, int> events;
  for (const auto& line : lines_of(r.err)) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << "not a JSON line: " << line << "\nin:\n" << r.err;
    ++events[parsed.value("event", "")];
    if (parsed["event"] == "retry") {
      EXPECT_TRUE(parsed["wait_ms"].is_number() && parsed["attempt"].is_number()) << line;
    }
  }
  EXPECT_GE(events["retry"], 1) << r.err;
  EXPECT_GE(events["progress"], 3) << "one per object at least:\n" << r.err;
  EXPECT_GE(events["commit"], 3) << r.err;

  // As text at --verbose each retry is one log line, not a log line and a progress line.
  auto text = run_crmsync("sync --verbose --full-refresh Task --config " + cfg, "CRMSYNC_SALESFORCE_MAX_RETRIES=8");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_GE(testing::count_of(text.output, "crmsync: info: retrying "), 1u) << text.output;
  EXPECT_EQ(testing::count_of(text.output, "retrying "), testing::count_of(text.output, "crmsync: info: retrying "))
      << text.output;
}

TEST(CliLogTest, TheDefaultLevelLogsNothingButWarnings) {
  RunningEmulator emu(5);
  TempDir dir;
  std::string cfg = config_file(dir, emu, testing::only_toml({"Account"}));
  auto r = run_crmsync("sync --quiet --config " + cfg);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "");
  auto bad = run_crmsync("catalog --json --log-level loud");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  auto env = run_crmsync("sync --quiet --config " + cfg, "CRMSYNC_LOG_LEVEL=debgu");
  EXPECT_EQ(env.exit_code, 0);
  EXPECT_TRUE(contains(env.output, "CRMSYNC_LOG_LEVEL=debgu is not a log level; did you mean debug?")) << env.output;
}

TEST(CliEnvTest, CrmsyncConfigNamesTheFileAndAnUnknownVariableGetsADidYouMean) {
  RunningEmulator emu(5);
  TempDir dir;
  std::string cfg = config_file(dir, emu, testing::only_toml({"Account"}), "elsewhere.toml");
  auto r = run_crmsync("sync --quiet", "CRMSYNC_CONFIG=" + cfg);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto status = run_crmsync("status", "CRMSYNC_CONFIG=" + cfg);
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "Account")) << status.output;
  // --config wins over the variable.
  auto missing = run_crmsync("status --config " + dir.file("none.toml"), "CRMSYNC_CONFIG=" + cfg);
  EXPECT_EQ(missing.exit_code, 1) << missing.output;

  auto typo = run_crmsync("sync --quiet", "CRMSYNC_CONFIG=" + cfg + " CRMSYNC_SALESFORCE_PASWORD=x CRMSYNC_STORE_URI=y");
  EXPECT_EQ(typo.exit_code, 0) << typo.output;
  EXPECT_TRUE(contains(typo.output, "crmsync: warning: environment variable CRMSYNC_SALESFORCE_PASWORD is not a "
                                    "crmsync setting, so it changes nothing; did you mean CRMSYNC_SALESFORCE_PASSWORD?"))
      << typo.output;
  EXPECT_TRUE(contains(typo.output, "did you mean CRMSYNC_STORE_URL?")) << typo.output;
}

TEST(CliEnvTest, AnObjectConfiguredInsideAGroupThatIsOffIsAWarning) {
  RunningEmulator emu(5);
  TempDir dir;
  std::string cfg = config_file(dir, emu, "[groups]\ndeals = false\n[objects.OpportunityLineItem]\nenabled = true\n");
  auto r = run_crmsync("sync --quiet --config " + cfg);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "crmsync: warning: ")) << r.output;
  EXPECT_TRUE(contains(r.output, "[objects.OpportunityLineItem] is configured, but OpportunityLineItem belongs to the "
                                 "deals group, which is switched off"))
      << r.output;
}

// `crmsync sync` as a child process whose output goes to `log`, so the test can send it a signal.
pid_t start_sync_logging(const std::string& cfg, const std::string& log) {
  return testing::start_crmsync({"sync", "--config", cfg}, log);
}

TEST(CliInterruptTest, CtrlCFinishesTheCommitSaysWhatWasCommittedAndTheNextRunResumes) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(150, 9);
  o.faults.rate = 1.0;  // every call a little slow, so the run is still going when interrupted
  o.faults.kinds = {"slow"};
  o.faults.slow_ms = 100;
  RunningEmulator emu(o);
  TempDir dir;
  std::string cfg = config_file(dir, emu,
                                "[sync]\nsettle_seconds = 0\nbatch_size = 200\nrows_per_commit = 200\nconcurrency = 2\n"
                                "bulk_threshold = 100000000\n[groups]\ndeals = false\n");
  std::string db = dir.file("out.db");
  const std::string log = dir.file("sync.log");
  pid_t pid = start_sync_logging(cfg, log);
  ASSERT_GT(pid, 0);
  // Interrupt once some object has committed rows.
  bool committed = false;
  for (int i = 0; i < 3000 && !committed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    committed = testing::int_on_disk(db, "SELECT COUNT(*) FROM crmsync_sync_state WHERE watermark IS NOT NULL") > 0;
  }
  ASSERT_TRUE(committed) << "no commit seen";
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  std::ifstream in(log);
  std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(WEXITSTATUS(status), 130) << output;
  EXPECT_TRUE(contains(output, "crmsync: interrupted: finishing the current commit")) << output;
  EXPECT_TRUE(contains(output, "interrupted: records committed per object: ")) << output;
  EXPECT_TRUE(contains(output, "the next run resumes from the watermarks")) << output;
  EXPECT_TRUE(std::regex_search(output, std::regex(R"(\binterrupted\n)"))) << "a table row per object:\n" << output;

  emu->set_fault_rate(0);
  auto resumed = run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  auto report = nlohmann::json::parse(resumed.output);
  EXPECT_EQ(report["interrupted"], false);
  int incremental = 0;
  for (const auto& obj : report["objects"]) incremental += obj["mode"] == "incremental" ? 1 : 0;
  EXPECT_GT(incremental, 0) << "what the interrupted run committed is not read again:\n" << resumed.output;
  testing::expect_db_equals_org(cfg, db, emu->base_url());
}

// ---- --help, the man page, the completions, "did you mean" ----

std::vector<std::string> subcommands() {
  auto help = run_crmsync("--help");
  std::vector<std::string> names;
  bool in_list = false;
  for (const auto& line : lines_of(help.output)) {
    if (line.starts_with("Subcommands:")) in_list = true;
    else if (in_list && line.starts_with("  ")) names.push_back(line.substr(2, line.find(' ', 2) - 2));
    else if (in_list && !line.empty()) in_list = false;
  }
  return names;
}

std::set<std::string> flags_in(const std::string& help) {
  std::set<std::string> flags;
  const std::regex flag(R"((^|[\s,])(--?[a-zA-Z][a-zA-Z-]*))");
  for (const auto& line : lines_of(help)) {
    if (!line.starts_with("  -")) continue;  // an option line of --help
    for (std::sregex_iterator it(line.begin(), line.end(), flag), end; it != end; ++it) flags.insert((*it)[2].str());
  }
  return flags;
}

TEST(CliHelpTest, EveryCommandsHelpShowsExamplesAndExitCodes) {
  auto names = subcommands();
  ASSERT_GE(names.size(), 9u);
  for (const auto& name : names) {
    auto help = run_crmsync(name + " --help");
    EXPECT_EQ(help.exit_code, 0) << name;
    EXPECT_TRUE(contains(help.output, "Examples:\n  ")) << help.output;
    EXPECT_TRUE(contains(help.output, "crmsync " + name)) << help.output;
    EXPECT_TRUE(contains(help.output, "Exit codes:\n  0  ")) << help.output;
    EXPECT_FALSE(contains(help.output, "src/")) << "help points at a source file:\n" << help.output;
  }
  auto sync = run_crmsync("sync --help");
  EXPECT_TRUE(contains(sync.output, "130  interrupted")) << sync.output;
  EXPECT_TRUE(contains(sync.output, "CRMSYNC_CONFIG")) << sync.output;
}

TEST(CliHelpTest, TheCompletionsAndTheManPageNameEveryCommandAndFlag) {
  auto bash = run_crmsync("completion bash");
  auto zsh = run_crmsync("completion zsh");
  auto fish = run_crmsync("completion fish");
  auto man = run_crmsync("man");
  for (const auto* r : {&bash, &zsh, &fish, &man}) ASSERT_EQ(r->exit_code, 0) << r->output;
  auto roff = [](std::string s) { return std::regex_replace(s, std::regex("-"), "\\-"); };
  std::set<std::string> global = flags_in(run_crmsync("--help").output);
  EXPECT_TRUE(global.contains("--verbose") && global.contains("--log-level") && global.contains("--log-format"));
  for (const auto& name : subcommands()) {
    EXPECT_TRUE(contains(bash.output, " " + name + ") COMPREPLY")) << name;
    EXPECT_TRUE(contains(zsh.output, "'" + name + ":")) << name;
    EXPECT_TRUE(contains(fish.output, "-a " + name + " -d")) << name;
    EXPECT_TRUE(contains(man.output, ".SS \"crmsync " + name + "\"")) << name;
    std::set<std::string> flags = flags_in(run_crmsync(name + " --help").output);
    flags.insert(global.begin(), global.end());
    for (const auto& flag : flags) {
      EXPECT_TRUE(contains(bash.output, flag)) << name << " " << flag;
      EXPECT_TRUE(contains(zsh.output, flag)) << name << " " << flag;
      bool long_flag = flag.starts_with("--");
      EXPECT_TRUE(contains(fish.output, (long_flag ? " -l " + flag.substr(2) : " -s " + flag.substr(1)))) << name << " " << flag;
      EXPECT_TRUE(contains(man.output, "\\fB" + roff(flag) + "\\fR")) << name << " " << flag;
    }
  }
  EXPECT_TRUE(contains(bash.output, "complete -F _crmsync crmsync")) << bash.output;
  EXPECT_TRUE(contains(bash.output, "--log-level) COMPREPLY=($(compgen -W \"error warn info debug\"")) << bash.output;
  // --object and --full-refresh complete the catalog's object names, in every shell.
  EXPECT_TRUE(std::regex_search(bash.output, std::regex(R"(--object\) COMPREPLY=\(\$\(compgen -W "[^"]*\bAccount\b[^"]*\bOpportunity\b)")))
      << bash.output;
  EXPECT_TRUE(std::regex_search(bash.output, std::regex(R"(--full-refresh\) COMPREPLY=\(\$\(compgen -W "[^"]*\bContact\b)")))
      << bash.output;
  EXPECT_TRUE(std::regex_search(zsh.output, std::regex(R"(--object'\[[^\]]*\]:object:\([^)]*\bAccount\b)"))) << zsh.output;
  EXPECT_TRUE(std::regex_search(fish.output, std::regex(R"(-l object -x -a '[^']*\bAccount\b)"))) << fish.output;
  // Each option's text is a sentence before its default: "... when not given. Default: ...".
  EXPECT_FALSE(contains(man.output, "not given Default:")) << man.output;
  EXPECT_FALSE(std::regex_search(man.output, std::regex(R"([^.] Default: )"))) << man.output;
  EXPECT_TRUE(contains(man.output, "CRMSYNC_CONFIG when not given. Default: crmsync.toml.")) << man.output;
  EXPECT_TRUE(contains(man.output, ".TH CRMSYNC 1")) << man.output;
  EXPECT_TRUE(contains(man.output, ".SH ENVIRONMENT")) << man.output;
  EXPECT_EQ(run_crmsync("completion powershell").exit_code, 2);
}

TEST(CliHelpTest, AMistypedCommandOrFlagGetsADidYouMean) {
  auto command = run_crmsync("snyc --config x.toml");
  EXPECT_EQ(command.exit_code, 2) << command.output;
  EXPECT_TRUE(contains(command.output, "crmsync: unknown command snyc; did you mean `crmsync sync`?")) << command.output;
  auto flag = run_crmsync("sync --confg x.toml");
  EXPECT_EQ(flag.exit_code, 2) << flag.output;
  EXPECT_TRUE(contains(flag.output, "crmsync: unknown flag --confg for crmsync sync; did you mean --config?"))
      << flag.output;
  auto global = run_crmsync("--verbos status");
  EXPECT_EQ(global.exit_code, 2) << global.output;
  EXPECT_TRUE(contains(global.output, "did you mean --verbose?")) << global.output;
  auto far = run_crmsync("deploy");
  EXPECT_EQ(far.exit_code, 2) << far.output;
  EXPECT_FALSE(contains(far.output, "did you mean")) << far.output;

  // The hint is the whole message: one line, without CLI11's own (which misleads before it).
  auto alone = run_crmsync("synk");
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_EQ(alone.output, "crmsync: unknown command synk; did you mean `crmsync sync`?\n");
  auto objet = run_crmsync("sync --objet Account");
  EXPECT_EQ(objet.exit_code, 2) << objet.output;
  EXPECT_EQ(objet.output, "crmsync: unknown flag --objet for crmsync sync; did you mean --object?\n");
  auto action = run_crmsync("orgs ad acme --config x.toml");
  EXPECT_EQ(action.exit_code, 2) << action.output;
  EXPECT_EQ(action.output, "crmsync: unknown action ad for crmsync orgs; did you mean `crmsync orgs add`?\n");
  auto after_value = run_crmsync("orgs --config x.toml lst");
  EXPECT_EQ(after_value.exit_code, 2) << after_value.output;
  EXPECT_TRUE(contains(after_value.output, "did you mean `crmsync orgs list`?")) << after_value.output;
  for (const auto* r : {&command, &flag, &global, &alone, &objet, &action, &after_value}) {
    for (const char* cli11 : {"A subcommand is required", "Run with --help", "were not expected", " not in {"}) {
      EXPECT_FALSE(contains(r->output, cli11)) << r->output;
    }
  }
}

// The shipped example, pointed at the emulator through the environment, syncs and exports without
// a single warning (it once excluded Account.Website, which the export's matching needs).
TEST(CliExampleConfigTest, TheShippedExampleSyncsAndExportsWithoutAWarning) {
  RunningEmulator emu(10);
  TempDir dir;
  const std::string example = std::string(CRMSYNC_SOURCE_DIR) + "/crmsync.example.toml";
  const std::string env = "CRMSYNC_SALESFORCE_LOGIN_URL=" + emu->base_url() + " CRMSYNC_STORE_URL=sqlite:" +
                          dir.file("example.db") + " CRMSYNC_SYNC_SETTLE_SECONDS=0";
  auto sync = run_crmsync("sync --config " + example, env);
  ASSERT_EQ(sync.exit_code, 0) << sync.output;
  EXPECT_FALSE(contains(sync.output, "warning")) << sync.output;
  auto emails = testing::texts_on_disk(dir.file("example.db"), "SELECT Email FROM Contact WHERE Email <> '' LIMIT 1");
  ASSERT_EQ(emails.size(), 1u);
  const std::string input = dir.file("calls.jsonl");
  testing::write_file(input, R"({"id":"c-1","kind":"call","title":"Intro","start":"2024-05-02T15:30:00+02:00",)"
                             R"("duration_seconds":600,"host_email":"integration@crmsync.test",)"
                             R"("participants":[{"name":"Bob","email":")" + emails.front() +
                                 R"(","internal":false}],"status":"completed"})" + "\n");
  auto exported = run_crmsync("export --config " + example + " --input " + input, env);
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_TRUE(contains(exported.output, "created 1")) << exported.output;
  EXPECT_FALSE(contains(exported.output, "warning")) << exported.output;
}

}  // namespace
}  // namespace crmsync
