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

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace crmsync::salesforce {

struct ConnectOptions {
  std::string login_url;       // https://login.salesforce.com, https://test.salesforce.com, My Domain, emulator URL
  std::string auth = "password";  // password | client_credentials
  std::string client_id;
  std::string client_secret;
  std::string username;
  std::string password;
  std::string api_version = "62.0";
  bool verify_tls = true;
  long timeout_seconds = 120;
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

  // Logs in with the configured OAuth flow. Errors: kAuth (OAuth refused: invalid_grant and
  // friends, worded for a user), kNetwork (unreachable host, TLS failure), kConfig (bad options).
  static Result<std::unique_ptr<Client>> connect(const ConnectOptions& options);

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
  // GET the nextRecordsUrl of the previous page.
  Result<QueryPage> query_more(std::string_view next_records_url);

  // POST .../sobjects/{object}: returns the new Id.
  Result<std::string> create(std::string_view object, const nlohmann::json& fields);
  // PATCH .../sobjects/{object}/{id}
  Status update(std::string_view object, std::string_view id, const nlohmann::json& fields);
  // DELETE .../sobjects/{object}/{id}
  Status remove(std::string_view object, std::string_view id);

  // Any other REST call, path relative to the instance (e.g. "/services/data/v62.0/limits").
  Result<nlohmann::json> get_json(std::string_view path);
  // A JSON request of any method through the same path as every other call (auth header, limits,
  // error mapping). `body` is sent when not null; a 2xx answer without a body gives null; a non-2xx
  // answer is an Error carrying Salesforce's errorCode and the HTTP status.
  Result<nlohmann::json> request_json(std::string_view method, std::string_view path, const nlohmann::json& body);

  // A request for the APIs with a wire format of their own (Bulk API 2.0's CSV results), through
  // the same session, transport, API-call count, limit tracking and secret redaction as every
  // other call. A JSON body is sent with Content-Type application/json; `headers` ("Name: value")
  // may set Accept (default application/json). Any HTTP status is a response; only network
  // failures are errors (kNetwork). Turn a bad status into an Error with error_for().
  Result<RestResponse> send(std::string_view method, std::string_view path, std::string body = {},
                            std::vector<std::string> headers = {});
  Error error_for(const RestResponse& response, std::string_view what) const;

  LimitInfo limits() const;      // as last reported
  std::int64_t api_calls() const;  // REST requests that got an HTTP answer, errors included (login excluded)

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::salesforce
