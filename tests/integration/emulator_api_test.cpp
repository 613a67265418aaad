// The emulator's wider API surface over loopback: OAuth (JWT bearer, web-server code, refresh
// tokens with and without rotation, client credentials run-as user, token expiry), limits and the
// daily API counter, getDeleted/getUpdated with hard deletes, and every fault kind as a raw HTTP
// client sees it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "common/text.h"
#include "common/timeutil.h"
#include "emulator/emulator.h"
#include "emulator_http.h"
#include "test_support.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
const std::string kData = "/services/data/v60.0";
const std::string kJwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const std::string kAuthError = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])";

std::unique_ptr<Emulator> start(EmulatorOptions o) {
  o.port = 0;
  if (o.org.scale == 100) o.org.scale = 20;
  auto emu = std::make_unique<Emulator>(o);
  auto s = emu->start();
  if (!s) throw std::runtime_error(s.error().to_string());
  return emu;
}

httplib::Client client(Emulator& emu) { return crmsync::testing::loopback_client(emu.port()); }

json token(Emulator& emu, const httplib::Params& params, int expected_status = 200) {
  auto r = client(emu).Post("/services/oauth2/token", params);
  EXPECT_TRUE(r) << "no answer";
  if (!r) return json();
  EXPECT_EQ(r->status, expected_status) << r->body;
  return json::parse(r->body);
}

std::string password_login(Emulator& emu, const std::string& user = "integration@crmsync.test",
                           const std::string& pass = "integration-pass") {
  return token(emu, crmsync::testing::password_grant(user, pass))["access_token"];
}

httplib::Result api_get(Emulator& emu, const std::string& access, const std::string& path) {
  return client(emu).Get((kData + path).c_str(), {{"Authorization", "Bearer " + access}});
}

// ---- JWT ----------------------------------------------------------------------------------------

struct KeyPair {
  EVP_PKEY* key = nullptr;
  ~KeyPair() { EVP_PKEY_free(key); }
};

