#include "salesforce/client.h"

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "common/sfid.h"
#include "common/json.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "salesforce/auth.h"
#include "salesforce/http.h"
#include "salesforce/json_members.h"
#include "salesforce/quota.h"
#include "salesforce/retry.h"
#include "salesforce/wire.h"

namespace crmsync::salesforce {

namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], kAlphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

void add_form_field(std::string& form, std::string_view name, std::string_view value) {
  if (!form.empty()) form += '&';
  form += name;
  form += '=';
  form += url_encode(value);
}

std::string strip_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

Error config_error(const std::string& message) { return Error(ErrorKind::kConfig, "CONFIG", message); }

// What a login with `auth` sends, for errors.
std::string credential_words(const std::string& auth) {
  if (auth == "password") return "password and client secret";
  if (auth == "jwt") return "signed JWT assertion";
  if (auth == "refresh_token") return "refresh token";
  if (auth == "authorization_code") return "sign-in code";
  return "client secret";
}

// The instance_url a login answered is where every later request, with its bearer token, goes:
// https, or plain http only to this machine (a local emulator).
Status check_instance_url(const std::string& instance_url, const ConnectOptions& o) {
  const std::string host = url_host(instance_url);
  const bool https = instance_url.starts_with("https://");
  if (!https && !(instance_url.starts_with("http://") && is_loopback_host(host))) {
    return Error(ErrorKind::kSalesforce, "INSECURE_INSTANCE_URL",
                 "The login at " + url_host(o.login_url) + " answered with the instance_url " +
                     mask_url_credentials(url_without_query(instance_url)) +
                     ", which is not an https:// address (plain http:// is accepted only on this machine); crmsync "
                     "will not send the session token there. Salesforce always answers with an https:// My Domain: "
                     "check that [salesforce] login_url is your org's login host (https://login.salesforce.com, "
                     "https://test.salesforce.com or its My Domain).");
  }
  if (!o.verify_tls && !is_loopback_host(host)) {
    return config_error("The login returned instance_url " + mask_url_credentials(url_without_query(instance_url)) +
                        ", which is not a loopback host, while [salesforce] verify_tls = false; TLS verification "
                        "may only be turned off for a local emulator.");
  }
  return ok_status();
}

Status validate_time_bounds(const ConnectOptions& o) {
  auto out_of = [](const char* key, long value, long low, long high, const char* dflt) {
    return config_error("[salesforce] " + std::string(key) + " = " + std::to_string(value) +
                        " is out of range; use seconds from " + std::to_string(low) + " to " + std::to_string(high) +
                        " (default " + dflt + ").");
  };
  if (o.request_timeout_seconds < 1 || o.request_timeout_seconds > 86400) {
    return out_of("request_timeout_seconds", o.request_timeout_seconds, 1, 86400, "120");
  }
  if (o.connect_timeout_seconds < 1 || o.connect_timeout_seconds > 86400) {
    return out_of("connect_timeout_seconds", o.connect_timeout_seconds, 1, 86400, "30");
  }
  if (o.low_speed_seconds < 0 || o.low_speed_seconds > 86400) {
    return out_of("low_speed_seconds", o.low_speed_seconds, 0, 86400, "0, never");
  }
  if (o.low_speed_bytes_per_second < 1) {
    return config_error("[salesforce] low_speed_bytes_per_second = " + std::to_string(o.low_speed_bytes_per_second) +
                        " must be at least 1 (default 1024).");
  }
  if (o.request_deadline_seconds != 0 && o.request_deadline_seconds < o.request_timeout_seconds) {
    return config_error("[salesforce] request_deadline_seconds = " + std::to_string(o.request_deadline_seconds) +
                        " is shorter than request_timeout_seconds = " + std::to_string(o.request_timeout_seconds) +
                        ", so no attempt could use its full time; raise it (default 300) or set 0 for no deadline.");
  }
  return ok_status();
}

