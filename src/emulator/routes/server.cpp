// The Emulator: binds the HTTP server, authenticates API calls, counts API usage and dispatches
// each path to its route (the other files of routes/).
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <shared_mutex>
#include <thread>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/org/org.h"
#include "emulator/routes/routes.h"
#include "emulator/routes/transport.h"

namespace crmsync::emulator {

// ---- EmuState ---------------------------------------------------------------------------------

std::string EmuState::random_token(const std::string& prefix) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
  unsigned char bytes[96];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string token = prefix;
  for (unsigned char b : bytes) token.push_back(kAlphabet[b % 64]);
  return token;
}

std::string EmuState::issue_token(const std::string& user_id, const std::string& refresh_token) {
  std::string token = random_token(sf_id15(org_id) + "!");
  const EpochMs expires = now_ms() + options.token_ttl_seconds * 1000;
  std::lock_guard lock(mu_);
  tokens_[token] = {user_id, expires, refresh_token};
  return token;
}

std::optional<std::string> EmuState::user_for_token(const std::string& token) const {
  std::lock_guard lock(mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end() || now_ms() >= it->second.expires_ms) return std::nullopt;
  return it->second.user_id;
}

void EmuState::expire_all_tokens() {
  std::lock_guard lock(mu_);
  tokens_.clear();
}

std::string EmuState::issue_refresh_token(const std::string& user_id) {
  std::string token = random_token("5Aep");
  std::lock_guard lock(mu_);
  refresh_tokens_[token] = user_id;
  return token;
}

std::optional<std::string> EmuState::user_for_refresh_token(const std::string& token) const {
  std::lock_guard lock(mu_);
  auto it = refresh_tokens_.find(token);
  if (it == refresh_tokens_.end()) return std::nullopt;
  return it->second;
}

void EmuState::revoke_refresh_token(const std::string& token) {
  std::lock_guard lock(mu_);
  refresh_tokens_.erase(token);
}

bool EmuState::revoke_token(const std::string& token) {
  std::lock_guard lock(mu_);
  if (auto it = tokens_.find(token); it != tokens_.end()) {
    const bool live = now_ms() < it->second.expires_ms;
    tokens_.erase(it);
    return live;
  }
  if (token.empty() || refresh_tokens_.erase(token) == 0) return false;
  std::erase_if(tokens_, [&](const auto& session) { return session.second.refresh_token == token; });
  return true;
}

std::string EmuState::issue_auth_code(const std::string& user_id, const std::string& redirect_uri,
                                      const std::string& code_challenge) {
  std::string code = random_token("aPrx");
  std::lock_guard lock(mu_);
  auth_codes_[code] = {user_id, redirect_uri, now_ms() + 15 * 60 * 1000, code_challenge};
  return code;
}

Result<std::string> EmuState::redeem_auth_code(const std::string& code, const std::string& redirect_uri,
                                               const std::string& code_verifier) {
  const Error invalid_code(ErrorKind::kAuth, "invalid_grant", "invalid authorization code");
  std::lock_guard lock(mu_);
  auto it = auth_codes_.find(code);
  if (it == auth_codes_.end()) return invalid_code;
  AuthCode found = it->second;
  auth_codes_.erase(it);  // single use, whatever the outcome (a wrong verifier cannot be retried)
  if (now_ms() >= found.expires_ms || found.redirect_uri != redirect_uri) return invalid_code;
  if (!found.code_challenge.empty() && pkce_challenge(code_verifier) != found.code_challenge) {
    return Error(ErrorKind::kAuth, "invalid_grant", "invalid code verifier");
  }
  return found.user_id;
}

std::optional<std::string> EmuState::active_user_id(const std::string& username) const {
  auto id = user_id_by_username(username);
  if (!id) return std::nullopt;
  std::shared_lock lock(db->mutex());
  const Table& users = *db->find("User");
  auto row = users.find(*id);
  auto col = users.field_index("IsActive");
  if (!row || !col) return id;
  const auto* active = std::get_if<bool>(&users.row(*row)[*col]);
  if (active != nullptr && !*active) return std::nullopt;
  return id;
}

std::optional<std::string> EmuState::user_id_by_username(const std::string& username) const {
  std::shared_lock lock(db->mutex());
  const Table& users = *db->find("User");
  const std::size_t col = *users.field_index("Username");
  for (std::size_t r = 0; r < users.slot_count(); ++r) {
    if (users.purged(r)) continue;
    const auto* name = std::get_if<std::string>(&users.row(r)[col]);
    if (name != nullptr && iequals(*name, username)) return std::get<std::string>(users.row(r)[0]);
  }
  return std::nullopt;
}

