// The local store: one table per synced object (named exactly as the object's API name, one typed
// column per synced field named exactly as its API name, unique on Id), plus crmsync's own
// bookkeeping table `crmsync_sync_state` holding each object's watermark. SQLite is the embedded
// default (url "sqlite:PATH"); PostgreSQL (url "postgresql://user@host:port/db", the tables in one
// schema per org) is the shared one behind the same interface.
//
// Crash safety rests on transactions: a page's rows and the watermark that follows them are
// written between begin() and commit(); a failure before commit leaves the store as it was.
// A Store and its writers are used by one thread at a time.
//
//   auto store = Store::open("sqlite:crmsync.db");       // or Store::open(OpenOptions{url, schema, password})
//   (*store)->ensure_table("Account", columns);
//   (*store)->begin();
//   auto w = (*store)->writer("Account", columns);
//   (*w)->upsert(row);  ...  (*store)->save_state(state);  (*store)->commit();
//
// A first full load may append instead (random-Id upserts are bound by the Id index, rewritten at
// every commit): begin_append() drops an empty table's Id index, writers in WriteMode::kAppend
// INSERT plainly while it is missing, and ensure_id_index() builds it once the load is read. Every
// other write builds the index first, so only appends ever run without it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "common/timeutil.h"
#include "store/row_buffer.h"  // Value, RowBuffer

namespace crmsync::store {

struct Column {
  std::string name;
  catalog::StorageClass type;
  // The field's catalog type, recorded with the column (crmsync_columns.field_type) so that readers
  // can tell a REFERENCE from a STRING, which share a storage class; unset where nobody knows.
  std::optional<catalog::FieldType> field_type = std::nullopt;
};


// Per-object sync bookkeeping, kept in crmsync_sync_state.
struct SyncState {
  std::string object;
  std::optional<EpochMs> watermark;  // the highest modstamp committed so far
  std::string watermark_id;          // the Id of the last row at that watermark (tie-break)
  bool full_sync_done = false;       // the first full load has completed
  EpochMs last_run_started = 0;
  EpochMs last_run_finished = 0;
  std::int64_t rows = 0;             // rows in the object's table after the last run
  std::int64_t deleted = 0;          // rows removed locally over the last run
  std::int64_t api_calls = 0;        // API calls the last run spent on this object
  std::string last_error;            // empty when the last run succeeded
  EpochMs last_success = 0;          // when the last run that ended without error finished (0: never)
  EpochMs formulas_refreshed = 0;    // when formula fields were last re-read in full (0: never)
  std::string pending_backfill;      // comma-separated fields added to the table whose old rows still
                                     // need their values (schema drift); empty when none
  // A Bulk API full load under way (empty when none): its query job, the results locator after the
  // last committed page ("null": every page committed) and the end of the job's time window (the
  // watermark once the job is read). Saved with the rows, so a run cut short resumes the job.
  std::string bulk_job_id;
  std::string bulk_locator;
  std::optional<EpochMs> bulk_window_end;
};

// One row of crmsync_export_ledger: what `crmsync export` wrote for one activity, so that a rerun
// creates nothing twice. `state` is "pending" (the intent, recorded before the write), "written",
// "deleted" or "failed". `marker` is the idempotency key the record carries (see docs/export.md).
struct ExportLedgerEntry {
  std::string activity_id;
  std::string sobject;        // Task | Event
  std::string salesforce_id;  // empty until Salesforce answered with one
  std::string content_hash;   // of the fields last written (or about to be, while pending)
  std::string state;
  std::string operation;      // the pending or last operation: create | update | upsert | delete
  std::string marker;
  EpochMs updated_at = 0;
};

// One row of crmsync_edit_log: one field a signed-in person asked `crmsync serve` to change, and
// what Salesforce answered (admins read the table with SQL; docs/api.md lists its columns).
struct EditLogEntry {
  EpochMs at = 0;
  std::string user_id;    // who asked (the signed-in person's Salesforce user id)
  std::string username;
  std::string object;     // Opportunity
  std::string record_id;
  std::string field;
  std::string before;     // the value the store held, as JSON ("null", "1200.5", "\"Prospecting\"")
  std::string after;      // the value asked for, as JSON
  int status = 0;         // Salesforce's HTTP status: 204 accepted, 400/403/404/412 refused; 0 none (unreachable)
  std::string outcome;    // "accepted", or Salesforce's errorCode (FIELD_CUSTOM_VALIDATION_EXCEPTION, ...)
  std::string message;    // Salesforce's message when refused
};

// "crmsync_reload_<object>": the table `crmsync sync --full-refresh` loads an object into while the
// object's own table stays readable, until replace_table() swaps it in. It lives in the store's
// reserved namespace (crmsync_), so it never meets an object's table.
inline constexpr std::string_view kReloadTablePrefix = "crmsync_reload_";
std::string reload_table_name(std::string_view object);

// How a writer writes (Store::writer). kUpsert: INSERT ... ON CONFLICT("Id") DO UPDATE, after
// building the table's Id index if it lacks one. kAppend: plain INSERTs while the table has no Id
// index (see begin_append: an Id written twice is then held twice, until ensure_id_index keeps its
// last write), upserts as kUpsert does once it has one.
enum class WriteMode { kUpsert, kAppend };

// Upserts or deletes rows of one table through prepared statements. Valid until the store's
// next ensure_table() or destruction (the SQLite writer tolerates both, but do not rely on it).
// Values must fit their column's storage class (NULL fits any; an integer also fits REAL); a
// mismatch is refused with kInternal naming the column. Removing an absent Id is not an error.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // `values` follows the column order given to Store::writer(); values[k] for column k.
  virtual Status upsert(std::span<const Value> values) = 0;
  // Every row of `rows` (its cells follow the column order given to Store::writer()), in order;
  // stops at the first error. Text is bound from the buffer without a copy.
  virtual Status upsert_rows(const RowBuffer& rows);
  virtual Status remove(std::string_view id) = 0;
};

