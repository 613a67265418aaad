// Sharing beyond the role hierarchy over loopback: Rita, an EMEA rep, sees a colleague's
// opportunity only through one reason at a time (an owner-based rule, a criteria-based rule, the
// opportunity team, a manual OpportunityShare) and may update it only as far as that reason's
// access level allows, on every route (query, retrieve, sObject update, collections).
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <chrono>
#include <thread>

#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::OrgFromFile;

const std::string kData = "/services/data/v60.0";

constexpr const char* kOrg = R"(
[[roles]]
name = "Partner Reps"
parent = "Sales Manager, Americas"

[[groups]]
name = "EMEA Desk"
members = ["Role:Sales Rep, EMEA"]

[[sharing_rules]]
object = "Opportunity"
name = "Partner deals to EMEA reps"
owned_by = "Role:Partner Reps"
shared_with = "Role:Sales Rep, EMEA"
access = "Read"

[[sharing_rules]]
object = "Opportunity"
name = "Deals flagged for the EMEA desk"
criteria = "NextStep = 'EMEA review'"
shared_with = "Group:EMEA Desk"
access = "Edit"

[[users]]
username = "rita@crmsync.test"
password = "rita-pass"
last_name = "Rep"
profile = "Standard User"
role = "Sales Rep, EMEA"

[[users]]
username = "colin@crmsync.test"
password = "colin-pass"
last_name = "Colleague"
profile = "Standard User"
role = "Sales Rep, Americas"

[[users]]
username = "pat@crmsync.test"
password = "pat-pass"
last_name = "Partner"
profile = "Standard User"
role = "Partner Reps"
)";

class EmulatorSharingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    org_ = new OrgFromFile(kOrg, 20);
    admin_ = org_->admin();
    rita_ = org_->login("rita@crmsync.test", "rita-pass");
    colin_ = org_->login("colin@crmsync.test", "colin-pass");
    rita_id_ = user("rita@crmsync.test");
    colin_id_ = user("colin@crmsync.test");
    pat_id_ = user("pat@crmsync.test");
    for (const auto& r : org_->records(admin_, "SELECT Id FROM Opportunity WHERE IsClosed = false ORDER BY Id LIMIT 5")) {
      deals_.push_back(r["Id"]);
    }
    ASSERT_EQ(deals_.size(), 5u);
    for (std::size_t i = 0; i < 4; ++i) give(deals_[i], colin_id_);
    give(deals_[4], pat_id_);
  }
  static void TearDownTestSuite() { delete org_; }

  static std::string user(const std::string& username) {
    return org_->id_of(admin_, "SELECT Id FROM User WHERE Username = '" + username + "'");
  }
  static void give(const std::string& deal, const std::string& owner) {
    auto r = org_->patch(admin_, kData + "/sobjects/Opportunity/" + deal, {{"OwnerId", owner}});
    if (!r || r->status != 204) throw std::runtime_error("could not give " + deal + ": " + (r ? r->body : ""));
  }
  // Whether Rita reaches the deal by Id, by query and in a Bulk-style COUNT().
  static bool rita_sees(const std::string& deal) {
    const int retrieved = org_->get(rita_, kData + "/sobjects/Opportunity/" + deal)->status;
    const long queried = org_->count(rita_, "SELECT COUNT() FROM Opportunity WHERE Id = '" + deal + "'");
    EXPECT_EQ(retrieved == 200, queried == 1) << "retrieve and query agree on " << deal;
    return retrieved == 200;
  }
  // Rita's update of the deal: the status, and the error code when refused.
  static std::pair<int, std::string> rita_updates(const std::string& deal) {
    auto r = org_->patch(rita_, kData + "/sobjects/Opportunity/" + deal, {{"Description", "Rita was here"}});
    if (r->status == 204) return {204, ""};
    json e = json::parse(r->body);
    if (e[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY") {
      EXPECT_EQ(e[0]["message"], "insufficient access rights on object id") << "Salesforce's words";
    }
    return {r->status, e[0]["errorCode"]};
  }
  static const std::pair<int, std::string> kRefused;

  static OrgFromFile* org_;
  static std::string admin_, rita_, colin_, rita_id_, colin_id_, pat_id_;
  static std::vector<std::string> deals_;
};
const std::pair<int, std::string> EmulatorSharingTest::kRefused = {400, "INSUFFICIENT_ACCESS_OR_READONLY"};
OrgFromFile* EmulatorSharingTest::org_ = nullptr;
std::string EmulatorSharingTest::admin_, EmulatorSharingTest::rita_, EmulatorSharingTest::colin_,
    EmulatorSharingTest::rita_id_, EmulatorSharingTest::colin_id_, EmulatorSharingTest::pat_id_;
std::vector<std::string> EmulatorSharingTest::deals_;

TEST_F(EmulatorSharingTest, AColleaguesDealIsHiddenUntilAReasonSharesIt) {
  EXPECT_FALSE(rita_sees(deals_[0]));
  EXPECT_EQ(org_->get(rita_, kData + "/sobjects/Opportunity/" + deals_[0])->status, 404);
  EXPECT_EQ(org_->count(rita_, "SELECT COUNT() FROM Opportunity WHERE OwnerId = '" + colin_id_ + "'"), 0);
}

