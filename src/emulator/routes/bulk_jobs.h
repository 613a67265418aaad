// Bulk API 2.0 query jobs held by the running emulator: each job keeps the row numbers its query
// matched when it was created (like a query cursor, never copies of records) and walks
// Salesforce's states UploadComplete -> InProgress -> JobComplete | Failed | Aborted as it is
// observed. Internal to the emulator (bulk.cpp serves them).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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

struct BulkJob {
  std::string id;            // 750...
  std::string operation;     // query | queryAll
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
};

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
