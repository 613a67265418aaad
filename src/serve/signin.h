// Sign-in with Salesforce for `crmsync serve` (docs/api.md, "Sign-in"): the routes /auth/login,
// /auth/callback, /auth/logout and /api/session, and what every other route asks of a request
// (its session, its CSRF token). Internal to src/serve; serve.h's Server wires it.
//
// The OAuth 2.0 web-server flow with PKCE (S256) against the org's login URL: /auth/login sends
// the browser there with a fresh `state` (also in a short-lived cookie, so only the browser that
// started a sign-in can end it) and a code challenge; /auth/callback trades the code (with its
// verifier) through salesforce::Client, asks /services/oauth2/userinfo who signed in, refuses a
// user of another org than the store's, and starts a session (serve/session.h). Sign-out revokes
// the person's Salesforce token.
#pragma once

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>

#include "serve/serve.h"
#include "serve/session.h"

namespace crmsync::serve {

inline constexpr const char* kSessionCookie = "crmsync_session";
inline constexpr const char* kLoginCookie = "crmsync_login";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

class Signin {
 public:
  Signin(Api& api, SigninOptions options);

  void login(const httplib::Request& req, httplib::Response& res);     // GET /auth/login
  void callback(const httplib::Request& req, httplib::Response& res);  // GET /auth/callback
  void logout(const httplib::Request& req, httplib::Response& res);    // POST /auth/logout
  Answer session_answer(const httplib::Request& req) const;            // GET /api/session

  // The request's session (its cookie), nullptr when it has none that is valid.
  std::shared_ptr<Session> session_of(const httplib::Request& req) const;
  // A write (any method but GET and HEAD) must carry the session's CSRF token in X-CSRF-Token and,
  // when the browser says where it comes from (Origin), come from public_url: 403 otherwise.
  std::optional<Answer> refuse_forgery(const httplib::Request& req, const Session& session) const;
  // 401 NOT_SIGNED_IN, saying where to sign in.
  static Answer not_signed_in();
  // The viewer a session is.
  static Viewer viewer_of(const Session& session);
  // Ends a session whose Salesforce session ended (the person must sign in again).
  void end(const httplib::Request& req);

 private:
  std::string cookie_attributes(long max_age_seconds, const std::string& path) const;
  void page(httplib::Response& res, int status, const std::string& title, const std::string& text) const;
  bool is_admin(const std::string& user_id, const std::string& username) const;
  // Trades the code and starts the session; the error page's status and words otherwise.
  Result<std::shared_ptr<Session>> start_session(const std::string& code, const PendingLogin& login);

  Api& api_;
  SigninOptions options_;
  SessionTable sessions_;
};

// The value of cookie `name` in a Cookie header ("a=1; crmsync_session=..."); empty when absent.
std::string cookie_value(const std::string& header, std::string_view name);

}  // namespace crmsync::serve
