// The emulator's HTTP side, which server.cpp serves as emulator.h's Emulator: the running
// emulator's shared state (the org, issued tokens, the API usage counter, the write clock, query
// cursors, Bulk jobs, the fault injector), one authenticated API call, Salesforce-shaped JSON
// error bodies, and every route (one file each in routes/). The routes ask access/ what a user may
// do, write through dml/, run SOQL through soql/ and write records out with wire/. Internal to the
// emulator.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <httplib.h>

#include "emulator/access/access.h"
#include "emulator/dml/dml.h"
#include "emulator/emulator.h"
#include "emulator/org/org.h"
#include "emulator/routes/bulk_jobs.h"
#include "emulator/sf_error.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator {

// A random 18-character Id with the given key prefix (query locators, Bulk job Ids): 9 random
// base-62 characters, so that one Id tells nothing about the next.
std::string random_sf_id(std::string_view key_prefix);

// A query result held for nextRecordsUrl paging: row numbers only, never copied records.
struct QueryCursor {
  std::string user_id;  // the user whose query it is (it holds that user's visibility and fields)
  std::string version;
  const Table* table = nullptr;
  std::vector<std::size_t> columns;  // field indexes in SELECT order
  std::vector<std::uint32_t> rows;
  std::shared_ptr<const soql::Selection> paths;  // set when the SELECT holds relationship paths
  // Set when the SELECT holds parent-to-child subqueries: the whole result, written through it.
  std::shared_ptr<const soql::QueryResult> nested;
  // A subquery's child records of one parent past the inline ones: positions into nested->rows
  // (the records are nested's, `rows` holds as many entries for the page arithmetic).
  std::vector<std::uint32_t> positions;
  int batch_size = 2000;
};

// The most recent cursors; older ones expire (a later fetch answers INVALID_QUERY_LOCATOR).
// Locators are random; a cursor belongs to its user (QueryCursor::user_id), and to another user
// its locator is as unknown as an expired one.
class CursorStore {
 public:
  explicit CursorStore(std::size_t capacity) : capacity_(capacity) {}
  std::string add(std::shared_ptr<const QueryCursor> cursor);  // returns the 01g... locator
  std::shared_ptr<const QueryCursor> find(const std::string& locator, const std::string& user_id) const;

 private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const QueryCursor>> by_locator_;
  std::deque<std::string> order_;
};

// What the fault injector decided for one API call (faults.cpp).
enum class Fault { kNone, k500, k503, kLimit, kTimeout, kSlow, kDrop, kTruncate };

class FaultInjector {
 public:
  explicit FaultInjector(const FaultOptions& options);
  // The fault for the next API call; `is_query` allows QUERY_TIMEOUT.
  Fault next(bool is_query);
  void set_rate(double rate);

 private:
  FaultOptions options_;
  std::vector<Fault> kinds_;
  std::mutex mu_;
  std::uint64_t state_;
};
// Parses "500,503,limit,..."; errors name the unknown kind and the accepted ones.
Result<std::vector<Fault>> parse_fault_kinds(const std::vector<std::string>& kinds);
// Applies a fault to a response; returns false when the call must be answered normally.
bool inject_fault(Fault fault, const FaultOptions& options, httplib::Response& res);
// Applied after the route ran: cuts the body mid-way or drops the connection.
void apply_transport_fault(Fault fault, const httplib::Request& req, httplib::Response& res);

// The records each user retrieved or changed through the REST API, newest first, for GET /recent
// (recent.cpp): a record seen again moves to the front; at most 200 per user are kept.
class RecentItems {
 public:
  void note(const std::string& user_id, const std::string& record_id);
  std::vector<std::string> list(const std::string& user_id) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<std::string>> by_user_;
};

struct ApiCall;

struct EmuState {
  explicit EmuState(EmulatorOptions o) : options(std::move(o)), cursors(500), faults(options.faults) {}

