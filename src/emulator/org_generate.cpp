// generate_org(): the schema tables, then users and setup rows, then the sales data.
#include "emulator/org_generate.h"

#include <algorithm>

#include "emulator/org_schema.h"

namespace crmsync::emulator {

void OrgContext::stamp(RowBuilder& b, EpochMs created, const std::string& by) {
  EpochMs modified = created + (kOrgEpochEnd - 1 - created) / 100 * rng.range(0, 40) ;
  modified = std::min(modified, kOrgEpochEnd - 1);
  EpochMs modstamp = std::min(modified + rng.range(0, 59999), kOrgEpochEnd - 1);
  if (b.has("IsDeleted")) b.set("IsDeleted", false);
  if (b.has("CreatedDate")) b.set("CreatedDate", DateTime{created});
  if (b.has("CreatedById")) b.set("CreatedById", by);
  if (b.has("LastModifiedDate")) b.set("LastModifiedDate", DateTime{modified});
  if (b.has("LastModifiedById")) b.set("LastModifiedById", by);
  b.set("SystemModstamp", DateTime{modstamp});
}

EpochMs OrgContext::time_after(EpochMs t) {
  if (t >= kOrgEpochEnd - 1) return kOrgEpochEnd - 1;
  // Whole seconds, as most Salesforce timestamps are.
  EpochMs span = (kOrgEpochEnd - 1 - t) / 1000;
  return t + rng.range(0, span) * 1000;
}

std::unique_ptr<Database> generate_org(const OrgOptions& options) {
  auto db = std::make_unique<Database>();
  for (const auto& spec : org_schema()) {
    db->add_table(std::make_unique<Table>(spec.name, spec.key_prefix, spec.fields));
  }
  OrgContext ctx{.db = *db, .rng = Rng(options.seed * 0x2545F4914F6CDD1Dull + 7), .scale = std::max(0, options.scale)};
  generate_users_and_setup(ctx);
  generate_sales_data(ctx);
  return db;
}

}  // namespace crmsync::emulator