// A fresh RSA key and a self-signed certificate for it, written as PEM to `cert_path`.
void make_key_and_cert(KeyPair& kp, const std::string& cert_path) {
  kp.key = EVP_RSA_gen(2048);
  ASSERT_NE(kp.key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, kp.key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("crmsync-test"), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  ASSERT_GT(X509_sign(cert, kp.key, EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert);
  std::fclose(f);
  X509_free(cert);
}

std::string base64url(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string sign_jwt(EVP_PKEY* key, const json& claims) {
  std::string signed_part = base64url(R"({"alg":"RS256"})") + "." + base64url(claims.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return signed_part + "." + base64url(sig);
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    make_key_and_cert(key_, dir_.file("app.crt"));
    EmulatorOptions o;
    o.jwt_certificate_file = dir_.file("app.crt");
    emu_ = start(o);
  }
  json claims(std::int64_t exp_offset = 120) const {
    return {{"iss", "crmsync-local"},
            {"sub", "integration@crmsync.test"},
            {"aud", "https://login.salesforce.com"},
            {"exp", now_ms() / 1000 + exp_offset}};
  }
  json grant(const std::string& assertion, int status) {
    return token(*emu_, {{"grant_type", kJwtGrant}, {"assertion", assertion}}, status);
  }

  testing::TempDir dir_;
  KeyPair key_;
  std::unique_ptr<Emulator> emu_;
};

TEST_F(JwtTest, SignedAssertionGetsAWorkingTokenWithoutRefreshToken) {
  for (const std::string& aud :
       std::vector<std::string>{"https://login.salesforce.com", "https://test.salesforce.com", emu_->base_url()}) {
    json c = claims();
    c["aud"] = aud;
    c["exp"] = std::to_string(c["exp"].get<std::int64_t>());  // simple-salesforce sends a string
    json body = grant(sign_jwt(key_.key, c), 200);
    EXPECT_FALSE(body.contains("refresh_token"));
    EXPECT_EQ(body["instance_url"], emu_->base_url());
    auto r = api_get(*emu_, body["access_token"], "/limits");
    EXPECT_EQ(r->status, 200) << aud;
  }
}

TEST_F(JwtTest, EachBadClaimIsRefusedWithSalesforcesWords) {
  KeyPair other;
  testing::TempDir other_dir;
  make_key_and_cert(other, other_dir.file("other.crt"));
  auto with = [&](const char* key, json value) {
    json c = claims();
    if (value.is_null()) {
      c.erase(key);
    } else {
      c[key] = value;
    }
    return sign_jwt(key_.key, c);
  };
  const std::int64_t now = now_ms() / 1000;
  const std::vector<std::pair<std::string, json>> cases = {
      {with("iss", "someone-else"), {{"error", "invalid_client_id"}, {"error_description", "client identifier invalid"}}},
      {sign_jwt(other.key, claims()), {{"error", "invalid_grant"}, {"error_description", "invalid assertion"}}},
      {"not-a-jwt", {{"error", "invalid_grant"}, {"error_description", "invalid assertion"}}},
      {with("aud", "https://example.com"), {{"error", "invalid_grant"}, {"error_description", "audience is invalid"}}},
      {with("exp", now - 10), {{"error", "invalid_grant"}, {"error_description", "expired authorization code"}}},
      {with("exp", now + 600), {{"error", "invalid_grant"}, {"error_description", "expired authorization code"}}},
      {with("exp", nullptr), {{"error", "invalid_grant"}, {"error_description", "expired authorization code"}}},
      {with("sub", "nobody@crmsync.test"),
       {{"error", "invalid_grant"}, {"error_description", "user hasn't approved this consumer"}}},
  };
  for (const auto& [assertion, expected] : cases) EXPECT_EQ(grant(assertion, 400), expected) << expected.dump();
}

TEST(JwtWithoutCertificateTest, EveryAssertionIsRefused) {
  auto emu = start({});
  KeyPair kp;
  testing::TempDir dir;
  make_key_and_cert(kp, dir.file("c.crt"));
  json c = {{"iss", "crmsync-local"}, {"sub", "integration@crmsync.test"}, {"aud", "https://login.salesforce.com"},
            {"exp", now_ms() / 1000 + 60}};
  json body = token(*emu, {{"grant_type", kJwtGrant}, {"assertion", sign_jwt(kp.key, c)}}, 400);
  EXPECT_EQ(body["error"], "invalid_grant");
}

TEST(JwtWithoutCertificateTest, AnUnreadableCertificateStopsStart) {
  EmulatorOptions o;
  o.port = 0;
  o.jwt_certificate_file = "/nonexistent/app.crt";
  Emulator emu(o);
  auto s = emu.start();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("/nonexistent/app.crt"), std::string::npos);
}

// ---- web-server flow, refresh tokens, client credentials --------------------------------------

std::string query_param(const std::string& url, const std::string& name) {
  auto q = url.find('?');
  std::string rest = q == std::string::npos ? "" : url.substr(q + 1);
  std::size_t start = 0;
  while (start < rest.size()) {
    std::size_t amp = std::min(rest.find('&', start), rest.size());
    std::string pair = rest.substr(start, amp - start);
    if (pair.rfind(name + "=", 0) == 0) return url_decode(pair.substr(name.size() + 1));
    start = amp + 1;
  }
  return "";
}

TEST(OAuthFlowTest, WebServerFlowIssuesARefreshTokenThatKeepsWorkingWithoutRotation) {
  auto emu = start({});
  const std::string redirect = "http://localhost:1717/OauthRedirect";
  const std::string query = "/services/oauth2/authorize?response_type=code&client_id=crmsync-local&redirect_uri=" +
                            url_encode(redirect) + "&state=s%201";
  auto form = client(*emu).Get(query.c_str());
  ASSERT_EQ(form->status, 200);
  EXPECT_NE(form->body.find("<form method=\"POST\""), std::string::npos);
  EXPECT_NE(form->body.find("name=\"password\""), std::string::npos);

  httplib::Params login = {{"response_type", "code"}, {"client_id", "crmsync-local"}, {"redirect_uri", redirect},
                           {"state", "s 1"}, {"username", "integration@crmsync.test"}, {"password", "wrong"}};
  auto refused = client(*emu).Post("/services/oauth2/authorize", login);
  EXPECT_EQ(refused->status, 200);
  EXPECT_NE(refused->body.find("Please check your username and password"), std::string::npos);

  login.erase("password");
  login.emplace("password", "integration-pass");
  auto redirected = client(*emu).Post("/services/oauth2/authorize", login);
  ASSERT_EQ(redirected->status, 302);
  const std::string location = redirected->get_header_value("Location");
  EXPECT_EQ(location.rfind(redirect + "?code=", 0), 0u) << location;
  EXPECT_EQ(query_param(location, "state"), "s 1");
  const std::string code = query_param(location, "code");

  httplib::Params exchange = {{"grant_type", "authorization_code"}, {"code", code}, {"client_id", "crmsync-local"},
                              {"client_secret", "crmsync-local-secret"}, {"redirect_uri", redirect}};
  json first = token(*emu, exchange);
  ASSERT_TRUE(first.contains("refresh_token"));
  EXPECT_EQ(api_get(*emu, first["access_token"], "/limits")->status, 200);
  EXPECT_EQ(token(*emu, exchange, 400)["error"], "invalid_grant");  // a code works once

  const httplib::Params refresh = {{"grant_type", "refresh_token"}, {"refresh_token", first["refresh_token"]},
                                   {"client_id", "crmsync-local"}, {"client_secret", "crmsync-local-secret"}};
  for (int i = 0; i < 2; ++i) {
    json renewed = token(*emu, refresh);
    EXPECT_FALSE(renewed.contains("refresh_token"));
    EXPECT_NE(renewed["access_token"], first["access_token"]);
    EXPECT_EQ(api_get(*emu, renewed["access_token"], "/limits")->status, 200);
  }
  json bad = token(*emu, {{"grant_type", "refresh_token"}, {"refresh_token", "5Aepnope"},
                          {"client_id", "crmsync-local"}, {"client_secret", "crmsync-local-secret"}}, 400);
  EXPECT_EQ(bad, json({{"error", "invalid_grant"}, {"error_description", "expired access/refresh token"}}));
}

// PKCE (RFC 7636, S256): the code remembers the challenge it was asked with; trading it needs the
// verifier whose SHA-256 that is, and a wrong or missing one spends the code.
TEST(OAuthFlowTest, WebServerFlowWithPkceNeedsTheVerifierWhoseChallengeItCarried) {
  auto emu = start({});
  const std::string redirect = "https://deals.acme.example/auth/callback";
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";  // RFC 7636, Appendix B
  auto form = client(*emu).Get(("/services/oauth2/authorize?response_type=code&client_id=crmsync-local&redirect_uri=" +
                                url_encode(redirect) + "&code_challenge=" + challenge + "&code_challenge_method=S256")
                                   .c_str());
  ASSERT_EQ(form->status, 200);
  EXPECT_NE(form->body.find("<input type=\"hidden\" name=\"code_challenge\" value=\"" + challenge + "\">"),
            std::string::npos)
      << "the form carries the challenge to its POST";
  auto code_for = [&]() {
    auto r = client(*emu).Post("/services/oauth2/authorize",
                               httplib::Params{{"response_type", "code"}, {"client_id", "crmsync-local"},
                                               {"redirect_uri", redirect}, {"code_challenge", challenge},
                                               {"code_challenge_method", "S256"}, {"username", "admin@crmsync.test"},
                                               {"password", "admin-pass"}});
    EXPECT_EQ(r->status, 302);
    return query_param(r->get_header_value("Location"), "code");
  };
  auto exchange = [&](const std::string& code, const std::string& sent_verifier) {
    httplib::Params p = {{"grant_type", "authorization_code"}, {"code", code}, {"client_id", "crmsync-local"},
                         {"client_secret", "crmsync-local-secret"}, {"redirect_uri", redirect}};
    if (!sent_verifier.empty()) p.emplace("code_verifier", sent_verifier);
    return p;
  };
  const json invalid_verifier = {{"error", "invalid_grant"}, {"error_description", "invalid code verifier"}};
  const std::string first = code_for();
  EXPECT_EQ(token(*emu, exchange(first, verifier + "x"), 400), invalid_verifier);
  EXPECT_EQ(token(*emu, exchange(first, verifier), 400)["error_description"], "invalid authorization code")
      << "a refused trade spends the code";
  EXPECT_EQ(token(*emu, exchange(code_for(), ""), 400), invalid_verifier) << "no verifier for a code with a challenge";
  json granted = token(*emu, exchange(code_for(), verifier));
  EXPECT_TRUE(granted.contains("access_token"));
  EXPECT_TRUE(granted.contains("refresh_token"));
  auto plain = client(*emu).Get(("/services/oauth2/authorize?response_type=code&client_id=crmsync-local&redirect_uri=" +
                                 url_encode(redirect) + "&code_challenge=" + verifier + "&code_challenge_method=plain")
                                    .c_str());
  EXPECT_EQ(plain->status, 400);
  EXPECT_NE(plain->body.find("code_challenge_method must be S256"), std::string::npos) << plain->body;
}

TEST(OAuthFlowTest, WithRotationTheUsedRefreshTokenStopsWorking) {
  EmulatorOptions o;
  o.rotate_refresh_tokens = true;
  auto emu = start(o);
  auto issued = emu->issue_refresh_token("integration@crmsync.test");
  ASSERT_TRUE(issued);
  auto refresh = [&](const std::string& rt, int status) {
    return token(*emu, {{"grant_type", "refresh_token"}, {"refresh_token", rt}, {"client_id", "crmsync-local"},
                        {"client_secret", "crmsync-local-secret"}}, status);
  };
  json renewed = refresh(*issued, 200);
  ASSERT_TRUE(renewed.contains("refresh_token"));
  EXPECT_NE(renewed["refresh_token"], *issued);
  EXPECT_EQ(refresh(*issued, 400)["error"], "invalid_grant");
  json again = refresh(renewed["refresh_token"], 200);
  EXPECT_EQ(api_get(*emu, again["access_token"], "/limits")->status, 200);
  EXPECT_FALSE(emu->issue_refresh_token("nobody@crmsync.test"));
}

// Token revocation (POST /services/oauth2/revoke with the form token=..., or GET ?token=), as a
// raw HTTP client sees it.
TEST(OAuthFlowTest, RevokingAnAccessTokenEndsThatSessionOnly) {
  auto emu = start({});
  const std::string first = password_login(*emu), second = password_login(*emu);
  auto revoked = client(*emu).Post("/services/oauth2/revoke", httplib::Params{{"token", first}});
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_EQ(revoked->body, "");
  EXPECT_EQ(api_get(*emu, first, "/limits")->body, kAuthError);
  EXPECT_EQ(api_get(*emu, second, "/limits")->status, 200);

  // A token revoked already, or never issued: invalid_token, form-encoded as Salesforce answers.
  auto again = client(*emu).Post("/services/oauth2/revoke", httplib::Params{{"token", first}});
  EXPECT_EQ(again->status, 400);
  EXPECT_EQ(again->body, "error=invalid_token&error_description=invalid%20token");
  auto as_json = client(*emu).Post("/services/oauth2/revoke", {{"Accept", "application/json"}},
                                   httplib::Params{{"token", "00Dnope"}});
  EXPECT_EQ(as_json->status, 400);
  EXPECT_EQ(json::parse(as_json->body), json({{"error", "invalid_token"}, {"error_description", "invalid token"}}));
  // No token at all.
  auto none = client(*emu).Post("/services/oauth2/revoke", httplib::Params{});
  EXPECT_EQ(none->status, 400);
  EXPECT_EQ(none->body, "error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported");

  // GET with ?token= works too.
  auto by_get = client(*emu).Get(("/services/oauth2/revoke?token=" + url_encode(second)).c_str());
  EXPECT_EQ(by_get->status, 200);
  EXPECT_EQ(api_get(*emu, second, "/limits")->status, 401);
  EXPECT_EQ(client(*emu).Put("/services/oauth2/revoke", "", "text/plain")->status, 405);
}

TEST(OAuthFlowTest, RevokingARefreshTokenRevokesTheAccessTokensIssuedThroughIt) {
  auto emu = start({});
  auto issued = emu->issue_refresh_token("integration@crmsync.test");
  ASSERT_TRUE(issued);
  const httplib::Params refresh = {{"grant_type", "refresh_token"}, {"refresh_token", *issued},
                                   {"client_id", "crmsync-local"}, {"client_secret", "crmsync-local-secret"}};
  const std::string a = token(*emu, refresh)["access_token"], b = token(*emu, refresh)["access_token"];
  const std::string other = password_login(*emu);  // a session of the same user, not through the refresh token
  for (const std::string& t : {a, b, other}) ASSERT_EQ(api_get(*emu, t, "/limits")->status, 200);

  auto revoked = client(*emu).Post("/services/oauth2/revoke", httplib::Params{{"token", *issued}});
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_EQ(api_get(*emu, a, "/limits")->status, 401);
  EXPECT_EQ(api_get(*emu, b, "/limits")->status, 401);
  EXPECT_EQ(api_get(*emu, other, "/limits")->status, 200);
  EXPECT_EQ(token(*emu, refresh, 400)["error"], "invalid_grant");
}

TEST(OAuthFlowTest, ClientCredentialsRunAsTheConfiguredUser) {
  EmulatorOptions o;
  o.client_credentials_user = "admin@crmsync.test";
  auto emu = start(o);
  json body = token(*emu, {{"grant_type", "client_credentials"}, {"client_id", "crmsync-local"},
                           {"client_secret", "crmsync-local-secret"}});
  auto identity = client(*emu).Get(body["id"].get<std::string>().substr(emu->base_url().size()).c_str(),
                                   {{"Authorization", "Bearer " + body["access_token"].get<std::string>()}});
  ASSERT_EQ(identity->status, 200);
  EXPECT_EQ(json::parse(identity->body)["username"], "admin@crmsync.test");
}

// OpenID Connect's UserInfo (what @salesforce/core reads after `sf org login access-token`): the
// token's own user, `sub` its identity URL.
TEST(OAuthFlowTest, UserInfoDescribesTheTokensOwnUser) {
  auto emu = start(EmulatorOptions{});
  json login = token(*emu, {{"grant_type", "password"}, {"client_id", "crmsync-local"},
                            {"client_secret", "crmsync-local-secret"}, {"username", "integration@crmsync.test"},
                            {"password", "integration-pass"}});
  const httplib::Headers auth{{"Authorization", "Bearer " + login["access_token"].get<std::string>()}};
  auto info = client(*emu).Get("/services/oauth2/userinfo", auth);
  ASSERT_EQ(info->status, 200);
  json body = json::parse(info->body);
  EXPECT_EQ(body["sub"], login["id"]);
  EXPECT_EQ(body["preferred_username"], "integration@crmsync.test");
  const std::string id = login["id"];
  EXPECT_EQ(body["user_id"], id.substr(id.rfind('/') + 1));
  EXPECT_EQ(body["organization_id"], id.substr(id.rfind('/') - 18, 18));
  EXPECT_EQ(body["urls"]["rest"], emu->base_url() + "/services/data/v{version}/");
  // Every key of Salesforce's published example response, in its order.
  std::vector<std::string> keys;
  const auto ordered = nlohmann::ordered_json::parse(info->body);
  for (const auto& [k, _] : ordered.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "sub", "user_id", "organization_id", "preferred_username", "nickname", "name", "email",
                      "email_verified", "given_name", "family_name", "zoneinfo", "photos", "profile", "picture",
                      "address", "is_salesforce_integration_user", "urls", "active", "user_type", "language", "locale",
                      "utcOffset", "updated_at", "is_app_installed"}));
  EXPECT_TRUE(body["is_salesforce_integration_user"].is_boolean());
  EXPECT_TRUE(std::regex_match(body["updated_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << body["updated_at"];
  auto posted = client(*emu).Post("/services/oauth2/userinfo", auth, "", "application/x-www-form-urlencoded");
  ASSERT_EQ(posted->status, 200);
  EXPECT_EQ(json::parse(posted->body)["user_id"], body["user_id"]);
  auto anonymous = client(*emu).Get("/services/oauth2/userinfo");
  EXPECT_EQ(anonymous->status, 401);
}

// ?columns=true (asked by `sf data query`): the statement's columns, not its rows; a field the
// user cannot see is refused as in the query itself.
TEST(QueryColumnsTest, ColumnsTrueDescribesTheSelectedFields) {
  auto emu = start(EmulatorOptions{});
  const std::string access = password_login(*emu);
  auto r = api_get(*emu, access, "/query?q=SELECT%20Id,%20Name,%20AnnualRevenue%20FROM%20Account&columns=true");
  ASSERT_EQ(r->status, 200) << r->body;
  json body = json::parse(r->body);
  EXPECT_EQ(body["entityName"], "Account");
  EXPECT_EQ(body["keyPrefix"], "001");
  EXPECT_EQ(body["idSelected"], true);
  ASSERT_EQ(body["columnMetadata"].size(), 3u);
  std::vector<std::string> names, types;
  for (const auto& c : body["columnMetadata"]) {
    names.push_back(c["columnName"]);
    types.push_back(c["apexType"]);
    EXPECT_TRUE(c["joinColumns"].empty());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Id", "Name", "AnnualRevenue"}));
  EXPECT_EQ(types, (std::vector<std::string>{"Id", "String", "Decimal"}));
  EXPECT_FALSE(body.contains("records"));
  EXPECT_EQ(api_get(*emu, access, "/query?q=SELECT%20Nope__c%20FROM%20Account&columns=true")->status, 400);
}

TEST(TokenExpiryTest, AfterTheTtlEveryCallIs401) {
  EmulatorOptions o;
  o.token_ttl_seconds = 1;
  auto emu = start(o);
  const std::string access = password_login(*emu);
  EXPECT_EQ(api_get(*emu, access, "/limits")->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (const char* path : {"/limits", "/sobjects/", "/query?q=SELECT%20Id%20FROM%20Account"}) {
    auto r = api_get(*emu, access, path);
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(r->body, kAuthError);
  }
  EXPECT_EQ(api_get(*emu, password_login(*emu), "/limits")->status, 200);
}

TEST(TokenExpiryTest, TheSessionExpiresAtTheGivenRequestMidPaging) {
  EmulatorOptions o;
  o.faults.expire_session_at = 3;
  o.org.scale = 120;  // a few pages of 200 Tasks
  auto emu = start(o);
  const std::string access = password_login(*emu);
  httplib::Headers h = {{"Authorization", "Bearer " + access}, {"Sforce-Query-Options", "batchSize=200"}};
  auto first = client(*emu).Get((kData + "/query?q=SELECT%20Id%20FROM%20Task").c_str(), h);
  ASSERT_EQ(first->status, 200) << first->body;
  const std::string next = json::parse(first->body)["nextRecordsUrl"];
  EXPECT_EQ(client(*emu).Get(next.c_str(), h)->status, 200);  // call 2
  auto third = client(*emu).Get(next.c_str(), h);
  EXPECT_EQ(third->status, 401);
  EXPECT_EQ(third->body, kAuthError);
  EXPECT_EQ(client(*emu).Get(next.c_str(), h)->status, 401);
  h.erase("Authorization");
  h.emplace("Authorization", "Bearer " + password_login(*emu));
  EXPECT_EQ(client(*emu).Get(next.c_str(), h)->status, 200);
}

// ---- limits --------------------------------------------------------------------------------------

TEST(LimitsTest, LimitsAndRecordCountHaveSalesforcesShapes) {
  EmulatorOptions o;
  o.daily_api_max = 15000;
  auto emu = start(o);
  const std::string access = password_login(*emu);
  auto r = api_get(*emu, access, "/limits");
  ASSERT_EQ(r->status, 200);
  json limits = json::parse(r->body);
  EXPECT_EQ(limits["DailyApiRequests"]["Max"], 15000);
  EXPECT_EQ(limits["DailyApiRequests"]["Remaining"], 15000 - 1);
  EXPECT_EQ(r->get_header_value("Sforce-Limit-Info"), "api-usage=1/15000");
  for (const auto& [name, entry] : limits.items()) {
    EXPECT_TRUE(entry["Max"].is_number_integer()) << name;
    EXPECT_TRUE(entry["Remaining"].is_number_integer()) << name;
  }

  auto counts = api_get(*emu, access, "/limits/recordCount?sObjects=Account,Contact,NoSuchThing");
  ASSERT_EQ(counts->status, 200);
  json body = json::parse(counts->body);
  ASSERT_EQ(body["sObjects"].size(), 2u);
  EXPECT_EQ(body["sObjects"][0]["name"], "Account");
  EXPECT_EQ(body["sObjects"][1]["name"], "Contact");
  for (int i = 0; i < 2; ++i) {
    const std::string object = body["sObjects"][i]["name"];
    auto q = api_get(*emu, access, "/query?q=" + url_encode("SELECT COUNT() FROM " + object));
    EXPECT_EQ(body["sObjects"][i]["count"], json::parse(q->body)["totalSize"]) << object;
  }
}

TEST(LimitsTest, TheCounterCountsEveryCallAndRefusesPastTheMaximum) {
  EmulatorOptions o;
  o.daily_api_max = 5;
  auto emu = start(o);
  const std::string access = password_login(*emu);  // the token endpoint is not counted
  EXPECT_EQ(emu->api_used(), 0);
  const char* paths[] = {"/limits", "/sobjects/", "/sobjects/Account/describe", "/query?q=SELECT%20Id%20FROM%20User",
                         "/sobjects/Account/000000000000000"};
  for (int i = 0; i < 5; ++i) {
    auto r = api_get(*emu, access, paths[i]);
    EXPECT_EQ(r->get_header_value("Sforce-Limit-Info"), "api-usage=" + std::to_string(i + 1) + "/5") << paths[i];
  }
  auto refused = api_get(*emu, access, "/limits");
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->body, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])");
  EXPECT_EQ(refused->get_header_value("Sforce-Limit-Info"), "api-usage=5/5");

  // A new day: the admin endpoint resets the counter (an admin's session; logging in is no API call).
  const std::string admin = password_login(*emu, "admin@crmsync.test", "admin-pass");
  auto reset = client(*emu).Put("/emulator/apiUsage", {{"Authorization", "Bearer " + admin}}, R"({"used":0})",
                                "application/json");
  ASSERT_EQ(reset->status, 200);
  EXPECT_EQ(json::parse(reset->body), json({{"used", 0}, {"max", 5}}));
  EXPECT_EQ(api_get(*emu, access, "/limits")->status, 200);
  emu->set_api_used(5);
  EXPECT_EQ(api_get(*emu, access, "/limits")->status, 403);
}

// ---- getDeleted / getUpdated ---------------------------------------------------------------------

std::string window(EpochMs start_ago_ms, EpochMs end_ahead_ms = 120000) {
  return "?start=" + url_encode(format_datetime_sf(now_ms() - start_ago_ms)) +
         "&end=" + url_encode(format_datetime_sf(now_ms() + end_ahead_ms));
}

class ChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emu_ = start({});
    admin_ = password_login(*emu_, "admin@crmsync.test", "admin-pass");
  }
  httplib::Headers auth() const { return {{"Authorization", "Bearer " + admin_}}; }
  std::string create(const std::string& object, const std::string& body) {
    auto r = client(*emu_).Post((kData + "/sobjects/" + object).c_str(), auth(), body, "application/json");
    EXPECT_EQ(r->status, 201) << r->body;
    return json::parse(r->body)["id"].get<std::string>();
  }
  std::size_t query_all_count(const std::string& id) {
    auto r = api_get(*emu_, admin_, "/queryAll?q=" + url_encode("SELECT Id FROM Contact WHERE Id = '" + id + "'"));
    return json::parse(r->body)["totalSize"].get<std::size_t>();
  }
  std::vector<std::string> deleted_ids(const std::string& object) {
    auto r = api_get(*emu_, admin_, "/sobjects/" + object + "/deleted/" + window(14 * 86400000LL));
    EXPECT_EQ(r->status, 200) << r->body;
    std::vector<std::string> ids;
    const json body = json::parse(r->body);
    for (const auto& d : body["deletedRecords"]) ids.push_back(d["id"].get<std::string>());
    return ids;
  }

  std::unique_ptr<Emulator> emu_;
  std::string admin_;
};

TEST_F(ChangesTest, GetDeletedRevealsAHardDeleteThatQueryAllNoLongerShows) {
  const std::string id = create("Contact", R"({"LastName":"Gone","Email":"gone@example.com"})");
  ASSERT_EQ(client(*emu_).Delete((kData + "/sobjects/Contact/" + id).c_str(), auth())->status, 204);
  EXPECT_EQ(query_all_count(id), 1u);  // in the recycle bin
  auto ids = deleted_ids("Contact");
  EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id << " " << json(ids).dump();

  auto purge = client(*emu_).Post("/emulator/recycleBin/empty", auth(), json({{"ids", {id}}}).dump(),
                                  "application/json");
  ASSERT_EQ(purge->status, 200);
  EXPECT_EQ(json::parse(purge->body)["purged"], 1);
  EXPECT_EQ(query_all_count(id), 0u);
  ids = deleted_ids("Contact");
  EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end());

  auto r = api_get(*emu_, admin_, "/sobjects/Contact/deleted/" + window(86400000));
  json body = json::parse(r->body);
  ASSERT_FALSE(body["deletedRecords"].empty());
  const std::string date = body["deletedRecords"].back()["deletedDate"];
  EXPECT_TRUE(parse_datetime(date).has_value());
  EXPECT_EQ(date.substr(date.size() - 5), "+0000");
  EXPECT_TRUE(body.contains("earliestDateAvailable"));
  EXPECT_TRUE(body.contains("latestDateCovered"));
}

