// Shared helpers for integration tests: temporary directories, running the crmsync binary, and an
// emulator started on a free loopback port.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "config/config.h"
#include "emulator/emulator.h"

namespace crmsync::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Whether `needle` occurs in `haystack` (a command's output, an error message).
inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// How many times `needle` occurs in `haystack` (e.g. the retry lines of a command's output).
inline std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
  return n;
}

// A file's whole content (empty when it is missing): a store's or a log's bytes to search.
inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The first line of a file, without its newline; empty when the file is missing.
inline std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // standard output and standard error together
};

// Runs a shell command line and captures its standard output.
inline CommandResult run_shell(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `crmsync <args>` with `env` before it (both passed to the shell as written).
inline std::string crmsync_command(const std::string& args, const std::string& env) {
  return env + (env.empty() ? "" : " ") + CRMSYNC_BINARY + std::string(" ") + args;
}

// Runs `crmsync <args>` and captures its output (standard output and standard error together).
inline CommandResult run_crmsync(const std::string& args, const std::string& env = "") {
  return run_shell(crmsync_command(args, env) + " 2>&1");
}

struct SplitResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `crmsync <args>` as run_crmsync does, with standard output and standard error kept apart.
inline SplitResult run_crmsync_split(const std::string& args, const std::string& env = "") {
  std::string err_path = (std::filesystem::temp_directory_path() / "crmsync-stderr-XXXXXX").string();
  int fd = mkstemp(err_path.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  CommandResult r = run_shell(crmsync_command(args, env) + " 2>" + err_path);
  SplitResult split{r.exit_code, r.output, file_bytes(err_path)};
  std::filesystem::remove(err_path);
  return split;
}

// An emulator on a free loopback port, stopped at the end of the test.
class RunningEmulator {
 public:
  explicit RunningEmulator(int scale = 20, std::uint64_t seed = 7) : RunningEmulator(options_for(scale, seed)) {}
  // Any options (faults, token TTL, ...); the port is always a free one.
  explicit RunningEmulator(emulator::EmulatorOptions o) {
    o.port = 0;
    options_ = o;
    emu_ = std::make_unique<emulator::Emulator>(o);
    auto s = emu_->start();
    if (!s) throw std::runtime_error("emulator did not start: " + s.error().to_string());
  }
  static emulator::EmulatorOptions options_for(int scale, std::uint64_t seed) {
    emulator::EmulatorOptions o;
    o.org.scale = scale;
    o.org.seed = seed;
    return o;
  }
  ~RunningEmulator() { emu_->stop(); }
  emulator::Emulator& operator*() { return *emu_; }
  emulator::Emulator* operator->() { return emu_.get(); }
  const emulator::EmulatorOptions& options() const { return options_; }

 private:
  emulator::EmulatorOptions options_;
  std::unique_ptr<emulator::Emulator> emu_;
};

// `crmsync emulator` as its own process (seed 5 unless given; `options` are more of its flags, e.g.
// "--fault-rate 1 --fault-kinds slow"), stopped with SIGTERM at the end of the test: for tests that
// kill the client, measure the emulator's own memory, or run many orgs side by side.
class EmulatorProcess {
 public:
  explicit EmulatorProcess(int scale, std::uint64_t seed = 5, const std::string& options = "") {
    std::string cmd = "sh -c 'echo $$; exec " + std::string(CRMSYNC_BINARY) + " emulator --port 0 --seed " +
                      std::to_string(seed) + " --scale " + std::to_string(scale) + " " + options + "'";
    pipe_ = popen(cmd.c_str(), "r");
    if (pipe_ == nullptr) throw std::runtime_error("cannot start the emulator");
    char line[256] = {};
    if (!std::fgets(line, sizeof line, pipe_)) throw std::runtime_error("no pid line");
    pid_ = std::atoi(line);
    if (!std::fgets(line, sizeof line, pipe_)) throw std::runtime_error("no ready line");
    std::string ready(line);
    auto at = ready.find("http://");
    if (at == std::string::npos) throw std::runtime_error("unexpected ready line: " + ready);
    url_ = ready.substr(at);
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
  }
  ~EmulatorProcess() {
    kill(pid_, SIGTERM);
    pclose(pipe_);
  }
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;
  const std::string& url() const { return url_; }
  int port() const { return std::atoi(url_.substr(url_.rfind(':') + 1).c_str()); }
  int pid() const { return pid_; }

 private:
  std::FILE* pipe_ = nullptr;
  int pid_ = 0;
  std::string url_;
};

// The store url of `db`: a store url as it is (postgresql://...), else a SQLite file path.
inline std::string store_url_of(const std::string& db) {
  return db.starts_with("postgres") || db.starts_with("sqlite:") ? db : "sqlite:" + db;
}

// A config for the emulator's integration user and a store (a SQLite file path or a store url).
inline config::Config emulator_config(const std::string& base_url, const std::string& db_path,
                                      const std::string& user = "integration@crmsync.test",
                                      const std::string& password = "integration-pass") {
  config::Config c;
  c.salesforce.login_url = base_url;
  c.salesforce.auth = "password";
  c.salesforce.client_id = "crmsync-local";
  c.salesforce.client_secret = "crmsync-local-secret";
  c.salesforce.username = user;
  c.salesforce.password = password;
  c.salesforce.retry_base_ms = 1;  // retries (e.g. after the emulator is stopped) wait ~1 ms, not seconds
  c.store.url = store_url_of(db_path);
  return c;
}

inline std::string emulator_toml(const std::string& base_url, const std::string& db_path,
                                 const std::string& extra = "", const std::string& password = "integration-pass") {
  return "[salesforce]\nlogin_url = \"" + base_url +
         "\"\nauth = \"password\"\nclient_id = \"crmsync-local\"\nclient_secret = \"crmsync-local-secret\"\n"
         "retry_base_ms = 1\n"
         "username = \"integration@crmsync.test\"\npassword = \"" +
         password + "\"\n\n[store]\nurl = \"" + store_url_of(db_path) + "\"\n" + extra;
}

}  // namespace crmsync::testing
