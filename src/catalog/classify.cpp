// classify_field: docs/catalog.md's "Field types" table, executable.
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "catalog/catalog.h"
#include "catalog/describe_json.h"
#include "common/text.h"

namespace crmsync::catalog {
namespace {

using detail::flag_of;
using detail::number_of;
using detail::text_of;
using detail::texts_of;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The names of a compound field's components, for the "select these instead" advice.
std::string components_of(std::string_view field, std::initializer_list<std::string_view> parts) {
  std::string base, suffix;
  if (ends_with(field, "__c")) {  // custom compound: Foo__c -> Foo__Street__s
    base = std::string(field.substr(0, field.size() - 3)) + "__";
    suffix = "__s";
  } else if (ends_with(field, "Address")) {  // BillingAddress -> BillingStreet
    base = std::string(field.substr(0, field.size() - 7));
  } else {
    base = std::string(field);
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += ", ";
    out += base + std::string(p) + suffix;
  }
  return out;
}

// Why crmsync refuses a describe type (only called for types it does not support).
std::string unsupported_reason(std::string_view type, std::string_view field) {
  if (type == "address") {
    return "compound address fields cannot be imported; select its component fields (" +
           components_of(field, {"Street", "City", "State", "PostalCode", "Country"}) + ", ...) instead";
  }
  if (type == "location") {
    return "compound geolocation fields cannot be imported; select its component fields (" +
           components_of(field, {"Latitude", "Longitude"}) + ") instead";
  }
  if (type == "encryptedstring") {
    return "encrypted text reads as a mask (****) unless the integration user may view encrypted data, so "
           "the stored value would not be the data; use an unencrypted field or a formula over it";
  }
  if (type == "multipicklist") {
    return "a multi-select picklist holds several values in one field (separated by ';'), which boards and "
           "filters cannot use; select a single-select picklist instead";
  }
  if (type == "base64") return "base64 fields hold file content (attachments, documents, images), which is not synced";
  if (type == "anyType") {
    return "anyType values change type from row to row (as history OldValue/NewValue do), so they cannot be "
           "given one column type";
  }
  if (type == "complexvalue") return "complex values are structured metadata, not record data";
  if (type == "datacategorygroupreference") return "data category references belong to Knowledge, which is not synced";
  if (type.empty()) return "describe gives it no type";
  return "crmsync does not know this describe type; report it if the field should be synced";
}

Error unsupported(std::string_view object, std::string_view field, std::string_view shown_type, bool calculated,
                  std::string_view code, std::string_view reason) {
  return Error(ErrorKind::kUnsupported, std::string(code),
               fmt::format("{}.{} has type {}{}, which crmsync does not support: {}", object, field, shown_type,
                           calculated ? " (a formula's result type)" : "", reason));
}

std::optional<FieldType> simple_type(std::string_view t) {
  if (t == "boolean") return FieldType::kBoolean;
  if (t == "combobox") return FieldType::kCombobox;
  if (t == "currency") return FieldType::kCurrency;
  if (t == "date") return FieldType::kDate;
  if (t == "datetime") return FieldType::kDateTime;
  if (t == "email") return FieldType::kEmail;
  if (t == "id") return FieldType::kId;
  if (t == "int" || t == "long") return FieldType::kInt;
  if (t == "percent") return FieldType::kPercent;
  if (t == "phone") return FieldType::kPhone;
  if (t == "picklist") return FieldType::kPicklist;
  if (t == "string") return FieldType::kString;
  if (t == "time") return FieldType::kTime;
  if (t == "url") return FieldType::kUrl;
  return std::nullopt;
}

// Text areas are told apart by extraTypeInfo and length, never by htmlFormatted alone (formula
// strings built with HYPERLINK or IMAGE are htmlFormatted too).
FieldType text_area_type(const nlohmann::json& f) {
  if (iequals(text_of(f, "extraTypeInfo"), "richtextarea")) return FieldType::kRichText;
  return number_of(f, "length").value_or(0) > 255 ? FieldType::kLongTextArea : FieldType::kTextArea;
}

}  // namespace

Result<FieldType> classify_field(std::string_view object, const nlohmann::json& describe_field) {
  const std::string name = text_of(describe_field, "name");
  const std::string type = text_of(describe_field, "type");
  const bool calculated = flag_of(describe_field, "calculated");
  if (name.empty() || type.empty()) {
    return Error(ErrorKind::kSalesforce, "MALFORMED_DESCRIBE",
                 fmt::format("a field of {}'s describe result has no {}: {}", object, name.empty() ? "name" : "type",
                             describe_field.dump()));
  }
  if (auto t = simple_type(type)) return *t;
  if (type == "double") {
    // Scale 0 is a whole number; an unknown scale keeps the general DOUBLE.
    return number_of(describe_field, "scale") == 0 ? FieldType::kNumber : FieldType::kDouble;
  }
  if (type == "textarea") return text_area_type(describe_field);
  if (type == "reference") {
    const auto targets = texts_of(describe_field, "referenceTo");
    for (const auto& t : targets) {
      if (iequals(t, "Campaign")) {
        return unsupported(object, name, "reference (to " + fmt::format("{}", fmt::join(targets, ", ")) + ")",
                           calculated, "CAMPAIGN_REFERENCE",
                           "references to Campaign are not supported; sync the Campaign and CampaignMember "
                           "objects (the Engage group) instead");
      }
    }
    return targets.size() == 1 && targets[0] == "User" ? FieldType::kLookup : FieldType::kReference;
  }
  return unsupported(object, name, type, calculated, "UNSUPPORTED_FIELD_TYPE", unsupported_reason(type, name));
}

}  // namespace crmsync::catalog
