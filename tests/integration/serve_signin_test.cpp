// crmsync serve with sign-in: team members sign in through the emulator's login page (driven here
// over plain HTTP with a cookie jar), see what their place in the hierarchy and their teams give
// them, and edit deals as themselves. What each person may see is computed here from the org's
// own rows (SOQL as the admin), never from crmsync's code.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "serve/serve.h"
#include "signin_support.h"
#include "sync_support.h"

namespace crmsync::testing {
namespace {

using nlohmann::json;

constexpr const char* kOrg = R"(scale = 20
seed = 11

[[profiles]]
name = "Standard User"
fields = { "Opportunity.Amount" = { edit = false } }

[[validation_rules]]
object = "Opportunity"
error_condition = "CloseDate < 2020-01-01"
message = "Close Date cannot be before 2020."
field = "CloseDate"

[[users]]
username = "rep@crmsync.test"
password = "rep-pass"
first_name = "Rita"
last_name = "Rep"
profile = "Standard User"
role = "Sales Rep, EMEA"

[[users]]
username = "other.rep@crmsync.test"
password = "other-pass"
first_name = "Otto"
last_name = "Other"
profile = "Standard User"
role = "Sales Rep, Americas"

[[users]]
username = "manager@crmsync.test"
password = "manager-pass"
first_name = "Mona"
last_name = "Manager"
profile = "Standard User"
role = "Sales Manager, EMEA"
)";

const char* kWide = "from=2000-01-01&to=2100-12-31&limit=10000";

// One org with a rep, another rep and the rep's manager, its deals handed out by the admin, synced
// into a store; one server with sign-in over it, its clock movable (sessions expire).
class ServeSigninTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    emu_ = new OrgFileEmulator(kOrg);
    dir_ = new TempDir();
    const std::string base = emu_->emulator().base_url();
    admin_ = admin_login(base).release();
    rep_id_ = user_id("rep@crmsync.test");
    other_id_ = user_id("other.rep@crmsync.test");
    manager_id_ = user_id("manager@crmsync.test");
    auto deals = ids(*admin_, "SELECT Id FROM Opportunity WHERE IsClosed = false AND Amount != null ORDER BY Id LIMIT 6");
    ASSERT_EQ(deals.size(), 6u);
    own_ = {deals[0], deals[1], deals[2], deals[3]};
    other_deal_ = deals[4];
    team_deal_ = deals[5];
    for (const auto& id : own_) give(id, rep_id_);
    give(other_deal_, other_id_);
    // The other rep's deal is theirs alone: the generated org put people on its team.
    for (const auto& t : ids(*admin_, "SELECT Id FROM OpportunityTeamMember WHERE OpportunityId = '" + other_deal_ + "'")) {
      auto removed = admin_->remove("OpportunityTeamMember", t);
      ASSERT_TRUE(removed) << removed.error().to_string();
    }
    give(team_deal_, other_id_);
    auto member = admin_->create("OpportunityTeamMember", {{"OpportunityId", team_deal_}, {"UserId", rep_id_},
                                                           {"TeamMemberRole", "Sales Engineer"},
                                                           {"OpportunityAccessLevel", "Read"}});
    ASSERT_TRUE(member) << member.error().to_string();

