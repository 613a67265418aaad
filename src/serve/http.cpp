// The HTTP front of `crmsync serve` (cpp-httplib, as the emulator): the page, its assets and the
// API. Handlers only translate: every answer comes from Api::get or the embedded assets.
#include <httplib.h>

#include <chrono>
#include <thread>

#include "salesforce/http.h"
#include "serve/assets.h"
#include "serve/serve.h"

namespace crmsync::serve {

const Asset* find_asset(std::string_view name) {
  for (std::size_t i = 0; i < kAssetCount; ++i) {
    if (name == kAssets[i].name) return &kAssets[i];
  }
  return nullptr;
}

Status check_listen_host(const std::string& host) {
  if (salesforce::is_loopback_host(host)) return ok_status();
  return Error(ErrorKind::kConfig, "LOOPBACK_ONLY",
               "crmsync serve listens on loopback only (127.0.0.1, ::1, localhost), not on '" + host +
                   "': without sign-in (not built yet) anyone who reaches the address would read every deal. "
                   "Use --host 127.0.0.1 and reach it through an SSH tunnel or a reverse proxy that authenticates.");
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
  httplib::Server http;
  std::thread thread;
  int port = 0;

  Impl(Api& a, ServerOptions o) : api(a), options(std::move(o)) {}

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
    http.Get(R"(/api/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      Answer a = api.get(req.path, req.params, Viewer::everyone());
      common_headers(res);
      res.set_header("Cache-Control", "no-store");
      res.status = a.status;
      res.set_content(a.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
    });
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
  CRMSYNC_TRY(check_listen_host(impl_->options.host));
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
