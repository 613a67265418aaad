// Sharing through accounts over loopback, as Salesforce decides it: implicit parent access (the
// owner of an opportunity, contact or case reads its account), implicit child access (the account
// owner reaches its children at the levels its role gives), the child levels of AccountShare,
// AccountTeamMember and account sharing rules (cases through CaseAccessLevel as deals through
// OpportunityAccessLevel), the levels an account team member may be given, and a custom detail
// object Controlled by Parent.
// Each expectation is worked out by hand from the org file below and the records the test makes.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <chrono>
#include <thread>

#include "csv_support.h"
#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::OrgFromFile;

const std::string kData = "/services/data/v60.0";

// Four peers (no one above another in the role hierarchy), every org-wide default Private. Visit__c
// is a detail of Account: its visits follow their account.
constexpr const char* kOrg = R"(
[org_wide_defaults]
Account = "Private"
Opportunity = "Private"
Contact = "Private"

[[roles]]
name = "Desk A"
[[roles]]
name = "Desk B"
[[roles]]
name = "Desk C"
[[roles]]
name = "Desk D"

[[custom_objects]]
name = "Visit__c"
label = "Visit"
sharing = "ControlledByParent"

[[custom_fields]]
object = "Visit__c"
name = "Account__c"
type = "master_detail"
reference_to = "Account"

[[permission_sets]]
name = "Visits"
objects = { Visit__c = { read = true, create = true, edit = true, delete = true } }

[[sharing_rules]]
object = "Account"
name = "Desk D accounts to Desk C, deals read/write"
owned_by = "Role:Desk D"
shared_with = "Role:Desk C"
access = "Read"
opportunity_access = "Edit"
case_access = "Read"

[[users]]
username = "ann@crmsync.test"
password = "ann-pass"
last_name = "Owner"
profile = "Standard User"
role = "Desk A"
permission_sets = ["Visits"]

[[users]]
username = "ben@crmsync.test"
password = "ben-pass"
last_name = "Dealer"
profile = "Standard User"
role = "Desk B"
permission_sets = ["Visits"]

[[users]]
username = "cat@crmsync.test"
password = "cat-pass"
last_name = "Shared"
profile = "Standard User"
role = "Desk C"
permission_sets = ["Visits"]

[[users]]
username = "dan@crmsync.test"
password = "dan-pass"
last_name = "Rule"
profile = "Standard User"
role = "Desk D"
permission_sets = ["Visits"]
)";

class EmulatorAccountSharingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    org_ = new OrgFromFile(kOrg, 10);
    admin_ = org_->admin();
    ann_ = org_->login("ann@crmsync.test", "ann-pass");
    ben_ = org_->login("ben@crmsync.test", "ben-pass");
    cat_ = org_->login("cat@crmsync.test", "cat-pass");
    dan_ = org_->login("dan@crmsync.test", "dan-pass");
    ann_id_ = user("ann@crmsync.test");
    ben_id_ = user("ben@crmsync.test");
    cat_id_ = user("cat@crmsync.test");
    dan_id_ = user("dan@crmsync.test");
  }
  static void TearDownTestSuite() { delete org_; }

  static std::string user(const std::string& username) {
    return org_->id_of(admin_, "SELECT Id FROM User WHERE Username = '" + username + "'");
  }
  // Made by the admin: the new record's Id.
  static std::string make(const std::string& object, const json& body) {
    auto r = org_->post(admin_, kData + "/sobjects/" + object, body);
    if (!r || r->status != 201) throw std::runtime_error("could not create " + object + ": " + (r ? r->body : ""));
    return json::parse(r->body)["id"];
  }
  // An account owned by `owner` with one opportunity and one contact owned by `child_owner`.
  struct Family {
    std::string account, deal, contact;
  };
  static Family family(const std::string& name, const std::string& owner, const std::string& child_owner) {
    Family f;
    f.account = make("Account", {{"Name", name}, {"OwnerId", owner}});
    f.deal = make("Opportunity", {{"Name", name + " deal"}, {"AccountId", f.account}, {"OwnerId", child_owner},
                                  {"StageName", "Prospecting"}, {"CloseDate", "2031-01-31"}});
    f.contact = make("Contact", {{"LastName", name + " contact"}, {"AccountId", f.account}, {"OwnerId", child_owner}});
    return f;
  }
  // Whether the user reaches the record by Id (retrieve) and by query; the two must agree.
  static bool sees(const std::string& token, const std::string& object, const std::string& id) {
    const int retrieved = org_->get(token, kData + "/sobjects/" + object + "/" + id)->status;
    const long queried = org_->count(token, "SELECT COUNT() FROM " + object + " WHERE Id = '" + id + "'");
    EXPECT_EQ(retrieved == 200, queried == 1) << "retrieve and query agree on " << object << " " << id;
    return retrieved == 200;
  }
  static int update(const std::string& token, const std::string& object, const std::string& id, const json& body) {
    return org_->patch(token, kData + "/sobjects/" + object + "/" + id, body)->status;
  }

  static OrgFromFile* org_;
  static std::string admin_, ann_, ben_, cat_, dan_, ann_id_, ben_id_, cat_id_, dan_id_;
};
OrgFromFile* EmulatorAccountSharingTest::org_ = nullptr;
std::string EmulatorAccountSharingTest::admin_, EmulatorAccountSharingTest::ann_, EmulatorAccountSharingTest::ben_,
    EmulatorAccountSharingTest::cat_, EmulatorAccountSharingTest::dan_, EmulatorAccountSharingTest::ann_id_,
    EmulatorAccountSharingTest::ben_id_, EmulatorAccountSharingTest::cat_id_, EmulatorAccountSharingTest::dan_id_;