// Where a store is. `schema` and `password` matter to PostgreSQL only.
inline constexpr std::string_view kDefaultSchema = "salesforce";
struct OpenOptions {
  // "sqlite:PATH", or a libpq connection URI "postgresql://user@host:port/dbname?sslmode=..."
  // ("postgres://" too). A password in the URI is used but never echoed (mask_url_credentials).
  std::string url;
  std::string schema = std::string(kDefaultSchema);  // created if missing; holds every table of the org
  // Used when not empty ([store] password, i.e. CRMSYNC_STORE_PASSWORD); else libpq's own sources,
  // PGPASSWORD and ~/.pgpass. A secret: never logged.
  std::string password;
  // false: a store no sync has made yet (no SQLite file; no schema or no crmsync tables in it on
  // PostgreSQL) is kNotFound STORE_NOT_FOUND instead of being created empty: `crmsync status`
  // reads what a sync wrote and leaves nothing behind.
  bool create_if_missing = true;
};

// "postgresql://..." or "postgres://..." (mask_url_credentials in common/text.h masks its password).
bool is_postgres_url(std::string_view url);

// The one process that writes a store (crmsync sync) holds this while it runs; another asking gets
// kStore STORE_LOCKED. Released when destroyed or when the process dies, SIGKILL included: SQLite
// takes flock(2) on "<path>.lock", PostgreSQL a session-level advisory lock keyed by the schema
// (per database), held by a connection of its own.
class WriterLock {
 public:
  virtual ~WriterLock() = default;
  // Errors: kStore STORE_LOCKED (the message says who holds it and what to do), or why the lock
  // could not be taken (a lock file that cannot be created, a server that cannot be reached).
  static Result<std::unique_ptr<WriterLock>> acquire(const OpenOptions& options);
};

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite:PATH" (the file is created if missing) or a PostgreSQL URI (the schema and crmsync's
  // tables are created if missing), unless options.create_if_missing is false. Errors: kConfig for
  // an unknown scheme, kNotFound STORE_NOT_FOUND (see OpenOptions), kStore when the database cannot
  // be opened (for PostgreSQL: an unreachable server, a refused password, a missing database, no
  // right to create the schema; each message names the fix). Messages repeat the url with its
  // credentials masked.
  static Result<std::unique_ptr<Store>> open(const OpenOptions& options);
  static Result<std::unique_ptr<Store>> open(std::string_view url) { return open(OpenOptions{std::string(url)}); }

  // Creates the table if missing (unique index on Id) and adds any missing columns; existing
  // columns and their data are kept, and so is a missing Id index (a load appending without it).
  virtual Status ensure_table(std::string_view object, const std::vector<Column>& columns) = 0;
  // A kUpsert writer (and any writer's remove()) builds the Id index first when the table lacks it.
  virtual Result<std::unique_ptr<TableWriter>> writer(std::string_view object, const std::vector<Column>& columns,
                                                      WriteMode mode = WriteMode::kUpsert) = 0;

  // A first full load is about to write into `object` (an existing table): when it holds no rows,
  // its Id index is dropped so that kAppend writers INSERT without maintaining it. True when the
  // table is now without its Id index (just dropped, or left so by a load cut short: that load
  // goes on appending); false when it keeps it (it has rows, or it is a table whose Id is its
  // PRIMARY KEY, as stores made before this mode have). Within the caller's transaction.
  virtual Result<bool> begin_append(std::string_view object) = 0;
  // Builds the unique Id index of a table that lacks it; an Id held more than once (a load that
  // appended, was cut short and read some rows again) keeps its last write. A no-op when the
  // index is there. Within the caller's transaction.
  virtual Status ensure_id_index(std::string_view object) = 0;
  // Whether the table has its unique Id index (false for a missing table). Reads work either way;
  // lookups by Id without it scan the table.
  virtual Result<bool> has_id_index(std::string_view object) = 0;

  // Within the caller's transaction: drops `object`'s table (when there is one) and renames
  // `replacement` (its reload table) to `object`, with its columns' storage classes and its Id
  // index (built when the replacement lacks it). The old table's search index goes with it: call
  // ensure_search_index(object, ...) next, in the same transaction. Readers see the old table
  // until the commit, then the new one. kNotFound NO_SUCH_TABLE when `replacement` does not exist.
  virtual Status replace_table(std::string_view object, std::string_view replacement) = 0;

  // begin() while a transaction is open and commit() without one are kInternal errors;
  // rollback() without one is a no-op, so error paths may always call it.
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual Status rollback() = 0;

  virtual Result<std::optional<SyncState>> load_state(std::string_view object) = 0;
  virtual Status save_state(const SyncState& state) = 0;  // within the caller's transaction
  virtual Result<std::vector<SyncState>> all_states() = 0;

  virtual Result<std::int64_t> count_rows(std::string_view object) = 0;
  // Calls `fn` with the Id of every row of a table, in no particular order; with skip_deleted, rows
  // whose IsDeleted is already 1 are left out (when the table has that column). Streams: no row
  // is held. `fn` must not write to the store; an error from it stops the scan and is returned.
  virtual Status for_each_id(std::string_view object, bool skip_deleted,
                             const std::function<Status(std::string_view id)>& fn) = 0;
  // Every row of a table as name -> value maps, ordered by Id (tests and status; not for big tables).
  virtual Result<std::vector<std::vector<std::pair<std::string, Value>>>> dump(std::string_view object) = 0;
  // Column names of a table as the store has them (empty when the table does not exist).
  virtual Result<std::vector<std::string>> columns(std::string_view object) = 0;

  // Streams `columns` of every row of a table, in no particular order, to `on_row` (values[k] for
  // columns[k], typed as dump() types them; the span is valid during the call only). An error from
  // on_row stops the scan and is returned. kNotFound for a missing table, kConfig for a column the
  // table lacks (check columns() first for optional ones).
  using RowCallback = std::function<Status(std::span<const Value> values)>;
  virtual Status scan(std::string_view table, const std::vector<std::string>& columns, const RowCallback& on_row) = 0;

  // Keeps the full-text index of `object` (searched through ReadSnapshot::search) over `columns`
  // (text columns of the table) up to date from now on, in the same transaction as every later
  // write of the table, deletes and IsDeleted marks included (rows with IsDeleted = 1 are left
  // out of it). A changed column list rebuilds the index from the table's rows; an empty list drops
  // it. Within the caller's transaction. The default does nothing (a backend without full-text
  // search: ReadSnapshot::search answers kUnsupported there).
  virtual Status ensure_search_index(std::string_view object, const std::vector<std::string>& columns);

  // crmsync_meta: facts about the org the store mirrors and the sync's own small records, by key
  // (kInstanceUrlKey: the org's instance URL, which the sync records for the boards' links; the
  // schedule of `crmsync sync --every`; the last record-visibility check). put_meta runs within the
  // caller's transaction when one is open; meta answers std::nullopt for a key never put.
  virtual Status put_meta(std::string_view key, std::string_view value) = 0;
  virtual Result<std::optional<std::string>> meta(std::string_view key) = 0;

  // crmsync_export_ledger, ordered by activity id. put_export_ledger runs within the caller's transaction when
  // one is open.
  virtual Result<std::vector<ExportLedgerEntry>> export_ledger() = 0;
  virtual Status put_export_ledger(const ExportLedgerEntry& entry) = 0;

  // crmsync_edit_log (made at the first entry), in the order written. put_edit_log runs within the
  // caller's transaction when one is open.
  virtual Result<std::vector<EditLogEntry>> edit_log() = 0;
  virtual Status put_edit_log(const EditLogEntry& entry) = 0;
};