  EmulatorOptions options;
  std::unique_ptr<Database> db;
  std::string org_id;  // 18 characters
  std::string base_url;
  std::atomic<std::int64_t> api_used{0};
  std::atomic<std::int64_t> api_calls{0};  // since start, for FaultOptions::expire_session_at
  CursorStore cursors;
  AccessModel access;  // effective access per user, dropped on every setup write
  BulkJobStore bulk_jobs;
  BulkJobStore ingest_jobs;  // Bulk API 2.0 ingest jobs (bulk_ingest.cpp)
  BulkJobStore async_jobs;   // Bulk API 1.0 jobs and their batches (bulk_async.cpp)
  std::atomic<std::uint64_t> bulk_serial{0};          // query jobs created (Emulator::bulk_jobs_created)
  std::atomic<std::int64_t> bulk_results_served{0};  // GET /jobs/query/{id}/results answered 200
  FaultInjector faults;
  RecentItems recent;  // GET /recent
  std::shared_ptr<void> jwt_public_key;  // EVP_PKEY of jwt_certificate_file, or null

  // Runs one authenticated call under /services/data/vXX.X/ through the routes, without counting
  // it or injecting faults: composite batch subrequests (set by the router).
  std::function<void(ApiCall&)> route_api;

  // Users who may log in with the password grant: username -> password.
  std::unordered_map<std::string, std::string> passwords;

  // An access token that expires after options.token_ttl_seconds; `refresh_token`, when given, is
  // the refresh token it was issued through (revoking that one revokes it too).
  std::string issue_token(const std::string& user_id, const std::string& refresh_token = {});
  std::optional<std::string> user_for_token(const std::string& token) const;  // the user's 18-char Id
  void expire_all_tokens();
  std::string issue_refresh_token(const std::string& user_id);
  std::optional<std::string> user_for_refresh_token(const std::string& token) const;
  void revoke_refresh_token(const std::string& token);
  // POST /services/oauth2/revoke: revokes a live access token, or a refresh token and every access
  // token issued through it. False when `token` is neither (unknown, expired or already revoked).
  bool revoke_token(const std::string& token);
  // Web-server flow authorization codes: single use, 15 minutes, bound to the redirect_uri and,
  // when the authorization request had one, the PKCE S256 code_challenge. A redemption without the
  // verifier whose challenge it is fails like a wrong code (and spends the code).
  std::string issue_auth_code(const std::string& user_id, const std::string& redirect_uri,
                              const std::string& code_challenge = {});
  // The user, or the OAuth error description: "invalid authorization code", "invalid code verifier".
  Result<std::string> redeem_auth_code(const std::string& code, const std::string& redirect_uri,
                                       const std::string& code_verifier);
  std::optional<std::string> user_id_by_username(const std::string& username) const;
  // The user's Id when it exists and IsActive is true.
  std::optional<std::string> active_user_id(const std::string& username) const;

  WriteClock clock;  // SystemModstamp of writes
  // What the DML engine needs to write as any user.
  std::vector<ValidationRule> validation_rules;  // the org file's
  DmlContext dml() { return {*db, access, clock, &validation_rules}; }

 private:
  struct Session {
    std::string user_id;
    EpochMs expires_ms = 0;
    std::string refresh_token;  // the refresh token it was issued through, if any
  };
  struct AuthCode {
    std::string user_id;
    std::string redirect_uri;
    EpochMs expires_ms = 0;
    std::string code_challenge;  // PKCE S256; empty: none was sent
  };
  std::string random_token(const std::string& prefix);
  mutable std::mutex mu_;
  std::unordered_map<std::string, Session> tokens_;
  std::unordered_map<std::string, std::string> refresh_tokens_;  // token -> user Id
  std::unordered_map<std::string, AuthCode> auth_codes_;
};

// One authenticated call under /services/data/vXX.X/.
struct ApiCall {
  const httplib::Request& req;
  httplib::Response& res;
  std::string version;             // "60.0"
  std::vector<std::string> path;   // segments after the version
  std::string user_id;
};

// Salesforce error bodies: [{"message":...,"errorCode":...[,"fields":[...]]}].
std::string error_body(const std::string& code, const std::string& message,
                       const std::vector<std::string>* fields = nullptr);
void send_json(httplib::Response& res, int status, std::string body);
void send_error(httplib::Response& res, int status, const std::string& code, const std::string& message,
                const std::vector<std::string>* fields = nullptr);
