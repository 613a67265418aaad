// The client's parsing, without sockets: Sforce-Limit-Info, REST and OAuth error bodies, token
// answers, query pages, redaction.
#include <gtest/gtest.h>

#include "salesforce/client.h"
#include "salesforce/http.h"
#include "salesforce/wire.h"

namespace crmsync::salesforce {
namespace {

// --- Sforce-Limit-Info ---------------------------------------------------------------------------

TEST(LimitInfoTest, ParsesPlainApiUsage) {
  LimitInfo l = parse_limit_info("api-usage=18/5000");
  EXPECT_TRUE(l.known());
  EXPECT_EQ(l.used, 18);
  EXPECT_EQ(l.max, 5000);
}

TEST(LimitInfoTest, IgnoresPerAppUsageBeforeTheOrgWidePart) {
  LimitInfo l = parse_limit_info("per-app-api-usage=17/250(appName=sample-connected-app); api-usage=10018/100000");
  EXPECT_EQ(l.used, 10018);
  EXPECT_EQ(l.max, 100000);
}

TEST(LimitInfoTest, ParsesOrgWidePartFollowedByOthers) {
  LimitInfo l = parse_limit_info("api-usage=25/15000; per-app-api-usage=17/250(appName=x); api-bursts=1/750");
  EXPECT_EQ(l.used, 25);
  EXPECT_EQ(l.max, 15000);
}

TEST(LimitInfoTest, OnlyPerAppUsageIsUnknown) {
  EXPECT_FALSE(parse_limit_info("per-app-api-usage=17/250(appName=x)").known());
}

TEST(LimitInfoTest, GarbageAndEmptyAreUnknown) {
  EXPECT_FALSE(parse_limit_info("").known());
  EXPECT_FALSE(parse_limit_info("api-usage=").known());
  EXPECT_FALSE(parse_limit_info("api-usage=12").known());
  EXPECT_FALSE(parse_limit_info("api-usage=a/b").known());
  EXPECT_FALSE(parse_limit_info("api-usage=99999999999999999999999/1").known());
}

// --- REST error bodies ---------------------------------------------------------------------------

TEST(ErrorFromResponseTest, InvalidSessionIsAuth) {
  Error e = error_from_response(401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])",
                                "query SELECT Id FROM Account");
  EXPECT_EQ(e.kind, ErrorKind::kAuth);
  EXPECT_EQ(e.code, "INVALID_SESSION_ID");
  EXPECT_EQ(e.http_status, 401);
  EXPECT_NE(e.message.find("query SELECT Id FROM Account"), std::string::npos);
  EXPECT_NE(e.message.find("Session expired or invalid."), std::string::npos);
  EXPECT_NE(e.message.find("log in again"), std::string::npos);
}

TEST(ErrorFromResponseTest, RequestLimitExceededIsLimit) {
  Error e = error_from_response(403, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])", "describe Account");
  EXPECT_EQ(e.kind, ErrorKind::kLimit);
  EXPECT_EQ(e.code, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(e.http_status, 403);
}

TEST(ErrorFromResponseTest, NotFoundIsNotFound) {
  Error e = error_from_response(404, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])",
                                "describe Xyzzy__c");
  EXPECT_EQ(e.kind, ErrorKind::kNotFound);
  EXPECT_EQ(e.code, "NOT_FOUND");
  EXPECT_EQ(e.to_string(),
            "NOT_FOUND: describe Xyzzy__c failed (HTTP 404): The requested resource does not exist.");
}

TEST(ErrorFromResponseTest, MalformedQueryIsSalesforceWithMessage) {
  Error e = error_from_response(400, R"([{"message":"unexpected token: q","errorCode":"MALFORMED_QUERY"}])", "query q");
  EXPECT_EQ(e.kind, ErrorKind::kSalesforce);
  EXPECT_EQ(e.code, "MALFORMED_QUERY");
  EXPECT_NE(e.message.find("unexpected token: q"), std::string::npos);
}

TEST(ErrorFromResponseTest, FieldsAreNamedAndExtraErrorsCounted) {
  Error e = error_from_response(
      400,
      R"([{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name"]},
          {"message":"other","errorCode":"FIELD_INTEGRITY_EXCEPTION"}])",
      "create Account");
  EXPECT_EQ(e.code, "REQUIRED_FIELD_MISSING");
  EXPECT_NE(e.message.find("Fields: Name."), std::string::npos);
  EXPECT_NE(e.message.find("(and 1 more errors)"), std::string::npos);
}

TEST(ErrorFromResponseTest, CollectionStatusCodeIsAccepted) {
  Error e = error_from_response(400, R"([{"statusCode":"INVALID_FIELD","message":"bad"}])", "update");
  EXPECT_EQ(e.code, "INVALID_FIELD");
}

