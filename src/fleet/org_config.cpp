// An org's configuration on its way into the registry (register_org: settings and secret
// references or sealed secrets) and back out on a worker (org_config).
#include <algorithm>
#include <filesystem>

#include "common/text.h"
#include "fleet/fleet.h"
#include "fleet/secret_box.h"
#include "store/identifier.h"
#include "store/store.h"

namespace crmsync::fleet {
namespace {

const std::string kSecretEnvPrefix = "CRMSYNC_SALESFORCE_";

bool is_secret_key(std::string_view key) {
  const auto& keys = config::kSalesforceSecretKeys;
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string* secret_field(config::SalesforceConfig& sf, std::string_view key) {
  if (key == "client_secret") return &sf.client_secret;
  if (key == "password") return &sf.password;
  if (key == "refresh_token") return &sf.refresh_token;
  return nullptr;
}

bool is_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Status check_org_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 63 && name[0] >= 'a' && name[0] <= 'z' &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            });
  if (ok) return ok_status();
  return Error(ErrorKind::kConfig, "INVALID_ORG_NAME",
               "the org name \"" + name +
                   "\" is not accepted: use lowercase letters, digits, '_' and '-', starting with a letter, at most 63 "
                   "characters (e.g. acme or acme-eu); it also names the org's schema unless --schema does.");
}

Status check_schema(const std::string& schema) {
  if (!store::is_identifier(schema) || schema.size() > 63) {
    return Error(ErrorKind::kConfig, "INVALID_SCHEMA",
                 "the schema \"" + schema +
                     "\" is not accepted: a PostgreSQL schema for an org must match [A-Za-z_][A-Za-z0-9_]* (at most "
                     "63 characters), e.g. acme.");
  }
  if (iequals(schema, kRegistrySchema) || to_lower(schema).starts_with("pg_")) {
    return Error(ErrorKind::kConfig, "INVALID_SCHEMA",
                 "the schema \"" + schema + "\" is reserved (crmsync's registry is \"" + std::string(kRegistrySchema) +
                     "\", pg_* are PostgreSQL's); give the org another one with --schema.");
  }
  return ok_status();
}

std::string seal_context(const std::string& org, const std::string& key) {
  return "crmsync org " + org + " [salesforce] " + key;
}

// The PLAIN_SECRET refusal: which secrets, and the two ways to keep them out of the registry.
Error plain_secret_refused(const std::string& org, const std::vector<std::string>& keys) {
  std::string prefix = to_upper(org);
  std::replace(prefix.begin(), prefix.end(), '-', '_');
  std::string list, flags;
  for (const auto& k : keys) {
    list += (list.empty() ? "" : ", ") + k;
    flags += (flags.empty() ? "" : " ") + ("--secret-env " + k + "=" + prefix + "_" + to_upper(k));
  }
  return Error(ErrorKind::kConfig, "PLAIN_SECRET",
               "org " + org + ": [salesforce] " + list + (keys.size() == 1 ? " is" : " are") +
                   " given in plain text (in the configuration or its CRMSYNC_SALESFORCE_* variable), and the registry "
                   "never keeps a secret in plain text. Either set " +
                   std::string(kSecretKeyEnvVar) +
                   " (32 random bytes as 64 hex digits: export CRMSYNC_SECRET_KEY=$(openssl rand -hex 32), the same "
                   "on every worker) to keep it encrypted, or name the environment variable that holds it on the "
                   "workers: " +
                   flags +
                   (keys.size() == 1 && keys[0] == "refresh_token"
                        ? " (or keep the token in a file: [salesforce] refresh_token_file)."
                        : "."));
}

