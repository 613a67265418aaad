// The OAuth token answer: success fields and errors worded for the person fixing the config.
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "salesforce/json_members.h"
#include "common/json.h"
#include "salesforce/wire.h"

namespace crmsync::salesforce {

namespace {

std::string who_text(const LoginContext& who) {
  std::string user = who.username.empty() ? std::string("the user") : who.username;
  if (who.auth == "password") return "the login for " + user;
  if (who.auth == "jwt") return "the JWT bearer login for " + user;
  if (who.auth == "refresh_token") return "the refresh token login of the connected app";
  if (who.auth == "authorization_code") return "the sign-in (the web-server flow's code)";
  if (who.auth == "session_refresh") return "the renewal of a signed-in person's session";
  return "the " + who.auth + " login of the connected app";
}

// The fix for one OAuth error, in the words of crmsync's config keys.
// The fix for an OAuth error of a person's sign-in (crmsync serve's connected app, [serve] keys).
std::string signin_fix_for(const std::string& error, const LoginContext& who) {
  if (error == "invalid_grant" && who.auth == "session_refresh") {
    return "The person's Salesforce session can no longer be renewed (the refresh token was revoked, or expired "
           "under the connected app's refresh token policy, or the user was deactivated); sign in again.";
  }
  if (error == "invalid_grant") {
    return "The sign-in code expired, was already used, or does not match its PKCE verifier or redirect_uri; "
           "sign in again (and check that the connected app's Callback URL is [serve] public_url + /auth/callback).";
  }
  if (error == "invalid_client_id" || error == "invalid_client") {
    return "Check [serve] client_id and client_secret: the Consumer Key and Secret of the connected app team "
           "members sign in through, installed in this org.";
  }
  return "Check [serve] client_id, client_secret and public_url against the connected app team members sign in "
         "through (its Callback URL must be <public_url>/auth/callback).";
}

std::string fix_for(const std::string& error, const std::string& description, const LoginContext& who) {
  if (who.auth == "authorization_code" || who.auth == "session_refresh") return signin_fix_for(error, who);
  bool password = who.auth == "password";
  if (error == "invalid_grant" && who.auth == "jwt") {
    return "Check that the connected app uses digital signatures with the certificate of [salesforce] "
           "private_key_file, that [salesforce] client_id is its Consumer Key, that " + who.username +
           " is pre-authorized for the app (Admin approved users, with the user's profile or a permission set "
           "assigned), and that this machine's clock is right (the assertion expires after 3 minutes).";
  }
  if (error == "invalid_grant" && who.auth == "refresh_token") {
    return "The refresh token is expired, revoked or already spent (when the connected app rotates refresh "
           "tokens); obtain a new one through the app's web-server flow and store it in [salesforce] "
           "refresh_token_file (or CRMSYNC_SALESFORCE_REFRESH_TOKEN).";
  }
  if (error == "invalid_grant") {
    if (password) {
      return "Check [salesforce] username and password; if the org requires it, append the user's security token "
             "to the password, and make sure the user is active and allowed to use the connected app.";
    }
    return "Make sure the connected app has the Client Credentials Flow enabled with an active run-as user, and "
           "that [salesforce] login_url is the org's My Domain URL.";
  }
  if (error == "invalid_client_id") {
    return "Check [salesforce] client_id: it must be the connected app's Consumer Key, and the app must be "
           "installed and enabled in this org (a new connected app can take several minutes to become usable).";
  }
  if (error == "invalid_client") {
    return "Check [salesforce] client_secret (the connected app's Consumer Secret) and client_id.";
  }
  if (error == "unsupported_grant_type") {
    if (password) {
      return "The org does not allow the OAuth username-password flow for this app; allow it in the org's OAuth "
             "settings or use [salesforce] auth = \"client_credentials\".";
    }
    return "Enable the Client Credentials Flow on the connected app and set [salesforce] login_url to the org's "
           "My Domain URL (login.salesforce.com does not accept this flow).";
  }
  if (error == "inactive_user" || error == "inactive_org") {
    return "The " + std::string(error == "inactive_user" ? "user" : "org") + " is inactive; ask the org's admin to reactivate it.";
  }
  (void)description;
  std::string keys = password                        ? ", client_secret, username, password"
                     : who.auth == "jwt"             ? ", username, private_key_file"
                     : who.auth == "refresh_token"   ? ", client_secret, refresh_token_file"
                                                     : ", client_secret";
  return "Check the [salesforce] settings (login_url, auth, client_id" + keys + ").";
}

}  // namespace

bool split_identity_url(std::string_view identity_url, std::string& org_id, std::string& user_id) {
  auto pos = identity_url.rfind("/id/");
  if (pos == std::string_view::npos) return false;
  std::string_view rest = identity_url.substr(pos + 4);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view org = rest.substr(0, slash);
  std::string_view user = rest.substr(slash + 1);
  if (!user.empty() && user.back() == '/') user.remove_suffix(1);
  if (org.empty() || user.empty() || user.find('/') != std::string_view::npos) return false;
  org_id = std::string(org);
  user_id = std::string(user);
  return true;
}

Result<TokenResponse> parse_token_response(long http_status, std::string_view body, const LoginContext& who) {
  nlohmann::json j = parse_json(body);
  int status = static_cast<int>(http_status);

  if (j.is_object() && j.contains("error")) {
    std::string error = text_member(j, "error");
    std::string description = text_member(j, "error_description");
    std::string detail = error + (description.empty() ? "" : ": " + description);
    return Error(ErrorKind::kAuth, error,
                 "Salesforce refused " + who_text(who) + " (" + detail + "). " + fix_for(error, description, who),
                 status);
  }
  if (j.is_discarded() || !j.is_object()) {
    std::string shape = body.empty() ? "an empty body" : "a body that is not an OAuth JSON answer (malformed or cut off)";
    std::string message = "The login at " + mask_url_credentials(who.token_url) + " failed: the server answered HTTP " +
                          std::to_string(status) + " with " + shape;
    // A 2xx body may hold a (cut-off) access token: quote only error answers.
    if (!body.empty() && (status < 200 || status >= 300)) message += ": " + body_excerpt(body);
    message += ". Check that [salesforce] login_url points at a Salesforce login host or My Domain.";
    ErrorKind kind = status >= 500 ? ErrorKind::kNetwork : ErrorKind::kSalesforce;
    return Error(kind, "MALFORMED_RESPONSE", message, status);
  }
  if (status != 200) {
    return Error(ErrorKind::kAuth, "HTTP_" + std::to_string(status),
                 "Salesforce refused " + who_text(who) + " with HTTP " + std::to_string(status) +
                     " and no OAuth error code. " + fix_for("", "", who),
                 status);
  }

  TokenResponse token;
  token.access_token = text_member(j, "access_token");
  token.instance_url = text_member(j, "instance_url");
  token.identity_url = text_member(j, "id");
  token.refresh_token = text_member(j, "refresh_token");
  while (!token.instance_url.empty() && token.instance_url.back() == '/') token.instance_url.pop_back();
  std::string missing;
  if (token.access_token.empty()) missing += " access_token";
  if (token.instance_url.empty()) missing += " instance_url";
  if (!split_identity_url(token.identity_url, token.org_id, token.user_id)) missing += " id";
  if (!missing.empty()) {
    return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                 "The login at " + mask_url_credentials(who.token_url) + " answered 200 but the response was malformed: missing or invalid" +
                     missing + " (id must be an identity URL .../id/<OrgId>/<UserId>).",
                 status);
  }
  return token;
}

}  // namespace crmsync::salesforce
