// The full-text search index of the PostgreSQL store: a stored generated column per searched table,
// "crmsync_search" (tsvector, the 'simple' configuration: lower-cased words, no stemming, no stop
// words), over the indexed text columns with punctuation turned into spaces (so an email is found by
// any of its parts, as in SQLite's unicode61), NULL for rows with IsDeleted set; and a GIN index on
// it, "crmsync_search_<Object>". PostgreSQL computes the column in the statement that writes the
// row (COPY of a first load, the staged merge, an IsDeleted mark), and a deleted row takes its entry
// with it: the index changes in the same transaction as the rows, whatever writes them. A first
// full load appends without the GIN index, built with the Id index at its end. crmsync_meta keeps
// the indexed column list ("search_columns:<Object>"); a changed list re-creates the column.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/text.h"
#include "store/backend.h"
#include "store/identifier.h"
#include "store/postgres/pg_store.h"

namespace crmsync::store::postgres {

namespace {

// The indexed columns' text, one string, as `prefix` columns ("o." or "").
std::string document(const std::vector<std::string>& columns, const std::string& prefix) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += " || ' ' || ";
    out += "coalesce(" + prefix + quote_identifier(c) + ", '')";
  }
  return out.empty() ? "''" : out;
}

std::string generated_expression(const std::vector<std::string>& columns, bool has_deleted) {
  std::string vector = "to_tsvector('simple'::regconfig, regexp_replace(" + document(columns, "") +
                       ", '[[:punct:][:space:]]+', ' ', 'g'))";
  if (!has_deleted) return vector;
  return "CASE WHEN " + quote_identifier("IsDeleted") + " IS TRUE THEN NULL ELSE " + vector + " END";
}

// The tsquery text for the words: each a prefix ('word':*), all of them required. Only letters,
// digits and non-ASCII bytes are kept of a word (the API splits words on anything else).
std::string tsquery_text(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    std::string kept;
    for (unsigned char c : w) {
      if (std::isalnum(c) || c >= 0x80) kept += static_cast<char>(c);
    }
    if (kept.empty()) continue;
    if (!out.empty()) out += " & ";
    out += "'" + kept + "':*";
  }
  return out;
}

bool has_column(const std::vector<TableColumn>& columns, std::string_view name) {
  return std::any_of(columns.begin(), columns.end(), [&](const TableColumn& c) { return iequals(c.name, name); });
}

}  // namespace

