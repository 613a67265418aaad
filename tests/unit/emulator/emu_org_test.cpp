// generate_org(): schema completeness against the catalog, determinism, proportions, invariants.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/emulator.h"
#include "emulator/org/org.h"

namespace crmsync::emulator {
namespace {

std::size_t live(const Database& db, const char* table) { return db.find(table)->live_count(); }

const std::string& text(const Table& t, std::size_t row, const char* field) {
  return std::get<std::string>(t.row(row)[*t.field_index(field)]);
}

TEST(OrgSchemaTest, EveryCatalogObjectAndSetupObjectExistsWithItsKeyPrefix) {
  auto db = generate_org({.seed = 1, .scale = 5});
  const std::pair<const char*, const char*> expected[] = {
      {"Account", "001"}, {"Contact", "003"}, {"Lead", "00Q"}, {"Opportunity", "006"},
      {"OpportunityContactRole", "00K"}, {"OpportunityHistory", "008"}, {"OpportunityStage", "01J"},
      {"RecordType", "012"}, {"User", "005"}, {"Task", "00T"}, {"Event", "00U"}, {"OpportunitySplit", "149"},
      {"OpportunityTeamMember", "00q"}, {"OpportunityLineItem", "00k"}, {"Campaign", "701"},
      {"CampaignMember", "00v"}, {"Organization", "00D"}, {"Profile", "00e"}, {"UserRole", "00E"},
      {"UserLicense", "100"}, {"PermissionSet", "0PS"}, {"PermissionSetAssignment", "0Pa"},
      {"ObjectPermissions", "110"}, {"FieldPermissions", "01k"}, {"PermissionSetLicense", "0PL"},
      {"PermissionSetLicenseAssign", "2LA"}};
  for (auto [name, prefix] : expected) {
    const Table* t = db->find(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->key_prefix(), prefix) << name;
    if (t->live_count() > 0) {
      EXPECT_EQ(text(*t, 0, "Id").substr(0, 3), prefix);
      EXPECT_TRUE(is_sf_id(text(*t, 0, "Id")));
    }
  }
  EXPECT_NE(db->find("OpportunitySplitType"), nullptr);
}

TEST(OrgSchemaTest, CatalogFieldsArePresent) {
  // The Required and Recommended fields of docs/catalog.md.
  const std::vector<std::pair<const char*, std::vector<const char*>>> catalog = {
      {"Account", {"Id", "Name", "OwnerId", "Industry", "Type", "IsDeleted", "LastActivityDate", "LastModifiedDate",
                   "SystemModstamp", "AccountSource", "ParentId", "Website"}},
      {"Contact", {"Id", "AccountId", "Email", "FirstName", "LastName", "IsDeleted", "LastModifiedDate",
                   "SystemModstamp", "LastActivityDate", "LeadSource", "MobilePhone", "Phone", "Title"}},
      {"Event", {"Id", "OwnerId", "Subject", "StartDateTime", "EndDateTime", "ActivityDate", "DurationInMinutes",
                 "WhatId", "WhoId", "Description", "EventSubtype", "Type"}},
      {"Lead", {"Id", "Company", "Email", "FirstName", "LastName", "OwnerId", "LastModifiedDate", "SystemModstamp",
                "LastActivityDate", "LeadSource", "MobilePhone", "Phone", "Title"}},
      {"Opportunity", {"Id", "AccountId", "Amount", "CloseDate", "CreatedDate", "IsClosed", "IsDeleted", "IsWon",
                       "Name", "OwnerId", "StageName", "LastModifiedDate", "SystemModstamp", "LastActivityDate",
                       "LeadSource", "Probability", "Type"}},
      {"OpportunityContactRole", {"Id", "OpportunityId", "ContactId", "IsPrimary", "CreatedDate", "SystemModstamp",
                                  "Role"}},
      {"OpportunityHistory", {"Id", "OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate",
                              "ForecastCategory", "Probability"}},
      {"OpportunitySplit", {"SplitAmount", "IsDeleted", "SplitOwnerId", "SplitPercentage", "OpportunityId",
                            "SplitTypeId", "CreatedDate", "Id", "SystemModstamp"}},
      {"OpportunitySplitType", {"IsDeleted", "IsActive", "CreatedDate", "IsTotalValidated", "SplitEntity",
                                "SplitField", "Id", "MasterLabel", "DeveloperName", "SystemModstamp"}},
      {"OpportunityStage", {"Id", "MasterLabel", "IsActive", "IsClosed", "IsWon", "SortOrder", "SystemModstamp",
                            "Description"}},
      {"OpportunityTeamMember", {"IsDeleted", "OpportunityId", "OpportunityAccessLevel", "UserId", "CreatedDate",
                                 "Title", "TeamMemberRole", "Id", "SystemModstamp", "Name"}},
      {"OpportunityLineItem", {"Id", "OpportunityId", "Product2Id", "Quantity", "UnitPrice", "TotalPrice",
                               "IsDeleted", "CreatedDate", "SystemModstamp", "Name", "ProductCode", "ListPrice",
                               "ServiceDate", "PricebookEntryId"}},
      {"RecordType", {"Id", "IsActive", "Name", "SobjectType", "SystemModstamp"}},
      {"Task", {"Id", "OwnerId", "Subject", "Status", "ActivityDate", "WhatId", "WhoId", "Type", "CreatedDate",
                "SystemModstamp", "AccountId", "CallDisposition", "CallDurationInSeconds", "Description",
                "TaskSubtype"}},
      {"User", {"Id", "Email", "FirstName", "LastName", "LastModifiedDate", "SystemModstamp", "Department",
                "LanguageLocaleKey", "Phone", "SmallPhotoUrl", "TimeZoneSidKey", "Title", "UserRoleId"}},
      {"Campaign", {"Id", "Name", "IsActive", "Type", "Status", "StartDate", "EndDate", "OwnerId", "IsDeleted",
                    "SystemModstamp", "ParentId"}},
      {"CampaignMember", {"Id", "CampaignId", "ContactId", "LeadId", "Status", "HasResponded", "IsDeleted",
                          "SystemModstamp"}},
  };
  for (const auto& [object, fields] : catalog) {
    const ObjectSpec* spec = find_object_spec(object);
    ASSERT_NE(spec, nullptr) << object;
    for (const char* f : fields) {
      bool found = false;
      for (const auto& def : spec->fields) found = found || def.name == f;
      EXPECT_TRUE(found) << object << "." << f;
    }
  }
}

TEST(OrgGenerateTest, SameSeedSameOrgDifferentSeedDifferentData) {
  auto a = generate_org({.seed = 7, .scale = 30, .history_anchor_ms = 1767225600000});
  auto b = generate_org({.seed = 7, .scale = 30, .history_anchor_ms = 1767225600000});
  auto c = generate_org({.seed = 8, .scale = 30});
  for (const Table* t : a->tables()) {
    const Table* u = b->find(t->name());
    ASSERT_EQ(t->slot_count(), u->slot_count()) << t->name();
    for (std::size_t r = 0; r < t->slot_count(); ++r) ASSERT_EQ(t->row(r), u->row(r)) << t->name() << " row " << r;
  }
  EXPECT_NE(text(*a->find("Account"), 0, "Name") + text(*a->find("Account"), 1, "Name"),
            text(*c->find("Account"), 0, "Name") + text(*c->find("Account"), 1, "Name"));
}

TEST(OrgGenerateTest, ProportionsFollowScale) {
  for (int scale : {50, 200}) {
    auto db = generate_org({.seed = 42, .scale = scale});
    const double n = scale;
    EXPECT_EQ(live(*db, "Account"), static_cast<std::size_t>(scale));
    EXPECT_EQ(live(*db, "User"), static_cast<std::size_t>(scale / 10 + 5));
    EXPECT_NEAR(live(*db, "Contact") / n, 3.0, 0.5);
    EXPECT_NEAR(live(*db, "Lead") / n, 2.0, 0.5);
    EXPECT_NEAR(live(*db, "Opportunity") / n, 1.5, 0.3);
    const double opps = static_cast<double>(live(*db, "Opportunity"));
    EXPECT_NEAR(live(*db, "OpportunityHistory") / opps, 3.0, 0.5);
    EXPECT_NEAR(live(*db, "OpportunityLineItem") / opps, 2.0, 0.5);
    EXPECT_NEAR(live(*db, "Task") / n, 4.0, 0.8);
    EXPECT_NEAR(live(*db, "Event") / n, 2.0, 0.5);
    EXPECT_EQ(live(*db, "OpportunityStage"), 10u);
    EXPECT_EQ(live(*db, "OpportunitySplitType"), 2u);
    EXPECT_GE(live(*db, "CampaignMember"), 5u);
  }
}

TEST(OrgGenerateTest, TimestampsAreOrderedAndInsideTheTwoYearWindow) {
  auto db = generate_org({.seed = 3, .scale = 100});
  const EpochMs lo = *parse_datetime("2024-01-01T00:00:00Z"), hi = *parse_datetime("2026-01-01T00:00:00Z");
  std::size_t deleted = 0;
  for (const Table* t : db->tables()) {
    if (t->key_prefix().empty()) continue;  // UserRecordAccess: query-only, no rows, no audit fields
    if (t->name().ends_with("Share")) continue;  // AccountShare, OpportunityShare: LastModifiedDate only, as Salesforce's
    auto created = t->field_index("CreatedDate"), modified = t->field_index("LastModifiedDate");
    auto stamp = t->field_index("SystemModstamp");
    auto is_deleted = t->field_index("IsDeleted");
    ASSERT_TRUE(stamp.has_value()) << t->name();
    for (std::size_t r = 0; r < t->slot_count(); ++r) {
      if (t->purged(r)) continue;  // dated by its deletion (OrgGenerateTest.RecentHardDeletes...)
      const Row& row = t->row(r);
      EpochMs s = std::get<DateTime>(row[*stamp]).ms;
      EXPECT_GE(s, lo);
      EXPECT_LT(s, hi);
      if (created && modified) {
        EpochMs c = std::get<DateTime>(row[*created]).ms, m = std::get<DateTime>(row[*modified]).ms;
        EXPECT_LE(c, m) << t->name();
        EXPECT_LE(m, s) << t->name();
      }
      if (is_deleted && std::get<bool>(row[*is_deleted])) ++deleted;
    }
  }
  EXPECT_GT(deleted, 0u);
}

TEST(OrgGenerateTest, RecentHardDeletesOfObjectsThatSkipTheRecycleBin) {
  const EpochMs anchor = *parse_datetime("2026-11-20T12:00:00Z");
  auto db = generate_org({.seed = 5, .scale = 100, .history_anchor_ms = anchor});
  for (const char* name : {"CampaignMember", "OpportunityLineItem"}) {
    const Table& t = *db->find(name);
    std::size_t purged = 0;
    for (std::size_t r = 0; r < t.slot_count(); ++r) {
      if (!t.purged(r)) continue;
      ++purged;
      const EpochMs when = std::get<DateTime>(t.row(r)[*t.field_index("SystemModstamp")]).ms;
      EXPECT_LT(when, anchor) << name;
      EXPECT_GE(when, anchor - 10 * 86400000LL) << name;
    }
    EXPECT_GT(purged, 0u) << name;
    EXPECT_LT(purged, t.slot_count() / 5) << name;
  }
  EXPECT_EQ(db->find("Account")->live_count(), db->find("Account")->slot_count());
}

TEST(OrgGenerateTest, RealisticValuesIncludingUnicodeAndLongText) {
  auto db = generate_org({.seed = 42, .scale = 100});
  const Table& users = *db->find("User");
  std::set<std::string> usernames;
  for (std::size_t r = 0; r < users.slot_count(); ++r) usernames.insert(text(users, r, "Username"));
  EXPECT_TRUE(usernames.count("admin@crmsync.test"));
  EXPECT_TRUE(usernames.count("integration@crmsync.test"));

  const Table& accounts = *db->find("Account");
  std::size_t longest = 0;
  bool non_ascii = false;
  for (std::size_t r = 0; r < accounts.slot_count(); ++r) {
    const Value& d = accounts.row(r)[*accounts.field_index("Description")];
    if (const auto* s = std::get_if<std::string>(&d)) longest = std::max(longest, utf8_length(*s));
    const std::string& name = text(accounts, r, "Name");
    non_ascii = non_ascii || utf8_length(name) != name.size();
  }
  EXPECT_GT(longest, 10000u);
  EXPECT_TRUE(non_ascii);

  const Table& contacts = *db->find("Contact");
  const std::string& email = text(contacts, 0, "Email");
  EXPECT_NE(email.find('@'), std::string::npos);
}


}  // namespace
}  // namespace crmsync::emulator
