// The two ways a Report is shown: a table for people, a JSON document for automation.
#include <map>

#include <nlohmann/json.hpp>

#include "check/check.h"

namespace crmsync::check {

namespace {

nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

std::map<Severity, int> tally(const Report& report) {
  std::map<Severity, int> n{{Severity::kError, 0}, {Severity::kWarning, 0}, {Severity::kInfo, 0}};
  for (const auto& f : report.findings) ++n[f.severity];
  return n;
}

std::string plural(int n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

}  // namespace

nlohmann::json report_json(const Report& report) {
  auto n = tally(report);
  nlohmann::json out;
  out["user"] = text_or_null(report.username);
  out["user_id"] = text_or_null(report.user_id);
  out["ready"] = report.ok();
  out["exit_code"] = exit_code(report);
  out["summary"] = {{"errors", n[Severity::kError]}, {"warnings", n[Severity::kWarning]}, {"info", n[Severity::kInfo]}};
  out["findings"] = nlohmann::json::array();
  for (const auto& f : report.findings) {
    out["findings"].push_back({{"object", text_or_null(f.object)},
                               {"field", text_or_null(f.field)},
                               {"severity", to_string(f.severity)},
                               {"code", f.code},
                               {"message", f.message},
                               {"fix", text_or_null(f.fix)}});
  }
  return out;
}

nlohmann::json could_not_run_json(const Error& error) {
  return {{"user", nullptr},
          {"user_id", nullptr},
          {"ready", false},
          {"exit_code", 2},
          {"summary", {{"errors", 0}, {"warnings", 0}, {"info", 0}}},
          {"error", {{"kind", to_string(error.kind)}, {"code", error.code}, {"message", error.message}}},
          {"findings", nlohmann::json::array()}};
}

void print_report(const Report& report, std::ostream& out) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Finding*>> by_object;
  for (const auto& f : report.findings) {
    if (!by_object.contains(f.object)) order.push_back(f.object);
    by_object[f.object].push_back(&f);
  }
  out << "crmsync check as " << (report.username.empty() ? report.user_id : report.username) << "\n";
  for (const auto& object : order) {
    out << "\n" << (object.empty() ? std::string("User and org") : object) << "\n";
    for (const Finding* f : by_object[object]) {
      // An info finding with a fix is something to know, not something fine ("note").
      const char* status = f->severity == Severity::kError     ? "MISSING"
                           : f->severity == Severity::kWarning ? "warning"
                           : f->fix.empty()                    ? "fine"
                                                               : "note";
      out << "  " << status << std::string(9 - std::string(status).size(), ' ') << f->message << "  [" << f->code << "]\n";
      if (!f->fix.empty()) out << "           fix: " << f->fix << "\n";
    }
  }
  auto n = tally(report);
  out << "\n"
      << (report.ok() ? "Ready" : "Not ready") << ": " << plural(n[Severity::kError], "required item")
      << " missing, " << plural(n[Severity::kWarning], "warning") << ".\n";
}

}  // namespace crmsync::check