TEST_F(EmulatorAccountSharingTest, TheOwnerOfADealOrContactReadsItsAccountOnly) {
  const Family f = family("Implicit Parent Co", ann_id_, ben_id_);
  // Ben owns the deal and the contact, not the account: Read on the account (implicit parent).
  EXPECT_TRUE(sees(ben_, "Account", f.account));
  EXPECT_EQ(update(ben_, "Account", f.account, {{"Description", "Ben was here"}}), 400) << "Read only";
  EXPECT_FALSE(sees(cat_, "Account", f.account)) << "Cat has no child on it";
  // Every read path: a semi-join, an aggregate, SOSL, a Bulk query job.
  EXPECT_EQ(org_->count(ben_, "SELECT COUNT() FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity) AND Id = '" +
                                  f.account + "'"),
            1);
  json grouped = org_->records(ben_, "SELECT COUNT(Id) n FROM Account WHERE Name = 'Implicit Parent Co'");
  EXPECT_EQ(grouped[0]["n"], 1);
  auto found = org_->get(ben_, kData + "/search?q=" +
                                   httplib::detail::encode_query_param("FIND {Implicit Parent Co} RETURNING Account(Id)"));
  ASSERT_EQ(found->status, 200) << found->body;
  EXPECT_NE(found->body.find(f.account), std::string::npos) << found->body;
  auto job = org_->post(ben_, kData + "/jobs/query",
                        {{"operation", "query"}, {"query", "SELECT Id FROM Account WHERE Id = '" + f.account + "'"}});
  ASSERT_EQ(job->status, 200) << job->body;
  const std::string job_id = json::parse(job->body)["id"];
  for (int i = 0; i < 500 && json::parse(org_->get(ben_, kData + "/jobs/query/" + job_id)->body)["state"] != "JobComplete"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_NE(org_->get(ben_, kData + "/jobs/query/" + job_id + "/results")->body.find(f.account), std::string::npos);

  // A deal Ben creates on another account reads that account on the next call.
  const std::string other = make("Account", {{"Name", "Implicit Parent Later"}, {"OwnerId", ann_id_}});
  EXPECT_FALSE(sees(ben_, "Account", other));
  auto deal = org_->post(ben_, kData + "/sobjects/Opportunity",
                         {{"Name", "Later deal"}, {"AccountId", other}, {"StageName", "Prospecting"}, {"CloseDate", "2031-01-31"}});
  // Ben cannot name an account he cannot see: Salesforce refuses the reference.
  ASSERT_EQ(deal->status, 400) << deal->body;
  const std::string given = make("Opportunity", {{"Name", "Later deal"}, {"AccountId", other}, {"OwnerId", ben_id_},
                                                 {"StageName", "Prospecting"}, {"CloseDate", "2031-01-31"}});
  EXPECT_TRUE(sees(ben_, "Account", other)) << "through " << given;
}

TEST_F(EmulatorAccountSharingTest, TheAccountOwnerReachesItsChildrenAsItsRoleSays) {
  const Family f = family("Implicit Child Co", ann_id_, ben_id_);
  // Desk A's roles give an account owner Edit on opportunities and contacts (the default).
  EXPECT_TRUE(sees(ann_, "Opportunity", f.deal));
  EXPECT_TRUE(sees(ann_, "Contact", f.contact));
  EXPECT_EQ(update(ann_, "Opportunity", f.deal, {{"Description", "Ann was here"}}), 204);
  EXPECT_EQ(org_->del(ann_, kData + "/sobjects/Opportunity/" + f.deal)->status, 400) << "Edit is not Delete";
  json nested = org_->records(ann_, "SELECT Id, (SELECT Id FROM Opportunities), (SELECT Id FROM Contacts) FROM Account "
                                    "WHERE Id = '" + f.account + "'");
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0]["Opportunities"]["totalSize"], 1);
  EXPECT_EQ(nested[0]["Contacts"]["totalSize"], 1);

  // The role's Opportunity Access for account owners set to None: the deal is hidden again.
  const std::string desk_a = org_->id_of(admin_, "SELECT Id FROM UserRole WHERE Name = 'Desk A'");
  ASSERT_EQ(update(admin_, "UserRole", desk_a, {{"OpportunityAccessForAccountOwner", "None"}}), 204);
  EXPECT_FALSE(sees(ann_, "Opportunity", f.deal));
  EXPECT_TRUE(sees(ann_, "Contact", f.contact));
  ASSERT_EQ(update(admin_, "UserRole", desk_a, {{"OpportunityAccessForAccountOwner", "Edit"}}), 204);
}

