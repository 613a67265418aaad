// `crmsync status --config crmsync.toml [--json]`: what the store says about each object's last
// sync (watermark, last run, rows, deleted, API calls, last error), the full refreshes under way
// and, when `crmsync sync --every` runs against the store, its next run. Reads the store only: it works
// while a sync runs, needs only [store] of the configuration (no Salesforce credentials, no login),
// and never creates a store. Exit codes: 0 shown, 1 the configuration or the store cannot be read,
// 2 the command line is wrong, 3 no sync has run yet (no store at [store] url: no SQLite file, or
// for PostgreSQL no schema or no crmsync tables in it; or a store without any sync state).
#include <iostream>

#include "cli/command.h"
#include "cli/report.h"
#include "common/text.h"
#include "config/config.h"
#include "serve/serve.h"
#include "store/store.h"
#include "sync/schedule.h"
#include "sync/sync.h"

namespace crmsync::cli {
namespace {

constexpr int kNoSyncYet = 3;

struct StatusArgs {
  std::string config_path = "crmsync.toml";
  bool json = false;
};

// "no sync has run yet into sqlite:crmsync.db: run crmsync sync --config crmsync.toml" (for
// PostgreSQL "into the schema salesforce of postgresql://crm:***@db/crm"), on standard error, and
// for --json as {"objects": [], "error": {...}} on standard output.
int no_sync_yet(const StatusArgs& args, const store::OpenOptions& where) {
  const std::string into = store::is_postgres_url(where.url) ? "the schema " + where.schema + " of " : "";
  const std::string message = "no sync has run yet into " + into + mask_url_credentials(where.url) +
                              ": run crmsync sync --config " + args.config_path + " first";
  if (args.json) {
    nlohmann::json j = serve::status_json({});
    add_status_extras(j, {});
    j["error"] = {{"code", "NO_SYNC_YET"}, {"message", message}};
    std::cout << j.dump(2) << "\n";
  }
  std::cerr << "crmsync: " << message << "\n";
  return kNoSyncYet;
}

// The reloads under way (a reload table beside the object's) and the schedule, if any.
Result<StatusExtras> status_extras(store::Store& st, const std::vector<store::SyncState>& states) {
  StatusExtras extras;
  for (const auto& s : states) {
    const std::string reload = store::reload_table_name(s.object);
    auto columns = st.columns(reload);
    if (!columns) return columns.error();
    if (columns->empty()) continue;
    auto rows = st.count_rows(reload);
    if (!rows) return rows.error();
    extras.reloading[s.object] = *rows;
  }
  auto schedule = sync::load_schedule(st);
  if (!schedule) return schedule.error();
  extras.schedule = *schedule;
  return extras;
}

int run_status(const StatusArgs& args) {
  auto cfg = config::load_config(args.config_path, config::process_env(), config::Validation::kStoreOnly);
  if (!cfg) {
    print_error("", cfg.error());
    return 1;
  }
  store::OpenOptions where = sync::store_options(*cfg);
  where.create_if_missing = false;
  auto st = store::Store::open(where);
  if (!st && st.error().code == "STORE_NOT_FOUND") return no_sync_yet(args, where);
  if (!st) {
    print_error("cannot open the store", st.error());
    return 1;
  }
  auto states = (*st)->all_states();
  if (!states) {
    print_error("cannot read the sync state", states.error());
    return 1;
  }
  if (states->empty()) return no_sync_yet(args, where);
  auto extras = status_extras(**st, *states);
  if (!extras) {
    print_error("cannot read the sync state", extras.error());
    return 1;
  }
  if (args.json) {
    nlohmann::json j = serve::status_json(*states);
    add_status_extras(j, *extras);
    std::cout << j.dump(2) << "\n";
  } else {
    print_status_table(*states, *extras, std::cout);
  }
  return 0;
}

Registrar reg("status", [](CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  auto* cmd = app.add_subcommand("status", "Show each object's watermark, last run, rows and last error");
  add_config_option(cmd, args->config_path);
  cmd->add_flag("--json", args->json, "Print as JSON");
  cmd->callback([args] { exit_code() = run_status(*args); });
  document(cmd, {.examples = {"crmsync status --config crmsync.toml", "crmsync status --json"},
                 .exit_codes = {{0, "shown"},
                                {1, "the configuration or the store cannot be read"},
                                {2, "the command line was wrong"},
                                {3, "no sync has run yet"}}});
});

}  // namespace
}  // namespace crmsync::cli
