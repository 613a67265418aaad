// A real PostgreSQL server in a temporary directory, for the tests (pg_support.h) and the bench:
// started from the Debian packages' binaries (/usr/lib/postgresql/<version>/bin, installed by
// scripts/install-deps) on a free loopback port, its unix socket in that directory, stopped and
// removed when the object goes. PostgreSQL refuses to run as root: as root the server runs as
// `nobody` (runuser). The unix socket trusts local users; TCP (127.0.0.1) asks for passwords.
#pragma once

#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace crmsync::testing {

// The newest /usr/lib/postgresql/<version>/bin holding initdb, pg_ctl and postgres; empty if none.
inline std::string postgres_bin_dir() {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = e.path() / "bin";
    if (std::filesystem::exists(bin / "initdb") && std::filesystem::exists(bin / "pg_ctl") &&
        std::filesystem::exists(bin / "postgres")) {
      found.push_back(bin);
    }
  }
  if (found.empty()) return {};
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::stoi(a.parent_path().filename().string()) < std::stoi(b.parent_path().filename().string());
  });
  return found.back().string();
}

inline int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

class PgServer {
 public:
  // Starts a server; throws std::runtime_error saying what went wrong (and what to install),
  // leaving nothing behind.
  PgServer() {
    try {
      start();
    } catch (...) {
      stop();
      throw;
    }
  }
  ~PgServer() { stop(); }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

 private:
  void start() {
    bin_ = postgres_bin_dir();
    if (bin_.empty()) {
      throw std::runtime_error(
          "PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/{initdb,pg_ctl,postgres}); "
          "run scripts/install-deps (it installs the Debian package postgresql)");
    }
    // As root the server runs as `nobody`, who must reach the directory: /tmp rather than a TMPDIR
    // that may sit under root's home.
    std::filesystem::path parent = ::geteuid() == 0 ? std::filesystem::path("/tmp") : std::filesystem::temp_directory_path();
    std::string tmpl = (parent / "crmsync-pg-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for the PostgreSQL directory");
    dir_ = tmpl;
    // PostgreSQL will not run as root: as root, the server and its files belong to `nobody`.
    if (::geteuid() == 0) {
      as_ = "runuser -u nobody -- ";
      if (passwd* pw = getpwnam("nobody")) {
        if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown of " + dir_ + " failed");
      }
    }
    // The unix socket trusts every local user (the tests' urls use it); TCP asks for a password
    // (the tests of wrong passwords use 127.0.0.1).
    run(bin_ + "/initdb -D " + dir_ + "/data -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8" +
            " --locale=C --no-sync",
        "initdb");
    // Durability is not under test here (crash safety is, and it rests on transactions): no fsync.
    // The free port may be taken by another process before the server binds it: try a few.
    for (int attempt = 1;; ++attempt) {
      port_ = free_loopback_port();
      try {
        run(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o \"-p " +
                std::to_string(port_) + " -k " + dir_ + " -c listen_addresses=127.0.0.1 -c fsync=off" +
                " -c full_page_writes=off -c synchronous_commit=off\" start",
            "pg_ctl_start");
        break;
      } catch (const std::runtime_error&) {
        if (attempt == 3) throw;
      }
    }
    started_ = true;
  }

 public:
  void stop() {
    if (started_) {
      std::string cmd = as_ + bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1";
      (void)std::system(cmd.c_str());
      started_ = false;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  int port() const { return port_; }
  const std::string& bin_dir() const { return bin_; }
  const std::string& socket_dir() const { return dir_; }
  // A user's url of a database through the unix socket (trusted: no password).
  std::string url(const std::string& database = "postgres", const std::string& user = "postgres") const {
    return "postgresql://" + user + "@/" + database + "?host=" + dir_ + "&port=" + std::to_string(port_);
  }
  // The same over TCP on 127.0.0.1, where the server asks for the user's password.
  std::string tcp_url(const std::string& database, const std::string& user) const {
    return "postgresql://" + user + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }
  // Runs SQL as the superuser on `database`; throws with PostgreSQL's message on failure.
  void sql(const std::string& statement, const std::string& database = "postgres") const {
    PGconn* c = PQconnectdb(url(database).c_str());
    std::string error;
    if (PQstatus(c) != CONNECTION_OK) {
      error = PQerrorMessage(c);
    } else {
      PGresult* r = PQexec(c, statement.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQerrorMessage(c);
      PQclear(r);
    }
    PQfinish(c);
    if (!error.empty()) throw std::runtime_error("PostgreSQL: " + statement + ": " + error);
  }
  // The first column of the first row of `query` as text ("" for none).
  std::string value(const std::string& query, const std::string& database) const {
    PGconn* c = PQconnectdb(url(database).c_str());
    std::string out;
    PGresult* r = PQexec(c, query.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQfinish(c);
    return out;
  }
  // A new empty database named after `hint`; returns its url.
  std::string fresh_database(const std::string& hint) {
    std::string name = "t" + std::to_string(++databases_) + "_";
    for (char ch : hint) {
      if (name.size() >= 60) break;
      name += std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch)) : '_';
    }
    sql("CREATE DATABASE " + name);
    return url(name);
  }

 private:
  void run(const std::string& command, const char* what) {
    std::string cmd = as_ + command + " >" + dir_ + "/" + what + ".out 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream out(dir_ + "/" + what + ".out"), log(dir_ + "/server.log");
      std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
      std::string server_log((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      throw std::runtime_error(std::string("PostgreSQL ") + what + " failed: " + text + " " + server_log);
    }
  }

  std::string bin_;
  std::string dir_;
  std::string as_;
  int port_ = -1;
  bool started_ = false;
  std::atomic<int> databases_{0};
};

}  // namespace crmsync::testing