TEST_F(EmulatorAccountSharingTest, AnAccountShareGivesTheAccountsChildrenAtItsLevels) {
  const Family f = family("Share Levels Co", ann_id_, ben_id_);
  EXPECT_FALSE(sees(cat_, "Opportunity", f.deal));
  // Ann owns the account: she shares it with Cat, Read on it, Read/Write on its deals, not its contacts.
  auto share = org_->post(ann_, kData + "/sobjects/AccountShare",
                          {{"AccountId", f.account}, {"UserOrGroupId", cat_id_}, {"AccountAccessLevel", "Read"},
                           {"OpportunityAccessLevel", "Edit"}, {"ContactAccessLevel", "None"}});
  ASSERT_EQ(share->status, 201) << share->body;
  EXPECT_TRUE(sees(cat_, "Account", f.account));
  EXPECT_TRUE(sees(cat_, "Opportunity", f.deal));
  EXPECT_FALSE(sees(cat_, "Contact", f.contact));
  EXPECT_EQ(update(cat_, "Opportunity", f.deal, {{"Description", "Cat was here"}}), 204);
  EXPECT_EQ(update(cat_, "Account", f.account, {{"Description", "Cat was here"}}), 400);
  // sObject Collections write through the same check: the deal yes, the account no.
  json both = {{"allOrNone", false},
               {"records", json::array({{{"attributes", {{"type", "Opportunity"}}}, {"id", f.deal}, {"NextStep", "Call"}},
                                        {{"attributes", {{"type", "Account"}}}, {"id", f.account}, {"Site", "HQ"}}})}};
  auto collection = org_->patch(cat_, kData + "/composite/sobjects", both);
  ASSERT_EQ(collection->status, 200) << collection->body;
  json results = json::parse(collection->body);
  EXPECT_TRUE(results[0]["success"].get<bool>()) << results;
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "INSUFFICIENT_ACCESS_OR_READONLY") << results;
  EXPECT_EQ(org_->count(cat_, "SELECT COUNT() FROM Opportunity WHERE AccountId = '" + f.account + "'"), 1);
  json nested = org_->records(cat_, "SELECT Id, (SELECT Id FROM Opportunities), (SELECT Id FROM Contacts) FROM Account "
                                    "WHERE Id = '" + f.account + "'");
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0]["Opportunities"]["totalSize"], 1);
  EXPECT_TRUE(nested[0]["Contacts"].is_null()) << "no contact reaches Cat: " << nested.dump();

  // Lowered to Read: the deal is read-only; raised on contacts: the contact shows.
  const std::string share_id = json::parse(share->body)["id"];
  ASSERT_EQ(update(ann_, "AccountShare", share_id, {{"OpportunityAccessLevel", "Read"}, {"ContactAccessLevel", "Read"}}),
            204);
  EXPECT_EQ(update(cat_, "Opportunity", f.deal, {{"Description", "again"}}), 400);
  EXPECT_TRUE(sees(cat_, "Contact", f.contact));
  // An update is checked as a create is: nothing above the org defaults is refused.
  auto lowered = org_->patch(ann_, kData + "/sobjects/AccountShare/" + share_id,
                             {{"AccountAccessLevel", "None"}, {"OpportunityAccessLevel", "None"}});
  ASSERT_EQ(lowered->status, 400) << lowered->body;
  EXPECT_EQ(json::parse(lowered->body)[0]["errorCode"], "INVALID_ACCESS_LEVEL");
  EXPECT_TRUE(sees(cat_, "Opportunity", f.deal)) << "the share is as it was";
}

