// The full-text search index of the SQLite store: one FTS5 table per searched object,
// "crmsync_search_<Object>", an external-content index over the object's own table (keyed by its
// rowid, so the text is stored once). Rows a write adds are indexed by the table's writer after
// each batch (one INSERT ... SELECT of the rowids above the table's highest before it; a trigger per
// row costs several times more); updates and deletes by triggers on the table, inside whatever
// statement changes it. Either way the index changes in the same transaction as the rows: a record
// is searchable the moment its page commits, through appends of a first load, upserts, IsDeleted
// marks, deletes and the clean-up of Ids appended twice alike. Rows with
// IsDeleted = 1 are not indexed. crmsync_meta keeps the indexed column list
// ("search_columns:<Object>"); a changed list rebuilds the index from the table.
#include <algorithm>

#include "common/text.h"
#include "store/identifier.h"
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {

std::string search_table_name(std::string_view object) { return "crmsync_search_" + std::string(object); }

namespace {

std::string meta_key(std::string_view object) { return "search_columns:" + std::string(object); }

constexpr int kRankedCandidates = 2000;

std::string join(const std::vector<std::string>& names, const std::string& prefix) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += prefix + quote_identifier(n);
  }
  return out;
}

// The condition a row must meet to be indexed, written for new./old. rows ("" = the table itself).
std::string live(bool has_deleted, const char* row) {
  if (!has_deleted) return "1";
  return (*row ? std::string(row) + "." : std::string()) + quote_identifier("IsDeleted") + " IS NOT 1";
}

// INSERT of the index rows of the table's rows above rowid `above`: "?1" for what a write added (the
// writer runs it after each batch), "0" for every row (building the index).
std::string index_rows_sql(std::string_view object, const std::vector<std::string>& columns, bool has_deleted,
                           std::string_view above) {
  const std::string cols = join(columns, "");
  return "INSERT INTO " + quote_identifier(search_table_name(object)) + " (rowid, " + cols + ") SELECT rowid, " + cols +
         " FROM " + quote_identifier(object) + " WHERE rowid > " + std::string(above) + " AND " + live(has_deleted, "");
}

// The SQL that creates the index and the triggers that follow updates and deletes (rows added are
// indexed by the writer, a batch at a time: a trigger per added row costs several times more).
std::string create_sql(std::string_view object, const std::vector<std::string>& columns, bool has_deleted) {
  const std::string table = quote_identifier(object);
  const std::string fts = quote_identifier(search_table_name(object));
  const std::string name = search_table_name(object);
  const std::string cols = join(columns, "");
  const std::string add_new = "INSERT INTO " + fts + " (rowid, " + cols + ") SELECT new.rowid, " + join(columns, "new.") +
                              " WHERE " + live(has_deleted, "new") + ";";
  const std::string drop_old = "INSERT INTO " + fts + " (" + fts + ", rowid, " + cols + ") SELECT 'delete', old.rowid, " +
                               join(columns, "old.") + " WHERE " + live(has_deleted, "old") + ";";
  // An upsert rewrites every column: only a change of an indexed one (or of IsDeleted) touches the index.
  std::string changed;
  for (const auto& c : columns) {
    changed += (changed.empty() ? "" : " OR ") + std::string("old.") + quote_identifier(c) + " IS NOT new." + quote_identifier(c);
  }
  if (has_deleted) changed += " OR old." + quote_identifier("IsDeleted") + " IS NOT new." + quote_identifier("IsDeleted");
  std::string sql = "CREATE VIRTUAL TABLE " + fts + " USING fts5(" + cols + ", content='" + std::string(object) +
                    "', tokenize='unicode61 remove_diacritics 2', prefix='2 3');";
  sql += "CREATE TRIGGER " + quote_identifier(name + "_ad") + " AFTER DELETE ON " + table + " BEGIN " + drop_old + " END;";
  sql += "CREATE TRIGGER " + quote_identifier(name + "_au") + " AFTER UPDATE ON " + table + " WHEN " + changed +
         " BEGIN " + drop_old + " " + add_new + " END;";
  return sql;
}

std::string drop_sql(std::string_view object) {
  const std::string name = search_table_name(object);
  std::string sql;
  for (const char* suffix : {"_ai", "_ad", "_au"}) sql += "DROP TRIGGER IF EXISTS " + quote_identifier(name + suffix) + ";";  // _ai: older stores
  sql += "DROP TABLE IF EXISTS " + quote_identifier(name) + ";";
  return sql;
}

bool has_column(const std::vector<TableColumn>& columns, std::string_view name) {
  return std::any_of(columns.begin(), columns.end(), [&](const TableColumn& c) { return iequals(c.name, name); });
}

// The FTS5 query for the words: each a quoted prefix term ("acme"*), all of them required.
std::string match_expression(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : w) {
      if (c == '"') out += '"';
      out += c;
    }
    out += "\"*";
  }
  return out;
}

}  // namespace

