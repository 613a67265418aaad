// Task/Event field values, the marker line, the content hash and the describe check.
#include <gtest/gtest.h>

#include "common/text.h"
#include "export/record.h"

namespace crmsync::exports {
namespace {

using nlohmann::json;

Activity call() {
  Activity a;
  a.id = "a1";
  a.kind = ActivityKind::kCall;
  a.title = "Intro";
  a.start = *parse_datetime("2024-05-02T13:30:00Z");
  a.duration_seconds = 125;
  a.end = a.start + 125000;
  a.disposition = "Connected";
  a.summary = "Fine";
  a.recording_url = "https://rec/1";
  return a;
}

Match linked() {
  Match m;
  m.owner = {"005U1", "User", ""};
  m.who = {"003C1", "Contact", ""};
  m.what = {"006O1", "Opportunity", ""};
  return m;
}

TEST(RecordTest, TaskForACall) {
  config::ExportConfig c;
  json r = build_record(call(), linked(), c, "");
  EXPECT_EQ(r["Subject"], "Call: Intro");
  EXPECT_EQ(r["Description"], "Fine\n\nRecording: https://rec/1\nDuration: 2m 05s\n\ncrmsync activity: a1");
  EXPECT_EQ(r["Status"], "Completed");
  EXPECT_EQ(r["Type"], "Call");
  EXPECT_EQ(r["TaskSubtype"], "Call");
  EXPECT_EQ(r["ActivityDate"], "2024-05-02");
  EXPECT_EQ(r["CallDurationInSeconds"], 125);
  EXPECT_EQ(r["CallDisposition"], "Connected");
  EXPECT_EQ(r["OwnerId"], "005U1");
  EXPECT_EQ(r["WhoId"], "003C1");
  EXPECT_EQ(r["WhatId"], "006O1");
  EXPECT_FALSE(r.contains("RecordTypeId"));
  EXPECT_EQ(marker_in(r["Description"].get<std::string>()), "a1");
}

// An activity without a title reads as its kind, not as a template's leftovers ("Call: ") nor the
// lower-case kind: the default templates, a cancelled one, and a template that is only {title}.
TEST(RecordTest, AMissingTitleGivesTheKindAsSubject) {
  config::ExportConfig c;
  Activity a = call();
  a.title.clear();
  EXPECT_EQ(build_record(a, linked(), c, "")["Subject"], "Call");
  a.kind = ActivityKind::kMeeting;
  EXPECT_EQ(build_record(a, linked(), c, "")["Subject"], "Meeting");
  a.kind = ActivityKind::kInvite;
  a.status = ActivityStatus::kCancelled;
  EXPECT_EQ(build_record(a, linked(), c, "")["Subject"], "Cancelled: Invite");
  c.call.subject = "{title}";
  a.kind = ActivityKind::kCall;
  a.status = ActivityStatus::kCompleted;
  EXPECT_EQ(build_record(a, linked(), c, "")["Subject"], "Call");
  a.title = "Intro";
  EXPECT_EQ(build_record(a, linked(), c, "")["Subject"], "Intro");
}

// Task/Event Description takes 32,000 characters: a longer summary is cut before the marker line,
// which a rerun after a crash needs to find the record, and the cut is said (not silent).
TEST(RecordTest, ALongSummaryIsCutBeforeTheMarkerWhichAlwaysStays) {
  config::ExportConfig c;
  Activity a = call();
  a.id = std::string(255, 'k');  // the longest id an input line may have
  for (const char* unit : {"x", "\u00e9", "\U0001F600"}) {
    std::string summary;
    for (int i = 0; i < 40000; ++i) summary += unit;
    a.summary = summary;
    std::string note;
    json r = build_record(a, linked(), c, "", &note);
    const std::string description = r["Description"].get<std::string>();
    EXPECT_EQ(utf8_length(description), 32000u) << "unit " << unit;
    EXPECT_EQ(marker_in(description), a.id) << "unit " << unit;
    EXPECT_TRUE(description.ends_with("\n\ncrmsync activity: " + a.id));
    EXPECT_NE(description.find("\u2026\n\ncrmsync activity: "), std::string::npos) << "the cut is visible in Salesforce";
    EXPECT_NE(note.find("32,000"), std::string::npos) << note;
    EXPECT_NE(note.find("marker"), std::string::npos) << note;
  }

  // With an external-id field there is no marker: the text takes the whole 32,000, still said.
  c.external_id_field = "Crmsync_Activity_Id__c";
  std::string note;
  json r = build_record(a, linked(), c, "", &note);
  EXPECT_EQ(utf8_length(r["Description"].get<std::string>()), 32000u);
  EXPECT_FALSE(note.empty());

  // A summary that fits: whole, and nothing to say.
  std::string quiet;
  a.summary = std::string(31000, 'x');
  c.external_id_field.clear();
  json fits = build_record(a, linked(), c, "", &quiet);
  EXPECT_TRUE(quiet.empty()) << quiet;
  EXPECT_NE(fits["Description"].get<std::string>().find(a.summary), std::string::npos);
}

TEST(RecordTest, EventForAMeetingWithMappedFieldsAndExternalId) {
  config::ExportConfig c;
  c.as = "event";
  c.external_id_field = "Crmsync_Activity_Id__c";
  c.fields = {{"recording_url", "Recording_URL__c"}, {"duration_seconds", "Talk__c"}};
  Activity a = call();
  a.kind = ActivityKind::kMeeting;
  json r = build_record(a, linked(), c, "012000000000001AAA");
  EXPECT_EQ(r["Subject"], "Meeting: Intro");
  EXPECT_EQ(r["StartDateTime"], "2024-05-02T13:30:00.000Z");
  EXPECT_EQ(r["DurationInMinutes"], 3);
  EXPECT_EQ(r["EndDateTime"], "2024-05-02T13:33:00.000Z");
  EXPECT_EQ(r["EventSubtype"], "Event");
  EXPECT_EQ(r["RecordTypeId"], "012000000000001AAA");
  EXPECT_EQ(r["Recording_URL__c"], "https://rec/1");
  EXPECT_EQ(r["Talk__c"], 125);
  EXPECT_EQ(r["Crmsync_Activity_Id__c"], "a1");
  EXPECT_FALSE(r.contains("Status"));
  EXPECT_EQ(marker_in(r["Description"].get<std::string>()), "");  // the external id does the marker's job
  EXPECT_FALSE(update_fields(r, "Event").contains("EventSubtype"));
}

TEST(RecordTest, InvitesAreInProgressAndLostLinksAreClearedOnUpdate) {
  config::ExportConfig c;
  Activity a = call();
  a.kind = ActivityKind::kInvite;
  json r = build_record(a, Match{}, c, "");
  EXPECT_EQ(r["Status"], "In Progress");
  EXPECT_TRUE(r["WhoId"].is_null());
  EXPECT_FALSE(create_fields(r).contains("WhoId"));
  EXPECT_TRUE(update_fields(r, "Task").contains("WhoId"));
  EXPECT_FALSE(update_fields(r, "Task").contains("TaskSubtype"));
}

TEST(RecordTest, HashFollowsContent) {
  config::ExportConfig c;
  std::string h = content_hash(build_record(call(), linked(), c, ""));
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h, content_hash(build_record(call(), linked(), c, "")));
  // Rescheduled to another day: ActivityDate changes. (Within the same day a Task has nothing that
  // changes, so it stays unchanged; an Event's StartDateTime would.)
  Activity later = call();
  later.start += 2 * 86400 * 1000;
  EXPECT_NE(h, content_hash(build_record(later, linked(), c, "")));
  Activity summary_added = call();
  summary_added.summary = "Fine, and a pilot";
  EXPECT_NE(h, content_hash(build_record(summary_added, linked(), c, "")));
  Match other = linked();
  other.what.id = "006O2";
  EXPECT_NE(h, content_hash(build_record(call(), other, c, "")));
}

json describe_of(std::vector<json> extra) {
  json d = {{"name", "Task"}, {"createable", true}, {"updateable", true}, {"fields", json::array()},
            {"recordTypeInfos", json::array({{{"developerName", "Sales_Call"}, {"recordTypeId", "012000000000002AAA"},
                                              {"available", true}}})}};
  for (const char* f : {"Subject", "Description", "OwnerId", "WhoId", "WhatId", "Type", "ActivityDate", "Status",
                        "CallDurationInSeconds", "CallDisposition", "TaskSubtype"}) {
    d["fields"].push_back({{"name", f}, {"createable", true}, {"updateable", true}});
  }
  for (auto& e : extra) d["fields"].push_back(e);
  return d;
}

TEST(RecordTest, DescribeCheckAcceptsAndResolvesRecordTypes) {
  config::ExportConfig c;
  c.call.record_type = "Sales_Call";
  c.fields = {{"recording_url", "Recording_URL__c"}};
  auto r = check_describe(describe_of({{{"name", "Recording_URL__c"}, {"createable", true}, {"updateable", true}}}), c);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0], "012000000000002AAA");
  EXPECT_EQ((*r)[1], "");
}

