// Signing in to `crmsync serve` the way a browser does, over plain HTTP: a cookie jar, the
// redirects followed by hand, the emulator's login form filled in. For the sign-in tests of the
// API and of the served binary.
//
//   Browser rep(serve_port);
//   std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");   // throws when refused
//   auto r = rep.get("/api/deals");  rep.patch("/api/deals/006...", body, csrf);
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>

#include "emulator_http.h"

namespace crmsync::testing {

// A loopback port nothing listens on right now (for a server whose public URL must be known
// before it starts).
inline int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One Set-Cookie header: its name, value and attributes as sent.
struct SetCookie {
  std::string name, value, attributes;
};

inline SetCookie parse_set_cookie(const std::string& header) {
  SetCookie c;
  auto semi = header.find(';');
  std::string pair = header.substr(0, semi);
  auto eq = pair.find('=');
  c.name = pair.substr(0, eq);
  c.value = eq == std::string::npos ? "" : pair.substr(eq + 1);
  c.attributes = semi == std::string::npos ? "" : header.substr(semi);
  return c;
}

// A browser: cookies by name (a Max-Age=0 cookie removed), every Set-Cookie it was sent kept.
class Browser {
 public:
  explicit Browser(int serve_port) : port_(serve_port) {}

  httplib::Result get(const std::string& path) { return keep(loopback_client(port_).Get(path, headers())); }
  httplib::Result patch(const std::string& path, const std::string& body, const std::string& csrf,
                        httplib::Headers extra = {}) {
    httplib::Headers h = headers();
    if (!csrf.empty()) h.emplace("X-CSRF-Token", csrf);
    for (auto& e : extra) h.insert(e);
    return keep(loopback_client(port_).Patch(path, h, body, "application/json"));
  }
  httplib::Result post(const std::string& path, const std::string& csrf) {
    httplib::Headers h = headers();
    if (!csrf.empty()) h.emplace("X-CSRF-Token", csrf);
    return keep(loopback_client(port_).Post(path, h, "", "application/json"));
  }

  // Through /auth/login, the emulator's form (username and password typed in, its hidden fields
  // sent back as a browser would) and /auth/callback. The callback's answer; `callback_status`
  // 302 means signed in.
  httplib::Result sign_in_answer(const std::string& username, const std::string& password) {
    auto start = get("/auth/login");
    if (!start || start->status != 302) throw std::runtime_error("GET /auth/login did not redirect");
    const std::string authorize = start->get_header_value("Location");
    std::smatch m;
    static const std::regex origin(R"(^(http://127\.0\.0\.1:(\d+))(/.*)$)");
    if (!std::regex_match(authorize, m, origin)) throw std::runtime_error("not the emulator: " + authorize);
    httplib::Client emulator = loopback_client(std::stoi(m[2]));
    auto form = emulator.Get(m[3].str());
    if (!form || form->status != 200) throw std::runtime_error("the emulator's login page did not open");
    httplib::Params fields{{"username", username}, {"password", password}};
    static const std::regex hidden(R"re(<input type="hidden" name="([^"]+)" value="([^"]*)">)re");
    for (std::sregex_iterator it(form->body.begin(), form->body.end(), hidden), end; it != end; ++it) {
      fields.emplace((*it)[1], html_unescape((*it)[2]));
    }
    auto submitted = emulator.Post("/services/oauth2/authorize", fields);
    if (!submitted || submitted->status != 302) {
      throw std::runtime_error("the emulator refused the login of " + username + ": " +
                               (submitted ? submitted->body : std::string("no answer")));
    }
    std::string callback = submitted->get_header_value("Location");
    const std::string own = "http://127.0.0.1:" + std::to_string(port_);
    if (!callback.starts_with(own)) throw std::runtime_error("the callback goes elsewhere: " + callback);
    return get(callback.substr(own.size()));
  }

  // Signs in and answers the session's CSRF token (GET /api/session).
  std::string sign_in(const std::string& username, const std::string& password) {
    auto done = sign_in_answer(username, password);
    if (!done || done->status != 302) {
      throw std::runtime_error("the sign-in of " + username + " failed: " + (done ? done->body : std::string()));
    }
    auto session = get("/api/session");
    if (!session || session->status != 200) throw std::runtime_error("no session after signing in");
    return nlohmann::json::parse(session->body)["csrf_token"];
  }

  std::string cookie(const std::string& name) const {
    auto it = cookies_.find(name);
    return it == cookies_.end() ? std::string() : it->second;
  }
  void set_cookie(const std::string& name, const std::string& value) { cookies_[name] = value; }
  const std::vector<SetCookie>& received() const { return received_; }

 private:
  static std::string html_unescape(std::string s) {
    for (auto [from, to] : {std::pair{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
      for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += std::string(to).size()) {
        s.replace(p, std::string(from).size(), to);
      }
    }
    return s;
  }
  httplib::Headers headers() const {
    std::string jar;
    for (const auto& [name, value] : cookies_) jar += (jar.empty() ? "" : "; ") + name + "=" + value;
    return jar.empty() ? httplib::Headers{} : httplib::Headers{{"Cookie", jar}};
  }
  httplib::Result keep(httplib::Result r) {
    if (!r) return r;
    for (const auto& [name, value] : r->headers) {
      if (!iequals(name, "Set-Cookie")) continue;
      SetCookie c = parse_set_cookie(value);
      received_.push_back(c);
      if (c.attributes.find("Max-Age=0") != std::string::npos || c.value.empty()) {
        cookies_.erase(c.name);
      } else {
        cookies_[c.name] = c.value;
      }
    }
    return r;
  }

  int port_;
  std::map<std::string, std::string> cookies_;
  std::vector<SetCookie> received_;
};

// `crmsync serve` as its own process, its output (standard output and error) in `log_path`; ready
// once it prints its address; stopped with SIGTERM and waited for when it goes out of scope.
class ServeProcess {
 public:
  ServeProcess(const std::string& args, const std::string& env, const std::string& log_path) : log_(log_path) {
    std::string cmd = "sh -c 'echo $$; exec env " + env + " " + std::string(CRMSYNC_BINARY) + " serve " + args +
                      " >" + log_path + " 2>&1'";
    pipe_ = popen(cmd.c_str(), "r");
    char line[64] = {};
    if (pipe_ == nullptr || !std::fgets(line, sizeof line, pipe_)) throw std::runtime_error("cannot start crmsync serve");
    pid_ = std::atoi(line);
    for (int i = 0; i < 500 && !contains(output(), "listening on"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!contains(output(), "listening on")) throw std::runtime_error("crmsync serve did not start:\n" + output());
  }
  ~ServeProcess() { stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  void stop() {
    if (pipe_ == nullptr) return;
    kill(pid_, SIGTERM);
    pclose(pipe_);
    pipe_ = nullptr;
  }
  std::string output() const { return file_bytes(log_); }

 private:
  std::string log_;
  std::FILE* pipe_ = nullptr;
  int pid_ = 0;
};

}  // namespace crmsync::testing
