// Activities as the platform sends them: one JSON object per line (JSON Lines), parsed and checked
// line by line so that a bad line is reported (line number and reason) and skipped while the
// others go on. The schema is in docs/export.md; unknown keys are accepted and ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/timeutil.h"

namespace crmsync::exports {

enum class ActivityKind { kCall, kMeeting, kInvite };
enum class ActivityStatus { kScheduled, kCompleted, kCancelled, kDeleted };

const char* to_string(ActivityKind kind);      // call | meeting | invite
const char* kind_label(ActivityKind kind);     // Call | Meeting | Invite: a subject when nothing else is known
const char* to_string(ActivityStatus status);  // scheduled | completed | cancelled | deleted

struct Participant {
  std::string name;
  std::string email;  // as given; matching compares it lower-cased
  std::string phone;
  bool internal = false;
};

struct Activity {
  std::string id;
  ActivityKind kind = ActivityKind::kCall;
  std::string title;
  EpochMs start = 0;
  int start_offset_minutes = 0;      // the offset `start` was written with (+02:00 -> 120), for local dates
  EpochMs end = 0;                   // start + duration_seconds when the line has no end
  std::int64_t duration_seconds = 0; // end - start when the line has none
  std::string host_email;
  std::vector<Participant> participants;
  std::string disposition;
  std::string summary;
  std::string recording_url;
  ActivityStatus status = ActivityStatus::kCompleted;
  int line = 0;  // 1-based line of the input it came from
};

// A line that was skipped, and why.
struct InvalidLine {
  int line = 0;
  std::string reason;
};

// The local date of the activity's start, in the offset it was given with (a call at
// 2024-05-02T23:30:00-07:00 is on 2024-05-02, although it is 2024-05-03 in UTC).
EpochDays local_start_date(const Activity& activity);

// Parses one line. The error's message is the reason, e.g. "kind must be one of call, meeting,
// invite (got \"sms\")"; its code is INVALID_ACTIVITY.
Result<Activity> parse_activity(std::string_view line_text, int line);

// Reads every line of `in`: blank lines are ignored, valid activities go to `on_activity`, invalid
// ones (including an id already seen on an earlier line) to `on_invalid`.
void read_activities(std::istream& in, const std::function<void(Activity&&)>& on_activity,
                     const std::function<void(const InvalidLine&)>& on_invalid);

}  // namespace crmsync::exports
