// An opportunity's owner change over loopback, as Salesforce does it (docs/decisions.md, "Owner
// changes and splits"): the new owner takes over the previous owner's splits in the same write
// (other members' splits stay), the previous owner stays on the team with Read access, a closed
// deal keeps its splits, and SplitOwnerId itself may not be updated. Every write route (REST,
// sObject Collections, Bulk ingest) does it the same way.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <map>

#include "csv_support.h"
#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::OrgFromFile;
using crmsync::testing::parse_csv;

const std::string kData = "/services/data/v60.0";

// Ann (an EMEA rep, under Mona) owns the deals; Bob (an Americas rep) takes them over; Cy is on
// their teams with a split of his own.
constexpr const char* kOrg = R"(
[[users]]
username = "ann@crmsync.test"
password = "ann-pass"
last_name = "Ann"
profile = "Standard User"
role = "Sales Rep, EMEA"

[[users]]
username = "mona@crmsync.test"
password = "mona-pass"
last_name = "Mona"
profile = "Standard User"
role = "Sales Manager, EMEA"

[[users]]
username = "bob@crmsync.test"
password = "bob-pass"
last_name = "Bob"
profile = "Standard User"
role = "Sales Rep, Americas"

[[users]]
username = "cy@crmsync.test"
password = "cy-pass"
last_name = "Cy"
profile = "Standard User"
role = "Sales Rep, Americas"
)";

// A deal Ann owns and what hangs off it: her team row (All) and Revenue split (100%), Cy's team
// row and Overlay split (50%).
struct Deal {
  std::string id, ann_member, ann_split, cy_split;
};

class EmulatorOwnerChangeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    org_ = new OrgFromFile(kOrg, 10);
    admin_ = org_->admin();
    mona_ = org_->login("mona@crmsync.test", "mona-pass");
    ann_id_ = user("ann@crmsync.test");
    bob_id_ = user("bob@crmsync.test");
    cy_id_ = user("cy@crmsync.test");
    revenue_ = org_->id_of(admin_, "SELECT Id FROM OpportunitySplitType WHERE SplitField = 'Amount'");
    overlay_ = org_->id_of(admin_, "SELECT Id FROM OpportunitySplitType WHERE SplitField = 'Overlay_Amount__c'");
  }
  static void TearDownTestSuite() { delete org_; }

  static std::string user(const std::string& username) {
    return org_->id_of(admin_, "SELECT Id FROM User WHERE Username = '" + username + "'");
  }
  static std::string created(const std::string& object, const json& body) {
    auto r = org_->post(admin_, kData + "/sobjects/" + object, body);
    if (!r || r->status != 201) throw std::runtime_error(object + " not created: " + (r ? r->body : "no answer"));
    return json::parse(r->body)["id"];
  }
  static Deal ann_deal(const std::string& stage = "Prospecting") {
    Deal d;
    d.id = created("Opportunity", {{"Name", "Owner change"}, {"StageName", stage}, {"CloseDate", "2030-01-31"},
                                   {"Amount", 1000}, {"OwnerId", ann_id_}});
    d.ann_member = created("OpportunityTeamMember", {{"OpportunityId", d.id}, {"UserId", ann_id_},
                                                     {"TeamMemberRole", "Sales Rep"}, {"OpportunityAccessLevel", "All"}});
    created("OpportunityTeamMember", {{"OpportunityId", d.id}, {"UserId", cy_id_}, {"OpportunityAccessLevel", "Edit"}});
    d.ann_split = created("OpportunitySplit", {{"OpportunityId", d.id}, {"SplitOwnerId", ann_id_},
                                               {"SplitPercentage", 100}, {"SplitTypeId", revenue_}});
    d.cy_split = created("OpportunitySplit", {{"OpportunityId", d.id}, {"SplitOwnerId", cy_id_},
                                              {"SplitPercentage", 50}, {"SplitTypeId", overlay_}});
    return d;
  }
  static json split(const std::string& id) {
    json rows = org_->records(admin_, "SELECT Id, SplitOwnerId, SplitPercentage, SplitTypeId, SystemModstamp, "
                                      "LastModifiedDate FROM OpportunitySplit WHERE Id = '" + id + "'");
    return rows.empty() ? json() : rows[0];
  }
  static void give(const std::string& deal, const std::string& owner) {
    auto r = org_->patch(admin_, kData + "/sobjects/Opportunity/" + deal, {{"OwnerId", owner}});
    ASSERT_EQ(r->status, 204) << r->body;
  }
  // The deal's splits as (owner, type, percentage), by owner.
  static std::map<std::string, std::pair<std::string, double>> splits_of(const std::string& deal) {
    std::map<std::string, std::pair<std::string, double>> out;
    for (const auto& s : org_->records(admin_, "SELECT SplitOwnerId, SplitTypeId, SplitPercentage FROM OpportunitySplit "
                                               "WHERE OpportunityId = '" + deal + "'")) {
      out[s["SplitOwnerId"]] = {s["SplitTypeId"], s["SplitPercentage"].get<double>()};
    }
    return out;
  }

  static OrgFromFile* org_;
  static std::string admin_, mona_, ann_id_, bob_id_, cy_id_, revenue_, overlay_;
};
OrgFromFile* EmulatorOwnerChangeTest::org_ = nullptr;
std::string EmulatorOwnerChangeTest::admin_, EmulatorOwnerChangeTest::mona_, EmulatorOwnerChangeTest::ann_id_,
    EmulatorOwnerChangeTest::bob_id_, EmulatorOwnerChangeTest::cy_id_, EmulatorOwnerChangeTest::revenue_,
    EmulatorOwnerChangeTest::overlay_;

