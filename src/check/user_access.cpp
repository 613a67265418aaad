// Who the integration user is and what its profile, permission sets and licenses grant, read from
// the setup objects Salesforce exposes (User, Profile, UserLicense, PermissionSetAssignment,
// PermissionSet, PermissionSetLicenseAssign, PermissionSetLicense).
#include <nlohmann/json.hpp>

#include "check/check_internal.h"

namespace crmsync::check {

namespace {

using detail::flag;
using detail::query_records;
using detail::soql_in_list;
using detail::soql_literal;
using detail::text;

// The user permissions check reads, as Salesforce names the PermissionSet booleans (without the
// "Permissions" prefix). Only those the org's PermissionSet describe has are queried.
constexpr const char* kSystemPermissions[] = {"ApiEnabled",       "ApiUserOnly", "ViewAllData", "ModifyAllData",
                                              "ViewAllUsers",     "ViewSetup",   "ActivitiesAccess",
                                              "EditTask",         "EditEvent"};

// Marks the setup objects unreadable (with the reason) unless the error is one that must stop the run.
Status setup_refused(UserAccess& access, const Error& e, std::string_view what) {
  if (!detail::is_access_refusal(e)) return e;
  access.setup_readable = false;
  access.setup_error = std::string(what) + ": " + e.to_string();
  return ok_status();
}

Status load_permission_sets(salesforce::Client& client, UserAccess& access) {
  auto assigned = query_records(client, "SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = " +
                                            soql_literal(access.user_id));
  if (!assigned) return setup_refused(access, assigned.error(), "PermissionSetAssignment");
  for (const auto& r : *assigned) access.permission_set_ids.push_back(text(r, "PermissionSetId"));

  auto describe = client.describe("PermissionSet");
  if (!describe) return setup_refused(access, describe.error(), "PermissionSet");
  std::vector<std::string> perms;
  if (describe->contains("fields") && (*describe)["fields"].is_array()) {
    for (const char* p : kSystemPermissions) {
      for (const auto& f : (*describe)["fields"]) {
        if (text(f, "name") == std::string("Permissions") + p) perms.push_back(p);
      }
    }
  }
  std::string soql = "SELECT Id, Name, Label, IsOwnedByProfile";
  for (const auto& p : perms) soql += ", Permissions" + p;
  soql += " FROM PermissionSet WHERE Id IN " + soql_in_list(access.permission_set_ids);
  auto sets = query_records(client, soql);
  if (!sets) return setup_refused(access, sets.error(), "PermissionSet");
  for (const auto& s : *sets) {
    if (!flag(s, "IsOwnedByProfile")) {
      std::string label = text(s, "Label");
      access.permission_sets.push_back(label.empty() ? text(s, "Name") : label);
    }
    for (const auto& p : perms) {
      if (flag(s, ("Permissions" + p).c_str()) && !access.has(p)) access.system_permissions.push_back(p);
    }
  }
  access.setup_readable = true;
  return ok_status();
}

Status load_permission_set_licenses(salesforce::Client& client, UserAccess& access) {
  auto assigned = query_records(
      client, "SELECT PermissionSetLicenseId FROM PermissionSetLicenseAssign WHERE AssigneeId = " +
                  soql_literal(access.user_id));
  if (!assigned) return setup_refused(access, assigned.error(), "PermissionSetLicenseAssign");
  std::vector<std::string> ids;
  for (const auto& r : *assigned) ids.push_back(text(r, "PermissionSetLicenseId"));
  if (ids.empty()) return ok_status();
  auto licenses = query_records(client, "SELECT DeveloperName, MasterLabel FROM PermissionSetLicense WHERE Id IN " +
                                            soql_in_list(ids));
  if (!licenses) return setup_refused(access, licenses.error(), "PermissionSetLicense");
  for (const auto& l : *licenses) {
    access.permission_set_licenses.push_back(text(l, "DeveloperName"));
    access.permission_set_licenses.push_back(text(l, "MasterLabel"));
  }
  return ok_status();
}

}  // namespace

Result<UserAccess> load_user_access(salesforce::Client& client) {
  UserAccess access;
  access.user_id = client.user_id();
  // The user's own record: every user may read it, so an error here stops the check.
  auto users = query_records(client, "SELECT Id, Username, IsActive, ProfileId FROM User WHERE Id = " +
                                         soql_literal(access.user_id));
  if (!users) return users.error();
  std::string profile_id;
  if (!users->empty()) {
    access.username = text(users->front(), "Username");
    access.active = flag(users->front(), "IsActive");
    profile_id = text(users->front(), "ProfileId");
  }
  auto profiles = query_records(client, "SELECT Id, Name, UserLicenseId FROM Profile WHERE Id = " +
                                            soql_literal(profile_id));
  if (!profiles) {
    CRMSYNC_TRY(setup_refused(access, profiles.error(), "Profile"));
    return access;
  }
  std::string license_id;
  if (!profiles->empty()) {
    access.profile_name = text(profiles->front(), "Name");
    license_id = text(profiles->front(), "UserLicenseId");
  }
  auto licenses = query_records(client, "SELECT Name, LicenseDefinitionKey FROM UserLicense WHERE Id = " +
                                            soql_literal(license_id));
  if (licenses && !licenses->empty()) {
    access.license_name = text(licenses->front(), "Name");
    access.license_key = text(licenses->front(), "LicenseDefinitionKey");
  } else if (!licenses) {
    CRMSYNC_TRY(setup_refused(access, licenses.error(), "UserLicense"));
  }
  CRMSYNC_TRY(load_permission_sets(client, access));
  if (access.setup_readable) CRMSYNC_TRY(load_permission_set_licenses(client, access));
  return access;
}

}  // namespace crmsync::check
