// The client's HTTP core: one request in, one response (or a network Error) out. Internal to
// src/salesforce; the Client talks only to HttpTransport so a retry policy (or a test double) can
// wrap or replace the curl implementation without touching the REST logic.
//
//   auto http = make_curl_transport({.verify_tls = true, .timeout_seconds = 120});
//   Result<HttpResponse> r = http->send({.method = "GET", .url = url, .headers = {"Accept: application/json"}});
//   if (!r) return r.error();        // kNetwork: unreachable host, TLS failure, dropped connection;
//                                    // kLimit RESPONSE_TOO_LARGE: the body passed its bound
//   if (r->status >= 400) ...        // an HTTP answer, however bad, is not an Error here
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace crmsync::salesforce {

struct HttpRequest {
  std::string method = "GET";         // GET, POST, PATCH, DELETE
  std::string url;                    // absolute
  std::vector<std::string> headers;   // "Name: value"
  std::string body;                   // sent when non-empty or when method is POST/PATCH
  // Whether sending the request twice is harmless. Unset: GET, PUT, PATCH, DELETE and HEAD are, POST
  // is not. A request that is not is retried only when it cannot have reached the server (see
  // retry.h).
  std::optional<bool> idempotent;
  // The most body bytes this answer may have once decoded (gzip undone); 0 = the transport's bound.
  std::size_t max_body_bytes = 0;
  // This attempt's time bound when shorter than the transport's timeout (the rest of a request's
  // deadline, set by RetryingTransport); 0 = the transport's timeout.
  std::chrono::milliseconds time_left{0};
};

struct HttpResponse {
  long status = 0;
  std::string body;          // decoded (gzip is undone by curl)
  std::string limit_info;    // the Sforce-Limit-Info header, empty when absent
  std::string content_type;  // the Content-Type header, empty when absent
  // Every header as received (name as sent, value trimmed), for the few APIs that answer in
  // headers (Bulk API 2.0: Sforce-Locator, Sforce-NumberOfRecords).
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header named `name` (case-insensitive), empty when absent.
  std::string header(std::string_view name) const;
};

struct TransportOptions {
  bool verify_tls = true;
  long timeout_seconds = 120;          // one attempt, the whole answer included
  long connect_timeout_seconds = 30;
  // An attempt whose transfer stays below low_speed_bytes_per_second for low_speed_seconds is
  // given up (a timeout); 0 seconds = never. Waiting for the answer's first byte counts as slow.
  long low_speed_bytes_per_second = 1024;
  long low_speed_seconds = 0;
  // The largest body an answer may have, counted as it arrives after gzip is undone (so a small
  // compressed body cannot inflate without bound); a larger one stops the transfer.
  std::size_t max_body_bytes = std::size_t{64} << 20;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Errors are kNetwork (code HOST_NOT_FOUND, CONNECTION_REFUSED, TIMEOUT, TLS_FAILURE,
  // TRUNCATED_RESPONSE or NETWORK_ERROR) or kLimit RESPONSE_TOO_LARGE (the body passed its bound;
  // the transfer was stopped there); the message names the URL (without its query string) and
  // curl's reason, but no fix: the caller knows which setting the URL came from. An error's
  // http_status is the status line's code when the server had begun to answer, else 0.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

bool is_idempotent(const HttpRequest& request);

// libcurl with one easy handle reused across requests (keep-alive), gzip accepted,
// User-Agent crmsync/0.1, no redirects followed, http and https only.
std::unique_ptr<HttpTransport> make_curl_transport(const TransportOptions& options);

// "https://host:8443/services/oauth2/token?x=1" -> "https://host:8443/services/oauth2/token".
std::string url_without_query(const std::string& url);
// The host of an absolute URL ("127.0.0.1", "::1", "login.salesforce.com"), empty if unparsable.
std::string url_host(const std::string& url);
// 127.0.0.0/8, ::1 or localhost.
bool is_loopback_host(const std::string& host);

}  // namespace crmsync::salesforce
