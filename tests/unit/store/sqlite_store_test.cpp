#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/store.h"

namespace crmsync::store {
namespace {

using catalog::StorageClass;
using Row = std::vector<std::pair<std::string, Value>>;

// A fresh directory per test, removed afterwards.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_store_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name = "crmsync.db") const { return (dir_ / name).string(); }
  std::string url(const std::string& name = "crmsync.db") const { return "sqlite:" + path(name); }

  std::unique_ptr<Store> open_store(const std::string& name = "crmsync.db") {
    auto s = Store::open(url(name));
    if (!s) ADD_FAILURE() << s.error().to_string();
    return s ? std::move(*s) : nullptr;
  }

  // One value read straight from the file through a separate connection, as a user would.
  std::string raw_text(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    std::string out = "<no row>";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      out = std::string("<error: ") + sqlite3_errmsg(db) + ">";
    } else if (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "<null>";
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  std::filesystem::path dir_;
};

const std::vector<Column> kAccount = {
    {"Id", StorageClass::kText},           {"Name", StorageClass::kText},
    {"IsDeleted", StorageClass::kBoolean}, {"NumberOfEmployees", StorageClass::kInteger},
    {"AnnualRevenue", StorageClass::kReal}, {"LastActivityDate", StorageClass::kDate},
    {"SystemModstamp", StorageClass::kDateTime},
};

std::vector<Value> account(const std::string& id, const std::string& name, std::int64_t employees = 10) {
  return {Value(id), Value(name), Value(false), Value(employees), Value(1.5e6), Value(std::string("2024-02-29")),
          Value(std::string("2024-03-01T10:00:00.000Z"))};
}

const Value& field(const Row& row, const std::string& name) {
  for (const auto& [n, v] : row) {
    if (n == name) return v;
  }
  throw std::out_of_range("no column " + name);
}

std::vector<Row> dump_of(Store& s, const std::string& table) {
  auto d = s.dump(table);
  if (!d) ADD_FAILURE() << d.error().to_string();
  return d ? *d : std::vector<Row>{};
}

// `crmsync status` opens without creating: a store no sync has made is STORE_NOT_FOUND, and no
// file is left behind; an existing store opens as usual.
TEST_F(SqliteStoreTest, OpenWithoutCreateRefusesAMissingStoreAndCreatesNothing) {
  auto missing = Store::open({.url = url("never.db"), .create_if_missing = false});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().code, "STORE_NOT_FOUND");
  EXPECT_FALSE(std::filesystem::exists(path("never.db")));
  ASSERT_NE(open_store("made.db"), nullptr);
  auto existing = Store::open({.url = url("made.db"), .create_if_missing = false});
  EXPECT_TRUE(existing.ok()) << existing.error().to_string();
}

TEST_F(SqliteStoreTest, UpsertInsertsThenUpdatesTheSameIdThenDeletes) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto w = s->writer("Account", kAccount);
  ASSERT_TRUE(w) << w.error().to_string();
  ASSERT_TRUE(s->begin());
  ASSERT_TRUE((*w)->upsert(account("001A", "Acme")));
  ASSERT_TRUE((*w)->upsert(account("001B", "Globex")));
  ASSERT_TRUE((*w)->upsert(account("001A", "Acme Corp", 42)));
  ASSERT_TRUE(s->commit());

  EXPECT_EQ(*s->count_rows("Account"), 2);
  auto rows = dump_of(*s, "Account");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(field(rows[0], "Id"), Value(std::string("001A")));
  EXPECT_EQ(field(rows[0], "Name"), Value(std::string("Acme Corp")));
  EXPECT_EQ(field(rows[0], "NumberOfEmployees"), Value(std::int64_t{42}));

  ASSERT_TRUE((*w)->remove("001A"));
  ASSERT_TRUE((*w)->remove("001-never-existed"));  // deleting an absent row is not an error
  rows = dump_of(*s, "Account");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(field(rows[0], "Id"), Value(std::string("001B")));
}

