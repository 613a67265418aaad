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

DmlError type_error(const FieldDef& f, const json& v) {
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
std::optional<Value> convert_number(const FieldDef& f, const json& v, DmlError& err) {
  double d = 0;
  std::string text;
  if (v.is_number()) {
    d = v.get<double>();
    append_value(text, f, Value{d});  // as Salesforce echoes it: 1.0E300
  } else if (v.is_string() && is_decimal_text(v.get_ref<const std::string&>())) {
    text = v.get<std::string>();
    d = std::strtod(text.c_str(), nullptr);
  } else {
    err = type_error(f, v);
    return std::nullopt;
  }
  if (!std::isfinite(d) || std::fabs(d) >= number_bound(f)) {
    err = {400, "NUMBER_OUTSIDE_VALID_RANGE",
           f.label + ": value outside of valid range on numeric field: " + std::string(utf8_prefix(text, 40)) +
               (text.size() > 40 ? "..." : ""),
           {f.name}};
    return std::nullopt;
  }
  if (f.type == "int") {
    if (d != std::floor(d)) {
      err = type_error(f, v);
      return std::nullopt;
    }
    return Value{static_cast<std::int64_t>(d)};
  }
  return Value{d};
}

bool is_text_type(const std::string& t) {
  return t == "string" || t == "textarea" || t == "picklist" || t == "multipicklist" || t == "combobox" ||
         t == "email" || t == "phone" || t == "url" || t == "encryptedstring";
}

// Converts one JSON value for `f`, or explains why not.
std::optional<Value> convert(const Database& db, const FieldDef& f, const json& v, DmlError& err) {
  if (v.is_null()) return Value{};
  if (v.is_object() || v.is_array()) {
    err = type_error(f, v);
    return std::nullopt;
  }
  if (f.type == "boolean") {
    if (v.is_boolean()) return Value{v.get<bool>()};
    if (v.is_string() && (iequals(v.get<std::string>(), "true") || iequals(v.get<std::string>(), "false"))) {
      return Value{iequals(v.get<std::string>(), "true")};
    }
    err = type_error(f, v);
    return std::nullopt;
  }
  if (f.type == "int" || f.type == "double" || f.type == "currency" || f.type == "percent") {
    return convert_number(f, v, err);
  }
  if (f.type == "date" || f.type == "datetime") {
    if (!v.is_string()) {
      err = type_error(f, v);
      return std::nullopt;
    }
    const std::string s = v.get<std::string>();
    if (f.type == "date") {
      auto d = parse_date(s.substr(0, 10));
      if (!d || (s.size() != 10 && !parse_datetime(s))) {
        err = type_error(f, v);
        return std::nullopt;
      }
      return Value{Date{*d}};
    }
    auto t = parse_datetime(s);
    if (!t) {
      err = type_error(f, v);
      return std::nullopt;
    }
    return Value{DateTime{*t}};
  }
  const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (f.type == "reference" || f.type == "id") {
    auto id = sf_id18(s);
    if (!id) {
      err = {400, "MALFORMED_ID", f.label + ": id value of incorrect type: " + s, {f.name}};
      return std::nullopt;
    }
    bool target_unknown = false;
    for (const auto& target : f.reference_to) {
      const Table* t = db.find(target);
      if (t == nullptr) {
        target_unknown = true;
        continue;
      }
      if (id->substr(0, 3) != t->key_prefix()) continue;
      auto row = t->find(*id);
      if (!row) {
        err = {400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {f.name}};
        return std::nullopt;
      }
      auto deleted = t->field_index("IsDeleted");
      if (deleted && std::get_if<bool>(&t->row(*row)[*deleted]) && std::get<bool>(t->row(*row)[*deleted])) {
        err = {400, "ENTITY_IS_DELETED", "entity is deleted", {f.name}};
        return std::nullopt;
      }
      return Value{*id};
    }
    if (target_unknown) return Value{*id};
    err = {400, "FIELD_INTEGRITY_EXCEPTION", f.label + ": id value of incorrect type: " + s, {f.name}};
    return std::nullopt;
  }
  if (is_text_type(f.type) && f.length > 0 && utf8_length(s) > static_cast<std::size_t>(f.length)) {
    err = {400, "STRING_TOO_LONG",
           f.label + ": data value too large: " + std::string(utf8_prefix(s, 40)) +
               (utf8_length(s) > 40 ? "..." : "") + " (max length=" + std::to_string(f.length) + ")",
           {f.name}};
    return std::nullopt;
  }
  if (f.type == "email" && !s.empty()) {
    auto at = s.find('@');
    if (at == std::string::npos || at == 0 || s.find('.', at) == std::string::npos) {
      err = {400, "INVALID_EMAIL_ADDRESS", f.label + ": invalid email address: " + s, {f.name}};
      return std::nullopt;
    }
  }
  return Value{s};
}

}  // namespace

DmlError from_access(const AccessError& e) { return {e.status, e.code, e.message, e.fields, true}; }

std::optional<std::vector<std::pair<std::size_t, Value>>> validate(const Database& db, const Table& table,
                                                                   const json& body, bool create,
                                                                   const UserAccess& access, DmlError& err) {
  std::vector<std::pair<std::size_t, Value>> out;
  std::vector<std::string> not_writable;
  for (const auto& [key, value] : body.items()) {
    if (key == "attributes") continue;
    auto index = table.field_index(key);
    if (!index) {
      err = {400, "INVALID_FIELD", "No such column '" + key + "' on sobject of type " + table.name(), {}, false};
      return std::nullopt;
    }
    const FieldDef& f = table.field(*index);
    bool fls_writable = true;
    if (auto hidden = field_write_error(access, table, f, key, &fls_writable)) {
      err = from_access(*hidden);
      err.with_fields = false;
      return std::nullopt;
    }
    if (!fls_writable || (create ? !f.createable : !f.updateable)) {
      not_writable.push_back(f.name);
      continue;
    }
    auto converted = convert(db, f, value, err);
    if (!converted) return std::nullopt;
    out.emplace_back(*index, std::move(*converted));
  }
  if (!not_writable.empty()) {
    std::string list;
    for (const auto& n : not_writable) list += (list.empty() ? "" : ", ") + n;
    err = {400, "INVALID_FIELD_FOR_INSERT_UPDATE",
           "Unable to create/update fields: " + list +
               ". Please check the security settings of this field and verify that it is read/write for your "
               "profile or permission set.",
           not_writable};
    return std::nullopt;
  }
  return out;
}

DmlError json_type_error(const std::string& type, const json& v) {
  return {400, "JSON_PARSER_ERROR",
          "Cannot deserialize instance of " + type + " from " + json_kind(v) + " value " + json_token(v) +
              " or request may be missing a required field at [line:1, column:1]",
          {}, false};
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

std::optional<json> parse_record_body(const std::string& text, const std::string& type, DmlError& err) {
  JsonProblem problem;
  json body = parse_json(text.empty() ? std::string_view("{}") : std::string_view(text), problem);
  if (body.is_discarded()) {
    err = {400, "JSON_PARSER_ERROR", json_problem_message(text, problem), {}, false};
    return std::nullopt;
  }
  if (!body.is_object()) {
    err = {400, "JSON_PARSER_ERROR",
           "Cannot deserialize instance of " + type + " from " + (body.is_array() ? "START_ARRAY" : "VALUE_STRING") +
               " value at [line:1, column:1]",
           {}, false};
    return std::nullopt;
  }
  return body;
}

}  // namespace crmsync::emulator
