// The PostgreSQL backend of store::Store (url "postgresql://user@host:port/dbname", the org's
// tables in one schema, [store] schema, default "salesforce"). Internal to src/store: other
// modules use store/store.h and Store::open.
//
// Layout of a schema (plain SQL for anyone reading it):
//   "<Object>"               one table per object: "Id" text NOT NULL, one typed column per field
//                            (catalog::postgresql_type: boolean, bigint, numeric, text, date,
//                            timestamp with time zone, time), and the unique index
//                            crmsync_id_<Object> on "Id" (absent while a first full load appends)
//   crmsync_sync_state       one row per object: watermark and last-run figures (timestamptz)
//   crmsync_export_ledger    one row per exported activity (crmsync export)
//   crmsync_meta             key/value; schema_version for later migrations
//
// Writes (docs/decisions.md, "PostgreSQL store"): a first full load streams its pages with
// COPY ... FROM STDIN into the table without its Id index, built at the load's end; every other
// batch is COPYed into a temporary staging table and merged with one
// INSERT ... SELECT ... ON CONFLICT ("Id") DO UPDATE. Readers see committed transactions only
// (MVCC), so they never wait for the sync and never see part of a page.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace crmsync::store::postgres {

inline constexpr int kSchemaVersion = 1;

class PostgresStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> open(const OpenOptions& options);

  Status ensure_table(std::string_view object, const std::vector<Column>& columns) override;
  Result<std::unique_ptr<TableWriter>> writer(std::string_view object, const std::vector<Column>& columns,
                                              WriteMode mode = WriteMode::kUpsert) override;
  Result<bool> begin_append(std::string_view object) override;
  Status ensure_id_index(std::string_view object) override;
  Result<bool> has_id_index(std::string_view object) override;

  Status begin() override;
  Status commit() override;
  Status rollback() override;

  Result<std::optional<SyncState>> load_state(std::string_view object) override;
  Status save_state(const SyncState& state) override;
  Result<std::vector<SyncState>> all_states() override;

  Result<std::int64_t> count_rows(std::string_view object) override;
  Status for_each_id(std::string_view object, bool skip_deleted,
                     const std::function<Status(std::string_view id)>& fn) override;
  Result<std::vector<std::vector<std::pair<std::string, Value>>>> dump(std::string_view object) override;
  Result<std::vector<std::string>> columns(std::string_view object) override;
  Status scan(std::string_view table, const std::vector<std::string>& columns, const RowCallback& on_row) override;
  Status put_meta(std::string_view key, std::string_view value) override;
  Result<std::optional<std::string>> meta(std::string_view key) override;
  Result<std::vector<ExportLedgerEntry>> export_ledger() override;
  Status put_export_ledger(const ExportLedgerEntry& entry) override;

  // A column of a table as the server has it: its name and format_type() spelling.
  struct TableColumn {
    std::string name;
    std::string sql_type;
  };

 private:
  PostgresStore(std::unique_ptr<Connection> conn, std::string schema)
      : conn_(std::move(conn)), schema_(std::move(schema)) {}
  Status create_schema();
  // crmsync's own tables, created when missing if `create`; else their absence is kNotFound
  // STORE_NOT_FOUND (OpenOptions::create_if_missing).
  Status create_bookkeeping(bool create);
  // "schema"."name"
  std::string qualified(std::string_view name) const;
  Result<std::vector<TableColumn>> table_columns(std::string_view object);
  Status ensure_table_in_savepoint(std::string_view object, const std::vector<Column>& columns);
  Result<std::optional<std::string>> find_id_index(std::string_view object);
  Error no_such_table(std::string_view object) const;
  // Runs `fn` inside a savepoint (or a transaction of its own when none is open): all or nothing.
  Status atomically(std::string_view context, const std::function<Status()>& fn);
  // Streams the rows of `sql` (single-row mode) to `on_row`; an error from it stops the scan.
  Status scan_rows(const std::string& sql, std::string_view context,
                   const std::function<Status(const PGresult* row)>& on_row);
  // The select-list expression that reads a column back in the store's text formats.
  static std::string read_expression(const TableColumn& c);

  std::unique_ptr<Connection> conn_;
  std::string schema_;
  // The temporary staging table of each (table, columns) pair that upserts: crmsync_stage_<n>.
  std::unordered_map<std::string, int> stages_;
};

// The storage class a column of this PostgreSQL type reads back as.
catalog::StorageClass storage_of_sql_type(std::string_view sql_type);
// "crmsync_id_<object>": the name of a table's unique index on Id.
std::string id_index_name(std::string_view object);

// The WriterLock of a schema: pg_try_advisory_lock on a connection of its own.
Result<std::unique_ptr<WriterLock>> lock_schema(const OpenOptions& options);

}  // namespace crmsync::store::postgres
