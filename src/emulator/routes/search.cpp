// SOSL: GET /search?q=FIND {...} ... and /parameterizedSearch (GET with parameters, POST with a
// JSON body), both answered {"searchRecords":[{attributes, fields...}, ...]}.
//
// Each RETURNING object runs as a SOQL statement (sosl::Returning::soql) through the user's query
// options, with the search as an extra row condition (soql::ExecOptions::row_filter): objects the
// user cannot read are unknown (INVALID_TYPE), fields hidden by field-level security are refused
// in the field list (INVALID_FIELD) and never searched, and records the user cannot see are never
// hits, exactly as for /query. Hits come per object in RETURNING order (the object's ORDER BY, else
// the order records were created: the emulator ranks no relevance), up to the statement's LIMIT
// (at most 2,000 together).
#include <algorithm>
#include <shared_mutex>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "emulator/dml/dml.h"
#include "emulator/org/org.h"
#include "emulator/routes/routes.h"
#include "emulator/sosl/sosl.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

// Every object a search without RETURNING looks in: a searchable one the user may read with a
// field the scope searches.
std::vector<sosl::Returning> every_searchable_object(EmuState& s, const UserAccess& access, sosl::Scope scope) {
  std::vector<sosl::Returning> out;
  for (const Table* t : searchable_objects(s, access)) {
    if (sosl::searched_fields(*t, scope).empty()) continue;
    out.push_back({t->name(), "SELECT Id FROM " + t->name(), 0});
  }
  return out;
}

// The hit test of one object: the searched fields the user may read, and which are phones.
struct Searched {
  std::vector<std::size_t> text;
  std::vector<std::size_t> phones;
  // One row's values, reused from row to row (a query runs on one thread).
  std::vector<std::string_view> text_values, phone_values;
};

Searched searched_for_user(const Table& table, sosl::Scope scope, const UserAccess& access) {
  Searched out;
  for (std::size_t i : sosl::searched_fields(table, scope)) {
    if (!access.field(table, table.field(i)).read) continue;  // a hidden field never makes a hit
    (table.field(i).type == "phone" ? out.phones : out.text).push_back(i);
  }
  return out;
}

// WITH METADATA='LABELS' for one object: {"entityName", "entityFieldLabels":[{"name","value"}]},
// the names SOAP's SearchResultsMetadata gives them (the fields of the object itself).
json field_labels(const Table& table, const std::vector<std::size_t>& columns) {
  json fields = json::array();
  for (std::size_t i : columns) fields.push_back({{"name", table.field(i).name}, {"value", table.field(i).label}});
  return {{"entityFieldLabels", fields}, {"entityName", table.name()}};
}

// The records one RETURNING object adds, written onto `out`; `room` is what the overall limit
// leaves. Called under the database's shared lock.
Status append_hits(EmuState& s, const ApiCall& call, const sosl::Statement& st, const sosl::Returning& r,
                   const std::shared_ptr<const UserAccess>& access, std::int64_t& room, std::string& out,
                   bool& first, json& labels) {
  auto query = soql::parse(r.soql);
  if (!query) return sosl::returning_error(st, r, query.error());
  const Table* table = s.db->find(query->object_name());
  if (table != nullptr && access->object(*table).read) {
    const ObjectSpec* spec = object_spec(*s.db, table->name());
    if (spec != nullptr && !spec->searchable) {
      return sosl::returning_error(
          st, r, request_error(400, "INVALID_TYPE", "entity type " + table->name() + " does not support search"));
    }
  }
  soql::ExecOptions options = user_query_options(s, call.user_id, false);
  if (table != nullptr) {
    auto searched = std::make_shared<Searched>(searched_for_user(*table, st.scope, *access));
    options.row_filter = [searched, &st](const Row& row) {
      searched->text_values.clear();
      searched->phone_values.clear();
      for (std::size_t i : searched->text) {
        if (const auto* v = std::get_if<std::string>(&row[i])) searched->text_values.push_back(*v);
      }
      for (std::size_t i : searched->phones) {
        if (const auto* v = std::get_if<std::string>(&row[i])) searched->phone_values.push_back(*v);
      }
      return sosl::matches(st.search, searched->text_values, searched->phone_values);
    };
  }
  auto result = soql::execute(*query, *s.db, options);
  if (!result) return sosl::returning_error(st, r, result.error());
  if (result->is_count) {
    return sosl::returning_error(st, r, request_error(400, "MALFORMED_QUERY", "unexpected token: COUNT"));
  }
  std::vector<std::size_t> columns;
  for (const auto& c : result->columns) columns.push_back(c.field_index);
  if (st.metadata_labels) labels.push_back(field_labels(*result->table, columns));
  const RecordWriter writer(*result->table, call.version, columns);
  for (std::size_t i = 0; i < result->rows.size() && room > 0; ++i, --room) {
    if (!first) out.push_back(',');
    first = false;
    const Row& row = result->table->row(result->rows[i]);
    if (result->paths) {
      append_record_with_paths(out, *result->table, call.version, row, *result->paths, i);
    } else {
      writer.append(out, row);
    }
  }
  return ok_status();
}

void run_search(EmuState& s, ApiCall& call, sosl::Statement& st) {
  std::int64_t room = std::min(st.limit.value_or(sosl::kMaxResults), sosl::kMaxResults);
  std::string out = "{\"searchRecords\":[";
  bool first = true;
  json labels = json::array();
  {
    std::shared_lock lock(s.db->mutex());
    auto access = user_access(s, call.user_id);
    if (st.returning.empty()) st.returning = every_searchable_object(s, *access, st.scope);
    for (const auto& r : st.returning) {
      if (auto added = append_hits(s, call, st, r, access, room, out, first, labels); !added) {
        return send_error(call.res, added.error());
      }
    }
  }
  out += "]";
  if (st.metadata_labels) out += ",\"metadata\":" + json{{"entityLabelMetadata", labels}}.dump();
  out += "}";
  send_json(call.res, 200, std::move(out));
}

