// Many orgs, many workers: a registry of orgs kept in the workers' PostgreSQL database, and the
// worker that syncs them. Any number of `crmsync worker` processes, on any number of machines,
// share one registry; each org is synced by at most one of them at a time, into a schema of its own.
//
// The registry is the schema "crmsync" of that database: crmsync.orgs (one row per org: its
// settings, its secrets as references or encrypted, its schedule and its lease) and crmsync.runs
// (the run log: which worker ran which org, from when to when, and how it ended).
//
// A worker leases an org whose next run is due (SELECT ... FOR UPDATE SKIP LOCKED on its row; the
// lease carries an expiry the worker renews every third of it), takes the org's writer lock (the
// session advisory lock `crmsync sync` takes, so a worker that lost its lease but still runs keeps
// everyone else out), logs the run, runs the normal sync into the org's schema, records the outcome
// and schedules the next run (ScheduleRules). A worker that dies loses its leases when they expire;
// the next worker closes the dead one's run in the log and resumes the org from its watermarks. A
// worker that finds at a renewal that its lease is no longer its own stops that org's sync.
//
//   auto reg = fleet::Registry::open({.url = "postgresql://crmsync@db/crm"}, /*create=*/true);
//   auto org = fleet::register_org("acme", cfg, /*schema=*/"", {{"password", "ACME_SF_PASSWORD"}}, secret_key);
//   (*reg)->add(*org);                                   // crmsync orgs add
//   fleet::run_worker({.registry = {...}, .concurrency = 2, .stop_requested = ..., .wait = ...});
//
// Secrets never reach the registry in plain text: each [salesforce] secret is either the name of
// the environment variable that holds it on the workers, or AES-256-GCM encrypted with the key in
// CRMSYNC_SECRET_KEY (the same on every worker). The [salesforce] *_file keys keep file names.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "salesforce/client.h"

namespace crmsync::store::postgres {
class Connection;
}

