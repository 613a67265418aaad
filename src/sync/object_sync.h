// One object's sync run, on a worker thread with its own Client; every store access goes through
// the WriteQueue. See sync.h for what a run does. Internal to src/sync.
#pragma once

#include <string>

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
  WriteQueue& writes;
  QuotaGuard& quota;
  int batch_size = 2000;
  EpochMs started = 0;  // the run's start, by options.clock
  EpochMs now() const { return options.clock ? options.clock() : now_ms(); }
};

// Hard deletes older than this are out of getDeleted's reach: ids are reconciled instead.
inline constexpr EpochMs kGetDeletedReachMs = 15LL * 24 * 3600 * 1000;

// Runs one object. Never throws; a store failure shows as a failed object and as the WriteQueue's
// error, which run_sync returns.
ObjectReport sync_one_object(RunContext& ctx, salesforce::Client& client, const std::string& object);

}  // namespace crmsync::sync
