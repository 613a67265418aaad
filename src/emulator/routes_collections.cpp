// sObject Collections (one API call each), composite batch (one call per subrequest) and composite
// (one call whatever it holds):
//   POST   /composite/sobjects                      {allOrNone, records:[{attributes:{type},...}]}
//   PATCH  /composite/sobjects                      (update: every record carries its Id)
//   PATCH  /composite/sobjects/{SObject}/{Field}    (upsert by Id or an external ID field)
//   DELETE /composite/sobjects?ids=a,b&allOrNone=false
//     -> 200 [{id, success, errors:[{statusCode, message, fields}] [, created]}] in request order;
//        at most 200 records; allOrNone=true undoes every write when one record fails.
//   POST   /composite/batch {batchRequests:[{method, url, richInput}], haltOnError}
//     -> 200 {hasErrors, results:[{statusCode, result}]}; at most 25 subrequests, each through the
//        ordinary routes as the calling user. "Each subrequest counts against rate limits"
//        (Salesforce's REST API Developer Guide): the daily counter and Sforce-Limit-Info count one
//        call per subrequest run; a subrequest that finds the daily limit reached answers 403
//        REQUEST_LIMIT_EXCEEDED, and subrequests halted by haltOnError (not run) are not counted.
//   POST   /composite {compositeRequest:[{referenceId, method, url, body, httpHeaders}], allOrNone}
//     -> 200 {compositeResponse:[{body, httpHeaders, httpStatusCode, referenceId}]}; at most 25
//        subrequests, at most 5 of them query operations (query, queryAll, queryMore) or sObject
//        Collections; each runs through the ordinary routes as the calling user and may meet an
//        injected fault of its own (500, 503, QUERY_TIMEOUT), like a call of its own would.
// Every record goes through the single-record DML (dml.h), so it is refused exactly as there.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/dml.h"
#include "emulator/emu_state.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxRecords = 200;
constexpr std::size_t kMaxBatchRequests = 25;
constexpr std::size_t kMaxCompositeRequests = 25;
constexpr std::size_t kMaxCompositeQueries = 5;

enum class CollectionOp { kCreate, kUpdate, kUpsert, kDelete };

// One record's outcome, written as Salesforce's SaveResult / UpsertResult / DeleteResult.
struct ItemResult {
  std::string id;  // empty: no "id" key
  bool success = false;
  bool created = false;
  std::optional<DmlError> error;
};

const char* const kRolledBack =
    "Record rolled back because not all records were valid and the request was using AllOrNone header";

void send_request_error(httplib::Response& res, const std::string& code, const std::string& message) {
  send_error(res, 400, code, message);
}

// An optional boolean of the request (allOrNone, haltOnError): false when absent; a JSON boolean
// or "true"/"false", as Salesforce's parser takes them; anything else is JSON_PARSER_ERROR.
std::optional<bool> bool_member(const json& body, const char* key, DmlError& err) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string() && (iequals(it->get_ref<const std::string&>(), "true") ||
                          iequals(it->get_ref<const std::string&>(), "false"))) {
    return iequals(it->get_ref<const std::string&>(), "true");
  }
  err = json_type_error("boolean", *it);
  return std::nullopt;
}

// A per-record error where the single-record route would answer 404: the record or the object
// does not exist for the user.
DmlError per_record(DmlError e, CollectionOp op) {
  if (e.code != "NOT_FOUND") return e;
  if (op == CollectionOp::kCreate) return {400, "INVALID_TYPE", "sObject type is not accessible for this user", {}};
  return {400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}};
}

std::string results_json(const std::vector<ItemResult>& results, bool upsert) {
  json out = json::array();
  for (const auto& r : results) {
    json item = json::object();
    if (!r.id.empty()) item["id"] = r.id;
    item["success"] = r.success;
    json errors = json::array();
    if (r.error) {
      errors.push_back({{"statusCode", r.error->code}, {"message", r.error->message}, {"fields", r.error->fields}});
    }
    item["errors"] = std::move(errors);
    if (upsert) item["created"] = r.created;
    out.push_back(std::move(item));
  }
  return out.dump();
}

// After an allOrNone failure: every write is undone and every record without its own error says so.
void roll_back(EmuState& s, DmlJournal& journal, std::vector<ItemResult>& results, CollectionOp op) {
  journal.rollback(s);
  for (auto& r : results) {
    if (r.error) continue;
    r.success = false;
    r.created = false;
    if (op == CollectionOp::kCreate || op == CollectionOp::kUpsert) r.id.clear();
    r.error = DmlError{400, "ALL_OR_NONE_OPERATION_ROLLED_BACK", kRolledBack, {}};
  }
}

