// The Id index of object tables: a first full load appends to an empty table without it and builds
// it at the end; Ids appended twice keep their last write; any write that is not an append builds
// the index first; tables of older stores (Id TEXT PRIMARY KEY) upsert as before. Checked on the
// database file through a separate connection (sqlite_master), as a user of the file would see it.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/store.h"

namespace crmsync::store {
namespace {

using catalog::StorageClass;

const std::vector<Column> kContact = {
    {"Id", StorageClass::kText}, {"LastName", StorageClass::kText}, {"IsDeleted", StorageClass::kBoolean}};

std::vector<Value> contact(const std::string& id, const std::string& name) {
  return {Value(id), Value(name), Value(false)};
}

class IdIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_idindex_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path() const { return (dir_ / "crmsync.db").string(); }

  std::unique_ptr<Store> open_store() {
    auto s = Store::open("sqlite:" + path());
    if (!s) ADD_FAILURE() << s.error().to_string();
    return s ? std::move(*s) : nullptr;
  }

  // Runs SQL on the file through a connection of its own; the first column of the first row.
  std::string raw(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    std::string out = "<no row>";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      out = std::string("<error: ") + sqlite3_errmsg(db) + ">";
    } else if (int rc = sqlite3_step(st); rc == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "<null>";
    } else if (rc != SQLITE_DONE) {
      out = std::string("<error: ") + sqlite3_errmsg(db) + ">";
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  // The SQL of the table's indexes as sqlite_master has them ("" when it has none).
  std::string indexes_of(const std::string& table) {
    return raw("SELECT coalesce(group_concat(sql, '; '), '') FROM sqlite_master WHERE type = 'index' AND tbl_name = '" +
               table + "'");
  }

  // Appends rows through a kAppend writer, one transaction.
  void append(Store& s, const std::vector<std::vector<Value>>& rows) {
    auto w = s.writer("Contact", kContact, WriteMode::kAppend);
    ASSERT_TRUE(w) << w.error().to_string();
    ASSERT_TRUE(s.begin());
    for (const auto& r : rows) ASSERT_TRUE((*w)->upsert(r));
    ASSERT_TRUE(s.commit());
  }

  std::string name_of(const std::string& id) { return raw("SELECT LastName FROM Contact WHERE Id = '" + id + "'"); }

  std::filesystem::path dir_;
};

TEST_F(IdIndexTest, AFreshTableLoadsWithoutItsIdIndexAndEndsWithIt) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Contact", kContact));
  EXPECT_EQ(indexes_of("Contact"), "CREATE UNIQUE INDEX \"crmsync_id_Contact\" ON \"Contact\" (\"Id\")");
  EXPECT_TRUE(*s->has_id_index("Contact"));

  ASSERT_TRUE(s->begin());
  auto appending = s->begin_append("Contact");
  ASSERT_TRUE(appending) << appending.error().to_string();
  EXPECT_TRUE(*appending);
  ASSERT_TRUE(s->commit());
  append(*s, {contact("003A", "Ames"), contact("003B", "Baker")});
  append(*s, {contact("003C", "Cole")});
  EXPECT_EQ(indexes_of("Contact"), "") << "rows are appended to a table without the index";
  EXPECT_FALSE(*s->has_id_index("Contact"));

  // Readers work on it as it is: counts, Ids, dumps, scans.
  EXPECT_EQ(*s->count_rows("Contact"), 3);
  int ids = 0;
  ASSERT_TRUE(s->for_each_id("Contact", true, [&](std::string_view) {
    ++ids;
    return ok_status();
  }));
  EXPECT_EQ(ids, 3);
  EXPECT_EQ(s->dump("Contact")->size(), 3u);

