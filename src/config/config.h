// crmsync's configuration: a TOML file (crmsync.toml) whose every key can be overridden by an
// environment variable CRMSYNC_<SECTION>_<KEY> (e.g. CRMSYNC_SALESFORCE_PASSWORD,
// CRMSYNC_STORE_URL, CRMSYNC_GROUPS_ENGAGE, CRMSYNC_OBJECTS_ACCOUNT_EXCLUDE="Website,ParentId").
// connect_options(config) is the Salesforce login of every command; `crmsync status` and
// `crmsync serve` load with Validation::kStoreOnly. CRMSYNC_CONFIG names the file when a command is given no --config; a
// CRMSYNC_* variable nothing reads gets a warning (unknown_env_warnings), as an unknown key in the
// file gets an error.
//
//   auto cfg = config::load_config("crmsync.toml");            // Result<Config>
//   auto client = salesforce::Client::connect(config::connect_options(*cfg));
//
//   [salesforce]
//   login_url = "http://127.0.0.1:8787"      # or https://login.salesforce.com, a My Domain, ...
//   auth = "password"                        # "password" | "client_credentials" | "jwt" | "refresh_token"
//   client_id = "..."  client_secret = "..."  username = "..."  password = "..."
//   private_key_file = "..."                 # jwt (with client_id, username)
//   refresh_token_file = "..."               # refresh_token (or refresh_token = "..."; client_secret optional)
//   api_version = "62.0"
//   max_retries = 5  retry_base_ms = 500
//   connect_timeout_seconds = 30  request_timeout_seconds = 120  request_deadline_seconds = 300
//   low_speed_bytes_per_second = 1024  low_speed_seconds = 0  max_response_mb = 64  max_bulk_results_mb = 256
//   [store]
//   url = "sqlite:crmsync.db"                # or "postgresql://crmsync@db.internal:5432/crm?sslmode=require"
//   schema = "salesforce"                    # PostgreSQL only; password in CRMSYNC_STORE_PASSWORD
//   [objects.Account]
//   exclude = ["Website"]  include = ["NumberOfEmployees"]  enabled = true
//   [objects.Invoice__c]                     # beyond the catalog: every supported field, or `include`
//   [groups]
//   deals = true  engage = false  boards = true
//   [serve]                                  # crmsync serve (docs/api.md)
//   fiscal_year_start_month = 1  deal_columns = ["NextStep"]  host = "127.0.0.1"  port = 8080
//   [sync]
//   lookback_seconds = 300  settle_seconds = 2  concurrency = 4  ...
//   [export]                                 # crmsync export (docs/export.md)
//   as = "task"  external_id_field = "Crmsync_Activity_Id__c"  opportunity_window_days = 14
//   [export.call]   type = "Call"  subject = "{title}"  description = "{summary}"  status = "Completed"
//   [export.fields] recording_url = "Recording_URL__c"
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"

namespace crmsync::salesforce {
struct ConnectOptions;  // salesforce/client.h
}

