// Object tables in the PostgreSQL store: creating and widening them, the Id index and appending
// without it, writers, and reading them back.
#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/text.h"
#include "store/identifier.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_writer.h"

namespace crmsync::store::postgres {

using catalog::StorageClass;

Error PostgresStore::no_such_table(std::string_view object) const {
  return Error(ErrorKind::kNotFound, "NO_SUCH_TABLE",
               "The table " + std::string(object) + " does not exist in the schema " + schema_ + " of " +
                   conn_->where() + "; run crmsync sync first.");
}

Status PostgresStore::ensure_table(std::string_view object, const std::vector<Column>& columns) {
  CRMSYNC_TRY(check_table_name(object));
  CRMSYNC_TRY(check_columns(object, columns));
  return atomically("Cannot create or update the table " + std::string(object), [&]() -> Status {
    CRMSYNC_TRY(ensure_table_in_savepoint(object, columns));
    return record_columns(object, columns);
  });
}

Status PostgresStore::record_columns(std::string_view object, const std::vector<Column>& columns) {
  if (columns.empty()) return ok_status();
  std::string sql = "INSERT INTO " + qualified("crmsync_columns") + " AS c (object, name, field_type) VALUES ";
  std::vector<Param> params = {std::string(object)};
  for (const Column& c : columns) {
    sql += (params.size() > 1 ? ", ($1, $" : "($1, $") + std::to_string(params.size() + 1) + ", $" +
           std::to_string(params.size() + 2) + ")";
    params.push_back(c.name);
    params.push_back(c.field_type ? Param(catalog::to_string(*c.field_type)) : Param());
  }
  sql += " ON CONFLICT (object, name) DO UPDATE SET field_type = coalesce(excluded.field_type, c.field_type)";
  auto r = conn_->exec(sql, params, "Cannot record the columns of " + std::string(object));
  return r ? ok_status() : Status(r.error());
}

Status PostgresStore::ensure_table_in_savepoint(std::string_view object, const std::vector<Column>& columns) {
  const std::string table = qualified(object);
  const std::string context = "Cannot create or update the table " + std::string(object);
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) {
    // Id is not the PRIMARY KEY but a separate unique index, which a first full load may drop
    // while it appends (begin_append).
    std::string sql = "CREATE TABLE " + table + " (\"Id\" text NOT NULL";
    for (const Column& c : columns) {
      if (iequals(c.name, "Id")) continue;
      sql += ", " + quote_identifier(c.name) + " " + catalog::postgresql_type(c.type);
    }
    sql += "); CREATE UNIQUE INDEX " + quote_identifier(id_index_name(object)) + " ON " + table + " (\"Id\")";
    return conn_->run(sql, context);
  }
  auto find = [&](std::string_view name) -> const TableColumn* {
    for (const TableColumn& t : *existing) {
      if (iequals(t.name, name)) return &t;
    }
    return nullptr;
  };
  if (!find("Id")) {
    return Error(ErrorKind::kStore, "NO_ID_COLUMN",
                 "The table " + std::string(object) + " in the schema " + schema_ +
                     " exists without an Id column; crmsync cannot sync into it. Drop or rename it.");
  }
  for (const Column& c : columns) {
    const TableColumn* t = find(c.name);
    const char* wanted = catalog::postgresql_type(c.type);
    if (!t) {
      CRMSYNC_TRY(conn_->run("ALTER TABLE " + table + " ADD COLUMN " + quote_identifier(c.name) + " " + wanted,
                             context + " (adding column " + c.name + ")"));
    } else if (storage_of_sql_type(t->sql_type) != c.type) {
      return Error(ErrorKind::kStore, "COLUMN_TYPE_CHANGED",
                   "The column " + std::string(object) + "." + c.name + " is stored as " + t->sql_type +
                       " but the field now needs " + wanted + "; drop the table " + schema_ + "." +
                       std::string(object) + " and run a full sync of it.");
    }
  }
  return ok_status();
}

Result<std::optional<std::string>> PostgresStore::find_id_index(std::string_view object) {
  auto r = conn_->exec(
      "SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
      " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
      " WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnatts = 1 AND i.indpred IS NULL"
      " AND i.indexprs IS NULL AND a.attname = 'Id' ORDER BY ic.relname LIMIT 1",
      {qualified(object)}, "Cannot read the indexes of " + std::string(object));
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0) return std::optional<std::string>();
  return std::optional<std::string>(text_of(r->get(), 0, 0));
}

