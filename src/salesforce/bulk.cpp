#include "salesforce/bulk.h"

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/json.h"
#include "common/text.h"
#include "salesforce/http.h"
#include "salesforce/json_members.h"
#include "salesforce/wire.h"

namespace crmsync::salesforce {
namespace {

using json = nlohmann::json;

std::string jobs_path(Client& client) { return "/services/data/v" + client.api_version() + "/jobs/query"; }

Result<BulkJobInfo> parse_job(const RestResponse& response, std::string_view what) {
  json j = parse_json(response.body);
  if (j.is_discarded() || !j.is_object()) {
    return Error(ErrorKind::kNetwork, "MALFORMED_RESPONSE",
                 "Salesforce's answer to " + std::string(what) + " was malformed: it is not a job description: " +
                     body_excerpt(response.body) + ".",
                 static_cast<int>(response.status));
  }
  JsonMembers job(j, std::string(what));
  BulkJobInfo info;
  for (auto [key, out] : {std::pair{"id", &info.id}, std::pair{"state", &info.state}}) {
    auto v = job.text(key);
    if (!v) return v.error();
    *out = std::move(*v);
  }
  for (auto [key, out] : {std::pair{"object", &info.object}, std::pair{"operation", &info.operation},
                          std::pair{"columnDelimiter", &info.column_delimiter},
                          std::pair{"lineEnding", &info.line_ending}, std::pair{"errorMessage", &info.error_message}}) {
    auto v = job.text_or(key, "");
    if (!v) return v.error();
    if (!v->empty()) *out = std::move(*v);  // absent or empty: the default
  }
  auto processed = job.integer_or("numberRecordsProcessed", 0);
  if (!processed) return processed.error();
  info.records_processed = *processed;
  return info;
}

Result<BulkJobInfo> job_call(Client& client, std::string_view method, const std::string& path, std::string body,
                             const std::string& what) {
  auto response = client.send(method, path, std::move(body));
  if (!response) return response.error();
  if (response->status < 200 || response->status >= 300) return client.error_for(*response, what);
  return parse_job(*response, what);
}

bool finished(const std::string& state) { return state != "UploadComplete" && state != "InProgress"; }

}  // namespace

char bulk_delimiter(std::string_view column_delimiter) {
  if (column_delimiter == "COMMA") return ',';
  if (column_delimiter == "TAB") return '\t';
  if (column_delimiter == "PIPE") return '|';
  if (column_delimiter == "SEMICOLON") return ';';
  if (column_delimiter == "CARET") return '^';
  if (column_delimiter == "BACKQUOTE") return '`';
  return 0;
}

Result<BulkJobInfo> create_query_job(Client& client, std::string_view soql, bool include_deleted) {
  json body = {{"operation", include_deleted ? "queryAll" : "query"},
               {"query", std::string(soql)},
               {"contentType", "CSV"},
               {"columnDelimiter", "COMMA"},
               {"lineEnding", "LF"}};
  return job_call(client, "POST", jobs_path(client), body.dump(),
                  std::string("Bulk API ") + (include_deleted ? "queryAll" : "query") + " job " + std::string(soql));
}

Result<BulkJobInfo> get_query_job(Client& client, std::string_view job_id) {
  return job_call(client, "GET", jobs_path(client) + "/" + std::string(job_id), {},
                  "Bulk API query job " + std::string(job_id));
}

Result<BulkJobInfo> wait_for_query_job(Client& client, std::string_view job_id, const BulkQueryOptions& options,
                                       int* polls) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  auto pause = std::max(options.first_poll, std::chrono::milliseconds(1));
  int count = 0;
  while (true) {
    if (options.before_poll) CRMSYNC_TRY(options.before_poll());
    std::this_thread::sleep_for(std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::max(deadline - std::chrono::steady_clock::now(),
                                                             std::chrono::steady_clock::duration::zero()))));
    auto info = get_query_job(client, job_id);
    ++count;
    if (polls) *polls = count;
    if (!info) return info.error();
    if (finished(info->state)) return info;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error(ErrorKind::kSalesforce, "BULK_JOB_TIMEOUT",
                   "Bulk API query job " + std::string(job_id) + " on " + info->object + " was still " + info->state +
                       " after " + std::to_string(options.timeout.count() / 1000) +
                       " s; raise the Bulk timeout or narrow the query (e.g. a smaller time window).");
    }
    pause = std::min(pause * 2, std::max(options.max_poll, std::chrono::milliseconds(1)));
  }
}

Status read_query_results(Client& client, std::string_view job_id, int max_records,
                          const std::function<Status(BulkChunk&)>& on_chunk, std::string_view start) {
  BulkQueryOptions options;
  options.max_records = max_records;
  return read_query_results(client, job_id, options, on_chunk, start);
}

