// The OAuth web-server flow's first leg: GET /services/oauth2/authorize shows a login form, whose
// POST checks the username and password and redirects to redirect_uri with a single-use `code`
// (and `state`); the client then trades the code at /services/oauth2/token
// (grant_type=authorization_code) for an access token and a refresh token.
#include "common/text.h"
#include "emulator/routes/routes.h"

namespace crmsync::emulator {
namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

void send_page(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content("<!DOCTYPE html>\n<html><head><title>Login | crmsync emulator</title></head><body>\n" + body +
                      "</body></html>\n",
                  "text/html;charset=UTF-8");
}

void send_login_form(const httplib::Request& req, httplib::Response& res, const std::string& error) {
  std::string form = "<h1>Log in to the crmsync Salesforce emulator</h1>\n";
  if (!error.empty()) form += "<p id=\"error\" style=\"color:#c23934\">" + html_escape(error) + "</p>\n";
  form += "<form method=\"POST\" action=\"/services/oauth2/authorize\">\n";
  for (const char* hidden : {"response_type", "client_id", "redirect_uri", "state", "scope"}) {
    if (!req.has_param(hidden)) continue;
    form += "<input type=\"hidden\" name=\"" + std::string(hidden) + "\" value=\"" +
            html_escape(req.get_param_value(hidden)) + "\">\n";
  }
  form +=
      "<label>Username <input type=\"email\" name=\"username\" id=\"username\"></label><br>\n"
      "<label>Password <input type=\"password\" name=\"password\" id=\"password\"></label><br>\n"
      "<input type=\"submit\" id=\"Login\" value=\"Log In\">\n</form>\n";
  send_page(res, 200, form);
}

}  // namespace

void handle_authorize(EmuState& s, const httplib::Request& req, httplib::Response& res) {
  const std::string response_type = req.get_param_value("response_type");
  if (response_type != "code") {
    return send_page(res, 400,
                     "<p>error=unsupported_response_type: the emulator serves the web-server flow only "
                     "(response_type=code).</p>\n");
  }
  if (req.get_param_value("client_id") != s.options.client_id) {
    return send_page(res, 400, "<p>error=invalid_client_id: client identifier invalid</p>\n");
  }
  const std::string redirect_uri = req.get_param_value("redirect_uri");
  if (redirect_uri.empty()) {
    return send_page(res, 400, "<p>error=redirect_uri_mismatch: redirect_uri must match configuration</p>\n");
  }
  if (req.method == "GET") return send_login_form(req, res, "");

  const std::string username = req.get_param_value("username");
  auto it = s.passwords.find(to_lower(username));
  auto user = it != s.passwords.end() && it->second == req.get_param_value("password") ? s.active_user_id(username)
                                                                                         : std::nullopt;
  if (!user) {
    return send_login_form(req, res,
                           "Please check your username and password. If you still can't log in, contact your "
                           "Salesforce administrator.");
  }
  std::string location = redirect_uri + (redirect_uri.find('?') == std::string::npos ? "?" : "&") +
                         "code=" + url_encode(s.issue_auth_code(*user, redirect_uri));
  if (req.has_param("state")) location += "&state=" + url_encode(req.get_param_value("state"));
  res.status = 302;
  res.set_header("Location", location);
}

}  // namespace crmsync::emulator
