// Sign-in with Salesforce: the web-server flow with PKCE, sessions in cookies, CSRF tokens.
#include "serve/signin.h"

#include "common/sfid.h"
#include "common/text.h"
#include "salesforce/client.h"

namespace crmsync::serve {

using nlohmann::json;

namespace {

Answer error_answer(int status, const std::string& code, const std::string& message) {
  return {status, {{"error", {{"code", code}, {"message", message}}}}};
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "https://deals.acme.example/" -> "https://deals.acme.example"
std::string origin_of(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string cookie_value(const std::string& header, std::string_view name) {
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    start = end + 1;
  }
  return {};
}

Signin::Signin(Api& api, SigninOptions options)
    : api_(api), options_(std::move(options)), sessions_(options_.session_key, options_.clock) {
  options_.public_url = origin_of(options_.public_url);
  while (!options_.login_url.empty() && options_.login_url.back() == '/') options_.login_url.pop_back();
}

std::string Signin::cookie_attributes(long max_age_seconds, const std::string& path) const {
  std::string a = "; Path=" + path + "; Max-Age=" + std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Lax";
  if (options_.public_url.starts_with("https://")) a += "; Secure";
  return a;
}

void Signin::page(httplib::Response& res, int status, const std::string& title, const std::string& text) const {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
                      " | crmsync</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body>\n<main "
                      "class=\"signin-page\"><h1>" +
                      html_escape(title) + "</h1>\n<p id=\"reason\">" + html_escape(text) +
                      "</p>\n<p><a id=\"again\" href=\"/auth/login\">Sign in with Salesforce</a></p></main></body></html>\n",
                  "text/html; charset=utf-8");
}

bool Signin::is_admin(const std::string& user_id, const std::string& username) const {
  for (const auto& admin : options_.admins) {
    if (iequals(admin, username) || same_sf_id(admin, user_id)) return true;
  }
  return false;
}

std::shared_ptr<Session> Signin::session_of(const httplib::Request& req) const {
  return sessions_.find(cookie_value(req.get_header_value("Cookie"), kSessionCookie));
}

Viewer Signin::viewer_of(const Session& session) { return {session.user_id, session.username, session.admin}; }

Answer Signin::not_signed_in() {
  Answer a = error_answer(401, "NOT_SIGNED_IN", "Sign in with Salesforce first: open /auth/login.");
  a.body["login_url"] = "/auth/login";
  return a;
}

std::optional<Answer> Signin::refuse_forgery(const httplib::Request& req, const Session& session) const {
  if (req.method == "GET" || req.method == "HEAD") return std::nullopt;
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty() && origin_of(origin) != options_.public_url) {
    return error_answer(403, "CROSS_ORIGIN", "This write comes from " + origin.substr(0, 100) + ", not from " +
                                                 options_.public_url + " ([serve] public_url); refused.");
  }
  if (!same_secret(req.get_header_value(kCsrfHeader), session.csrf_token)) {
    return error_answer(403, "CSRF_TOKEN_INVALID",
                        "A write must carry the session's anti-forgery token in the X-CSRF-Token header (GET "
                        "/api/session gives it); reload the page and try again.");
  }
  return std::nullopt;
}

void Signin::login(const httplib::Request&, httplib::Response& res) {
  auto pending = sessions_.begin_login();
  if (!pending) {
    return page(res, 503, "Too many sign-ins at once",
                "More sign-ins are under way than this server keeps; try again in a few minutes.");
  }
  res.status = 302;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Set-Cookie", std::string(kLoginCookie) + "=" + pending->state + cookie_attributes(600, "/auth/"));
  res.set_header("Location", salesforce::authorize_url(options_.login_url, options_.client_id,
                                                       options_.public_url + "/auth/callback", pending->state,
                                                       pkce_challenge(pending->code_verifier)));
}

Result<std::shared_ptr<Session>> Signin::start_session(const std::string& code, const PendingLogin& login) {
  salesforce::ConnectOptions o;
  o.login_url = options_.login_url;
  o.auth = "authorization_code";
  o.client_id = options_.client_id;
  o.client_secret = options_.client_secret;
  o.authorization_code = code;
  o.redirect_uri = options_.public_url + "/auth/callback";
  o.code_verifier = login.code_verifier;
  o.api_version = options_.api_version;
  o.verify_tls = options_.verify_tls;
  o.max_retries = 2;
  o.request_timeout_seconds = 60;
  o.request_deadline_seconds = 120;
  o.quota_daily_share = 1.0;  // a person's edits are not the sync's to ration
  o.quota_run_share = 1.0;
  auto client = salesforce::Client::connect(o);
  if (!client) return client.error();
  auto info = (*client)->get_json("/services/oauth2/userinfo");
  if (!info) return info.error();
  auto session = std::make_shared<Session>();
  session->user_id = text_of(*info, "user_id");
  session->username = text_of(*info, "preferred_username");
  session->name = text_of(*info, "name");
  const std::string org = text_of(*info, "organization_id");
  auto synced = api_.org_id();
  if (!synced) return synced.error();
  if (!*synced) {
    (void)(*client)->revoke();
    return Error(ErrorKind::kConfig, "ORG_UNKNOWN",
                 "This server's store does not say yet which Salesforce org it holds, so nobody can sign in: run "
                 "crmsync sync once (it records the org), then sign in again.");
  }
  if (session->user_id.empty() || !same_sf_id(org, **synced) || !same_sf_id((*client)->org_id(), **synced)) {
    (void)(*client)->revoke();
    return Error(ErrorKind::kPermission, "OTHER_ORG",
                 "You signed in as " + (session->username.empty() ? std::string("a user") : session->username) +
                     " of the Salesforce org " + org + ", but this board shows the org " + **synced +
                     ". Sign in with your account in that org (sign out of Salesforce first if your browser keeps "
                     "you signed in to the other one).");
  }
  session->admin = is_admin(session->user_id, session->username);
  session->expires = (options_.clock ? options_.clock() : now_ms()) + options_.session_hours * 3600 * 1000;
  session->client = std::move(*client);
  return session;
}

void Signin::callback(const httplib::Request& req, httplib::Response& res) {
  if (req.has_param("error")) {
    return page(res, 401, "Salesforce did not sign you in",
                req.get_param_value("error") + ": " + req.get_param_value("error_description").substr(0, 300));
  }
  const std::string state = req.get_param_value("state");
  const std::string from_cookie = cookie_value(req.get_header_value("Cookie"), kLoginCookie);
  std::optional<PendingLogin> login;
  if (!state.empty() && same_secret(state, from_cookie)) login = sessions_.finish_login(state);
  if (!login || req.get_param_value("code").empty()) {
    return page(res, 400, "This sign-in cannot be finished",
                "It expired, was already used, or was started in another browser. Sign in again.");
  }
  auto session = start_session(req.get_param_value("code"), *login);
  if (!session) {
    const Error& e = session.error();
    int status = e.code == "OTHER_ORG" ? 403 : e.code == "ORG_UNKNOWN" ? 503 : e.kind == ErrorKind::kAuth ? 401 : 502;
    return page(res, status, e.code == "OTHER_ORG" ? "Another Salesforce org" : "Sign-in failed", e.message);
  }
  std::string cookie = sessions_.add(*session);
  res.status = 302;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + cookie +
                                   cookie_attributes(static_cast<long>(options_.session_hours * 3600), "/"));
  res.set_header("Set-Cookie", std::string(kLoginCookie) + "=" + cookie_attributes(0, "/auth/"));
  res.set_header("Location", "/");
}

