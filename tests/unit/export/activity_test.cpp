// JSON Lines input: a valid line, every reason a line is refused, and reading past bad lines.
#include <gtest/gtest.h>

#include <sstream>

#include "export/activity.h"

namespace crmsync::exports {
namespace {

const std::string kGood =
    R"({"id":"a1","kind":"call","title":"Intro","start":"2024-05-02T15:30:00+02:00","end":"2024-05-02T16:00:00+02:00",)"
    R"("duration_seconds":1700,"host_email":"rep@corp.test","participants":[{"name":"Bob","email":"bob@acme.test",)"
    R"("phone":"+1","internal":false}],"disposition":"Connected","summary":"Went well","recording_url":"https://r/1",)"
    R"("status":"completed","extra_key":{"ignored":true}})";

std::string reason_of(const std::string& line) {
  auto a = parse_activity(line, 1);
  return a ? "" : a.error().message;
}

// kGood with one key's value replaced (or removed when value is empty).
std::string with(const std::string& key, const std::string& value) {
  std::string s = kGood;
  auto p = s.find("\"" + key + "\":");
  EXPECT_NE(p, std::string::npos) << key;
  auto v = p + key.size() + 3;
  int depth = 0;
  auto e = v;
  for (; e < s.size(); ++e) {
    char c = s[e];
    if (c == '"') e = s.find('"', e + 1);
    else if (c == '[' || c == '{') ++depth;
    else if (c == ']' || c == '}') { if (depth == 0) break; --depth; }
    else if (c == ',' && depth == 0) break;
  }
  if (value.empty()) {
    return s.substr(0, p) + s.substr(e + (s[e] == ',' ? 1 : 0));
  }
  return s.substr(0, v) + value + s.substr(e);
}

TEST(ActivityTest, ParsesEveryKeyOfTheSchemaAndIgnoresUnknownOnes) {
  auto a = parse_activity(kGood, 7);
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->id, "a1");
  EXPECT_EQ(a->kind, ActivityKind::kCall);
  EXPECT_EQ(a->title, "Intro");
  EXPECT_EQ(format_datetime_iso(a->start), "2024-05-02T13:30:00.000Z");
  EXPECT_EQ(format_datetime_iso(a->end), "2024-05-02T14:00:00.000Z");
  EXPECT_EQ(a->duration_seconds, 1700);
  EXPECT_EQ(a->host_email, "rep@corp.test");
  ASSERT_EQ(a->participants.size(), 1u);
  EXPECT_EQ(a->participants[0].email, "bob@acme.test");
  EXPECT_FALSE(a->participants[0].internal);
  EXPECT_EQ(a->disposition, "Connected");
  EXPECT_EQ(a->summary, "Went well");
  EXPECT_EQ(a->recording_url, "https://r/1");
  EXPECT_EQ(a->status, ActivityStatus::kCompleted);
  EXPECT_EQ(a->line, 7);
  EXPECT_EQ(a->start_offset_minutes, 120);
}

TEST(ActivityTest, LocalStartDateFollowsTheGivenOffset) {
  auto late = parse_activity(
      R"({"id":"a9","kind":"call","start":"2024-05-02T23:30:00-07:00","duration_seconds":60,"status":"completed"})", 1);
  ASSERT_TRUE(late) << late.error().to_string();
  EXPECT_EQ(late->start_offset_minutes, -420);
  EXPECT_EQ(format_date(days_of(late->start)), "2024-05-03");
  EXPECT_EQ(format_date(local_start_date(*late)), "2024-05-02");
  auto utc = parse_activity(with("start", "\"2024-05-02T01:00:00Z\""), 1);
  ASSERT_TRUE(utc) << utc.error().to_string();
  EXPECT_EQ(format_date(local_start_date(*utc)), "2024-05-02");
  auto compact = parse_activity(with("start", "\"2024-05-02T01:00:00+0530\""), 1);
  ASSERT_TRUE(compact) << compact.error().to_string();
  EXPECT_EQ(compact->start_offset_minutes, 330);
}

TEST(ActivityTest, DurationAndEndFillEachOther) {
  auto no_duration = parse_activity(with("duration_seconds", ""), 1);
  ASSERT_TRUE(no_duration) << no_duration.error().to_string();
  EXPECT_EQ(no_duration->duration_seconds, 1800);
  auto no_end = parse_activity(with("end", ""), 1);
  ASSERT_TRUE(no_end) << no_end.error().to_string();
  EXPECT_EQ(no_end->end - no_end->start, 1700 * 1000);
}

TEST(ActivityTest, EachInvalidLineHasItsReason) {
  EXPECT_EQ(reason_of("{not json"), "the line is not valid JSON");
  EXPECT_EQ(reason_of("[1,2]"), "the line must be a JSON object, not array");
  EXPECT_EQ(reason_of(with("id", "")), "id is missing");
  EXPECT_EQ(reason_of(with("id", "\"\"")), "id must be a non-empty string (got \"\")");
  EXPECT_EQ(reason_of(with("id", "12")), "id must be a non-empty string (got 12)");
  EXPECT_EQ(reason_of(with("kind", "\"sms\"")), "kind must be one of call, meeting, invite (got \"sms\")");
  EXPECT_EQ(reason_of(with("kind", "")), "kind is missing; use one of call, meeting, invite");
  EXPECT_EQ(reason_of(with("status", "\"done\"")),
            "status must be one of scheduled, completed, cancelled, deleted (got \"done\")");
  EXPECT_EQ(reason_of(with("start", "")), "start is missing");
  EXPECT_NE(reason_of(with("start", "\"2024-05-02 15:30\"")).find("start must be an ISO-8601 date-time with an offset"),
            std::string::npos);
  EXPECT_NE(reason_of(with("start", "\"2024-05-02T15:30:00\"")).find("with an offset"), std::string::npos);
  EXPECT_EQ(reason_of(with("end", "\"2024-05-02T15:00:00+02:00\"")), "end is before start");
  EXPECT_EQ(reason_of(with("duration_seconds", "-5")),
            "duration_seconds must be a whole number of seconds, 0 or more (got -5)");
  EXPECT_EQ(reason_of(with("duration_seconds", "\"60\"")),
            "duration_seconds must be a whole number of seconds, 0 or more (got \"60\")");
  EXPECT_EQ(reason_of(with("title", "42")), "title must be a string (got 42)");
  EXPECT_EQ(reason_of(with("participants", "{}")),
            "participants must be an array of {name, email, phone, internal} (got {})");
  EXPECT_EQ(reason_of(with("participants", "[1]")), "participants[0] must be an object (got 1)");
  EXPECT_EQ(reason_of(with("participants", R"([{"email":7}])")), "participants[0].email must be a string (got 7)");
  EXPECT_EQ(reason_of(with("participants", R"([{"internal":"yes"}])")),
            "participants[0].internal must be true or false (got \"yes\")");
}

// Found with fuzz/activity_line.cpp: start + duration_seconds overflowed (undefined behaviour),
// and a long value repeated in a reason was cut inside a character, so `crmsync export --json`
// aborted writing the report.
TEST(ActivityTest, AnyValueGivesAnActivityOrAReasonThatIsText) {
  std::string endless = with("end", "");
  endless.replace(endless.find("1700"), 4, "9223372036854775807");
  EXPECT_EQ(reason_of(endless), "duration_seconds would end the activity after 9999-12-31 (got 9223372036854775807)");
  auto e_acute = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "\xC3\xA9";
    return s;
  };
  // 70 characters in the value: the reason shows its first 57 (with the JSON's [" ) and "...".
  EXPECT_EQ(reason_of(with("title", "[\"" + e_acute(70) + "\"]")),
            "title must be a string (got [\"" + e_acute(55) + "...)");
}

TEST(ActivityTest, ReaderSkipsBadLinesAndRepeatedIdsAndGoesOn) {
  std::string other = kGood;
  other.replace(other.find("\"a1\""), 4, "\"a2\"");
  std::istringstream in(kGood + "\n\n{oops}\n" + kGood + "\n" + other + "\r\n");
  std::vector<std::string> ids;
  std::vector<InvalidLine> bad;
  read_activities(in, [&](Activity&& a) { ids.push_back(a.id + "@" + std::to_string(a.line)); },
                  [&](const InvalidLine& b) { bad.push_back(b); });
  EXPECT_EQ(ids, (std::vector<std::string>{"a1@1", "a2@5"}));
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].line, 3);
  EXPECT_EQ(bad[0].reason, "the line is not valid JSON");
  EXPECT_EQ(bad[1].line, 4);
  EXPECT_EQ(bad[1].reason, "id \"a1\" already appeared on line 1; each activity must appear once per input");
}

}  // namespace
}  // namespace crmsync::exports