    auto cfg = sync_config(base, dir_->file("crmsync.db"));
    // Not catalog fields: imported and shown; NextStep and LeadSource edited, ExpectedRevenue (a
    // formula) not.
    cfg.objects["Opportunity"].include = {"NextStep", "LeadSource", "ExpectedRevenue"};
    cfg.serve.deal_columns = {"NextStep", "LeadSource", "ExpectedRevenue"};
    cfg_ = new config::Config(cfg);
    sync_store();
    port_ = free_loopback_port();
    auto reader = store::StoreReader::open(cfg.store.url);
    ASSERT_TRUE(reader);
    api_ = new serve::Api(std::move(*reader),
                          {.serve = cfg.serve, .salesforce_url = base, .edit_store = sync::store_options(cfg)});
    // The other rep is an admin by their 15-character id: they see every deal (another server over
    // the same store, without that entry, shows that the entry is what does it).
    server_ = new serve::Server(*api_, {.host = "127.0.0.1",
                                        .port = port_,
                                        .signin = signin_for("http://127.0.0.1:" + std::to_string(port_),
                                                             {"admin@crmsync.test", other_id_.substr(0, 15)})});
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().to_string();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete api_;
    delete cfg_;
    delete admin_;
    delete dir_;
    delete emu_;
  }

  // Sign-in through the fixture's emulator, as the fixture's server has it but for its public URL and admins.
  static serve::SigninOptions signin_for(const std::string& public_url, std::vector<std::string> admins) {
    return {.login_url = emu_->emulator().base_url(),
            .verify_tls = true,
            .public_url = public_url,
            .client_id = "crmsync-local",
            .client_secret = "crmsync-local-secret",
            .admins = std::move(admins),
            .session_hours = 8,
            .clock = [] { return now_ms() + clock_offset_ms_.load(); }};
  }
  // A second server over the fixture's API on a port of its own, started (stopped when it goes).
  static std::unique_ptr<serve::Server> another_server(const std::string& scheme, std::vector<std::string> admins) {
    const int port = free_loopback_port();
    auto server = std::make_unique<serve::Server>(
        *api_, serve::ServerOptions{.host = "127.0.0.1",
                                    .port = port,
                                    .signin = signin_for(scheme + "://127.0.0.1:" + std::to_string(port), std::move(admins))});
    auto started = server->start();
    if (!started) throw std::runtime_error(started.error().to_string());
    return server;
  }
  static std::string quoted_ids(const std::set<std::string>& list) {
    std::string out;
    for (const auto& id : list) out += (out.empty() ? "'" : ", '") + id + "'";
    return out;
  }

  static std::string user_id(const std::string& username) {
    auto found = ids(*admin_, "SELECT Id FROM User WHERE Username = '" + username + "'");
    if (found.size() != 1) throw std::runtime_error("no user " + username);
    return found.front();
  }
  // A new owner, who takes over the previous owner's splits (the emulator moves them, as Salesforce does).
  static void give(const std::string& deal, const std::string& owner) {
    auto s = admin_->update("Opportunity", deal, {{"OwnerId", owner}});
    if (!s) throw std::runtime_error(s.error().to_string());
  }
  // What a forecast credits `person` of `deal` (SOQL row with Id, OwnerId, Amount): their share of
  // its splits over Amount, or the whole amount when they own a deal without such splits.
  static double credited(const json& deal, const std::string& person) {
    double percent = 0;
    bool split = false;
    for (const auto& sp : soql_records(*admin_, "SELECT SplitOwnerId, SplitPercentage, SplitType.SplitField, SplitType.IsActive "
                                                "FROM OpportunitySplit WHERE OpportunityId = '" + deal["Id"].get<std::string>() + "'")) {
      if (sp["SplitType"]["SplitField"] != "Amount" || sp["SplitType"]["IsActive"] != true) continue;
      split = true;
      if (sp["SplitOwnerId"] == person) percent += sp["SplitPercentage"].get<double>();
    }
    if (!split && deal["OwnerId"] == person) percent = 100;
    return deal["Amount"].is_number() ? deal["Amount"].get<double>() * percent / 100 : 0;
  }
  static void sync_store() {
    wait_past_the_next_whole_second();
    auto client = login(*cfg_);
    auto st = store::Store::open(cfg_->store.url);
    ASSERT_TRUE(st);
    auto report = sync::run_sync(*cfg_, *client, **st, {});
    ASSERT_TRUE(report.ok() && report->ok()) << (report.ok() ? "an object failed" : report.error().to_string());
  }
  static json body_of(const httplib::Result& r) { return r ? json::parse(r->body, nullptr, false) : json(); }
  static std::set<std::string> ids_in(const json& list) {
    std::set<std::string> out;
    for (const auto& d : list) out.insert(d["Id"].get<std::string>());
    return out;
  }
  static json org_deal(const std::string& id) {
    auto rows = soql_records(*admin_, "SELECT Id, StageName, Amount, NextStep, LastModifiedById FROM Opportunity "
                                      "WHERE Id = '" + id + "'");
    return rows.empty() ? json() : rows.front();
  }
  static std::vector<store::EditLogEntry> edit_log() {
    for (int i = 0; i < 100; ++i) {  // a write waiting for the lock lands within seconds
      auto st = store::Store::open(cfg_->store.url);
      if (st) {
        auto log = (*st)->edit_log();
        if (log) return *log;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
  }

  static OrgFileEmulator* emu_;
  static TempDir* dir_;
  static salesforce::Client* admin_;
  static config::Config* cfg_;
  static serve::Api* api_;
  static serve::Server* server_;
  static int port_;
  static std::atomic<EpochMs> clock_offset_ms_;
  static std::string rep_id_, other_id_, manager_id_, other_deal_, team_deal_;
  static std::vector<std::string> own_;
};
OrgFileEmulator* ServeSigninTest::emu_ = nullptr;
TempDir* ServeSigninTest::dir_ = nullptr;
salesforce::Client* ServeSigninTest::admin_ = nullptr;
config::Config* ServeSigninTest::cfg_ = nullptr;
serve::Api* ServeSigninTest::api_ = nullptr;
serve::Server* ServeSigninTest::server_ = nullptr;
int ServeSigninTest::port_ = 0;
std::atomic<EpochMs> ServeSigninTest::clock_offset_ms_{0};
std::string ServeSigninTest::rep_id_, ServeSigninTest::other_id_, ServeSigninTest::manager_id_,
    ServeSigninTest::other_deal_, ServeSigninTest::team_deal_;
std::vector<std::string> ServeSigninTest::own_;

TEST_F(ServeSigninTest, SigningInThroughTheLoginPageGivesASessionCookieWithItsFlags) {
  Browser rep(port_);
  auto start = rep.get("/auth/login");
  ASSERT_TRUE(start);
  ASSERT_EQ(start->status, 302);
  const std::string to = start->get_header_value("Location");
  EXPECT_TRUE(to.starts_with(emu_->emulator().base_url() + "/services/oauth2/authorize?response_type=code")) << to;
  EXPECT_TRUE(contains(to, "&code_challenge_method=S256")) << to;
  EXPECT_TRUE(contains(to, "&state=")) << to;

  Browser browser(port_);
  auto done = browser.sign_in_answer("rep@crmsync.test", "rep-pass");
  ASSERT_TRUE(done);
  ASSERT_EQ(done->status, 302) << done->body;
  EXPECT_EQ(done->get_header_value("Location"), "/");
  const SetCookie* session = nullptr;
  for (const auto& c : browser.received()) {
    if (c.name == "crmsync_session" && !c.value.empty()) session = &c;
  }
  ASSERT_NE(session, nullptr);
  EXPECT_GE(session->value.size(), 43u) << "256 random bits";
  EXPECT_TRUE(contains(session->attributes, "; HttpOnly")) << session->attributes;
  EXPECT_TRUE(contains(session->attributes, "; SameSite=Lax")) << session->attributes;
  EXPECT_TRUE(contains(session->attributes, "; Path=/;")) << session->attributes;
  EXPECT_TRUE(contains(session->attributes, "; Max-Age=28800")) << "session_hours = 8: " << session->attributes;
  EXPECT_FALSE(contains(session->attributes, "Secure")) << "public_url is plain http (loopback)";

  auto who = body_of(browser.get("/api/session"));
  EXPECT_EQ(who["user_id"], rep_id_);
  EXPECT_EQ(who["name"], "Rita Rep");
  EXPECT_EQ(who["admin"], false);
  EXPECT_GE(who["csrf_token"].get<std::string>().size(), 43u);
}

TEST_F(ServeSigninTest, EveryApiRouteAnswers401WithoutASessionButThePageOpens) {
  Browser anonymous(port_);
  for (const std::string& path : std::vector<std::string>{"/api/deals", "/api/deals/" + own_[0], "/api/forecast",
                                                          "/api/changes?since=2024-01-01", "/api/search?q=acme",
                                                          "/api/people", "/api/status", "/api/session", "/api/filters",
                                                          "/api/records/Opportunity/" + own_[0], "/api/edit-fields"}) {
    auto r = anonymous.get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path << ": " << r->body;
    EXPECT_EQ(body_of(r)["error"]["code"], "NOT_SIGNED_IN") << path;
  }
  auto edit = anonymous.patch("/api/deals/" + own_[0], R"({"StageName":"Closed Won"})", "");
  ASSERT_TRUE(edit);
  EXPECT_EQ(edit->status, 401);
  auto page = anonymous.get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200) << "the page itself holds no data";
}

