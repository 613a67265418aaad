// A request body's values as Salesforce reads them: the body must be a JSON object (JSON_PARSER_ERROR
// in Salesforce's words), each field must exist and be visible and writable for the writer, and
// each value must fit its field's type (numbers within precision, text within length, ids of the
// right object, dates and datetimes, emails).
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "common/json.h"
#include "common/sfid.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "emulator/dml/values.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

std::string json_token(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

const char* json_kind(const json& v) {
  if (v.is_string()) return "VALUE_STRING";
  if (v.is_boolean()) return v.get<bool>() ? "VALUE_TRUE" : "VALUE_FALSE";
  if (v.is_number_integer() || v.is_number_unsigned()) return "VALUE_NUMBER_INT";
  if (v.is_number()) return "VALUE_NUMBER_FLOAT";
  if (v.is_array()) return "START_ARRAY";
  return "START_OBJECT";
}

Error type_error(const FieldDef& f, const json& v) {
  std::string type = f.type == "datetime" ? "datetime" : f.type;
  if (f.type == "currency" || f.type == "percent") type = "double";
  return json_type_error(type, v);
}

// A decimal number as text: [-+]digits[.digits][e[-+]digits] (what Salesforce takes in a string
// for a number field). Not "NaN", "inf", hex or surrounding spaces, which strtod would take.
bool is_decimal_text(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t mantissa = digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// The magnitude a number field's values stay below: 10^(precision - scale) for a decimal (its
// integer digits), 10^digits for an int; without them, what the stored type holds.
double number_bound(const FieldDef& f) {
  if (f.type == "int") return f.digits > 0 ? std::pow(10.0, f.digits) : 9.2e18;
  if (f.precision > 0) return std::pow(10.0, f.precision - f.scale);
  return std::numeric_limits<double>::infinity();
}

// A number field's value from a JSON number or a decimal string. Salesforce refuses a value
// beyond the field's precision (NUMBER_OUTSIDE_VALID_RANGE, in its words); one that is no number
// at all ("NaN", "inf") cannot be read as the field's type (JSON_PARSER_ERROR). A string too big
// for a double ("1e999") is beyond every field's precision.
Result<Value> convert_number(const FieldDef& f, const json& v) {
  double d = 0;
  std::string text;
  if (v.is_number()) {
    d = v.get<double>();
    append_value(text, f, Value{d});  // as Salesforce echoes it: 1.0E300
  } else if (v.is_string() && is_decimal_text(v.get_ref<const std::string&>())) {
    text = v.get<std::string>();
    d = std::strtod(text.c_str(), nullptr);
  } else {
    return type_error(f, v);
  }
  if (!std::isfinite(d) || std::fabs(d) >= number_bound(f)) {
    return record_error(400, "NUMBER_OUTSIDE_VALID_RANGE",
                        f.label + ": value outside of valid range on numeric field: " +
                            std::string(utf8_prefix(text, 40)) + (text.size() > 40 ? "..." : ""),
                        {f.name});
  }
  if (f.type == "int") {
    if (d != std::floor(d)) return type_error(f, v);
    return Value{static_cast<std::int64_t>(d)};
  }
  return Value{d};
}

bool is_text_type(const std::string& t) {
  return t == "string" || t == "textarea" || t == "picklist" || t == "multipicklist" || t == "combobox" ||
         t == "email" || t == "phone" || t == "url" || t == "encryptedstring";
}

// Converts one JSON value for `f`, or explains why not.
Result<Value> convert(const Database& db, const FieldDef& f, const json& v) {
  if (v.is_null()) return Value{};
  if (v.is_object() || v.is_array()) return type_error(f, v);
  // Salesforce stores an empty string as null in a text or lookup field, so "" clears it (and
  // leaves a required one missing: REQUIRED_FIELD_MISSING).
  if (v.is_string() && v.get_ref<const std::string&>().empty() &&
      (is_text_type(f.type) || f.type == "reference" || f.type == "id")) {
    return Value{};
  }
  if (f.type == "boolean") {
    if (v.is_boolean()) return Value{v.get<bool>()};
    if (v.is_string() && (iequals(v.get<std::string>(), "true") || iequals(v.get<std::string>(), "false"))) {
      return Value{iequals(v.get<std::string>(), "true")};
    }
    return type_error(f, v);
  }
  if (f.type == "int" || f.type == "double" || f.type == "currency" || f.type == "percent") {
    return convert_number(f, v);
  }
  if (f.type == "date" || f.type == "datetime") {
    if (!v.is_string()) return type_error(f, v);
    const std::string s = v.get<std::string>();
    if (f.type == "date") {
      auto d = parse_date(s.substr(0, 10));
      if (!d || (s.size() != 10 && !parse_datetime(s))) return type_error(f, v);
      return Value{Date{*d}};
    }
    auto t = parse_datetime(s);
    if (!t) return type_error(f, v);
    return Value{DateTime{*t}};
  }
  const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (f.type == "reference" || f.type == "id") {
    auto id = sf_id18(s);
    if (!id) return record_error(400, "MALFORMED_ID", f.label + ": id value of incorrect type: " + s, {f.name});
    bool target_unknown = false;
    for (const auto& target : f.reference_to) {
      const Table* t = db.find(target);
      if (t == nullptr) {
        target_unknown = true;
        continue;
      }
      if (id->substr(0, 3) != t->key_prefix()) continue;
      auto row = t->find(*id);
      if (!row) return record_error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {f.name});
      if (row_deleted(*t, t->row(*row))) return record_error(400, "ENTITY_IS_DELETED", "entity is deleted", {f.name});
      return Value{*id};
    }
    if (target_unknown) return Value{*id};
    return record_error(400, "FIELD_INTEGRITY_EXCEPTION", f.label + ": id value of incorrect type: " + s, {f.name});
  }
  if (is_text_type(f.type) && f.length > 0 && utf8_length(s) > static_cast<std::size_t>(f.length)) {
    return record_error(400, "STRING_TOO_LONG",
                        f.label + ": data value too large: " + std::string(utf8_prefix(s, 40)) +
                            (utf8_length(s) > 40 ? "..." : "") + " (max length=" + std::to_string(f.length) + ")",
                        {f.name});
  }
  if (f.type == "email" && !s.empty()) {
    auto at = s.find('@');
    if (at == std::string::npos || at == 0 || s.find('.', at) == std::string::npos) {
      return record_error(400, "INVALID_EMAIL_ADDRESS", f.label + ": invalid email address: " + s, {f.name});
    }
  }
  return Value{s};
}

}  // namespace

