// Bulk API 2.0 ingest jobs (API >= 41.0):
//   POST   /jobs/ingest                {object, operation, externalIdFieldName, contentType, lineEnding,
//                                       columnDelimiter} -> 200 the job, state Open, with its contentUrl
//   GET    /jobs/ingest                the caller's ingest jobs {done, records, nextRecordsUrl}
//   PUT    /jobs/ingest/{id}/batches   the job's CSV (one upload per job) -> 201
//   PATCH  /jobs/ingest/{id}           {"state":"UploadComplete"} processes it; {"state":"Aborted"}
//   GET    /jobs/ingest/{id}           the job with numberRecordsProcessed/Failed, errorMessage
//   DELETE /jobs/ingest/{id}           -> 204
//   GET    /jobs/ingest/{id}/successfulResults | failedResults | unprocessedrecords   (text/csv)
// Every record is written through the DML engine (dml/dml.h) as the job's creator, one record at a
// time as sObject Collections with allOrNone false write them: object and field permissions,
// sharing, validation rules, required fields and types refuse a record exactly as there. The job
// is processed when it is closed (UploadComplete) and then walks UploadComplete -> InProgress ->
// JobComplete as it is polled, like a query job. A job is its creator's (bulk_jobs.h).
//
// CSV cells: empty leaves a field as it is (not set on insert), #N/A sets it to null. hardDelete
// needs the Bulk API Hard Delete permission. Wordings marked as guesses in docs/decisions.md.
#include <charconv>
#include <limits>
#include <mutex>
#include <shared_mutex>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "emulator/dml/dml.h"
#include "emulator/routes/routes.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr double kFirstIngestVersion = 41.0;

bool is_ingest_operation(const std::string& op) {
  return op == "insert" || op == "update" || op == "upsert" || op == "delete" || op == "hardDelete";
}

std::string sf_datetime(EpochMs ms) {
  std::string out;
  append_datetime_text(out, ms, "+0000");
  return out;
}

// The job as Salesforce describes it; `full` adds what GET info and the list give beyond create's.
ordered_json job_json(const BulkJob& job, bool full) {
  ordered_json j;
  j["id"] = job.id;
  j["operation"] = job.operation;
  j["object"] = job.object;
  j["createdById"] = job.created_by;
  j["createdDate"] = sf_datetime(job.created);
  j["systemModstamp"] = sf_datetime(job.modstamp);
  j["state"] = job.state;
  if (!job.external_id_field.empty()) j["externalIdFieldName"] = job.external_id_field;
  j["concurrencyMode"] = "Parallel";
  j["contentType"] = "CSV";
  j["apiVersion"] = std::strtod(job.version.c_str(), nullptr);
  if (job.state == "Open") j["contentUrl"] = "services/data/v" + job.version + "/jobs/ingest/" + job.id + "/batches";
  j["lineEnding"] = job.line_ending;
  j["columnDelimiter"] = job.column_delimiter;
  if (!full) return j;
  const bool done = job.state == "JobComplete" || job.state == "Failed";
  const std::size_t processed = done && job.outcome ? job.outcome->processed : 0;
  const std::size_t failed = done && job.outcome ? job.outcome->failed : 0;
  j["jobType"] = "V2Ingest";
  j["numberRecordsProcessed"] = processed;
  j["numberRecordsFailed"] = failed;
  j["retries"] = 0;
  j["totalProcessingTime"] = done ? job.modstamp - job.created : 0;
  j["apiActiveProcessingTime"] = done ? job.modstamp - job.created : 0;
  j["apexProcessingTime"] = 0;
  if (job.state == "Failed") j["errorMessage"] = job.error_message;
  return j;
}

void send_job(httplib::Response& res, const BulkJob& job, bool full) { send_json(res, 200, job_json(job, full).dump()); }

std::optional<std::string> text_member(const json& body, const char* key, const char* fallback) {
  if (!body.contains(key) || body[key].is_null()) return fallback ? std::optional<std::string>(fallback) : std::nullopt;
  if (!body[key].is_string()) return std::nullopt;
  return body[key].get<std::string>();
}

