// The field catalog: which Salesforce objects and fields crmsync imports, how each field's type is
// classified and stored, and which selection an admin may make. Pure data and rules, no I/O.
// The source of truth is docs/catalog.md (the project's decisions on the admin guide); a unit test
// holds this code against that page.
//
//   const CatalogObject* account = find_object("Account");
//   Result<FieldSelection> sel = select_fields(describe_json, {.exclude = {"Website"}});
//   if (!sel) report(sel.error());           // unknown / unsupported field, excluded Required field
//   if (!sel->missing_required.empty()) ...  // the integration must not run for this object
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"

namespace crmsync::catalog {

enum class Mark {
  kRequired,     // cannot be deselected; unreadable means the object does not sync
  kRecommended,  // selected by default; may be deselected; unreadable only warns
  kBookkeeping,  // Id, IsDeleted, SystemModstamp (or its fallbacks): always selected where present
  kOther,        // an extra field the admin chose
};
const char* to_string(Mark mark);  // "required", "recommended", "bookkeeping", "other"

enum class Group {
  kCore,    // always on
  kDeals,   // deals and forecast: on by default, off when the org lacks the object
  kEngage,  // off by default
};
const char* to_string(Group group);  // "core", "deals", "engage"

// The catalog's field types (the admin guide's "Supported field types").
enum class FieldType {
  kBoolean, kCombobox, kCurrency, kDate, kDateTime, kDouble, kNumber, kEmail, kId, kInt,
  kTextArea, kLongTextArea, kRichText, kPercent, kPhone, kPicklist, kLookup, kReference,
  kString, kTime, kUrl,
};
const char* to_string(FieldType type);  // as the guide spells it: "LONG TEXT AREA", "BOOLEAN", ...

// How a value is kept in the store; each store backend maps it to its own column type
// (see docs/catalog.md "stored as").
enum class StorageClass { kBoolean, kInteger, kReal, kText, kDate, kDateTime, kTime };
StorageClass storage_of(FieldType type);

// Long text areas are trimmed to this many code points.
inline constexpr std::size_t kLongTextMaxChars = 10000;

struct CatalogField {
  std::string name;  // API name as Salesforce spells it
  Mark mark;         // kRequired or kRecommended (bookkeeping fields are implied, see below)
};

struct CatalogObject {
  std::string name;
  std::string label;
  Group group;
  std::vector<CatalogField> fields;
};

// Every catalog object, in the order docs/catalog.md lists them.
const std::vector<CatalogObject>& objects();
const CatalogObject* find_object(std::string_view name);  // case-insensitive

// A field that will be synced, with its classification.
struct SyncedField {
  std::string name;
  FieldType type;
  StorageClass storage;
  Mark mark;
  bool calculated = false;              // a formula: refreshed on its own schedule
  std::vector<std::string> reference_to;
  int length = 0;
};

struct AdminSelection {
  std::vector<std::string> exclude;  // Recommended fields to deselect
  std::vector<std::string> include;  // extra fields to add
};

struct FieldSelection {
  std::string object;
  std::vector<SyncedField> fields;          // Id first, then describe order
  std::string modstamp_field;               // SystemModstamp, else LastModifiedDate, else CreatedDate, else ""
  std::vector<std::string> missing_required;     // Required fields absent from describe (not readable)
  std::vector<std::string> missing_recommended;  // Recommended fields absent from describe
  const SyncedField* find(std::string_view name) const;
};

// Classifies one field of a describe result (`{"name":..,"type":..,"length":..,...}`).
// Errors (kUnsupported) name the object, the field, its describe type and the reason.
Result<FieldType> classify_field(std::string_view object, const nlohmann::json& describe_field);

// Decides the field list for one object from its describe result and the admin's choices:
// bookkeeping + Required + Recommended (unless excluded) + included extras.
// Errors: excluding a Required or bookkeeping field (kConfig); including a field describe does not
// have (kNotFound); a selected field of an unsupported type (kUnsupported). Required fields missing
// from describe are not an error here: they are listed in missing_required for the caller to refuse.
// A Recommended field of an unsupported type is skipped with no error.
Result<FieldSelection> select_fields(const nlohmann::json& describe, const AdminSelection& selection);

}  // namespace crmsync::catalog