TEST(ErrorFromResponseTest, ApiDisabledIsPermission) {
  Error e = error_from_response(403, R"([{"message":"The REST API is not enabled for this Organization.","errorCode":"API_DISABLED_FOR_ORG"}])", "query");
  EXPECT_EQ(e.kind, ErrorKind::kPermission);
}

TEST(ErrorFromResponseTest, OAuthBodyIsAuth) {
  Error e = error_from_response(400, R"({"error":"invalid_grant","error_description":"authentication failure"})", "login");
  EXPECT_EQ(e.kind, ErrorKind::kAuth);
  EXPECT_EQ(e.code, "invalid_grant");
  EXPECT_NE(e.message.find("authentication failure"), std::string::npos);
}

TEST(ErrorFromResponseTest, NonJsonBodyIsMalformedWithExcerpt) {
  Error e = error_from_response(400, "<html><body>Bad gateway</body></html>", "query q");
  EXPECT_EQ(e.kind, ErrorKind::kSalesforce);
  EXPECT_EQ(e.code, "HTTP_400");
  EXPECT_NE(e.message.find("not JSON"), std::string::npos);
  EXPECT_NE(e.message.find("<html><body>Bad gateway"), std::string::npos);
}

TEST(ErrorFromResponseTest, ServerErrorWithoutJsonIsNetworkSoItCanBeRetried) {
  Error e = error_from_response(503, "Service Unavailable", "query q");
  EXPECT_EQ(e.kind, ErrorKind::kNetwork);
  EXPECT_EQ(e.http_status, 503);
}

TEST(ErrorFromResponseTest, TruncatedArrayIsMalformed) {
  Error e = error_from_response(400, R"([{"message":"Session exp)", "query q");
  EXPECT_EQ(e.kind, ErrorKind::kSalesforce);
  EXPECT_NE(e.message.find("malformed or cut off"), std::string::npos);
}

TEST(ErrorFromResponseTest, EmptyBody401IsAuth) {
  Error e = error_from_response(401, "", "query q");
  EXPECT_EQ(e.kind, ErrorKind::kAuth);
  EXPECT_NE(e.message.find("empty body"), std::string::npos);
}

// --- OAuth token answers -------------------------------------------------------------------------

const LoginContext kPasswordLogin{"password", "integration@x", "https://login.salesforce.com/services/oauth2/token"};
const LoginContext kClientCredentialsLogin{"client_credentials", "", "https://acme.my.salesforce.com/services/oauth2/token"};

TEST(TokenResponseTest, SuccessGivesTokenInstanceAndIds) {
  auto t = parse_token_response(200, R"({"access_token":"00Dx0000000BV7z!AR8AQ","instance_url":"https://acme.my.salesforce.com/",
      "id":"https://login.salesforce.com/id/00D50000000IZ3ZEAW/00550000001fg5OAAQ","token_type":"Bearer",
      "issued_at":"1278448832702","signature":"x"})", kPasswordLogin);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->access_token, "00Dx0000000BV7z!AR8AQ");
  EXPECT_EQ(t->instance_url, "https://acme.my.salesforce.com");
  EXPECT_EQ(t->org_id, "00D50000000IZ3ZEAW");
  EXPECT_EQ(t->user_id, "00550000001fg5OAAQ");
}

TEST(TokenResponseTest, InvalidGrantIsWordedForTheUser) {
  auto t = parse_token_response(400, R"({"error":"invalid_grant","error_description":"authentication failure"})",
                                kPasswordLogin);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(t.error().code, "invalid_grant");
  EXPECT_EQ(t.error().http_status, 400);
  EXPECT_EQ(t.error().message,
            "Salesforce refused the login for integration@x (invalid_grant: authentication failure). Check "
            "[salesforce] username and password; if the org requires it, append the user's security token to the "
            "password, and make sure the user is active and allowed to use the connected app.");
}

TEST(TokenResponseTest, InvalidClientIdNamesTheKey) {
  auto t = parse_token_response(400, R"({"error":"invalid_client_id","error_description":"client identifier invalid"})",
                                kPasswordLogin);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::kAuth);
  EXPECT_NE(t.error().message.find("Check [salesforce] client_id"), std::string::npos);
}

TEST(TokenResponseTest, InvalidClientNamesTheSecret) {
  auto t = parse_token_response(401, R"({"error":"invalid_client","error_description":"invalid client credentials"})",
                                kClientCredentialsLogin);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("client_credentials login of the connected app"), std::string::npos);
  EXPECT_NE(t.error().message.find("Check [salesforce] client_secret"), std::string::npos);
}

TEST(TokenResponseTest, UnsupportedGrantTypeForClientCredentialsPointsAtMyDomain) {
  auto t = parse_token_response(400, R"({"error":"unsupported_grant_type","error_description":"grant type not supported"})",
                                kClientCredentialsLogin);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("Client Credentials Flow"), std::string::npos);
  EXPECT_NE(t.error().message.find("My Domain"), std::string::npos);
}