std::string random_sf_id(std::string_view key_prefix) {
  std::uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return make_sf_id(key_prefix, serial);
}

std::string CursorStore::add(std::shared_ptr<const QueryCursor> cursor) {
  std::lock_guard lock(mu_);
  std::string locator;
  do {
    locator = random_sf_id("01g");
  } while (by_locator_.count(locator));
  by_locator_[locator] = std::move(cursor);
  order_.push_back(locator);
  while (order_.size() > capacity_) {
    by_locator_.erase(order_.front());
    order_.pop_front();
  }
  return locator;
}

std::shared_ptr<const QueryCursor> CursorStore::find(const std::string& locator, const std::string& user_id) const {
  std::lock_guard lock(mu_);
  auto it = by_locator_.find(locator);
  return it == by_locator_.end() || it->second->user_id != user_id ? nullptr : it->second;
}

// ---- error bodies -----------------------------------------------------------------------------

std::string error_body(const std::string& code, const std::string& message, const std::vector<std::string>* fields) {
  std::string out = "[{\"message\":";
  append_json_string(out, message);
  out += ",\"errorCode\":";
  append_json_string(out, code);
  if (fields != nullptr) {
    out += ",\"fields\":[";
    for (std::size_t i = 0; i < fields->size(); ++i) {
      if (i) out.push_back(',');
      append_json_string(out, (*fields)[i]);
    }
    out.push_back(']');
  }
  out += "}]";
  return out;
}

void send_json(httplib::Response& res, int status, std::string body) {
  res.status = status;
  // Moved, not set_content()'s copy: a query page is megabytes.
  res.body = std::move(body);
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", "application/json;charset=UTF-8");
}

void send_error(httplib::Response& res, int status, const std::string& code, const std::string& message,
                const std::vector<std::string>* fields) {
  send_json(res, status, error_body(code, message, fields));
}

void send_not_found(httplib::Response& res) {
  send_json(res, 404, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])");
}