// The job a create request describes, or the error Salesforce answers for it (400).
Result<std::shared_ptr<BulkJob>> read_job_request(EmuState& s, const ApiCall& call) {
  auto body = parse_record_body(call.req.body, "JobInfo");
  if (!body) return body.error();
  auto object = text_member(*body, "object", nullptr);
  auto operation = text_member(*body, "operation", nullptr);
  auto external_id = text_member(*body, "externalIdFieldName", "");
  auto content_type = text_member(*body, "contentType", "CSV");
  auto delimiter = text_member(*body, "columnDelimiter", "COMMA");
  auto line_ending = text_member(*body, "lineEnding", "LF");
  auto invalid = [](std::string message) { return request_error(400, "API_ERROR", std::move(message)); };
  if (!operation || !is_ingest_operation(*operation)) {
    return invalid("Invalid operation: use insert, update, upsert, delete or hardDelete.");
  }
  if (!object || object->empty()) return invalid("Invalid object: the object to load is required.");
  if (!content_type || *content_type != "CSV") return invalid("Invalid contentType: only CSV is supported.");
  if (!delimiter || csv_delimiter(*delimiter) == 0) {
    return invalid("Invalid columnDelimiter: use COMMA, TAB, PIPE, SEMICOLON, CARET or BACKQUOTE.");
  }
  if (!line_ending || (*line_ending != "LF" && *line_ending != "CRLF")) {
    return invalid("Invalid lineEnding: use LF or CRLF.");
  }
  if (!external_id) return invalid("Invalid externalIdFieldName: it must be a field name.");
  if (*operation == "upsert" && external_id->empty()) {
    return invalid("Invalid externalIdFieldName: an upsert job needs the external ID field to match records on.");
  }
  auto job = std::make_shared<BulkJob>();
  std::shared_lock lock(s.db->mutex());
  const Table* table = s.db->find(*object);
  auto access = user_access(s, call.user_id);
  if (table == nullptr || !access->object(*table).read) {
    return request_error(400, "INVALIDENTITY", "Entity '" + *object + "' is not supported by the Bulk API.");
  }
  if (*operation == "hardDelete" && !access->has("BulkApiHardDelete")) {
    return request_error(400, "FEATURENOTENABLED",
                         "hardDelete operation requires special user profile permission, please contact your system "
                         "administrator");
  }
  if (*operation == "upsert") {
    auto column = upsert_field(s.dml(), call.user_id, *table, *external_id);
    if (!column) return request_error(400, "INVALIDJOB", column.error().message);
    job->external_id_field = table->field(*column).name;
  }
  job->operation = *operation;
  job->object = table->name();
  job->created_by = call.user_id;
  job->version = call.version;
  job->line_ending = *line_ending;
  job->column_delimiter = *delimiter;
  job->state = "Open";
  job->created = job->modstamp = now_ms();
  return job;
}

void create_job(EmuState& s, ApiCall& call) {
  auto job = read_job_request(s, call);
  if (!job) return send_error(call.res, job.error());
  do {
    (*job)->id = random_sf_id("750");
  } while (!s.ingest_jobs.add(*job));
  send_job(call.res, **job, false);
}

void list_jobs(EmuState& s, ApiCall& call) {
  ordered_json out;
  out["done"] = true;
  out["records"] = json::array();
  for (const auto& job : s.ingest_jobs.observe_all(call.user_id, now_ms())) out["records"].push_back(job_json(*job, true));
  out["nextRecordsUrl"] = nullptr;
  send_json(call.res, 200, out.dump());
}

void upload(EmuState& s, ApiCall& call, const std::string& id) {
  auto data = std::make_shared<const std::string>(call.req.body);
  std::string refused;
  auto job = s.ingest_jobs.update(id, call.user_id, [&](BulkJob& j) {
    if (j.state != "Open") {
      refused = "INVALIDJOBSTATE";
    } else if (j.upload) {
      refused = "BULK_API_ERROR";
    } else {
      j.upload = data;
      j.modstamp = now_ms();
    }
  });
  if (!job) return send_not_found(call.res);
  if (refused == "INVALIDJOBSTATE") {
    return send_error(call.res, 409, refused, "Job " + id + " is in state " + job->state +
                                                  ": data can only be uploaded to an Open job.");
  }
  if (!refused.empty()) {
    return send_error(call.res, 400, refused,
                      "Found multiple contents for job: <" + id +
                          ">, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure "
                          "you only do 'PUT' once on a given Job.");
  }
  call.res.status = 201;
}

// One CSV record as a request body: empty cells are left out, #N/A is null.
json record_body(const std::vector<std::string>& header, const std::vector<std::string>& cells) {
  json body = json::object();
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (cells[i].empty()) continue;
    if (cells[i] == "#N/A") {
      body[header[i]] = nullptr;
    } else {
      body[header[i]] = cells[i];
    }
  }
  return body;
}

