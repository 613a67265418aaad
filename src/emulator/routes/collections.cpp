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
//   POST   /composite/tree/{SObject} {records:[{attributes:{type, referenceId}, fields..., Children:{records}}]}
//     -> 201 {hasErrors:false, results:[{referenceId, id}]} or 400 {hasErrors:true, results:[{referenceId,
//        errors:[{statusCode, message, fields}]}]}: every record of the trees or none; at most 200
//        records, 5 levels; children by the parent's child relationship name (sf data import tree).
//   POST   /composite {compositeRequest:[{referenceId, method, url, body, httpHeaders}], allOrNone}
//     -> 200 {compositeResponse:[{body, httpHeaders, httpStatusCode, referenceId}]}; at most 25
//        subrequests, at most 5 of them query operations (query, queryAll, queryMore) or sObject
//        Collections; each runs through the ordinary routes as the calling user and may meet an
//        injected fault of its own (500, 503, QUERY_TIMEOUT), like a call of its own would.
// Every record goes through the DML engine (dml/dml.h), so it is refused exactly as there.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/dml/dml.h"
#include "emulator/org/org.h"
#include "emulator/routes/routes.h"

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
  std::optional<Error> error;  // written with its fields (none when unset)
};

ItemResult succeeded(std::string id, bool created = false) { return {std::move(id), true, created, std::nullopt}; }
// A failed record; `id` is reported when Salesforce reports it on a failure too (updates, deletes).
ItemResult failed(Error error, std::string id = {}) { return {std::move(id), false, false, std::move(error)}; }

const char* const kRolledBack =
    "Record rolled back because not all records were valid and the request was using AllOrNone header";

void send_request_error(httplib::Response& res, const std::string& code, const std::string& message) {
  send_error(res, 400, code, message);
}

// An optional boolean of the request (allOrNone, haltOnError): false when absent; a JSON boolean
// or "true"/"false", as Salesforce's parser takes them; anything else is JSON_PARSER_ERROR.
Result<bool> bool_member(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string() && (iequals(it->get_ref<const std::string&>(), "true") ||
                          iequals(it->get_ref<const std::string&>(), "false"))) {
    return iequals(it->get_ref<const std::string&>(), "true");
  }
  return json_type_error("boolean", *it);
}

// A per-record error where the single-record route would answer 404 (dml.h).
Error per_record(Error e, CollectionOp op) { return per_record_error(std::move(e), op == CollectionOp::kCreate); }

std::string results_json(const std::vector<ItemResult>& results, bool upsert) {
  json out = json::array();
  for (const auto& r : results) {
    json item = json::object();
    if (!r.id.empty()) item["id"] = r.id;
    item["success"] = r.success;
    json errors = json::array();
    if (r.error) {
      errors.push_back({{"statusCode", r.error->code},
                        {"message", r.error->message},
                        {"fields", r.error->fields.value_or(std::vector<std::string>{})}});
    }
    item["errors"] = std::move(errors);
    if (upsert) item["created"] = r.created;
    out.push_back(std::move(item));
  }
  return out.dump();
}

