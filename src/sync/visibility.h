// Whether the integration user sees every record of the objects a run syncs: `crmsync check`'s
// visibility decision (check::record_visibility: View All Records or View All Data, else the
// records it sees against the org's total), made part of the sync's report, so that a role and
// sharing without View All shows in every run's report and not only in `check`.
//
// It costs a few calls (the user's permission sets, then counts where View All is missing), so it
// runs after the objects are synced, never taking budget from the data, and only when the quota
// guard still allows a call; and Salesforce is asked only for an object not checked yet, when its
// last answer is older than a day (an hour while records were hidden, so a fix shows soon), or on
// a --full-refresh of it. Other runs repeat the answer kept in the store's crmsync_meta
// ("visibility"), per object. Its calls are shared among the objects checked, in their reports
// and their stored state, so that the objects' figures still add up to what Salesforce counted.
// Internal to src/sync.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "check/check.h"
#include "sync/object_sync.h"

namespace crmsync::sync {

inline constexpr EpochMs kVisibilityRecheckMs = 24LL * 3600 * 1000;
inline constexpr EpochMs kVisibilityRecheckHiddenMs = 3600LL * 1000;
inline constexpr std::string_view kVisibilityMetaKey = "visibility";

// The findings worth a warning (records hidden, or visibility unverified), by object, for those of
// `objects` that share records; `calls` is what asking Salesforce cost (0 when the kept answer
// served). A check that cannot run (quota, network, an interrupted run) repeats the kept answer:
// `crmsync check` says more.
std::map<std::string, check::Finding> check_visibility(RunContext& ctx, salesforce::Client& client,
                                                       const std::vector<std::string>& objects, std::int64_t& calls);

// Adds `calls` (check_visibility's) to the objects among `reports` that share records and were not
// skipped, evenly in whole calls, and to their crmsync_sync_state rows (committed).
void share_visibility_calls(RunContext& ctx, std::vector<ObjectReport>& reports, std::int64_t calls);

}  // namespace crmsync::sync
