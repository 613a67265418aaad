#include "store/postgres/pg_writer.h"

#include <charconv>
#include <cmath>

#include "store/identifier.h"

namespace crmsync::store::postgres {

namespace {

void append_number(std::string& out, std::int64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

// The shortest text that reads back as the same double: Salesforce's decimal as it was sent.
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[32];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, end);
  }
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': break;
      default: out += c;
    }
  }
}

// A Value as a text parameter (nullopt for NULL).
Param param_of(const Value& v) {
  switch (static_cast<RowBuffer::Kind>(v.index())) {
    case RowBuffer::Kind::kNull: return Param();
    case RowBuffer::Kind::kBool: return std::string(std::get<bool>(v) ? "t" : "f");
    case RowBuffer::Kind::kInteger: return std::to_string(std::get<std::int64_t>(v));
    case RowBuffer::Kind::kReal: {
      std::string out;
      append_number(out, std::get<double>(v));
      return out;
    }
    case RowBuffer::Kind::kText: {
      std::string out;
      for (char c : std::get<std::string>(v)) {
        if (c != '\0') out += c;
      }
      return out;
    }
  }
  return Param();
}

std::string column_list(const std::vector<Column>& columns) {
  std::string out;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k) out += ", ";
    out += quote_identifier(columns[k].name);
  }
  return out;
}

// ON CONFLICT ("Id") DO UPDATE SET "A" = excluded."A", ... (DO NOTHING when only Id is written).
std::string on_conflict(const std::vector<Column>& columns, std::size_t id_index) {
  std::string sets;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k == id_index) continue;
    if (!sets.empty()) sets += ", ";
    std::string q = quote_identifier(columns[k].name);
    sets += q;
    sets += " = excluded.";
    sets += q;
  }
  return sets.empty() ? " ON CONFLICT (\"Id\") DO NOTHING" : " ON CONFLICT (\"Id\") DO UPDATE SET " + sets;
}

class PgTableWriter final : public TableWriter {
 public:
  PgTableWriter(Connection& conn, WriterPlan plan) : conn_(conn), p_(std::move(plan)) {}

  Status upsert(std::span<const Value> values) override {
    if (values.size() != p_.columns.size()) {
      return Error(ErrorKind::kInternal, "VALUE_COUNT",
                   "Upsert into " + p_.object + " got " + std::to_string(values.size()) + " values for " +
                       std::to_string(p_.columns.size()) + " columns.");
    }
    const auto* id = std::get_if<std::string>(&values[p_.id_index]);
    if (id == nullptr || id->empty()) return missing_id();
    std::vector<Param> params;
    params.reserve(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
      auto kind = static_cast<RowBuffer::Kind>(values[k].index());
      if (!fits(p_.columns[k].type, kind)) return mismatch(k, *id, kind);
      params.push_back(param_of(values[k]));
    }
    auto r = conn_.exec(p_.insert_one, params, "Cannot upsert row " + *id + " into " + p_.object);
    return r ? ok_status() : Status(r.error());
  }

  Status upsert_rows(const RowBuffer& rows) override {
    if (rows.width() != p_.columns.size()) {
      return Error(ErrorKind::kInternal, "VALUE_COUNT",
                   "Upsert into " + p_.object + " got rows of " + std::to_string(rows.width()) + " values for " +
                       std::to_string(p_.columns.size()) + " columns.");
    }
    if (rows.empty()) return ok_status();
    CRMSYNC_TRY(check_rows(rows));
    std::string context = "Cannot write " + std::to_string(rows.size()) + " rows into " + p_.object;
    // The page is written whole or not at all, and the stage never keeps rows past a failure.
    if (conn_.transaction() != PQTRANS_IDLE) return write_page(rows, context);
    CRMSYNC_TRY(conn_.run("BEGIN", context));
    Status s = write_page(rows, context);
    if (!s) {
      (void)conn_.run("ROLLBACK", context);
      return s;
    }
    return conn_.run("COMMIT", context);
  }

