// Read-only snapshots of a SQLite store for `crmsync serve`: a small pool of read-only connections,
// each snapshot one of them inside one read transaction. In WAL mode a read transaction sees the
// database as of its first read, whatever the sync (the one writer) commits meanwhile, and never
// blocks it: an answer built from one snapshot never shows half a page.

#include <map>
#include <mutex>

#include "store/backend.h"
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {
namespace {

// A pooled connection with its search statements, prepared for the store version `version`
// (null for an object without a search index): preparing them took more than running them.
struct Pooled {
  std::shared_ptr<Connection> conn;
  std::string version;
  std::map<std::string, std::unique_ptr<Statement>> searches;  // object + title columns -> statement
};

// Shared by the reader and its snapshots, so a snapshot may outlive the reader.
struct Pool {
  std::string path;
  std::mutex mu;
  std::vector<Pooled> idle;
};

class SqliteSnapshot final : public ReadSnapshot {
 public:
  SqliteSnapshot(std::shared_ptr<Pool> pool, Pooled pooled) : pool_(std::move(pool)), pooled_(std::move(pooled)), conn_(pooled_.conn) {}
  ~SqliteSnapshot() override {
    (void)conn_->exec("ROLLBACK", "Cannot end a read");  // a read transaction: nothing to undo
    std::lock_guard lock(pool_->mu);
    if (pool_->idle.size() < 8) pool_->idle.push_back(std::move(pooled_));
  }

  // Starts the read transaction and pins its snapshot with a first read: the sync states, whose
  // content is the version (the same committed state reads the same on every connection).
  Status begin() {
    CRMSYNC_TRY(conn_->exec("BEGIN", "Cannot start a read of '" + pool_->path + "'"));
    auto states = read_all_states(conn_);
    if (!states) return states.error();
    version_ = version_of(*states);
    if (pooled_.version != version_) {
      pooled_.searches.clear();
      pooled_.version = version_;
    }
    return ok_status();
  }

  Status scan(std::string_view table, const std::vector<std::string>& columns,
              const Store::RowCallback& on_row) override {
    return scan_table(conn_, table, columns, on_row);
  }

  Status find(std::string_view table, std::string_view id, const std::vector<std::string>& columns,
              const Store::RowCallback& on_row) override {
    return scan_table(conn_, table, columns, on_row, id);
  }

  Result<std::vector<ColumnInfo>> columns(std::string_view table) override {
    auto cols = read_table_columns(conn_, table);
    if (!cols) return cols.error();
    std::vector<ColumnInfo> out;
    for (auto& c : *cols) {
      catalog::StorageClass storage = c.storage.value_or(
          c.sql_type == "INTEGER" ? catalog::StorageClass::kInteger
          : c.sql_type == "REAL"  ? catalog::StorageClass::kReal
                                  : catalog::StorageClass::kText);
      out.push_back({std::move(c.name), storage, c.field_type});
    }
    return out;
  }

  Result<std::vector<SyncState>> sync_states() override { return read_all_states(conn_); }

  Result<std::optional<std::string>> meta(std::string_view key) override { return read_meta(conn_, key); }

  Result<std::vector<SearchHit>> search(const SearchRequest& request) override {
    std::string key = request.object;
    for (const auto& t : request.title_columns) key += "\x1f" + t;
    auto it = pooled_.searches.find(key);
    if (it == pooled_.searches.end()) {
      auto sql = search_sql(conn_, request);
      if (!sql) return sql.error();
      std::unique_ptr<Statement> st;
      if (!sql->empty()) {
        auto prepared = Statement::prepare(conn_, *sql, "Cannot search " + request.object);
        if (!prepared) return prepared.error();
        st = std::make_unique<Statement>(std::move(*prepared));
      }
      it = pooled_.searches.emplace(key, std::move(st)).first;
    }
    if (!it->second) return std::vector<SearchHit>{};
    return run_search(*it->second, request);
  }

  Result<std::string> version() override { return version_; }

 private:
  std::shared_ptr<Pool> pool_;
  Pooled pooled_;
  std::shared_ptr<Connection> conn_;  // pooled_.conn
  std::string version_;
};

class SqliteReader final : public StoreReader {
 public:
  explicit SqliteReader(std::string path) : pool_(std::make_shared<Pool>()) { pool_->path = std::move(path); }

  Result<std::unique_ptr<ReadSnapshot>> snapshot() override {
    Pooled pooled;
    {
      std::lock_guard lock(pool_->mu);
      if (!pool_->idle.empty()) {
        pooled = std::move(pool_->idle.back());
        pool_->idle.pop_back();
      }
    }
    if (!pooled.conn) {
      auto opened = open_connection();
      if (!opened) return opened.error();
      pooled.conn = std::move(*opened);
    }
    auto snap = std::make_unique<SqliteSnapshot>(pool_, std::move(pooled));
    CRMSYNC_TRY(snap->begin());
    return std::unique_ptr<ReadSnapshot>(std::move(snap));
  }

 private:
  Result<std::shared_ptr<Connection>> open_connection() {
    auto conn = Connection::open(pool_->path, Connection::Mode::kReadOnly);
    if (!conn && conn.error().code == "STORE_NOT_FOUND") {
      return Error(ErrorKind::kNotFound, "STORE_NOT_FOUND",
                   "The store '" + pool_->path + "' does not exist yet: run `crmsync sync --config crmsync.toml` first.");
    }
    if (!conn) return conn.error();
    sqlite3_busy_timeout((*conn)->db(), 5000);
    CRMSYNC_TRY((*conn)->exec("PRAGMA query_only=1", "Cannot open '" + pool_->path + "' for reading"));
    return conn;
  }

  std::shared_ptr<Pool> pool_;
};

}  // namespace

std::unique_ptr<StoreReader> open_reader(std::string_view path) { return std::make_unique<SqliteReader>(std::string(path)); }

}  // namespace crmsync::store::sqlite
