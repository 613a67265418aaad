// The planner: create / update / delete / unchanged from each ledger state.
#include <gtest/gtest.h>

#include "export/plan.h"

namespace crmsync::exports {
namespace {

using store::ExportLedgerEntry;

Activity live() {
  Activity a;
  a.id = "a1";
  a.status = ActivityStatus::kCompleted;
  return a;
}
Activity deleted() {
  Activity a = live();
  a.status = ActivityStatus::kDeleted;
  return a;
}
ExportLedgerEntry row(std::string state, std::string id, std::string hash = "h1", std::string sobject = "Task") {
  return {"a1", std::move(sobject), std::move(id), std::move(hash), std::move(state), "create", "a1", 0};
}
Action act(const Activity& a, std::optional<ExportLedgerEntry> r, const std::string& hash = "h1") {
  return plan_step(a, r, hash, "Task").action;
}

TEST(PlanTest, NeverWrittenIsCreated) { EXPECT_EQ(act(live(), std::nullopt), Action::kCreate); }

TEST(PlanTest, WrittenAndSameHashIsUnchanged) { EXPECT_EQ(act(live(), row("written", "00T1")), Action::kUnchanged); }

TEST(PlanTest, WrittenAndChangedIsUpdated) {
  EXPECT_EQ(act(live(), row("written", "00T1"), "h2"), Action::kUpdate);
}

TEST(PlanTest, UnfinishedWritesWithARecordAreRedoneAsUpdates) {
  EXPECT_EQ(act(live(), row("pending", "00T1")), Action::kUpdate);
  EXPECT_EQ(act(live(), row("failed", "00T1")), Action::kUpdate);
}

TEST(PlanTest, FailedOrDeletedWithoutALiveRecordIsCreatedAgain) {
  EXPECT_EQ(act(live(), row("failed", "")), Action::kCreate);
  EXPECT_EQ(act(live(), row("deleted", "00T1")), Action::kCreate);
}

TEST(PlanTest, DeletedActivityDeletesItsRecordOnce) {
  EXPECT_EQ(act(deleted(), row("written", "00T1")), Action::kDelete);
  EXPECT_EQ(act(deleted(), row("pending", "00T1")), Action::kDelete);
  EXPECT_EQ(act(deleted(), row("deleted", "00T1")), Action::kUnchanged);
  EXPECT_EQ(act(deleted(), std::nullopt), Action::kUnchanged);
  EXPECT_EQ(act(deleted(), row("failed", "")), Action::kUnchanged);
}

TEST(PlanTest, RecordOfAnotherObjectIsLeftAlone) {
  PlanStep s = plan_step(live(), row("written", "00U1", "h1", "Event"), "h2", "Task");
  EXPECT_EQ(s.action, Action::kUnchanged);
  EXPECT_NE(s.reason.find("left alone"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::exports
