// The sync engine: imports every enabled catalog object from Salesforce into the local store.
//
// Per object: describe, decide the field list (catalog::select_fields with the admin's choices),
// make sure the table has those columns, then read with queryAll ordered by the modstamp field and
// Id: everything the first time, then the window [watermark - lookback, now - settle). queryAll
// brings soft-deleted rows with IsDeleted = true; they are upserted like any other row (the table
// mirrors what an admin's queryAll returns). Rows and the watermark that follows them commit in one
// transaction, so a failure (or a kill) never loses or rolls back a committed page and the next run
// resumes where the last commit left off.
//
// Around the window read: fields added to the table since the last run are back-filled for the
// rows already stored (Id + new fields, one pass); formula fields are re-read on their own
// schedule (Id + formulas); rows that vanished from Salesforce (hard deletes) are found by a
// getDeleted pass when one is plugged in, else by id reconciliation, and marked IsDeleted = 1
// (removed where the object has no IsDeleted). Ids are reconciled instead of asking getDeleted on
// --reconcile, when the last success is beyond getDeleted's 15 days, when getDeleted refuses the
// window, and when the table holds rows but no run has succeeded yet (a load cut short). Field
// lists whose query would pass Salesforce's 16,384-byte URI limit are split into several queries
// over the same window and order, joined by Id.
//
// A full load (no watermark) of an object whose first REST page says it holds more than
// config.sync.bulk_threshold records is read through Bulk API 2.0 queryAll jobs instead (CSV by
// locator); the watermark moves only once the whole job is committed. A load cut short resumes
// the job from the last committed results page while Salesforce still has it complete, else starts
// over (idempotent upserts); either way the ids are then reconciled. A failed job (QUERY_TIMEOUT) is retried
// as two jobs over the two halves of the time window; if one fails again the window is read by
// REST paging. Increments always use REST.
//
// Every object's describe, first window page and getDeleted call travel in a few POST /composite
// requests (one API call each, SyncOptions::composite) before the objects run.
//
// Objects run in parallel (config.sync.concurrency), each worker with its own Client (a Client is
// not thread-safe); one writer thread owns the store and applies every write in order. A second
// sync against the same store is refused (StoreLock: a lock file for SQLite, an advisory lock on
// the schema for PostgreSQL).
//
//   auto client = salesforce::Client::connect(config::connect_options(cfg));
//   auto store = store::Store::open(sync::store_options(cfg));
//   auto report = sync::run_sync(cfg, **client, **store, {});   // Result<SyncReport>
//   return sync::exit_code(*report);                             // 0 done, 1 failed, 3 paused
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "check/check.h"
#include "common/result.h"
#include "common/timeutil.h"
#include "config/config.h"
#include "salesforce/bulk.h"
#include "salesforce/client.h"
#include "store/store.h"
#include "sync/schedule.h"  // crmsync sync --every

