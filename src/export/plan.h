// The planner: from an activity, the record it should become and its ledger row (if any), what to
// do: create, update, delete or nothing. Pure, so every ledger state is unit-tested.
//
//   no row / row "failed" without a record / row "deleted", activity live  -> create
//   row with a record, same content hash, state "written"                   -> unchanged
//   row with a record, other hash or state "pending"/"failed"               -> update
//   activity status "deleted", row with a record not yet deleted            -> delete
//   activity status "deleted", no record                                    -> unchanged (nothing to delete)
// A row "pending" without a record is resolved before planning (recover_pending in export.h):
// either its record was found by its marker (it then has one) or it is treated as absent.
#pragma once

#include <optional>
#include <string>

#include "export/activity.h"
#include "store/store.h"

namespace crmsync::exports {

enum class Action { kCreate, kUpdate, kDelete, kUnchanged };
const char* to_string(Action action);

struct PlanStep {
  Action action = Action::kUnchanged;
  std::string reason;  // for --explain and --dry-run
};

PlanStep plan_step(const Activity& activity, const std::optional<store::ExportLedgerEntry>& ledger,
                   const std::string& content_hash, const std::string& sobject);

}  // namespace crmsync::exports
