// Deciding create / update / delete / unchanged from the ledger.
#include "export/plan.h"

namespace crmsync::exports {

const char* to_string(Action action) {
  switch (action) {
    case Action::kCreate: return "create";
    case Action::kUpdate: return "update";
    case Action::kDelete: return "delete";
    case Action::kUnchanged: return "unchanged";
  }
  return "?";
}

PlanStep plan_step(const Activity& a, const std::optional<store::ExportLedgerEntry>& row, const std::string& hash,
                   const std::string& sobject) {
  const bool has_record = row && !row->salesforce_id.empty() && row->state != "deleted";
  if (a.status == ActivityStatus::kDeleted) {
    if (has_record) return {Action::kDelete, "the activity was deleted; its " + row->sobject + " " + row->salesforce_id + " goes too"};
    return {Action::kUnchanged, row && row->state == "deleted" ? "already deleted" : "deleted before it was ever written"};
  }
  if (!has_record) {
    if (!row) return {Action::kCreate, "never written"};
    if (row->state == "deleted") return {Action::kCreate, "its earlier record was deleted; the activity is live again"};
    return {Action::kCreate, "the last attempt (" + row->state + ") left no record"};
  }
  if (row->sobject != sobject) {
    // [export] as changed between runs: the old record stays as it is (see docs/export.md).
    return {Action::kUnchanged, "written earlier as " + row->sobject + " " + row->salesforce_id +
                                    "; [export] as now says " + sobject + ", so it is left alone"};
  }
  if (row->state == "written" && row->content_hash == hash) return {Action::kUnchanged, "unchanged since the last write"};
  if (row->state != "written") return {Action::kUpdate, "the last write (" + row->state + ") did not finish"};
  return {Action::kUpdate, "changed since the last write"};
}

}  // namespace crmsync::exports
