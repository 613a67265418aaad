// crmsync serve's API against a store synced from the emulator. The expected figures are computed
// here from the org itself (SOQL as the admin through the REST API), never from crmsync's code.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <condition_variable>
#include <mutex>
#include <cmath>
#include <set>
#include <thread>

#include "emulator_http.h"
#include "serve/serve.h"
#include "common/text.h"
#include "pg_support.h"
#include "sync_support.h"

namespace crmsync::testing {
namespace {

using nlohmann::json;

double round2(double v) { return std::round(v * 100) / 100; }

// One synced emulator org and, per store (SQLite, PostgreSQL), a store synced from it and a server
// over that store, shared by the tests of this file and made on first use.
struct ServedStore {
  std::unique_ptr<TempDir> dir;
  std::string url;  // the store's
  std::unique_ptr<serve::Api> api;
  std::unique_ptr<serve::Server> server;
};

class ServeApiTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  static void TearDownTestSuite() {
    stores_.clear();
    admin_.reset();
    emu_.reset();
  }
  void SetUp() override {
    if (!emu_) {
      emu_ = std::make_unique<RunningEmulator>(40, 11);
      admin_ = admin_login((*emu_)->base_url());
    }
    if (stores_.contains(GetParam())) return;
    ServedStore served;
    served.dir = std::make_unique<TempDir>();
    auto cfg = sync_config((*emu_)->base_url(), store_for(GetParam(), *served.dir));
    cfg.objects["Opportunity"].exclude = {"Type"};  // a field the API must refuse to filter on
    auto client = login(cfg);
    auto st = store::Store::open(sync::store_options(cfg));
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    auto report = sync::run_sync(cfg, *client, **st, {});
    ASSERT_TRUE(report.ok() && report->ok()) << (report.ok() ? "an object failed" : report.error().to_string());
    auto reader = store::StoreReader::open(sync::store_options(cfg));
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    served.url = cfg.store.url;
    served.api = std::make_unique<serve::Api>(std::move(*reader), serve::ApiOptions{.serve = cfg.serve, .salesforce_url = (*emu_)->base_url()});
    served.server = std::make_unique<serve::Server>(*served.api, serve::ServerOptions{.host = "127.0.0.1", .port = 0});
    ASSERT_TRUE(served.server->start().ok());
    stores_[GetParam()] = std::move(served);
  }