// What one record of the job did.
void write_record(EmuState& s, const BulkJob& job, Table& table, std::optional<std::size_t> key, IngestRecord& r,
                  const std::vector<std::string>& header) {
  BulkRecordResult written =
      write_bulk_record(s.dml(), job.created_by, job.operation, table, key, record_body(header, r.cells));
  r.id = std::move(written.id);
  r.created = written.created;
  r.error = std::move(written.error);
}

// The job's upload, processed: the outcome of each record, or the errorMessage that fails the job.
struct Processed {
  std::shared_ptr<IngestOutcome> outcome = std::make_shared<IngestOutcome>();
  std::string error_message;
};

Processed process(EmuState& s, const BulkJob& job) {
  Processed p;
  if (!job.upload || job.upload->empty()) {
    p.error_message = "InvalidBatch : No data was uploaded for the job: upload its CSV before UploadComplete";
    return p;
  }
  auto doc = read_csv(*job.upload, csv_delimiter(job.column_delimiter), job.line_ending == "CRLF");
  if (!doc) {
    p.error_message = doc.error().message;
    return p;
  }
  std::unique_lock lock(s.db->mutex());
  Table* table = s.db->find(job.object);
  for (const std::string& name : doc->header) {
    if (!table->field_index(name)) {
      p.error_message = "InvalidBatch : Field name not found : " + name;
      return p;
    }
  }
  std::optional<std::size_t> key;
  if (job.operation == "upsert") key = table->field_index(job.external_id_field);
  IngestOutcome& out = *p.outcome;
  out.header = std::move(doc->header);
  out.records.reserve(doc->records.size());
  for (auto& cells : doc->records) {
    IngestRecord& r = out.records.emplace_back();
    r.cells = std::move(cells);
    write_record(s, job, *table, key, r, out.header);
    ++out.processed;
    if (r.error) ++out.failed;
  }
  return p;
}

void close_job(EmuState& s, ApiCall& call, const std::string& id) {
  // Claimed first, so that two closes cannot both process the upload; the job completes only once
  // its outcome is in (ready_at in the far future until then).
  std::string was;
  auto claimed = s.ingest_jobs.update(id, call.user_id, [&](BulkJob& j) {
    was = j.state;
    if (j.state != "Open") return;
    j.state = "UploadComplete";
    j.modstamp = now_ms();
    j.ready_at = std::numeric_limits<EpochMs>::max();
  });
  if (!claimed) return send_not_found(call.res);
  if (was != "Open") {
    return send_error(call.res, 409, "INVALIDJOBSTATE",
                      "Job " + id + " is in state " + was + ": only an Open job can be set to UploadComplete.");
  }
  Processed p = process(s, *claimed);
  auto job = s.ingest_jobs.update(id, call.user_id, [&](BulkJob& j) {
    j.outcome = p.outcome;  // an abort meanwhile keeps its state; what was written stays, as in Salesforce
    j.fail_with = p.error_message;
    j.ready_at = now_ms() + s.options.bulk_processing_ms;
  });
  if (!job) return send_not_found(call.res);
  send_job(call.res, *claimed, false);
}

void change_state(EmuState& s, ApiCall& call, const std::string& id) {
  json body = parse_json(call.req.body);
  if (body.is_discarded() || !body.is_object() || !body.contains("state") || !body["state"].is_string()) {
    return send_error(call.res, 400, "JSON_PARSER_ERROR",
                      "The request body must be {\"state\":\"UploadComplete\"} or {\"state\":\"Aborted\"}.");
  }
  if (body["state"] == "UploadComplete") return close_job(s, call, id);
  if (body["state"] != "Aborted") {
    return send_error(call.res, 400, "INVALIDJOBSTATE", "An ingest job can only be set to UploadComplete or Aborted.");
  }
  bool aborted = false;
  auto job = s.ingest_jobs.abort(id, call.user_id, now_ms(), aborted);
  if (!job) return send_not_found(call.res);
  if (!aborted) {
    return send_error(call.res, 400, "INVALIDJOBSTATE",
                      "Aborting a job in state " + job->state + " is not allowed; only unfinished jobs can be aborted.");
  }
  send_job(call.res, *job, false);
}

enum class ResultKind { kSuccessful, kFailed, kUnprocessed };

