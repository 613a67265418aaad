// Describe JSON shaped like Salesforce's REST describe (v46+ field keys, see
// salesforce-api-notes.md section 2), for the catalog tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace crmsync::catalog::testing {

using nlohmann::json;

inline std::string soap_type_of(const std::string& type) {
  if (type == "id" || type == "reference") return "tns:ID";
  if (type == "boolean") return "xsd:boolean";
  if (type == "int") return "xsd:int";
  if (type == "long") return "xsd:long";
  if (type == "double" || type == "currency" || type == "percent") return "xsd:double";
  if (type == "date") return "xsd:date";
  if (type == "datetime") return "xsd:dateTime";
  if (type == "time") return "xsd:time";
  if (type == "address") return "urn:address";
  if (type == "location") return "urn:location";
  if (type == "base64") return "xsd:base64Binary";
  if (type == "anyType") return "xsd:anyType";
  return "xsd:string";
}

// One describe field with every key Salesforce sends; `overrides` replaces keys (length,
// referenceTo, extraTypeInfo, calculated, scale, ...).
inline json sf_field(const std::string& name, const std::string& type, const json& overrides = json::object()) {
  const bool text = soap_type_of(type) == "xsd:string";
  const bool ref = type == "id" || type == "reference";
  const int length = ref ? 18 : text ? 255 : 0;
  json f = {
      {"aggregatable", true}, {"aiPredictionField", false}, {"autoNumber", false},
      {"byteLength", text ? length * 3 : length}, {"calculated", false}, {"calculatedFormula", nullptr},
      {"cascadeDelete", false}, {"caseSensitive", false}, {"compoundFieldName", nullptr},
      {"controllerName", nullptr}, {"createable", type != "id"}, {"custom", name.ends_with("__c")},
      {"defaultValue", nullptr}, {"defaultValueFormula", nullptr}, {"defaultedOnCreate", type == "boolean"},
      {"dependentPicklist", false}, {"deprecatedAndHidden", false}, {"digits", type == "int" ? 9 : 0},
      {"displayLocationInDecimal", false}, {"encrypted", type == "encryptedstring"}, {"externalId", false},
      {"extraTypeInfo", nullptr}, {"filterable", true}, {"filteredLookupInfo", nullptr},
      {"formulaTreatNullNumberAsZero", false}, {"groupable", true}, {"highScaleNumber", false},
      {"htmlFormatted", false}, {"idLookup", type == "id"}, {"inlineHelpText", nullptr}, {"label", name},
      {"length", length}, {"mask", nullptr}, {"maskType", nullptr}, {"name", name}, {"nameField", false},
      {"namePointing", false}, {"nillable", type != "id" && type != "boolean"}, {"permissionable", type != "id"},
      {"picklistValues", json::array()}, {"polymorphicForeignKey", false},
      {"precision", type == "currency" ? 18 : 0}, {"queryByDistance", false}, {"referenceTargetField", nullptr},
      {"referenceTo", json::array()}, {"relationshipName", nullptr}, {"relationshipOrder", nullptr},
      {"restrictedDelete", false}, {"restrictedPicklist", false}, {"scale", type == "currency" ? 2 : 0},
      {"searchPrefilterable", false}, {"soapType", soap_type_of(type)}, {"sortable", true}, {"type", type},
      {"unique", false}, {"updateable", type != "id"}, {"writeRequiresMasterRead", false},
  };
  f.update(overrides);
  return f;
}

inline json sf_ref(const std::string& name, std::vector<std::string> to, const std::string& relationship) {
  return sf_field(name, "reference",
                  {{"referenceTo", to}, {"relationshipName", relationship}, {"polymorphicForeignKey", to.size() > 1}});
}

inline json sf_describe(const std::string& name, const std::string& key_prefix, json fields) {
  return {
      {"actionOverrides", json::array()}, {"activateable", false}, {"childRelationships", json::array()},
      {"compactLayoutable", true}, {"createable", true}, {"custom", false}, {"customSetting", false},
      {"deletable", true}, {"deprecatedAndHidden", false}, {"feedEnabled", false}, {"fields", std::move(fields)},
      {"hasSubtypes", false}, {"isSubtype", false}, {"keyPrefix", key_prefix}, {"label", name},
      {"labelPlural", name + "s"}, {"layoutable", true}, {"name", name}, {"queryable", true},
      {"recordTypeInfos", json::array()}, {"replicateable", true}, {"retrieveable", true}, {"searchable", true},
      {"triggerable", true}, {"undeletable", true}, {"updateable", true},
      {"urls", {{"describe", "/services/data/v62.0/sobjects/" + name + "/describe"},
                {"sobject", "/services/data/v62.0/sobjects/" + name}}},
  };
}

// Contact as a standard org describes it, plus a few custom fields of each text-area kind.
inline json contact_describe() {
  return sf_describe(
      "Contact", "003",
      json::array({
          sf_field("Id", "id"),
          sf_field("IsDeleted", "boolean"),
          sf_ref("MasterRecordId", {"Contact"}, "MasterRecord"),
          sf_ref("AccountId", {"Account"}, "Account"),
          sf_field("LastName", "string", {{"length", 80}}),
          sf_field("FirstName", "string", {{"length", 40}}),
          sf_field("Name", "string", {{"length", 121}, {"nameField", true}}),
          sf_field("MailingStreet", "textarea", {{"extraTypeInfo", "plaintextarea"}, {"compoundFieldName", "MailingAddress"}}),
          sf_field("MailingAddress", "address"),
          sf_field("Phone", "phone", {{"length", 40}}),
          sf_field("MobilePhone", "phone", {{"length", 40}}),
          sf_field("Email", "email", {{"length", 80}}),
          sf_field("Title", "string", {{"length", 128}}),
          sf_field("LeadSource", "picklist", {{"length", 255}}),
          sf_field("Description", "textarea", {{"length", 32000}, {"extraTypeInfo", "plaintextarea"}}),
          sf_ref("OwnerId", {"User"}, "Owner"),
          sf_field("CreatedDate", "datetime"),
          sf_field("LastModifiedDate", "datetime"),
          sf_field("SystemModstamp", "datetime"),
          sf_field("LastActivityDate", "date"),
          sf_field("Languages__c", "multipicklist", {{"length", 4099}}),
          sf_field("Short_Note__c", "textarea", {{"extraTypeInfo", "plaintextarea"}}),
          sf_field("Notes__c", "textarea", {{"length", 32768}, {"extraTypeInfo", "plaintextarea"}}),
          sf_field("Bio__c", "textarea", {{"length", 32768}, {"extraTypeInfo", "richtextarea"}, {"htmlFormatted", true}}),
          sf_field("Website_Link__c", "string",
                   {{"length", 1300}, {"calculated", true}, {"htmlFormatted", true},
                    {"calculatedFormula", "HYPERLINK(Account.Website, Account.Name)"}, {"createable", false},
                    {"updateable", false}}),
          sf_ref("Source_Campaign__c", {"Campaign"}, "Source_Campaign__r"),
      }));
}

}  // namespace crmsync::catalog::testing