TEST_F(SqliteStoreTest, EnsureTableAddsMissingColumnsAndKeepsRows) {
  auto s = open_store();
  std::vector<Column> narrow(kAccount.begin(), kAccount.begin() + 2);
  ASSERT_TRUE(s->ensure_table("Account", narrow));
  auto w = s->writer("Account", narrow);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("001A"), std::string("Acme")}));

  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  ASSERT_TRUE(s->ensure_table("Account", kAccount));  // idempotent
  auto cols = s->columns("Account");
  ASSERT_TRUE(cols);
  EXPECT_EQ(*cols, (std::vector<std::string>{"Id", "Name", "IsDeleted", "NumberOfEmployees", "AnnualRevenue",
                                             "LastActivityDate", "SystemModstamp"}));
  auto rows = dump_of(*s, "Account");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(field(rows[0], "Name"), Value(std::string("Acme")));
  EXPECT_EQ(field(rows[0], "NumberOfEmployees"), Value(std::monostate{}));

  // A writer prepared after the change sees the new columns.
  auto wide = s->writer("Account", kAccount);
  ASSERT_TRUE(wide) << wide.error().to_string();
  ASSERT_TRUE((*wide)->upsert(account("001A", "Acme", 7)));
  EXPECT_EQ(field(dump_of(*s, "Account")[0], "NumberOfEmployees"), Value(std::int64_t{7}));
}

TEST_F(SqliteStoreTest, WriterWithSomeColumnsLeavesTheOthersUntouched) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  ASSERT_TRUE((*s->writer("Account", kAccount))->upsert(account("001A", "Acme", 42)));

  std::vector<Column> subset = {{"Name", StorageClass::kText}, {"Id", StorageClass::kText}};
  auto w = s->writer("Account", subset);
  ASSERT_TRUE(w) << w.error().to_string();
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("Acme Renamed"), std::string("001A")}));
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("New Co"), std::string("001Z")}));

  auto rows = dump_of(*s, "Account");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(field(rows[0], "Name"), Value(std::string("Acme Renamed")));
  EXPECT_EQ(field(rows[0], "NumberOfEmployees"), Value(std::int64_t{42}));
  EXPECT_EQ(field(rows[0], "SystemModstamp"), Value(std::string("2024-03-01T10:00:00.000Z")));
  EXPECT_EQ(field(rows[1], "Name"), Value(std::string("New Co")));
  EXPECT_EQ(field(rows[1], "NumberOfEmployees"), Value(std::monostate{}));
}

