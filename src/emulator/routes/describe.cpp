// Discovery: GET /services/data/ (versions), /vXX.X/ (resources), /sobjects/ (describeGlobal),
// /sobjects/{Name} (basic info), /sobjects/{Name}/describe, /limits.
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "emulator/org/org.h"
#include "emulator/routes/routes.h"

#include <shared_mutex>

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;  // sorted keys, as Salesforce's describe output is

// 59.0 = Winter '24; three releases a year: Winter, Spring, Summer.
std::string release_label(int major) {
  const int offset = major - 59;
  const int year = 24 + (offset >= 0 ? offset / 3 : (offset - 2) / 3);
  const int season = ((offset % 3) + 3) % 3;
  static const char* kSeasons[] = {"Winter", "Spring", "Summer"};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s '%02d", kSeasons[season], (year % 100 + 100) % 100);
  return buf;
}

std::string sobject_url(const ApiCall& call, const std::string& name) {
  return "/services/data/v" + call.version + "/sobjects/" + name;
}

// The object's describe flags for one user: the schema's, narrowed by the user's permissions.
ObjectSpec for_user(const ObjectSpec& spec, const ObjectAccess& a) {
  ObjectSpec o = spec;
  o.createable = o.createable && a.create;
  o.updateable = o.updateable && a.edit;
  o.deletable = o.deletable && a.del;
  o.undeletable = o.undeletable && a.del;
  o.mergeable = o.mergeable && a.del;
  return o;
}

json global_entry(const ApiCall& call, const ObjectSpec& o) {
  const std::string base = sobject_url(call, o.name);
  json urls = {{"sobject", base}, {"describe", base + "/describe"}, {"rowTemplate", base + "/{ID}"}};
  if (o.createable) urls["defaultValues"] = base + "/defaultValues?recordTypeId&fields";
  const bool query_only = o.key_prefix.empty();  // UserRecordAccess
  return json{{"activateable", false},
              {"associateEntityType", nullptr},
              {"associateParentEntity", nullptr},
              {"createable", o.createable},
              {"custom", o.custom},
              {"customSetting", false},
              {"deepCloneable", false},
              {"deletable", o.deletable},
              {"deprecatedAndHidden", false},
              {"feedEnabled", o.feed_enabled},
              {"hasSubtypes", false},
              {"isInterface", false},
              {"isSubtype", false},
              {"keyPrefix", query_only ? json(nullptr) : json(o.key_prefix)},
              {"label", o.label},
              {"labelPlural", o.label_plural},
              {"layoutable", o.layoutable},
              {"mergeable", o.mergeable},
              {"mruEnabled", o.mru_enabled},
              {"name", o.name},
              {"queryable", true},
              {"replicateable", o.replicateable},
              {"retrieveable", !query_only},
              {"searchable", o.searchable},
              {"triggerable", o.triggerable},
              {"undeletable", o.undeletable},
              {"updateable", o.updateable},
              {"urls", urls}};
}

const char* soap_type(const std::string& type) {
  if (type == "id" || type == "reference") return "tns:ID";
  if (type == "boolean") return "xsd:boolean";
  if (type == "int") return "xsd:int";
  if (type == "long") return "xsd:long";
  if (type == "double" || type == "currency" || type == "percent") return "xsd:double";
  if (type == "date") return "xsd:date";
  if (type == "datetime") return "xsd:dateTime";
  if (type == "time") return "xsd:time";
  if (type == "base64") return "xsd:base64Binary";
  if (type == "address") return "urn:address";
  if (type == "location") return "urn:location";
  if (type == "anyType") return "xsd:anyType";
  return "xsd:string";
}

bool is_text(const std::string& type) {
  return type == "string" || type == "textarea" || type == "picklist" || type == "multipicklist" ||
         type == "combobox" || type == "email" || type == "phone" || type == "url" || type == "encryptedstring";
}

