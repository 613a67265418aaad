// Thin RAII over libpq for the PostgreSQL store: a connection opened from a connection URI (the
// password from [store] password, PGPASSWORD or ~/.pgpass), results that free themselves, COPY
// FROM STDIN, and libpq's failures turned into crmsync Errors whose message names the fix and
// never a password. Internal to src/store/postgres, and the connection of the workers' registry
// (src/fleet), which lives in the same database.
#pragma once

#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace crmsync::store::postgres {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// A text parameter of a query; nullopt is SQL NULL.
using Param = std::optional<std::string>;

class Connection {
 public:
  // Connects and sets the session up (UTC, ISO dates, exact floats, notices silenced). Errors are
  // kStore with codes PG_UNREACHABLE, PG_AUTH_FAILED, PG_NO_DATABASE, PG_CONNECT.
  static Result<std::unique_ptr<Connection>> open(const OpenOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* get() const { return conn_; }
  // The url with its password masked, for messages.
  const std::string& where() const { return where_; }

  // Runs SQL (several statements when there are no params); returns the last result. Errors name
  // `context`, PostgreSQL's message and SQLSTATE (code "PG_<SQLSTATE>"), and the fix where known.
  Result<PgResult> exec(const std::string& sql, std::string_view context);
  Result<PgResult> exec(const std::string& sql, const std::vector<Param>& params, std::string_view context);
  Status run(const std::string& sql, std::string_view context) {
    auto r = exec(sql, context);
    return r ? ok_status() : Status(r.error());
  }

  // COPY ... FROM STDIN: start `sql`, then put() data (buffered and sent in ~1 MB chunks), then
  // end(). A failure of put() or end() leaves the connection ready for the next command (the COPY
  // is ended, the transaction aborted).
  Status copy_begin(const std::string& sql, std::string_view context);
  Status copy_put(std::string_view data, std::string_view context);
  Status copy_end(std::string_view context);

  // Single-row mode: sends `sql`, then next_row() returns each row (nullptr when done). For
  // streaming big tables without holding them.
  Status stream(const std::string& sql, std::string_view context);
  Result<PgResult> next_row(std::string_view context);

  // The transaction state (PQTRANS_IDLE, PQTRANS_INTRANS, PQTRANS_INERROR, ...).
  PGTransactionStatusType transaction() const { return PQtransactionStatus(conn_); }

  // kStore from a failed result (or the connection's last error when `result` is null).
  Error error(const PGresult* result, std::string_view context) const;

 private:
  Connection(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  Result<PgResult> check(PgResult result, std::string_view context);
  Status flush_copy(std::string_view context);
  PGconn* conn_;
  std::string where_;
  std::string copy_buffer_;
};

// Reads a text-format value.
inline std::string text_of(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
}
inline bool is_null(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }
// A text-format integer (bigint, integer); 0 for NULL.
inline std::int64_t int_of(const PGresult* r, int row, int col) {
  if (is_null(r, row, col)) return 0;
  std::int64_t v = 0;
  const char* p = PQgetvalue(r, row, col);
  std::from_chars(p, p + PQgetlength(r, row, col), v);
  return v;
}
// The select-list expression that reads a timestamptz column as epoch milliseconds (a bigint; NULL
// stays NULL): times travel as integers on the way out, exact to the millisecond.
inline std::string epoch_ms_of(std::string_view column) {
  return "(floor(extract(epoch FROM " + std::string(column) + ") * 1000))::bigint";
}

// Errors the server raised carry code "PG_" + SQLSTATE ("PG_23505"); a lost connection is
// PG_CONNECTION_LOST. The SQLSTATE of an error, empty when it has none.
inline std::string sqlstate_of(const Error& e) {
  bool server = e.code.size() == 8 && e.code.starts_with("PG_") && e.code.find('_', 3) == std::string::npos;
  return server ? e.code.substr(3) : std::string();
}

}  // namespace crmsync::store::postgres
