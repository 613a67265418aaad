// What SOSL costs in the emulator, over loopback as a client sees it: GET /search on the default
// demo org (scale 100, or the scale given) as the admin and as the integration user (whose
// searches also pass the sharing and field-level checks), for a name word, a wildcard prefix, an
// ALL FIELDS search across three objects, and a statement without RETURNING (every searchable
// object); then a composite retrieve of 200 Accounts. Prints searches per second.
//   build/bench_emulator_search [scale]
#include <cstdio>
#include <cstdlib>
#include <string>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "emulator/emulator.h"

using namespace crmsync;
using crmsync::bench::best_ms;

namespace {

std::string login(httplib::Client& c, const char* user, const char* password) {
  auto r = c.Post("/services/oauth2/token", httplib::Params{{"grant_type", "password"},
                                                            {"client_id", "crmsync-local"},
                                                            {"client_secret", "crmsync-local-secret"},
                                                            {"username", user},
                                                            {"password", password}});
  if (!r || r->status != 200) {
    std::fprintf(stderr, "login failed for %s\n", user);
    std::exit(1);
  }
  return nlohmann::json::parse(r->body)["access_token"];
}

}  // namespace

int main(int argc, char** argv) {
  const int scale = argc > 1 ? std::atoi(argv[1]) : 100;
  emulator::Emulator emu({.port = 0, .org = {.seed = 42, .scale = scale}});
  if (auto s = emu.start(); !s) {
    std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
    return 1;
  }
  httplib::Client c("127.0.0.1", emu.port());
  c.set_keep_alive(true);
  const std::string admin = login(c, "admin@crmsync.test", "admin-pass");
  const std::string integration = login(c, "integration@crmsync.test", "integration-pass");
  const std::string data = "/services/data/v60.0";

  auto get = [&](const std::string& token, const std::string& path) {
    auto r = c.Get(path.c_str(), {{"Authorization", "Bearer " + token}});
    if (!r || r->status != 200) {
      std::fprintf(stderr, "%s -> %s\n", path.c_str(), r ? r->body.c_str() : "no answer");
      std::exit(1);
    }
    return nlohmann::json::parse(r->body);
  };
  // A word every org has: the first word of the first Account's name.
  const std::string name = get(admin, data + "/query?q=SELECT%20Name%20FROM%20Account%20ORDER%20BY%20Name%20LIMIT%201")["records"][0]["Name"];
  const std::string word = name.substr(0, name.find(' '));
  std::printf("org scale %d; searching for \"%s\"\n", scale, word.c_str());

  auto run = [&](const char* label, const std::string& token, const std::string& sosl) {
    const std::string path = data + "/search?q=" + httplib::detail::encode_query_param(sosl);
    std::size_t hits = 0;
    constexpr int kSearches = 50;
    const double ms = best_ms(3, [&] {
      for (int i = 0; i < kSearches; ++i) hits = get(token, path)["searchRecords"].size();
    });
    std::printf("%-68s %7.0f searches/s  (%zu hits)\n", label, kSearches * 1000.0 / ms, hits);
  };
  for (const auto& [who, token] : {std::pair{"admin", admin}, std::pair{"integration", integration}}) {
    std::printf("as %s:\n", who);
    run("  FIND {word} IN NAME FIELDS RETURNING Account(Id, Name)", token,
        "FIND {" + word + "} IN NAME FIELDS RETURNING Account(Id, Name)");
    run("  FIND {wo*} RETURNING Account(Id, Name), Contact(Id, Name)", token,
        "FIND {" + word.substr(0, 2) + "*} RETURNING Account(Id, Name), Contact(Id, Name)");
    run("  FIND {word} IN ALL FIELDS RETURNING Account, Contact, Opportunity", token,
        "FIND {" + word + "} IN ALL FIELDS RETURNING Account, Contact, Opportunity");
    run("  FIND {word} (every searchable object)", token, "FIND {" + word + "}");
  }
  std::string ids;
  const nlohmann::json accounts = get(admin, data + "/query?q=SELECT%20Id%20FROM%20Account%20LIMIT%20200");
  for (const auto& rec : accounts["records"]) {
    ids += (ids.empty() ? "" : ",") + rec["Id"].get<std::string>();
  }
  const std::string retrieve = data + "/composite/sobjects/Account?fields=Id,Name,Industry&ids=" + ids;
  const double ms = best_ms(5, [&] { get(integration, retrieve); });
  std::printf("composite retrieve of 200 Accounts (3 fields), integration user: %.2f ms\n", ms);
  emu.stop();
  return 0;
}
