// The user as a whole: login, active, API access, licenses, whether the setup objects are readable.
#include <algorithm>

#include "check/check_internal.h"
#include "common/text.h"

namespace crmsync::check::detail {

namespace {

bool contains_i(const std::vector<std::string>& values, std::string_view value) {
  return std::any_of(values.begin(), values.end(), [&](const std::string& v) { return iequals(v, value); });
}

bool is_integration_license(const UserAccess& a) {
  return iequals(a.license_name, "Salesforce Integration") || iequals(a.license_key, "SFDC_INTEGRATION");
}

bool is_salesforce_license(const UserAccess& a) {
  return iequals(a.license_name, "Salesforce") || iequals(a.license_key, "SFDC");
}

}  // namespace

Status check_user(Context& ctx) {
  const UserAccess& a = ctx.access;
  const std::string who = a.username.empty() ? ctx.cfg.salesforce.username : a.username;
  ctx.add("", "", Severity::kInfo, "LOGIN_OK",
          "Logged in as " + who + " with the " + ctx.cfg.salesforce.auth + " flow; the API accepts its calls (API Enabled).");
  if (a.active) {
    ctx.add("", "IsActive", Severity::kInfo, "USER_ACTIVE", who + " is active.");
  } else {
    ctx.add("", "IsActive", Severity::kError, "USER_INACTIVE", who + " is not active.",
            "activate " + who + " in Setup > Users");
  }

  if (!a.setup_readable) {
    ctx.add("", "", Severity::kWarning, "SETUP_NOT_READABLE",
            who + " may not read the setup objects (" + a.setup_error +
                "), so its profile, permission sets, licenses and system permissions cannot be checked; object and "
                "field access are checked through describe and probing queries instead.",
            system_permission_fix(a, "View Setup and Configuration") + " to let the check name them");
    return ok_status();
  }

  if (is_salesforce_license(a)) {
    ctx.add("", "UserLicense", Severity::kInfo, "LICENSE_OK", who + " has the " + a.license_name + " user license.");
  } else if (is_integration_license(a)) {
    if (contains_i(a.permission_set_licenses, "SalesforceAPIIntegrationPsl") ||
        contains_i(a.permission_set_licenses, "Salesforce API Integration")) {
      ctx.add("", "UserLicense", Severity::kInfo, "LICENSE_OK",
              who + " has the Salesforce Integration user license and the Salesforce API Integration permission set "
                    "license.");
    } else {
      ctx.add("", "PermissionSetLicense", Severity::kError, "API_INTEGRATION_PSL_MISSING",
              who + " has the Salesforce Integration user license but not the Salesforce API Integration permission "
                    "set license, without which its permission sets grant no access to standard objects.",
              "assign the permission set license \"Salesforce API Integration\" to " + who +
                  " (Setup > Users > " + who + " > Permission Set License Assignments)");
    }
  } else if (!a.license_name.empty()) {
    ctx.add("", "UserLicense", Severity::kError, "LICENSE_UNSUPPORTED",
            who + " has the " + a.license_name +
                " user license, which does not give access to the sales objects crmsync reads.",
            "give " + who + " a Salesforce or a Salesforce Integration user license (the profile \"" + a.profile_name +
                "\" comes with the current one)");
  }
  return ok_status();
}

}  // namespace crmsync::check::detail