  std::pair<int, json> get(const std::string& path_and_query) const {
    auto res = loopback_client(server().port()).Get(path_and_query);
    if (!res) return {-1, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  serve::Api& api() const { return *stores_.at(GetParam()).api; }
  serve::Server& server() const { return *stores_.at(GetParam()).server; }
  static std::vector<json> org(const std::string& soql) { return soql_records(*admin_, soql); }

  static std::unique_ptr<RunningEmulator> emu_;
  static std::unique_ptr<salesforce::Client> admin_;
  static std::map<StoreBackend, ServedStore> stores_;
};
std::unique_ptr<RunningEmulator> ServeApiTest::emu_;
std::unique_ptr<salesforce::Client> ServeApiTest::admin_;
std::map<StoreBackend, ServedStore> ServeApiTest::stores_;
INSTANTIATE_TEST_SUITE_P(Stores, ServeApiTest, kBothStores, backend_name);

const char* kFrom = "2024-07-01";
const char* kTo = "2025-12-31";

TEST_P(ServeApiTest, DealBoardTotalsAreTheOrgsOwnDealsInThePeriod) {
  auto deals = org(std::string("SELECT Id, Amount, StageName FROM Opportunity WHERE CloseDate >= ") + kFrom +
                   " AND CloseDate <= " + kTo);
  ASSERT_GT(deals.size(), 5u);
  double amount = 0;
  std::map<std::string, std::pair<int, double>> by_stage;
  std::set<std::string> ids;
  for (const auto& d : deals) {
    double a = d["Amount"].is_number() ? d["Amount"].get<double>() : 0;
    amount += a;
    auto& s = by_stage[d["StageName"].get<std::string>()];
    ++s.first;
    s.second += a;
    ids.insert(d["Id"].get<std::string>());
  }
  auto [status, body] = get(std::string("/api/deals?limit=10000&from=") + kFrom + "&to=" + kTo);
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["totals"]["count"], deals.size());
  EXPECT_NEAR(body["totals"]["amount"].get<double>(), round2(amount), 0.05);
  EXPECT_NEAR(body["totals"]["attributed_amount"].get<double>(), round2(amount), 0.05) << "without person, the full amount";
  for (const auto& [stage, figures] : by_stage) {
    EXPECT_EQ(body["totals"]["by_stage"][stage]["count"], figures.first) << stage;
    EXPECT_NEAR(body["totals"]["by_stage"][stage]["amount"].get<double>(), round2(figures.second), 0.05) << stage;
  }
  std::set<std::string> got;
  for (const auto& d : body["deals"]) {
    got.insert(d["Id"].get<std::string>());
    for (const char* key : {"Name", "AccountName", "OwnerId", "OwnerName", "Amount", "attributed_amount", "StageName",
                            "CloseDate", "ForecastCategoryName", "team"}) {
      EXPECT_TRUE(d.contains(key)) << key;
    }
  }
  EXPECT_EQ(got, ids) << "each deal once, deleted ones never";
}

// The people at and below a user in the role hierarchy, from the org's UserRole and User rows.
std::set<std::string> below(const std::vector<json>& users, const std::vector<json>& roles, const std::string& user) {
  std::map<std::string, std::string> parent;
  for (const auto& r : roles) parent[r["Id"]] = r["ParentRoleId"].is_string() ? r["ParentRoleId"].get<std::string>() : "";
  std::string top;
  for (const auto& u : users) {
    if (u["Id"] == user && u["UserRoleId"].is_string()) top = u["UserRoleId"];
  }
  std::set<std::string> out = {user};
  for (const auto& u : users) {
    if (!u["UserRoleId"].is_string()) continue;
    for (std::string r = parent[u["UserRoleId"]]; !r.empty(); r = parent[r]) {
      if (r == top) out.insert(u["Id"].get<std::string>());
    }
  }
  return out;
}

TEST_P(ServeApiTest, APersonsBoardHasTheirAndTheirReportsDealsWithSplitAttribution) {
  auto users = org("SELECT Id, UserRoleId FROM User");
  auto roles = org("SELECT Id, ParentRoleId, Name FROM UserRole");
  std::string manager;
  for (const auto& r : roles) {
    if (r["Name"] == "Sales Manager, EMEA") {
      for (const auto& u : users) {
        if (u["UserRoleId"] == r["Id"]) manager = u["Id"];
      }
    }
  }
  ASSERT_FALSE(manager.empty());
  const std::set<std::string> people = below(users, roles, manager);
  ASSERT_GT(people.size(), 1u);
  std::set<std::string> amount_types;
  for (const auto& t : org("SELECT Id FROM OpportunitySplitType WHERE IsActive = true AND SplitField = 'Amount'")) amount_types.insert(t["Id"]);
  std::string period = std::string(" CloseDate >= ") + kFrom + " AND CloseDate <= " + kTo;
  std::map<std::string, double> amounts;
  std::map<std::string, std::string> owners;
  for (const auto& d : org("SELECT Id, Amount, OwnerId FROM Opportunity WHERE" + period)) {
    amounts[d["Id"]] = d["Amount"].is_number() ? d["Amount"].get<double>() : 0;
    owners[d["Id"]] = d["OwnerId"];
  }
  std::set<std::string> expected;
  std::map<std::string, double> attributed;
  std::set<std::string> with_splits;
  for (const auto& [id, owner] : owners) {
    if (people.contains(owner)) expected.insert(id);
  }
  for (const auto& t : org("SELECT OpportunityId, UserId FROM OpportunityTeamMember")) {
    if (owners.contains(t["OpportunityId"]) && people.contains(t["UserId"])) expected.insert(t["OpportunityId"]);
  }
  for (const auto& s : org("SELECT OpportunityId, SplitOwnerId, SplitPercentage, SplitTypeId FROM OpportunitySplit")) {
    std::string opp = s["OpportunityId"];
    if (!owners.contains(opp) || !amount_types.contains(s["SplitTypeId"])) continue;
    with_splits.insert(opp);
    if (!people.contains(s["SplitOwnerId"])) continue;
    expected.insert(opp);
    attributed[opp] += amounts[opp] * s["SplitPercentage"].get<double>() / 100;
  }
  double total = 0, total_attributed = 0;
  for (const auto& id : expected) {
    total += amounts[id];
    total_attributed += with_splits.contains(id) ? attributed[id] : (people.contains(owners[id]) ? amounts[id] : 0);
  }
  auto [status, body] = get("/api/deals?limit=10000&person=" + manager + "&from=" + kFrom + "&to=" + kTo);
  ASSERT_EQ(status, 200) << body.dump();
  std::set<std::string> got;
  for (const auto& d : body["deals"]) got.insert(d["Id"].get<std::string>());
  EXPECT_EQ(got, expected);
  EXPECT_NEAR(body["totals"]["amount"].get<double>(), total, 0.05);
  EXPECT_NEAR(body["totals"]["attributed_amount"].get<double>(), total_attributed, 0.05);
}

TEST_P(ServeApiTest, ForecastTotalIsEachDealOnceCumulativeByCategory) {
  auto deals = org("SELECT Amount, ForecastCategoryName FROM Opportunity WHERE CloseDate >= 2025-04-01 AND CloseDate <= 2025-06-30");
  double closed = 0, commit = 0, best = 0, pipeline = 0;
  for (const auto& d : deals) {
    double a = d["Amount"].is_number() ? d["Amount"].get<double>() : 0;
    std::string c = d["ForecastCategoryName"];
    if (c == "Closed") closed += a;
    if (c == "Closed" || c == "Commit") commit += a;
    if (c == "Closed" || c == "Commit" || c == "Best Case") best += a;
    if (c != "Omitted") pipeline += a;
  }
  auto [status, body] = get("/api/forecast?period=2025-Q2");
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["period"], "2025-Q2");
  EXPECT_NEAR(body["total"]["closed_won"].get<double>(), closed, 0.05);
  EXPECT_NEAR(body["total"]["commit"].get<double>(), commit, 0.05);
  EXPECT_NEAR(body["total"]["best_case"].get<double>(), best, 0.05);
  EXPECT_NEAR(body["total"]["pipeline"].get<double>(), pipeline, 0.05);
  ASSERT_FALSE(body["rows"].empty());
  for (const auto& row : body["rows"]) {
    double sum = row["own"]["pipeline"].get<double>();
    for (const auto& c : row["children"]) sum += c["pipeline"].get<double>();
    EXPECT_NEAR(row["pipeline"].get<double>(), sum, 0.05) << "a manager's row is theirs plus their reports'";
  }
}

TEST_P(ServeApiTest, SearchFindsAContactByPartOfItsEmailAndLeavesDeletedOnesOut) {
  auto contacts = org("SELECT Id, Email FROM Contact WHERE Email != null LIMIT 1");
  ASSERT_EQ(contacts.size(), 1u);
  std::string email = contacts[0]["Email"];
  std::string domain = email.substr(email.find('@') + 1, 12);  // part of the domain, as typed
  auto [status, body] = get("/api/search?limit=50&q=" + crmsync::url_encode(email.substr(0, email.find('.')) + " " + domain));
  ASSERT_EQ(status, 200) << body.dump();
  bool found = false;
  for (const auto& r : body["results"]) found = found || r["Id"] == contacts[0]["Id"];
  EXPECT_TRUE(found) << body.dump();
  std::set<std::string> deleted;
  for (const auto& c : soql_records(*admin_, "SELECT Id FROM Contact WHERE IsDeleted = true")) deleted.insert(c["Id"]);
  auto all = admin_->query("SELECT Id, LastName FROM Contact WHERE IsDeleted = true LIMIT 1", true);
  ASSERT_TRUE(all.ok());
  auto rec = json::parse(all->body)["records"];
  if (!rec.empty()) {
    auto [s2, hits] = get("/api/search?limit=50&q=" + crmsync::url_encode(rec[0]["LastName"].get<std::string>()));
    ASSERT_EQ(s2, 200);
    for (const auto& r : hits["results"]) EXPECT_NE(r["Id"], rec[0]["Id"]) << "a deleted contact was found";
  }
}

// The box searches the five objects at once (PostgreSQL: one statement for all of them): every hit
// comes with its own object, Id, title and snippet, objects in the box's order, each at most the limit.
TEST_P(ServeApiTest, SearchAnswersEveryObjectAtOnceEachHitWithItsOwnRecord) {
  auto [status, body] = get("/api/search?limit=3&q=a");
  ASSERT_EQ(status, 200) << body.dump();
  const std::vector<std::string> order = {"Account", "Contact", "Lead", "Opportunity", "User"};
  const std::map<std::string, std::string> prefix = {
      {"Account", "001"}, {"Contact", "003"}, {"Lead", "00Q"}, {"Opportunity", "006"}, {"User", "005"}};
  std::map<std::string, int> per_object;
  std::size_t last = 0;
  for (const auto& r : body["results"]) {
    const std::string object = r["object"];
    auto at = std::find(order.begin(), order.end(), object);
    ASSERT_NE(at, order.end()) << r.dump();
    const auto position = static_cast<std::size_t>(at - order.begin());
    EXPECT_GE(position, last) << "objects in the box's order: " << body.dump();
    last = position;
    ++per_object[object];
    const std::string id = r["Id"];
    EXPECT_EQ(id.substr(0, 3), prefix.at(object)) << r.dump();
    // The title is the record's own name, as the org has it.
    const bool named = object == "Account" || object == "Opportunity";
    auto rec = org("SELECT " + std::string(named ? "Name" : "FirstName, LastName") + " FROM " + object + " WHERE Id = '" + id + "'");
    ASSERT_EQ(rec.size(), 1u) << r.dump();
    std::string title = named ? rec[0]["Name"].get<std::string>()
                              : (rec[0]["FirstName"].is_string() ? rec[0]["FirstName"].get<std::string>() + " " : "") +
                                    rec[0]["LastName"].get<std::string>();
    EXPECT_EQ(r["title"], title) << r.dump();
    // The snippet holds a word starting with the letter searched for.
    const std::string snippet = r["snippet"];
    bool word = false;
    for (std::size_t i = 0; i < snippet.size(); ++i) {
      const bool starts = i == 0 || !std::isalnum(static_cast<unsigned char>(snippet[i - 1]));
      word = word || (starts && std::tolower(static_cast<unsigned char>(snippet[i])) == 'a');
    }
    EXPECT_TRUE(word) << r.dump();
  }
  for (const auto& object : order) {
    EXPECT_GE(per_object[object], 1) << object << " has records with a word starting with a: " << body.dump();
    EXPECT_LE(per_object[object], 3) << object;
  }
}

TEST_P(ServeApiTest, BadInputAnswers400NamingTheParameter) {
  auto expect_400 = [this](const std::string& path, const std::string& code, const std::string& names) {
    auto [status, body] = get(path);
    EXPECT_EQ(status, 400) << path;
    EXPECT_EQ(body["error"]["code"], code) << path << " " << body.dump();
    EXPECT_NE(body["error"]["message"].get<std::string>().find(names), std::string::npos) << body.dump();
  };
  expect_400("/api/forecast?period=2025-Q7", "INVALID_PERIOD", "period");
  expect_400("/api/forecast?period=last-year", "INVALID_PERIOD", "period");
  expect_400("/api/deals?type=New%20Customer", "FIELD_NOT_IMPORTED", "Opportunity.Type");
  expect_400("/api/search?q=", "INVALID_PARAMETER", "q");
  expect_400("/api/search?q=%20%2B%2D", "INVALID_PARAMETER", "q");
  expect_400("/api/deals?limit=abc", "INVALID_PARAMETER", "limit");
  expect_400("/api/deals?min_amount=lots", "INVALID_PARAMETER", "min_amount");
  expect_400("/api/deals?from=2025-02-30", "INVALID_PARAMETER", "from");
  expect_400("/api/deals?sort=Password", "INVALID_PARAMETER", "sort");
  expect_400("/api/deals?colour=red", "UNKNOWN_PARAMETER", "colour");
  expect_400("/api/deals?person=005000000000000AAA", "UNKNOWN_PERSON", "person");
  expect_400("/api/changes", "INVALID_PARAMETER", "since");
  auto [status, body] = get("/api/deals/006000000000000AAA");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(body["error"]["code"], "NOT_FOUND");
  // A 10,000-character search: the API refuses it by name; over HTTP the request line is longer than
  // the server reads (8,192 bytes), which answers 414 with a JSON error before the API is asked.
  serve::Answer long_q = api().get("/api/search", {{"q", std::string(10000, 'a')}}, serve::Viewer::everyone());
  EXPECT_EQ(long_q.status, 400);
  EXPECT_NE(long_q.body["error"]["message"].get<std::string>().find("q:"), std::string::npos) << long_q.body.dump();
  for (const std::string& path : {"/api/search?q=" + std::string(10000, 'a'), "/api/deals?from=" + std::string(100000, '1')}) {
    auto huge = loopback_client(server().port()).Get(path);
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->status, 414);
    auto error = json::parse(huge->body, nullptr, false);
    EXPECT_EQ(error["error"]["code"], "URI_TOO_LONG") << huge->body;
  }
}