// Checks the options before any network traffic.
Status validate(const ConnectOptions& o) {
  if (o.auth != "password" && o.auth != "client_credentials" && o.auth != "jwt" && o.auth != "refresh_token" &&
      o.auth != "authorization_code") {
    return config_error("[salesforce] auth = \"" + o.auth +
                        "\" is not supported; use \"password\", \"client_credentials\", \"jwt\" or \"refresh_token\".");
  }
  if (!o.login_url.starts_with("https://") && !o.login_url.starts_with("http://")) {
    return config_error("[salesforce] login_url = \"" + mask_url_credentials(o.login_url) +
                        "\" is not an http(s) URL; use e.g. https://login.salesforce.com or the org's My Domain URL.");
  }
  if (o.login_url.starts_with("http://") && !is_loopback_host(url_host(o.login_url))) {
    return Error(ErrorKind::kConfig, "INSECURE_LOGIN_URL",
                 "[salesforce] login_url uses plain http:// to " + url_host(o.login_url) + ", which would send the " +
                     credential_words(o.auth) + " across the network unencrypted; use https:// (plain http:// is "
                     "accepted only for an emulator on this machine: 127.0.0.0/8, ::1, localhost).");
  }
  std::string missing;
  auto need = [&](const std::string& value, const char* key) {
    if (value.empty()) missing += std::string(missing.empty() ? "" : ", ") + key;
  };
  need(o.client_id, "client_id");
  if (o.auth == "password" || o.auth == "client_credentials") need(o.client_secret, "client_secret");
  if (o.auth == "password") {
    need(o.username, "username");
    need(o.password, "password");
  }
  if (o.auth == "jwt") {
    need(o.username, "username");
    need(o.private_key_file, "private_key_file");
  }
  if (o.auth == "authorization_code") {
    need(o.authorization_code, "authorization_code");
    need(o.redirect_uri, "redirect_uri");
  }
  if (o.auth == "refresh_token" && o.refresh_token.empty() && o.refresh_token_file.empty()) {
    missing += std::string(missing.empty() ? "" : ", ") + "refresh_token (or refresh_token_file)";
  }
  if (!missing.empty()) {
    return config_error("[salesforce] " + missing + " must be set for auth = \"" + o.auth + "\".");
  }
  if (o.auth == "refresh_token" && !o.refresh_token.empty() && !o.refresh_token_file.empty()) {
    return config_error("[salesforce] refresh_token and refresh_token_file are both set; keep one (the file, when "
                        "the connected app rotates refresh tokens).");
  }
  if (o.max_retries < 0 || o.max_retries > 100) {
    return config_error("[salesforce] max_retries = " + std::to_string(o.max_retries) +
                        " is out of range; use a number from 0 (never retry) to 100 (default 5).");
  }
  if (o.retry_base_ms < 0 || o.retry_base_ms > 600'000) {
    return config_error("[salesforce] retry_base_ms = " + std::to_string(o.retry_base_ms) +
                        " is out of range; use milliseconds from 0 to 600000 (default 500).");
  }
  CRMSYNC_TRY(validate_time_bounds(o));
  if (o.max_response_bytes < 1024 || o.max_bulk_results_bytes < 1024) {
    return config_error("[salesforce] max_response_mb and max_bulk_results_mb must be at least 1 (MB).");
  }
  if (!(o.quota_daily_share > 0 && o.quota_daily_share <= 1) || !(o.quota_run_share > 0 && o.quota_run_share <= 1)) {
    return config_error("The quota shares must be above 0 and at most 1 (daily " + std::to_string(o.quota_daily_share) +
                        ", per run " + std::to_string(o.quota_run_share) + "); e.g. 0.80 and 0.25.");
  }
  if (o.max_api_calls < 0) {
    return config_error("max_api_calls = " + std::to_string(o.max_api_calls) + " is negative; use 0 for no bound.");
  }
  if (!o.verify_tls && !is_loopback_host(url_host(o.login_url))) {
    return config_error("[salesforce] verify_tls = false is only allowed for a loopback login_url (127.0.0.1, "
                        "localhost, ::1), not " + mask_url_credentials(o.login_url) +
                        "; remove verify_tls or set it to true.");
  }
  return ok_status();
}

// The refresh token every Client of this process started from the same token (or the same
// refresh_token_file) uses. A connected app that rotates refresh tokens spends the one each grant
// uses, so the sessions of one sync (one per worker) take turns under `mu` and always send the
// latest: each on its own would spend the others' token and fail their next login.
struct SharedRefreshToken {
  std::mutex mu;
  std::string current;
};

// Kept for the process: a token rotated in memory must outlive the clients that used it.
std::shared_ptr<SharedRefreshToken> shared_refresh_token(const std::string& key) {
  static std::mutex registry_mu;
  static std::map<std::string, std::shared_ptr<SharedRefreshToken>> registry;
  std::lock_guard lock(registry_mu);
  auto& entry = registry[key];
  if (!entry) entry = std::make_shared<SharedRefreshToken>();
  return entry;
}

}  // namespace

// A request sent ahead on the second connection (Client::send_ahead) and what it did.
struct AheadOutcome {
  Result<HttpResponse> response = Error(ErrorKind::kInternal, "NOT_SENT", "the request sent ahead did not run");
  SendReport report;
  std::int64_t retries_answered = 0;  // attempts after the first that got an HTTP answer
  LimitInfo limits;                   // the last Sforce-Limit-Info among the answers
};

struct Client::Impl {
  ~Impl() { drop_ahead(); }

  ConnectOptions options;
  std::unique_ptr<RetryingTransport> http;
  // The read-ahead's own connection (Client::send_ahead), used only by the thread of the request
  // sent ahead.
  std::unique_ptr<RetryingTransport> ahead_http;
  struct Ahead {
    HttpRequest request;  // as given, without the bearer token
    std::future<AheadOutcome> outcome;
  };
  std::optional<Ahead> ahead;
  TokenResponse token;
  std::vector<std::string> secrets;  // redacted from every error message
  LimitInfo limits;
  std::int64_t api_calls = 0;
  int batch_size = 0;    // of the last query, resent with query_more
  SendReport last_report;  // of the last send(): attempts over how long, Retry-After, the deadline
  QuotaGuard quota;
  std::string private_key_pem;  // jwt
  std::shared_ptr<SharedRefreshToken> refresh;  // refresh_token: shared by this process's sessions

  std::string data_path() const { return "/services/data/v" + options.api_version; }

  Error redacted(Error e) const {
    redact(e, secrets);
    return e;
  }

  // authorization_code: the code was traded (by the first login); later logins renew the session
  // with the refresh token its answer carried.
  bool code_spent = false;

