// The field catalog: which Salesforce objects and fields crmsync imports, how each field's type is
// classified and stored, and which selection an admin may make. Pure data and rules, no I/O.
// The source of truth is docs/catalog.md (the project's decisions on the admin guide); a unit test
// holds this code against that page.
//
//   const CatalogObject* account = find_object("Account");
//   Result<FieldSelection> sel = select_fields(describe_json, {.exclude = {"Website"}});
//   if (!sel) report(sel.error());           // unknown / unsupported field, excluded Required field
//   if (!sel->missing_required.empty()) ...  // the integration must not run for this object
//
// Error codes (Error::code) set by this module, so callers need not parse messages:
//   MALFORMED_DESCRIBE         describe JSON lacks "name", "fields" or a field's "type" (kSalesforce)
//   UNSUPPORTED_FIELD_TYPE     the field's describe type is not supported (kUnsupported)
//   CAMPAIGN_REFERENCE         a reference that can point to Campaign (kUnsupported)
//   REQUIRED_FIELD_EXCLUDED    exclude names a Required field (kConfig)
//   BOOKKEEPING_FIELD_EXCLUDED exclude names Id, IsDeleted or the modstamp field (kConfig)
//   NOT_RECOMMENDED            exclude names a field that is not Recommended for the object (kConfig)
//   INCLUDE_EXCLUDE_CONFLICT   one field both included and excluded (kConfig)
//   UNKNOWN_FIELD              include (or, beyond the catalog, exclude) names a field describe does
//                              not have (kNotFound)
#pragma once

#include <cstddef>
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
  kBoard,        // a field `crmsync serve`'s boards read (CatalogObject::board_fields): always selected
                 // where describe has it, like a bookkeeping field
};
const char* to_string(Mark mark);  // "required", "recommended", "bookkeeping", "other", "board"

enum class Group {
  kCore,    // always on
  kDeals,   // deals and forecast: on by default, off when the org lacks the object
  kEngage,  // off by default
  kBoards,  // what `crmsync serve` reads beyond the page (board_objects()): on by default ([groups]
            // boards), each object skipped when the org lacks it
};
const char* to_string(Group group);  // "core", "deals", "engage", "boards"
const char* title(Group group);         // as docs/catalog.md names it: "Core", "Deals and forecast", "Engage"; "Boards"
const char* availability(Group group);  // "always on", "on by default, off when the org lacks the object", ...

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
const char* to_string(StorageClass storage);  // "boolean", "integer", "real", "text", "date", "datetime", "time"
// The PostgreSQL column type of a storage class, as format_type() spells it (docs/catalog.md's
// "Field types" table): boolean, bigint, numeric (currency, percent and double alike: Salesforce
// sends decimals, numeric keeps them as sent), text, date, timestamp with time zone,
// time without time zone.
const char* postgresql_type(StorageClass storage);

// One row of docs/catalog.md's "Field types" table, as the page writes it (for `crmsync catalog`
// and for the test that holds the code to the page). classify_field is the executable form.
struct TypeRule {
  std::string describe_type;  // e.g. "int, long", "textarea, richtextarea", "reference to User only"
  std::string catalog_type;   // e.g. "INT", "DOUBLE (NUMBER when scale is 0)"; "" when unsupported
  std::string sqlite;         // e.g. "INTEGER 0/1"; "" when unsupported
  std::string postgresql;     // e.g. "boolean"; "" when unsupported
  bool supported = true;
  std::string note;           // "" when the page has none
};
const std::vector<TypeRule>& type_rules();  // in the page's order

// The bookkeeping modstamp candidates, best first: the first one describe has is the object's
// modstamp field (the sync watermark).
inline constexpr std::string_view kModstampCandidates[] = {"SystemModstamp", "LastModifiedDate", "CreatedDate"};

// Long text areas are trimmed to this many code points.
inline constexpr std::size_t kLongTextMaxChars = 10000;

struct CatalogField {
  std::string name;  // API name as Salesforce spells it
  Mark mark;         // kRequired or kRecommended (bookkeeping fields are implied, see below)
  // The catalog type this standard field has in a standard org (for display). The org's describe
  // decides at run time: e.g. an OwnerId that may point to a queue is a REFERENCE, not a LOOKUP.
  FieldType type;
  std::string note = {};  // the page's remark on the field, e.g. Account.Website's; usually ""
};

