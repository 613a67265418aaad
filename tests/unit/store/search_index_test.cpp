// The store's search index and read snapshots: a record is searchable the moment its write commits
// (appends of a first load, upserts, deletes, IsDeleted marks, Ids appended twice), and a snapshot
// keeps seeing the state it started with while a writer commits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "store/store.h"

namespace crmsync::store {
namespace {

using catalog::FieldType;
using catalog::StorageClass;

const std::vector<Column> kContact = {{"Id", StorageClass::kText, FieldType::kId},
                                      {"FirstName", StorageClass::kText, FieldType::kString},
                                      {"LastName", StorageClass::kText, FieldType::kString},
                                      {"Email", StorageClass::kText, FieldType::kEmail},
                                      {"AccountId", StorageClass::kText, FieldType::kReference},
                                      {"IsDeleted", StorageClass::kBoolean, FieldType::kBoolean}};
const std::vector<std::string> kSearched = {"FirstName", "LastName", "Email"};

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_search_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = Store::open(url());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->ensure_table("Contact", kContact).ok());
    ASSERT_TRUE(store_->ensure_search_index("Contact", kSearched).ok());
    auto r = StoreReader::open(url());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    reader_ = std::move(*r);
  }
  void TearDown() override {
    reader_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string url() const { return "sqlite:" + (dir_ / "crmsync.db").string(); }

  void write(const std::vector<std::vector<Value>>& rows, WriteMode mode = WriteMode::kUpsert) {
    ASSERT_TRUE(store_->begin().ok());
    auto w = store_->writer("Contact", kContact, mode);
    ASSERT_TRUE(w.ok()) << w.error().to_string();
    for (const auto& r : rows) ASSERT_TRUE((*w)->upsert(r).ok());
    ASSERT_TRUE(store_->commit().ok());
  }

  // The Ids a search finds, best first.
  std::vector<std::string> find(const std::vector<std::string>& words) {
    auto snap = reader_->snapshot();
    EXPECT_TRUE(snap.ok()) << snap.error().to_string();
    auto hits = (*snap)->search({"Contact", words, {"FirstName", "LastName"}, 10});
    EXPECT_TRUE(hits.ok()) << hits.error().to_string();
    std::vector<std::string> ids;
    for (const auto& h : *hits) ids.push_back(h.id);
    return ids;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<StoreReader> reader_;
};

std::vector<Value> contact(const std::string& id, const std::string& first, const std::string& last,
                           const std::string& email, bool deleted = false) {
  return {id, first, last, email, std::string("001000000000001AAA"), deleted};
}

TEST_F(SearchIndexTest, FindsByPrefixOfAnyIndexedWordAndNeverByReference) {
  write({contact("003A", "Zoë", "Müller", "zoe.mueller@acme.example"),
         contact("003B", "James", "Smith", "james.smith@globex.example")});
  EXPECT_EQ(find({"zo"}), std::vector<std::string>{"003A"});  // diacritics folded
  EXPECT_EQ(find({"mull"}), std::vector<std::string>{"003A"});
  EXPECT_EQ(find({"globex"}), std::vector<std::string>{"003B"});
  EXPECT_EQ(find({"james", "glob"}), std::vector<std::string>{"003B"});
  EXPECT_TRUE(find({"james", "acme"}).empty());
  EXPECT_TRUE(find({"001000000000001"}).empty()) << "a REFERENCE field is not indexed";
}

TEST_F(SearchIndexTest, AFirstLoadThatAppendsIsSearchablePageByPage) {
  ASSERT_TRUE(store_->begin().ok());
  auto append = store_->begin_append("Contact");
  ASSERT_TRUE(append.ok() && *append);
  ASSERT_TRUE(store_->commit().ok());
  write({contact("003A", "Ayşe", "Kowalski", "ayse@harbor.example")}, WriteMode::kAppend);
  EXPECT_EQ(find({"kowal"}), std::vector<std::string>{"003A"});
  // The load read the record again (a resumed load); building the Id index keeps its last write.
  write({contact("003A", "Ayşe", "Nowak", "ayse@harbor.example")}, WriteMode::kAppend);
  ASSERT_TRUE(store_->begin().ok());
  ASSERT_TRUE(store_->ensure_id_index("Contact").ok());
  ASSERT_TRUE(store_->commit().ok());
  EXPECT_TRUE(find({"kowal"}).empty());
  EXPECT_EQ(find({"nowak"}), std::vector<std::string>{"003A"});
}

TEST_F(SearchIndexTest, UpdatesDeletesAndDeletedMarksLeaveTheIndexWithTheRows) {
  write({contact("003A", "Olga", "Rossi", "olga@cedar.example"), contact("003B", "Olga", "Silva", "olga@maple.example")});
  EXPECT_EQ(find({"olga"}).size(), 2u);
  write({contact("003A", "Olga", "Bianchi", "olga@cedar.example")});
  EXPECT_TRUE(find({"rossi"}).empty());
  EXPECT_EQ(find({"bianchi"}), std::vector<std::string>{"003A"});
  write({contact("003B", "Olga", "Silva", "olga@maple.example", /*deleted=*/true)});
  EXPECT_EQ(find({"olga"}), std::vector<std::string>{"003A"});
  ASSERT_TRUE(store_->begin().ok());
  auto w = store_->writer("Contact", kContact);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->remove("003A").ok());
  ASSERT_TRUE(store_->commit().ok());
  EXPECT_TRUE(find({"olga"}).empty());
}