TEST_P(ServeApiTest, OneDealByIdAndThePage) {
  auto deals = org("SELECT Id, Name FROM Opportunity LIMIT 1");
  auto [status, body] = get("/api/deals/" + deals[0]["Id"].get<std::string>());
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["Name"], deals[0]["Name"]);
  EXPECT_TRUE(body.contains("history") && body.contains("splits") && body.contains("team_members"));
  auto page = loopback_client(server().port()).Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("/assets/app.js"), std::string::npos);
  for (const char* asset : {"/assets/app.js", "/assets/app.css", "/assets/chart.min.js"}) {
    auto a = loopback_client(server().port()).Get(asset);
    ASSERT_TRUE(a) << asset;
    EXPECT_EQ(a->status, 200) << asset;
    EXPECT_GT(a->body.size(), 100u) << asset;
  }
}

TEST_P(ServeApiTest, AnOpenedSearchResultShowsTheRecordWithItsAccountByName) {
  auto contacts = org("SELECT Id, FirstName, LastName, Email, Account.Name FROM Contact WHERE Email != null AND AccountId != null LIMIT 1");
  ASSERT_EQ(contacts.size(), 1u);
  const json& c = contacts[0];
  auto [status, body] = get("/api/records/Contact/" + c["Id"].get<std::string>());
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["object"], "Contact");
  EXPECT_EQ(body["title"], c["FirstName"].get<std::string>() + " " + c["LastName"].get<std::string>());
  EXPECT_EQ(body["url"], (*emu_)->base_url() + "/" + c["Id"].get<std::string>());
  std::map<std::string, json> fields;
  for (const auto& f : body["fields"]) fields[f["name"]] = f;
  EXPECT_EQ(fields["Email"]["value"], c["Email"]);
  ASSERT_TRUE(fields.contains("AccountId")) << body.dump();
  EXPECT_EQ(fields["AccountId"]["ref"]["object"], "Account");
  EXPECT_EQ(fields["AccountId"]["ref"]["title"], c["Account"]["Name"]) << "the account by its name, linked";
  EXPECT_FALSE(fields.contains("IsDeleted") || fields.contains("Id")) << body.dump();

  auto deleted = admin_->query("SELECT Id FROM Contact WHERE IsDeleted = true LIMIT 1", true);
  ASSERT_TRUE(deleted.ok());
  auto rec = json::parse(deleted->body)["records"];
  if (!rec.empty()) {
    auto [s2, gone] = get("/api/records/Contact/" + rec[0]["Id"].get<std::string>());
    EXPECT_EQ(s2, 404) << "a deleted contact is not shown: " << gone.dump();
  }
  auto [s3, wrong] = get("/api/records/Task/" + c["Id"].get<std::string>());
  EXPECT_EQ(s3, 404);
  EXPECT_EQ(wrong["error"]["code"], "NOT_FOUND");
  auto [s4, bad] = get("/api/records/Contact/003%27%20OR%201=1");
  EXPECT_EQ(s4, 404) << bad.dump();
}

