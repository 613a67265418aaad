// Bulk API 1.0 under /services/async/XX.X/ (session in the X-SFDC-Session header), as jsforce's
// `bulk` and Data Loader use it:
//   POST /job                          JobInfo {operation, object, externalIdFieldName, contentType}
//   GET  /job/{id}, POST /job/{id}     JobInfo; {state: Closed | Aborted}
//   POST /job/{id}/batch               records (CSV, JSON or XML, the job's contentType) or a SOQL query
//   GET  /job/{id}/batch               batchInfoList
//   GET  /job/{id}/batch/{bid}         BatchInfo
//   GET  /job/{id}/batch/{bid}/request the batch as it was sent
//   GET  /job/{id}/batch/{bid}/result  DML: each record's Id, Success, Created, Error;
//                                      query: the result-list of result Ids
//   GET  /job/{id}/batch/{bid}/result/{rid}   a query batch's records (CSV, JSON or XML)
// Bodies are XML unless the request (or, for reads, the job) is JSON. Errors are Bulk 1.0's own
// {exceptionCode, exceptionMessage}: InvalidSessionId, InvalidJob, InvalidBatch, InvalidJobState,
// InvalidOperation, FeatureNotEnabled, InvalidXML, ClientInputError, MethodNotAllowed.
//
// A batch's records are written when it is added, each through the DML engine as the job's creator
// (bulk_ingest.cpp's rules: dml/dml.h write_bulk_record); the batch then walks Queued ->
// InProgress -> Completed as it is polled. Query batches run through run_bulk_query, as Bulk 2.0
// query jobs do. A job is its creator's: to another user its Id is unknown (InvalidJob).
#include <charconv>
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

constexpr const char* kNamespace = "http://www.force.com/2009/06/asyncapi/dataload";
constexpr std::size_t kMaxBatchRecords = 10000;

bool is_json_request(const httplib::Request& req) {
  return req.get_header_value("Content-Type").find("json") != std::string::npos;
}

// One member of a JobInfo or BatchInfo: written as text or as a number.
struct Member {
  std::string key;
  std::string value;
  bool number = false;
};