TEST_F(ChangesTest, TheGeneratedOrgHasRecentHardDeletesOfCampaignMembersAndLineItems) {
  for (const char* object : {"CampaignMember", "OpportunityLineItem"}) {
    auto ids = deleted_ids(object);
    ASSERT_FALSE(ids.empty()) << object;
    auto r = api_get(*emu_, admin_, "/queryAll?q=" + url_encode(std::string("SELECT Id FROM ") + object +
                                                                 " WHERE Id = '" + ids.front() + "'"));
    EXPECT_EQ(json::parse(r->body)["totalSize"], 0) << object;
  }
  // DELETE on an object that skips the recycle bin purges at once, and getDeleted lists it.
  auto r = api_get(*emu_, admin_, "/query?q=" + url_encode("SELECT Id FROM CampaignMember LIMIT 1"));
  const std::string id = json::parse(r->body)["records"][0]["Id"];
  ASSERT_EQ(client(*emu_).Delete((kData + "/sobjects/CampaignMember/" + id).c_str(), auth())->status, 204);
  auto ids = deleted_ids("CampaignMember");
  EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end());
}

TEST_F(ChangesTest, GetUpdatedListsRecordsWrittenInTheWindow) {
  const std::string id = create("Account", R"({"Name":"Fresh"})");
  auto r = api_get(*emu_, admin_, "/sobjects/Account/updated/" + window(20 * 86400000LL));
  ASSERT_EQ(r->status, 200) << r->body;
  json body = json::parse(r->body);
  EXPECT_EQ(body["ids"], json::array({id}));  // the generated org's rows are older than 30 days
  EXPECT_TRUE(parse_datetime(body["latestDateCovered"].get<std::string>()).has_value());
}