namespace crmsync::sync {

// What one object's run did.
struct ObjectReport {
  std::string object;
  // kPaused: the quota guard (or --max-api-calls) stopped it; committed pages stay, the next run
  // resumes from the watermark.
  enum class Outcome { kSynced, kSkipped, kFailed, kPaused } outcome = Outcome::kSynced;
  bool full = false;              // a full load (no watermark yet) rather than an increment
  std::int64_t records = 0;       // rows written by the window read (upserts, deleted ones included)
  std::int64_t deleted = 0;       // rows that arrived with IsDeleted = true, plus rows marked deleted
                                  // because they vanished from Salesforce (hard deletes)
  std::int64_t hard_deleted = 0;  // of `deleted`, the rows that vanished (found by reconciliation)
  std::int64_t backfilled = 0;    // rows whose newly added fields were filled in
  std::int64_t formulas_refreshed = 0;  // rows whose formula fields were re-read
  int query_parts = 1;            // queries per read (> 1 when the field list passed the URI limit)
  int window_splits = 0;          // times an increment's window query timed out (QUERY_TIMEOUT) and
                                  // was read as narrower windows instead
  bool bulk = false;              // the window was read through Bulk API 2.0 query jobs
  int bulk_jobs = 0;              // Bulk query jobs started (failed ones included)
  bool bulk_resumed = false;      // a job a run cut short had started was read on from its last
                                  // committed results page (crmsync_sync_state.bulk_locator)
  std::string bulk_fallback;      // why a Bulk read was given up for REST paging; empty otherwise
  bool reconciled = false;        // the ids were reconciled with Salesforce this run
  std::int64_t api_calls = 0;     // API calls this object's run spent (describe + query pages),
                                  // with its share of the run's composite requests
  double seconds = 0;
  std::int64_t rows_in_store = 0; // the table's row count after the run
  std::vector<std::string> warnings;  // e.g. a Recommended field the user cannot read
  std::vector<std::string> notes;     // worth knowing, nothing to fix: e.g. fields of an object beyond
                                      // the catalog skipped for their type
  // The integration user does not see every record of the object (role and sharing without View
  // All Records), or that could not be verified: `crmsync check`'s finding, with the fix
  // (VIEW_ALL_RECORDS_MISSING, VIEW_ALL_UNVERIFIED). Asked after the objects are synced, for an
  // object not checked before, at most daily otherwise (hourly while records are hidden) and on a
  // full refresh of it; the runs between repeat the last answer.
  std::optional<check::Finding> visibility;
  std::string message;            // why it was skipped, failed or paused; empty otherwise
  bool interrupted = false;       // paused by SyncOptions::interrupted (Ctrl-C), not by the quota
  // A full refresh (SyncOptions::full_refresh) this run worked on: "started" (the reload began),
  // "resumed" (a reload a run left unfinished went on), "done" (the reload was complete and
  // replaced the table); empty when there was none.
  std::string full_refresh;
};

struct SyncReport {
  std::vector<ObjectReport> objects;
  std::int64_t api_calls = 0;            // the objects' calls (their composite and visibility shares
                                         // included)
  std::int64_t composite_api_calls = 0;  // of those, POST /composite requests made for every object
                                         // at once, shared among the objects they served
  std::int64_t visibility_api_calls = 0; // of those, the record-visibility check's (ObjectReport::visibility),
                                         // made after the objects, shared among the objects it checked
  double seconds = 0;
  bool ok() const;      // no object failed
  bool paused() const;  // some object was paused by the quota guard (or interrupted)
  bool interrupted() const;  // SyncOptions::interrupted stopped the run
};

// The exit code of `crmsync sync` when the run was interrupted (SIGINT or SIGTERM), as a shell
// reports a process that Ctrl-C ended (128 + SIGINT).
inline constexpr int kInterruptedExitCode = 130;

// 0 every object synced or was skipped for a reason it prints, 1 something failed, 130 interrupted
// (kInterruptedExitCode), 3 paused by the quota guard (and nothing failed).
int exit_code(const SyncReport& report);

// Progress as pages commit, for a terminal display or logs. Called from one thread (the writer).
struct Progress {
  std::string object;
  std::int64_t records = 0;  // committed so far for this object's window read
  std::int64_t total = -1;   // totalSize of the query, when known
  double seconds = 0;        // since the object started
};

// The ids Salesforce reports deleted for an object in [start, end) (getDeleted), or an error;
// kNotFound / kUnsupported mean "not available for this object" and fall back to reconciliation.
using DeletedIdsSource = std::function<Result<std::vector<std::string>>(
    salesforce::Client& client, const std::string& object, EpochMs start, EpochMs end)>;

// The getDeleted pass through Client::get_deleted (ids Salesforce reports deleted in the window).
DeletedIdsSource salesforce_get_deleted();

class StoreLock;  // below

struct SyncOptions {
  // Only these objects (crmsync sync --object); empty = every enabled object. Names are matched
  // case-insensitively against the configuration (objects_for_run).
  std::vector<std::string> objects;
  // Objects to load again from scratch (crmsync sync --full-refresh): the watermark is forgotten and
  // the object is read whole into its reload table (store::reload_table_name) while its table
  // stays as it was; once the reload is read (and its hard deletes found) it replaces the table in
  // one transaction. A reload cut short (failure, pause, kill) is resumed by the next run, asked for
  // or not; the table is replaced only when it is complete.
  std::vector<std::string> full_refresh;
  std::function<void(const Progress&)> on_page;  // called after each committed group of pages
  // Sforce-Query-Options batchSize; 0 = config.sync.batch_size.
  int batch_size = 0;
  // Rows per transaction; 0 = config.sync.rows_per_commit.
  std::int64_t rows_per_commit = 0;
  // Objects in parallel; 0 = config.sync.concurrency.
  int concurrency = 0;
  // Threads writing the store, each with its own connection and transactions (an object's rows and
  // state always go through the same one, so they commit together): 0 = 2 on PostgreSQL (the second
  // connection opened with store_options(config)), where one server process per connection turns
  // pages into rows, search vectors and indexes, 1 on SQLite, which has a single writer anyway.
  int store_writers = 0;
  // Stop (outcome paused, exit 3) once the run has spent this many API calls; 0 = no bound.
  std::int64_t max_api_calls = 0;
  // Reconcile every object's ids with Salesforce this run (crmsync sync --reconcile).
  bool reconcile = false;
  // Asked before every API call; true stops the run (Ctrl-C): each object keeps what it committed,
  // is reported paused with `interrupted` set, and the next run resumes from its watermark.
  std::function<bool()> interrupted;
  // The getDeleted pass (salesforce_get_deleted() in `crmsync sync`); empty: ids are reconciled
  // every run. When it answers INVALID_REPLICATION_DATE or EXCEEDED_ID_LIMIT, kNotFound or
  // kUnsupported (window out of reach, too many ids, object without getDeleted), ids are reconciled.
  DeletedIdsSource deleted_ids;
  // Opens one more session for a worker thread; empty = Client::connect(config::connect_options(config)).
  std::function<Result<std::unique_ptr<salesforce::Client>>()> connect;
  // Salesforce's limit on a request URI; queries longer than this are split.
  std::size_t max_uri_bytes = 16384;
  // Where the clock is read (tests may pin it); empty = now_ms().
  std::function<EpochMs()> clock;
  // Gather what every object needs first (describe, the first page of its window, getDeleted when
  // deleted_ids is salesforce_get_deleted()) into POST /composite requests, each one API call for
  // up to 25 subrequests (5 of them queries): an increment over n objects spends
  // ceil(n/25) + ceil(n/5) calls plus one per further page. false: one call per request.
  bool composite = true;
  // How Bulk API 2.0 query jobs are polled (tests poll faster); include_deleted is always set and
  // max_records 0 means min(rows per commit, 5000) rows per results page: 10,000 kept a million-record
  // Bulk sync above 100 MB of peak memory (four workers each holding a page and its rows).
  salesforce::BulkQueryOptions bulk;
  // The store's lock when the caller already holds it (crmsync worker takes it before it logs the
  // run and keeps it until the run's outcome is recorded); nullptr: run_sync takes it for the run.
  const StoreLock* store_lock = nullptr;
};

// The objects a run syncs, in the configuration's order and spelling: every enabled object, or
// those `only` names. Errors (kConfig, each naming the object and the fix): UNKNOWN_OBJECT (no
// object of that name is configured or in the catalog; with a "did you mean"), OBJECT_NOT_ENABLED
// (the configuration switches it off, or its group), OBJECT_NOT_IN_RUN (`full_refresh` names an
// object `only` leaves out).
Result<std::vector<std::string>> objects_for_run(const config::Config& config, const std::vector<std::string>& only,
                                                 const std::vector<std::string>& full_refresh);

// Runs one sync of every enabled object (or of SyncOptions::objects). Per-object failures are
// reported in the SyncReport (and the run goes on with the other objects); only an error that
// stops everything is returned as an Error: objects_for_run refuses the options' objects, the
// store cannot be written, another sync holds the store's lock (kStore code
// STORE_LOCKED), or Salesforce refused the integration user itself rather than one object (API
// access off: API_DISABLED_FOR_ORG; the session or a new login refused, e.g. a frozen or
// deactivated user: kAuth): the run stops at the first such refusal, with Salesforce's code and the fix.
// The org the client logged in to is recorded in the store (crmsync_meta org_id, store::kOrgIdKey).
Result<SyncReport> run_sync(const config::Config& config, salesforce::Client& client, store::Store& store,
                            const SyncOptions& options);

// The store column for each selected field.
std::vector<store::Column> columns_for(const catalog::FieldSelection& selection);

// What the org offers to sync (crmsync catalog --org): every object describeGlobal shows the
// integration user as queryable and replicable, and each field's support by crmsync's type rules.
struct OfferedField {
  std::string name;
  std::string describe_type;  // "string", "multipicklist", ...
  bool supported = false;
  std::string catalog_type;   // when supported: "STRING", "LOOKUP", ...
  std::string reason;         // when not: why (catalog::classify_field's message)
};
struct OfferedObject {
  std::string name;
  std::string label;
  bool custom = false;
  std::string catalog_group;   // "core", "deals", "engage"; empty beyond the catalog
  bool synced = false;         // the configuration syncs it (config::Config::synced_objects)
  std::string modstamp_field;  // the watermark field; empty: every run would read it whole
  std::vector<OfferedField> fields;  // in describe order
  std::string describe_error;  // describe failed (the object is listed without its fields)
};
struct OrgOffer {
  std::vector<OfferedObject> objects;  // describeGlobal's order
  std::int64_t left_out = 0;           // objects describeGlobal lists that are not queryable or replicable
  std::int64_t api_calls = 0;          // describeGlobal + one per 25 describes (POST /composite)
};
// Errors: the login's and describeGlobal's (network, session, API access); a describe that fails
// is recorded on its object.
Result<OrgOffer> org_offer(salesforce::Client& client, const config::Config& config);

// The store options the [store] section describes (url, schema, password).
store::OpenOptions store_options(const config::Config& config);

// An exclusive lock on a store, held while the object lives and released when the process dies
// (SQLite: flock on "<path>.lock"; PostgreSQL: a session-level advisory lock on the schema, held by
// a connection of its own), so SIGKILL leaves no stale lock.
class StoreLock {
 public:
  // Errors: kStore STORE_LOCKED when another process holds it (the message says so and what to do),
  // kStore when the lock cannot be taken (the lock file cannot be created, the server is unreachable).
  static Result<std::unique_ptr<StoreLock>> acquire(const store::OpenOptions& where);
  static Result<std::unique_ptr<StoreLock>> acquire(const std::string& store_url);
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  explicit StoreLock(std::unique_ptr<store::WriterLock> lock) : lock_(std::move(lock)) {}
  std::unique_ptr<store::WriterLock> lock_;
};

}  // namespace crmsync::sync
