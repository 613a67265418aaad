// Opening a SQLite store: pragmas, the bookkeeping tables, and transactions.
#include "store/sqlite/sqlite_store.h"

#include <string>

namespace crmsync::store::sqlite {

using catalog::StorageClass;

const char* sql_type_of(StorageClass storage) {
  switch (storage) {
    case StorageClass::kBoolean:
    case StorageClass::kInteger: return "INTEGER";
    case StorageClass::kReal: return "REAL";
    case StorageClass::kText:
    case StorageClass::kDate:
    case StorageClass::kDateTime:
    case StorageClass::kTime: return "TEXT";
  }
  throw std::logic_error("sql_type_of: unknown StorageClass");
}

const char* storage_name(StorageClass storage) { return catalog::to_string(storage); }

std::optional<StorageClass> parse_storage_name(std::string_view name) {
  for (StorageClass s : {StorageClass::kBoolean, StorageClass::kInteger, StorageClass::kReal, StorageClass::kText,
                         StorageClass::kDate, StorageClass::kDateTime, StorageClass::kTime}) {
    if (name == storage_name(s)) return s;
  }
  return std::nullopt;
}

Result<std::unique_ptr<Store>> SqliteStore::open(std::string_view path, const SqliteOptions& options) {
  if (path.empty()) {
    return Error(ErrorKind::kConfig, "INVALID_URL", "The SQLite store needs a file path: sqlite:PATH.");
  }
  auto conn = Connection::open(std::string(path),
                               options.create_if_missing ? Connection::Mode::kCreate : Connection::Mode::kExisting);
  if (!conn) return conn.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*conn)));
  CRMSYNC_TRY(store->configure(options));
  CRMSYNC_TRY(store->create_bookkeeping());
  return std::unique_ptr<Store>(std::move(store));
}

Status SqliteStore::configure(const SqliteOptions& options) {
  const std::string& path = conn_->path();
  std::string context = "Cannot open the SQLite database '" + path + "'";
  sqlite3_busy_timeout(conn_->db(), options.busy_timeout_ms);

  // journal_mode answers with the mode in force; it is also the first read of the file, so a file
  // that is not a database fails here.
  auto mode = prepare("PRAGMA journal_mode=WAL", context);
  if (!mode) return mode.error();
  auto row = mode->step(context);
  if (!row) return row.error();
  std::string got = *row ? mode->column_text(0) : "";
  mode->reset();
  if (got != "wal" && path != ":memory:") {
    return Error(ErrorKind::kStore, "WAL_UNAVAILABLE",
                 context + ": SQLite could not switch it to WAL journaling (mode is '" + got +
                     "'); put the file on a local disk.");
  }
  std::string pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"
                        " PRAGMA wal_autocheckpoint=" + std::to_string(options.wal_autocheckpoint_pages) +
                        "; PRAGMA cache_size=-" + std::to_string(options.cache_kib) +
                        "; PRAGMA journal_size_limit=" + std::to_string(options.journal_size_limit) +
                        "; PRAGMA threads=" + std::to_string(options.sorter_threads) + ";";
  return conn_->exec(pragmas, context);
}