void Signin::end(const httplib::Request& req) {
  (void)sessions_.remove(cookie_value(req.get_header_value("Cookie"), kSessionCookie));
}

void Signin::logout(const httplib::Request& req, httplib::Response& res) {
  auto send = [&res](const Answer& a) {
    res.status = a.status;
    res.set_content(a.body.dump(), "application/json");
  };
  auto session = session_of(req);
  if (!session) return send(not_signed_in());
  if (auto refusal = refuse_forgery(req, *session)) return send(*refusal);
  session = sessions_.remove(cookie_value(req.get_header_value("Cookie"), kSessionCookie));
  json body = {{"signed_out", true}, {"revoked", true}};
  if (session) {
    std::lock_guard lock(session->mu);
    if (auto s = session->client->revoke(); !s) {
      body["revoked"] = false;
      body["message"] = "Signed out of crmsync, but Salesforce did not revoke the token: " + s.error().message;
    }
  }
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + cookie_attributes(0, "/"));
  send({200, body});
}

Answer Signin::session_answer(const httplib::Request& req) const {
  auto session = session_of(req);
  if (!session) return not_signed_in();
  return {200,
          {{"user_id", session->user_id},
           {"name", session->name},
           {"username", session->username},
           {"admin", session->admin},
           {"csrf_token", session->csrf_token},
           {"expires", format_datetime_iso(session->expires)},
           {"signin", true}}};
}

}  // namespace crmsync::serve
