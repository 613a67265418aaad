// Workers: 20 orgs of ~20,000 records each, registered in a PostgreSQL database (`crmsync orgs
// add`), synced by 1, 2 and then 4 `crmsync worker` processes (--concurrency 1 each), each count
// into a fresh database. Every org is its own `crmsync emulator` process (its own seed), and the
// PostgreSQL server is one the bench starts itself (tests/integration/pg_server.h). Prints, per
// worker count, the wall time from the workers' start to the last org's end, the records written
// and records/s, the worker processes' CPU time, with the load average: on a 2-core machine the emulators, PostgreSQL
// and the workers share the same two cores, so the curve says how much more one more worker gets out of them, not how
// workers scale on machines of their own.
//
//   build/bench_workers [--orgs 20] [--scale 713] [--workers 1,2,4]
#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../tests/integration/pg_server.h"
#include "fleet/fleet.h"

using namespace crmsync;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSecretKey = "ca824c49e17b7fe14b59048ca4e9a0d9bed12d08a8a3156655bd33f578018eef";

// utime + stime (and, with `children`, those of the children it reaped) of a process, in seconds.
double cpu_seconds(pid_t pid, bool children = false) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
  std::vector<std::string> f((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
  if (f.size() < 15) return 0;
  // From the state field (3rd of the line, f[0]): utime f[11], stime f[12], cutime f[13], cstime f[14].
  double ticks = std::stod(f[11]) + std::stod(f[12]) + (children ? std::stod(f[13]) + std::stod(f[14]) : 0);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string self_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path().string(); }

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one + " (1 min), " + five + " (5 min), " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

// A child process running `argv` with `env` added, its output sent to `log` (or dropped).
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
            const std::string& log = "/dev/null") {
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    FILE* out = std::fopen(log.c_str(), "w");
    if (out != nullptr) {
      dup2(fileno(out), STDOUT_FILENO);
      dup2(fileno(out), STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// `crmsync emulator --port 0` with its own seed; its url from its first line.
struct Emulator {
  pid_t pid = 0;
  std::string url;
  Emulator(const std::string& crmsync, int seed, int scale, const std::string& dir) {
    std::string log = dir + "/emulator" + std::to_string(seed) + ".log";
    pid = spawn({crmsync, "emulator", "--port", "0", "--seed", std::to_string(seed), "--scale", std::to_string(scale)},
                {}, log);
    for (int i = 0; i < 600 && url.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::ifstream in(log);
      std::string line;
      if (std::getline(in, line) && line.find("http://") != std::string::npos) url = line.substr(line.find("http://"));
    }
    if (url.empty()) throw std::runtime_error("emulator " + std::to_string(seed) + " did not start");
  }
  ~Emulator() {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
};

std::string org_toml(const std::string& emulator_url) {
  return "[salesforce]\nlogin_url = \"" + emulator_url +
         "\"\nclient_id = \"crmsync-local\"\nclient_secret = \"crmsync-local-secret\"\n"
         "username = \"integration@crmsync.test\"\npassword = \"integration-pass\"\n"
         "[sync]\nsettle_seconds = 0\ninterval_seconds = 86400\n";
}

struct Figures {
  double seconds = 0;
  std::int64_t records = 0;
  double worker_cpu = 0;    // user + system seconds of the worker processes
  double emulator_cpu = 0;  // of the emulators, over the same time
  double postgres_cpu = 0;  // of the PostgreSQL server (its backends once they ended)
  std::string load;
};

pid_t postmaster_pid(const testing::PgServer& pg) {
  std::ifstream in(pg.socket_dir() + "/data/postmaster.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

Figures run_workers(const std::string& crmsync, testing::PgServer& pg,
                    const std::vector<std::unique_ptr<Emulator>>& orgs, int workers, const std::string& dir) {
  const std::string url = pg.fresh_database("workers" + std::to_string(workers));
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    const std::string file = dir + "/org" + std::to_string(i) + ".toml";
    std::ofstream(file) << org_toml(orgs[i]->url);
    pid_t add = spawn({crmsync, "orgs", "add", "org" + std::to_string(i), "--config", file, "--store", url},
                      {{"CRMSYNC_SECRET_KEY", kSecretKey}});
    int status = 0;
    waitpid(add, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("crmsync orgs add failed");
  }
  auto registry = fleet::Registry::open({url, ""}, false);
  if (!registry) throw std::runtime_error(registry.error().to_string());
  const pid_t postmaster = postmaster_pid(pg);
  auto emulators_cpu = [&] {
    double sum = 0;
    for (const auto& e : orgs) sum += cpu_seconds(e->pid);
    return sum;
  };
  Figures f;
  f.emulator_cpu = -emulators_cpu();
  f.postgres_cpu = -cpu_seconds(postmaster, true);
  std::vector<pid_t> pids;
  const auto start = Clock::now();
  for (int w = 0; w < workers; ++w) {
    pids.push_back(spawn({crmsync, "worker", "--store", url, "--concurrency", "1"},
                         {{"CRMSYNC_SECRET_KEY", kSecretKey}},
                         dir + "/worker" + std::to_string(workers) + "-" + std::to_string(w) + ".log"));
  }
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto list = (*registry)->list();
    if (!list) throw std::runtime_error(list.error().to_string());
    std::size_t done = 0;
    std::int64_t first = INT64_MAX, last = 0, records = 0;
    for (const auto& o : *list) {
      if (o.last_outcome == "failed") throw std::runtime_error(o.name + " failed: " + o.last_error);
      if (o.last_outcome != "ok") continue;
      ++done;
      first = std::min(first, o.last_run_started);
      last = std::max(last, o.last_run_finished);
      records += o.last_records;
    }
    if (done == orgs.size()) {
      f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      f.records = records;
      break;
    }
  }
  f.load = load_average();
  for (pid_t p : pids) kill(p, SIGTERM);
  for (pid_t p : pids) {
    struct rusage ru {};
    wait4(p, nullptr, 0, &ru);
    f.worker_cpu += static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the backends of the workers' sessions end
  f.emulator_cpu += emulators_cpu();
  f.postgres_cpu += cpu_seconds(postmaster, true);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  int orgs = 20;
  int scale = 713;  // ~20,000 records per org (the default groups and the board objects)
  std::vector<int> counts = {1, 2, 4};
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--orgs")
      orgs = std::atoi(argv[++i]);
    else if (a == "--scale")
      scale = std::atoi(argv[++i]);
    else if (a == "--workers") {
      counts.clear();
      std::stringstream list(argv[++i]);
      for (std::string n; std::getline(list, n, ',');) counts.push_back(std::stoi(n));
    }
  }
  const std::string crmsync = self_dir() + "/crmsync";
  std::string dir = (std::filesystem::temp_directory_path() / "crmsync-bench-workers-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return 1;
  try {
    testing::PgServer pg;
    std::cout << "Starting " << orgs << " emulators of scale " << scale << " ..." << std::endl;
    std::vector<std::unique_ptr<Emulator>> emulators;
    for (int i = 0; i < orgs; ++i) emulators.push_back(std::make_unique<Emulator>(crmsync, 1000 + i, scale, dir));
    // An untimed first pass: the emulators answer each org's queries for the first time, and
    // PostgreSQL warms up, so that the first measured count does not pay for that alone.
    run_workers(crmsync, pg, emulators, counts.back(), dir);
    std::cout << fmt::format("{:>8} {:>8} {:>9} {:>10} {:>11} {:>11} {:>11}  {}\n", "workers", "seconds", "records",
                             "records/s", "CPU s: wkr", "emulators", "postgres", "load average after");
    for (int workers : counts) {
      Figures f = run_workers(crmsync, pg, emulators, workers, dir);
      std::cout << fmt::format("{:>8} {:>8.1f} {:>9} {:>10.0f} {:>11.1f} {:>11.1f} {:>11.1f}  {}\n", workers, f.seconds,
                               f.records, static_cast<double>(f.records) / f.seconds, f.worker_cpu, f.emulator_cpu,
                               f.postgres_cpu, f.load)
                << std::flush;
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_workers: " << e.what() << "\n";
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  std::cout << "The emulators, PostgreSQL and the workers share this machine's cores (and, on a shared machine,\n"
               "everything else running): a worker's sync waits on the emulator serving pages and on PostgreSQL\n"
               "taking them, so more workers overlap those waits until the cores are busy; past that, more workers\n"
               "only divide the same CPU. The CPU columns say where the time goes: the workers (crmsync), the\n"
               "emulators serving the pages, PostgreSQL taking them.\n";
  return 0;
}
