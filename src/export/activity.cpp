// JSON Lines input of `crmsync export`: one activity per line, each checked on its own.
#include "export/activity.h"

#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/json.h"
#include "common/text.h"

namespace crmsync::exports {

const char* to_string(ActivityKind kind) {
  switch (kind) {
    case ActivityKind::kCall: return "call";
    case ActivityKind::kMeeting: return "meeting";
    case ActivityKind::kInvite: return "invite";
  }
  return "?";
}

const char* to_string(ActivityStatus status) {
  switch (status) {
    case ActivityStatus::kScheduled: return "scheduled";
    case ActivityStatus::kCompleted: return "completed";
    case ActivityStatus::kCancelled: return "cancelled";
    case ActivityStatus::kDeleted: return "deleted";
  }
  return "?";
}

namespace {

using nlohmann::json;

// The latest instant an ISO-8601 date-time with a four-digit year can name: the bound of `end`,
// and so of start + duration_seconds.
constexpr EpochMs kLatestInstant = 253402300799999;  // 9999-12-31T23:59:59.999Z

Error invalid(std::string reason) { return Error(ErrorKind::kConfig, "INVALID_ACTIVITY", std::move(reason)); }

// A value as a reason repeats it: at most 60 characters, never a character cut in two (reasons
// are printed in JSON by `crmsync export --json`).
std::string shown(const json& v) {
  std::string s = v.dump();
  return utf8_length(s) > 60 ? std::string(utf8_prefix(s, 57)) + "..." : s;
}

// An optional string key: absent or null gives "", anything but a string is an error.
Status optional_string(const json& obj, const char* key, std::string& out, const std::string& prefix = "") {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return ok_status();
  if (!it->is_string()) return invalid(prefix + key + " must be a string (got " + shown(*it) + ")");
  out = it->get<std::string>();
  return ok_status();
}

// The offset at the end of an ISO-8601 date-time that parse_datetime accepted: Z, +hh:mm, +hhmm.
int offset_minutes(std::string_view text) {
  if (text.empty() || text.back() == 'Z' || text.back() == 'z') return 0;
  auto sign = text.find_last_of("+-");
  if (sign == std::string_view::npos || sign < 10) return 0;
  std::string digits;
  for (char c : text.substr(sign + 1)) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() != 4) return 0;
  int minutes = std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2, 2));
  return text[sign] == '-' ? -minutes : minutes;
}

Result<EpochMs> timestamp(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return invalid(std::string(key) + " is missing");
  if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    if (auto ms = parse_datetime(text)) return *ms;
  }
  return invalid(std::string(key) + " must be an ISO-8601 date-time with an offset, e.g. \"2024-05-02T15:30:00+02:00\" (got " +
                 shown(*it) + ")");
}

template <typename E>
Result<E> enum_of(const json& obj, const char* key, const std::vector<std::pair<const char*, E>>& values) {
  auto it = obj.find(key);
  std::string names;
  for (const auto& [name, v] : values) names += (names.empty() ? "" : ", ") + std::string(name);
  if (it == obj.end() || it->is_null()) return invalid(std::string(key) + " is missing; use one of " + names);
  if (it->is_string()) {
    for (const auto& [name, v] : values) {
      if (it->get_ref<const std::string&>() == name) return v;
    }
  }
  return invalid(std::string(key) + " must be one of " + names + " (got " + shown(*it) + ")");
}

Status participants(const json& obj, std::vector<Participant>& out) {
  auto it = obj.find("participants");
  if (it == obj.end() || it->is_null()) return ok_status();
  if (!it->is_array()) return invalid("participants must be an array of {name, email, phone, internal} (got " + shown(*it) + ")");
  for (std::size_t k = 0; k < it->size(); ++k) {
    const json& p = (*it)[k];
    std::string prefix = "participants[" + std::to_string(k) + "].";
    if (!p.is_object()) return invalid("participants[" + std::to_string(k) + "] must be an object (got " + shown(p) + ")");
    Participant part;
    CRMSYNC_TRY(optional_string(p, "name", part.name, prefix));
    CRMSYNC_TRY(optional_string(p, "email", part.email, prefix));
    CRMSYNC_TRY(optional_string(p, "phone", part.phone, prefix));
    if (auto in = p.find("internal"); in != p.end() && !in->is_null()) {
      if (!in->is_boolean()) return invalid(prefix + "internal must be true or false (got " + shown(*in) + ")");
      part.internal = in->get<bool>();
    }
    out.push_back(std::move(part));
  }
  return ok_status();
}

}  // namespace

