// `crmsync orgs add NAME --config FILE | list [--json] | remove NAME`: the registry of orgs that
// `crmsync worker` processes sync, in the workers' PostgreSQL database (--store, or [store] url of
// --config). Exit codes: 0 done, 1 the registry's database could not be reached or refused, 2 the
// command line, the org's configuration, a duplicate or unknown name, a store that is not
// PostgreSQL, or a secret in plain text without CRMSYNC_SECRET_KEY.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/registry_args.h"
#include "cli/report.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "fleet/fleet.h"

namespace crmsync::cli {
namespace {

struct OrgsArgs {
  std::string action;
  std::string name;
  RegistryArgs where;
  std::string schema;
  std::vector<std::string> secret_env;
  bool json = false;
};

int usage(const std::string& message) {
  std::cerr << "crmsync: " << message << "\n";
  return 2;
}

// 2 for what the user gave (kConfig), 1 for the database.
int failure(const std::string& context, const Error& e) {
  print_error(context, e);
  return e.kind == ErrorKind::kConfig ? 2 : 1;
}

std::string when(std::int64_t ms) { return ms == 0 ? "-" : format_datetime_iso(ms); }
nlohmann::json when_json(std::int64_t ms) { return ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(when(ms)); }

std::string holder_of(const fleet::OrgState& o) {
  if (o.holder.empty()) return "-";
  return o.lease_expired ? "expired: " + o.holder : o.holder;
}

void print_orgs_table(const std::vector<fleet::OrgState>& orgs, std::ostream& out) {
  if (orgs.empty()) {
    out << "No org is registered yet: crmsync orgs add NAME --config FILE adds one.\n";
    return;
  }
  out << fmt::format("{:<16} {:<16} {:<24} {:<24} {:<11} {:>9} {:<24} {}\n", "org", "schema", "worker", "last run",
                     "outcome", "records", "next run", "last error");
  for (const auto& o : orgs) {
    std::string error = o.last_error.size() > 100 ? std::string(utf8_prefix(o.last_error, 100)) + "..." : o.last_error;
    std::string outcome = o.last_outcome.empty() ? "-" : o.last_outcome;
    if (o.failures > 1) outcome += " x" + std::to_string(o.failures);
    out << fmt::format("{:<16} {:<16} {:<24} {:<24} {:<11} {:>9} {:<24} {}\n", o.name, o.schema, holder_of(o),
                       when(o.last_run_finished != 0 && o.last_run_finished >= o.last_run_started ? o.last_run_finished
                                                                                                  : o.last_run_started),
                       outcome, o.last_records, when(o.next_run), error);
  }
}

nlohmann::json orgs_json(const std::vector<fleet::OrgState>& orgs) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& o : orgs) {
    list.push_back({{"name", o.name},
                    {"schema", o.schema},
                    {"holder", o.holder.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.holder)},
                    {"lease_expires", when_json(o.lease_expires)},
                    {"lease_expired", o.lease_expired},
                    {"last_run_started", when_json(o.last_run_started)},
                    {"last_run_finished", when_json(o.last_run_finished)},
                    {"last_outcome", o.last_outcome.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.last_outcome)},
                    {"last_records", o.last_records},
                    {"last_error", o.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.last_error)},
                    {"next_run", when_json(o.next_run)},
                    {"failures", o.failures}});
  }
  return {{"orgs", list}};
}

std::string secrets_summary(const fleet::OrgRegistration& org) {
  std::string out;
  for (const auto& [key, source] : org.secrets) {
    out += (out.empty() ? "" : ", ") + key +
           (source.env.empty() ? std::string(" encrypted with CRMSYNC_SECRET_KEY")
                               : " from $" + source.env + " on the workers");
  }
  return out.empty() ? "no secret kept" : out;
}

int add_org(const OrgsArgs& a) {
  std::map<std::string, std::string> secret_env;
  for (const auto& spec : a.secret_env) {
    auto parsed = fleet::parse_secret_env(spec);
    if (!parsed) return failure("", parsed.error());
    if (!secret_env.emplace(parsed->first, parsed->second).second) {
      return usage("--secret-env names " + parsed->first + " twice; give each secret once.");
    }
  }
  auto cfg = config::load_config(a.where.config_path, fleet::add_time_env(secret_env, config::process_env()));
  if (!cfg) return failure("the org's configuration", cfg.error());
  auto where = resolve_registry(a.where, &*cfg);
  if (!where) return failure("", where.error());
  const char* key = std::getenv(fleet::kSecretKeyEnvVar);
  auto org = fleet::register_org(a.name, *cfg, a.schema, secret_env, key ? key : "");
  if (!org) return failure("", org.error());
  auto registry = fleet::Registry::open(*where, /*create=*/true);
  if (!registry) return failure("cannot open the registry", registry.error());
  if (Status added = (*registry)->add(*org); !added) return failure("", added.error());
  std::cout << "Registered the org " << org->name << " (schema " << org->schema << ") in " << (*registry)->where()
            << "; " << secrets_summary(*org) << ". It is due now: a crmsync worker on that database syncs it.\n";
  return 0;
}

