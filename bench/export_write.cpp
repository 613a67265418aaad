// Writing speed and API budget of crmsync export against the local emulator: an org synced into a
// temporary store, N activities matched to its contacts exported, then exported again (nothing to
// write). Prints records per API call (describe included), API calls and seconds for each run, and
// Salesforce's refusals by status code. The target: 195 records per API call or more on
// average when exporting 100,000 activities (sObject Collections, 200 records per call).
//
//   ./build/bench_export_write [activities] [scale]     (defaults 100000 and 200)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "export/export.h"
#include "store/store.h"
#include "sync/sync.h"

int main(int argc, char** argv) {
  using namespace crmsync;
  const int activities = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int scale = argc > 2 ? std::atoi(argv[2]) : 200;
  emulator::EmulatorOptions eo;
  eo.port = 0;
  eo.org.scale = scale;
  emulator::Emulator emu(eo);
  if (!emu.start()) return 1;
  auto dir = std::filesystem::temp_directory_path() / ("crmsync-bench-export-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);

  config::Config cfg;
  cfg.salesforce.login_url = emu.base_url();
  cfg.salesforce.client_id = "crmsync-local";
  cfg.salesforce.client_secret = "crmsync-local-secret";
  cfg.salesforce.username = "integration@crmsync.test";
  cfg.salesforce.password = "integration-pass";
  cfg.store.url = "sqlite:" + (dir / "org.db").string();
  auto client = salesforce::Client::connect(config::connect_options(cfg));
  auto st = store::Store::open(cfg.store.url);
  if (!client || !st) return 1;
  auto synced = sync::run_sync(cfg, **client, **st, {});
  if (!synced) return 1;

  std::vector<std::string> emails;
  auto contacts = (*st)->dump("Contact");
  if (!contacts) return 1;
  for (auto& row : *contacts) {
    for (auto& [name, value] : row) {
      if (name == "Email" && std::holds_alternative<std::string>(value)) emails.push_back(std::get<std::string>(value));
    }
  }
  if (emails.empty()) return 1;
  std::string input;
  for (int i = 0; i < activities; ++i) {
    nlohmann::json a = {{"id", "bench-" + std::to_string(i)},
                        {"kind", i % 3 == 0 ? "meeting" : "call"},
                        {"title", "Bench " + std::to_string(i)},
                        {"start", "2026-11-20T15:30:00+01:00"},
                        {"duration_seconds", 600},
                        {"participants", {{{"email", emails[static_cast<std::size_t>(i) % emails.size()]}}}},
                        {"summary", "Benchmark activity"},
                        {"status", "completed"}};
    input += a.dump() + "\n";
  }
  for (const char* pass : {"first export", "same input again"}) {
    std::istringstream in(input);
    auto t = std::chrono::steady_clock::now();
    auto report = exports::run_export(cfg, in, client->get(), **st, {});
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    if (!report) {
      std::fprintf(stderr, "%s\n", report.error().to_string().c_str());
      return 1;
    }
    const auto& c = report->counts;
    bool fallback = false;
    for (const auto& w : report->warnings) fallback = fallback || w.find("one per call") != std::string::npos;
    double per_call = report->api_calls > 0 ? static_cast<double>(report->records_sent) / static_cast<double>(report->api_calls) : 0;
    std::printf("%s: %d activities, created %lld, unchanged %lld, failed %lld; %lld API calls, %.1f records per API call; %.2f s%s\n",
                pass, activities, static_cast<long long>(c.created), static_cast<long long>(c.unchanged),
                static_cast<long long>(c.failed), static_cast<long long>(report->api_calls), per_call, s,
                fallback ? " (single-record fallback)" : "");
    std::map<std::string, int> codes;
    for (const auto& f : report->failures) ++codes[f.status_code + ": " + f.message];
    for (const auto& [what, n] : codes) std::printf("  refused %d: %s\n", n, what.c_str());
  }
  st->reset();
  std::filesystem::remove_all(dir);
  emu.stop();
  return 0;
}