// {"k":v,...} or <root xmlns="..."><k>v</k>...</root>.
std::string info_body(const char* root, const std::vector<Member>& members, bool as_json) {
  if (as_json) {
    ordered_json j;
    for (const auto& m : members) {
      if (m.number) j[m.key] = json::parse(m.value);
      else j[m.key] = m.value;
    }
    return j.dump();
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  out += std::string("<") + root + " xmlns=\"" + kNamespace + "\">";
  for (const auto& m : members) {
    out += "<" + m.key + ">";
    out += html_escape(m.value);
    out += "</" + m.key + ">";
  }
  return out + "</" + root + ">";
}

void send_body(httplib::Response& res, int status, std::string body, bool as_json) {
  res.status = status;
  res.body = std::move(body);
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", as_json ? "application/json" : "application/xml");
}

// 405 in Bulk 1.0's shape: exceptionCode MethodNotAllowed with the wording the Bulk API's error
// reference gives ("HTTP Method '<method>' not allowed. Allowed are <methods>").
void send_method_refused(const httplib::Request& req, httplib::Response& res, const std::string& allowed) {
  send_async_error(req, res, 405, "MethodNotAllowed",
                   "HTTP Method '" + req.method + "' not allowed. Allowed are " + allowed);
  res.set_header("Allow", allowed);
}

std::string sf_datetime(EpochMs ms) {
  std::string out;
  append_datetime_text(out, ms, "Z");
  return out;
}

// A batch after one observation (a poll of it or of its job).
void step(AsyncBatch& b, EpochMs now) {
  if (b.state == "Queued") {
    b.state = "InProgress";
    b.modstamp = now;
  } else if (b.state == "InProgress" && now >= b.ready_at) {
    b.state = b.state_message.empty() ? "Completed" : "Failed";
    b.modstamp = now;
  }
}

struct Counts {
  std::size_t processed = 0, failed = 0;
};

Counts batch_counts(const AsyncBatch& b) {
  Counts c;
  if (b.state != "Completed" && b.state != "Failed") return c;
  if (b.records) {
    c.processed = b.records->size();
    for (const auto& r : *b.records) c.failed += r.error ? 1 : 0;
  } else if (b.query) {
    c.processed = b.query->rows.size();
  }
  return c;
}

std::vector<Member> batch_members(const BulkJob& job, const AsyncBatch& b) {
  const Counts c = batch_counts(b);
  std::vector<Member> m = {{"id", b.id}, {"jobId", job.id}, {"state", b.state}};
  if (!b.state_message.empty() && b.state == "Failed") m.push_back({"stateMessage", b.state_message});
  m.push_back({"createdDate", sf_datetime(b.created)});
  m.push_back({"systemModstamp", sf_datetime(b.modstamp)});
  m.push_back({"numberRecordsProcessed", std::to_string(c.processed), true});
  m.push_back({"numberRecordsFailed", std::to_string(c.failed), true});
  m.push_back({"totalProcessingTime", "0", true});
  m.push_back({"apiActiveProcessingTime", "0", true});
  m.push_back({"apexProcessingTime", "0", true});
  return m;
}

std::vector<Member> job_members(const BulkJob& job) {
  std::size_t queued = 0, in_progress = 0, completed = 0, failed = 0, records = 0, records_failed = 0;
  for (const auto& b : job.batches) {
    queued += b.state == "Queued";
    in_progress += b.state == "InProgress";
    completed += b.state == "Completed";
    failed += b.state == "Failed";
    const Counts c = batch_counts(b);
    records += c.processed;
    records_failed += c.failed;
  }
  std::vector<Member> m = {{"id", job.id},
                           {"operation", job.operation},
                           {"object", job.object},
                           {"createdById", job.created_by},
                           {"createdDate", sf_datetime(job.created)},
                           {"systemModstamp", sf_datetime(job.modstamp)},
                           {"state", job.state}};
  if (!job.external_id_field.empty()) m.push_back({"externalIdFieldName", job.external_id_field});
  m.push_back({"concurrencyMode", "Parallel"});
  m.push_back({"contentType", job.content_type});
  m.push_back({"numberBatchesQueued", std::to_string(queued), true});
  m.push_back({"numberBatchesInProgress", std::to_string(in_progress), true});
  m.push_back({"numberBatchesCompleted", std::to_string(completed), true});
  m.push_back({"numberBatchesFailed", std::to_string(failed), true});
  m.push_back({"numberBatchesTotal", std::to_string(job.batches.size()), true});
  m.push_back({"numberRecordsProcessed", std::to_string(records), true});
  m.push_back({"numberRetries", "0", true});
  m.push_back({"apiVersion", job.version, true});
  m.push_back({"numberRecordsFailed", std::to_string(records_failed), true});
  m.push_back({"totalProcessingTime", "0", true});
  m.push_back({"apiActiveProcessingTime", "0", true});
  m.push_back({"apexProcessingTime", "0", true});
  return m;
}

void send_job(const httplib::Request& req, httplib::Response& res, int status, const BulkJob& job) {
  const bool as_json = is_json_request(req) || job.content_type == "JSON";
  send_body(res, status, info_body("jobInfo", job_members(job), as_json), as_json);
}

// The job after observing its batches; nullptr after answering InvalidJob for an unknown Id.
std::shared_ptr<const BulkJob> observed_job(EmuState& s, ApiCall& call, const std::string& id) {
  const EpochMs now = now_ms();
  auto job = s.async_jobs.update(id, call.user_id, [&](BulkJob& j) {
    for (auto& b : j.batches) step(b, now);
  });
  if (!job) send_async_error(call.req, call.res, 400, "InvalidJob", "Unable to find object: " + id);
  return job;
}

// A JobInfo request body (XML or JSON) as name -> text.
Result<std::map<std::string, std::string>> job_request(const httplib::Request& req) {
  std::map<std::string, std::string> out;
  if (is_json_request(req)) {
    JsonProblem problem;
    json body = parse_json(req.body, problem);
    if (body.is_discarded() || !body.is_object()) {
      return request_error(400, "InvalidJob", "The request body is not a JSON JobInfo object.");
    }
    for (const auto& [key, value] : body.items()) {
      if (value.is_string()) out[key] = value.get<std::string>();
    }
    return out;
  }
  auto doc = read_xml(req.body);
  if (!doc) return doc.error();
  if (doc->name != "jobInfo") return request_error(400, "InvalidJob", "The root element must be jobInfo.");
  for (const auto& c : doc->children) out[c.name] = c.text;
  return out;
}

bool is_async_operation(const std::string& op) {
  return op == "insert" || op == "update" || op == "upsert" || op == "delete" || op == "hardDelete" ||
         op == "query" || op == "queryAll";
}

Result<std::shared_ptr<BulkJob>> new_job(EmuState& s, const ApiCall& call) {
  auto fields = job_request(call.req);
  if (!fields) return fields.error();
  auto get = [&](const char* key) { return fields->count(key) ? (*fields)[key] : std::string(); };
  const std::string operation = get("operation");
  const std::string object = get("object");
  std::string content_type = get("contentType");
  if (content_type.empty()) content_type = is_json_request(call.req) ? "JSON" : "XML";
  if (!is_async_operation(operation)) {
    return request_error(400, "InvalidJob", "Invalid operation: " + operation);
  }
  if (content_type != "CSV" && content_type != "JSON" && content_type != "XML") {
    return request_error(400, "InvalidJob", "Invalid contentType: " + content_type + " (use CSV, JSON or XML)");
  }
  auto job = std::make_shared<BulkJob>();
  std::shared_lock lock(s.db->mutex());
  const Table* table = s.db->find(object);
  auto access = user_access(s, call.user_id);
  if (table == nullptr || !access->object(*table).read) {
    return request_error(400, "InvalidJob", "Unable to find object: " + object);
  }
  if (operation == "hardDelete" && !access->has("BulkApiHardDelete")) {
    return request_error(400, "FeatureNotEnabled",
                         "hardDelete operation requires special user profile permission, please contact your system "
                         "administrator");
  }
  if (operation == "upsert") {
    auto column = upsert_field(s.dml(), call.user_id, *table, get("externalIdFieldName"));
    if (!column) return request_error(400, "InvalidJob", column.error().message);
    job->external_id_field = table->field(*column).name;
  }
  job->operation = operation;
  job->object = table->name();
  job->content_type = content_type;
  job->created_by = call.user_id;
  job->version = call.version;
  job->state = "Open";
  job->created = job->modstamp = now_ms();
  return job;
}

void create_job(EmuState& s, ApiCall& call) {
  auto job = new_job(s, call);
  if (!job) return send_async_error(call.req, call.res, 400, job.error().code, job.error().message);
  do {
    (*job)->id = random_sf_id("750");
  } while (!s.async_jobs.add(*job));
  send_job(call.req, call.res, 201, **job);
}

void change_job_state(EmuState& s, ApiCall& call, const std::string& id) {
  auto fields = job_request(call.req);
  if (!fields) return send_async_error(call.req, call.res, 400, fields.error().code, fields.error().message);
  const std::string state = fields->count("state") ? (*fields)["state"] : "";
  if (state != "Closed" && state != "Aborted") {
    return send_async_error(call.req, call.res, 400, "InvalidJobState", "Invalid state: " + state +
                                                                             " (a job can be set to Closed or Aborted)");
  }
  std::string was;
  auto job = s.async_jobs.update(id, call.user_id, [&](BulkJob& j) {
    was = j.state;
    if (j.state != "Open" && !(j.state == "Closed" && state == "Aborted")) return;
    j.state = state;
    j.modstamp = now_ms();
  });
  if (!job) return send_async_error(call.req, call.res, 400, "InvalidJob", "Unable to find object: " + id);
  if (job->state != state) {
    return send_async_error(call.req, call.res, 400, "InvalidJobState",
                            "Job " + id + " is " + was + ": it cannot be set to " + state);
  }
  send_job(call.req, call.res, 200, *job);
}

// ---- batches ------------------------------------------------------------------------------------

// The records of a DML batch as request bodies, in the job's contentType.
Result<std::vector<json>> batch_records(const BulkJob& job, const std::string& body) {
  std::vector<json> out;
  if (job.content_type == "CSV") {
    const std::size_t eol = body.find('\n');
    const bool crlf = eol != std::string::npos && eol > 0 && body[eol - 1] == '\r';
    auto doc = read_csv(body, ',', crlf);
    if (!doc) return request_error(400, "InvalidBatch", doc.error().message);
    for (const auto& cells : doc->records) {
      json record = json::object();
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (cells[i].empty()) continue;
        record[doc->header[i]] = cells[i] == "#N/A" ? json(nullptr) : json(cells[i]);
      }
      out.push_back(std::move(record));
    }
  } else if (job.content_type == "JSON") {
    json parsed = parse_json(body);
    if (parsed.is_discarded() || !parsed.is_array()) {
      return request_error(400, "InvalidBatch", "InvalidBatch : The batch must be a JSON array of records");
    }
    for (auto& record : parsed) {
      if (!record.is_object()) return request_error(400, "InvalidBatch", "InvalidBatch : Each record must be an object");
      record.erase("attributes");
      out.push_back(std::move(record));
    }
  } else {
    auto doc = read_xml(body);
    if (!doc) return request_error(400, "InvalidBatch", "InvalidBatch : " + doc.error().message);
    if (doc->name != "sObjects") return request_error(400, "InvalidBatch", "InvalidBatch : The root element must be sObjects");
    for (const auto& s : doc->children) {
      json record = json::object();
      for (const auto& f : s.children) {
        if (f.name == "type") continue;
        record[f.name] = f.nil ? json(nullptr) : json(f.text);
      }
      out.push_back(std::move(record));
    }
  }
  if (out.size() > kMaxBatchRecords) {
    return request_error(400, "InvalidBatch", "InvalidBatch : Records exceeds batch limit " +
                                                  std::to_string(kMaxBatchRecords));
  }
  return out;
}

