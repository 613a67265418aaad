// The Salesforce REST client, on libcurl: OAuth 2.0 login, describe, query/queryAll with
// nextRecordsUrl paging, sObject create/update/delete, typed errors carrying Salesforce's errorCode,
// and Sforce-Limit-Info tracking. One Client is one logged-in session; it is not thread-safe (use
// one per thread).
//
//   auto client = Client::connect({.login_url = "https://login.salesforce.com", .auth = "password", ...});
//   if (!client) return fail(client.error());             // invalid_grant etc. in words
//   auto page = (*client)->query("SELECT Id FROM Account", /*include_deleted=*/true);
//   while (page && !page->done) page = (*client)->query_more(page->next_records_url);
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/timeutil.h"

namespace crmsync::salesforce {

// A request about to be sent again (ConnectOptions::on_retry): what failed and how long the client
// waits. Never holds a secret: the URL is masked and cut at its query string.
struct RetryNotice {
  std::string method;
  std::string url;          // without its query string, credentials masked
  int attempt = 0;          // the attempt that failed, from 1
  int max_attempts = 0;     // 1 + max_retries
  std::chrono::milliseconds wait{0};
  std::string reason;       // "HTTP 503", "CONNECTION_REFUSED", ...
};

struct ConnectOptions {
  std::string login_url;       // https://login.salesforce.com, https://test.salesforce.com, My Domain, emulator URL
  // password | client_credentials | jwt | refresh_token, or authorization_code: a person who signed in
  // through the web-server flow (crmsync serve); the code is traded once, and later logins use the
  // refresh token the answer carried.
  std::string auth = "password";
  std::string client_id;          // every flow: the connected app's consumer key
  std::string client_secret;      // password, client_credentials; optional for refresh_token and authorization_code
  std::string username;           // password, jwt (the JWT's sub)
  std::string password;           // password (with the security token appended where needed)
  std::string private_key_file;   // jwt: PEM RSA private key whose certificate the connected app has
  std::string refresh_token;      // refresh_token: the token itself, or
  std::string refresh_token_file; // refresh_token: a file holding it; rotated tokens are written back (0600)
  // authorization_code: the code the authorization endpoint sent to redirect_uri, the redirect_uri
  // itself (as sent there) and the PKCE code_verifier whose challenge was sent (empty: no PKCE).
  std::string authorization_code;
  std::string redirect_uri;
  std::string code_verifier;
  std::string api_version = "62.0";
  bool verify_tls = true;
  // Time bounds: connecting; one attempt of a request, its whole answer included; an attempt whose
  // transfer stays below low_speed_bytes_per_second for low_speed_seconds is given up (0 = never;
  // waiting for the first byte counts, so keep it above Salesforce's 120-s query time); and one
  // request with all its retries and their waits (no attempt starts after it; 0 = none). A timeout
  // is retried like a dropped connection while the deadline allows.
  long request_timeout_seconds = 120;
  long connect_timeout_seconds = 30;
  long low_speed_bytes_per_second = 1024;
  long low_speed_seconds = 0;
  long request_deadline_seconds = 300;
  // The largest answer body, counted as it arrives (after gzip is undone): JSON answers (query
  // pages, describe, composite, ...) and Bulk API CSV results pages. A larger one is stopped there
  // and is a kLimit RESPONSE_TOO_LARGE error, not retried.
  std::size_t max_response_bytes = std::size_t{64} << 20;
  std::size_t max_bulk_results_bytes = std::size_t{256} << 20;
  // Retries (see retry.h for what is retried): at most max_retries repeats of one request, the
  // first after retry_base_ms (jittered, doubling each time).
  int max_retries = 5;
  long retry_base_ms = 500;
  // How the client waits between attempts; empty = sleep. Tests record the waits instead.
  std::function<void(std::chrono::milliseconds)> retry_sleep;
  // Told before each retry's wait (the CLI's progress line); every retry is logged at info anyway.
  std::function<void(const RetryNotice&)> on_retry;
  // The quota guard (quota.h), consulted before every request, retries included: refuse once the
  // org has used quota_daily_share of its daily API requests (Sforce-Limit-Info), once this client
  // (one run) has used quota_run_share of that daily maximum, or after max_api_calls requests
  // (0 = no bound). A refusal is Error{kLimit, "QUOTA_GUARD", "paused until quota recovers: ..."}.
  double quota_daily_share = 0.80;
  double quota_run_share = 0.25;
  std::int64_t max_api_calls = 0;
};

// The org's API usage as last reported by Sforce-Limit-Info ("api-usage=18/5000").
struct LimitInfo {
  std::int64_t used = -1;
  std::int64_t max = -1;
  bool known() const { return max >= 0; }
};

// One page of a query: the raw JSON body (parsed by the caller, which knows the fields) and the
// paging fields. query()/query_more() have already checked that the body is one complete JSON
// object with totalSize, done and a records array (a cut-off body is a kNetwork MALFORMED_RESPONSE
// error), so the caller only reads records. The body's capacity is at least
// body.size() + simdjson::SIMDJSON_PADDING, so it can be parsed in place without a copy:
//   simdjson::padded_string_view json(page.body.data(), page.body.size(), page.body.capacity());
struct QueryPage {
  std::int64_t total_size = 0;
  bool done = true;
  std::string next_records_url;  // empty when done
  std::string body;              // the whole response body: {"totalSize":..,"done":..,"records":[..]}
};

// A query page's "records" array (salesforce/page_records.h), handed to a RecordsReader.
struct PageRecords;
// Reads a page's records in the pass that checks the page, so a page is parsed once. It may be
// called again for the same page (a retried request): start afresh each call. A kNetwork error
// from it (JSON cut off) is retried like a cut-off body; any other error ends the call.
using RecordsReader = std::function<Status(PageRecords& records)>;

// GET /sobjects/{Name}/deleted/: records deleted in [start, end] (Salesforce keeps 15 days).
struct DeletedRecord {
  std::string id;
  EpochMs deleted_date = 0;
};
struct DeletedRecords {
  std::vector<DeletedRecord> records;  // deletedRecords
  EpochMs earliest_date_available = 0;  // the last physically purged delete; 0 when absent
  EpochMs latest_date_covered = 0;      // start the next call here; 0 when absent
};

// GET /sobjects/{Name}/updated/: ids changed in [start, end] (30 days, by SystemModstamp).
struct UpdatedRecords {
  std::vector<std::string> ids;
  EpochMs latest_date_covered = 0;
};

// GET /limits/recordCount: Salesforce's (approximate, periodically refreshed) row count.
struct RecordCount {
  std::string name;
  std::int64_t count = 0;
};

// One subrequest of POST /composite. `url` is a path on the instance
// ("/services/data/v62.0/sobjects/Account/describe"); Client::describe_path() and friends build them.
struct CompositeSubrequest {
  std::string reference_id;  // letters, digits and underscores, starting with a letter
  std::string method = "GET";
  std::string url;
  nlohmann::json body;       // null: none
  std::vector<std::pair<std::string, std::string>> headers;  // the subrequest's httpHeaders
};

// One subrequest's answer, in request order.
struct CompositeResult {
  std::string reference_id;
  int http_status = 0;
  nlohmann::json body;  // the resource's answer, or Salesforce's error array
  nlohmann::json headers = nlohmann::json::object();
  bool ok() const { return http_status >= 200 && http_status < 300; }
};

// Salesforce's limits on one POST /composite: 25 subrequests, of which at most 5 query operations
// (query, queryAll, queryMore) or sObject Collections.
inline constexpr std::size_t kCompositeMaxSubrequests = 25;
inline constexpr std::size_t kCompositeMaxQueries = 5;

// The OAuth 2.0 web-server flow's first leg (people signing in to crmsync serve): the URL of
// <login_url>/services/oauth2/authorize a browser is sent to, asking for a code (response_type=code)
// for `client_id`, sent back to `redirect_uri` with `state`, with a PKCE S256 `code_challenge`
// and the scopes api, refresh_token and openid. Then Client::connect with auth = "authorization_code".
std::string authorize_url(std::string_view login_url, std::string_view client_id, std::string_view redirect_uri,
                          std::string_view state, std::string_view code_challenge);
// The PKCE S256 challenge of a verifier is common/text.h's pkce_challenge.

// Parses "api-usage=18/5000; per-app-api-usage=..." into LimitInfo; unknown on no match.
LimitInfo parse_limit_info(std::string_view header);

// Turns a Salesforce error response into an Error: REST bodies are arrays of
// {"message","errorCode","fields"}; OAuth bodies are {"error","error_description"}.
Error error_from_response(int http_status, std::string_view body, std::string_view what);

// An HTTP answer of Client::send, whatever its status.
struct RestResponse {
  long status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(std::string_view name) const;  // case-insensitive; empty when absent
};

class Client {
 public:
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Logs in with the configured OAuth flow: password; client_credentials (HTTP Basic); jwt (an
  // RS256 assertion signed with private_key_file, aud by login URL, see auth.h); refresh_token
  // (when the server rotates the token, the new one replaces the old in memory and, atomically with
  // mode 0600, in refresh_token_file; every Client of the process started from the same token or
  // file shares it, their logins taking turns, so several sessions never spend each other's
  // token); authorization_code (a person who signed in through the web-server flow: the code is
  // traded once, with its PKCE code_verifier, and the session is then renewed with the refresh token
  // that answer carried, held by this Client only). Credentials and tokens travel only over https, or plain http to this machine (a local
  // emulator: 127.0.0.0/8, ::1, localhost): a login_url with http:// to another host is refused
  // before anything is sent (kConfig INSECURE_LOGIN_URL), and so is a login that answers with such
  // an instance_url (kSalesforce INSECURE_INSTANCE_URL), before the session token is used, on every
  // login again as on the first. Errors: kAuth (OAuth refused: invalid_grant and friends,
  // worded for a user), kNetwork (unreachable host, TLS failure), kConfig (bad options, unreadable
  // key or token file). No error ever quotes a secret: passwords, client secrets, private keys,
  // assertions, refresh and access tokens are redacted.
  static Result<std::unique_ptr<Client>> connect(const ConnectOptions& options);

  // Ends the session at Salesforce: POST <login_url>/services/oauth2/revoke with the refresh token
  // (which revokes the access tokens issued from it too), or the access token when there is none.
  // A token Salesforce no longer knows (invalid_token) is no error: it is revoked either way.
  Status revoke();

  const std::string& instance_url() const;
  const std::string& api_version() const;
  const std::string& user_id() const;  // from the identity URL in the token response
  const std::string& org_id() const;

  // GET /services/data/vXX.X/sobjects/
  Result<nlohmann::json> describe_global();
  // GET /services/data/vXX.X/sobjects/{object}/describe
  Result<nlohmann::json> describe(std::string_view object);
  // GET .../query?q= (or queryAll when include_deleted); batch_size 0 = server default, otherwise
  // sent as Sforce-Query-Options: batchSize=N (Salesforce takes 200..2000 as a hint) and repeated
  // on the query_more calls that follow. Errors: kAuth (INVALID_SESSION_ID), kLimit
  // (REQUEST_LIMIT_EXCEEDED), kPermission, kNotFound, kSalesforce (MALFORMED_QUERY, INVALID_FIELD,
  // ...), kNetwork (unreachable, timeout, cut-off or non-JSON body, 5xx without a Salesforce body).
  Result<QueryPage> query(std::string_view soql, bool include_deleted, int batch_size = 0);
  // GET the nextRecordsUrl of the previous page; batch_size -1 = as the last query() asked.
  Result<QueryPage> query_more(std::string_view next_records_url, int batch_size = -1);
  // The same, with the records read by `reader` while the page is checked; the page's body is
  // then left empty (the reader took what it needed).
  Result<QueryPage> query(std::string_view soql, bool include_deleted, int batch_size, const RecordsReader& reader);
  Result<QueryPage> query_more(std::string_view next_records_url, const RecordsReader& reader, int batch_size = -1);
  // The next query page read ahead (send_ahead() below, with its rules): GET next_records_url with
  // this query's batch size, one attempt, no retries on the thread. Meant to be called from a
  // RecordsReader with PageRecords::next_records_url, before the records are read; asked again for
  // the same URL (a retried page) it does nothing, asked for another it drops the pending one.
  //
  //   client.read_ahead(records.next_records_url);          // in page N's RecordsReader
  //   auto page = client.take_read_ahead(url, reader);       // page N+1
  //   if (!page) page = client.query_more(url, reader);      // (after the caller's quota check)
  Status read_ahead(std::string_view next_records_url);
  // take_ahead() for a page from read_ahead(), its records read by `reader` as query_more() would.
  // nullopt when none is ahead for that URL (one for another URL is dropped) or it failed in any
  // way (no answer, a 5xx, 401 INVALID_SESSION_ID, a cut-off body): then fetch the page with
  // query_more(), whose retries, new login and errors are a synchronous fetch's.
  std::optional<QueryPage> take_read_ahead(std::string_view next_records_url, const RecordsReader& reader);

  // GET .../sobjects/{object}/deleted/?start=&end= (and /updated/). start and end are sent as
  // UTC seconds (Salesforce truncates to the minute); start must precede end by more than a
  // minute. Errors beyond the usual: INVALID_REPLICATION_DATE (start not before end, or before the
  // object's earliestDateAvailable: re-read the object instead), EXCEEDED_ID_LIMIT (more than
  // 600,000 ids: split the window), kSalesforce MALFORMED_RESPONSE (a body without those fields).
  Result<DeletedRecords> get_deleted(std::string_view object, EpochMs start, EpochMs end);
  Result<UpdatedRecords> get_updated(std::string_view object, EpochMs start, EpochMs end);
  // GET .../limits/recordCount?sObjects=A,B: one entry per object Salesforce reports (objects it
  // has no count for are absent).
  Result<std::vector<RecordCount>> record_count(const std::vector<std::string>& objects);

  // POST .../sobjects/{object}: returns the new Id.
  Result<std::string> create(std::string_view object, const nlohmann::json& fields);
  // PATCH .../sobjects/{object}/{id}
  Status update(std::string_view object, std::string_view id, const nlohmann::json& fields);
  // DELETE .../sobjects/{object}/{id}
  Status remove(std::string_view object, std::string_view id);

  // POST .../composite: up to 25 subrequests run by Salesforce as this user in one API call
  // ("the entire series of requests counts as a single call toward your API limits"). A failed
  // subrequest is not an error of the call: its result carries the status and Salesforce's error
  // body (turn it into an Error with composite_error()). A request made only of GETs is retried like
  // any GET (nothing it does can happen twice); one with writes only when nothing was sent.
  // Errors: kInternal when the subrequests pass Salesforce's limits (kCompositeMax*), the usual
  // errors of a call, kNetwork MALFORMED_RESPONSE when the answer lacks a compositeResponse entry
  // per subrequest.
  Result<std::vector<CompositeResult>> composite(const std::vector<CompositeSubrequest>& subrequests,
                                                 bool all_or_none = false);
  // The paths composite subrequests (and the calls above) use.
  std::string describe_path(std::string_view object) const;
  std::string query_path(std::string_view soql, bool include_deleted) const;
  std::string get_deleted_path(std::string_view object, EpochMs start, EpochMs end) const;
  // A composite subrequest's answer as the call of its own would give it. `what` names the request
  // in errors ("describe Account").
  static Error composite_error(const CompositeResult& result, std::string_view what);
  static Result<QueryPage> composite_query_page(const CompositeResult& result, std::string_view what);
  static Result<DeletedRecords> composite_deleted(const CompositeResult& result, std::string_view what);

  // Any other REST call, path relative to the instance (e.g. "/services/data/v62.0/limits").
  Result<nlohmann::json> get_json(std::string_view path);
  // A JSON request of any method through the same path as every other call (auth header, limits,
  // error mapping). `body` is sent when not null; a 2xx answer without a body gives null; a non-2xx
  // answer is an Error carrying Salesforce's errorCode and the HTTP status.
  Result<nlohmann::json> request_json(std::string_view method, std::string_view path, const nlohmann::json& body);

  // A request for the APIs with a wire format of their own (Bulk API 2.0's CSV results). It takes
  // the one request path every call of this class takes: the bearer token, the quota guard
  // (quota.h) before every attempt, retries (retry.h: a POST only when nothing was sent), one new
  // login when Salesforce answers 401 INVALID_SESSION_ID (a second one is a kAuth error naming the
  // fix), the API-call count (every attempt that reached Salesforce), Sforce-Limit-Info, secret
  // redaction. A JSON body is sent with Content-Type application/json; `headers` ("Name: value")
  // may set Accept (default application/json). Any other HTTP status is a response; turn a bad one
  // into an Error with error_for() (which also says how many attempts were made).
  Result<RestResponse> send(std::string_view method, std::string_view path, std::string body = {},
                            std::vector<std::string> headers = {});
  Error error_for(const RestResponse& response, std::string_view what) const;

  // Read-ahead, the one mechanism for both (query pages: read_ahead(); Bulk API results pages):
  // send_ahead() starts a request on the client's second connection, on a thread of its own, and
  // returns at once; take_ahead() waits for it and gives its answer as send() would have (same
  // retries, same errors). At most one request is ahead at a time (another send_ahead() is
  // AHEAD_PENDING); query() and query_more() drop it.
  //  - Quota: the guard is asked before it is sent (a refusal is returned and nothing is sent) and,
  //    on the thread, against a copy of the guard as it was then, before each retry.
  //  - Counting: its first attempt counts as one API call from the moment it is sent, answered or
  //    not, used or not, so every later quota check sees it; its retries that got an answer join
  //    api_calls() and the guard when it is taken or dropped.
  //  - Failures: a 401 INVALID_SESSION_ID answer is not retried on the thread: take_ahead() sends
  //    the request again through send(), which logs in again.
  // While a request is ahead, the client may be used (by the one thread that owns it) as usual; the
  // destructor waits for a request still ahead.
  Status send_ahead(std::string_view method, std::string_view path, std::vector<std::string> headers = {});
  bool has_ahead() const;
  Result<RestResponse> take_ahead();
  void drop_ahead();  // waits for the request ahead, counts it, forgets its answer

  LimitInfo limits() const;      // as last reported
  // What the quota guard says about one more request now (ok, or the QUOTA_GUARD error): lets a
  // caller stop between objects rather than mid-way.
  Status check_quota() const;
  // Attempts that got an HTTP answer, errors and retries included (logins excluded: the token
  // endpoint does not count against the API request limit).
  std::int64_t api_calls() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::salesforce
