// Internal to src/check: the SOQL helpers and the per-area checks run_check() calls in order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "check/check.h"

namespace crmsync::check::detail {

// Every record of a query (query, not queryAll: deleted rows do not count), following nextRecordsUrl.
Result<std::vector<nlohmann::json>> query_records(salesforce::Client& client, const std::string& soql);
// The totalSize of a SELECT COUNT() query.
Result<std::int64_t> query_count(salesforce::Client& client, const std::string& soql);
// 'value' with SOQL's quote and backslash escapes.
std::string soql_literal(std::string_view value);
// ('a','b',...) for an IN list; "('')" when empty so the query stays valid and matches nothing.
std::string soql_in_list(const std::vector<std::string>& values);

// A string member of a record ("" when absent, null or not a string); a boolean member.
std::string text(const nlohmann::json& record, const char* key);
bool flag(const nlohmann::json& record, const char* key);

// Salesforce refused because the API is off for this user or org.
bool is_api_disabled(const Error& error);
// A setup object the user may not query: INVALID_TYPE, INSUFFICIENT_ACCESS, NOT_FOUND, 403.
bool is_access_refusal(const Error& error);

// What the user's permission sets grant on one object (the union over the sets).
struct ObjectGrant {
  bool known = false;  // the setup objects were readable
  bool any_row = false;  // some ObjectPermissions row of the user's sets names the object
  bool read = false, create = false, edit = false, view_all = false, modify_all = false;
};

// The run's shared state: the client, the config, what was learnt about the user.
struct Context {
  salesforce::Client& client;
  const config::Config& cfg;
  const CheckOptions& options;
  UserAccess access;
  std::vector<std::string> visible_objects;  // describeGlobal names, as the user sees them
  std::vector<Finding> findings;
  std::map<std::string, ObjectGrant> grants;  // by object name; loaded on first use
  bool grants_loaded = false;

  bool sees_object(std::string_view name) const;
  Result<ObjectGrant> grant_for(const std::string& object);
  void add(std::string object, std::string field, Severity severity, std::string code, std::string message,
           std::string fix = "");
};

// Each check area; an Error means the check could not go on (network, session).
Status check_user(Context& ctx);
Status check_objects(Context& ctx);
Status check_activity_export(Context& ctx);
Status check_engage(Context& ctx);
Status check_currency(Context& ctx);
Status check_budget(Context& ctx);

}  // namespace crmsync::check::detail