// Writes a DML batch's records; a batch that cannot be read fails with its stateMessage.
void run_dml_batch(EmuState& s, const BulkJob& job, AsyncBatch& batch) {
  auto records = batch_records(job, *batch.request);
  if (!records) {
    batch.state_message = records.error().message;
    return;
  }
  auto outcome = std::make_shared<std::vector<IngestRecord>>();
  std::unique_lock lock(s.db->mutex());
  Table* table = s.db->find(job.object);
  for (const auto& record : *records) {
    for (const auto& [name, value] : record.items()) {
      if (!table->field_index(name)) {
        batch.state_message = "InvalidBatch : Field name not found : " + name;
        return;
      }
    }
  }
  std::optional<std::size_t> key;
  if (job.operation == "upsert") key = table->field_index(job.external_id_field);
  for (auto& record : *records) {
    BulkRecordResult written = write_bulk_record(s.dml(), job.created_by, job.operation, *table, key, std::move(record));
    outcome->push_back({{}, std::move(written.id), written.created, std::move(written.error)});
  }
  batch.records = std::move(outcome);
}

void create_batch(EmuState& s, ApiCall& call, const std::string& job_id) {
  auto job = observed_job(s, call, job_id);
  if (!job) return;
  if (job->state != "Open") {
    return send_async_error(call.req, call.res, 400, "InvalidJobState",
                            "Unable to create batch for job " + job_id + ": the job is " + job->state);
  }
  AsyncBatch batch;
  batch.request = std::make_shared<const std::string>(call.req.body);
  if (job->operation == "query" || job->operation == "queryAll") {
    auto result = run_bulk_query(s, call, call.req.body, job->operation == "queryAll");
    if (!result) {
      // As Salesforce words a query batch that fails (quoted from a real Bulk 1.0 answer by
      // forcedotcom/SFDX-Data-Move-Utility-Desktop-App#32): "InvalidBatch : Failed to process
      // query: EXCEEDED_ID_LIMIT: EntityDefinition does not support queryMore(), ...".
      batch.state_message = "InvalidBatch : Failed to process query: " + result.error().code + ": " +
                            result.error().message;
    } else {
      batch.query = std::move(*result);
      batch.result_id = random_sf_id("752");
    }
  } else {
    run_dml_batch(s, *job, batch);
  }
  batch.id = random_sf_id("751");
  batch.created = batch.modstamp = now_ms();
  batch.ready_at = batch.created + s.options.bulk_processing_ms;
  auto updated = s.async_jobs.update(job_id, call.user_id, [&](BulkJob& j) { j.batches.push_back(batch); });
  if (!updated) return send_async_error(call.req, call.res, 400, "InvalidJob", "Unable to find object: " + job_id);
  const bool as_json = job->content_type == "JSON";
  send_body(call.res, 201, info_body("batchInfo", batch_members(*job, batch), as_json), as_json);
}

