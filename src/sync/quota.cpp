#include "sync/quota.h"

#include <fmt/format.h>

namespace crmsync::sync {

bool is_quota_stop(const Error& e) {
  return e.kind == ErrorKind::kLimit && (e.code == kQuotaGuardCode || e.code == "REQUEST_LIMIT_EXCEEDED");
}

Status QuotaGuard::check(const salesforce::LimitInfo& limits) {
  std::lock_guard lock(mu_);
  if (tripped_) return *tripped_;
  std::int64_t run = run_calls_;
  std::string why;
  if (max_api_calls_ > 0 && run >= max_api_calls_) {
    // The run's own cap, not the org's quota: nothing needs to recover, the next run goes on.
    tripped_ = Error(ErrorKind::kLimit, kQuotaGuardCode,
                     fmt::format("paused: this run reached its own cap of {} API calls (--max-api-calls {}{}); what "
                                 "was read is committed and the next run resumes from the watermark.",
                                 max_api_calls_, max_api_calls_,
                                 // Calls already in flight on other threads finish, so the count may pass the cap.
                                 run > max_api_calls_ ? fmt::format("; {} made, with those in flight", run) : ""));
    return *tripped_;
  }
  if (limits.known() && limits.max > 0) {
    auto daily_cap = static_cast<std::int64_t>(daily_share_ * static_cast<double>(limits.max));
    auto run_cap = static_cast<std::int64_t>(run_share_ * static_cast<double>(limits.max));
    if (limits.used >= daily_cap) {
      why = fmt::format("the org has used {} of its {} daily API requests, the [sync] quota_daily_share of {:.0f}%",
                        limits.used, limits.max, daily_share_ * 100);
    } else if (run >= run_cap) {
      why = fmt::format("this run has spent {} API calls, the [sync] quota_run_share of {:.0f}% of the org's {} daily",
                        run, run_share_ * 100, limits.max);
    }
  }
  if (why.empty()) return ok_status();
  tripped_ = Error(ErrorKind::kLimit, kQuotaGuardCode,
                   "paused until quota recovers: " + why +
                       "; what was read is committed and the next run resumes from the watermark.");
  return *tripped_;
}

}  // namespace crmsync::sync