TEST_F(EmulatorAccountSharingTest, AnAccountShareBelowTheOrgDefaultsIsRefusedInSalesforcesWords) {
  const Family f = family("Share Floor Co", ann_id_, ann_id_);
  auto none = org_->post(ann_, kData + "/sobjects/AccountShare",
                         {{"AccountId", f.account}, {"UserOrGroupId", cat_id_}, {"AccountAccessLevel", "None"},
                          {"OpportunityAccessLevel", "None"}});
  ASSERT_EQ(none->status, 400) << none->body;
  json e = json::parse(none->body)[0];
  EXPECT_EQ(e["errorCode"], "INVALID_ACCESS_LEVEL");
  EXPECT_EQ(e["message"],
            "Account, Opportunity, Case Levels, Con Levels (None, None, None, None) are below organization levels "
            "(None, None, None, None)");
}

TEST_F(EmulatorAccountSharingTest, AnAccountTeamMemberGetsTheChildrenAtItsLevels) {
  const Family f = family("Team Levels Co", ann_id_, ben_id_);
  EXPECT_FALSE(sees(cat_, "Contact", f.contact));
  auto member = org_->post(ann_, kData + "/sobjects/AccountTeamMember",
                           {{"AccountId", f.account}, {"UserId", cat_id_}, {"TeamMemberRole", "Sales Rep"},
                            {"AccountAccessLevel", "Read"}, {"OpportunityAccessLevel", "None"},
                            {"ContactAccessLevel", "Edit"}});
  ASSERT_EQ(member->status, 201) << member->body;
  EXPECT_TRUE(sees(cat_, "Account", f.account));
  EXPECT_TRUE(sees(cat_, "Contact", f.contact));
  EXPECT_EQ(update(cat_, "Contact", f.contact, {{"Title", "Buyer"}}), 204);
  EXPECT_FALSE(sees(cat_, "Opportunity", f.deal));
}

// Public Read Only accounts and deals, contacts Controlled by Parent, cases Private: an account
// team member's levels are held against these floors on every write route.
constexpr const char* kPublicReadOrg = R"(
[org_wide_defaults]
Account = "Read"
Opportunity = "Read"
Contact = "ControlledByParent"

[[users]]
username = "eve@crmsync.test"
last_name = "Member"
profile = "Standard User"

[[users]]
username = "fay@crmsync.test"
last_name = "Member"
profile = "Standard User"
)";

