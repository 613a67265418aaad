// What an activity becomes in Salesforce: the Task or Event field values (templates, per-kind
// settings, links from matching, mapped custom fields, the idempotency marker), their content hash,
// and the describe check that refuses a configuration the org cannot take before anything is written.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "export/activity.h"
#include "export/matching.h"

namespace crmsync::exports {

// "Task" or "Event" for [export] as.
std::string sobject_for(const config::ExportConfig& config);

// The line that marks a record as written for an activity when there is no external-id field; it
// ends the Description, and a rerun after a crash finds the record by it (docs/export.md).
std::string marker_line(std::string_view activity_id);
// The activity id a Description's marker line names; empty when it has none.
std::string marker_in(std::string_view description);

// Field values for a create. Links that did not match are null; `record_type_id` is set when the
// kind has a record type. Create-only fields (TaskSubtype, EventSubtype) are included. A
// Description longer than Salesforce's 32,000 characters is cut before the marker line, which
// always stays; `note` (when given) is then set to a sentence saying so, for the export report.
nlohmann::json build_record(const Activity& activity, const Match& match, const config::ExportConfig& config,
                            const std::string& record_type_id, std::string* note = nullptr);

// The fields of an update: create-only fields removed (nulls kept, so lost links are cleared).
nlohmann::json update_fields(const nlohmann::json& record, std::string_view sobject);
// A create's fields: nulls dropped.
nlohmann::json create_fields(const nlohmann::json& record);

// A stable hash of the record's field values (hex), for "unchanged since the last write".
std::string content_hash(const nlohmann::json& record);

// Whether the describe says the integration user may create and edit records of the object (an
// error when "createable" or "updateable" is not a boolean).
Result<bool> describe_writable(const nlohmann::json& describe);

// Checks the object's describe (as the integration user sees it): the object is createable, every
// field crmsync writes and every [export.fields] field exists and is createable and updateable,
// the external-id field is an External ID; record types named by DeveloperName exist. Returns the
// record type Id per kind ("" when none) in the order call, meeting, invite. kConfig / kPermission
// errors name the field and the fix. With `own_records_only` (the user lacks Edit Tasks / Edit
// Events, so describe shows nothing createable, yet Salesforce takes the records assigned to the
// user itself) the object's and fields' createable/updateable flags are not checked, only that the
// fields exist. A describe member of the wrong type is a kSalesforce MALFORMED_RESPONSE error naming it.
Result<std::array<std::string, 3>> check_describe(const nlohmann::json& describe, const config::ExportConfig& config,
                                                  bool own_records_only = false);

}  // namespace crmsync::exports
