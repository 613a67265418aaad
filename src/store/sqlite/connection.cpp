#include "store/sqlite/connection.h"

#include <filesystem>
#include <utility>

namespace crmsync::store::sqlite {

Result<std::shared_ptr<Connection>> Connection::open(const std::string& path, Mode mode) {
  // Memory statistics take a process-wide mutex on every SQLite allocation, which the writer
  // thread pays per row; crmsync never reads them. Only possible before SQLite initialises (a
  // later call is refused with SQLITE_MISUSE and changes nothing).
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  sqlite3* db = nullptr;
  // NOMUTEX: a Store is used by one thread at a time (see store.h); SQLite's own locking between
  // processes is unaffected.
  const bool create_if_missing = mode == Mode::kCreate;
  int flags = (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX |
              (create_if_missing ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc == SQLITE_CANTOPEN && !create_if_missing && path != ":memory:" && !std::filesystem::exists(path)) {
    sqlite3_close_v2(db);
    return Error(ErrorKind::kNotFound, "STORE_NOT_FOUND", "The SQLite database '" + path + "' does not exist.");
  }
  if (rc != SQLITE_OK) {
    std::string reason = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Error(ErrorKind::kStore, sqlite_code_name(rc),
                 "Cannot open the SQLite database '" + path + "': " + reason + ".");
  }
  sqlite3_extended_result_codes(db, 1);
  return std::shared_ptr<Connection>(new Connection(db, path));
}

Connection::~Connection() {
  // A transaction still open here was never committed: closing rolls it back, which is the
  // crash-safety contract (rows and watermark commit together or not at all).
  sqlite3_close_v2(db_);
}

Status Connection::exec(const std::string& sql, std::string_view context) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return ok_status();
  std::string reason = msg ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return Error(ErrorKind::kStore, sqlite_code_name(rc),
               std::string(context) + ": " + reason + " (database " + path_ + ").");
}

Error Connection::error(int rc, std::string_view context) const {
  return Error(ErrorKind::kStore, sqlite_code_name(rc),
               std::string(context) + ": " + sqlite3_errmsg(db_) + " (database " + path_ + ").");
}

std::string sqlite_code_name(int rc) {
  switch (rc & 0xff) {
    case SQLITE_ERROR: return "SQLITE_ERROR";
    case SQLITE_INTERNAL: return "SQLITE_INTERNAL";
    case SQLITE_PERM: return "SQLITE_PERM";
    case SQLITE_ABORT: return "SQLITE_ABORT";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_NOMEM: return "SQLITE_NOMEM";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_INTERRUPT: return "SQLITE_INTERRUPT";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_CORRUPT: return "SQLITE_CORRUPT";
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_PROTOCOL: return "SQLITE_PROTOCOL";
    case SQLITE_SCHEMA: return "SQLITE_SCHEMA";
    case SQLITE_TOOBIG: return "SQLITE_TOOBIG";
    case SQLITE_CONSTRAINT: return "SQLITE_CONSTRAINT";
    case SQLITE_MISMATCH: return "SQLITE_MISMATCH";
    case SQLITE_MISUSE: return "SQLITE_MISUSE";
    case SQLITE_RANGE: return "SQLITE_RANGE";
    case SQLITE_NOTADB: return "SQLITE_NOTADB";
    default: return "SQLITE_" + std::to_string(rc);
  }
}

Result<Statement> Statement::prepare(std::shared_ptr<Connection> conn, std::string_view sql,
                                     std::string_view context) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(conn->db(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return conn->error(rc, context);
  }
  return Statement(std::move(conn), stmt);
}

Statement::Statement(Statement&& other) noexcept
    : conn_(std::move(other.conn_)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

int Statement::bind(int index, const Value& value) {
  struct Binder {
    Statement& s;
    int i;
    int operator()(std::monostate) const { return s.bind_null(i); }
    int operator()(bool b) const { return s.bind_int64(i, b ? 1 : 0); }
    int operator()(std::int64_t v) const { return s.bind_int64(i, v); }
    int operator()(double v) const { return sqlite3_bind_double(s.stmt_, i, v); }
    int operator()(const std::string& v) const { return s.bind_text(i, v); }
  };
  return std::visit(Binder{*this, index}, value);
}

int Statement::bind_text(int index, std::string_view text) {
  // SQLITE_STATIC: no copy; the caller's string outlives the step, and reset() clears bindings.
  return sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

int Statement::bind_int64(int index, std::int64_t v) { return sqlite3_bind_int64(stmt_, index, v); }

int Statement::bind_null(int index) { return sqlite3_bind_null(stmt_, index); }

Result<bool> Statement::step(std::string_view context) {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = conn_->error(rc, context);
  reset();
  return e;
}

Status Statement::run(std::string_view context) {
  ResetOnExit guard(*this);
  for (;;) {
    Result<bool> r = step(context);
    if (!r) return r.error();
    if (!*r) return ok_status();
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)));
}

}  // namespace crmsync::store::sqlite