TEST_F(SqliteStoreTest, WriterNeedsIdAnExistingTableAndKnownColumns) {
  auto s = open_store();
  auto no_table = s->writer("Account", kAccount);
  ASSERT_FALSE(no_table);
  EXPECT_EQ(no_table.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(no_table.error().message.find("Account"), std::string::npos);

  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto no_id = s->writer("Account", {{"Name", StorageClass::kText}});
  ASSERT_FALSE(no_id);
  EXPECT_NE(no_id.error().message.find("Id"), std::string::npos);

  auto unknown = s->writer("Account", {{"Id", StorageClass::kText}, {"Shoe_Size__c", StorageClass::kInteger}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kStore);
  EXPECT_NE(unknown.error().message.find("Account"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("Shoe_Size__c"), std::string::npos);  // SQLite's "no column named"
}

TEST_F(SqliteStoreTest, ValuesOfTheWrongTypeAreRefusedNamingTheColumn) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto w = s->writer("Account", kAccount);
  auto row = account("001A", "Acme");
  row[3] = Value(std::string("ten"));  // NumberOfEmployees
  auto r = (*w)->upsert(row);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Account.NumberOfEmployees"), std::string::npos);
  EXPECT_FALSE((*w)->upsert(std::vector<Value>{std::string("001A")}));  // wrong value count
  EXPECT_EQ(*s->count_rows("Account"), 0);
}

TEST_F(SqliteStoreTest, UpsertRowsWritesAPageBufferAsUpsertWritesRows) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto w = s->writer("Account", kAccount);
  ASSERT_TRUE(w) << w.error().to_string();
  RowBuffer page(kAccount.size());
  for (const auto& row : {account("001A", "Acme"), account("001B", "Globex \xC3\xA9", -3), account("001A", "Acme Corp", 42)}) {
    page.add_row();
    for (std::size_t k = 0; k < row.size(); ++k) page.set_value(k, row[k]);
  }
  page.add_row();  // a row of NULLs but its Id and a REAL column given an integer
  page.set_text(0, "001C");
  page.set_int(4, 7);
  ASSERT_TRUE((*w)->upsert_rows(page));

  auto rows = dump_of(*s, "Account");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(field(rows[0], "Name"), Value(std::string("Acme Corp")));  // the later row of the same Id wins
  EXPECT_EQ(field(rows[0], "NumberOfEmployees"), Value(std::int64_t{42}));
  EXPECT_EQ(field(rows[1], "Name"), Value(std::string("Globex \xC3\xA9")));
  EXPECT_EQ(field(rows[1], "IsDeleted"), Value(false));
  EXPECT_EQ(field(rows[1], "SystemModstamp"), Value(std::string("2024-03-01T10:00:00.000Z")));
  EXPECT_EQ(field(rows[2], "Name"), Value(std::monostate{}));
  EXPECT_EQ(field(rows[2], "AnnualRevenue"), Value(7.0));
}

TEST_F(SqliteStoreTest, UpsertRowsRefusesWrongTypesMissingIdsAndWidths) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto w = s->writer("Account", kAccount);
  RowBuffer page(kAccount.size());
  page.add_row();
  page.set_text(0, "001A");
  page.set_text(3, "ten");  // NumberOfEmployees
  auto r = (*w)->upsert_rows(page);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "TYPE_MISMATCH");
  EXPECT_NE(r.error().message.find("Account.NumberOfEmployees"), std::string::npos);
  EXPECT_NE(r.error().message.find("001A"), std::string::npos);

  page.reset(kAccount.size());
  page.add_row();  // no Id
  page.set_text(1, "Nameless");
  r = (*w)->upsert_rows(page);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "MISSING_ID");

  RowBuffer narrow(2);
  narrow.add_row();
  narrow.set_text(0, "001B");
  r = (*w)->upsert_rows(narrow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "VALUE_COUNT");
  EXPECT_EQ(*s->count_rows("Account"), 0);
}

TEST_F(SqliteStoreTest, RollbackDiscardsRowsAndState) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto w = s->writer("Account", kAccount);
  ASSERT_TRUE(s->begin());
  ASSERT_TRUE((*w)->upsert(account("001A", "Acme")));
  ASSERT_TRUE(s->save_state(SyncState{.object = "Account", .watermark = 1709287200000, .watermark_id = "001A"}));
  ASSERT_TRUE(s->rollback());

  EXPECT_EQ(*s->count_rows("Account"), 0);
  auto st = s->load_state("Account");
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->has_value());
}

TEST_F(SqliteStoreTest, TransactionMisuseIsAnErrorValue) {
  auto s = open_store();
  EXPECT_TRUE(s->rollback());  // nothing open: a no-op so error paths can always call it
  auto c = s->commit();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kInternal);
  ASSERT_TRUE(s->begin());
  auto nested = s->begin();
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("already open"), std::string::npos);
  EXPECT_TRUE(s->commit());  // the first transaction is still usable
}