TEST_F(SearchIndexTest, ANewColumnListRebuildsTheIndexFromTheRows) {
  write({contact("003A", "Kwame", "Patel", "kwame@orbit.example")});
  ASSERT_TRUE(store_->ensure_search_index("Contact", {"LastName"}).ok());
  EXPECT_TRUE(find({"kwame"}).empty());
  EXPECT_EQ(find({"patel"}), std::vector<std::string>{"003A"});
  ASSERT_TRUE(store_->ensure_search_index("Contact", kSearched).ok());
  EXPECT_EQ(find({"kwame"}), std::vector<std::string>{"003A"});
}

TEST_F(SearchIndexTest, ASnapshotKeepsItsStateWhileAWriterCommits) {
  write({contact("003A", "Lucas", "Kim", "lucas@atlas.example")});
  auto snap = reader_->snapshot();
  ASSERT_TRUE(snap.ok()) << snap.error().to_string();
  auto before = (*snap)->version();
  write({contact("003B", "Lucas", "Novak", "lucas@falcon.example")});
  std::int64_t rows = 0;
  ASSERT_TRUE((*snap)->scan("Contact", {"Id"}, [&](std::span<const Value>) { ++rows; return ok_status(); }).ok());
  EXPECT_EQ(rows, 1) << "the snapshot saw a commit made after it started";
  auto hits = (*snap)->search({"Contact", {"lucas"}, {"FirstName"}, 10});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 1u);
  snap->reset();
  auto later = reader_->snapshot();
  ASSERT_TRUE(later.ok());
  EXPECT_NE(*(*later)->version(), *before) << "a commit must change the version readers cache by";
  EXPECT_EQ(find({"lucas"}).size(), 2u);
}

TEST_F(SearchIndexTest, AStoreThatDoesNotExistSaysToRunTheSync) {
  auto r = StoreReader::open("sqlite:" + (dir_ / "missing.db").string());
  ASSERT_TRUE(r.ok());
  auto snap = (*r)->snapshot();
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.error().code, "STORE_NOT_FOUND");
  EXPECT_NE(snap.error().message.find("crmsync sync"), std::string::npos) << snap.error().message;
}

TEST_F(SearchIndexTest, ReadersSeeTheRecordedFieldTypes) {
  auto snap = reader_->snapshot();
  ASSERT_TRUE(snap.ok());
  auto cols = (*snap)->columns("Contact");
  ASSERT_TRUE(cols.ok());
  ASSERT_EQ(cols->size(), kContact.size());
  EXPECT_EQ((*cols)[4].name, "AccountId");
  EXPECT_EQ((*cols)[4].field_type, FieldType::kReference);
  EXPECT_EQ((*cols)[1].field_type, FieldType::kString);
}

TEST_F(SearchIndexTest, ASnapshotFindsOneRowByItsId) {
  write({contact("003A", "Zoë", "Müller", "zoe.mueller@acme.example"),
         contact("003B", "James", "Smith", "james.smith@globex.example")});
  auto snap = reader_->snapshot();
  ASSERT_TRUE(snap.ok());
  std::vector<std::vector<Value>> rows;
  auto collect = [&](std::span<const Value> v) -> Status {
    rows.emplace_back(v.begin(), v.end());
    return ok_status();
  };
  ASSERT_TRUE((*snap)->find("Contact", "003B", {"LastName", "Email"}, collect).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(rows[0][0]), "Smith");
  EXPECT_EQ(std::get<std::string>(rows[0][1]), "james.smith@globex.example");
  rows.clear();
  ASSERT_TRUE((*snap)->find("Contact", "003Z", {"LastName"}, collect).ok());
  EXPECT_TRUE(rows.empty()) << "an unknown Id finds nothing";
  auto missing = (*snap)->find("Lead", "00QA", {"LastName"}, collect);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NO_SUCH_TABLE");
}

TEST_F(SearchIndexTest, ASnapshotReadsTheOrgsInstanceUrl) {
  auto before = reader_->snapshot();
  ASSERT_TRUE(before.ok());
  auto none = (*before)->meta(kInstanceUrlKey);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  before->reset();
  ASSERT_TRUE(store_->put_meta(kInstanceUrlKey, "https://acme.my.salesforce.com").ok());
  auto snap = reader_->snapshot();
  ASSERT_TRUE(snap.ok());
  auto url = (*snap)->meta(kInstanceUrlKey);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->value_or(""), "https://acme.my.salesforce.com");
}

}  // namespace
}  // namespace crmsync::store