TEST_P(ServeApiTest, FiltersOfferTheOrgsStagesInOrderAndTheCloseDatesRange) {
  auto stages = org("SELECT MasterLabel, SortOrder FROM OpportunityStage ORDER BY SortOrder");
  ASSERT_GT(stages.size(), 3u);
  auto [status, body] = get("/api/filters");
  ASSERT_EQ(status, 200) << body.dump();
  std::vector<std::string> got = body["stages"];
  ASSERT_GE(got.size(), stages.size());
  for (std::size_t i = 0; i < stages.size(); ++i) EXPECT_EQ(got[i], stages[i]["MasterLabel"]) << i;
  EXPECT_TRUE(body["types"].is_null()) << "Type is excluded in this store: no type filter to offer";
  EXPECT_TRUE(body["record_types"].is_array());
  auto first = org("SELECT CloseDate FROM Opportunity WHERE CloseDate != null ORDER BY CloseDate ASC LIMIT 1");
  auto last = org("SELECT CloseDate FROM Opportunity WHERE CloseDate != null ORDER BY CloseDate DESC LIMIT 1");
  EXPECT_EQ(body["close_dates"]["first"], first[0]["CloseDate"]);
  EXPECT_EQ(body["close_dates"]["last"], last[0]["CloseDate"]);
  EXPECT_EQ(body["fiscal_year_start_month"], 1);
  EXPECT_TRUE(body["this_quarter"]["label"].is_string());
}