Status PostgresStore::ensure_search_index(std::string_view object, const std::vector<std::string>& columns) {
  CRMSYNC_TRY(check_table_name(object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);
  auto list = search_column_list(object, columns, [&](std::string_view c) { return has_column(*existing, c); });
  if (!list) return list.error();
  const std::string& wanted = *list;
  auto current = read_meta(*conn_, schema_, search_meta_key(object));
  if (!current) return current.error();
  if ((*current && **current == wanted) || (!*current && wanted.empty())) return ok_status();

  const std::string table = qualified(object);
  const std::string context = "Cannot build the search index of " + std::string(object);
  return atomically(context, [&]() -> Status {
    CRMSYNC_TRY(conn_->run("ALTER TABLE " + table + " DROP COLUMN IF EXISTS " + quote_identifier(kSearchColumn), context));
    if (wanted.empty()) {
      return conn_->run("DELETE FROM " + qualified("crmsync_meta") + " WHERE key = '" + search_meta_key(object) + "'", context);
    }
    const bool has_deleted = has_column(*existing, "IsDeleted");
    CRMSYNC_TRY(conn_->run("ALTER TABLE " + table + " ADD COLUMN " + quote_identifier(kSearchColumn) +
                               " tsvector GENERATED ALWAYS AS (" + generated_expression(columns, has_deleted) + ") STORED",
                           context));
    CRMSYNC_TRY(ensure_search_gin(object));
    auto r = conn_->exec("INSERT INTO " + qualified("crmsync_meta") +
                             " (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         {search_meta_key(object), wanted}, context);
    return r ? ok_status() : Status(r.error());
  });
}

Status PostgresStore::ensure_search_gin(std::string_view object) {
  const std::string context = "Cannot build the search index of " + std::string(object);
  auto has = conn_->exec(
      "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped),"
      " to_regclass($3) IS NOT NULL",
      {qualified(object), std::string(kSearchColumn), qualified(search_index_name(object))}, context);
  if (!has) return has.error();
  if (text_of(has->get(), 0, 0) != "t" || text_of(has->get(), 0, 1) == "t") return ok_status();
  return conn_->run("CREATE INDEX " + quote_identifier(search_index_name(object)) + " ON " + qualified(object) +
                        " USING gin (" + quote_identifier(kSearchColumn) + ")",
                    context);
}

Result<std::string> search_sql(Connection& conn, const std::string& schema, const SearchRequest& request) {
  CRMSYNC_TRY(check_identifier("table", request.object));
  auto indexed = read_meta(conn, schema, search_meta_key(request.object));
  if (!indexed) return indexed.error();
  if (!*indexed || (*indexed)->empty()) return std::string();
  auto existing = read_table_columns(conn, schema, request.object);
  if (!existing) return existing.error();
  std::vector<std::string> title_columns;
  for (const auto& c : request.title_columns) {
    CRMSYNC_TRY(check_identifier("column of " + request.object, c));
    if (has_column(*existing, c)) title_columns.push_back(c);
  }
  std::vector<std::string> indexed_columns;
  for (const auto& c : split_column_list(**indexed)) {
    if (has_column(*existing, c)) indexed_columns.push_back(c);
  }
  // Ranked by ts_rank among the first kSearchCandidates matches (as SQLite's bm25: ranking every
  // match of a short prefix costs more than a box answering as one types can pay); the snippet is
  // made from the hits' indexed columns (make_snippet), which follow the Id, title and rank.
  // The query is written out where it is used (not joined from a subquery), so that the planner
  // sees a value and scans the GIN index rather than the table.
  const std::string query = "to_tsquery('simple'::regconfig, $1)";
  std::string sql = "SELECT id, trim(title), k";
  for (std::size_t k = 0; k < indexed_columns.size(); ++k) sql += ", c" + std::to_string(k);
  sql += " FROM (SELECT *, -ts_rank(s, " + query + ") AS k FROM (SELECT o." + quote_identifier("Id") + " AS id, " +
         document(title_columns, "o.") + " AS title, o." + quote_identifier(kSearchColumn) + " AS s";
  for (std::size_t k = 0; k < indexed_columns.size(); ++k) {
    sql += ", o." + quote_identifier(indexed_columns[k]) + " AS c" + std::to_string(k);
  }
  sql += " FROM " + qualified(schema, request.object) + " AS o WHERE o." + quote_identifier(kSearchColumn) + " @@ " +
         query + " LIMIT " + std::to_string(kSearchCandidates) + ") AS c ORDER BY k LIMIT $2) AS h ORDER BY k";
  return sql;
}

Result<std::vector<SearchHit>> run_search(Connection& conn, const std::string& sql, const SearchRequest& request) {
  std::vector<SearchHit> hits;
  const std::string query = tsquery_text(request.words);
  if (sql.empty() || query.empty() || request.limit <= 0) return hits;
  auto r = conn.exec(sql, {query, std::to_string(request.limit)}, "Cannot search " + request.object);
  if (!r) return r.error();
  std::vector<std::string> texts(static_cast<std::size_t>(std::max(0, PQnfields(r->get()) - 3)));
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    for (std::size_t k = 0; k < texts.size(); ++k) texts[k] = text_of(r->get(), i, static_cast<int>(k) + 3);
    hits.push_back({request.object, text_of(r->get(), i, 0), text_of(r->get(), i, 1), make_snippet(texts, request.words),
                    std::strtod(PQgetvalue(r->get(), i, 2), nullptr)});
  }
  return hits;
}

}  // namespace crmsync::store::postgres