Status read_query_results(Client& client, std::string_view job_id, const BulkQueryOptions& options,
                          const std::function<Status(BulkChunk&)>& on_chunk, std::string_view start) {
  const std::string base = jobs_path(client) + "/" + std::string(job_id) + "/results";
  // Salesforce compresses results when asked, which saves far more network time than it costs. A
  // server on this machine (the emulator) has no network to save: compressing a 5,000-row page
  // costs it about 8 times what sending it does, on the cores the sync shares with it.
  std::vector<std::string> headers = {"Accept: text/csv"};
  if (is_loopback_host(url_host(client.instance_url()))) headers.push_back("Accept-Encoding: identity");
  auto page_path = [&](const std::string& locator) {
    std::string path = base;
    char sep = '?';
    if (!locator.empty()) {
      path += sep + std::string("locator=") + url_encode(locator);
      sep = '&';
    }
    if (options.max_records > 0) path += sep + std::string("maxRecords=") + std::to_string(options.max_records);
    return path;
  };
  // A page read ahead is never left running: whatever ends the reading waits for it (and counts it).
  struct DropAhead {
    Client& client;
    ~DropAhead() { client.drop_ahead(); }
  } drop_ahead{client};
  const std::string what = "Bulk API results of job " + std::string(job_id);
  std::string locator(start);
  BulkChunk chunk;
  chunk.job_id = std::string(job_id);
  for (int index = 0;; ++index) {
    Result<RestResponse> response = Error(ErrorKind::kInternal, "NOT_SENT", "no results page was asked for");
    if (client.has_ahead()) {
      response = client.take_ahead();
    } else {
      if (options.before_page) CRMSYNC_TRY(options.before_page());
      response = client.send("GET", page_path(locator), {}, headers);
    }
    if (!response) return response.error();
    if (response->status != 200) return client.error_for(*response, what);
    const std::string next = response->header("Sforce-Locator");
    const std::string count = response->header("Sforce-NumberOfRecords");
    if (next.empty()) {
      return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                   "Salesforce's answer to " + what + " has no Sforce-Locator header; the results cannot be paged.",
                   static_cast<int>(response->status));
    }
    chunk.csv = std::move(response->body);
    chunk.records = count.empty() ? -1 : std::strtoll(count.c_str(), nullptr, 10);
    chunk.index = index;
    chunk.last = next == "null";
    chunk.next_locator = next;
    // The next page is asked for now, on the second connection, while this one is consumed.
    if (options.read_ahead && !chunk.last && next != locator && (!options.before_page || options.before_page())) {
      (void)client.send_ahead("GET", page_path(next), headers);  // refused: asked for when needed
    }
    CRMSYNC_TRY(on_chunk(chunk));
    if (chunk.last) return ok_status();
    if (next == locator) {
      return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                   what + " repeated the locator " + next + "; stopping instead of reading the same page forever.");
    }
    locator = next;
  }
}

Result<BulkJobInfo> abort_query_job(Client& client, std::string_view job_id) {
  return job_call(client, "PATCH", jobs_path(client) + "/" + std::string(job_id), R"({"state":"Aborted"})",
                  "abort of Bulk API query job " + std::string(job_id));
}

Status delete_query_job(Client& client, std::string_view job_id) {
  const std::string what = "delete of Bulk API query job " + std::string(job_id);
  auto response = client.send("DELETE", jobs_path(client) + "/" + std::string(job_id));
  if (!response) return response.error();
  if (response->status < 200 || response->status >= 300) return client.error_for(*response, what);
  return ok_status();
}

static Status start_and_wait(Client& client, std::string_view soql, const BulkQueryOptions& options,
                             BulkQueryStats& stats);

Result<BulkQueryStats> bulk_query(Client& client, std::string_view soql, const BulkQueryOptions& options,
                                  const std::function<Status(BulkChunk&)>& on_chunk) {
  BulkQueryStats stats;
  std::string locator;
  if (!options.resume_job_id.empty()) {
    // Jobs live for days after they complete: a load cut short goes on where it stopped.
    auto earlier = get_query_job(client, options.resume_job_id);
    if (earlier && earlier->state == "JobComplete") {
      stats.job_id = options.resume_job_id;
      stats.resumed = true;
      locator = options.resume_locator;
    }
  }
  if (!stats.resumed) {
    auto started = start_and_wait(client, soql, options, stats);
    if (!started) return started.error();
  }
  auto read_from = [&](BulkChunk& chunk) -> Status {
    ++stats.chunks;
    if (chunk.records > 0) stats.records += chunk.records;
    if (options.on_page_read) options.on_page_read(chunk);
    return on_chunk(chunk);
  };
  if (locator != "null") CRMSYNC_TRY(read_query_results(client, stats.job_id, options, read_from, locator));
  if (options.delete_job) CRMSYNC_TRY(delete_query_job(client, stats.job_id));
  return stats;
}

// A new job, polled until it is JobComplete (its id in stats.job_id); errors as bulk_query's.
static Status start_and_wait(Client& client, std::string_view soql, const BulkQueryOptions& options, BulkQueryStats& stats) {
  auto job = create_query_job(client, soql, options.include_deleted);
  if (!job) return job.error();
  stats.job_id = job->id;
  auto done = wait_for_query_job(client, job->id, options, &stats.polls);
  if (!done) {
    if (done.error().code == "BULK_JOB_TIMEOUT") (void)abort_query_job(client, job->id);
    return done.error();
  }
  if (done->state == "Failed") {
    return Error(ErrorKind::kSalesforce, "BULK_JOB_FAILED",
                 "Bulk API query job " + job->id + " on " + done->object + " failed: " +
                     (done->error_message.empty() ? std::string("no reason given") : done->error_message) +
                     "; read the object with REST queries instead, or narrow the query.");
  }
  if (done->state != "JobComplete") {
    return Error(ErrorKind::kSalesforce, "BULK_JOB_ABORTED",
                 "Bulk API query job " + job->id + " on " + done->object + " ended " + done->state +
                     " (aborted by someone else?); run the sync again.");
  }
  return ok_status();
}

}  // namespace crmsync::salesforce
