// Sync speed against an org of >= 1,000,000 records. The emulator runs as its own process
// (`crmsync emulator`), and so does the sync under test (`crmsync sync --json`), so the figures
// are crmsync's own: its rate, its API calls, and its peak RSS (getrusage of the child).
//
// Prints, for REST paging only ([sync] bulk_threshold = 1000000000) and for the default
// configuration (Bulk API 2.0 for full loads above bulk_threshold), each measured in one go:
//   (a) download only: the same queryAll pages the sync reads (same SOQL, page size, concurrency),
//       fetched and dropped, records/s;
//   (b) full sync into a fresh SQLite file, records/s, and the ratio (b)/(a);
//   peak RSS of the sync; API calls used beside the minimum (records/2,000 per object, + describe);
//   the load average, since the machine may be shared;
// then an incremental run after 1,000 changed records: wall seconds, API calls, and issue #4's
// bound (objects + ceil(changes / 2000)).
//
// `--store postgres` syncs into a PostgreSQL server the bench starts itself (tests/integration/
// pg_server.h: a temporary directory, the unix socket, fsync off for both sides) instead of SQLite,
// and measures the physical limit beside it: the same rows COPYed from files through psql (one
// session, tables without indexes, with the generated search column), its rate, and the ratio sync /
// COPY; then, to say where the time goes, the same COPY without the search column and the building
// of the Id and search indexes that a first load does at its end.
//
// By default the emulator and crmsync share both cores, so the download-only figure is the emulator's
// page rate on 2 cores while the sync gets what the emulator leaves. `--pin-emulator` puts the emulator
// on CPU 0 and everything of crmsync (download client, sync) on CPU 1, the way a real org's servers are
// not on the client's CPU: each side gets one core of its own in both measurements.
//
//   build/bench_sync_throughput [--scale 36500] [--concurrency 4] [--pin-emulator] [--store sqlite|postgres]
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../tests/integration/pg_server.h"
#include "sync/query_plan.h"
#include "sync/sync.h"

using namespace crmsync;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string self_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path().string(); }

struct Child {
  std::string output;
  int status = 0;
  long max_rss_kib = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // user + system
};

double cpu_of(const struct rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Runs a command to completion, capturing standard output, with its peak RSS.
Child run_child(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  Child c;
  char buf[65536];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) c.output.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  struct rusage ru {};
  wait4(pid, &c.status, 0, &ru);
  c.seconds = since(start);
  c.max_rss_kib = ru.ru_maxrss;
  c.cpu_seconds = cpu_of(ru);
  return c;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one + " (1 min), " + five + " (5 min), " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

}  // namespace

