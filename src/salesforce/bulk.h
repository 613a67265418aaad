// Bulk API 2.0 query jobs through a logged-in Client: create a job (query or queryAll), poll it
// with growing pauses until it is JobComplete, Failed or Aborted, then stream its CSV results page
// by page (Sforce-Locator) to a callback; abort and delete. For objects too large for REST paging.
//
//   BulkQueryOptions o{.include_deleted = true, .max_records = 50000};
//   auto stats = bulk_query(client, "SELECT Id, Name FROM Account", o, [&](const BulkChunk& c) -> Status {
//     return consume_csv(c.csv);        // each chunk is a whole CSV document with its header row
//   });
//   if (!stats) ...                     // stats.error(): see bulk_query
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "salesforce/client.h"

namespace crmsync::salesforce {

struct BulkQueryOptions {
  bool include_deleted = false;                        // operation queryAll instead of query
  int max_records = 0;                                 // rows per results page; 0 = Salesforce's default
  // Pause before the first poll; pauses then double up to max_poll. A short first pause costs a
  // poll or two more on a job that runs for minutes and saves most of a second on every small
  // one (a job over a few thousand rows is often done at once: 20, 60, 140 ms ... after creation).
  std::chrono::milliseconds first_poll{20};
  std::chrono::milliseconds max_poll{10000};
  std::chrono::milliseconds timeout{std::chrono::hours(2)};  // give up (and abort the job) after this
  bool delete_job = true;                              // delete the job once its results are read
  // Resume an earlier job: when GET /jobs/query/{resume_job_id} says JobComplete, its results are
  // read from resume_locator (the page after the last one consumed; empty: the first, "null": none
  // left) and no job is created; otherwise (gone, Failed, ...) a new job runs as without it.
  std::string resume_job_id;
  std::string resume_locator;
  // Consulted before each poll of the job's state (e.g. a quota guard); its error stops the wait
  // and is returned, the job left as it is.
  std::function<Status()> before_poll;
  // Called with each results page before on_chunk is (its job id and the locator after it).
  std::function<void(const struct BulkChunk&)> on_page_read;
  // Read-ahead: while on_chunk works on page N, page N+1 (its locator is in page N's answer) is
  // fetched on the client's second connection (Client::send_ahead), one page ahead at most. Pages
  // still reach on_chunk one at a time, in order. Off: each page is asked for once the one before
  // it is consumed.
  bool read_ahead = true;
  // Consulted before each results page is asked for, the one read ahead included (e.g. a quota
  // guard). A refusal of a read-ahead only means none is sent: the page is asked for when it is
  // needed, after this is consulted again, and that refusal is returned.
  std::function<Status()> before_page;
};

// A job as GET /jobs/query/{id} describes it.
struct BulkJobInfo {
  std::string id;
  std::string object;
  std::string operation;     // query | queryAll
  std::string state;         // UploadComplete | InProgress | JobComplete | Failed | Aborted
  std::string column_delimiter = "COMMA";
  std::string line_ending = "LF";
  std::int64_t records_processed = 0;
  std::string error_message;  // when Failed
};

// One results page: a whole CSV document (header row first) and its record count.
struct BulkChunk {
  std::string csv;
  std::int64_t records = 0;   // Sforce-NumberOfRecords
  int index = 0;              // 0, 1, ... within the job
  bool last = false;          // Sforce-Locator was "null"
  std::string job_id;
  std::string next_locator;   // where the page after this one starts ("null" after the last)
};

struct BulkQueryStats {
  std::string job_id;
  std::int64_t records = 0;
  int chunks = 0;
  int polls = 0;
  bool resumed = false;  // an earlier job's results were read (BulkQueryOptions::resume_job_id)
};

// The column delimiter character of a job's columnDelimiter (COMMA -> ','), 0 when unknown.
char bulk_delimiter(std::string_view column_delimiter);

// POST /jobs/query. Errors: Salesforce's (kSalesforce with errorCode: API_ERROR for SOQL Bulk
// refuses, e.g. compound fields; MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE for bad SOQL), kAuth, kNetwork.
Result<BulkJobInfo> create_query_job(Client& client, std::string_view soql, bool include_deleted);
// GET /jobs/query/{id}
Result<BulkJobInfo> get_query_job(Client& client, std::string_view job_id);
// Polls until the job leaves UploadComplete/InProgress. The finished job is returned whatever its
// state; only the timeout (kSalesforce BULK_JOB_TIMEOUT) and call failures are errors.
Result<BulkJobInfo> wait_for_query_job(Client& client, std::string_view job_id, const BulkQueryOptions& options,
                                       int* polls = nullptr);
// GET /jobs/query/{id}/results page by page from `locator` (empty: the first page); stops at the
// first error the callback returns. The callback may take or free chunk.csv (a page is megabytes:
// free it before anything that may wait).
Status read_query_results(Client& client, std::string_view job_id, int max_records,
                          const std::function<Status(BulkChunk&)>& on_chunk, std::string_view locator = {});
// The same with options' max_records, read_ahead and before_page. A page read ahead whose request
// fails surfaces exactly as the same request sent when needed would (after its retries); a page
// read ahead but never consumed (on_chunk stopped the reading) was still an API call and is counted.
Status read_query_results(Client& client, std::string_view job_id, const BulkQueryOptions& options,
                          const std::function<Status(BulkChunk&)>& on_chunk, std::string_view locator = {});
// PATCH {state: Aborted}; DELETE.
Result<BulkJobInfo> abort_query_job(Client& client, std::string_view job_id);
Status delete_query_job(Client& client, std::string_view job_id);

// All of the above: create (or resume, see BulkQueryOptions), wait, read every page, delete. Errors: a job that ends Failed
// (kSalesforce BULK_JOB_FAILED with Salesforce's errorMessage) or Aborted (BULK_JOB_ABORTED), the
// timeout (BULK_JOB_TIMEOUT; the job is aborted), Salesforce's errors from any call, the callback's.
Result<BulkQueryStats> bulk_query(Client& client, std::string_view soql, const BulkQueryOptions& options,
                                  const std::function<Status(BulkChunk&)>& on_chunk);

}  // namespace crmsync::salesforce
