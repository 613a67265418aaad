// Reading the org file and applying it to a generated org as setup rows, the way an admin would
// have configured the org in Setup.
#include "emulator/org/org.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/org/generate.h"
#include "emulator/org/org_file_reader.h"
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

Error file_error(const std::string& path, const std::string& key, const std::string& message) {
  return Error(ErrorKind::kConfig, "ORG_FILE_INVALID", path + ": " + key + ": " + message);
}

const std::vector<std::string> kTopKeys = {"seed",     "scale",    "org_wide_defaults", "roles",
                                           "licenses", "profiles", "permission_sets",   "users",
                                           "record_types", "custom_objects", "custom_fields", "multi_currency",
                                           "validation_rules", "groups", "sharing_rules", "shares"};

class Applier : private OrgFileReader {
 public:
  Applier(const OrgFile& file, Database& db, OrgFileExtras& extras) : OrgFileReader(file), db_(db), extras_(extras) {
    if (auto admin = find_row("User", "Username", "admin@crmsync.test")) {
      admin_id_ = std::get<std::string>(db_.find("User")->row(*admin)[0]);
    }
  }

  Status run() {
    CRMSYNC_TRY(each("custom_objects", [this](const json& v, const std::string& key) { return custom_object(v, key); }));
    CRMSYNC_TRY(each("custom_fields", [this](const json& v, const std::string& key) { return custom_field(v, key); }));
    for (const auto& [name, detail] : details_) {
      if (detail.second->master_field.empty()) {
        return fail(detail.first + ".sharing", "Cannot set sharingModel to ControlledByParent on a CustomObject without a "
                                               "MasterDetail relationship field. Add a [[custom_fields]] entry with "
                                               "object = \"" + name + "\" and type = \"master_detail\".");
      }
    }
    CRMSYNC_TRY(org_wide_defaults());
    CRMSYNC_TRY(each("roles", [this](const json& v, const std::string& key) { return role(v, key); }));
    CRMSYNC_TRY(each("licenses", [this](const json& v, const std::string& key) { return license(v, key); }));
    CRMSYNC_TRY(each("record_types", [this](const json& v, const std::string& key) { return record_type(v, key); }));
    CRMSYNC_TRY(each("profiles", [this](const json& v, const std::string& key) { return profile(v, key); }));
    CRMSYNC_TRY(each("permission_sets", [this](const json& v, const std::string& key) { return permission_set(v, key); }));
    CRMSYNC_TRY(each("users", [this](const json& v, const std::string& key) { return user(v, key); }));
    return ok_status();
  }

 private:
  Result<bool> bool_at(const json& entry, const std::string& key, const char* name, bool fallback) const {
    if (!entry.contains(name)) return fallback;
    if (!entry[name].is_boolean()) return fail(key + "." + name, "must be true or false");
    return entry[name].get<bool>();
  }

  std::optional<std::size_t> find_row(const char* table, const char* field, const std::string& value) const {
    const Table& t = *db_.find(table);
    auto col = t.field_index(field);
    for (std::size_t r = 0; col && r < t.slot_count(); ++r) {
      if (t.purged(r)) continue;
      const auto* v = std::get_if<std::string>(&t.row(r)[*col]);
      if (v && iequals(*v, value)) return r;
    }
    return std::nullopt;
  }

  static void set(Table& t, Row& row, std::string_view field, Value v) {
    if (auto i = t.field_index(field)) row[*i] = std::move(v);
  }

  // A new row with a fresh Id, booleans false and the audit fields stamped.
  Row new_row(Table& t) {
    Row row(t.fields().size());
    row[0] = db_.new_id(t);
    for (std::size_t i = 0; i < t.fields().size(); ++i) {
      if (t.field(i).type == "boolean") row[i] = false;
    }
    for (const char* f : {"CreatedDate", "LastModifiedDate", "SystemModstamp"}) set(t, row, f, DateTime{kOrgEpochStart});
    for (const char* f : {"CreatedById", "LastModifiedById"}) set(t, row, f, admin_id_);
    return row;
  }

  const std::string& id_of(const Table& t, std::size_t row) const { return std::get<std::string>(t.row(row)[0]); }

  // ---- custom objects -------------------------------------------------------------------------

