// POST /services/oauth2/token (password, client_credentials, JWT bearer, authorization_code and
// refresh_token grants), token revocation (/services/oauth2/revoke), the web-server flow's
// /services/oauth2/authorize login form, and the identity URL.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/json.h"
#include "common/sfid.h"
#include "common/text.h"
#include "emulator/routes/routes.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

void oauth_error(httplib::Response& res, const char* error, const char* description, int status = 400) {
  nlohmann::ordered_json body = {{"error", error}, {"error_description", description}};
  send_json(res, status, body.dump());
}

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(const std::string& text) {
  std::string out(3 * text.size() / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return {};
  out.resize(static_cast<std::size_t>(n));
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
  out.resize(out.size() - std::min(pad, out.size()));
  return out;
}

std::string hmac_sha256_base64(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  return base64(mac, len);
}

// Client credentials from the form or from HTTP Basic auth.
std::pair<std::string, std::string> client_credentials(const httplib::Request& req) {
  std::string id = req.get_param_value("client_id"), secret = req.get_param_value("client_secret");
  if (id.empty() && req.has_header("Authorization")) {
    std::string auth = req.get_header_value("Authorization");
    if (auth.size() > 6 && iequals(auth.substr(0, 6), "Basic ")) {
      std::string decoded = base64_decode(auth.substr(6));
      auto colon = decoded.find(':');
      if (colon != std::string::npos) {
        id = url_decode(decoded.substr(0, colon));
        secret = url_decode(decoded.substr(colon + 1));
      }
    }
  }
  return {id, secret};
}

}  // namespace

