// The emulator's one error type: a Salesforce error is crmsync's Error (common/result.h), returned
// through Result<T> / Status like every expected failure in crmsync, with kind kSalesforce,
// http_status what a single-record route answers, code Salesforce's errorCode (or statusCode),
// message its wording, and `fields` set only for an error of one record's save. The routes turn
// it into Salesforce's error body in one place (send_error in routes/routes.h); sObject
// Collections write it as a per-record error.
//
//   if (!f.createable) return record_error(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "...", {f.name});
//   if (!body.is_object()) return request_error(400, "JSON_PARSER_ERROR", "...");
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace crmsync::emulator {

// An error about the request itself (its body, a field name, a resource): the body Salesforce
// answers has no "fields" member.
inline Error request_error(int http_status, std::string code, std::string message) {
  return Error(ErrorKind::kSalesforce, std::move(code), std::move(message), http_status);
}

// An error of one record's save (a DML error): the body lists the fields it names, possibly none.
inline Error record_error(int http_status, std::string code, std::string message,
                          std::vector<std::string> fields = {}) {
  Error e(ErrorKind::kSalesforce, std::move(code), std::move(message), http_status);
  e.fields = std::move(fields);
  return e;
}

// Salesforce's 404 NOT_FOUND "The requested resource does not exist": a record, an object or a
// resource that does not exist for the user.
inline Error not_found() { return request_error(404, "NOT_FOUND", "The requested resource does not exist"); }

}  // namespace crmsync::emulator