Status SqliteStore::create_bookkeeping() {
  std::string context = "Cannot prepare crmsync's tables in '" + conn_->path() + "'";
  CRMSYNC_TRY(conn_->exec("BEGIN IMMEDIATE", context));
  Status s = conn_->exec(
      "CREATE TABLE IF NOT EXISTS crmsync_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT);"
      "CREATE TABLE IF NOT EXISTS crmsync_sync_state ("
      " object TEXT PRIMARY KEY NOT NULL,"
      " watermark TEXT,"                  // YYYY-MM-DDTHH:MM:SS.sssZ; NULL before the first page
      " watermark_id TEXT NOT NULL DEFAULT '',"
      " full_sync_done INTEGER NOT NULL DEFAULT 0,"
      " last_run_started TEXT,"           // NULL when never started
      " last_run_finished TEXT,"
      " rows INTEGER NOT NULL DEFAULT 0,"
      " deleted INTEGER NOT NULL DEFAULT 0,"
      " api_calls INTEGER NOT NULL DEFAULT 0,"
      " last_error TEXT);"                // NULL when the last run succeeded
      "CREATE TABLE IF NOT EXISTS crmsync_columns ("
      " object TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE, storage TEXT NOT NULL,"
      " field_type TEXT,"                 // the catalog type (REFERENCE, STRING, ...) when the sync knew it
      " PRIMARY KEY (object, name));"
      "CREATE TABLE IF NOT EXISTS crmsync_export_ledger ("
      " activity_id TEXT PRIMARY KEY NOT NULL,"
      " sobject TEXT NOT NULL,"
      " salesforce_id TEXT NOT NULL DEFAULT '',"
      " content_hash TEXT NOT NULL DEFAULT '',"
      " state TEXT NOT NULL,"             // pending | written | deleted | failed
      " operation TEXT NOT NULL DEFAULT '',"
      " marker TEXT NOT NULL DEFAULT '',"
      " updated_at TEXT NOT NULL);"       // YYYY-MM-DDTHH:MM:SS.sssZ
      "INSERT OR IGNORE INTO crmsync_meta (key, value) VALUES ('schema_version', '" +
          std::to_string(kSchemaVersion) + "');",
      context);
  if (!s) {
    (void)conn_->exec("ROLLBACK", context);
    return s;
  }
  auto version = prepare("SELECT value FROM crmsync_meta WHERE key = 'schema_version'", context);
  if (!version) {
    (void)conn_->exec("ROLLBACK", context);
    return version.error();
  }
  auto row = version->step(context);
  std::string found = row && *row ? version->column_text(0) : "";
  version->reset();
  if (found != std::to_string(kSchemaVersion)) {
    (void)conn_->exec("ROLLBACK", context);
    return Error(ErrorKind::kStore, "SCHEMA_VERSION",
                 context + ": its crmsync schema version is '" + found + "' but this crmsync writes version " +
                     std::to_string(kSchemaVersion) + "; use the crmsync release that created it.");
  }
  if (Status m = migrate_columns_table(); !m) {
    (void)conn_->exec("ROLLBACK", context);
    return m;
  }
  if (Status m = migrate_state_table(); !m) {
    (void)conn_->exec("ROLLBACK", context);
    return m;
  }
  return conn_->exec("COMMIT", context);
}

Result<Statement*> SqliteStore::cached(std::unique_ptr<Statement>& slot, std::string_view sql,
                                       std::string_view context) {
  if (!slot) {
    auto s = prepare(sql, context);
    if (!s) return s.error();
    slot = std::make_unique<Statement>(std::move(*s));
  }
  return slot.get();
}

Status SqliteStore::begin() {
  if (!sqlite3_get_autocommit(conn_->db())) {
    return Error(ErrorKind::kInternal, "TRANSACTION_OPEN",
                 "begin() was called while a transaction is already open on '" + conn_->path() +
                     "'; commit or roll back first.");
  }
  auto s = cached(begin_, "BEGIN IMMEDIATE", "Cannot begin a transaction");
  if (!s) return s.error();
  return (*s)->run("Cannot begin a transaction");
}

Status SqliteStore::commit() {
  if (sqlite3_get_autocommit(conn_->db())) {
    return Error(ErrorKind::kInternal, "NO_TRANSACTION",
                 "commit() was called with no open transaction on '" + conn_->path() + "'.");
  }
  auto s = cached(commit_, "COMMIT", "Cannot commit");
  if (!s) return s.error();
  return (*s)->run("Cannot commit");  // on SQLITE_BUSY the transaction stays open: retry or roll back
}

Status SqliteStore::rollback() {
  // A no-op without a transaction, so error paths can always call it (SQLite may already have
  // rolled back on its own after an I/O error or a full disk).
  if (sqlite3_get_autocommit(conn_->db())) return ok_status();
  auto s = cached(rollback_, "ROLLBACK", "Cannot roll back");
  if (!s) return s.error();
  return (*s)->run("Cannot roll back");
}

}  // namespace crmsync::store::sqlite
