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
  // match of a short prefix costs more than a box answering as one types can pay). The candidates
  // carry only their Id and search vector; the few hits are joined back by Id (the unique index) for
  // their title and the indexed columns the snippet is made from (make_snippet), sent as one text
  // joined by U+001F, so that the texts of hundreds of candidates are never built and every
  // object's statement has the same columns (id, title, rank, texts) and several can be sent as one
  // (run_searches). The query is written out where it is used (not joined from a subquery), so
  // that the planner sees a value and scans the GIN index rather than the table. $1 is the tsquery
  // text and $2 the limit; run_searches renumbers them.
  const std::string query = "to_tsquery('simple'::regconfig, $1)";
  std::string texts;
  for (const auto& c : indexed_columns) {
    if (!texts.empty()) texts += " || chr(31) || ";
    texts += "coalesce(o." + quote_identifier(c) + "::text, '')";
  }
  if (texts.empty()) texts = "''";
  const std::string table = qualified(schema, request.object);
  const std::string id = quote_identifier("Id");
  return "SELECT h.id, trim(" + document(title_columns, "o.") + ") AS title, h.k, " + texts +
         " AS t FROM (SELECT c.id, -ts_rank(c.s, " + query + ") AS k FROM (SELECT o." + id + " AS id, o." +
         quote_identifier(kSearchColumn) + " AS s FROM " + table + " AS o WHERE o." + quote_identifier(kSearchColumn) +
         " @@ " + query + " LIMIT " + std::to_string(kSearchCandidates) + ") AS c ORDER BY k, c.id LIMIT $2) AS h JOIN " +
         table + " AS o ON o." + id + " = h.id";
}

Result<std::vector<SearchHit>> run_searches(Connection& conn, const std::vector<std::string>& sqls,
                                            const std::vector<SearchRequest>& requests) {
  // One statement: each request's query as a branch of a UNION ALL, tagged with its position, its
  // parameters renumbered ($1, $2 -> $2i+1, $2i+2), the hits ordered by request and then rank.
  std::string sql;
  std::vector<Param> params;
  for (std::size_t i = 0; i < requests.size() && i < sqls.size(); ++i) {
    const std::string query = tsquery_text(requests[i].words);
    if (sqls[i].empty() || query.empty() || requests[i].limit <= 0) continue;
    std::string branch = sqls[i];
    const std::string first = "$" + std::to_string(params.size() + 1);
    const std::string second = "$" + std::to_string(params.size() + 2);
    for (std::size_t at = 0; (at = branch.find('$', at)) != std::string::npos;) {
      const std::string& with = branch.compare(at, 2, "$1") == 0 ? first : second;
      branch.replace(at, 2, with);
      at += with.size();
    }
    params.push_back(query);
    params.push_back(std::to_string(requests[i].limit));
    if (!sql.empty()) sql += " UNION ALL ";
    sql += "SELECT " + std::to_string(i) + " AS r, * FROM (" + branch + ") AS b" + std::to_string(i);
  }
  std::vector<SearchHit> hits;
  if (sql.empty()) return hits;
  // The plan, decided here rather than by estimates. With LIMIT kSearchCandidates on the scan, the
  // planner prefers reading the table until it has enough matches whenever its estimate for a
  // prefix ('mue':*) is a few percent; for a word only a few rows hold (or none) that reads the whole
  // table: 35 ms for 100,000 deals where the GIN index answers in 0.1 ms. The index costs what the
  // matches cost instead (about 10 ms for a word 200,000 contacts hold), so it is always used. SET
  // LOCAL ends with the read's transaction, and is undone below for the reads that follow in the
  // same snapshot.
  const std::string context = "Cannot search the store";
  CRMSYNC_TRY(conn.run("SET LOCAL enable_seqscan = off", context));
  auto r = conn.exec("SELECT * FROM (" + sql + ") AS u ORDER BY r, k, id", params, context);
  if (!r) return r.error();  // the transaction has failed: its settings go with it
  CRMSYNC_TRY(conn.run("SET LOCAL enable_seqscan = on", context));
  std::vector<std::string> texts;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    const auto& request = requests[static_cast<std::size_t>(int_of(r->get(), i, 0))];
    texts.clear();
    const std::string joined = text_of(r->get(), i, 4);
    for (std::size_t from = 0;;) {
      const std::size_t to = joined.find('\x1f', from);
      texts.push_back(joined.substr(from, to == std::string::npos ? std::string::npos : to - from));
      if (to == std::string::npos) break;
      from = to + 1;
    }
    hits.push_back({request.object, text_of(r->get(), i, 1), text_of(r->get(), i, 2), make_snippet(texts, request.words),
                    std::strtod(PQgetvalue(r->get(), i, 3), nullptr)});
  }
  return hits;
}

}  // namespace crmsync::store::postgres
