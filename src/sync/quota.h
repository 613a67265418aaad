// The sync's side of the API budget, checked before every API call in one place: --max-api-calls
// for the run, and the org's daily usage (Sforce-Limit-Info, as the client last saw it) against
// [sync] quota_daily_share and quota_run_share. Once it trips it stays tripped for the run, so
// every object pauses cleanly and resumes from its watermark next time. Thread-safe. Internal.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>

#include "common/result.h"
#include "salesforce/client.h"

namespace crmsync::sync {

// The code of the error that pauses an object (also what the client's own guard answers with).
inline constexpr const char* kQuotaGuardCode = "QUOTA_GUARD";
// The code of the error before_call answers once SyncOptions::interrupted says so.
inline constexpr const char* kInterruptedCode = "INTERRUPTED";

// True for errors that mean "stop for now, resume later" rather than "failed".
bool is_quota_stop(const Error& e);

class QuotaGuard {
 public:
  QuotaGuard(double daily_share, double run_share, std::int64_t max_api_calls)
      : daily_share_(daily_share), run_share_(run_share), max_api_calls_(max_api_calls) {}

  // Adds calls a client made since its last report.
  void add_calls(std::int64_t n) { run_calls_ += n; }
  std::int64_t run_calls() const { return run_calls_; }
  // OK, or kLimit QUOTA_GUARD with the figures, before the next call.
  Status check(const salesforce::LimitInfo& limits);

 private:
  double daily_share_;
  double run_share_;
  std::int64_t max_api_calls_;
  std::atomic<std::int64_t> run_calls_{0};
  std::mutex mu_;
  std::optional<Error> tripped_;
};

}  // namespace crmsync::sync
