#include "fleet/schedule.h"

#include <algorithm>

namespace crmsync::fleet {

const char* to_string(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kOk: return "ok";
    case RunOutcome::kFailed: return "failed";
    case RunOutcome::kPausedQuota:
    case RunOutcome::kPausedRunShare: return "paused";
    case RunOutcome::kInterrupted: return "interrupted";
    case RunOutcome::kLeaseLost: return "lease_lost";
  }
  return "failed";
}

NextRun next_run(RunOutcome outcome, int failures_before, const ScheduleRules& rules) {
  switch (outcome) {
    case RunOutcome::kOk:
    case RunOutcome::kPausedRunShare:  // the org's quota is fine: the next run goes on at its time
      return {rules.interval_seconds, 0};
    case RunOutcome::kPausedQuota: return {std::max(rules.quota_wait_seconds, rules.interval_seconds), 0};
    case RunOutcome::kFailed: {
      const int failures = failures_before + 1;
      const std::int64_t cap = std::max(rules.backoff_max_seconds, rules.backoff_seconds);
      std::int64_t delay = rules.backoff_seconds;
      for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
      return {std::min(delay, cap), failures};
    }
    case RunOutcome::kInterrupted:
    case RunOutcome::kLeaseLost: return {0, failures_before};
  }
  return {rules.interval_seconds, failures_before};
}

}  // namespace crmsync::fleet
