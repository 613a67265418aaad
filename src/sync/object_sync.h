// One object's sync run, on a worker thread with its own Client; every store access goes through
// the WriteQueue. See sync.h for what a run does. Internal to src/sync.
#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <optional>
#include <string>

#include "check/check.h"

#include "config/config.h"
#include "salesforce/client.h"
#include "sync/quota.h"
#include "sync/sync.h"
#include "sync/write_queue.h"

namespace crmsync::sync {

// What every object of one run shares.
struct RunContext {
  const config::Config& config;
  const SyncOptions& options;
  WriteQueue& writes;  // the first writer, on the caller's store: the run's own facts (visibility)
  QuotaGuard& quota;
  int batch_size = 2000;
  EpochMs started = 0;  // the run's start, by options.clock
  EpochMs now() const { return options.clock ? options.clock() : now_ms(); }

  // The integration user's permission sets and profile, read once per run and only when some
  // object needs them (a Required field it cannot read), so fixes name where to grant.
  const check::UserAccess& user_access(salesforce::Client& client) {
    std::lock_guard lock(access_mu);
    if (!access) {
      auto loaded = check::load_user_access(client);
      access = loaded ? std::move(*loaded) : check::UserAccess{};  // unreadable: the generic words
    }
    return *access;
  }
  std::mutex access_mu{};
  std::optional<check::UserAccess> access{};

  // The first refusal no object can get past (refuses_every_object): it stops the run, which
  // run_sync reports once instead of once per object.
  void stop_run_for(const Error& e) {
    std::lock_guard lock(stop_mu);
    if (!stop) stop = e;
  }
  std::optional<Error> stopped() {
    std::lock_guard lock(stop_mu);
    return stop;
  }
  std::mutex stop_mu{};
  std::optional<Error> stop{};
};

// Salesforce refused the integration user itself, not one object: API access is off
// (API_DISABLED_FOR_ORG, API_CURRENTLY_DISABLED), or the login or session was refused (kAuth: a
// session refused again after a new login, invalid_grant for a frozen, deactivated or locked-out
// user, inactive_user, inactive_org; INVALID_LOGIN). Every other object would fail the same way.
bool refuses_every_object(const Error& e);

// Hard deletes older than this are out of getDeleted's reach: ids are reconciled instead.
inline constexpr EpochMs kGetDeletedReachMs = 15LL * 24 * 3600 * 1000;

// True when `source` is salesforce_get_deleted(): its calls may then travel in a composite request.
bool is_salesforce_get_deleted(const DeletedIdsSource& source);

// One object's run in two halves. The run's coordinator (composite_reads.h) loads the object's
// state, hands it the describe answer it fetched in a composite request (plan: fields, table,
// window), then the first page of its window query and its getDeleted answer; a worker then runs
// the rest with its own session. A subrequest that failed is simply asked again by the worker.
// Without the first half, run() does everything itself.
class ObjectRun {
 public:
  // Its rows, its state and its reads of the store go through `writes`: one of the run's writers
  // (each its own store connection and transactions), the same one for the whole object.
  static std::unique_ptr<ObjectRun> create(RunContext& ctx, WriteQueue& writes, salesforce::Client& client,
                                           const std::string& object);
  virtual ~ObjectRun() = default;
  virtual void load() = 0;
  virtual void plan(const salesforce::CompositeResult& describe) = 0;
  // The window query's SOQL after plan() (queryAll); empty when there is none to prefetch (the
  // field list is split by the URI limit, or plan() did not complete).
  virtual std::string first_query() const = 0;
  virtual void seed_first_page(const salesforce::CompositeResult& page) = 0;
  // [start, end] of the getDeleted call this run needs, when it needs one from Salesforce.
  virtual std::optional<std::pair<EpochMs, EpochMs>> get_deleted_window() const = 0;
  virtual void seed_deleted(const salesforce::CompositeResult& deleted) = 0;
  // The client made calls for the whole run (composite requests): not this object's.
  virtual void forget_calls() = 0;
  // This object's share of the run's composite requests, counted in its API calls (not again in
  // the quota guard, which saw them already).
  virtual void add_shared_calls(std::int64_t calls) = 0;
  virtual ObjectReport run(salesforce::Client& client) = 0;
};

// Runs one object. Never throws; a store failure shows as a failed object and as the WriteQueue's
// error, which run_sync returns.
ObjectReport sync_one_object(RunContext& ctx, salesforce::Client& client, const std::string& object);

}  // namespace crmsync::sync