  // A custom object as Setup creates one: Id, Name (its name field, text 80), OwnerId, IsDeleted
  // and the audit fields, key prefix a00, a01, ...; [[custom_fields]] add its fields, permission
  // blocks its object permissions (none by default: only View/Modify All Data reads it), `sharing`
  // its org-wide default (Public Read/Write unless said, as Setup proposes; Controlled by Parent
  // for a detail object: no OwnerId, no share object, a master_detail field required).
  Status custom_object(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"name", "label", "plural_label", "sharing"}));
    auto name = string_at(e, key, "name", true);
    if (!name) return name.error();
    if (name->size() < 4 || !iequals(name->substr(name->size() - 3), "__c")) {
      return fail(key + ".name", "'" + *name + "' must end with __c, as custom object API names do");
    }
    if (db_.find(*name) != nullptr) return fail(key + ".name", "the org already has an object named " + *name);
    auto label = string_at(e, key, "label", false, name->substr(0, name->size() - 3));
    if (!label) return label.error();
    auto plural = string_at(e, key, "plural_label", false, *label + "s");
    auto sharing = string_at(e, key, "sharing", false, "PublicReadWrite");
    if (!plural || !sharing) return !plural ? plural.error() : sharing.error();
    // Setup's names or the Metadata API's sharingModel values.
    const std::string& v = *sharing;
    const std::string stored = v == "Private"                                   ? "None"
                               : v == "PublicReadOnly" || v == "Read"           ? "Read"
                               : v == "PublicReadWrite" || v == "ReadWrite"     ? "Edit"
                               : v == "ControlledByParent"                      ? v
                                                                                : "";
    if (stored.empty()) {
      return fail(key + ".sharing", "'" + *sharing + "' is not a sharing setting; use Private, Read (PublicReadOnly), "
                                    "ReadWrite (PublicReadWrite, the default) or ControlledByParent");
    }
    static const char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::size_t n = 0;  // custom objects so far (their share objects not counted)
    for (const ObjectSpec* o : db_.custom_objects()) n += iequals(o->name.substr(o->name.size() - 3), "__c") ? 1 : 0;
    if (n >= sizeof kDigits - 1) return fail(key, "the emulator holds at most 62 custom objects");
    auto spec = std::make_shared<ObjectSpec>();
    spec->name = *name;
    spec->label = *label;
    spec->label_plural = *plural;
    spec->key_prefix = std::string("a0") + kDigits[n];
    spec->custom = true;
    spec->sharing = stored;
    spec->fields = {F(f_id()).label(*label + " ID"), F(f_string("Name", *label + " Name", 80)).required().name_field()};
    if (stored != "ControlledByParent") {  // a detail record has no owner of its own
      spec->fields.push_back(F(f_ref("OwnerId", "Owner ID", {"User"}, "Owner")).required().defaulted());
    }
    add_audit(spec->fields);
    if (stored == "ControlledByParent") details_[spec->name] = {key, spec};
    std::vector<FieldDef> fields = spec->fields;
    for (auto& f : fields) f.field_security = true;
    db_.add_table(std::make_unique<Table>(spec->name, spec->key_prefix, std::move(fields)));
    const std::string api_name = spec->name;  // before the spec is moved into the call
    db_.add_custom_object(api_name, std::move(spec));
    if (stored == "None" || stored == "Read") {  // Salesforce makes Name__Share for a Private or Public Read Only object
      auto share = std::make_shared<ObjectSpec>(share_object_spec(api_name, std::string("a1") + kDigits[n]));
      db_.add_table(std::make_unique<Table>(share->name, share->key_prefix, share->fields));
      const std::string share_name = share->name;
      db_.add_custom_object(share_name, std::move(share));
    }
    return ok_status();
  }

  // ---- custom fields --------------------------------------------------------------------------

  Status custom_field(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"object", "name", "label", "type", "length", "values", "formula", "formula_type",
                                   "reference_to", "relationship_name", "required", "unique", "external_id", "precision",
                                   "scale"}));
    auto object = string_at(e, key, "object", true);
    if (!object) return object.error();
    Table* t = db_.find(*object);
    if (t == nullptr || t->key_prefix().empty()) {
      return fail(key + ".object", "no object named '" + *object + "' in the emulated org; use an API name such as Account");
    }
    auto name = string_at(e, key, "name", true);
    if (!name) return name.error();
    if (name->size() < 4 || !iequals(name->substr(name->size() - 3), "__c")) {
      return fail(key + ".name", "'" + *name + "' must end with __c, as custom field API names do");
    }
    if (t->field_index(*name)) return fail(key + ".name", t->name() + " already has a field " + *name);
    auto label = string_at(e, key, "label", false, name->substr(0, name->size() - 3));
    auto type = string_at(e, key, "type", true);
    if (!label || !type) return !label ? label.error() : type.error();
    const int length = e.value("length", 0);
    FieldDef d;
    d.name = *name;
    d.label = *label;
    d.custom = true;
    const std::string& k = *type;
    if (k == "text" || k == "external_id") {
      d = F(f_string(*name, *label, length > 0 ? length : 255));
      if (k == "external_id" || e.value("external_id", false)) d.external_id = d.id_lookup = true;
    } else if (k == "long_text_area") {
      d = F(f_textarea(*name, *label, length > 0 ? length : 32768));
    } else if (k == "rich_text") {
      d = F(f_textarea(*name, *label, length > 0 ? length : 32768));
      d.extra_type_info = "richtextarea";
      d.html_formatted = true;
    } else if (k == "text_area") {
      d = F(f_textarea(*name, *label, 255));
    } else if (k == "picklist" || k == "multipicklist") {
      if (!e.contains("values") || !e["values"].is_array() || e["values"].empty()) {
        return fail(key + ".values", "a " + k + " needs its values: values = [\"A\", \"B\"]");
      }
      std::vector<std::string> values;
      for (const auto& v : e["values"]) {
        if (!v.is_string()) return fail(key + ".values", "every value must be a string");
        values.push_back(v.get<std::string>());
      }
      d = k == "picklist" ? F(f_picklist(*name, *label, values)) : F(f_multipicklist(*name, *label, values));
    } else if (k == "encrypted_string") {
      d = F(f_string(*name, *label, length > 0 ? length : 175));
      d.type = "encryptedstring";
      d.mask = "X";
      d.mask_type = "all";
      d.filterable = d.sortable = d.groupable = false;
    } else if (k == "reference") {
      auto target = string_at(e, key, "reference_to", true);
      if (!target) return target.error();
      const Table* to = db_.find(*target);
      if (to == nullptr) return fail(key + ".reference_to", "no object named '" + *target + "'; use e.g. Campaign");
      d = F(f_ref(*name, *label, {to->name()}, name->substr(0, name->size() - 3) + "__r"));
      auto child = child_relationship_name(e, key, *t, *to);
      if (!child) return child.error();
      d.child_relationship = std::move(*child);
    } else if (k == "master_detail") {
      // The detail's records follow their master record's access (sharing ControlledByParent).
      auto detail = details_.find(t->name());
      if (detail == details_.end()) {
        return fail(key + ".object", "a master_detail field goes on a custom object whose sharing is "
                                     "ControlledByParent; set sharing = \"ControlledByParent\" on " + t->name());
      }
      if (!detail->second.second->master_field.empty()) {
        return fail(key + ".name", t->name() + " already has the master-detail field " +
                                       detail->second.second->master_field + " (the emulator models one per object)");
      }
      auto target = string_at(e, key, "reference_to", true);
      if (!target) return target.error();
      const Table* to = db_.find(*target);
      if (to == nullptr || to->key_prefix().empty() || to == t) {
        return fail(key + ".reference_to", "no other object named '" + *target + "'; use e.g. Account");
      }
      d = F(f_ref(*name, *label, {to->name()}, name->substr(0, name->size() - 3) + "__r")).required().create_only();
      detail->second.second->master_field = *name;
      auto child = child_relationship_name(e, key, *t, *to);
      if (!child) return child.error();
      d.child_relationship = std::move(*child);
    } else if (k == "number" || k == "currency" || k == "percent") {
      const int precision = e.value("precision", 18), scale = e.value("scale", 0);
      d = k == "number"     ? F(f_double(*name, *label, precision, scale))
          : k == "currency" ? F(f_currency(*name, *label, precision, scale))
                            : F(f_percent(*name, *label, precision, scale));
    } else if (k == "checkbox") {
      d = F(f_bool(*name, *label));
    } else if (k == "date") {
      d = F(f_date(*name, *label));
    } else if (k == "datetime") {
      d = F(f_datetime(*name, *label));
    } else if (k == "email" || k == "phone" || k == "url") {
      d = k == "email" ? F(f_email(*name, *label)) : k == "phone" ? F(f_phone(*name, *label)) : F(f_url(*name, *label));
    } else if (k == "formula") {
      auto formula = string_at(e, key, "formula", true);
      if (!formula) return formula.error();
      const std::string result = e.value("formula_type", std::string("text"));
      if (result == "text") {
        d = F(f_string(*name, *label, 1300));
      } else if (result == "number") {
        d = F(f_double(*name, *label, 18, e.value("scale", 0)));
      } else if (result == "checkbox") {
        d = F(f_bool(*name, *label));
      } else if (result == "date") {
        d = F(f_date(*name, *label));
      } else {
        return fail(key + ".formula_type", "'" + result + "' is not supported; use text, number, checkbox or date");
      }
      d = F(d).formula(*formula);
    } else if (k == "address") {
      return custom_address(*t, *name, *label);
    } else {
      return fail(key + ".type", "'" + k + "' is not a custom field type the emulator knows; use text, text_area, "
                                 "long_text_area, rich_text, formula, picklist, multipicklist, address, "
                                 "encrypted_string, reference, master_detail, external_id, number, currency, percent, checkbox, "
                                 "date, datetime, email, phone or url");
    }
    d.custom = true;
    d.field_security = true;
    if (e.value("required", false)) d.nillable = false;
    if (e.value("unique", false)) d.unique = true;
    t->add_field(d);
    grant_field(*t, d);
    return ok_status();
  }

  // The child relationship a custom lookup makes on its parent: the file's relationship_name, or
  // the child object's plural label without spaces as Setup proposes it, plus __r; unique among
  // the parent's child relationships, as Setup requires.
  Result<std::string> child_relationship_name(const json& e, const std::string& key, const Table& child,
                                              const Table& parent) {
    std::string stem;
    if (e.contains("relationship_name")) {
      auto given = string_at(e, key, "relationship_name", true);
      if (!given) return given.error();
      stem = *given;
      if (stem.size() > 3 && iequals(stem.substr(stem.size() - 3), "__r")) stem.resize(stem.size() - 3);
    } else {
      const ObjectSpec* spec = object_spec(db_, child.name());
      for (char c : spec != nullptr ? spec->label_plural : child.name()) {
        if (std::isalnum(static_cast<unsigned char>(c))) stem.push_back(c);
      }
    }
    const bool valid = !stem.empty() && std::isalpha(static_cast<unsigned char>(stem[0])) &&
                       std::all_of(stem.begin(), stem.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                       });
    if (!valid) {
      return fail(key + ".relationship_name", "'" + stem + "' is not a relationship name; use letters, digits and "
                                              "underscores, starting with a letter (e.g. Invoices)");
    }
    const std::string name = stem + "__r";
    for (const Table* other : db_.tables()) {
      for (const FieldDef& f : other->fields()) {
        if (!iequals(f.child_relationship, name) || f.reference_to.empty() || f.reference_to[0] != parent.name()) continue;
        return fail(key + ".relationship_name", parent.name() + " already has a child relationship " + name + " (" +
                                                    other->name() + "." + f.name + "); name this one apart with "
                                                    "relationship_name");
      }
    }
    return name;
  }

  // A custom address: Name__c (type address) and its Name__Street__s ... components.
  Status custom_address(Table& t, const std::string& name, const std::string& label) {
    const std::string stem = name.substr(0, name.size() - 3);
    FieldDef compound;
    compound.name = name;
    compound.label = label;
    compound.type = "address";
    compound.custom = true;
    compound.field_security = true;
    compound.createable = compound.updateable = false;
    compound.filterable = compound.sortable = compound.groupable = false;
    t.add_field(compound);
    std::vector<FieldDef> parts = {
        F(f_textarea(stem + "__Street__s", label + " (Street)", 255)).compound(name),
        F(f_string(stem + "__City__s", label + " (City)", 40)).compound(name),
        F(f_string(stem + "__PostalCode__s", label + " (Zip/Postal Code)", 20)).compound(name),
        F(f_string(stem + "__StateCode__s", label + " (State/Province Code)", 10)).compound(name),
        F(f_string(stem + "__CountryCode__s", label + " (Country Code)", 10)).compound(name),
        F(f_double(stem + "__Latitude__s", label + " (Latitude)", 18, 15)).compound(name),
        F(f_double(stem + "__Longitude__s", label + " (Longitude)", 18, 15)).compound(name)};
    for (auto& p : parts) {
      p.custom = true;
      p.field_security = true;
      t.add_field(p);
      grant_field(t, p);
    }
    return ok_status();
  }

  // A new field is readable by every permission set that can read fields of its object (editable
  // where that set edits some field of the object), as "visible to all profiles" does in Setup.
  void grant_field(Table& t, const FieldDef& f) {
    if (!is_permissionable(f)) return;
    Table& fp = *db_.find("FieldPermissions");
    const auto parent = *fp.field_index("ParentId"), object = *fp.field_index("SobjectType"),
               edit = *fp.field_index("PermissionsEdit");
    std::map<std::string, bool> sets;  // set Id -> edits some field
    for (std::size_t r = 0; r < fp.slot_count(); ++r) {
      if (fp.purged(r)) continue;
      const Row& row = fp.row(r);
      const auto* o = std::get_if<std::string>(&row[object]);
      if (o == nullptr || *o != t.name()) continue;
      const auto* e = std::get_if<bool>(&row[edit]);
      bool& edits = sets[std::get<std::string>(row[parent])];
      edits = edits || (e && *e);
    }
    for (const auto& [set_id, edits] : sets) write_field_permission(set_id, t.name(), f.name, true, edits && (f.createable || f.updateable));
  }

  // ---- org-wide defaults, roles, record types ---------------------------------------------------

  Status org_wide_defaults() {
    if (!file_.doc.contains("org_wide_defaults")) return ok_status();
    const json& owd = file_.doc["org_wide_defaults"];
    if (!owd.is_object()) return fail("org_wide_defaults", "must be a table: Account = \"Private\", ...");
    Table& org = *db_.find("Organization");
    for (const auto& [object, value] : owd.items()) {
      const std::string key = "org_wide_defaults." + object;
      static const std::vector<std::string> objects = {"Account", "Contact", "Opportunity", "Lead", "Campaign", "Case"};
      if (std::find(objects.begin(), objects.end(), object) == objects.end()) {
        return fail(key, "org-wide defaults are modelled for " + join(objects));
      }
      if (!value.is_string()) return fail(key, "must be a string such as \"Private\"");
      const std::string v = value.get<std::string>();
      std::string stored;
      // Setup's names, the Metadata API's sharingModel values (Read, ReadWrite, ...) or
      // Organization.Default<Object>Access's (None, Read, Edit, ...).
      if (v == "Private" || v == "None") stored = "None";
      if (v == "PublicReadOnly" || v == "Read") stored = "Read";
      if (v == "PublicReadWrite" || v == "ReadWrite" || v == "Edit") stored = "Edit";
      if (object == "Contact" && v == "ControlledByParent") stored = v;
      const bool transfer = object == "Lead" || object == "Case";  // Public Read/Write/Transfer
      if (transfer && (v == "PublicReadWriteTransfer" || v == "ReadWriteTransfer" || v == "ReadEditTransfer")) {
        stored = "ReadEditTransfer";
      }
      if (object == "Campaign" && (v == "PublicFullAccess" || v == "FullAccess" || v == "All")) stored = "All";
      if (stored.empty()) {
        return fail(key, "'" + v + "' is not a sharing setting for " + object +
                             "; use Private, Read (PublicReadOnly) or ReadWrite (PublicReadWrite)" +
                             (object == "Contact"    ? " or ControlledByParent"
                              : transfer             ? " or ReadWriteTransfer"
                              : object == "Campaign" ? " or FullAccess"
                              : v == "ControlledByParent"
                                  ? " (Salesforce offers Controlled by Parent for Contact and for custom detail objects only)"
                                  : ""));
      }
      set(org, org.mutable_row(0), "Default" + object + "Access", stored);
    }
    return ok_status();
  }

  std::optional<std::size_t> find_role(const std::string& name) const {
    auto r = find_row("UserRole", "Name", name);
    return r ? r : find_row("UserRole", "DeveloperName", name);
  }

  Status role(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"name", "developer_name", "parent"}));
    auto name = string_at(e, key, "name", true);
    if (!name) return name.error();
    Table& roles = *db_.find("UserRole");
    std::string parent_id;
    if (e.contains("parent")) {
      auto parent = string_at(e, key, "parent", true);
      if (!parent) return parent.error();
      auto p = find_role(*parent);
      if (!p) return fail(key + ".parent", "no role named '" + *parent + "'; define it earlier under [[roles]]");
      parent_id = id_of(roles, *p);
    }
    if (auto existing = find_role(*name)) {
      set(roles, roles.mutable_row(*existing), "ParentRoleId", parent_id.empty() ? Value{} : Value{parent_id});
      return ok_status();
    }
    std::string dev;
    for (char c : *name) dev.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    auto developer = string_at(e, key, "developer_name", false, dev);
    if (!developer) return developer.error();
    Row row = new_row(roles);
    set(roles, row, "Name", *name);
    set(roles, row, "DeveloperName", *developer);
    set(roles, row, "RollupDescription", *name);
    if (!parent_id.empty()) set(roles, row, "ParentRoleId", parent_id);
    set(roles, row, "OpportunityAccessForAccountOwner", std::string("Edit"));
    set(roles, row, "ContactAccessForAccountOwner", std::string("Edit"));
    set(roles, row, "CaseAccessForAccountOwner", std::string("Edit"));
    set(roles, row, "PortalType", std::string("None"));
    roles.insert(std::move(row));
    return ok_status();
  }

  Status record_type(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"object", "name", "developer_name", "active", "description"}));
    auto object = string_at(e, key, "object", true);
    auto name = string_at(e, key, "name", true);
    if (!object || !name) return !object ? object.error() : name.error();
    const ObjectSpec* spec = find_object_spec(*object);
    if (spec == nullptr || !spec->has_record_types) {
      return fail(key + ".object", "'" + *object + "' has no record types in the emulator; use Task, Event or Opportunity");
    }
    auto active = bool_at(e, key, "active", true);
    std::string dev;
    for (char c : *name) dev.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    auto developer = string_at(e, key, "developer_name", false, dev);
    if (!active || !developer) return !active ? active.error() : developer.error();
    Table& rt = *db_.find("RecordType");
    if (auto existing = find_record_type(spec->name, *developer)) {
      set(rt, rt.mutable_row(*existing), "IsActive", *active);
      set(rt, rt.mutable_row(*existing), "Name", *name);
      return ok_status();
    }
    Row row = new_row(rt);
    set(rt, row, "Name", *name);
    set(rt, row, "DeveloperName", *developer);
    set(rt, row, "SobjectType", spec->name);
    set(rt, row, "IsActive", *active);
    set(rt, row, "Description", e.value("description", *name + " record type"));
    rt.insert(std::move(row));
    return ok_status();
  }

  std::optional<std::size_t> find_record_type(const std::string& object, const std::string& name) const {
    const Table& rt = *db_.find("RecordType");
    const auto type = *rt.field_index("SobjectType"), dev = *rt.field_index("DeveloperName"),
               label = *rt.field_index("Name");
    for (std::size_t r = 0; r < rt.slot_count(); ++r) {
      if (rt.purged(r)) continue;
      const Row& row = rt.row(r);
      const auto* o = std::get_if<std::string>(&row[type]);
      const auto* d = std::get_if<std::string>(&row[dev]);
      const auto* l = std::get_if<std::string>(&row[label]);
      if (o && *o == object && ((d && iequals(*d, name)) || (l && iequals(*l, name)))) return r;
    }
    return std::nullopt;
  }

  // ---- licenses ---------------------------------------------------------------------------------

  // A user license (UserLicense) or a permission set license (PermissionSetLicense): an existing
  // one (by name) is changed, a new one created.
  Status license(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"name", "kind", "total", "active"}));
    auto name = string_at(e, key, "name", true);
    auto kind = string_at(e, key, "kind", false, "user");
    auto active = bool_at(e, key, "active", true);
    if (!name || !kind || !active) return !name ? name.error() : !kind ? kind.error() : active.error();
    if (*kind != "user" && *kind != "permission_set") {
      return fail(key + ".kind", "must be \"user\" (a UserLicense) or \"permission_set\" (a PermissionSetLicense)");
    }
    if (e.contains("total") && (!e["total"].is_number_integer() || e["total"].get<std::int64_t>() < 0)) {
      return fail(key + ".total", "must be a non-negative integer (TotalLicenses)");
    }
    const bool user_license = *kind == "user";
    const char* table = user_license ? "UserLicense" : "PermissionSetLicense";
    Table& t = *db_.find(table);
    auto existing = user_license ? license_row(*name) : find_row(table, "DeveloperName", *name);
    if (!existing && !user_license) existing = find_row(table, "MasterLabel", *name);
    Row row = existing ? t.row(*existing) : new_row(t);
    if (!existing) {
      std::string key_name;
      for (char c : *name) key_name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
      set(t, row, user_license ? "Name" : "MasterLabel", *name);
      set(t, row, user_license ? "LicenseDefinitionKey" : "DeveloperName", key_name);
      set(t, row, "MasterLabel", *name);
      if (!user_license) set(t, row, "PermissionSetLicenseKey", key_name);
      set(t, row, "UsedLicenses", std::int64_t{0});
      set(t, row, "TotalLicenses", std::int64_t{10});
    }
    if (e.contains("total")) set(t, row, "TotalLicenses", e["total"].get<std::int64_t>());
    set(t, row, "Status", std::string(*active ? "Active" : "Disabled"));
    if (existing) {
      t.mutable_row(*existing) = std::move(row);
    } else {
      t.insert(std::move(row));
    }
    return ok_status();
  }

  // ---- profiles and permission sets -------------------------------------------------------------

  std::optional<std::size_t> license_row(const std::string& name) const {
    auto r = find_row("UserLicense", "Name", name);
    return r ? r : find_row("UserLicense", "LicenseDefinitionKey", name);
  }

  Status profile(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"name", "license", "permissions", "objects", "fields", "record_types"}));
    auto name = string_at(e, key, "name", true);
    if (!name) return name.error();
    Table& profiles = *db_.find("Profile");
    Table& sets = *db_.find("PermissionSet");
    std::string profile_id;
    if (auto existing = find_row("Profile", "Name", *name)) {
      profile_id = id_of(profiles, *existing);
    } else {
      auto license = string_at(e, key, "license", false, "Salesforce");
      if (!license) return license.error();
      auto lic = license_row(*license);
      if (!lic) return fail(key + ".license", "no user license named '" + *license + "'; use Salesforce or Salesforce Integration");
      const std::string license_id = id_of(*db_.find("UserLicense"), *lic);
      Row p = new_row(profiles);
      profile_id = std::get<std::string>(p[0]);
      set(profiles, p, "Name", *name);
      set(profiles, p, "UserLicenseId", license_id);
      set(profiles, p, "UserType", std::string("Standard"));
      profiles.insert(std::move(p));
      Row ps = new_row(sets);
      set(sets, ps, "Name", "X" + sf_id15(profile_id));
      set(sets, ps, "Label", sf_id15(profile_id));
      set(sets, ps, "ProfileId", profile_id);
      set(sets, ps, "LicenseId", license_id);
      set(sets, ps, "IsOwnedByProfile", true);
      set(sets, ps, "Type", std::string("Profile"));
      sets.insert(std::move(ps));
    }
    std::string set_id;
    for (std::size_t r = 0; r < sets.slot_count(); ++r) {
      const Row& row = sets.row(r);
      const auto* p = std::get_if<std::string>(&row[*sets.field_index("ProfileId")]);
      if (!sets.purged(r) && p && sf_id15(*p) == sf_id15(profile_id)) set_id = id_of(sets, r);
    }
    CRMSYNC_TRY(permission_block(e, key, set_id, &profile_id));
    if (e.contains("record_types")) CRMSYNC_TRY(profile_record_types(e["record_types"], key + ".record_types", profile_id));
    return ok_status();
  }

  Status profile_record_types(const json& rts, const std::string& key, const std::string& profile_id) {
    if (!rts.is_object()) return fail(key, "must be a table: Task = [\"Sales_Task\"] (the first is the default)");
    for (const auto& [object, list] : rts.items()) {
      const ObjectSpec* spec = find_object_spec(object);
      if (spec == nullptr || !spec->has_record_types) {
        return fail(key + "." + object, "'" + object + "' has no record types; use Task, Event or Opportunity");
      }
      if (!list.is_array()) return fail(key + "." + object, "must be a list of record type DeveloperNames");
      RecordTypeGrant grant;
      for (const auto& item : list) {
        if (!item.is_string()) return fail(key + "." + object, "every entry must be a record type DeveloperName");
        auto r = find_record_type(spec->name, item.get<std::string>());
        if (!r) {
          return fail(key + "." + object, "no " + spec->name + " record type named '" + item.get<std::string>() +
                                              "'; define it under [[record_types]]");
        }
        const std::string& id = id_of(*db_.find("RecordType"), *r);
        if (grant.default_id.empty()) grant.default_id = id;
        grant.ids.insert(id);
      }
      extras_.record_types[sf_id15(profile_id)][spec->name] = grant;
    }
    return ok_status();
  }

  Status permission_set(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"name", "label", "description", "license", "permissions", "objects", "fields"}));
    auto name = string_at(e, key, "name", true);
    if (!name) return name.error();
    Table& sets = *db_.find("PermissionSet");
    std::string set_id;
    if (auto existing = find_row("PermissionSet", "Name", *name)) {
      set_id = id_of(sets, *existing);
    } else {
      Row ps = new_row(sets);
      set_id = std::get<std::string>(ps[0]);
      set(sets, ps, "Name", *name);
      set(sets, ps, "Label", e.value("label", *name));
      set(sets, ps, "Description", e.value("description", std::string()));
      set(sets, ps, "IsCustom", true);
      set(sets, ps, "Type", std::string("Regular"));
      if (e.contains("license")) {
        auto license = string_at(e, key, "license", true);
        if (!license) return license.error();
        auto psl = find_row("PermissionSetLicense", "DeveloperName", *license);
        if (!psl) psl = find_row("PermissionSetLicense", "MasterLabel", *license);
        if (!psl) return fail(key + ".license", "no permission set license '" + *license + "'; use SalesforceAPIIntegrationPsl");
        set(sets, ps, "LicenseId", id_of(*db_.find("PermissionSetLicense"), *psl));
      }
      sets.insert(std::move(ps));
    }
    return permission_block(e, key, set_id, nullptr);
  }

  // permissions = {Name = bool}, objects = {Object = {read, create, edit, delete, view_all,
  // modify_all}}, fields = {"Object.Field" = {read, edit}} on one permission set.
  Status permission_block(const json& e, const std::string& key, const std::string& set_id,
                          const std::string* profile_id) {
    Table& sets = *db_.find("PermissionSet");
    Row& set_row = sets.mutable_row(*sets.find(set_id));
    if (e.contains("permissions")) {
      const json& perms = e["permissions"];
      if (!perms.is_object()) return fail(key + ".permissions", "must be a table: ApiEnabled = true, ...");
      for (const auto& [raw, value] : perms.items()) {
        std::string name = raw.rfind("Permissions", 0) == 0 ? raw.substr(11) : raw;
        const auto& known = user_permission_names();
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          return fail(key + ".permissions." + raw, "not a user permission the emulator models; use one of " + join(known));
        }
        if (!value.is_boolean()) return fail(key + ".permissions." + raw, "must be true or false");
        set(sets, set_row, "Permissions" + name, value.get<bool>());
        if (profile_id) {
          Table& profiles = *db_.find("Profile");
          set(profiles, profiles.mutable_row(*profiles.find(*profile_id)), "Permissions" + name, value.get<bool>());
        }
      }
    }
    if (e.contains("objects")) CRMSYNC_TRY(object_permissions(e["objects"], key + ".objects", set_id));
    if (e.contains("fields")) CRMSYNC_TRY(field_permissions(e["fields"], key + ".fields", set_id));
    return ok_status();
  }

  Status object_permissions(const json& objects, const std::string& key, const std::string& set_id) {
    if (!objects.is_object()) return fail(key, "must be a table: Account = { read = true, view_all = false }");
    for (const auto& [object, perms] : objects.items()) {
      const std::string k = key + "." + object;
      const Table* t = db_.find(object);
      if (t == nullptr) return fail(k, "no object named '" + object + "' in the emulated org");
      if (!has_object_permissions(t->name()) && db_.custom_object(t->name()) == nullptr) {
        return fail(k, t->name() + " has no object permissions of its own in Salesforce (" +
                           (t->name() == "Task" || t->name() == "Event"
                                ? std::string("use the user permissions ActivitiesAccess, EditTask, EditEvent")
                                : std::string("its access follows its parent object or it is readable by all users")) +
                           ")");
      }
      if (!perms.is_object()) return fail(k, "must be a table: { read = true, edit = false, ... }");
      ObjectAccess a = current_object_permissions(set_id, t->name());
      for (const auto& [name, value] : perms.items()) {
        if (!value.is_boolean()) return fail(k + "." + name, "must be true or false");
        const bool v = value.get<bool>();
        if (name == "read") a.read = v;
        else if (name == "create") a.create = v;
        else if (name == "edit") a.edit = v;
        else if (name == "delete") a.del = v;
        else if (name == "view_all") a.view_all = v;
        else if (name == "modify_all") a.modify_all = v;
        else return fail(k + "." + name, "unknown key; use read, create, edit, delete, view_all, modify_all");
      }
      // As Setup does: granting a permission grants what it depends on, removing one removes what depends on it.
      // (An init-capture: clang before 16 cannot capture a structured binding.)
      auto given = [&p = perms](const char* n) { return p.contains(n) && p[n].get<bool>(); };
      if (given("modify_all")) a.read = a.edit = a.del = a.view_all = true;
      if (given("view_all")) a.read = true;
      if (given("delete")) a.read = a.edit = true;
      if (given("edit") || given("create")) a.read = true;
      if (!a.read) a = ObjectAccess{};
      if (!a.edit) a.del = a.modify_all = false;
      if (!a.del || !a.view_all) a.modify_all = false;
      write_object_permission(set_id, t->name(), a);
    }
    return ok_status();
  }

  Status field_permissions(const json& fields, const std::string& key, const std::string& set_id) {
    if (!fields.is_object()) return fail(key, "must be a table: \"Account.Industry\" = { read = false }");
    for (const auto& [qualified, perms] : fields.items()) {
      const std::string k = key + ".\"" + qualified + "\"";
      auto dot = qualified.find('.');
      const Table* t = dot == std::string::npos ? nullptr : db_.find(qualified.substr(0, dot));
      if (t == nullptr) return fail(k, "name the field as Object.Field, e.g. Account.Industry");
      auto index = t->field_index(qualified.substr(dot + 1));
      if (!index) return fail(k, t->name() + " has no field " + qualified.substr(dot + 1));
      const FieldDef& f = t->field(*index);
      if (!is_permissionable(f)) {
        return fail(k, t->name() + "." + f.name + " is required or a system field: every user with access to " +
                           t->name() + " reads it, so its field-level security cannot be changed");
      }
      if (!perms.is_object()) return fail(k, "must be a table: { read = true, edit = false }");
      FieldAccess a = current_field_permissions(set_id, t->name(), f.name);
      for (const auto& [name, value] : perms.items()) {
        if (!value.is_boolean()) return fail(k + "." + name, "must be true or false");
        if (name == "read") a.read = value.get<bool>();
        else if (name == "edit") a.edit = value.get<bool>();
        else return fail(k + "." + name, "unknown key; use read, edit");
      }
      if (perms.contains("edit") && a.edit) a.read = true;
      if (!a.read) a.edit = false;
      write_field_permission(set_id, t->name(), f.name, a.read, a.edit && (f.createable || f.updateable));
    }
    return ok_status();
  }

  std::optional<std::size_t> permission_row(const char* table, const std::string& set_id, const char* key_field,
                                            const std::string& key_value) const {
    const Table& t = *db_.find(table);
    const auto parent = *t.field_index("ParentId"), k = *t.field_index(key_field);
    for (std::size_t r = 0; r < t.slot_count(); ++r) {
      if (t.purged(r)) continue;
      const auto* p = std::get_if<std::string>(&t.row(r)[parent]);
      const auto* v = std::get_if<std::string>(&t.row(r)[k]);
      if (p && v && sf_id15(*p) == sf_id15(set_id) && iequals(*v, key_value)) return r;
    }
    return std::nullopt;
  }

  static bool flag(const Table& t, const Row& row, const char* field) {
    const auto* b = std::get_if<bool>(&row[*t.field_index(field)]);
    return b && *b;
  }

  ObjectAccess current_object_permissions(const std::string& set_id, const std::string& object) const {
    auto r = permission_row("ObjectPermissions", set_id, "SobjectType", object);
    if (!r) return {};
    const Table& t = *db_.find("ObjectPermissions");
    const Row& row = t.row(*r);
    return {flag(t, row, "PermissionsRead"),   flag(t, row, "PermissionsCreate"),
            flag(t, row, "PermissionsEdit"),   flag(t, row, "PermissionsDelete"),
            flag(t, row, "PermissionsViewAllRecords"), flag(t, row, "PermissionsModifyAllRecords")};
  }

  FieldAccess current_field_permissions(const std::string& set_id, const std::string& object,
                                        const std::string& field) const {
    auto r = permission_row("FieldPermissions", set_id, "Field", object + "." + field);
    if (!r) return {};
    const Table& t = *db_.find("FieldPermissions");
    return {flag(t, t.row(*r), "PermissionsRead"), flag(t, t.row(*r), "PermissionsEdit")};
  }

  void write_object_permission(const std::string& set_id, const std::string& object, const ObjectAccess& a) {
    Table& t = *db_.find("ObjectPermissions");
    auto r = permission_row("ObjectPermissions", set_id, "SobjectType", object);
    if (!a.read) {
      if (r) t.purge(*r);  // Salesforce keeps no row without Read
      return;
    }
    Row row = r ? t.row(*r) : new_row(t);
    set(t, row, "ParentId", set_id);
    set(t, row, "SobjectType", object);
    set(t, row, "PermissionsRead", a.read);
    set(t, row, "PermissionsCreate", a.create);
    set(t, row, "PermissionsEdit", a.edit);
    set(t, row, "PermissionsDelete", a.del);
    set(t, row, "PermissionsViewAllRecords", a.view_all);
    set(t, row, "PermissionsModifyAllRecords", a.modify_all);
    if (r) {
      t.mutable_row(*r) = std::move(row);
    } else {
      t.insert(std::move(row));
    }
  }

  void write_field_permission(const std::string& set_id, const std::string& object, const std::string& field,
                              bool read, bool edit) {
    Table& t = *db_.find("FieldPermissions");
    auto r = permission_row("FieldPermissions", set_id, "Field", object + "." + field);
    if (!read) {
      if (r) t.purge(*r);  // a row with Read = false is deleted, as Salesforce does
      return;
    }
    Row row = r ? t.row(*r) : new_row(t);
    set(t, row, "ParentId", set_id);
    set(t, row, "SobjectType", object);
    set(t, row, "Field", object + "." + field);
    set(t, row, "PermissionsRead", read);
    set(t, row, "PermissionsEdit", edit);
    if (r) {
      t.mutable_row(*r) = std::move(row);
    } else {
      t.insert(std::move(row));
    }
  }

  // ---- users ----------------------------------------------------------------------------------

  Status user(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"username", "password", "first_name", "last_name", "email", "profile", "role",
                                   "active", "permission_sets", "remove_permission_sets", "permission_set_licenses",
                                   "remove_permission_set_licenses", "currency"}));
    auto username = string_at(e, key, "username", true);
    if (!username) return username.error();
    Table& users = *db_.find("User");
    auto existing = find_row("User", "Username", *username);
    Row row = existing ? users.row(*existing) : new_row(users);
    const std::string user_id = std::get<std::string>(row[0]);
    if (!existing) {
      if (!e.contains("profile")) return fail(key + ".profile", "a new user needs a profile; add profile = \"Standard User\"");
      const std::string at = username->substr(0, username->find('@'));
      set(users, row, "Username", *username);
      set(users, row, "Email", e.value("email", *username));
      set(users, row, "Alias", at.substr(0, 8));
      set(users, row, "CommunityNickname", at);
      set(users, row, "TimeZoneSidKey", std::string("America/Los_Angeles"));
      set(users, row, "LocaleSidKey", std::string("en_US"));
      set(users, row, "EmailEncodingKey", std::string("UTF-8"));
      set(users, row, "LanguageLocaleKey", std::string("en_US"));
      set(users, row, "UserType", std::string("Standard"));
      set(users, row, "IsActive", true);
    }
    auto first = string_at(e, key, "first_name", false, std::get_if<std::string>(&row[*users.field_index("FirstName")])
                                                            ? std::get<std::string>(row[*users.field_index("FirstName")])
                                                            : std::string());
    auto last = string_at(e, key, "last_name", false, std::get_if<std::string>(&row[*users.field_index("LastName")])
                                                          ? std::get<std::string>(row[*users.field_index("LastName")])
                                                          : username->substr(0, username->find('@')));
    auto active = bool_at(e, key, "active", !existing || flag(users, row, "IsActive"));
    if (!first || !last || !active) return !first ? first.error() : !last ? last.error() : active.error();
    set(users, row, "FirstName", first->empty() ? Value{} : Value{*first});
    set(users, row, "LastName", *last);
    set(users, row, "Name", first->empty() ? *last : *first + " " + *last);
    set(users, row, "IsActive", *active);
    std::string profile_id;
    if (e.contains("profile")) {
      auto profile = string_at(e, key, "profile", true);
      if (!profile) return profile.error();
      auto p = find_row("Profile", "Name", *profile);
      if (!p) return fail(key + ".profile", "no profile named '" + *profile + "'; define it under [[profiles]] or use "
                                            "System Administrator, Standard User or Minimum Access - API Only Integrations");
      profile_id = id_of(*db_.find("Profile"), *p);
      set(users, row, "ProfileId", profile_id);
    }
    if (e.contains("role")) {
      if (e["role"].is_string() && e["role"].get<std::string>().empty()) {
        set(users, row, "UserRoleId", Value{});
      } else {
        auto role = string_at(e, key, "role", true);
        if (!role) return role.error();
        auto r = find_role(*role);
        if (!r) return fail(key + ".role", "no role named '" + *role + "'; define it under [[roles]] (role = \"\" removes the role)");
        set(users, row, "UserRoleId", id_of(*db_.find("UserRole"), *r));
      }
    }
    if (existing) {
      users.mutable_row(*existing) = std::move(row);
    } else {
      users.insert(std::move(row));
    }
    if (!profile_id.empty()) {
      // The assignment of the profile-owned set follows the profile, as in Salesforce.
      remove_profile_assignments(user_id);
      Table& sets = *db_.find("PermissionSet");
      for (std::size_t r = 0; r < sets.slot_count(); ++r) {
        const auto* p = std::get_if<std::string>(&sets.row(r)[*sets.field_index("ProfileId")]);
        if (!sets.purged(r) && p && sf_id15(*p) == sf_id15(profile_id)) assign(user_id, id_of(sets, r));
      }
    }
    CRMSYNC_TRY(user_sets(e, key, user_id));
    if (e.contains("password")) {
      auto password = string_at(e, key, "password", true);
      if (!password) return password.error();
      extras_.passwords[to_lower(*username)] = *password;
    }
    return ok_status();
  }

  Status user_sets(const json& e, const std::string& key, const std::string& user_id) {
    for (const char* field :
         {"permission_sets", "remove_permission_sets", "permission_set_licenses", "remove_permission_set_licenses"}) {
      if (!e.contains(field)) continue;
      const json& list = e[field];
      if (!list.is_array()) return fail(key + "." + field, "must be a list of names");
      for (const auto& item : list) {
        if (!item.is_string()) return fail(key + "." + field, "must be a list of names");
        const std::string name = item.get<std::string>();
        if (std::string(field).find("permission_set_licenses") != std::string::npos) {
          auto psl = find_row("PermissionSetLicense", "DeveloperName", name);
          if (!psl) psl = find_row("PermissionSetLicense", "MasterLabel", name);
          if (!psl) {
            return fail(key + "." + field, "no permission set license '" + name +
                                               "'; use SalesforceAPIIntegrationPsl or define it under [[licenses]]");
          }
          const std::string psl_id = id_of(*db_.find("PermissionSetLicense"), *psl);
          Table& t = *db_.find("PermissionSetLicenseAssign");
          const auto who = *t.field_index("AssigneeId"), which = *t.field_index("PermissionSetLicenseId");
          for (std::size_t r = 0; r < t.slot_count(); ++r) {  // at most one assignment per user and license
            const auto* a = std::get_if<std::string>(&t.row(r)[who]);
            const auto* l = std::get_if<std::string>(&t.row(r)[which]);
            if (!t.purged(r) && a && l && sf_id15(*a) == sf_id15(user_id) && sf_id15(*l) == sf_id15(psl_id)) t.purge(r);
          }
          if (std::string(field) == "permission_set_licenses") {
            Row row = new_row(t);
            set(t, row, "PermissionSetLicenseId", psl_id);
            set(t, row, "AssigneeId", user_id);
            t.insert(std::move(row));
          }
          continue;
        }
        auto set_row = find_row("PermissionSet", "Name", name);
        if (!set_row) return fail(key + "." + field, "no permission set named '" + name + "'; define it under [[permission_sets]]");
        const std::string set_id = id_of(*db_.find("PermissionSet"), *set_row);
        if (std::string(field) == "permission_sets") {
          assign(user_id, set_id);
        } else {
          unassign(user_id, set_id);
        }
      }
    }
    return ok_status();
  }

  void assign(const std::string& user_id, const std::string& set_id) {
    unassign(user_id, set_id);
    Table& t = *db_.find("PermissionSetAssignment");
    Row row(t.fields().size());
    row[0] = db_.new_id(t);
    set(t, row, "PermissionSetId", set_id);
    set(t, row, "AssigneeId", user_id);
    set(t, row, "IsActive", true);
    set(t, row, "SystemModstamp", DateTime{kOrgEpochStart});
    t.insert(std::move(row));
  }

  void unassign(const std::string& user_id, const std::string& set_id) {
    Table& t = *db_.find("PermissionSetAssignment");
    const auto who = *t.field_index("AssigneeId"), which = *t.field_index("PermissionSetId");
    for (std::size_t r = 0; r < t.slot_count(); ++r) {
      if (t.purged(r)) continue;
      const auto* a = std::get_if<std::string>(&t.row(r)[who]);
      const auto* s = std::get_if<std::string>(&t.row(r)[which]);
      if (a && s && sf_id15(*a) == sf_id15(user_id) && sf_id15(*s) == sf_id15(set_id)) t.purge(r);
    }
  }

  void remove_profile_assignments(const std::string& user_id) {
    Table& sets = *db_.find("PermissionSet");
    for (std::size_t r = 0; r < sets.slot_count(); ++r) {
      if (!sets.purged(r) && flag(sets, sets.row(r), "IsOwnedByProfile")) unassign(user_id, id_of(sets, r));
    }
  }

  Database& db_;
  OrgFileExtras& extras_;
  std::string admin_id_;
  // Custom objects under ControlledByParent: name -> (their key in the file, their spec, whose
  // master_field the master_detail field sets).
  std::map<std::string, std::pair<std::string, std::shared_ptr<ObjectSpec>>> details_;
};

}  // namespace