  ASSERT_TRUE(s->begin());
  ASSERT_TRUE(s->ensure_id_index("Contact"));
  ASSERT_TRUE(s->commit());
  EXPECT_EQ(indexes_of("Contact"), "CREATE UNIQUE INDEX \"crmsync_id_Contact\" ON \"Contact\" (\"Id\")");
  EXPECT_EQ(*s->count_rows("Contact"), 3);
  // Built once: a second call is a no-op, and the table now refuses a second row per Id.
  ASSERT_TRUE(s->ensure_id_index("Contact"));
  EXPECT_EQ(raw("INSERT INTO Contact (Id, LastName) VALUES ('003A', 'dup')"),
            "<error: UNIQUE constraint failed: Contact.Id>");
}

TEST_F(IdIndexTest, IdsAppendedTwiceKeepTheirLastWriteWhenTheIndexIsBuilt) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Contact", kContact));
  ASSERT_TRUE(*s->begin_append("Contact"));
  append(*s, {contact("003A", "Ames"), contact("003B", "Baker")});
  // A resumed load reads 003A and 003B again, 003A changed since; then 003C.
  append(*s, {contact("003B", "Baker"), contact("003A", "Ames-Smith"), contact("003C", "Cole")});
  append(*s, {contact("003A", "Ames-Jones")});
  EXPECT_EQ(*s->count_rows("Contact"), 6);

  ASSERT_TRUE(s->begin());
  ASSERT_TRUE(s->ensure_id_index("Contact"));
  ASSERT_TRUE(s->commit());
  EXPECT_EQ(*s->count_rows("Contact"), 3);
  EXPECT_EQ(name_of("003A"), "Ames-Jones");
  EXPECT_EQ(name_of("003B"), "Baker");
  EXPECT_EQ(name_of("003C"), "Cole");
  EXPECT_TRUE(*s->has_id_index("Contact"));
}

TEST_F(IdIndexTest, AnIndexBuildThatIsRolledBackLeavesTheAppendedRowsAsTheyWere) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Contact", kContact));
  ASSERT_TRUE(*s->begin_append("Contact"));
  append(*s, {contact("003A", "Ames"), contact("003A", "Ames-Smith")});
  ASSERT_TRUE(s->begin());
  ASSERT_TRUE(s->ensure_id_index("Contact"));
  ASSERT_TRUE(s->rollback());  // a kill before the commit
  EXPECT_EQ(indexes_of("Contact"), "");
  EXPECT_EQ(*s->count_rows("Contact"), 2);
  // The next writer finds the table as it was and appends on.
  append(*s, {contact("003B", "Baker")});
  EXPECT_EQ(*s->count_rows("Contact"), 3);
}

TEST_F(IdIndexTest, UpsertsAndDeletesAfterAnAppendBuildTheIndexFirst) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Contact", kContact));
  ASSERT_TRUE(*s->begin_append("Contact"));
  append(*s, {contact("003A", "Ames"), contact("003B", "Baker"), contact("003A", "Ames-Smith")});

  // A formula re-read or a back-fill: some columns, upserted.
  std::vector<Column> flag = {{"Id", StorageClass::kText}, {"IsDeleted", StorageClass::kBoolean}};
  auto upserter = s->writer("Contact", flag);
  ASSERT_TRUE(upserter) << upserter.error().to_string();
  EXPECT_NE(indexes_of("Contact"), "") << "a writer that upserts builds the index first";
  EXPECT_EQ(*s->count_rows("Contact"), 2) << "and that collapses 003A";
  EXPECT_EQ(name_of("003A"), "Ames-Smith");
  ASSERT_TRUE(s->begin());
  ASSERT_TRUE((*upserter)->upsert(std::vector<Value>{std::string("003B"), true}));
  ASSERT_TRUE((*upserter)->remove("003A"));
  ASSERT_TRUE(s->commit());
  EXPECT_EQ(*s->count_rows("Contact"), 1);
  EXPECT_EQ(raw("SELECT IsDeleted FROM Contact WHERE Id = '003B'"), "1");
  EXPECT_EQ(name_of("003B"), "Baker") << "columns the writer was not given are kept";

  // Once the index is there, an append writer upserts: no second row for an Id.
  append(*s, {contact("003B", "Baker-Cole"), contact("003D", "Dunn")});
  EXPECT_EQ(*s->count_rows("Contact"), 2);
  EXPECT_EQ(name_of("003B"), "Baker-Cole");
}