namespace crmsync::config {

struct SalesforceConfig {
  std::string login_url = "https://login.salesforce.com";
  std::string auth = "password";  // password | client_credentials | jwt | refresh_token
  std::string client_id;
  std::string client_secret;  // secret: never logged (optional for refresh_token, unused by jwt)
  std::string username;       // password and jwt
  std::string password;       // secret: never logged (append the security token where the org needs it)
  std::string private_key_file;    // jwt: PEM RSA private key (the connected app has its certificate)
  std::string refresh_token;       // refresh_token (secret: prefer CRMSYNC_SALESFORCE_REFRESH_TOKEN), or
  std::string refresh_token_file;  // refresh_token: a file holding it; rotated tokens are written back
  std::string api_version = "62.0";
  bool verify_tls = true;     // may be turned off only for a loopback emulator
  std::int64_t max_retries = 5;      // repeats of one failed request (5xx, drops, cut-off bodies); 0..100
  std::int64_t retry_base_ms = 500;  // the first retry's wait; it doubles (jittered) each time
  // Time bounds (README's configuration table): connecting, one attempt (its answer included), the
  // low-speed abort (0 = off), and one request with all its retries and waits (0 = none).
  std::int64_t connect_timeout_seconds = 30;
  std::int64_t request_timeout_seconds = 120;
  std::int64_t low_speed_bytes_per_second = 1024;
  std::int64_t low_speed_seconds = 0;
  std::int64_t request_deadline_seconds = 300;
  // The largest answer accepted (decompressed): a JSON answer, and one Bulk API CSV results page.
  std::int64_t max_response_mb = 64;
  std::int64_t max_bulk_results_mb = 256;
};

struct StoreConfig {
  std::string url = "sqlite:crmsync.db";  // sqlite:PATH, or postgresql://user@host:port/dbname?sslmode=...
  std::string schema = "salesforce";      // PostgreSQL: the schema that holds the org's tables
  std::string password;                   // PostgreSQL; secret: never logged (prefer CRMSYNC_STORE_PASSWORD)
};

struct ObjectConfig {
  bool enabled = true;
  std::vector<std::string> exclude;
  std::vector<std::string> include;
};

struct GroupsConfig {
  bool deals = true;
  bool engage = false;
  bool boards = true;  // UserRole and CurrencyType, for `crmsync serve` (catalog::board_objects())
};

// [serve]: `crmsync serve` (docs/api.md). deal_columns are extra deal-board columns: API names of
// Opportunity fields the sync imports; reference fields other than OwnerId and RecordTypeId are
// refused when the server starts (the guide shows only Owner and Record Type on deal boards).
//
// Sign-in (docs/api.md, "Sign-in"): on when client_id is set. Team members sign in with Salesforce
// through their own connected app (the OAuth web-server flow with PKCE against [salesforce]
// login_url); the server then answers only signed-in people, each limited to what their place in
// the hierarchy gives them, and may listen on any address. Without it: loopback only, everyone
// sees everything.
struct ServeConfig {
  std::int64_t fiscal_year_start_month = 1;  // 1 = January .. 12; fiscal quarters start there
  std::vector<std::string> deal_columns;
  std::string host = "127.0.0.1";            // --host overrides; loopback only without sign-in
  std::int64_t port = 8080;                  // --port overrides
  std::string public_url;          // where team members open the boards; the callback is <public_url>/auth/callback
  std::string client_id;           // the team members' connected app's Consumer Key; set = sign-in on
  std::string client_secret;       // its Consumer Secret (secret: prefer CRMSYNC_SERVE_CLIENT_SECRET), or
  std::string client_secret_file;  // a file holding it; neither: a PKCE-only app that needs no secret
  std::string session_key;         // secret (CRMSYNC_SERVE_SESSION_KEY) keying session ids and CSRF tokens, or
  std::string session_key_file;    // a file holding it; neither: a random key for each start
  std::vector<std::string> admins; // usernames or user ids who see every deal
  std::int64_t session_hours = 8;  // a session ends this long after sign-in

  bool signin() const { return !client_id.empty(); }
};

// The sign-in secrets of [serve], read from the environment, the file or the key files: the
// connected app's client secret (empty when none is configured) and the session key (empty: the
// server makes a random one). kConfig naming the key and the fix when a file cannot be read or
// the session key is shorter than 32 bytes.
struct SigninSecrets {
  std::string client_secret;
  std::string session_key;
};
Result<SigninSecrets> read_signin_secrets(const ServeConfig& serve);

// [sync]: how the sync reads. Every key is documented in README's configuration table.
struct SyncConfig {
  std::int64_t lookback_seconds = 300;     // increments re-read [watermark - lookback, ...): late commits
  std::int64_t settle_seconds = 2;         // rows newer than now - settle are left for the next run
  std::int64_t concurrency = 4;            // objects synced in parallel (Salesforce allows 25 long requests)
  std::int64_t rows_per_commit = 20000;    // rows (and their watermark) per SQLite transaction
  std::int64_t batch_size = 2000;          // REST query page size asked for (200..2000)
  std::int64_t bulk_threshold = 2000;      // objects above this many records use Bulk API 2.0 (when wired)
  std::int64_t formula_refresh_hours = 24; // formula fields are re-read this often
  double quota_daily_share = 0.80;         // pause when the org's daily API usage reaches this share
  double quota_run_share = 0.25;           // pause when this run has used this share of the daily total
  std::int64_t interval_seconds = 300;     // crmsync worker: from one successful run of the org to the next
};

// How one kind of activity (call, meeting, invite) is written. Templates take the placeholders of
// kExportPlaceholders in braces ("{title}"); "{{" and "}}" are literal braces.
struct ExportKindConfig {
  std::string type;           // Task.Type / Event.Type ("" = not set)
  std::string task_subtype;   // Task.TaskSubtype (Task, Call, Email, ...)
  std::string event_subtype;  // Event.EventSubtype
  std::string record_type;    // a RecordType DeveloperName or Id ("" = the user's default)
  std::string subject;        // template
  std::string description;    // template
  std::string status;         // Task.Status
};

// The defaults of [export.call], [export.meeting] and [export.invite] (docs/export.md lists them).
ExportKindConfig export_kind_defaults(std::string_view kind);

// [export]: what `crmsync export` writes and how it matches activities to records.
struct ExportConfig {
  // The file has an [export] table or a CRMSYNC_EXPORT_* variable set a key: the configuration
  // exports activities (`crmsync check` then treats the export's permission gaps as errors).
  bool configured = false;
  std::string as = "task";            // task | event
  std::string external_id_field;      // an External ID custom field of Task/Event; "" = local ledger only
  bool match_opportunity_by_contact_role = true;
  bool match_opportunity_by_owner_participation = true;
  std::int64_t opportunity_window_days = 14;
  ExportKindConfig call = export_kind_defaults("call");
  ExportKindConfig meeting = export_kind_defaults("meeting");
  ExportKindConfig invite = export_kind_defaults("invite");
  std::map<std::string, std::string> fields;  // activity attribute -> custom field of Task/Event