TEST_F(ServeSigninTest, AForgedASignedOutAndAnExpiredSessionAreRefused) {
  Browser forged(port_);
  forged.set_cookie("crmsync_session", "dGhpcyBpcyBub3QgYSBzZXNzaW9uIGlkIGF0IGFsbCBzb3JyeQ");
  EXPECT_EQ(forged.get("/api/deals")->status, 401);

  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  Browser thief(port_);  // a copy of the cookie, as a thief would hold it
  thief.set_cookie("crmsync_session", rep.cookie("crmsync_session"));
  EXPECT_EQ(thief.get("/api/deals?" + std::string(kWide))->status, 200);
  auto out = rep.post("/auth/logout", csrf);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200) << out->body;
  EXPECT_EQ(body_of(out)["revoked"], true) << out->body;
  EXPECT_TRUE(rep.cookie("crmsync_session").empty()) << "the cookie is cleared";
  EXPECT_EQ(thief.get("/api/deals")->status, 401) << "a signed-out session is over for everyone holding it";

  Browser later(port_);
  later.sign_in("rep@crmsync.test", "rep-pass");
  EXPECT_EQ(later.get("/api/status")->status, 200);
  clock_offset_ms_ = 8 * 3600 * 1000 + 1000;  // past session_hours
  EXPECT_EQ(later.get("/api/status")->status, 401);
  clock_offset_ms_ = 0;
  EXPECT_EQ(later.get("/api/status")->status, 401) << "an expired session is dropped, not revived";
}

TEST_F(ServeSigninTest, AWriteWithoutTheAntiForgeryTokenIsRefused) {
  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  const std::string path = "/api/deals/" + own_[3];
  auto none = rep.patch(path, R"({"NextStep":"forged"})", "");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 403);
  EXPECT_EQ(body_of(none)["error"]["code"], "CSRF_TOKEN_INVALID");
  auto wrong = rep.patch(path, R"({"NextStep":"forged"})", csrf.substr(1) + "x");
  EXPECT_EQ(wrong->status, 403);
  auto elsewhere = rep.patch(path, R"({"NextStep":"forged"})", csrf, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(elsewhere->status, 403);
  EXPECT_EQ(body_of(elsewhere)["error"]["code"], "CROSS_ORIGIN");
  EXPECT_EQ(rep.post("/auth/logout", "")->status, 403) << "signing someone out is a write too";
  EXPECT_NE(org_deal(own_[3])["NextStep"], "forged") << "nothing reached Salesforce";
}

