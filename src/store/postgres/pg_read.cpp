// Reading a PostgreSQL store's tables: their columns (with the field types crmsync recorded), their
// rows streamed in single-row mode, and the sync states. Shared by PostgresStore and the read-only
// snapshots of `crmsync serve` (pg_reader.cpp), each on its own connection.
#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/text.h"
#include "store/backend.h"
#include "store/identifier.h"
#include "store/postgres/pg_store.h"

namespace crmsync::store::postgres {

using catalog::StorageClass;

std::string qualified(const std::string& schema, std::string_view name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string search_index_name(std::string_view object) { return "crmsync_search_" + std::string(object); }

Result<std::vector<TableColumn>> read_table_columns(Connection& conn, const std::string& schema, std::string_view object) {
  // crmsync_columns is absent from schemas a crmsync before field types wrote (until a sync opens
  // them): field types are then unknown. Generated columns (the search column) are crmsync's own.
  const std::string context = "Cannot read the columns of " + std::string(object);
  const std::string recorded = qualified(schema, "crmsync_columns");
  auto has = conn.exec("SELECT to_regclass($1) IS NOT NULL", {recorded}, context);
  if (!has) return has.error();
  const bool types = text_of(has->get(), 0, 0) == "t";
  auto r = conn.exec("SELECT a.attname, format_type(a.atttypid, a.atttypmod), " +
                         std::string(types ? "c.field_type" : "NULL") + " FROM pg_attribute a" +
                         (types ? " LEFT JOIN " + recorded + " c ON c.object = $2 AND c.name = a.attname" : "") +
                         " WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped"
                         " AND a.attgenerated = '' ORDER BY a.attnum",
                     types ? std::vector<Param>{qualified(schema, object), std::string(object)}
                           : std::vector<Param>{qualified(schema, object)},
                     context);
  if (!r) return r.error();
  std::vector<TableColumn> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    TableColumn c{text_of(r->get(), i, 0), text_of(r->get(), i, 1), std::nullopt};
    if (!is_null(r->get(), i, 2)) c.field_type = parse_field_type(text_of(r->get(), i, 2));
    out.push_back(std::move(c));
  }
  return out;
}

std::string read_expression(const TableColumn& c) {
  std::string q = quote_identifier(c.name);
  switch (storage_of_sql_type(c.sql_type)) {
    case StorageClass::kDateTime: return "to_char(" + q + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
    case StorageClass::kDate: return "to_char(" + q + ", 'YYYY-MM-DD')";
    case StorageClass::kTime: return "to_char(" + q + ", 'HH24:MI:SS.MS\"Z\"')";
    default: return q;
  }
}

Value read_value(const PGresult* r, int row, int col, StorageClass storage) {
  if (is_null(r, row, col)) return std::monostate{};
  const char* p = PQgetvalue(r, row, col);
  std::size_t n = static_cast<std::size_t>(PQgetlength(r, row, col));
  switch (storage) {
    case StorageClass::kBoolean: return n > 0 && p[0] == 't';
    case StorageClass::kInteger: {
      std::int64_t v = 0;
      std::from_chars(p, p + n, v);
      return v;
    }
    case StorageClass::kReal: return std::strtod(p, nullptr);  // "NaN", "Infinity" too
    default: return std::string(p, n);
  }
}

Status scan_rows(Connection& conn, const std::string& sql, std::string_view context,
                 const std::function<Status(const PGresult* row)>& on_row) {
  CRMSYNC_TRY(conn.stream(sql, context));
  Status outcome = ok_status();
  for (;;) {
    auto row = conn.next_row(context);
    if (!row) return outcome ? Status(row.error()) : outcome;
    if (!*row) return outcome;
    if (outcome) outcome = on_row(row->get());  // after an error, the rest is read and dropped
  }
}

Status scan_table(Connection& conn, const std::string& schema, std::string_view table,
                  const std::vector<std::string>& columns, const Store::RowCallback& on_row,
                  std::optional<std::string_view> only_id) {
  CRMSYNC_TRY(check_identifier("table", table));
  auto existing = read_table_columns(conn, schema, table);
  if (!existing) return existing.error();
  if (existing->empty()) {
    return Error(ErrorKind::kNotFound, "NO_SUCH_TABLE",
                 "The table " + std::string(table) + " does not exist in the schema " + schema + " of " + conn.where() +
                     "; run crmsync sync first.");
  }
  std::string sql = "SELECT ";
  std::vector<StorageClass> classes;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    CRMSYNC_TRY(check_identifier("column of " + std::string(table), columns[k]));
    auto found = std::find_if(existing->begin(), existing->end(),
                              [&](const TableColumn& c) { return iequals(c.name, columns[k]); });
    if (found == existing->end()) return no_such_column(table, columns[k]);
    if (k) sql += ", ";
    sql += read_expression(*found);
    classes.push_back(storage_of_sql_type(found->sql_type));
  }
  if (columns.empty()) sql += "1";
  sql += " FROM " + qualified(schema, table);
  std::vector<Value> values(columns.size());
  if (only_id) {  // one row, through the Id index
    auto r = conn.exec(sql + " WHERE \"Id\" = $1", {std::string(*only_id)}, "Cannot read a row of " + std::string(table));
    if (!r) return r.error();
    if (PQntuples(r->get()) == 0) return ok_status();
    for (std::size_t k = 0; k < classes.size(); ++k) values[k] = read_value(r->get(), 0, static_cast<int>(k), classes[k]);
    return on_row(std::span<const Value>(values));
  }
  return scan_rows(conn, sql, "Cannot read the rows of " + std::string(table), [&](const PGresult* r) -> Status {
    for (std::size_t k = 0; k < classes.size(); ++k) values[k] = read_value(r, 0, static_cast<int>(k), classes[k]);
    return on_row(std::span<const Value>(values));
  });
}

}  // namespace crmsync::store::postgres