bool any_failed(const std::vector<ItemResult>& results) {
  return std::any_of(results.begin(), results.end(), [](const ItemResult& r) { return r.error.has_value(); });
}

std::string too_many(std::size_t limit) {
  return "record limit reached. cannot submit more than " + std::to_string(limit) + " records into this call";
}

// The record's fields without "attributes" and, for writes by Id, without the Id.
json record_fields(const json& record, bool drop_id) {
  json out = json::object();
  for (const auto& [key, value] : record.items()) {
    if (key == "attributes" || (drop_id && iequals(key, "Id"))) continue;
    out[key] = value;
  }
  return out;
}

std::optional<std::string> record_id(const json& record) {
  for (const auto& [key, value] : record.items()) {
    if (iequals(key, "Id") && value.is_string()) return value.get<std::string>();
  }
  return std::nullopt;
}

// The table named by attributes.type, or the error for the record.
Table* record_table(EmuState& s, const json& record, DmlError& err) {
  const json* attributes = record.contains("attributes") ? &record["attributes"] : nullptr;
  if (attributes == nullptr || !attributes->is_object() || !attributes->contains("type") ||
      !(*attributes)["type"].is_string()) {
    err = {400, "INVALID_TYPE", "Must send a concrete entity type.", {}};
    return nullptr;
  }
  const std::string type = (*attributes)["type"].get<std::string>();
  Table* table = s.db->find(type);
  if (table == nullptr) {
    err = {400, "INVALID_TYPE", "sObject type '" + type + "' is not supported.", {}};
  }
  return table;
}

