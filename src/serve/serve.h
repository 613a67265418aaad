// crmsync serve: the deal board, the forecast board and search over what `crmsync sync` imported,
// as a JSON API and a web page served by the binary itself (no asset comes from the internet).
//
// Reads never stop a sync: every request reads one snapshot of the store (store::StoreReader, a
// read transaction: SQLite's WAL, PostgreSQL's REPEATABLE READ), so an answer shows a committed
// sync, never half a page. What the boards compute from (deals, people, rates, activities:
// serve/model.h) is read in one snapshot by a background thread and kept in memory; after a sync
// commits, requests are answered from the last model read while the next one is read
// (serve/model_cache.h), so no request waits for a read of the whole store but the first. Search
// runs in the store (FTS5, PostgreSQL full-text search) in the request's snapshot. The rules
// (periods, the role hierarchy, split attribution, cumulative forecast categories) are in
// serve/boards.h; the API in docs/api.md.
//
// Every request carries a Viewer. Without sign-in it is everyone, who sees everything, and the
// server listens on loopback only. With sign-in ([serve] client_id; SigninOptions) team members
// sign in with Salesforce (the OAuth web-server flow with PKCE), every /api/ route answers only a
// session, each person sees their own deals, those of everyone below them in the role hierarchy
// and those whose team they are on ([serve] admins see all), and they edit deals as themselves:
// PATCH /api/deals/{Id} goes to Salesforce with their own token (Api::edit).
//
//   auto reader = store::StoreReader::open(sync::store_options(cfg));
//   serve::Api api(std::move(*reader), {.serve = cfg.serve});
//   if (auto s = api.check_columns(); !s) ...                 // [serve] deal_columns against the store
//   serve::Server server(api, {.host = "127.0.0.1", .port = 8080});
//   server.start();  ...  server.stop();
//   serve::Answer a = api.get("/api/deals", {{"from", "2025-01-01"}}, serve::Viewer::everyone());
//
//   // with sign-in: ApiOptions::edit_store, and ServerOptions::signin = signin_options(cfg, secrets)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/timeutil.h"
#include "config/config.h"
#include "store/store.h"

