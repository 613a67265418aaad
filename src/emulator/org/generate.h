// Internal to org/: the shared state of one generate_org() run, its per-group steps, and the org
// file's multi-currency step.
#pragma once

#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/org/org.h"
#include "emulator/org/rows.h"

namespace crmsync::emulator {

// Generated timestamps fall in the two years ending here.
inline constexpr EpochMs kOrgEpochStart = 1704067200000;  // 2024-01-01T00:00:00Z
inline constexpr EpochMs kOrgEpochEnd = 1767225600000;    // 2026-01-01T00:00:00Z

struct OrgContext {
  Database& db;
  Rng rng;
  int scale;
  std::string admin_id;
  std::string integration_id;
  std::vector<std::string> user_ids;   // every user, admin and integration first
  std::vector<std::string> sales_ids;  // users who own records (not the integration user)
  // The permission sets of the System Administrator and Standard User profiles, and crmsync_Integration.
  std::vector<std::string> profile_sets;
  std::string integration_set;

  // Sets IsDeleted (when present), CreatedDate/ById, LastModifiedDate/ById, SystemModstamp with
  // created <= last modified <= modstamp < kOrgEpochEnd.
  void stamp(RowBuilder& b, EpochMs created, const std::string& by);
  EpochMs time_after(EpochMs t);  // uniform in [t, kOrgEpochEnd)
};

void generate_users_and_setup(OrgContext& ctx);
void generate_sales_data(OrgContext& ctx);
// Object and field permissions on `objects` for the profiles and crmsync_Integration: the
// administrator edits and views all, the standard user edits, the integration set reads and
// views all (and edits activities).
void grant_objects(OrgContext& ctx, const std::vector<std::string>& objects);
// Case: its permissions and a few cases per account. Run last, so that the rest of the org's data
// stays as it was before the org had cases (generate_service.cpp).
void generate_service_data(OrgContext& ctx);

// [multi_currency] and users' `currency` (org_file_currency.cpp); called by apply_org_file last.
Status apply_multi_currency(const OrgFile& file, Database& db);
// [[groups]], [[sharing_rules]], [[shares]] (org_file_sharing.cpp); called by apply_org_file after users.
Status apply_sharing(const OrgFile& file, Database& db, OrgFileExtras& extras);

}  // namespace crmsync::emulator