void handle_save_collection(EmuState& s, ApiCall& call, CollectionOp op, Table* upsert_table,
                            const std::string& upsert_field_name) {
  DmlError err;
  auto body = parse_record_body(call.req.body, "SObjectCollection", err);
  if (!body) return send_error(call.res, err.status, err.code, err.message);
  const json& records = body->contains("records") ? (*body)["records"] : json();
  if (!records.is_array()) {
    return send_request_error(call.res, "INVALID_FIELD", "The request body must contain a records list");
  }
  if (records.size() > kMaxRecords) return send_request_error(call.res, "EXCEEDED_ID_LIMIT", too_many(kMaxRecords));
  auto all_or_none = bool_member(*body, "allOrNone", err);
  if (!all_or_none) return send_error(call.res, err.status, err.code, err.message);

  std::unique_lock lock(s.db->mutex());
  std::optional<std::size_t> ext_column;
  std::map<std::string, int> ext_count;  // lower-case external ID value -> records carrying it
  if (op == CollectionOp::kUpsert) {
    ext_column = upsert_field(s, call.user_id, *upsert_table, upsert_field_name, err);
    if (!ext_column) return send_error(call.res, err.status, err.code, err.message);
    for (const auto& record : records) {
      if (!record.is_object()) continue;
      for (const auto& [key, value] : record.items()) {
        if (iequals(key, upsert_table->field(*ext_column).name) && !value.is_null()) {
          ++ext_count[to_lower(value.is_string() ? value.get<std::string>() : value.dump())];
        }
      }
    }
  }

  DmlJournal journal;
  std::vector<ItemResult> results;
  results.reserve(records.size());
  for (const auto& record : records) {
    ItemResult r;
    DmlError e;
    Table* table = record.is_object() ? record_table(s, record, e) : nullptr;
    if (!record.is_object()) e = {400, "JSON_PARSER_ERROR", "Each record must be a JSON object", {}};
    if (table != nullptr && op == CollectionOp::kUpsert && table != upsert_table) {
      e = {400, "INVALID_TYPE", "Record type " + table->name() + " does not match the request's " +
                                    upsert_table->name(), {}};
      table = nullptr;
    }
    if (table != nullptr && op == CollectionOp::kCreate) {
      if (record_id(record)) {
        e = {400, "INVALID_FIELD", "cannot specify Id in an insert call", {"Id"}};
      } else if (auto id = create_record(s, call.user_id, *table, record_fields(record, false), e, &journal)) {
        r.id = *id;
        r.success = true;
      }
    } else if (table != nullptr && op == CollectionOp::kUpdate) {
      auto id = record_id(record);
      if (!id) {
        e = {400, "MISSING_ARGUMENT", "Id not specified in an update call", {}};
      } else {
        r.id = sf_id18(*id).value_or(*id);
        if (!sf_id18(*id)) {
          e = {400, "MALFORMED_ID", "malformed id " + *id, {}};
        } else if (update_record(s, call.user_id, *table, r.id, record_fields(record, true), e, &journal)) {
          r.success = true;
        }
      }
    } else if (table != nullptr && op == CollectionOp::kUpsert) {
      const FieldDef& f = table->field(*ext_column);
      std::optional<std::string> value;
      for (const auto& [key, v] : record.items()) {
        if (iequals(key, f.name) && !v.is_null()) value = v.is_string() ? v.get<std::string>() : v.dump();
      }
      json fields = record_fields(record, true);
      std::vector<std::size_t> matches;
      if (value) matches = upsert_matches(*table, *ext_column, *value);
      if (!value && *ext_column != 0) {
        e = {400, "MISSING_ARGUMENT", f.name + " not specified", {}};
      } else if (value && ext_count[to_lower(*value)] > 1) {
        e = {400, "DUPLICATE_EXTERNAL_ID", "Duplicate external id specified: " + *value, {f.name}};
      } else if (matches.size() > 1) {
        std::string ids;
        for (std::size_t m : matches) ids += (ids.empty() ? "" : ", ") + std::get<std::string>(table->row(m)[0]);
        e = {400, "DUPLICATE_EXTERNAL_ID", f.name + ": more than one record found for external id field: [" + ids + "]",
             {f.name}};
      } else if (matches.size() == 1) {
        r.id = std::get<std::string>(table->row(matches[0])[0]);
        for (auto it = fields.begin(); it != fields.end(); ++it) {
          if (iequals(it.key(), f.name)) {
            fields.erase(it);
            break;
          }
        }
        if (update_record(s, call.user_id, *table, r.id, fields, e, &journal)) r.success = true;
      } else if (*ext_column == 0) {
        // Upsert on Id: a record without Id is inserted, an Id that matches nothing is refused.
        if (value) {
          e = {400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}};
        } else if (auto id = create_record(s, call.user_id, *table, fields, e, &journal)) {
          r.id = *id;
          r.success = r.created = true;
        }
      } else if (auto id = create_record(s, call.user_id, *table, fields, e, &journal)) {
        r.id = *id;
        r.success = r.created = true;
      }
    }
    if (!r.success) r.error = per_record(e, op);
    results.push_back(std::move(r));
  }
  if (*all_or_none && any_failed(results)) roll_back(s, journal, results, op);
  send_json(call.res, 200, results_json(results, op == CollectionOp::kUpsert));
}

std::vector<std::string> split_on(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = std::min(text.find(separator, start), text.size());
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

void handle_delete_collection(EmuState& s, ApiCall& call) {
  const std::vector<std::string> ids = split_on(call.req.get_param_value("ids"), ',');
  if (ids.size() > kMaxRecords) return send_request_error(call.res, "EXCEEDED_ID_LIMIT", too_many(kMaxRecords));
  const bool all_or_none = iequals(call.req.get_param_value("allOrNone"), "true");
  std::unique_lock lock(s.db->mutex());
  DmlJournal journal;
  std::vector<ItemResult> results;
  for (const auto& given : ids) {
    ItemResult r;
    DmlError e;
    auto id = sf_id18(given);
    r.id = id.value_or(given);
    Table* table = id ? s.db->find_by_id(*id) : nullptr;
    if (!id) {
      e = {400, "MALFORMED_ID", "malformed id " + given, {}};
    } else if (table == nullptr) {
      e = {400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}};
    } else if (delete_record(s, call.user_id, *table, *id, e, &journal)) {
      r.success = true;
    }
    if (!r.success) r.error = per_record(e, CollectionOp::kDelete);
    results.push_back(std::move(r));
  }
  if (all_or_none && any_failed(results)) roll_back(s, journal, results, CollectionOp::kDelete);
  send_json(call.res, 200, results_json(results, false));
}

// A subrequest's answer as its JSON body (null when empty; the raw text when not JSON), for the
// batch `result` and the composite `body`.
json subresponse_body(const httplib::Response& res) {
  if (res.body.empty()) return nullptr;
  json body = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return res.body;
  return body;
}

