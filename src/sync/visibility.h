// Whether the integration user sees every record of the objects a run syncs: `crmsync check`'s
// visibility decision (check::record_visibility: View All Records or View All Data, else the
// records it sees against the org's total), made part of the sync's report, so that a role and
// sharing without View All shows in every run's report and not only in `check`.
//
// It costs a dozen calls (the user's permission sets, then counts where View All is missing), so a
// run asks Salesforce only when an object that shares records is loaded in full (a first load, a
// full refresh), or when the last answer, kept in the store's crmsync_meta ("visibility"), is
// older than a day, or than an hour while it found records hidden (so a fix shows soon); other runs
// repeat the kept answer. The calls are shared among the objects checked, like the composite
// requests'. Internal to src/sync.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "check/check.h"
#include "sync/object_sync.h"

namespace crmsync::sync {

inline constexpr EpochMs kVisibilityRecheckMs = 24LL * 3600 * 1000;
inline constexpr EpochMs kVisibilityRecheckHiddenMs = 3600LL * 1000;
inline constexpr std::string_view kVisibilityMetaKey = "visibility";

// The findings worth a warning (records hidden, or visibility unverified), by object, for the
// objects of `runs` (loaded); their calls are added to the quota guard and shared among the runs
// checked. A check that cannot run (quota, network) is left out silently: `crmsync check` says more.
std::map<std::string, check::Finding> check_visibility(RunContext& ctx, salesforce::Client& client,
                                                       const std::vector<std::string>& objects,
                                                       std::vector<std::unique_ptr<ObjectRun>>& runs,
                                                       std::int64_t& calls);

}  // namespace crmsync::sync
