// The preflight: tells an admin exactly what the integration user lacks before anything breaks.
// It logs in as the configured integration user and, with read-only calls only (describe, SOQL
// queries of the data and setup objects, /limits, /limits/recordCount), checks API access, the
// user's licenses, object and field permissions for every enabled catalog object, record
// visibility, field types, the activity export permissions, the Engage group's permissions, the
// user's currency and the API budget. Each problem is a Finding whose fix names the permission set
// or profile the user actually has, in an admin's words. `crmsync check` prints them; `crmsync
// sync` asks required_field_findings() before it reads an object. docs/check.md is the user's page.
//
//   auto client = salesforce::Client::connect(config::connect_options(cfg));
//   if (!client) return 2;                                   // login: could not run
//   Result<check::Report> r = check::run_check(**client, cfg);
//   if (!r) return 2;                                        // network, session: could not run
//   return check::exit_code(*r);                             // 0 ready, 1 a required item missing
//
// Finding codes (Finding::code, stable UPPER_SNAKE; docs/check.md explains each):
//   LOGIN_OK, API_DISABLED, USER_INACTIVE, USER_ACTIVE, LICENSE_OK, LICENSE_UNSUPPORTED,
//   API_INTEGRATION_PSL_MISSING, SETUP_NOT_READABLE, OBJECT_READABLE, OBJECT_NOT_READABLE,
//   OBJECT_NOT_IN_ORG, VIEW_ALL_RECORDS_MISSING, VIEW_ALL_OK, REQUIRED_FIELD_NOT_READABLE,
//   RECOMMENDED_FIELD_NOT_READABLE, EXTRA_FIELD_NOT_READABLE, FIELD_TYPE_UNSUPPORTED,
//   FIELD_SELECTION_INVALID, FIELDS_OK, OBJECT_PERMISSION_MISSING, SYSTEM_PERMISSION_MISSING,
//   RECORD_TYPE_NOT_AVAILABLE, ACTIVITY_EXPORT_OK, ENGAGE_OK, CURRENCY_MISMATCH, CURRENCY_OK,
//   API_BUDGET, API_BUDGET_LOW, BULK_API_UNAVAILABLE, BULK_API_OK, VIEW_ALL_UNVERIFIED,
//   ACTIVITY_EXPORT_UNVERIFIED, ENGAGE_UNVERIFIED, CURRENCY_UNVERIFIED.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "catalog/catalog.h"
#include "common/result.h"
#include "config/config.h"
#include "salesforce/client.h"

