#include "fleet/leases.h"

#include "fleet/registry_tables.h"

namespace crmsync::fleet {

using store::postgres::Connection;
using store::postgres::int_of;
using store::postgres::text_of;

namespace {

// Runs `fn` in a transaction of its own: committed when it succeeds, rolled back otherwise.
template <typename T, typename F>
Result<T> in_transaction(Connection& conn, const std::string& context, F fn) {
  CRMSYNC_TRY(conn.run("BEGIN", context));
  Result<T> out = fn();
  if (!out) {
    (void)conn.run("ROLLBACK", context);
    return out;
  }
  CRMSYNC_TRY(conn.run("COMMIT", context));
  return out;
}

std::string seconds(int s) { return std::to_string(s); }

}  // namespace

Result<std::optional<Lease>> acquire_lease(Connection& conn, const std::string& holder, int lease_seconds) {
  const std::string context = "Cannot lease an org from the registry in " + conn.where();
  return in_transaction<std::optional<Lease>>(conn, context, [&]() -> Result<std::optional<Lease>> {
    auto due = conn.exec(
        "SELECT name FROM crmsync.orgs WHERE next_run <= clock_timestamp()"
        " AND (lease_expires IS NULL OR lease_expires <= clock_timestamp())"
        " ORDER BY next_run, name LIMIT 1 FOR UPDATE SKIP LOCKED",
        context);
    if (!due) return due.error();
    if (PQntuples(due->get()) == 0) return std::optional<Lease>();
    auto got = conn.exec(
        "UPDATE crmsync.orgs SET lease_holder = $2, lease_token = nextval('crmsync.lease_tokens'),"
        " lease_expires = clock_timestamp() + make_interval(secs => $3::int)"
        " WHERE name = $1 RETURNING name, schema_name, settings, secrets::text, lease_token, failures",
        {text_of(due->get(), 0, 0), holder, seconds(lease_seconds)}, context);
    if (!got) return got.error();
    const PGresult* r = got->get();
    Lease lease;
    lease.org.name = text_of(r, 0, 0);
    lease.org.schema = text_of(r, 0, 1);
    lease.org.settings = text_of(r, 0, 2);
    auto secrets = secrets_of(text_of(r, 0, 3), lease.org.name);
    if (!secrets) return secrets.error();
    lease.org.secrets = std::move(*secrets);
    lease.token = int_of(r, 0, 4);
    lease.failures = static_cast<int>(int_of(r, 0, 5));
    return std::optional<Lease>(std::move(lease));
  });
}

Result<bool> renew_lease(Connection& conn, const std::string& org, std::int64_t token, int lease_seconds) {
  auto r = conn.exec(
      "UPDATE crmsync.orgs SET lease_expires = clock_timestamp() + make_interval(secs => $3::int)"
      " WHERE name = $1 AND lease_token = $2::bigint AND lease_expires IS NOT NULL RETURNING 1",
      {org, std::to_string(token), seconds(lease_seconds)}, "Cannot renew the lease of " + org + " in " + conn.where());
  if (!r) return r.error();
  return PQntuples(r->get()) == 1;
}

Status release_lease(Connection& conn, const Lease& lease, std::optional<int> retry_seconds) {
  auto r = conn.exec(
      "UPDATE crmsync.orgs SET lease_holder = NULL, lease_expires = NULL, next_run = CASE WHEN $3::int IS NULL"
      " THEN next_run ELSE clock_timestamp() + make_interval(secs => $3::int) END"
      " WHERE name = $1 AND lease_token = $2::bigint",
      {lease.org.name, std::to_string(lease.token),
       retry_seconds ? std::optional<std::string>(seconds(*retry_seconds)) : std::nullopt},
      "Cannot free the lease of " + lease.org.name + " in " + conn.where());
  return r ? ok_status() : Status(r.error());
}

Result<std::int64_t> begin_run(Connection& conn, const Lease& lease, const std::string& holder) {
  const std::string context = "Cannot log the run of " + lease.org.name + " in " + conn.where();
  return in_transaction<std::int64_t>(conn, context, [&]() -> Result<std::int64_t> {
    auto closed = conn.exec(
        "UPDATE crmsync.runs SET finished_at = clock_timestamp(), outcome = 'abandoned',"
        " error = 'the worker ' || worker || ' stopped renewing its lease mid-run (it died or lost the database);"
        " the org was run again from its watermarks' WHERE org = $1 AND finished_at IS NULL",
        {lease.org.name}, context);
    if (!closed) return closed.error();
    auto started = conn.exec("UPDATE crmsync.orgs SET last_run_started = clock_timestamp() WHERE name = $1",
                             {lease.org.name}, context);
    if (!started) return started.error();
    auto run = conn.exec("INSERT INTO crmsync.runs (org, worker, lease_token) VALUES ($1, $2, $3::bigint) RETURNING id",
                         {lease.org.name, holder, std::to_string(lease.token)}, context);
    if (!run) return run.error();
    return int_of(run->get(), 0, 0);
  });
}

Result<bool> finish_run(Connection& conn, const Lease& lease, std::int64_t run_id, const RunResult& result,
                        const NextRun& next) {
  const std::string context = "Cannot record the run of " + lease.org.name + " in " + conn.where();
  return in_transaction<bool>(conn, context, [&]() -> Result<bool> {
    auto org = conn.exec(
        "UPDATE crmsync.orgs SET last_run_finished = clock_timestamp(),"
        " last_outcome = $3, last_error = nullif($4, ''), last_records = $5::bigint, failures = $6::int,"
        " next_run = clock_timestamp() + make_interval(secs => $7::double precision)"
        " WHERE name = $1 AND lease_token = $2::bigint RETURNING 1",
        {lease.org.name, std::to_string(lease.token), std::string(to_string(result.outcome)), result.error,
         std::to_string(result.records), std::to_string(next.failures), std::to_string(next.delay_seconds)},
        context);
    if (!org) return org.error();
    const bool ours = PQntuples(org->get()) == 1;
    RunOutcome logged = ours ? result.outcome : RunOutcome::kLeaseLost;
    std::string error = ours || result.outcome == RunOutcome::kLeaseLost
                            ? result.error
                            : "the lease was granted again while this worker held it (it could not renew in time); "
                              "what the run committed is kept";
    auto run = conn.exec(
        "UPDATE crmsync.runs SET finished_at = clock_timestamp(), outcome = $2, error = nullif($3, ''),"
        " records = $4::bigint WHERE id = $1::bigint",
        {std::to_string(run_id), std::string(to_string(logged)), error, std::to_string(result.records)}, context);
    if (!run) return run.error();
    return ours;
  });
}

Result<std::optional<double>> seconds_until_work(Connection& conn) {
  auto r = conn.exec(
      "SELECT extract(epoch FROM min(CASE WHEN lease_expires IS NOT NULL AND lease_expires > next_run"
      " THEN lease_expires ELSE next_run END) - clock_timestamp()) FROM crmsync.orgs",
      "Cannot read the registry's schedule in " + conn.where());
  if (!r) return r.error();
  if (store::postgres::is_null(r->get(), 0, 0)) return std::optional<double>();
  return std::optional<double>(std::stod(text_of(r->get(), 0, 0)));
}

}  // namespace crmsync::fleet
