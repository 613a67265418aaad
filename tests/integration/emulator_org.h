// An emulator started from an org file for integration tests that talk REST to it as the
// integration user and the admin: EmulatorOrg org("[multi_currency]\n..."); org.records(org.admin, soql).
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "test_support.h"

namespace crmsync::testing {

inline const std::string kData = "/services/data/v60.0";

// An emulator started from an org file (empty: the default org) and logged-in users.
class EmulatorOrg {
 public:
  // `size`: the org file's data size lines (a tiny org for hand-written expectations: "scale = 0").
  explicit EmulatorOrg(const std::string& toml = "", const std::string& size = "scale = 20\nseed = 5\n") {
    const std::string path = dir_.file("org.toml");
    write_file(path, size + toml);
    emu_ = std::make_unique<emulator::Emulator>(emulator::EmulatorOptions{.port = 0, .org_file = path});
    auto s = emu_->start();
    if (!s) throw std::runtime_error("emulator did not start: " + s.error().message);
    integration = login("integration@crmsync.test", "integration-pass");
    admin = login("admin@crmsync.test", "admin-pass");
  }
  ~EmulatorOrg() { emu_->stop(); }

  httplib::Result get(const std::string& token, const std::string& path) const {
    return client().Get(path.c_str(), {{"Authorization", "Bearer " + token}});
  }
  httplib::Result query(const std::string& token, const std::string& soql) const {
    return get(token, kData + "/query?q=" + httplib::detail::encode_query_param(soql));
  }
  nlohmann::json records(const std::string& token, const std::string& soql) const {
    auto r = query(token, soql);
    if (!r || r->status != 200) {
      throw std::runtime_error("query failed: " + soql + " -> " + (r ? r->body : "no answer"));
    }
    return nlohmann::json::parse(r->body)["records"];
  }
  // POST, or PATCH with method "PATCH".
  httplib::Result send(const char* method, const std::string& token, const std::string& path,
                       const nlohmann::json& body) const {
    httplib::Headers h{{"Authorization", "Bearer " + token}};
    if (std::string(method) == "PATCH") return client().Patch(path.c_str(), h, body.dump(), "application/json");
    return client().Post(path.c_str(), h, body.dump(), "application/json");
  }

  // The CSV of the first results page of a Bulk API 2.0 query job run as `token`'s user; throws
  // when the job is refused or does not complete.
  std::string bulk_csv(const std::string& token, const std::string& soql) const {
    auto created = send("POST", token, kData + "/jobs/query", {{"operation", "query"}, {"query", soql}});
    if (!created || created->status != 200) {
      throw std::runtime_error("job refused: " + soql + " -> " + (created ? created->body : "no answer"));
    }
    const std::string job = kData + "/jobs/query/" + nlohmann::json::parse(created->body)["id"].get<std::string>();
    for (int i = 0; i < 500; ++i) {  // polls until the job leaves UploadComplete / InProgress
      const nlohmann::json state = nlohmann::json::parse(get(token, job)->body)["state"];
      if (state == "JobComplete") {
        auto results = get(token, job + "/results");
        if (!results || results->status != 200) throw std::runtime_error("no results for " + soql);
        return results->body;
      }
      if (state != "UploadComplete" && state != "InProgress") throw std::runtime_error(soql + ": job " + state.dump());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    throw std::runtime_error(soql + ": the job did not complete");
  }

  std::string integration, admin;

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", emu_->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  // A session of another user of the org file (one with a password).
  std::string login(const std::string& user, const std::string& password) const {
    auto r = client().Post("/services/oauth2/token", httplib::Params{{"grant_type", "password"},
                                                                     {"client_id", "crmsync-local"},
                                                                     {"client_secret", "crmsync-local-secret"},
                                                                     {"username", user},
                                                                     {"password", password}});
    if (!r || r->status != 200) throw std::runtime_error("login failed for " + user);
    return nlohmann::json::parse(r->body)["access_token"];
  }

 private:
  TempDir dir_;
  std::unique_ptr<emulator::Emulator> emu_;
};

}  // namespace crmsync::testing
