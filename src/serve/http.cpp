// The HTTP front of `crmsync serve` (cpp-httplib, as the emulator): the page, its assets, the API
// and, with sign-in, its routes. Handlers only translate: every answer comes from Api::get,
// Api::edit, Signin or the embedded assets.
#include <httplib.h>

#include <chrono>
#include <thread>

#include "salesforce/http.h"
#include "serve/assets.h"
#include "serve/serve.h"
#include "serve/signin.h"

namespace crmsync::serve {

const Asset* find_asset(std::string_view name) {
  for (std::size_t i = 0; i < kAssetCount; ++i) {
    if (name == kAssets[i].name) return &kAssets[i];
  }
  return nullptr;
}

Status check_listen_host(const std::string& host, bool signin) {
  if (signin || salesforce::is_loopback_host(host)) return ok_status();
  return Error(ErrorKind::kConfig, "LOOPBACK_ONLY",
               "crmsync serve listens on loopback only (127.0.0.1, ::1, localhost) without sign-in, not on '" + host +
                   "': anyone who reaches the address would read every deal. Configure sign-in with Salesforce "
                   "([serve] client_id and public_url, docs/api.md), or use --host 127.0.0.1 and reach it through "
                   "an SSH tunnel or a reverse proxy that authenticates.");
}

SigninOptions signin_options(const config::Config& config, const config::SigninSecrets& secrets) {
  SigninOptions o;
  o.login_url = config.salesforce.login_url;
  o.api_version = config.salesforce.api_version;
  o.verify_tls = config.salesforce.verify_tls;
  o.public_url = config.serve.public_url;
  o.client_id = config.serve.client_id;
  o.client_secret = secrets.client_secret;
  o.session_key = secrets.session_key;
  o.admins = config.serve.admins;
  o.session_hours = config.serve.session_hours;
  return o;
}

namespace {

// Accept-Encoding without brotli: gzip when the client takes it, else nothing compressed.
void prefer_gzip(httplib::Headers& headers) {
  auto [first, last] = headers.equal_range("Accept-Encoding");
  bool gzip = false;
  for (auto it = first; it != last; ++it) gzip = gzip || it->second.find("gzip") != std::string::npos;
  headers.erase(first, last);
  if (gzip) headers.emplace("Accept-Encoding", "gzip");
}

}  // namespace

struct Server::Impl {
  Api& api;
  ServerOptions options;
  std::unique_ptr<Signin> signin;  // options.signin set
  httplib::Server http;
  std::thread thread;
  int port = 0;

  Impl(Api& a, ServerOptions o) : api(a), options(std::move(o)) {
    if (options.signin) signin = std::make_unique<Signin>(api, *options.signin);
  }

  static void common_headers(httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    // The page runs its own scripts and styles only: no inline script or style, nothing from elsewhere.
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'");
  }

  void send_asset(const Asset& a, httplib::Response& res) {
    common_headers(res);
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(reinterpret_cast<const char*>(a.data), a.size), a.content_type);
  }

