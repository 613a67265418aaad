// The registry's tables and the commands over them: crmsync orgs add, list, remove.
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "fleet/fleet.h"
#include "fleet/registry_tables.h"

namespace crmsync::fleet {

using store::postgres::Connection;
using store::postgres::epoch_ms_of;
using store::postgres::int_of;
using store::postgres::text_of;

Status create_registry_tables(Connection& conn) {
  const std::string context = "Cannot create crmsync's registry (the schema crmsync) in " + conn.where();
  CRMSYNC_TRY(conn.run("BEGIN", context));
  Status made = conn.run(
      "SELECT pg_advisory_xact_lock(hashtext('crmsync registry'));"
      "CREATE SCHEMA IF NOT EXISTS crmsync;"
      "CREATE TABLE IF NOT EXISTS crmsync.meta (key text PRIMARY KEY, value text);"
      "INSERT INTO crmsync.meta (key, value) VALUES ('registry_version', '1') ON CONFLICT (key) DO NOTHING;"
      "CREATE TABLE IF NOT EXISTS crmsync.orgs ("
      " name text PRIMARY KEY, schema_name text NOT NULL UNIQUE, settings text NOT NULL,"
      " secrets jsonb NOT NULL DEFAULT '{}'::jsonb, added_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
      " next_run timestamptz NOT NULL DEFAULT clock_timestamp(), failures integer NOT NULL DEFAULT 0,"
      " lease_holder text, lease_token bigint NOT NULL DEFAULT 0, lease_expires timestamptz,"
      " last_run_started timestamptz, last_run_finished timestamptz, last_outcome text, last_error text,"
      " last_records bigint);"
      "CREATE SEQUENCE IF NOT EXISTS crmsync.lease_tokens;"
      "CREATE TABLE IF NOT EXISTS crmsync.runs ("
      " id bigserial PRIMARY KEY, org text NOT NULL, worker text NOT NULL, lease_token bigint NOT NULL,"
      " started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz, outcome text,"
      " error text, records bigint);"
      "CREATE INDEX IF NOT EXISTS runs_org_started ON crmsync.runs (org, started_at)",
      context);
  if (!made) {
    (void)conn.run("ROLLBACK", context);
    return made;
  }
  return conn.run("COMMIT", context);
}

std::string secrets_json(const std::map<std::string, SecretSource>& secrets) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, source] : secrets) {
    j[key] = source.env.empty() ? nlohmann::json{{"encrypted", source.encrypted}} : nlohmann::json{{"env", source.env}};
  }
  return j.dump();
}

Result<std::map<std::string, SecretSource>> secrets_of(const std::string& json, const std::string& org) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return Error(ErrorKind::kStore, "REGISTRY_MALFORMED",
                 "org " + org + ": the registry's secrets column is not a JSON object; register the org again.");
  }
  std::map<std::string, SecretSource> out;
  for (const auto& [key, value] : j.items()) {
    SecretSource s;
    if (value.contains("env") && value["env"].is_string()) s.env = value["env"];
    if (value.contains("encrypted") && value["encrypted"].is_string()) s.encrypted = value["encrypted"];
    out[key] = s;
  }
  return out;
}