const AsyncBatch* find_batch(const BulkJob& job, const std::string& id) {
  for (const auto& b : job.batches) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

void send_batch_list(const BulkJob& job, httplib::Response& res) {
  const bool as_json = job.content_type == "JSON";
  if (as_json) {
    ordered_json list = json::array();
    for (const auto& b : job.batches) list.push_back(ordered_json::parse(info_body("", batch_members(job, b), true)));
    return send_body(res, 200, ordered_json{{"batchInfo", list}}.dump(), true);
  }
  std::string out = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><batchInfoList xmlns=\"") + kNamespace + "\">";
  for (const auto& b : job.batches) {
    std::string one = info_body("batchInfo", batch_members(job, b), false);
    out += one.substr(one.find("?>") + 2);
  }
  send_body(res, 200, out + "</batchInfoList>", false);
}

// A DML batch's results in the job's contentType.
std::string dml_results(const BulkJob& job, const std::vector<IngestRecord>& records) {
  if (job.content_type == "CSV") {
    std::string out = "\"Id\",\"Success\",\"Created\",\"Error\"\n";
    for (const auto& r : records) {
      append_csv_text(out, r.id);
      out += r.error ? ",\"false\"," : ",\"true\",";
      out += r.created ? "\"true\"," : "\"false\",";
      append_csv_text(out, r.error ? bulk_error_text(*r.error) : "");
      out.push_back('\n');
    }
    return out;
  }
  if (job.content_type == "JSON") {
    ordered_json out = json::array();
    for (const auto& r : records) {
      ordered_json item;
      item["success"] = !r.error;
      item["created"] = r.created;
      item["id"] = r.id.empty() ? json(nullptr) : json(r.id);
      item["errors"] = json::array();
      if (r.error) {
        ordered_json err;
        err["fields"] = r.error->fields.value_or(std::vector<std::string>{});
        err["message"] = r.error->message;
        err["statusCode"] = r.error->code;
        item["errors"].push_back(err);
      }
      out.push_back(item);
    }
    return out.dump();
  }
  std::string out = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><results xmlns=\"") + kNamespace + "\">";
  for (const auto& r : records) {
    out += "<result>";
    if (r.error) {
      out += "<errors>";
      for (const auto& f : r.error->fields.value_or(std::vector<std::string>{})) out += "<fields>" + f + "</fields>";
      out += "<message>";
      out += html_escape(r.error->message);
      out += "</message><statusCode>" + r.error->code + "</statusCode></errors>";
    }
    out += r.id.empty() ? "<id xsi:nil=\"true\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>"
                        : "<id>" + r.id + "</id>";
    out += std::string("<success>") + (r.error ? "false" : "true") + "</success>";
    out += std::string("<created>") + (r.created ? "true" : "false") + "</created></result>";
  }
  return out + "</results>";
}

