// When an org runs next, from how its last run ended: the org's interval after a success,
// exponential backoff after failures, an hour's wait when its daily API quota stopped the run, and
// at once after an interrupted run (another worker resumes it from its watermarks). Pure: no clock,
// no database. Internal to src/fleet.
#pragma once

#include <cstdint>
#include <string>

namespace crmsync::fleet {

enum class RunOutcome {
  kOk,              // every object synced (or was skipped for a reason the report gives)
  kFailed,          // the login, the configuration, the store or some object failed
  kPausedQuota,     // the org reached [sync] quota_daily_share of its daily API requests
  kPausedRunShare,  // the run spent [sync] quota_run_share of the org's daily requests
  kInterrupted,     // the worker was asked to stop (SIGTERM, SIGINT); what was read is committed
  kLeaseLost,       // the lease expired or was taken while the worker held it: it stopped the sync
};

// "ok", "failed", "paused", "paused", "interrupted", "lease_lost": what `crmsync orgs list` and the
// run log say.
const char* to_string(RunOutcome outcome);

struct ScheduleRules {
  std::int64_t interval_seconds = 300;  // [sync] interval_seconds
  std::int64_t backoff_seconds = 30;    // after the first failure in a row; doubled for each next one
  std::int64_t backoff_max_seconds = 3600;
  std::int64_t quota_wait_seconds = 3600;  // Salesforce counts API requests over a rolling 24 hours
};

struct NextRun {
  std::int64_t delay_seconds = 0;  // from the end of this run
  int failures = 0;                // failures in a row after this run
};

// kLeaseLost is not the holder's to schedule: its delay is 0 and its failures are kept.
NextRun next_run(RunOutcome outcome, int failures_before, const ScheduleRules& rules);

}  // namespace crmsync::fleet
