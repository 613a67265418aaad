#include "salesforce/retry.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <thread>

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

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request, const SendHooks& hooks) {
  report_ = {};
  const bool idempotent = is_idempotent(request);
  const bool bounded = policy_.deadline.count() > 0;
  const auto deadline = policy_.now() + policy_.deadline;
  auto time_left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - policy_.now());
  };
  HttpRequest sent;  // the request with this attempt's time left, when a deadline bounds it
  if (bounded) sent = request;
  for (int attempt = 0;; ++attempt) {
    if (hooks.before_send) CRMSYNC_TRY(hooks.before_send());
    ++report_.attempts;
    const bool last = attempt >= (hooks.max_retries ? std::max(0, *hooks.max_retries) : policy_.max_retries);
    if (bounded) sent.time_left = std::max(std::chrono::milliseconds(1), time_left());
    Result<HttpResponse> response = inner_->send(bounded ? sent : request);

    long retry_after = -1;
    if (!response) {
      const Error& e = response.error();
      if (e.http_status > 0 && hooks.on_answer) hooks.on_answer(HttpResponse{.status = e.http_status});
      // Only a refused connection proves nothing was sent.
      bool may_repeat = idempotent ? is_retryable_network_error(e) : e.code == "CONNECTION_REFUSED";
      if (last || !may_repeat) return response;
    } else {
      if (hooks.on_answer) hooks.on_answer(*response);
      if (response->status >= 200 && response->status < 300) {
        if (!hooks.check_body) return response;
        Status checked = hooks.check_body(*response);
        if (checked) return response;
        if (last || !idempotent || checked.error().kind != ErrorKind::kNetwork) return checked.error();
        response = checked.error();  // what is returned if the deadline stops the retries
      } else {
        if (last || !idempotent || !is_retryable_status(response->status)) return response;
        retry_after = parse_retry_after(response->header("Retry-After"), static_cast<std::int64_t>(std::time(nullptr)));
        if (retry_after >= 0) report_.retry_after_seconds = retry_after;
        if (retry_after >= 0 && std::chrono::seconds(retry_after) > policy_.max_retry_after) return response;
      }
    }
    std::chrono::milliseconds wait = backoff(attempt);
    if (retry_after >= 0) wait = std::max<std::chrono::milliseconds>(wait, std::chrono::seconds(retry_after));
    if (bounded && wait >= time_left()) {  // the next attempt could not start before the deadline
      report_.deadline_passed = true;
      return response;
    }
    policy_.sleep(wait);
  }
}

}  // namespace crmsync::salesforce
