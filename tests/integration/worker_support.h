// Helpers for the tests of `crmsync orgs` and `crmsync worker`: an org's configuration file, worker
// processes the test can stop, kill or freeze, the registry as a test reads it, and the run log's
// rule that no org ever runs on two workers at once.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fleet/fleet.h"
#include "pg_support.h"
#include "sync_support.h"

namespace crmsync::testing {

// A CRMSYNC_SECRET_KEY for the tests (64 hex digits).
inline const std::string kTestSecretKey = "ca824c49e17b7fe14b59048ca4e9a0d9bed12d08a8a3156655bd33f578018eef";

// An org's configuration: the emulator's integration user, 200-row pages each committed on its own
// (so a run commits as it goes), only `objects`, plus `sync` lines in [sync]. [store] url is the
// workers' database, which `crmsync orgs add` registers the org in.
inline std::string org_toml(const std::string& emulator_url, const std::string& store_url,
                            const std::vector<std::string>& objects, const std::string& sync = "",
                            const std::string& password = "integration-pass") {
  return emulator_toml(
      emulator_url, store_url,
      "\n[sync]\nsettle_seconds = 0\nbatch_size = 200\nrows_per_commit = 200\n" + sync + "\n" + only_toml(objects),
      password);
}

// `crmsync worker --store URL FLAGS` as a child process, its output in `log`; killed when the test
// ends if it still runs.
class WorkerProcess {
 public:
  WorkerProcess(const std::string& store_url, const std::string& log, const std::string& flags = "--lease-seconds 3",
                const std::map<std::string, std::string>& env = {})
      : log_(log) {
    std::string cmd = "exec " + std::string(CRMSYNC_BINARY) + " worker --store '" + store_url + "' " + flags;
    pid_ = fork();
    if (pid_ == 0) {
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~WorkerProcess() {
    if (running_) kill();
  }
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Whether the registry's holder "host:pid" is this worker.
  bool holds(const std::string& holder) const { return holder.ends_with(":" + std::to_string(pid_)); }
  std::string output() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // SIGTERM, then its exit code once it ends; -1 (and SIGKILL) when it has not within `timeout`.
  int stop(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    ::kill(pid_, SIGTERM);
    const auto until = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) {
        kill();
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    running_ = false;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void kill() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    running_ = false;
  }
  void freeze() { ::kill(pid_, SIGSTOP); }
  void thaw() { ::kill(pid_, SIGCONT); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool running_ = true;
};

// The registry of a test's database, read as the test goes.
inline std::unique_ptr<fleet::Registry> open_registry(const std::string& url) {
  auto r = fleet::Registry::open({url, ""}, /*create=*/false);
  if (!r) throw std::runtime_error(r.error().to_string());
  return std::move(*r);
}

inline fleet::OrgState org_state(fleet::Registry& registry, const std::string& name) {
  auto orgs = registry.list();
  if (!orgs) throw std::runtime_error(orgs.error().to_string());
  for (const auto& o : *orgs) {
    if (o.name == name) return o;
  }
  throw std::runtime_error("no org " + name + " in the registry");
}

inline std::vector<fleet::RunRecord> runs_of(fleet::Registry& registry, const std::string& org) {
  auto runs = registry.runs(org);
  if (!runs) throw std::runtime_error(runs.error().to_string());
  return *runs;
}

// Checks `done()` every 50 ms until it holds (true) or `timeout` passes (false).
template <typename F>
bool eventually(F done, std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// One org's run log (oldest first): every run ended, and none started before the previous one ended.
inline void expect_runs_never_overlap(const std::vector<fleet::RunRecord>& runs) {
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_GT(runs[i].finished, 0) << runs[i].org << ": run " << runs[i].id << " of " << runs[i].worker
                                   << " never ended";
    if (i == 0) continue;
    EXPECT_LE(runs[i - 1].finished, runs[i].started)
        << runs[i].org << ": run " << runs[i].id << " of " << runs[i].worker << " started "
        << runs[i - 1].finished - runs[i].started << " ms before run " << runs[i - 1].id << " of " << runs[i - 1].worker
        << " ended";
  }
}

// The org's schema of the workers' database, as a store.
inline std::unique_ptr<store::Store> org_store(const std::string& url, const std::string& schema) {
  store::OpenOptions where{url, schema};
  where.create_if_missing = false;
  auto st = store::Store::open(where);
  if (!st) throw std::runtime_error(st.error().to_string());
  return std::move(*st);
}

}  // namespace crmsync::testing