namespace crmsync::fleet {

// The schema of the registry's tables; no org may use it.
inline constexpr std::string_view kRegistrySchema = "crmsync";
// The variable holding the key that encrypts the registry's secrets (64 hex digits).
inline constexpr const char* kSecretKeyEnvVar = "CRMSYNC_SECRET_KEY";

// Where the registry is: the workers' PostgreSQL database.
struct RegistryOptions {
  std::string url;       // postgresql://user@host:port/dbname?...
  std::string password;  // CRMSYNC_STORE_PASSWORD; empty: libpq's PGPASSWORD or ~/.pgpass. A secret.
};

// The registry of a store url; kConfig NOT_POSTGRES (the message names the url masked, and the fix)
// when it is not a PostgreSQL one: the registry and the orgs' schemas live in PostgreSQL only.
Result<RegistryOptions> registry_at(const std::string& url, const std::string& password);

// How the registry holds one secret of an org.
struct SecretSource {
  std::string env;        // the environment variable that holds it on the workers, or
  std::string encrypted;  // the secret sealed with CRMSYNC_SECRET_KEY ("v1:nonce:ciphertext", hex)
};

struct OrgRegistration {
  std::string name;                             // [a-z][a-z0-9_-]*, at most 63 characters
  std::string schema;                           // where its tables are: an identifier, not "crmsync"
  std::string settings;                         // config::sync_settings_toml of its configuration (no secret in it)
  std::map<std::string, SecretSource> secrets;  // by [salesforce] key (config::kSalesforceSecretKeys)
};

// "password=ACME_SF_PASSWORD" (--secret-env) as {"password", "ACME_SF_PASSWORD"}: a key of
// config::kSalesforceSecretKeys and an environment variable name. kConfig INVALID_VALUE otherwise.
Result<std::pair<std::string, std::string>> parse_secret_env(std::string_view spec);

// The environment to read an org's configuration with at `crmsync orgs add`: `env`, except that a
// secret named in `secret_env` reads from its variable (a stand-in when the variable is not set
// here: it is the workers' environment that must hold it).
config::EnvLookup add_time_env(const std::map<std::string, std::string>& secret_env, config::EnvLookup env);

// What `crmsync orgs add NAME` registers from the org's configuration: its settings, and each
// secret as the variable `secret_env` names for it or else, when the configuration holds it,
// sealed with `secret_key` (CRMSYNC_SECRET_KEY's value). `schema` empty: the configuration's
// [store] schema when it is not the default "salesforce", else NAME ('-' read as '_').
// Relative private_key_file / refresh_token_file paths are made absolute. kConfig errors: a bad
// name or schema, a bad CRMSYNC_SECRET_KEY, and PLAIN_SECRET when a secret is given in plain text
// and no key is set (the message names the secret and both fixes, never its value).
Result<OrgRegistration> register_org(const std::string& name, const config::Config& config, std::string schema,
                                     const std::map<std::string, std::string>& secret_env,
                                     const std::string& secret_key);

// The configuration a worker syncs an org with: the registration's settings, its secrets from the
// worker's `env` (the variables the registry names; CRMSYNC_SECRET_KEY for the sealed ones), and
// [store] = the workers' database with the org's schema. The worker's own CRMSYNC_* variables do
// not change an org's settings. kConfig errors name the org, the secret and the fix.
Result<config::Config> org_config(const OrgRegistration& org, const RegistryOptions& store,
                                  const config::EnvLookup& env);

// An org's state as `crmsync orgs list` shows it. Times are epoch milliseconds, 0 for never.
struct OrgState {
  std::string name;
  std::string schema;
  std::string holder;          // the worker holding its lease (host:pid), empty when none
  bool lease_expired = false;  // the holder stopped renewing (died or hung): the next worker takes it
  std::int64_t lease_expires = 0;
  std::int64_t last_run_started = 0;
  std::int64_t last_run_finished = 0;
  std::string last_outcome;  // ok | failed | paused | interrupted | lease_lost, empty before any run
  std::string last_error;
  std::int64_t last_records = 0;
  std::int64_t next_run = 0;
  int failures = 0;  // failed runs in a row
};

// One row of the run log (crmsync.runs).
struct RunRecord {
  std::int64_t id = 0;
  std::string org;
  std::string worker;         // host:pid
  std::int64_t started = 0;   // epoch ms, the database's clock
  std::int64_t finished = 0;  // 0 while it runs (or when its worker died and nobody took the org since)
  std::string outcome;        // as OrgState::last_outcome, or "abandoned": its worker died mid-run
  std::string error;
  std::int64_t records = 0;
};

class Registry {
 public:
  // Connects; with `create`, makes the schema "crmsync" and its tables when missing (else a
  // database without them is an empty registry). Errors: kStore, as the PostgreSQL store's.
  static Result<std::unique_ptr<Registry>> open(const RegistryOptions& options, bool create);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // kConfig DUPLICATE_ORG when the name is taken, SCHEMA_TAKEN when another org uses the schema.
  // The org is due at once.
  Status add(const OrgRegistration& org);
  // Removes the org and its run log and returns its schema, whose tables stay. A worker syncing it
  // stops at its next lease renewal. kConfig UNKNOWN_ORG (with a "did you mean") when there is none.
  Result<std::string> remove(const std::string& name);
  Result<std::vector<OrgState>> list();
  // The run log, oldest first; every org's when `org` is empty.
  Result<std::vector<RunRecord>> runs(const std::string& org = "");

  const std::string& where() const;  // the url, password masked

 private:
  explicit Registry(std::unique_ptr<store::postgres::Connection> conn);
  bool present();  // the tables exist
  std::unique_ptr<store::postgres::Connection> conn_;
};

// ---- the worker ---------------------------------------------------------------------------------

struct WorkerOptions {
  RegistryOptions registry;
  int concurrency = 1;       // orgs synced at once (threads)
  int lease_seconds = 60;    // a lease's life; renewed every third of it
  int backoff_seconds = 30;  // wait after an org's first failed run; doubled per failure, at most 1 hour
  std::string holder;        // "host:pid" when empty
  // The worker's environment: the variables the registry names for secrets, CRMSYNC_SECRET_KEY.
  config::EnvLookup env;
  // True once the worker should stop: each org it holds stops before its next API call, commits
  // what it read, and is handed back due at once; then run_worker returns.
  std::function<bool()> stop_requested;
  // Waits up to `d`, returning early once a stop is requested (empty: sleeps).
  std::function<void(std::chrono::milliseconds d)> wait;
  std::ostream* out = nullptr;  // one line per run (started, ended), when set
  // Hears each retry of an org's Salesforce calls (crmsync worker shows it on standard error).
  std::function<void(const salesforce::RetryNotice&)> on_retry;
};

// Runs until stop_requested(). Errors: the registry cannot be reached or created at the start
// (later failures of the database are reported on `out` and retried).
Status run_worker(const WorkerOptions& options);

// "host:pid" of this process.
std::string this_worker();

}  // namespace crmsync::fleet
