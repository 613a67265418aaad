#include "store/sqlite/sqlite_writer.h"

#include "store/identifier.h"

namespace crmsync::store::sqlite {

using catalog::StorageClass;

namespace {

// `INSERT INTO "T" ("A", "B") VALUES (?1, ?2)`, and the SET list of an upsert (every column but
// the Id) when `sets` is given.
std::string insert_sql(std::string_view table, const std::vector<Column>& columns, std::size_t id_index,
                       std::string* sets) {
  // Appends only: g++ 12 reports a false -Wrestrict on some `"literal" + std::string` chains.
  std::string names, params;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k) {
      names += ", ";
      params += ", ";
    }
    std::string q = quote_identifier(columns[k].name);
    names += q;
    params += '?';
    params += std::to_string(k + 1);
    if (k == id_index || sets == nullptr) continue;
    if (!sets->empty()) *sets += ", ";
    *sets += q;
    *sets += " = excluded.";
    *sets += q;
  }
  std::string sql = "INSERT INTO ";
  sql += quote_identifier(table);
  sql += " (";
  sql += names;
  sql += ") VALUES (";
  sql += params;
  sql += ")";
  return sql;
}

}  // namespace

std::string build_insert_sql(std::string_view table, const std::vector<Column>& columns) {
  return insert_sql(table, columns, columns.size(), nullptr);
}

std::string build_upsert_sql(std::string_view table, const std::vector<Column>& columns, std::size_t id_index) {
  std::string sets;
  std::string sql = insert_sql(table, columns, id_index, &sets);
  sql += " ON CONFLICT(\"Id\") DO ";
  if (sets.empty()) {
    sql += "NOTHING";
  } else {
    sql += "UPDATE SET ";
    sql += sets;
  }
  return sql;
}

std::string build_delete_sql(std::string_view table) {
  return "DELETE FROM " + quote_identifier(table) + " WHERE " + quote_identifier("Id") + " = ?1";
}

namespace {

bool fits(StorageClass storage, const Value& v) { return store::fits(storage, static_cast<RowBuffer::Kind>(v.index())); }

const char* value_kind(const Value& v) { return kind_name(static_cast<RowBuffer::Kind>(v.index())); }

class SqliteTableWriter final : public TableWriter {
 public:
  explicit SqliteTableWriter(std::shared_ptr<SqliteStore::WriterStatements> s) : s_(std::move(s)) {}

  // The highest rowid before a write (0 without a search index: nothing to do after it).
  Result<std::int64_t> rowid_before() {
    if (!s_->max_rowid) return std::int64_t{0};
    Statement& st = *s_->max_rowid;
    ResetOnExit guard(st);
    auto row = st.step("Cannot read the last row of " + s_->table);
    if (!row) return row.error();
    return static_cast<std::int64_t>(sqlite3_column_int64(st.get(), 0));
  }

  // Indexes the rows the write added (rowids above `before`) for search, in the write's
  // transaction: one statement per batch, several times cheaper than a trigger per row.
  Status index_added(std::int64_t before) {
    if (!s_->index_added) return ok_status();
    Statement& st = *s_->index_added;
    st.bind_int64(1, before);
    return st.run("Cannot index the new rows of " + s_->table + " for search");
  }

  Status upsert(std::span<const Value> values) override {
    const auto& cols = s_->columns;
    if (values.size() != cols.size()) {
      return Error(ErrorKind::kInternal, "VALUE_COUNT",
                   "Upsert into " + s_->table + " got " + std::to_string(values.size()) + " values for " +
                       std::to_string(cols.size()) + " columns.");
    }
    const Value& id = values[s_->id_index];
    if (!std::holds_alternative<std::string>(id) || std::get<std::string>(id).empty()) {
      return Error(ErrorKind::kInternal, "MISSING_ID", "Upsert into " + s_->table + " got a row without an Id.");
    }
    auto before = rowid_before();
    if (!before) return before.error();
    Statement& st = s_->write;
    ResetOnExit guard(st);
    for (std::size_t k = 0; k < cols.size(); ++k) {
      if (!fits(cols[k].type, values[k])) {
        return Error(ErrorKind::kInternal, "TYPE_MISMATCH",
                     "Column " + s_->table + "." + cols[k].name + " is stored as " + storage_name(cols[k].type) +
                         " but row " + std::get<std::string>(id) + " gives it a " + value_kind(values[k]) +
                         " value.");
      }
      int rc = st.bind(static_cast<int>(k + 1), values[k]);
      if (rc != SQLITE_OK) {
        return st.connection().error(rc, "Cannot bind " + s_->table + "." + cols[k].name);
      }
    }
    int rc = sqlite3_step(st.get());
    if (rc != SQLITE_DONE) {
      return st.connection().error(rc, "Cannot upsert row " + std::get<std::string>(id) + " into " + s_->table);
    }
    st.reset();
    return index_added(*before);
  }

