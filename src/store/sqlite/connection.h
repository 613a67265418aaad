// Thin RAII over the sqlite3 C API for the SQLite store: a shared connection handle, prepared
// statements that reset themselves after every use, and SQLite errors turned into crmsync Errors.
// Internal to src/store/sqlite.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "store/store.h"

namespace crmsync::store::sqlite {

// Owns the sqlite3 handle. Every Statement holds a shared_ptr to it, so the handle is closed only
// after the last statement is finalized, whatever order the store and its writers are destroyed in.
class Connection {
 public:
  // kCreate: read-write, the file created when missing. kExisting: read-write, and a file that does
  // not exist is kNotFound STORE_NOT_FOUND, not created. kReadOnly: SQLITE_OPEN_READONLY, a missing
  // file STORE_NOT_FOUND too (readers never create a store).
  enum class Mode { kCreate, kExisting, kReadOnly };
  static Result<std::shared_ptr<Connection>> open(const std::string& path, Mode mode = Mode::kCreate);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs SQL that returns no rows (DDL, pragmas that are set, savepoints).
  Status exec(const std::string& sql, std::string_view context);

  // kStore with SQLite's code and message for the last failure on this connection:
  // "<context>: <sqlite message> (database PATH)".
  Error error(int rc, std::string_view context) const;

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// "SQLITE_BUSY", "SQLITE_CONSTRAINT", ... for a result code (extended codes map to their primary).
std::string sqlite_code_name(int rc);

// A prepared statement. Use it through step()/Reset: every execution ends with sqlite3_reset and
// cleared bindings, so a failure never leaves the statement busy or holding stale pointers.
class Statement {
 public:
  static Result<Statement> prepare(std::shared_ptr<Connection> conn, std::string_view sql,
                                   std::string_view context);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  sqlite3_stmt* get() const { return stmt_; }
  Connection& connection() const { return *conn_; }

  // Binds without copying: strings stay owned by the caller until the statement is reset.
  // Returns SQLite's result code.
  int bind(int index, const Value& value);
  int bind_text(int index, std::string_view text);
  int bind_int64(int index, std::int64_t v);
  int bind_null(int index);

  // true when a row is available, false when done; errors name `context`.
  Result<bool> step(std::string_view context);
  // Steps until done (statements that return no rows, or whose rows are ignored).
  Status run(std::string_view context);

  void reset();

  // The text of column `i` of the current row (empty for NULL).
  std::string column_text(int i) const;
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  Statement(std::shared_ptr<Connection> conn, sqlite3_stmt* stmt) : conn_(std::move(conn)), stmt_(stmt) {}
  std::shared_ptr<Connection> conn_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, on success and failure alike.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& s) : s_(s) {}
  ~ResetOnExit() { s_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& s_;
};

}  // namespace crmsync::store::sqlite