// AccountTeamMember's field notes: AccountAccessLevel is Read, Edit or All, the child levels None,
// Read or Edit (restricted picklists); the account level at least Account's org-wide default, each
// child level at least its object's, and one of them above. A member added with its role alone
// takes Read and None, unchecked, as Data Loader's are.
TEST_F(EmulatorAccountSharingTest, AnAccountTeamMembersLevelsAreCheckedOnEveryWriteRoute) {
  OrgFromFile org(kPublicReadOrg, 10);
  const std::string admin = org.admin();
  const std::string eve = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'eve@crmsync.test'");
  const std::string fay = org.id_of(admin, "SELECT Id FROM User WHERE Username = 'fay@crmsync.test'");
  auto made = org.post(admin, kData + "/sobjects/Account", {{"Name", "Team Floor Co"}});
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string account = json::parse(made->body)["id"];
  auto member = [&](const json& levels) {
    json body = {{"AccountId", account}, {"UserId", eve}, {"TeamMemberRole", "Sales Rep"}};
    body.update(levels);
    return org.post(admin, kData + "/sobjects/AccountTeamMember", body);
  };
  auto refusal = [](const httplib::Result& r) {
    EXPECT_EQ(r->status, 400) << r->body;
    return r->status == 400 ? json::parse(r->body)[0] : json::object();
  };

  // REST: values outside the picklists.
  json e = refusal(member({{"AccountAccessLevel", "None"}, {"OpportunityAccessLevel", "Edit"}}));
  EXPECT_EQ(e["errorCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(e["message"], "bad value for restricted picklist field: None");
  EXPECT_EQ(e["fields"], json::array({"AccountAccessLevel"}));
  e = refusal(member({{"AccountAccessLevel", "Edit"}, {"CaseAccessLevel", "All"}}));
  EXPECT_EQ(e["fields"], json::array({"CaseAccessLevel"}));
  // A child level below its object's default, then nothing above the defaults.
  e = refusal(member({{"AccountAccessLevel", "Edit"}, {"OpportunityAccessLevel", "None"}}));
  EXPECT_EQ(e["errorCode"], "INVALID_ACCESS_LEVEL");
  EXPECT_EQ(e["message"],
            "Account, Opportunity, Case Levels, Con Levels (Edit, None, None, None) are below organization levels "
            "(Read, Read, None, ControlledByParent)");
  e = refusal(member({{"AccountAccessLevel", "Read"}, {"OpportunityAccessLevel", "Read"}}));
  EXPECT_EQ(e["errorCode"], "INVALID_ACCESS_LEVEL");
  // Contacts follow their account: their level is not written.
  e = refusal(member({{"AccountAccessLevel", "Edit"}, {"OpportunityAccessLevel", "Read"}, {"ContactAccessLevel", "Read"}}));
  EXPECT_EQ(e["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(e["message"], "AccountTeamMember: bad field names on insert/update call: ContactAccessLevel");
  EXPECT_EQ(org.count(admin, "SELECT COUNT() FROM AccountTeamMember WHERE AccountId = '" + account + "'"), 0);

  auto good = member({{"AccountAccessLevel", "Edit"}, {"OpportunityAccessLevel", "Read"}});
  ASSERT_EQ(good->status, 201) << good->body;
  const std::string good_id = json::parse(good->body)["id"];
  // An update is held to the same floors, the stored levels standing for those it leaves out.
  auto lowered = org.patch(admin, kData + "/sobjects/AccountTeamMember/" + good_id, {{"AccountAccessLevel", "Read"}});
  EXPECT_EQ(refusal(lowered)["errorCode"], "INVALID_ACCESS_LEVEL");
  EXPECT_EQ(org.patch(admin, kData + "/sobjects/AccountTeamMember/" + good_id, {{"CaseAccessLevel", "Read"}})->status,
            204);
  // A member added with its role alone, and its role changed.
  auto plain = org.post(admin, kData + "/sobjects/AccountTeamMember",
                        {{"AccountId", account}, {"UserId", fay}, {"TeamMemberRole", "Sales Rep"}});
  ASSERT_EQ(plain->status, 201) << plain->body;
  const std::string plain_id = json::parse(plain->body)["id"];
  EXPECT_EQ(org.patch(admin, kData + "/sobjects/AccountTeamMember/" + plain_id, {{"TeamMemberRole", "Other"}})->status,
            204);

  // sObject Collections: the same check per record.
  json both = {{"allOrNone", false},
               {"records", json::array({{{"attributes", {{"type", "AccountTeamMember"}}}, {"AccountId", account},
                                         {"UserId", fay}, {"AccountAccessLevel", "All"}, {"OpportunityAccessLevel", "Edit"}},
                                        {{"attributes", {{"type", "AccountTeamMember"}}}, {"AccountId", account},
                                         {"UserId", fay}, {"AccountAccessLevel", "Read"}}})}};
  auto collection = org.post(admin, kData + "/composite/sobjects", both);
  ASSERT_EQ(collection->status, 200) << collection->body;
  json results = json::parse(collection->body);
  EXPECT_TRUE(results[0]["success"].get<bool>()) << results;
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "INVALID_ACCESS_LEVEL") << results;

  // Bulk API 2.0 ingest: the failed rows carry the same errors.
  const std::string job = org.load(admin, {{"object", "AccountTeamMember"}, {"operation", "insert"}},
                                   "AccountId,UserId,AccountAccessLevel,OpportunityAccessLevel\n" + account + "," +
                                       eve + ",Edit,Edit\n" + account + "," + eve + ",Read,Read\n" + account + "," +
                                       eve + ",Edit,Transfer\n");
  EXPECT_EQ(org.wait(admin, job)["numberRecordsFailed"], 2);
  auto failed = org.get(admin, kData + "/jobs/ingest/" + job + "/failedResults");
  ASSERT_EQ(failed->status, 200) << failed->body;
  auto rows = crmsync::testing::parse_csv(failed->body);
  ASSERT_EQ(rows.size(), 3u) << failed->body;
  EXPECT_EQ(rows[1][1].rfind("INVALID_ACCESS_LEVEL:Account, Opportunity, Case Levels, Con Levels (Read, Read, None, None)",
                             0),
            0u)
      << rows[1][1];
  EXPECT_EQ(rows[2][1].rfind("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:bad value for restricted picklist field: "
                             "Transfer:OpportunityAccessLevel",
                             0),
            0u)
      << rows[2][1];
}

TEST_F(EmulatorAccountSharingTest, AnAccountSharingRuleGivesTheChildrenAtItsLevels) {
  // Dan (Desk D) owns the account, Ben its deal: the rule shares Desk D's accounts with Desk C,
  // their deals Read/Write, their contacts not at all.
  const Family f = family("Rule Levels Co", dan_id_, ben_id_);
  EXPECT_TRUE(sees(cat_, "Account", f.account));
  EXPECT_TRUE(sees(cat_, "Opportunity", f.deal));
  EXPECT_EQ(update(cat_, "Opportunity", f.deal, {{"Description", "by rule"}}), 204);
  EXPECT_FALSE(sees(cat_, "Contact", f.contact));
  EXPECT_FALSE(sees(ann_, "Opportunity", f.deal)) << "Desk A is not shared with";
  // The rule's case level: Read.
  const std::string kase = make("Case", {{"Subject", "Rule case"}, {"AccountId", f.account}, {"OwnerId", ben_id_}});
  EXPECT_TRUE(sees(cat_, "Case", kase));
  EXPECT_EQ(update(cat_, "Case", kase, {{"Status", "Working"}}), 400) << "Read only";
  EXPECT_FALSE(sees(ann_, "Case", kase));
}

// Case is Private (the org file says nothing of it): a case is reached through its account's
// CaseAccessLevel on an AccountShare or an account team member, as a deal through
// OpportunityAccessLevel; an AccountShare without it gives the account and not its cases.
TEST_F(EmulatorAccountSharingTest, ACaseIsReachedThroughItsAccountsCaseAccessLevel) {
  const std::string account = make("Account", {{"Name", "Case Levels Co"}, {"OwnerId", ann_id_}});
  const std::string kase = make("Case", {{"Subject", "Broken widget"}, {"AccountId", account}, {"OwnerId", ann_id_}});
  EXPECT_FALSE(sees(cat_, "Case", kase));
  auto read = org_->post(ann_, kData + "/sobjects/AccountShare",
                         {{"AccountId", account}, {"UserOrGroupId", cat_id_}, {"AccountAccessLevel", "Read"},
                          {"OpportunityAccessLevel", "None"}, {"CaseAccessLevel", "Read"}});
  ASSERT_EQ(read->status, 201) << read->body;
  EXPECT_TRUE(sees(cat_, "Case", kase));
  EXPECT_EQ(update(cat_, "Case", kase, {{"Priority", "High"}}), 400) << "Read only";
  json nested = org_->records(cat_, "SELECT Id, (SELECT CaseNumber FROM Cases) FROM Account WHERE Id = '" + account + "'");
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0]["Cases"]["totalSize"], 1) << nested.dump();

  // The account without its cases.
  auto none = org_->post(ann_, kData + "/sobjects/AccountShare",
                         {{"AccountId", account}, {"UserOrGroupId", dan_id_}, {"AccountAccessLevel", "Read"},
                          {"OpportunityAccessLevel", "None"}, {"CaseAccessLevel", "None"}});
  ASSERT_EQ(none->status, 201) << none->body;
  EXPECT_TRUE(sees(dan_, "Account", account));
  EXPECT_FALSE(sees(dan_, "Case", kase));
  json empty = org_->records(dan_, "SELECT Id, (SELECT CaseNumber FROM Cases) FROM Account WHERE Id = '" + account + "'");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty[0]["Cases"].is_null()) << empty.dump();

  // An account team member with Read/Write on cases edits them.
  auto member = org_->post(ann_, kData + "/sobjects/AccountTeamMember",
                           {{"AccountId", account}, {"UserId", ben_id_}, {"TeamMemberRole", "Sales Rep"},
                            {"AccountAccessLevel", "Read"}, {"OpportunityAccessLevel", "None"},
                            {"CaseAccessLevel", "Edit"}, {"ContactAccessLevel", "None"}});
  ASSERT_EQ(member->status, 201) << member->body;
  EXPECT_EQ(update(ben_, "Case", kase, {{"Priority", "High"}}), 204);
}