void send_csv(httplib::Response& res, std::string body) {
  res.status = 200;
  res.body = std::move(body);
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", "text/csv");
}

// The records of one kind as Salesforce writes them: sf__ columns first, then the uploaded
// columns and values (each value quoted).
std::string results_csv(const BulkJob& job, ResultKind kind) {
  const char delimiter = csv_delimiter(job.column_delimiter);
  const std::string_view eol = job.line_ending == "CRLF" ? "\r\n" : "\n";
  const bool finished = job.state == "JobComplete" || job.state == "Failed" || job.state == "Aborted";
  const IngestOutcome* outcome = job.outcome.get();
  if (kind == ResultKind::kUnprocessed && (outcome == nullptr || outcome->header.empty())) {
    return job.upload ? *job.upload : std::string();  // nothing of it was read
  }
  std::string out;
  if (kind == ResultKind::kSuccessful) out += std::string("\"sf__Id\"") + delimiter + "\"sf__Created\"";
  if (kind == ResultKind::kFailed) out += std::string("\"sf__Id\"") + delimiter + "\"sf__Error\"";
  const std::vector<std::string> none;
  const std::vector<std::string>& header = outcome ? outcome->header : none;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i > 0 || kind != ResultKind::kUnprocessed) out.push_back(delimiter);
    out += header[i];
  }
  out += eol;
  if (outcome == nullptr || !finished) return out;
  for (std::size_t n = 0; n < outcome->records.size(); ++n) {
    const IngestRecord& r = outcome->records[n];
    const bool processed = n < outcome->processed;
    if (kind == ResultKind::kUnprocessed ? processed
                                         : (!processed || r.error.has_value() == (kind == ResultKind::kSuccessful))) {
      continue;
    }
    if (kind != ResultKind::kUnprocessed) {
      append_csv_text(out, r.id);
      out.push_back(delimiter);
      append_csv_text(out, kind == ResultKind::kSuccessful ? (r.created ? "true" : "false") : bulk_error_text(*r.error));
    }
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      if (i > 0 || kind != ResultKind::kUnprocessed) out.push_back(delimiter);
      append_csv_text(out, r.cells[i]);
    }
    out += eol;
  }
  return out;
}

void send_results(EmuState& s, ApiCall& call, const std::string& id, ResultKind kind) {
  auto job = s.ingest_jobs.observe(id, call.user_id, now_ms());
  if (!job) return send_not_found(call.res);
  send_csv(call.res, results_csv(*job, kind));
}

}  // namespace

void handle_bulk_ingest(EmuState& s, ApiCall& call) {
  double version = 0;
  std::from_chars(call.version.data(), call.version.data() + call.version.size(), version);
  if (version < kFirstIngestVersion) return send_not_found(call.res);
  const auto& p = call.path;  // "jobs", "ingest", ...
  const std::string& m = call.req.method;
  const bool get = m == "GET" || m == "HEAD";
  if (p.size() == 2) {
    if (m == "POST") return create_job(s, call);
    if (get) return list_jobs(s, call);
    return send_method_not_allowed(call.res, m, "GET,HEAD,POST");
  }
  const std::string& id = p[2];
  if (p.size() == 3) {
    if (get) {
      auto job = s.ingest_jobs.observe(id, call.user_id, now_ms());
      if (!job) return send_not_found(call.res);
      return send_job(call.res, *job, true);
    }
    if (m == "PATCH") return change_state(s, call, id);
    if (m == "DELETE") {
      if (!s.ingest_jobs.remove(id, call.user_id)) return send_not_found(call.res);
      call.res.status = 204;
      return;
    }
    return send_method_not_allowed(call.res, m, "GET,HEAD,PATCH,DELETE");
  }
  if (p.size() == 4 && p[3] == "batches") {
    return m == "PUT" ? upload(s, call, id) : send_method_not_allowed(call.res, m, "PUT");
  }
  if (p.size() == 4) {
    std::optional<ResultKind> kind;
    if (p[3] == "successfulResults") kind = ResultKind::kSuccessful;
    if (p[3] == "failedResults") kind = ResultKind::kFailed;
    if (p[3] == "unprocessedrecords") kind = ResultKind::kUnprocessed;
    if (kind) return get ? send_results(s, call, id, *kind) : send_method_not_allowed(call.res, m, "GET,HEAD");
  }
  send_not_found(call.res);
}

}  // namespace crmsync::emulator