TEST_F(EmulatorOwnerChangeTest, TheNewOwnerTakesOverThePreviousOwnersSplitAndOthersStay) {
  const Deal d = ann_deal();
  const json ann_before = split(d.ann_split), cy_before = split(d.cy_split);
  give(d.id, bob_id_);

  const json moved = split(d.ann_split);
  EXPECT_EQ(moved["SplitOwnerId"], bob_id_) << "the same split, now the new owner's";
  EXPECT_EQ(moved["SplitPercentage"], 100.0);
  EXPECT_GT(moved["SystemModstamp"].get<std::string>(), ann_before["SystemModstamp"].get<std::string>())
      << "a sync's next increment picks it up";
  EXPECT_GT(moved["LastModifiedDate"].get<std::string>(), ann_before["LastModifiedDate"].get<std::string>());
  EXPECT_EQ(split(d.cy_split), cy_before) << "another member's split is left as it was";
  EXPECT_EQ(org_->count(admin_, "SELECT COUNT() FROM OpportunitySplit WHERE SplitOwnerId = '" + ann_id_ +
                                    "' AND OpportunityId = '" + d.id + "'"),
            0);
}

TEST_F(EmulatorOwnerChangeTest, ThePreviousOwnerStaysOnTheTeamWithReadAccessAndTheirManagerLosesTheSplit) {
  const Deal d = ann_deal();
  // Mona sees Ann's deal and its splits through the role hierarchy, and may edit it.
  ASSERT_EQ(org_->count(mona_, "SELECT COUNT() FROM OpportunitySplit WHERE OpportunityId = '" + d.id +
                                   "' AND SplitOwnerId = '" + ann_id_ + "'"),
            1);
  give(d.id, bob_id_);

  json member = org_->records(admin_, "SELECT UserId, OpportunityAccessLevel FROM OpportunityTeamMember WHERE Id = '" +
                                          d.ann_member + "'");
  ASSERT_EQ(member.size(), 1u) << "Ann stays on the team";
  EXPECT_EQ(member[0]["OpportunityAccessLevel"], "Read");
  EXPECT_EQ(org_->count(mona_, "SELECT COUNT() FROM OpportunitySplit WHERE OpportunityId = '" + d.id +
                                   "' AND SplitOwnerId = '" + ann_id_ + "'"),
            0)
      << "no split of the deal credits anyone at or below Mona";
  // Mona keeps what Ann's team row gives (Read, through the hierarchy), no longer an owner's access.
  EXPECT_EQ(org_->count(mona_, "SELECT COUNT() FROM Opportunity WHERE Id = '" + d.id + "'"), 1);
  auto edit = org_->patch(mona_, kData + "/sobjects/Opportunity/" + d.id, {{"Description", "Mona was here"}});
  ASSERT_EQ(edit->status, 400) << edit->body;
  EXPECT_EQ(json::parse(edit->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  // Without Ann on the team, Mona no longer sees the deal at all.
  ASSERT_EQ(org_->del(admin_, kData + "/sobjects/OpportunityTeamMember/" + d.ann_member)->status, 204);
  EXPECT_EQ(org_->count(mona_, "SELECT COUNT() FROM Opportunity WHERE Id = '" + d.id + "'"), 0);
}

TEST_F(EmulatorOwnerChangeTest, ASplitOfATypeTheNewOwnerHoldsIsAddedIntoTheirs) {
  const Deal d = ann_deal();
  // Cy takes the deal over: he holds an Overlay split already, Ann a Revenue one; a second Overlay
  // split of Ann's is added into Cy's.
  const std::string ann_overlay = created("OpportunitySplit", {{"OpportunityId", d.id}, {"SplitOwnerId", ann_id_},
                                                                {"SplitPercentage", 25}, {"SplitTypeId", overlay_}});
  give(d.id, cy_id_);
  const json cy = split(d.cy_split);
  EXPECT_EQ(cy["SplitOwnerId"], cy_id_);
  EXPECT_EQ(cy["SplitPercentage"], 75.0) << "50% of his own and Ann's 25%";
  EXPECT_TRUE(split(ann_overlay).is_null()) << "Ann's Overlay split is deleted";
  auto all = org_->get(admin_, kData + "/queryAll?q=" +
                                   httplib::detail::encode_query_param("SELECT IsDeleted FROM OpportunitySplit WHERE Id = '" +
                                                                       ann_overlay + "'"));
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(json::parse(all->body)["records"][0]["IsDeleted"], true) << "in the recycle bin, seen by getDeleted";
  EXPECT_EQ(split(d.ann_split)["SplitOwnerId"], cy_id_) << "the Revenue split, a type Cy did not hold, moves";
}

TEST_F(EmulatorOwnerChangeTest, AClosedDealKeepsItsSplits) {
  const Deal d = ann_deal("Closed Won");
  give(d.id, bob_id_);
  EXPECT_EQ(split(d.ann_split)["SplitOwnerId"], ann_id_);
}

TEST_F(EmulatorOwnerChangeTest, CollectionsAndBulkIngestMoveTheSplitsToo) {
  const Deal by_collection = ann_deal(), by_bulk = ann_deal();
  json body = {{"allOrNone", true},
               {"records", json::array({{{"attributes", {{"type", "Opportunity"}}}, {"id", by_collection.id},
                                         {"OwnerId", bob_id_}}})}};
  auto r = org_->patch(admin_, kData + "/composite/sobjects", body);
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_EQ(json::parse(r->body)[0]["success"], true) << r->body;
  EXPECT_EQ(splits_of(by_collection.id).count(ann_id_), 0u);
  EXPECT_EQ(split(by_collection.ann_split)["SplitOwnerId"], bob_id_);

  const std::string job = org_->load(admin_, {{"object", "Opportunity"}, {"operation", "update"}, {"lineEnding", "LF"}},
                                     "Id,OwnerId\n" + by_bulk.id + "," + bob_id_ + "\n");
  EXPECT_EQ(org_->wait(admin_, job)["numberRecordsFailed"], 0);
  EXPECT_EQ(split(by_bulk.ann_split)["SplitOwnerId"], bob_id_);
  EXPECT_EQ(split(by_bulk.cy_split)["SplitOwnerId"], cy_id_);
}

TEST_F(EmulatorOwnerChangeTest, AnAllOrNoneCollectionThatFailsLeavesTheSplitsWithThePreviousOwner) {
  const Deal d = ann_deal();
  json body = {{"allOrNone", true},
               {"records", json::array({{{"attributes", {{"type", "Opportunity"}}}, {"id", d.id}, {"OwnerId", bob_id_}},
                                        {{"attributes", {{"type", "Opportunity"}}}, {"id", d.id}, {"StageName", ""}}})}};
  auto r = org_->patch(admin_, kData + "/composite/sobjects", body);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)[0]["success"], false) << r->body;
  EXPECT_EQ(split(d.ann_split)["SplitOwnerId"], ann_id_);
  EXPECT_EQ(org_->records(admin_, "SELECT OpportunityAccessLevel FROM OpportunityTeamMember WHERE Id = '" + d.ann_member +
                                      "'")[0]["OpportunityAccessLevel"],
            "All");
}