TEST_P(ServeApiTest, ThePageAndAnswersAreGzippedNotBrotliCompressedAtQuality11) {
  // cpp-httplib compresses with brotli at quality 11 when a browser accepts it: half a second for
  // Chart.js alone, which broke the page's one-second load.
  for (const char* path : {"/assets/chart.min.js", "/assets/app.css", "/api/deals?limit=500"}) {
    auto res = loopback_client(server().port()).Get(path, {{"Accept-Encoding", "gzip, deflate, br"}});
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip") << path;
  }
  auto csp = loopback_client(server().port()).Get("/");
  ASSERT_TRUE(csp);
  EXPECT_EQ(csp->get_header_value("Content-Security-Policy").rfind("default-src 'self';", 0), 0u) << "a strict CSP";
}

TEST_P(ServeApiTest, LinksGoToTheOrgsInstanceTheSyncRecordedNotToTheLoginHost) {
  auto reader = store::StoreReader::open(stores_.at(GetParam()).url);
  ASSERT_TRUE(reader.ok());
  serve::Api api(std::move(*reader), {.serve = {}, .salesforce_url = "https://login.salesforce.com"});
  const std::string instance = (*emu_)->base_url();  // what the emulator's login answered as instance_url
  auto status = api.get("/api/status", {}, serve::Viewer::everyone());
  EXPECT_EQ(status.body["instance_url"], instance) << status.body.dump();
  auto deals = api.get("/api/deals", {{"from", kFrom}, {"to", kTo}, {"limit", "1"}}, serve::Viewer::everyone());
  ASSERT_EQ(deals.status, 200) << deals.body.dump();
  ASSERT_EQ(deals.body["deals"].size(), 1u);
  const json& d = deals.body["deals"][0];
  EXPECT_EQ(d["url"], instance + "/" + d["Id"].get<std::string>());
  auto contact = org("SELECT Id, LastName FROM Contact WHERE IsDeleted = false LIMIT 1")[0];
  auto found = api.get("/api/search", {{"q", contact["LastName"].get<std::string>()}, {"limit", "50"}}, serve::Viewer::everyone());
  ASSERT_EQ(found.status, 200);
  ASSERT_FALSE(found.body["results"].empty());
  for (const auto& r : found.body["results"]) EXPECT_EQ(r["url"], instance + "/" + r["Id"].get<std::string>());
  auto record = api.get("/api/records/Contact/" + contact["Id"].get<std::string>(), {}, serve::Viewer::everyone());
  EXPECT_EQ(record.body["url"], instance + "/" + contact["Id"].get<std::string>()) << record.body.dump();
}

