// Helpers for integration tests that talk to the emulator's REST API directly over loopback (no
// crmsync client in between): a client for a port, the OAuth password flow, bearer headers, and an
// emulator started from an org file. Kept apart from test_support.h so that tests which never
// speak raw HTTP do not compile cpp-httplib.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

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

// An emulator started on a free port from an org file holding `toml`, written into its own
// temporary directory; stopped when it goes out of scope. Tests derive from it to add the calls
// they make.
class OrgFileEmulator {
 public:
  explicit OrgFileEmulator(const std::string& toml) {
    const std::string path = dir_.file("org.toml");
    write_file(path, toml);
    emu_ = std::make_unique<emulator::Emulator>(emulator::EmulatorOptions{.port = 0, .org_file = path});
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

 private:
  TempDir dir_;
  std::unique_ptr<emulator::Emulator> emu_;
};

}  // namespace crmsync::testing