TEST_F(IdIndexTest, AnAppendWriterRefusesDeletes) {
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Contact", kContact));
  ASSERT_TRUE(*s->begin_append("Contact"));
  auto w = s->writer("Contact", kContact, WriteMode::kAppend);
  ASSERT_TRUE(w);
  auto r = (*w)->remove("003A");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
  EXPECT_NE(r.error().message.find("kUpsert"), std::string::npos) << r.error().message;
}

TEST_F(IdIndexTest, ATableWithRowsKeepsItsIndexAndAnIndexlessOneStaysSoAcrossRuns) {
  {
    auto s = open_store();
    ASSERT_TRUE(s->ensure_table("Contact", kContact));
    append(*s, {contact("003A", "Ames")});  // an append writer on an indexed table upserts
    append(*s, {contact("003A", "Ames-Smith")});
    EXPECT_EQ(*s->count_rows("Contact"), 1);
    auto appending = s->begin_append("Contact");
    ASSERT_TRUE(appending);
    EXPECT_FALSE(*appending) << "a table with rows is upserted into";
    EXPECT_NE(indexes_of("Contact"), "");

    std::vector<Column> lead = {{"Id", StorageClass::kText}, {"Company", StorageClass::kText}};
    ASSERT_TRUE(s->ensure_table("Lead", lead));
    ASSERT_TRUE(*s->begin_append("Lead"));
  }
  // The next process (a load cut short): the table is found without its index and goes on so,
  // also after a column is added.
  auto s = open_store();
  EXPECT_FALSE(*s->has_id_index("Lead"));
  std::vector<Column> wider = {{"Id", StorageClass::kText}, {"Company", StorageClass::kText},
                               {"Email", StorageClass::kText}};
  ASSERT_TRUE(s->ensure_table("Lead", wider));
  EXPECT_FALSE(*s->has_id_index("Lead")) << "ensure_table leaves a load's missing index to the load";
  EXPECT_TRUE(*s->begin_append("Lead"));
  auto w = s->writer("Lead", wider, WriteMode::kAppend);
  ASSERT_TRUE(w) << w.error().to_string();
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("00QA"), std::string("Acme"), std::string("a@acme.test")}));
  ASSERT_TRUE((*w)->upsert(std::vector<Value>{std::string("00QA"), std::string("Acme"), std::string("b@acme.test")}));
  ASSERT_TRUE(s->ensure_id_index("Lead"));
  EXPECT_EQ(*s->count_rows("Lead"), 1);
  EXPECT_EQ(raw("SELECT Email FROM Lead"), "b@acme.test");
}

TEST_F(IdIndexTest, TablesOfOlderStoresWithAPrimaryKeyStillUpsert) {
  {  // As crmsync created tables before the Id index was separate.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE \"Contact\" (\"Id\" TEXT PRIMARY KEY NOT NULL, \"LastName\" TEXT)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = open_store();
  ASSERT_TRUE(s->ensure_table("Contact", kContact));  // adds IsDeleted
  EXPECT_TRUE(*s->has_id_index("Contact"));
  auto appending = s->begin_append("Contact");
  ASSERT_TRUE(appending);
  EXPECT_FALSE(*appending) << "a PRIMARY KEY cannot be dropped: the load upserts";
  append(*s, {contact("003A", "Ames"), contact("003A", "Ames-Smith")});
  auto w = s->writer("Contact", kContact);
  ASSERT_TRUE(w) << w.error().to_string();
  ASSERT_TRUE((*w)->upsert(contact("003B", "Baker")));
  ASSERT_TRUE((*w)->upsert(contact("003B", "Baker-Cole")));
  EXPECT_EQ(*s->count_rows("Contact"), 2);
  EXPECT_EQ(name_of("003A"), "Ames-Smith");
  EXPECT_EQ(name_of("003B"), "Baker-Cole");
  EXPECT_EQ(indexes_of("Contact"), "") << "no index of crmsync's beside the primary key";
}

TEST_F(IdIndexTest, MissingTablesAreNotFound) {
  auto s = open_store();
  EXPECT_FALSE(*s->has_id_index("Contact"));
  auto a = s->begin_append("Contact");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, ErrorKind::kNotFound);
  auto e = s->ensure_id_index("Contact");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(e.error().message.find("ensure_table"), std::string::npos);
}

}  // namespace
}  // namespace crmsync::store
