#include "salesforce/retry.h"

#include <cstdio>

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <thread>

#include "common/log.h"
#include "common/text.h"
#include "salesforce/client.h"

namespace crmsync::salesforce {

bool is_retryable_status(long status) {
  if (status == 420 || status == 429) return true;
  return status >= 500 && status <= 599 && status != 501 && status != 505;
}

bool is_retryable_network_error(const Error& error) {
  if (error.kind != ErrorKind::kNetwork) return false;
  return error.code != "HOST_NOT_FOUND" && error.code != "TLS_FAILURE";
}

long parse_retry_after(const std::string& value, std::int64_t now_seconds) {
  if (value.empty()) return -1;
  long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) return seconds < 0 ? -1 : seconds;
  std::time_t at = curl_getdate(value.c_str(), nullptr);
  if (at < 0) return -1;
  return std::max<long>(0, static_cast<long>(at - now_seconds));
}

RetryingTransport::RetryingTransport(std::unique_ptr<HttpTransport> inner, RetryPolicy policy)
    : inner_(std::move(inner)), policy_(std::move(policy)), random_(std::random_device{}()) {
  if (!policy_.sleep) policy_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!policy_.now) policy_.now = [] { return std::chrono::steady_clock::now(); };
  policy_.max_retries = std::max(0, policy_.max_retries);
}

std::chrono::milliseconds RetryingTransport::backoff(int retry) {
  std::int64_t base = std::max<std::int64_t>(0, policy_.base_delay.count());
  std::int64_t cap = std::max<std::int64_t>(base, policy_.max_delay.count());
  std::int64_t full = base;
  for (int i = 0; i < retry && full < cap; ++i) full *= 2;
  full = std::min(full, cap);
  // "Equal jitter": half fixed so waits still grow, half random so clients do not retry in step.
  std::int64_t half = full / 2;
  std::uniform_int_distribution<std::int64_t> jitter(0, full - half);
  return std::chrono::milliseconds(half + jitter(random_));
}

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request) { return send(request, SendHooks{}); }

namespace {

// The URL as a log line shows it: the path, and at most 120 characters of the query string with
// every secret-named parameter masked (a SOQL query reads "q=SELECT+Id,..." there).
std::string path_for_log(const std::string& url) {
  std::string masked = mask_url_credentials(url);
  auto scheme = masked.find("://");
  auto path = masked.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string out = path == std::string::npos ? "/" : masked.substr(path);
  auto query = out.find('?');
  if (query != std::string::npos && out.size() - query > 121) out = out.substr(0, query + 121) + "...";
  return out;
}

// One attempt at debug: "GET /services/data/v62.0/query?q=... 200 (12 ms, attempt 1)".
void log_attempt(const HttpRequest& request, const Result<HttpResponse>& response, std::int64_t ms, int attempt) {
  if (!log::enabled(log::Level::kDebug)) return;
  long status = response ? response->status : response.error().http_status;
  std::string code = response ? "" : response.error().code;
  std::string path = path_for_log(request.url);
  log::debug("http",
             request.method + " " + path + " " + (status > 0 ? std::to_string(status) : code) + " (" +
                 std::to_string(ms) + " ms, attempt " + std::to_string(attempt) + ")",
             {{"method", request.method}, {"path", path}, {"status", status}, {"ms", ms}, {"attempt", attempt},
              {"error", code}});
}

}  // namespace

std::string format_seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string attempts_note(const SendReport& report) {
  if (report.attempts <= 1) return "";
  return " Tried " + std::to_string(report.attempts) + " times over " + format_seconds(report.elapsed) + ".";
}

void RetryingTransport::announce_retry(const HttpRequest& request, int attempt, int max_attempts,
                                       std::chrono::milliseconds wait, const std::string& reason) {
  RetryNotice notice{request.method, mask_url_credentials(url_without_query(request.url)), attempt, max_attempts, wait,
                     reason};
  log::info("retry",
            "retrying " + notice.method + " " + notice.url + " in " + format_seconds(wait) + ": " + reason +
                " (attempt " + std::to_string(attempt) + " of " + std::to_string(max_attempts) + ")",
            {{"method", notice.method}, {"url", notice.url}, {"attempt", attempt}, {"max_attempts", max_attempts},
             {"wait_ms", static_cast<std::int64_t>(wait.count())}, {"reason", reason}});
  if (policy_.on_retry) policy_.on_retry(notice);
}

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request, const SendHooks& hooks) {
  report_ = {};
  const auto started = policy_.now();
  auto ms_since = [&](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(policy_.now() - t);
  };
  const bool idempotent = is_idempotent(request);
  const int max_retries = hooks.max_retries ? std::max(0, *hooks.max_retries) : policy_.max_retries;
  const bool bounded = policy_.deadline.count() > 0;
  const auto deadline = started + policy_.deadline;
  auto time_left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - policy_.now());
  };
  HttpRequest sent;  // the request with this attempt's time left, when a deadline bounds it
  if (bounded) sent = request;
  for (int attempt = 0;; ++attempt) {
    if (hooks.before_send) CRMSYNC_TRY(hooks.before_send());
    ++report_.attempts;
    const bool last = attempt >= max_retries;
    if (bounded) sent.time_left = std::max(std::chrono::milliseconds(1), time_left());
    const auto attempt_started = policy_.now();
    Result<HttpResponse> response = inner_->send(bounded ? sent : request);
    log_attempt(request, response, ms_since(attempt_started).count(), attempt + 1);
    report_.elapsed = ms_since(started);

    long retry_after = -1;
    std::string reason;
    if (!response) {
      const Error& e = response.error();
      if (e.http_status > 0 && hooks.on_answer) hooks.on_answer(HttpResponse{.status = e.http_status});
      // Only a refused connection proves nothing was sent.
      bool may_repeat = idempotent ? is_retryable_network_error(e) : e.code == "CONNECTION_REFUSED";
      if (last || !may_repeat) return response;
      reason = e.code;
    } else {
      if (hooks.on_answer) hooks.on_answer(*response);
      if (response->status >= 200 && response->status < 300) {
        if (!hooks.check_body) return response;
        Status checked = hooks.check_body(*response);
        if (checked) return response;
        if (last || !idempotent || checked.error().kind != ErrorKind::kNetwork) return checked.error();
        reason = checked.error().code;
        response = checked.error();  // what is returned if the deadline stops the retries
      } else {
        if (last || !idempotent || !is_retryable_status(response->status)) return response;
        retry_after = parse_retry_after(response->header("Retry-After"), static_cast<std::int64_t>(std::time(nullptr)));
        if (retry_after >= 0) report_.retry_after_seconds = retry_after;
        if (retry_after >= 0 && std::chrono::seconds(retry_after) > policy_.max_retry_after) return response;
        reason = "HTTP " + std::to_string(response->status);
      }
    }
    std::chrono::milliseconds wait = backoff(attempt);
    if (retry_after >= 0) wait = std::max<std::chrono::milliseconds>(wait, std::chrono::seconds(retry_after));
    if (bounded && wait >= time_left()) {  // the next attempt could not start before the deadline
      report_.deadline_passed = true;
      return response;
    }
    announce_retry(request, attempt + 1, max_retries + 1, wait, reason);
    policy_.sleep(wait);
  }
}

}  // namespace crmsync::salesforce