TEST_F(ServeSigninTest, ARepSeesTheirOwnAndTheirTeamsDealsOnEveryRouteAndNothingElse) {
  Browser rep(port_);
  rep.sign_in("rep@crmsync.test", "rep-pass");
  std::set<std::string> expected(own_.begin(), own_.end());
  expected.insert(team_deal_);
  // From the org: the rep owns or is on the team of exactly these (no one is below a Sales Rep).
  std::set<std::string> from_org;
  for (const auto& d : soql_records(*admin_, "SELECT Id FROM Opportunity WHERE OwnerId = '" + rep_id_ + "'")) from_org.insert(d["Id"]);
  for (const auto& t : soql_records(*admin_, "SELECT OpportunityId FROM OpportunityTeamMember WHERE UserId = '" + rep_id_ + "'")) {
    from_org.insert(t["OpportunityId"]);
  }
  ASSERT_EQ(from_org, expected);

  auto board = body_of(rep.get(std::string("/api/deals?") + kWide));
  EXPECT_EQ(ids_in(board["deals"]), expected) << board.dump();
  // The totals count the visible deals only, at the org's amounts.
  const auto visible = soql_records(*admin_, "SELECT Id, Amount, CloseDate, StageName, Type FROM Opportunity WHERE Id IN (" +
                                                 quoted_ids(expected) + ")");
  ASSERT_EQ(visible.size(), expected.size());
  double amount = 0;
  std::string first_close = "9999-12-31", last_close = "0000-01-01";
  std::set<std::string> visible_types;
  for (const auto& d : visible) {
    amount += d["Amount"].is_number() ? d["Amount"].get<double>() : 0;
    first_close = std::min(first_close, d["CloseDate"].get<std::string>());
    last_close = std::max(last_close, d["CloseDate"].get<std::string>());
    if (d["Type"].is_string()) visible_types.insert(d["Type"].get<std::string>());
  }
  EXPECT_EQ(board["totals"]["count"], expected.size()) << board["totals"].dump();
  EXPECT_NEAR(board["totals"]["amount"].get<double>(), amount, 0.01) << board["totals"].dump();

  // The pickers offer what the visible deals hold: their close dates' range, their types.
  auto filters = body_of(rep.get("/api/filters"));
  EXPECT_EQ(filters["close_dates"], json({{"first", first_close}, {"last", last_close}})) << filters.dump();
  for (const auto& t : filters["types"]) EXPECT_TRUE(visible_types.contains(t.get<std::string>())) << t << " is no visible deal's";

  // The store's status counts no rows for a rep (they would count every deal of the org); an admin's does.
  auto status = body_of(rep.get("/api/status"));
  ASSERT_FALSE(status["objects"].empty()) << status.dump();
  for (const auto& o : status["objects"]) {
    EXPECT_TRUE(o["rows"].is_null() && o["deleted"].is_null()) << o.dump();
  }

  // A hidden deal's amount is in no forecast the rep sees: their quarter's pipeline is what their
  // visible deals credit them.
  const json hidden = soql_records(*admin_, "SELECT CloseDate, Amount FROM Opportunity WHERE Id = '" + other_deal_ + "'").at(0);
  const std::string close = hidden["CloseDate"];
  const std::string quarter = close.substr(0, 4) + "-Q" + std::to_string((std::stoi(close.substr(5, 2)) + 2) / 3);
  auto forecast = body_of(rep.get("/api/forecast?period=" + quarter));
  ASSERT_EQ(forecast["period"], quarter) << forecast.dump();
  double own_pipeline = 0;
  for (const auto& d : soql_records(*admin_, "SELECT Id, OwnerId, Amount FROM Opportunity WHERE Id IN (" + quoted_ids(expected) +
                                                 ") AND ForecastCategoryName != 'Omitted' AND CloseDate >= " +
                                                 forecast["from"].get<std::string>() + " AND CloseDate <= " +
                                                 forecast["to"].get<std::string>())) {
    own_pipeline += credited(d, rep_id_);
  }
  EXPECT_NEAR(forecast["total"]["pipeline"].get<double>(), own_pipeline, 0.01) << forecast.dump();
  const json hidden_row = soql_records(*admin_, "SELECT Id, OwnerId, Amount FROM Opportunity WHERE Id = '" + other_deal_ + "'").at(0);
  EXPECT_GT(credited(hidden_row, other_id_), 0) << "the hidden deal counts in its owner's forecast";

  EXPECT_EQ(rep.get("/api/deals/" + other_deal_)->status, 404) << "another rep's deal by its Id";
  EXPECT_EQ(rep.get("/api/deals/" + team_deal_)->status, 200) << "a deal whose team the rep is on";
  EXPECT_EQ(rep.get("/api/deals/" + team_deal_.substr(0, 15))->status, 200) << "by its 15-character Id";
  EXPECT_EQ(rep.get("/api/deals/" + other_deal_.substr(0, 15))->status, 404) << "by its 15-character Id";
  // A record opened by its Id (a search result), 18 or 15 characters.
  EXPECT_EQ(rep.get("/api/records/Opportunity/" + other_deal_)->status, 404) << "another rep's deal as a record";
  EXPECT_EQ(rep.get("/api/records/Opportunity/" + other_deal_.substr(0, 15))->status, 404) << "by its 15-character Id";
  auto team_record = rep.get("/api/records/Opportunity/" + team_deal_);
  EXPECT_EQ(team_record->status, 200) << team_record->body;
  auto by_15 = rep.get("/api/records/Opportunity/" + team_deal_.substr(0, 15));
  EXPECT_EQ(by_15->status, 200) << "a visible deal by its 15-character Id: " << by_15->body;
  auto changes = body_of(rep.get("/api/changes?since=2000-01-01"));
  EXPECT_EQ(ids_in(changes["deals"]), expected);

  const std::string other_name =
      soql_records(*admin_, "SELECT Name FROM Opportunity WHERE Id = '" + other_deal_ + "'").at(0)["Name"];
  auto found = body_of(rep.get("/api/search?limit=50&q=" + url_encode(other_name)));
  for (const auto& hit : found["results"]) EXPECT_NE(hit["Id"], other_deal_) << "search leaks another rep's deal";
  Browser admin(port_);
  admin.sign_in("admin@crmsync.test", "admin-pass");
  auto admin_found = body_of(admin.get("/api/search?limit=50&q=" + url_encode(other_name)));
  EXPECT_TRUE(ids_in(admin_found["results"]).contains(other_deal_)) << "[serve] admins see everything";
  auto admin_record = admin.get("/api/records/Opportunity/" + other_deal_.substr(0, 15));
  ASSERT_EQ(admin_record->status, 200) << admin_record->body;
  EXPECT_EQ(body_of(admin_record)["Id"], other_deal_) << admin_record->body;
  const json admin_status = body_of(admin.get("/api/status"));
  for (const auto& o : admin_status["objects"]) {
    if (o["object"] == "Opportunity") {
      EXPECT_TRUE(o["rows"].is_number()) << o.dump();
    }
  }

  auto someone_else = rep.get("/api/deals?person=" + other_id_);
  EXPECT_EQ(someone_else->status, 403);
  EXPECT_EQ(body_of(someone_else)["error"]["code"], "PERSON_NOT_VISIBLE");
  EXPECT_EQ(rep.get("/api/forecast?person=" + manager_id_)->status, 403) << "not even their manager";

  Browser manager(port_);
  manager.sign_in("manager@crmsync.test", "manager-pass");
  auto rolled_up = body_of(manager.get(std::string("/api/deals?") + kWide));
  for (const auto& id : expected) EXPECT_TRUE(ids_in(rolled_up["deals"]).contains(id)) << "the manager sees the rep's deal " << id;
  EXPECT_FALSE(ids_in(rolled_up["deals"]).contains(other_deal_)) << "an Americas rep's deal is not the EMEA manager's";
  EXPECT_EQ(manager.get("/api/deals?person=" + rep_id_)->status, 200);
}

TEST_F(ServeSigninTest, AnAcceptedEditIsMadeAsTheRepStoredAndLogged) {
  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  const std::string deal = own_[0];
  const std::string before = org_deal(deal)["StageName"];
  const std::string stage = before == "Negotiation/Review" ? "Proposal/Price Quote" : "Negotiation/Review";
  auto r = rep.patch("/api/deals/" + deal, json{{"StageName", stage}, {"NextStep", "Send the contract"}}.dump(), csrf);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json answer = body_of(r);
  EXPECT_EQ(answer["StageName"], stage);
  EXPECT_EQ(answer["stored"], true);
  json in_org = org_deal(deal);
  EXPECT_EQ(in_org["StageName"], stage);
  EXPECT_EQ(in_org["NextStep"], "Send the contract");
  EXPECT_EQ(in_org["LastModifiedById"], rep_id_) << "Salesforce records the rep, not the integration user";
  EXPECT_EQ(body_of(rep.get("/api/deals/" + deal))["StageName"], stage) << "the board shows it at once";

  std::vector<store::EditLogEntry> mine;
  for (const auto& e : edit_log()) {
    if (e.record_id == deal && e.outcome == "accepted") mine.push_back(e);
  }
  ASSERT_EQ(mine.size(), 2u);
  const auto& stage_row = mine[0].field == "StageName" ? mine[0] : mine[1];
  EXPECT_EQ(stage_row.user_id, rep_id_);
  EXPECT_EQ(stage_row.username, "rep@crmsync.test");
  EXPECT_EQ(stage_row.before, json(before).dump());
  EXPECT_EQ(stage_row.after, json(stage).dump());
  EXPECT_EQ(stage_row.status, 204);
}