// Without sign-in there is nobody to be: the page asks /api/session to know whether to offer
// signing in and editing, and learns it need not.
TEST_P(ServeApiTest, WithoutSigninTheSessionSaysSoAndEditsAreRefused) {
  auto [status, body] = get("/api/session");
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["signin"], false);
  EXPECT_TRUE(body["csrf_token"].is_null());
  auto edit = loopback_client(server().port()).Patch("/api/deals/006000000000001AAA", R"({"StageName":"x"})", "application/json");
  ASSERT_TRUE(edit);
  EXPECT_EQ(edit->status, 403);
  EXPECT_EQ(json::parse(edit->body)["error"]["code"], "SIGNIN_REQUIRED");
}

// A store url for a test: a SQLite file in `dir`, or a fresh PostgreSQL database.
std::string store_url(StoreBackend backend, const TempDir& dir, const std::string& file) {
  return backend == StoreBackend::kSqlite ? "sqlite:" + dir.file(file) : pg_test_url();
}

class ServeNoSyncTest : public ::testing::TestWithParam<StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, ServeNoSyncTest, kBothStores, backend_name);

TEST_P(ServeNoSyncTest, AStoreWithNoSyncYetSaysWhatToRun) {
  TempDir dir;
  auto reader = store::StoreReader::open(store_url(GetParam(), dir, "never-synced.db"));
  ASSERT_TRUE(reader.ok());
  serve::Api api(std::move(*reader), {});
  for (const char* path : {"/api/deals", "/api/forecast", "/api/search"}) {
    serve::Answer a = api.get(path, {{"q", "acme"}}, serve::Viewer::everyone());
    if (std::string(path) != "/api/search") a = api.get(path, {}, serve::Viewer::everyone());
    EXPECT_EQ(a.status, 503) << path;
    EXPECT_EQ(a.body["error"]["code"], "NO_SYNC") << path;
    EXPECT_NE(a.body["error"]["message"].get<std::string>().find("crmsync sync"), std::string::npos) << a.body.dump();
  }
  // A store that exists but holds nothing synced yet says the same.
  const std::string empty = store_url(GetParam(), dir, "empty.db");
  ASSERT_TRUE(store::Store::open(empty).ok());
  auto opened = store::StoreReader::open(empty);
  serve::Api api2(std::move(*opened), {});
  serve::Answer a = api2.get("/api/deals", {}, serve::Viewer::everyone());
  EXPECT_EQ(a.status, 503);
  EXPECT_NE(a.body["error"]["message"].get<std::string>().find("crmsync sync"), std::string::npos);
}

TEST(ServeCliTest, RefusesAnAddressOtherThanLoopbackAndAReferenceColumn) {
  TempDir dir;
  write_file(dir.file("crmsync.toml"), emulator_toml("http://127.0.0.1:9", dir.file("crmsync.db")));
  auto r = run_crmsync("serve --config " + dir.file("crmsync.toml") + " --host 0.0.0.0 --port 18099");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "LOOPBACK_ONLY") || contains(r.output, "loopback only")) << r.output;
  write_file(dir.file("refs.toml"),
             emulator_toml("http://127.0.0.1:9", dir.file("crmsync.db"), "[serve]\ndeal_columns = [\"AccountId\"]\n"));
  r = run_crmsync("serve --config " + dir.file("refs.toml") + " --port 18099");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "Opportunity.AccountId")) << r.output;
  EXPECT_TRUE(contains(r.output, "Owner and Record Type")) << r.output;
}

// With sign-in configured the secrets are read at start: one that cannot be read stops serve with
// the setting named, before anything listens.
TEST(ServeCliTest, ASigninSecretFileThatCannotBeReadStopsServeNamingTheSetting) {
  TempDir dir;
  write_file(dir.file("crmsync.toml"),
             emulator_toml("http://127.0.0.1:9", dir.file("crmsync.db"),
                           "[serve]\nclient_id = \"team-app\"\npublic_url = \"https://deals.acme.example\"\n"
                           "client_secret_file = \"" + dir.file("missing-secret") + "\"\nhost = \"0.0.0.0\"\n"));
  auto r = run_crmsync("serve --config " + dir.file("crmsync.toml") + " --port 18099");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "[serve] client_secret_file = \"" + dir.file("missing-secret") + "\" cannot be read"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "LOOPBACK_ONLY")) << "with sign-in any address is allowed: " << r.output;
}