Registry::Registry(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
Registry::~Registry() = default;

const std::string& Registry::where() const { return conn_->where(); }

Result<std::unique_ptr<Registry>> Registry::open(const RegistryOptions& options, bool create) {
  auto conn = Connection::open(store::OpenOptions{options.url, std::string(kRegistrySchema), options.password});
  if (!conn) return conn.error();
  if (create) CRMSYNC_TRY(create_registry_tables(**conn));
  return std::unique_ptr<Registry>(new Registry(std::move(*conn)));
}

bool Registry::present() {
  auto r = conn_->exec("SELECT to_regclass('crmsync.orgs') IS NOT NULL", "Cannot read the registry");
  return r && text_of(r->get(), 0, 0) == "t";
}

Status Registry::add(const OrgRegistration& org) {
  const std::string context = "Cannot register the org " + org.name + " in " + conn_->where();
  auto taken = conn_->exec("SELECT name, schema_name FROM crmsync.orgs WHERE name = $1 OR schema_name = $2",
                           {org.name, org.schema}, context);
  if (!taken) return taken.error();
  for (int i = 0; i < PQntuples(taken->get()); ++i) {
    std::string name = text_of(taken->get(), i, 0);
    if (name == org.name) {
      return Error(ErrorKind::kConfig, "DUPLICATE_ORG",
                   "an org named " + org.name + " is already registered in " + conn_->where() +
                       "; pick another name, or `crmsync orgs remove " + org.name + "` first to replace it.");
    }
    return Error(ErrorKind::kConfig, "SCHEMA_TAKEN",
                 "the schema " + org.schema + " already holds the org " + name +
                     "; each org needs a schema of its own: give this one another with --schema.");
  }
  auto inserted =
      conn_->exec("INSERT INTO crmsync.orgs (name, schema_name, settings, secrets) VALUES ($1, $2, $3, $4::jsonb)",
                  {org.name, org.schema, org.settings, secrets_json(org.secrets)}, context);
  if (inserted) return ok_status();
  if (store::postgres::sqlstate_of(inserted.error()) == "23505") {  // added by someone else just now
    return Error(ErrorKind::kConfig, "DUPLICATE_ORG",
                 "the org " + org.name + " or its schema " + org.schema +
                     " was just registered by someone else; "
                     "see `crmsync orgs list`.");
  }
  return inserted.error();
}

Result<std::string> Registry::remove(const std::string& name) {
  const std::string context = "Cannot remove the org " + name + " from " + conn_->where();
  std::vector<std::string> names;
  if (present()) {
    CRMSYNC_TRY(conn_->run("BEGIN", context));
    auto gone = conn_->exec("DELETE FROM crmsync.orgs WHERE name = $1 RETURNING schema_name", {name}, context);
    Status log = gone.ok() ? ok_status() : Status(gone.error());
    if (log) {
      auto runs = conn_->exec("DELETE FROM crmsync.runs WHERE org = $1", {name}, context);
      if (!runs) log = runs.error();
    }
    if (!log) {
      (void)conn_->run("ROLLBACK", context);
      return log.error();
    }
    CRMSYNC_TRY(conn_->run("COMMIT", context));
    if (PQntuples(gone->get()) == 1) return text_of(gone->get(), 0, 0);
    auto all = list();
    if (!all) return all.error();
    for (const auto& o : *all) names.push_back(o.name);
  }
  return Error(ErrorKind::kConfig, "UNKNOWN_ORG",
               "no org named " + name + " is registered in " + conn_->where() +
                   (names.empty() ? "; the registry holds no org (`crmsync orgs add NAME --config FILE` adds one)."
                                  : suggestion(name, names, "orgs")));
}

Result<std::vector<OrgState>> Registry::list() {
  std::vector<OrgState> out;
  if (!present()) return out;
  auto r = conn_->exec("SELECT name, schema_name, coalesce(lease_holder, ''), lease_expires <= clock_timestamp(), " +
                           epoch_ms_of("lease_expires") + ", " + epoch_ms_of("last_run_started") + ", " +
                           epoch_ms_of("last_run_finished") +
                           ", coalesce(last_outcome, ''), coalesce(last_error, ''), coalesce(last_records, 0), " +
                           epoch_ms_of("next_run") + ", failures FROM crmsync.orgs ORDER BY name",
                       "Cannot read the registry in " + conn_->where());
  if (!r) return r.error();
  const PGresult* res = r->get();
  for (int i = 0; i < PQntuples(res); ++i) {
    OrgState s;
    s.name = text_of(res, i, 0);
    s.schema = text_of(res, i, 1);
    s.holder = text_of(res, i, 2);
    s.lease_expired = text_of(res, i, 3) == "t";
    s.lease_expires = int_of(res, i, 4);
    s.last_run_started = int_of(res, i, 5);
    s.last_run_finished = int_of(res, i, 6);
    s.last_outcome = text_of(res, i, 7);
    s.last_error = text_of(res, i, 8);
    s.last_records = int_of(res, i, 9);
    s.next_run = int_of(res, i, 10);
    s.failures = static_cast<int>(int_of(res, i, 11));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<RunRecord>> Registry::runs(const std::string& org) {
  std::vector<RunRecord> out;
  if (!present()) return out;
  auto r = conn_->exec("SELECT id, org, worker, " + epoch_ms_of("started_at") + ", " + epoch_ms_of("finished_at") +
                           ", coalesce(outcome, ''), coalesce(error, ''), coalesce(records, 0) FROM crmsync.runs"
                           " WHERE $1 = '' OR org = $1 ORDER BY started_at, id",
                       {org}, "Cannot read the run log in " + conn_->where());
  if (!r) return r.error();
  const PGresult* res = r->get();
  for (int i = 0; i < PQntuples(res); ++i) {
    out.push_back({int_of(res, i, 0), text_of(res, i, 1), text_of(res, i, 2), int_of(res, i, 3), int_of(res, i, 4),
                   text_of(res, i, 5), text_of(res, i, 6), int_of(res, i, 7)});
  }
  return out;
}

}  // namespace crmsync::fleet