  const ExportKindConfig& kind(std::string_view name) const;  // "call" | "meeting" | "invite"
};

// Template placeholders ({title}, {summary}, ...) and activity attributes [export.fields] may map.
extern const std::vector<std::string> kExportPlaceholders;
extern const std::vector<std::string> kExportFieldAttributes;

struct Config {
  SalesforceConfig salesforce;
  StoreConfig store;
  // By object name as written in the file: catalog objects, and objects beyond the catalog (any
  // Salesforce API name, e.g. Case or Invoice__c), whose fields are discovered from describe.
  std::map<std::string, ObjectConfig> objects;
  GroupsConfig groups;
  SyncConfig sync;
  ExportConfig exports;  // [export]
  ServeConfig serve;     // [serve]
  // What the file says that has no effect (an object configured inside a group that is off), one
  // sentence each with the fix; load_config logs them as warnings.
  std::vector<std::string> warnings;

  // The admin's choices for one object (empty when the file says nothing of it).
  catalog::AdminSelection selection_for(std::string_view object) const;
  // Catalog objects to sync, in catalog order: core, deals (when on), engage (when on), minus
  // objects with enabled = false.
  std::vector<std::string> enabled_objects() const;
  // What `crmsync sync` imports: enabled_objects(), then the board objects (catalog::board_objects())
  // while [groups] boards is on, then the objects beyond the catalog the file names (an
  // [objects.Case] or [objects.Invoice__c] section) by name; minus those with enabled = false.
  std::vector<std::string> synced_objects() const;
};

// Looks up an environment variable; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// What a command checks beyond the file's shape. kFull: every command that logs in (sync, check,
// export) needs the [salesforce] keys of its auth flow, valid [sync] values and [export].
// kStoreOnly: `crmsync status` and `crmsync serve` read the store only, so only [store] and
// [serve] are checked (the credentials may well live in another environment, e.g. the
// scheduler's that runs the sync). [serve] is checked in both.
enum class Validation { kFull, kStoreOnly };

// Parses TOML text (source_name names it in errors), then applies environment overrides.
// Errors (kConfig) name the file, the line where known, the key and what is expected; unknown
// sections, keys and catalog objects are refused rather than ignored. A URL an error repeats has
// its credentials masked (mask_url_credentials).
Result<Config> parse_config(std::string_view toml_text, std::string_view source_name,
                            const EnvLookup& env = process_env(), Validation validation = Validation::kFull);
// Reads and parses a file; a missing file is a kConfig error naming the path. Config::warnings are
// logged (common/log.h, level warn).
Result<Config> load_config(const std::string& path, const EnvLookup& env = process_env(),
                           Validation validation = Validation::kFull);

// The environment variable naming the configuration file when --config is not given.
inline constexpr const char* kConfigEnvVar = "CRMSYNC_CONFIG";

// Every CRMSYNC_<SECTION>_<KEY> variable the configuration reads (as parse_config asks for them).
std::vector<std::string> known_env_names();
// The names of the process's environment variables that start with CRMSYNC_.
std::vector<std::string> process_env_names();
// A warning for each CRMSYNC_* name that nothing reads (neither known_env_names() nor
// `also_known`, e.g. CRMSYNC_LOG_LEVEL), with a "did you mean" when a known name is close:
// "environment variable CRMSYNC_SALESFORCE_PASWORD is not a crmsync setting; did you mean
// CRMSYNC_SALESFORCE_PASSWORD?"
std::vector<std::string> unknown_env_warnings(const std::vector<std::string>& names,
                                              const std::vector<std::string>& also_known = {});

// The keys a section takes ("salesforce", "store", "groups", "sync"; empty for another name), each
// also settable as CRMSYNC_<SECTION>_<KEY>.
std::vector<std::string> section_keys(std::string_view section);

// The [salesforce] keys that hold a secret: never logged, and never kept in plain text by `crmsync
// orgs add` (each is also CRMSYNC_SALESFORCE_<KEY>, through which a worker hands it back).
inline const std::vector<std::string> kSalesforceSecretKeys = {"client_secret", "password", "refresh_token"};

// What `crmsync orgs add` keeps of an org's configuration: [salesforce] without its secrets
// (kSalesforceSecretKeys), [groups], [sync] and [objects.<Name>], each key that differs from its
// default, as TOML text that parse_config reads back to the same settings. [store], [serve] and
// [export] are left out (a worker syncs into the workers' database, and only syncs).
std::string sync_settings_toml(const Config& config);

// The one Salesforce login of every command that logs in (sync and each of its workers, check,
// export, demo): every [salesforce] key, plus the [sync] quota shares for the client's own guard.
// A command adds only what its flags say (export: --max-api-calls).
salesforce::ConnectOptions connect_options(const Config& config);

}  // namespace crmsync::config