json field_json(const FieldDef& f) {
  const bool text = is_text(f.type);
  const bool ref = f.type == "id" || f.type == "reference";
  const int length = text ? f.length : ref ? 18 : 0;
  const int byte_length = text ? 3 * f.length : ref ? 18 : 0;
  const bool long_text = f.type == "textarea" && f.length > 255;
  json picklist = json::array();
  for (const auto& v : f.picklist_values) {
    picklist.push_back({{"active", true}, {"defaultValue", v == f.picklist_default}, {"label", v}, {"validFor", nullptr}, {"value", v}});
  }
  auto nullable = [](const std::string& s) -> json { return s.empty() ? json(nullptr) : json(s); };
  const bool numeric = f.type == "double" || f.type == "currency" || f.type == "percent" || f.type == "int";
  return json{{"aggregatable", !long_text && f.type != "address" && f.type != "multipicklist"},
              {"aiPredictionField", false},
              {"autoNumber", f.auto_number},
              {"byteLength", byte_length},
              {"calculated", f.calculated},
              {"calculatedFormula", f.calculated ? json(f.formula) : json(nullptr)},
              {"cascadeDelete", false},
              {"caseSensitive", false},
              {"compoundFieldName", nullable(f.compound_field_name)},
              {"controllerName", nullptr},
              {"createable", f.createable},
              {"custom", f.custom},
              {"defaultValue", f.type == "boolean" && !f.calculated ? json(false) : json(nullptr)},
              {"defaultValueFormula", nullptr},
              {"defaultedOnCreate", f.defaulted_on_create},
              {"dependentPicklist", false},
              {"deprecatedAndHidden", false},
              {"digits", f.type == "int" ? f.digits : 0},
              {"displayLocationInDecimal", false},
              {"encrypted", false},
              {"externalId", f.external_id},
              {"extraTypeInfo", nullable(f.extra_type_info)},
              {"filterable", f.filterable && f.type != "address"},
              {"filteredLookupInfo", nullptr},
              {"formulaTreatNullNumberAsZero", f.calculated && numeric},
              {"groupable", f.groupable && f.type != "address"},
              {"highScaleNumber", false},
              {"htmlFormatted", f.html_formatted},
              {"idLookup", f.id_lookup},
              {"inlineHelpText", nullptr},
              {"label", f.label},
              {"length", length},
              {"mask", nullable(f.mask)},
              {"maskType", nullable(f.mask_type)},
              {"name", f.name},
              {"nameField", f.name_field},
              {"namePointing", f.polymorphic},
              {"nillable", f.nillable},
              {"permissionable", is_permissionable(f)},
              {"picklistValues", picklist},
              {"polymorphicForeignKey", f.polymorphic},
              {"precision", f.type == "int" ? 0 : f.precision},
              {"queryByDistance", false},
              {"referenceTargetField", nullptr},
              {"referenceTo", f.reference_to},
              {"relationshipName", nullable(f.relationship_name)},
              {"relationshipOrder", nullptr},
              {"restrictedDelete", false},
              {"restrictedPicklist", false},
              {"scale", f.scale},
              {"searchPrefilterable", false},
              {"soapType", soap_type(f.type)},
              {"sortable", f.sortable && f.type != "address"},
              {"type", f.type},
              {"unique", f.unique},
              {"updateable", f.updateable},
              {"writeRequiresMasterRead", false}};
}