TEST_F(SqliteStoreTest, SyncStateRoundTripsAndIsReadableIsoText) {
  auto s = open_store();
  SyncState a;
  a.object = "Account";
  a.watermark = *parse_datetime("2024-03-01T10:00:00.123Z");
  a.watermark_id = "001A";
  a.full_sync_done = true;
  a.last_run_started = *parse_datetime("2024-03-02T08:00:00.000Z");
  a.last_run_finished = *parse_datetime("2024-03-02T08:05:30.250Z");
  a.rows = 123456;
  a.deleted = 7;
  a.api_calls = 31;
  a.last_error = "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.";
  SyncState c{.object = "Contact"};  // never run: no watermark, no times
  ASSERT_TRUE(s->begin());
  ASSERT_TRUE(s->save_state(a));
  ASSERT_TRUE(s->save_state(c));
  ASSERT_TRUE(s->commit());

  auto got = s->load_state("Account");
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  const SyncState& g = **got;
  EXPECT_EQ(g.watermark, a.watermark);
  EXPECT_EQ(g.watermark_id, "001A");
  EXPECT_TRUE(g.full_sync_done);
  EXPECT_EQ(g.last_run_started, a.last_run_started);
  EXPECT_EQ(g.last_run_finished, a.last_run_finished);
  EXPECT_EQ(g.rows, 123456);
  EXPECT_EQ(g.deleted, 7);
  EXPECT_EQ(g.api_calls, 31);
  EXPECT_EQ(g.last_error, a.last_error);

  auto all = s->all_states();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].object, "Contact");
  EXPECT_FALSE((*all)[1].watermark.has_value());
  EXPECT_EQ((*all)[1].last_run_started, 0);
  EXPECT_FALSE((*s->load_state("Lead")).has_value());

  // Updating replaces the row; the text a user sees in sqlite3 is ISO-8601 UTC.
  a.rows = 5;
  a.last_error.clear();
  ASSERT_TRUE(s->save_state(a));
  EXPECT_EQ((**s->load_state("Account")).rows, 5);
  EXPECT_EQ((**s->load_state("Account")).last_error, "");
  EXPECT_EQ(raw_text("SELECT watermark FROM crmsync_sync_state WHERE object='Account'"), "2024-03-01T10:00:00.123Z");
  EXPECT_EQ(raw_text("SELECT last_run_finished FROM crmsync_sync_state WHERE object='Account'"),
            "2024-03-02T08:05:30.250Z");
  EXPECT_EQ(raw_text("SELECT value FROM crmsync_meta WHERE key='schema_version'"), "1");
  EXPECT_EQ(raw_text("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, UnknownUrlSchemeIsAConfigErrorNamingTheAcceptedForm) {
  for (std::string bad : {"mysql://db/crm", "crmsync.db", "", "sqlite://crm.db"}) {
    auto s = Store::open(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().kind, ErrorKind::kConfig) << bad;
    EXPECT_NE(s.error().message.find("sqlite:PATH"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(bad), std::string::npos) << s.error().message;
  }
  auto other = Store::open("mysql://crm:s3cret@db.example.com/crm");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, ErrorKind::kConfig);
  EXPECT_EQ(other.error().message.find("s3cret"), std::string::npos) << "passwords never reach messages";
  EXPECT_NE(other.error().message.find("mysql://crm:***@db.example.com/crm"), std::string::npos) << other.error().message;
  EXPECT_NE(other.error().message.find("postgresql://"), std::string::npos) << "names the PostgreSQL form too";
}

TEST_F(SqliteStoreTest, OpenFailureIsAStoreErrorNamingThePathAndReason) {
  auto missing_dir = Store::open("sqlite:" + path("no/such/dir/crm.db"));
  ASSERT_FALSE(missing_dir);
  EXPECT_EQ(missing_dir.error().kind, ErrorKind::kStore);
  EXPECT_NE(missing_dir.error().message.find(path("no/such/dir/crm.db")), std::string::npos);
  EXPECT_NE(missing_dir.error().message.find("unable to open"), std::string::npos) << missing_dir.error().message;

  std::ofstream(path("notes.txt")) << "these are not the pages you are looking for, not a database at all\n"
                                   << std::string(5000, 'x');
  auto not_db = Store::open(url("notes.txt"));
  ASSERT_FALSE(not_db);
  EXPECT_EQ(not_db.error().kind, ErrorKind::kStore);
  EXPECT_NE(not_db.error().message.find("not a database"), std::string::npos) << not_db.error().message;
}

TEST_F(SqliteStoreTest, NamesThatAreNotIdentifiersAreRefused) {
  auto s = open_store();
  for (std::string bad : {"Account; DROP TABLE crmsync_meta", "Acc\"ount", "1Account", "", "Accöunt"}) {
    auto r = s->ensure_table(bad, kAccount);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kConfig);
    EXPECT_NE(r.error().message.find(bad), std::string::npos);
  }
  auto reserved = s->ensure_table("crmsync_sync_state", kAccount);
  ASSERT_FALSE(reserved);
  EXPECT_EQ(reserved.error().kind, ErrorKind::kConfig);

  auto bad_col = s->ensure_table("Account", {{"Id", StorageClass::kText}, {"Name\") --", StorageClass::kText}});
  ASSERT_FALSE(bad_col);
  EXPECT_EQ(bad_col.error().kind, ErrorKind::kConfig);
  EXPECT_NE(bad_col.error().message.find("Account"), std::string::npos);
  EXPECT_TRUE(s->columns("Account")->empty()) << "nothing is created when a name is refused";
  auto dup = s->ensure_table("Account", {{"Id", StorageClass::kText}, {"Name", StorageClass::kText},
                                         {"NAME", StorageClass::kText}});
  EXPECT_FALSE(dup);

  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto bad_writer = s->writer("Account", {{"Id", StorageClass::kText}, {"Name = 'x'", StorageClass::kText}});
  ASSERT_FALSE(bad_writer);
  EXPECT_EQ(bad_writer.error().kind, ErrorKind::kConfig);
  EXPECT_EQ(raw_text("SELECT value FROM crmsync_meta WHERE key='schema_version'"), "1");
}

