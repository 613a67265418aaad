// Store::open and WriterLock::acquire: pick the backend from the url's scheme.
#include "store/store.h"

#include "common/text.h"

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store {

namespace {

Result<std::string> sqlite_path(std::string_view url) {
  std::string_view path = url.substr(7);  // after "sqlite:"
  if (path.starts_with("//")) {
    return Error(ErrorKind::kConfig, "INVALID_URL",
                 "The store url '" + mask_url_credentials(url) +
                     "' is not accepted: write sqlite:PATH with a plain file path, e.g. sqlite:/var/lib/crmsync.db.");
  }
  return std::string(path);
}

Error unknown_scheme(std::string_view url) {
  return Error(ErrorKind::kConfig, "INVALID_URL",
               "The store url '" + mask_url_credentials(url) +
                   "' is not accepted: use sqlite:PATH (for example sqlite:crmsync.db) or "
                   "postgresql://user@host:port/dbname.");
}

}  // namespace

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

Status TableWriter::upsert_rows(const RowBuffer& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r) CRMSYNC_TRY(upsert(rows.row(r)));
  return ok_status();
}

Result<std::unique_ptr<Store>> Store::open(const OpenOptions& options) {
  const std::string& url = options.url;
  if (url.starts_with("sqlite:")) {
    auto path = sqlite_path(url);
    if (!path) return path.error();
    sqlite::SqliteOptions sqlite_options;
    sqlite_options.create_if_missing = options.create_if_missing;
    return sqlite::SqliteStore::open(*path, sqlite_options);
  }
  if (is_postgres_url(url)) return postgres::PostgresStore::open(options);
  return unknown_scheme(url);
}

Status Store::ensure_search_index(std::string_view, const std::vector<std::string>&) { return ok_status(); }

Result<std::optional<std::string>> ReadSnapshot::meta(std::string_view) { return std::optional<std::string>(); }

Status ReadSnapshot::find(std::string_view table, std::string_view id, const std::vector<std::string>& columns,
                          const Store::RowCallback& on_row) {
  std::vector<std::string> with_id = columns;
  with_id.push_back("Id");
  return scan(table, with_id, [&](std::span<const Value> values) -> Status {
    const auto* row_id = std::get_if<std::string>(&values.back());
    if (row_id == nullptr || *row_id != id) return ok_status();
    return on_row(values.first(columns.size()));
  });
}

Result<std::unique_ptr<StoreReader>> StoreReader::open(const OpenOptions& options) {
  const std::string& url = options.url;
  if (url.starts_with("sqlite:")) {
    auto path = sqlite_path(url);
    if (!path) return path.error();
    return sqlite::open_reader(*path);
  }
  if (is_postgres_url(url)) {
    return Error(ErrorKind::kUnsupported, "READER_UNSUPPORTED",
                 "The store '" + mask_url_credentials(url) +
                     "' is PostgreSQL, which crmsync serve cannot read yet (not supported yet for serve: its "
                     "snapshots, search index and recorded field types exist for SQLite only). Serve a SQLite store "
                     "for now: sync into [store] url = \"sqlite:crmsync.db\" and run crmsync serve on that.");
  }
  return unknown_scheme(url);
}

Result<std::unique_ptr<WriterLock>> WriterLock::acquire(const OpenOptions& options) {
  const std::string& url = options.url;
  if (url.starts_with("sqlite:")) {
    auto path = sqlite_path(url);
    if (!path) return path.error();
    return sqlite::lock_file(*path, url);
  }
  if (is_postgres_url(url)) return postgres::lock_schema(options);
  return unknown_scheme(url);
}

bool fits(catalog::StorageClass storage, RowBuffer::Kind kind) {
  using catalog::StorageClass;
  switch (kind) {
    case RowBuffer::Kind::kNull: return true;
    case RowBuffer::Kind::kBool: return storage == StorageClass::kBoolean;
    case RowBuffer::Kind::kInteger: return storage == StorageClass::kInteger || storage == StorageClass::kReal;
    case RowBuffer::Kind::kReal: return storage == StorageClass::kReal;
    case RowBuffer::Kind::kText:
      return storage == StorageClass::kText || storage == StorageClass::kDate || storage == StorageClass::kDateTime ||
             storage == StorageClass::kTime;
  }
  return false;
}

const char* kind_name(RowBuffer::Kind kind) {
  static const char* const kinds[] = {"null", "bool", "integer", "real", "text"};
  return kinds[static_cast<std::size_t>(kind)];
}

}  // namespace crmsync::store