void send_result(EmuState& s, ApiCall& call, const BulkJob& job, const AsyncBatch& batch) {
  if (batch.state != "Completed" && batch.state != "Failed") {
    return send_async_error(call.req, call.res, 400, "InvalidBatch", "Batch not completed");
  }
  const bool as_json = job.content_type == "JSON";
  if (batch.records) {
    if (job.content_type == "CSV") {
      call.res.status = 200;
      call.res.body = dml_results(job, *batch.records);
      call.res.set_header("Content-Type", "text/csv");
      return;
    }
    return send_body(call.res, 200, dml_results(job, *batch.records), as_json);
  }
  if (!batch.query) return send_async_error(call.req, call.res, 400, "InvalidBatch", batch.state_message);
  (void)s;
  if (as_json) return send_body(call.res, 200, json::array({batch.result_id}).dump(), true);
  send_body(call.res, 200,
            std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><result-list xmlns=\"") + kNamespace + "\"><result>" +
                batch.result_id + "</result></result-list>",
            false);
}

// A query batch's records: CSV as Bulk 2.0 writes them, JSON records as REST writes them, or XML
// sObjects (wire.h append_xml_record).
void send_query_result(EmuState& s, ApiCall& call, const BulkJob& job, const AsyncBatch& batch) {
  const BulkResult& result = *batch.query;
  std::string out;
  std::shared_lock lock(s.db->mutex());
  if (job.content_type == "JSON") {
    out.push_back('[');
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
      if (i) out.push_back(',');
      const Row& row = result.table->row(result.rows[i]);
      if (result.paths) append_record_with_paths(out, *result.table, job.version, row, *result.paths, i);
      else append_record(out, *result.table, job.version, row, result.columns);
    }
    out.push_back(']');
    lock.unlock();
    return send_body(call.res, 200, std::move(out), true);
  }
  if (job.content_type == "XML") {
    out = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><queryResult xmlns=\"") + kNamespace +
          "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">";
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
      const Row& row = result.table->row(result.rows[i]);
      if (result.paths) append_xml_record_with_paths(out, *result.table, row, *result.paths, i);
      else append_xml_record(out, *result.table, row, result.columns);
    }
    lock.unlock();
    out += "</queryResult>";
    return send_body(call.res, 200, std::move(out), false);
  }
  if (result.paths) {
    append_csv_header_with_paths(out, *result.paths, ',', "\n");
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
      append_csv_record_with_paths(out, *result.table, result.table->row(result.rows[i]), *result.paths, i, ',', "\n");
    }
  } else {
    append_csv_header(out, *result.table, result.columns, ',', "\n");
    for (std::uint32_t r : result.rows) append_csv_record(out, *result.table, result.table->row(r), result.columns, ',', "\n");
  }
  lock.unlock();
  call.res.status = 200;
  call.res.body = std::move(out);
  call.res.set_header("Content-Type", "text/csv");
}

