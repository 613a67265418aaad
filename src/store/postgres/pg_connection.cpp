#include "store/postgres/pg_connection.h"

#include <utility>

#include "common/text.h"

namespace crmsync::store::postgres {

namespace {

constexpr std::size_t kCopyChunk = 1 << 20;

void ignore_notice(void*, const char*) {}

// libpq's text without its trailing newline, on one line.
std::string clean(std::string_view message) {
  std::string out(message);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

// Why a connection could not be made, and what to do about it.
Error connect_error(const std::string& reason, const std::string& where, bool password_given) {
  std::string r = to_lower(reason);
  std::string head = "Cannot connect to the PostgreSQL store " + where + ": " + reason;
  if (r.find("password authentication failed") != std::string::npos ||
      r.find("no password supplied") != std::string::npos || r.find("authentication failed") != std::string::npos) {
    return Error(ErrorKind::kStore, "PG_AUTH_FAILED",
                 head + (password_given ? ". The password given was refused" : ". No password was accepted") +
                     ": set the right one in CRMSYNC_STORE_PASSWORD (or PGPASSWORD, or ~/.pgpass), or fix the "
                     "user name in [store] url.");
  }
  if (r.find("does not exist") != std::string::npos && r.find("database") != std::string::npos) {
    return Error(ErrorKind::kStore, "PG_NO_DATABASE",
                 head + ". Create the database (e.g. `createdb NAME` as its owner) or fix its name in [store] url.");
  }
  if (r.find("role") != std::string::npos && r.find("does not exist") != std::string::npos) {
    return Error(ErrorKind::kStore, "PG_AUTH_FAILED",
                 head + ". Create that role (CREATE ROLE ... LOGIN) or fix the user name in [store] url.");
  }
  if (r.find("connection refused") != std::string::npos || r.find("could not translate host") != std::string::npos ||
      r.find("timeout expired") != std::string::npos || r.find("no such file or directory") != std::string::npos ||
      r.find("could not connect") != std::string::npos || r.find("network is unreachable") != std::string::npos ||
      r.find("no route to host") != std::string::npos) {
    return Error(ErrorKind::kStore, "PG_UNREACHABLE",
                 head + ". Check that the server runs and accepts connections, and the host and port in [store] url.");
  }
  if (r.find("too many connections") != std::string::npos || r.find("remaining connection slots") != std::string::npos) {
    return Error(ErrorKind::kStore, "PG_TOO_MANY_CONNECTIONS",
                 head + ". The server (max_connections) or the role (ALTER ROLE ... CONNECTION LIMIT) allows no more "
                        "connections: a sync holds three, `crmsync serve` one per request it answers at once; raise the limit or "
                        "run fewer syncs, workers or servers at once.");
  }
  return Error(ErrorKind::kStore, "PG_CONNECT", head + ". Check [store] url and the server's pg_hba.conf.");
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(const OpenOptions& options) {
  std::string where = "'" + mask_url_credentials(options.url) + "'";
  // connect_timeout before the URI so that one the URI gives wins; the password after it, so that
  // [store] password wins over one in the URI.
  std::vector<const char*> keys = {"connect_timeout", "fallback_application_name", "dbname"};
  std::vector<const char*> values = {"10", "crmsync", options.url.c_str()};
  if (!options.password.empty()) {
    keys.push_back("password");
    values.push_back(options.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return Error(ErrorKind::kStore, "PG_CONNECT", "Cannot connect to " + where + ": out of memory.");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = clean(PQerrorMessage(conn));
    bool password_given = PQconnectionUsedPassword(conn) != 0;
    PQfinish(conn);
    return connect_error(reason, where, password_given);
  }
  PQsetNoticeProcessor(conn, &ignore_notice, nullptr);
  std::unique_ptr<Connection> c(new Connection(conn, where));
  CRMSYNC_TRY(c->run("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3;"
                     " SET client_encoding = 'UTF8'",
                     "Cannot set up the session on " + where));
  return c;
}

Connection::~Connection() {
  // An open transaction is rolled back by the server when the session ends: the crash-safety
  // contract (rows and watermark commit together or not at all).
  PQfinish(conn_);
}

Error Connection::error(const PGresult* result, std::string_view context) const {
  if (PQstatus(conn_) == CONNECTION_BAD) {
    std::string reason = clean(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
    return Error(ErrorKind::kStore, "PG_CONNECTION_LOST",
                 std::string(context) + ": the connection to the PostgreSQL store " + where_ + " was lost (" + reason +
                     "). What was committed is kept and the uncommitted work rolled back; run again once the "
                     "server is back.");
  }
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string reason = clean(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  std::string sqlstate = state ? state : "";
  std::string fix;
  if (sqlstate == "42501") {
    fix = " Grant the store's PostgreSQL user the missing right (see README, \"PostgreSQL\"), or use a user that owns "
          "the schema.";
  } else if (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    fix = " The server went away or is shutting down; run again once it is back (what was committed is kept).";
  } else if (sqlstate == "53100") {
    fix = " The server's disk is full; free space on it and run again.";
  }
  return Error(ErrorKind::kStore, sqlstate.empty() ? "PG_ERROR" : "PG_" + sqlstate,
               std::string(context) + ": " + reason + " (PostgreSQL store " + where_ + ")." + fix);
}

Result<PgResult> Connection::check(PgResult result, std::string_view context) {
  ExecStatusType st = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE || st == PGRES_COPY_IN) {
    return result;
  }
  return error(result.get(), context);
}

Result<PgResult> Connection::exec(const std::string& sql, std::string_view context) {
  return check(PgResult(PQexec(conn_, sql.c_str())), context);
}

Result<PgResult> Connection::exec(const std::string& sql, const std::vector<Param>& params, std::string_view context) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  return check(PgResult(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                     nullptr, nullptr, 0)),
               context);
}

Status Connection::copy_begin(const std::string& sql, std::string_view context) {
  copy_buffer_.clear();
  auto r = exec(sql, context);
  if (!r) return r.error();
  if (PQresultStatus(r->get()) != PGRES_COPY_IN) {
    return Error(ErrorKind::kInternal, "PG_COPY", std::string(context) + ": the server did not start the COPY.");
  }
  return ok_status();
}

Status Connection::flush_copy(std::string_view context) {
  if (copy_buffer_.empty()) return ok_status();
  int rc = PQputCopyData(conn_, copy_buffer_.data(), static_cast<int>(copy_buffer_.size()));
  copy_buffer_.clear();
  if (rc == 1) return ok_status();
  Error e = error(nullptr, context);
  (void)copy_end(context);  // ends the COPY so that the connection takes commands again
  return e;
}

Status Connection::copy_put(std::string_view data, std::string_view context) {
  copy_buffer_.append(data);
  return copy_buffer_.size() >= kCopyChunk ? flush_copy(context) : ok_status();
}

Status Connection::copy_end(std::string_view context) {
  Status flushed = ok_status();
  if (!copy_buffer_.empty()) {
    int rc = PQputCopyData(conn_, copy_buffer_.data(), static_cast<int>(copy_buffer_.size()));
    copy_buffer_.clear();
    if (rc != 1) flushed = error(nullptr, context);
  }
  if (PQputCopyEnd(conn_, flushed ? nullptr : "crmsync stopped the COPY") != 1 && flushed) {
    flushed = error(nullptr, context);
  }
  // Every result of the COPY is read, so the connection is ready for the next command.
  Status outcome = flushed;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && outcome) outcome = error(raw, context);
  }
  if (outcome && PQstatus(conn_) == CONNECTION_BAD) outcome = error(nullptr, context);
  copy_buffer_.shrink_to_fit();
  return outcome;
}

Status Connection::stream(const std::string& sql, std::string_view context) {
  if (PQsendQuery(conn_, sql.c_str()) != 1 || PQsetSingleRowMode(conn_) != 1) return error(nullptr, context);
  return ok_status();
}

Result<PgResult> Connection::next_row(std::string_view context) {
  PgResult r(PQgetResult(conn_));
  if (!r) return PgResult();
  ExecStatusType st = PQresultStatus(r.get());
  if (st == PGRES_SINGLE_TUPLE) return r;
  if (st == PGRES_TUPLES_OK) {  // the end: drain to the null result
    while (PGresult* more = PQgetResult(conn_)) PQclear(more);
    return PgResult();
  }
  Error e = error(r.get(), context);
  while (PGresult* more = PQgetResult(conn_)) PQclear(more);
  return e;
}

}  // namespace crmsync::store::postgres
