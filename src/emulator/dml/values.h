// Internal to dml/: a request body's fields checked against the table and the writer's field-level
// security, and converted to typed values (values.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <utility>
#include <vector>

#include "emulator/access/access.h"
#include "emulator/dml/dml.h"
#include "emulator/table.h"

namespace crmsync::emulator {

DmlError from_access(const AccessError& e);

// Validates the body against the table and converts it to (field index, value) pairs.
std::optional<std::vector<std::pair<std::size_t, Value>>> validate(const Database& db, const Table& table,
                                                                   const nlohmann::json& body, bool create,
                                                                   const UserAccess& access, DmlError& err);

}  // namespace crmsync::emulator
