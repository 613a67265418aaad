// Who is signed in to `crmsync serve`: sessions and sign-ins under way, held in memory only
// (docs/decisions.md, "Sign-in sessions"). Internal to src/serve.
//
// A session is a random 256-bit id in a cookie; the table keys it by HMAC-SHA256(session key, id),
// so neither the table nor a memory dump holds a usable cookie. Each session holds the person's
// own Salesforce client (their access and refresh tokens, never written anywhere), used under
// the session's lock. A sign-in under way is the `state` sent to Salesforce with its PKCE
// verifier, good for ten minutes and for one callback.
//
//   SessionTable sessions(key, clock);
//   auto login = sessions.begin_login();            // -> state, verifier (or nullopt: too many)
//   auto pending = sessions.finish_login(state);    // the verifier, once
//   std::string cookie = sessions.add(session);     // after the code was traded
//   std::shared_ptr<Session> s = sessions.find(cookie);   // nullptr: unknown, ended or expired
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/timeutil.h"
#include "salesforce/client.h"
#include "serve/serve.h"

namespace crmsync::serve {

// Random bytes from OpenSSL's CSPRNG, base64url without padding (32 bytes: 43 characters).
std::string random_token(std::size_t bytes = 32);
// Constant-time comparison of two secrets of any length (a token sent against the one held).
bool same_secret(std::string_view a, std::string_view b);

struct Session {
  std::string user_id;   // 18 characters, from userinfo
  std::string username;
  std::string name;
  bool admin = false;    // [serve] admins names them: they see every deal
  std::string csrf_token;
  EpochMs expires = 0;
  // The person's Salesforce session (their own token): used with `mu` held, one request at a time.
  std::mutex mu;
  std::unique_ptr<salesforce::Client> client;
};

// Salesforce as the session's person (Api::edit): their own Client, used under the session's lock.
class SessionSalesforce final : public SalesforceAsViewer {
 public:
  explicit SessionSalesforce(Session& session) : session_(session) {}
  Result<SalesforceAnswer> update(std::string_view object, std::string_view id, const nlohmann::json& fields,
                                  std::optional<EpochMs> unmodified_since) override;
  Result<nlohmann::json> retrieve(std::string_view object, std::string_view id) override;
  Result<nlohmann::json> describe(std::string_view object) override;

 private:
  Session& session_;
};

struct PendingLogin {
  std::string state;
  std::string code_verifier;
  EpochMs expires = 0;
};

class SessionTable {
 public:
  // `key`: the session key ([serve] session_key); empty: a random one. `clock`: now (tests move it).
  SessionTable(std::string key, std::function<EpochMs()> clock);

  // Stores the session (its csrf_token is set here) and answers the cookie value that finds it.
  std::string add(std::shared_ptr<Session> session);
  // The session of a cookie value; nullptr when unknown, ended or expired (an expired one is dropped).
  std::shared_ptr<Session> find(std::string_view cookie) const;
  // Ends a session: it is no longer found; the caller revokes its Salesforce token.
  std::shared_ptr<Session> remove(std::string_view cookie);
  std::size_t size() const;

  // A sign-in starts: a fresh state and PKCE verifier, kept ten minutes. nullopt when 10,000 are
  // already under way (a flood of sign-in starts cannot fill the memory).
  std::optional<PendingLogin> begin_login();
  // The sign-in a callback ends, taken out of the table (a state is good once); nullopt when
  // unknown or expired.
  std::optional<PendingLogin> finish_login(std::string_view state);

 private:
  std::string table_key(std::string_view cookie) const;
  void drop_expired_locked() const;

  std::string key_;
  std::function<EpochMs()> clock_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<Session>> sessions_;  // by table_key()
  mutable std::map<std::string, PendingLogin> logins_;                // by state
};

}  // namespace crmsync::serve
