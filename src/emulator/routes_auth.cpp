// POST /services/oauth2/token (password and client_credentials grants) and the identity URL.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "emulator/emu_state.h"

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

void handle_token(EmuState& s, const httplib::Request& req, httplib::Response& res) {
  const std::string grant = req.get_param_value("grant_type");
  if (grant.empty()) return oauth_error(res, "invalid_request", "grant type is missing");
  if (grant != "password" && grant != "client_credentials") {
    return oauth_error(res, "unsupported_grant_type", "grant type not supported");
  }
  auto [client_id, client_secret] = client_credentials(req);
  if (client_id != s.options.client_id) return oauth_error(res, "invalid_client_id", "client identifier invalid");
  if (client_secret != s.options.client_secret) {
    return oauth_error(res, "invalid_client", "invalid client credentials");
  }
  std::optional<std::string> user;
  if (grant == "password") {
    const std::string username = req.get_param_value("username");
    auto it = s.passwords.find(to_lower(username));
    if (it == s.passwords.end() || it->second != req.get_param_value("password")) {
      return oauth_error(res, "invalid_grant", "authentication failure");
    }
    user = s.user_id_by_username(username);
  } else {
    user = s.user_id_by_username("integration@crmsync.test");
  }
  if (!user) return oauth_error(res, "invalid_grant", "authentication failure");

  const std::string id_url = s.base_url + "/id/" + s.org_id + "/" + *user;
  const std::string issued_at = std::to_string(now_ms());
  nlohmann::ordered_json body = {
      {"access_token", s.issue_token(*user)},
      {"instance_url", s.base_url},
      {"id", id_url},
      {"token_type", "Bearer"},
      {"issued_at", issued_at},
      {"signature", hmac_sha256_base64(s.options.client_secret, id_url + issued_at)},
      {"scope", "api"},
  };
  send_json(res, 200, body.dump());
}

void handle_identity(EmuState& s, const ApiCall& call, const std::string& org, const std::string& user) {
  if (org.substr(0, 15) != s.org_id.substr(0, 15)) return send_not_found(call.res);
  std::shared_lock lock(s.db->mutex());
  const Table& users = *s.db->find("User");
  auto row_index = users.find(user);
  if (!row_index) return send_not_found(call.res);
  const Row& row = users.row(*row_index);
  auto text = [&](const char* field) -> std::string {
    const auto* v = std::get_if<std::string>(&row[*users.field_index(field)]);
    return v ? *v : std::string();
  };
  const std::string uid = std::get<std::string>(row[0]);
  const std::string version = call.req.has_param("version") ? call.req.get_param_value("version") : "{version}";
  const std::string data = s.base_url + "/services/data/v" + version + "/";
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
      {"active", true},
      {"user_type", "STANDARD"},
      {"language", text("LanguageLocaleKey")},
      {"locale", text("LocaleSidKey")},
      {"utcOffset", 0},
      {"urls",
       {{"rest", data},
        {"sobjects", data + "sobjects/"},
        {"query", data + "query/"},
        {"profile", s.base_url + "/" + uid}}},
  };
  send_json(call.res, 200, body.dump());
}

}  // namespace crmsync::emulator
