#include "salesforce/http.h"

#include <cctype>

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "common/text.h"

namespace crmsync::salesforce {

namespace {

void ensure_curl_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The body as curl hands it over (decoded: gzip is undone before this sees it), up to a bound.
struct BodySink {
  std::string* out;
  std::size_t max;
  bool over = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (n > sink->max - std::min(sink->max, sink->out->size())) {
    sink->over = true;
    return 0;  // curl stops the transfer (CURLE_WRITE_ERROR)
  }
  sink->out->append(data, n);
  return n;
}

std::string megabytes(std::size_t bytes) {
  if (bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MB";
  return std::to_string(bytes) + " bytes";
}

Error too_large(const HttpRequest& request, std::size_t max) {
  return Error(ErrorKind::kLimit, "RESPONSE_TOO_LARGE",
               "The answer to " + request.method + " " + url_without_query(request.url) + " was larger than " +
                   megabytes(max) + " (decompressed), crmsync's bound for one answer; the transfer was stopped there.");
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response (e.g. after 100 Continue): forget old headers
    response->limit_info.clear();
    response->content_type.clear();
    response->headers.clear();
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string_view name = line.substr(0, colon);
  std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "Sforce-Limit-Info")) response->limit_info = std::string(value);
  if (iequals(name, "Content-Type")) response->content_type = std::string(value);
  response->headers.emplace_back(std::string(name), std::string(value));
  return size * count;
}

bool is_tls_error(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

// curl's detail without its timing ("Failed to connect to h port 1 after 0 ms: ..."): that is the
// last attempt's, which read as "after 0 ms" at the end of 13 s of retries. The caller says how
// many attempts over how long (retry.h attempts_note).
std::string without_timing(std::string detail) {
  auto after = detail.find(" after ");
  if (after == std::string::npos) return detail;
  auto ms = detail.find(" ms", after);
  if (ms == std::string::npos) return detail;
  bool digits = ms > after + 7;
  for (auto i = after + 7; i < ms; ++i) digits = digits && std::isdigit(static_cast<unsigned char>(detail[i]));
  if (digits) detail.erase(after, ms + 3 - after);
  return detail;
}

Error network_error(CURLcode code, const char* detail, const std::string& url) {
  std::string where = mask_url_credentials(url_without_query(url));
  std::string reason = curl_easy_strerror(code);
  if (detail != nullptr && detail[0] != '\0' && reason != detail) reason += " (" + without_timing(detail) + ")";
  std::string kind_code = "NETWORK_ERROR";
  std::string what = "Could not complete the request to " + where;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      kind_code = "HOST_NOT_FOUND";
      what = "Could not resolve the host of " + where;
      break;
    case CURLE_COULDNT_CONNECT:
      kind_code = "CONNECTION_REFUSED";
      what = "Could not connect to " + where;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      kind_code = "TIMEOUT";
      what = "The request to " + where + " timed out";
      break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_BAD_CONTENT_ENCODING:
      kind_code = "TRUNCATED_RESPONSE";
      what = "The response from " + where + " was cut off or malformed";
      break;
    default:
      if (is_tls_error(code)) {
        kind_code = "TLS_FAILURE";
        what = "The TLS (HTTPS) handshake with " + where + " failed";
      }
  }
  return Error(ErrorKind::kNetwork, kind_code, what + ": " + reason + ".");
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const TransportOptions& options) : options_(options) {
    ensure_curl_global_init();
    handle_ = curl_easy_init();
    if (handle_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  }
  ~CurlTransport() override { curl_easy_cleanup(handle_); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override {
    // reset keeps live connections, the DNS cache and TLS sessions: keep-alive survives.
    curl_easy_reset(handle_);
    HttpResponse response;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    struct curl_slist* headers = nullptr;
    for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
    // curl would add "Expect: 100-continue" to large POSTs; Salesforce does not need the round trip.
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(handle_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle_, CURLOPT_USERAGENT, "crmsync/0.1");
    curl_easy_setopt(handle_, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, attempt_timeout_ms(request));
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
    if (options_.low_speed_seconds > 0) {
      curl_easy_setopt(handle_, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes_per_second);
      curl_easy_setopt(handle_, CURLOPT_LOW_SPEED_TIME, options_.low_speed_seconds);
    }
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);
    BodySink sink{&response.body, request.max_body_bytes > 0 ? request.max_body_bytes : options_.max_body_bytes};
    // A Content-Length above the bound is refused before the body is read.
    curl_easy_setopt(handle_, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(sink.max));
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(handle_, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!options_.verify_tls) {
      curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (request.method == "GET") {
      curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
    } else {
      if (request.method != "POST") curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (request.method != "DELETE" || !request.body.empty()) {
        curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      }
    }

    CURLcode code = curl_easy_perform(handle_);
    curl_slist_free_all(headers);
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &response.status);
    if (code != CURLE_OK) {
      Error e = sink.over || code == CURLE_FILESIZE_EXCEEDED ? too_large(request, sink.max)
                                                             : network_error(code, error_buffer, request.url);
      e.http_status = static_cast<int>(response.status);  // non-zero: the server had begun to answer
      return e;
    }
    return response;
  }

 private:
  long attempt_timeout_ms(const HttpRequest& request) const {
    long ms = options_.timeout_seconds * 1000;
    if (request.time_left.count() > 0) ms = std::min<long>(ms, static_cast<long>(request.time_left.count()));
    return std::max(1L, ms);
  }

  TransportOptions options_;
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

bool is_idempotent(const HttpRequest& request) {
  if (request.idempotent) return *request.idempotent;
  return request.method != "POST";
}

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

std::string url_without_query(const std::string& url) {
  auto cut = url.find_first_of("?#");
  return cut == std::string::npos ? url : url.substr(0, cut);
}

std::string url_host(const std::string& url) {
  ensure_curl_global_init();
  CURLU* u = curl_url();
  std::string host;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* h = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h != nullptr) {
      host = h;
      curl_free(h);
    }
  }
  curl_url_cleanup(u);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

bool is_loopback_host(const std::string& host) {
  if (iequals(host, "localhost") || host == "::1") return true;
  // Dotted IPv4 with first octet 127 (127.0.0.0/8).
  int parts = 0;
  size_t i = 0;
  int first = -1;
  while (i <= host.size()) {
    size_t j = host.find('.', i);
    if (j == std::string::npos) j = host.size();
    std::string_view octet(host.data() + i, j - i);
    if (octet.empty() || octet.size() > 3) return false;
    int value = 0;
    for (char c : octet) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    if (parts == 0) first = value;
    ++parts;
    i = j + 1;
  }
  return parts == 4 && first == 127;
}

}  // namespace crmsync::salesforce