// The crmsync_meta key of the org's instance URL (https://yourorg.my.salesforce.com), put by the sync.
inline constexpr std::string_view kInstanceUrlKey = "instance_url";
// The crmsync_meta key of the org's Id (00D...), put by the sync: `crmsync serve` lets only this
// org's people sign in.
inline constexpr std::string_view kOrgIdKey = "org_id";

// Whether `kind` (a RowBuffer cell) may be written to a column of `storage` (NULL fits any column;
// an integer also fits REAL), and the kind's name for messages ("null", "bool", ...).
bool fits(catalog::StorageClass storage, RowBuffer::Kind kind);
const char* kind_name(RowBuffer::Kind kind);

// ---- Reading while syncs write ------------------------------------------------------------------

// A column of a table as readers see it.
struct ColumnInfo {
  std::string name;
  catalog::StorageClass storage;
  std::optional<catalog::FieldType> field_type;  // unset for columns no crmsync sync recorded
};

// What one full-text search asks of one object: the words (each a prefix; every one must match),
// the columns whose values make a hit's title (joined by spaces), and at most `limit` hits.
struct SearchRequest {
  std::string object;
  std::vector<std::string> words;
  std::vector<std::string> title_columns;
  int limit = 10;
};

struct SearchHit {
  std::string object;
  std::string id;
  std::string title;
  std::string snippet;  // plain text around the first match ("..." where cut), no markup
  double rank = 0;      // lower is better (bm25 in SQLite, -ts_rank in PostgreSQL), within one object only
};

