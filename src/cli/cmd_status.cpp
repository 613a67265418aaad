// `crmsync status --config crmsync.toml [--json]`: what the store says about each object's last
// sync (watermark, last run, rows, deleted, API calls, last error). Reads the store only: it works
// while a sync runs, and needs no Salesforce login. Exit 0, or 1 when the store cannot be read.
#include <iostream>

#include "cli/command.h"
#include "cli/report.h"
#include "config/config.h"
#include "common/text.h"
#include "store/store.h"
#include "sync/sync.h"

namespace crmsync::cli {
namespace {

struct StatusArgs {
  std::string config_path = "crmsync.toml";
  bool json = false;
};

int run_status(const StatusArgs& args) {
  auto cfg = config::load_config(args.config_path);
  if (!cfg) {
    print_error("", cfg.error());
    return 1;
  }
  auto st = store::Store::open(sync::store_options(*cfg));
  if (!st) {
    print_error("cannot open the store", st.error());
    return 1;
  }
  auto states = (*st)->all_states();
  if (!states) {
    print_error("cannot read the sync state", states.error());
    return 1;
  }
  if (args.json) {
    std::cout << status_json(*states).dump(2) << "\n";
  } else if (states->empty()) {
    std::cout << "No sync has run against " << redact_url(cfg->store.url) << " yet; run `crmsync sync --config "
              << args.config_path << "`.\n";
  } else {
    print_status_table(*states, std::cout);
  }
  return 0;
}

Registrar reg("status", [](CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  auto* cmd = app.add_subcommand("status", "Show each object's watermark, last run, rows and last error");
  cmd->add_option("-c,--config", args->config_path, "Configuration file (TOML)")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print as JSON");
  cmd->callback([args] { exit_code() = run_status(*args); });
});

}  // namespace
}  // namespace crmsync::cli