TEST(RecordTest, RecordTypesByNameOrIdAndOnlyThoseTheProfileMayUse) {
  json d = describe_of({});
  d["recordTypeInfos"] = json::array(
      {{{"developerName", "Sales_Call"}, {"name", "Sales Call"}, {"recordTypeId", "012000000000002AAA"}, {"available", true}, {"active", true}},
       {{"developerName", "Support_Task"}, {"name", "Support Task"}, {"recordTypeId", "012000000000003AAA"}, {"available", false}, {"active", true}},
       {{"developerName", "Old_Task"}, {"name", "Old Task"}, {"recordTypeId", "012000000000004AAA"}, {"available", true}, {"active", false}}});
  config::ExportConfig c;
  c.call.record_type = "Sales Call";              // its Name
  c.meeting.record_type = "012000000000002";      // its 15-character Id
  c.invite.record_type = "sales_call";            // its DeveloperName, any case
  auto r = check_describe(d, c);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0], "012000000000002AAA");
  EXPECT_EQ((*r)[1], "012000000000002AAA");
  EXPECT_EQ((*r)[2], "012000000000002AAA");

  config::ExportConfig refused;
  refused.meeting.record_type = "012000000000003AAA";
  auto not_available = check_describe(d, refused);
  ASSERT_FALSE(not_available);
  EXPECT_EQ(not_available.error().code, "RECORD_TYPE_NOT_AVAILABLE");
  EXPECT_EQ(not_available.error().message,
            "[export.meeting] record_type = \"012000000000003AAA\" names the Task record type Support_Task "
            "(012000000000003AAA), which the integration user's profile may not use; add Support_Task to the record "
            "types of the integration user's profile (Setup > Profiles > Record Type Settings > Task), or name "
            "another record type.");
  refused.meeting.record_type = "Old_Task";
  auto inactive = check_describe(d, refused);
  ASSERT_FALSE(inactive);
  EXPECT_EQ(inactive.error().code, "RECORD_TYPE_NOT_AVAILABLE");
  EXPECT_NE(inactive.error().message.find("(it is inactive)"), std::string::npos);
  refused.meeting.record_type = "012000000000009AAA";
  auto unknown = check_describe(d, refused);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "NO_SUCH_RECORD_TYPE");
  EXPECT_NE(unknown.error().message.find("[export.meeting] record_type = \"012000000000009AAA\" is not a Task record type"),
            std::string::npos);
}