void send_method_not_allowed(httplib::Response& res, const std::string& method, const std::string& allowed) {
  res.set_header("Allow", allowed);
  send_error(res, 405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
}

void send_error(httplib::Response& res, const Error& error) {
  static const Error kNotFound = not_found();
  if (error.http_status == kNotFound.http_status && error.code == kNotFound.code &&
      error.message == kNotFound.message && !error.fields) {
    return send_not_found(res);
  }
  send_error(res, error.http_status ? error.http_status : 400, error.code, error.message,
             error.fields ? &*error.fields : nullptr);
}

void send_unknown_exception(httplib::Response& res) {
  send_error(res, 500, "UNKNOWN_EXCEPTION",
             "An unexpected error occurred. Please include this ErrorId if you contact support: "
             "1418170339-42 (-1418170339)");
}

void send_request_too_large(httplib::Response& res, std::size_t max_bytes) {
  // Salesforce's words and code, as clients have quoted them; the status is HTTP's own for it.
  send_error(res, 413, "JSON_PARSER_ERROR",
             "Maximum size of request reached. Maximum size of request is " + std::to_string(max_bytes) + " bytes.");
}

const std::vector<std::string>& supported_versions() {
  static const std::vector<std::string> versions = [] {
    std::vector<std::string> v;
    for (int major = 20; major <= 62; ++major) v.push_back(std::to_string(major) + ".0");
    return v;
  }();
  return versions;
}

// ---- dispatch ---------------------------------------------------------------------------------

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool is_async_path(const std::vector<std::string>& parts) {
  return parts.size() >= 3 && parts[0] == "services" && parts[1] == "async";
}

// The session of a call: Authorization: Bearer (or OAuth) token, or, for Bulk API 1.0 under
// /services/async/, the X-SFDC-Session header.
std::optional<std::string> bearer_token(const httplib::Request& req) {
  if (req.has_header("X-SFDC-Session") && is_async_path(split_path(req.path))) {
    return req.get_header_value("X-SFDC-Session");
  }
  if (!req.has_header("Authorization")) return std::nullopt;
  std::string value = req.get_header_value("Authorization");
  for (std::string_view scheme : {"Bearer ", "OAuth "}) {
    if (value.size() > scheme.size() && iequals(std::string_view(value).substr(0, scheme.size()), scheme)) {
      std::string token = value.substr(scheme.size());
      while (!token.empty() && token.back() == ' ') token.pop_back();
      return token;
    }
  }
  return std::nullopt;
}

// The OAuth endpoints are called before any login; their bodies are forms of a few KB.
constexpr std::size_t kMaxOAuthBodyBytes = 64 * 1024;

bool is_oauth_path(const std::vector<std::string>& parts) {
  return parts.size() >= 2 && parts[0] == "services" && parts[1] == "oauth2";
}

// Percent-decoding gives any bytes; what the routes read (and may echo in a JSON answer) is text.
bool well_formed(const httplib::Request& req) {
  if (!is_well_formed_utf8(req.path)) return false;
  for (const auto& [name, value] : req.params) {
    if (!is_well_formed_utf8(name) || !is_well_formed_utf8(value)) return false;
  }
  for (const auto& [name, value] : req.headers) {
    if (!is_well_formed_utf8(value)) return false;
  }
  return true;
}

// The request with the bytes that are not UTF-8 in its path, parameters and header values read
// as U+FFFD, as Salesforce's (Java's) decoding reads them.
httplib::Request with_well_formed_text(const httplib::Request& req) {
  httplib::Request out = req;
  out.path = to_well_formed_utf8(req.path);
  out.params.clear();
  for (const auto& [name, value] : req.params) out.params.emplace(to_well_formed_utf8(name), to_well_formed_utf8(value));
  for (auto& [name, value] : out.headers) value = to_well_formed_utf8(value);
  return out;
}

class Router {
 public:
  explicit Router(EmuState& s) : s_(s) {
    s_.route_api = [this](ApiCall& call) { route_api(call); };
  }

  // A request that may carry a body (POST, PUT, PATCH, DELETE): the body is read here, bounded,
  // and only for a valid session (or an OAuth endpoint), so that nobody without a login can make
  // the emulator hold megabytes.
  void handle_with_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    const bool oauth = is_oauth_path(split_path(req.path));
    if (!oauth) {
      auto token = bearer_token(req);
      if (!token || !s_.user_for_token(*token)) {
        close_after_response();  // the unread body stays behind
        return handle(req, res);
      }
    }
    const std::size_t limit = oauth ? kMaxOAuthBodyBytes : s_.options.max_request_bytes;
    httplib::Request with_body = req;
    switch (read_body(req, reader, limit, with_body.body)) {
      case BodyRead::kOk: break;
      case BodyRead::kTooLarge:
        close_after_response();
        return send_request_too_large(res, limit);
      case BodyRead::kFailed:
        close_after_response();
        res.status = 400;
        return;
    }
    // What cpp-httplib does for the bodies it reads itself.
    if (with_body.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
      httplib::detail::parse_query_text(with_body.body, with_body.params);
    }
    handle(with_body, res);
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    if (!well_formed(req)) return handle(with_well_formed_text(req), res);
    const std::vector<std::string> parts = split_path(req.path);
    const std::string& m = req.method;
    if (parts.size() == 3 && parts[0] == "services" && parts[1] == "oauth2" && parts[2] == "token") {
      if (m != "POST") return send_method_not_allowed(res, m, "POST");
      return handle_token(s_, req, res);
    }
    if (parts.size() == 3 && parts[0] == "services" && parts[1] == "oauth2" && parts[2] == "revoke") {
      if (m != "GET" && m != "POST") return send_method_not_allowed(res, m, "GET,POST");
      return handle_revoke(s_, req, res);
    }
    if (parts.size() == 3 && parts[0] == "services" && parts[1] == "oauth2" && parts[2] == "authorize") {
      if (m != "GET" && m != "POST") return send_method_not_allowed(res, m, "GET,POST");
      return handle_authorize(s_, req, res);
    }
    if (parts.size() == 2 && parts[0] == "services" && parts[1] == "data") {
      if (m != "GET" && m != "HEAD") return send_method_not_allowed(res, m, "GET,HEAD");
      return handle_versions(s_, res);
    }
    const bool api = parts.size() >= 3 && parts[0] == "services" && parts[1] == "data";
    const bool identity = parts.size() == 3 && parts[0] == "id";
    const bool userinfo = parts.size() == 3 && parts[0] == "services" && parts[1] == "oauth2" && parts[2] == "userinfo";
    const bool admin = !parts.empty() && parts[0] == "emulator";
    const bool async = is_async_path(parts);  // Bulk API 1.0: /services/async/60.0/job...
    if (!api && !identity && !userinfo && !admin && !async) {
      limit_header(res);
      return send_not_found(res);
    }
    std::string version;
    if (api) {
      const std::string& v = parts[2];
      version = v.size() > 1 && v[0] == 'v' ? v.substr(1) : "";
      const auto& known = supported_versions();
      if (std::find(known.begin(), known.end(), version) == known.end()) {
        limit_header(res);
        return send_not_found(res);
      }
    }
    if (async) {
      const auto& known = supported_versions();
      version = parts[2];
      if (std::find(known.begin(), known.end(), version) == known.end()) {
        limit_header(res);
        return send_async_error(req, res, 400, "InvalidVersion", "Invalid API version: " + version);
      }
    }
    auto token = bearer_token(req);
    auto user = token ? s_.user_for_token(*token) : std::nullopt;
    if (user && !admin && s_.options.faults.expire_session_at > 0 &&
        ++s_.api_calls == s_.options.faults.expire_session_at) {
      s_.expire_all_tokens();
      user.reset();
    }
    if (!user) {
      limit_header(res);
      if (async) return send_async_error(req, res, 400, "InvalidSessionId", "Invalid session id");
      return send_error(res, 401, "INVALID_SESSION_ID", "Session expired or invalid");
    }
    if (admin) return handle_admin(s_, req, res, parts, *user);
    if (s_.api_used.load() >= s_.options.daily_api_max) {
      limit_header(res);
      return send_error(res, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    }
    ++s_.api_used;
    limit_header(res);
    const bool is_query = api && parts.size() >= 4 && (parts[3] == "query" || parts[3] == "queryAll");
    const Fault fault = s_.faults.next(is_query);
    if (inject_fault(fault, s_.options.faults, res)) return;
    if (refuse_api_call(s_, *user, res)) return;
    ApiCall call{req, res, version, {}, *user};
    if (identity) {
      if (m != "GET" && m != "HEAD") return send_method_not_allowed(res, m, "GET,HEAD");
      handle_identity(s_, call, parts[1], parts[2]);
    } else if (userinfo) {
      // OpenID Connect allows POST as well as GET.
      if (m != "GET" && m != "HEAD" && m != "POST") return send_method_not_allowed(res, m, "GET,HEAD,POST");
      handle_userinfo(s_, call);
    } else if (async) {
      call.path.assign(parts.begin() + 3, parts.end());
      handle_async(s_, call);
    } else {
      call.path.assign(parts.begin() + 3, parts.end());
      route_api(call);
    }
    apply_transport_fault(fault, req, res);
  }

 private:
  void limit_header(httplib::Response& res) {
    res.set_header("Sforce-Limit-Info", "api-usage=" + std::to_string(s_.api_used.load()) + "/" +
                                            std::to_string(s_.options.daily_api_max));
  }

  void route_api(ApiCall& call) {
    const auto& p = call.path;
    const std::string& m = call.req.method;
    const bool get = m == "GET" || m == "HEAD";
    if (p.empty()) return get ? handle_resources(s_, call) : send_method_not_allowed(call.res, m, "GET,HEAD");
    if (p[0] == "limits" && p.size() == 1) {
      return get ? handle_limits(s_, call) : send_method_not_allowed(call.res, m, "GET,HEAD");
    }
    if (p[0] == "limits" && p.size() == 2 && p[1] == "recordCount") {
      return get ? handle_record_count(s_, call) : send_method_not_allowed(call.res, m, "GET,HEAD");
    }
    if (p[0] == "query" || p[0] == "queryAll") {
      if (p.size() > 2) return send_not_found(call.res);
      if (!get) return send_method_not_allowed(call.res, m, "GET,HEAD");
      if (p.size() == 2) return handle_query_more(s_, call, p[1]);
      return handle_query(s_, call, p[0] == "queryAll");
    }
    if (p[0] == "composite") return handle_composite(s_, call);
    if (p.size() == 1 && (p[0] == "search" || p[0] == "recent" || p[0] == "tabs" || p[0] == "theme")) {
      if (!get) return send_method_not_allowed(call.res, m, "GET,HEAD");
      if (p[0] == "search") return handle_search(s_, call);
      if (p[0] == "recent") return handle_recent(s_, call);
      return p[0] == "tabs" ? handle_tabs(s_, call) : handle_theme(s_, call);
    }
    if (p.size() == 1 && p[0] == "parameterizedSearch") {
      if (!get && m != "POST") return send_method_not_allowed(call.res, m, "GET,HEAD,POST");
      return handle_parameterized_search(s_, call);
    }
    if (p[0] == "jobs" && p.size() == 1) {
      return get ? handle_jobs_resources(s_, call) : send_method_not_allowed(call.res, m, "GET,HEAD");
    }
    if (p[0] == "jobs" && p.size() >= 2 && p[1] == "query") return handle_bulk_query(s_, call);
    if (p[0] == "jobs" && p.size() >= 2 && p[1] == "ingest") return handle_bulk_ingest(s_, call);
    if (p[0] != "sobjects") return send_not_found(call.res);
    if (p.size() == 1) return get ? handle_describe_global(s_, call) : send_method_not_allowed(call.res, m, "GET,HEAD");
    Table* table = s_.db->find(p[1]);
    if (table == nullptr) return send_not_found(call.res);
    if (p.size() == 2) {
      if (get) return handle_sobject_info(s_, call, *table);
      if (m == "POST") return handle_create(s_, call, *table);
      return send_method_not_allowed(call.res, m, "GET,HEAD,POST");
    }
    if (p.size() == 3 && p[2] == "describe") {
      return get ? handle_describe(s_, call, *table) : send_method_not_allowed(call.res, m, "GET,HEAD");
    }
    if (p.size() == 3 && (p[2] == "deleted" || p[2] == "updated")) {
      if (!get) return send_method_not_allowed(call.res, m, "GET,HEAD");
      return p[2] == "deleted" ? handle_get_deleted(s_, call, *table) : handle_get_updated(s_, call, *table);
    }
    if (p.size() == 3) {
      if (get) return handle_retrieve(s_, call, *table, p[2]);
      if (m == "PATCH") return handle_update(s_, call, *table, p[2]);
      if (m == "DELETE") return handle_delete(s_, call, *table, p[2]);
      return send_method_not_allowed(call.res, m, "GET,HEAD,PATCH,DELETE");
    }
    if (p.size() == 4) {
      if (m == "PATCH") return handle_upsert(s_, call, *table, p[2], p[3]);
      return send_method_not_allowed(call.res, m, "PATCH");
    }
    send_not_found(call.res);
  }

  EmuState& s_;
};

}  // namespace