TEST_F(ChangesTest, BadWindowsAreRefused) {
  const std::vector<std::string> paths = {
      "/sobjects/Account/deleted/" + window(16 * 86400000LL),
      "/sobjects/Account/updated/" + window(31 * 86400000LL),
      "/sobjects/Account/updated/?start=" + url_encode(format_datetime_sf(now_ms())) +
          "&end=" + url_encode(format_datetime_sf(now_ms() - 3600000)),
      "/sobjects/Account/updated/?start=yesterday&end=today",
      "/sobjects/Account/deleted/",
  };
  for (const auto& p : paths) {
    auto r = api_get(*emu_, admin_, p);
    EXPECT_EQ(r->status, 400) << p;
    EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "INVALID_REPLICATION_DATE") << p;
  }
  EXPECT_EQ(api_get(*emu_, admin_, "/sobjects/NoSuchObject/deleted/" + window(3600000))->status, 404);
}

// ---- faults --------------------------------------------------------------------------------------

// Sends one request over a fresh socket and returns every byte the server sent before closing.
std::string raw_exchange(int port, const std::string& path, const std::string& access) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + access +
                              "\r\nConnection: close\r\n\r\n";
  (void)!write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return out;
}

std::unique_ptr<Emulator> faulty(const std::string& kind, double rate = 1.0) {
  EmulatorOptions o;
  o.faults.rate = rate;
  o.faults.kinds = {kind};
  o.faults.slow_ms = 50;
  return start(o);
}

