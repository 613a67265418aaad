// What every store::Store backend guarantees, through the Store interface alone: one body of
// tests, instantiated for SQLite in unit_store (store_contract_test.cpp, no sockets) and for
// PostgreSQL in integration_tests (store_contract_pg_test.cpp, a real server).
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(StoreUrlSource{"sqlite", &make}));
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>

#include "store/store.h"

namespace crmsync::store {

// Names a backend and makes a fresh, empty store's url (`dir` is the test's own directory).
struct StoreUrlSource {
  const char* name;
  std::string (*make)(const std::filesystem::path& dir);
};
inline std::string store_source_name(const ::testing::TestParamInfo<StoreUrlSource>& info) { return info.param.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreUrlSource> {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_contract_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    url_ = GetParam().make(dir_);
    reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Closes the store and opens it again, as the next process would.
  void reopen() {
    store_.reset();
    auto s = Store::open(url_);
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
  }
  std::map<std::string, std::vector<std::pair<std::string, Value>>> rows_by_id(const std::string& table) {
    std::map<std::string, std::vector<std::pair<std::string, Value>>> out;
    auto d = store_->dump(table);
    EXPECT_TRUE(d) << d.error().to_string();
    if (!d) return out;
    for (auto& row : *d) {
      for (auto& [name, v] : row) {
        if (name == "Id") out[std::get<std::string>(v)] = row;
      }
    }
    return out;
  }
  static const Value& field(const std::vector<std::pair<std::string, Value>>& row, const std::string& name) {
    for (const auto& [n, v] : row) {
      if (n == name) return v;
    }
    throw std::out_of_range("no column " + name);
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

using catalog::StorageClass;

const std::vector<Column> kEveryType = {
    {"Id", StorageClass::kText},           {"Name", StorageClass::kText},     {"IsDeleted", StorageClass::kBoolean},
    {"Employees", StorageClass::kInteger}, {"Amount", StorageClass::kReal},   {"CloseDate", StorageClass::kDate},
    {"SystemModstamp", StorageClass::kDateTime}, {"StartTime", StorageClass::kTime}};

// A page of rows of every storage class, text with the bytes COPY and SQL must carry through.
inline RowBuffer every_type_page() {
  RowBuffer rows(kEveryType.size());
  const char* names[] = {"Zoë \\ \"quoted\" \t tab", "line\nbreak\r\nand \\N", "", "日本語 🚀 'single'"};
  for (int i = 0; i < 4; ++i) {
    rows.add_row();
    rows.set_text(0, "001" + std::to_string(i));
    rows.set_text(1, names[i]);
    rows.set_bool(2, i % 2 == 1);
    rows.set_int(3, i == 3 ? std::int64_t{-9007199254740993} : std::int64_t{i * 1000});
    rows.set_real(4, i == 0 ? 1234.56 : i == 1 ? 0.1 : i == 2 ? -1e21 : 3);
    rows.set_text(5, "2024-02-29");
    rows.set_text(6, "2024-03-01T10:00:0" + std::to_string(i) + ".12" + std::to_string(i) + "Z");
    if (i == 3) {
      rows.set_null(7);
    } else {
      rows.set_text(7, "23:59:5" + std::to_string(i) + ".500Z");
    }
  }
  return rows;
}

TEST_P(StoreContractTest, EveryTypeRoundTripsExactlyThroughAPageAndThroughSingleRows) {
  ASSERT_TRUE(store_->ensure_table("Account", kEveryType));
  RowBuffer page = every_type_page();
  auto w = store_->writer("Account", kEveryType);
  ASSERT_TRUE(w) << w.error().to_string();
  ASSERT_TRUE(store_->begin());
  Status s = (*w)->upsert_rows(page);
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_TRUE(store_->commit());
  reopen();
  auto rows = rows_by_id("Account");
  ASSERT_EQ(rows.size(), 4u);
  for (std::size_t r = 0; r < page.size(); ++r) {
    const auto& row = rows.at(std::string(page.text(r, 0)));
    for (std::size_t k = 0; k < kEveryType.size(); ++k) {
      Value expected = page.value(r, k);
      if (kEveryType[k].type == StorageClass::kReal && std::holds_alternative<std::int64_t>(expected)) {
        expected = static_cast<double>(std::get<std::int64_t>(expected));
      }
      EXPECT_EQ(field(row, kEveryType[k].name), expected) << kEveryType[k].name << " of row " << r;
    }
  }
  // The same values through single-row upserts (bound as parameters, not COPYed).
  auto w2 = store_->writer("Account", kEveryType);
  ASSERT_TRUE(w2);
  for (std::size_t r = 0; r < page.size(); ++r) {
    std::vector<Value> values = page.row(r);
    values[0] = std::string("002") + std::to_string(r);
    ASSERT_TRUE((*w2)->upsert(values));
    auto row = rows_by_id("Account").at(std::get<std::string>(values[0]));
    EXPECT_EQ(field(row, "Name"), values[1]);
    EXPECT_EQ(field(row, "Amount"), values[4]);
    EXPECT_EQ(field(row, "SystemModstamp"), values[6]);
  }
}

TEST_P(StoreContractTest, APageHoldingAnIdTwiceKeepsItsLastRowAndUpsertsUpdateInPlace) {
  const std::vector<Column> cols = {{"Id", StorageClass::kText}, {"Name", StorageClass::kText}};
  ASSERT_TRUE(store_->ensure_table("Lead", cols));
  auto w = store_->writer("Lead", cols);
  ASSERT_TRUE(w);
  RowBuffer page(2);
  for (const char* name : {"first", "second"}) {
    page.add_row();
    page.set_text(0, "00Q1");
    page.set_text(1, name);
  }
  ASSERT_TRUE((*w)->upsert_rows(page));
  page.reset(2);
  page.add_row();
  page.set_text(0, "00Q1");
  page.set_text(1, "third");
  ASSERT_TRUE((*w)->upsert_rows(page));
  auto rows = rows_by_id("Lead");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(field(rows.at("00Q1"), "Name"), Value(std::string("third")));
  EXPECT_EQ(*store_->count_rows("Lead"), 1);
}

// A first full load appends without the Id index; a load cut short and resumed appends some Ids
// again; building the index keeps each Id's last write.
TEST_P(StoreContractTest, AppendedIdsKeepTheirLastWriteWhenTheIndexIsBuilt) {
  const std::vector<Column> cols = {{"Id", StorageClass::kText}, {"Name", StorageClass::kText}};
  ASSERT_TRUE(store_->ensure_table("Task", cols));
  ASSERT_TRUE(*store_->has_id_index("Task"));
  ASSERT_TRUE(store_->begin());
  auto appending = store_->begin_append("Task");
  ASSERT_TRUE(appending) << appending.error().to_string();
  EXPECT_TRUE(*appending);
  ASSERT_TRUE(store_->commit());
  EXPECT_FALSE(*store_->has_id_index("Task"));
  auto write_page = [&](std::vector<std::pair<std::string, std::string>> rows) {
    auto w = store_->writer("Task", cols, WriteMode::kAppend);
    ASSERT_TRUE(w) << w.error().to_string();
    RowBuffer page(2);
    for (const auto& [id, name] : rows) {
      page.add_row();
      page.set_text(0, id);
      page.set_text(1, name);
    }
    ASSERT_TRUE(store_->begin());
    ASSERT_TRUE((*w)->upsert_rows(page));
    ASSERT_TRUE(store_->commit());
  };
  write_page({{"00T1", "old 1"}, {"00T2", "old 2"}});
  reopen();  // the load was cut short; the next run goes on appending
  ASSERT_TRUE(store_->begin());
  EXPECT_TRUE(*store_->begin_append("Task"));
  ASSERT_TRUE(store_->commit());
  write_page({{"00T2", "new 2"}, {"00T3", "new 3"}});
  EXPECT_EQ(*store_->count_rows("Task"), 4);
  ASSERT_TRUE(store_->begin());
  Status built = store_->ensure_id_index("Task");
  ASSERT_TRUE(built) << built.error().to_string();
  ASSERT_TRUE(store_->commit());
  EXPECT_TRUE(*store_->has_id_index("Task"));
  auto rows = rows_by_id("Task");
  ASSERT_EQ(*store_->count_rows("Task"), 3);
  EXPECT_EQ(field(rows.at("00T1"), "Name"), Value(std::string("old 1")));
  EXPECT_EQ(field(rows.at("00T2"), "Name"), Value(std::string("new 2")));
  // A table with rows keeps its index: later loads upsert.
  ASSERT_TRUE(store_->begin());
  EXPECT_FALSE(*store_->begin_append("Task"));
  ASSERT_TRUE(store_->commit());
}

TEST_P(StoreContractTest, RollbackDiscardsRowsAndStateAndAKilledTransactionLeavesNothing) {
  const std::vector<Column> cols = {{"Id", StorageClass::kText}, {"Name", StorageClass::kText}};
  ASSERT_TRUE(store_->ensure_table("Contact", cols));
  ASSERT_TRUE(store_->begin());
  auto w = store_->writer("Contact", cols);
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("003X"), std::string("gone")}));
  SyncState st;
  st.object = "Contact";
  st.watermark = 1700000000123;
  ASSERT_TRUE(store_->save_state(st));
  ASSERT_TRUE(store_->rollback());
  EXPECT_EQ(*store_->count_rows("Contact"), 0);
  EXPECT_FALSE(store_->load_state("Contact")->has_value());
  // A transaction still open when the store goes (the process dies) is not committed.
  ASSERT_TRUE(store_->begin());
  auto w2 = store_->writer("Contact", cols);
  ASSERT_TRUE((*w2)->upsert(std::vector<Value>{std::string("003Y"), std::string("uncommitted")}));
  w->reset();  // SQLite writers hold the connection (and its transaction) open
  w2->reset();
  reopen();
  EXPECT_EQ(*store_->count_rows("Contact"), 0);
  EXPECT_EQ(store_->commit().error().code, "NO_TRANSACTION");
  ASSERT_TRUE(store_->begin());
  EXPECT_EQ(store_->begin().error().code, "TRANSACTION_OPEN");
  ASSERT_TRUE(store_->rollback());
}

TEST_P(StoreContractTest, SyncStateRoundTripsToTheMillisecond) {
  SyncState st;
  st.object = "Opportunity";
  st.watermark = 1709287200123;
  st.watermark_id = "006000000000001AAA";
  st.full_sync_done = true;
  st.last_run_started = 1709287201001;
  st.last_run_finished = 1709287202999;
  st.rows = 310;
  st.deleted = 7;
  st.api_calls = 3;
  st.last_error = "paused: it's 'quoted'";
  st.last_success = 1709287202999;
  st.formulas_refreshed = 1709287100000;
  st.pending_backfill = "Amount,Probability";
  st.bulk_job_id = "750x";
  st.bulk_locator = "MTAwMDA";
  st.bulk_window_end = 1709287200000;
  ASSERT_TRUE(store_->save_state(st));
  SyncState never;
  never.object = "Account";
  ASSERT_TRUE(store_->save_state(never));
  reopen();
  auto got = store_->load_state("Opportunity");
  ASSERT_TRUE(got && got->has_value());
  const SyncState& g = **got;
  EXPECT_EQ(g.watermark, st.watermark);
  EXPECT_EQ(g.watermark_id, st.watermark_id);
  EXPECT_TRUE(g.full_sync_done);
  EXPECT_EQ(g.last_run_started, st.last_run_started);
  EXPECT_EQ(g.last_run_finished, st.last_run_finished);
  EXPECT_EQ(g.rows, 310);
  EXPECT_EQ(g.deleted, 7);
  EXPECT_EQ(g.api_calls, 3);
  EXPECT_EQ(g.last_error, st.last_error);
  EXPECT_EQ(g.last_success, st.last_success);
  EXPECT_EQ(g.formulas_refreshed, st.formulas_refreshed);
  EXPECT_EQ(g.pending_backfill, st.pending_backfill);
  EXPECT_EQ(g.bulk_locator, st.bulk_locator);
  EXPECT_EQ(g.bulk_window_end, st.bulk_window_end);
  auto all = store_->all_states();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].object, "Account");
  EXPECT_FALSE((*all)[0].watermark.has_value());
  EXPECT_EQ((*all)[0].last_run_started, 0);
}

