// What the boards of `crmsync serve` import beyond docs/catalog.md: kept out of objects() (which the
// page test holds to the page), recorded in docs/decisions.md, and selected by select_fields.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "describe_fixtures.h"

namespace crmsync::catalog {
namespace {

using testing::json;
using testing::sf_field;

std::string decisions() {
  std::ifstream in(CRMSYNC_SOURCE_DIR "/docs/decisions.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(BoardObjectsTest, AreNotOnTheCatalogPageAndDecisionsRecordEveryOne) {
  const std::string text = decisions();
  const auto start = text.find("What the boards import");
  ASSERT_NE(start, std::string::npos) << "docs/decisions.md lacks the entry on what the boards import";
  const std::string entry = text.substr(start, 3000);
  for (const auto& o : board_objects()) {
    EXPECT_EQ(o.group, Group::kBoards) << o.name;
    for (const auto& page_object : objects()) EXPECT_NE(page_object.name, o.name) << "on the page too";
    EXPECT_NE(entry.find("`" + o.name + "`"), std::string::npos) << o.name << " is not recorded";
    EXPECT_EQ(find_object(o.name), &o);
  }
  for (const auto& o : objects()) {
    for (const auto& f : o.board_fields) {
      EXPECT_NE(entry.find(o.name + "." + f), std::string::npos) << o.name << "." << f << " is not recorded";
    }
  }
}

TEST(BoardObjectsTest, BoardFieldsAreSelectedWhereDescribeHasThemAndSkippedWhereNot) {
  json describe = {{"name", "Opportunity"}, {"fields", json::array()}};
  for (const auto& f : find_object("Opportunity")->fields) {
    describe["fields"].push_back(sf_field(f.name, f.type == FieldType::kBoolean ? "boolean" : "string"));
  }
  auto without = select_fields(describe, {});
  ASSERT_TRUE(without.ok()) << without.error().to_string();
  EXPECT_EQ(without->find("ForecastCategoryName"), nullptr);
  describe["fields"].push_back(sf_field("ForecastCategoryName", "picklist"));
  describe["fields"].push_back(sf_field("RecordTypeId", "reference", {{"referenceTo", {"RecordType"}}}));
  auto with = select_fields(describe, {});
  ASSERT_TRUE(with.ok()) << with.error().to_string();
  ASSERT_NE(with->find("ForecastCategoryName"), nullptr);
  EXPECT_EQ(with->find("ForecastCategoryName")->mark, Mark::kBoard);
  ASSERT_NE(with->find("RecordTypeId"), nullptr);
  EXPECT_EQ(with->find("RecordTypeId")->type, FieldType::kReference);
}

TEST(BoardObjectsTest, SearchCoversTextFieldsOfTheFiveObjectsAndNeverReferences) {
  json describe = {{"name", "Contact"},
                   {"fields",
                    {sf_field("Id", "id"), sf_field("Email", "email"), sf_field("FirstName", "string"),
                     sf_field("LastName", "string"), sf_field("Phone", "phone"), sf_field("Title", "string"),
                     sf_field("AccountId", "reference", {{"referenceTo", {"Account"}}}),
                     sf_field("LeadSource", "picklist"), sf_field("IsDeleted", "boolean")}}};
  auto sel = select_fields(describe, {});
  ASSERT_TRUE(sel.ok()) << sel.error().to_string();
  EXPECT_EQ(search_columns(*sel), (std::vector<std::string>{"Email", "FirstName", "LastName", "Phone", "Title"}));
  describe["name"] = "Task";
  EXPECT_FALSE(is_search_object("Task"));
}

}  // namespace
}  // namespace crmsync::catalog
