// Bulk API 2.0 query jobs (API >= 47.0): POST/GET /jobs/query, GET/PATCH/DELETE /jobs/query/{id},
// GET /jobs/query/{id}/results?locator=&maxRecords= (CSV paged by Sforce-Locator). The query runs
// through soql::execute with the same options as REST queries when the job is created (so a bad
// statement is refused at creation, as Salesforce does); the job keeps only row numbers.
// A job is its creator's (it holds what the creator may see): for another user its Id is unknown
// (404 NOT_FOUND, for its info, results, abort and delete), and the list holds the caller's own.
// Job Ids are random 18-character 750... Ids.
//
// Error answers for the SOQL Bulk refuses (all 400 API_ERROR): compound fields ("Selecting compound
// data not supported in Bulk Query", as real clients match it) and child subqueries ("Aggregate
// Relationships not supported in Bulk Query", as Data Loader matches it) are Salesforce's words;
// the wording for COUNT()/aggregates, GROUP BY, OFFSET and TYPEOF (which Bulk API 2.0 documents it
// refuses) is the emulator's own (unverified).
#include <charconv>
#include <shared_mutex>

#include <nlohmann/json.hpp>

#include "common/json.h"
#include "common/sfid.h"
#include "common/text.h"
#include "emulator/dml/dml.h"
#include "emulator/routes/routes.h"
#include "emulator/soql/ast.h"
#include "emulator/soql/lexer.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

constexpr double kFirstBulkQueryVersion = 47.0;

void bulk_error(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  send_error(res, status, code, message);
}

void append_field(std::string& out, const char* key, std::string_view value, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out += key;
  out += "\":";
  append_json_string(out, value);
}

void append_raw(std::string& out, const char* key, std::string_view raw) {
  out += ",\"";
  out += key;
  out += "\":";
  out += raw;
}

std::string sf_datetime(EpochMs ms) {
  std::string out;
  append_datetime_text(out, ms, "+0000");
  return out;
}

// The job as Salesforce describes it; `full` adds what GET info and the list give beyond create's answer.
std::string job_json(const BulkJob& job, bool full) {
  std::string out = "{";
  append_field(out, "id", job.id, true);
  append_field(out, "operation", job.operation);
  append_field(out, "object", job.object);
  append_field(out, "createdById", job.created_by);
  append_field(out, "createdDate", sf_datetime(job.created));
  append_field(out, "systemModstamp", sf_datetime(job.modstamp));
  append_field(out, "state", job.state);
  append_field(out, "concurrencyMode", "Parallel");
  append_field(out, "contentType", "CSV");
  append_raw(out, "apiVersion", job.version);
  if (full) append_field(out, "jobType", "V2Query");
  append_field(out, "lineEnding", job.line_ending);
  append_field(out, "columnDelimiter", job.column_delimiter);
  if (full) {
    const bool done = job.state == "JobComplete";
    const std::size_t processed = done && job.result ? job.result->rows.size() : 0;
    append_raw(out, "numberRecordsProcessed", std::to_string(processed));
    append_raw(out, "retries", "0");
    append_raw(out, "totalProcessingTime", std::to_string(done ? job.modstamp - job.created : 0));
    append_raw(out, "isPkChunkingSupported", "true");
    if (job.state == "Failed") append_field(out, "errorMessage", job.error_message);
  }
  out.push_back('}');
  return out;
}

// Locators are opaque strings in API >= 49 (Salesforce's look like base64 of the row offset,
// e.g. MTAwMDA for 10000); the emulator's are exactly that, without padding.
std::string encode_locator(std::size_t offset) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = std::to_string(offset);
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

std::optional<std::size_t> decode_locator(std::string_view locator) {
  std::string digits;
  unsigned bits = 0;
  int count = 0;
  for (char c : locator) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      digits.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  std::size_t offset = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
  if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  if (encode_locator(offset) != locator) return std::nullopt;
  return offset;
}

