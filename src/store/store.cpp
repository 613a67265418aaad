// Store::open: picks the backend from the url's scheme. A PostgreSQL backend slots in as another
// entry of kBackends.
#include "store/store.h"

#include "store/sqlite/sqlite_store.h"

namespace crmsync::store {

namespace {

struct Backend {
  std::string_view scheme;  // the url's text before the first ':'
  Result<std::unique_ptr<Store>> (*open)(std::string_view rest);
};

Result<std::unique_ptr<Store>> open_sqlite(std::string_view path) {
  if (path.starts_with("//")) {
    return Error(ErrorKind::kConfig, "INVALID_URL",
                 "The store url 'sqlite:" + std::string(path) +
                     "' is not accepted: write sqlite:PATH with a plain file path, e.g. sqlite:/var/lib/crmsync.db.");
  }
  return sqlite::SqliteStore::open(path);
}

constexpr Backend kBackends[] = {
    {"sqlite", &open_sqlite},
};

// The url with any password blanked, for messages (a PostgreSQL url may carry one).
std::string redact(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  std::size_t at = url.find('@');
  if (scheme_end == std::string_view::npos || at == std::string_view::npos || at < scheme_end) return std::string(url);
  std::size_t colon = url.find(':', scheme_end + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace

Status TableWriter::upsert_rows(const RowBuffer& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r) CRMSYNC_TRY(upsert(rows.row(r)));
  return ok_status();
}

Status Store::ensure_search_index(std::string_view, const std::vector<std::string>&) { return ok_status(); }

Result<std::unique_ptr<StoreReader>> StoreReader::open(std::string_view url) {
  if (url.starts_with("sqlite:") && url.size() > 7 && !url.substr(7).starts_with("//")) {
    return sqlite::open_reader(url.substr(7));
  }
  return Error(ErrorKind::kConfig, "INVALID_URL",
               "The store url '" + redact(url) + "' cannot be read: use sqlite:PATH (for example sqlite:crmsync.db).");
}

Result<std::unique_ptr<Store>> Store::open(std::string_view url) {
  std::size_t colon = url.find(':');
  if (colon != std::string_view::npos) {
    std::string_view scheme = url.substr(0, colon);
    for (const Backend& b : kBackends) {
      if (scheme == b.scheme) return b.open(url.substr(colon + 1));
    }
  }
  std::string hint;
  if (url.starts_with("postgres")) hint = " PostgreSQL is not supported yet.";
  return Error(ErrorKind::kConfig, "INVALID_URL",
               "The store url '" + redact(url) + "' is not accepted: use sqlite:PATH (for example sqlite:crmsync.db)." +
                   hint);
}

}  // namespace crmsync::store