// One consistent read of the store: every call sees the same committed state (the last commit
// before the snapshot's first read), whatever a sync commits meanwhile. Not thread-safe: one
// request, one snapshot. Destroying it ends the read.
class ReadSnapshot {
 public:
  virtual ~ReadSnapshot() = default;
  // As Store::scan. kNotFound (NO_SUCH_TABLE) for a missing table.
  virtual Status scan(std::string_view table, const std::vector<std::string>& columns,
                      const Store::RowCallback& on_row) = 0;
  // As scan, for the row whose Id is `id` only: on_row is called once, or never when there is no
  // such row. The default scans the whole table; SQLite looks the row up through the Id index.
  virtual Status find(std::string_view table, std::string_view id, const std::vector<std::string>& columns,
                      const Store::RowCallback& on_row);
  // The table's columns (empty when it does not exist).
  virtual Result<std::vector<ColumnInfo>> columns(std::string_view table) = 0;
  virtual Result<std::vector<SyncState>> sync_states() = 0;
  // As Store::meta. The default answers std::nullopt (a backend that does not read it yet).
  virtual Result<std::optional<std::string>> meta(std::string_view key);
  // Hits for one object, best first; rows with IsDeleted = 1 never. An empty answer when the object
  // has no index. kUnsupported where the backend has no full-text search.
  virtual Result<std::vector<SearchHit>> search(const SearchRequest& request) = 0;
  // Several objects' searches in one go (the API's box asks five): each request's hits as search()
  // answers them, one request after the other. The default calls search() for each; PostgreSQL
  // sends one statement, so that a search box costs one round trip to the server, not five.
  virtual Result<std::vector<SearchHit>> search_all(const std::vector<SearchRequest>& requests);
  // Changes whenever a sync commits (it is crmsync_sync_state's content, which every commit of a
  // sync writes: each page's watermark, each run's end), and is the same for the same committed
  // state on any connection: readers may keep what they computed from a snapshot while it stays
  // the same. A write that leaves crmsync_sync_state alone is not seen here.
  virtual Result<std::string> version() = 0;
};

// Opens snapshots of a store, read-only, from any thread (each snapshot on its own connection).
// A store no sync has made yet (no SQLite file; no schema or no crmsync tables in it on PostgreSQL)
// is not an error here: snapshot() then answers kNotFound STORE_NOT_FOUND, whose message says to
// run `crmsync sync`.
class StoreReader {
 public:
  virtual ~StoreReader() = default;
  // "sqlite:PATH" or a PostgreSQL URI with its schema and password (options.create_if_missing
  // does not apply: a reader never creates a store). kConfig INVALID_URL for an unknown scheme.
  // SQLite snapshots are read transactions in WAL mode on pooled read-only connections;
  // PostgreSQL snapshots are REPEATABLE READ READ ONLY transactions on pooled connections.
  static Result<std::unique_ptr<StoreReader>> open(const OpenOptions& options);
  static Result<std::unique_ptr<StoreReader>> open(std::string_view url) { return open(OpenOptions{std::string(url)}); }
  virtual Result<std::unique_ptr<ReadSnapshot>> snapshot() = 0;
};

}  // namespace crmsync::store