TEST(TokenResponseTest, NonJsonBodyIsMalformed) {
  auto t = parse_token_response(200, "<html>Maintenance</html>", kPasswordLogin);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "MALFORMED_RESPONSE");
  EXPECT_NE(t.error().message.find("not an OAuth JSON answer"), std::string::npos);
  EXPECT_NE(t.error().message.find("login_url"), std::string::npos);
}

TEST(TokenResponseTest, TruncatedJsonIsMalformed) {
  auto t = parse_token_response(200, R"({"access_token":"00Dx!AR8","instance_url":"https://a)", kPasswordLogin);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "MALFORMED_RESPONSE");
  EXPECT_EQ(t.error().message.find("00Dx!AR8"), std::string::npos) << "no token in messages";
}

TEST(TokenResponseTest, MissingIdentityUrlIsMalformed) {
  auto t = parse_token_response(200, R"({"access_token":"tok","instance_url":"https://a"})", kPasswordLogin);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::kSalesforce);
  EXPECT_NE(t.error().message.find("missing or invalid id"), std::string::npos);
}

TEST(IdentityUrlTest, SplitsOrgAndUser) {
  std::string org, user;
  EXPECT_TRUE(split_identity_url("https://login.salesforce.com/id/00D50000000IZ3ZEAW/00550000001fg5OAAQ", org, user));
  EXPECT_EQ(org, "00D50000000IZ3ZEAW");
  EXPECT_EQ(user, "00550000001fg5OAAQ");
  EXPECT_FALSE(split_identity_url("https://login.salesforce.com/id/00D50000000IZ3ZEAW", org, user));
  EXPECT_FALSE(split_identity_url("https://login.salesforce.com/", org, user));
}

// --- query pages ---------------------------------------------------------------------------------

TEST(QueryPageTest, ReadsPagingFieldsAndKeepsBody) {
  std::string body = R"({"totalSize":3222,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01gRO0000016PIAYA2-500",
    "records":[{"attributes":{"type":"Account","url":"/x"},"Id":"001","Name":"A \"quoted\" name","Nested":{"a":[1,2]}}]})";
  auto page = parse_query_page(body, "query q");
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->total_size, 3222);
  EXPECT_FALSE(page->done);
  EXPECT_EQ(page->next_records_url, "/services/data/v62.0/query/01gRO0000016PIAYA2-500");
  EXPECT_EQ(page->body, body);
  EXPECT_GE(page->body.capacity(), page->body.size() + 64);
}

TEST(QueryPageTest, RecordsFirstAndLastPageWithoutUrl) {
  auto page = parse_query_page(R"({"records":[],"done":true,"totalSize":0})", "q");
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_TRUE(page->done);
  EXPECT_EQ(page->total_size, 0);
  EXPECT_TRUE(page->next_records_url.empty());
}

TEST(QueryPageTest, TruncatedBodyIsANetworkError) {
  auto page = parse_query_page(R"({"totalSize":2,"done":true,"records":[{"Id":"001"},{"Id":"0)", "query q");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, ErrorKind::kNetwork);
  EXPECT_EQ(page.error().code, "MALFORMED_RESPONSE");
  EXPECT_NE(page.error().message.find("invalid or cut off"), std::string::npos);
}

TEST(QueryPageTest, TruncatedAfterCompleteRecordIsAnError) {
  auto page = parse_query_page(R"({"totalSize":2,"done":true,"records":[{"Id":"001"},)", "query q");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "MALFORMED_RESPONSE");
  auto page2 = parse_query_page(R"({"totalSize":2,"done":true,"records":[{"Id":"001"}])", "query q");
  ASSERT_FALSE(page2.ok());
}

TEST(QueryPageTest, NotJsonIsAnError) {
  auto page = parse_query_page("<html>oops</html>", "query q");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "MALFORMED_RESPONSE");
}

TEST(QueryPageTest, TrailingContentIsAnError) {
  auto page = parse_query_page(R"({"totalSize":0,"done":true,"records":[]} {"x":1})", "q");
  ASSERT_FALSE(page.ok());
}

TEST(QueryPageTest, MissingFieldsOrInconsistentPagingAreSalesforceErrors) {
  auto a = parse_query_page(R"({"done":true,"records":[]})", "q");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::kSalesforce);
  auto b = parse_query_page(R"({"totalSize":5,"done":false,"records":[]})", "q");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("no nextRecordsUrl"), std::string::npos);
  auto c = parse_query_page(R"([1,2])", "q");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kSalesforce);
}

// --- helpers -------------------------------------------------------------------------------------

