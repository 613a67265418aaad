// DealEdits over a real SQLite store and a Salesforce played by the test: what is sent (the stored
// LastModifiedDate as If-Unmodified-Since), what is answered for each of Salesforce's answers, what
// reaches the store and crmsync_edit_log, and that the sync's writer lock is respected.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "serve/edit.h"
#include "store/store.h"

namespace crmsync::serve {
namespace {

using catalog::StorageClass;
using nlohmann::json;

const std::vector<store::Column> kOpportunity = {{"Id", StorageClass::kText},
                                                 {"Name", StorageClass::kText},
                                                 {"StageName", StorageClass::kText},
                                                 {"Amount", StorageClass::kReal},
                                                 {"CloseDate", StorageClass::kDate},
                                                 {"LastModifiedDate", StorageClass::kDateTime}};
const char* kDeal = "006000000000001AAA";
const char* kStoredLmd = "2025-03-04T05:06:07.000Z";

// Salesforce as the test says: the answer to an update, the record a retrieve gives; what was sent.
class ScriptedSalesforce : public SalesforceAsViewer {
 public:
  Result<SalesforceAnswer> answer = SalesforceAnswer{204, ""};
  json record;
  int updates = 0;
  json sent;
  std::optional<EpochMs> sent_unmodified_since;

  Result<SalesforceAnswer> update(std::string_view, std::string_view, const json& fields,
                                  std::optional<EpochMs> unmodified_since) override {
    ++updates;
    sent = fields;
    sent_unmodified_since = unmodified_since;
    return answer;
  }
  Result<json> retrieve(std::string_view, std::string_view) override { return record; }
  Result<json> describe(std::string_view) override { return json::object(); }
};

class DealEditsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_edit_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = store::Store::open(url());
    ASSERT_TRUE(s) << s.error().to_string();
    ASSERT_TRUE((*s)->ensure_table("Opportunity", kOpportunity));
    ASSERT_TRUE((*s)->begin());
    auto w = (*s)->writer("Opportunity", kOpportunity);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->upsert(std::vector<store::Value>{std::string(kDeal), std::string("Acme - 100 seats"),
                                                       std::string("Prospecting"), 1200.5, std::string("2025-06-30"),
                                                       std::string(kStoredLmd)}));
    ASSERT_TRUE((*s)->commit());
    auto r = store::StoreReader::open(url());
    ASSERT_TRUE(r);
    reader_ = std::move(*r);
    edits_ = std::make_unique<DealEdits>(store::OpenOptions{url()}, [] { return EpochMs{1741064767000}; });
    sf_.record = {{"attributes", {{"type", "Opportunity"}}}, {"Id", kDeal}, {"Name", "Acme - 100 seats"},
                  {"StageName", "Negotiation/Review"}, {"Amount", 1200.5}, {"CloseDate", "2025-06-30"},
                  {"LastModifiedDate", "2025-03-05T10:00:00.000+0000"}, {"Description", "not in the store"}};
  }
  void TearDown() override {
    edits_.reset();
    reader_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string url() const { return "sqlite:" + (dir_ / "crmsync.db").string(); }

  EditOutcome edit(const std::string& body) {
    Viewer rep{"005000000000007AAA", "rep@acme.example", false};
    return edits_->edit(*reader_, {kDeal, body, rep, editable_fields({})}, sf_);
  }
  std::map<std::string, store::Value> row() {
    auto s = store::Store::open(url());
    auto rows = (*s)->dump("Opportunity");
    std::map<std::string, store::Value> out(rows->at(0).begin(), rows->at(0).end());
    return out;
  }
  std::vector<store::EditLogEntry> log() {
    auto s = store::Store::open(url());
    return *(*s)->edit_log();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::StoreReader> reader_;
  std::unique_ptr<DealEdits> edits_;
  ScriptedSalesforce sf_;
};

TEST_F(DealEditsTest, AnAcceptedEditSendsTheStoredLastModifiedDateAndWritesTheRecordBack) {
  EditOutcome out = edit(R"({"stagename": "Negotiation/Review"})");
  ASSERT_FALSE(out.refusal) << out.refusal->body.dump();
  EXPECT_TRUE(out.stored);
  EXPECT_EQ(sf_.sent, json({{"StageName", "Negotiation/Review"}})) << "the field's API name as the store has it";
  EXPECT_EQ(sf_.sent_unmodified_since, parse_datetime(kStoredLmd));
  auto r = row();
  EXPECT_EQ(std::get<std::string>(r["StageName"]), "Negotiation/Review");
  EXPECT_EQ(std::get<std::string>(r["LastModifiedDate"]), "2025-03-05T10:00:00.000Z") << "converted as the sync does";
  auto entries = log();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].field, "StageName");
  EXPECT_EQ(entries[0].before, "\"Prospecting\"");
  EXPECT_EQ(entries[0].after, "\"Negotiation/Review\"");
  EXPECT_EQ(entries[0].status, 204);
  EXPECT_EQ(entries[0].outcome, "accepted");
  EXPECT_EQ(entries[0].user_id, "005000000000007AAA");
  EXPECT_EQ(entries[0].at, 1741064767000);
}