json record_type_infos(const EmuState& s, const ApiCall& call, const ObjectSpec& o, const UserAccess& access) {
  json infos = json::array();
  if (!o.layoutable) return infos;
  auto info = [&](const std::string& id, const std::string& name, const std::string& dev, bool master, bool dflt,
                  bool active, bool available) {
    return json{{"active", active},
                {"available", available},
                {"defaultRecordTypeMapping", dflt},
                {"developerName", dev},
                {"master", master},
                {"name", name},
                {"recordTypeId", id},
                {"urls", {{"layout", sobject_url(call, o.name) + "/describe/layouts/" + id}}}};
  };
  // `available` and the default mapping are the user's profile's record type settings.
  const std::string user_default = access.default_record_type(o.name);
  if (o.has_record_types) {
    const Table& rt = *s.db->find("RecordType");
    const auto name = *rt.field_index("Name"), dev = *rt.field_index("DeveloperName"),
               type = *rt.field_index("SobjectType"), active = *rt.field_index("IsActive");
    for (std::size_t r = 0; r < rt.slot_count(); ++r) {
      if (rt.purged(r)) continue;
      const Row& row = rt.row(r);
      const auto* object = std::get_if<std::string>(&row[type]);
      if (object == nullptr || *object != o.name) continue;
      const std::string& id = std::get<std::string>(row[0]);
      const auto* is_active = std::get_if<bool>(&row[active]);
      const auto* label = std::get_if<std::string>(&row[name]);
      const auto* developer = std::get_if<std::string>(&row[dev]);
      infos.push_back(info(id, label ? *label : "", developer ? *developer : "", false, id == user_default,
                           is_active && *is_active, access.record_type_available(o.name, id)));
    }
  }
  infos.push_back(
      info("012000000000000AAA", "Master", "Master", true, user_default.empty(), true, user_default.empty()));
  return infos;
}

// Every reference field of the org's objects (custom fields included) that points at `parent`.
json child_relationships(const Database& db, const ObjectSpec& parent) {
  json out = json::array();
  for (const Table* child : db.tables()) {
    const ObjectSpec* spec = object_spec(db, child->name());
    if (spec == nullptr) continue;
    for (const auto& f : child->fields()) {
      if (f.type != "reference") continue;
      if (std::find(f.reference_to.begin(), f.reference_to.end(), parent.name) == f.reference_to.end()) continue;
      const std::string& relationship = child_relationship_name(spec, f);
      json name = relationship.empty() ? json(nullptr) : json(relationship);
      // A master-detail field (the detail's master_field) deletes its details with the master.
      out.push_back({{"cascadeDelete", spec->custom && iequals(spec->master_field, f.name)},
                     {"childSObject", child->name()},
                     {"deprecatedAndHidden", false},
                     {"field", f.name},
                     {"junctionIdListNames", json::array()},
                     {"junctionReferenceTo", json::array()},
                     {"relationshipName", name},
                     {"restrictedDelete", false}});
    }
  }
  return out;
}

}  // namespace

void handle_versions(EmuState& s, httplib::Response& res) {
  (void)s;
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& v : supported_versions()) {
    nlohmann::ordered_json entry = {
        {"label", release_label(std::stoi(v))}, {"url", "/services/data/v" + v}, {"version", v}};
    out.push_back(entry);
  }
  send_json(res, 200, out.dump());
}

// Only resources the emulator answers (every one of them answers a GET; a test walks the list);
// `identity` is the caller's identity URL. parameterizedSearch exists from API 36.0, `jobs`
// (Bulk API 2.0) from 41.0, as Salesforce lists it.
void handle_resources(EmuState& s, ApiCall& call) {
  const std::string base = "/services/data/v" + call.version + "/";
  const double version = std::stod(call.version);
  nlohmann::ordered_json out;
  for (const char* r : {"tabs", "theme", "search", "query", "queryAll", "recent", "sobjects", "composite",
                        "parameterizedSearch", "limits", "jobs"}) {
    if (std::string_view(r) == "parameterizedSearch" && version < 36.0) continue;
    if (std::string_view(r) == "jobs" && version < 41.0) continue;
    out[r] = base + r;
  }
  out["identity"] = s.base_url + "/id/" + s.org_id + "/" + call.user_id;
  send_json(call.res, 200, out.dump());
}

// GET /jobs: the Bulk API 2.0 resources of this version, `ingest` (41.0) and `query` (47.0).
void handle_jobs_resources(EmuState& s, ApiCall& call) {
  (void)s;
  const double version = std::stod(call.version);
  if (version < 41.0) return send_not_found(call.res);
  const std::string base = "/services/data/v" + call.version + "/jobs/";
  nlohmann::ordered_json out;
  out["ingest"] = base + "ingest";
  if (version >= 47.0) out["query"] = base + "query";
  send_json(call.res, 200, out.dump());
}

