// Object tables in the SQLite store: creating and widening them, writers, and reading them back.
#include <algorithm>
#include <unordered_set>

#include "common/text.h"
#include "store/identifier.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_writer.h"

namespace crmsync::store::sqlite {

using catalog::StorageClass;

namespace {

std::string writer_key(std::string_view object, const std::vector<Column>& columns) {
  std::string key(object);
  for (const Column& c : columns) {
    key += '\x1f';
    key += c.name;
    key += ':';
    key += storage_name(c.type);
  }
  return key;
}

std::optional<catalog::FieldType> parse_field_type(std::string_view name) {
  for (int t = static_cast<int>(catalog::FieldType::kBoolean); t <= static_cast<int>(catalog::FieldType::kUrl); ++t) {
    auto type = static_cast<catalog::FieldType>(t);
    if (name == catalog::to_string(type)) return type;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<TableColumn>> read_table_columns(const std::shared_ptr<Connection>& conn, std::string_view object) {
  std::string context = "Cannot read the columns of " + std::string(object);
  // Stores written before field types were recorded lack crmsync_columns.field_type until a sync
  // opens them for writing (readers are read-only and cannot add it).
  auto probe = Statement::prepare(conn, "SELECT field_type FROM crmsync_columns LIMIT 0", context);
  std::string field_type = probe ? "c.field_type" : "NULL";
  auto st = Statement::prepare(
      conn,
      "SELECT p.name, p.type, c.storage, " + field_type +
          " FROM pragma_table_info(?1) AS p"
          " LEFT JOIN crmsync_columns AS c ON c.object = ?1 AND c.name = p.name ORDER BY p.cid",
      context);
  if (!st) return st.error();
  st->bind_text(1, object);
  ResetOnExit guard(*st);
  std::vector<TableColumn> out;
  for (;;) {
    auto row = st->step(context);
    if (!row) return row.error();
    if (!*row) break;
    TableColumn c{st->column_text(0), st->column_text(1), std::nullopt, std::nullopt};
    if (!st->column_is_null(2)) c.storage = parse_storage_name(st->column_text(2));
    if (!st->column_is_null(3)) c.field_type = parse_field_type(st->column_text(3));
    out.push_back(std::move(c));
  }
  return out;
}

Status SqliteStore::ensure_table(std::string_view object, const std::vector<Column>& columns) {
  CRMSYNC_TRY(check_table_name(object));
  CRMSYNC_TRY(check_columns(object, columns));
  // A savepoint makes the change all-or-nothing, inside or outside the caller's transaction.
  std::string context = "Cannot create or update the table " + std::string(object);
  CRMSYNC_TRY(conn_->exec("SAVEPOINT crmsync_ensure_table", context));
  bool changed = false;
  Status s = ensure_table_in_savepoint(object, columns, changed);
  if (!s) {
    (void)conn_->exec("ROLLBACK TO crmsync_ensure_table; RELEASE crmsync_ensure_table", context);
    return s;
  }
  CRMSYNC_TRY(conn_->exec("RELEASE crmsync_ensure_table", context));
  if (changed) invalidate_writers(object);
  return ok_status();
}

Status SqliteStore::ensure_table_in_savepoint(std::string_view object, const std::vector<Column>& columns,
                                              bool& changed) {
  const std::string table = quote_identifier(object);
  const std::string context = "Cannot create or update the table " + std::string(object);
  auto existing = table_columns(object);
  if (!existing) return existing.error();

  if (existing->empty()) {
    // Id is not the PRIMARY KEY but a separate unique index, which a first full load may drop
    // while it appends (begin_append). In a rowid table both are the same b-tree on Id.
    std::string sql = "CREATE TABLE " + table + " (" + quote_identifier("Id") + " TEXT NOT NULL";
    for (const Column& c : columns) {
      if (iequals(c.name, "Id")) continue;
      sql += ", " + quote_identifier(c.name) + " " + sql_type_of(c.type);
    }
    sql += "); CREATE UNIQUE INDEX " + quote_identifier(id_index_name(object)) + " ON " + table + " (" +
           quote_identifier("Id") + ")";
    CRMSYNC_TRY(conn_->exec(sql, context));
    changed = true;
  } else {
    auto find = [&](std::string_view name) -> const TableColumn* {
      for (const TableColumn& t : *existing) {
        if (iequals(t.name, name)) return &t;
      }
      return nullptr;
    };
    if (!find("Id")) {
      return Error(ErrorKind::kStore, "NO_ID_COLUMN",
                   "The table " + std::string(object) + " in '" + conn_->path() +
                       "' exists without an Id column; crmsync cannot sync into it. Drop or rename it.");
    }
    for (const Column& c : columns) {
      const TableColumn* t = find(c.name);
      if (!t) {
        CRMSYNC_TRY(conn_->exec("ALTER TABLE " + table + " ADD COLUMN " + quote_identifier(c.name) + " " +
                                    sql_type_of(c.type),
                                context + " (adding column " + c.name + ")"));
        changed = true;
      } else if (!iequals(t->sql_type, sql_type_of(c.type))) {
        // SQLite cannot change a column's type in place, and a TEXT column would silently turn
        // numbers into text.
        return Error(ErrorKind::kStore, "COLUMN_TYPE_CHANGED",
                     "The column " + std::string(object) + "." + c.name + " is stored as " + t->sql_type +
                         " but the field now needs " + sql_type_of(c.type) + "; drop the table " +
                         std::string(object) + " and run a full sync of it.");
      }
    }
  }

  auto record = prepare(
      "INSERT INTO crmsync_columns (object, name, storage, field_type) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT (object, name) DO UPDATE SET storage = excluded.storage,"
      " field_type = coalesce(excluded.field_type, crmsync_columns.field_type)",
      context);
  if (!record) return record.error();
  for (const Column& c : columns) {
    record->bind_text(1, object);
    record->bind_text(2, c.name);
    record->bind_text(3, storage_name(c.type));
    if (c.field_type) record->bind_text(4, catalog::to_string(*c.field_type));
    CRMSYNC_TRY(record->run(context + " (recording column " + c.name + ")"));
  }
  return ok_status();
}

void SqliteStore::invalidate_writers(std::string_view object) {
  // Writers already handed out keep their own reference and stay usable (SQLite re-prepares them);
  // new writers are prepared against the new schema.
  std::erase_if(writers_, [&](const auto& entry) { return iequals(entry.second->table, object); });
}

Error SqliteStore::no_such_table(std::string_view object) const {
  return Error(ErrorKind::kNotFound, "NO_SUCH_TABLE",
               "The table " + std::string(object) + " does not exist in '" + conn_->path() +
                   "'; ensure_table() creates it.");
}

Result<std::unique_ptr<TableWriter>> SqliteStore::writer(std::string_view object, const std::vector<Column>& columns,
                                                         WriteMode mode) {
  CRMSYNC_TRY(check_table_name(object));
  CRMSYNC_TRY(check_columns(object, columns));
  // Asked every time (a page's job makes one writer): another connection, or a kUpsert writer of
  // this one, may have built the index since; a cached "has it" would also outlive a rollback.
  auto indexed = has_id_index(object);
  if (!indexed) return indexed.error();
  if (!*indexed && mode == WriteMode::kUpsert) {  // a missing table: NO_SUCH_TABLE
    CRMSYNC_TRY(ensure_id_index(object));
    *indexed = true;
  }
  bool append = !*indexed && mode == WriteMode::kAppend;
  std::string key = writer_key(object, columns);
  if (append) key += "\x1e" "append";
  if (auto it = writers_.find(key); it != writers_.end()) return make_writer(it->second);

  std::size_t id_index = columns.size();
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (columns[k].name == "Id") id_index = k;
  }
  if (id_index == columns.size()) {
    return Error(ErrorKind::kInternal, "NO_ID_COLUMN",
                 "A writer for " + std::string(object) + " needs the column Id among its columns.");
  }
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return no_such_table(object);
  std::string context = "Cannot prepare writes to " + std::string(object);
  auto write = prepare(append ? build_insert_sql(object, columns) : build_upsert_sql(object, columns, id_index),
                       context);
  if (!write) return write.error();
  auto remove = prepare(build_delete_sql(object), context);
  if (!remove) return remove.error();
  auto statements = std::make_shared<WriterStatements>(
      WriterStatements{std::string(object), columns, id_index, append, std::move(*write), std::move(*remove)});
  CRMSYNC_TRY(prepare_search_statements(conn_, object, statements->max_rowid, statements->index_added));
  writers_.emplace(std::move(key), statements);
  return make_writer(std::move(statements));
}

Result<std::int64_t> SqliteStore::count_rows(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) {
    return Error(ErrorKind::kNotFound, "NO_SUCH_TABLE", "The table " + std::string(object) + " does not exist.");
  }
  std::string context = "Cannot count the rows of " + std::string(object);
  auto st = prepare("SELECT count(*) FROM " + quote_identifier(object), context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  auto row = st->step(context);
  if (!row) return row.error();
  return static_cast<std::int64_t>(sqlite3_column_int64(st->get(), 0));
}

Status SqliteStore::for_each_id(std::string_view object, bool skip_deleted,
                                const std::function<Status(std::string_view id)>& fn) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) return ok_status();  // no table, no rows
  bool has_deleted = std::any_of(existing->begin(), existing->end(),
                                 [](const TableColumn& c) { return iequals(c.name, "IsDeleted"); });
  std::string sql = "SELECT " + quote_identifier("Id") + " FROM " + quote_identifier(object);
  if (skip_deleted && has_deleted) sql += " WHERE " + quote_identifier("IsDeleted") + " IS NOT 1";
  std::string context = "Cannot read the Ids of " + std::string(object);
  auto st = prepare(sql, context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  for (;;) {
    auto row = st->step(context);
    if (!row) return row.error();
    if (!*row) return ok_status();
    const unsigned char* text = sqlite3_column_text(st->get(), 0);
    int n = sqlite3_column_bytes(st->get(), 0);
    CRMSYNC_TRY(fn(std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n))));
  }
}

