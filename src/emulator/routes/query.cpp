// GET /query?q=, /queryAll?q= and /query/<locator>-<offset>: SOQL through soql::execute, pages of
// up to batchSize records, nextRecordsUrl cursors that hold row numbers only. A cursor is its
// user's: another user's locator answers INVALID_QUERY_LOCATOR, as an unknown or expired one does.
#include <charconv>
#include <shared_mutex>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "emulator/routes/routes.h"
#include "emulator/soql/soql.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

// Sforce-Query-Options: batchSize=N (200..2000); anything else keeps the default.
int batch_size(const EmuState& s, const httplib::Request& req, int fallback) {
  int size = fallback;
  if (req.has_header("Sforce-Query-Options")) {
    const std::string h = req.get_header_value("Sforce-Query-Options");
    auto pos = to_lower(h).find("batchsize=");
    if (pos != std::string::npos) {
      int n = 0;
      const char* begin = h.data() + pos + 10;
      auto r = std::from_chars(begin, h.data() + h.size(), n);
      if (r.ec == std::errc() && n > 0) size = std::clamp(n, 200, 2000);
    }
  }
  (void)s;
  return size;
}

// A locator for the child records of result row `index` (QueryCursor::positions), which the
// client follows with GET /query/<locator>-200 as it follows any nextRecordsUrl.
std::string child_cursor(EmuState& s, const QueryCursor& parent, const soql::ChildRecords& child, std::size_t index) {
  auto cursor = std::make_shared<QueryCursor>();
  cursor->user_id = parent.user_id;
  cursor->version = parent.version;
  cursor->table = child.result->table;
  cursor->nested = child.result;
  cursor->positions = child.per_row[index];
  cursor->rows.resize(cursor->positions.size());
  cursor->batch_size = parent.batch_size;
  return s.cursors.add(std::move(cursor));
}

void send_page(EmuState& s, ApiCall& call, const QueryCursor& cursor, const std::string& locator,
               std::size_t offset, int batch) {
  const std::size_t total = cursor.rows.size();
  const std::size_t end = std::min(total, offset + static_cast<std::size_t>(batch));
  std::string out;
  out.reserve((end - offset) * (64 + 24 * cursor.columns.size()) + 128);
  out += "{\"totalSize\":";
  out += std::to_string(total);
  out += ",\"done\":";
  out += end >= total ? "true" : "false";
  if (end < total) {
    out += ",\"nextRecordsUrl\":\"/services/data/v" + call.version + "/query/" + locator + "-" + std::to_string(end) +
           "\"";
  }
  out += ",\"records\":[";
  {
    std::shared_lock lock(s.db->mutex());
    const Table& table = *cursor.table;
    if (cursor.nested) {  // parent-to-child subqueries (wire/wire.h), or one parent's child records
      const ChildPager pager = [&](const soql::ChildRecords& child, std::size_t index) {
        return "/services/data/v" + call.version + "/query/" + child_cursor(s, cursor, child, index) + "-" +
               std::to_string(kInlineChildRecords);
      };
      for (std::size_t i = offset; i < end; ++i) {
        if (i > offset) out.push_back(',');
        const std::size_t row = cursor.positions.empty() ? i : cursor.positions[i];
        append_result_record(out, *cursor.nested, cursor.version, row, &pager);
      }
    } else if (cursor.paths) {  // relationship paths: nested parents (wire/wire.h)
      for (std::size_t i = offset; i < end; ++i) {
        if (i > offset) out.push_back(',');
        append_record_with_paths(out, table, cursor.version, table.row(cursor.rows[i]), *cursor.paths, i);
      }
    } else {
      const RecordWriter writer(table, cursor.version, cursor.columns);
      for (std::size_t i = offset; i < end; ++i) {
        if (i + 8 < end) writer.prefetch_cells(table.row(cursor.rows[i + 8]));
        if (i + 4 < end) writer.prefetch_text(table.row(cursor.rows[i + 4]));
        if (i > offset) out.push_back(',');
        writer.append(out, table.row(cursor.rows[i]));
      }
    }
  }
  out += "]}";
  send_json(call.res, 200, std::move(out));
}

const char* apex_type(const FieldDef& f) {
  if (f.type == "id" || f.type == "reference") return "Id";
  if (f.type == "boolean") return "Boolean";
  if (f.type == "int") return "Integer";
  if (f.type == "double" || f.type == "percent") return "Double";
  if (f.type == "currency") return "Decimal";
  if (f.type == "date") return "Date";
  if (f.type == "datetime") return "Datetime";
  if (f.type == "time") return "Time";
  return "String";
}

// One entry of ?columns=true's columnMetadata for field `f`, shown as `display_name`.
nlohmann::ordered_json column_metadata(const FieldDef& f, const std::string& display_name) {
  const std::string apex = apex_type(f);
  return {{"aggregate", false},
          {"apexType", apex},
          {"booleanType", apex == "Boolean"},
          {"columnName", f.name},
          {"custom", f.custom},
          {"displayName", display_name},
          {"foreignKeyName", nullptr},
          {"insertable", f.createable},
          {"joinColumns", nlohmann::ordered_json::array()},
          {"numberType", apex == "Integer" || apex == "Double" || apex == "Decimal"},
          {"textType", apex == "String"},
          {"updatable", f.updateable}};
}