void send_not_found(httplib::Response& res);  // 404 NOT_FOUND "The requested resource does not exist"
// 405 METHOD_NOT_ALLOWED "HTTP Method 'PUT' not allowed. Allowed are GET,HEAD" with its Allow header.
void send_method_not_allowed(httplib::Response& res, const std::string& method, const std::string& allowed);
// The one place an Error (sf_error.h) becomes Salesforce's error body: its http_status (400 when
// unset), errorCode, message, and "fields" when it is a record's error. not_found() keeps the key
// order of send_not_found, as Salesforce writes it.
void send_error(httplib::Response& res, const Error& error);
// 500 UNKNOWN_EXCEPTION in Salesforce's words (an ErrorId, nothing about the cause).
void send_unknown_exception(httplib::Response& res);
// 413 for a body over `max_bytes`: JSON_PARSER_ERROR "Maximum size of request reached. ..."
void send_request_too_large(httplib::Response& res, std::size_t max_bytes);

// Permissions (permissions.cpp). The caller holds db->mutex() for the first two.
// The user's effective access (cached until the next setup write).
std::shared_ptr<const UserAccess> user_access(EmuState& s, const std::string& user_id);
// The SOQL options (visibility hooks) one user's queries run with; query_exec_options() (REST
// query and Bulk query jobs) calls it.
soql::ExecOptions user_query_options(EmuState& s, const std::string& user_id, bool include_deleted);
// Refuses the call (and answers it) when the user is inactive (401) or lacks API Enabled (403
// API_DISABLED_FOR_ORG). Takes the db lock itself.
bool refuse_api_call(EmuState& s, const std::string& user_id, httplib::Response& res);
// SELECT ... FROM UserRecordAccess WHERE UserId = '...' AND RecordId IN (...).
void handle_user_record_access(EmuState& s, ApiCall& call, const soql::Query& query);

// Generates the org (applying options.org_file when set) and the login passwords (load_org.cpp).
Status load_org(EmuState& s);

// Routes (one file each in routes/).
void handle_token(EmuState& s, const httplib::Request& req, httplib::Response& res);
void handle_revoke(EmuState& s, const httplib::Request& req, httplib::Response& res);  // /services/oauth2/revoke
void handle_authorize(EmuState& s, const httplib::Request& req, httplib::Response& res);
// Loads options.jwt_certificate_file into jwt_public_key; errors name the file and the problem.
Status load_jwt_certificate(EmuState& s);
void handle_record_count(EmuState& s, ApiCall& call);
void handle_get_deleted(EmuState& s, ApiCall& call, const Table& table);
void handle_get_updated(EmuState& s, ApiCall& call, const Table& table);
// /emulator/... admin endpoints (emulator-only, not Salesforce), for the session's user: admin.cpp.
void handle_admin(EmuState& s, const httplib::Request& req, httplib::Response& res,
                  const std::vector<std::string>& path, const std::string& user_id);
