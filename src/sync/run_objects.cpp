// objects_for_run: which objects one run syncs (crmsync sync --object / --full-refresh).
#include <algorithm>

#include "common/text.h"
#include "sync/sync.h"

namespace crmsync::sync {
namespace {

// Every object name the configuration could sync: the catalog's, the boards' and those named
// beyond them.
std::vector<std::string> known_names(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& o : catalog::objects()) names.push_back(o.name);
  for (const auto& o : catalog::board_objects()) names.push_back(o.name);
  for (const auto& [name, unused] : config.objects) {
    if (catalog::find_object(name) == nullptr) names.push_back(name);
  }
  return names;
}

// Why a known object is not among the enabled ones, with the setting that switches it on.
std::string why_not_enabled(const config::Config& config, const std::string& name) {
  for (const auto& [configured, oc] : config.objects) {
    if (iequals(configured, name) && !oc.enabled) {
      return "[objects." + configured + "] enabled = false; set it to true to sync " + name;
    }
  }
  const catalog::CatalogObject* object = catalog::find_object(name);
  const std::string group = object != nullptr ? catalog::to_string(object->group) : "";
  return "it belongs to the " + group + " group, which is switched off; set [groups] " + group + " = true to sync it";
}

Result<std::string> resolve(const config::Config& config, const std::vector<std::string>& enabled,
                            const std::string& flag, const std::string& name) {
  for (const auto& e : enabled) {
    if (iequals(e, name)) return e;
  }
  const std::vector<std::string> known = known_names(config);
  const bool is_known =
      std::any_of(known.begin(), known.end(), [&](const std::string& k) { return iequals(k, name); });
  if (is_known) {
    return Error(ErrorKind::kConfig, "OBJECT_NOT_ENABLED",
                 flag + " " + name + ": the configuration does not sync " + name + ": " +
                     why_not_enabled(config, name) + ".");
  }
  std::string close = closest_match(name, known);
  return Error(ErrorKind::kConfig, "UNKNOWN_OBJECT",
               flag + " " + name + ": no object of that name is in crmsync's catalog or in the configuration" +
                   (close.empty() ? "; an object beyond the catalog is synced once the configuration names it "
                                    "([objects." + name + "]), and `crmsync catalog --org` lists what the org offers."
                                  : "; did you mean " + close + "?"));
}

}  // namespace

Result<std::vector<std::string>> objects_for_run(const config::Config& config, const std::vector<std::string>& only,
                                                 const std::vector<std::string>& full_refresh) {
  const std::vector<std::string> enabled = config.synced_objects();
  std::vector<std::string> chosen;
  for (const auto& name : only) {
    auto resolved = resolve(config, enabled, "--object", name);
    if (!resolved) return resolved.error();
    chosen.push_back(*resolved);
  }
  for (const auto& name : full_refresh) {
    auto resolved = resolve(config, enabled, "--full-refresh", name);
    if (!resolved) return resolved.error();
    if (!only.empty() && std::find(chosen.begin(), chosen.end(), *resolved) == chosen.end()) {
      std::string listed;
      for (const auto& c : chosen) listed += (listed.empty() ? "" : ", ") + c;
      return Error(ErrorKind::kConfig, "OBJECT_NOT_IN_RUN",
                   "--full-refresh " + name + ": this run syncs only " + listed + " (--object); add --object " +
                       *resolved + ", or leave --object out.");
    }
  }
  if (only.empty()) return enabled;
  std::vector<std::string> out;  // the configuration's order, each once
  for (const auto& e : enabled) {
    if (std::find(chosen.begin(), chosen.end(), e) != chosen.end()) out.push_back(e);
  }
  return out;
}

}  // namespace crmsync::sync