// Refuses the SOQL Bulk refuses although REST accepts it (or the parser would only call it
// malformed): 400 API_ERROR naming what Bulk Query does not support.
Status check_bulk_query(std::string_view text) {
  auto unsupported = [](std::string what) { return request_error(400, "API_ERROR", std::move(what)); };
  auto tokens = soql::lex(text);
  if (!tokens) return ok_status();  // the parser reports it
  const auto& t = *tokens;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    const bool ident = t[i].kind == soql::TokenKind::kIdent;
    // `(SELECT` opens a child subquery, unless it follows IN: a semi-join, which Bulk runs.
    const bool after_in = i > 0 && t[i - 1].kind == soql::TokenKind::kIdent && iequals(t[i - 1].text, "in");
    if (t[i].kind == soql::TokenKind::kLParen && t[i + 1].kind == soql::TokenKind::kIdent &&
        iequals(t[i + 1].text, "select") && !after_in) {
      return unsupported("Aggregate Relationships not supported in Bulk Query");
    }
    if (ident && t[i + 1].kind == soql::TokenKind::kLParen) {
      for (const char* f : {"count", "count_distinct", "sum", "avg", "min", "max"}) {
        if (iequals(t[i].text, f)) {
          return unsupported("Aggregate queries are not supported in Bulk Query: " + std::string(t[i].text) + "()");
        }
      }
    }
    if (ident && iequals(t[i].text, "typeof") && t[i + 1].kind == soql::TokenKind::kIdent) {
      return unsupported("TYPEOF is not supported in Bulk Query");
    }
    if (ident && iequals(t[i].text, "group") && t[i + 1].kind == soql::TokenKind::kIdent &&
        iequals(t[i + 1].text, "by")) {
      return unsupported("GROUP BY is not supported in Bulk Query");
    }
  }
  return ok_status();
}

}  // namespace

Result<std::shared_ptr<const BulkResult>> run_bulk_query(EmuState& s, const ApiCall& call, const std::string& soql,
                                                         bool query_all) {
  auto unsupported = [](std::string what) { return request_error(400, "API_ERROR", std::move(what)); };
  CRMSYNC_TRY(check_bulk_query(soql));
  auto parsed = soql::parse(soql);
  if (!parsed) return parsed.error();
  if (parsed->ast().offset) return unsupported("OFFSET is not supported in Bulk Query");
  if (parsed->ast().is_count) return unsupported("Aggregate queries are not supported in Bulk Query: COUNT()");
  auto result = std::make_shared<BulkResult>();
  std::shared_lock lock(s.db->mutex());
  auto r = soql::execute(*parsed, *s.db, query_exec_options(s, call, query_all));
  if (!r) return r.error();
  auto compound = [](const std::string& type) { return type == "address" || type == "location"; };
  for (const auto& c : r->columns) {
    if (compound(r->table->field(c.field_index).type)) {
      return unsupported("Selecting compound data not supported in Bulk Query");
    }
    result->columns.push_back(c.field_index);
  }
  if (r->paths) {
    for (const auto& c : r->paths->columns) {
      if (c.relationship < 0 || c.field_index == soql::Column::kByName) continue;
      const Table* parent = r->paths->relationships[static_cast<std::size_t>(c.relationship)].object;
      if (compound(parent->field(c.field_index).type)) {
        return unsupported("Selecting compound data not supported in Bulk Query");
      }
    }
  }
  result->table = r->table;
  result->rows = std::move(r->rows);
  result->paths = std::move(r->paths);
  return std::shared_ptr<const BulkResult>(std::move(result));
}

