// One record of a searchable object (Account, Contact, Lead, Opportunity, User) as the page shows
// it when a search result is opened: its stored fields, with references to other searchable records
// resolved to their titles. Internal to src/serve; GET /api/records/{Object}/{Id} in docs/api.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "store/store.h"

namespace crmsync::serve {

// The columns whose values, joined by spaces, title a record of `object` (search hits and records).
std::vector<std::string> title_columns(std::string_view object);

// {"object", "Id", "title", "fields": [{"name", "value"[, "ref": {"object", "Id", "title"}]}]}:
// every stored field with a value, in the table's order, but Id, IsDeleted and SystemModstamp;
// booleans as booleans; a reference only when it points to a searchable record the store has
// (then with "ref"). std::nullopt when the store has no such record, or has it deleted.
Result<std::optional<nlohmann::json>> read_record(store::ReadSnapshot& snapshot, std::string_view object,
                                                  std::string_view id);

}  // namespace crmsync::serve
