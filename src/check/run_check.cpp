// The order of the checks, and what stops them.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "check/check_internal.h"
#include "common/text.h"

namespace crmsync::check {

namespace detail {

bool Context::sees_object(std::string_view name) const {
  return std::any_of(visible_objects.begin(), visible_objects.end(),
                     [&](const std::string& o) { return iequals(o, name); });
}

void Context::add(std::string object, std::string field, Severity severity, std::string code, std::string message,
                  std::string fix) {
  findings.push_back(Finding{std::move(object), std::move(field), severity, std::move(code), std::move(message),
                             std::move(fix)});
}

Result<ObjectGrant> Context::grant_for(const std::string& object) {
  if (!access.setup_readable) return ObjectGrant{};
  if (!grants_loaded) {
    auto rows = query_records(client,
                              "SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, "
                              "PermissionsViewAllRecords, PermissionsModifyAllRecords FROM ObjectPermissions "
                              "WHERE ParentId IN " + soql_in_list(access.permission_set_ids));
    if (!rows) {
      if (!is_access_refusal(rows.error())) return rows.error();
      access.setup_readable = false;
      access.setup_error = "ObjectPermissions: " + rows.error().to_string();
      return ObjectGrant{};
    }
    for (const auto& r : *rows) {
      ObjectGrant& g = grants[text(r, "SobjectType")];
      g.known = g.any_row = true;
      g.read = g.read || flag(r, "PermissionsRead");
      g.create = g.create || flag(r, "PermissionsCreate");
      g.edit = g.edit || flag(r, "PermissionsEdit");
      g.view_all = g.view_all || flag(r, "PermissionsViewAllRecords");
      g.modify_all = g.modify_all || flag(r, "PermissionsModifyAllRecords");
    }
    grants_loaded = true;
  }
  for (const auto& [name, g] : grants) {
    if (iequals(name, object)) return g;
  }
  ObjectGrant none;
  none.known = true;
  return none;
}

}  // namespace detail

namespace {

Report api_disabled_report(const config::Config& cfg, const salesforce::Client& client, const Error& e) {
  Report report;
  report.user_id = client.user_id();
  UserAccess who;
  who.username = cfg.salesforce.auth == "password" ? cfg.salesforce.username : "";
  report.username = who.username;
  report.findings.push_back(
      Finding{"", "PermissionsApiEnabled", Severity::kError, "API_DISABLED",
              "The login worked, but Salesforce refuses every API call of " +
                  (who.username.empty() ? std::string("the integration user") : who.username) + " (" + e.code +
                  "), so nothing else could be checked.",
              system_permission_fix(who, "API Enabled") + " (the org's edition must include API access)"});
  return report;
}

}  // namespace

CheckOptions check_options(const config::Config& cfg) {
  CheckOptions options;
  if (!cfg.exports.configured) return options;
  ActivityExport exports;
  exports.as = cfg.exports.as;
  for (const char* kind : {"call", "meeting", "invite"}) {
    const std::string& rt = cfg.exports.kind(kind).record_type;
    if (!rt.empty() && std::find(exports.record_types.begin(), exports.record_types.end(), rt) ==
                           exports.record_types.end()) {
      exports.record_types.push_back(rt);
    }
  }
  options.activity_export = std::move(exports);
  return options;
}

Result<Report> run_check(salesforce::Client& client, const config::Config& cfg, const CheckOptions& options) {
  auto access = load_user_access(client);
  if (!access) {
    if (detail::is_api_disabled(access.error())) return api_disabled_report(cfg, client, access.error());
    return access.error();
  }
  detail::Context ctx{client, cfg, options, std::move(*access), {}, {}, {}, false};

  auto global = client.describe_global();
  if (!global) {
    if (detail::is_api_disabled(global.error())) return api_disabled_report(cfg, client, global.error());
    return global.error();
  }
  if (global->contains("sobjects") && (*global)["sobjects"].is_array()) {
    for (const auto& o : (*global)["sobjects"]) ctx.visible_objects.push_back(detail::text(o, "name"));
  }

  CRMSYNC_TRY(detail::check_user(ctx));
  CRMSYNC_TRY(detail::check_objects(ctx));
  CRMSYNC_TRY(detail::check_activity_export(ctx));
  CRMSYNC_TRY(detail::check_engage(ctx));
  CRMSYNC_TRY(detail::check_currency(ctx));
  CRMSYNC_TRY(detail::check_budget(ctx));

  Report report;
  report.username = ctx.access.username;
  report.user_id = ctx.access.user_id;
  report.findings = std::move(ctx.findings);
  return report;
}

}  // namespace crmsync::check