 private:
  Status write_page(const RowBuffer& rows, const std::string& context) {
    if (!p_.append) CRMSYNC_TRY(conn_.run(p_.create_stage, context));
    CRMSYNC_TRY(conn_.copy_begin(p_.copy, context));
    std::string line;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      line.clear();
      for (std::size_t k = 0; k < rows.width(); ++k) {
        if (k) line += '\t';
        append_copy_cell(line, rows, r, k);
      }
      line += '\n';
      Status put = conn_.copy_put(line, context);
      if (!put) return put;
    }
    CRMSYNC_TRY(conn_.copy_end(context));
    if (!p_.append) CRMSYNC_TRY(conn_.run(p_.merge, context));
    return ok_status();
  }

 public:
  Status remove(std::string_view id) override {
    if (p_.append) {
      return Error(ErrorKind::kInternal, "APPEND_WRITER",
                   "Delete of " + std::string(id) + " from " + p_.object +
                       " through an append writer: deletes go through a WriteMode::kUpsert writer, which builds "
                       "the Id index first.");
    }
    auto r = conn_.exec(p_.remove, {std::string(id)}, "Cannot delete row " + std::string(id) + " from " + p_.object);
    return r ? ok_status() : Status(r.error());
  }

 private:
  Error missing_id() const {
    return Error(ErrorKind::kInternal, "MISSING_ID", "Upsert into " + p_.object + " got a row without an Id.");
  }
  Error mismatch(std::size_t k, std::string_view id, RowBuffer::Kind kind) const {
    return Error(ErrorKind::kInternal, "TYPE_MISMATCH",
                 "Column " + p_.object + "." + p_.columns[k].name + " is stored as " +
                     catalog::to_string(p_.columns[k].type) + " but row " + std::string(id) + " gives it a " +
                     kind_name(kind) + " value.");
  }
  // Checked before the COPY starts, so that a refused page sends nothing.
  Status check_rows(const RowBuffer& rows) const {
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (rows.kind(r, p_.id_index) != RowBuffer::Kind::kText || rows.text(r, p_.id_index).empty()) {
        return missing_id();
      }
      for (std::size_t k = 0; k < rows.width(); ++k) {
        if (!fits(p_.columns[k].type, rows.kind(r, k))) return mismatch(k, rows.text(r, p_.id_index), rows.kind(r, k));
      }
    }
    return ok_status();
  }

  Connection& conn_;
  WriterPlan p_;
};

}  // namespace

void append_copy_cell(std::string& out, const RowBuffer& rows, std::size_t r, std::size_t k) {
  switch (rows.kind(r, k)) {
    case RowBuffer::Kind::kNull: out += "\\N"; return;
    case RowBuffer::Kind::kBool: out += rows.get_bool(r, k) ? 't' : 'f'; return;
    case RowBuffer::Kind::kInteger: append_number(out, rows.get_int(r, k)); return;
    case RowBuffer::Kind::kReal: append_number(out, rows.get_real(r, k)); return;
    case RowBuffer::Kind::kText: append_escaped(out, rows.text(r, k)); return;
  }
}

WriterPlan plan_writer(std::string_view object, const std::string& table, const std::vector<Column>& columns,
                       std::size_t id_index, bool append, const std::string& stage) {
  WriterPlan p;
  p.object = std::string(object);
  p.columns = columns;
  p.id_index = id_index;
  p.append = append;
  const std::string names = column_list(columns);
  std::string params;
  for (std::size_t k = 0; k < columns.size(); ++k) params += (k ? ", $" : "$") + std::to_string(k + 1);
  const std::string conflict = on_conflict(columns, id_index);
  p.insert_one = "INSERT INTO " + table + " (" + names + ") VALUES (" + params + ")" + (append ? "" : conflict);
  p.remove = "DELETE FROM " + table + " WHERE \"Id\" = $1";
  if (append) {
    p.copy = "COPY " + table + " (" + names + ") FROM STDIN";
    return p;
  }
  const std::string staged = "pg_temp." + quote_identifier(stage);
  std::string typed;
  for (const Column& c : columns) typed += ", " + quote_identifier(c.name) + " " + catalog::postgresql_type(c.type);
  // crmsync_seq numbers the rows as they were COPYed, so the last row of an Id wins the merge.
  p.create_stage = "CREATE TEMP TABLE IF NOT EXISTS " + quote_identifier(stage) +
                   " (crmsync_seq bigserial" + typed + ")";
  p.copy = "COPY " + staged + " (" + names + ") FROM STDIN";
  p.merge = "INSERT INTO " + table + " (" + names + ") SELECT " + names + " FROM (SELECT DISTINCT ON (\"Id\") * FROM " +
            staged + " ORDER BY \"Id\", crmsync_seq DESC) AS s" + conflict + "; TRUNCATE " + staged;
  return p;
}

std::unique_ptr<TableWriter> make_writer(Connection& conn, WriterPlan plan) {
  return std::make_unique<PgTableWriter>(conn, std::move(plan));
}

}  // namespace crmsync::store::postgres