TEST_F(EmulatorSharingTest, AnOwnerBasedReadOnlyRuleShowsTheDealAndRefusesItsUpdate) {
  EXPECT_TRUE(rita_sees(deals_[4])) << "owned by a Partner Rep, shared with EMEA reps";
  EXPECT_EQ(org_->count(rita_, "SELECT COUNT() FROM Opportunity WHERE OwnerId = '" + pat_id_ + "'"),
            org_->count(admin_, "SELECT COUNT() FROM Opportunity WHERE OwnerId = '" + pat_id_ + "'"));
  EXPECT_EQ(rita_updates(deals_[4]), kRefused);
  // A Bulk API 2.0 query job returns it too.
  auto job = org_->post(rita_, kData + "/jobs/query",
                        {{"operation", "query"}, {"query", "SELECT Id FROM Opportunity WHERE Id = '" + deals_[4] + "'"}});
  ASSERT_EQ(job->status, 200) << job->body;
  const std::string job_id = json::parse(job->body)["id"];
  for (int i = 0; i < 500 && json::parse(org_->get(rita_, kData + "/jobs/query/" + job_id)->body)["state"] != "JobComplete"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto results = org_->get(rita_, kData + "/jobs/query/" + job_id + "/results");
  ASSERT_EQ(results->status, 200) << results->body;
  EXPECT_NE(results->body.find(deals_[4]), std::string::npos) << results->body;
  // Collections report the same refusal per record.
  json body = {{"allOrNone", false},
               {"records", json::array({{{"attributes", {{"type", "Opportunity"}}}, {"id", deals_[4]},
                                         {"Description", "x"}}})}};
  auto r = org_->patch(rita_, kData + "/composite/sobjects", body);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)[0]["errors"][0]["statusCode"], "INSUFFICIENT_ACCESS_OR_READONLY") << r->body;
}

TEST_F(EmulatorSharingTest, ACriteriaRuleSharesWhileTheRecordMeetsItWithReadWrite) {
  EXPECT_FALSE(rita_sees(deals_[1]));
  auto flag = org_->patch(admin_, kData + "/sobjects/Opportunity/" + deals_[1], {{"NextStep", "EMEA review"}});
  ASSERT_EQ(flag->status, 204);
  EXPECT_TRUE(rita_sees(deals_[1])) << "through the EMEA Desk group, whose member is Rita's role";
  EXPECT_EQ(rita_updates(deals_[1]).first, 204) << "the rule gives Read/Write";
  auto del = org_->del(rita_, kData + "/sobjects/Opportunity/" + deals_[1]);
  EXPECT_EQ(del->status, 400) << "Read/Write is not full access: " << del->body;
  ASSERT_EQ(org_->patch(admin_, kData + "/sobjects/Opportunity/" + deals_[1], {{"NextStep", "Closed review"}})->status, 204);
  EXPECT_FALSE(rita_sees(deals_[1])) << "no longer meeting the criteria, no longer shared";
}

TEST_F(EmulatorSharingTest, TheOpportunityTeamGivesItsMembersTheirAccessLevel) {
  EXPECT_FALSE(rita_sees(deals_[2]));
  auto member = org_->post(admin_, kData + "/sobjects/OpportunityTeamMember",
                           {{"OpportunityId", deals_[2]}, {"UserId", rita_id_}, {"TeamMemberRole", "Sales Engineer"},
                            {"OpportunityAccessLevel", "Read"}});
  ASSERT_EQ(member->status, 201) << member->body;
  EXPECT_TRUE(rita_sees(deals_[2]));
  EXPECT_EQ(rita_updates(deals_[2]), kRefused) << "a Read team member";
  const std::string id = json::parse(member->body)["id"];
  ASSERT_EQ(org_->patch(admin_, kData + "/sobjects/OpportunityTeamMember/" + id, {{"OpportunityAccessLevel", "Edit"}})->status, 204);
  EXPECT_EQ(rita_updates(deals_[2]).first, 204) << "a Read/Write team member";
}

TEST_F(EmulatorSharingTest, TheOwnerSharesByHandAndOnlyTheOwnerMay) {
  const std::string deal = deals_[3];
  EXPECT_FALSE(rita_sees(deal));
  auto share = org_->post(colin_, kData + "/sobjects/OpportunityShare",
                          {{"OpportunityId", deal}, {"UserOrGroupId", rita_id_}, {"OpportunityAccessLevel", "Read"}});
  ASSERT_EQ(share->status, 201) << share->body;
  const std::string share_id = json::parse(share->body)["id"];
  EXPECT_TRUE(rita_sees(deal));
  EXPECT_EQ(rita_updates(deal), kRefused) << "a Read share";

  json rows = org_->records(colin_, "SELECT Id, UserOrGroupId, OpportunityAccessLevel, RowCause FROM OpportunityShare "
                                    "WHERE OpportunityId = '" + deal + "'");
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["UserOrGroupId"], rita_id_);
  EXPECT_EQ(rows[0]["RowCause"], "Manual");

  // Rita has Read, not full access: she may not pass the deal on.
  auto passed = org_->post(rita_, kData + "/sobjects/OpportunityShare",
                           {{"OpportunityId", deal}, {"UserOrGroupId", pat_id_}, {"OpportunityAccessLevel", "Read"}});
  ASSERT_EQ(passed->status, 400) << passed->body;
  EXPECT_EQ(json::parse(passed->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY");
  EXPECT_EQ(json::parse(passed->body)[0]["message"], "insufficient access rights on cross-reference id: " + deal);

  ASSERT_EQ(org_->patch(colin_, kData + "/sobjects/OpportunityShare/" + share_id, {{"OpportunityAccessLevel", "Edit"}})->status, 204);
  EXPECT_EQ(rita_updates(deal).first, 204) << "a Read/Write share";
  ASSERT_EQ(org_->del(colin_, kData + "/sobjects/OpportunityShare/" + share_id)->status, 204);
  EXPECT_FALSE(rita_sees(deal)) << "the share removed";
}

}  // namespace
}  // namespace crmsync::emulator