// After an allOrNone failure: every write is undone and every record without its own error says so.
void roll_back(EmuState& s, DmlJournal& journal, std::vector<ItemResult>& results, CollectionOp op) {
  journal.rollback(s.access);
  for (auto& r : results) {
    if (r.error) continue;
    r.success = false;
    // Nothing was created, so a created record has no Id; an upsert that updated a record names it,
    // as an update does.
    if (op == CollectionOp::kCreate || (op == CollectionOp::kUpsert && r.created)) r.id.clear();
    r.created = false;
    r.error = record_error(400, "ALL_OR_NONE_OPERATION_ROLLED_BACK", kRolledBack);
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
Result<Table*> record_table(EmuState& s, const json& record) {
  if (!record.is_object()) return record_error(400, "JSON_PARSER_ERROR", "Each record must be a JSON object");
  const json* attributes = record.contains("attributes") ? &record["attributes"] : nullptr;
  if (attributes == nullptr || !attributes->is_object() || !attributes->contains("type") ||
      !(*attributes)["type"].is_string()) {
    return record_error(400, "INVALID_TYPE", "Must send a concrete entity type.");
  }
  const std::string type = (*attributes)["type"].get<std::string>();
  Table* table = s.db->find(type);
  if (table == nullptr) return record_error(400, "INVALID_TYPE", "sObject type '" + type + "' is not supported.");
  return table;
}

// An upsert collection's key: the external ID (or Id) column, and how many records carry each
// value (lower case), since two records with one value are both refused.
struct UpsertKey {
  Table* table = nullptr;
  std::size_t column = 0;
  std::map<std::string, int> count;
};

Result<UpsertKey> upsert_key(EmuState& s, const ApiCall& call, Table& table, const std::string& field,
                             const json& records) {
  auto column = upsert_field(s.dml(), call.user_id, table, field);
  if (!column) return column.error();
  UpsertKey key{&table, *column, {}};
  for (const auto& record : records) {
    if (!record.is_object()) continue;
    for (const auto& [name, value] : record.items()) {
      if (iequals(name, table.field(*column).name) && !value.is_null()) {
        ++key.count[to_lower(value.is_string() ? value.get<std::string>() : value.dump())];
      }
    }
  }
  return key;
}

ItemResult create_item(EmuState& s, const ApiCall& call, Table& table, const json& record, DmlJournal& journal) {
  if (record_id(record)) {
    return failed(record_error(400, "INVALID_FIELD", "cannot specify Id in an insert call", {"Id"}));
  }
  auto id = create_record(s.dml(), call.user_id, table, record_fields(record, false), &journal);
  if (!id) return failed(id.error());
  return succeeded(*id);
}

ItemResult update_item(EmuState& s, const ApiCall& call, Table& table, const json& record, DmlJournal& journal) {
  auto given = record_id(record);
  if (!given) return failed(record_error(400, "MISSING_ARGUMENT", "Id not specified in an update call"));
  auto id = sf_id18(*given);
  if (!id) return failed(record_error(400, "MALFORMED_ID", "malformed id " + *given), *given);
  auto updated = update_record(s.dml(), call.user_id, table, *id, record_fields(record, true), &journal);
  if (!updated) return failed(updated.error(), *id);
  return succeeded(*id);
}

ItemResult upsert_item(EmuState& s, const ApiCall& call, Table& table, const json& record, const UpsertKey& key,
                       DmlJournal& journal) {
  const FieldDef& f = table.field(key.column);
  const std::optional<std::string> value = upsert_key_value(table, key.column, record);
  if (auto seen = value ? key.count.find(to_lower(*value)) : key.count.end();
      seen != key.count.end() && seen->second > 1) {
    return failed(record_error(400, "DUPLICATE_EXTERNAL_ID", "Duplicate external id specified: " + *value, {f.name}));
  }
  auto target = upsert_target(table, key.column, value);
  if (!target) return failed(target.error());
  json fields = record_fields(record, true);
  if (!target->empty()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (iequals(it.key(), f.name)) {  // the key stays as it is
        fields.erase(it);
        break;
      }
    }
    auto updated = update_record(s.dml(), call.user_id, table, *target, fields, &journal);
    if (!updated) return failed(updated.error(), *target);
    return succeeded(*target);
  }
  auto id = create_record(s.dml(), call.user_id, table, fields, &journal);
  if (!id) return failed(id.error());
  return succeeded(*id, /*created=*/true);
}

ItemResult save_item(EmuState& s, const ApiCall& call, CollectionOp op, const json& record,
                     const std::optional<UpsertKey>& key, DmlJournal& journal) {
  auto table = record_table(s, record);
  if (!table) return failed(table.error());
  if (op == CollectionOp::kUpsert && *table != key->table) {
    return failed(
        record_error(400, "INVALID_TYPE",
                     "Record type " + (*table)->name() + " does not match the request's " + key->table->name()));
  }
  ItemResult r = op == CollectionOp::kCreate   ? create_item(s, call, **table, record, journal)
                 : op == CollectionOp::kUpdate ? update_item(s, call, **table, record, journal)
                                               : upsert_item(s, call, **table, record, *key, journal);
  if (r.error) r.error = per_record(std::move(*r.error), op);
  return r;
}

void handle_save_collection(EmuState& s, ApiCall& call, CollectionOp op, Table* upsert_table,
                            const std::string& upsert_field_name) {
  auto body = parse_record_body(call.req.body, "SObjectCollection");
  if (!body) return send_error(call.res, body.error());
  const json& records = body->contains("records") ? (*body)["records"] : json();
  if (!records.is_array()) {
    return send_request_error(call.res, "INVALID_FIELD", "The request body must contain a records list");
  }
  if (records.size() > kMaxRecords) return send_request_error(call.res, "EXCEEDED_ID_LIMIT", too_many(kMaxRecords));
  auto all_or_none = bool_member(*body, "allOrNone");
  if (!all_or_none) return send_error(call.res, all_or_none.error());

  std::unique_lock lock(s.db->mutex());
  std::optional<UpsertKey> key;
  if (op == CollectionOp::kUpsert) {
    auto found = upsert_key(s, call, *upsert_table, upsert_field_name, records);
    if (!found) return send_error(call.res, found.error());
    key = std::move(*found);
  }
  DmlJournal journal;
  std::vector<ItemResult> results;
  results.reserve(records.size());
  for (const auto& record : records) results.push_back(save_item(s, call, op, record, key, journal));
  if (*all_or_none && any_failed(results)) roll_back(s, journal, results, op);
  send_json(call.res, 200, results_json(results, op == CollectionOp::kUpsert));
}

ItemResult delete_item(EmuState& s, const ApiCall& call, const std::string& given, DmlJournal& journal) {
  auto id = sf_id18(given);
  if (!id) return failed(record_error(400, "MALFORMED_ID", "malformed id " + given), given);
  Table* table = s.db->find_by_id(*id);
  if (table == nullptr) {
    return failed(record_error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"), *id);
  }
  auto deleted = delete_record(s.dml(), call.user_id, *table, *id, &journal);
  if (!deleted) return failed(per_record(deleted.error(), CollectionOp::kDelete), *id);
  return succeeded(*id);
}

void handle_delete_collection(EmuState& s, ApiCall& call) {
  const std::vector<std::string> ids = split_trimmed(call.req.get_param_value("ids"), ',');
  if (ids.size() > kMaxRecords) return send_request_error(call.res, "EXCEEDED_ID_LIMIT", too_many(kMaxRecords));
  const bool all_or_none = iequals(call.req.get_param_value("allOrNone"), "true");
  std::unique_lock lock(s.db->mutex());
  DmlJournal journal;
  std::vector<ItemResult> results;
  for (const auto& given : ids) results.push_back(delete_item(s, call, given, journal));
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
// /services/data/). Errors: 400 `error_code` when it is not a request Salesforce would run.
// `body_key` is where the subrequest's body is: "richInput" (batch) or "body" (composite).
Result<Subrequest> parse_subrequest(const json& item, const httplib::Request& outer, const char* error_code,
                                    const char* body_key = "richInput") {
  if (!item.is_object() || !item.contains("method") || !item["method"].is_string() || !item.contains("url") ||
      !item["url"].is_string()) {
    return request_error(400, error_code, "Each batch request needs a method and a url");
  }
  Subrequest sub;
  sub.req.method = item["method"].get<std::string>();
  for (char& c : sub.req.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::vector<std::string> kMethods = {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"};
  if (std::find(kMethods.begin(), kMethods.end(), sub.req.method) == kMethods.end()) {
    return request_error(400, error_code, "Unsupported batch request method: " + item["method"].get<std::string>());
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
    return request_error(400, error_code,
                         "Invalid batch request url (expected vXX.X/...): " + item["url"].get<std::string>());
  }
  sub.version = parts[0].substr(1);
  sub.path.assign(parts.begin() + 1, parts.end());
  if (sub.path.size() >= 2 && sub.path[0] == "composite" && sub.path[1] == "batch") {
    return request_error(400, error_code, "A batch request cannot contain another batch request");
  }
  if (sub.path.size() == 1 && sub.path[0] == "composite") {
    return request_error(400, error_code, "A composite request cannot contain another composite request");
  }
  sub.req.path = "/services/data/v" + sub.version;
  for (const auto& p : sub.path) sub.req.path += "/" + p;
  // name=value pairs split at the first '=' (a SOQL value may hold more of them).
  for (const std::string& pair : split_trimmed(query, '&')) {
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
  auto body = parse_record_body(call.req.body, "BatchRequest");
  if (!body) return send_error(call.res, body.error());
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
    auto sub = parse_subrequest(item, call.req, "INVALID_BATCH_REQUEST");
    if (!sub) return send_error(call.res, sub.error());
    subs.push_back(std::move(*sub));
  }
  auto halt_on_error = bool_member(*body, "haltOnError");
  if (!halt_on_error) return send_error(call.res, halt_on_error.error());
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

constexpr const char* kInvalidInput = "INVALID_API_INPUT";

// The structure of a composite request, checked before any subrequest runs (as Salesforce does).
// Wordings are the emulator's own (Salesforce's were not found): see docs/decisions.md.
// Errors: 400 INVALID_API_INPUT naming what is wrong. `refs` gets the subrequests' referenceIds.
Result<std::vector<Subrequest>> parse_composite(const json& items, const httplib::Request& outer,
                                                std::vector<std::string>& refs) {
  if (!items.is_array() || items.empty()) {
    return request_error(400, kInvalidInput, "compositeRequest is required and must hold at least one subrequest");
  }
  if (items.size() > kMaxCompositeRequests) {
    return request_error(400, kInvalidInput,
                         "A composite request can contain at most " + std::to_string(kMaxCompositeRequests) +
                             " subrequests, not " + std::to_string(items.size()));
  }
  std::vector<Subrequest> subs;
  std::size_t queries = 0;
  for (const auto& item : items) {
    if (!item.is_object() || !item.contains("referenceId") || !item["referenceId"].is_string() ||
        !valid_reference_id(item["referenceId"].get<std::string>())) {
      return request_error(
          400, kInvalidInput,
          "Each subrequest needs a referenceId that starts with a letter and holds only letters, digits "
          "and underscores");
    }
    std::string ref = item["referenceId"].get<std::string>();
    if (std::find(refs.begin(), refs.end(), ref) != refs.end()) {
      return request_error(400, kInvalidInput, "Duplicate referenceId: " + ref);
    }
    // A url that is not text is refused by parse_subrequest below.
    const std::string url = item.contains("url") && item["url"].is_string() ? item["url"].get<std::string>() : "";
    if (url.find("@{") != std::string::npos || (item.contains("body") && item["body"].dump().find("@{") != std::string::npos)) {
      return request_error(400, kInvalidInput,
                           "References between subrequests (@{" + ref + ".field}) are not modelled by the emulator");
    }
    auto sub = parse_subrequest(item, outer, kInvalidInput, "body");
    if (!sub) return sub.error();
    if (item.contains("httpHeaders")) {
      if (!item["httpHeaders"].is_object()) {
        return request_error(400, kInvalidInput,
                             "httpHeaders of " + ref + " must be an object of header names to values");
      }
      for (const auto& [name, value] : item["httpHeaders"].items()) {
        if (!value.is_string()) continue;
        sub->req.headers.erase(name);
        sub->req.headers.emplace(name, value.get<std::string>());
      }
    }
    if (is_query_operation(*sub) && ++queries > kMaxCompositeQueries) {
      return request_error(400, kInvalidInput,
                           "A composite request can contain at most " + std::to_string(kMaxCompositeQueries) +
                               " query operations (query, queryAll, queryMore) and sObject Collections");
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
  auto body = parse_record_body(call.req.body, "CompositeRequest");
  if (!body) return send_error(call.res, body.error());
  std::vector<std::string> refs;
  auto subs =
      parse_composite(body->contains("compositeRequest") ? (*body)["compositeRequest"] : json(), call.req, refs);
  if (!subs) return send_error(call.res, subs.error());
  auto all_or_none = bool_member(*body, "allOrNone");
  if (!all_or_none) return send_error(call.res, all_or_none.error());
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

// ---- sObject Tree ---------------------------------------------------------------------------------

constexpr std::size_t kMaxTreeRecords = 200;
constexpr int kMaxTreeDepth = 5;

struct TreeWrite {
  DmlJournal journal;
  json results = json::array();
  json errors = json::array();
  std::size_t records = 0;
};

// The child object and its reference field for a child relationship name of `parent`, if any.
std::optional<std::pair<const ObjectSpec*, std::string>> child_relationship(const Database& db, const Table& parent,
                                                                           const std::string& name) {
  for (const auto& spec : org_schema()) {
    for (const auto& [field, relationship] : spec.child_relationships) {
      if (!iequals(relationship, name)) continue;
      const Table* child = db.find(spec.name);
      if (child == nullptr) continue;
      auto f = child->field_index(field);
      if (!f) continue;
      const auto& targets = child->field(*f).reference_to;
      if (std::find(targets.begin(), targets.end(), parent.name()) != targets.end()) return std::make_pair(&spec, field);
    }
  }
  return std::nullopt;
}

// Saves `records` of `table` (each with its nested children), `parent` set in `parent_field` when
// given. Returns false once a record is refused (its error is in `w.errors`).
bool save_tree(EmuState& s, const ApiCall& call, Table& table, const json& records, const std::string& parent_field,
               const std::string& parent_id, int depth, TreeWrite& w) {
  if (!records.is_array() || depth > kMaxTreeDepth) {
    w.errors.push_back({{"referenceId", nullptr},
                        {"errors", json::array({{{"statusCode", "INVALID_INPUT"},
                                                 {"message", "records must be a list, nested at most " +
                                                                 std::to_string(kMaxTreeDepth) + " levels"},
                                                 {"fields", json::array()}}})}});
    return false;
  }
  for (const auto& record : records) {
    const std::string ref = record.is_object() && record.contains("attributes") && record["attributes"].is_object() &&
                                    record["attributes"].contains("referenceId") &&
                                    record["attributes"]["referenceId"].is_string()
                                ? record["attributes"]["referenceId"].get<std::string>()
                                : std::string();
    auto fail = [&](const Error& e) {
      w.errors.push_back({{"referenceId", ref},
                          {"errors", json::array({{{"statusCode", e.code},
                                                   {"message", e.message},
                                                   {"fields", e.fields.value_or(std::vector<std::string>{})}}})}});
      return false;
    };
    if (++w.records > kMaxTreeRecords) return fail(record_error(400, "INVALID_INPUT", too_many(kMaxTreeRecords)));
    if (!record.is_object()) return fail(record_error(400, "JSON_PARSER_ERROR", "Each record must be a JSON object"));
    json fields = json::object();
    std::vector<std::pair<std::string, const json*>> children;
    for (const auto& [key, value] : record.items()) {
      if (key == "attributes") continue;
      if (value.is_object() && value.contains("records")) {
        children.emplace_back(key, &value["records"]);
      } else {
        fields[key] = value;
      }
    }
    if (!parent_field.empty()) fields[parent_field] = parent_id;
    auto id = create_record(s.dml(), call.user_id, table, fields, &w.journal);
    if (!id) return fail(per_record_error(id.error(), /*create=*/true));
    w.results.push_back({{"referenceId", ref}, {"id", *id}});
    for (const auto& [name, nested] : children) {
      auto relation = child_relationship(*s.db, table, name);
      if (!relation) {
        return fail(record_error(400, "INVALID_FIELD",
                                 "No such column '" + name + "' on sobject of type " + table.name(), {name}));
      }
      Table* child = s.db->find(relation->first->name);
      if (!save_tree(s, call, *child, *nested, relation->second, *id, depth + 1, w)) return false;
    }
  }
  return true;
}

void handle_tree(EmuState& s, ApiCall& call, Table& table) {
  auto body = parse_record_body(call.req.body, "SObjectTreeRequest");
  if (!body) return send_error(call.res, body.error());
  std::unique_lock lock(s.db->mutex());
  TreeWrite w;
  if (save_tree(s, call, table, body->contains("records") ? (*body)["records"] : json(), "", "", 1, w)) {
    return send_json(call.res, 201, json{{"hasErrors", false}, {"results", std::move(w.results)}}.dump());
  }
  w.journal.rollback(s.access);
  send_json(call.res, 400, json{{"hasErrors", true}, {"results", std::move(w.errors)}}.dump());
}

}  // namespace

void handle_composite(EmuState& s, ApiCall& call) {
  const auto& p = call.path;  // p[0] == "composite"
  const std::string& m = call.req.method;
  if (p.size() == 1) {
    if (m == "GET" || m == "HEAD") {  // the composite resources the emulator answers
      const std::string base = "/services/data/v" + call.version + "/composite/";
      nlohmann::ordered_json list;  // Salesforce's order; `graph` is not served, so not listed
      list["tree"] = base + "tree";
      list["batch"] = base + "batch";
      list["sobjects"] = base + "sobjects";
      return send_json(call.res, 200, list.dump());
    }
    return m == "POST" ? handle_composite_request(s, call) : send_method_not_allowed(call.res, m, "GET,HEAD,POST");
  }
  if (p.size() == 2 && p[1] == "batch") {
    return m == "POST" ? handle_batch(s, call) : send_method_not_allowed(call.res, m, "POST");
  }
  if (p.size() == 2 && p[1] == "sobjects") {
    if (m == "POST") return handle_save_collection(s, call, CollectionOp::kCreate, nullptr, "");
    if (m == "PATCH") return handle_save_collection(s, call, CollectionOp::kUpdate, nullptr, "");
    if (m == "DELETE") return handle_delete_collection(s, call);
    return send_method_not_allowed(call.res, m, "POST,PATCH,DELETE");
  }
  if (p.size() == 3 && p[1] == "tree") {
    Table* table = s.db->find(p[2]);
    if (table == nullptr) return send_not_found(call.res);
    return m == "POST" ? handle_tree(s, call, *table) : send_method_not_allowed(call.res, m, "POST");
  }
  if (p.size() == 3 && p[1] == "sobjects") {
    const Table* table = s.db->find(p[2]);
    if (table == nullptr) return send_not_found(call.res);
    if (m != "GET" && m != "HEAD" && m != "POST") return send_method_not_allowed(call.res, m, "GET,HEAD,POST");
    return handle_retrieve_collection(s, call, *table);
  }
  if (p.size() == 4 && p[1] == "sobjects") {
    Table* table = s.db->find(p[2]);
    if (table == nullptr) return send_not_found(call.res);
    if (m != "PATCH") return send_method_not_allowed(call.res, m, "PATCH");
    return handle_save_collection(s, call, CollectionOp::kUpsert, table, p[3]);
  }
  send_not_found(call.res);
}

}  // namespace crmsync::emulator
