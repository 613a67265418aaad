// Store::scan streams chosen columns of a table; crmsync_export_ledger keeps export bookkeeping.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "store/store.h"

namespace crmsync::store {
namespace {

using catalog::StorageClass;

class ScanLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_scan_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = Store::open("sqlite:" + (dir_ / "s.db").string());
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ScanLedgerTest, ScanStreamsTheAskedColumnsTyped) {
  std::vector<Column> cols = {{"Id", StorageClass::kText},
                              {"Email", StorageClass::kText},
                              {"IsDeleted", StorageClass::kBoolean},
                              {"Rank", StorageClass::kInteger}};
  ASSERT_TRUE(store_->ensure_table("Contact", cols));
  auto w = store_->writer("Contact", cols);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("003A"), std::string("a@x.com"), false, std::int64_t{3}}));
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("003B"), std::monostate{}, true, std::int64_t{4}}));

  std::map<std::string, std::pair<Value, Value>> seen;
  Status s = store_->scan("Contact", {"Id", "Email", "IsDeleted"}, [&](std::span<const Value> v) -> Status {
    EXPECT_EQ(v.size(), 3u);
    seen[std::get<std::string>(v[0])] = {v[1], v[2]};
    return ok_status();
  });
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(std::get<std::string>(seen["003A"].first), "a@x.com");
  EXPECT_EQ(std::get<bool>(seen["003A"].second), false);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(seen["003B"].first));
  EXPECT_EQ(std::get<bool>(seen["003B"].second), true);
}

TEST_F(ScanLedgerTest, ScanRefusesMissingTableAndColumnAndStopsOnCallbackError) {
  EXPECT_EQ(store_->scan("Lead", {"Id"}, [](auto) { return ok_status(); }).error().kind, ErrorKind::kNotFound);
  std::vector<Column> cols = {{"Id", StorageClass::kText}};
  ASSERT_TRUE(store_->ensure_table("Lead", cols));
  auto w = store_->writer("Lead", cols);
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("00Q1")}));
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("00Q2")}));
  Status missing = store_->scan("Lead", {"Id", "Email"}, [](auto) { return ok_status(); });
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("Email"), std::string::npos);
  int calls = 0;
  Status stopped = store_->scan("Lead", {"Id"}, [&](auto) -> Status {
    ++calls;
    return Error(ErrorKind::kInternal, "STOP", "stop");
  });
  EXPECT_EQ(stopped.error().code, "STOP");
  EXPECT_EQ(calls, 1);
}

TEST_F(ScanLedgerTest, LedgerRowsAreUpsertedByActivityAndSurviveReopen) {
  ExportLedgerEntry e{"act-1", "Task", "", "h1", "pending", "create", "m1", 1700000000000};
  ASSERT_TRUE(store_->put_export_ledger(e));
  e.salesforce_id = "00T000000000001AAA";
  e.state = "written";
  ASSERT_TRUE(store_->put_export_ledger(e));
  ASSERT_TRUE(store_->put_export_ledger({"act-2", "Event", "", "h2", "failed", "create", "m2", 1700000000001}));
  store_.reset();
  auto s = Store::open("sqlite:" + (dir_ / "s.db").string());
  ASSERT_TRUE(s);
  store_ = std::move(*s);
  auto rows = store_->export_ledger();
  ASSERT_TRUE(rows) << rows.error().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].activity_id, "act-1");
  EXPECT_EQ((*rows)[0].salesforce_id, "00T000000000001AAA");
  EXPECT_EQ((*rows)[0].state, "written");
  EXPECT_EQ((*rows)[0].updated_at, 1700000000000);
  EXPECT_EQ((*rows)[1].sobject, "Event");
  EXPECT_EQ((*rows)[1].state, "failed");
}

TEST_F(ScanLedgerTest, LedgerWritesRollBackWithTheTransaction) {
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(store_->put_export_ledger({"act-9", "Task", "", "h", "pending", "create", "m", 1}));
  ASSERT_TRUE(store_->rollback());
  auto rows = store_->export_ledger();
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
}

}  // namespace
}  // namespace crmsync::store
