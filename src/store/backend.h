// What the store backends (sqlite/, postgres/) share beyond store.h. Internal to src/store.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "store/store.h"

namespace crmsync::store {

// The field type catalog::to_string spelled as `name` (crmsync_columns.field_type); nullopt for
// anything else.
std::optional<catalog::FieldType> parse_field_type(std::string_view name);

// ReadSnapshot::version() of a snapshot whose crmsync_sync_state holds `states`: every field of
// every row, hashed, so any commit of a sync changes it and the same state reads the same anywhere.
std::string version_of(const std::vector<SyncState>& states);

}  // namespace crmsync::store
