// One run of one leased org: the normal sync (sync::run_sync, as `crmsync sync` runs it) into the
// org's schema of the workers' database, and what its report means for the schedule. Internal to
// src/fleet.
#pragma once

#include <functional>

#include "config/config.h"
#include "fleet/leases.h"
#include "sync/sync.h"

namespace crmsync::fleet {

// Logs in, opens the org's store and syncs every enabled object. `lock` is the org's writer lock,
// which the caller holds for the whole run; `stop` is asked before every API call (the worker's
// stop, or the lease lost) and stops the run cleanly; `on_retry` (may be empty) hears each retry of
// its Salesforce calls. Never fails: a failure is a RunResult.
RunResult sync_org(const config::Config& config, const sync::StoreLock& lock, const std::function<bool()>& stop,
                   const std::function<void(const salesforce::RetryNotice&)>& on_retry = {});

// How a sync report ends a run (interrupted reports are kInterrupted; the caller tells a lost lease
// apart), with the failed objects' messages or the pause's: a pause at [sync] quota_run_share lets
// the next run go on at its time, any other (the org's daily quota) waits for the quota.
RunResult outcome_of(const sync::SyncReport& report);

}  // namespace crmsync::fleet
