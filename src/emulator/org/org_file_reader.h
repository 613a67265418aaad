// Reading the org file's sections with errors that name the file, the key and the fix: the base
// of the org file's appliers (org_file.cpp, org_file_sharing.cpp). Internal to org/.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "emulator/org/org.h"

namespace crmsync::emulator {

// "a, b, c": the allowed keys or values an error lists.
inline std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

class OrgFileReader {
 protected:
  using json = nlohmann::json;

  explicit OrgFileReader(const OrgFile& file) : file_(file) {}

  Error fail(const std::string& key, const std::string& message) const {
    return Error(ErrorKind::kConfig, "ORG_FILE_INVALID", file_.path + ": " + key + ": " + message);
  }

  // Calls fn(entry, "section[i]") for each table of the [[section]] list.
  template <typename Fn>
  Status each(const char* section, Fn fn) {
    if (!file_.doc.contains(section)) return ok_status();
    const json& list = file_.doc[section];
    if (!list.is_array()) {
      return fail(section, std::string("must be a list of tables (TOML [[") + section + "]], JSON an array)");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string key = std::string(section) + "[" + std::to_string(i) + "]";
      if (!list[i].is_object()) return fail(key, "must be a table (an object)");
      CRMSYNC_TRY(fn(list[i], key));
    }
    return ok_status();
  }

  // Checks that `entry` only has `allowed` keys.
  Status only_keys(const json& entry, const std::string& key, const std::vector<std::string>& allowed) const {
    for (const auto& [k, _] : entry.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        return fail(key + "." + k, "unknown key; the keys here are " + join(allowed));
      }
    }
    return ok_status();
  }

  Result<std::string> string_at(const json& entry, const std::string& key, const char* name, bool required,
                                const std::string& fallback = "") const {
    if (!entry.contains(name)) {
      if (required) return fail(key + "." + name, "is missing; add it");
      return fallback;
    }
    if (!entry[name].is_string() || entry[name].get<std::string>().empty()) {
      return fail(key + "." + name, "must be a non-empty string");
    }
    return entry[name].get<std::string>();
  }

  const OrgFile& file_;
};

}  // namespace crmsync::emulator
