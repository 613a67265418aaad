// Write throughput of the emulator over loopback HTTP, as the admin user: the same N new Accounts
// inserted through sObject Collections (200 records a call) and through a Bulk API 2.0 ingest job
// (one CSV upload, UploadComplete, polled to JobComplete, successfulResults fetched), and through a
// Bulk API 1.0 job (10,000-record CSV batches); then every Opportunity of the org handed to the
// admin through a Bulk API 2.0 update (each owner change moves the previous owner's splits and
// team access). Records per second, wall time and API calls each.
// Then the cost of deleting a master record in an org whose detail object holds [records] rows
// (the cascade finds the master's details): 100 deletes, one detail each.
//   build/bench_emulator_ingest [records] [org scale]     (defaults 20000, 200)
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "emulator/emulator.h"

using namespace crmsync;
using namespace crmsync::emulator;
using json = nlohmann::json;

namespace {

const std::string kData = "/services/data/v60.0";

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void report(const char* path, int records, double seconds, int calls) {
  std::printf("%-34s %7d records %8.2f s %9.0f records/s %6d API calls\n", path, records, seconds, records / seconds,
              calls);
}

int collections(httplib::Client& c, const httplib::Headers& auth, int n) {
  int calls = 0;
  for (int start = 0; start < n; start += 200) {
    json records = json::array();
    for (int i = start; i < std::min(n, start + 200); ++i) {
      records.push_back({{"attributes", {{"type", "Account"}}}, {"Name", "Coll " + std::to_string(i)},
                         {"NumberOfEmployees", i % 1000}});
    }
    auto r = c.Post((kData + "/composite/sobjects").c_str(), auth,
                    json{{"allOrNone", false}, {"records", records}}.dump(), "application/json");
    ++calls;
    if (!r || r->status != 200) std::fprintf(stderr, "collections call failed\n");
  }
  return calls;
}

std::string csv(const char* prefix, int from, int to) {
  std::string out = "Name,NumberOfEmployees\n";
  for (int i = from; i < to; ++i) out += prefix + std::to_string(i) + "," + std::to_string(i % 1000) + "\n";
  return out;
}

// A Bulk API 2.0 ingest job of `data` (CSV) on `object`, run to its end: the API calls it took.
int ingest(httplib::Client& c, const httplib::Headers& auth, const std::string& object, const std::string& operation,
           const std::string& data) {
  int calls = 0;
  auto made = c.Post((kData + "/jobs/ingest").c_str(), auth,
                     json{{"object", object}, {"operation", operation}}.dump(), "application/json");
  const std::string id = json::parse(made->body)["id"];
  const std::string job = kData + "/jobs/ingest/" + id;
  c.Put((job + "/batches").c_str(), auth, data, "text/csv");
  c.Patch(job.c_str(), auth, R"({"state":"UploadComplete"})", "application/json");
  calls += 3;
  for (;;) {
    ++calls;
    const std::string state = json::parse(c.Get(job.c_str(), auth)->body)["state"];
    if (state == "JobComplete" || state == "Failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto results = c.Get((job + "/successfulResults").c_str(), auth);
  ++calls;
  if (!results || results->status != 200) std::fprintf(stderr, "ingest results failed\n");
  return calls;
}

int async_load(httplib::Client& c, const std::string& token, int n) {
  const httplib::Headers session = {{"X-SFDC-Session", token}};
  int calls = 1;
  auto made = c.Post("/services/async/60.0/job", session,
                     R"({"operation":"insert","object":"Account","contentType":"CSV"})", "application/json");
  const std::string job = "/services/async/60.0/job/" + json::parse(made->body)["id"].get<std::string>();
  std::vector<std::string> batches;
  for (int start = 0; start < n; start += 10000) {
    auto b = c.Post((job + "/batch").c_str(), session, csv("Async ", start, std::min(n, start + 10000)), "text/csv");
    ++calls;
    const std::size_t at = b->body.find("<id>") + 4;
    batches.push_back(b->body.substr(at, b->body.find("</id>") - at));
  }
  for (const auto& b : batches) {
    for (;;) {
      ++calls;
      auto info = c.Get((job + "/batch/" + b).c_str(), session);  // XML: the job's contentType is CSV
      if (info->body.find("<state>Completed<") != std::string::npos ||
          info->body.find("<state>Failed<") != std::string::npos) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    c.Get((job + "/batch/" + b + "/result").c_str(), session);
    ++calls;
  }
  return calls;
}

std::string admin_token(httplib::Client& c) {
  auto login = c.Post("/services/oauth2/token", httplib::Params{{"grant_type", "password"},
                                                               {"client_id", "crmsync-local"},
                                                               {"client_secret", "crmsync-local-secret"},
                                                               {"username", "admin@crmsync.test"},
                                                               {"password", "admin-pass"}});
  return json::parse(login->body)["access_token"];
}

std::string created_id(const httplib::Result& r) {
  if (!r || r->status != 201) {
    std::fprintf(stderr, "create failed: %s\n", r ? r->body.c_str() : "no answer");
    std::exit(1);
  }
  return json::parse(r->body)["id"];
}

// Visit__c, a detail of Account holding `details` rows over 50 accounts; then 100 new accounts
// with one visit each, deleted one by one (each delete sends its visit to the recycle bin).
void master_deletes(int details) {
  const std::string path = "/tmp/bench_emulator_ingest_" + std::to_string(std::chrono::steady_clock::now()
                                                                                .time_since_epoch().count()) + ".toml";
  std::ofstream(path) << "[[custom_objects]]\nname = \"Visit__c\"\nlabel = \"Visit\"\nsharing = \"ControlledByParent\"\n"
                         "[[custom_fields]]\nobject = \"Visit__c\"\nname = \"Account__c\"\ntype = \"master_detail\"\n"
                         "reference_to = \"Account\"\n";
  EmulatorOptions options;
  options.port = 0;
  options.org = {.seed = 42, .scale = 10};
  options.org_file = path;
  Emulator emu(std::move(options));
  if (!emu.start()) std::exit(1);
  httplib::Client c("127.0.0.1", emu.port());
  c.set_read_timeout(300, 0);
  const httplib::Headers auth = {{"Authorization", "Bearer " + admin_token(c)}};
  auto accounts = c.Get((kData + "/query?q=" + httplib::detail::encode_query_param("SELECT Id FROM Account LIMIT 50"))
                            .c_str(), auth);
  std::vector<std::string> masters;
  const json found = json::parse(accounts->body);
  for (const auto& r : found["records"]) masters.push_back(r["Id"]);
  std::string body = "Name,Account__c\n";
  for (int i = 0; i < details; ++i) body += "Visit " + std::to_string(i) + "," + masters[i % masters.size()] + "\n";
  ingest(c, auth, "Visit__c", "insert", body);

  std::vector<std::string> doomed;
  for (int i = 0; i < 100; ++i) {
    const std::string account = created_id(c.Post((kData + "/sobjects/Account").c_str(), auth,
                                                  json{{"Name", "Doomed " + std::to_string(i)}}.dump(), "application/json"));
    created_id(c.Post((kData + "/sobjects/Visit__c").c_str(), auth,
                      json{{"Name", "Last visit"}, {"Account__c", account}}.dump(), "application/json"));
    doomed.push_back(account);
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::string& account : doomed) {
    auto r = c.Delete((kData + "/sobjects/Account/" + account).c_str(), auth);
    if (!r || r->status != 204) std::fprintf(stderr, "delete failed\n");
  }
  const double s = seconds_since(t0);
  std::printf("%-34s %7zu deletes %8.2f s %9.3f ms/delete (%d detail rows)\n", "Master delete (cascade to details)",
              doomed.size(), s, s * 1000.0 / static_cast<double>(doomed.size()), details);
  emu.stop();
  std::remove(path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int scale = argc > 2 ? std::atoi(argv[2]) : 200;
  Emulator emu({.port = 0, .org = {.seed = 42, .scale = scale}, .bulk_processing_ms = 5});
  if (!emu.start()) return 1;
  httplib::Client c("127.0.0.1", emu.port());
  c.set_read_timeout(300, 0);
  const std::string token = admin_token(c);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};

  auto t0 = std::chrono::steady_clock::now();
  int calls = collections(c, auth, n);
  report("REST sObject Collections (200/call)", n, seconds_since(t0), calls);
  t0 = std::chrono::steady_clock::now();
  calls = ingest(c, auth, "Account", "insert", csv("Ingest ", 0, n));
  report("Bulk API 2.0 ingest job", n, seconds_since(t0), calls);
  t0 = std::chrono::steady_clock::now();
  calls = async_load(c, token, n);
  report("Bulk API 1.0 job (10,000/batch)", n, seconds_since(t0), calls);

  const std::string admin_id = json::parse(c.Get("/services/oauth2/userinfo", auth)->body)["user_id"];
  std::string owners = "Id,OwnerId\n";
  int deals = 0;
  for (std::string page = kData + "/query?q=" + httplib::detail::encode_query_param("SELECT Id FROM Opportunity");
       !page.empty();) {
    const json body = json::parse(c.Get(page.c_str(), auth)->body);
    for (const auto& r : body["records"]) {
      owners += r["Id"].get<std::string>() + "," + admin_id + "\n";
      ++deals;
    }
    page = body.value("nextRecordsUrl", "");
  }
  t0 = std::chrono::steady_clock::now();
  calls = ingest(c, auth, "Opportunity", "update", owners);
  report("Bulk API 2.0 owner changes", deals, seconds_since(t0), calls);
  emu.stop();
  master_deletes(n);
  return 0;
}
