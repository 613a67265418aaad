// The SQLite backend of store::Store (url "sqlite:PATH"). Internal to src/store: other modules use
// store/store.h and Store::open.
//
// Layout of a database file (readable with the sqlite3 shell):
//   <Object>            one table per object: "Id" TEXT NOT NULL, one column per field, and the
//                       unique index crmsync_id_<Object> on "Id" (absent while a first full load
//                       appends; tables made before that mode have "Id" TEXT PRIMARY KEY instead)
//   crmsync_sync_state  one row per object: watermark and last-run figures, times as ISO-8601 UTC
//   crmsync_columns     the storage class of each column crmsync created (so that booleans and
//                       dates read back as what they are; SQLite keeps only INTEGER/REAL/TEXT)
//   crmsync_meta        key/value; schema_version for later migrations
//   crmsync_export_ledger  one row per exported activity (crmsync export)
//
// Write speed is bound by random-Id upserts into the Id index (docs: performance-notes.md): the WAL
// is checkpointed every `wal_autocheckpoint_pages` rather than SQLite's default 1,000 pages, the
// caller should commit large batches (several pages of rows with their watermark), and a first full
// load appends without the index, which is built once at its end (sqlite_id_index.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/store.h"

namespace crmsync::store::sqlite {

struct SqliteOptions {
  int busy_timeout_ms = 10000;              // wait this long for another writer before SQLITE_BUSY
  int wal_autocheckpoint_pages = 100000;    // ~400 MiB of WAL between checkpoints (4 KiB pages)
  std::int64_t cache_kib = 16 * 1024;       // page cache; not the bottleneck (performance-notes.md), kept small
                                            // so a sync stays under 100 MB whatever the org size
  std::int64_t journal_size_limit = 64 << 20;  // WAL file is truncated back to this after a checkpoint
  int sorter_threads = 2;                   // PRAGMA threads: helpers for the sort that builds an Id index
  bool create_if_missing = true;            // false: a missing file is kNotFound STORE_NOT_FOUND
};

// The schema version this code writes into crmsync_meta.
inline constexpr int kSchemaVersion = 1;

// A column of a table as SQLite declares it, with what crmsync recorded of it.
struct TableColumn {
  std::string name;
  std::string sql_type;                           // as declared: INTEGER, REAL, TEXT
  std::optional<catalog::StorageClass> storage;   // from crmsync_columns, when crmsync made it
  std::optional<catalog::FieldType> field_type;   // from crmsync_columns, when the sync recorded it
};

// Reads shared by the store and its read-only snapshots (sqlite_read.cpp, sqlite_search.cpp).
Result<std::vector<TableColumn>> read_table_columns(const std::shared_ptr<Connection>& conn, std::string_view object);
// Every row of the table, or with `only_id` the row whose Id it is (none when there is no such row).
Status scan_table(const std::shared_ptr<Connection>& conn, std::string_view table,
                  const std::vector<std::string>& columns, const Store::RowCallback& on_row,
                  std::optional<std::string_view> only_id = std::nullopt);
Result<std::vector<SyncState>> read_all_states(const std::shared_ptr<Connection>& conn);
Result<std::optional<std::string>> read_meta(const std::shared_ptr<Connection>& conn, std::string_view key);
Result<std::vector<SearchHit>> search_table(const std::shared_ptr<Connection>& conn, const SearchRequest& request);
// Read-only snapshots of the store at `path` (sqlite_reader.cpp).
std::unique_ptr<StoreReader> open_reader(std::string_view path);
// The statements that index the rows a write adds to `object`, when it has a search index (else
// both stay null): SELECT of the highest rowid, and INSERT ... SELECT of the rows above ?1.
Status prepare_search_statements(const std::shared_ptr<Connection>& conn, std::string_view object,
                                 std::unique_ptr<Statement>& max_rowid, std::unique_ptr<Statement>& index_added);
// "crmsync_search_<object>": the FTS5 table of an object's search index.
std::string search_table_name(std::string_view object);

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> open(std::string_view path, const SqliteOptions& options = {});

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
  Status ensure_search_index(std::string_view object, const std::vector<std::string>& columns) override;

  // Prepared statements shared by the writers of one (table, columns) pair.
  struct WriterStatements {
    std::string table;
    std::vector<Column> columns;
    std::size_t id_index = 0;
    bool append = false;  // `write` is a plain INSERT (the table has no Id index); remove() is refused
    Statement write;      // the upsert, or the INSERT when appending
    Statement remove;
    // The table's search index (sqlite_search.cpp), when it has one: rows a write added (rowids above
    // the table's highest before it) are indexed by one INSERT ... SELECT after each batch.
    std::unique_ptr<Statement> max_rowid;
    std::unique_ptr<Statement> index_added;
  };

 private:
  explicit SqliteStore(std::shared_ptr<Connection> conn) : conn_(std::move(conn)) {}
  Status configure(const SqliteOptions& options);
  Status create_bookkeeping();
  Result<Statement> prepare(std::string_view sql, std::string_view context) {
    return Statement::prepare(conn_, sql, context);
  }
  Result<Statement*> cached(std::unique_ptr<Statement>& slot, std::string_view sql, std::string_view context);
  Result<std::vector<TableColumn>> table_columns(std::string_view object) { return read_table_columns(conn_, object); }
  Status ensure_table_in_savepoint(std::string_view object, const std::vector<Column>& columns, bool& changed);
  void invalidate_writers(std::string_view object);
  // NO_SUCH_TABLE for a write to a table ensure_table() has not created.
  Error no_such_table(std::string_view object) const;
  // The unique single-column index on Id of a table, if it has one: its name and origin
  // ("c": CREATE INDEX, "pk": the PRIMARY KEY of older stores, "u": a UNIQUE constraint).
  struct IdIndex {
    std::string name;
    std::string origin;
  };
  Result<std::optional<IdIndex>> find_id_index(std::string_view object);

  std::shared_ptr<Connection> conn_;
  Status migrate_state_table();
  Status migrate_columns_table();
  std::unique_ptr<Statement> begin_, commit_, rollback_, load_state_, save_state_;
  std::unique_ptr<Statement> put_ledger_;
  std::unique_ptr<Statement> find_id_index_;

  // Keyed by table and column list; dropped for a table whenever its schema changes.
  std::unordered_map<std::string, std::shared_ptr<WriterStatements>> writers_;
};

// The SQL column type for a storage class (BOOLEAN -> INTEGER 0/1, dates and times -> TEXT).
const char* sql_type_of(catalog::StorageClass storage);
// "crmsync_id_<object>": the name of a table's unique index on Id (the crmsync_ prefix is reserved,
// so it cannot meet an object's table, which shares SQLite's namespace with indexes).
std::string id_index_name(std::string_view object);
// "boolean", "integer", "real", "text", "date", "datetime", "time" (as kept in crmsync_columns).
const char* storage_name(catalog::StorageClass storage);
std::optional<catalog::StorageClass> parse_storage_name(std::string_view name);

// The WriterLock of the database at `db_path`: flock on "<db_path>.lock" (`url` names it in errors).
Result<std::unique_ptr<WriterLock>> lock_file(const std::string& db_path, std::string_view url);

}  // namespace crmsync::store::sqlite
