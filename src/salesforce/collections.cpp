// sObject Collections over Client::request_json, with the single-record fallback.
#include "salesforce/collections.h"

#include "common/text.h"

namespace crmsync::salesforce {

using nlohmann::json;

bool is_retryable(std::string_view code) {
  return code == "UNABLE_TO_LOCK_ROW" || code == "SERVER_UNAVAILABLE" || code == "REQUEST_RUNNING_TOO_LONG" ||
         code == "QUERY_TIMEOUT" || code == "TXN_SECURITY_METERING_ERROR" || code == "ALL_OR_NONE_OPERATION_ROLLED_BACK";
}

namespace {

std::string string_of(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A single-record call's error as a per-record result: Salesforce's code and its own message (the
// client's "<call> failed (HTTP n): " prefix removed).
RecordResult failure(const Error& e) {
  RecordResult r;
  std::string message = e.message;
  if (auto p = message.find("): "); p != std::string::npos) message = message.substr(p + 3);
  r.errors.push_back({e.code.empty() ? "HTTP_" + std::to_string(e.http_status) : e.code, message, {}});
  return r;
}

Error malformed(const std::string& what) {
  return Error(ErrorKind::kNetwork, "MALFORMED_RESPONSE", "Salesforce's answer to the sObject Collections call was malformed: " + what + ".");
}

}  // namespace

Result<std::vector<RecordResult>> parse_collection_results(const json& body, std::size_t expected) {
  if (!body.is_array()) return malformed("it is not an array of results");
  if (body.size() != expected) {
    return malformed("it has " + std::to_string(body.size()) + " results for " + std::to_string(expected) + " records");
  }
  std::vector<RecordResult> out;
  out.reserve(body.size());
  for (const json& item : body) {
    if (!item.is_object()) return malformed("a result is not an object");
    RecordResult r;
    r.id = string_of(item, "id");
    r.success = item.value("success", false);
    r.created = item.value("created", false);
    if (auto errs = item.find("errors"); errs != item.end() && errs->is_array()) {
      for (const json& e : *errs) {
        if (!e.is_object()) continue;
        RecordError re{string_of(e, "statusCode"), string_of(e, "message"), {}};
        if (auto f = e.find("fields"); f != e.end() && f->is_array()) {
          for (const json& name : *f) {
            if (name.is_string()) re.fields.push_back(name.get<std::string>());
          }
        }
        r.errors.push_back(std::move(re));
      }
    }
    if (!r.success && r.errors.empty()) r.errors.push_back({"UNKNOWN_ERROR", "Salesforce gave no reason.", {}});
    out.push_back(std::move(r));
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
  return parse_collection_results(*answer, records.size());
}

Result<std::vector<RecordResult>> Collections::send_one_by_one(Op op, std::string_view sobject,
                                                               std::string_view external_id_field,
                                                               const std::vector<json>& records) {
  std::vector<RecordResult> out;
  out.reserve(records.size());
  const std::string data = "/services/data/v" + client_.api_version() + "/sobjects/";
  for (const json& r : records) {
    ++calls_;
    RecordResult result;
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
    result.success = true;
    result.id = id;
    if (answer->is_object()) {
      if (auto it = answer->find("id"); it != answer->end() && it->is_string()) result.id = it->get<std::string>();
      result.created = answer->value("created", op == Op::kCreate);
    } else {
      result.created = op == Op::kCreate;
    }
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace crmsync::salesforce