Result<bool> PostgresStore::has_id_index(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto index = find_id_index(object);
  if (!index) return index.error();
  return index->has_value();
}

Result<bool> PostgresStore::begin_append(std::string_view object) {
  CRMSYNC_TRY(check_table_name(object));
  auto index = find_id_index(object);
  if (!index) return index.error();
  if (!*index) {
    auto existing = table_columns(object);
    if (!existing) return existing.error();
    if (existing->empty()) return no_such_table(object);
    return true;  // a load cut short: it goes on appending
  }
  if (**index != id_index_name(object)) return false;  // not ours
  std::string context = "Cannot prepare " + std::string(object) + " for a first full load";
  auto any = conn_->exec("SELECT 1 FROM " + qualified(object) + " LIMIT 1", context);
  if (!any) return any.error();
  if (PQntuples(any->get()) > 0) return false;  // rows to upsert into
  // The search index goes too (built again with the Id index at the load's end): a GIN entry per
  // row appended costs more than one build over them all.
  CRMSYNC_TRY(conn_->run("DROP INDEX " + qualified(**index) + "; DROP INDEX IF EXISTS " +
                             qualified(search_index_name(object)),
                         context));
  return true;
}

Status PostgresStore::ensure_id_index(std::string_view object) {
  CRMSYNC_TRY(check_table_name(object));
  auto index = find_id_index(object);
  if (!index) return index.error();
  if (*index) return ensure_search_gin(object);
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);
  const std::string table = qualified(object);
  const std::string create =
      "CREATE UNIQUE INDEX " + quote_identifier(id_index_name(object)) + " ON " + table + " (\"Id\")";
  const std::string context = "Cannot build the Id index of " + std::string(object);
  return atomically(context, [&]() -> Status {
    CRMSYNC_TRY(conn_->run("SAVEPOINT crmsync_id_index", context));
    Status s = conn_->run(create, context);
    if (!s && sqlstate_of(s.error()) == "23505") {
      // Ids appended more than once (a resumed load read them again): the last write is the newest
      // read of the record, the row of the latest transaction (smallest age(xmin)), the later
      // physical position within one. Only this path pays for the window function.
      CRMSYNC_TRY(conn_->run("ROLLBACK TO SAVEPOINT crmsync_id_index", context));
      CRMSYNC_TRY(conn_->run("DELETE FROM " + table + " AS t USING (SELECT ctid, row_number() OVER (PARTITION BY \"Id\""
                                 " ORDER BY age(xmin), ctid DESC) AS n FROM " + table +
                                 ") AS d WHERE t.ctid = d.ctid AND d.n > 1",
                             context + " (removing Ids held twice)"));
      s = conn_->run(create, context);
    }
    CRMSYNC_TRY(s);
    CRMSYNC_TRY(conn_->run("RELEASE SAVEPOINT crmsync_id_index", context));
    return ensure_search_gin(object);
  });
}

Result<std::unique_ptr<TableWriter>> PostgresStore::writer(std::string_view object, const std::vector<Column>& columns,
                                                           WriteMode mode) {
  CRMSYNC_TRY(check_table_name(object));
  CRMSYNC_TRY(check_columns(object, columns));
  auto index = find_id_index(object);
  if (!index) return index.error();
  bool indexed = index->has_value();
  if (!indexed) {
    auto existing = table_columns(object);
    if (!existing) return existing.error();
    if (existing->empty()) return no_such_table(object);
    if (mode == WriteMode::kUpsert) {
      CRMSYNC_TRY(ensure_id_index(object));
      indexed = true;
    }
  }
  std::size_t id_index = columns.size();
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (columns[k].name == "Id") id_index = k;
  }
  if (id_index == columns.size()) {
    return Error(ErrorKind::kInternal, "NO_ID_COLUMN",
                 "A writer for " + std::string(object) + " needs the column Id among its columns.");
  }
  std::string key(object);
  for (const Column& c : columns) key += std::string("\x1f") + c.name + ":" + catalog::to_string(c.type);
  auto [it, added] = stages_.try_emplace(key, static_cast<int>(stages_.size()) + 1);
  std::string stage = "crmsync_stage_" + std::to_string(it->second);
  return make_writer(*conn_, plan_writer(object, qualified(object), columns, id_index, !indexed, stage));
}

