// The local Salesforce org emulator: an HTTP server that speaks Salesforce's REST wire format
// (OAuth: password, client credentials, JWT bearer, web-server code and refresh token grants, and
// token revocation; versions, describeGlobal, describe, query/queryAll with nextRecordsUrl paging, sObject
// create/read/update/delete, getDeleted/getUpdated, limits and the daily API counter) over a
// generated, deterministic org, with optional fault injection (FaultOptions). Standard Salesforce clients work against it unchanged; crmsync's own tests and demo use it
// over loopback.
//
//   Emulator emu({.port = 0, .org = {.seed = 42, .scale = 50}});
//   if (auto s = emu.start(); !s) fail(s.error());
//   std::string url = emu.base_url();   // http://127.0.0.1:PORT
//   ...
//   emu.stop();
//
// The module's parts, one folder each, each with one header that says what it is for:
//   table.h   the org's tables (Database, Table, FieldDef, Value), which database() exposes
//   sf_error.h  the one error type: a Salesforce error as crmsync's Error, with a record's fields
//   soql/     SOQL: lexer, parser, AST, date literals, relationship paths, executor (soql/soql.h)
//   org/      the schema, the generated org and the org file (org/org.h)
//   access/   the permission model: object, field and record access (sharing rules, teams and manual
//             shares included), write checks (access/access.h)
//   dml/      the DML engine: one record's create, update, delete, upsert matching (dml/dml.h)
//   wire/     records as Salesforce writes them: REST JSON and Bulk CSV (wire/wire.h)
//   routes/   the HTTP server, its shared state and every route (routes/routes.h)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/table.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace crmsync::emulator {

struct OrgOptions {
  std::uint64_t seed = 42;  // same seed and scale, same org
  int scale = 100;          // number of accounts; other objects in realistic proportion
  // The generated org's recent deletion history (hard-deleted CampaignMember and
  // OpportunityLineItem rows) is dated in the 10 days before this instant, so that getDeleted's
  // 15-day window shows it; 0 means the time of generation. Everything else is dated 2024-2025.
  EpochMs history_anchor_ms = 0;
};

// Faults the emulator injects into API calls (never into /services/oauth2/*), off by default.
// Which call fails and how is drawn from `seed`, so a run with the same options and the same
// sequence of calls fails the same calls.
struct FaultOptions {
  double rate = 0;  // fraction of API calls that get a fault, 0..1
  // Which faults to draw from: "500", "503", "limit" (403 REQUEST_LIMIT_EXCEEDED), "timeout"
  // (400 QUERY_TIMEOUT, query/queryAll calls only), "slow" (answer after slow_ms), "drop" (close
  // the connection without an answer), "truncate" (cut the JSON body mid-way). Empty: all of them.
  std::vector<std::string> kinds;
  int slow_ms = 1500;
  std::uint64_t seed = 1;
  // The Nth API call since start (1-based) finds every session issued so far expired (401
  // INVALID_SESSION_ID); a new login works again. 0: never.
  std::int64_t expire_session_at = 0;
};

// The fault kinds FaultOptions::kinds accepts, in the order --help lists them.
const std::vector<std::string>& fault_kind_names();

