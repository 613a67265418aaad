// Child-to-parent relationship paths in SOQL (`Account.Name`, `Account.Owner.Name`, `Who.Name`):
// resolving a path against the schema with Salesforce's errors, and following it from a row. The
// executor's business (exec.cpp); it costs nothing for a statement without dotted names.
//
// What Salesforce does, and so the emulator:
// - A path is an outer join: a record whose lookup is empty, or points at a deleted record, is
//   still returned; the parent's fields read as null, and a boolean one as false (SOQL reference,
//   "null Values in Lookup Relationships and Outer Joins").
// - A polymorphic lookup (Task.Who, Task.What, Event.Owner, Lead.Owner) leads to the `Name`
//   entity: only its fields (Id, Name, Type, FirstName, LastName, Email, ...) are known, read from
//   whatever record the Id points at (null where that object has no such field, or where the
//   user's field-level security hides that object's field: `Who.Email` of a Contact is null for a
//   user who may not read Contact.Email, in SELECT and WHERE alike).
// - Permissions: the parent object must be readable and its field visible (FLS), otherwise
//   INVALID_FIELD as for an unknown one ("Didn't understand relationship 'X' in field path" /
//   "No such column 'F' on entity 'Parent'"). Record visibility is not bypassed: a parent record
//   the user cannot see reads as an empty lookup (the lookup Id field itself is still returned),
//   except the Account of a Contact, Opportunity or Case the user sees, which Salesforce's implicit
//   sharing makes readable.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/soql/ast.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator::soql {

// One lookup followed: the reference field on the record it starts from, and where it leads.
struct Hop {
  std::size_t ref_field = 0;
  const Table* target = nullptr;      // nullptr: polymorphic, the Id's key prefix picks one of `targets`
  std::vector<const Table*> targets;  // polymorphic: the readable objects among referenceTo
  // IsDeleted's index on `target` / on each of `targets` (npos: none), resolved once.
  std::size_t target_deleted = static_cast<std::size_t>(-1);
  std::vector<std::size_t> targets_deleted;
  std::string relationship;    // as describe spells it: Account, Owner, Who, Custom__r
  bool implicit_read = false;  // the Account of a Contact/Opportunity/Case: no sharing check
};

struct ResolvedPath {
  std::vector<Hop> hops;
  std::string field_name;               // the leaf as describe spells it
  std::size_t field = Column::kByName;  // on the last hop's target, unless polymorphic
  FieldDef def;                         // the leaf's definition (typing, filters, JSON)
  std::vector<const Table*> hidden_on;  // polymorphic: objects whose field the user may not read
  // TYPEOF: the WHEN clause's object the field belongs to, or ELSE (otherwise); and every WHEN's.
  bool type_of = false;
  const Table* when = nullptr;
  bool otherwise = false;
  std::vector<const Table*> when_types;
  std::string dotted() const;           // Account.Owner.Name
};

// Whether `ref` names a relationship path on `table` (a dot that is not just `Table.Field`).
bool is_path(const Table& table, const FieldRef& ref);

// Resolves a path against the schema with the user's hooks. Errors: INVALID_FIELD worded as
// Salesforce words it, the caret at the path in `text`.
Result<ResolvedPath> resolve_path(const Table& table, const FieldRef& ref, std::string_view text, const Database& db,
                                  const ExecOptions& options);

// The columns of `TYPEOF What WHEN Account THEN Name ... ELSE Name END` (ref.type_of): one path per
// WHEN field (a field of that object, FLS applied as in any path) and per ELSE field (the Name
// entity's). Errors: INVALID_FIELD for an unknown relationship or field, MALFORMED_QUERY for a
// relationship that is not polymorphic or a WHEN object it cannot reference, INVALID_TYPE for a
// WHEN object that is unknown or that the user cannot see.
Result<std::vector<ResolvedPath>> resolve_typeof(const Table& table, const FieldRef& ref, std::string_view text,
                                                 const Database& db, const ExecOptions& options);

// Follows one hop from a record; an empty ParentRef when the lookup is empty, dangling, deleted,
// or (unless implicit) not visible to the user.
ParentRef follow(const Hop& hop, const Row& from, const ExecOptions& options);

// The leaf's value for the parent record `parent` (null for no parent; false for a boolean leaf).
Value leaf_value(const ResolvedPath& path, ParentRef parent);

// The value of a field of a record read through the Name entity: `Type` is the record's object,
// other fields are the record's own of that name (null where it has none, or where `table` is
// one of `hidden_on`: ResolvedPath::hidden_on, Column::hidden_on).
Value name_entity_value(const Table& table, const Row& row, std::string_view field,
                        const std::vector<const Table*>& hidden_on);

// The whole path from a row of the queried object (WHERE): a reference into the parent record,
// or to `scratch` when the value is computed (no parent, the Name entity's fields).
const Value& path_value(const ResolvedPath& path, const Row& row, const ExecOptions& options, Value& scratch);

// The SELECT list's relationships and their parents per result row (QueryResult::paths), from
// the SELECT items in order.
struct SelectItem {
  std::optional<std::size_t> own_field;  // a field of the queried object
  const ResolvedPath* path = nullptr;    // or a relationship path
};
std::shared_ptr<Selection> build_selection(const Table& table, const std::vector<SelectItem>& items,
                                           const std::vector<std::uint32_t>& rows, const ExecOptions& options);

}  // namespace crmsync::emulator::soql
