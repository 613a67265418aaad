// Subject/Description templates: placeholders, dropped empty lines, literal braces.
#include <gtest/gtest.h>

#include "export/template.h"

namespace crmsync::exports {
namespace {

Activity sample() {
  Activity a;
  a.id = "a1";
  a.kind = ActivityKind::kMeeting;
  a.title = "Demo";
  a.start = *parse_datetime("2024-05-02T13:30:00Z");
  a.end = a.start + 3725 * 1000;
  a.duration_seconds = 3725;
  a.participants = {{"Bob", "bob@acme.test", "", false}, {"", "amy@acme.test", "", false}, {"Rep", "", "", true}};
  a.summary = "Agreed on a pilot.";
  a.status = ActivityStatus::kCompleted;
  return a;
}

TEST(TemplateTest, FillsPlaceholders) {
  auto v = template_values(sample());
  EXPECT_EQ(render_template("{status_prefix}Meeting: {title} ({duration}, {start_date})", v),
            "Meeting: Demo (1h 02m, 2024-05-02)");
  EXPECT_EQ(render_template("{participants}", v), "Bob <bob@acme.test>, amy@acme.test, Rep");
  EXPECT_EQ(render_template("{participant_names} / {participant_emails}", v), "Bob, Rep / bob@acme.test, amy@acme.test");
  EXPECT_EQ(render_template("{kind} {id} {status} {duration_minutes}", v), "meeting a1 completed 63");
  EXPECT_EQ(render_template("{start} -> {end}", v), "2024-05-02T13:30:00.000Z -> 2024-05-02T14:32:05.000Z");
}

TEST(TemplateTest, CancelledActivitiesGetThePrefix) {
  Activity a = sample();
  a.status = ActivityStatus::kCancelled;
  EXPECT_EQ(render_template("{status_prefix}{title}", template_values(a)), "Cancelled: Demo");
}

TEST(TemplateTest, LinesWhosePlaceholdersAreAllEmptyAreDropped) {
  auto v = template_values(sample());  // no recording_url, no disposition
  EXPECT_EQ(render_template("{summary}\n\nParticipants: {participants}\nRecording: {recording_url}\nResult: {disposition}", v),
            "Agreed on a pilot.\n\nParticipants: Bob <bob@acme.test>, amy@acme.test, Rep");
  Activity quiet = sample();
  quiet.summary.clear();
  EXPECT_EQ(render_template("{summary}\n\nRecording: {recording_url}\nPlain line", template_values(quiet)), "Plain line");
  // A line without placeholders stays even when empty placeholders elsewhere vanish.
  EXPECT_EQ(render_template("Notes:\n{summary}", template_values(quiet)), "Notes:");
}

TEST(TemplateTest, DoubledBracesAreLiteral) {
  EXPECT_EQ(render_template("{{title}} is {title}", template_values(sample())), "{title} is Demo");
}

TEST(TemplateTest, DurationFormats) {
  EXPECT_EQ(format_duration(45), "45s");
  EXPECT_EQ(format_duration(725), "12m 05s");
  EXPECT_EQ(format_duration(3725), "1h 02m");
}

}  // namespace
}  // namespace crmsync::exports
