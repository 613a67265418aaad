// crmsync export: activities recorded by the platform (calls, meetings, invites, as JSON Lines)
// become Salesforce Tasks or Events, linked to the right people and deals, exactly once.
//
// A run: read and check the input (bad lines reported and skipped), build the matching indexes
// from the local store (no API calls), describe the Task/Event object and refuse a configuration it
// cannot take before anything is written, resolve ledger rows left "pending" by a crashed run,
// plan each activity against crmsync_export_ledger (create, update, delete, unchanged), and write
// through sObject Collections, 200 records per call, allOrNone=false. Each batch's intent is
// committed to the ledger before the call and its results after it, so a crash never duplicates:
// with [export] external_id_field the rerun upserts by it; without, every record carries a marker
// line in its Description and the rerun finds the records created just before the crash by it.
//
//   auto report = exports::run_export(cfg, input_stream, client.get(), *store, {.dry_run = false});
//   print(report->counts.created, ...);
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "config/config.h"
#include "export/activity.h"
#include "export/matching.h"
#include "export/plan.h"
#include "salesforce/client.h"
#include "store/store.h"

namespace crmsync::exports {

struct ExportCounts {
  std::int64_t created = 0, updated = 0, deleted = 0, unchanged = 0, unmatched = 0, failed = 0, invalid = 0;
};

// A record Salesforce refused (or that could not be sent).
struct RecordFailure {
  std::string activity_id;
  int line = 0;
  std::string operation;    // create | update | upsert | delete
  std::string status_code;  // Salesforce's, e.g. INSUFFICIENT_ACCESS_OR_READONLY
  std::string message;
};

// Something about one activity's record the user should know, though it was written (or would be,
// in a dry run): e.g. a Description cut to Salesforce's 32,000 characters.
struct ActivityNote {
  std::string activity_id;
  int line = 0;
  std::string message;
};

// An activity no Contact, Lead or Account matched: not written (counts.unmatched).
struct UnmatchedActivity {
  std::string activity_id;
  int line = 0;
  std::string reason;  // which participants and domains were tried
};

struct ExportReport {
  ExportCounts counts;
  std::vector<UnmatchedActivity> unmatched;  // one per counts.unmatched, in input order
  std::vector<InvalidLine> invalid_lines;
  std::vector<RecordFailure> failures;
  std::vector<ActivityNote> notes;  // per activity written or planned (not for unchanged ones)
  std::vector<std::string> warnings;  // matching indexes that could not be built, fallbacks used
  std::int64_t api_calls = 0;         // describe, recovery queries and writes
  std::int64_t records_sent = 0;      // records in write calls (retries included)
  std::int64_t write_calls = 0;
  std::int64_t recovered = 0;         // pending rows whose record a crashed run had created
  // The quota guard (QUOTA_GUARD: [sync] quota shares, --max-api-calls) or Salesforce
  // (REQUEST_LIMIT_EXCEEDED) stopped the writes: what was written is in the ledger, the batch in
  // flight stays "pending" and the next run resumes (and resolves it) like after a crash.
  bool paused = false;
  std::string pause_message;
  bool ok() const { return counts.failed == 0 && counts.invalid == 0; }
};

struct ExportOptions {
  bool dry_run = false;  // plan and show, write nothing (the ledger included)
  // Called per activity with its match and plan, when set (for --explain).
  std::function<void(const Activity&, const Match&, const PlanStep&)> on_explain;
  // Called per record that would be written (dry run) or is about to be (for --dry-run output).
  std::function<void(const nlohmann::json& write)> on_write;
  int max_attempts = 3;  // per record, for retryable per-record errors (UNABLE_TO_LOCK_ROW, ...)
  int retry_delay_ms = 500;
  std::size_t batch_size = 200;
};

// Whether an error is the API budget running out (the quota guard or Salesforce's daily limit):
// the run pauses rather than fails.
bool is_quota_stop(const Error& e);

// Runs one export. `client` may be null only for a dry run without a describe check (tests);
// a write run needs it. Errors that stop the run (store, login, describe refusal, network failure
// of a whole call) are returned; per-record failures are counted in the report.
Result<ExportReport> run_export(const config::Config& config, std::istream& input, salesforce::Client* client,
                                store::Store& store, const ExportOptions& options);

}  // namespace crmsync::exports
