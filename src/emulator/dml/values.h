// Internal to dml/: a request body's fields checked against the table and the writer's field-level
// security, and converted to typed values (values.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <utility>
#include <vector>

#include "common/result.h"
#include "emulator/access/access.h"
#include "emulator/dml/dml.h"
#include "emulator/table.h"

namespace crmsync::emulator {

// Validates the body against the table and converts it to (field index, value) pairs. Errors: a
// field that does not exist or is hidden (INVALID_FIELD), fields the writer may not write
// (INVALID_FIELD_FOR_INSERT_UPDATE), a value that does not fit its field.
Result<std::vector<std::pair<std::size_t, Value>>> validate(const Database& db, const Table& table,
                                                            const nlohmann::json& body, bool create,
                                                            const UserAccess& access);

}  // namespace crmsync::emulator