void handle_describe_global(EmuState& s, ApiCall& call) {
  json objects = json::array();
  std::vector<const ObjectSpec*> specs;
  for (const auto& o : org_schema()) specs.push_back(&o);
  for (const ObjectSpec* o : s.db->custom_objects()) specs.push_back(o);
  std::sort(specs.begin(), specs.end(), [](const ObjectSpec* a, const ObjectSpec* b) { return a->name < b->name; });
  std::shared_lock lock(s.db->mutex());
  auto access = user_access(s, call.user_id);
  for (const ObjectSpec* o : specs) {
    const Table* table = s.db->find(o->name);
    if (table == nullptr) continue;
    const ObjectAccess a = access->object(*table);
    if (a.read) objects.push_back(global_entry(call, for_user(*o, a)));  // objects without Read are absent
  }
  json out = {{"encoding", "UTF-8"}, {"maxBatchSize", 200}, {"sobjects", objects}};
  send_json(call.res, 200, out.dump());
}

void handle_sobject_info(EmuState& s, ApiCall& call, const Table& table) {
  const ObjectSpec* o = object_spec(*s.db, table.name());
  std::shared_lock lock(s.db->mutex());
  const ObjectAccess a = user_access(s, call.user_id)->object(table);
  if (!a.read) return send_not_found(call.res);
  json out = {{"objectDescribe", global_entry(call, for_user(*o, a))}, {"recentItems", json::array()}};
  send_json(call.res, 200, out.dump());
}

void handle_describe(EmuState& s, ApiCall& call, const Table& table) {
  std::shared_lock lock(s.db->mutex());
  auto access = user_access(s, call.user_id);
  const ObjectAccess a = access->object(table);
  if (!a.read) return send_not_found(call.res);
  const ObjectSpec o = for_user(*object_spec(*s.db, table.name()), a);
  json fields = json::array();
  for (const auto& f : table.fields()) {
    const FieldAccess fa = access->field(table, f);
    if (!fa.read) continue;  // hidden by field-level security: absent, as in Salesforce
    FieldDef shown = f;
    shown.createable = shown.createable && fa.edit && a.create;
    shown.updateable = shown.updateable && fa.edit && a.edit;
    fields.push_back(field_json(shown));
  }
  json out = global_entry(call, o);
  const std::string base = sobject_url(call, o.name);
  json& urls = out["urls"];
  urls["compactLayouts"] = base + "/describe/compactLayouts";
  urls["approvalLayouts"] = base + "/describe/approvalLayouts";
  urls["listviews"] = base + "/listviews";
  urls["quickActions"] = base + "/quickActions";
  urls["layouts"] = base + "/describe/layouts";
  urls["uiDetailTemplate"] = s.base_url + "/{ID}";
  urls["uiEditTemplate"] = s.base_url + "/{ID}/e";
  urls["uiNewRecord"] = s.base_url + "/" + o.key_prefix + "/e";
  out["actionOverrides"] = json::array();
  out["childRelationships"] = child_relationships(*s.db, o);
  out["compactLayoutable"] = o.layoutable;
  out["defaultImplementation"] = nullptr;
  out["extendedBy"] = nullptr;
  out["extendsInterfaces"] = nullptr;
  out["fields"] = std::move(fields);
  out["implementedBy"] = nullptr;
  out["implementsInterfaces"] = nullptr;
  out["listviewable"] = nullptr;
  out["lookupLayoutable"] = nullptr;
  out["namedLayoutInfos"] = json::array();
  out["networkScopeFieldName"] = nullptr;
  out["recordTypeInfos"] = record_type_infos(s, call, o, *access);
  out["searchLayoutable"] = o.searchable;
  out["sobjectDescribeOption"] = "FULL";
  json scopes = json::array();
  if (table.field_index("OwnerId")) {
    scopes = json::array({{{"label", "All " + o.label_plural}, {"name", "everything"}},
                          {{"label", "My " + o.label_plural}, {"name", "mine"}},
                          {{"label", "My team's " + o.label_plural}, {"name", "team"}}});
  }
  out["supportedScopes"] = scopes;
  send_json(call.res, 200, out.dump());
}

}  // namespace crmsync::emulator
