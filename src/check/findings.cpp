// Findings, the exit-code rule and the wording of every fix.
#include <algorithm>

#include "check/check.h"

namespace crmsync::check {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "info";
}

bool Report::ok() const {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::kError; });
}

int exit_code(const Report& report) { return report.ok() ? 0 : 1; }

bool UserAccess::has(std::string_view permission) const {
  return std::find(system_permissions.begin(), system_permissions.end(), permission) != system_permissions.end();
}

namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string user_words(const UserAccess& access) {
  return access.username.empty() ? std::string("the integration user") : access.username;
}

}  // namespace

std::string grant_place(const UserAccess& access) {
  if (!access.setup_readable || access.profile_name.empty()) {
    return "in a permission set assigned to " + user_words(access) + ", or in its profile";
  }
  std::string profile = "the profile " + in_quotes(access.profile_name);
  if (access.permission_sets.empty()) {
    return "in " + profile + ", or in a new permission set assigned to " + user_words(access);
  }
  if (access.permission_sets.size() == 1) {
    return "in permission set " + in_quotes(access.permission_sets[0]) + ", or in " + profile;
  }
  std::string sets;
  for (const auto& s : access.permission_sets) sets += (sets.empty() ? "" : ", ") + in_quotes(s);
  return "in one of its permission sets (" + sets + "), or in " + profile;
}

std::string field_read_fix(const UserAccess& access, std::string_view object, std::string_view field) {
  return "grant Read on " + std::string(object) + "." + std::string(field) + " " + grant_place(access);
}

std::string object_permission_fix(const UserAccess& access, std::string_view permission, std::string_view object) {
  return "grant " + std::string(permission) + " on " + std::string(object) + " " + grant_place(access);
}

std::string system_permission_fix(const UserAccess& access, std::string_view permission_label) {
  return "turn on " + in_quotes(permission_label) + " " + grant_place(access);
}

}  // namespace crmsync::check