// A PostgreSQL store serve cannot reach stops it at start with a message that says so and names
// the fix, and never shows the url's password.
TEST(ServeCliTest, AnUnreachablePostgresStoreStopsItAtStartWithoutItsPassword) {
  TempDir dir;
  write_file(dir.file("crmsync.toml"), "[store]\nurl = \"postgresql://crmsync:pg-s3cret@127.0.0.1:9/crm\"\n");
  auto r = run_crmsync("serve --config " + dir.file("crmsync.toml") + " --port 18099");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "PG_UNREACHABLE")) << r.output;
  EXPECT_TRUE(contains(r.output, "crmsync:***@127.0.0.1:9")) << r.output;
  EXPECT_FALSE(contains(r.output, "pg-s3cret")) << r.output;
}

// An answer leaves as soon as it is made: on a keep-alive connection (as browsers keep) an answer
// written in parts must not wait for the client's delayed ACK (40 ms on Linux, Nagle's algorithm),
// which once made every request take at least that long, whatever it cost to compute.
TEST(ServeHttpTest, AnswersOnAKeepAliveConnectionLeaveAtOnce) {
  TempDir dir;
  const std::string url = "sqlite:" + dir.file("crmsync.db");
  ASSERT_TRUE(store::Store::open(url).ok());
  auto reader = store::StoreReader::open(url);
  serve::Api api(std::move(*reader), {});
  serve::Server server(api, {.host = "127.0.0.1", .port = 0});
  ASSERT_TRUE(server.start().ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  std::vector<double> ms;
  for (int i = 0; i < 21; ++i) {
    auto started = std::chrono::steady_clock::now();
    auto res = client.Get("/api/status");
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
  }
  std::sort(ms.begin(), ms.end());
  EXPECT_LT(ms[ms.size() / 2], 30) << "the median answer of /api/status took " << ms[ms.size() / 2] << " ms";
}

// What a sync commits with each page: the object's sync state (its watermark moves).
Status save_page_state(store::Store& st, int page) {
  store::SyncState state;
  state.object = "Opportunity";
  state.watermark = 1735689600000 + page * 1000;
  state.rows = page;
  return st.save_state(state);
}

std::int64_t deal_count(serve::Api& api) {
  serve::Answer a = api.get("/api/deals", {{"from", "2025-01-01"}, {"to", "2025-12-31"}, {"limit", "0"}},
                            serve::Viewer::everyone());
  return a.status == 200 ? a.body["totals"]["count"].get<std::int64_t>() : -1;
}

// The board's count once the background refresh has read the last commit (it answers from the
// previous one meanwhile): polled for up to 10 s.
std::int64_t deal_count_once_refreshed(serve::Api& api, std::int64_t expected) {
  std::int64_t n = deal_count(api);
  for (int i = 0; i < 1000 && n != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = deal_count(api);
  }
  return n;
}

// Every answer reflects whole commits: a writer commits "pages" of 50 deals, each with its account
// in the same transaction, while the API is read from several threads; every answer's count is a
// whole number of pages, counts only grow, and no deal shows without its account (the answer reads
// Account and Opportunity in one snapshot).
using catalog::StorageClass;
const std::vector<store::Column> kDealColumns = {{"Id", StorageClass::kText},        {"Name", StorageClass::kText},
                                                 {"Amount", StorageClass::kReal},    {"CloseDate", StorageClass::kDate},
                                                 {"StageName", StorageClass::kText}, {"OwnerId", StorageClass::kText},
                                                 {"AccountId", StorageClass::kText}};
const std::vector<store::Column> kAccountColumns = {{"Id", StorageClass::kText}, {"Name", StorageClass::kText}};

// A store with the tables a sync makes for deals and accounts (deals searched by name).
std::unique_ptr<store::Store> deal_store(const std::string& url) {
  auto st = store::Store::open(url);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().to_string());
  if (!st.ok()) return nullptr;
  EXPECT_TRUE((*st)->ensure_table("Opportunity", kDealColumns).ok());
  EXPECT_TRUE((*st)->ensure_table("Account", kAccountColumns).ok());
  EXPECT_TRUE((*st)->ensure_search_index("Opportunity", {"Name"}).ok());
  return std::move(*st);
}

// Deal number n of the tests (Q2 2025, 100.0, "Deal 006...") and its account.
std::vector<store::Value> deal_row(int n) {
  char id[19], account[19];
  std::snprintf(id, sizeof id, "006%015d", n);
  std::snprintf(account, sizeof account, "001%015d", n);
  return {std::string(id), std::string("Deal ") + id, 100.0, std::string("2025-05-01"), std::string("Prospecting"),
          std::string("005A"), std::string(account)};
}

class ServeSnapshotTest : public ::testing::TestWithParam<StoreBackend> {};
INSTANTIATE_TEST_SUITE_P(Stores, ServeSnapshotTest, kBothStores, backend_name);

