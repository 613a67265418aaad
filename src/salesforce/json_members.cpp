#include "salesforce/json_members.h"

#include <cmath>
#include <limits>

#include "common/text.h"

namespace crmsync::salesforce {

namespace {

const nlohmann::json& empty_array() {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  return kEmpty;
}

const nlohmann::json* member(const nlohmann::json& value, std::string_view key) {
  if (!value.is_object()) return nullptr;
  auto it = value.find(key);
  return it == value.end() || it->is_null() ? nullptr : &*it;
}

// int64 of a JSON number that is a whole number in range (Salesforce writes some as 5.0).
std::optional<std::int64_t> whole_number(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    // 2^63 is exactly representable; every double below it in magnitude converts without overflow.
    if (!std::isfinite(d) || std::trunc(d) != d || d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

std::string describe_json_value(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::boolean: return std::string("a boolean (") + (value.get<bool>() ? "true" : "false") + ")";
    case nlohmann::json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      std::string shown(utf8_prefix(s, 40));
      return "a string (" + nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
             (shown.size() < s.size() ? "..." : "") + ")";
    }
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "a number (" + value.dump() + ")";
    default: return "a value crmsync cannot read";
  }
}

JsonMembers::JsonMembers(const nlohmann::json& value, std::string what) : value_(value), what_(std::move(what)) {}

Error JsonMembers::malformed(const std::string& detail) const {
  return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
               "Salesforce's answer to " + what_ + " was malformed: " + detail + ".");
}

Error JsonMembers::wrong_type(std::string_view key, const nlohmann::json& found, const char* expected) const {
  return malformed("\"" + std::string(key) + "\" is " + describe_json_value(found) + ", not " + expected);
}

Error JsonMembers::missing(std::string_view key, const char* expected) const {
  if (!value_.is_object()) return malformed("it is " + describe_json_value(value_) + ", not an object with \"" + std::string(key) + "\"");
  return malformed("it has no \"" + std::string(key) + "\" (" + expected + ")");
}

const nlohmann::json* JsonMembers::find(std::string_view key) const { return member(value_, key); }

Result<std::string> JsonMembers::text_or(std::string_view key, std::string_view fallback) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return std::string(fallback);
  if (!v->is_string()) return wrong_type(key, *v, "a string");
  return v->get<std::string>();
}

Result<bool> JsonMembers::flag_or(std::string_view key, bool fallback) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) return wrong_type(key, *v, "a boolean");
  return v->get<bool>();
}

Result<std::int64_t> JsonMembers::integer_or(std::string_view key, std::int64_t fallback) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return fallback;
  auto n = whole_number(*v);
  if (!n) return wrong_type(key, *v, "a whole number");
  return *n;
}

Result<const nlohmann::json*> JsonMembers::array_or_empty(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return &empty_array();
  if (!v->is_array()) return wrong_type(key, *v, "an array");
  return v;
}

Result<std::string> JsonMembers::text(std::string_view key) const {
  if (find(key) == nullptr) return missing(key, "a string");
  return text_or(key, {});
}

Result<bool> JsonMembers::flag(std::string_view key) const {
  if (find(key) == nullptr) return missing(key, "a boolean");
  return flag_or(key, false);
}

Result<std::int64_t> JsonMembers::integer(std::string_view key) const {
  if (find(key) == nullptr) return missing(key, "a whole number");
  return integer_or(key, 0);
}

Result<const nlohmann::json*> JsonMembers::array(std::string_view key) const {
  if (find(key) == nullptr) return missing(key, "an array");
  return array_or_empty(key);
}

Result<const nlohmann::json*> JsonMembers::object(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return missing(key, "an object");
  if (!v->is_object()) return wrong_type(key, *v, "an object");
  return v;
}

std::string text_member(const nlohmann::json& value, std::string_view key, std::string_view fallback) {
  const nlohmann::json* v = member(value, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string(fallback);
}

bool flag_member(const nlohmann::json& value, std::string_view key, bool fallback) {
  const nlohmann::json* v = member(value, key);
  return v != nullptr && v->is_boolean() ? v->get<bool>() : fallback;
}

}  // namespace crmsync::salesforce