Status load_jwt_certificate(EmuState& s) {
  const std::string& path = s.options.jwt_certificate_file;
  if (path.empty()) return ok_status();
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    return Error(ErrorKind::kConfig, "JWT_CERT_UNREADABLE",
                 "Cannot read the JWT certificate " + path + "; give a readable PEM file with --jwt-cert.");
  }
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  EVP_PKEY* key = cert != nullptr ? X509_get_pubkey(cert) : nullptr;
  X509_free(cert);
  if (key == nullptr || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return Error(ErrorKind::kConfig, "JWT_CERT_INVALID",
                 "The JWT certificate " + path + " is not a PEM X.509 certificate with an RSA key "
                 "(-----BEGIN CERTIFICATE-----); export the connected app's certificate, not its private key.");
  }
  s.jwt_public_key = std::shared_ptr<void>(key, [](void* k) { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
  return ok_status();
}

namespace {

std::string base64url_decode(std::string_view text) {
  std::string b64(text);
  for (char& c : b64) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (b64.size() % 4 != 0) b64.push_back('=');
  return base64_decode(b64);
}

bool rs256_verify(EVP_PKEY* key, std::string_view signed_part, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

struct GrantOutcome {
  std::optional<std::string> user;
  const char* error = nullptr;
  std::string description;
  std::string refresh_token;  // refresh_token grant: the token used, when it stays valid
};

GrantOutcome refuse(const char* error, std::string description) { return {std::nullopt, error, std::move(description)}; }

std::optional<std::int64_t> claim_seconds(const nlohmann::json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<std::int64_t>();
  // Beyond int64 (1e300) is no time a JWT expires at.
  if (v.is_number_float() && std::fabs(v.get<double>()) < 9.2e18) return static_cast<std::int64_t>(v.get<double>());
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer: the assertion is an RS256 JWT signed by
// the key of the connected app's certificate; iss, sub (or prn), aud and exp are checked as
// Salesforce checks them, with its error words.
GrantOutcome jwt_bearer(EmuState& s, const std::string& assertion) {
  const std::size_t dot1 = assertion.find('.');
  const std::size_t dot2 = dot1 == std::string::npos ? dot1 : assertion.find('.', dot1 + 1);
  if (dot2 == std::string::npos) return refuse("invalid_grant", "invalid assertion");
  // A claim of another type than text reads as missing.
  auto text = [](const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string_view jwt(assertion);
  const nlohmann::json header = parse_json(base64url_decode(jwt.substr(0, dot1)));
  const nlohmann::json claims = parse_json(base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
  if (!header.is_object() || !claims.is_object() || text(header, "alg") != "RS256") {
    return refuse("invalid_grant", "invalid assertion");
  }
  if (text(claims, "iss") != s.options.client_id) return refuse("invalid_client_id", "client identifier invalid");
  auto* key = static_cast<EVP_PKEY*>(s.jwt_public_key.get());
  if (key == nullptr ||
      !rs256_verify(key, std::string_view(assertion).substr(0, dot2), base64url_decode(assertion.substr(dot2 + 1)))) {
    return refuse("invalid_grant", "invalid assertion");
  }
  const std::string aud = text(claims, "aud");
  std::string own = s.base_url;
  if (aud != "https://login.salesforce.com" && aud != "https://test.salesforce.com" && aud != own &&
      aud != own + "/") {
    return refuse("invalid_grant", "audience is invalid");
  }
  const std::int64_t exp = claims.contains("exp") ? claim_seconds(claims["exp"]).value_or(0) : 0;
  const std::int64_t now = now_ms() / 1000;
  if (exp <= now || exp > now + 180) return refuse("invalid_grant", "expired authorization code");
  std::string sub = text(claims, "sub");
  if (claims.contains("prn") && claims["prn"].is_string()) sub = text(claims, "prn");  // prn wins
  auto user = s.active_user_id(sub);
  if (!user) return refuse("invalid_grant", "user hasn't approved this consumer");
  return {user};
}

GrantOutcome client_grant(EmuState& s, const httplib::Request& req, const std::string& grant, bool& with_refresh) {
  if (grant == "password") {
    const std::string username = req.get_param_value("username");
    auto it = s.passwords.find(to_lower(username));
    if (it == s.passwords.end() || it->second != req.get_param_value("password")) {
      return refuse("invalid_grant", "authentication failure");
    }
    auto user = s.active_user_id(username);
    if (!user) return refuse("invalid_grant", "authentication failure");
    return {user};
  }
  if (grant == "client_credentials") {
    auto user = s.active_user_id(s.options.client_credentials_user);
    if (!user) return refuse("invalid_grant", "no client credentials user enabled");
    return {user};
  }
  if (grant == "authorization_code") {
    auto user = s.redeem_auth_code(req.get_param_value("code"), req.get_param_value("redirect_uri"),
                                   req.get_param_value("code_verifier"));
    if (!user) return refuse("invalid_grant", user.error().message);
    with_refresh = true;
    return {*user};
  }
  // refresh_token
  const std::string token = req.get_param_value("refresh_token");
  auto user = s.user_for_refresh_token(token);
  if (!user) return refuse("invalid_grant", "expired access/refresh token");
  if (s.options.rotate_refresh_tokens) {
    s.revoke_refresh_token(token);
    with_refresh = true;
    return {user};
  }
  return {user, nullptr, {}, token};
}

// The token answer. The access token belongs to the refresh token issued with it, or else to
// `through` (the refresh token the grant used), so that revoking that one revokes it.
void send_token(EmuState& s, httplib::Response& res, const std::string& user, bool with_refresh,
                const std::string& through = {}) {
  const std::string id_url = s.base_url + "/id/" + s.org_id + "/" + user;
  const std::string issued_at = std::to_string(now_ms());
  const std::string refresh = with_refresh ? s.issue_refresh_token(user) : through;
  nlohmann::ordered_json body = {
      {"access_token", s.issue_token(user, refresh)},
  };
  if (with_refresh) body["refresh_token"] = refresh;
  body["signature"] = hmac_sha256_base64(s.options.client_secret, id_url + issued_at);
  body["scope"] = with_refresh ? "refresh_token api" : "api";
  body["instance_url"] = s.base_url;
  body["id"] = id_url;
  body["token_type"] = "Bearer";
  body["issued_at"] = issued_at;
  send_json(res, 200, body.dump());
}

}  // namespace

void handle_token(EmuState& s, const httplib::Request& req, httplib::Response& res) {
  const std::string grant = req.get_param_value("grant_type");
  if (grant.empty()) return oauth_error(res, "invalid_request", "grant type is missing");
  if (grant == "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    if (!req.has_param("assertion")) return oauth_error(res, "invalid_request", "assertion type is missing");
    GrantOutcome out = jwt_bearer(s, req.get_param_value("assertion"));
    if (!out.user) return oauth_error(res, out.error, out.description.c_str());
    return send_token(s, res, *out.user, /*with_refresh=*/false);
  }
  if (grant != "password" && grant != "client_credentials" && grant != "authorization_code" &&
      grant != "refresh_token") {
    return oauth_error(res, "unsupported_grant_type", "grant type not supported");
  }
  auto [client_id, client_secret] = client_credentials(req);
  if (client_id != s.options.client_id) return oauth_error(res, "invalid_client_id", "client identifier invalid");
  // The refresh token grant may leave the secret out (a public client), as Salesforce allows.
  const bool secret_optional = grant == "refresh_token" && client_secret.empty();
  if (!secret_optional && client_secret != s.options.client_secret) {
    return oauth_error(res, "invalid_client", "invalid client credentials");
  }
  bool with_refresh = false;
  GrantOutcome out = client_grant(s, req, grant, with_refresh);
  if (!out.user) return oauth_error(res, out.error, out.description.c_str());
  send_token(s, res, *out.user, with_refresh, out.refresh_token);
}

namespace {

// Revocation errors: form-encoded, as Salesforce answers them (error=unsupported_token_type&
// error_description=this%20token%20type%20is%20not%20supported), JSON when the client asks for it.
void revoke_error(const httplib::Request& req, httplib::Response& res, const char* error, const char* description) {
  if (req.get_header_value("Accept").find("json") != std::string::npos) return oauth_error(res, error, description);
  res.status = 400;
  res.set_content("error=" + url_encode(error) + "&error_description=" + url_encode(description),
                  "application/x-www-form-urlencoded;charset=UTF-8");
}

}  // namespace

void handle_revoke(EmuState& s, const httplib::Request& req, httplib::Response& res) {
  const std::string token = req.get_param_value("token");  // the form (POST) or ?token= (GET)
  if (token.empty()) return revoke_error(req, res, "unsupported_token_type", "this token type is not supported");
  if (!s.revoke_token(token)) return revoke_error(req, res, "invalid_token", "invalid token");
  res.status = 200;
}

namespace {

// The fields of a User row the identity answers read; empty where the field is null.
struct UserFields {
  const Table& users;
  const Row& row;
  std::string operator()(const char* field) const {
    auto index = users.field_index(field);
    const auto* v = index ? std::get_if<std::string>(&row[*index]) : nullptr;
    return v ? *v : std::string();
  }
};

// The urls object both identity answers carry: `{version}` stays literal unless ?version= is given.
// Only what the emulator answers: no SOAP, Tooling or Chatter URLs (docs/decisions.md).
nlohmann::ordered_json identity_urls(const EmuState& s, const ApiCall& call, const std::string& uid) {
  const std::string version = call.req.has_param("version") ? call.req.get_param_value("version") : "{version}";
  const std::string data = s.base_url + "/services/data/v" + version + "/";
  return {{"rest", data},
          {"sobjects", data + "sobjects/"},
          {"search", data + "search/"},
          {"query", data + "query/"},
          {"recent", data + "recent/"},
          {"profile", s.base_url + "/" + uid},
          {"custom_domain", s.base_url}};
}

// A text field as identity writes it: null when empty.
nlohmann::ordered_json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
}

// The standard (non-daylight) offset of a Salesforce TimeZoneSidKey in milliseconds, as identity's
// utcOffset gives it; 0 for a zone the emulator's org does not use.
std::int64_t utc_offset_ms(const std::string& zone) {
  static const std::pair<const char*, int> kMinutes[] = {
      {"America/Los_Angeles", -480}, {"America/Denver", -420}, {"America/Chicago", -360},
      {"America/New_York", -300},    {"Europe/London", 0},     {"GMT", 0},
      {"Europe/Paris", 60},          {"Europe/Berlin", 60},    {"Asia/Kolkata", 330},
      {"Asia/Tokyo", 540},           {"Australia/Sydney", 600},
  };
  for (const auto& [name, minutes] : kMinutes) {
    if (zone == name) return static_cast<std::int64_t>(minutes) * 60000;
  }
  return 0;
}

}  // namespace

namespace {

bool user_active(const Table& users, const Row& row) {
  auto index = users.field_index("IsActive");
  const auto* b = index ? std::get_if<bool>(&row[*index]) : nullptr;
  return b == nullptr || *b;
}

// 2010-06-28T20:54:09.000Z: the user's LastModifiedDate as identity writes it.
nlohmann::ordered_json last_modified(const Table& users, const Row& row) {
  auto index = users.field_index("LastModifiedDate");
  const auto* d = index ? std::get_if<DateTime>(&row[*index]) : nullptr;
  if (d == nullptr) return nullptr;
  std::string out;
  append_datetime_text(out, d->ms, "Z");
  return out;
}

}  // namespace

void handle_identity(EmuState& s, const ApiCall& call, const std::string& org, const std::string& user) {
  if (!same_sf_id(org, s.org_id)) return send_not_found(call.res);
  std::shared_lock lock(s.db->mutex());
  const Table& users = *s.db->find("User");
  auto row_index = users.find(user);
  if (!row_index) return send_not_found(call.res);
  const UserFields text{users, users.row(*row_index)};
  const std::string uid = text("Id");
  nlohmann::ordered_json body = {
      {"id", s.base_url + "/id/" + s.org_id + "/" + uid},
      {"asserted_user", true},
      {"user_id", uid},
      {"organization_id", s.org_id},
      {"username", text("Username")},
      {"nick_name", text("CommunityNickname")},
      {"display_name", text("Name")},
      {"email", text("Email")},
      {"email_verified", true},
      {"first_name", text("FirstName")},
      {"last_name", text("LastName")},
      {"timezone", text("TimeZoneSidKey")},
      {"photos",
       {{"picture", s.base_url + "/profilephoto/005/F"}, {"thumbnail", s.base_url + "/profilephoto/005/T"}}},
      {"addr_street", text_or_null(text("Street"))},
      {"addr_city", text_or_null(text("City"))},
      {"addr_state", text_or_null(text("State"))},
      {"addr_country", text_or_null(text("Country"))},
      {"addr_zip", text_or_null(text("PostalCode"))},
      {"mobile_phone", text_or_null(text("MobilePhone"))},
      {"mobile_phone_verified", false},
      {"is_lightning_login_user", false},
      {"status", {{"created_date", nullptr}, {"body", nullptr}}},
      {"urls", identity_urls(s, call, uid)},
      {"active", user_active(users, users.row(*row_index))},
      {"user_type", "STANDARD"},
      {"language", text("LanguageLocaleKey")},
      {"locale", text("LocaleSidKey")},
      {"utcOffset", utc_offset_ms(text("TimeZoneSidKey"))},
      {"last_modified_date", last_modified(users, users.row(*row_index))},
      {"is_app_installed", true},
  };
  send_json(call.res, 200, body.dump());
}

// 2024-01-03T19:41:54Z: the user's LastModifiedDate, as userinfo's updated_at writes it.
std::string updated_at(const Table& users, const Row& row) {
  auto index = users.field_index("LastModifiedDate");
  const auto* d = index ? std::get_if<DateTime>(&row[*index]) : nullptr;
  return d ? format_datetime_soql(d->ms) : std::string();
}

// Whether the user's profile is on the Salesforce Integration user license (userinfo's
// is_salesforce_integration_user).
bool on_integration_license(const Database& db, const UserFields& user) {
  const Table* profiles = db.find("Profile");
  const Table* licenses = db.find("UserLicense");
  if (profiles == nullptr || licenses == nullptr) return false;
  auto profile = profiles->find(user("ProfileId"));
  if (!profile) return false;
  const UserFields p{*profiles, profiles->row(*profile)};
  auto license = licenses->find(p("UserLicenseId"));
  return license && UserFields{*licenses, licenses->row(*license)}("Name") == "Salesforce Integration";
}

// OpenID Connect's UserInfo for the token's own user: `sub` is the identity URL, the names are
// OpenID Connect's (preferred_username, given_name, zoneinfo...), then Salesforce's own additions.
// Keys and their order as in Salesforce's published example response (the "Successful User
// Info" example of Salesforce's Postman collection): photos, picture, address,
// is_salesforce_integration_user, updated_at and is_app_installed included.
void handle_userinfo(EmuState& s, const ApiCall& call) {
  std::shared_lock lock(s.db->mutex());
  const Table& users = *s.db->find("User");
  auto row_index = users.find(call.user_id);
  if (!row_index) return send_error(call.res, 401, "INVALID_SESSION_ID", "Session expired or invalid");
  const UserFields text{users, users.row(*row_index)};
  const std::string uid = text("Id");
  const std::string country = text("Country");
  nlohmann::ordered_json body = {
      {"sub", s.base_url + "/id/" + s.org_id + "/" + uid},
      {"user_id", uid},
      {"organization_id", s.org_id},
      {"preferred_username", text("Username")},
      {"nickname", text("CommunityNickname")},
      {"name", text("Name")},
      {"email", text("Email")},
      {"email_verified", true},
      {"given_name", text("FirstName")},
      {"family_name", text("LastName")},
      {"zoneinfo", text("TimeZoneSidKey")},
      {"photos",
       {{"picture", s.base_url + "/profilephoto/005/F"}, {"thumbnail", s.base_url + "/profilephoto/005/T"}}},
      {"profile", s.base_url + "/" + uid},
      {"picture", s.base_url + "/profilephoto/005/F"},
      {"address", {{"country", country.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(country)}}},
      {"is_salesforce_integration_user", on_integration_license(*s.db, text)},
      {"urls", identity_urls(s, call, uid)},
      {"active", true},
      {"user_type", "STANDARD"},
      {"language", text("LanguageLocaleKey")},
      {"locale", text("LocaleSidKey")},
      {"utcOffset", utc_offset_ms(text("TimeZoneSidKey"))},
      {"updated_at", updated_at(users, users.row(*row_index))},
      {"is_app_installed", true},
  };
  send_json(call.res, 200, body.dump());
}

}  // namespace crmsync::emulator
