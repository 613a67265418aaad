// The quota guard: keeps a run from spending more of the org's daily API requests than the admin
// allows. It is fed by every response's Sforce-Limit-Info (what the whole org has used today) and
// by the client's own count of requests (what this run has used), and the Client consults it
// before each request, retries included. Refusals are Error{kLimit, "QUOTA_GUARD"} whose message
// starts "paused" and gives the figures, e.g.
//   paused until quota recovers: org has used 81,234 of 100,000 daily API requests (limit 80%)
// The sync stops cleanly on it and resumes from its watermark on the next run.
//
//   QuotaGuard guard({.daily_share = 0.80, .run_share = 0.25, .max_calls = 0});
//   CRMSYNC_TRY(guard.check());          // before a request
//   guard.count_call(); guard.observe(parse_limit_info(header));   // after it got an answer
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "salesforce/client.h"

namespace crmsync::salesforce {

struct QuotaOptions {
  double daily_share = 0.80;   // stop once the org has used this share of its daily maximum
  double run_share = 0.25;     // stop once this run has used this share of the daily maximum
  std::int64_t max_calls = 0;  // stop once this run has made this many requests; 0 = no bound
};

class QuotaGuard {
 public:
  explicit QuotaGuard(QuotaOptions options = {}) : options_(options) {}

  void observe(const LimitInfo& org) {
    if (org.known()) org_ = org;
  }
  void count_call() { ++run_calls_; }

  // ok while the next request is within every bound; the shares apply once Salesforce has
  // reported the daily maximum (the first response does).
  Status check() const;

  std::int64_t run_calls() const { return run_calls_; }
  const LimitInfo& org() const { return org_; }
  const QuotaOptions& options() const { return options_; }

 private:
  QuotaOptions options_;
  LimitInfo org_;
  std::int64_t run_calls_ = 0;
};

// 81234 -> "81,234"
std::string with_thousands(std::int64_t n);

}  // namespace crmsync::salesforce