// Purges the given records (all soft-deleted ones when `ids` is empty); see Emulator::hard_delete.
// With a `caller`, only the records it may delete. Errors: an Id of an object without a recycle
// bin (Organization, User, setup objects): 400 INVALID_TYPE_FOR_OPERATION, nothing purged.
Result<std::size_t> purge_records(EmuState& s, const std::vector<std::string>& ids, const UserAccess* caller);
void handle_identity(EmuState& s, const ApiCall& call, const std::string& org, const std::string& user);
void handle_userinfo(EmuState& s, const ApiCall& call);  // /services/oauth2/userinfo
void handle_versions(EmuState& s, httplib::Response& res);
void handle_resources(EmuState& s, ApiCall& call);
void handle_jobs_resources(EmuState& s, ApiCall& call);  // GET /jobs: ingest, query
void handle_describe_global(EmuState& s, ApiCall& call);
void handle_sobject_info(EmuState& s, ApiCall& call, const Table& table);
void handle_describe(EmuState& s, ApiCall& call, const Table& table);
void handle_limits(EmuState& s, ApiCall& call);
void handle_create(EmuState& s, ApiCall& call, Table& table);
void handle_retrieve(EmuState& s, ApiCall& call, const Table& table, const std::string& id);
void handle_update(EmuState& s, ApiCall& call, Table& table, const std::string& id);
void handle_delete(EmuState& s, ApiCall& call, Table& table, const std::string& id);
// PATCH /sobjects/{Name}/{Field}/{value}: 201 created, 200 (204 before API 46.0) updated, 300 several matches.
void handle_upsert(EmuState& s, ApiCall& call, Table& table, const std::string& field, const std::string& value);
// /composite/sobjects (sObject Collections) and /composite/batch: collections.cpp.
void handle_composite(EmuState& s, ApiCall& call);
void handle_query(EmuState& s, ApiCall& call, bool include_deleted);
void handle_query_more(EmuState& s, ApiCall& call, const std::string& locator_and_offset);
// /jobs/query[/{id}[/results]] (bulk.cpp); `path` is call.path after "jobs".
void handle_bulk_query(EmuState& s, ApiCall& call);
// A Bulk query (a 2.0 query job or a 1.0 query batch) run as the caller with query_exec_options:
// what it matched, or the statement's error, or 400 API_ERROR for the SOQL Bulk refuses although
// REST runs it (aggregates, GROUP BY, OFFSET, child subqueries, compound fields).
Result<std::shared_ptr<const BulkResult>> run_bulk_query(EmuState& s, const ApiCall& call, const std::string& soql,
                                                         bool query_all);
// /jobs/ingest[/{id}[/batches|/successfulResults|/failedResults|/unprocessedrecords]] (bulk_ingest.cpp).
void handle_bulk_ingest(EmuState& s, ApiCall& call);
// Bulk API 1.0 under /services/async/XX.X/ (bulk_async.cpp); call.path is what follows the version.
void handle_async(EmuState& s, ApiCall& call);
// A Bulk API 1.0 error: {exceptionCode, exceptionMessage} as XML (or JSON when the request is JSON).
void send_async_error(const httplib::Request& req, httplib::Response& res, int status, const std::string& code,
                      const std::string& message);
// GET /search?q=FIND {...} (SOSL) and GET/POST /parameterizedSearch: search.cpp.
void handle_search(EmuState& s, ApiCall& call);
void handle_parameterized_search(EmuState& s, ApiCall& call);
// The objects a search without RETURNING looks in, and /tabs lists: the catalog's, Case and the
// org file's custom objects that are searchable and that the user may read. Caller holds the db lock.
std::vector<const Table*> searchable_objects(EmuState& s, const UserAccess& access);
// GET ?ids=&fields= / POST {"ids","fields"} on /composite/sobjects/{SObject}: records in the
// order asked, null for an Id that is malformed, missing, deleted or not visible (retrieve.cpp).
void handle_retrieve_collection(EmuState& s, ApiCall& call, const Table& table);
// "Id, Name,,Industry" -> {"Id", "Name", "Industry"}: the items between separators, trimmed of
// spaces, empty ones dropped (Id and field lists, query strings).
std::vector<std::string> split_trimmed(const std::string& text, char separator);
// The columns of a `fields` list (retrieves): every name must be a field the user may read, else
// 400 INVALID_FIELD "No such column 'X' on sobject of type Y" (a hidden field is as unknown).
Result<std::vector<std::size_t>> readable_columns(const Table& table, const UserAccess& access,
                                                  const std::vector<std::string>& names);
// GET /recent, /tabs and /theme, for the calling user (recent.cpp).
void handle_recent(EmuState& s, ApiCall& call);
void handle_tabs(EmuState& s, ApiCall& call);
void handle_theme(EmuState& s, ApiCall& call);

// The one rule for what a user's SOQL sees (objects, fields, rows): REST query/queryAll and Bulk
// query jobs both execute with these options.
soql::ExecOptions query_exec_options(EmuState& s, const ApiCall& call, bool include_deleted);

// The API versions the emulator serves, oldest first ("20.0" .. "62.0").
const std::vector<std::string>& supported_versions();

}  // namespace crmsync::emulator