  // Logs in with the configured flow (also used to log in again after INVALID_SESSION_ID).
  Status login() {
    const bool renew = options.auth == "refresh_token" || (options.auth == "authorization_code" && code_spent);
    LoginContext who{options.auth == "authorization_code" && code_spent ? "session_refresh" : options.auth,
                     options.auth == "password" || options.auth == "jwt" ? options.username : "",
                     options.login_url + "/services/oauth2/token"};
    HttpRequest request;
    request.method = "POST";
    request.url = who.token_url;
    request.idempotent = true;  // asking for a token twice is harmless
    request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    if (options.auth == "password") {
      add_form_field(request.body, "grant_type", "password");
      add_form_field(request.body, "client_id", options.client_id);
      add_form_field(request.body, "client_secret", options.client_secret);
      add_form_field(request.body, "username", options.username);
      add_form_field(request.body, "password", options.password);
    } else if (options.auth == "client_credentials") {
      add_form_field(request.body, "grant_type", "client_credentials");
      // RFC 6749 2.3.1: both parts form-encoded before Base64.
      request.headers.push_back("Authorization: Basic " +
                                base64(url_encode(options.client_id) + ":" + url_encode(options.client_secret)));
    } else if (options.auth == "jwt") {
      auto assertion = build_jwt_assertion(private_key_pem, options.client_id, options.username,
                                           jwt_audience(options.login_url), now_ms() / 1000);
      if (!assertion) return assertion.error();
      secrets.push_back(*assertion);  // a bearer credential for three minutes
      add_form_field(request.body, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
      add_form_field(request.body, "assertion", *assertion);
    } else if (options.auth == "authorization_code" && !code_spent) {
      request.idempotent = false;  // a code is good for one trade: never sent twice
      add_form_field(request.body, "grant_type", "authorization_code");
      add_form_field(request.body, "code", options.authorization_code);
      add_form_field(request.body, "redirect_uri", options.redirect_uri);
      add_form_field(request.body, "client_id", options.client_id);
      if (!options.client_secret.empty()) add_form_field(request.body, "client_secret", options.client_secret);
      if (!options.code_verifier.empty()) add_form_field(request.body, "code_verifier", options.code_verifier);
    }
    // Grants of one refresh token take turns, each with the latest (see SharedRefreshToken).
    std::unique_lock<std::mutex> turn;
    std::string sent_refresh_token;
    if (renew) {
      turn = std::unique_lock(refresh->mu);
      sent_refresh_token = refresh->current;
      if (sent_refresh_token.empty()) {
        return Error(ErrorKind::kAuth, "INVALID_SESSION_ID",
                     "The Salesforce session of this sign-in ended and the connected app gave no refresh token to "
                     "renew it (add the scope \"Perform requests at any time (refresh_token, offline_access)\" to "
                     "the app); sign in again.");
      }
      secrets.push_back(sent_refresh_token);
      add_form_field(request.body, "grant_type", "refresh_token");
      add_form_field(request.body, "refresh_token", sent_refresh_token);
      add_form_field(request.body, "client_id", options.client_id);
      if (!options.client_secret.empty()) add_form_field(request.body, "client_secret", options.client_secret);
    }

    auto response = http->send(request);
    last_report = http->last_report();
    if (!response) {
      Error e = response.error();
      e.message += attempts_note() + " Check [salesforce] login_url and that the host is reachable." + deadline_note();
      return redacted(std::move(e));
    }
    auto parsed = parse_token_response(response->status, response->body, who);
    if (!parsed) return redacted(parsed.error());
    // Checked before the token is kept: a refused instance never sees it (nor does a later request).
    if (Status s = check_instance_url(parsed->instance_url, options); !s) {
      return redacted(s.error());
    }
    token = std::move(*parsed);
    secrets.push_back(token.access_token);
    if (LimitInfo l = parse_limit_info(response->limit_info); l.known()) {
      limits = l;
      quota.observe(l);
    }
    if (options.auth == "authorization_code" && !code_spent) {
      code_spent = true;
      std::lock_guard lock(refresh->mu);
      refresh->current = token.refresh_token;
      secrets.push_back(token.refresh_token);
      return ok_status();
    }
    if (renew && !token.refresh_token.empty() && token.refresh_token != sent_refresh_token) {
      return rotate_refresh_token(token.refresh_token);
    }
    return ok_status();
  }

  // The connected app rotates refresh tokens: the old one is spent, so the new one must survive
  // this process when it came from a file. Called with refresh->mu held.
  Status rotate_refresh_token(const std::string& fresh) {
    secrets.push_back(fresh);
    refresh->current = fresh;
    if (options.refresh_token_file.empty()) return ok_status();
    Status written = write_secret_file(options.refresh_token_file, fresh);
    if (!written) return redacted(written.error());
    return ok_status();
  }

  // Client::revoke: the refresh token when there is one (its access tokens go with it).
  Status revoke() {
    std::string token_to_revoke = token.access_token;
    if (refresh) {
      std::lock_guard lock(refresh->mu);
      if (!refresh->current.empty()) token_to_revoke = refresh->current;
    }
    HttpRequest request;
    request.method = "POST";
    request.url = options.login_url + "/services/oauth2/revoke";
    request.idempotent = true;  // revoking twice is harmless
    request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    add_form_field(request.body, "token", token_to_revoke);
    auto response = http->send(request);
    last_report = http->last_report();
    if (!response) {
      Error e = response.error();
      e.message += attempts_note() + " The Salesforce session was not revoked.";
      return redacted(std::move(e));
    }
    if (response->status == 200) return ok_status();
    if (response->body.find("invalid_token") != std::string::npos) return ok_status();  // already gone
    Error e(ErrorKind::kAuth, "REVOKE_FAILED",
            "Salesforce did not revoke the session (HTTP " + std::to_string(response->status) + ": " +
                body_excerpt(response->body) + ").",
            static_cast<int>(response->status));
    return redacted(std::move(e));
  }

  SendHooks hooks(std::function<Status(HttpResponse&)> check_body) {
    SendHooks h;
    h.before_send = [this] { return quota.check(); };
    h.on_answer = [this](const HttpResponse& r) {
      ++api_calls;
      quota.count_call();
      if (LimitInfo l = parse_limit_info(r.limit_info); l.known()) {
        limits = l;
        quota.observe(l);
      }
    };
    h.check_body = std::move(check_body);
    return h;
  }

  Result<HttpResponse> send(HttpRequest request, std::function<Status(HttpResponse&)> check_body) {
    if (request.url.starts_with("/")) request.url = token.instance_url + request.url;
    const std::vector<std::string> headers = std::move(request.headers);
    SendHooks h = hooks(std::move(check_body));
    for (int round = 0;; ++round) {
      request.headers = headers;
      request.headers.push_back("Authorization: Bearer " + token.access_token);
      Result<HttpResponse> response = http->send(request, h);
      last_report = http->last_report();
      if (!response) return failed(response.error(), request);
      if (!session_refused(*response)) return response;
      if (round == 1) {
        Error e = error_for(*response, "The request to " + mask_url_credentials(url_without_query(request.url)));
        e.message += " crmsync logged in again and Salesforce refused the new session too: make sure the "
                     "integration user is active, that its session settings (e.g. \"Lock sessions to the IP "
                     "address from which they originated\") allow this machine, and that the connected app's "
                     "OAuth policies let it use the API.";
        return e;
      }
      CRMSYNC_TRY(login());  // the session expired or was revoked: one new login per failure
    }
  }

  // A send that got no usable answer, worded for the user.
  Error failed(Error e, const HttpRequest& request) const {
    if (e.kind == ErrorKind::kNetwork) e.message += attempts_note();
    if (e.code == "RESPONSE_TOO_LARGE") {
      e.message += too_large_fix(request);
    } else if (e.kind == ErrorKind::kNetwork && e.code != "MALFORMED_RESPONSE") {
      e.message += " Check the network connection to the Salesforce instance " + mask_url_credentials(token.instance_url) + ".";
    }
    e.message += deadline_note();
    return redacted(std::move(e));
  }

  static bool wants_csv(const HttpRequest& request) {
    return std::any_of(request.headers.begin(), request.headers.end(),
                       [](const std::string& h) { return iequals(h, "Accept: text/csv"); });
  }

  // Which bound an answer passed, and what to do about it.
  static std::string too_large_fix(const HttpRequest& request) {
    if (wants_csv(request)) {
      return " A Bulk API results page holds at most the rows crmsync asks for (maxRecords, up to 5,000): check "
             "that [salesforce] login_url points at Salesforce, or raise [salesforce] max_bulk_results_mb if the "
             "org's records are that wide.";
    }
    return " Salesforce's own answers are far smaller (a query page holds at most 2,000 records): check that "
           "[salesforce] login_url points at Salesforce, or raise [salesforce] max_response_mb (or lower [sync] "
           "batch_size) if the org's records are that wide.";
  }

  std::string deadline_note() const {
    if (!last_report.deadline_passed) return "";
    return " No further attempt was made: [salesforce] request_deadline_seconds (" +
           std::to_string(options.request_deadline_seconds) + " s) bounds one request, its retries included.";
  }

  static bool session_refused(const HttpResponse& response) {
    return response.status == 401 && error_from_response(401, response.body, "").code == "INVALID_SESSION_ID";
  }

  // ---- read-ahead (Client::send_ahead) ----

  // The counting and quota rules are Client::send_ahead's (client.h).
  Status send_ahead(HttpRequest request, bool retry) {
    if (ahead) {
      return Error(ErrorKind::kInternal, "AHEAD_PENDING",
                   "a request is already ahead on this client; take_ahead() or drop_ahead() it first.");
    }
    CRMSYNC_TRY(quota.check());
    HttpRequest sent = request;
    if (sent.url.starts_with("/")) sent.url = token.instance_url + sent.url;
    sent.headers.push_back("Authorization: Bearer " + token.access_token);
    // The first attempt counts from now, so every later check of the guard sees it.
    ++api_calls;
    quota.count_call();
    // The thread sees a copy of the guard, so its retries stop where this thread's would; their
    // answers join the client's count when the request is taken or dropped.
    QuotaGuard guard = quota;
    RetryingTransport* transport = ahead_http.get();
    auto run = [transport, guard, retry, sent = std::move(sent)]() mutable {
      AheadOutcome out;
      int attempts = 0;
      SendHooks h;
      h.before_send = [&] { return ++attempts == 1 ? ok_status() : guard.check(); };  // the first: checked above
      h.on_answer = [&](const HttpResponse& r) {
        if (attempts > 1) {
          ++out.retries_answered;
          guard.count_call();
        }
        if (LimitInfo l = parse_limit_info(r.limit_info); l.known()) {
          out.limits = l;
          guard.observe(l);
        }
      };
      if (!retry) h.max_retries = 0;
      out.response = transport->send(sent, h);
      out.report = transport->last_report();
      return out;
    };
    ahead = Ahead{std::move(request), std::async(std::launch::async, std::move(run))};
    return ok_status();
  }

  // Waits for the request ahead and counts its retries; nullopt when none is ahead.
  std::optional<std::pair<HttpRequest, AheadOutcome>> collect_ahead() {
    if (!ahead) return std::nullopt;
    AheadOutcome out = ahead->outcome.get();
    HttpRequest request = std::move(ahead->request);
    ahead.reset();
    api_calls += out.retries_answered;
    for (std::int64_t i = 0; i < out.retries_answered; ++i) quota.count_call();
    if (out.limits.known()) {
      limits = out.limits;
      quota.observe(out.limits);
    }
    return std::make_pair(std::move(request), std::move(out));
  }

  void drop_ahead() { (void)collect_ahead(); }

  Result<HttpResponse> take_ahead() {
    auto done = collect_ahead();
    if (!done) {
      return Error(ErrorKind::kInternal, "NO_AHEAD", "take_ahead() was called with no request ahead on this client.");
    }
    auto& [request, out] = *done;
    last_report = out.report;
    if (!out.response) return failed(out.response.error(), request);
    // The session ran out (or the token was renewed by another call meanwhile): the request is sent
    // again the ordinary way, which logs in again.
    if (session_refused(*out.response)) return send(std::move(request), {});
    return std::move(out.response);
  }

  std::string attempts_note() const { return salesforce::attempts_note(last_report); }

  Error error_for(long status, std::string_view body, std::string_view what) const {
    Error e = error_from_response(static_cast<int>(status), body, what);
    if (last_report.attempts > 1) {
      e.message += " Gave up after " + std::to_string(last_report.attempts) + " attempts over " +
                   format_seconds(last_report.elapsed) + ".";
      long after = last_report.retry_after_seconds;
      if (after >= 0) e.message += " Salesforce asked to retry after " + std::to_string(after) + " s.";
    }
    e.message += deadline_note();
    return redacted(std::move(e));
  }
  Error error_for(const HttpResponse& response, std::string_view what) const {
    return error_for(response.status, response.body, what);
  }

  HttpRequest make(std::string method, std::string path, std::string body = {},
                   std::vector<std::string> headers = {}) const {
    HttpRequest request;
    request.method = std::move(method);
    request.url = std::move(path);
    request.headers = std::move(headers);
    bool has_accept = false;
    for (const auto& h : request.headers) {
      has_accept = has_accept || iequals(std::string_view(h).substr(0, 7), "Accept:");
    }
    if (!has_accept) request.headers.push_back("Accept: application/json");
    if (!body.empty()) request.headers.push_back("Content-Type: application/json");
    request.body = std::move(body);
    request.max_body_bytes = wants_csv(request) ? options.max_bulk_results_bytes : options.max_response_bytes;
    return request;
  }

  // A JSON answer, parsed inside the retry loop so a cut-off body is retried.
  Result<nlohmann::json> json_call(std::string method, const std::string& path, std::string_view what,
                                   std::string body = {}) {
    nlohmann::json parsed;
    auto check = [&](HttpResponse& r) -> Status {
      parsed = parse_json(r.body);
      if (!parsed.is_discarded()) return ok_status();
      return Error(ErrorKind::kNetwork, "MALFORMED_RESPONSE",
                   "Salesforce's answer to " + std::string(what) + " was malformed: the JSON is invalid or cut off: " +
                       body_excerpt(r.body) + ".",
                   static_cast<int>(r.status));
    };
    auto response = send(make(std::move(method), path, std::move(body)), check);
    if (!response) return response.error();
    if (response->status < 200 || response->status >= 300) return error_for(*response, what);
    return parsed;
  }

  Status status_call(std::string method, const std::string& path, std::string_view what, std::string body = {}) {
    auto response = send(make(std::move(method), path, std::move(body)), {});
    if (!response) return response.error();
    if (response->status < 200 || response->status >= 300) return error_for(*response, what);
    return ok_status();
  }

  // A query page's GET; query_more() repeats the last query's batch size.
  HttpRequest page_request(const std::string& path) const {
    HttpRequest request = make("GET", path);
    if (batch_size > 0) request.headers.push_back("Sforce-Query-Options: batchSize=" + std::to_string(batch_size));
    return request;
  }

  // Client::read_ahead: the next query page sent ahead, one attempt (a failure is fetched again by
  // query_more(), which retries and logs in again).
  Status read_ahead(std::string_view path) {
    if (ahead && ahead->request.method == "GET" && ahead->request.url == path) return ok_status();  // a retried page
    drop_ahead();
    return send_ahead(page_request(std::string(path)), /*retry=*/false);
  }

  // The page read ahead from `path` when it came back whole, its records read by `reader`; nullopt
  // when the page must be fetched here (none ahead for that path, or it failed in any way: no
  // answer, a 5xx, an expired session, a cut-off body).
  std::optional<QueryPage> page_from_read_ahead(std::string_view path, std::string_view what,
                                                const RecordsReader* reader) {
    if (!ahead) return std::nullopt;
    const bool same = ahead->request.url == path;
    auto done = collect_ahead();
    if (!same) return std::nullopt;
    auto& out = done->second;
    if (!out.response || out.response->status != 200) return std::nullopt;
    auto parsed = parse_query_page(std::move(out.response->body), what, reader);
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
  }

  Result<QueryPage> page_call(const std::string& path, std::string_view what, const RecordsReader* reader = nullptr) {
    drop_ahead();  // not taken with take_read_ahead(): the caller went another way
    HttpRequest request = page_request(path);
    std::optional<QueryPage> page;
    auto check = [&](HttpResponse& r) -> Status {
      if (r.status != 200) return ok_status();  // judged below as an error answer
      auto parsed = parse_query_page(std::move(r.body), what, reader);
      if (!parsed) {
        Error e = parsed.error();
        e.http_status = static_cast<int>(r.status);
        return e;
      }
      page = std::move(*parsed);
      return ok_status();
    };
    auto response = send(std::move(request), check);
    if (!response) return response.error();
    if (response->status != 200 || !page) return error_for(*response, what);
    return std::move(*page);
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::connect(const ConnectOptions& options) {
  CRMSYNC_TRY(validate(options));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.login_url = strip_trailing_slashes(options.login_url);
  impl->quota = QuotaGuard({.daily_share = options.quota_daily_share,
                            .run_share = options.quota_run_share,
                            .max_calls = options.max_api_calls});
  impl->secrets = {options.password, options.client_secret, options.refresh_token, options.authorization_code,
                   options.code_verifier};
  if (options.auth == "jwt") {
    auto pem = read_secret_file(options.private_key_file, "[salesforce] private_key_file");
    if (!pem) return pem.error();
    impl->private_key_pem = std::move(*pem);
    impl->secrets.push_back(impl->private_key_pem);
  }
  if (options.auth == "authorization_code") {
    // This person's own: never shared with another Client, and gone with this one.
    impl->refresh = std::make_shared<SharedRefreshToken>();
  }
  if (options.auth == "refresh_token") {
    if (!options.refresh_token_file.empty()) {
      // The file holds the latest token (every rotation is written back): read it again.
      impl->refresh = shared_refresh_token("file:" + options.refresh_token_file);
      std::lock_guard lock(impl->refresh->mu);
      auto stored = read_secret_file(options.refresh_token_file, "[salesforce] refresh_token_file");
      if (!stored) return stored.error();
      impl->refresh->current = std::move(*stored);
    } else {
      // Keyed by the configured token: later sessions started from it use what it rotated into.
      impl->refresh = shared_refresh_token("token:" + options.refresh_token);
      std::lock_guard lock(impl->refresh->mu);
      if (impl->refresh->current.empty()) impl->refresh->current = options.refresh_token;
    }
  }
  RetryPolicy policy;
  policy.max_retries = options.max_retries;
  policy.base_delay = std::chrono::milliseconds(options.retry_base_ms);
  policy.deadline = std::chrono::seconds(options.request_deadline_seconds);
  policy.sleep = options.retry_sleep;
  policy.on_retry = options.on_retry;
  const TransportOptions transport{.verify_tls = options.verify_tls,
                                   .timeout_seconds = options.request_timeout_seconds,
                                   .connect_timeout_seconds = options.connect_timeout_seconds,
                                   .low_speed_bytes_per_second = options.low_speed_bytes_per_second,
                                   .low_speed_seconds = options.low_speed_seconds,
                                   .max_body_bytes = options.max_response_bytes};
  impl->http = std::make_unique<RetryingTransport>(make_curl_transport(transport), policy);
  impl->ahead_http = std::make_unique<RetryingTransport>(make_curl_transport(transport), std::move(policy));
  CRMSYNC_TRY(impl->login());
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Status Client::revoke() { return impl_->revoke(); }

const std::string& Client::instance_url() const { return impl_->token.instance_url; }
const std::string& Client::api_version() const { return impl_->options.api_version; }
const std::string& Client::user_id() const { return impl_->token.user_id; }
const std::string& Client::org_id() const { return impl_->token.org_id; }

Result<nlohmann::json> Client::describe_global() {
  return impl_->json_call("GET", impl_->data_path() + "/sobjects/", "describeGlobal");
}

Result<nlohmann::json> Client::describe(std::string_view object) {
  return impl_->json_call("GET", describe_path(object), "describe " + std::string(object));
}

Result<QueryPage> Client::query(std::string_view soql, bool include_deleted, int batch_size) {
  impl_->batch_size = batch_size;
  return impl_->page_call(query_path(soql, include_deleted), std::string(include_deleted ? "queryAll " : "query ") + std::string(soql));
}

Result<QueryPage> Client::query(std::string_view soql, bool include_deleted, int batch_size,
                                const RecordsReader& reader) {
  impl_->batch_size = batch_size;
  return impl_->page_call(query_path(soql, include_deleted),
                          std::string(include_deleted ? "queryAll " : "query ") + std::string(soql), &reader);
}

Result<QueryPage> Client::query_more(std::string_view next_records_url, const RecordsReader& reader, int batch_size) {
  if (!next_records_url.starts_with("/")) return query_more(next_records_url, batch_size);  // the same refusal
  if (batch_size >= 0) impl_->batch_size = batch_size;
  return impl_->page_call(std::string(next_records_url), "query page " + std::string(next_records_url), &reader);
}

Status Client::read_ahead(std::string_view next_records_url) {
  if (!next_records_url.starts_with("/")) {
    return Error(ErrorKind::kInternal, "BAD_NEXT_RECORDS_URL",
                 "read_ahead was given \"" + std::string(next_records_url) +
                     "\", which is not a nextRecordsUrl path (it must start with /services/data/).");
  }
  return impl_->read_ahead(next_records_url);
}

std::optional<QueryPage> Client::take_read_ahead(std::string_view next_records_url, const RecordsReader& reader) {
  return impl_->page_from_read_ahead(next_records_url, "query page " + std::string(next_records_url), &reader);
}

Result<QueryPage> Client::query_more(std::string_view next_records_url, int batch_size) {
  if (batch_size >= 0) impl_->batch_size = batch_size;
  if (!next_records_url.starts_with("/")) {
    return Error(ErrorKind::kInternal, "BAD_NEXT_RECORDS_URL",
                 "query_more was given \"" + std::string(next_records_url) +
                     "\", which is not a nextRecordsUrl path (it must start with /services/data/).");
  }
  return impl_->page_call(std::string(next_records_url), "query page " + std::string(next_records_url));
}

namespace {

// 2013-05-05T00:00:00+00:00, URL-encoded as Salesforce's examples are.
std::string replication_time(EpochMs ms) {
  std::string t = format_datetime_soql(ms);  // ...Z
  if (!t.empty() && t.back() == 'Z') t.pop_back();
  return url_encode(t + "+00:00");
}

Error malformed_answer(const std::string& what, const std::string& detail) {
  return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
               "Salesforce's answer to " + what + " was malformed: " + detail + ".");
}

// A datetime member; absent or null gives 0, anything else unparsable is an error.
Result<EpochMs> datetime_member(const nlohmann::json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return EpochMs{0};
  if (!it->is_string()) return malformed_answer(what, std::string(key) + " is not a datetime string");
  auto ms = parse_datetime(it->get_ref<const std::string&>());
  if (!ms) return malformed_answer(what, std::string(key) + " \"" + it->get<std::string>() + "\" is not a datetime");
  return *ms;
}

}  // namespace

namespace {

Result<DeletedRecords> parse_deleted(const nlohmann::json& j, const std::string& what) {
  auto records = j.find("deletedRecords");
  if (!j.is_object() || records == j.end() || !records->is_array()) {
    return malformed_answer(what, "it has no deletedRecords array");
  }
  DeletedRecords out;
  out.records.reserve(records->size());
  for (const auto& r : *records) {
    if (!r.is_object() || !r.contains("id") || !r["id"].is_string()) {
      return malformed_answer(what, "a deletedRecords entry has no id");
    }
    auto when = datetime_member(r, "deletedDate", what);
    if (!when) return when.error();
    out.records.push_back({r["id"].get<std::string>(), *when});
  }
  auto earliest = datetime_member(j, "earliestDateAvailable", what);
  if (!earliest) return earliest.error();
  auto latest = datetime_member(j, "latestDateCovered", what);
  if (!latest) return latest.error();
  out.earliest_date_available = *earliest;
  out.latest_date_covered = *latest;
  return out;
}

// One compositeResponse entry: {referenceId, httpStatusCode, body, httpHeaders}; the body is moved out.
Result<CompositeResult> composite_result(nlohmann::json& item, const std::string& what) {
  JsonMembers entry(item, what);
  if (!entry.is_object()) return entry.malformed("it is " + describe_json_value(item) + ", not a subrequest result");
  auto reference = entry.text_or("referenceId", "");
  if (!reference) return reference.error();
  auto status = entry.integer("httpStatusCode");
  if (!status) return status.error();
  if (*status < 100 || *status > 599) return entry.malformed("\"httpStatusCode\" " + std::to_string(*status) + " is not an HTTP status");
  CompositeResult r;
  r.reference_id = std::move(*reference);
  r.http_status = static_cast<int>(*status);
  if (auto body = item.find("body"); body != item.end()) r.body = std::move(*body);
  if (auto headers = item.find("httpHeaders"); headers != item.end() && !headers->is_null()) {
    if (!headers->is_object()) return entry.malformed("\"httpHeaders\" is " + describe_json_value(*headers) + ", not an object");
    r.headers = std::move(*headers);
  }
  return r;
}

}  // namespace

std::string Client::get_deleted_path(std::string_view object, EpochMs start, EpochMs end) const {
  return impl_->data_path() + "/sobjects/" + std::string(object) + "/deleted/?start=" + replication_time(start) +
         "&end=" + replication_time(end);
}

Result<DeletedRecords> Client::get_deleted(std::string_view object, EpochMs start, EpochMs end) {
  std::string what = "getDeleted " + std::string(object);
  auto j = impl_->json_call("GET", get_deleted_path(object, start, end), what);
  if (!j) return j.error();
  return parse_deleted(*j, what);
}

std::string Client::describe_path(std::string_view object) const {
  return impl_->data_path() + "/sobjects/" + std::string(object) + "/describe";
}

std::string Client::query_path(std::string_view soql, bool include_deleted) const {
  return impl_->data_path() + (include_deleted ? "/queryAll" : "/query") + "?q=" + url_encode(soql);
}

Result<std::vector<CompositeResult>> Client::composite(const std::vector<CompositeSubrequest>& subrequests,
                                                       bool all_or_none) {
  std::size_t queries = 0;
  bool only_reads = true;
  nlohmann::json items = nlohmann::json::array();
  for (const auto& sub : subrequests) {
    const std::string& u = sub.url;
    bool query = u.find("/query?") != std::string::npos || u.find("/queryAll?") != std::string::npos ||
                 u.find("/query/") != std::string::npos || u.find("/composite/sobjects") != std::string::npos;
    if (query) ++queries;
    only_reads = only_reads && iequals(sub.method, "GET");
    nlohmann::json item = {{"referenceId", sub.reference_id}, {"method", sub.method}, {"url", sub.url}};
    if (!sub.body.is_null()) item["body"] = sub.body;
    if (!sub.headers.empty()) {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [name, value] : sub.headers) headers[name] = value;
      item["httpHeaders"] = std::move(headers);
    }
    items.push_back(std::move(item));
  }
  if (subrequests.empty() || subrequests.size() > kCompositeMaxSubrequests || queries > kCompositeMaxQueries) {
    return Error(ErrorKind::kInternal, "COMPOSITE_LIMIT",
                 "a composite request takes 1 to " + std::to_string(kCompositeMaxSubrequests) + " subrequests, at most " +
                     std::to_string(kCompositeMaxQueries) + " of them queries; this one had " +
                     std::to_string(subrequests.size()) + " with " + std::to_string(queries) + " queries");
  }
  nlohmann::json request = {{"allOrNone", all_or_none}, {"compositeRequest", std::move(items)}};
  const std::string what = "composite request (" + std::to_string(subrequests.size()) + " subrequests)";
  nlohmann::json parsed;
  auto check = [&](HttpResponse& r) -> Status {
    if (r.status < 200 || r.status >= 300) return ok_status();
    parsed = parse_json(r.body);
    auto list = parsed.is_object() ? parsed.find("compositeResponse") : parsed.end();
    if (!parsed.is_discarded() && list != parsed.end() && list->is_array() && list->size() == subrequests.size()) {
      return ok_status();
    }
    return Error(ErrorKind::kNetwork, "MALFORMED_RESPONSE",
                 "Salesforce's answer to the " + what + " was malformed: the JSON is invalid, cut off or lacks a "
                 "compositeResponse entry per subrequest: " + body_excerpt(r.body) + ".",
                 static_cast<int>(r.status));
  };
  HttpRequest http = impl_->make("POST", impl_->data_path() + "/composite", request.dump());
  http.idempotent = only_reads;  // reads only: sending it twice is harmless
  auto response = impl_->send(std::move(http), check);
  if (!response) return response.error();
  if (response->status < 200 || response->status >= 300) return impl_->error_for(*response, what);
  std::vector<CompositeResult> out;
  out.reserve(subrequests.size());
  for (auto& item : parsed["compositeResponse"]) {
    auto r = composite_result(item, what + ", subrequest " + std::to_string(out.size() + 1));
    if (!r) return impl_->redacted(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

Error Client::composite_error(const CompositeResult& result, std::string_view what) {
  std::string body = result.body.is_null() ? std::string() : result.body.dump();
  Error e = error_from_response(result.http_status, body, what);
  e.message += " (a subrequest of a composite request)";
  return e;
}

Result<QueryPage> Client::composite_query_page(const CompositeResult& result, std::string_view what) {
  if (result.http_status != 200) return composite_error(result, what);
  return parse_query_page(result.body.dump(), what);
}

Result<DeletedRecords> Client::composite_deleted(const CompositeResult& result, std::string_view what) {
  if (!result.ok()) return composite_error(result, what);
  return parse_deleted(result.body, std::string(what));
}

Result<UpdatedRecords> Client::get_updated(std::string_view object, EpochMs start, EpochMs end) {
  std::string what = "getUpdated " + std::string(object);
  auto j = impl_->json_call("GET",
                            impl_->data_path() + "/sobjects/" + std::string(object) + "/updated/?start=" +
                                replication_time(start) + "&end=" + replication_time(end),
                            what);
  if (!j) return j.error();
  auto ids = j->find("ids");
  if (!j->is_object() || ids == j->end() || !ids->is_array()) return malformed_answer(what, "it has no ids array");
  UpdatedRecords out;
  out.ids.reserve(ids->size());
  for (const auto& id : *ids) {
    if (!id.is_string()) return malformed_answer(what, "an entry of ids is not a string");
    out.ids.push_back(id.get<std::string>());
  }
  auto latest = datetime_member(*j, "latestDateCovered", what);
  if (!latest) return latest.error();
  out.latest_date_covered = *latest;
  return out;
}

Result<std::vector<RecordCount>> Client::record_count(const std::vector<std::string>& objects) {
  std::string list;
  for (const auto& o : objects) list += (list.empty() ? "" : ",") + o;
  std::string what = "recordCount " + list;
  auto j = impl_->json_call("GET", impl_->data_path() + "/limits/recordCount?sObjects=" + url_encode(list), what);
  if (!j) return j.error();
  auto entries = j->find("sObjects");
  if (!j->is_object() || entries == j->end() || !entries->is_array()) {
    return malformed_answer(what, "it has no sObjects array");
  }
  std::vector<RecordCount> out;
  for (const auto& e : *entries) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("count") ||
        !e["count"].is_number_integer()) {
      return malformed_answer(what, "an sObjects entry lacks name or an integer count");
    }
    out.push_back({e["name"].get<std::string>(), e["count"].get<std::int64_t>()});
  }
  return out;
}

Result<std::string> Client::create(std::string_view object, const nlohmann::json& fields) {
  std::string what = "create " + std::string(object);
  auto j = impl_->json_call("POST", impl_->data_path() + "/sobjects/" + std::string(object) + "/", what, fields.dump());
  if (!j) return j.error();
  JsonMembers answer(*j, what);
  auto id = answer.text("id");
  if (!id) return id.error();
  if (!is_sf_id(*id)) return answer.malformed("\"id\" is " + describe_json_value((*j)["id"]) + ", not a Salesforce record id");
  return *id;
}

Status Client::update(std::string_view object, std::string_view id, const nlohmann::json& fields) {
  return impl_->status_call("PATCH", impl_->data_path() + "/sobjects/" + std::string(object) + "/" + std::string(id),
                            "update " + std::string(object) + " " + std::string(id), fields.dump());
}

Status Client::remove(std::string_view object, std::string_view id) {
  return impl_->status_call("DELETE", impl_->data_path() + "/sobjects/" + std::string(object) + "/" + std::string(id),
                            "delete " + std::string(object) + " " + std::string(id));
}

Result<nlohmann::json> Client::get_json(std::string_view path) {
  return impl_->json_call("GET", std::string(path), "GET " + std::string(path));
}

Result<nlohmann::json> Client::request_json(std::string_view method, std::string_view path, const nlohmann::json& body) {
  std::string what = std::string(method) + " " + std::string(path);
  auto response = send(method, path, body.is_null() ? std::string() : body.dump());
  if (!response) return response.error();
  if (response->status < 200 || response->status >= 300) return error_for(*response, what);
  if (response->body.empty()) return nlohmann::json();
  nlohmann::json j = parse_json(response->body);
  if (j.is_discarded()) {
    Error e(ErrorKind::kNetwork, "MALFORMED_RESPONSE",
            "Salesforce's answer to " + what + " was malformed: the JSON is invalid or cut off: " +
                body_excerpt(response->body) + ".",
            static_cast<int>(response->status));
    redact(e, impl_->secrets);
    return e;
  }
  return j;
}

std::string RestResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

Result<RestResponse> Client::send(std::string_view method, std::string_view path, std::string body,
                                  std::vector<std::string> headers) {
  HttpRequest request = impl_->make(std::string(method), std::string(path), std::move(body), std::move(headers));
  auto response = impl_->send(std::move(request), {});
  if (!response) return response.error();
  return RestResponse{response->status, std::move(response->body), std::move(response->content_type),
                      std::move(response->headers)};
}

Status Client::send_ahead(std::string_view method, std::string_view path, std::vector<std::string> headers) {
  return impl_->send_ahead(impl_->make(std::string(method), std::string(path), {}, std::move(headers)), /*retry=*/true);
}

bool Client::has_ahead() const { return impl_->ahead.has_value(); }

Result<RestResponse> Client::take_ahead() {
  auto response = impl_->take_ahead();
  if (!response) return response.error();
  return RestResponse{response->status, std::move(response->body), std::move(response->content_type),
                      std::move(response->headers)};
}

void Client::drop_ahead() { impl_->drop_ahead(); }

Error Client::error_for(const RestResponse& response, std::string_view what) const {
  return impl_->error_for(response.status, response.body, what);
}

LimitInfo Client::limits() const { return impl_->limits; }
Status Client::check_quota() const { return impl_->quota.check(); }
std::int64_t Client::api_calls() const { return impl_->api_calls; }

}  // namespace crmsync::salesforce
