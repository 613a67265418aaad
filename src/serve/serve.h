// crmsync serve: the deal board, the forecast board and search over what `crmsync sync` imported,
// as a JSON API and a web page served by the binary itself (no asset comes from the internet).
//
// Reads never stop a sync: every request reads one snapshot of the store (store::StoreReader, a
// read transaction on a read-only connection; SQLite's WAL keeps it as of its first read), so an
// answer shows the last committed sync, never half a page. What the boards compute from (deals,
// people, rates, activities: serve/model.h) is kept between requests while the store's version
// stays the same, and read again after a sync commits. The rules (periods, the role hierarchy,
// split attribution, cumulative forecast categories) are in serve/boards.h; the API in docs/api.md.
//
// Every request carries a Viewer: today everyone sees everything (the server listens on loopback
// only); sign-in (issue #16) makes it a person whose visibility restricts every route.
//
//   auto reader = store::StoreReader::open(sync::store_options(cfg));
//   serve::Api api(std::move(*reader), {.serve = cfg.serve});
//   if (auto s = api.check_columns(); !s) ...                 // [serve] deal_columns against the store
//   serve::Server server(api, {.host = "127.0.0.1", .port = 8080});
//   server.start();  ...  server.stop();
//   serve::Answer a = api.get("/api/deals", {{"from", "2025-01-01"}}, serve::Viewer::everyone());
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/timeutil.h"
#include "config/config.h"
#include "store/store.h"

namespace crmsync::serve {

// Who asks. Without sign-in there is one viewer who sees everything.
struct Viewer {
  std::string user_id;  // empty: everyone's view
  static Viewer everyone() { return {}; }
  bool sees_everything() const { return user_id.empty(); }
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
  Answer get(std::string_view path, const Params& params, const Viewer& viewer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: a free port (tests), see Server::port()
};

// Until sign-in exists the boards are served on loopback only: kConfig LOOPBACK_ONLY, saying why,
// for any other address.
Status check_listen_host(const std::string& host);

// The HTTP front: GET / (the page), /assets/<file> (its scripts, styles and Chart.js, embedded in
// the binary at build time: serve/assets.h) and /api/... (Api::get), on cpp-httplib's thread pool.
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
