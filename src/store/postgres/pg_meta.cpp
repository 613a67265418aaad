// crmsync_meta in the PostgreSQL store: small named values beside the tables (Store::meta,
// set_meta). The table exists since the first schema version (it holds schema_version).
#include "store/postgres/pg_store.h"

namespace crmsync::store::postgres {

Result<std::optional<std::string>> PostgresStore::meta(std::string_view key) {
  auto r = conn_->exec("SELECT value FROM " + qualified("crmsync_meta") + " WHERE key = $1", {std::string(key)},
                       "Cannot read '" + std::string(key) + "' from crmsync_meta");
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0 || is_null(r->get(), 0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(text_of(r->get(), 0, 0));
}

Status PostgresStore::set_meta(std::string_view key, std::string_view value) {
  auto r = conn_->exec("INSERT INTO " + qualified("crmsync_meta") +
                           " (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       {std::string(key), std::string(value)}, "Cannot record '" + std::string(key) + "' in crmsync_meta");
  return r ? ok_status() : Status(r.error());
}

}  // namespace crmsync::store::postgres
