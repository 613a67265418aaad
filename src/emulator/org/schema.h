// How the org's schema (org.h's ObjectSpec per sObject) is built: the field builders below, used
// by small per-group files (schema_*.cpp). Internal to org/.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/org/org.h"
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
  F& default_value(std::string v) { d_.picklist_default = std::move(v); d_.defaulted_on_create = true; return *this; }
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
// A standard auto-number field (CaseNumber): a string of `length`, assigned on insert, read-only.
F f_auto_number(std::string name, std::string label, int length);

// Appends the compound address `<prefix>Address` and its components (Street, City, State,
// PostalCode, Country, Latitude, Longitude, GeocodeAccuracy).
void add_address(std::vector<FieldDef>& fields, const std::string& prefix, const std::string& label_prefix);
// CreatedDate, CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp (and IsDeleted).
void add_audit(std::vector<FieldDef>& fields, bool is_deleted = true, bool last_modified = true);

// Per-group builders (schema_*.cpp).
void add_sales_objects(std::vector<ObjectSpec>& out);
void add_activity_objects(std::vector<ObjectSpec>& out);
void add_deal_objects(std::vector<ObjectSpec>& out);
void add_service_objects(std::vector<ObjectSpec>& out);  // Case
void add_setup_objects(std::vector<ObjectSpec>& out);
void add_sharing_objects(std::vector<ObjectSpec>& out);  // Group, GroupMember, AccountTeamMember, *Share

// The share object (Name__Share: ParentId, UserOrGroupId, AccessLevel, RowCause) of the custom
// object `parent` (Name__c), as Salesforce makes one for a Private or Public Read Only object.
ObjectSpec share_object_spec(const std::string& parent, const std::string& key_prefix);

}  // namespace crmsync::emulator
