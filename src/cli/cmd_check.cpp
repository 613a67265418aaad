// `crmsync check --config crmsync.toml [--json]`: checks, as the integration user and with read-only
// calls, everything the integration needs and prints what is fine and what is missing, with the fix.
// Exit codes: 0 ready, 1 a required item is missing, 2 could not run (config, network, login).
// docs/check.md describes the checks, the finding codes and the JSON schema.
#include <iostream>

#include <nlohmann/json.hpp>

#include "check/check.h"
#include "cli/command.h"
#include "cli/report.h"
#include "config/config.h"

namespace crmsync::cli {
namespace {

struct CheckArgs {
  std::string config_path = "crmsync.toml";
  bool json = false;
};

int could_not_run(const CheckArgs& args, const std::string& context, const Error& error) {
  if (args.json) {
    std::cout << check::could_not_run_json(error).dump(2) << "\n";
  } else {
    print_error(context, error);
  }
  return 2;
}

int run_check_command(const CheckArgs& args) {
  auto cfg = config::load_config(args.config_path);
  if (!cfg) return could_not_run(args, "", cfg.error());
  ProgressPrinter progress;
  auto connect = config::connect_options(*cfg);
  show_retries(connect.on_retry, progress, args.json);
  auto client = salesforce::Client::connect(connect);
  if (!client) return could_not_run(args, "cannot log in to Salesforce", client.error());
  // With an [export] table the activity export's permission gaps are errors; without, info.
  auto report = check::run_check(**client, *cfg, check::check_options(*cfg));
  progress.finish();
  if (!report) return could_not_run(args, "the check could not finish", report.error());
  if (args.json) {
    std::cout << check::report_json(*report).dump(2) << "\n";
  } else {
    check::print_report(*report, std::cout);
  }
  return check::exit_code(*report);
}

Registrar reg("check", [](CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Check what the integration user can read, and what to grant where it cannot");
  add_config_option(cmd, args->config_path);
  cmd->add_flag("--json", args->json, "Print the findings as JSON");
  cmd->callback([args] { exit_code() = run_check_command(*args); });
  document(cmd, {.examples = {"crmsync check --config crmsync.toml", "crmsync check --json | jq '.findings'"},
                 .exit_codes = {{0, "ready"},
                                {1, "a required item is missing (each comes with its fix)"},
                                {2, "could not run (configuration, network, login), or the command line was wrong"}}});
});

}  // namespace
}  // namespace crmsync::cli
