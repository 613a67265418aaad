#include "cli/registry_args.h"

#include <cstdlib>

#include "cli/command.h"

namespace crmsync::cli {

void add_registry_options(CLI::App* cmd, RegistryArgs& args, const std::string& config_help) {
  cmd->add_option("--store", args.store,
                  "The workers' PostgreSQL database, which holds the registry of orgs and each org's schema "
                  "(postgresql://user@host:port/dbname; password in CRMSYNC_STORE_PASSWORD, PGPASSWORD or ~/.pgpass)")
      ->type_name("URL");
  add_config_option(cmd, args.config_path)->description(config_help);
}

Result<fleet::RegistryOptions> resolve_registry(const RegistryArgs& args, const config::Config* config) {
  if (!args.store.empty()) {
    const char* password = std::getenv("CRMSYNC_STORE_PASSWORD");
    return fleet::registry_at(args.store, password ? password : "");
  }
  if (config != nullptr) return fleet::registry_at(config->store.url, config->store.password);
  auto cfg = config::load_config(args.config_path, config::process_env(), config::Validation::kStoreOnly);
  if (!cfg) {
    return Error(cfg.error().kind, cfg.error().code,
                 cfg.error().message + " (Or name the workers' database with --store postgresql://...)");
  }
  return fleet::registry_at(cfg->store.url, cfg->store.password);
}

}  // namespace crmsync::cli
