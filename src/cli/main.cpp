// crmsync: the command-line front end. Each subcommand lives in its own cmd_*.cpp; this file holds
// the global options (logging), and turns a refused command line into exit code 2 with a "did you
// mean" when a subcommand or flag is mistyped.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/command.h"
#include "cli/help.h"
#include "common/log.h"
#include "common/text.h"
#include "config/config.h"
#include "fleet/fleet.h"

namespace crmsync::cli {

std::vector<std::pair<std::string, Setup>>& registry() {
  static std::vector<std::pair<std::string, Setup>> r;
  return r;
}

Registrar::Registrar(std::string name, Setup setup) { registry().emplace_back(std::move(name), std::move(setup)); }

int& exit_code() {
  static int code = 0;
  return code;
}

namespace {

struct LogArgs {
  bool verbose = false;
  std::string level;   // empty: --verbose, else CRMSYNC_LOG_LEVEL, else warn
  std::string format;  // empty: CRMSYNC_LOG_FORMAT, else text
};

const char* const kLogLevelVar = "CRMSYNC_LOG_LEVEL";
const char* const kLogFormatVar = "CRMSYNC_LOG_FORMAT";

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// The log as the flags and the environment say (flags first), then the warnings about the
// environment itself: a CRMSYNC_* name nothing reads, a level or format that is none.
void set_up_logging(const LogArgs& args) {
  log::Settings settings;
  std::vector<std::string> warnings;
  std::string level = !args.level.empty() ? args.level : args.verbose ? "debug" : env_or_empty(kLogLevelVar);
  if (auto parsed = log::parse_level(level)) {
    settings.level = *parsed;
  } else if (!level.empty()) {
    warnings.push_back(std::string(kLogLevelVar) + "=" + level + " is not a log level" +
                       suggestion(level, {"error", "warn", "info", "debug"}, "levels") + " Using warn.");
  }
  std::string format = !args.format.empty() ? args.format : env_or_empty(kLogFormatVar);
  if (auto parsed = log::parse_format(format)) {
    settings.format = *parsed;
  } else if (!format.empty()) {
    warnings.push_back(std::string(kLogFormatVar) + "=" + format + " is not a log format" +
                       suggestion(format, {"text", "json"}, "formats") + " Using text.");
  }
  log::configure(settings);
  for (const auto& w : config::unknown_env_warnings(config::process_env_names(),
                                                   {kLogLevelVar, kLogFormatVar, fleet::kSecretKeyEnvVar})) {
    log::warn("environment", w);
  }
  for (const auto& w : warnings) log::warn("environment", w);
}

void add_global_options(CLI::App& app, LogArgs& args) {
  app.add_flag("-v,--verbose", args.verbose,
               "Log each HTTP request, retry and commit to standard error (the same as --log-level debug)");
  choices(app.add_option("--log-level", args.level,
                         "What to log to standard error: error, warn (the default), info (retries, commits) or "
                         "debug (each HTTP request too); CRMSYNC_LOG_LEVEL when not given")
              ->type_name("LEVEL"),
          {"error", "warn", "info", "debug"});
  choices(app.add_option("--log-format", args.format,
                         "Log lines as text (the default) or json (one object per line); CRMSYNC_LOG_FORMAT when not "
                         "given")
              ->type_name("FORMAT"),
          {"text", "json"});
}

}  // namespace
}  // namespace crmsync::cli

int main(int argc, char** argv) {
  using namespace crmsync::cli;
  CLI::App app{"crmsync: sync a Salesforce org into a local store, check its integration user, export activities"};
  app.name("crmsync");
  app.require_subcommand(1);
  app.fallthrough();  // global options are taken after the command too: crmsync sync --verbose
  app.set_version_flag("--version", std::string("crmsync ") + kVersion);
  LogArgs log_args;
  add_global_options(app, log_args);
  app.parse_complete_callback([&log_args] { set_up_logging(log_args); });  // before the command runs
  auto& commands = registry();
  std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, setup] : commands) setup(app);
  app.footer(
      "Run crmsync COMMAND --help for a command's options, examples and exit codes; `crmsync man` prints the "
      "manual page. Every configuration key is in the README and in crmsync.example.toml.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // A mistyped command, flag or choice: the hint alone, which names the fix; CLI11's own message
    // ("A subcommand is required", "arguments were not expected") would only mislead before it.
    std::string hint = did_you_mean(app, std::vector<std::string>(argv + 1, argv + argc));
    if (!hint.empty()) {
      std::cerr << hint << "\n";
    } else {
      app.exit(e);
    }
    return 2;  // usage errors exit 2 (as `check` documents for "could not run")
  }
  return exit_code();
}