namespace {

void create_job(EmuState& s, ApiCall& call) {
  JsonProblem problem;
  json body = parse_json(call.req.body, problem);
  if (body.is_discarded()) {
    return bulk_error(call.res, 400, "JSON_PARSER_ERROR", json_problem_message(call.req.body, problem));
  }
  if (!body.is_object()) {
    return bulk_error(call.res, 400, "JSON_PARSER_ERROR", "The request body is not a JSON object.");
  }
  auto text_of = [&](const char* key, const char* fallback) -> std::optional<std::string> {
    if (!body.contains(key) || body[key].is_null()) return fallback ? std::optional<std::string>(fallback) : std::nullopt;
    if (!body[key].is_string()) return std::nullopt;
    return body[key].get<std::string>();
  };
  auto operation = text_of("operation", nullptr);
  auto query = text_of("query", nullptr);
  auto content_type = text_of("contentType", "CSV");
  auto delimiter = text_of("columnDelimiter", "COMMA");
  auto line_ending = text_of("lineEnding", "LF");
  if (!operation || (*operation != "query" && *operation != "queryAll")) {
    return bulk_error(call.res, 400, "API_ERROR", "Invalid operation: operation must be query or queryAll.");
  }
  if (!query || query->find_first_not_of(" \t\r\n") == std::string::npos) {
    return bulk_error(call.res, 400, "API_ERROR", "Invalid query: a SOQL statement is required.");
  }
  if (!content_type || *content_type != "CSV") {
    return bulk_error(call.res, 400, "API_ERROR", "Invalid contentType: only CSV is supported.");
  }
  if (!delimiter || csv_delimiter(*delimiter) == 0) {
    return bulk_error(call.res, 400, "API_ERROR",
                      "Invalid columnDelimiter: use COMMA, TAB, PIPE, SEMICOLON, CARET or BACKQUOTE.");
  }
  if (!line_ending || (*line_ending != "LF" && *line_ending != "CRLF")) {
    return bulk_error(call.res, 400, "API_ERROR", "Invalid lineEnding: use LF or CRLF.");
  }
  auto result = run_bulk_query(s, call, *query, *operation == "queryAll");
  if (!result) return send_error(call.res, result.error());
  const std::string object = (*result)->table->name();

  auto job = std::make_shared<BulkJob>();
  job->operation = *operation;
  job->object = object;
  job->created_by = call.user_id;
  job->version = call.version;
  job->line_ending = *line_ending;
  job->column_delimiter = *delimiter;
  job->created = job->modstamp = now_ms();
  job->ready_at = job->created + s.options.bulk_processing_ms;
  job->result = std::move(*result);
  if (s.options.bulk_fail_above_records >= 0 && job->result &&
      static_cast<std::int64_t>(job->result->rows.size()) > s.options.bulk_fail_above_records) {
    // Salesforce fails a query job whose query runs past its 2-minute limit (QUERY_TIMEOUT); the
    // errorMessage wording is unverified.
    job->fail_with = "QUERY_TIMEOUT: Your query request was running for too long.";
  }
  // A random Id (a taken one is drawn again): the job is its creator's, and its Id says nothing
  // about the org's other jobs.
  do {
    job->id = random_sf_id("750");
  } while (!s.bulk_jobs.add(job));
  ++s.bulk_serial;
  send_json(call.res, 200, job_json(*job, false));
}

void list_jobs(EmuState& s, ApiCall& call) {
  std::string out = "{\"done\":true,\"records\":[";
  bool first = true;
  for (const auto& job : s.bulk_jobs.observe_all(call.user_id, now_ms())) {
    if (!first) out.push_back(',');
    first = false;
    out += job_json(*job, true);
  }
  out += "],\"nextRecordsUrl\":null}";
  send_json(call.res, 200, std::move(out));
}

void abort_job(EmuState& s, ApiCall& call, const std::string& id) {
  json body = parse_json(call.req.body);
  if (body.is_discarded() || !body.is_object() || !body.contains("state") || !body["state"].is_string()) {
    return bulk_error(call.res, 400, "JSON_PARSER_ERROR", "The request body must be {\"state\":\"Aborted\"}.");
  }
  if (body["state"] != "Aborted") {
    return bulk_error(call.res, 400, "INVALIDJOBSTATE", "A query job can only be set to state Aborted.");
  }
  bool aborted = false;
  auto job = s.bulk_jobs.abort(id, call.user_id, now_ms(), aborted);
  if (!job) return send_not_found(call.res);
  if (!aborted) {
    return bulk_error(call.res, 400, "INVALIDJOBSTATE",
                      "Aborting a job in state " + job->state + " is not allowed; only unfinished jobs can be aborted.");
  }
  send_json(call.res, 200, job_json(*job, false));
}

// JOB_NOT_COMPLETE wording from Salesforce's documentation: states in upper snake case.
std::string upper_state(const std::string& state) {
  std::string out;
  for (char c : state) {
    if (c >= 'A' && c <= 'Z' && !out.empty()) out.push_back('_');
    out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
  }
  return out;
}

void send_results(EmuState& s, ApiCall& call, const std::string& id) {
  auto job = s.bulk_jobs.observe(id, call.user_id, now_ms());
  if (!job) return send_not_found(call.res);
  if (job->state != "JobComplete") {
    return bulk_error(call.res, 412, "JOB_NOT_COMPLETE",
                      "can only download query results of successfully completed bulk job with status: "
                      "JOB_COMPLETE. Current status: " + upper_state(job->state));
  }
  std::size_t offset = 0;
  if (call.req.has_param("locator")) {
    const std::string locator = call.req.get_param_value("locator");
    if (!locator.empty() && locator != "null") {
      auto decoded = decode_locator(locator);
      if (!decoded || *decoded > job->result->rows.size()) {
        return bulk_error(call.res, 400, "INVALID_LOCATOR", "The locator " + locator + " is not valid for job " + id + ".");
      }
      offset = *decoded;
    }
  }
  std::size_t max_records = static_cast<std::size_t>(std::max(1, s.options.bulk_default_max_records));
  if (call.req.has_param("maxRecords")) {
    const std::string text = call.req.get_param_value("maxRecords");
    std::size_t n = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || n == 0) {
      return bulk_error(call.res, 400, "API_ERROR", "maxRecords must be a positive integer, not '" + text + "'.");
    }
    max_records = n;
  }
  ++s.bulk_results_served;
  const BulkResult& result = *job->result;
  const std::size_t end = std::min(result.rows.size(), offset + std::min(max_records, result.rows.size()));
  const char delimiter = csv_delimiter(job->column_delimiter);
  const std::string_view eol = job->line_ending == "CRLF" ? "\r\n" : "\n";

