// The emulated org's schema as data: one ObjectSpec per sObject (API name, labels, key prefix,
// object-level describe flags, fields), built by small per-group files (org_schema_*.cpp) from the
// field builders below. generate_org() turns each spec into a Table; describe reads the object flags
// from here. Internal to the emulator.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/table.h"

namespace crmsync::emulator {

// A FieldDef under construction: `str("Name", "Account Name", 255).required().name_field()`.
class F {
 public:
  explicit F(FieldDef def) : d_(std::move(def)) {}
  operator FieldDef() const { return d_; }  // NOLINT(google-explicit-constructor)

  F& required() { d_.nillable = false; return *this; }
  F& read_only() { d_.createable = false; d_.updateable = false; return *this; }
  F& create_only() { d_.updateable = false; return *this; }
  F& defaulted() { d_.defaulted_on_create = true; return *this; }
  F& name_field() { d_.name_field = true; return *this; }
  F& id_lookup() { d_.id_lookup = true; return *this; }
  F& unique() { d_.unique = true; return *this; }
  F& external_id() { d_.external_id = true; return *this; }
  F& compound(std::string name) { d_.compound_field_name = std::move(name); return *this; }
  F& extra(std::string info) { d_.extra_type_info = std::move(info); return *this; }
  F& no_filter() { d_.filterable = false; d_.sortable = false; d_.groupable = false; return *this; }
  F& no_group() { d_.groupable = false; return *this; }
  F& label(std::string l) { d_.label = std::move(l); return *this; }
  // A formula: read-only, calculated, with its formula text.
  F& formula(std::string text) {
    d_.calculated = true;
    d_.formula = std::move(text);
    d_.createable = d_.updateable = false;
    return *this;
  }
  // Set by the server (audit fields, derived flags): not writable, never null.
  F& system() { d_.createable = d_.updateable = false; d_.nillable = false; d_.defaulted_on_create = true; return *this; }

 private:
  FieldDef d_;
};

F f_id();
F f_string(std::string name, std::string label, int length);
F f_textarea(std::string name, std::string label, int length);  // plaintextarea
F f_email(std::string name, std::string label);
F f_phone(std::string name, std::string label);
F f_url(std::string name, std::string label);
F f_bool(std::string name, std::string label);  // never null, defaulted false
F f_int(std::string name, std::string label, int digits);
F f_double(std::string name, std::string label, int precision, int scale);
F f_currency(std::string name, std::string label, int precision, int scale);
F f_percent(std::string name, std::string label, int precision, int scale);
F f_date(std::string name, std::string label);
F f_datetime(std::string name, std::string label);
F f_picklist(std::string name, std::string label, std::vector<std::string> values);
F f_multipicklist(std::string name, std::string label, std::vector<std::string> values);
F f_combobox(std::string name, std::string label, std::vector<std::string> values);
F f_ref(std::string name, std::string label, std::vector<std::string> to, std::string relationship);

// Appends the compound address `<prefix>Address` and its components (Street, City, State,
// PostalCode, Country, Latitude, Longitude, GeocodeAccuracy).
void add_address(std::vector<FieldDef>& fields, const std::string& prefix, const std::string& label_prefix);
// CreatedDate, CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp (and IsDeleted).
void add_audit(std::vector<FieldDef>& fields, bool is_deleted = true, bool last_modified = true);

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
  // A custom object's org-wide default (None, Read, Edit); standard objects keep theirs on
  // Organization (Default<Object>Access).
  std::string sharing;
};

// Whether field-level security applies to the field (describe's `permissionable`): nillable
// fields other than Id and compound parents.
bool is_permissionable(const FieldDef& field);

// Whether the object has ObjectPermissions rows of its own (Account, Contact, Lead, Opportunity,
// Campaign); the others follow their parent, the activity permissions or are public.
bool has_object_permissions(std::string_view object);

// The catalog objects (docs/catalog.md), in catalog order.
const std::vector<std::string>& catalog_object_names();

// Every object of the emulated org (catalog objects first, then setup objects).
// The user permissions exposed as Permissions<Name> booleans on PermissionSet and Profile.
const std::vector<std::string>& user_permission_names();

const std::vector<ObjectSpec>& org_schema();
const ObjectSpec* find_object_spec(std::string_view name);  // case-insensitive
// The spec of one of `db`'s objects: a custom object's (Database::custom_object) or the schema's.
const ObjectSpec* object_spec(const Database& db, std::string_view name);

// Per-group builders (org_schema_*.cpp).
void add_sales_objects(std::vector<ObjectSpec>& out);
void add_activity_objects(std::vector<ObjectSpec>& out);
void add_deal_objects(std::vector<ObjectSpec>& out);
void add_setup_objects(std::vector<ObjectSpec>& out);

}  // namespace crmsync::emulator
