// Table::rows_referencing (the index a master's delete finds its details by) answers what a scan
// of the field answers: in 15- or 18-character form, after updates that move a row to another
// parent or clear it, inserts, purges and a rollback's remove_last.
#include <gtest/gtest.h>

#include <random>

#include "common/sfid.h"
#include "emulator/table.h"
#include "field_fixtures.h"

namespace crmsync::emulator {
namespace {

using emulator::testing::field;

class ReferenceIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FieldDef parent = field("Account__c", "reference");
    parent.reference_to = {"Account"};
    table_ = &db_.add_table(std::make_unique<Table>(
        "Visit__c", "a00", std::vector<FieldDef>{field("Id", "id"), parent, field("SystemModstamp", "datetime")}));
    for (int i = 0; i < 8; ++i) parents_.push_back(make_sf_id("001", static_cast<std::uint64_t>(i + 1)));
    for (int i = 0; i < 200; ++i) insert();
  }
  void insert() { table_->insert(Row{db_.new_id(*table_), random_parent(), Value{}}); }
  Value random_parent() {
    const std::size_t pick = rng_() % (parents_.size() + 1);
    return pick == parents_.size() ? Value{} : Value{parents_[pick]};
  }
  std::vector<std::size_t> scan(const std::string& parent) const {
    std::vector<std::size_t> out;
    for (std::size_t r = 0; r < table_->slot_count(); ++r) {
      const auto* v = std::get_if<std::string>(&table_->row(r)[1]);
      if (v && same_sf_id(*v, parent)) out.push_back(r);
    }
    return out;
  }
  void expect_agrees() const {
    for (const std::string& p : parents_) {
      EXPECT_EQ(table_->rows_referencing(1, p), scan(p)) << p;
      EXPECT_EQ(table_->rows_referencing(1, p.substr(0, 15)), scan(p)) << "15-character form of " << p;
    }
  }

  Database db_;
  Table* table_ = nullptr;
  std::vector<std::string> parents_;
  std::mt19937 rng_{7};
};

TEST_F(ReferenceIndexTest, LookupsAgreeWithAScanAfterEveryKindOfWrite) {
  expect_agrees();
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 15; ++i) table_->mutable_row(rng_() % table_->slot_count())[1] = random_parent();
    for (int i = 0; i < 5; ++i) insert();
    table_->purge(rng_() % table_->slot_count());
    expect_agrees();
  }
  insert();
  table_->remove_last(table_->slot_count() - 1);  // a rolled-back insert
  table_->mutable_row(0)[1] = parents_[0];
  expect_agrees();
  EXPECT_TRUE(table_->rows_referencing(1, "001RO").empty()) << "not an Id";
  EXPECT_TRUE(table_->rows_referencing(1, make_sf_id("001", 99)).empty()) << "no such parent";
}

}  // namespace
}  // namespace crmsync::emulator
