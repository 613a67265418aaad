// Matching from a small store: contact vs lead precedence, domain -> account, the opportunity
// window and its narrowing, tie-breaks, unmatched activities.
#include <gtest/gtest.h>

#include "export/matching.h"
#include "store_fixture.h"

namespace crmsync::exports {
namespace {

class MatchingTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    table("User", {"Id", "Email"}, {{"005U1", "Rep@Corp.test"}, {"005U2", "other@corp.test"}});
    table("Account", {"Id", "Website", "IsDeleted"},
          {{"001A1", "https://www.acme.test/en", "0"},
           {"001A3", "acme.test", "0"},  // shares the domain, has fewer contacts there
           {"001A2", "", "0"},
           {"001A4", "deleted.test", "1"}});
    table("Contact", {"Id", "Email", "AccountId", "IsDeleted", "LastModifiedDate"},
          {{"003C1", "bob@acme.test", "001A1", "0", "2024-01-01T00:00:00.000Z"},
           {"003C2", "BOB@acme.test", "", "0", "2024-04-01T00:00:00.000Z"},  // newer, but no Account
           {"003C3", "carol@beta.test", "001A2", "0", "2024-01-01T00:00:00.000Z"},
           {"003C4", "dan@beta.test", "001A2", "0", "2024-01-01T00:00:00.000Z"},
           {"003C6", "gone@acme.test", "001A1", "1", "2024-01-01T00:00:00.000Z"},
           {"003C7", "x@deleted.test", "001A4", "0", "2024-01-01T00:00:00.000Z"}});
    table("Lead", {"Id", "Email", "IsDeleted", "LastModifiedDate"},
          {{"00QL1", "bob@acme.test", "0", "2024-01-01T00:00:00.000Z"},
           {"00QL2", "lena@lead.test", "0", "2024-01-01T00:00:00.000Z"},
           {"00QL3", "lena@lead.test", "0", "2024-02-01T00:00:00.000Z"}});  // the latest wins
    table("Opportunity", {"Id", "AccountId", "OwnerId", "CreatedDate", "CloseDate", "IsClosed", "IsDeleted"},
          {{"006O1", "001A1", "005U2", "2024-04-01T00:00:00.000Z", "2024-06-30", "0", "0"},
           {"006O2", "001A1", "005U1", "2024-04-10T00:00:00.000Z", "2024-05-20", "0", "0"},
           {"006O3", "001A1", "005U2", "2024-01-01T00:00:00.000Z", "2024-03-01", "1", "0"},
           {"006O4", "001A1", "005U1", "2024-06-01T00:00:00.000Z", "2024-09-01", "0", "0"},
           {"006O5", "001A1", "005U1", "2024-04-01T00:00:00.000Z", "2024-05-20", "0", "1"}});
    table("OpportunityContactRole", {"Id", "OpportunityId", "ContactId"}, {{"00KR1", "006O1", "003C1"}});
  }

  Matcher matcher(MatchOptions o = {}) {
    auto m = Matcher::build(*store_, o);
    EXPECT_TRUE(m) << m.error().to_string();
    return std::move(*m);
  }

  static Activity at(const std::string& when, std::vector<std::string> emails, std::string host = "rep@corp.test") {
    Activity a;
    a.id = "a";
    a.start = *parse_datetime(when);
    a.end = a.start;
    a.host_email = std::move(host);
    for (auto& e : emails) a.participants.push_back({"", e, "", false});
    return a;
  }
};

const std::string kMay = "2024-05-02T10:00:00Z";

TEST_F(MatchingTest, OwnerIsTheHostsUserCaseInsensitively) {
  Match m = matcher().match(at(kMay, {"bob@acme.test"}));
  EXPECT_EQ(m.owner.id, "005U1");
  Match none = matcher().match(at(kMay, {"bob@acme.test"}, "nobody@corp.test"), /*explain=*/true);
  EXPECT_EQ(none.owner.id, "");
  EXPECT_NE(none.owner.reason.find("integration user"), std::string::npos);
}

