// Read-only snapshots of a SQLite store for `crmsync serve`: a small pool of read-only connections,
// each snapshot one of them inside one read transaction. In WAL mode a read transaction sees the
// database as of its first read, whatever the sync (the one writer) commits meanwhile, and never
// blocks it: an answer built from one snapshot never shows half a page.

#include <mutex>

#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {
namespace {

// A pooled connection and what it last saw of the database, for ReadSnapshot::version().
struct PooledConnection {
  std::shared_ptr<Connection> conn;
  std::int64_t data_version = -1;  // PRAGMA data_version when this connection last read
  std::uint64_t generation = 0;    // the reader's generation number it then took
};

// Shared by the reader and its snapshots, so a snapshot may outlive the reader.
struct Pool {
  std::string path;
  std::mutex mu;
  std::vector<PooledConnection> idle;
  std::uint64_t generation = 0;  // bumped whenever some connection sees a commit it had not seen
};

class SqliteSnapshot final : public ReadSnapshot {
 public:
  SqliteSnapshot(std::shared_ptr<Pool> pool, PooledConnection pc) : pool_(std::move(pool)), pc_(std::move(pc)) {}
  ~SqliteSnapshot() override {
    (void)pc_.conn->exec("ROLLBACK", "Cannot end a read");  // a read transaction: nothing to undo
    std::lock_guard lock(pool_->mu);
    if (pool_->idle.size() < 8) pool_->idle.push_back(std::move(pc_));
  }

  // Starts the read transaction and pins its snapshot with a first read.
  Status begin() {
    CRMSYNC_TRY(pc_.conn->exec("BEGIN", "Cannot start a read of '" + pool_->path + "'"));
    std::string context = "Cannot read '" + pool_->path + "'";
    auto st = Statement::prepare(pc_.conn, "PRAGMA data_version", context);
    if (!st) return st.error();
    auto row = st->step(context);
    if (!row) return row.error();
    std::int64_t dv = sqlite3_column_int64(st->get(), 0);
    st->reset();
    // data_version only compares within one connection: a connection that sees a change takes a
    // new generation, so equal versions always mean an unchanged database (a few spurious new
    // generations when several connections notice the same commit are harmless).
    std::lock_guard lock(pool_->mu);
    if (dv != pc_.data_version || pc_.generation == 0) {
      pc_.data_version = dv;
      pc_.generation = ++pool_->generation;
    }
    return ok_status();
  }

  Status scan(std::string_view table, const std::vector<std::string>& columns,
              const Store::RowCallback& on_row) override {
    return scan_table(pc_.conn, table, columns, on_row);
  }

  Status find(std::string_view table, std::string_view id, const std::vector<std::string>& columns,
              const Store::RowCallback& on_row) override {
    return scan_table(pc_.conn, table, columns, on_row, id);
  }

  Result<std::vector<ColumnInfo>> columns(std::string_view table) override {
    auto cols = read_table_columns(pc_.conn, table);
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

  Result<std::vector<SyncState>> sync_states() override { return read_all_states(pc_.conn); }

  Result<std::optional<std::string>> meta(std::string_view key) override { return read_meta(pc_.conn, key); }

  Result<std::vector<SearchHit>> search(const SearchRequest& request) override {
    return search_table(pc_.conn, request);
  }

  Result<std::string> version() override { return std::to_string(pc_.generation); }

 private:
  std::shared_ptr<Pool> pool_;
  PooledConnection pc_;
};

class SqliteReader final : public StoreReader {
 public:
  explicit SqliteReader(std::string path) : pool_(std::make_shared<Pool>()) { pool_->path = std::move(path); }

  Result<std::unique_ptr<ReadSnapshot>> snapshot() override {
    PooledConnection pc;
    {
      std::lock_guard lock(pool_->mu);
      if (!pool_->idle.empty()) {
        pc = std::move(pool_->idle.back());
        pool_->idle.pop_back();
      }
    }
    if (!pc.conn) {
      auto opened = open_connection();
      if (!opened) return opened.error();
      pc.conn = std::move(*opened);
    }
    auto snap = std::make_unique<SqliteSnapshot>(pool_, std::move(pc));
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
