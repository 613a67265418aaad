// The Id index of object tables, and appending without it. A first full load into an empty table
// is bound by random-Id inserts into that index (each commit rewrites pages all over it): without
// the index the rows are appended, and building it once from the finished table is a single sort,
// 3x faster in all (docs/decisions.md, "First full loads append"). Crash safety: the missing index
// is itself the mark of a load under way (sqlite_master survives any kill), rows a resumed load
// read twice are collapsed to their last write when the index is built, and every write that is
// not an append builds it first (SqliteStore::writer).
#include "common/text.h"
#include "store/identifier.h"
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {

std::string id_index_name(std::string_view object) { return "crmsync_id_" + std::string(object); }

Result<std::optional<SqliteStore::IdIndex>> SqliteStore::find_id_index(std::string_view object) {
  std::string context = "Cannot read the indexes of " + std::string(object);
  auto st = cached(find_id_index_,
                   "SELECT l.name, l.origin FROM pragma_index_list(?1) AS l"
                   " WHERE l.\"unique\" = 1 AND l.partial = 0"
                   " AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1"
                   " AND (SELECT i.name FROM pragma_index_info(l.name) AS i) = 'Id' COLLATE NOCASE LIMIT 1",
                   context);
  if (!st) return st.error();
  ResetOnExit guard(**st);
  (*st)->bind_text(1, object);
  auto row = (*st)->step(context);
  if (!row) return row.error();
  if (!*row) return std::optional<IdIndex>();
  return std::optional<IdIndex>(IdIndex{(*st)->column_text(0), (*st)->column_text(1)});
}

Result<bool> SqliteStore::has_id_index(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto index = find_id_index(object);
  if (!index) return index.error();
  return index->has_value();
}

Result<bool> SqliteStore::begin_append(std::string_view object) {
  CRMSYNC_TRY(check_table_name(object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);
  auto index = find_id_index(object);
  if (!index) return index.error();
  if (!*index) return true;  // a load cut short: it goes on appending
  // Only crmsync's own index is dropped: a PRIMARY KEY cannot be, and another one is not ours.
  if ((*index)->origin != "c" || !iequals((*index)->name, id_index_name(object))) return false;

  std::string context = "Cannot prepare " + std::string(object) + " for a first full load";
  auto any = prepare("SELECT 1 FROM " + quote_identifier(object) + " LIMIT 1", context);
  if (!any) return any.error();
  auto row = any->step(context);
  if (!row) return row.error();
  any->reset();
  if (*row) return false;  // rows to upsert into
  CRMSYNC_TRY(conn_->exec("DROP INDEX " + quote_identifier((*index)->name), context));
  invalidate_writers(object);
  return true;
}

Status SqliteStore::ensure_id_index(std::string_view object) {
  CRMSYNC_TRY(check_table_name(object));
  auto index = find_id_index(object);
  if (!index) return index.error();
  if (*index) return ok_status();
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);

  const std::string table = quote_identifier(object);
  const std::string create = "CREATE UNIQUE INDEX " + quote_identifier(id_index_name(object)) + " ON " + table +
                             " (" + quote_identifier("Id") + ")";
  const std::string context = "Cannot build the Id index of " + std::string(object);
  CRMSYNC_TRY(conn_->exec("SAVEPOINT crmsync_id_index", context));
  Status s = conn_->exec(create, context);
  if (!s && s.error().code == "SQLITE_CONSTRAINT") {
    // Ids appended more than once (a resumed load read them again): the last write is the newest
    // read of the record. Plain INSERTs give each row a rowid above every other, so that is the
    // highest rowid of the Id. Only this path pays for the GROUP BY.
    s = conn_->exec("DELETE FROM " + table + " WHERE _rowid_ NOT IN (SELECT max(_rowid_) FROM " + table +
                        " GROUP BY " + quote_identifier("Id") + ")",
                    context + " (removing Ids held twice)");
    if (s) s = conn_->exec(create, context);
  }
  if (!s) {
    (void)conn_->exec("ROLLBACK TO crmsync_id_index; RELEASE crmsync_id_index", context);
    return s;
  }
  CRMSYNC_TRY(conn_->exec("RELEASE crmsync_id_index", context));
  invalidate_writers(object);
  return ok_status();
}

}  // namespace crmsync::store::sqlite

namespace crmsync::store::sqlite {

// The reload table takes the object's name; SQLite cannot rename an index, so the reload table's
// own Id index (crmsync_id_crmsync_reload_<Object>) is dropped and crmsync_id_<Object> built in its
// place, one sort, inside the swap's transaction (readers keep seeing the old table until it commits).
Status SqliteStore::replace_table(std::string_view object, std::string_view replacement) {
  CRMSYNC_TRY(check_table_name(object));
  CRMSYNC_TRY(check_table_name(replacement));
  auto from = table_columns(replacement);
  if (!from) return from.error();
  if (from->empty()) return no_such_table(replacement);
  auto to = table_columns(object);
  if (!to) return to.error();
  const std::string context = "Cannot replace the table " + std::string(object) + " with " + std::string(replacement);
  CRMSYNC_TRY(conn_->exec("SAVEPOINT crmsync_replace_table", context));
  auto swap = [&]() -> Status {
    // The old table's search index (its FTS table and triggers) goes with it; the caller builds the
    // new table's (ensure_search_index) in the same transaction. A reload is never indexed.
    if (!to->empty()) CRMSYNC_TRY(ensure_search_index(object, {}));
    CRMSYNC_TRY(ensure_search_index(replacement, {}));
    if (!to->empty()) CRMSYNC_TRY(conn_->exec("DROP TABLE " + quote_identifier(object), context));
    auto index = find_id_index(replacement);
    if (!index) return index.error();
    if (*index && (*index)->origin == "c") {
      CRMSYNC_TRY(conn_->exec("DROP INDEX " + quote_identifier((*index)->name), context));
    }
    CRMSYNC_TRY(conn_->exec("ALTER TABLE " + quote_identifier(replacement) + " RENAME TO " + quote_identifier(object),
                            context));
    auto columns = prepare("DELETE FROM crmsync_columns WHERE object = ?1", context);
    if (!columns) return columns.error();
    columns->bind_text(1, object);
    CRMSYNC_TRY(columns->run(context));
    auto moved = prepare("UPDATE crmsync_columns SET object = ?1 WHERE object = ?2", context);
    if (!moved) return moved.error();
    moved->bind_text(1, object);
    moved->bind_text(2, replacement);
    CRMSYNC_TRY(moved->run(context));
    return ensure_id_index(object);
  };
  Status s = swap();
  if (!s) {
    (void)conn_->exec("ROLLBACK TO crmsync_replace_table; RELEASE crmsync_replace_table", context);
    invalidate_writers(object);
    invalidate_writers(replacement);
    return s;
  }
  CRMSYNC_TRY(conn_->exec("RELEASE crmsync_replace_table", context));
  invalidate_writers(object);
  invalidate_writers(replacement);
  return ok_status();
}

}  // namespace crmsync::store::sqlite
