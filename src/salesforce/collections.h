// sObject Collections (/composite/sobjects): create, update, upsert by external id and delete of
// up to 200 records per call with allOrNone=false, and Salesforce's per-record results
// ({id, success, errors:[{statusCode, message, fields}], created}) in input order.
//
// Servers without the resource (the local emulator before phase 2, answering 404 NOT_FOUND) are
// served through the single-record sObject calls instead, one call per record, with the same
// per-record results; used_fallback() tells the caller.
//
//   Collections c(client);
//   auto results = c.create("Task", records);   // records: JSON objects of field values
//   for (auto& r : *results) if (!r.success) report(r.errors[0].status_code, r.errors[0].message);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "salesforce/client.h"

namespace crmsync::salesforce {

inline constexpr std::size_t kCollectionsMaxRecords = 200;

struct RecordError {
  std::string status_code;  // REQUIRED_FIELD_MISSING, UNABLE_TO_LOCK_ROW, ...
  std::string message;
  std::vector<std::string> fields;
};

struct RecordResult {
  std::string id;
  bool success = false;
  bool created = false;  // upsert (and create) results
  std::vector<RecordError> errors;
};

// Whether sending the same record again can succeed (UNABLE_TO_LOCK_ROW, server busy) rather than
// fail the same way (REQUIRED_FIELD_MISSING, INSUFFICIENT_ACCESS_OR_READONLY, ...).
bool is_retryable(std::string_view status_code);

// Parses a collections answer: an array of results, one per record, in order. Every member is
// type-checked, and a success must carry a valid 15- or 18-character record id. A length that
// differs from `expected`, a member of the wrong type ("success": "yes") or a success without a
// valid id is a kSalesforce MALFORMED_RESPONSE error naming the result and the member; `what`
// names the call in it.
Result<std::vector<RecordResult>> parse_collection_results(const nlohmann::json& body, std::size_t expected,
                                                           std::string_view what = "the sObject Collections call");

class Collections {
 public:
  explicit Collections(Client& client) : client_(client) {}

  // Each call takes at most kCollectionsMaxRecords records (more is a kInternal error). Records are
  // JSON objects of field values; the "attributes" map is added here. An Error means the call as a
  // whole failed (network, session, limit, an answer that is malformed: see
  // parse_collection_results): no per-record results are known.
  Result<std::vector<RecordResult>> create(std::string_view sobject, const std::vector<nlohmann::json>& records);
  // Each record carries "Id".
  Result<std::vector<RecordResult>> update(std::string_view sobject, const std::vector<nlohmann::json>& records);
  // Each record carries `external_id_field`.
  Result<std::vector<RecordResult>> upsert(std::string_view sobject, std::string_view external_id_field,
                                           const std::vector<nlohmann::json>& records);
  // `sobject` is used only by the single-record fallback (DELETE /sobjects/{sobject}/{id}).
  Result<std::vector<RecordResult>> remove(std::string_view sobject, const std::vector<std::string>& ids);

  bool used_fallback() const { return fallback_; }
  std::int64_t calls() const { return calls_; }  // API calls these methods made

 private:
  enum class Op { kCreate, kUpdate, kUpsert, kDelete };
  Result<std::vector<RecordResult>> send(Op op, std::string_view sobject, std::string_view external_id_field,
                                         const std::vector<nlohmann::json>& records);
  Result<std::vector<RecordResult>> send_one_by_one(Op op, std::string_view sobject, std::string_view external_id_field,
                                                    const std::vector<nlohmann::json>& records);

  Client& client_;
  bool fallback_ = false;
  std::int64_t calls_ = 0;
};

}  // namespace crmsync::salesforce