TEST_F(EmulatorOwnerChangeTest, SplitOwnerIdIsCreateOnlyOnRestAndBulk) {
  const Deal d = ann_deal();
  auto r = org_->patch(admin_, kData + "/sobjects/OpportunitySplit/" + d.cy_split, {{"SplitOwnerId", bob_id_}});
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(json::parse(r->body)[0]["fields"], json::array({"SplitOwnerId"}));

  const std::string job = org_->load(admin_, {{"object", "OpportunitySplit"}, {"operation", "update"}, {"lineEnding", "LF"}},
                                     "Id,SplitOwnerId\n" + d.cy_split + "," + bob_id_ + "\n");
  EXPECT_EQ(org_->wait(admin_, job)["numberRecordsFailed"], 1);
  auto failed = org_->client().Get((std::string(OrgFromFile::kIngestJobs) + "/" + job + "/failedResults").c_str(),
                                   OrgFromFile::auth(admin_));
  ASSERT_TRUE(failed);
  auto rows = parse_csv(failed->body);
  ASSERT_EQ(rows.size(), 2u) << failed->body;
  EXPECT_EQ(rows[1][1].rfind("INVALID_FIELD_FOR_INSERT_UPDATE:", 0), 0u) << rows[1][1];
  EXPECT_EQ(split(d.cy_split)["SplitOwnerId"], cy_id_);
  // Its other fields stay updatable.
  EXPECT_EQ(org_->patch(admin_, kData + "/sobjects/OpportunitySplit/" + d.cy_split, {{"SplitPercentage", 40}})->status, 204);
}

}  // namespace
}  // namespace crmsync::emulator
