// The client's retry policy, as an HttpTransport that wraps another one (internal to
// src/salesforce). Every REST and Bulk request of a Client goes through it.
//
//   RetryingTransport http(make_curl_transport(...), {.max_retries = 5, .base_delay = 500ms});
//   auto r = http.send(request, {.before_send = quota_check, .on_answer = count, .check_body = parse});
//
// What is retried, with jittered exponential backoff (attempt n waits between d/2 and d, where
// d = min(max_delay, base_delay * 2^n)), at most max_retries times after the first attempt:
//   - HTTP 500, 502, 503, 504 and other 5xx (not 501, 505: they cannot succeed), and 420/429 (rate
//     limited at the edge: the request was not processed);
//   - dropped connections, timeouts and cut-off bodies (kNetwork TRUNCATED_RESPONSE, TIMEOUT,
//     NETWORK_ERROR), connections refused (CONNECTION_REFUSED);
//   - a 2xx body that check_body rejects with a kNetwork error (truncated or non-JSON).
// What is never retried: HOST_NOT_FOUND and TLS_FAILURE (a setting is wrong), every other 4xx
// (MALFORMED_QUERY, INVALID_FIELD, NOT_FOUND, 401 INVALID_SESSION_ID, which the Client answers by
// logging in again, and 403 REQUEST_LIMIT_EXCEEDED, which is reported: retrying burns quota).
//
// Retry-After (seconds or an HTTP date) is honoured: the wait is at least what the server asked
// for. When it asks for more than max_retry_after, the answer is returned at once rather than
// holding the run hostage.
//
// A deadline bounds the whole request, retries and waits included: each attempt is given only the
// time left (HttpRequest::time_left), and no attempt starts (no wait begins) that would end past
// it; the last answer or error is returned then, and last_report() says the deadline passed.
//
// Requests that are not idempotent (POST create: a repeat could create a second record) are
// retried only when the connection was refused, i.e. nothing was sent. A timeout, a drop or a 5xx
// answer to such a request may hide a success, so it is returned to the caller as it is.
//
// Every attempt is logged (common/log.h): at debug the method, the path (query strings cut to a
// masked prefix), the status, the milliseconds and the attempt; at info each retry with its reason
// and wait, which RetryPolicy::on_retry also hears (the CLI shows it on the progress line).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "salesforce/http.h"

namespace crmsync::salesforce {

struct RetryNotice;  // client.h

struct RetryPolicy {
  int max_retries = 5;                                    // retries after the first attempt
  std::chrono::milliseconds base_delay{500};              // the first retry waits 250..500 ms
  std::chrono::milliseconds max_delay{60'000};            // cap on one backoff wait
  std::chrono::milliseconds max_retry_after{300'000};     // longer Retry-After: give up instead
  std::chrono::milliseconds deadline{0};                  // one request, retries included; 0 = none
  // How to wait; tests record the waits instead of sleeping. Default: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
  // The clock the deadline (and SendReport::elapsed) is measured on; tests move it by hand.
  // Default: steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now;
  // Told before each wait for a retry (from the sending thread).
  std::function<void(const RetryNotice&)> on_retry;
};

// Per-request callbacks around each attempt.
struct SendHooks {
  // Before every attempt (the quota guard); an error stops the request before it is sent.
  std::function<Status()> before_send;
  // After every attempt that reached the server (retried ones included): call counting, limits.
  // For an answer cut off after its status line, the response holds only that status.
  std::function<void(const HttpResponse&)> on_answer;
  // Judges a 2xx answer. A kNetwork error (cut off, not JSON) is retried like a dropped connection;
  // any other error is returned as it is. It may consume the body (move a parsed page out).
  std::function<Status(HttpResponse&)> check_body;
  // This request's retries instead of the policy's max_retries (0: one attempt, the caller sends it
  // again if it wants to).
  std::optional<int> max_retries;
};

// What the last send() did, for wording errors ("after 6 attempts").
struct SendReport {
  int attempts = 0;
  long retry_after_seconds = -1;  // the last Retry-After seen, -1 when none
  bool deadline_passed = false;   // retrying stopped because the policy's deadline came
  std::chrono::milliseconds elapsed{0};  // from the first attempt to the last answer, waits included
};

// " Tried 6 times over 13.2 s." for a report with retries, "" for a single attempt.
std::string attempts_note(const SendReport& report);
// "13.2 s"
std::string format_seconds(std::chrono::milliseconds d);

// Whether an answer / a network error may succeed when sent again.
bool is_retryable_status(long status);
bool is_retryable_network_error(const Error& error);
// Retry-After as delta-seconds or an HTTP date; -1 when absent or unparsable.
long parse_retry_after(const std::string& value, std::int64_t now_seconds);

class RetryingTransport final : public HttpTransport {
 public:
  RetryingTransport(std::unique_ptr<HttpTransport> inner, RetryPolicy policy);

  Result<HttpResponse> send(const HttpRequest& request) override;
  Result<HttpResponse> send(const HttpRequest& request, const SendHooks& hooks);

  const SendReport& last_report() const { return report_; }
  const RetryPolicy& policy() const { return policy_; }

 private:
  std::chrono::milliseconds backoff(int retry);
  void announce_retry(const HttpRequest& request, int attempt, int max_attempts, std::chrono::milliseconds wait,
                      const std::string& reason);

  std::unique_ptr<HttpTransport> inner_;
  RetryPolicy policy_;
  std::mt19937_64 random_;
  SendReport report_;
};

}  // namespace crmsync::salesforce