  Status upsert_rows(const RowBuffer& rows) override {
    const auto& cols = s_->columns;
    if (rows.width() != cols.size()) {
      return Error(ErrorKind::kInternal, "VALUE_COUNT",
                   "Upsert into " + s_->table + " got rows of " + std::to_string(rows.width()) + " values for " +
                       std::to_string(cols.size()) + " columns.");
    }
    auto before = rowid_before();
    if (!before) return before.error();
    Statement& st = s_->write;
    sqlite3_stmt* stmt = st.get();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      ResetOnExit guard(st);
      if (rows.kind(r, s_->id_index) != RowBuffer::Kind::kText || rows.text(r, s_->id_index).empty()) {
        return Error(ErrorKind::kInternal, "MISSING_ID", "Upsert into " + s_->table + " got a row without an Id.");
      }
      for (std::size_t k = 0; k < cols.size(); ++k) {
        int i = static_cast<int>(k + 1);
        int rc = SQLITE_OK;
        RowBuffer::Kind kind = rows.kind(r, k);
        if (!store::fits(cols[k].type, kind)) {
          return Error(ErrorKind::kInternal, "TYPE_MISMATCH",
                       "Column " + s_->table + "." + cols[k].name + " is stored as " + storage_name(cols[k].type) +
                           " but row " + std::string(rows.text(r, s_->id_index)) + " gives it a " +
                           kind_name(kind) + " value.");
        }
        switch (kind) {
          case RowBuffer::Kind::kNull: rc = sqlite3_bind_null(stmt, i); break;
          case RowBuffer::Kind::kBool: rc = sqlite3_bind_int64(stmt, i, rows.get_bool(r, k) ? 1 : 0); break;
          case RowBuffer::Kind::kInteger: rc = sqlite3_bind_int64(stmt, i, rows.get_int(r, k)); break;
          case RowBuffer::Kind::kReal: rc = sqlite3_bind_double(stmt, i, rows.get_real(r, k)); break;
          case RowBuffer::Kind::kText: rc = st.bind_text(i, rows.text(r, k)); break;
        }
        if (rc != SQLITE_OK) return st.connection().error(rc, "Cannot bind " + s_->table + "." + cols[k].name);
      }
      int rc = sqlite3_step(stmt);
      if (rc != SQLITE_DONE) {
        return st.connection().error(
            rc, "Cannot upsert row " + std::string(rows.text(r, s_->id_index)) + " into " + s_->table);
      }
    }
    return index_added(*before);
  }

  Status remove(std::string_view id) override {
    if (s_->append) {
      return Error(ErrorKind::kInternal, "APPEND_WRITER",
                   "Delete of " + std::string(id) + " from " + s_->table +
                       " through an append writer: deletes go through a WriteMode::kUpsert writer, which builds "
                       "the Id index first.");
    }
    Statement& st = s_->remove;
    ResetOnExit guard(st);
    int rc = st.bind_text(1, id);
    if (rc == SQLITE_OK) rc = sqlite3_step(st.get());
    if (rc != SQLITE_DONE) {
      return st.connection().error(rc, "Cannot delete row " + std::string(id) + " from " + s_->table);
    }
    return ok_status();
  }

 private:
  std::shared_ptr<SqliteStore::WriterStatements> s_;
};

}  // namespace

std::unique_ptr<TableWriter> make_writer(std::shared_ptr<SqliteStore::WriterStatements> statements) {
  return std::make_unique<SqliteTableWriter>(std::move(statements));
}

}  // namespace crmsync::store::sqlite