void handle_batch(EmuState& s, ApiCall& call, const std::string& job_id) {
  const auto& p = call.path;  // job, {id}, batch, {bid}, ...
  const std::string& m = call.req.method;
  const bool get = m == "GET" || m == "HEAD";
  if (p.size() == 3) {
    if (m == "POST") return create_batch(s, call, job_id);
    if (!get) return send_method_refused(call.req, call.res, "GET,HEAD,POST");
    auto job = observed_job(s, call, job_id);
    if (job) send_batch_list(*job, call.res);
    return;
  }
  if (!get) return send_method_refused(call.req, call.res, "GET,HEAD");
  auto job = observed_job(s, call, job_id);
  if (!job) return;
  const AsyncBatch* batch = find_batch(*job, p[3]);
  if (batch == nullptr) return send_async_error(call.req, call.res, 400, "InvalidBatch", "Invalid batch id: " + p[3]);
  const bool as_json = job->content_type == "JSON";
  if (p.size() == 4) return send_body(call.res, 200, info_body("batchInfo", batch_members(*job, *batch), as_json), as_json);
  if (p.size() == 5 && p[4] == "request") {
    call.res.status = 200;
    call.res.body = *batch->request;
    const char* type = job->content_type == "CSV" ? "text/csv" : as_json ? "application/json" : "application/xml";
    if (batch->query) type = "text/plain";
    call.res.set_header("Content-Type", type);
    return;
  }
  if (p.size() == 5 && p[4] == "result") return send_result(s, call, *job, *batch);
  if (p.size() == 6 && p[4] == "result" && batch->query && p[5] == batch->result_id) {
    return send_query_result(s, call, *job, *batch);
  }
  if (p.size() == 6 && p[4] == "result") {
    return send_async_error(call.req, call.res, 400, "InvalidBatch", "Invalid result id: " + p[5]);
  }
  send_async_error(call.req, call.res, 404, "InvalidUrl", "Unknown resource");
}

}  // namespace

void send_async_error(const httplib::Request& req, httplib::Response& res, int status, const std::string& code,
                      const std::string& message) {
  const bool as_json = is_json_request(req);
  if (as_json) {
    ordered_json j;
    j["exceptionCode"] = code;
    j["exceptionMessage"] = message;
    return send_body(res, status, j.dump(), true);
  }
  std::string out = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><error xmlns=\"") + kNamespace +
                    "\"><exceptionCode>" + code + "</exceptionCode><exceptionMessage>";
  out += html_escape(message);
  send_body(res, status, out + "</exceptionMessage></error>", false);
}

void handle_async(EmuState& s, ApiCall& call) {
  const auto& p = call.path;
  const std::string& m = call.req.method;
  if (p.empty() || p[0] != "job") return send_async_error(call.req, call.res, 404, "InvalidUrl", "Unknown resource");
  if (p.size() == 1) {
    if (m == "POST") return create_job(s, call);
    return send_method_refused(call.req, call.res, "POST");
  }
  const std::string& id = p[1];
  if (p.size() == 2) {
    if (m == "POST") return change_job_state(s, call, id);
    if (m == "GET" || m == "HEAD") {
      auto job = observed_job(s, call, id);
      if (job) send_job(call.req, call.res, 200, *job);
      return;
    }
    return send_method_refused(call.req, call.res, "GET,HEAD,POST");
  }
  if (p[2] == "batch" && p.size() <= 6) return handle_batch(s, call, id);
  send_async_error(call.req, call.res, 404, "InvalidUrl", "Unknown resource");
}

}  // namespace crmsync::emulator