  std::string out;
  out.reserve((end - offset) * (24 + 20 * result.columns.size()) + 256);
  {
    std::shared_lock lock(s.db->mutex());
    if (result.paths) {
      append_csv_header_with_paths(out, *result.paths, delimiter, eol);
      for (std::size_t i = offset; i < end; ++i) {
        append_csv_record_with_paths(out, *result.table, result.table->row(result.rows[i]), *result.paths, i,
                                     delimiter, eol);
      }
    } else {
      append_csv_header(out, *result.table, result.columns, delimiter, eol);
      for (std::size_t i = offset; i < end; ++i) {
        append_csv_record(out, *result.table, result.table->row(result.rows[i]), result.columns, delimiter, eol);
      }
    }
  }
  call.res.set_header("Sforce-Locator", end < result.rows.size() ? encode_locator(end) : std::string("null"));
  call.res.set_header("Sforce-NumberOfRecords", std::to_string(end - offset));
  call.res.status = 200;
  call.res.body = std::move(out);  // moved: set_content() would copy the chunk
  call.res.headers.erase("Content-Type");
  call.res.set_header("Content-Type", "text/csv");
}

}  // namespace

void handle_bulk_query(EmuState& s, ApiCall& call) {
  double version = 0;
  std::from_chars(call.version.data(), call.version.data() + call.version.size(), version);
  if (version < kFirstBulkQueryVersion) return send_not_found(call.res);
  const auto& p = call.path;  // "jobs", "query", ...
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
      auto job = s.bulk_jobs.observe(id, call.user_id, now_ms());
      if (!job) return send_not_found(call.res);
      return send_json(call.res, 200, job_json(*job, true));
    }
    if (m == "PATCH") return abort_job(s, call, id);
    if (m == "DELETE") {
      if (!s.bulk_jobs.remove(id, call.user_id)) return send_not_found(call.res);
      call.res.status = 204;
      return;
    }
    return send_method_not_allowed(call.res, m, "GET,HEAD,PATCH,DELETE");
  }
  if (p.size() == 4 && p[3] == "results") {
    if (get) return send_results(s, call, id);
    return send_method_not_allowed(call.res, m, "GET,HEAD");
  }
  send_not_found(call.res);
}

}  // namespace crmsync::emulator