TEST_P(StoreContractTest, AddedColumnsKeepRowsAndAChangedTypeIsRefusedWithTheFix) {
  std::vector<Column> cols = {{"Id", StorageClass::kText}, {"Name", StorageClass::kText}};
  ASSERT_TRUE(store_->ensure_table("Account", cols));
  ASSERT_TRUE((*store_->writer("Account", cols))->upsert(std::vector<Value>{std::string("001A"), std::string("Acme")}));
  cols.push_back({"Rating", StorageClass::kInteger});
  ASSERT_TRUE(store_->ensure_table("Account", cols));
  auto rows = rows_by_id("Account");
  EXPECT_EQ(field(rows.at("001A"), "Name"), Value(std::string("Acme")));
  EXPECT_EQ(field(rows.at("001A"), "Rating"), Value());
  cols.back().type = StorageClass::kText;
  Status changed = store_->ensure_table("Account", cols);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, "COLUMN_TYPE_CHANGED");
  EXPECT_NE(changed.error().message.find("full sync"), std::string::npos) << changed.error().message;
}

TEST_P(StoreContractTest, ForEachIdStreamsIdsAndLeavesMarkedRowsOutWhenAsked) {
  const std::vector<Column> cols = {{"Id", StorageClass::kText}, {"IsDeleted", StorageClass::kBoolean}};
  ASSERT_TRUE(store_->ensure_table("Contact", cols));
  auto w = store_->writer("Contact", cols);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("003") + std::to_string(i), i % 5 == 0}));
  }
  int all = 0, live = 0;
  ASSERT_TRUE(store_->for_each_id("Contact", false, [&](std::string_view) { ++all; return ok_status(); }));
  ASSERT_TRUE(store_->for_each_id("Contact", true, [&](std::string_view) { ++live; return ok_status(); }));
  EXPECT_EQ(all, 50);
  EXPECT_EQ(live, 40);
  Status stopped = store_->for_each_id("Contact", false, [](std::string_view) -> Status {
    return Error(ErrorKind::kInternal, "STOP", "stop");
  });
  EXPECT_EQ(stopped.error().code, "STOP");
  EXPECT_TRUE(store_->count_rows("Contact").ok()) << "the store is usable after a stopped scan";
  ASSERT_TRUE(store_->for_each_id("NoSuchTable", false, [](std::string_view) { return ok_status(); }));
}

