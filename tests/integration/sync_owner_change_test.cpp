// An opportunity's owner change reaches the store with the next increment together with what it
// did to the deal's splits (the emulator hands the previous owner's splits to the new owner, as
// Salesforce does): no full load, no split left with the previous owner.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "sync/sync.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;

TEST(SyncOwnerChangeTest, TheMovedSplitsArriveWithTheNextIncrement) {
  RunningEmulator emu(5);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Opportunity", "OpportunitySplit"});
  auto client = testing::login(cfg);
  auto admin = testing::admin_login(emu->base_url());
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  auto first = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();

  // An open deal whose owner holds a split, and an active user who holds none of its splits.
  std::map<std::string, std::string> open_owner;
  for (const auto& o : testing::soql_records(*admin, "SELECT Id, OwnerId FROM Opportunity WHERE IsClosed = false")) {
    open_owner[o["Id"]] = o["OwnerId"];
  }
  const auto splits = testing::soql_records(*admin, "SELECT Id, OpportunityId, SplitOwnerId FROM OpportunitySplit ORDER BY Id");
  std::string deal_id, previous;
  for (const auto& sp : splits) {
    auto it = open_owner.find(sp["OpportunityId"]);
    if (it != open_owner.end() && it->second == sp["SplitOwnerId"]) {
      deal_id = it->first;
      previous = it->second;
      break;
    }
  }
  ASSERT_FALSE(deal_id.empty());
  std::vector<std::string> held;
  std::set<std::string> holders;
  for (const auto& sp : splits) {
    if (sp["OpportunityId"] != deal_id) continue;
    holders.insert(sp["SplitOwnerId"].get<std::string>());
    if (sp["SplitOwnerId"] == previous) held.push_back(sp["Id"]);
  }
  std::string next;
  for (const auto& id : testing::ids(*admin, "SELECT Id FROM User WHERE IsActive = true ORDER BY Id")) {
    if (!holders.count(id)) {
      next = id;
      break;
    }
  }
  ASSERT_FALSE(next.empty());
  ASSERT_TRUE(admin->update("Opportunity", deal_id, {{"OwnerId", next}}).ok());
  testing::wait_past_the_next_whole_second();

  auto second = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_FALSE(testing::report_for(*second, "OpportunitySplit").full);
  EXPECT_EQ(testing::report_for(*second, "OpportunitySplit").records, static_cast<std::int64_t>(held.size()));
  const auto stored = testing::store_rows(**st, "OpportunitySplit");
  for (const auto& id : held) {
    ASSERT_TRUE(stored.count(id)) << id;
    EXPECT_EQ(stored.at(id).at("SplitOwnerId"), store::Value(next)) << "split " << id << " in the store";
  }
  testing::expect_store_equals_org(**st, *admin, cfg);
}

}  // namespace
}  // namespace crmsync
