#include "salesforce/quota.h"

#include <cstdio>

namespace crmsync::salesforce {

namespace {

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", share * 100.0);  // 80%, 12.5%, 0.05%
  return buf;
}

Error paused(const std::string& detail) {
  return Error(ErrorKind::kLimit, "QUOTA_GUARD", "paused until quota recovers: " + detail);
}

}  // namespace

std::string with_thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

Status QuotaGuard::check() const {
  if (options_.max_calls > 0 && run_calls_ >= options_.max_calls) {
    return Error(ErrorKind::kLimit, "QUOTA_GUARD",
                 "paused: this run has made " + with_thousands(run_calls_) +
                     " API requests, its limit (max_api_calls = " + with_thousands(options_.max_calls) +
                     "); the next run resumes where this one stopped.");
  }
  if (!org_.known() || org_.max <= 0) return ok_status();
  const double max = static_cast<double>(org_.max);
  if (static_cast<double>(org_.used) >= options_.daily_share * max) {
    return paused("org has used " + with_thousands(org_.used) + " of " + with_thousands(org_.max) +
                  " daily API requests (limit " + percent(options_.daily_share) + ")");
  }
  if (static_cast<double>(run_calls_) >= options_.run_share * max) {
    return paused("this run has used " + with_thousands(run_calls_) + " of the org's " + with_thousands(org_.max) +
                  " daily API requests (limit " + percent(options_.run_share) + " per run)");
  }
  return ok_status();
}

}  // namespace crmsync::salesforce