TEST_F(ServeSigninTest, ARefusedFieldEditShowsSalesforcesReasonAndChangesNothing) {
  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  const std::string deal = own_[1];
  const double amount = org_deal(deal)["Amount"];
  auto r = rep.patch("/api/deals/" + deal, R"({"Amount": 123456})", csrf);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  json error = body_of(r)["error"];
  EXPECT_EQ(error["code"], "INVALID_FIELD_FOR_INSERT_UPDATE") << r->body;
  EXPECT_TRUE(contains(error["message"], "Unable to create/update fields: Amount")) << r->body;
  EXPECT_EQ(error["fields"], json::array({"Amount"}));
  EXPECT_EQ(org_deal(deal)["Amount"].get<double>(), amount);
  EXPECT_NEAR(body_of(rep.get("/api/deals/" + deal))["Amount"].get<double>(), amount, 0.005) << "no local change";
  bool logged = false;
  for (const auto& e : edit_log()) {
    logged = logged || (e.record_id == deal && e.field == "Amount" && e.status == 400 &&
                        e.outcome == "INVALID_FIELD_FOR_INSERT_UPDATE" && e.after == "123456");
  }
  EXPECT_TRUE(logged) << "refused edits are in crmsync_edit_log too";

  auto rule = rep.patch("/api/deals/" + deal, R"({"CloseDate": "2019-05-01"})", csrf);
  EXPECT_EQ(rule->status, 400) << rule->body;
  EXPECT_EQ(body_of(rule)["error"], json({{"code", "FIELD_CUSTOM_VALIDATION_EXCEPTION"},
                                          {"message", "Close Date cannot be before 2020."},
                                          {"fields", {"CloseDate"}}}))
      << "the org's validation rule, in its words";

  auto not_board = rep.patch("/api/deals/" + deal, R"({"Description": "x"})", csrf);
  EXPECT_EQ(not_board->status, 400);
  EXPECT_EQ(body_of(not_board)["error"]["code"], "FIELD_NOT_EDITABLE");
  EXPECT_EQ(rep.patch("/api/deals/" + other_deal_, R"({"NextStep": "x"})", csrf)->status, 404)
      << "a deal the rep cannot see cannot be edited either";
}

// The org's sharing decides an edit, not the board: the rep is on the team deal's team with Read
// access, so Salesforce refuses the edit in its words; a Read/Write manual share lets it through.
TEST_F(ServeSigninTest, ATeamDealIsEditedAsFarAsTheOrgsSharingAllows) {
  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  const json before = org_deal(team_deal_);
  auto read_only = rep.patch("/api/deals/" + team_deal_, R"({"NextStep": "Rita's next step"})", csrf);
  ASSERT_TRUE(read_only);
  EXPECT_EQ(read_only->status, 400) << read_only->body;
  EXPECT_EQ(body_of(read_only)["error"]["code"], "INSUFFICIENT_ACCESS_OR_READONLY") << read_only->body;
  EXPECT_EQ(body_of(read_only)["error"]["message"], "insufficient access rights on object id") << read_only->body;
  EXPECT_EQ(org_deal(team_deal_)["NextStep"], before["NextStep"]) << "nothing reached the org";

  auto share = admin_->create("OpportunityShare", {{"OpportunityId", team_deal_}, {"UserOrGroupId", rep_id_},
                                                   {"OpportunityAccessLevel", "Edit"}});
  ASSERT_TRUE(share) << share.error().to_string();
  auto shared = rep.patch("/api/deals/" + team_deal_, R"({"NextStep": "Rita's next step"})", csrf);
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->status, 200) << shared->body;
  EXPECT_EQ(org_deal(team_deal_)["NextStep"], "Rita's next step");
  EXPECT_EQ(org_deal(team_deal_)["LastModifiedById"], rep_id_);
}

TEST_F(ServeSigninTest, AnEditAfterAConcurrentChangeGets412AndOverwritesNothing) {
  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  const std::string deal = own_[2];
  wait_past_the_next_whole_second();
  auto changed = admin_->update("Opportunity", deal, {{"NextStep", "set by the admin"}});
  ASSERT_TRUE(changed) << changed.error().to_string();
  auto r = rep.patch("/api/deals/" + deal, R"({"NextStep": "set by the rep"})", csrf);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 412) << r->body;
  EXPECT_TRUE(contains(body_of(r)["error"]["message"], "Reload the board")) << r->body;
  EXPECT_EQ(org_deal(deal)["NextStep"], "set by the admin");
}

