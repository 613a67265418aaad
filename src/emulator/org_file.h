// The emulator's org file (`crmsync emulator --org FILE`, EmulatorOptions::org_file): a JSON or
// TOML description of how an org differs from the default one (users, roles, profiles, permission
// sets and their object, field and system permissions, assignments, licenses, org-wide defaults,
// record types and which profiles may use them, custom fields, multi-currency) and its data size. Format and
// examples: docs/emulator-org-file.md. Internal to the emulator.
//
//   auto file = read_org_file("org.toml");            // parse; seed and scale come out first
//   auto db = generate_org({.seed = file->seed.value_or(42), .scale = ...});
//   CRMSYNC_TRY(apply_org_file(*file, *db, extras));  // then the changes, written as setup rows
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "emulator/access.h"
#include "emulator/table.h"

namespace crmsync::emulator {

struct OrgFile {
  std::string path;
  nlohmann::json doc;  // TOML is converted to the same JSON shape
  std::optional<std::uint64_t> seed;
  std::optional<int> scale;
};

// What applying the file produces besides setup rows.
struct OrgFileExtras {
  std::map<std::string, std::string> passwords;  // lower-case username -> password
  ProfileRecordTypes record_types;               // profile Id -> object -> record types it may use
};

// Errors (ErrorKind::kConfig, code ORG_FILE_INVALID) name the file, the key and the fix.
Result<OrgFile> read_org_file(const std::string& path);
Result<OrgFile> parse_org_file(const std::string& path, const std::string& text);  // by the path's extension
Status apply_org_file(const OrgFile& file, Database& db, OrgFileExtras& extras);
// [multi_currency] and users' `currency` (org_file_currency.cpp); called by apply_org_file last.
Status apply_multi_currency(const OrgFile& file, Database& db);

}  // namespace crmsync::emulator
