// [export] tables of crmsync.toml: defaults, values, environment overrides, each validation error.
#include <gtest/gtest.h>

#include <map>

#include "config/config.h"

namespace crmsync::config {
namespace {

EnvLookup vars(std::map<std::string, std::string> v) {
  return [v = std::move(v)](const std::string& name) -> std::optional<std::string> {
    auto it = v.find(name);
    if (it == v.end()) return std::nullopt;
    return it->second;
  };
}

const std::string kBase = R"([salesforce]
login_url = "http://127.0.0.1:8787"
client_id = "cid"
client_secret = "cs"
username = "u"
password = "p"
)";

Result<Config> parse(const std::string& extra, std::map<std::string, std::string> env = {}) {
  return parse_config(kBase + extra, "crmsync.toml", vars(std::move(env)));
}

std::string error_of(const std::string& extra, std::map<std::string, std::string> env = {}) {
  auto c = parse(extra, std::move(env));
  if (c) return "";
  return c.error().message;
}

TEST(ExportConfigTest, DefaultsWhenThereIsNoExportSection) {
  auto c = parse("");
  ASSERT_TRUE(c) << c.error().to_string();
  const ExportConfig& e = c->exports;
  EXPECT_EQ(e.as, "task");
  EXPECT_EQ(e.external_id_field, "");
  EXPECT_TRUE(e.match_opportunity_by_contact_role);
  EXPECT_TRUE(e.match_opportunity_by_owner_participation);
  EXPECT_EQ(e.opportunity_window_days, 14);
  EXPECT_EQ(e.call.type, "Call");
  EXPECT_EQ(e.call.task_subtype, "Call");
  EXPECT_EQ(e.call.status, "Completed");
  EXPECT_EQ(e.meeting.status, "Completed");
  EXPECT_EQ(e.invite.status, "In Progress");
  EXPECT_EQ(e.kind("invite").status, "In Progress");
}

TEST(ExportConfigTest, ConfiguredByAnExportTableOrAnExportVariable) {
  auto none = parse("");
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_FALSE(none->exports.configured);
  auto empty_table = parse("[export]\n");
  ASSERT_TRUE(empty_table) << empty_table.error().to_string();
  EXPECT_TRUE(empty_table->exports.configured);
  auto kind_table = parse("[export.call]\nrecord_type = \"Sales_Task\"\n");
  ASSERT_TRUE(kind_table) << kind_table.error().to_string();
  EXPECT_TRUE(kind_table->exports.configured);
  for (const char* var : {"CRMSYNC_EXPORT_AS", "CRMSYNC_EXPORT_CALL_RECORD_TYPE", "CRMSYNC_EXPORT_FIELDS_RECORDING_URL"}) {
    auto c = parse("", {{var, std::string(var) == "CRMSYNC_EXPORT_AS" ? "event" : "Rec__c"}});
    ASSERT_TRUE(c) << var << ": " << c.error().to_string();
    EXPECT_TRUE(c->exports.configured) << var;
  }
}

TEST(ExportConfigTest, ReadsEveryKeyAndTable) {
  auto c = parse(R"(
[export]
as = "event"
external_id_field = "Crmsync_Activity_Id__c"
match_opportunity_by_contact_role = false
match_opportunity_by_owner_participation = false
opportunity_window_days = 30
[export.call]
type = "Call"
event_subtype = "Event"
record_type = "Sales_Call"
subject = "Call with {participant_names}"
description = "{summary}"
[export.fields]
recording_url = "Recording_URL__c"
duration_seconds = "Talk_Time__c"
)");
  ASSERT_TRUE(c) << c.error().to_string();
  const ExportConfig& e = c->exports;
  EXPECT_EQ(e.as, "event");
  EXPECT_EQ(e.external_id_field, "Crmsync_Activity_Id__c");
  EXPECT_FALSE(e.match_opportunity_by_contact_role);
  EXPECT_FALSE(e.match_opportunity_by_owner_participation);
  EXPECT_EQ(e.opportunity_window_days, 30);
  EXPECT_EQ(e.call.record_type, "Sales_Call");
  EXPECT_EQ(e.call.subject, "Call with {participant_names}");
  EXPECT_EQ(e.meeting.subject, "{status_prefix}Meeting: {title}");  // untouched kinds keep defaults
  EXPECT_EQ(e.fields.at("recording_url"), "Recording_URL__c");
  EXPECT_EQ(e.fields.at("duration_seconds"), "Talk_Time__c");
}

TEST(ExportConfigTest, EnvironmentOverridesTopKindAndFieldKeys) {
  auto c = parse("[export]\nas = \"task\"\n", {{"CRMSYNC_EXPORT_AS", "event"},
                                                {"CRMSYNC_EXPORT_OPPORTUNITY_WINDOW_DAYS", "7"},
                                                {"CRMSYNC_EXPORT_MATCH_OPPORTUNITY_BY_CONTACT_ROLE", "no"},
                                                {"CRMSYNC_EXPORT_INVITE_STATUS", "Not Started"},
                                                {"CRMSYNC_EXPORT_FIELDS_RECORDING_URL", "Rec__c"}});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->exports.as, "event");
  EXPECT_EQ(c->exports.opportunity_window_days, 7);
  EXPECT_FALSE(c->exports.match_opportunity_by_contact_role);
  EXPECT_EQ(c->exports.invite.status, "Not Started");
  EXPECT_EQ(c->exports.fields.at("recording_url"), "Rec__c");
  EXPECT_NE(error_of("", {{"CRMSYNC_EXPORT_OPPORTUNITY_WINDOW_DAYS", "two"}}).find("must be an integer"),
            std::string::npos);
}