// The page sends the LastModifiedDate it showed: a change a sync brought into the store after the
// board showed the deal is not overwritten either (the store's own date would let the edit through).
TEST_F(ServeSigninTest, AnEditOfADealChangedSinceThePageShowedItGets412EvenAfterASync) {
  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  const std::string deal = own_[3];
  const json shown = body_of(rep.get("/api/deals/" + deal));
  ASSERT_TRUE(shown["LastModifiedDate"].is_string()) << shown.dump();
  auto shown_at = parse_datetime(shown["LastModifiedDate"].get<std::string>());
  ASSERT_TRUE(shown_at) << shown.dump();
  const httplib::Headers since = {{"If-Unmodified-Since", format_http_date(*shown_at)}};
  wait_past_the_next_whole_second();
  auto changed = admin_->update("Opportunity", deal, {{"NextStep", "changed in Salesforce"}});
  ASSERT_TRUE(changed) << changed.error().to_string();
  sync_store();

  auto r = rep.patch("/api/deals/" + deal, R"({"NextStep": "the rep's, over a stale board"})", csrf, since);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 412) << r->body;
  EXPECT_TRUE(contains(body_of(r)["error"]["message"], "Reload the board")) << r->body;
  EXPECT_EQ(org_deal(deal)["NextStep"], "changed in Salesforce") << "nothing overwritten";

  auto malformed = rep.patch("/api/deals/" + deal, R"({"NextStep": "x"})", csrf, {{"If-Unmodified-Since", "yesterday"}});
  EXPECT_EQ(malformed->status, 400) << malformed->body;
  EXPECT_EQ(body_of(malformed)["error"]["code"], "INVALID_HEADER") << malformed->body;
  EXPECT_TRUE(contains(body_of(malformed)["error"]["message"], "If-Unmodified-Since: 'yesterday' is not an HTTP date"))
      << malformed->body;
  EXPECT_EQ(org_deal(deal)["NextStep"], "changed in Salesforce");

  auto without = rep.patch("/api/deals/" + deal, R"({"NextStep": "after reloading"})", csrf);
  EXPECT_EQ(without->status, 200) << "without the header, the store's date (the synced change's): " << without->body;
  EXPECT_EQ(org_deal(deal)["NextStep"], "after reloading");
}

// Dates and numbers come back from Salesforce as text and JSON numbers: the store row after an
// accepted edit holds what the org holds. The admin may edit Amount (the Standard User may not).
TEST_F(ServeSigninTest, AnEditOfDatesNumbersAndTheForecastCategoryIsStoredAsTheOrgHasIt) {
  Browser admin(port_);
  const std::string csrf = admin.sign_in("admin@crmsync.test", "admin-pass");
  const std::string deal =
      ids(*admin_, "SELECT Id FROM Opportunity WHERE IsClosed = false AND Amount != null ORDER BY Id DESC LIMIT 1").at(0);
  ASSERT_TRUE(std::find(own_.begin(), own_.end(), deal) == own_.end() && deal != other_deal_ && deal != team_deal_);
  const json asked = {{"CloseDate", "2031-03-15"}, {"Amount", 98765.43}, {"Probability", 35}, {"ForecastCategoryName", "Best Case"}};
  auto r = admin.patch("/api/deals/" + deal, asked.dump(), csrf);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body_of(r)["stored"], true) << r->body;

  const std::vector<std::string> fields = {"CloseDate", "Amount", "Probability", "ForecastCategoryName"};
  const json in_org =
      soql_records(*admin_, "SELECT CloseDate, Amount, Probability, ForecastCategoryName FROM Opportunity WHERE Id = '" + deal + "'")
          .at(0);
  EXPECT_EQ(in_org["CloseDate"], "2031-03-15");
  EXPECT_DOUBLE_EQ(in_org["Amount"].get<double>(), 98765.43);
  EXPECT_DOUBLE_EQ(in_org["Probability"].get<double>(), 35);
  EXPECT_EQ(in_org["ForecastCategoryName"], "Best Case");
  auto reader = store::StoreReader::open(cfg_->store.url);
  ASSERT_TRUE(reader);
  auto snap = (*reader)->snapshot();
  ASSERT_TRUE(snap);
  json stored;
  auto found = (*snap)->find("Opportunity", deal, fields, [&](std::span<const store::Value> values) -> Status {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::visit([&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) stored[fields[i]] = nullptr;
        else if constexpr (std::is_same_v<V, std::int64_t>) stored[fields[i]] = static_cast<double>(v);
        else stored[fields[i]] = v;
      }, values[i]);
    }
    return ok_status();
  });
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(stored["CloseDate"], in_org["CloseDate"]) << stored.dump();
  EXPECT_DOUBLE_EQ(stored["Amount"].get<double>(), in_org["Amount"].get<double>()) << stored.dump();
  EXPECT_DOUBLE_EQ(stored["Probability"].get<double>(), in_org["Probability"].get<double>()) << stored.dump();
  EXPECT_EQ(stored["ForecastCategoryName"], in_org["ForecastCategoryName"]) << stored.dump();
  const json board = body_of(admin.get("/api/deals/" + deal));
  EXPECT_EQ(board["CloseDate"], "2031-03-15") << board.dump();
  EXPECT_DOUBLE_EQ(board["Amount"].get<double>(), 98765.43) << board.dump();
  EXPECT_EQ(board["ForecastCategoryName"], "Best Case") << board.dump();
}

// The edit dialog offers the board's fields that may be edited, typed by Salesforce's describe as
// the rep: a deal_columns picklist with the org's values, never a formula; and such a field is edited.
TEST_F(ServeSigninTest, TheEditDialogOffersTheBoardsEditableFieldsAndADealColumnIsEdited) {
  Browser rep(port_);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  auto r = rep.get("/api/edit-fields");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json answer = body_of(r);
  std::map<std::string, json> offered;
  for (const auto& f : answer["fields"]) offered[f["name"].get<std::string>()] = f;
  for (const char* name : {"Name", "StageName", "CloseDate", "Amount", "Probability", "ForecastCategoryName", "Type", "OwnerId",
                           "NextStep", "LeadSource"}) {
    EXPECT_TRUE(offered.contains(name)) << name << " in " << r->body;
  }
  EXPECT_FALSE(offered.contains("ExpectedRevenue")) << "a formula field is read-only: " << r->body;
  EXPECT_FALSE(offered.contains("IsClosed")) << "not on the board";
  EXPECT_EQ(offered["CloseDate"]["type"], "date");
  EXPECT_EQ(offered["Amount"]["type"], "number") << "offered though the rep may not edit it: Salesforce says so";
  EXPECT_EQ(offered["NextStep"]["type"], "text");
  EXPECT_EQ(offered["OwnerId"]["type"], "reference");
  auto describe = admin_->describe("Opportunity");
  ASSERT_TRUE(describe) << describe.error().to_string();
  json lead_sources = json::array();
  for (const auto& f : (*describe)["fields"]) {
    if (f["name"] != "LeadSource") continue;
    for (const auto& v : f["picklistValues"]) lead_sources.push_back(v["value"]);
  }
  ASSERT_GE(lead_sources.size(), 2u);
  EXPECT_EQ(offered["LeadSource"]["type"], "picklist");
  EXPECT_EQ(offered["LeadSource"]["values"], lead_sources);

  const std::string deal = own_[0];
  const json before = soql_records(*admin_, "SELECT LeadSource FROM Opportunity WHERE Id = '" + deal + "'").at(0);
  const std::string source = before["LeadSource"] == lead_sources[0] ? lead_sources[1] : lead_sources[0];
  auto edited = rep.patch("/api/deals/" + deal, json{{"LeadSource", source}}.dump(), csrf);
  ASSERT_TRUE(edited);
  ASSERT_EQ(edited->status, 200) << edited->body;
  EXPECT_EQ(body_of(edited)["LeadSource"], source) << edited->body;
  EXPECT_EQ(soql_records(*admin_, "SELECT LeadSource FROM Opportunity WHERE Id = '" + deal + "'").at(0)["LeadSource"], source);
  EXPECT_EQ(body_of(rep.get("/api/deals/" + deal))["LeadSource"], source) << "the board shows it";
  auto formula = rep.patch("/api/deals/" + deal, R"({"ExpectedRevenue": 1})", csrf);
  EXPECT_EQ(formula->status, 400) << "Salesforce refuses a formula field: " << formula->body;
}

