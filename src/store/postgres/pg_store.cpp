// Opening a PostgreSQL store: the schema and crmsync's tables, transactions, and the lock.
#include "store/postgres/pg_store.h"

#include "store/identifier.h"

namespace crmsync::store::postgres {

using catalog::StorageClass;

StorageClass storage_of_sql_type(std::string_view t) {
  if (t == "boolean") return StorageClass::kBoolean;
  if (t == "bigint" || t == "integer" || t == "smallint") return StorageClass::kInteger;
  if (t.starts_with("numeric") || t == "double precision" || t == "real") return StorageClass::kReal;
  if (t == "date") return StorageClass::kDate;
  if (t.starts_with("timestamp")) return StorageClass::kDateTime;
  if (t.starts_with("time")) return StorageClass::kTime;
  return StorageClass::kText;
}

std::string id_index_name(std::string_view object) { return "crmsync_id_" + std::string(object); }

std::string PostgresStore::qualified(std::string_view name) const {
  return quote_identifier(schema_) + "." + quote_identifier(name);
}

Result<std::unique_ptr<Store>> PostgresStore::open(const OpenOptions& options) {
  if (!is_identifier(options.schema)) {
    return Error(ErrorKind::kConfig, "INVALID_VALUE",
                 "[store] schema = \"" + options.schema +
                     "\" is not accepted: a schema name must match [A-Za-z_][A-Za-z0-9_]*, e.g. \"salesforce\".");
  }
  auto conn = Connection::open(options);
  if (!conn) return conn.error();
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(*conn), options.schema));
  if (options.create_if_missing) CRMSYNC_TRY(store->create_schema());
  CRMSYNC_TRY(store->create_bookkeeping(options.create_if_missing));
  return std::unique_ptr<Store>(std::move(store));
}