// ---- Emulator ---------------------------------------------------------------------------------

TransportLimits transport_limits(const EmulatorOptions& o) {
  return {.threads = o.threads, .max_threads = o.max_threads, .header_timeout_ms = o.header_timeout_ms};
}

struct Emulator::Impl {
  explicit Impl(EmulatorOptions o) : state(std::move(o)), router(state), server(transport_limits(state.options)) {}
  EmuState state;
  Router router;
  EmuHttpServer server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::condition_variable stopped;
  bool running = false;
  bool loaded = false;  // load() ran
};

Emulator::Emulator(EmulatorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() { stop(); }

Status Emulator::load() {
  EmuState& s = impl_->state;
  if (impl_->loaded) return ok_status();
  if (auto loaded = load_org(s); !loaded) return loaded.error();
  {
    const Table& org = *s.db->find("Organization");
    s.org_id = std::get<std::string>(org.row(0)[0]);
    // Writes must stamp later than anything generated.
    EpochMs latest = 0;
    for (const Table* t : s.db->tables()) {
      auto col = t->field_index("SystemModstamp");
      if (!col) continue;
      for (std::size_t r = 0; r < t->slot_count(); ++r) {
        if (const auto* d = std::get_if<DateTime>(&t->row(r)[*col])) latest = std::max(latest, d->ms);
      }
    }
    s.clock.start_after(latest);
  }
  s.api_used = s.options.api_used;
  if (auto kinds = parse_fault_kinds(s.options.faults.kinds); !kinds) return kinds.error();
  if (s.options.faults.rate < 0 || s.options.faults.rate > 1) {
    return Error(ErrorKind::kConfig, "BAD_FAULT_RATE",
                 "The fault rate must be between 0 and 1 (e.g. --fault-rate 0.2), not " +
                     std::to_string(s.options.faults.rate) + ".");
  }
  if (auto loaded = load_jwt_certificate(s); !loaded) return loaded;
  impl_->loaded = true;
  return ok_status();
}

void Emulator::answer(const httplib::Request& req, httplib::Response& res) {
  const std::string& m = req.method;
  if (m != "POST" && m != "PATCH" && m != "PUT" && m != "DELETE") return impl_->router.handle(req, res);
  // As from a connection: the request arrives without its body, which the route reads.
  httplib::Request unread = req;
  const std::string body = std::move(unread.body);
  unread.body.clear();
  httplib::ContentReader reader(
      [&body](httplib::ContentReceiver receive) { return receive(body.data(), body.size()); },
      [](httplib::MultipartContentHeader, httplib::ContentReceiver) { return false; });
  impl_->router.handle_with_body(unread, res, reader);
}

Status Emulator::start() {
  EmuState& s = impl_->state;
  if (auto loaded = load(); !loaded) return loaded;

  EmuHttpServer& server = impl_->server;
  server.set_keep_alive_max_count(1000);
  // Without it, every answer after the first on a keep-alive connection waits ~40 ms (Nagle + delayed ACK).
  server.set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, which would let a second emulator share a taken port.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { impl_->router.handle(req, res); };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    impl_->router.handle_with_body(req, res, reader);
  };
  server.Get(".*", handler);
  server.Post(".*", with_body);
  server.Patch(".*", with_body);
  server.Delete(".*", with_body);
  server.Put(".*", with_body);
  server.Options(".*", handler);
  // A route that throws is a bug; cpp-httplib would answer with the exception's text in an
  // EXCEPTION_WHAT header. Salesforce says nothing about its internals.
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_unknown_exception(res);
  });

  int port = s.options.port;
  if (port == 0) {
    port = server.bind_to_any_port(s.options.host.c_str());
    if (port < 0) {
      return Error(ErrorKind::kConfig, "BIND_FAILED", "Could not bind the emulator to " + s.options.host + ".");
    }
  } else if (!server.bind_to_port(s.options.host.c_str(), port)) {
    return Error(ErrorKind::kConfig, "PORT_IN_USE",
                 "Could not listen on " + s.options.host + ":" + std::to_string(port) +
                     " (the port is taken or the address is not local); choose another with --port.");
  }
  server.widen_listen_backlog();
  impl_->port = port;
  s.base_url = "http://" + s.options.host + ":" + std::to_string(port);
  {
    std::lock_guard lock(impl_->mu);
    impl_->running = true;
  }
  impl_->thread = std::thread([&server] { server.listen_after_bind(); });
  return ok_status();
}