struct CatalogObject {
  std::string name;
  std::string label;
  Group group;
  std::vector<CatalogField> fields;  // Required in the page's order, then Recommended
  // Rows are often hard-deleted (skip the recycle bin or are purged): the sync must notice rows
  // that vanished, not only rows marked IsDeleted.
  bool often_hard_deleted = false;
  // Fields the boards of `crmsync serve` read that the page does not list (e.g. Opportunity's
  // ForecastCategoryName): selected with Mark::kBoard wherever describe has them, never an error
  // when it does not (docs/decisions.md, "What the boards import").
  std::vector<std::string> board_fields = {};

  const CatalogField* find(std::string_view field) const;  // case-insensitive
};

// Every catalog object, in the order docs/catalog.md lists them.
const std::vector<CatalogObject>& objects();
// The objects the boards need beyond the page (Group::kBoards): UserRole (the role hierarchy) and
// CurrencyType (a multi-currency org's rates). Not on docs/catalog.md, so not in objects(); the sync
// imports them after the catalog objects (config::Config::synced_objects()).
const std::vector<CatalogObject>& board_objects();
// A catalog object or a board object; case-insensitive.
const CatalogObject* find_object(std::string_view name);
// The catalog or board object `name` is most likely a typo of (one edit away, or two in names of
// six characters or more: "Acount", "Oportunity"); empty for one of them, a custom object (__c) or
// a name none of them is that close to ("Case"). An [objects.X] section beyond the catalog is
// taken as meant, so a lookalike is worth a warning rather than a refusal.
std::string lookalike_object(std::string_view name);

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
  // Recommended fields skipped because their type is unsupported in this org; each Error names
  // the field, its type and the reason (for `check` to warn).
  std::vector<Error> unsupported_recommended;
  // An object beyond the catalog: its fields were discovered from describe (every field of a
  // supported type, or `include`), and these were skipped for their type (each Error says why).
  bool discovered = false;
  std::vector<Error> unsupported_discovered;
  const SyncedField* find(std::string_view name) const;  // case-insensitive
};

// Search in `crmsync serve` (docs/decisions.md, "Search"): one box over these objects, each indexed
// on its synced fields of the text types people look records up by: STRING, EMAIL, PHONE, TEXTAREA,
// LONG TEXT AREA and COMBOBOX. Never REFERENCE or LOOKUP (the guide: not searchable), nor ID,
// PICKLIST (a value thousands of records share), URL or RICHTEXT (markup).
inline constexpr std::string_view kSearchObjects[] = {"Account", "Contact", "Lead", "Opportunity", "User"};
bool is_search_object(std::string_view object);
bool is_searchable(FieldType type);
// The fields of a selection the search index covers, in selection order; empty for other objects.
std::vector<std::string> search_columns(const FieldSelection& selection);

// Classifies one field of a describe result (`{"name":..,"type":..,"length":..,...}`) by the
// "Field types" table: formulas (calculated: true) by their result type; textarea by
// extraTypeInfo and length; double by scale; reference by referenceTo.
// Errors (kUnsupported) name the object, the field, its describe type and the reason.
Result<FieldType> classify_field(std::string_view object, const nlohmann::json& describe_field);

// classify_field, with the catalog's exception: a field the catalog lists (Required or Recommended)
// whose reference may point to Campaign is kept as REFERENCE (docs/decisions.md); the same field
// added by an admin is refused (CAMPAIGN_REFERENCE). What the sync does with a field of `object`.
Result<FieldType> classify_for_sync(std::string_view object, const nlohmann::json& describe_field);

// Decides the field list for one object from its describe result and the admin's choices:
// bookkeeping + Required + Recommended (unless excluded) + included extras. An object the catalog
// does not list (`[objects.Case]`, `[objects.Invoice__c]`) is discovered instead: bookkeeping +
// every field of a supported type minus `exclude` (the others are skipped, listed in
// unsupported_discovered), or bookkeeping + `include` alone when it names fields.
// Errors: excluding a Required or bookkeeping field (kConfig); including a field describe does not
// have (kNotFound); a selected field of an unsupported type (kUnsupported), an included one beyond
// the catalog too. Required fields missing
// from describe are not an error here: they are listed in missing_required for the caller to refuse.
// A Recommended field of an unsupported type is skipped with no error (see unsupported_recommended).
// The catalog's own fields that reference Campaign (CampaignMember.CampaignId, Campaign.ParentId)
// are kept as REFERENCE: the page lists them, so the Campaign rule applies to fields an admin adds.
// Bookkeeping: Id, IsDeleted and the modstamp field are selected with kBookkeeping unless the
// catalog lists them as Required (then they stay kRequired).
Result<FieldSelection> select_fields(const nlohmann::json& describe, const AdminSelection& selection);

}  // namespace crmsync::catalog
