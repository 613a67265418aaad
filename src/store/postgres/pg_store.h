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
//   crmsync_columns          each column's catalog field type (REFERENCE, STRING, ...), for readers
//   crmsync_meta             key/value: schema_version for later migrations, what Store::put_meta
//                            keeps (org_id, ...), each searched object's indexed columns
//                            ("search_columns:<Object>")
// A searched table also has "crmsync_search", a generated tsvector column, and its GIN index
// crmsync_search_<Object> (pg_search.cpp).
//   crmsync_edit_log         one row per field a signed-in person edited through crmsync serve
//                            (made at the first edit)
//
// Writes (docs/decisions.md, "PostgreSQL store"): a first full load streams its pages with
// COPY ... FROM STDIN into the table without its Id index, built at the load's end; every other
// batch is COPYed into a temporary staging table and merged with one
// INSERT ... SELECT ... ON CONFLICT ("Id") DO UPDATE. Readers see committed transactions only
// (MVCC), so they never wait for the sync and never see part of a page; `crmsync serve` reads
// through open_reader (pg_reader.cpp), one REPEATABLE READ READ ONLY transaction per snapshot.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace crmsync::store::postgres {

inline constexpr int kSchemaVersion = 1;

// A column of a table as the server has it: its name, format_type() spelling and the field type
// crmsync recorded for it (crmsync_columns), if any. The generated search column is not listed.
struct TableColumn {
  std::string name;
  std::string sql_type;
  std::optional<catalog::FieldType> field_type = std::nullopt;
};

// kConfig INVALID_VALUE for a [store] schema that is not a plain identifier.
Status check_schema_name(const std::string& schema);

// Reads shared by the store and its read-only snapshots (pg_read.cpp), on `conn` in the `schema`.
std::string qualified(const std::string& schema, std::string_view name);  // "schema"."name"
Result<std::vector<TableColumn>> read_table_columns(Connection& conn, const std::string& schema, std::string_view object);
// Streams the rows of `sql` (single-row mode) to `on_row`; an error from it stops the scan.
Status scan_rows(Connection& conn, const std::string& sql, std::string_view context,
                 const std::function<Status(const PGresult* row)>& on_row);
// As Store::scan (kNotFound NO_SUCH_TABLE for a missing table); with `only_id`, the row whose Id
// it is (none when there is no such row).
Status scan_table(Connection& conn, const std::string& schema, std::string_view table,
                  const std::vector<std::string>& columns, const Store::RowCallback& on_row,
                  std::optional<std::string_view> only_id = std::nullopt);
Result<std::vector<SyncState>> read_all_states(Connection& conn, const std::string& schema);
// crmsync_meta's value of `key` (std::nullopt for a key never put).
Result<std::optional<std::string>> read_meta(Connection& conn, const std::string& schema, std::string_view key);
// ReadSnapshot::search over the object's search column (pg_search.cpp), in two steps: the query
// for the object and title columns (it depends on the indexed columns and the table's, which only a
// sync changes: readers keep it while the store's version stays the same; empty when the object has
// no search index), then running it for the request's words.
Result<std::string> search_sql(Connection& conn, const std::string& schema, const SearchRequest& request);
// The hits of several searches (search_sql's statement for each request, empty for an object
// without an index) in one statement: each request's hits in request order, best first.
Result<std::vector<SearchHit>> run_searches(Connection& conn, const std::vector<std::string>& sqls,
                                            const std::vector<SearchRequest>& requests);
// Read-only snapshots of a schema (pg_reader.cpp).
Result<std::unique_ptr<StoreReader>> open_reader(const OpenOptions& options);
// "crmsync_search": the generated tsvector column of a searchable table; its GIN index is
// "crmsync_search_<Object>".
inline constexpr const char* kSearchColumn = "crmsync_search";
std::string search_index_name(std::string_view object);

class PostgresStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> open(const OpenOptions& options);

  Status ensure_table(std::string_view object, const std::vector<Column>& columns) override;
  Result<std::unique_ptr<TableWriter>> writer(std::string_view object, const std::vector<Column>& columns,
                                              WriteMode mode = WriteMode::kUpsert) override;
  Result<bool> begin_append(std::string_view object) override;
  Status ensure_id_index(std::string_view object) override;
  Result<bool> has_id_index(std::string_view object) override;
  Status replace_table(std::string_view object, std::string_view replacement) override;

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
  Status ensure_search_index(std::string_view object, const std::vector<std::string>& columns) override;
  Result<std::vector<EditLogEntry>> edit_log() override;
  Status put_edit_log(const EditLogEntry& entry) override;

 private:
  PostgresStore(std::unique_ptr<Connection> conn, std::string schema)
      : conn_(std::move(conn)), schema_(std::move(schema)) {}
  Status create_schema();
  // crmsync's own tables, created when missing if `create`; else their absence is kNotFound
  // STORE_NOT_FOUND (OpenOptions::create_if_missing).
  Status create_bookkeeping(bool create);
  std::string qualified(std::string_view name) const { return postgres::qualified(schema_, name); }
  Result<std::vector<TableColumn>> table_columns(std::string_view object) {
    return read_table_columns(*conn_, schema_, object);
  }
  // Records the columns' field types in crmsync_columns (within the caller's transaction).
  Status record_columns(std::string_view object, const std::vector<Column>& columns);
  // Builds the GIN index of the table's search column when it has the column and not the index.
  Status ensure_search_gin(std::string_view object);
  Status ensure_table_in_savepoint(std::string_view object, const std::vector<Column>& columns);
  Result<std::optional<std::string>> find_id_index(std::string_view object);
  Error no_such_table(std::string_view object) const;
  // Runs `fn` inside a savepoint (or a transaction of its own when none is open): all or nothing.
  Status atomically(std::string_view context, const std::function<Status()>& fn);

  std::unique_ptr<Connection> conn_;
  std::string schema_;
  // The temporary staging table of each (table, columns) pair that upserts: crmsync_stage_<n>.
  std::unordered_map<std::string, int> stages_;
};

// The select-list expression that reads a column back in the store's text formats.
std::string read_expression(const TableColumn& c);
// A value of a text-format result as dump() and scan() type it.
Value read_value(const PGresult* r, int row, int col, catalog::StorageClass storage);
// The storage class a column of this PostgreSQL type reads back as.
catalog::StorageClass storage_of_sql_type(std::string_view sql_type);
// "crmsync_id_<object>": the name of a table's unique index on Id.
std::string id_index_name(std::string_view object);

// The WriterLock of a schema: pg_try_advisory_lock on a connection of its own.
Result<std::unique_ptr<WriterLock>> lock_schema(const OpenOptions& options);

}  // namespace crmsync::store::postgres