// ---- composite batch ----------------------------------------------------------------------------

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = std::min(path.find('/', start), path.size());
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

struct Subrequest {
  httplib::Request req;
  std::string version;
  std::vector<std::string> path;  // after the version
};

// Reads one batchRequests item ("v60.0/sobjects/Account/001...?fields=Name" or the same under
// /services/data/); nullopt and `message` when it is not a request Salesforce would run.
// `body_key` is where the subrequest's body is: "richInput" (batch) or "body" (composite).
std::optional<Subrequest> parse_subrequest(const json& item, const httplib::Request& outer, std::string& message,
                                           const char* body_key = "richInput") {
  if (!item.is_object() || !item.contains("method") || !item["method"].is_string() || !item.contains("url") ||
      !item["url"].is_string()) {
    message = "Each batch request needs a method and a url";
    return std::nullopt;
  }
  Subrequest sub;
  sub.req.method = item["method"].get<std::string>();
  for (char& c : sub.req.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::vector<std::string> kMethods = {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"};
  if (std::find(kMethods.begin(), kMethods.end(), sub.req.method) == kMethods.end()) {
    message = "Unsupported batch request method: " + item["method"].get<std::string>();
    return std::nullopt;
  }
  std::string url = item["url"].get<std::string>();
  std::string query;
  if (auto q = url.find('?'); q != std::string::npos) {
    query = url.substr(q + 1);
    url.resize(q);
  }
  std::vector<std::string> parts = split_path(url);
  if (parts.size() >= 2 && parts[0] == "services" && parts[1] == "data") parts.erase(parts.begin(), parts.begin() + 2);
  const auto& known = supported_versions();
  if (parts.empty() || parts[0].size() < 2 || parts[0][0] != 'v' ||
      std::find(known.begin(), known.end(), parts[0].substr(1)) == known.end()) {
    message = "Invalid batch request url (expected vXX.X/...): " + item["url"].get<std::string>();
    return std::nullopt;
  }
  sub.version = parts[0].substr(1);
  sub.path.assign(parts.begin() + 1, parts.end());
  if (sub.path.size() >= 2 && sub.path[0] == "composite" && sub.path[1] == "batch") {
    message = "A batch request cannot contain another batch request";
    return std::nullopt;
  }
  if (sub.path.size() == 1 && sub.path[0] == "composite") {
    message = "A composite request cannot contain another composite request";
    return std::nullopt;
  }
  sub.req.path = "/services/data/v" + sub.version;
  for (const auto& p : sub.path) sub.req.path += "/" + p;
  // name=value pairs split at the first '=' (a SOQL value may hold more of them).
  for (const std::string& pair : split_on(query, '&')) {
    const std::size_t eq = std::min(pair.find('='), pair.size());
    const std::string name = httplib::detail::decode_url(pair.substr(0, eq), true);
    const std::string value = httplib::detail::decode_url(eq < pair.size() ? pair.substr(eq + 1) : "", true);
    // As the router reads a request's own parameters: bytes that are not UTF-8 as U+FFFD.
    sub.req.params.emplace(to_well_formed_utf8(name), to_well_formed_utf8(value));
  }
  for (const auto& [name, value] : outer.headers) {
    if (!iequals(name, "Content-Length")) sub.req.headers.emplace(name, value);
  }
  if (item.contains(body_key) && !item[body_key].is_null()) sub.req.body = item[body_key].dump();
  return sub;
}

// Counts one more call against the daily limit; false (nothing counted) when it is reached.
bool take_api_call(EmuState& s) {
  std::int64_t used = s.api_used.load();
  while (used < s.options.daily_api_max) {
    if (s.api_used.compare_exchange_weak(used, used + 1)) return true;
  }
  return false;
}

void handle_batch(EmuState& s, ApiCall& call) {
  DmlError err;
  auto body = parse_record_body(call.req.body, "BatchRequest", err);
  if (!body) return send_error(call.res, err.status, err.code, err.message);
  const json& items = body->contains("batchRequests") ? (*body)["batchRequests"] : json();
  if (!items.is_array()) return send_request_error(call.res, "INVALID_BATCH_REQUEST", "batchRequests is required");
  if (items.size() > kMaxBatchRequests) {
    return send_request_error(call.res, "INVALID_BATCH_REQUEST",
                              "A batch can contain at most " + std::to_string(kMaxBatchRequests) + " requests, not " +
                                  std::to_string(items.size()));
  }
  // Salesforce checks every subrequest before running any.
  std::vector<Subrequest> subs;
  for (const auto& item : items) {
    std::string message;
    auto sub = parse_subrequest(item, call.req, message);
    if (!sub) return send_request_error(call.res, "INVALID_BATCH_REQUEST", message);
    subs.push_back(std::move(*sub));
  }
  auto halt_on_error = bool_member(*body, "haltOnError", err);
  if (!halt_on_error) return send_error(call.res, err.status, err.code, err.message);
  bool has_errors = false, halted = false;
  json results = json::array();
  for (auto& sub : subs) {
    if (halted) {
      results.push_back({{"statusCode", 412},
                         {"result", json::array({{{"errorCode", "BATCH_PROCESSING_HALTED"},
                                                  {"message", "Batch processing halted per request"}}})}});
      continue;
    }
    httplib::Response res;
    // The router counted the batch request as its first subrequest's call.
    if (&sub != &subs.front() && !take_api_call(s)) {
      send_error(res, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    } else {
      ApiCall sub_call{sub.req, res, sub.version, sub.path, call.user_id};
      s.route_api(sub_call);
    }
    const int status = res.status <= 0 ? 200 : res.status;
    json result = subresponse_body(res);
    results.push_back({{"statusCode", status}, {"result", std::move(result)}});
    if (status >= 400) {
      has_errors = true;
      halted = *halt_on_error;
    }
  }
  // The router set Sforce-Limit-Info before the subrequests were counted.
  call.res.headers.erase("Sforce-Limit-Info");
  call.res.set_header("Sforce-Limit-Info", "api-usage=" + std::to_string(s.api_used.load()) + "/" +
                                               std::to_string(s.options.daily_api_max));
  send_json(call.res, 200, json{{"hasErrors", has_errors}, {"results", std::move(results)}}.dump());
}

// ---- composite ----------------------------------------------------------------------------------

// Query operations and sObject Collections: at most kMaxCompositeQueries per composite request.
bool is_query_operation(const Subrequest& sub) {
  if (sub.path.empty()) return false;
  if (sub.path[0] == "query" || sub.path[0] == "queryAll") return true;  // queryMore is query/<locator>
  return sub.path.size() >= 2 && sub.path[0] == "composite" && sub.path[1] == "sobjects";
}

bool valid_reference_id(const std::string& id) {
  if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// The structure of a composite request, checked before any subrequest runs (as Salesforce does).
// Wordings are the emulator's own (Salesforce's were not found): see docs/decisions.md.
std::optional<std::vector<Subrequest>> parse_composite(const json& items, const httplib::Request& outer,
                                                       std::vector<std::string>& refs, std::string& message) {
  if (!items.is_array() || items.empty()) {
    message = "compositeRequest is required and must hold at least one subrequest";
    return std::nullopt;
  }
  if (items.size() > kMaxCompositeRequests) {
    message = "A composite request can contain at most " + std::to_string(kMaxCompositeRequests) +
              " subrequests, not " + std::to_string(items.size());
    return std::nullopt;
  }
  std::vector<Subrequest> subs;
  std::size_t queries = 0;
  for (const auto& item : items) {
    if (!item.is_object() || !item.contains("referenceId") || !item["referenceId"].is_string() ||
        !valid_reference_id(item["referenceId"].get<std::string>())) {
      message = "Each subrequest needs a referenceId that starts with a letter and holds only letters, digits "
                "and underscores";
      return std::nullopt;
    }
    std::string ref = item["referenceId"].get<std::string>();
    if (std::find(refs.begin(), refs.end(), ref) != refs.end()) {
      message = "Duplicate referenceId: " + ref;
      return std::nullopt;
    }
    // A url that is not text is refused by parse_subrequest below.
    const std::string url = item.contains("url") && item["url"].is_string() ? item["url"].get<std::string>() : "";
    if (url.find("@{") != std::string::npos || (item.contains("body") && item["body"].dump().find("@{") != std::string::npos)) {
      message = "References between subrequests (@{" + ref + ".field}) are not modelled by the emulator";
      return std::nullopt;
    }
    auto sub = parse_subrequest(item, outer, message, "body");
    if (!sub) return std::nullopt;
    if (item.contains("httpHeaders")) {
      if (!item["httpHeaders"].is_object()) {
        message = "httpHeaders of " + ref + " must be an object of header names to values";
        return std::nullopt;
      }
      for (const auto& [name, value] : item["httpHeaders"].items()) {
        if (!value.is_string()) continue;
        sub->req.headers.erase(name);
        sub->req.headers.emplace(name, value.get<std::string>());
      }
    }
    if (is_query_operation(*sub) && ++queries > kMaxCompositeQueries) {
      message = "A composite request can contain at most " + std::to_string(kMaxCompositeQueries) +
                " query operations (query, queryAll, queryMore) and sObject Collections";
      return std::nullopt;
    }
    refs.push_back(std::move(ref));
    subs.push_back(std::move(*sub));
  }
  return subs;
}

json subresponse_headers(const httplib::Response& res) {
  json headers = json::object();
  for (const auto& [name, value] : res.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Content-Type") || iequals(name, "Sforce-Limit-Info")) continue;
    headers[name] = value;
  }
  return headers;
}

// One API call whatever it holds (the router counted it). A subrequest meets the fault injector
// as a call of its own would (500, 503, QUERY_TIMEOUT); dropped connections and cut bodies are
// transport faults and only hit the composite request itself.
void handle_composite_request(EmuState& s, ApiCall& call) {
  DmlError err;
  auto body = parse_record_body(call.req.body, "CompositeRequest", err);
  if (!body) return send_error(call.res, err.status, err.code, err.message);
  std::vector<std::string> refs;
  std::string message;
  auto subs = parse_composite(body->contains("compositeRequest") ? (*body)["compositeRequest"] : json(), call.req,
                              refs, message);
  if (!subs) return send_request_error(call.res, "INVALID_API_INPUT", message);
  auto all_or_none = bool_member(*body, "allOrNone", err);
  if (!all_or_none) return send_error(call.res, err.status, err.code, err.message);
  bool failed = false;
  json out = json::array();
  for (std::size_t i = 0; i < subs->size(); ++i) {
    Subrequest& sub = (*subs)[i];
    httplib::Response res;
    if (failed && *all_or_none) {
      // Unverified wording (chosen, not seen): see docs/decisions.md.
      send_error(res, 400, "PROCESSING_HALTED",
                 "The transaction was rolled back since another operation in the same transaction failed.");
    } else {
      const Fault fault = s.faults.next(is_query_operation(sub));
      if (!inject_fault(fault, s.options.faults, res)) {
        ApiCall sub_call{sub.req, res, sub.version, sub.path, call.user_id};
        s.route_api(sub_call);
      }
    }
    const int status = res.status <= 0 ? 200 : res.status;
    json result = subresponse_body(res);
    failed = failed || status >= 400;
    out.push_back({{"body", std::move(result)},
                   {"httpHeaders", subresponse_headers(res)},
                   {"httpStatusCode", status},
                   {"referenceId", refs[i]}});
  }
  send_json(call.res, 200, json{{"compositeResponse", std::move(out)}}.dump());
}

void method_not_allowed(httplib::Response& res, const std::string& method, const std::string& allowed) {
  res.set_header("Allow", allowed);
  send_error(res, 405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
}

}  // namespace

void handle_composite(EmuState& s, ApiCall& call) {
  const auto& p = call.path;  // p[0] == "composite"
  const std::string& m = call.req.method;
  if (p.size() == 1) {
    return m == "POST" ? handle_composite_request(s, call) : method_not_allowed(call.res, m, "POST");
  }
  if (p.size() == 2 && p[1] == "batch") {
    return m == "POST" ? handle_batch(s, call) : method_not_allowed(call.res, m, "POST");
  }
  if (p.size() == 2 && p[1] == "sobjects") {
    if (m == "POST") return handle_save_collection(s, call, CollectionOp::kCreate, nullptr, "");
    if (m == "PATCH") return handle_save_collection(s, call, CollectionOp::kUpdate, nullptr, "");
    if (m == "DELETE") return handle_delete_collection(s, call);
    return method_not_allowed(call.res, m, "POST,PATCH,DELETE");
  }
  if (p.size() == 4 && p[1] == "sobjects") {
    Table* table = s.db->find(p[2]);
    if (table == nullptr) return send_not_found(call.res);
    if (m != "PATCH") return method_not_allowed(call.res, m, "PATCH");
    return handle_save_collection(s, call, CollectionOp::kUpsert, table, p[3]);
  }
  send_not_found(call.res);
}

}  // namespace crmsync::emulator
