// sObject Collections over Client::request_json, with the single-record fallback.
#include "salesforce/collections.h"

#include "common/sfid.h"
#include "common/text.h"
#include "salesforce/json_members.h"

namespace crmsync::salesforce {

using nlohmann::json;

bool is_retryable(std::string_view code) {
  return code == "UNABLE_TO_LOCK_ROW" || code == "SERVER_UNAVAILABLE" || code == "REQUEST_RUNNING_TOO_LONG" ||
         code == "QUERY_TIMEOUT" || code == "TXN_SECURITY_METERING_ERROR" || code == "ALL_OR_NONE_OPERATION_ROLLED_BACK";
}

namespace {

// A single-record call's error as a per-record result: Salesforce's code and its own message (the
// client's "<call> failed (HTTP n): " prefix removed).
RecordResult failure(const Error& e) {
  RecordResult r;
  std::string message = e.message;
  if (auto p = message.find("): "); p != std::string::npos) message = message.substr(p + 3);
  r.errors.push_back({e.code.empty() ? "HTTP_" + std::to_string(e.http_status) : e.code, message, {}});
  return r;
}

// One of a result's errors: {statusCode, message, fields}.
Result<RecordError> parse_record_error(const json& e, const std::string& what) {
  JsonMembers error(e, what);
  if (!error.is_object()) return error.malformed("it is " + describe_json_value(e) + ", not an error object");
  RecordError out;
  auto code = error.text_or("statusCode", "");
  if (!code) return code.error();
  auto message = error.text_or("message", "");
  if (!message) return message.error();
  auto fields = error.array_or_empty("fields");
  if (!fields) return fields.error();
  out.status_code = std::move(*code);
  out.message = std::move(*message);
  for (const json& name : **fields) {
    if (!name.is_string()) return error.malformed("an entry of \"fields\" is " + describe_json_value(name) + ", not a field name");
    out.fields.push_back(name.get<std::string>());
  }
  return out;
}

// One record's result. A success must name the record by a valid Salesforce id: without one the
// caller could not tell which record was written (an exactly-once ledger would record nothing).
Result<RecordResult> parse_record_result(const json& item, const std::string& what) {
  JsonMembers result(item, what);
  if (!result.is_object()) return result.malformed("it is " + describe_json_value(item) + ", not a result object");
  RecordResult r;
  auto success = result.flag("success");
  if (!success) return success.error();
  auto created = result.flag_or("created", false);
  if (!created) return created.error();
  auto id = result.text_or("id", "");
  if (!id) return id.error();
  auto errors = result.array_or_empty("errors");
  if (!errors) return errors.error();
  r.success = *success;
  r.created = *created;
  r.id = std::move(*id);
  if (r.success && !is_sf_id(r.id)) {
    return result.malformed("it reports success without a valid record id (\"id\" is " +
                            (item.contains("id") ? describe_json_value(item["id"]) : std::string("absent")) +
                            "), so the record written cannot be told");
  }
  for (std::size_t k = 0; k < (*errors)->size(); ++k) {
    auto e = parse_record_error((**errors)[k], what + ", errors[" + std::to_string(k) + "]");
    if (!e) return e.error();
    r.errors.push_back(std::move(*e));
  }
  if (!r.success && r.errors.empty()) r.errors.push_back({"UNKNOWN_ERROR", "Salesforce gave no reason.", {}});
  return r;
}

const char* op_name(int op) {
  static const char* kNames[] = {"create", "update", "upsert", "delete"};
  return kNames[op];
}

// A single-record call's answer as a result. A create's answer must give the new record's id; an
// update or delete answers 204 without a body, and the record is the one asked for.
Result<RecordResult> single_result(const json& answer, bool create, const std::string& asked_id, const std::string& what) {
  JsonMembers a(answer, what);
  RecordResult r;
  r.success = true;
  auto id = a.text_or("id", asked_id);
  if (!id) return id.error();
  auto created = a.flag_or("created", create);
  if (!created) return created.error();
  r.id = std::move(*id);
  r.created = *created;
  if ((create || !r.id.empty()) && !is_sf_id(r.id)) {
    return a.malformed("it reports success without a valid record id (\"id\" is " +
                       (answer.contains("id") ? describe_json_value(answer["id"]) : std::string("absent")) + ")");
  }
  return r;
}

}  // namespace

Result<std::vector<RecordResult>> parse_collection_results(const json& body, std::size_t expected,
                                                           std::string_view what) {
  JsonMembers answer(body, std::string(what));
  if (!body.is_array()) return answer.malformed("it is " + describe_json_value(body) + ", not an array of results");
  if (body.size() != expected) {
    return answer.malformed("it has " + std::to_string(body.size()) + " results for " + std::to_string(expected) + " records");
  }
  std::vector<RecordResult> out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    auto r = parse_record_result(body[i], std::string(what) + " (result " + std::to_string(i + 1) + " of " +
                                              std::to_string(body.size()) + ")");
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

Result<std::vector<RecordResult>> Collections::create(std::string_view sobject, const std::vector<json>& records) {
  return send(Op::kCreate, sobject, "", records);
}
Result<std::vector<RecordResult>> Collections::update(std::string_view sobject, const std::vector<json>& records) {
  return send(Op::kUpdate, sobject, "", records);
}
Result<std::vector<RecordResult>> Collections::upsert(std::string_view sobject, std::string_view external_id_field,
                                                      const std::vector<json>& records) {
  return send(Op::kUpsert, sobject, external_id_field, records);
}
Result<std::vector<RecordResult>> Collections::remove(std::string_view sobject, const std::vector<std::string>& ids) {
  std::vector<json> records;
  records.reserve(ids.size());
  for (const auto& id : ids) records.push_back(json{{"Id", id}});
  return send(Op::kDelete, sobject, "", records);
}

Result<std::vector<RecordResult>> Collections::send(Op op, std::string_view sobject, std::string_view external_id_field,
                                                    const std::vector<json>& records) {
  if (records.size() > kCollectionsMaxRecords) {
    return Error(ErrorKind::kInternal, "TOO_MANY_RECORDS",
                 "An sObject Collections call takes at most 200 records, not " + std::to_string(records.size()) + ".");
  }
  if (records.empty()) return std::vector<RecordResult>{};
  if (fallback_) return send_one_by_one(op, sobject, external_id_field, records);

  const std::string base = "/services/data/v" + client_.api_version() + "/composite/sobjects";
  Result<json> answer = json();
  ++calls_;
  if (op == Op::kDelete) {
    std::string ids;
    for (const json& r : records) ids += (ids.empty() ? "" : ",") + r["Id"].get<std::string>();
    answer = client_.request_json("DELETE", base + "?ids=" + ids + "&allOrNone=false", json());
  } else {
    json body = {{"allOrNone", false}, {"records", json::array()}};
    for (const json& r : records) {
      json rec = r;
      rec["attributes"] = {{"type", std::string(sobject)}};
      if (op == Op::kUpdate) {
        // Collections update names the record with "id" (lower case).
        if (rec.contains("Id")) {
          rec["id"] = rec["Id"];
          rec.erase("Id");
        }
      }
      body["records"].push_back(std::move(rec));
    }
    std::string path = op == Op::kUpsert ? base + "/" + std::string(sobject) + "/" + std::string(external_id_field) : base;
    answer = client_.request_json(op == Op::kCreate ? "POST" : "PATCH", path, body);
  }
  if (!answer) {
    if (answer.error().http_status == 404 && answer.error().code == "NOT_FOUND") {
      fallback_ = true;  // the server has no sObject Collections: one record per call from now on
      return send_one_by_one(op, sobject, external_id_field, records);
    }
    return answer.error();
  }
  return parse_collection_results(*answer, records.size(),
                                  "sObject Collections " + std::string(op_name(static_cast<int>(op))) + " " +
                                      std::string(sobject));
}

Result<std::vector<RecordResult>> Collections::send_one_by_one(Op op, std::string_view sobject,
                                                               std::string_view external_id_field,
                                                               const std::vector<json>& records) {
  std::vector<RecordResult> out;
  out.reserve(records.size());
  const std::string data = "/services/data/v" + client_.api_version() + "/sobjects/";
  for (const json& r : records) {
    ++calls_;
    Result<json> answer = json();
    std::string id = r.contains("Id") ? r["Id"].get<std::string>() : std::string();
    if (op == Op::kCreate) {
      answer = client_.request_json("POST", data + std::string(sobject) + "/", r);
    } else if (op == Op::kUpdate) {
      json fields = r;
      fields.erase("Id");
      answer = client_.request_json("PATCH", data + std::string(sobject) + "/" + id, fields);
    } else if (op == Op::kUpsert) {
      json fields = r;
      std::string key = fields.value(std::string(external_id_field), std::string());
      fields.erase(std::string(external_id_field));
      answer = client_.request_json("PATCH", data + std::string(sobject) + "/" + std::string(external_id_field) + "/" +
                                                 url_encode(key), fields);
    } else {
      answer = client_.request_json("DELETE", data + std::string(sobject) + "/" + id, json());
    }
    if (!answer) {
      const Error& e = answer.error();
      if (e.kind == ErrorKind::kNetwork || e.kind == ErrorKind::kAuth || e.kind == ErrorKind::kLimit) return e;
      out.push_back(failure(e));
      continue;
    }
    auto result = single_result(*answer, op == Op::kCreate, id,
                                std::string(op_name(static_cast<int>(op))) + " " + std::string(sobject) + " (one record per call)");
    if (!result) return result.error();
    out.push_back(std::move(*result));
  }
  return out;
}

}  // namespace crmsync::salesforce