TEST(RedactTest, RemovesSecretsPlainAndPercentEncoded) {
  std::string out = redact("pw=s3cr&t! enc=s3cr%26t%21 tok=ABC", {"s3cr&t!", "ABC", ""});
  EXPECT_EQ(out, "pw=<redacted> enc=<redacted> tok=<redacted>");
}

TEST(LoopbackTest, RecognisesLoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.evil.com"));
  EXPECT_FALSE(is_loopback_host("login.salesforce.com"));
  EXPECT_FALSE(is_loopback_host(""));
  EXPECT_EQ(url_host("http://[::1]:8787/x"), "::1");
  EXPECT_EQ(url_host("https://127.0.0.1:8443"), "127.0.0.1");
  EXPECT_EQ(url_host("https://login.salesforce.com/services"), "login.salesforce.com");
}

TEST(ConnectTest, UnsupportedAuthIsAConfigErrorNamingTheKey) {
  auto c = Client::connect({.login_url = "https://login.salesforce.com", .auth = "saml", .client_id = "id",
                            .client_secret = "secret"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kConfig);
  EXPECT_NE(c.error().message.find("[salesforce] auth"), std::string::npos);
  EXPECT_NE(c.error().message.find("\"password\", \"client_credentials\", \"jwt\" or \"refresh_token\""),
            std::string::npos);
}

TEST(ConnectTest, EachFlowNamesWhatItLacks) {
  auto jwt = Client::connect({.login_url = "https://login.salesforce.com", .auth = "jwt", .client_id = "id"});
  ASSERT_FALSE(jwt.ok());
  EXPECT_EQ(jwt.error().message, "[salesforce] username, private_key_file must be set for auth = \"jwt\".");
  auto refresh = Client::connect({.login_url = "https://login.salesforce.com", .auth = "refresh_token", .client_id = "id"});
  ASSERT_FALSE(refresh.ok());
  EXPECT_EQ(refresh.error().message,
            "[salesforce] refresh_token (or refresh_token_file) must be set for auth = \"refresh_token\".");
  auto both = Client::connect({.login_url = "https://login.salesforce.com", .auth = "refresh_token", .client_id = "id",
                               .refresh_token = "5Aep861x", .refresh_token_file = "/rt"});
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("refresh_token and refresh_token_file are both set"), std::string::npos);
  EXPECT_EQ(both.error().message.find("5Aep861x"), std::string::npos);
}

TEST(ConnectTest, VerifyTlsOffIsRefusedForARemoteHost) {
  auto c = Client::connect({.login_url = "https://login.salesforce.com", .auth = "password", .client_id = "id",
                            .client_secret = "secret", .username = "u", .password = "p", .verify_tls = false});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kConfig);
  EXPECT_NE(c.error().message.find("verify_tls = false is only allowed for a loopback"), std::string::npos);
}

TEST(ConnectTest, MissingCredentialsAreNamed) {
  auto c = Client::connect({.login_url = "https://login.salesforce.com", .auth = "password", .client_id = "id"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kConfig);
  EXPECT_NE(c.error().message.find("client_secret, username, password"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::salesforce

namespace crmsync::salesforce {
namespace {

// --- the web-server flow (people signing in to crmsync serve) -----------------------------------

TEST(WebServerFlowTest, AuthorizeUrlAsksForACodeWithStateAndChallenge) {
  EXPECT_EQ(authorize_url("https://acme.my.salesforce.com/", "3MVG9 app", "https://deals.acme.example/auth/callback",
                          "st/ate", "E9Mel-cM"),
            "https://acme.my.salesforce.com/services/oauth2/authorize?response_type=code&client_id=3MVG9%20app"
            "&redirect_uri=https%3A%2F%2Fdeals.acme.example%2Fauth%2Fcallback&state=st%2Fate&code_challenge=E9Mel-cM"
            "&code_challenge_method=S256&scope=api%20refresh_token%20openid");
}

TEST(WebServerFlowTest, RefusedCodesAndRenewalsSayToSignInAgain) {
  const LoginContext code{"authorization_code", "", "https://login.salesforce.com/services/oauth2/token"};
  auto t = parse_token_response(400, R"({"error":"invalid_grant","error_description":"invalid code verifier"})", code);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message,
            "Salesforce refused the sign-in (the web-server flow's code) (invalid_grant: invalid code verifier). The "
            "sign-in code expired, was already used, or does not match its PKCE verifier or redirect_uri; sign in "
            "again (and check that the connected app's Callback URL is [serve] public_url + /auth/callback).");
  const LoginContext renew{"session_refresh", "", "https://login.salesforce.com/services/oauth2/token"};
  auto r = parse_token_response(400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})",
                                renew);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("can no longer be renewed"), std::string::npos) << r.error().message;
  auto c = parse_token_response(400, R"({"error":"invalid_client","error_description":"invalid client credentials"})",
                                code);
  EXPECT_NE(c.error().message.find("Check [serve] client_id and client_secret"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::salesforce