namespace crmsync::check {

enum class Severity {
  kError,    // a required item is missing: the integration (or that object) cannot run
  kWarning,  // something degrades (a Recommended field skipped, records hidden by sharing)
  kInfo,     // what is fine, and facts worth knowing (counts, budget)
};
const char* to_string(Severity severity);  // "error", "warning", "info"

struct Finding {
  std::string object;  // catalog object, or "" for the user / org as a whole
  std::string field;   // field API name, or a permission's name, or ""
  Severity severity = Severity::kInfo;
  std::string code;     // stable UPPER_SNAKE code (see above)
  std::string message;  // what is the case, one sentence or two
  std::string fix;      // what an admin does about it; "" when nothing is to be done
};

// The activity export this org is checked for (the [export] table): the object the export writes
// (`"task"` or `"event"`) and the record types it uses (DeveloperName, Name or Id).
struct ActivityExport {
  std::string as = "task";
  std::vector<std::string> record_types;
};

struct CheckOptions {
  // Set when the configuration exports activities: missing permissions are then errors. Unset,
  // the same checks run and report at info severity ("only if you use crmsync export").
  std::optional<ActivityExport> activity_export;
  // Daily API requests remaining below this fraction of the maximum is a warning.
  double low_budget_fraction = 0.1;
};

struct Report {
  std::string username;
  std::string user_id;
  std::vector<Finding> findings;  // in check order: user, objects (catalog order), activity, groups, budget
  bool ok() const;                // no error finding
};

// 0 when no finding is an error (ready), 1 otherwise. Could-not-run (2) is an Error, not a Report.
int exit_code(const Report& report);

// The --json document (docs/check.md "JSON schema"): {"user", "user_id", "ready", "exit_code",
// "summary": {"errors", "warnings", "info"}, "findings": [{"object", "field", "severity", "code",
// "message", "fix"}]}; empty object, field and fix are null.
nlohmann::json report_json(const Report& report);
// The --json document when the check could not run (exit 2): "ready": false, "exit_code": 2,
// "error": {"kind", "code", "message"}, "findings": [].
nlohmann::json could_not_run_json(const Error& error);
// The human table: findings grouped by object (the user and org first), each line "fine", "note"
// (info with a fix), "MISSING" (error) or "warning", each followed by its fix; a verdict line.
void print_report(const Report& report, std::ostream& out);

// The options the configuration implies: activity_export is set when it exports activities
// (config.exports.configured), with [export] as and the record types of [export.call],
// [export.meeting] and [export.invite].
CheckOptions check_options(const config::Config& cfg);

// Runs every check. Errors (could not run): kNetwork, kAuth (session lost midway), kInternal.
// API access refused (API_DISABLED_FOR_ORG / API_CURRENTLY_DISABLED) is not an Error: it is the
// API_DISABLED finding, and the report stops there.
Result<Report> run_check(salesforce::Client& client, const config::Config& cfg, const CheckOptions& options = {});

// Who the integration user is and what it has, as far as the setup objects tell (read once).
struct UserAccess {
  std::string user_id;
  std::string username;
  bool active = true;
  std::string profile_name;                // "" when the setup objects are unreadable
  std::string license_name;                // UserLicense.Name, e.g. "Salesforce Integration"
  std::string license_key;                 // UserLicense.LicenseDefinitionKey, e.g. "SFDC_INTEGRATION"
  std::vector<std::string> permission_sets;        // labels of the assigned sets not owned by a profile
  std::vector<std::string> permission_set_ids;     // every assigned set, the profile's own included
  std::vector<std::string> permission_set_licenses;  // DeveloperNames of assigned PSLs
  std::vector<std::string> system_permissions;      // granted Permissions<Name> names: "ApiEnabled", ...
  bool setup_readable = false;             // false: the user may not read PermissionSet & co.
  std::string setup_error;                 // why, when not readable
  bool has(std::string_view permission) const;
};

// Reads the user, its profile, license, permission sets and permission set licenses.
// Setup objects the user may not read leave setup_readable false (not an Error).
Result<UserAccess> load_user_access(salesforce::Client& client);

// Where an admin grants something: "in permission set X, or in the profile Y" (or the generic
// words when the setup objects are unreadable). Used by every fix.
std::string grant_place(const UserAccess& access);
// "grant Read on Opportunity.Amount in permission set X, or in the profile Y".
std::string field_read_fix(const UserAccess& access, std::string_view object, std::string_view field);
// "grant Read on Opportunity in permission set X, or in the profile Y".
std::string object_permission_fix(const UserAccess& access, std::string_view permission, std::string_view object);
// "turn on Edit Tasks in permission set X, or in the profile Y".
std::string system_permission_fix(const UserAccess& access, std::string_view permission_label);

// Whether an object's records are shared by owner, role hierarchy and sharing rules (Account,
// Contact, Lead, Opportunity, Task, Event, Campaign): the objects where the integration user may
// not see every record.
bool shares_records(std::string_view object);

// Whether the integration user sees every record of `objects`, decided as `crmsync check` decides it
// (View All Records or View All Data, else the records it sees against the org's total; activities
// by their counts): per object that shares_records(), VIEW_ALL_OK (info), or VIEW_ALL_RECORDS_MISSING
// / VIEW_ALL_UNVERIFIED with the fix naming the permission and where to grant it. `crmsync sync`
// reports the latter as warnings. Read-only calls: ObjectPermissions once, and a COUNT() query and
// /limits/recordCount per object without View All. Errors: the calls' (network, session).
Result<std::vector<Finding>> record_visibility(salesforce::Client& client, const UserAccess& access,
                                               const std::vector<std::string>& objects);

// The Required-field rule the sync applies before reading an object: one REQUIRED_FIELD_NOT_READABLE
// error finding per Required field missing from the user's describe of the object, with the same
// message and fix `crmsync check` prints. Empty: the object may be synced. Pure (no I/O).
std::vector<Finding> required_field_findings(const UserAccess& access, const nlohmann::json& describe,
                                             const catalog::AdminSelection& selection);

}  // namespace crmsync::check
