// Speed of `crmsync serve`'s API on a big store: an emulator org of about 100,000 opportunities (with
// their splits, team members, history and activities; ~1.8 million records in all at the default
// --scale 66700, the generator's proportions) synced once into SQLite, then p50/p95/p99 of
// /api/deals, /api/forecast and /api/search over loopback HTTP (one keep-alive client), each next
// to a raw query on the same file (a plain SELECT count(*) / FTS5 MATCH through sqlite3) and the
// ratio. Targets (issue #15): deals and forecast < 100 ms at p95, search < 30 ms at p95.
//
//   build/bench_serve_api [--scale 66700] [--db /tmp/crmsync-serve-bench.db] [--reuse] [--requests 200]
//
// --reuse skips the org and the sync when the file exists (the figures are about reading it).
#include <httplib.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>

#include <fmt/format.h>

#include "emulator/emulator.h"
#include "serve/serve.h"
#include "sync/sync.h"

using namespace crmsync;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Percentiles {
  double p50, p95, p99;
};
Percentiles percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.50), at(0.95), at(0.99)};
}

Status sync_org(int scale, const std::string& db) {
  emulator::EmulatorOptions eo;
  eo.port = 0;
  eo.org.scale = scale;
  eo.org.seed = 42;
  auto t = Clock::now();
  emulator::Emulator emu(eo);
  CRMSYNC_TRY(emu.start());
  std::cout << fmt::format("org generated and served in {:.1f} s\n", ms_since(t) / 1000);
  config::Config cfg;
  cfg.salesforce.login_url = emu.base_url();
  cfg.salesforce.client_id = eo.client_id;
  cfg.salesforce.client_secret = eo.client_secret;
  cfg.salesforce.username = "integration@crmsync.test";
  cfg.salesforce.password = "integration-pass";
  cfg.store.url = "sqlite:" + db;
  cfg.sync.settle_seconds = 0;
  auto client = salesforce::Client::connect(config::connect_options(cfg));
  if (!client) return client.error();
  auto st = store::Store::open(cfg.store.url);
  if (!st) return st.error();
  t = Clock::now();
  auto report = sync::run_sync(cfg, **client, **st, {});
  if (!report) return report.error();
  std::int64_t records = 0;
  for (const auto& o : report->objects) records += o.rows_in_store;
  std::cout << fmt::format("synced {} records in {:.1f} s\n", records, ms_since(t) / 1000);
  client->reset();
  emu.stop();
  return ok_status();
}

// Runs `sql` on its own connection `n` times; milliseconds per run.
std::vector<double> raw(const std::string& db, const std::string& sql, int n) {
  sqlite3* conn = nullptr;
  sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(conn, sql.c_str(), -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
    }
    sqlite3_finalize(st);
    out.push_back(ms_since(t));
  }
  sqlite3_close(conn);
  return out;
}

void report(const std::string& what, const std::vector<double>& api, const std::vector<double>& base, double target) {
  Percentiles a = percentiles(api), b = percentiles(base);
  std::cout << fmt::format("{:<44} p50 {:7.2f} ms  p95 {:7.2f} ms  p99 {:7.2f} ms  (target p95 < {:.0f} ms: {})\n", what,
                           a.p50, a.p95, a.p99, target, a.p95 < target ? "met" : "MISSED");
  std::cout << fmt::format("{:<44} p50 {:7.2f} ms  p95 {:7.2f} ms  ratio p95 {:.1f}x\n", "  raw baseline", b.p50, b.p95,
                           b.p95 > 0 ? a.p95 / b.p95 : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  int scale = 66700, requests = 200;
  std::string db = (std::filesystem::temp_directory_path() / "crmsync-serve-bench.db").string();
  bool reuse = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--scale" && i + 1 < argc) scale = std::stoi(argv[++i]);
    else if (a == "--db" && i + 1 < argc) db = argv[++i];
    else if (a == "--requests" && i + 1 < argc) requests = std::stoi(argv[++i]);
    else if (a == "--reuse") reuse = true;
  }
  if (!reuse || !std::filesystem::exists(db)) {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db + suffix);
    if (Status s = sync_org(scale, db); !s) {
      std::cerr << s.error().to_string() << "\n";
      return 1;
    }
  }
  auto reader = store::StoreReader::open("sqlite:" + db);
  serve::Api api(std::move(*reader), {});
  serve::Server server(api, {.host = "127.0.0.1", .port = 0});
  if (Status s = server.start(); !s) {
    std::cerr << s.error().to_string() << "\n";
    return 1;
  }
  httplib::Client http("127.0.0.1", server.port());
  http.set_keep_alive(true);
  http.set_read_timeout(120, 0);
  auto timed = [&](const std::string& path) {
    auto t = Clock::now();
    auto res = http.Get(path);
    double ms = ms_since(t);
    if (!res || res->status != 200) std::cerr << path << " answered " << (res ? res->status : -1) << "\n";
    return ms;
  };
  std::cout << fmt::format("first request (reads the model from the store): {:.0f} ms\n",
                           timed("/api/deals?from=2025-04-01&to=2025-06-30&limit=1"));
  auto count = raw(db, "SELECT count(*) FROM Opportunity", 1);
  std::cout << fmt::format("{} opportunities in the store\n\n", [&] {
    sqlite3* c = nullptr;
    sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(c, "SELECT count(*) FROM Opportunity", -1, &st, nullptr);
    sqlite3_step(st);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(c);
    return n;
  }());

  std::vector<double> deals, forecast, search;
  const std::vector<std::string> quarters = {"2024-07-01&to=2024-09-30", "2024-10-01&to=2024-12-31", "2025-01-01&to=2025-03-31",
                                             "2025-04-01&to=2025-06-30", "2025-07-01&to=2025-09-30"};
  const std::vector<std::string> sorts = {"CloseDate", "-Amount", "days_in_stage", "OwnerName", "-calls"};
  for (int i = 0; i < requests; ++i) {
    deals.push_back(timed("/api/deals?limit=100&from=" + quarters[i % quarters.size()] + "&sort=" + sorts[i % sorts.size()]));
  }
  for (int i = 0; i < requests; ++i) forecast.push_back(timed("/api/forecast?period=" + std::string(i % 2 ? "2025-Q1" : "2025-Q2")));
  const std::vector<std::string> words = {"mue", "smith", "acme", "garc", "harbor%20sys", "ola", "kowal", "555", "zoe", "vertex"};
  for (int i = 0; i < requests; ++i) search.push_back(timed("/api/search?q=" + words[i % words.size()]));

  report("GET /api/deals (a quarter, 100 rows, sorted)", deals,
         raw(db, "SELECT count(*), sum(Amount) FROM Opportunity WHERE CloseDate BETWEEN '2025-04-01' AND '2025-06-30' AND IsDeleted IS NOT 1", 20), 100);
  report("GET /api/forecast (a quarter, every person)", forecast,
         raw(db, "SELECT ForecastCategoryName, sum(Amount) FROM Opportunity WHERE CloseDate BETWEEN '2025-04-01' AND '2025-06-30' GROUP BY 1", 20), 100);
  report("GET /api/search (5 objects, 5 hits each)", search,
         raw(db, "SELECT rowid FROM crmsync_search_Contact WHERE crmsync_search_Contact MATCH '\"smith\"*' ORDER BY rank LIMIT 5", 50), 30);
  double load1 = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load1) != 1) load1 = 0;
    std::fclose(f);
  }
  std::cout << fmt::format("\nload average {:.2f} on {} cores\n", load1, std::thread::hardware_concurrency());
  server.stop();
  (void)count;
  return 0;
}