int main(int argc, char** argv) {
  int scale = 36500;  // ~1,006,000 records
  int concurrency = 4;
  bool pin = false;
  std::string store_kind = "sqlite";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--pin-emulator") pin = true;
    if (i + 1 >= argc) continue;
    if (a == "--scale") scale = std::atoi(argv[++i]);
    else if (a == "--concurrency") concurrency = std::atoi(argv[++i]);
    else if (a == "--store") store_kind = argv[++i];
  }
  const bool postgres = store_kind == "postgres";
  std::unique_ptr<testing::PgServer> pg;
  if (postgres) {
    pg = std::make_unique<testing::PgServer>();
    pg->sql("CREATE DATABASE bench");
    std::cout << "PostgreSQL server (" << pg->bin_dir() << ") on port " << pg->port() << ", fsync off\n";
  }
  std::string crmsync_bin = self_dir() + "/crmsync";

  // The emulator, as its own process (on CPU 0 with --pin-emulator; taskset is util-linux's).
  std::string cmd = "sh -c 'echo $$; exec " + std::string(pin ? "taskset -c 0 " : "") + crmsync_bin +
                    " emulator --port 0 --seed 9 --scale " + std::to_string(scale) + "'";
  auto gen_start = Clock::now();
  FILE* emu = popen(cmd.c_str(), "r");
  char line[512] = {};
  if (!fgets(line, sizeof line, emu)) return 1;
  int emu_pid = std::atoi(line);
  if (!fgets(line, sizeof line, emu)) return 1;
  std::string url = std::string(line).substr(std::string(line).find("http://"));
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  std::cout << fmt::format("emulator (separate process) at {}, scale {}, generated in {:.1f} s\n", url, scale,
                           since(gen_start));
  if (pin) {
    // This process and the children it forks (the sync under test) run on CPU 1 only.
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(1, &cpus);
    if (sched_setaffinity(0, sizeof cpus, &cpus) != 0) {
      std::perror("sched_setaffinity");
      return 1;
    }
    std::cout << "pinned: emulator on CPU 0, crmsync (download client and sync) on CPU 1\n";
  }

  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("crmsync-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  // `db` is the SQLite file's name, or the PostgreSQL schema's.
  auto write_config = [&](const std::string& name, const std::string& db, const std::string& extra_sync) {
    std::string path = (dir / name).string();
    std::string store = postgres ? "url = \"" + pg->url("bench") + "\"\nschema = \"" + db + "\"\n"
                                 : "url = \"sqlite:" + (dir / (db + ".db")).string() + "\"\n";
    std::ofstream(path) << "[salesforce]\nlogin_url = \"" << url
                        << "\"\nclient_id = \"crmsync-local\"\nclient_secret = \"crmsync-local-secret\"\n"
                           "username = \"integration@crmsync.test\"\npassword = \"integration-pass\"\n"
                           "[store]\n"
                        << store << "[sync]\nconcurrency = " << concurrency << "\n"
                        << extra_sync;
    return path;
  };
  const std::string rest_cfg_path = write_config("rest.toml", "rest", "bulk_threshold = 1000000000\n");
  const std::string cfg_path = write_config("crmsync.toml", postgres ? "salesforce" : "bench", "");
  auto cfg = config::load_config(cfg_path);
  if (!cfg) {
    std::cerr << cfg.error().to_string() << "\n";
    return 1;
  }
  std::vector<std::string> objects = cfg->enabled_objects();

  // (a) download only: the sync's own queries, fetched and dropped, `concurrency` sessions.
  struct Download {
    double rate = 0;
    std::int64_t min_calls = 0;
  };
  auto download = [&]() -> Download {
    std::atomic<std::size_t> next{0};
    std::atomic<std::int64_t> downloaded{0}, download_calls{0}, min_calls{0};
    struct rusage ru0 {};
    getrusage(RUSAGE_SELF, &ru0);
    auto start = Clock::now();
    auto work = [&] {
      auto client = salesforce::Client::connect(config::connect_options(*cfg));
      if (!client) return;
      for (;;) {
        std::size_t i = next.fetch_add(1);
        if (i >= objects.size()) break;
        auto describe = (*client)->describe(objects[i]);
        if (!describe) continue;
        auto sel = catalog::select_fields(*describe, cfg->selection_for(objects[i]));
        if (!sel || !sel->missing_required.empty()) continue;
        std::vector<std::string> names;
        for (const auto& f : sel->fields) names.push_back(f.name);
        sync::Window w;
        w.end = now_ms();
        auto page = (*client)->query(sync::build_soql(objects[i], names, sel->modstamp_field, w), true, 2000);
        std::int64_t n = 0;
        while (page) {
          if (page->done) {
            n = page->total_size;
            break;
          }
          page = (*client)->query_more(page->next_records_url);
        }
        downloaded += n;
        min_calls += (n + 1999) / 2000 + 1;  // pages + describe
      }
      download_calls += (*client)->api_calls();
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < concurrency; ++t) threads.emplace_back(work);
    for (auto& t : threads) t.join();
    double seconds = since(start);
    struct rusage ru1 {};
    getrusage(RUSAGE_SELF, &ru1);
    double cpu = cpu_of(ru1) - cpu_of(ru0);
    Download d{static_cast<double>(downloaded) / seconds, min_calls.load()};
    std::cout << fmt::format(
        "(a) download only: {} records in {:.2f} s = {:.0f} records/s ({} API calls, {:.2f} CPU-s in this process; "
        "load average {})\n",
        downloaded.load(), seconds, d.rate, download_calls.load(), cpu, load_average());
    return d;
  };

  // The physical limit of the PostgreSQL server: the rows of `schema` written to files, then COPYed
  // from them through psql (one session) into tables without indexes, with the store's generated
  // search column (PostgreSQL computes its tsvector on COPY, as it does on the sync's).
  auto copy_limit = [&](const std::string& schema, std::int64_t records, double sync_rate) {
    const std::string psql = pg->bin_dir() + "/psql -q -X -v ON_ERROR_STOP=1 \"" + pg->url("bench") + "\"";
    // Runs `sql` through psql as a script; its seconds, or a negative number if psql failed.
    auto timed_script = [&](const std::string& name, const std::string& sql) {
      std::string script = (dir / name).string();
      std::ofstream(script) << sql;
      auto start = Clock::now();
      if (std::system((psql + " -f " + script).c_str()) != 0) return -1.0;
      return since(start);
    };
    std::string copy = "CREATE SCHEMA copy_limit;\n", plain = "SET client_min_messages = warning;\nCREATE SCHEMA copy_plain;\n", indexes;
    for (const auto& o : objects) {
      std::string file = (dir / (o + ".copy")).string();
      std::string dump = psql + " -c \"\\copy " + schema + ".\\\"" + o + "\\\" TO '" + file + "'\"";
      if (std::system(dump.c_str()) != 0) continue;  // an object the org lacks
      const std::string from = schema + ".\"" + o + "\"";
      // INCLUDING GENERATED: the search column is computed on COPY as it is in the store's tables.
      copy += "CREATE TABLE copy_limit.\"" + o + "\" (LIKE " + from + " INCLUDING GENERATED);\n\\copy copy_limit.\"" + o +
              "\" FROM '" + file + "'\n";
      // The same rows without the search column: what full-text search costs a load.
      plain += "CREATE TABLE copy_plain.\"" + o + "\" (LIKE " + from + ");\nALTER TABLE copy_plain.\"" + o +
               "\" DROP COLUMN IF EXISTS crmsync_search;\n\\copy copy_plain.\"" + o + "\" FROM '" + file + "'\n";
      // The indexes a first load builds at its end (the Id index; the search index where there is one).
      indexes += "CREATE UNIQUE INDEX ON copy_limit.\"" + o + "\" (\"Id\");\n";
      indexes += "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'copy_limit' AND "
                 "table_name = '" + o + "' AND column_name = 'crmsync_search') THEN EXECUTE 'CREATE INDEX ON copy_limit.\"" +
                 o + "\" USING gin (crmsync_search)'; END IF; END $$;\n";
    }
    double seconds = timed_script("copy.sql", copy);
    double plain_seconds = timed_script("copy_plain.sql", plain);
    double index_seconds = timed_script("indexes.sql", indexes);
    if (seconds < 0 || plain_seconds < 0 || index_seconds < 0) {
      std::cerr << "psql COPY failed\n";
      return;
    }
    double rate = static_cast<double>(records) / seconds;
    std::cout << fmt::format("(c) COPY limit:    {} records COPYed from files through psql in {:.2f} s = {:.0f} records/s\n",
                             records, seconds, rate);
    std::cout << fmt::format("    ratio sync/COPY = {:.0f}% (target >= 60%; sync >= 150,000 records/s)\n",
                             100.0 * sync_rate / rate);
    std::cout << fmt::format(
        "    the same COPY without the search column: {:.2f} s = {:.0f} records/s (the tsvector costs {:.2f} s); building "
        "the Id and search indexes after the COPY: {:.2f} s; sync / (COPY + indexes) = {:.0f}%; load average {}\n",
        plain_seconds, static_cast<double>(records) / plain_seconds, seconds - plain_seconds, index_seconds,
        100.0 * sync_rate * (seconds + index_seconds) / static_cast<double>(records), load_average());
  };

  // (b) full sync into the store, as its own process.
  auto full_sync = [&](const std::string& label, const std::string& config_path, const std::string& schema) -> bool {
    std::cout << label << "\n";
    Download d = download();
    Child full = run_child({crmsync_bin, "sync", "--json", "--config", config_path});
    auto report = nlohmann::json::parse(full.output, nullptr, false);
    if (report.is_discarded() || !WIFEXITED(full.status) || WEXITSTATUS(full.status) != 0) {
      std::cerr << "full sync failed: " << full.output << "\n";
      return false;
    }
    std::int64_t records = 0, bulk_objects = 0;
    for (const auto& o : report["objects"]) {
      records += o["records"].get<std::int64_t>();
      if (o["bulk"].get<bool>()) ++bulk_objects;
    }
    double sync_rate = static_cast<double>(records) / full.seconds;
    std::cout << fmt::format("(b) full sync:     {} records in {:.2f} s = {:.0f} records/s ({} objects through Bulk)\n",
                             records, full.seconds, sync_rate, bulk_objects);
    std::cout << fmt::format("    ratio sync/download = {:.0f}% (target >= 70%; >= 100,000 records/s)\n",
                             100.0 * sync_rate / d.rate);
    std::cout << fmt::format("    CPU of crmsync sync {:.2f} s ({:.0f} records per CPU-second); load average now {}\n",
                             full.cpu_seconds, static_cast<double>(records) / full.cpu_seconds, load_average());
    std::cout << fmt::format("    peak RSS of crmsync sync = {:.1f} MB (target < 100 MB)\n",
                             static_cast<double>(full.max_rss_kib) / 1024);
    std::cout << fmt::format(
        "    API calls = {} (minimum for REST paging: {} = pages of 2,000 per object + one describe each)\n",
        report["api_calls"].get<std::int64_t>(), d.min_calls);
    if (postgres && !schema.empty()) copy_limit(schema, records, sync_rate);
    return true;
  };
  if (!full_sync("REST paging only ([sync] bulk_threshold = 1000000000):", rest_cfg_path, "")) return 1;
  if (!full_sync("Default configuration (Bulk API 2.0 above bulk_threshold = 2000):", cfg_path, "salesforce")) return 1;

  // Incremental after 1,000 changed records (the admin updates Opportunities and Contacts).
  auto admin_cfg = *cfg;
  admin_cfg.salesforce.username = "admin@crmsync.test";
  admin_cfg.salesforce.password = "admin-pass";
  auto admin = salesforce::Client::connect(config::connect_options(admin_cfg));
  if (!admin) return 1;
  int changed = 0;
  for (const char* object : {"Opportunity", "Contact"}) {
    auto page = (*admin)->query(std::string("SELECT Id FROM ") + object + " LIMIT 500", false);
    if (!page) return 1;
    auto body = nlohmann::json::parse(page->body);
    for (const auto& r : body["records"]) {
      nlohmann::json change = std::string(object) == "Opportunity" ? nlohmann::json{{"Amount", 1234.5}}
                                                                   : nlohmann::json{{"Title", "Changed"}};
      if ((*admin)->update(object, r["Id"].get<std::string>(), change)) ++changed;
      if (changed == 1000) break;
    }
  }
  // The emulator stamps writes strictly increasing by at least 1 ms, so a burst of 1,000 writes
  // faster than 1 ms each runs its clock up to ~1 s ahead of the wall clock; settle_seconds (2)
  // leaves rows stamped in "the future" for a later run: wait both out, as a real schedule would.
  std::this_thread::sleep_for(std::chrono::milliseconds(4000));
  Child inc = run_child({crmsync_bin, "sync", "--json", "--config", cfg_path});
  auto inc_report = nlohmann::json::parse(inc.output, nullptr, false);
  if (inc_report.is_discarded()) {
    std::cerr << "incremental sync failed: " << inc.output << "\n";
    return 1;
  }
  std::int64_t inc_records = 0;
  int reconciled = 0;
  for (const auto& o : inc_report["objects"]) {
    std::int64_t r = o["records"].get<std::int64_t>();
    inc_records += r;
    if (o["reconciled"].get<bool>()) ++reconciled;
    if (r > 0) std::cout << fmt::format("    {:<24} {:>6} records, {:>4} API calls of its own\n",
                                        o["object"].get<std::string>(), r, o["api_calls"].get<std::int64_t>());
  }
  // Issue #4's bound: one query per object plus one page per 2,000 changes.
  const std::int64_t bound =
      static_cast<std::int64_t>(objects.size()) + (static_cast<std::int64_t>(changed) + 1999) / 2000;
  const std::int64_t inc_calls = inc_report["api_calls"].get<std::int64_t>();
  std::cout << fmt::format(
      "incremental after {} changed records: {:.2f} s wall, {} records read, {} API calls ({} of them composite "
      "requests carrying every describe, first page and getDeleted) for {} objects; bound = objects + "
      "ceil(changes / 2000) = {} -> {}; id reconciliation in {} objects\n",
      changed, inc.seconds, inc_records, inc_calls, inc_report.value("composite_api_calls", std::int64_t{0}),
      objects.size(), bound, inc_calls <= bound ? "within" : "OVER", reconciled);

  kill(emu_pid, SIGTERM);
  pclose(emu);
  if (std::getenv("CRMSYNC_BENCH_KEEP") != nullptr) {
    std::cout << "kept " << dir.string() << "\n";
  } else {
    std::filesystem::remove_all(dir);
  }
  return 0;
}