TEST_F(MatchingTest, ContactBeatsLeadWhateverTheParticipantOrder) {
  Match m = matcher().match(at(kMay, {"lena@lead.test", "bob@acme.test"}));
  EXPECT_EQ(m.who.object, "Contact");
  EXPECT_EQ(m.who.id, "003C1");  // of the two bob@ contacts, the one with an Account
  EXPECT_EQ(m.account.id, "001A1");
}

TEST_F(MatchingTest, LeadWhoHasNoWhat) {
  Match m = matcher().match(at(kMay, {"lena@lead.test"}));
  EXPECT_EQ(m.who.object, "Lead");
  EXPECT_EQ(m.who.id, "00QL3");
  EXPECT_EQ(m.what.id, "");
  EXPECT_EQ(m.account.id, "");
  EXPECT_TRUE(m.matched());
}

TEST_F(MatchingTest, DomainResolvesToAnAccountWhenNoPersonMatches) {
  Matcher mt = matcher();
  Match web = mt.match(at("2023-12-01T10:00:00Z", {"zed@acme.test"}));
  EXPECT_EQ(web.who.id, "");
  EXPECT_EQ(web.account.id, "001A1");  // Website match; A1 has more contacts at acme.test than A3
  EXPECT_EQ(web.what.id, "001A1");     // no opportunity around December 2023
  EXPECT_EQ(web.what.object, "Account");
  EXPECT_EQ(mt.match(at("2023-12-01T10:00:00Z", {"zed@eu.acme.test"})).account.id, "001A1");  // parent domain
  Match by_contacts = mt.match(at(kMay, {"new@beta.test"}), /*explain=*/true);
  EXPECT_EQ(by_contacts.account.id, "001A2");
  EXPECT_NE(by_contacts.account.reason.find("2 of its Contacts"), std::string::npos);
  // A deleted contact does not match as a person; its domain still finds the account.
  EXPECT_EQ(mt.match(at("2023-12-01T10:00:00Z", {"gone@acme.test"})).who.id, "");
  // A deleted account is never chosen.
  EXPECT_EQ(mt.match(at(kMay, {"y@deleted.test"})).account.id, "");
  // A live contact of a deleted account is the Who, with neither Account nor What (Salesforce
  // would refuse the WhatId with ENTITY_IS_DELETED).
  Match orphan = mt.match(at(kMay, {"x@deleted.test"}));
  EXPECT_EQ(orphan.who.id, "003C7");
  EXPECT_EQ(orphan.account.id, "");
  EXPECT_EQ(orphan.what.id, "");
}

TEST_F(MatchingTest, UnmatchedWhenNothingFitsOrTheDomainIsPublic) {
  Matcher mt = matcher();
  EXPECT_FALSE(mt.match(at(kMay, {"someone@gmail.com"})).matched());
  EXPECT_FALSE(mt.match(at(kMay, {"nobody@nowhere.test"})).matched());
  EXPECT_FALSE(mt.match(at(kMay, {})).matched());
  // Internal participants (flagged, or Users) are not matched as Who.
  Activity a = at(kMay, {"bob@acme.test", "other@corp.test"});
  a.participants[0].internal = true;
  EXPECT_FALSE(mt.match(a).matched());
}

TEST_F(MatchingTest, OpportunityNarrowedByContactRoleThenOwner) {
  // O1 (role for Bob, owner U2) and O2 (owner U1 = host) are both open on May 2.
  EXPECT_EQ(matcher().match(at(kMay, {"bob@acme.test"})).what.id, "006O1");
  EXPECT_EQ(matcher({.by_contact_role = false}).match(at(kMay, {"bob@acme.test"})).what.id, "006O2");
  // Neither narrowing: open at the time, then nearest CloseDate (O2 on May 20 vs O1 on June 30).
  EXPECT_EQ(matcher({.by_contact_role = false, .by_owner_participation = false}).match(at(kMay, {"bob@acme.test"})).what.id,
            "006O2");
  // An internal participant owning O1 makes it the owner-narrowed choice.
  Activity with_u2 = at(kMay, {"bob@acme.test", "other@corp.test"});
  EXPECT_EQ(matcher({.by_contact_role = false}).match(with_u2).what.id, "006O2");  // both owners take part: tie-break
  Activity u2_host = at(kMay, {"bob@acme.test"}, "other@corp.test");
  EXPECT_EQ(matcher({.by_contact_role = false}).match(u2_host).what.id, "006O1");
}

