// crmsync_meta in the SQLite store: small named values beside the tables (Store::meta, set_meta).
// The table exists since the first schema version (it holds schema_version).
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {

Result<std::optional<std::string>> SqliteStore::meta(std::string_view key) {
  std::string context = "Cannot read '" + std::string(key) + "' from crmsync_meta";
  auto st = prepare("SELECT value FROM crmsync_meta WHERE key = ?1", context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  st->bind_text(1, key);
  auto row = st->step(context);
  if (!row) return row.error();
  if (!*row || st->column_is_null(0)) return std::optional<std::string>();
  return std::optional<std::string>(st->column_text(0));
}

Status SqliteStore::set_meta(std::string_view key, std::string_view value) {
  std::string context = "Cannot record '" + std::string(key) + "' in crmsync_meta";
  auto st = prepare("INSERT INTO crmsync_meta (key, value) VALUES (?1, ?2)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    context);
  if (!st) return st.error();
  st->bind_text(1, key);
  st->bind_text(2, value);
  return st->run(context);
}

}  // namespace crmsync::store::sqlite