// ?columns=true (what the Developer Console and `sf data query` ask before showing a result): the
// statement's columns instead of its rows: plain fields here, relationship paths below.
void send_columns(ApiCall& call, const Table& table, const std::vector<soql::Column>& columns) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  bool id_selected = false;
  for (const auto& c : columns) {
    const FieldDef& f = table.field(c.field_index);
    id_selected = id_selected || f.type == "id";
    list.push_back(column_metadata(f, f.name));
  }
  nlohmann::ordered_json body = {{"columnMetadata", list},
                                 {"entityName", table.name()},
                                 {"groupBy", false},
                                 {"idSelected", id_selected},
                                 {"keyPrefix", table.key_prefix()}};
  send_json(call.res, 200, body.dump());
}

// ?columns=true for a statement with relationship paths: each relationship is one column whose
// joinColumns hold the fields read through it (nested relationships nest), in SELECT order.
// `table` is the relationship's object (nullptr for the Name entity: its columns go by name).
nlohmann::ordered_json path_column_list(const soql::Selection& sel, int rel, const Table* table) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::vector<bool> listed(sel.relationships.size(), false);
  for (const auto& c : sel.columns) {
    if (c.relationship == rel) {
      FieldDef f;
      if (table != nullptr && c.field_index != soql::Column::kByName) {
        f = table->field(c.field_index);
      } else {
        f.name = c.name;
        f.type = "string";
        f.createable = f.updateable = false;
      }
      list.push_back(column_metadata(f, rel < 0 ? f.name : c.path));
      continue;
    }
    int child = -1;  // the relationship directly below `rel` on the way to the column's
    for (int r = c.relationship; r >= 0; r = sel.relationships[static_cast<std::size_t>(r)].parent) {
      if (sel.relationships[static_cast<std::size_t>(r)].parent == rel) child = r;
    }
    if (child < 0 || listed[static_cast<std::size_t>(child)]) continue;
    listed[static_cast<std::size_t>(child)] = true;
    const soql::Relationship& r = sel.relationships[static_cast<std::size_t>(child)];
    list.push_back({{"aggregate", false},
                    {"apexType", nullptr},
                    {"booleanType", false},
                    {"columnName", r.name},
                    {"custom", r.name.ends_with("__r")},
                    {"displayName", r.name},
                    {"foreignKeyName", nullptr},
                    {"insertable", false},
                    {"joinColumns", path_column_list(sel, child, r.object)},
                    {"numberType", false},
                    {"textType", false},
                    {"updatable", false}});
  }
  return list;
}

void send_path_columns(ApiCall& call, const Table& table, const soql::Selection& sel) {
  bool id_selected = false;
  for (const auto& c : sel.columns) id_selected = id_selected || (c.relationship < 0 && c.field_index == 0);
  nlohmann::ordered_json body = {{"columnMetadata", path_column_list(sel, -1, &table)},
                                 {"entityName", table.name()},
                                 {"groupBy", false},
                                 {"idSelected", id_selected},
                                 {"keyPrefix", table.key_prefix()}};
  send_json(call.res, 200, body.dump());
}

// ?columns=true for an aggregate query: its AggregateResult columns, `aggregate` true for the
// computed ones, and groupBy.
void send_aggregate_columns(ApiCall& call, const soql::AggregateRows& rows) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t c = 0; c < rows.names.size(); ++c) {
    auto column = column_metadata(rows.defs[c], rows.names[c]);
    column["aggregate"] = rows.names[c] != rows.defs[c].name;
    column["columnName"] = rows.names[c];
    list.push_back(std::move(column));
  }
  nlohmann::ordered_json body = {{"columnMetadata", list},
                                 {"entityName", "AggregateResult"},
                                 {"groupBy", true},
                                 {"idSelected", false},
                                 {"keyPrefix", nullptr}};
  send_json(call.res, 200, body.dump());
}

// An aggregate query's AggregateResult records, all in one page: Salesforce offers no queryMore
// for them (an aggregate query is bounded by its LIMIT and its groups).
void send_aggregate(ApiCall& call, const soql::AggregateRows& rows) {
  std::string out = "{\"totalSize\":" + std::to_string(rows.rows.size()) + ",\"done\":true,\"records\":[";
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    if (i) out.push_back(',');
    append_aggregate_record(out, rows, i);
  }
  out += "]}";
  send_json(call.res, 200, std::move(out));
}