TEST(FaultTest, StatusFaultsAnswerWithSalesforcesBodies) {
  const std::vector<std::tuple<std::string, int, std::string>> cases = {
      {"500", 500, "UNKNOWN_EXCEPTION"},
      {"503", 503, "SERVER_UNAVAILABLE"},
      {"limit", 403, "REQUEST_LIMIT_EXCEEDED"},
  };
  for (const auto& [kind, status, code] : cases) {
    auto emu = faulty(kind);
    auto r = api_get(*emu, password_login(*emu), "/sobjects/");  // the token endpoint never faults
    EXPECT_EQ(r->status, status) << kind;
    EXPECT_EQ(json::parse(r->body)[0]["errorCode"], code) << kind;
    EXPECT_EQ(r->get_header_value("X-Crmsync-Fault"), kind);
  }
}

TEST(FaultTest, QueryTimeoutHitsQueriesOnly) {
  auto emu = faulty("timeout");
  const std::string access = password_login(*emu);
  auto q = api_get(*emu, access, "/query?q=SELECT%20Id%20FROM%20Account");
  EXPECT_EQ(q->status, 400);
  EXPECT_EQ(q->body, R"([{"message":"Your query request was running for too long.","errorCode":"QUERY_TIMEOUT"}])");
  EXPECT_EQ(api_get(*emu, access, "/sobjects/")->status, 200);
}

