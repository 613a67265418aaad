// The boards' roll-up rules on models built by hand: splits and overlays, team members, the role
// hierarchy, cumulative forecast categories, currency conversion and period edges.
#include <gtest/gtest.h>

#include "serve/boards.h"

namespace crmsync::serve {
namespace {

EpochDays day(const char* text) { return *parse_date(text); }

// CEO <- VP <- {Manager <- {Rep A, Rep B}}; each person holds one role.
class BoardsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    role("R-ceo", "CEO", "");
    role("R-vp", "VP", "R-ceo");
    role("R-mgr", "Manager", "R-vp");
    role("R-rep", "Rep", "R-mgr");
    person("U-ceo", "Cleo CEO", "R-ceo");
    person("U-vp", "Vic VP", "R-vp");
    person("U-mgr", "Mia Manager", "R-mgr");
    person("U-a", "Ann Rep", "R-rep");
    person("U-b", "Bob Rep", "R-rep");
    m.today = day("2025-05-15");
  }
  void role(const std::string& id, const std::string& name, const std::string& parent) { m.roles[id] = {id, name, parent}; }
  void person(const std::string& id, const std::string& name, const std::string& role_id) {
    m.person_by_id[id] = m.people.size();
    m.people.push_back({id, name, role_id, true, "", {}});
  }
  Deal& deal(const std::string& id, const std::string& owner, double amount, const char* close,
             const std::string& category = "Pipeline", const std::string& stage = "Qualification") {
    Deal d;
    d.id = id;
    d.name = id;
    d.owner_id = owner;
    d.amount = amount;
    d.close_date = day(close);
    d.forecast_category = category;
    d.stage = stage;
    m.deal_by_id[id] = m.deals.size();
    m.deals.push_back(d);
    return m.deals.back();
  }
  Period q2() const { return *parse_period("2025-Q2", 1); }
  Model m;
};