// GET /query?explain=SOQL: the query plan, as Salesforce's "plans" (REST API Developer Guide,
// "Get Feedback on Query Performance"): one plan, Index when the WHERE pins Id (the emulator's
// only index), else TableScan; cardinality is what the caller's query matches, sobjectCardinality
// the object's live rows. relativeCost is the emulator's own figure (matched share of the rows,
// scaled as Salesforce's "above 1 is not selective"), not Salesforce's optimizer.
void handle_explain(EmuState& s, ApiCall& call) {
  const std::string text = call.req.get_param_value("explain");
  auto query = soql::parse(text);
  if (!query) return send_error(call.res, query.error());
  std::shared_lock lock(s.db->mutex());
  auto result = soql::execute(*query, *s.db, query_exec_options(s, call, false));
  if (!result) return send_error(call.res, result.error());
  const Table& table = *result->table;
  const std::size_t rows = table.live_count();
  const std::size_t matched = result->aggregate ? result->aggregate->rows.size() : result->total_size;
  const double share = rows == 0 ? 0.0 : static_cast<double>(matched) / static_cast<double>(rows);
  nlohmann::ordered_json plan = {
      {"cardinality", matched},
      {"fields", result->id_lookup ? nlohmann::ordered_json::array({"Id"}) : nlohmann::ordered_json::array()},
      {"leadingOperationType", result->id_lookup ? "Index" : "TableScan"},
      {"notes", nlohmann::ordered_json::array()},
      {"relativeCost", result->id_lookup ? share * 0.1 : 0.65 + share},
      {"sobjectCardinality", rows},
      {"sobjectType", table.name()}};
  nlohmann::ordered_json body = {{"plans", nlohmann::ordered_json::array({plan})}, {"sourceQuery", text}};
  send_json(call.res, 200, body.dump());
}

}  // namespace

soql::ExecOptions query_exec_options(EmuState& s, const ApiCall& call, bool include_deleted) {
  return user_query_options(s, call.user_id, include_deleted);  // the caller's permissions (access/access.h)
}

void handle_query(EmuState& s, ApiCall& call, bool include_deleted) {
  if (!call.req.has_param("q") && call.req.has_param("explain")) return handle_explain(s, call);
  if (!call.req.has_param("q")) {
    return send_error(call.res, 400, "MALFORMED_QUERY", "A query string has to be specified");
  }
  const std::string text = call.req.get_param_value("q");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return send_error(call.res, 400, "MALFORMED_QUERY", "SOQL statements cannot be empty or null");
  }
  auto query = soql::parse(text);
  if (!query) return send_error(call.res, query.error());
  if (iequals(query->object_name(), "UserRecordAccess")) return handle_user_record_access(s, call, *query);
  auto cursor = std::make_shared<QueryCursor>();
  {
    std::shared_lock lock(s.db->mutex());
    auto result = soql::execute(*query, *s.db, query_exec_options(s, call, include_deleted));
    if (!result) return send_error(call.res, result.error());
    if (call.req.get_param_value("columns") == "true") {
      if (result->is_count) {
        return send_json(call.res, 200, "{\"columnMetadata\":[],\"entityName\":\"" + query->object_name() + "\"}");
      }
      if (result->aggregate) return send_aggregate_columns(call, *result->aggregate);
      if (result->paths) return send_path_columns(call, *result->table, *result->paths);
      return send_columns(call, *result->table, result->columns);
    }
    if (result->is_count) {
      return send_json(call.res, 200,
                       "{\"totalSize\":" + std::to_string(result->total_size) + ",\"done\":true,\"records\":[]}");
    }
    if (result->aggregate) return send_aggregate(call, *result->aggregate);
    if (s.options.query_timeout_above_records >= 0 &&
        static_cast<std::int64_t>(result->rows.size()) > s.options.query_timeout_above_records) {
      return send_error(call.res, 400, "QUERY_TIMEOUT", "Your query request was running for too long.");
    }
    cursor->table = result->table;
    for (const auto& c : result->columns) cursor->columns.push_back(c.field_index);
    if (result->children) {
      cursor->rows = result->rows;
      cursor->nested = std::make_shared<const soql::QueryResult>(std::move(*result));
    } else {
      cursor->rows = std::move(result->rows);
      cursor->paths = std::move(result->paths);
    }
  }
  cursor->user_id = call.user_id;
  cursor->version = call.version;
  cursor->batch_size = batch_size(s, call.req, s.options.default_batch_size);
  std::string locator;
  if (cursor->rows.size() > static_cast<std::size_t>(cursor->batch_size)) locator = s.cursors.add(cursor);
  send_page(s, call, *cursor, locator, 0, cursor->batch_size);
}

void handle_query_more(EmuState& s, ApiCall& call, const std::string& locator_and_offset) {
  auto dash = locator_and_offset.rfind('-');
  std::string locator = locator_and_offset.substr(0, dash);
  std::size_t offset = 0;
  bool ok = dash != std::string::npos;
  if (ok) {
    const char* begin = locator_and_offset.data() + dash + 1;
    const char* end = locator_and_offset.data() + locator_and_offset.size();
    auto r = std::from_chars(begin, end, offset);
    ok = r.ec == std::errc() && r.ptr == end;
  }
  auto cursor = ok ? s.cursors.find(locator, call.user_id) : nullptr;  // another user's: unknown
  if (!cursor || offset > cursor->rows.size()) {
    return send_error(call.res, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  }
  send_page(s, call, *cursor, locator, offset, batch_size(s, call.req, cursor->batch_size));
}

}  // namespace crmsync::emulator