TEST(RecordTest, WithoutEditTasksOnlyTheFieldsExistenceIsChecked) {
  json d = describe_of({});
  d["createable"] = d["updateable"] = false;
  for (auto& f : d["fields"]) f["createable"] = f["updateable"] = false;
  config::ExportConfig c;
  EXPECT_EQ(check_describe(d, c).error().code, "OBJECT_NOT_WRITABLE");
  EXPECT_FALSE(*describe_writable(d));
  EXPECT_TRUE(check_describe(d, c, /*own_records_only=*/true));
  c.fields = {{"recording_url", "Recording_URL__c"}};
  EXPECT_EQ(check_describe(d, c, true).error().code, "NO_SUCH_FIELD");
}

TEST(RecordTest, DescribeCheckRefusesMissingReadOnlyAndNonExternalFields) {
  config::ExportConfig c;
  c.fields = {{"recording_url", "Recording_URL__c"}};
  auto missing = check_describe(describe_of({}), c);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "NO_SUCH_FIELD");
  EXPECT_NE(missing.error().message.find("[export.fields] recording_url names Task.Recording_URL__c"), std::string::npos);

  auto read_only = check_describe(describe_of({{{"name", "Recording_URL__c"}, {"createable", true}, {"updateable", false}}}), c);
  ASSERT_FALSE(read_only);
  EXPECT_EQ(read_only.error().code, "FIELD_NOT_WRITABLE");

  config::ExportConfig ext;
  ext.external_id_field = "Ext__c";
  auto not_external = check_describe(describe_of({{{"name", "Ext__c"}, {"createable", true}, {"updateable", true}}}), ext);
  ASSERT_FALSE(not_external);
  EXPECT_EQ(not_external.error().code, "NOT_AN_EXTERNAL_ID");

  config::ExportConfig rt;
  rt.invite.record_type = "Nope";
  auto no_rt = check_describe(describe_of({}), rt);
  ASSERT_FALSE(no_rt);
  EXPECT_NE(no_rt.error().message.find("[export.invite] record_type = \"Nope\""), std::string::npos);

  json locked = describe_of({});
  locked["createable"] = false;
  EXPECT_EQ(check_describe(locked, config::ExportConfig{}).error().kind, ErrorKind::kPermission);
}

}  // namespace
}  // namespace crmsync::exports