void Emulator::wait() {
  std::unique_lock lock(impl_->mu);
  impl_->stopped.wait(lock, [this] { return !impl_->running; });
}

void Emulator::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->running) return;
    impl_->running = false;
  }
  // The listener may not have entered its accept loop yet; stop() only ends a running loop.
  for (int i = 0; i < 2000 && !impl_->server.is_running() && impl_->thread.joinable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->stopped.notify_all();
}

std::string Emulator::base_url() const { return impl_->state.base_url; }
int Emulator::port() const { return impl_->port; }

Result<std::string> Emulator::issue_refresh_token(const std::string& username) {
  EmuState& s = impl_->state;
  auto user = s.active_user_id(username);
  if (!user) {
    return Error(ErrorKind::kConfig, "NO_SUCH_USER",
                 "No active user " + username + " in the emulator's org; use one of its usernames, e.g. "
                 "integration@crmsync.test.");
  }
  return s.issue_refresh_token(*user);
}

std::int64_t Emulator::api_used() const { return impl_->state.api_used.load(); }
void Emulator::set_api_used(std::int64_t used) { impl_->state.api_used = used; }
void Emulator::set_fault_rate(double rate) { impl_->state.faults.set_rate(rate); }
std::int64_t Emulator::bulk_jobs_created() const { return static_cast<std::int64_t>(impl_->state.bulk_serial.load()); }
std::int64_t Emulator::bulk_result_pages_served() const { return impl_->state.bulk_results_served.load(); }

Result<std::size_t> Emulator::hard_delete(const std::vector<std::string>& ids) {
  return purge_records(impl_->state, ids, nullptr);
}

Database& Emulator::database() {
  if (!impl_->state.db) impl_->state.db = generate_org(impl_->state.options.org);
  return *impl_->state.db;
}

}  // namespace crmsync::emulator