// [serve] admins decides it: the other rep, listed by their 15-character id, sees a deal outside
// their part of the hierarchy; on a server without that entry they do not.
TEST_F(ServeSigninTest, APersonListedInAdminsSeesEveryDealAndWithoutTheEntryOnlyTheirOwn) {
  Browser listed(port_);
  listed.sign_in("other.rep@crmsync.test", "other-pass");
  EXPECT_EQ(body_of(listed.get("/api/session"))["admin"], true);
  EXPECT_EQ(listed.get("/api/deals/" + own_[0])->status, 200) << "an EMEA rep's deal, seen by an admin of the Americas";
  EXPECT_TRUE(ids_in(body_of(listed.get(std::string("/api/deals?") + kWide))["deals"]).contains(own_[0]));

  auto plain = another_server("http", {"admin@crmsync.test"});
  Browser unlisted(plain->port());
  unlisted.sign_in("other.rep@crmsync.test", "other-pass");
  EXPECT_EQ(body_of(unlisted.get("/api/session"))["admin"], false);
  EXPECT_EQ(unlisted.get("/api/deals/" + own_[0])->status, 404);
  EXPECT_FALSE(ids_in(body_of(unlisted.get(std::string("/api/deals?") + kWide))["deals"]).contains(own_[0]));
  EXPECT_EQ(unlisted.get("/api/deals/" + other_deal_)->status, 200) << "their own deal";
}

TEST_F(ServeSigninTest, OverHttpsTheCookiesCarryTheSecureFlag) {
  auto secure = another_server("https", {});
  Browser browser(secure->port());
  auto start = browser.get("/auth/login");
  ASSERT_TRUE(start);
  ASSERT_EQ(start->status, 302) << start->body;
  ASSERT_FALSE(browser.received().empty());
  for (const auto& c : browser.received()) {
    EXPECT_TRUE(contains(c.attributes, "; Secure")) << c.name << c.attributes;
    EXPECT_TRUE(contains(c.attributes, "; HttpOnly")) << c.name << c.attributes;
  }
}

// The board serves one org: a user of another org signing in through the same connected app is
// refused with a page that says so. The other org is the emulator seen through a proxy that gives
// its token answers and userinfo another Organization Id.
TEST(ServeSigninOrgTest, AUserOfAnotherOrgIsRefusedWithAClearPage) {
  TempDir dir;
  RunningEmulator emu(10, 3);
  auto cfg = sync_config(emu->base_url(), dir.file("crmsync.db"));
  {
    auto client = login(cfg);
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st);
    ASSERT_TRUE(sync::run_sync(cfg, *client, **st, {}).ok());
  }
  const std::string synced_org = ids(*admin_login(emu->base_url()), "SELECT Id FROM Organization").front();
  const std::string other_org = "00D000000000099AAA";
  RewritingProxy other(emu->port());
  other.rewrite([&](const std::string&, const std::string& path, std::string body) {
    if (path != "/services/oauth2/token" && path != "/services/oauth2/userinfo") return body;
    for (std::size_t p = 0; (p = body.find("/id/" + synced_org, p)) != std::string::npos;) body.replace(p + 4, 18, other_org);
    for (std::size_t p = 0; (p = body.find("\"organization_id\":\"" + synced_org, p)) != std::string::npos;) {
      body.replace(p + 19, 18, other_org);
    }
    return body;
  });
  const int port = free_loopback_port();
  auto reader = store::StoreReader::open(cfg.store.url);
  ASSERT_TRUE(reader);
  serve::Api api(std::move(*reader), {.serve = cfg.serve, .edit_store = sync::store_options(cfg)});
  serve::SigninOptions signin{.login_url = other.base_url(),
                              .public_url = "http://127.0.0.1:" + std::to_string(port),
                              .client_id = "crmsync-local",
                              .client_secret = "crmsync-local-secret"};
  serve::Server server(api, {.host = "127.0.0.1", .port = port, .signin = signin});
  ASSERT_TRUE(server.start());
  Browser stranger(port);
  auto r = stranger.sign_in_answer("admin@crmsync.test", "admin-pass");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_TRUE(contains(r->body, "Another Salesforce org")) << r->body;
  EXPECT_TRUE(contains(r->body, "of the Salesforce org " + other_org + ", but this board shows the org " + synced_org))
      << r->body;
  EXPECT_TRUE(stranger.cookie("crmsync_session").empty());
  EXPECT_EQ(stranger.get("/api/deals")->status, 401);

  // The same people through the org's own login host are welcome.
  const int port2 = free_loopback_port();
  auto reader2 = store::StoreReader::open(cfg.store.url);
  ASSERT_TRUE(reader2);
  serve::Api api2(std::move(*reader2), {.serve = cfg.serve, .edit_store = sync::store_options(cfg)});
  signin.login_url = emu->base_url();
  signin.public_url = "http://127.0.0.1:" + std::to_string(port2);
  serve::Server server2(api2, {.host = "127.0.0.1", .port = port2, .signin = signin});
  ASSERT_TRUE(server2.start());
  Browser member(port2);
  EXPECT_FALSE(member.sign_in("admin@crmsync.test", "admin-pass").empty());
}