TEST_F(BoardsTest, OverlaySplitsOverAmountMayPassOneHundredPercent) {
  Deal& d = deal("D1", "U-a", 1000, "2025-05-01");
  d.splits = {{"U-a", 100}, {"U-b", 50}};  // revenue 100% to Ann, an overlay of 50% to Bob
  index_deals(m);
  link_people(m);
  EXPECT_DOUBLE_EQ(attributed_amount(d, {"U-a"}), 1000);
  EXPECT_DOUBLE_EQ(attributed_amount(d, {"U-b"}), 500);
  EXPECT_DOUBLE_EQ(attributed_amount(d, people_below(m, "U-mgr")), 1500);
  DealFilter f{q2()};
  f.person = "U-mgr";
  DealBoard board = deal_board(m, f);
  ASSERT_EQ(board.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(board.total.amount, 1000);
  EXPECT_DOUBLE_EQ(board.total.attributed, 1500);
}

TEST_F(BoardsTest, ADealWithThreeTeamMembersIsShownAndTotalledOnce) {
  Deal& d = deal("D1", "U-a", 800, "2025-04-10");
  d.team = {"U-a", "U-b", "U-mgr"};
  index_deals(m);
  link_people(m);
  DealFilter f{q2()};
  f.person = "U-vp";
  DealBoard board = deal_board(m, f);
  ASSERT_EQ(board.rows.size(), 1u);
  EXPECT_EQ(board.total.count, 1);
  EXPECT_DOUBLE_EQ(board.total.amount, 800);
  EXPECT_DOUBLE_EQ(board.by_stage["Qualification"].amount, 800);
  // Bob is only on the team: the deal is on his board, without credit.
  f.person = "U-b";
  board = deal_board(m, f);
  ASSERT_EQ(board.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(board.rows[0].attributed, 0);
  ForecastFilter ff{q2()};
  Forecast fc = forecast(m, ff);
  EXPECT_DOUBLE_EQ(fc.total.pipeline, 800) << "three members, one deal";
}

TEST_F(BoardsTest, AManagersTotalIsTheSumOfTheRepsAndTheirOwn) {
  deal("A1", "U-a", 100, "2025-04-02", "Closed", "Closed Won");
  deal("A2", "U-a", 200, "2025-05-02", "Commit");
  deal("B1", "U-b", 400, "2025-06-30", "Best Case");
  deal("M1", "U-mgr", 50, "2025-06-01", "Pipeline");
  index_deals(m);
  link_people(m);
  Forecast fc = forecast(m, {q2(), std::string("U-mgr"), {}, {}});
  ASSERT_EQ(fc.rows.size(), 1u);
  const ForecastRow& mgr = fc.rows[0];
  ASSERT_EQ(mgr.children.size(), 2u);
  Figures sum = mgr.own;
  for (const auto& c : mgr.children) sum += c.total;
  EXPECT_DOUBLE_EQ(mgr.total.pipeline, sum.pipeline);
  EXPECT_DOUBLE_EQ(mgr.total.pipeline, 750);
  EXPECT_DOUBLE_EQ(mgr.total.closed_won, 100);
  // From the top: the CEO's row holds the VP's, which holds the manager's.
  Forecast all = forecast(m, {q2(), std::nullopt, {}, {}});
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(all.rows[0].user_id, "U-ceo");
  EXPECT_DOUBLE_EQ(all.rows[0].total.pipeline, 750);
  EXPECT_DOUBLE_EQ(all.total.pipeline, 750);
}

TEST_F(BoardsTest, CategoriesAreCumulativeAndOmittedCountsNowhere) {
  deal("C", "U-a", 1, "2025-04-01", "Closed", "Closed Won");
  deal("K", "U-a", 10, "2025-04-01", "Commit");
  deal("B", "U-a", 100, "2025-04-01", "Best Case");
  deal("P", "U-a", 1000, "2025-04-01", "Pipeline");
  deal("O", "U-a", 10000, "2025-04-01", "Omitted", "Closed Lost");
  index_deals(m);
  link_people(m);
  Figures f = forecast(m, {q2(), std::nullopt, {}, {}}).total;
  EXPECT_DOUBLE_EQ(f.closed_won, 1);
  EXPECT_DOUBLE_EQ(f.commit, 11);
  EXPECT_DOUBLE_EQ(f.best_case, 111);
  EXPECT_DOUBLE_EQ(f.pipeline, 1111);
  // Without ForecastCategoryName imported, the category follows IsWon / IsClosed.
  Deal lost;
  lost.closed = true;
  EXPECT_EQ(forecast_category(lost), "Omitted");
  lost.won = true;
  EXPECT_EQ(forecast_category(lost), "Closed");
}

TEST_F(BoardsTest, PeriodEdgesAreInclusiveAndFiscalQuartersFollowTheStartMonth) {
  deal("first", "U-a", 1, "2025-04-01");
  deal("last", "U-a", 2, "2025-06-30");
  deal("before", "U-a", 4, "2025-03-31");
  deal("after", "U-a", 8, "2025-07-01");
  index_deals(m);
  link_people(m);
  EXPECT_DOUBLE_EQ(deal_board(m, {q2()}).total.amount, 3);
  Period feb = fiscal_quarter_of(day("2025-01-31"), 2);  // fiscal year from February: Jan is Q4 of FY2024
  EXPECT_EQ(feb.label, "2024-Q4");
  EXPECT_EQ(format_date(feb.from), "2024-11-01");
  EXPECT_EQ(format_date(feb.to), "2025-01-31");
  Period dec = *parse_period("2025-Q1", 12);
  EXPECT_EQ(format_date(dec.from), "2025-12-01");
  EXPECT_EQ(format_date(dec.to), "2026-02-28");
  Period month = *parse_period("2024-02", 1);
  EXPECT_EQ(format_date(month.to), "2024-02-29");
  for (const char* badp : {"2025-Q5", "2025-Q0", "2025-13", "2025", "Q1-2025", "2025-1", "2025-Q1x", ""}) {
    EXPECT_FALSE(parse_period(badp, 1).ok()) << badp;
  }
}

TEST_F(BoardsTest, DaysInStageCountFromTheFirstEntryOfTheCurrentStage) {
  Deal& d = deal("D", "U-a", 1, "2025-05-01", "Pipeline", "Proposal");
  d.created = static_cast<EpochMs>(day("2025-01-01")) * 86400000;
  d.history = {{static_cast<EpochMs>(day("2025-01-01")) * 86400000, "Prospecting", 1, {}},
               {static_cast<EpochMs>(day("2025-05-05")) * 86400000, "Proposal", 1, {}},
               {static_cast<EpochMs>(day("2025-05-10")) * 86400000, "Proposal", 2, {}}};
  EXPECT_EQ(days_in_stage(d, day("2025-05-15")), 10);
  d.history.clear();
  EXPECT_EQ(days_in_stage(d, day("2025-05-15")), 134);  // since created
}

TEST_F(BoardsTest, ChangesCompareWithTheLastEntryBeforeTheDate) {
  m.stage_order = {{"Prospecting", 1}, {"Proposal", 2}};
  Deal& d = deal("D", "U-a", 900, "2025-06-30", "Pipeline", "Prospecting");
  d.history = {{static_cast<EpochMs>(day("2025-04-01")) * 86400000, "Proposal", 1000, day("2025-05-31")}};
  Deal& n = deal("N", "U-a", 5, "2025-06-30");
  n.created = static_cast<EpochMs>(day("2025-05-02")) * 86400000;
  index_deals(m);
  link_people(m);
  auto changes = changes_since(m, day("2025-05-01"), std::nullopt);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kinds, (std::vector<std::string>{"stage_back", "amount_down", "close_pushed"}));
  EXPECT_EQ(changes[1].kinds, (std::vector<std::string>{"new"}));
}

TEST_F(BoardsTest, ARolesPeopleRollUpToOneHolderOfTheParentRole) {
  person("U-mgr2", "Zed Manager", "R-mgr");  // a second manager in the same role
  deal("A", "U-a", 10, "2025-04-01");
  index_deals(m);
  link_people(m);
  Forecast fc = forecast(m, {q2(), std::nullopt, {}, {}});
  ASSERT_EQ(fc.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(fc.rows[0].total.pipeline, 10) << "the rep is counted under one manager only";
  EXPECT_EQ(m.person("U-a")->manager_id, "U-mgr") << "the first holder by name (Mia before Zed)";
  // Both managers still see the rep's deals on their own board.
  EXPECT_TRUE(people_below(m, "U-mgr2").contains("U-a"));
}

}  // namespace
}  // namespace crmsync::serve
