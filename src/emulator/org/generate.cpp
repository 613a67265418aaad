// generate_org(): the schema tables, then users and setup rows, then the sales data.
#include "emulator/org/generate.h"

#include <algorithm>

#include "emulator/org/schema.h"

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

// docs/catalog.md: CampaignMember and OpportunityLineItem rows are often hard-deleted. About one
// in twenty (and the first row) is purged, dated in the 10 days before `anchor` so getDeleted's window shows it.
void purge_recent_history(OrgContext& ctx, EpochMs anchor) {
  for (const char* name : {"CampaignMember", "OpportunityLineItem"}) {
    Table& t = *ctx.db.find(name);
    const auto deleted = t.field_index("IsDeleted");
    const auto modstamp = t.field_index("SystemModstamp");
    for (std::size_t r = 0; r < t.slot_count(); ++r) {
      // Row 0 always, so that even a small org has a deletion to find.
      if (t.purged(r) || (r != 0 && !ctx.rng.chance(5))) continue;
      Row& row = t.mutable_row(r);
      if (deleted) row[*deleted] = true;
      if (modstamp) row[*modstamp] = DateTime{anchor - ctx.rng.range(60, 10 * 86400) * 1000};
      t.purge(r);
    }
  }
}

std::unique_ptr<Database> generate_org(const OrgOptions& options) {
  auto db = std::make_unique<Database>();
  for (const auto& spec : org_schema()) {
    if (spec.name == "CurrencyType") continue;  // a multi-currency org's only (org_file_currency.cpp)
    std::vector<FieldDef> fields = spec.fields;
    for (auto& f : fields) f.field_security = true;
    db->add_table(std::make_unique<Table>(spec.name, spec.key_prefix, std::move(fields)));
  }
  OrgContext ctx{.db = *db, .rng = Rng(options.seed * 0x2545F4914F6CDD1Dull + 7), .scale = std::max(0, options.scale)};
  generate_users_and_setup(ctx);
  generate_sales_data(ctx);
  purge_recent_history(ctx, options.history_anchor_ms != 0 ? options.history_anchor_ms : now_ms());
  generate_service_data(ctx);
  return db;
}

}  // namespace crmsync::emulator