Status PostgresStore::create_schema() {
  std::string context = "Cannot create the schema " + schema_ + " in " + conn_->where();
  auto found = conn_->exec("SELECT 1 FROM pg_namespace WHERE nspname = $1", {schema_}, context);
  if (!found) return found.error();
  if (PQntuples(found->get()) > 0) return ok_status();
  auto created = conn_->exec("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema_), context);
  if (created) return ok_status();
  std::string state = sqlstate_of(created.error());
  if (state == "42501") {
    auto user = conn_->exec("SELECT current_user, current_database()", context);
    std::string who = user ? text_of(user->get(), 0, 0) : "the store's user";
    std::string db = user ? text_of(user->get(), 0, 1) : "the database";
    return Error(ErrorKind::kStore, "PG_42501",
                 context + ": the PostgreSQL user " + who + " may not create schemas in the database " + db +
                     ". Create it for that user (CREATE SCHEMA " + schema_ + " AUTHORIZATION " + who +
                     "), grant the right (GRANT CREATE ON DATABASE " + db + " TO " + who +
                     "), or set [store] schema to a schema the user owns.");
  }
  if (state == "23505" || state == "42P06") return ok_status();  // another process created it just now
  return created.error();
}

Status PostgresStore::create_bookkeeping(bool create) {
  std::string context = "Cannot prepare crmsync's tables in the schema " + schema_ + " of " + conn_->where();
  // to_regclass is NULL for a table, or a whole schema, that does not exist.
  auto present = conn_->exec(
      "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL",
      {qualified("crmsync_meta"), qualified("crmsync_sync_state"), qualified("crmsync_export_ledger")}, context);
  if (!present) return present.error();
  if (text_of(present->get(), 0, 0) != "t" && !create) {
    return Error(ErrorKind::kNotFound, "STORE_NOT_FOUND",
                 "The schema " + schema_ + " of " + conn_->where() +
                     " holds no crmsync tables (or does not exist): no sync has written to it.");
  }
  if (text_of(present->get(), 0, 0) != "t") {
    // Serialised: two processes opening a new schema at once would race on CREATE TABLE.
    Status made = atomically(context, [&]() -> Status {
      CRMSYNC_TRY(conn_->run("SELECT pg_advisory_xact_lock(hashtext('crmsync bookkeeping'), hashtext('" + schema_ +
                                 "'))",
                             context));
      return conn_->run(
          "CREATE TABLE IF NOT EXISTS " + qualified("crmsync_meta") +
              " (key text PRIMARY KEY, value text);"
              "CREATE TABLE IF NOT EXISTS " +
              qualified("crmsync_sync_state") +
              " (object text PRIMARY KEY, watermark timestamptz, watermark_id text NOT NULL DEFAULT '',"
              " full_sync_done boolean NOT NULL DEFAULT false, last_run_started timestamptz,"
              " last_run_finished timestamptz, rows bigint NOT NULL DEFAULT 0, deleted bigint NOT NULL DEFAULT 0,"
              " api_calls bigint NOT NULL DEFAULT 0, last_error text, last_success timestamptz,"
              " formulas_refreshed timestamptz, pending_backfill text NOT NULL DEFAULT '',"
              " bulk_job_id text NOT NULL DEFAULT '', bulk_locator text NOT NULL DEFAULT '',"
              " bulk_window_end timestamptz);"
              "CREATE TABLE IF NOT EXISTS " +
              qualified("crmsync_export_ledger") +
              " (activity_id text PRIMARY KEY, sobject text NOT NULL, salesforce_id text NOT NULL DEFAULT '',"
              " content_hash text NOT NULL DEFAULT '', state text NOT NULL, operation text NOT NULL DEFAULT '',"
              " marker text NOT NULL DEFAULT '', updated_at timestamptz NOT NULL);"
              "INSERT INTO " +
              qualified("crmsync_meta") + " (key, value) VALUES ('schema_version', '" +
              std::to_string(kSchemaVersion) + "') ON CONFLICT (key) DO NOTHING",
          context);
    });
    CRMSYNC_TRY(made);
  }
  auto version = conn_->exec("SELECT value FROM " + qualified("crmsync_meta") + " WHERE key = 'schema_version'",
                             context);
  if (!version) return version.error();
  std::string found = PQntuples(version->get()) > 0 ? text_of(version->get(), 0, 0) : "";
  if (found != std::to_string(kSchemaVersion)) {
    return Error(ErrorKind::kStore, "SCHEMA_VERSION",
                 context + ": its crmsync schema version is '" + found + "' but this crmsync writes version " +
                     std::to_string(kSchemaVersion) + "; use the crmsync release that created it.");
  }
  return ok_status();
}

Status PostgresStore::atomically(std::string_view context, const std::function<Status()>& fn) {
  bool own = conn_->transaction() == PQTRANS_IDLE;
  CRMSYNC_TRY(conn_->run(own ? "BEGIN" : "SAVEPOINT crmsync_step", context));
  Status s = fn();
  if (!s) {
    (void)conn_->run(own ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT crmsync_step; RELEASE SAVEPOINT crmsync_step",
                     context);
    return s;
  }
  return conn_->run(own ? "COMMIT" : "RELEASE SAVEPOINT crmsync_step", context);
}

Status PostgresStore::begin() {
  if (conn_->transaction() != PQTRANS_IDLE) {
    return Error(ErrorKind::kInternal, "TRANSACTION_OPEN",
                 "begin() was called while a transaction is already open on " + conn_->where() +
                     "; commit or roll back first.");
  }
  return conn_->run("BEGIN", "Cannot begin a transaction");
}

Status PostgresStore::commit() {
  PGTransactionStatusType t = conn_->transaction();
  if (t == PQTRANS_IDLE) {
    return Error(ErrorKind::kInternal, "NO_TRANSACTION",
                 "commit() was called with no open transaction on " + conn_->where() + ".");
  }
  if (t == PQTRANS_INERROR) {
    (void)conn_->run("ROLLBACK", "Cannot roll back");
    return Error(ErrorKind::kStore, "PG_TRANSACTION_FAILED",
                 "Cannot commit: a statement of this transaction failed, so PostgreSQL rolled it back (" +
                     conn_->where() + ").");
  }
  return conn_->run("COMMIT", "Cannot commit");
}

Status PostgresStore::rollback() {
  PGTransactionStatusType t = conn_->transaction();
  if (t != PQTRANS_INTRANS && t != PQTRANS_INERROR) return ok_status();
  return conn_->run("ROLLBACK", "Cannot roll back");
}

namespace {

class AdvisoryLock final : public WriterLock {
 public:
  AdvisoryLock(std::unique_ptr<Connection> conn, std::string schema) : conn_(std::move(conn)), schema_(std::move(schema)) {}
  // Unlocked before the session closes: the server ends a closed session asynchronously, so a sync
  // started right after this one (the next run of a schedule, a test) could still find it held. When
  // the process dies the server drops the lock with the session.
  ~AdvisoryLock() override {
    (void)conn_->exec("SELECT pg_advisory_unlock(hashtext('crmsync sync'), hashtext($1))", {schema_},
                      "Cannot unlock the schema " + schema_);
  }

 private:
  std::unique_ptr<Connection> conn_;
  std::string schema_;
};

}  // namespace

Result<std::unique_ptr<WriterLock>> lock_schema(const OpenOptions& options) {
  auto conn = Connection::open(options);
  if (!conn) return conn.error();
  std::string context = "Cannot lock the schema " + options.schema + " of " + (*conn)->where();
  // Advisory locks are per database; the key is the schema, so one database holds many orgs.
  auto got = (*conn)->exec("SELECT pg_try_advisory_lock(hashtext('crmsync sync'), hashtext($1))", {options.schema},
                           context);
  if (!got) return got.error();
  if (text_of(got->get(), 0, 0) != "t") {
    return Error(ErrorKind::kStore, "STORE_LOCKED",
                 "another crmsync sync is running against the schema " + options.schema + " of " +
                     (*conn)->where() +
                     " (it holds the advisory lock crmsync takes for it); wait for it to finish, or stop it, then "
                     "run again.");
  }
  return std::unique_ptr<WriterLock>(new AdvisoryLock(std::move(*conn), options.schema));
}

}  // namespace crmsync::store::postgres
