// `crmsync sync --config crmsync.toml [--json] [--quiet]`: imports every enabled object.
// Exit codes: 0 every object synced (or was skipped for a reason it prints), 1 something failed.
#include <iostream>

#include "cli/command.h"
#include "cli/report.h"
#include "config/config.h"
#include "store/store.h"
#include "sync/sync.h"

namespace crmsync::cli {
namespace {

struct SyncArgs {
  std::string config_path = "crmsync.toml";
  bool json = false;
  bool quiet = false;
};

int run_sync_command(const SyncArgs& args) {
  auto cfg = config::load_config(args.config_path);
  if (!cfg) {
    print_error("", cfg.error());
    return 1;
  }
  auto client = salesforce::Client::connect(sync::connect_options(*cfg));
  if (!client) {
    print_error("cannot log in to Salesforce", client.error());
    return 1;
  }
  auto st = store::Store::open(cfg->store.url);
  if (!st) {
    print_error("cannot open the store", st.error());
    return 1;
  }
  sync::SyncOptions options;
  if (!args.quiet && !args.json) {
    options.on_page = [](const sync::Progress& p) {
      std::cerr << p.object << ": " << p.records << (p.total >= 0 ? " / " + std::to_string(p.total) : "")
                << " records\n";
    };
  }
  auto report = sync::run_sync(*cfg, **client, **st, options);
  if (!report) {
    print_error("sync stopped", report.error());
    return 1;
  }
  if (args.json) {
    std::cout << sync_report_json(*report).dump(2) << "\n";
  } else if (!args.quiet || !report->ok()) {
    print_sync_table(*report, std::cout);
  }
  return report->ok() ? 0 : 1;
}

Registrar reg("sync", [](CLI::App& app) {
  auto args = std::make_shared<SyncArgs>();
  auto* cmd = app.add_subcommand("sync", "Import every enabled Salesforce object into the local store");
  cmd->add_option("-c,--config", args->config_path, "Configuration file (TOML)")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing unless something failed");
  cmd->callback([args] { exit_code() = run_sync_command(*args); });
});

}  // namespace
}  // namespace crmsync::cli