namespace crmsync::serve {

// Who asks. Without sign-in there is one viewer who sees everything; with it, the signed-in person.
struct Viewer {
  std::string user_id;   // empty: everyone's view (no sign-in)
  std::string username;  // the signed-in person's, for crmsync_edit_log
  bool admin = false;    // [serve] admins: sees every deal
  static Viewer everyone() { return {}; }
  bool sees_everything() const { return user_id.empty() || admin; }
};

// An HTTP answer of Salesforce: any status, its body as sent.
struct SalesforceAnswer {
  int status = 0;
  std::string body;
};

// Salesforce as the signed-in person: their own session, so their permissions decide.
class SalesforceAsViewer {
 public:
  virtual ~SalesforceAsViewer() = default;
  // PATCH .../sobjects/{object}/{id} with `fields` (and If-Unmodified-Since when given). Every HTTP
  // answer is a value; an Error means Salesforce was not reached or the session could not be
  // renewed (kAuth: the person must sign in again).
  virtual Result<SalesforceAnswer> update(std::string_view object, std::string_view id, const nlohmann::json& fields,
                                          std::optional<EpochMs> unmodified_since) = 0;
  // GET .../sobjects/{object}/{id}: the record with every field they may read.
  virtual Result<nlohmann::json> retrieve(std::string_view object, std::string_view id) = 0;
  // GET .../sobjects/{object}/describe: the fields as they may use them (updateable, picklist values).
  virtual Result<nlohmann::json> describe(std::string_view object) = 0;
};

// Query parameters as they came (a name may repeat).
using Params = std::multimap<std::string, std::string>;

// An API answer: the HTTP status and the JSON body ({"error": {"code", "message"}} when not 200).
struct Answer {
  int status = 200;
  nlohmann::json body;
};

struct ApiOptions {
  config::ServeConfig serve;
  std::string salesforce_url;            // records link to <salesforce_url>/<Id>; empty: no links
  std::function<EpochMs()> clock = {};   // "today" (tests pin it); empty = now_ms()
  // Called on the background thread before each read of the boards' model (tests hold it there to
  // show that requests are answered meanwhile); empty = nothing.
  std::function<void()> before_model_refresh = {};
  // Where accepted edits and crmsync_edit_log are written (the [store]); unset: edits are refused.
  std::optional<store::OpenOptions> edit_store;
};

// The JSON API over a store, apart from HTTP (the server's handlers only pass requests through).
class Api {
 public:
  Api(std::unique_ptr<store::StoreReader> reader, ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // [serve] deal_columns against the catalog and, when it exists, the store's Opportunity table:
  // each must be an imported field, and a reference only OwnerId or RecordTypeId. kConfig naming
  // the column and the fix; `crmsync serve` refuses to start on it.
  Status check_columns();
  // GET `path` ("/api/deals", "/api/deals/006...", ...). Never throws; unknown paths answer 404.
  // `person` may name only the viewer or someone below them (403 PERSON_NOT_VISIBLE otherwise).
  Answer get(std::string_view path, const Params& params, const Viewer& viewer);
  // PATCH /api/deals/{Id}: `body` is a JSON object of Opportunity field API names and values, sent
  // to Salesforce by `as` (the viewer's own session). `if_unmodified_since` is the request's
  // If-Unmodified-Since header (an HTTP date: the deal's LastModifiedDate as the page showed it;
  // unset: the one the store holds now; malformed: 400 INVALID_HEADER). Answers the deal as
  // Salesforce now has it (as GET /api/deals/{Id} shows it, plus "stored"), or Salesforce's
  // refusal with its status and {"error": {"code", "message", "fields"}}; 412 when the deal changed
  // since then.
  Answer edit(std::string_view path, std::string_view body, const Viewer& viewer, SalesforceAsViewer& as,
              std::optional<std::string_view> if_unmodified_since = std::nullopt);
  // GET /api/edit-fields: what the edit dialog offers the viewer, {"fields": [{"name", "label",
  // "type", "values"}]} (edit.h edit_field_list; Opportunity's describe asked through `as`).
  Answer edit_fields(SalesforceAsViewer& as);
  // The org the store holds (crmsync_meta org_id, recorded by the sync); nullopt before a sync
  // recorded it.
  Result<std::optional<std::string>> org_id();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sign-in with Salesforce (docs/api.md, "Sign-in"): the org's login host and the connected app team
// members sign in through.
struct SigninOptions {
  std::string login_url;     // [salesforce] login_url: where people sign in and tokens are revoked
  std::string api_version = "62.0";
  bool verify_tls = true;
  std::string public_url;    // [serve] public_url; the callback is <public_url>/auth/callback
  std::string client_id;
  std::string client_secret;  // empty: none sent (an app that needs PKCE only)
  std::string session_key;    // empty: a random key
  std::vector<std::string> admins;  // usernames or user ids
  std::int64_t session_hours = 8;
  std::function<EpochMs()> clock = {};  // now (tests move it); empty = now_ms()
};
// From the configuration: [salesforce] login_url, api_version, verify_tls and [serve]'s keys, with
// the secrets config::read_signin_secrets read.
SigninOptions signin_options(const config::Config& config, const config::SigninSecrets& secrets);

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: a free port (tests), see Server::port()
  std::optional<SigninOptions> signin;  // unset: no sign-in, loopback only, everyone sees everything
};

// Without sign-in the boards are served on loopback only: kConfig LOOPBACK_ONLY, saying why, for
// any other address. With sign-in any address.
Status check_listen_host(const std::string& host, bool signin);

// The HTTP front: GET / (the page), /assets/<file> (its scripts, styles and Chart.js, embedded in
// the binary at build time: serve/assets.h) and /api/... (Api::get); with sign-in also /auth/login,
// /auth/callback, POST /auth/logout, GET /api/session, GET /api/edit-fields (Api::edit_fields) and
// PATCH /api/deals/{Id} (Api::edit), every /api/ route answering 401 without a session and every
// write 403 without its CSRF token. On cpp-httplib's thread pool.
class Server {
 public:
  Server(Api& api, ServerOptions options);
  ~Server();
  Status start();  // binds and serves in the background; kConfig LOOPBACK_ONLY, kNetwork when it cannot bind
  void stop();
  int port() const;
  std::string url() const;  // http://host:port

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// crmsync_sync_state as JSON: `crmsync status --json` and GET /api/status print the same objects.
nlohmann::json status_json(const std::vector<store::SyncState>& states);

}  // namespace crmsync::serve
