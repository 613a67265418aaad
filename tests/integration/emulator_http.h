// Helpers for integration tests that talk to the emulator's REST API directly over loopback (no
// crmsync client in between): a client for a port, the OAuth password flow, bearer headers, and an
// emulator started from an org file. Kept apart from test_support.h so that tests which never
// speak raw HTTP do not compile cpp-httplib.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/text.h"
#include "emulator/emulator.h"
#include "test_support.h"

namespace crmsync::testing {

// A client for the emulator on `port`; big answers get 30 s to arrive.
inline httplib::Client loopback_client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  return c;
}

// The form of an OAuth username-password token request for the emulator's connected app.
inline httplib::Params password_grant(const std::string& user, const std::string& password) {
  return {{"grant_type", "password"},
          {"client_id", "crmsync-local"},
          {"client_secret", "crmsync-local-secret"},
          {"username", user},
          {"password", password}};
}

// An access token for `user`; throws when the emulator refuses (the test set the org up wrong).
inline std::string password_login(int port, const std::string& user, const std::string& password) {
  auto r = loopback_client(port).Post("/services/oauth2/token", password_grant(user, password));
  if (!r || r->status != 200) throw std::runtime_error("login failed for " + user);
  return nlohmann::json::parse(r->body)["access_token"];
}

inline httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// A bare TCP connection to a loopback port, for requests no HTTP client sends: headers trickling
// in slowly, a body cut short.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False once the server has closed the connection.
  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // What arrives until the server closes the connection or `timeout` passes.
  std::string receive(std::chrono::milliseconds timeout) {
    std::string out;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
};

// An emulator started on a free port from an org file holding `toml`, written into its own
// temporary directory; stopped when it goes out of scope. Tests derive from it to add the calls
// they make.
class OrgFileEmulator {
 public:
  // `options`: the rest of the emulator's options (e.g. token_ttl_seconds); its port and org file are set here.
  explicit OrgFileEmulator(const std::string& toml, emulator::EmulatorOptions options = {}) {
    const std::string path = dir_.file("org.toml");
    write_file(path, toml);
    options.port = 0;
    options.org_file = path;
    emu_ = std::make_unique<emulator::Emulator>(std::move(options));
    auto s = emu_->start();
    if (!s) throw std::runtime_error("emulator did not start: " + s.error().message);
  }
  ~OrgFileEmulator() { emu_->stop(); }
  OrgFileEmulator(const OrgFileEmulator&) = delete;
  OrgFileEmulator& operator=(const OrgFileEmulator&) = delete;

  emulator::Emulator& emulator() const { return *emu_; }
  httplib::Client client() const { return loopback_client(emu_->port()); }
  std::string login(const std::string& user, const std::string& password) const {
    return password_login(emu_->port(), user, password);
  }
  std::string integration() const { return login("integration@crmsync.test", "integration-pass"); }
  std::string admin() const { return login("admin@crmsync.test", "admin-pass"); }
  static httplib::Headers auth(const std::string& token) { return bearer(token); }

  // Bulk API 2.0 ingest jobs, as a client runs them.
  static constexpr const char* kIngestJobs = "/services/data/v60.0/jobs/ingest";
  using json = nlohmann::json;
  static httplib::Response must(httplib::Result r) {
    if (!r) throw std::runtime_error("no answer from the emulator");
    return *r;
  }
  httplib::Response create(const std::string& token, const json& body) const {
    return must(client().Post(kIngestJobs, auth(token), body.dump(), "application/json"));
  }
  // A job created, its CSV uploaded and closed: its Id.
  std::string load(const std::string& token, const json& job, const std::string& csv) const {
    auto made = create(token, job);
    if (made.status != 200) throw std::runtime_error("job refused: " + made.body);
    const std::string id = json::parse(made.body)["id"];
    auto put = must(client().Put((std::string(kIngestJobs) + "/" + id + "/batches").c_str(), auth(token), csv, "text/csv"));
    EXPECT_EQ(put.status, 201) << put.body;
    auto closed = set_state(token, id, "UploadComplete");
    EXPECT_EQ(closed.status, 200) << closed.body;
    return id;
  }
  httplib::Response set_state(const std::string& token, const std::string& id, const std::string& state) const {
    return must(client().Patch((std::string(kIngestJobs) + "/" + id).c_str(), auth(token), json{{"state", state}}.dump(),
                               "application/json"));
  }
  json info(const std::string& token, const std::string& id) const {
    return json::parse(must(client().Get((std::string(kIngestJobs) + "/" + id).c_str(), auth(token))).body);
  }
  // Polls until the job is finished, as clients do.
  json wait(const std::string& token, const std::string& id) const {
    json j;
    for (int i = 0; i < 500; ++i) {
      j = info(token, id);
      if (j["state"] != "UploadComplete" && j["state"] != "InProgress") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return j;
  }

 private:
  TempDir dir_;
  std::unique_ptr<emulator::Emulator> emu_;
};

// An emulator from an org file holding `toml` (at the given scale, seed 11), with the REST calls
// tests make as one user or another (a bearer token each).
class OrgFromFile : public OrgFileEmulator {
 public:
  explicit OrgFromFile(const std::string& toml, int scale = 30)
      : OrgFileEmulator("scale = " + std::to_string(scale) + "\nseed = 11\n" + toml) {}