TEST_F(MatchingTest, OpportunityWindowAroundTheActivity) {
  Matcher mt = matcher();
  // March 10: O3 closed on March 1 (9 days) is within 14 days; the others were not created yet.
  EXPECT_EQ(mt.match(at("2024-03-10T10:00:00Z", {"bob@acme.test"})).what.id, "006O3");
  // March 20: O3 closed 19 days earlier; O1 is created 12 days later.
  Match m = mt.match(at("2024-03-20T10:00:00Z", {"bob@acme.test"}), /*explain=*/true);
  EXPECT_EQ(mt.match(at("2024-03-20T10:00:00Z", {"bob@acme.test"})).what.reason, "");  // words only when explaining
  EXPECT_EQ(m.what.id, "006O1");
  EXPECT_NE(m.what.reason.find("within the window"), std::string::npos);
  // With a 5-day window nothing fits on March 20: the Account.
  EXPECT_EQ(matcher({.window_days = 5}).match(at("2024-03-20T10:00:00Z", {"bob@acme.test"})).what.id, "001A1");
  // Deleted opportunities never match (O5 would tie with O2 otherwise).
  EXPECT_NE(mt.match(at(kMay, {"bob@acme.test"}), true).candidates.size(), 0u);
  for (const auto& c : mt.match(at(kMay, {"bob@acme.test"}), true).candidates) {
    EXPECT_EQ(c.find("006O5"), std::string::npos) << c;
  }
}

TEST_F(MatchingTest, MissingTablesAreWarningsNotErrors) {
  testing::StoreFixture::TearDown();
  testing::StoreFixture::SetUp();
  table("User", {"Id", "Email"}, {{"005U1", "rep@corp.test"}});
  Matcher mt = matcher();
  EXPECT_GE(mt.warnings().size(), 4u);
  EXPECT_EQ(mt.match(at(kMay, {"bob@acme.test"})).owner.id, "005U1");
  EXPECT_FALSE(mt.match(at(kMay, {"bob@acme.test"})).matched());
}

TEST(DomainTest, EmailAndWebsiteDomains) {
  EXPECT_EQ(email_domain("Bob@Mail.Acme.com"), "mail.acme.com");
  EXPECT_EQ(email_domain("bob"), "");
  EXPECT_EQ(email_domain("bob@localhost"), "");
  EXPECT_EQ(website_domain("https://www.Acme.com:8443/en?x=1"), "acme.com");
  EXPECT_EQ(website_domain("acme.com."), "acme.com");
  EXPECT_EQ(website_domain(""), "");
  EXPECT_TRUE(is_public_email_domain("gmail.com"));
  EXPECT_FALSE(is_public_email_domain("acme.com"));
}

}  // namespace
}  // namespace crmsync::exports

namespace crmsync::exports {
namespace {

class NoWebsiteTest : public testing::StoreFixture {};

TEST_F(NoWebsiteTest, DomainsFallBackToContactsWithAWarning) {
  table("Account", {"Id", "IsDeleted"}, {{"001A1", "0"}});
  table("Contact", {"Id", "Email", "AccountId", "IsDeleted"}, {{"003C1", "bob@acme.test", "001A1", "0"}});
  auto m = Matcher::build(*store_, {});
  ASSERT_TRUE(m);
  bool warned = false;
  for (const auto& w : m->warnings()) warned = warned || w.find("no Website column") != std::string::npos;
  EXPECT_TRUE(warned);
  Activity a;
  a.start = *parse_datetime("2024-05-02T10:00:00Z");
  a.participants = {{"", "new@acme.test", "", false}};
  EXPECT_EQ(m->match(a).account.id, "001A1");
}

}  // namespace
}  // namespace crmsync::exports
