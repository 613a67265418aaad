// ORDER BY SystemModstamp, Id served from the table's modstamp index gives exactly what sorting
// the matches gives: with ties, null stamps, WHERE floors (>=, >), other filters, LIMIT/OFFSET,
// soft deletes, and after writes that move rows (updates, inserts, new fields).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/sfid.h"
#include "common/timeutil.h"
#include "emulator/soql/soql.h"
#include "field_fixtures.h"

namespace crmsync::emulator::soql {
namespace {

using emulator::testing::field;

class SoqlIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = &db_.add_table(std::make_unique<Table>(
        "Lead", "00Q",
        std::vector<FieldDef>{field("Id", "id"), field("Name", "string"), field("IsDeleted", "boolean"),
                              field("SystemModstamp", "datetime")}));
    for (int i = 0; i < 400; ++i) insert_random();
  }

  void insert_random() {
    Row row{db_.new_id(*table_), std::string(1, static_cast<char>('a' + rng_() % 26)), rng_() % 7 == 0, Value{}};
    if (rng_() % 11) row[3] = DateTime{kBase + static_cast<EpochMs>(rng_() % 50) * 1000};  // many ties
    // Rows are not inserted in Id order relative to their stamps.
    table_->insert(std::move(row));
  }

  // What the index must reproduce: every visible row, sorted by (null first, stamp, Id).
  std::vector<std::uint32_t> brute(bool include_deleted, std::optional<EpochMs> ge, std::size_t offset,
                                   std::size_t limit) const {
    std::vector<std::uint32_t> rows;
    for (std::size_t r = 0; r < table_->slot_count(); ++r) {
      const Row& row = table_->row(r);
      if (table_->purged(r) || (!include_deleted && std::get<bool>(row[2]))) continue;
      const auto* d = std::get_if<DateTime>(&row[3]);
      if (ge && (!d || d->ms < *ge)) continue;
      rows.push_back(static_cast<std::uint32_t>(r));
    }
    std::sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
      const auto* x = std::get_if<DateTime>(&table_->row(a)[3]);
      const auto* y = std::get_if<DateTime>(&table_->row(b)[3]);
      if (!x || !y) {
        if (!x && !y) return std::get<std::string>(table_->row(a)[0]) < std::get<std::string>(table_->row(b)[0]);
        return !x;
      }
      if (x->ms != y->ms) return x->ms < y->ms;
      return std::get<std::string>(table_->row(a)[0]) < std::get<std::string>(table_->row(b)[0]);
    });
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(std::min(offset, rows.size())));
    if (rows.size() > limit) rows.resize(limit);
    return rows;
  }

  std::vector<std::uint32_t> run(const std::string& text, bool include_deleted) const {
    auto q = parse(text);
    EXPECT_TRUE(q.ok()) << text;
    auto r = execute(*q, db_, {.include_deleted = include_deleted});
    EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? r->rows : std::vector<std::uint32_t>{};
  }

  void expect_all_shapes() {
    const std::string floor = format_datetime_soql(kBase + 20000);
    for (bool all : {false, true}) {
      EXPECT_EQ(run("SELECT Id FROM Lead ORDER BY SystemModstamp, Id", all), brute(all, {}, 0, SIZE_MAX));
      // The generic sort (a third key) agrees with the index.
      EXPECT_EQ(run("SELECT Id FROM Lead ORDER BY SystemModstamp, Id, Name", all),
                run("SELECT Id FROM Lead ORDER BY SystemModstamp, Id", all));
      EXPECT_EQ(run("SELECT Id FROM Lead WHERE SystemModstamp >= " + floor + " ORDER BY SystemModstamp, Id", all),
                brute(all, kBase + 20000, 0, SIZE_MAX));
      EXPECT_EQ(run("SELECT Id FROM Lead WHERE SystemModstamp > " + floor + " ORDER BY SystemModstamp, Id", all),
                brute(all, kBase + 20001, 0, SIZE_MAX));
      EXPECT_EQ(run("SELECT Id FROM Lead WHERE SystemModstamp >= " + floor +
                        " ORDER BY SystemModstamp, Id LIMIT 25 OFFSET 10",
                    all),
                brute(all, kBase + 20000, 10, 25));
      EXPECT_EQ(run("SELECT Id FROM Lead WHERE Name = 'q' OR SystemModstamp >= " + floor +
                        " ORDER BY SystemModstamp, Id, Name",
                    all),
                run("SELECT Id FROM Lead WHERE Name = 'q' OR SystemModstamp >= " + floor +
                        " ORDER BY SystemModstamp, Id",
                    all));
    }
  }

  static constexpr EpochMs kBase = 1'700'000'000'000;
  std::mt19937 rng_{7};
  Database db_;
  Table* table_ = nullptr;
};

TEST_F(SoqlIndexTest, ModstampOrderEqualsSortingTheMatches) { expect_all_shapes(); }

TEST_F(SoqlIndexTest, WritesMoveRowsInTheIndex) {
  expect_all_shapes();  // builds the index
  for (std::size_t r = 0; r < table_->slot_count(); r += 9) {
    table_->mutable_row(r)[3] = DateTime{kBase + 60000 + static_cast<EpochMs>(r)};  // an update: newest stamp
  }
  for (int i = 0; i < 30; ++i) insert_random();
  table_->purge(5);
  table_->mutable_row(6)[2] = true;
  expect_all_shapes();
  table_->add_field(field("Rating", "string"));
  expect_all_shapes();
}

// Writes after the index is built are merged into it, not rebuilt: many rounds of updates (to the
// newest stamp, back among older ties, to null, or leaving the stamp alone), inserts and rolled-back
// inserts, each followed by queries that must agree with sorting. A reader holding the order from
// before a round keeps it as it was (every other round; in the others the order is updated in place).
TEST_F(SoqlIndexTest, IncrementalIndexUpdatesAgreeWithSorting) {
  expect_all_shapes();
  for (int round = 0; round < 24; ++round) {
    if (round % 6 == 5) table_->remove_last(table_->slot_count() - 1);  // a row the index holds
    auto before = table_->modstamp_order();
    const std::vector<std::uint32_t> snapshot = *before;
    for (int k = 0; k < 15; ++k) {
      Row& row = table_->mutable_row(rng_() % table_->slot_count());
      switch (rng_() % 4) {
        case 0: row[3] = DateTime{kBase + 60000 + round * 100 + k}; break;
        case 1: row[3] = DateTime{kBase + static_cast<EpochMs>(rng_() % 50) * 1000}; break;
        case 2: row[3] = Value{}; break;
        default: row[1] = std::string("z"); break;
      }
    }
    for (int i = 0; i < 5; ++i) insert_random();
    if (round % 4 == 3) table_->remove_last(table_->slot_count() - 1);  // a row inserted since
    if (round % 2) before.reset();  // nobody holds it: the index is updated in place
    expect_all_shapes();
    if (before) {
      EXPECT_EQ(*before, snapshot);
    }
  }
}

}  // namespace
}  // namespace crmsync::emulator::soql