Result<std::vector<std::pair<std::size_t, Value>>> validate(const Database& db, const Table& table, const json& body,
                                                            bool create, const UserAccess& access) {
  std::vector<std::pair<std::size_t, Value>> out;
  std::vector<std::string> not_writable;
  for (const auto& [key, value] : body.items()) {
    if (key == "attributes") continue;
    auto index = table.field_index(key);
    if (!index) {
      return request_error(400, "INVALID_FIELD", "No such column '" + key + "' on sobject of type " + table.name());
    }
    const FieldDef& f = table.field(*index);
    auto fls_writable = field_writable(access, table, f, key);
    if (!fls_writable) return fls_writable.error();
    if (!*fls_writable || (create ? !f.createable : !f.updateable)) {
      not_writable.push_back(f.name);
      continue;
    }
    auto converted = convert(db, f, value);
    if (!converted) return converted.error();
    out.emplace_back(*index, std::move(*converted));
  }
  if (!not_writable.empty()) {
    std::string list;
    for (const auto& n : not_writable) list += (list.empty() ? "" : ", ") + n;
    return record_error(400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                        "Unable to create/update fields: " + list +
                            ". Please check the security settings of this field and verify that it is read/write "
                            "for your profile or permission set.",
                        not_writable);
  }
  return out;
}

Error json_type_error(const std::string& type, const json& v) {
  return request_error(400, "JSON_PARSER_ERROR",
                       "Cannot deserialize instance of " + type + " from " + json_kind(v) + " value " + json_token(v) +
                           " or request may be missing a required field at [line:1, column:1]");
}

std::string json_problem_message(std::string_view text, const JsonProblem& problem) {
  switch (problem.kind) {
    case JsonProblem::Kind::kTooDeep:
      return "Document nesting depth (" + std::to_string(kMaxJsonDepth + 1) + ") exceeds the maximum allowed (" +
             std::to_string(kMaxJsonDepth) + ")";
    case JsonProblem::Kind::kNumberTooLarge:
      return "Numeric value (" + std::string(utf8_prefix(problem.token, 40)) +
             (problem.token.size() > 40 ? "..." : "") + ") out of range of double at [line:1, column:" +
             std::to_string(problem.byte) + "]";
    default: {
      const std::size_t at = problem.byte == 0 ? 0 : problem.byte - 1;
      const char c = at < text.size() ? text[at] : ' ';
      return "Unexpected character ('" + std::string(1, c) + "' (code " +
             std::to_string(static_cast<unsigned char>(c)) +
             ")): expected a valid value (number, String, array, object, 'true', 'false' or 'null') at [line:1, "
             "column:" + std::to_string(at + 1) + "]";
    }
  }
}

Result<json> parse_record_body(const std::string& text, const std::string& type) {
  JsonProblem problem;
  json body = parse_json(text.empty() ? std::string_view("{}") : std::string_view(text), problem);
  if (body.is_discarded()) return request_error(400, "JSON_PARSER_ERROR", json_problem_message(text, problem));
  if (!body.is_object()) {
    return request_error(400, "JSON_PARSER_ERROR",
                         "Cannot deserialize instance of " + type + " from " +
                             (body.is_array() ? "START_ARRAY" : "VALUE_STRING") + " value at [line:1, column:1]");
  }
  return body;
}

}  // namespace crmsync::emulator