// ---- parameterizedSearch -------------------------------------------------------------------------

// One sobject of a parameterized search: its name and clauses, as parameters or the JSON body give them.
struct SearchObject {
  std::string name, fields, where, order_by, limit;
};

std::string returning_soql(const SearchObject& o, const std::string& default_fields, const std::string& default_limit) {
  std::string soql = "SELECT " + (!o.fields.empty() ? o.fields : !default_fields.empty() ? default_fields : "Id");
  soql += " FROM " + o.name;
  if (!o.where.empty()) soql += " WHERE " + o.where;
  if (!o.order_by.empty()) soql += " ORDER BY " + o.order_by;
  const std::string& limit = !o.limit.empty() ? o.limit : default_limit;
  if (!limit.empty()) soql += " LIMIT " + limit;
  return soql;
}

// A JSON member as text: strings as they are, arrays of strings joined with commas, numbers written.
std::string member_text(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    std::string out;
    for (const auto& v : *it) {
      if (!out.empty()) out += ", ";
      out += v.is_string() ? v.get<std::string>() : v.dump();
    }
    return out;
  }
  return it->dump();
}

// The statement a parameterized search stands for. Errors: q missing or empty, an unknown `in`.
Result<sosl::Statement> parameterized_statement(const std::string& q, const std::string& in,
                                                const std::vector<SearchObject>& objects,
                                                const std::string& fields, const std::string& default_limit,
                                                const std::string& overall_limit, const std::string& metadata) {
  sosl::Statement st;
  st.metadata_labels = iequals(metadata, "LABELS");
  auto search = sosl::parse_search(q);
  if (!search) return search.error();
  st.search = std::move(*search);
  if (!in.empty()) {
    auto scope = sosl::scope_named(in);
    if (!scope) return request_error(400, "INVALID_SEARCH", "Invalid value for in: " + in + ". Use ALL, NAME, EMAIL, PHONE or SIDEBAR.");
    st.scope = *scope;
  }
  for (const auto& o : objects) st.returning.push_back({o.name, returning_soql(o, fields, default_limit), 0});
  if (!overall_limit.empty()) {
    try {
      st.limit = std::stoll(overall_limit);
    } catch (const std::exception&) {
      return request_error(400, "INVALID_SEARCH", "overallLimit must be a number, not " + overall_limit);
    }
  }
  return st;
}

void parameterized_get(EmuState& s, ApiCall& call) {
  const auto& req = call.req;
  std::vector<SearchObject> objects;
  for (std::size_t i = 0; i < req.get_param_value_count("sobject"); ++i) {
    SearchObject o;
    o.name = req.get_param_value("sobject", i);
    o.fields = req.get_param_value(o.name + ".fields");
    o.where = req.get_param_value(o.name + ".where");
    o.order_by = req.get_param_value(o.name + ".orderBy");
    o.limit = req.get_param_value(o.name + ".limit");
    objects.push_back(std::move(o));
  }
  auto st = parameterized_statement(req.get_param_value("q"), req.get_param_value("in"), objects,
                                    req.get_param_value("fields"), req.get_param_value("defaultLimit"),
                                    req.get_param_value("overallLimit"), req.get_param_value("metadata"));
  if (!st) return send_error(call.res, st.error());
  run_search(s, call, *st);
}

void parameterized_post(EmuState& s, ApiCall& call) {
  auto body = parse_record_body(call.req.body, "ParameterizedSearchRequest");
  if (!body) return send_error(call.res, body.error());
  std::vector<SearchObject> objects;
  if (auto it = body->find("sobjects"); it != body->end() && it->is_array()) {
    for (const auto& o : *it) {
      if (!o.is_object()) continue;
      objects.push_back({member_text(o, "name"), member_text(o, "fields"), member_text(o, "where"),
                         member_text(o, "orderBy"), member_text(o, "limit")});
    }
  }
  auto st = parameterized_statement(member_text(*body, "q"), member_text(*body, "in"), objects,
                                    member_text(*body, "fields"), member_text(*body, "defaultLimit"),
                                    member_text(*body, "overallLimit"), member_text(*body, "metadata"));
  if (!st) return send_error(call.res, st.error());
  run_search(s, call, *st);
}

}  // namespace

std::vector<const Table*> searchable_objects(EmuState& s, const UserAccess& access) {
  const auto& catalog = catalog_object_names();
  std::vector<const Table*> out;
  for (const Table* t : s.db->tables()) {
    const ObjectSpec* spec = object_spec(*s.db, t->name());
    if (spec == nullptr || !spec->searchable || !access.object(*t).read) continue;
    // The catalog's objects, Case (the org's one service object) and the org file's custom objects.
    if (spec->custom || spec->name == "Case" || std::find(catalog.begin(), catalog.end(), spec->name) != catalog.end()) {
      out.push_back(t);
    }
  }
  return out;
}

void handle_search(EmuState& s, ApiCall& call) {
  const std::string text = call.req.get_param_value("q");
  auto st = sosl::parse(text);
  if (!st) return send_error(call.res, st.error());
  run_search(s, call, *st);
}

void handle_parameterized_search(EmuState& s, ApiCall& call) {
  if (std::stod(call.version) < 36.0) return send_not_found(call.res);  // "Available in version 36.0 and later"
  if (call.req.method == "POST") return parameterized_post(s, call);
  parameterized_get(s, call);
}

}  // namespace crmsync::emulator
