// Typed reads of the members of Salesforce's JSON answers, for every module that reads them
// (salesforce, sync, export, check). nlohmann's get<>(), value() and operator[] throw, or assert,
// when a member holds another type than the code expects; an answer from the network is not
// trusted that far. Here a member of the wrong type is an Error (kSalesforce MALFORMED_RESPONSE)
// that names the answer, the member and what it held:
//
//   JsonMembers result(item, "create Task (result 3 of 200)");
//   Result<bool> ok = result.flag("success");           // "yes": "... \"success\" is a string ("yes"), not a boolean."
//   Result<std::string> id = result.text_or("id", "");   // absent or null: ""; 12345: an error
//   Result<const nlohmann::json*> errors = result.array_or_empty("errors");
//
// The lenient readers at the end are for diagnostics that treat a member they cannot read as
// absent (an error body's message, `crmsync check`'s setup records): they never throw either.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace crmsync::salesforce {

class JsonMembers {
 public:
  // `what` completes "Salesforce's answer to <what> was malformed: ..." in errors. A value that is
  // not a JSON object has no members: every required read is then an error saying so.
  JsonMembers(const nlohmann::json& value, std::string what);
  JsonMembers(nlohmann::json&& value, std::string what) = delete;  // it keeps a reference to `value`

  bool is_object() const { return value_.is_object(); }

  // Required members: absent, null or another type is an error.
  Result<std::string> text(std::string_view key) const;
  Result<bool> flag(std::string_view key) const;
  Result<std::int64_t> integer(std::string_view key) const;  // a whole number in int64's range
  Result<const nlohmann::json*> array(std::string_view key) const;
  Result<const nlohmann::json*> object(std::string_view key) const;

  // Optional members: absent or null gives the fallback; another type is still an error.
  Result<std::string> text_or(std::string_view key, std::string_view fallback) const;
  Result<bool> flag_or(std::string_view key, bool fallback) const;
  Result<std::int64_t> integer_or(std::string_view key, std::int64_t fallback) const;
  // An empty array when absent or null.
  Result<const nlohmann::json*> array_or_empty(std::string_view key) const;

  // The error the reads above give, for a caller's own checks ("it has 3 results for 2 records").
  Error malformed(const std::string& detail) const;

 private:
  // The member, nullptr when absent or null.
  const nlohmann::json* find(std::string_view key) const;
  Error wrong_type(std::string_view key, const nlohmann::json& found, const char* expected) const;
  Error missing(std::string_view key, const char* expected) const;

  const nlohmann::json& value_;
  std::string what_;
};

// A short description of a JSON value for errors: a string ("yes"), a number (12345), an object.
std::string describe_json_value(const nlohmann::json& value);

// Lenient reads: the member when it has the type, otherwise (absent, null, another type, or a
// value that is not an object) the fallback.
std::string text_member(const nlohmann::json& value, std::string_view key, std::string_view fallback = {});
bool flag_member(const nlohmann::json& value, std::string_view key, bool fallback = false);

}  // namespace crmsync::salesforce
