// load_org(): the default org, or the default org changed by the org file.
#include "emulator/org/org.h"
#include "emulator/routes/routes.h"

namespace crmsync::emulator {

Status load_org(EmuState& s) {
  s.passwords = {{"admin@crmsync.test", "admin-pass"}, {"integration@crmsync.test", "integration-pass"}};
  if (s.options.org_file.empty()) {
    if (!s.db) s.db = generate_org(s.options.org);
    return ok_status();
  }
  auto file = read_org_file(s.options.org_file);
  if (!file) return file.error();
  OrgOptions org = s.options.org;
  if (file->seed) org.seed = *file->seed;
  if (file->scale) org.scale = *file->scale;
  s.db = generate_org(org);
  OrgFileExtras extras;
  CRMSYNC_TRY(apply_org_file(*file, *s.db, extras));
  for (auto& [user, password] : extras.passwords) s.passwords[user] = password;
  s.access.set_record_types(std::move(extras.record_types));
  s.access.set_sharing_rules(std::move(extras.sharing_rules));
  s.validation_rules = std::move(extras.validation_rules);
  return ok_status();
}

}  // namespace crmsync::emulator