TEST(FaultTest, SlowAnswersAreMarkedAndComplete) {
  auto emu = faulty("slow");
  auto r = api_get(*emu, password_login(*emu), "/sobjects/");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("X-Crmsync-Fault"), "slow");
  EXPECT_TRUE(json::parse(r->body).contains("sobjects"));
}

TEST(FaultTest, DropClosesTheConnectionWithoutAnAnswer) {
  auto emu = faulty("drop");
  EXPECT_EQ(raw_exchange(emu->port(), kData + "/sobjects/", password_login(*emu)), "");
}

TEST(FaultTest, TruncateCutsTheJsonBodyMidWay) {
  auto emu = faulty("truncate");
  const std::string answer = raw_exchange(emu->port(), kData + "/sobjects/", password_login(*emu));
  ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer.substr(0, 200);
  const auto header_end = answer.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos);
  const std::string headers = to_lower(answer.substr(0, header_end));
  const auto cl = headers.find("content-length: ");
  ASSERT_NE(cl, std::string::npos);
  const std::size_t declared = std::stoul(headers.substr(cl + 16));
  const std::string body = answer.substr(header_end + 4);
  EXPECT_GT(body.size(), 0u);
  EXPECT_LT(body.size(), declared);
  EXPECT_FALSE(json::accept(body));
}

TEST(FaultTest, TheSameSeedFailsTheSameCalls) {
  auto statuses = [](std::uint64_t seed) {
    EmulatorOptions o;
    o.faults.rate = 0.5;
    o.faults.kinds = {"500", "503"};
    o.faults.seed = seed;
    auto emu = start(o);
    const std::string access = password_login(*emu);
    std::string out;
    for (int i = 0; i < 24; ++i) out += std::to_string(api_get(*emu, access, "/limits")->status) + " ";
    return out;
  };
  const std::string a = statuses(11);
  EXPECT_EQ(a, statuses(11));
  EXPECT_NE(a, statuses(12));
  EXPECT_NE(a.find("200"), std::string::npos);
  EXPECT_TRUE(a.find("500") != std::string::npos || a.find("503") != std::string::npos);
}

TEST(FaultTest, UnknownKindsAndRatesStopStart) {
  EmulatorOptions o;
  o.port = 0;
  o.faults.kinds = {"explode"};
  Emulator emu(o);
  auto s = emu.start();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("explode"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::emulator