TEST_F(SqliteStoreTest, UnicodeAndLongTextRoundTripByteForByte) {
  auto s = open_store();
  std::vector<Column> cols = {{"Id", StorageClass::kText}, {"Description", StorageClass::kText}};
  ASSERT_TRUE(s->ensure_table("Task", cols));
  auto w = s->writer("Task", cols);
  std::string unicode = "Zoë in Zürich — 東京 📞 \"quoted\" 'single' \\ back";
  std::string long_text;
  while (long_text.size() < 10000) long_text += "0123456789é";  // multi-byte characters too
  std::string with_nul("a\0b", 3);
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("00T1"), unicode}));
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("00T2"), long_text}));
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("00T3"), with_nul}));
  auto rows = dump_of(*s, "Task");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(field(rows[0], "Description"), Value(unicode));
  EXPECT_EQ(field(rows[1], "Description"), Value(long_text));
  EXPECT_EQ(field(rows[2], "Description"), Value(with_nul));
}

TEST_F(SqliteStoreTest, ValuesReadBackWithTheirColumnTypes) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto w = s->writer("Account", kAccount);
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("001A"), std::string("Acme"), true, std::int64_t{-5},
                                              std::int64_t{3}, std::string("2024-02-29"),
                                              std::string("2024-03-01T10:00:00.000Z")}));
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("001B"), std::monostate{}, false,
                                              std::int64_t{9007199254740993}, 0.1, std::monostate{},
                                              std::monostate{}}));
  auto rows = dump_of(*s, "Account");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(field(rows[0], "IsDeleted"), Value(true));
  EXPECT_EQ(field(rows[0], "NumberOfEmployees"), Value(std::int64_t{-5}));
  EXPECT_EQ(field(rows[0], "AnnualRevenue"), Value(3.0));  // an integer given to a REAL column reads back REAL
  EXPECT_EQ(field(rows[0], "LastActivityDate"), Value(std::string("2024-02-29")));
  EXPECT_EQ(field(rows[1], "Name"), Value(std::monostate{}));
  EXPECT_EQ(field(rows[1], "IsDeleted"), Value(false));
  EXPECT_EQ(field(rows[1], "NumberOfEmployees"), Value(std::int64_t{9007199254740993}));  // beyond double
  EXPECT_EQ(field(rows[1], "AnnualRevenue"), Value(0.1));
  // What a user sees in sqlite3: booleans are 0/1 integers.
  EXPECT_EQ(raw_text("SELECT typeof(IsDeleted) || ':' || IsDeleted FROM Account WHERE Id='001A'"), "integer:1");
}

TEST_F(SqliteStoreTest, ReopeningSeesCommittedRowsButNotUncommittedOnes) {
  {
    auto s = open_store();
    ASSERT_TRUE(s->ensure_table("Account", kAccount));
    auto w = s->writer("Account", kAccount);
    ASSERT_TRUE(s->begin());
    ASSERT_TRUE((*w)->upsert(account("001A", "Committed")));
    ASSERT_TRUE(s->save_state(SyncState{.object = "Account", .watermark = 1000, .watermark_id = "001A"}));
    ASSERT_TRUE(s->commit());
    ASSERT_TRUE(s->begin());
    ASSERT_TRUE((*w)->upsert(account("001B", "Uncommitted")));
    ASSERT_TRUE(s->save_state(SyncState{.object = "Account", .watermark = 2000, .watermark_id = "001B"}));
    // Closed without commit: the writer and store go away with the transaction open.
  }
  auto s = open_store();
  auto rows = dump_of(*s, "Account");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(field(rows[0], "Name"), Value(std::string("Committed")));
  EXPECT_EQ((**s->load_state("Account")).watermark, 1000);
}

