// The calls every object of an increment needs, gathered into POST /composite requests: each
// object's describe (one composite per 25 objects), then the first page of its window query and
// its getDeleted call (at most 5 queries and 25 subrequests per composite, Salesforce's limits).
// Salesforce counts a composite request as one API call, so an increment over the 15 catalog
// objects spends 4 calls here plus one call per further page. Each request's call is charged to
// the objects whose subrequests it carried, evenly per subrequest, rounded to whole calls that add
// up to the calls spent (ObjectRun::add_shared_calls). Internal to src/sync.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "salesforce/client.h"
#include "sync/object_sync.h"

namespace crmsync::sync {

// Loads, plans and seeds `runs` (one per entry of `objects`) with the main session; returns the
// composite calls spent (already added to the quota guard, and shared among the runs' API calls). A composite request that fails as a whole (or the quota guard
// refusing one) ends the gathering: each object then asks for what it lacks on its own.
std::int64_t read_through_composite(RunContext& ctx, salesforce::Client& client, const std::vector<std::string>& objects,
                                    std::vector<std::unique_ptr<ObjectRun>>& runs);

}  // namespace crmsync::sync