TEST_P(ServeSnapshotTest, AnswersNeverShowHalfAPageWhileASyncCommits) {
  TempDir dir;
  const std::string url = store_url(GetParam(), dir, "crmsync.db");
  auto st = deal_store(url);
  ASSERT_NE(st, nullptr);
  auto reader = store::StoreReader::open(url);
  serve::Api api(std::move(*reader), {});
  serve::Server server(api, {.host = "127.0.0.1", .port = 0});
  ASSERT_TRUE(server.start().ok());
  constexpr int kPage = 50, kPages = 40;
  std::atomic<bool> done{false};
  std::atomic<int> answers{0}, torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      int last = 0;
      while (!done) {
        auto res = loopback_client(server.port()).Get(t == 2 ? "/api/search?q=deal&limit=50" : "/api/deals?from=2025-01-01&to=2025-12-31&limit=5000");
        if (!res || res->status != 200) continue;
        auto body = json::parse(res->body);
        int n = t == 2 ? static_cast<int>(body["results"].size()) : body["totals"]["count"].get<int>();
        if (t != 2 && (n % kPage != 0 || n < last)) ++torn;
        for (const auto& d : body.value("deals", json::array())) {
          if (d["AccountName"].get<std::string>().empty()) ++torn;
        }
        if (t != 2) last = n;
        ++answers;
      }
    });
  }
  for (int p = 0; p < kPages; ++p) {
    ASSERT_TRUE(st->begin().ok());
    auto w = st->writer("Opportunity", kDealColumns);
    auto accounts = st->writer("Account", kAccountColumns);
    ASSERT_TRUE(w.ok() && accounts.ok());
    for (int i = 0; i < kPage; ++i) {
      const std::vector<store::Value> row = deal_row(p * kPage + i);
      ASSERT_TRUE((*w)->upsert(row).ok());
      const std::vector<store::Value> account_row = {row[6], std::string("Account ") + std::get<std::string>(row[6])};
      ASSERT_TRUE((*accounts)->upsert(account_row).ok());
      if (i == kPage / 2) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // readers meet half a page
    }
    ASSERT_TRUE(save_page_state(*st, p).ok());
    ASSERT_TRUE(st->commit().ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(answers.load(), 20);
  EXPECT_EQ(torn.load(), 0) << "an answer counted part of a page";
  EXPECT_EQ(deal_count_once_refreshed(api, kPage * kPages), kPage * kPages) << "the answers reach the last commit";
}

// A sync's commit makes the boards read the store again, on a thread of their own: a request
// meanwhile is answered at once from the last commit read (here the refresh is held until the test
// lets it go), never from part of the new one, and the answers move to the new commit once it is read.
TEST_P(ServeSnapshotTest, ARequestDuringARefreshIsAnsweredFromThePreviousCommitAtOnce) {
  TempDir dir;
  const std::string url = store_url(GetParam(), dir, "crmsync.db");
  auto st = deal_store(url);
  ASSERT_NE(st, nullptr);
  auto commit_page = [&](int p) {
    ASSERT_TRUE(st->begin().ok());
    auto w = st->writer("Opportunity", kDealColumns);
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 50; ++i) ASSERT_TRUE((*w)->upsert(deal_row(p * 50 + i)).ok());
    ASSERT_TRUE(save_page_state(*st, p).ok());
    ASSERT_TRUE(st->commit().ok());
  };
  commit_page(0);

  std::mutex mu;
  std::condition_variable cv;
  bool hold = false, held = false;
  auto reader = store::StoreReader::open(url);
  ASSERT_TRUE(reader.ok());
  serve::Api api(std::move(*reader), {.before_model_refresh = [&] {
                   std::unique_lock lock(mu);
                   held = hold;
                   cv.notify_all();
                   cv.wait(lock, [&] { return !hold; });
                   held = false;
                 }});
  EXPECT_EQ(deal_count(api), 50) << "the first request waits for the first read";

  {
    std::lock_guard lock(mu);
    hold = true;
  }
  commit_page(1);
  EXPECT_EQ(deal_count(api), 50) << "answered from the last commit read; this request asks for a refresh";
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return held; })) << "no refresh was started";
  }
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(deal_count(api), 50) << "during the refresh: the previous commit, whole";
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(ms, 1000) << "a request waited for the refresh";
  serve::Answer search = api.get("/api/search", {{"q", "deal"}, {"limit", "50"}}, serve::Viewer::everyone());
  EXPECT_EQ(search.body["results"].size(), 50u) << "search reads the request's own snapshot: the new commit";
  {
    std::lock_guard lock(mu);
    hold = false;
  }
  cv.notify_all();
  EXPECT_EQ(deal_count_once_refreshed(api, 100), 100) << "the refresh brings the new commit";
}

}  // namespace
}  // namespace crmsync::testing
