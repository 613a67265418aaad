// Where `crmsync orgs` and `crmsync worker` find the workers' registry: --store URL (its password in
// CRMSYNC_STORE_PASSWORD, else libpq's PGPASSWORD or ~/.pgpass), else [store] url and password of
// the configuration file (-c/--config, CRMSYNC_CONFIG, crmsync.toml).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "fleet/fleet.h"

namespace crmsync::cli {

struct RegistryArgs {
  std::string store;                         // --store
  std::string config_path = "crmsync.toml";  // -c/--config
};

// Adds --store URL and -c/--config FILE (`config_help` says what the file is to this command).
void add_registry_options(CLI::App* cmd, RegistryArgs& args, const std::string& config_help);

// The registry of --store, else of `config` when given, else of the configuration file (read for
// its [store] only). kConfig errors (exit 2): no PostgreSQL url, an unreadable configuration.
Result<fleet::RegistryOptions> resolve_registry(const RegistryArgs& args, const config::Config* config = nullptr);

}  // namespace crmsync::cli