std::string absolute_path(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

Result<RegistryOptions> registry_at(const std::string& url, const std::string& password) {
  if (!store::is_postgres_url(url)) {
    return Error(ErrorKind::kConfig, "NOT_POSTGRES",
                 "the store '" + mask_url_credentials(url) +
                     "' is not PostgreSQL: the registry of orgs and the workers' schemas live in a PostgreSQL "
                     "database shared by every worker; give it with --store postgresql://user@host:port/dbname (or "
                     "[store] url of --config).");
  }
  return RegistryOptions{url, password};
}

Result<std::pair<std::string, std::string>> parse_secret_env(std::string_view spec) {
  auto eq = spec.find('=');
  std::string key(spec.substr(0, eq));
  std::string var = eq == std::string_view::npos ? "" : std::string(spec.substr(eq + 1));
  if (!is_secret_key(key) || !is_env_name(var)) {
    return Error(ErrorKind::kConfig, "INVALID_VALUE",
                 "--secret-env " + std::string(spec) +
                     " is not KEY=VARIABLE with KEY one of client_secret, password, refresh_token and VARIABLE an "
                     "environment variable name, e.g. --secret-env password=ACME_SF_PASSWORD.");
  }
  return std::make_pair(key, var);
}

config::EnvLookup add_time_env(const std::map<std::string, std::string>& secret_env, config::EnvLookup env) {
  return [secret_env, env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    for (const auto& [key, var] : secret_env) {
      if (name != kSecretEnvPrefix + to_upper(key)) continue;
      auto value = env(var);
      return value ? value : std::optional<std::string>("(read from " + var + " on the workers)");
    }
    return env(name);
  };
}

Result<OrgRegistration> register_org(const std::string& name, const config::Config& config, std::string schema,
                                     const std::map<std::string, std::string>& secret_env,
                                     const std::string& secret_key) {
  CRMSYNC_TRY(check_org_name(name));
  if (schema.empty() && config.store.schema != store::kDefaultSchema) schema = config.store.schema;
  if (schema.empty()) {
    schema = name;
    std::replace(schema.begin(), schema.end(), '-', '_');
  }
  CRMSYNC_TRY(check_schema(schema));
  config::Config cfg = config;
  cfg.salesforce.private_key_file = absolute_path(cfg.salesforce.private_key_file);
  cfg.salesforce.refresh_token_file = absolute_path(cfg.salesforce.refresh_token_file);
  OrgRegistration org{name, schema, config::sync_settings_toml(cfg), {}};
  std::vector<std::string> plain;
  for (const auto& key : config::kSalesforceSecretKeys) {
    if (auto ref = secret_env.find(key); ref != secret_env.end()) {
      org.secrets[key].env = ref->second;
    } else if (!secret_field(cfg.salesforce, key)->empty()) {
      plain.push_back(key);
    }
  }
  if (plain.empty()) return org;
  if (secret_key.empty()) return plain_secret_refused(name, plain);
  auto key = parse_secret_key(secret_key);
  if (!key) return key.error();
  for (const auto& k : plain)
    org.secrets[k].encrypted = seal(*key, *secret_field(cfg.salesforce, k), seal_context(name, k));
  return org;
}

Result<config::Config> org_config(const OrgRegistration& org, const RegistryOptions& store,
                                  const config::EnvLookup& env) {
  std::map<std::string, std::string> secrets;  // CRMSYNC_SALESFORCE_<KEY> -> the secret
  for (const auto& [key, source] : org.secrets) {
    const std::string var = kSecretEnvPrefix + to_upper(key);
    if (!source.env.empty()) {
      auto value = env(source.env);
      if (!value) {
        return Error(ErrorKind::kConfig, "SECRET_ENV_MISSING",
                     "org " + org.name + ": [salesforce] " + key + " is read from the environment variable " +
                         source.env +
                         ", which is not set on this worker; set it in the environment of every worker "
                         "(the registry keeps only its name).");
      }
      secrets[var] = *value;
      continue;
    }
    auto key_text = env(kSecretKeyEnvVar);
    if (!key_text || key_text->empty()) {
      return Error(ErrorKind::kConfig, "SECRET_KEY_MISSING",
                   "org " + org.name + ": [salesforce] " + key +
                       " is kept encrypted in the registry, and this worker "
                       "has no CRMSYNC_SECRET_KEY to decrypt it; give it the key `crmsync orgs add` used.");
    }
    auto secret_key = parse_secret_key(*key_text);
    if (!secret_key) return secret_key.error();
    auto plain = open_sealed(*secret_key, source.encrypted, seal_context(org.name, key));
    if (!plain) return Error(plain.error().kind, plain.error().code, "org " + org.name + ": " + plain.error().message);
    secrets[var] = *plain;
  }
  config::EnvLookup org_env = [&secrets](const std::string& name) -> std::optional<std::string> {
    auto it = secrets.find(name);
    return it == secrets.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto cfg = config::parse_config(org.settings, "org " + org.name + " (crmsync.orgs settings)", org_env);
  if (!cfg) return cfg.error();
  cfg->store.url = store.url;
  cfg->store.password = store.password;
  cfg->store.schema = org.schema;
  return cfg;
}

}  // namespace crmsync::fleet
