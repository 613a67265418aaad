// The worker's side of the registry: leasing an org, renewing the lease, the run log, and recording
// how a run ended. Each call is one short transaction on the caller's connection; every time is the
// database's clock. Internal to src/fleet.
//
//   auto lease = acquire_lease(conn, "host:42", 60);            // the first due org, or nullopt
//   renew_lease(conn, lease->org, lease->token, 60);            // false: it is not ours any more
//   auto run = begin_run(conn, *lease, "host:42");              // with the org's writer lock held
//   finish_run(conn, *lease, *run, {RunOutcome::kOk, ...}, next);
//   release_lease(conn, *lease);                                // once the writer lock is let go
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "fleet/fleet.h"
#include "fleet/schedule.h"
#include "store/postgres/pg_connection.h"

namespace crmsync::fleet {

struct Lease {
  OrgRegistration org;
  std::int64_t token = 0;  // this grant of the lease; a later grant (to anyone) has another
  int failures = 0;        // failed runs in a row before this one
};

// Leases the org due first (next_run passed, no lease or an expired one): SELECT ... FOR UPDATE
// SKIP LOCKED, so workers asking at once get different orgs. nullopt when none is due.
Result<std::optional<Lease>> acquire_lease(store::postgres::Connection& conn, const std::string& holder,
                                           int lease_seconds);

// Moves the expiry to now + lease_seconds while the lease is still this grant and held; false when
// the org's lease was granted again since (it expired and another worker took it), was freed, or
// the org was removed. (A renewal racing release_lease never holds the org again.)
Result<bool> renew_lease(store::postgres::Connection& conn, const std::string& org, std::int64_t token,
                         int lease_seconds);

// Frees a lease that is still this grant. With `retry_seconds` (the org was not run: someone else
// holds its writer lock) the org is due again that long from now; without, its schedule stays as
// finish_run set it.
Status release_lease(store::postgres::Connection& conn, const Lease& lease,
                     std::optional<int> retry_seconds = std::nullopt);

// Logs the start of a run, closing first the runs of the org that earlier workers left open (they
// died mid-run: "abandoned"). Call with the org's writer lock held: then no earlier run is still
// writing, and the run log's intervals of one org never overlap. Returns the run's id.
Result<std::int64_t> begin_run(store::postgres::Connection& conn, const Lease& lease, const std::string& holder);

struct RunResult {
  RunOutcome outcome = RunOutcome::kOk;
  std::string error;         // why it failed or paused; empty when ok
  std::int64_t records = 0;  // rows written
};

// Closes the run in the log and, while the lease is still this grant, records the outcome on the
// org and schedules its next run `next.delay_seconds` from now (the lease stays held: free it with
// release_lease once the org's writer lock is let go). False when the lease was no longer this
// grant: the run is logged "lease_lost" and the org left to whoever holds it.
Result<bool> finish_run(store::postgres::Connection& conn, const Lease& lease, std::int64_t run_id,
                        const RunResult& result, const NextRun& next);

// Seconds until an org becomes due or a lease expires, whichever is first; nullopt when the
// registry holds no org.
Result<std::optional<double>> seconds_until_work(store::postgres::Connection& conn);

}  // namespace crmsync::fleet