TEST_F(EmulatorAccountSharingTest, ACasesOwnerReadsItsAccountAndTheAccountOwnerItsCases) {
  const std::string account = make("Account", {{"Name", "Case Family Co"}, {"OwnerId", ann_id_}});
  EXPECT_FALSE(sees(ben_, "Account", account));
  const std::string kase = make("Case", {{"Subject", "Slow portal"}, {"AccountId", account}, {"OwnerId", ben_id_}});
  EXPECT_TRUE(sees(ben_, "Account", account)) << "implicit parent through the case";
  // Desk A's role gives an account owner Edit on the account's cases.
  EXPECT_TRUE(sees(ann_, "Case", kase));
  EXPECT_EQ(update(ann_, "Case", kase, {{"Status", "Working"}}), 204);
  const std::string desk_a = org_->id_of(admin_, "SELECT Id FROM UserRole WHERE Name = 'Desk A'");
  ASSERT_EQ(update(admin_, "UserRole", desk_a, {{"CaseAccessForAccountOwner", "None"}}), 204);
  EXPECT_FALSE(sees(ann_, "Case", kase));
  ASSERT_EQ(update(admin_, "UserRole", desk_a, {{"CaseAccessForAccountOwner", "Edit"}}), 204);
  EXPECT_TRUE(sees(ann_, "Case", kase));
}