TEST_F(DealEditsTest, TheLastModifiedDateThePageShowedIsSentRatherThanTheStoresOwn) {
  const EpochMs shown = *parse_datetime("2025-03-01T00:00:00.000Z");  // before a sync brought a newer one
  Viewer rep{"005000000000007AAA", "rep@acme.example", false};
  EditOutcome out = edits_->edit(*reader_, {kDeal, R"({"StageName": "Closed Won"})", rep, editable_fields({}), shown}, sf_);
  ASSERT_FALSE(out.refusal) << out.refusal->body.dump();
  EXPECT_EQ(sf_.sent_unmodified_since, shown);
}

TEST_F(DealEditsTest, ARefusalIsSalesforcesStatusCodeMessageAndFieldsAndChangesNothing) {
  sf_.answer = SalesforceAnswer{400, R"([{"message":"Close Date cannot be in the past.","errorCode":)"
                                     R"("FIELD_CUSTOM_VALIDATION_EXCEPTION","fields":["CloseDate"]}])"};
  EditOutcome out = edit(R"({"CloseDate": "2020-01-01", "Amount": 5})");
  ASSERT_TRUE(out.refusal);
  EXPECT_EQ(out.refusal->status, 400);
  EXPECT_EQ(out.refusal->body["error"]["code"], "FIELD_CUSTOM_VALIDATION_EXCEPTION");
  EXPECT_EQ(out.refusal->body["error"]["message"], "Close Date cannot be in the past.");
  EXPECT_EQ(out.refusal->body["error"]["fields"], json::array({"CloseDate"}));
  EXPECT_EQ(std::get<std::string>(row()["CloseDate"]), "2025-06-30");
  auto entries = log();
  ASSERT_EQ(entries.size(), 2u) << "one row per field asked for";
  const auto& amount = entries[0].field == "Amount" ? entries[0] : entries[1];
  EXPECT_EQ(amount.field, "Amount");
  EXPECT_EQ(amount.before, "1200.5");
  EXPECT_EQ(amount.after, "5");
  EXPECT_EQ(amount.outcome, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
  EXPECT_EQ(amount.message, "Close Date cannot be in the past.");
}

TEST_F(DealEditsTest, AChangeSinceTheStoreReadItIs412SayingToReload) {
  sf_.answer = SalesforceAnswer{412, R"([{"errorCode":"ENTITY_FAILED_IFLASTMODIFIED_ON_UPDATE_CHECK",)"
                                     R"("message":"record has been modified since you retrieved it"}])"};
  EditOutcome out = edit(R"({"StageName": "Closed Won"})");
  ASSERT_TRUE(out.refusal);
  EXPECT_EQ(out.refusal->status, 412);
  const std::string message = out.refusal->body["error"]["message"];
  EXPECT_NE(message.find("changed in Salesforce after the board read it"), std::string::npos) << message;
  EXPECT_NE(message.find("Reload the board"), std::string::npos) << message;
  EXPECT_EQ(std::get<std::string>(row()["StageName"]), "Prospecting");
}

TEST_F(DealEditsTest, WhatTheBoardDoesNotEditIsRefusedBeforeSalesforceIsAsked) {
  for (const char* body : {R"({"Description": "x"})", R"({"NoSuchField": 1})", R"({"StageName": ["a"]})", "[]", "{}",
                           "not json"}) {
    EditOutcome out = edit(body);
    ASSERT_TRUE(out.refusal) << body;
    EXPECT_EQ(out.refusal->status, 400) << body;
  }
  EXPECT_EQ(edit(R"({"NextStep": "x"})").refusal->body["error"]["code"], "FIELD_NOT_EDITABLE")
      << "editable, but not in this store: said, with the fields that are";
  EXPECT_EQ(sf_.updates, 0);
  EXPECT_TRUE(log().empty());
}

TEST_F(DealEditsTest, AnEndedSalesforceSessionAsksToSignInAgain) {
  sf_.answer = Error(ErrorKind::kAuth, "invalid_grant", "Salesforce refused the renewal of a signed-in person's session");
  EditOutcome out = edit(R"({"StageName": "Closed Won"})");
  ASSERT_TRUE(out.refusal);
  EXPECT_EQ(out.refusal->status, 401);
  EXPECT_EQ(out.refusal->body["error"]["code"], "SESSION_ENDED");
  ASSERT_EQ(log().size(), 1u);
  EXPECT_EQ(log()[0].status, 0);
  EXPECT_EQ(log()[0].outcome, "invalid_grant");
}

// A sync holds the store's writer lock for its whole run: the accepted edit's row and log wait in
// memory and are written once the lock is free, not forced in beside the sync.
TEST_F(DealEditsTest, WhileASyncHoldsTheStoreTheWriteWaitsAndLandsWhenItLetsGo) {
  auto sync_lock = store::WriterLock::acquire(store::OpenOptions{url()});
  ASSERT_TRUE(sync_lock);
  EditOutcome out = edit(R"({"StageName": "Negotiation/Review"})");
  ASSERT_FALSE(out.refusal);
  EXPECT_FALSE(out.stored);
  EXPECT_EQ(out.record["StageName"], "Negotiation/Review") << "the answer still shows what Salesforce has";
  EXPECT_EQ(edits_->waiting(), 1u);
  EXPECT_EQ(std::get<std::string>(row()["StageName"]), "Prospecting");
  EXPECT_TRUE(log().empty());
  sync_lock->reset();
  for (int i = 0; i < 100 && edits_->waiting() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(edits_->waiting(), 0u);
  EXPECT_EQ(std::get<std::string>(row()["StageName"]), "Negotiation/Review");
  EXPECT_EQ(log().size(), 1u);
}


// The dialog's inputs: the board's fields the store has, typed and valued by describe as the
// viewer; a deal_columns field only when the viewer may update it (formula and system fields never).
TEST(EditFieldListTest, TheDialogOffersTheBoardsFieldsTypedByDescribeAndNoReadOnlyColumn) {
  auto f = [](const char* name, const char* type, bool updateable, json extra = json::object()) {
    json j = {{"name", name}, {"label", std::string(name) + " label"}, {"type", type}, {"updateable", updateable},
              {"calculated", false}, {"picklistValues", json::array()}};
    j.update(extra);
    return j;
  };
  const json describe = {{"fields",
                          {f("Name", "string", true), f("StageName", "picklist", true,
                                                         {{"picklistValues", {{{"value", "Prospecting"}, {"active", true}},
                                                                              {{"value", "Retired"}, {"active", false}}}}}),
                           f("Amount", "currency", false),  // this viewer may not edit it: offered, Salesforce says no
                           f("CloseDate", "date", true), f("IsPrivate", "boolean", true), f("LeadSource", "picklist", false),
                           f("ExpectedRevenue", "currency", false, {{"calculated", true}}),
                           f("LastActivityDate", "date", false), f("Competitors__c", "multipicklist", true)}}};
  std::vector<store::ColumnInfo> stored;
  for (const char* c : {"Id", "Name", "StageName", "Amount", "CloseDate", "IsPrivate", "LeadSource", "ExpectedRevenue",
                        "LastActivityDate", "Competitors__c"}) {
    stored.push_back({c, StorageClass::kText, std::nullopt});
  }
  json list = edit_field_list(describe, stored, {"IsPrivate", "LeadSource", "ExpectedRevenue", "LastActivityDate",
                                                 "Competitors__c", "NotStored"});
  std::map<std::string, json> by_name;
  std::vector<std::string> order;
  for (const auto& e : list) {
    order.push_back(e["name"].get<std::string>());
    by_name[e["name"].get<std::string>()] = e;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"Name", "StageName", "CloseDate", "Amount", "IsPrivate"}));
  EXPECT_EQ(by_name["StageName"]["type"], "picklist");
  EXPECT_EQ(by_name["StageName"]["values"], json::array({"Prospecting"})) << "active values only";
  EXPECT_EQ(by_name["StageName"]["label"], "StageName label");
  EXPECT_EQ(by_name["Amount"]["type"], "number");
  EXPECT_EQ(by_name["CloseDate"]["type"], "date");
  EXPECT_EQ(by_name["IsPrivate"]["type"], "checkbox");

  // Without describe: the board's own fields by the store's types, no deal_columns field.
  std::vector<store::ColumnInfo> typed = {{"Name", StorageClass::kText, catalog::FieldType::kString},
                                          {"Amount", StorageClass::kReal, catalog::FieldType::kCurrency},
                                          {"IsPrivate", StorageClass::kBoolean, catalog::FieldType::kBoolean}};
  json fallback = edit_field_list(json(), typed, {"IsPrivate"});
  EXPECT_EQ(fallback, json::parse(R"([{"name":"Name","label":"Name","type":"text","values":[]},)"
                                  R"({"name":"Amount","label":"Amount","type":"number","values":[]}])"));
}

}  // namespace
}  // namespace crmsync::serve