  static void send_answer(const Answer& a, httplib::Response& res) {
    common_headers(res);
    res.set_header("Cache-Control", "no-store");
    res.status = a.status;
    res.set_content(a.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  }

  // GET /api/...: everyone's view without sign-in; with it, the session's person or 401.
  void api_get(const httplib::Request& req, httplib::Response& res) {
    if (!signin && req.path == "/api/session") {
      return send_answer({200, {{"signin", false}, {"user_id", nullptr}, {"name", nullptr}, {"csrf_token", nullptr}}}, res);
    }
    if (!signin) return send_answer(api.get(req.path, req.params, Viewer::everyone()), res);
    if (req.path == "/api/session") return send_answer(signin->session_answer(req), res);
    auto session = signin->session_of(req);
    if (!session) return send_answer(Signin::not_signed_in(), res);
    if (req.path == "/api/edit-fields") {  // asks Salesforce as the person
      SessionSalesforce as(*session);
      return send_answer(api.edit_fields(as), res);
    }
    send_answer(api.get(req.path, req.params, Signin::viewer_of(*session)), res);
  }

  // PATCH /api/deals/{Id}: the session's person, their CSRF token, their Salesforce session.
  void api_patch(const httplib::Request& req, httplib::Response& res) {
    if (!signin) {
      return send_answer({403,
                          {{"error",
                            {{"code", "SIGNIN_REQUIRED"},
                             {"message", "Edits are made as the signed-in person, with their own Salesforce "
                                         "permissions: configure sign-in ([serve] client_id, docs/api.md)."}}}}},
                         res);
    }
    auto session = signin->session_of(req);
    if (!session) return send_answer(Signin::not_signed_in(), res);
    if (auto refusal = signin->refuse_forgery(req, *session)) return send_answer(*refusal, res);
    SessionSalesforce as(*session);
    std::optional<std::string> since;
    if (req.has_header("If-Unmodified-Since")) since = req.get_header_value("If-Unmodified-Since");
    Answer a = api.edit(req.path, req.body, Signin::viewer_of(*session), as, since);
    if (a.status == 401) signin->end(req);  // Salesforce ended their session: so does crmsync
    send_answer(a, res);
  }

  void routes() {
    http.Get("/", [this](const httplib::Request&, httplib::Response& res) { send_asset(*find_asset("index.html"), res); });
    http.Get(R"(/assets/([A-Za-z0-9._-]+))", [this](const httplib::Request& req, httplib::Response& res) {
      const Asset* a = find_asset(req.matches[1].str());
      if (a == nullptr) {
        res.status = 404;
        res.set_content("no such asset\n", "text/plain");
        return;
      }
      send_asset(*a, res);
    });
    http.Get(R"(/api/.*)", [this](const httplib::Request& req, httplib::Response& res) { api_get(req, res); });
    http.Patch(R"(/api/.*)", [this](const httplib::Request& req, httplib::Response& res) { api_patch(req, res); });
    if (signin) {
      http.Get("/auth/login", [this](const httplib::Request& req, httplib::Response& res) {
        common_headers(res);
        signin->login(req, res);
      });
      http.Get("/auth/callback", [this](const httplib::Request& req, httplib::Response& res) {
        common_headers(res);
        signin->callback(req, res);
      });
      http.Post("/auth/logout", [this](const httplib::Request& req, httplib::Response& res) {
        common_headers(res);
        res.set_header("Cache-Control", "no-store");
        signin->logout(req, res);
      });
    }
    // Errors httplib answers itself (a request line over 8,192 bytes: 414, a body over the limit)
    // carry the API's JSON error too.
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      std::string code = res.status == 414 ? "URI_TOO_LONG" : res.status == 404 ? "NOT_FOUND" : "BAD_REQUEST";
      std::string message = res.status == 414 ? "The request line is longer than the server reads (8,192 bytes); shorten "
                                                "the parameters (a search is at most 200 characters)."
                            : res.status == 404 ? "No such page or endpoint (docs/api.md lists them)."
                                                : "The server could not read this request (HTTP " + std::to_string(res.status) + ").";
      nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
      res.set_content(body.dump(), "application/json");
    });
    // Answers go out at once: with Nagle's algorithm an answer written in two parts (headers, body)
    // waited for the client's delayed ACK, 40 ms on Linux, longer than most answers take to make.
    http.set_tcp_nodelay(true);
    // cpp-httplib 0.11 compresses text, Chart.js and JSON with brotli at quality 11 whenever the client
    // accepts it: half a second for Chart.js, 0.2 s for a 500-deal answer, where gzip takes 10 ms for
    // the same (docs/decisions.md, "The page's load time"). So a client's "br" is not offered to it.
    http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      prefer_gzip(const_cast<httplib::Headers&>(req.headers));  // the server's own mutable request
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_payload_max_length(64 * 1024);
    http.set_read_timeout(10, 0);
    http.set_keep_alive_max_count(1000);
  }
};

Server::Server(Api& api, ServerOptions options) : impl_(std::make_unique<Impl>(api, std::move(options))) {}

Server::~Server() { stop(); }

Status Server::start() {
  CRMSYNC_TRY(check_listen_host(impl_->options.host, impl_->options.signin.has_value()));
  impl_->routes();
  const std::string& host = impl_->options.host;
  int port = impl_->options.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(host);
  } else if (!impl_->http.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Error(ErrorKind::kNetwork, "CANNOT_LISTEN",
                 "crmsync serve cannot listen on " + host + ":" + std::to_string(impl_->options.port) +
                     ": another program may use that port; choose another with --port.");
  }
  impl_->port = port;
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
  for (int i = 0; i < 2000 && !impl_->http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return ok_status();
}

void Server::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->http.stop();
  impl_->thread.join();
}

int Server::port() const { return impl_->port; }

std::string Server::url() const {
  const std::string& h = impl_->options.host;
  return "http://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(impl_->port);
}

}  // namespace crmsync::serve