// Builds the org's schema (every catalog object and the setup objects, with Salesforce's API
// names, key prefixes and describe metadata), its users and its generated data.
std::unique_ptr<Database> generate_org(const OrgOptions& options);

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  int port = 8787;                 // 0 picks a free port
  OrgOptions org;
  int default_batch_size = 2000;   // query page size unless Sforce-Query-Options asks for less
  std::int64_t daily_api_max = 100000;  // past it, API calls get 403 REQUEST_LIMIT_EXCEEDED
  std::int64_t api_used = 0;            // the daily counter's starting value
  // Connections are served a thread each: `threads` start with the server, more as connections
  // need them, up to max_threads (then new connections wait for a free thread).
  int threads = 8;
  int max_threads = 256;
  // A request's line and headers must arrive within this long of its first byte (else 408 and the
  // connection closes), however slowly they trickle in.
  int header_timeout_ms = 10000;
  // A request body may hold this many bytes, counted after gzip or deflate is undone: Salesforce's
  // REST limit ("Maximum size of request is 52428800 bytes"); more is 413. The OAuth endpoints
  // (/services/oauth2/*, before any login) take at most 64 KiB. A body is read only once the
  // call's session is known to be valid.
  std::size_t max_request_bytes = 52428800;
  // An org file (JSON, or TOML when the name ends in .toml) describing how the org differs from
  // the default one; its seed and scale, when given, replace `org`'s. Format:
  // docs/emulator-org-file.md. Empty: the default org.
  std::string org_file;
  // Bulk API 2.0 query jobs: a job is InProgress at its first poll and completes at a later poll
  // once this much time has passed since its creation; results pages hold at most maxRecords rows,
  // this many when the call does not say.
  int bulk_processing_ms = 20;
  int bulk_default_max_records = 10000;
  // Query jobs whose query matches more than this many records end Failed (as a job whose query
  // passes Salesforce's 2-minute limit does, QUERY_TIMEOUT) instead of JobComplete. -1: never.
  std::int64_t bulk_fail_above_records = -1;
  // REST query/queryAll calls whose query matches more than this many records answer 400
  // QUERY_TIMEOUT (as a query that passes Salesforce's 2-minute limit does; a wide scan of a big
  // table). -1: never.
  std::int64_t query_timeout_above_records = -1;
  // The connected app and users of the default org.
  std::string client_id = "crmsync-local";
  std::string client_secret = "crmsync-local-secret";
  // PEM X.509 certificate registered on the connected app; JWT bearer assertions must be RS256
  // signatures by its key. Empty: the JWT bearer grant is refused.
  std::string jwt_certificate_file;
  // Each refresh_token grant returns a new refresh token and revokes the one used.
  bool rotate_refresh_tokens = false;
  // The client credentials flow's run-as user.
  std::string client_credentials_user = "integration@crmsync.test";
  // Access tokens expire this long after issue; then every call gets 401 INVALID_SESSION_ID.
  std::int64_t token_ttl_seconds = 7200;
  // The emulator's own /emulator/ routes (recycle bin, API counter) serve every active,
  // API-enabled user, not only users with Modify All Data.
  bool open_admin_routes = false;
  FaultOptions faults;
};

class Emulator {
 public:
  explicit Emulator(EmulatorOptions options);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Generates the org, binds and starts serving on background threads. Errors: the port is taken.
  Status start();
  // What start() does short of binding: the org (and its org file), the JWT certificate, the
  // options' checks. Enough for answer(); start() calls it.
  Status load();
  // Answers one request in-process, as the server does once the request's line and headers are
  // read, with req.path decoded and req.params parsed as cpp-httplib does: no socket, no thread
  // (fuzz/emulator_request.cpp). The body (req.body, as sent: no gzip undone) goes through the
  // same bounds as one read from a connection. Call load() first. An exception a route throws
  // propagates (the server answers it 500 UNKNOWN_EXCEPTION): it is a bug.
  void answer(const httplib::Request& req, httplib::Response& res);
  // Blocks until stop() is called from another thread (or a signal handler path calls it).
  void wait();
  void stop();

  std::string base_url() const;  // http://HOST:PORT, valid after start()
  int port() const;

  Database& database();

  // A refresh token for an active user, as the web-server flow would issue (for tests and demos).
  // Errors: no such active user. Valid after start().
  Result<std::string> issue_refresh_token(const std::string& username);

  // The daily API request counter (what Sforce-Limit-Info reports); set it to model a new day.
  std::int64_t api_used() const;
  void set_api_used(std::int64_t used);

  // Changes FaultOptions::rate while serving (0 switches injection off), e.g. so a test's admin
  // writes and checks run without faults between faulty syncs.
  void set_fault_rate(double rate);

  // How many Bulk API 2.0 query jobs were created since start (deleted ones included).
  std::int64_t bulk_jobs_created() const;
  // How many Bulk API 2.0 results pages were served since start.
  std::int64_t bulk_result_pages_served() const;

  // Purges records, as emptying the recycle bin (or a Bulk hardDelete) does: they vanish from
  // every query, queryAll included, and only getDeleted still lists them. `ids` may name records
  // in the recycle bin or live ones; empty `ids` empties the whole recycle bin. Returns how many
  // records were purged; unknown or already purged ids are skipped. Errors: an id of an object
  // that has no recycle bin (Organization, User, setup objects), INVALID_TYPE_FOR_OPERATION;
  // nothing is purged then.
  Result<std::size_t> hard_delete(const std::vector<std::string>& ids);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::emulator
