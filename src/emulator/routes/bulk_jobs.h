// Bulk API 2.0 jobs held by the running emulator. A query job keeps the row numbers its query
// matched when it was created (like a query cursor, never copies of records); an ingest job keeps
// its uploaded CSV and, once closed, what became of each record. Both walk Salesforce's states
// (Open ->) UploadComplete -> InProgress -> JobComplete | Failed | Aborted as they are observed.
// Internal to the emulator (bulk.cpp serves query jobs, bulk_ingest.cpp ingest jobs).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/timeutil.h"
#include "emulator/soql/soql.h"
#include "emulator/table.h"

namespace crmsync::emulator {

// What a job's query matched: row numbers in query order and the selected field indexes.
struct BulkResult {
  const Table* table = nullptr;
  std::vector<std::size_t> columns;
  std::vector<std::uint32_t> rows;
  std::shared_ptr<const soql::Selection> paths;  // set when the SELECT holds relationship paths
};

// What an ingest job did with its records (bulk_ingest.cpp), in upload order.
struct IngestRecord {
  std::vector<std::string> cells;  // as uploaded
  std::string id;                  // sf__Id: the record written (or named), empty when none
  bool created = false;            // sf__Created
  std::optional<Error> error;      // none: succeeded
};

// A record's error as Bulk results write it (sf__Error in 2.0, Error in 1.0 CSV):
// "CODE:message:field,field --", or "CODE:message:--" without fields.
std::string bulk_error_text(const Error& e);
struct IngestOutcome {
  std::vector<std::string> header;
  std::vector<IngestRecord> records;
  std::size_t processed = 0;  // records[0..processed) were processed, the rest are unprocessed
  std::size_t failed = 0;
};

// A Bulk API 1.0 batch (bulk_async.cpp): Queued -> InProgress -> Completed | Failed as observed
// (its records were written when it was added), or NotProcessed.
struct AsyncBatch {
  std::string id;  // 751...
  std::string state = "Queued";
  std::string state_message;  // when Failed
  EpochMs created = 0;
  EpochMs modstamp = 0;
  EpochMs ready_at = 0;
  std::shared_ptr<const std::string> request;  // the body as it was sent
  std::shared_ptr<const std::vector<IngestRecord>> records;  // a DML batch: each record's outcome
  std::shared_ptr<const BulkResult> query;                   // a query batch: what it matched
  std::string result_id;                                     // a query batch's one result (752...)
};

struct BulkJob {
  std::string id;            // 750...
  std::string operation;     // query | queryAll; ingest: insert | update | upsert | delete | hardDelete
  std::string object;        // the FROM object as describe spells it
  std::string created_by;    // user Id
  std::string version;       // "62.0": results must be fetched with the same version
  std::string line_ending = "LF";          // LF | CRLF
  std::string column_delimiter = "COMMA";  // COMMA | TAB | PIPE | SEMICOLON | CARET | BACKQUOTE
  EpochMs created = 0;
  EpochMs modstamp = 0;
  EpochMs ready_at = 0;       // processing is over once an observation happens at or after this
  std::string state = "UploadComplete";
  std::string error_message;  // when Failed
  std::string fail_with;      // non-empty: processing ends Failed with this errorMessage
  std::shared_ptr<const BulkResult> result;  // shared by snapshots, never copied
  // Ingest jobs only (state Open until UploadComplete).
  std::string external_id_field;                 // upsert
  std::shared_ptr<const std::string> upload;     // the CSV of the job's one upload
  std::shared_ptr<const IngestOutcome> outcome;  // set at UploadComplete
  // Bulk API 1.0 jobs only (state Open, Closed, Aborted or Failed).
  std::string content_type;          // CSV | JSON | XML
  std::vector<AsyncBatch> batches;   // oldest first
};

// The character a job's columnDelimiter names (COMMA ',', TAB, PIPE, SEMICOLON, CARET,
// BACKQUOTE), 0 for any other name.
char csv_delimiter(const std::string& name);

// The org's jobs by Id, the oldest dropped past `capacity`. Thread-safe; a job's mutable parts
// (state, modstamp) change only under the store's lock, through observe()/abort().
//
// A job belongs to the user who created it (BulkJob::created_by): every call names the caller,
// and another user's job is to it what an Id that does not exist is (nullptr / false), so its
// state, results and deletion stay its creator's.
class BulkJobStore {
 public:
  explicit BulkJobStore(std::size_t capacity = 500) : capacity_(capacity) {}

  // Adds the job under its Id; false (nothing added) when that Id is taken.
  bool add(std::shared_ptr<BulkJob> job);
  // The job after one observation (a poll, a results call): UploadComplete becomes InProgress,
  // InProgress becomes JobComplete once its processing time is over. Returns a snapshot copy of
  // the job (cheap: the result is shared), or nullptr for an Id unknown to `user_id`.
  std::shared_ptr<const BulkJob> observe(const std::string& id, const std::string& user_id, EpochMs now);
  // The user's own jobs, oldest first, each observed once.
  std::vector<std::shared_ptr<const BulkJob>> observe_all(const std::string& user_id, EpochMs now);
  // Runs `change` on the job under the store's lock and returns the job after it (nullptr, nothing
  // run, for an Id unknown to `user_id`).
  std::shared_ptr<const BulkJob> update(const std::string& id, const std::string& user_id,
                                        const std::function<void(BulkJob&)>& change);
  // Aborts a job that is not finished; returns the job (its state tells whether it was aborted).
  std::shared_ptr<const BulkJob> abort(const std::string& id, const std::string& user_id, EpochMs now, bool& aborted);
  bool remove(const std::string& id, const std::string& user_id);

 private:
  void step(BulkJob& job, EpochMs now);
  BulkJob* owned(const std::string& id, const std::string& user_id);  // under mu_

  std::size_t capacity_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<BulkJob>> jobs_;
  std::deque<std::string> order_;
};

}  // namespace crmsync::emulator
