// Filling Subject/Description templates from an activity.
#include "export/template.h"

#include <vector>

namespace crmsync::exports {

std::string format_duration(std::int64_t seconds) {
  auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m " + two(seconds % 60) + "s";
  return std::to_string(seconds / 3600) + "h " + two(seconds / 60 % 60) + "m";
}

TemplateValues template_values(const Activity& a) {
  std::string everyone, names, emails;
  for (const Participant& p : a.participants) {
    std::string who = p.name.empty() ? p.email : (p.email.empty() ? p.name : p.name + " <" + p.email + ">");
    if (who.empty()) continue;
    everyone += (everyone.empty() ? "" : ", ") + who;
    if (!p.name.empty()) names += (names.empty() ? "" : ", ") + p.name;
    if (!p.email.empty()) emails += (emails.empty() ? "" : ", ") + p.email;
  }
  return {{"id", a.id},
          {"kind", to_string(a.kind)},
          {"title", a.title},
          {"summary", a.summary},
          {"participants", everyone},
          {"participant_names", names},
          {"participant_emails", emails},
          {"recording_url", a.recording_url},
          {"start", format_datetime_iso(a.start)},
          {"end", format_datetime_iso(a.end)},
          {"start_date", format_date(local_start_date(a))},
          {"duration", a.duration_seconds > 0 ? format_duration(a.duration_seconds) : ""},
          {"duration_minutes", std::to_string((a.duration_seconds + 59) / 60)},
          {"duration_seconds", std::to_string(a.duration_seconds)},
          {"disposition", a.disposition},
          {"host_email", a.host_email},
          {"status", to_string(a.status)},
          {"status_prefix", a.status == ActivityStatus::kCancelled ? "Cancelled: " : ""}};
}

namespace {

// Renders one line; `all_empty` tells whether it had placeholders and every one was empty.
std::string render_line(std::string_view text, const TemplateValues& values, bool& all_empty) {
  std::string out;
  bool any_placeholder = false, any_value = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    std::size_t close = c == '{' ? text.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += c;
      continue;
    }
    any_placeholder = true;
    auto it = values.find(text.substr(i + 1, close - i - 1));
    if (it != values.end() && !it->second.empty()) {
      out += it->second;
      any_value = true;
    }
    i = close;
  }
  all_empty = any_placeholder && !any_value;
  return out;
}

}  // namespace

std::string render_template(std::string_view text, const TemplateValues& values) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    bool all_empty = false;
    std::string line = render_line(text.substr(start, nl - start), values, all_empty);
    if (!all_empty) lines.push_back(std::move(line));
    start = nl + 1;
  }
  auto blank = [](const std::string& l) { return l.find_first_not_of(" \t") == std::string::npos; };
  while (!lines.empty() && blank(lines.back())) lines.pop_back();
  std::size_t first = 0;
  while (first < lines.size() && blank(lines[first])) ++first;
  std::string out;
  for (std::size_t k = first; k < lines.size(); ++k) {
    // Collapse runs of blank lines left by dropped lines to one.
    if (k > first && blank(lines[k]) && blank(lines[k - 1])) continue;
    if (k > first) out += '\n';
    out += lines[k];
  }
  return out;
}

}  // namespace crmsync::exports