namespace {

// The storage class to read a column back as: what crmsync recorded, else the declared type.
StorageClass read_class(const std::optional<StorageClass>& recorded, std::string_view sql_type) {
  if (recorded) return *recorded;
  std::string t = to_lower(sql_type);
  if (t.find("int") != std::string::npos) return StorageClass::kInteger;
  if (t.find("real") != std::string::npos || t.find("floa") != std::string::npos ||
      t.find("doub") != std::string::npos) {
    return StorageClass::kReal;
  }
  return StorageClass::kText;
}

Value read_value(sqlite3_stmt* st, int i, StorageClass storage) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return std::monostate{};
    case SQLITE_INTEGER: {
      std::int64_t v = sqlite3_column_int64(st, i);
      if (storage == StorageClass::kBoolean) return v != 0;
      if (storage == StorageClass::kReal) return static_cast<double>(v);
      return v;
    }
    case SQLITE_FLOAT: return sqlite3_column_double(st, i);
    default: {  // TEXT or BLOB: the bytes as they are
      const char* p = static_cast<const char*>(sqlite3_column_blob(st, i));
      return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
    }
  }
}

}  // namespace

Result<std::vector<std::vector<std::pair<std::string, Value>>>> SqliteStore::dump(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  if (existing->empty()) {
    return Error(ErrorKind::kNotFound, "NO_SUCH_TABLE", "The table " + std::string(object) + " does not exist.");
  }
  std::string sql = "SELECT ";
  std::vector<StorageClass> classes;
  for (std::size_t k = 0; k < existing->size(); ++k) {
    const TableColumn& c = (*existing)[k];
    if (k) sql += ", ";
    sql += quote_identifier(c.name);
    classes.push_back(read_class(c.storage, c.sql_type));
  }
  sql += " FROM " + quote_identifier(object) + " ORDER BY " + quote_identifier("Id");
  std::string context = "Cannot read the rows of " + std::string(object);
  auto st = prepare(sql, context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  std::vector<std::vector<std::pair<std::string, Value>>> rows;
  for (;;) {
    auto row = st->step(context);
    if (!row) return row.error();
    if (!*row) break;
    std::vector<std::pair<std::string, Value>> r;
    r.reserve(classes.size());
    for (std::size_t k = 0; k < classes.size(); ++k) {
      r.emplace_back((*existing)[k].name, read_value(st->get(), static_cast<int>(k), classes[k]));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<std::vector<std::string>> SqliteStore::columns(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  auto existing = table_columns(object);
  if (!existing) return existing.error();
  std::vector<std::string> names;
  for (TableColumn& c : *existing) names.push_back(std::move(c.name));
  return names;
}

}  // namespace crmsync::store::sqlite

namespace crmsync::store::sqlite {

namespace {

// Reads column i into `out`, reusing its string buffer when it already holds text (a scan of a big
// table then allocates only when a value outgrows the buffer).
void read_value_into(sqlite3_stmt* st, int i, StorageClass storage, Value& out) {
  int type = sqlite3_column_type(st, i);
  if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
    const char* p = static_cast<const char*>(sqlite3_column_blob(st, i));
    std::string_view text(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
    if (auto* s = std::get_if<std::string>(&out)) {
      s->assign(text);
    } else {
      out = std::string(text);
    }
    return;
  }
  out = read_value(st, i, storage);
}

}  // namespace

Status SqliteStore::scan(std::string_view table, const std::vector<std::string>& columns, const RowCallback& on_row) {
  return scan_table(conn_, table, columns, on_row);
}

Status scan_table(const std::shared_ptr<Connection>& conn, std::string_view table,
                  const std::vector<std::string>& columns, const Store::RowCallback& on_row,
                  std::optional<std::string_view> only_id) {
  CRMSYNC_TRY(check_identifier("table", table));
  auto existing = read_table_columns(conn, table);
  if (!existing) return existing.error();
  if (existing->empty()) {
    return Error(ErrorKind::kNotFound, "NO_SUCH_TABLE",
                 "The table " + std::string(table) + " does not exist in '" + conn->path() +
                     "'; run crmsync sync first.");
  }
  std::string sql = "SELECT ";
  std::vector<StorageClass> classes;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    CRMSYNC_TRY(check_identifier("column of " + std::string(table), columns[k]));
    const TableColumn* found = nullptr;
    for (const TableColumn& c : *existing) {
      if (iequals(c.name, columns[k])) found = &c;
    }
    if (found == nullptr) {
      return no_such_column(table, columns[k]);
    }
    if (k) sql += ", ";
    sql += quote_identifier(found->name);
    classes.push_back(read_class(found->storage, found->sql_type));
  }
  if (columns.empty()) sql += "1";
  sql += " FROM " + quote_identifier(table);
  if (only_id) sql += " WHERE " + quote_identifier("Id") + " = ?1";
  std::string context = "Cannot read the rows of " + std::string(table);
  auto st = Statement::prepare(conn, sql, context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  if (only_id) st->bind_text(1, *only_id);
  std::vector<Value> values(columns.size());
  for (;;) {
    auto row = st->step(context);
    if (!row) return row.error();
    if (!*row) break;
    for (std::size_t k = 0; k < classes.size(); ++k) {
      read_value_into(st->get(), static_cast<int>(k), classes[k], values[k]);
    }
    CRMSYNC_TRY(on_row(std::span<const Value>(values)));
  }
  return ok_status();
}

}  // namespace crmsync::store::sqlite
