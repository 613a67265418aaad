// Field definitions for the emulator's unit tests that build tables by hand: a plain field of a
// type and a reference field with its relationship.
#pragma once

#include <string>
#include <utility>

#include "emulator/soql/soql.h"

namespace crmsync::emulator::testing {

inline FieldDef field(std::string name, std::string type) {
  FieldDef f;
  f.name = std::move(name);
  f.label = f.name;
  f.type = std::move(type);
  return f;
}

inline FieldDef reference(std::string name, std::string relationship, std::string target) {
  FieldDef f = field(std::move(name), "reference");
  f.relationship_name = std::move(relationship);
  f.reference_to = {std::move(target)};
  return f;
}

}  // namespace crmsync::emulator::testing
