// Read-only snapshots of a PostgreSQL store for `crmsync serve`: a small pool of connections, each
// snapshot one of them inside one REPEATABLE READ READ ONLY transaction, which sees the database
// as of its first read whatever the sync commits meanwhile, and never blocks it (MVCC): an answer
// built from one snapshot never shows half a page.
#include <map>
#include <mutex>
#include <optional>

#include "store/backend.h"
#include "store/identifier.h"
#include "store/postgres/pg_store.h"

namespace crmsync::store::postgres {
namespace {

// Shared by the reader and its snapshots, so a snapshot may outlive the reader.
struct Pool {
  OpenOptions options;
  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> idle;
  // Each object's search query (search_sql) as of the store version `queries_version`: reading it
  // takes three round trips per object, more than the search itself on a busy server.
  std::string queries_version;
  std::map<std::string, std::string> queries;  // object + title columns -> SQL
};

class PgSnapshot final : public ReadSnapshot {
 public:
  PgSnapshot(std::shared_ptr<Pool> pool, std::unique_ptr<Connection> conn) : pool_(std::move(pool)), conn_(std::move(conn)) {}
  ~PgSnapshot() override {
    // A read-only transaction: nothing to undo. A connection that failed is not kept.
    if (!conn_->run("ROLLBACK", "Cannot end a read") || PQstatus(conn_->get()) != CONNECTION_OK) return;
    std::lock_guard lock(pool_->mu);
    if (pool_->idle.size() < 8) pool_->idle.push_back(std::move(conn_));
  }

  // Starts the transaction and pins its snapshot with a first read: the sync states, whose content
  // is the version. A schema without crmsync's tables is one no sync has written yet.
  Status begin() {
    const std::string& schema = pool_->options.schema;
    // One round trip for both (the schema's name is an identifier check_schema_name passed, so it
    // needs no escaping inside the literal): on a busy machine each trip is a server wake-up.
    auto present = conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT to_regclass('" +
                                   qualified(schema, "crmsync_sync_state") + "') IS NOT NULL",
                               "Cannot start a read of " + conn_->where());
    if (!present) return present.error();
    if (text_of(present->get(), 0, 0) != "t") {
      return Error(ErrorKind::kNotFound, "STORE_NOT_FOUND",
                   "No sync has run yet into the schema " + schema + " of " + conn_->where() +
                       ": run `crmsync sync --config crmsync.toml` first.");
    }
    auto states = read_all_states(*conn_, schema);
    if (!states) return states.error();
    version_ = version_of(*states);
    return ok_status();
  }

  Status scan(std::string_view table, const std::vector<std::string>& columns,
              const Store::RowCallback& on_row) override {
    return scan_table(*conn_, pool_->options.schema, table, columns, on_row);
  }

  Result<std::vector<ColumnInfo>> columns(std::string_view table) override {
    CRMSYNC_TRY(check_identifier("table", table));
    auto cols = read_table_columns(*conn_, pool_->options.schema, table);
    if (!cols) return cols.error();
    std::vector<ColumnInfo> out;
    for (auto& c : *cols) out.push_back({std::move(c.name), storage_of_sql_type(c.sql_type), c.field_type});
    return out;
  }

  Result<std::vector<SyncState>> sync_states() override { return read_all_states(*conn_, pool_->options.schema); }

  Result<std::optional<std::string>> meta(std::string_view key) override {
    return read_meta(*conn_, pool_->options.schema, key);
  }

  Status find(std::string_view table, std::string_view id, const std::vector<std::string>& columns,
              const Store::RowCallback& on_row) override {
    return scan_table(*conn_, pool_->options.schema, table, columns, on_row, id);
  }

  Result<std::vector<SearchHit>> search(const SearchRequest& request) override { return search_all({request}); }

  Result<std::vector<SearchHit>> search_all(const std::vector<SearchRequest>& requests) override {
    std::vector<std::string> sqls;
    for (const auto& request : requests) {
      auto sql = query_of(request);
      if (!sql) return sql.error();
      sqls.push_back(std::move(*sql));
    }
    return run_searches(*conn_, sqls, requests);
  }

  Result<std::string> version() override { return version_; }

 private:
  // The request's search statement, kept in the pool while the store's version stays the same.
  Result<std::string> query_of(const SearchRequest& request) {
    std::string key = request.object;
    for (const auto& t : request.title_columns) key += "\x1f" + t;
    {
      std::lock_guard lock(pool_->mu);
      if (pool_->queries_version != version_) {
        pool_->queries.clear();
        pool_->queries_version = version_;
      }
      if (auto it = pool_->queries.find(key); it != pool_->queries.end()) return it->second;
    }
    auto made = search_sql(*conn_, pool_->options.schema, request);
    if (!made) return made.error();
    std::lock_guard lock(pool_->mu);
    if (pool_->queries_version == version_) pool_->queries[key] = *made;
    return made;
  }

  std::shared_ptr<Pool> pool_;
  std::unique_ptr<Connection> conn_;
  std::string version_;
};

class PgReader final : public StoreReader {
 public:
  explicit PgReader(OpenOptions options) : pool_(std::make_shared<Pool>()) { pool_->options = std::move(options); }

  Result<std::unique_ptr<ReadSnapshot>> snapshot() override {
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard lock(pool_->mu);
      if (!pool_->idle.empty()) {
        conn = std::move(pool_->idle.back());
        pool_->idle.pop_back();
      }
    }
    if (!conn) {
      auto opened = Connection::open(pool_->options);
      if (!opened) return opened.error();
      conn = std::move(*opened);
    }
    auto snap = std::make_unique<PgSnapshot>(pool_, std::move(conn));
    CRMSYNC_TRY(snap->begin());
    return std::unique_ptr<ReadSnapshot>(std::move(snap));
  }

 private:
  std::shared_ptr<Pool> pool_;
};

}  // namespace

Result<std::unique_ptr<StoreReader>> open_reader(const OpenOptions& options) {
  CRMSYNC_TRY(check_schema_name(options.schema));
  return std::unique_ptr<StoreReader>(new PgReader(options));
}

}  // namespace crmsync::store::postgres