int run_orgs(const OrgsArgs& a) {
  const bool named = a.action != "list";
  if (named && a.name.empty())
    return usage("crmsync orgs " + a.action + " needs the org's NAME, e.g. crmsync orgs " + a.action + " acme");
  if (!named && !a.name.empty()) return usage("crmsync orgs list takes no NAME (it lists every org)");
  if (a.json && a.action != "list") return usage("--json goes with crmsync orgs list");
  if ((!a.schema.empty() || !a.secret_env.empty()) && a.action != "add") {
    return usage("--schema and --secret-env go with crmsync orgs add");
  }
  if (a.action == "add") return add_org(a);
  auto where = resolve_registry(a.where);
  if (!where) return failure("", where.error());
  auto registry = fleet::Registry::open(*where, /*create=*/false);
  if (!registry) return failure("cannot open the registry", registry.error());
  if (a.action == "remove") {
    auto schema = (*registry)->remove(a.name);
    if (!schema) return failure("", schema.error());
    std::cout << "Removed the org " << a.name << " from the registry; its tables stay in the schema " << *schema
              << " (DROP SCHEMA " << *schema << " CASCADE deletes them). A worker syncing it stops at its next "
              << "lease renewal.\n";
    return 0;
  }
  auto orgs = (*registry)->list();
  if (!orgs) return failure("cannot read the registry", orgs.error());
  if (a.json)
    std::cout << orgs_json(*orgs).dump(2) << "\n";
  else
    print_orgs_table(*orgs, std::cout);
  return 0;
}

Registrar reg("orgs", [](CLI::App& app) {
  auto args = std::make_shared<OrgsArgs>();
  auto* cmd = app.add_subcommand("orgs", "Register the orgs that crmsync worker processes sync, list them, remove one");
  choices(cmd->add_option("action", args->action, "add, list or remove")->required()->type_name("ACTION"),
          {"add", "list", "remove"});
  cmd->add_option("name", args->name,
                  "The org's name (add, remove): lowercase letters, digits, '_' and '-'; also its schema by default")
      ->type_name("NAME");
  add_registry_options(cmd, args->where,
                       "add: the org's configuration (its [salesforce], [sync], [groups] and [objects] are registered; "
                       "its [store] url is the workers' database unless --store); list, remove: a file whose [store] "
                       "url is the workers' database. CRMSYNC_CONFIG when not given");
  cmd->add_option("--schema", args->schema,
                  "add: the org's PostgreSQL schema (default: [store] schema of its file unless that is the default "
                  "salesforce, else its NAME)")
      ->type_name("SCHEMA");
  cmd->add_option("--secret-env", args->secret_env,
                  "add: keep only the name of the environment variable holding a [salesforce] secret on the workers, "
                  "e.g. password=ACME_SF_PASSWORD (client_secret, password or refresh_token; repeatable)")
      ->type_name("KEY=VAR")
      ->allow_extra_args(false);
  cmd->add_flag("--json", args->json, "list: print as JSON");
  cmd->callback([args] { exit_code() = run_orgs(*args); });
  document(
      cmd,
      {.examples = {"crmsync orgs add acme --config acme.toml --secret-env password=ACME_SF_PASSWORD",
                    "CRMSYNC_SECRET_KEY=$(cat /etc/crmsync/key) crmsync orgs add globex --config globex.toml   # "
                    "secrets kept encrypted",
                    "crmsync orgs list --store postgresql://crmsync@db.internal/crm",
                    "crmsync orgs list --json --config workers.toml", "crmsync orgs remove acme --config workers.toml"},
       .exit_codes = {{0, "done"},
                      {1, "the workers' database could not be reached or refused the change"},
                      {2,
                       "the command line or the org's configuration was wrong, the name is taken (add) or "
                       "unknown (remove), the store is not PostgreSQL, or a secret is in plain text without "
                       "CRMSYNC_SECRET_KEY"}}});
});

}  // namespace
}  // namespace crmsync::cli