Status SqliteStore::ensure_search_index(std::string_view object, const std::vector<std::string>& columns) {
  CRMSYNC_TRY(check_table_name(object));
  for (const auto& c : columns) CRMSYNC_TRY(check_identifier("column of " + std::string(object), c));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);
  for (const auto& c : columns) {
    if (!has_column(*existing, c)) {
      return Error(ErrorKind::kInternal, "NO_SUCH_COLUMN",
                   "The search index of " + std::string(object) + " names the column " + c + ", which " +
                       std::string(object) + " does not have; ensure_table() adds it first.");
    }
  }
  std::string wanted;
  for (const auto& c : columns) wanted += (wanted.empty() ? "" : ",") + c;
  auto current = read_meta(conn_, meta_key(object));
  if (!current) return current.error();
  if (*current == wanted && !wanted.empty()) return ok_status();
  if (!*current && wanted.empty()) return ok_status();

  const std::string context = "Cannot build the search index of " + std::string(object);
  CRMSYNC_TRY(conn_->exec("SAVEPOINT crmsync_search_index", context));
  std::string sql = drop_sql(object);
  if (wanted.empty()) {
    sql += "DELETE FROM crmsync_meta WHERE key = '" + meta_key(object) + "';";
  } else {
    const bool has_deleted = has_column(*existing, "IsDeleted");
    sql += create_sql(object, columns, has_deleted);
    sql += index_rows_sql(object, columns, has_deleted, "0") + ";";
    sql += "INSERT INTO crmsync_meta (key, value) VALUES ('" + meta_key(object) + "', '" + wanted +
           "') ON CONFLICT (key) DO UPDATE SET value = excluded.value;";
  }
  Status s = conn_->exec(sql, context);
  if (!s) {
    (void)conn_->exec("ROLLBACK TO crmsync_search_index; RELEASE crmsync_search_index", context);
    return s;
  }
  CRMSYNC_TRY(conn_->exec("RELEASE crmsync_search_index", context));
  invalidate_writers(object);
  return ok_status();
}

Status prepare_search_statements(const std::shared_ptr<Connection>& conn, std::string_view object,
                                 std::unique_ptr<Statement>& max_rowid, std::unique_ptr<Statement>& index_added) {
  auto indexed = read_meta(conn, meta_key(object));
  if (!indexed) return indexed.error();
  if (!*indexed || (*indexed)->empty()) return ok_status();
  std::vector<std::string> columns;
  for (std::size_t start = 0; start <= (*indexed)->size();) {
    std::size_t comma = std::min((*indexed)->find(',', start), (*indexed)->size());
    columns.push_back((*indexed)->substr(start, comma - start));
    start = comma + 1;
  }
  auto existing = read_table_columns(conn, object);
  if (!existing) return existing.error();
  std::string context = "Cannot prepare the search index writes of " + std::string(object);
  auto max = Statement::prepare(conn, "SELECT coalesce(max(rowid), 0) FROM " + quote_identifier(object), context);
  if (!max) return max.error();
  auto add = Statement::prepare(conn, index_rows_sql(object, columns, has_column(*existing, "IsDeleted"), "?1"), context);
  if (!add) return add.error();
  max_rowid = std::make_unique<Statement>(std::move(*max));
  index_added = std::make_unique<Statement>(std::move(*add));
  return ok_status();
}

Result<std::vector<SearchHit>> search_table(const std::shared_ptr<Connection>& conn, const SearchRequest& request) {
  CRMSYNC_TRY(check_identifier("table", request.object));
  std::vector<SearchHit> hits;
  auto indexed = read_meta(conn, meta_key(request.object));
  if (!indexed) return indexed.error();
  if (!*indexed || request.words.empty() || request.limit <= 0) return hits;
  auto existing = read_table_columns(conn, request.object);
  if (!existing) return existing.error();

  const std::string fts = quote_identifier(search_table_name(request.object));
  std::string title;
  for (const auto& c : request.title_columns) {
    if (!has_column(*existing, c)) continue;
    CRMSYNC_TRY(check_identifier("column of " + request.object, c));
    if (!title.empty()) title += " || ' ' || ";
    title += "coalesce(o." + quote_identifier(c) + ", '')";
  }
  if (title.empty()) title = "''";
  // Ranked by bm25 among the first kRankedCandidates matches (in rowid order): ranking every match
  // of a short prefix costs what a box answering as one types cannot pay. The snippet is made for
  // the hits only (a second MATCH on their rowids).
  std::string sql = "SELECT o." + quote_identifier("Id") + ", trim(" + title + "), snippet(" + fts +
                    ", -1, '', '', '...', 12), h.k FROM (SELECT r, k FROM (SELECT rowid AS r, rank AS k FROM " + fts +
                    " WHERE " + fts + " MATCH ?1 LIMIT " + std::to_string(kRankedCandidates) +
                    ") ORDER BY k LIMIT ?2) AS h JOIN " + fts + " ON " + fts + ".rowid = h.r AND " + fts +
                    " MATCH ?1 JOIN " + quote_identifier(request.object) + " AS o ON o.rowid = h.r";
  if (has_column(*existing, "IsDeleted")) sql += " WHERE o." + quote_identifier("IsDeleted") + " IS NOT 1";
  sql += " ORDER BY h.k";
  std::string context = "Cannot search " + request.object;
  auto st = Statement::prepare(conn, sql, context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  const std::string match = match_expression(request.words);
  st->bind_text(1, match);
  st->bind_int64(2, request.limit);
  for (;;) {
    auto row = st->step(context);
    if (!row) return row.error();
    if (!*row) break;
    hits.push_back({request.object, st->column_text(0), st->column_text(1), st->column_text(2),
                    sqlite3_column_double(st->get(), 3)});
  }
  return hits;
}

}  // namespace crmsync::store::sqlite