// An access token lives two seconds here: an edit made after it expired goes through with the
// token renewed from the person's refresh token, and Salesforce still records the rep.
TEST(ServeSigninRefreshTest, AnEditAfterTheAccessTokenExpiredIsMadeAsTheRepWithARenewedToken) {
  constexpr std::int64_t kTtlSeconds = 2;
  OrgFileEmulator emu(kOrg, {.token_ttl_seconds = kTtlSeconds});
  TempDir dir;
  const std::string base = emu.emulator().base_url();
  const std::string rep_id = ids(*admin_login(base), "SELECT Id FROM User WHERE Username = 'rep@crmsync.test'").at(0);
  const std::string deal = ids(*admin_login(base), "SELECT Id FROM Opportunity WHERE IsClosed = false ORDER BY Id LIMIT 1").at(0);
  ASSERT_TRUE(admin_login(base)->update("Opportunity", deal, {{"OwnerId", rep_id}}));
  auto cfg = sync_config(base, dir.file("crmsync.db"));
  {
    auto client = login(cfg);
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st);
    ASSERT_TRUE(sync::run_sync(cfg, *client, **st, {}).ok());
  }
  const int port = free_loopback_port();
  auto reader = store::StoreReader::open(cfg.store.url);
  ASSERT_TRUE(reader);
  serve::Api api(std::move(*reader), {.serve = cfg.serve, .edit_store = sync::store_options(cfg)});
  serve::Server server(api, {.host = "127.0.0.1",
                             .port = port,
                             .signin = serve::SigninOptions{.login_url = base,
                                                            .public_url = "http://127.0.0.1:" + std::to_string(port),
                                                            .client_id = "crmsync-local",
                                                            .client_secret = "crmsync-local-secret"}});
  ASSERT_TRUE(server.start());
  Browser rep(port);
  const std::string csrf = rep.sign_in("rep@crmsync.test", "rep-pass");
  std::this_thread::sleep_for(std::chrono::milliseconds(kTtlSeconds * 1000 + 500));  // past the access token's life

  const std::string before = soql_records(*admin_login(base), "SELECT StageName FROM Opportunity WHERE Id = '" + deal + "'").at(0)["StageName"];
  const std::string stage = before == "Negotiation/Review" ? "Proposal/Price Quote" : "Negotiation/Review";
  auto r = rep.patch("/api/deals/" + deal, json{{"StageName", stage}}.dump(), csrf);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const json in_org =
      soql_records(*admin_login(base), "SELECT StageName, LastModifiedById FROM Opportunity WHERE Id = '" + deal + "'").at(0);
  EXPECT_EQ(in_org["StageName"], stage);
  EXPECT_EQ(in_org["LastModifiedById"], rep_id) << "made as the rep, with their renewed token";
  EXPECT_EQ(rep.get("/api/session")->status, 200) << "the session goes on";
}

}  // namespace
}  // namespace crmsync::testing

namespace crmsync::testing {
namespace {

// The secrets test of the sync, extended to serve: `crmsync serve` as its own process, logging
// every request it makes (debug), a team member signed in, editing (accepted, refused, after a
// concurrent change), signed out. No token of the team member (access tokens "<org id>!...",
// refresh tokens, the authorization code), no session cookie or CSRF token, no client secret or
// session key reaches the server's output, its log or the store's files.
TEST(ServeSecretsTest, NoTeamMembersTokenReachesAnyOutputLogOrStoreFile) {
  TempDir dir;
  RunningEmulator emu(10, 29);
  const int port = free_loopback_port();
  const std::string db = dir.file("crmsync.db");
  const std::string session_key = "a-session-key-of-forty-eight-bytes-0123456789abc";
  write_file(dir.file("crmsync.toml"),
             emulator_toml(emu->base_url(), db,
                           "[sync]\nsettle_seconds = 0\n[objects.Opportunity]\ninclude = [\"NextStep\"]\n[serve]\n"
                           "deal_columns = [\"NextStep\"]\nclient_id = \"crmsync-local\"\npublic_url = "
                           "\"http://127.0.0.1:" + std::to_string(port) + "\"\nadmins = [\"admin@crmsync.test\"]\n"));
  auto synced = run_crmsync("sync --config " + dir.file("crmsync.toml"));
  ASSERT_EQ(synced.exit_code, 0) << synced.output;
  auto admin = admin_login(emu->base_url());
  const auto deals = ids(*admin, "SELECT Id FROM Opportunity WHERE IsDeleted = false ORDER BY Id LIMIT 2");
  ASSERT_EQ(deals.size(), 2u);

  std::string answers;
  std::vector<std::string> handed;  // what the browser was given: its session cookie, its CSRF token
  {
    ServeProcess serve("--log-level debug --config " + dir.file("crmsync.toml") + " --port " + std::to_string(port),
                       "CRMSYNC_SERVE_CLIENT_SECRET=crmsync-local-secret CRMSYNC_SERVE_SESSION_KEY=" + session_key,
                       dir.file("serve.log"));
    Browser member(port);
    const std::string csrf = member.sign_in("admin@crmsync.test", "admin-pass");
    handed = {member.cookie("crmsync_session"), csrf};
    auto keep = [&](const httplib::Result& r) { answers += r ? r->body : std::string(); };
    keep(member.patch("/api/deals/" + deals[0], R"({"NextStep": "Call back"})", csrf));
    keep(member.patch("/api/deals/" + deals[0], R"({"CloseDate": "not a date"})", csrf));
    keep(member.patch("/api/deals/" + deals[1], R"({"StageName": "No Such Stage At All"})", csrf));
    wait_past_the_next_whole_second();
    ASSERT_TRUE(admin->update("Opportunity", deals[1], {{"NextStep", "by the admin"}}));
    keep(member.patch("/api/deals/" + deals[1], R"({"NextStep": "late"})", csrf));
    EXPECT_EQ(member.get("/api/session")->status, 200);  // its answer holds the CSRF token, by design
    keep(member.post("/auth/logout", csrf));
    serve.stop();
    answers += serve.output();
  }
  EXPECT_TRUE(contains(answers, "Call back")) << answers;
  EXPECT_TRUE(contains(answers, "Reload the board")) << "the 412 path ran:\n" << answers;
  EXPECT_TRUE(contains(answers, "\"signed_out\":true")) << answers;
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st);
  EXPECT_GE((*st)->edit_log()->size(), 4u);
  st->reset();

  const std::string output = answers + file_bytes(dir.file("serve.log"));
  const std::string store_bytes = file_bytes(db) + file_bytes(db + "-wal") + file_bytes(db + ".lock");
  ASSERT_GT(store_bytes.size(), 10000u);
  const std::string org = ids(*admin, "SELECT Id FROM Organization").front();
  std::vector<std::string> secrets = {org.substr(0, 15) + "!",  // every access token the org issues
                                      "5Aep",                   // every refresh token it issues
                                      "aPrx",                   // every authorization code
                                      "crmsync-local-secret", session_key, "admin-pass"};
  for (const auto& h : handed) {
    ASSERT_GE(h.size(), 43u);
    secrets.push_back(h);
  }
  for (const auto& secret : secrets) {
    EXPECT_FALSE(contains(output, secret)) << secret << " in the output:\n" << output;
    EXPECT_FALSE(contains(store_bytes, secret)) << secret << " in the store";
  }
}

}  // namespace
}  // namespace crmsync::testing