TEST_P(StoreContractTest, ScanStreamsTheAskedColumnsTyped) {
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

TEST_P(StoreContractTest, ScanRefusesMissingTableAndColumnAndStopsOnCallbackError) {
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

TEST_P(StoreContractTest, LedgerRowsAreUpsertedByActivityAndSurviveReopen) {
  ExportLedgerEntry e{"act-1", "Task", "", "h1", "pending", "create", "m1", 1700000000000};
  ASSERT_TRUE(store_->put_export_ledger(e));
  e.salesforce_id = "00T000000000001AAA";
  e.state = "written";
  ASSERT_TRUE(store_->put_export_ledger(e));
  ASSERT_TRUE(store_->put_export_ledger({"act-2", "Event", "", "h2", "failed", "create", "m2", 1700000000001}));
  reopen();
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

TEST_P(StoreContractTest, LedgerWritesRollBackWithTheTransaction) {
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(store_->put_export_ledger({"act-9", "Task", "", "h", "pending", "create", "m", 1}));
  ASSERT_TRUE(store_->rollback());
  auto rows = store_->export_ledger();
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
}

TEST_P(StoreContractTest, EditLogRowsKeepTheirOrderAndRollBackWithTheTransaction) {
  auto empty = store_->edit_log();
  ASSERT_TRUE(empty) << empty.error().to_string();
  EXPECT_TRUE(empty->empty()) << "a store no edit was made in has an empty log";
  EditLogEntry accepted{1700000000123, "005000000000001AAA", "rep@acme.example", "Opportunity", "006000000000001AAA",
                        "StageName", "\"Prospecting\"", "\"Closed Won\"", 204, "accepted", ""};
  EditLogEntry refused = accepted;
  refused.field = "Amount";
  refused.before = "1200.5";
  refused.after = "9000";
  refused.status = 400;
  refused.outcome = "INSUFFICIENT_ACCESS_OR_READONLY";
  refused.message = "insufficient access rights on object id";
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(store_->put_edit_log(accepted));
  ASSERT_TRUE(store_->put_edit_log(refused));
  ASSERT_TRUE(store_->commit());
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(store_->put_edit_log(accepted));
  ASSERT_TRUE(store_->rollback());
  reopen();
  auto rows = store_->edit_log();
  ASSERT_TRUE(rows) << rows.error().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].field, "StageName");
  EXPECT_EQ((*rows)[0].at, 1700000000123);
  EXPECT_EQ((*rows)[0].after, "\"Closed Won\"");
  EXPECT_EQ((*rows)[0].status, 204);
  EXPECT_EQ((*rows)[1].field, "Amount");
  EXPECT_EQ((*rows)[1].outcome, "INSUFFICIENT_ACCESS_OR_READONLY");
  EXPECT_EQ((*rows)[1].message, "insufficient access rights on object id");
  EXPECT_EQ((*rows)[1].username, "rep@acme.example");
}

// --full-refresh's swap: the reload table takes the object's name, its column types and an Id
// index; a rollback leaves the old table as it was; a missing reload table is NO_SUCH_TABLE.
TEST_P(StoreContractTest, ReplaceTableSwapsInTheReloadTableWithItsTypesAndIndexAllOrNothing) {
  const std::vector<Column> old_cols = {{"Id", StorageClass::kText}, {"Name", StorageClass::kText}};
  ASSERT_TRUE(store_->ensure_table("Account", old_cols));
  auto w = store_->writer("Account", old_cols);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("001OLD"), std::string("old")}));
  w->reset();
  const std::string reload = reload_table_name("Account");
  EXPECT_EQ(reload, "crmsync_reload_Account");
  ASSERT_TRUE(store_->ensure_table(reload, kEveryType));
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(*store_->begin_append(reload));  // loaded as a first load is, then indexed
  ASSERT_TRUE(store_->commit());
  auto r = store_->writer(reload, kEveryType, WriteMode::kAppend);
  ASSERT_TRUE(r) << r.error().to_string();
  RowBuffer page = every_type_page();
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE((*r)->upsert_rows(page));
  ASSERT_TRUE(store_->commit());
  r->reset();
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(store_->ensure_id_index(reload));
  ASSERT_TRUE(store_->commit());

  ASSERT_TRUE(store_->begin());
  Status swapped = store_->replace_table("Account", reload);
  ASSERT_TRUE(swapped) << swapped.error().to_string();
  ASSERT_TRUE(store_->rollback());
  EXPECT_EQ(rows_by_id("Account").count("001OLD"), 1u) << "rolled back: the old table stays";
  EXPECT_EQ(*store_->count_rows(reload), 4);

  ASSERT_TRUE(store_->begin());
  swapped = store_->replace_table("Account", reload);
  ASSERT_TRUE(swapped) << swapped.error().to_string();
  ASSERT_TRUE(store_->commit());
  reopen();
  EXPECT_TRUE(store_->columns(reload)->empty());
  auto rows = rows_by_id("Account");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows.count("001OLD"), 0u);
  for (std::size_t r2 = 0; r2 < page.size(); ++r2) {
    const auto& row = rows.at(std::string(page.text(r2, 0)));
    EXPECT_EQ(field(row, "IsDeleted"), page.value(r2, 2)) << "booleans read back as booleans";
    EXPECT_EQ(field(row, "CloseDate"), page.value(r2, 5));
  }
  EXPECT_TRUE(*store_->has_id_index("Account"));
  auto up = store_->writer("Account", kEveryType);  // upserts by Id again
  ASSERT_TRUE(up) << up.error().to_string();
  std::vector<Value> changed = page.row(0);
  changed[1] = std::string("renamed");
  ASSERT_TRUE((*up)->upsert(changed));
  EXPECT_EQ(*store_->count_rows("Account"), 4);
  up->reset();

  // A reload of an object whose table is gone becomes the table; no reload at all is NO_SUCH_TABLE.
  ASSERT_TRUE(store_->ensure_table(reload_table_name("Lead"), old_cols));
  ASSERT_TRUE(store_->replace_table("Lead", reload_table_name("Lead")));
  EXPECT_TRUE(*store_->has_id_index("Lead"));
  auto missing = store_->replace_table("Contact", reload_table_name("Contact"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "NO_SUCH_TABLE");
}

