// The integration user not seeing every record (a private org-wide default, its role, no View All
// Records) is a warning in the sync's report, text, --quiet and --json, with the permission that
// fixes it: the same finding `crmsync check` makes, computed by check's own code.
#include <gtest/gtest.h>

#include <set>

#include "sync_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

const nlohmann::json* object_in(const nlohmann::json& report, const std::string& object) {
  for (const auto& o : report["objects"]) {
    if (o["object"] == object) return &o;
  }
  return nullptr;
}

TEST(SyncVisibilityTest, RecordsTheRoleHidesAreAWarningInTheReportNamingViewAllRecordsUntilItIsGranted) {
  TempDir dir;
  const std::string org = dir.file("org.toml");
  testing::write_file(org, "[[permission_sets]]\nname = \"crmsync_Integration\"\n"
                           "objects = { Opportunity = { view_all = false } }\n");
  emulator::EmulatorOptions o = RunningEmulator::options_for(20, 7);
  o.org_file = org;
  RunningEmulator emu(o);
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db"),
                                                  "[sync]\nsettle_seconds = 0\n" +
                                                      testing::only_toml({"Account", "Opportunity"})));
  // The figures, from the org: every live opportunity (as the admin), and those the integration
  // user's queries return.
  auto admin = testing::admin_login(emu->base_url());
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  auto integration = testing::login(*config);
  const std::int64_t total = admin->query("SELECT COUNT() FROM Opportunity", false)->total_size;
  const std::int64_t visible = integration->query("SELECT COUNT() FROM Opportunity", false)->total_size;
  ASSERT_LT(visible, total) << "the org must hide some opportunities from the integration user's role";

  auto first = run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(first.exit_code, 0) << first.output;  // a warning, not a failure
  const std::string db = dir.file("out.db");
  const std::string live_opportunities = "SELECT COUNT(*) FROM \"Opportunity\" WHERE \"IsDeleted\" = 0";
  EXPECT_EQ(testing::int_on_disk(db, live_opportunities), visible) << "what the user does not see is not synced";
  auto report = nlohmann::json::parse(first.output);
  const nlohmann::json* opp = object_in(report, "Opportunity");
  ASSERT_NE(opp, nullptr);
  const nlohmann::json& v = (*opp)["visibility"];
  ASSERT_TRUE(v.is_object()) << first.output;
  EXPECT_EQ(v["code"], "VIEW_ALL_RECORDS_MISSING");
  const std::string message = v["message"];
  EXPECT_TRUE(contains(message, "integration@crmsync.test lacks View All Records on Opportunity (and View All Data): "
                                "it sees " + std::to_string(visible) + " of the org's " + std::to_string(total) +
                                    " Opportunity records (" + std::to_string(total - visible) + " hidden by the role "
                                    "hierarchy and sharing rules)"))
      << message;
  EXPECT_EQ(v["fix"], "grant View All Records on Opportunity in permission set \"crmsync Integration\", or in the "
                      "profile \"Minimum Access - API Only Integrations\" (or turn on \"View All Data\")");
  EXPECT_TRUE(object_in(report, "Account")->at("visibility").is_null()) << "View All Records on Account";
  const std::int64_t checked_calls = report["visibility_api_calls"];
  EXPECT_GT(checked_calls, 0);
  std::int64_t objects_calls = 0;
  for (const auto& obj : report["objects"]) objects_calls += obj["api_calls"].get<std::int64_t>();
  EXPECT_EQ(report["api_calls"].get<std::int64_t>(), objects_calls) << "shared among the objects, as composite calls";
  std::int64_t status_calls = 0;
  const auto status = nlohmann::json::parse(run_crmsync("status --json --config " + cfg).output);
  for (const auto& obj : status["objects"]) {
    status_calls += obj["api_calls"].get<std::int64_t>();
  }
  EXPECT_EQ(status_calls, objects_calls) << "crmsync status adds up to the same";

  // `crmsync check` says the same, word for word: one computation.
  auto check = run_crmsync("check --json --config " + cfg);
  bool same = false;
  const auto checked = nlohmann::json::parse(check.output.substr(check.output.find('{')));  // named: see ids()
  for (const auto& f : checked["findings"]) {
    same = same || (f["code"] == "VIEW_ALL_RECORDS_MISSING" && f["object"] == "Opportunity" &&
                    f["message"] == message && f["fix"] == v["fix"]);
  }
  EXPECT_TRUE(same) << check.output;

  // The next run (within the hour) repeats the answer kept in the store without asking again; --quiet
  // prints it, as it prints every warning.
  auto quiet = run_crmsync("sync --quiet --config " + cfg);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_TRUE(contains(quiet.output, "warning: Opportunity: " + message + " Fix: grant View All Records on Opportunity"))
      << quiet.output;
  auto again = nlohmann::json::parse(run_crmsync("sync --json --config " + cfg).output);
  EXPECT_EQ(again["visibility_api_calls"], 0);
  EXPECT_EQ((*object_in(again, "Opportunity"))["visibility"]["code"], "VIEW_ALL_RECORDS_MISSING");

  // The admin grants View All Records; a full refresh of Opportunity asks again and the warning goes.
  auto set = testing::ids(*admin, "SELECT Id FROM ObjectPermissions WHERE SobjectType = 'Opportunity' AND ParentId = '" +
                                      testing::integration_permission_set(*admin) + "'");
  ASSERT_EQ(set.size(), 1u);
  ASSERT_TRUE(admin->update("ObjectPermissions", set[0], {{"PermissionsViewAllRecords", true}}));
  auto fixed = nlohmann::json::parse(run_crmsync("sync --json --full-refresh Opportunity --config " + cfg).output);
  EXPECT_GT(fixed["visibility_api_calls"].get<std::int64_t>(), 0);
  EXPECT_TRUE((*object_in(fixed, "Opportunity"))["visibility"].is_null()) << fixed.dump(2);
  EXPECT_EQ(testing::int_on_disk(db, live_opportunities), total) << "the records it could not see are synced now";
}


