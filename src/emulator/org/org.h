// The emulated org as data: its schema (one ObjectSpec per sObject: API name, labels, key prefix,
// object-level describe flags, fields), which generate_org() (emulator.h) turns into tables and
// fills with deterministic data, and the org file that changes the default org.
//
// The org file (`crmsync emulator --org FILE`, EmulatorOptions::org_file) is a JSON or TOML
// description of how an org differs from the default one (users, roles, profiles, permission sets
// and their object, field and system permissions, assignments, licenses, org-wide defaults, record
// types and which profiles may use them, custom objects and fields, multi-currency, public groups,
// sharing rules, manual shares and team members) and its data size. Format and examples: docs/emulator-org-file.md.
//
//   const ObjectSpec* spec = find_object_spec("Account");   // describe's object flags
//   auto file = read_org_file("org.toml");            // parse; seed and scale come out first
//   auto db = generate_org({.seed = file->seed.value_or(42), .scale = ...});
//   CRMSYNC_TRY(apply_org_file(*file, *db, extras));  // then the changes, written as setup rows
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "emulator/access/access.h"
#include "emulator/table.h"

namespace crmsync::emulator {

struct ObjectSpec {
  std::string name;
  std::string label;
  std::string label_plural;
  std::string key_prefix;
  std::vector<FieldDef> fields;
  // Child relationship names of this object's reference fields: field -> name on the parent
  // ("AccountId" -> "Contacts"). Fields not listed report relationshipName null on the parent.
  std::map<std::string, std::string> child_relationships;
  bool createable = true;
  bool updateable = true;
  bool deletable = true;
  bool layoutable = true;
  bool searchable = true;
  bool feed_enabled = false;
  bool mergeable = false;
  bool replicateable = true;
  bool triggerable = true;
  bool undeletable = true;
  bool mru_enabled = true;
  bool has_record_types = false;
  bool custom = false;  // a custom object (Name__c) of the org file
  // A custom object's org-wide default (None, Read, Edit, ControlledByParent); standard objects
  // keep theirs on Organization (Default<Object>Access).
  std::string sharing;
  // A detail object's master-detail field (its master decides access: ControlledByParent).
  std::string master_field;
};

// Whether field-level security applies to the field (describe's `permissionable`): nillable
// fields other than Id and compound parents.
bool is_permissionable(const FieldDef& field);

// Whether the object has ObjectPermissions rows of its own (Account, Contact, Lead, Opportunity,
// Campaign); the others follow their parent, the activity permissions or are public.
bool has_object_permissions(std::string_view object);

// The name of the child relationship the reference field `field` of the object `spec` makes on its
// parent (Contacts, Invoices__r), or "" for none (describe's relationshipName null). `spec` may be
// null (a table without a spec): only a custom field's own name counts then.
const std::string& child_relationship_name(const ObjectSpec* spec, const FieldDef& field);

// The catalog objects (docs/catalog.md), in catalog order.
const std::vector<std::string>& catalog_object_names();

// The user permissions exposed as Permissions<Name> booleans on PermissionSet and Profile.
const std::vector<std::string>& user_permission_names();

// Every object of the emulated org (catalog objects first, then setup objects).
const std::vector<ObjectSpec>& org_schema();
const ObjectSpec* find_object_spec(std::string_view name);  // case-insensitive
// The spec of one of `db`'s objects: a custom object's (Database::custom_object) or the schema's.
const ObjectSpec* object_spec(const Database& db, std::string_view name);

// ---- the org file ----------------------------------------------------------------------------

struct OrgFile {
  std::string path;
  nlohmann::json doc;  // TOML is converted to the same JSON shape
  std::optional<std::uint64_t> seed;
  std::optional<int> scale;
};

// What applying the file produces besides setup rows.
// A validation rule of the org file: a create or update of `object` whose record meets
// `error_condition` (a SOQL WHERE condition over the object's own fields, e.g. "Amount < 0" or
// "StageName = 'Closed Won' AND NextStep = null") is refused with 400
// FIELD_CUSTOM_VALIDATION_EXCEPTION and `message`, on `field` when one is named.
struct ValidationRule {
  std::string object;  // as the table spells it
  std::string name;
  std::string error_condition;
  std::string message;
  std::string field;   // empty: the error is the record's, not a field's
};

struct OrgFileExtras {
  std::map<std::string, std::string> passwords;  // lower-case username -> password
  ProfileRecordTypes record_types;               // profile Id -> object -> record types it may use
  std::vector<ValidationRule> validation_rules;
  std::vector<SharingRule> sharing_rules;        // [[sharing_rules]], for AccessModel::set_sharing_rules
};

// The org file's [[validation_rules]], checked against the org (objects, fields, conditions).
Status read_validation_rules(const OrgFile& file, const Database& db, std::vector<ValidationRule>& out);
// The first rule of `rules` on the record's table whose error condition `row` (a whole record, as
// it would be stored) meets, as Salesforce's error; ok when none does.
Status check_validation_rules(const std::vector<ValidationRule>& rules, const Table& table, const Row& row);

// Errors (ErrorKind::kConfig, code ORG_FILE_INVALID) name the file, the key and the fix.
Result<OrgFile> read_org_file(const std::string& path);
Result<OrgFile> parse_org_file(const std::string& path, const std::string& text);  // by the path's extension
Status apply_org_file(const OrgFile& file, Database& db, OrgFileExtras& extras);

}  // namespace crmsync::emulator
