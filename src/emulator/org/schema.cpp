// Field builders and the registry of the emulated org's objects.
#include "emulator/org/schema.h"

#include "common/text.h"

namespace crmsync::emulator {
namespace {

FieldDef base(std::string name, std::string label, std::string type) {
  FieldDef d;
  d.name = std::move(name);
  d.label = std::move(label);
  d.type = std::move(type);
  return d;
}

}  // namespace

F f_id() {
  FieldDef d = base("Id", "", "id");
  d.length = 18;
  d.nillable = false;
  d.createable = d.updateable = false;
  d.defaulted_on_create = true;
  d.id_lookup = true;
  return F(d);
}

F f_string(std::string name, std::string label, int length) {
  FieldDef d = base(std::move(name), std::move(label), "string");
  d.length = length;
  return F(d);
}

F f_textarea(std::string name, std::string label, int length) {
  FieldDef d = base(std::move(name), std::move(label), "textarea");
  d.length = length;
  d.extra_type_info = "plaintextarea";
  if (length > 255) d.filterable = d.sortable = d.groupable = false;
  return F(d);
}

F f_email(std::string name, std::string label) {
  FieldDef d = base(std::move(name), std::move(label), "email");
  d.length = 80;
  return F(d);
}

F f_phone(std::string name, std::string label) {
  FieldDef d = base(std::move(name), std::move(label), "phone");
  d.length = 40;
  return F(d);
}

F f_url(std::string name, std::string label) {
  FieldDef d = base(std::move(name), std::move(label), "url");
  d.length = 255;
  return F(d);
}

F f_bool(std::string name, std::string label) {
  FieldDef d = base(std::move(name), std::move(label), "boolean");
  d.nillable = false;
  d.defaulted_on_create = true;
  return F(d);
}

F f_int(std::string name, std::string label, int digits) {
  FieldDef d = base(std::move(name), std::move(label), "int");
  d.digits = digits;
  return F(d);
}

namespace {
// double, currency and percent share describe's precision/scale shape and are not groupable.
F f_decimal(std::string name, std::string label, const char* type, int precision, int scale) {
  FieldDef d = base(std::move(name), std::move(label), type);
  d.precision = precision;
  d.scale = scale;
  d.groupable = false;
  return F(d);
}
}  // namespace

F f_double(std::string name, std::string label, int precision, int scale) {
  return f_decimal(std::move(name), std::move(label), "double", precision, scale);
}

F f_currency(std::string name, std::string label, int precision, int scale) {
  return f_decimal(std::move(name), std::move(label), "currency", precision, scale);
}

F f_percent(std::string name, std::string label, int precision, int scale) {
  return f_decimal(std::move(name), std::move(label), "percent", precision, scale);
}

F f_date(std::string name, std::string label) { return F(base(std::move(name), std::move(label), "date")); }

F f_datetime(std::string name, std::string label) {
  FieldDef d = base(std::move(name), std::move(label), "datetime");
  d.groupable = false;
  return F(d);
}

F f_picklist(std::string name, std::string label, std::vector<std::string> values) {
  FieldDef d = base(std::move(name), std::move(label), "picklist");
  d.length = 255;
  d.picklist_values = std::move(values);
  return F(d);
}

F f_multipicklist(std::string name, std::string label, std::vector<std::string> values) {
  FieldDef d = base(std::move(name), std::move(label), "multipicklist");
  d.length = 4099;
  d.picklist_values = std::move(values);
  d.sortable = d.groupable = false;
  return F(d);
}

F f_combobox(std::string name, std::string label, std::vector<std::string> values) {
  FieldDef d = base(std::move(name), std::move(label), "combobox");
  d.length = 255;
  d.picklist_values = std::move(values);
  return F(d);
}

F f_ref(std::string name, std::string label, std::vector<std::string> to, std::string relationship) {
  FieldDef d = base(std::move(name), std::move(label), "reference");
  d.length = 18;
  d.polymorphic = to.size() > 1;
  d.reference_to = std::move(to);
  d.relationship_name = std::move(relationship);
  return F(d);
}

F f_auto_number(std::string name, std::string label, int length) {
  FieldDef d = base(std::move(name), std::move(label), "string");
  d.length = length;
  d.auto_number = true;
  d.id_lookup = true;
  d.nillable = d.createable = d.updateable = false;
  d.defaulted_on_create = true;
  return F(d);
}

void add_address(std::vector<FieldDef>& fields, const std::string& prefix, const std::string& label_prefix) {
  const std::string compound = prefix + "Address";
  const std::string lp = label_prefix.empty() ? "" : label_prefix + " ";
  FieldDef address = base(compound, lp + "Address", "address");
  address.createable = address.updateable = false;
  address.filterable = address.sortable = address.groupable = false;
  fields.push_back(address);
  fields.push_back(f_textarea(prefix + "Street", lp + "Street", 255).compound(compound));
  fields.push_back(f_string(prefix + "City", lp + "City", 40).compound(compound));
  fields.push_back(f_string(prefix + "State", lp + "State/Province", 80).compound(compound));
  fields.push_back(f_string(prefix + "PostalCode", lp + "Zip/Postal Code", 20).compound(compound));
  fields.push_back(f_string(prefix + "Country", lp + "Country", 80).compound(compound));
  fields.push_back(f_double(prefix + "Latitude", lp + "Latitude", 18, 15).compound(compound));
  fields.push_back(f_double(prefix + "Longitude", lp + "Longitude", 18, 15).compound(compound));
  fields.push_back(f_picklist(prefix + "GeocodeAccuracy", lp + "Geocode Accuracy",
                              {"Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip", "Neighborhood",
                               "City", "County", "State", "Unknown"})
                       .compound(compound));
}

void add_audit(std::vector<FieldDef>& fields, bool is_deleted, bool last_modified) {
  if (is_deleted) fields.push_back(f_bool("IsDeleted", "Deleted").system());
  fields.push_back(f_datetime("CreatedDate", "Created Date").system());
  fields.push_back(f_ref("CreatedById", "Created By ID", {"User"}, "CreatedBy").system());
  if (last_modified) {
    fields.push_back(f_datetime("LastModifiedDate", "Last Modified Date").system());
    fields.push_back(f_ref("LastModifiedById", "Last Modified By ID", {"User"}, "LastModifiedBy").system());
  }
  fields.push_back(f_datetime("SystemModstamp", "System Modstamp").system());
}

bool is_permissionable(const FieldDef& field) {
  return field.nillable && field.type != "id" && field.type != "address";
}

bool has_object_permissions(std::string_view object) {
  for (const char* o : {"Account", "Contact", "Lead", "Opportunity", "Campaign", "Case"}) {
    if (iequals(o, object)) return true;
  }
  return false;
}

const std::vector<std::string>& catalog_object_names() {
  static const std::vector<std::string> names = {
      "Account",          "Contact",              "Lead",
      "Opportunity",      "OpportunityContactRole", "OpportunityHistory",
      "OpportunityStage", "RecordType",           "User",
      "Task",             "Event",                "OpportunitySplit",
      "OpportunitySplitType", "OpportunityTeamMember", "OpportunityLineItem",
      "Campaign",         "CampaignMember"};
  return names;
}

const std::vector<ObjectSpec>& org_schema() {
  static const std::vector<ObjectSpec> specs = [] {
    std::vector<ObjectSpec> out;
    add_sales_objects(out);
    add_activity_objects(out);
    add_deal_objects(out);
    add_service_objects(out);
    add_setup_objects(out);
    add_sharing_objects(out);
    for (auto& spec : out) {
      if (spec.fields.front().label.empty()) spec.fields.front().label = spec.label + " ID";
    }
    return out;
  }();
  return specs;
}

const ObjectSpec* find_object_spec(std::string_view name) {
  for (const auto& spec : org_schema()) {
    if (iequals(spec.name, name)) return &spec;
  }
  return nullptr;
}

const ObjectSpec* object_spec(const Database& db, std::string_view name) {
  const ObjectSpec* custom = db.custom_object(name);
  return custom != nullptr ? custom : find_object_spec(name);
}

const std::string& child_relationship_name(const ObjectSpec* spec, const FieldDef& field) {
  if (!field.child_relationship.empty() || spec == nullptr) return field.child_relationship;
  auto it = spec->child_relationships.find(field.name);
  return it != spec->child_relationships.end() ? it->second : field.child_relationship;
}

}  // namespace crmsync::emulator