EpochDays local_start_date(const Activity& a) {
  return days_of(a.start + static_cast<EpochMs>(a.start_offset_minutes) * 60000);
}

Result<Activity> parse_activity(std::string_view line_text, int line) {
  json obj = parse_json(line_text);
  if (obj.is_discarded()) return invalid("the line is not valid JSON");
  if (!obj.is_object()) return invalid("the line must be a JSON object, not " + std::string(obj.type_name()));
  Activity a;
  a.line = line;
  auto id = obj.find("id");
  if (id == obj.end() || id->is_null()) return invalid("id is missing");
  if (!id->is_string() || id->get_ref<const std::string&>().empty()) {
    return invalid("id must be a non-empty string (got " + shown(*id) + ")");
  }
  a.id = id->get<std::string>();
  if (a.id.size() > 255) return invalid("id is longer than 255 characters");
  auto kind = enum_of<ActivityKind>(obj, "kind", {{"call", ActivityKind::kCall},
                                                  {"meeting", ActivityKind::kMeeting},
                                                  {"invite", ActivityKind::kInvite}});
  if (!kind) return kind.error();
  a.kind = *kind;
  auto status = enum_of<ActivityStatus>(obj, "status", {{"scheduled", ActivityStatus::kScheduled},
                                                        {"completed", ActivityStatus::kCompleted},
                                                        {"cancelled", ActivityStatus::kCancelled},
                                                        {"deleted", ActivityStatus::kDeleted}});
  if (!status) return status.error();
  a.status = *status;
  auto start = timestamp(obj, "start");
  if (!start) return start.error();
  a.start = *start;
  a.start_offset_minutes = offset_minutes(obj["start"].get_ref<const std::string&>());

  bool has_duration = false;
  if (auto d = obj.find("duration_seconds"); d != obj.end() && !d->is_null()) {
    if (!d->is_number_integer() || d->get<std::int64_t>() < 0) {
      return invalid("duration_seconds must be a whole number of seconds, 0 or more (got " + shown(*d) + ")");
    }
    if (d->get<std::int64_t>() > (kLatestInstant - a.start) / 1000) {
      return invalid("duration_seconds would end the activity after 9999-12-31 (got " + shown(*d) + ")");
    }
    a.duration_seconds = d->get<std::int64_t>();
    has_duration = true;
  }
  if (auto e = obj.find("end"); e != obj.end() && !e->is_null()) {
    auto end = timestamp(obj, "end");
    if (!end) return end.error();
    if (*end < a.start) return invalid("end is before start");
    a.end = *end;
    if (!has_duration) a.duration_seconds = (a.end - a.start) / 1000;
  } else {
    a.end = a.start + a.duration_seconds * 1000;
  }
  CRMSYNC_TRY(optional_string(obj, "title", a.title));
  CRMSYNC_TRY(optional_string(obj, "host_email", a.host_email));
  CRMSYNC_TRY(optional_string(obj, "disposition", a.disposition));
  CRMSYNC_TRY(optional_string(obj, "summary", a.summary));
  CRMSYNC_TRY(optional_string(obj, "recording_url", a.recording_url));
  CRMSYNC_TRY(participants(obj, a.participants));
  return a;
}

void read_activities(std::istream& in, const std::function<void(Activity&&)>& on_activity,
                     const std::function<void(const InvalidLine&)>& on_invalid) {
  std::unordered_map<std::string, int> seen;  // id -> line
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    auto a = parse_activity(text, line);
    if (!a) {
      on_invalid({line, a.error().message});
      continue;
    }
    auto [it, fresh] = seen.emplace(a->id, line);
    if (!fresh) {
      on_invalid({line, "id \"" + a->id + "\" already appeared on line " + std::to_string(it->second) +
                            "; each activity must appear once per input"});
      continue;
    }
    on_activity(std::move(*a));
  }
}

}  // namespace crmsync::exports
