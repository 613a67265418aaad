// The quota guard against the org's own figures: Sforce-Limit-Info's daily usage reaching
// [sync] quota_daily_share pauses every object (exit code 3) with what was read committed; once
// the quota recovers, the next run resumes from the watermarks and ends equal to the org.
#include <gtest/gtest.h>

#include "sync_support.h"

namespace crmsync {
namespace {

TEST(SyncQuotaTest, DailyShareReachedPausesThenTheNextRunResumes) {
  emulator::EmulatorOptions o = testing::RunningEmulator::options_for(10, 3);
  o.port = 0;  // a free one (the org restarts as another Emulator)
  o.daily_api_max = 1000;
  o.api_used = 797;  // 80% is 800: a few calls into the run the guard trips (describes travel in one composite call)
  emulator::Emulator emu(o);
  ASSERT_TRUE(emu.start().ok());
  testing::TempDir dir;
  auto cfg = testing::sync_config(emu.base_url(), dir.file("crmsync.db"));
  cfg.sync.quota_daily_share = 0.80;
  cfg.groups.deals = false;
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  sync::SyncOptions small_pages;
  small_pages.batch_size = 200;
  auto paused = sync::run_sync(cfg, *client, **st, small_pages);
  ASSERT_TRUE(paused.ok()) << paused.error().to_string();
  EXPECT_EQ(sync::exit_code(*paused), 3);
  int paused_objects = 0;
  for (const auto& r : paused->objects) {
    if (r.outcome != sync::ObjectReport::Outcome::kPaused) continue;
    ++paused_objects;
    EXPECT_NE(r.message.find("paused until quota recovers"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("of its 1000 daily API requests"), std::string::npos) << r.message;
  }
  EXPECT_GT(paused_objects, 0);
  EXPECT_LT(paused->api_calls, 30);  // stopped, not run to the end

  // A new day: the org's counter is back to 0 (the same seed and scale give the same org).
  client.reset();  // close its keep-alive connection, so the server stops at once
  emu.stop();
  o.api_used = 0;
  emulator::Emulator next_day(o);
  ASSERT_TRUE(next_day.start().ok());
  auto cfg2 = testing::sync_config(next_day.base_url(), dir.file("crmsync.db"));
  cfg2.groups.deals = false;
  auto client2 = testing::login(cfg2);
  auto resumed = sync::run_sync(cfg2, *client2, **st, small_pages);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(sync::exit_code(*resumed), 0);
  auto admin2 = testing::admin_login(next_day.base_url());
  testing::expect_store_equals_org(**st, *admin2, cfg2);
}

// Another integration uses the org's quota up while the sync runs: Salesforce refuses the next
// calls with REQUEST_LIMIT_EXCEEDED before the guard could see it coming. The objects pause (exit
// 3) with the guard's words and the org's figures, not fail; the next day's run resumes.
TEST(SyncQuotaTest, OrgRefusingCallsMidRunPausesWithTheFigures) {
  emulator::EmulatorOptions o = testing::RunningEmulator::options_for(10, 3);
  o.port = 0;  // a free one (the org restarts as another Emulator)
  o.daily_api_max = 5000;
  emulator::Emulator emu(o);
  ASSERT_TRUE(emu.start().ok());
  testing::TempDir dir;
  auto cfg = testing::sync_config(emu.base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account", "Contact"});  // in this order, one worker
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok());
  sync::SyncOptions options = testing::one_worker_page_by_page();
  options.on_page = [&](const sync::Progress& p) {
    if (p.object == "Account") emu.set_api_used(5000);  // used up elsewhere, once Account is read
  };
  auto paused = sync::run_sync(cfg, *client, **st, options);
  ASSERT_TRUE(paused.ok()) << paused.error().to_string();
  EXPECT_EQ(sync::exit_code(*paused), 3);
  const auto& contact = testing::report_for(*paused, "Contact");
  ASSERT_EQ(contact.outcome, sync::ObjectReport::Outcome::kPaused) << contact.message;
  EXPECT_NE(contact.message.find("paused until quota recovers"), std::string::npos) << contact.message;
  EXPECT_NE(contact.message.find("REQUEST_LIMIT_EXCEEDED"), std::string::npos) << contact.message;
  EXPECT_NE(contact.message.find("of its 5000 daily API requests"), std::string::npos) << contact.message;
  EXPECT_EQ(testing::state_of(**st, "Contact").last_error, contact.message);
  EXPECT_EQ(testing::report_for(*paused, "Account").outcome, sync::ObjectReport::Outcome::kSynced);

  emu.set_api_used(0);  // a new day, a new process
  options.on_page = nullptr;
  auto next_day = testing::login(cfg);
  auto resumed = sync::run_sync(cfg, *next_day, **st, options);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(sync::exit_code(*resumed), 0);
  auto admin = testing::admin_login(emu.base_url());
  testing::expect_store_equals_org(**st, *admin, cfg);
}

}  // namespace
}  // namespace crmsync