// A criteria-based sharing rule shares some of the records the role hides (the CEO's closed-won
// deals) with the integration user's role: the sync stores them and the warning counts only the
// rest as hidden.
TEST(SyncVisibilityTest, RecordsASharingRuleSharesAreSyncedAndNoLongerCountedAsHidden) {
  TempDir dir;
  const std::string org = dir.file("org.toml");
  testing::write_file(org, "[[permission_sets]]\nname = \"crmsync_Integration\"\n"
                           "objects = { Opportunity = { view_all = false } }\n"
                           "[[sharing_rules]]\nobject = \"Opportunity\"\ncriteria = \"StageName = 'Closed Won'\"\n"
                           "shared_with = \"Role:Revenue Operations\"\naccess = \"Read\"\n");
  emulator::EmulatorOptions o = RunningEmulator::options_for(20, 7);
  o.org_file = org;
  RunningEmulator emu(o);
  const std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), dir.file("out.db"),
                                                  "[sync]\nsettle_seconds = 0\n" + testing::only_toml({"Opportunity"})));
  // From the org, as the admin: the integration user's role (Revenue Operations, below the CEO and
  // above everyone else) sees every deal the CEO does not own, the CEO's deals with someone below it
  // on their team, and what the rule adds: the CEO's closed-won deals.
  auto admin = testing::admin_login(emu->base_url());
  const std::string ceo = testing::ids(*admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'").at(0);
  const std::int64_t total = admin->query("SELECT COUNT() FROM Opportunity", false)->total_size;
  const auto ceos = testing::ids(*admin, "SELECT Id FROM Opportunity WHERE OwnerId = '" + ceo + "'");
  const auto won = testing::ids(*admin, "SELECT Id FROM Opportunity WHERE OwnerId = '" + ceo + "' AND StageName = 'Closed Won'");
  std::set<std::string> seen(won.begin(), won.end());
  for (const auto& t : testing::soql_records(*admin, "SELECT OpportunityId FROM OpportunityTeamMember WHERE UserId != '" + ceo + "'")) {
    seen.insert(t["OpportunityId"].get<std::string>());
  }
  std::int64_t hidden = 0;
  for (const auto& id : ceos) {
    if (!seen.count(id)) ++hidden;
  }
  ASSERT_GT(static_cast<std::int64_t>(won.size()), 0);
  ASSERT_GT(hidden, 0) << "the rule must share some of the hidden deals, not all";
  const std::int64_t visible = total - hidden;

  auto run = run_crmsync("sync --json --config " + cfg);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(testing::int_on_disk(dir.file("out.db"), "SELECT COUNT(*) FROM \"Opportunity\" WHERE \"IsDeleted\" = 0"),
            visible);
  EXPECT_EQ(testing::int_on_disk(dir.file("out.db"), "SELECT COUNT(*) FROM \"Opportunity\" WHERE \"StageName\" = "
                                                     "'Closed Won' AND \"OwnerId\" = '" + ceo + "' AND \"IsDeleted\" = 0"),
            static_cast<std::int64_t>(won.size()))
      << "the deals the rule shares are synced";
  const auto report = nlohmann::json::parse(run.output);
  const nlohmann::json& v = (*object_in(report, "Opportunity"))["visibility"];
  ASSERT_TRUE(v.is_object()) << run.output;
  EXPECT_TRUE(contains(v["message"], "it sees " + std::to_string(visible) + " of the org's " + std::to_string(total) +
                                          " Opportunity records (" + std::to_string(hidden) + " hidden"))
      << v.dump();
}

}  // namespace
}  // namespace crmsync