TEST(ExportConfigTest, EachInvalidValueIsNamedWithItsFix) {
  EXPECT_NE(error_of("[export]\nas = \"note\"\n").find("[export] as = \"note\" is not supported; use \"task\" or \"event\""),
            std::string::npos);
  EXPECT_NE(error_of("[export]\nopportunity_window_days = 400\n").find("opportunity_window_days = 400 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of("[export]\nopportunity_window_days = \"14\"\n").find("must be an integer"), std::string::npos);
  EXPECT_NE(error_of("[export]\nexternal_id_field = \"ActivityId\"\n").find("is not a custom field API name"),
            std::string::npos);
  EXPECT_NE(error_of("[export]\nsubjct = \"x\"\n").find("unknown key subjct in [export]"), std::string::npos);
  EXPECT_NE(error_of("[export.call]\nsubjct = \"x\"\n").find("unknown key subjct in [export.call]"), std::string::npos);
  EXPECT_NE(error_of("[export.fields]\nrecording = \"R__c\"\n").find("[export.fields] recording is not an activity attribute"),
            std::string::npos);
  EXPECT_NE(error_of("[export.fields]\nrecording_url = \"Recording URL\"\n").find("is not a field API name"),
            std::string::npos);
  EXPECT_NE(error_of("[export]\nexternal_id_field = \"X__c\"\n[export.fields]\nid = \"X__c\"\n").find("external_id_field"),
            std::string::npos);
  EXPECT_NE(error_of("[export.meeting]\nsubject = \"{titel}\"\n").find("[export.meeting] subject uses the unknown placeholder {titel}"),
            std::string::npos);
  EXPECT_NE(error_of("[export.meeting]\ndescription = \"{summary\"\n").find("never closed"), std::string::npos);
  // A record type by its Name (a label) is accepted; describe decides later whether it exists.
  EXPECT_EQ(error_of("[export.call]\nrecord_type = \"Sales Call\"\n"), "");
  const std::string long_name(81, 'x');
  EXPECT_NE(error_of("[export.call]\nrecord_type = \"" + long_name + "\"\n").find("record_type = \"" + long_name + "\" is longer"),
            std::string::npos);
  EXPECT_NE(error_of("[export.invite]\nstatus = \"\"\n").find("[export.invite] status is empty"), std::string::npos);
  // An event export does not need a Task Status.
  EXPECT_EQ(error_of("[export]\nas = \"event\"\n[export.invite]\nstatus = \"\"\n"), "");
  // Literal braces are allowed.
  EXPECT_EQ(error_of("[export.call]\nsubject = \"{{internal}} {title}\"\n"), "");
}

}  // namespace
}  // namespace crmsync::config
