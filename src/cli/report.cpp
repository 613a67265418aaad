#include "cli/report.h"

#include <fmt/format.h>

#include <iostream>

namespace crmsync::cli {
namespace {
const char* outcome_name(sync::ObjectReport::Outcome o) {
  switch (o) {
    case sync::ObjectReport::Outcome::kSynced: return "synced";
    case sync::ObjectReport::Outcome::kSkipped: return "skipped";
    case sync::ObjectReport::Outcome::kFailed: return "FAILED";
  }
  return "?";
}
}  // namespace

void print_sync_table(const sync::SyncReport& report, std::ostream& out) {
  out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10} {:>9} {:>9}  {}\n", "object", "mode", "records", "deleted",
                     "api calls", "seconds", "in store", "status");
  std::int64_t records = 0, deleted = 0;
  for (const auto& o : report.objects) {
    const char* mode = o.outcome == sync::ObjectReport::Outcome::kSynced ? (o.full ? "full" : "incremental") : "-";
    out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10} {:>9.2f} {:>9}  {}\n", o.object, mode, o.records, o.deleted,
                       o.api_calls, o.seconds, o.rows_in_store, outcome_name(o.outcome));
    records += o.records;
    deleted += o.deleted;
  }
  out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10} {:>9.2f}\n", "total", "", records, deleted, report.api_calls,
                     report.seconds);
  for (const auto& o : report.objects) {
    for (const auto& w : o.warnings) out << "warning: " << w << "\n";
    if (!o.message.empty()) {
      out << (o.outcome == sync::ObjectReport::Outcome::kFailed ? "error: " : "note: ") << o.object << ": "
          << o.message << "\n";
    }
  }
}

nlohmann::json sync_report_json(const sync::SyncReport& report) {
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& o : report.objects) {
    objects.push_back({{"object", o.object},
                       {"outcome", outcome_name(o.outcome) == std::string("FAILED") ? "failed" : outcome_name(o.outcome)},
                       {"mode", o.full ? "full" : "incremental"},
                       {"records", o.records},
                       {"deleted", o.deleted},
                       {"api_calls", o.api_calls},
                       {"seconds", o.seconds},
                       {"rows_in_store", o.rows_in_store},
                       {"warnings", o.warnings},
                       {"message", o.message}});
  }
  return {{"ok", report.ok()}, {"api_calls", report.api_calls}, {"seconds", report.seconds}, {"objects", objects}};
}

void print_error(const std::string& context, const Error& error) {
  std::cerr << "crmsync: " << (context.empty() ? "" : context + ": ") << error.to_string() << "\n";
}

}  // namespace crmsync::cli
