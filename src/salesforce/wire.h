// Parsing of what Salesforce sends back, kept apart from the HTTP calls so it can be tested without
// sockets: OAuth token answers and their errors, query pages, secret redaction. Internal to
// src/salesforce (the public parts are parse_limit_info and error_from_response in client.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "salesforce/client.h"

namespace crmsync::salesforce {

// What a successful token answer gives us.
struct TokenResponse {
  std::string access_token;
  std::string instance_url;  // without a trailing slash
  std::string identity_url;
  std::string org_id;
  std::string user_id;
  std::string refresh_token;  // only when the server issues (or rotates) one
};

// Who was logging in, for wording errors (never holds a secret).
struct LoginContext {
  // password | client_credentials | jwt | refresh_token, or for a person signed in through the
  // web-server flow: authorization_code (trading the code), session_refresh (renewing the session)
  std::string auth;
  std::string username;   // password and jwt; empty otherwise
  std::string token_url;  // <login_url>/services/oauth2/token
};

// Parses an answer of POST /services/oauth2/token: 200 with access_token/instance_url/id, or an
// OAuth error ({"error","error_description"}) turned into kAuth words with the fix.
Result<TokenResponse> parse_token_response(long http_status, std::string_view body, const LoginContext& who);

// "https://login.salesforce.com/id/00D.../005..." -> org and user ids; false when not that shape.
bool split_identity_url(std::string_view identity_url, std::string& org_id, std::string& user_id);

// Extracts totalSize/done/nextRecordsUrl from a query answer without building a DOM, and checks the
// body is one complete JSON object whose "records" is an array. Moves the body into the page; its
// capacity is left at least body.size() + simdjson::SIMDJSON_PADDING so the caller can parse it in
// place with simdjson::padded_string_view(body.data(), body.size(), body.capacity()).
// With a reader, the records array is handed to it instead of being stepped over, and the page's
// body is left empty.
Result<QueryPage> parse_query_page(std::string body, std::string_view what, const RecordsReader* reader = nullptr);

// Replaces every occurrence of each non-empty secret with "<redacted>".
std::string redact(std::string text, const std::vector<std::string>& secrets);
void redact(Error& error, const std::vector<std::string>& secrets);

// At most `max` bytes of a body for an error message, on one line.
std::string body_excerpt(std::string_view body, std::size_t max = 200);

}  // namespace crmsync::salesforce