TEST_P(StoreContractTest, MetaKeepsTheLastValuePutAndSurvivesReopen) {
  auto none = store_->meta(kInstanceUrlKey);
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store_->put_meta(kInstanceUrlKey, "https://old.my.salesforce.com"));
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(store_->put_meta(kInstanceUrlKey, "https://acme.my.salesforce.com"));
  ASSERT_TRUE(store_->commit());
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE(store_->put_meta(kInstanceUrlKey, "https://uncommitted.my.salesforce.com"));
  ASSERT_TRUE(store_->rollback());
  reopen();
  auto url = store_->meta(kInstanceUrlKey);
  ASSERT_TRUE(url) << url.error().to_string();
  EXPECT_EQ(url->value_or(""), "https://acme.my.salesforce.com");
}

// A search box over a big object: the rows holding every word are found however many rows hold
// each word alone (the candidates ranked are the first matches of all the words, not of each), a
// single word's hits all hold it, a word no row holds finds nothing (PostgreSQL: through the index,
// not by reading the table), and the snapshot reads on after a search.
TEST_P(StoreContractTest, SearchFindsTheRowsHoldingEveryWordHoweverManyHoldEachAlone) {
  using catalog::FieldType;
  const std::vector<Column> cols = {{"Id", StorageClass::kText, FieldType::kId},
                                    {"FirstName", StorageClass::kText, FieldType::kString},
                                    {"LastName", StorageClass::kText, FieldType::kString}};
  ASSERT_TRUE(store_->ensure_table("Contact", cols));
  ASSERT_TRUE(store_->ensure_search_index("Contact", {"FirstName", "LastName"}));
  // 80,000 rows: "Alpha" in the first 40,001, "Beta" in the last 40,000: one row holds both.
  constexpr int kRows = 80000, kBoth = 40000;
  auto id_of = [](int i) { return fmt::format("003{:012d}AAA", i); };
  RowBuffer page(cols.size());
  for (int i = 0; i < kRows; ++i) {
    page.add_row();
    page.set_text(0, id_of(i));
    page.set_text(1, i <= kBoth ? "Alpha" : "Person");
    page.set_text(2, i >= kBoth ? "Beta" : "Surname");
  }
  auto w = store_->writer("Contact", cols);
  ASSERT_TRUE(w) << w.error().to_string();
  ASSERT_TRUE(store_->begin());
  ASSERT_TRUE((*w)->upsert_rows(page));
  SyncState st;
  st.object = "Contact";
  st.watermark = 1700000000123;
  ASSERT_TRUE(store_->save_state(st));
  ASSERT_TRUE(store_->commit());

  auto reader = StoreReader::open(url_);
  ASSERT_TRUE(reader) << reader.error().to_string();
  auto snap = (*reader)->snapshot();
  ASSERT_TRUE(snap) << snap.error().to_string();
  auto both = (*snap)->search({"Contact", {"alph", "bet"}, {"FirstName", "LastName"}, 10});
  ASSERT_TRUE(both) << both.error().to_string();
  ASSERT_EQ(both->size(), 1u);
  EXPECT_EQ((*both)[0].id, id_of(kBoth));
  EXPECT_EQ((*both)[0].title, "Alpha Beta");
  auto one = (*snap)->search({"Contact", {"alph"}, {"FirstName"}, 5});
  ASSERT_TRUE(one) << one.error().to_string();
  ASSERT_EQ(one->size(), 5u);
  for (const auto& hit : *one) EXPECT_EQ(hit.title, "Alpha") << hit.id;
  auto none = (*snap)->search({"Contact", {"gamma"}, {"FirstName"}, 5});
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_TRUE(none->empty());
  std::int64_t scanned = 0;
  ASSERT_TRUE((*snap)->scan("Contact", {"Id"}, [&](std::span<const Value>) {
    ++scanned;
    return ok_status();
  }));
  EXPECT_EQ(scanned, kRows);
}

}  // namespace crmsync::store