Result<std::int64_t> PostgresStore::count_rows(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);
  auto r = conn_->exec("SELECT count(*) FROM " + qualified(object), "Cannot count the rows of " + std::string(object));
  if (!r) return r.error();
  return std::strtoll(PQgetvalue(r->get(), 0, 0), nullptr, 10);
}

Status PostgresStore::for_each_id(std::string_view object, bool skip_deleted,
                                  const std::function<Status(std::string_view id)>& fn) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return ok_status();  // no table, no rows
  bool has_deleted = std::any_of(existing->begin(), existing->end(), [](const TableColumn& c) {
    return c.name == "IsDeleted" && storage_of_sql_type(c.sql_type) == StorageClass::kBoolean;
  });
  std::string sql = "SELECT \"Id\" FROM " + qualified(object);
  if (skip_deleted && has_deleted) sql += " WHERE \"IsDeleted\" IS NOT TRUE";
  return scan_rows(*conn_, sql, "Cannot read the Ids of " + std::string(object), [&](const PGresult* r) {
    return fn(std::string_view(PQgetvalue(r, 0, 0), static_cast<std::size_t>(PQgetlength(r, 0, 0))));
  });
}

Result<std::vector<std::vector<std::pair<std::string, Value>>>> PostgresStore::dump(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);
  std::string sql = "SELECT ";
  std::vector<StorageClass> classes;
  for (std::size_t k = 0; k < existing->size(); ++k) {
    if (k) sql += ", ";
    sql += read_expression((*existing)[k]);
    classes.push_back(storage_of_sql_type((*existing)[k].sql_type));
  }
  sql += " FROM " + qualified(object) + " ORDER BY \"Id\" COLLATE \"C\"";
  auto r = conn_->exec(sql, "Cannot read the rows of " + std::string(object));
  if (!r) return r.error();
  std::vector<std::vector<std::pair<std::string, Value>>> rows;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    std::vector<std::pair<std::string, Value>> row;
    row.reserve(classes.size());
    for (std::size_t k = 0; k < classes.size(); ++k) {
      row.emplace_back((*existing)[k].name, read_value(r->get(), i, static_cast<int>(k), classes[k]));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<std::string>> PostgresStore::columns(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  std::vector<std::string> names;
  for (TableColumn& c : *existing) names.push_back(std::move(c.name));
  return names;
}

Status PostgresStore::scan(std::string_view table, const std::vector<std::string>& columns, const RowCallback& on_row) {
  return scan_table(*conn_, schema_, table, columns, on_row);
}

}  // namespace crmsync::store::postgres

namespace crmsync::store::postgres {

// The reload table takes the object's name and its Id index the object's index name, both renamed
// in place (no copy, no sort unless the reload lacks the index). DROP TABLE takes an exclusive lock
// until the commit: a reader that asks meanwhile waits for the swap, then reads the new table.
Status PostgresStore::replace_table(std::string_view object, std::string_view replacement) {
  CRMSYNC_TRY(check_table_name(object));
  CRMSYNC_TRY(check_table_name(replacement));
  auto from = table_columns(replacement);
  if (!from) return from.error();
  if (from->empty()) return no_such_table(replacement);
  const std::string context = "Cannot replace the table " + std::string(object) + " with " + std::string(replacement);
  return atomically(context, [&]() -> Status {
    auto to = table_columns(object);
    if (!to) return to.error();
    if (!to->empty()) CRMSYNC_TRY(conn_->run("DROP TABLE " + qualified(object), context));
    auto index = find_id_index(replacement);
    if (!index) return index.error();
    if (*index && **index == id_index_name(replacement)) {
      CRMSYNC_TRY(conn_->run("ALTER INDEX " + qualified(**index) + " RENAME TO " +
                                 quote_identifier(id_index_name(object)),
                             context));
    }
    CRMSYNC_TRY(conn_->run("ALTER TABLE " + qualified(replacement) + " RENAME TO " + quote_identifier(object), context));
    return ensure_id_index(object);
  });
}

}  // namespace crmsync::store::postgres
