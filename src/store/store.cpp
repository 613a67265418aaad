// Store::open: picks the backend from the url's scheme. A PostgreSQL backend slots in as another
// entry of kBackends.
#include "store/store.h"

#include "common/text.h"
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store {

namespace {

struct Backend {
  std::string_view scheme;  // the url's text before the first ':'
  Result<std::unique_ptr<Store>> (*open)(std::string_view rest, const Store::OpenOptions& options);
};

Result<std::unique_ptr<Store>> open_sqlite(std::string_view path, const Store::OpenOptions& options) {
  if (path.starts_with("//")) {
    return Error(ErrorKind::kConfig, "INVALID_URL",
                 "The store url '" + mask_url_credentials("sqlite:" + std::string(path)) +
                     "' is not accepted: write sqlite:PATH with a plain file path, e.g. sqlite:/var/lib/crmsync.db.");
  }
  sqlite::SqliteOptions sqlite_options;
  sqlite_options.create_if_missing = options.create_if_missing;
  return sqlite::SqliteStore::open(path, sqlite_options);
}

constexpr Backend kBackends[] = {
    {"sqlite", &open_sqlite},
};

}  // namespace

Status TableWriter::upsert_rows(const RowBuffer& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r) CRMSYNC_TRY(upsert(rows.row(r)));
  return ok_status();
}

Result<std::unique_ptr<Store>> Store::open(std::string_view url, const OpenOptions& options) {
  std::size_t colon = url.find(':');
  if (colon != std::string_view::npos) {
    std::string_view scheme = url.substr(0, colon);
    for (const Backend& b : kBackends) {
      if (scheme == b.scheme) return b.open(url.substr(colon + 1), options);
    }
  }
  std::string hint;
  if (url.starts_with("postgres")) hint = " PostgreSQL is not supported yet.";
  return Error(ErrorKind::kConfig, "INVALID_URL",
               "The store url '" + mask_url_credentials(url) +
                   "' is not accepted: use sqlite:PATH (for example sqlite:crmsync.db)." + hint);
}

}  // namespace crmsync::store
