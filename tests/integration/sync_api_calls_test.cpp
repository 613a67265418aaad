// The API budget of an increment (issue #4): no more calls than one query per object plus one page
// per 2,000 changes, counted by the emulator's own daily counter (GET /emulator/apiUsage), with
// the describes (schema drift) and getDeleted passes (hard deletes) still made.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sync/sync.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;
using testing::ids;
using testing::login;
using testing::report_for;

std::int64_t api_used(salesforce::Client& admin) {
  auto usage = admin.get_json("/emulator/apiUsage");  // not an API call itself
  if (!usage) throw std::runtime_error(usage.error().to_string());
  return (*usage)["used"].get<std::int64_t>();
}

// What `crmsync status` shows as API calls, summed over the objects (crmsync_sync_state.api_calls).
std::int64_t status_calls(store::Store& st) {
  auto states = st.all_states();
  if (!states) throw std::runtime_error(states.error().to_string());
  std::int64_t sum = 0;
  for (const auto& s : *states) sum += s.api_calls;
  return sum;
}

TEST(SyncApiCallsTest, IncrementSpendsAtMostOneQueryPerObjectPlusOnePagePer2000Changes) {
  RunningEmulator emu(25);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  cfg.groups.engage = true;  // every catalog object
  const auto objects = cfg.enabled_objects();
  auto client = login(cfg);
  auto admin = testing::admin_login(emu->base_url());
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  sync::SyncOptions options;
  options.deleted_ids = sync::salesforce_get_deleted();  // as crmsync sync does
  const std::int64_t before_first = api_used(*admin);
  auto first = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  // The composite describes are charged to the objects: status adds up to what the org counted.
  EXPECT_GT(first->composite_api_calls, 0);
  EXPECT_EQ(status_calls(**st), api_used(*admin) - before_first);

  int changes = 0;
  for (const auto& id : ids(*admin, "SELECT Id FROM Opportunity ORDER BY Id LIMIT 40")) {
    ASSERT_TRUE(admin->update("Opportunity", id, {{"Amount", 777.0}}).ok());
    ++changes;
  }
  auto contacts = ids(*admin, "SELECT Id FROM Contact ORDER BY Id LIMIT 2");
  for (const auto& id : contacts) ASSERT_TRUE(admin->remove("Contact", id).ok());
  auto items = ids(*admin, "SELECT Id FROM OpportunityLineItem ORDER BY Id LIMIT 1");
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(admin->remove("OpportunityLineItem", items[0]).ok());  // hard delete: only getDeleted sees it
  changes += 3;
  testing::wait_past_the_next_whole_second();  // every change inside the increment's window

  const std::int64_t before = api_used(*admin);
  auto second = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const std::int64_t spent = api_used(*admin) - before;
  const auto bound = static_cast<std::int64_t>(objects.size()) + (changes + 1999) / 2000;
  EXPECT_LE(spent, bound) << "objects " << objects.size() << ", changes " << changes;
  EXPECT_EQ(second->api_calls, spent);  // what crmsync reports is what Salesforce counted
  EXPECT_GT(second->composite_api_calls, 0);
  EXPECT_EQ(status_calls(**st), spent) << "per-object API calls, composite shares included";
  std::int64_t objects_sum = 0;
  for (const auto& o : second->objects) objects_sum += o.api_calls;
  EXPECT_EQ(objects_sum, spent);

  for (const auto& o : second->objects) {
    if (o.object == "CurrencyType") continue;  // a single-currency org has none (skipped)
    EXPECT_EQ(o.outcome, sync::ObjectReport::Outcome::kSynced) << o.object << ": " << o.message;
    EXPECT_FALSE(o.reconciled) << o.object;
  }
  EXPECT_GE(report_for(*second, "Opportunity").records, 40);
  EXPECT_EQ(report_for(*second, "OpportunityLineItem").hard_deleted, 1);
  EXPECT_GE(report_for(*second, "Contact").deleted, 2);
  // (Not expect_store_equals_org: the hard-deleted line item stays in the store, marked deleted.)
  auto stored = testing::store_rows(**st, "Opportunity");
  EXPECT_EQ(stored.size(), testing::admin_rows(*admin, cfg, "Opportunity").size());

  // Without composite requests the same increment costs describe + query + getDeleted per object.
  options.composite = false;
  const std::int64_t before_plain = api_used(*admin);
  auto third = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  EXPECT_GE(api_used(*admin) - before_plain, 3 * static_cast<std::int64_t>(objects.size()));
}

}  // namespace
}  // namespace crmsync