  httplib::Result get(const std::string& token, const std::string& path) const {
    return client().Get(path.c_str(), auth(token));
  }
  httplib::Result query(const std::string& token, const std::string& soql) const {
    return get(token, "/services/data/v60.0/query?q=" + httplib::detail::encode_query_param(soql));
  }
  // totalSize of a query that must succeed.
  long count(const std::string& token, const std::string& soql) const {
    auto r = query(token, soql);
    if (!r || r->status != 200) throw std::runtime_error("query failed: " + soql + " -> " + (r ? r->body : "no answer"));
    return json::parse(r->body)["totalSize"].get<long>();
  }
  json records(const std::string& token, const std::string& soql) const {
    auto r = query(token, soql);
    if (!r || r->status != 200) throw std::runtime_error("query failed: " + soql + " -> " + (r ? r->body : "no answer"));
    return json::parse(r->body)["records"];
  }
  httplib::Result post(const std::string& token, const std::string& path, const json& body) const {
    return client().Post(path.c_str(), auth(token), body.dump(), "application/json");
  }
  httplib::Result patch(const std::string& token, const std::string& path, const json& body) const {
    return client().Patch(path.c_str(), auth(token), body.dump(), "application/json");
  }
  httplib::Result del(const std::string& token, const std::string& path) const {
    return client().Delete(path.c_str(), auth(token));
  }

  std::string id_of(const std::string& token, const std::string& soql) const {
    json rows = records(token, soql);
    if (rows.empty()) throw std::runtime_error("no row for " + soql);
    return rows[0]["Id"];
  }
};

// An httplib server for a test's fake Salesforce or proxy, on a free loopback port in a thread of
// its own: add routes, then start(); it stops (and joins the thread) when it goes out of scope.
class LoopbackServer : public httplib::Server {
 public:
  LoopbackServer() = default;
  ~LoopbackServer() override { shut_down(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  void start() {
    port_ = bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { listen_after_bind(); });
    while (!is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void shut_down() {
    if (!thread_.joinable()) return;
    stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::thread thread_;
};

// A proxy on its own loopback port in front of the emulator, for a server that answers what
// Salesforce never would: every request is passed on as it came, and every answer comes back
// unchanged (the emulator's URL in it, e.g. the login's instance_url, made the proxy's) unless
// rewrite() was given for its path and changes it. Point crmsync's login_url at base_url().
class RewritingProxy {
 public:
  // Given the method, the path (without the query) and the answer body; returns the body to send.
  using Rewrite = std::function<std::string(const std::string& method, const std::string& path, std::string body)>;

  explicit RewritingProxy(int emulator_port) : emulator_port_(emulator_port) {
    auto pass = [this](const httplib::Request& req, httplib::Response& res) { forward(req, res); };
    server_.Get(".*", pass).Post(".*", pass).Patch(".*", pass).Delete(".*", pass).Put(".*", pass);
    server_.start();
  }

  std::string base_url() const { return server_.base_url(); }
  void rewrite(Rewrite r) {
    std::lock_guard lock(mu_);
    rewrite_ = std::move(r);
  }

 private:
  void forward(const httplib::Request& req, httplib::Response& res) {
    httplib::Request out;
    out.method = req.method;
    out.path = req.target;  // with the query string, as it came
    out.body = req.body;
    for (const auto& [name, value] : req.headers) {
      // Answers come back uncompressed, so that they can be rewritten.
      if (!iequals(name, "Host") && !iequals(name, "Content-Length") &&
          !iequals(name, "Accept-Encoding") && !iequals(name, "REMOTE_ADDR") &&
          !iequals(name, "REMOTE_PORT") && !iequals(name, "LOCAL_ADDR") && !iequals(name, "LOCAL_PORT")) {
        out.headers.emplace(name, value);
      }
    }
    auto answer = loopback_client(emulator_port_).send(out);
    if (!answer) {
      res.status = 502;
      return;
    }
    std::string body = answer->body;
    const std::string from = "http://127.0.0.1:" + std::to_string(emulator_port_);
    for (std::size_t p = 0; (p = body.find(from, p)) != std::string::npos; p += base_url().size()) {
      body.replace(p, from.size(), base_url());
    }
    {
      std::lock_guard lock(mu_);
      if (rewrite_) body = rewrite_(req.method, req.path, std::move(body));
    }
    res.status = answer->status;
    std::string type = "application/json";
    for (const auto& [name, value] : answer->headers) {
      if (iequals(name, "Content-Type")) type = value;
      else if (!iequals(name, "Content-Length") && !iequals(name, "Transfer-Encoding") &&
               !iequals(name, "Connection") && !iequals(name, "Keep-Alive")) {
        res.set_header(name, value);
      }
    }
    res.set_content(body, type);
  }
  int emulator_port_;
  std::mutex mu_;
  Rewrite rewrite_;
  LoopbackServer server_;  // last: stopped first, while what its handlers use still exists
};

}  // namespace crmsync::testing