TEST_F(SqliteStoreTest, AKilledProcessLosesOnlyItsUncommittedTransaction) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child writes, commits, starts a second transaction and dies without closing anything.
    auto s = Store::open(url());
    if (!s || !(*s)->ensure_table("Account", kAccount)) _exit(3);
    auto w = (*s)->writer("Account", kAccount);
    if (!w || !(*s)->begin()) _exit(4);
    for (int i = 0; i < 100; ++i) {
      if (!(*w)->upsert(account("001C" + std::to_string(i), "Committed"))) _exit(5);
    }
    if (!(*s)->save_state(SyncState{.object = "Account", .watermark = 1000}) || !(*s)->commit()) _exit(6);
    if (!(*s)->begin()) _exit(7);
    for (int i = 0; i < 2000; ++i) {
      if (!(*w)->upsert(account("001U" + std::to_string(i), std::string(200, 'u')))) _exit(8);
    }
    if (!(*s)->save_state(SyncState{.object = "Account", .watermark = 2000})) _exit(9);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto s = open_store();
  EXPECT_EQ(*s->count_rows("Account"), 100);
  EXPECT_EQ((**s->load_state("Account")).watermark, 1000);
}

TEST_F(SqliteStoreTest, AFailedStatementLeavesTheStoreUsable) {
  {  // A table made by hand with a CHECK constraint, so that SQLite itself refuses a row.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE Thing (Id TEXT PRIMARY KEY NOT NULL, N INTEGER CHECK (N >= 0))",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = open_store();
  std::vector<Column> cols = {{"Id", StorageClass::kText}, {"N", StorageClass::kInteger}};
  ASSERT_TRUE(s->ensure_table("Thing", cols));
  auto w = s->writer("Thing", cols);
  ASSERT_TRUE(s->begin());
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("t1"), std::int64_t{1}}));
  auto bad = (*w)->upsert(std::vector<Value>{std::string("t2"), std::int64_t{-1}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kStore);
  EXPECT_EQ(bad.error().code, "SQLITE_CONSTRAINT");
  EXPECT_NE(bad.error().message.find("Thing"), std::string::npos);
  EXPECT_NE(bad.error().message.find("t2"), std::string::npos);
  EXPECT_NE(bad.error().message.find("CHECK constraint failed"), std::string::npos) << bad.error().message;
  // The same statement works again and the transaction commits what succeeded.
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("t3"), std::int64_t{3}}));
  ASSERT_TRUE(s->commit());
  EXPECT_EQ(*s->count_rows("Thing"), 2);
}

TEST_F(SqliteStoreTest, AChangedColumnTypeIsRefusedWithTheFix) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Account", kAccount));
  auto changed = kAccount;
  changed[3].type = StorageClass::kText;  // NumberOfEmployees INTEGER -> TEXT
  auto r = s->ensure_table("Account", changed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kStore);
  EXPECT_NE(r.error().message.find("Account.NumberOfEmployees"), std::string::npos);
  EXPECT_NE(r.error().message.find("full sync"), std::string::npos);
}

TEST_F(SqliteStoreTest, MissingTablesReadAsNotFoundOrNoColumns) {
  auto s = open_store();
  EXPECT_TRUE(s->columns("Lead")->empty());
  auto c = s->count_rows("Lead");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(s->dump("Lead"));
}

TEST_F(SqliteStoreTest, WritersMayOutliveTheStore) {
  std::unique_ptr<TableWriter> w;
  {
    auto s = open_store();
    ASSERT_TRUE(s->ensure_table("Account", kAccount));
    w = std::move(*s->writer("Account", kAccount));
    ASSERT_TRUE(w->upsert(account("001A", "Acme")));
  }
  w.reset();  // finalizes its statements, then the connection closes
  auto s = open_store();
  EXPECT_EQ(*s->count_rows("Account"), 1);
}

}  // namespace
}  // namespace crmsync::store