Result<OrgFile> parse_org_file(const std::string& path, const std::string& text) {
  OrgFile file;
  file.path = path;
  const std::string lower = to_lower(path);
  if (lower.size() >= 5 && lower.substr(lower.size() - 5) == ".toml") {
    try {
      toml::table table = toml::parse(text, path);
      std::ostringstream out;
      out << toml::json_formatter{table};
      file.doc = json::parse(out.str());
    } catch (const toml::parse_error& e) {
      return Error(ErrorKind::kConfig, "ORG_FILE_INVALID",
                   path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()) +
                       " (fix the TOML syntax)");
    }
  } else {
    try {
      file.doc = json::parse(text);
    } catch (const json::parse_error& e) {
      return Error(ErrorKind::kConfig, "ORG_FILE_INVALID",
                   path + ": not valid JSON (" + std::string(e.what()) + "); name the file .toml for TOML");
    }
  }
  if (!file.doc.is_object()) return file_error(path, "(top level)", "must be a table (a JSON object)");
  for (const auto& [key, _] : file.doc.items()) {
    if (std::find(kTopKeys.begin(), kTopKeys.end(), key) == kTopKeys.end()) {
      return file_error(path, key, "unknown key; the keys are " + join(kTopKeys));
    }
  }
  if (file.doc.contains("seed")) {
    const json& seed = file.doc["seed"];
    if (!seed.is_number_integer() || seed.get<std::int64_t>() < 0) {
      return file_error(path, "seed", "must be a non-negative integer");
    }
    file.seed = seed.get<std::uint64_t>();
  }
  if (file.doc.contains("scale")) {
    const json& scale = file.doc["scale"];
    if (!scale.is_number_integer() || scale.get<std::int64_t>() < 0 || scale.get<std::int64_t>() > 10000000) {
      return file_error(path, "scale", "must be an integer from 0 to 10000000 (the number of accounts)");
    }
    file.scale = scale.get<int>();
  }
  return file;
}

Result<OrgFile> read_org_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorKind::kConfig, "ORG_FILE_INVALID", path + ": cannot read the org file; check the path given to --org");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_org_file(path, text.str());
}

Status apply_org_file(const OrgFile& file, Database& db, OrgFileExtras& extras) {
  try {
    CRMSYNC_TRY(Applier(file, db, extras).run());
    CRMSYNC_TRY(apply_sharing(file, db, extras));
    CRMSYNC_TRY(apply_multi_currency(file, db));
    return read_validation_rules(file, db, extras.validation_rules);
  } catch (const json::type_error& e) {
    // A value of the wrong JSON type where a number or string was read with a default.
    return Error(ErrorKind::kConfig, "ORG_FILE_INVALID",
                 file.path + ": a value has the wrong type (" + std::string(e.what()) +
                     "); check the numbers and strings against docs/emulator-org-file.md");
  }
}

}  // namespace crmsync::emulator
