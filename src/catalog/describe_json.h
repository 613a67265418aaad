// Tolerant readers for describe JSON (the catalog module's own business): a missing, null or
// wrongly typed key reads as empty, so a surprising describe gives an Error, never an exception.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace crmsync::catalog::detail {

inline std::string text_of(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

inline bool flag_of(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

// nullopt when absent, null or not a number.
inline std::optional<long long> number_of(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->is_number_float() ? static_cast<long long>(it->get<double>()) : it->get<long long>();
}

inline std::vector<std::string> texts_of(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.is_object()) return out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& e : *it) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace crmsync::catalog::detail