TEST_F(EmulatorAccountSharingTest, ADetailObjectFollowsItsMasterRecord) {
  const Family f = family("Visit Co", ann_id_, ben_id_);
  const std::string visit = make("Visit__c", {{"Name", "First visit"}, {"Account__c", f.account}});
  EXPECT_TRUE(sees(ann_, "Visit__c", visit)) << "the account's owner";
  EXPECT_FALSE(sees(ben_, "Visit__c", visit)) << "implicit parent access reaches the account only";
  EXPECT_FALSE(sees(cat_, "Visit__c", visit));
  // The master-detail field is a child relationship of Account (named by the plural label), in
  // describe and in a subquery.
  auto described = json::parse(org_->get(admin_, kData + "/sobjects/Account/describe")->body);
  bool listed = false;
  for (const auto& r : described["childRelationships"]) {
    if (r["childSObject"] == "Visit__c") {
      listed = r["field"] == "Account__c" && r["relationshipName"] == "Visits__r" && r["cascadeDelete"] == true;
    }
  }
  EXPECT_TRUE(listed) << described["childRelationships"].dump();
  auto nested = org_->query(ann_, "SELECT Name, (SELECT Name FROM Visits__r) FROM Account WHERE Id = '" + f.account + "'");
  ASSERT_EQ(nested->status, 200) << nested->body;
  auto visits = json::parse(nested->body)["records"][0]["Visits__r"];
  ASSERT_TRUE(visits.is_object()) << nested->body;
  EXPECT_EQ(visits["totalSize"], 1);
  EXPECT_EQ(visits["records"][0]["Name"], "First visit");
  // Read on the account: the visit is readable, not writable, and no visit may be added under it.
  auto share = org_->post(ann_, kData + "/sobjects/AccountShare",
                          {{"AccountId", f.account}, {"UserOrGroupId", cat_id_}, {"AccountAccessLevel", "Read"},
                           {"OpportunityAccessLevel", "None"}});
  ASSERT_EQ(share->status, 201) << share->body;
  EXPECT_TRUE(sees(cat_, "Visit__c", visit));
  EXPECT_EQ(update(cat_, "Visit__c", visit, {{"Name", "Renamed"}}), 400);
  auto added = org_->post(cat_, kData + "/sobjects/Visit__c", {{"Name", "Cat's visit"}, {"Account__c", f.account}});
  ASSERT_EQ(added->status, 400) << added->body;
  EXPECT_EQ(json::parse(added->body)[0]["errorCode"], "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY");
  // Edit on the account: the visit may be changed, deleted and added to.
  const std::string share_id = json::parse(share->body)["id"];
  ASSERT_EQ(update(ann_, "AccountShare", share_id, {{"AccountAccessLevel", "Edit"}}), 204);
  EXPECT_EQ(update(cat_, "Visit__c", visit, {{"Name", "Renamed"}}), 204);
  auto second = org_->post(cat_, kData + "/sobjects/Visit__c", {{"Name", "Cat's visit"}, {"Account__c", f.account}});
  ASSERT_EQ(second->status, 201) << second->body;
  EXPECT_EQ(org_->del(cat_, kData + "/sobjects/Visit__c/" + visit)->status, 204);
  // Deleting the master deletes its details (to the recycle bin, as queryAll shows), whoever sees them.
  const std::string kept = make("Visit__c", {{"Name", "Kept visit"}, {"Account__c", f.account}});
  const Family other = family("Other Co", ann_id_, ben_id_);
  const std::string elsewhere = make("Visit__c", {{"Name", "Elsewhere"}, {"Account__c", other.account}});
  ASSERT_EQ(org_->del(admin_, kData + "/sobjects/Account/" + f.account)->status, 204);
  EXPECT_EQ(org_->get(admin_, kData + "/sobjects/Visit__c/" + kept)->status, 404);
  auto binned = org_->get(admin_, kData + "/queryAll?q=" +
                                      httplib::detail::encode_query_param("SELECT Id, IsDeleted FROM Visit__c WHERE Id = '" + kept + "'"));
  ASSERT_EQ(binned->status, 200) << binned->body;
  EXPECT_EQ(json::parse(binned->body)["records"][0]["IsDeleted"], true) << binned->body;
  EXPECT_TRUE(sees(ann_, "Visit__c", elsewhere)) << "another account's visit stays";
  // No owner of its own, and no share object.
  EXPECT_EQ(org_->query(admin_, "SELECT OwnerId FROM Visit__c")->status, 400);
  EXPECT_EQ(org_->get(admin_, kData + "/sobjects/Visit__Share/describe")->status, 404);
}

}  // namespace
}  // namespace crmsync::emulator
