// load_model over a real SQLite store: currency conversion with the org's rates, split types over
// Amount only, deleted rows left out, activities counted as calls and meetings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "serve/boards.h"
#include "serve/model.h"
#include "store/store.h"

namespace crmsync::serve {
namespace {

using catalog::StorageClass;
using store::Column;
using store::Value;

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_model_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = store::Store::open(url());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->begin().ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string url() const { return "sqlite:" + (dir_ / "crmsync.db").string(); }

  void rows(const std::string& table, const std::vector<Column>& cols, const std::vector<std::vector<Value>>& values) {
    ASSERT_TRUE(store_->ensure_table(table, cols).ok());
    auto w = store_->writer(table, cols);
    ASSERT_TRUE(w.ok()) << w.error().to_string();
    for (const auto& v : values) ASSERT_TRUE((*w)->upsert(v).ok()) << table;
  }

  std::shared_ptr<const Model> load() {
    EXPECT_TRUE(store_->commit().ok());
    auto reader = store::StoreReader::open(url());
    auto snap = (*reader)->snapshot();
    EXPECT_TRUE(snap.ok()) << snap.error().to_string();
    auto m = load_model(**snap, {}, *parse_date("2025-05-15"));
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    return m.ok() ? *m : nullptr;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

Column text(const char* n) { return {n, StorageClass::kText}; }
Column real(const char* n) { return {n, StorageClass::kReal}; }
Column flag(const char* n) { return {n, StorageClass::kBoolean}; }
Column date(const char* n) { return {n, StorageClass::kDate}; }

TEST_F(ModelTest, AmountsAreConvertedToTheCorporateCurrencyWithTheOrgsRates) {
  rows("CurrencyType", {text("Id"), text("IsoCode"), real("ConversionRate"), flag("IsCorporate"), flag("IsActive")},
       {{std::string("02B1"), std::string("USD"), 1.0, true, true}, {std::string("02B2"), std::string("EUR"), 0.8, false, true}});
  rows("Opportunity",
       {text("Id"), text("OwnerId"), real("Amount"), text("CurrencyIsoCode"), date("CloseDate"), text("StageName"), flag("IsDeleted")},
       {{std::string("006A"), std::string("005A"), 1000.0, std::string("USD"), std::string("2025-04-01"), std::string("Prospecting"), false},
        {std::string("006B"), std::string("005A"), 800.0, std::string("EUR"), std::string("2025-04-01"), std::string("Prospecting"), false},
        {std::string("006C"), std::string("005A"), 5.0, std::string("USD"), std::string("2025-04-01"), std::string("Prospecting"), true}});
  auto m = load();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->corporate_currency, "USD");
  ASSERT_EQ(m->deals.size(), 2u) << "a deleted deal never counts";
  EXPECT_DOUBLE_EQ(*m->deals[m->deal_by_id.at("006B")].amount, 1000.0) << "800 EUR at 0.8 EUR per USD";
  DealBoard board = deal_board(*m, {*parse_period("2025-Q2", 1)});
  EXPECT_DOUBLE_EQ(board.total.amount, 2000.0);
}

TEST_F(ModelTest, OnlyActiveSplitTypesOverAmountAttributeAndActivitiesAreCounted) {
  rows("OpportunitySplitType", {text("Id"), flag("IsActive"), text("SplitField")},
       {{std::string("149R"), true, std::string("Amount")},
        {std::string("149O"), true, std::string("Overlay_Amount__c")},
        {std::string("149X"), false, std::string("Amount")}});
  rows("Opportunity", {text("Id"), text("OwnerId"), real("Amount"), date("CloseDate")},
       {{std::string("006A"), std::string("005A"), 100.0, std::string("2025-04-01")}});
  rows("OpportunitySplit", {text("Id"), text("OpportunityId"), text("SplitOwnerId"), real("SplitPercentage"), text("SplitTypeId")},
       {{std::string("S1"), std::string("006A"), std::string("005A"), 100.0, std::string("149R")},
        {std::string("S2"), std::string("006A"), std::string("005B"), 50.0, std::string("149O")},
        {std::string("S3"), std::string("006A"), std::string("005C"), 30.0, std::string("149X")}});
  rows("Task", {text("Id"), text("WhatId"), date("ActivityDate"), text("TaskSubtype"), text("Type"), flag("IsDeleted")},
       {{std::string("00T1"), std::string("006A"), std::string("2025-05-01"), std::string("Call"), std::string("Call"), false},
        {std::string("00T2"), std::string("006A"), std::string("2025-05-03"), std::string("Email"), std::string("Email"), false},
        {std::string("00T3"), std::string("006A"), std::string("2025-05-09"), std::string("Call"), std::string("Call"), true}});
  rows("Event", {text("Id"), text("WhatId"), date("ActivityDate"), flag("IsDeleted")},
       {{std::string("00U1"), std::string("006A"), std::string("2025-05-20"), false}});
  auto m = load();
  ASSERT_TRUE(m);
  const Deal& d = m->deals[0];
  ASSERT_EQ(d.splits.size(), 1u) << "the overlay split is over another field, the inactive type never counts";
  EXPECT_DOUBLE_EQ(attributed_amount(d, {"005B"}), 0);
  EXPECT_EQ(d.calls, 1);
  EXPECT_EQ(d.meetings, 1);
  EXPECT_EQ(format_date(*d.last_activity), "2025-05-03") << "a meeting after today is not the last activity";
}

}  // namespace
}  // namespace crmsync::serve
