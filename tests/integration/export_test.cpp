// crmsync export end to end: a store filled by a real `crmsync sync` of the emulator, then
// `crmsync export` (dry run, explain, writes, reruns, updates, deletes, per-record refusals, a
// refused mapping, SIGKILL and rerun), with the ledger and with an External ID field from an org
// file. Writes go through the emulator's sObject Collections; the assertions are on what the org
// holds afterwards.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include "common/text.h"
#include "emulator/table.h"
#include "emulator_http.h"
#include "store/store.h"
#include "pg_support.h"
#include "test_support.h"

namespace crmsync {
namespace {

using testing::run_crmsync;

// The --json report a command printed after its progress lines.
nlohmann::json json_report(const testing::CommandResult& r) {
  return nlohmann::json::parse(r.output.substr(r.output.find('{')));
}

struct OrgPeople {
  std::string user_email, user_id;
  std::string board_id;  // board@crmsync.test, when the org file defines it
  std::string contact_email, contact_id, contact_account;
  std::string contact2_email, contact2_id;
  std::string lead_email, lead_id;
};

class ExportTest : public ::testing::Test {
 protected:
  // An org file the emulator starts with (docs/emulator-org-file.md); empty: the default org.
  virtual std::string org_toml() const { return ""; }
  // [export] keys every config of the test has.
  virtual std::string export_toml() const { return ""; }
  virtual void adjust(emulator::EmulatorOptions&) const {}
  // The store the org is synced into (ExportStoreTest runs on PostgreSQL too).
  virtual testing::StoreBackend backend() const { return testing::StoreBackend::kSqlite; }

  void SetUp() override {
    store_ = testing::store_for(backend(), dir_, "org.db");
    emulator::EmulatorOptions o;
    o.org.scale = 20;
    o.org.seed = 11;
    if (!org_toml().empty()) {
      o.org_file = dir_.file("org.toml");
      testing::write_file(o.org_file, org_toml());
    }
    adjust(o);
    emu_ = std::make_unique<testing::RunningEmulator>(o);
    cfg_ = dir_.file("crmsync.toml");
    write_config("");
    auto r = run_crmsync("sync --quiet --config " + cfg_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto st = store::Store::open(testing::store_url_of(store_));
    ASSERT_TRUE(st);
    auto text = [](const store::Value& v) { return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : ""; };
    auto user_rows = (*st)->dump("User");
    ASSERT_TRUE(user_rows);
    for (auto& row : *user_rows) {
      std::map<std::string, store::Value> m(row.begin(), row.end());
      const std::string email = text(m["Email"]);
      if (email.starts_with("board")) people_.board_id = text(m["Id"]);
      if (email.starts_with("integration") || email.starts_with("admin") || email.starts_with("board")) continue;
      if (!people_.user_id.empty()) continue;
      people_.user_email = text(m["Email"]);
      people_.user_id = text(m["Id"]);
    }
    auto contact_rows = (*st)->dump("Contact");
    ASSERT_TRUE(contact_rows);
    for (auto& row : *contact_rows) {
      std::map<std::string, store::Value> m(row.begin(), row.end());
      if (text(m["Email"]).empty() || text(m["AccountId"]).empty() || std::get<bool>(m["IsDeleted"])) continue;
      if (people_.contact_id.empty()) {
        people_.contact_email = text(m["Email"]);
        people_.contact_id = text(m["Id"]);
        people_.contact_account = text(m["AccountId"]);
      } else if (text(m["AccountId"]) != people_.contact_account) {
        people_.contact2_email = text(m["Email"]);
        people_.contact2_id = text(m["Id"]);
        break;
      }
    }
    auto lead_rows = (*st)->dump("Lead");
    ASSERT_TRUE(lead_rows);
    for (auto& row : *lead_rows) {
      std::map<std::string, store::Value> m(row.begin(), row.end());
      if (text(m["Email"]).empty()) continue;
      people_.lead_email = text(m["Email"]);
      people_.lead_id = text(m["Id"]);
      break;
    }
    ASSERT_FALSE(people_.user_id.empty());
    ASSERT_FALSE(people_.contact2_id.empty());
    ASSERT_FALSE(people_.lead_id.empty());
  }

  void write_config(const std::string& extra, const std::string& db = "org.db") {
    std::string toml = export_toml().empty() ? extra : "[export]\n" + export_toml() + extra;
    testing::write_file(cfg_, testing::emulator_toml((*emu_)->base_url(), db == "org.db" ? store_ : dir_.file(db), toml));
  }

  std::string activity(const std::string& id, const std::string& kind, const std::string& email,
                       const std::string& status = "completed", const std::string& summary = "Talked pricing",
                       const std::string& start = "2026-11-20T15:30:00+01:00", std::string host = "") const {
    if (host.empty()) host = people_.user_email;
    nlohmann::json j = {{"id", id},
                        {"kind", kind},
                        {"title", "About " + id},
                        {"start", start},
                        {"duration_seconds", 900},
                        {"host_email", host},
                        {"participants", {{{"name", "Guest"}, {"email", email}, {"internal", false}}}},
                        {"disposition", "Connected"},
                        {"summary", summary},
                        {"recording_url", "https://rec.example/" + id},
                        {"status", status}};
    return j.dump() + "\n";
  }

  testing::CommandResult export_run(const std::string& input_text, const std::string& flags = "") {
    std::string input = dir_.file("activities.jsonl");
    testing::write_file(input, input_text);
    return run_crmsync("export --config " + cfg_ + " --input " + input + " " + flags);
  }

  // Live records of an object in the emulator, by the activity id of their Description marker (or
  // of `key_field`, the external id field, when given).
  std::map<std::string, std::vector<std::map<std::string, std::string>>> records(const std::string& object,
                                                                                 const std::string& key_field = "") {
    std::map<std::string, std::vector<std::map<std::string, std::string>>> out;
    auto& db = (*emu_)->database();
    std::shared_lock lock(db.mutex());
    const emulator::Table* t = db.find(object);
    for (std::size_t r = 0; r < t->slot_count(); ++r) {
      if (t->purged(r)) continue;
      std::map<std::string, std::string> row;
      for (std::size_t f = 0; f < t->fields().size(); ++f) {
        const emulator::Value& v = t->row(r)[f];
        std::string s;
        if (auto* str = std::get_if<std::string>(&v)) s = *str;
        else if (auto* b = std::get_if<bool>(&v)) s = *b ? "true" : "false";
        else if (auto* i = std::get_if<std::int64_t>(&v)) s = std::to_string(*i);
        else if (auto* dt = std::get_if<emulator::DateTime>(&v)) s = format_datetime_iso(dt->ms);
        else if (auto* d = std::get_if<emulator::Date>(&v)) s = format_date(d->days);
        row[t->field(f).name] = s;
      }
      if (row["IsDeleted"] == "true") continue;
      if (!key_field.empty()) {
        if (!row[key_field].empty()) out[row[key_field]].push_back(row);
        continue;
      }
      const std::string& desc = row["Description"];
      auto p = desc.rfind("crmsync activity: ");
      if (p == std::string::npos) continue;
      out[desc.substr(p + 18)].push_back(row);
    }
    return out;
  }

  // The records of a SOQL query run as the org's admin over the REST API (what the org holds,
  // whoever may see it).
  nlohmann::json admin_query(const std::string& soql) {
    httplib::Client c("127.0.0.1", (*emu_)->port());
    auto login = c.Post("/services/oauth2/token", httplib::Params{{"grant_type", "password"},
                                                                  {"client_id", "crmsync-local"},
                                                                  {"client_secret", "crmsync-local-secret"},
                                                                  {"username", "admin@crmsync.test"},
                                                                  {"password", "admin-pass"}});
    if (!login || login->status != 200) throw std::runtime_error("admin login failed");
    const std::string token = nlohmann::json::parse(login->body)["access_token"];
    auto r = c.Get("/services/data/v60.0/query?q=" + httplib::detail::encode_query_param(soql),
                   httplib::Headers{{"Authorization", "Bearer " + token}});
    if (!r || r->status != 200) throw std::runtime_error("query failed: " + soql + " -> " + (r ? r->body : "no answer"));
    return nlohmann::json::parse(r->body)["records"];
  }

  std::map<std::string, store::ExportLedgerEntry> ledger() {
    std::map<std::string, store::ExportLedgerEntry> out;
    auto st = store::Store::open(testing::store_url_of(store_));
    EXPECT_TRUE(st);
    auto rows = (*st)->export_ledger();
    EXPECT_TRUE(rows);
    for (auto& row : *rows) out.emplace(row.activity_id, row);
    return out;
  }

  // The ledger as a run killed right after its create call reached Salesforce leaves it: the row
  // "pending", no Salesforce Id recorded.
  void seed_crashed_create(const std::string& activity_id, const std::string& operation) {
    auto st = store::Store::open(testing::store_url_of(store_));
    ASSERT_TRUE(st);
    auto rows = (*st)->export_ledger();
    ASSERT_TRUE(rows);
    for (auto row : *rows) {
      if (row.activity_id != activity_id) continue;
      row.state = "pending";
      row.salesforce_id.clear();
      row.operation = operation;
      ASSERT_TRUE((*st)->put_export_ledger(row));
    }
  }

  void set_deleted(const std::string& object, const std::string& id) {
    auto& db = (*emu_)->database();
    std::unique_lock lock(db.mutex());
    emulator::Table* t = db.find(object);
    t->mutable_row(*t->find(id))[*t->field_index("IsDeleted")] = true;
  }

  static constexpr std::int64_t kKillActivities = 1000;

  // Starts an export of kKillActivities activities, SIGKILLs it once some batches reached the org,
  // reruns it and checks that each activity is in the org exactly once, then that a third run
  // changes nothing. Returns the rerun's --json report plus "in_org" and "in_ledger" ("written"
  // rows) as they were right after the kill.
  nlohmann::json sigkill_then_rerun(const std::string& key_field) {
    const int n = static_cast<int>(kKillActivities);
    std::string input;
    for (int i = 0; i < n; ++i) {
      input += activity("k" + std::to_string(i), i % 2 ? "call" : "meeting", i % 3 ? people_.contact_email : people_.contact2_email);
    }
    std::string path = dir_.file("many.jsonl");
    testing::write_file(path, input);
    pid_t pid = fork();
    if (pid < 0) return {};
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(CRMSYNC_BINARY, CRMSYNC_BINARY, "export", "--config", cfg_.c_str(), "--input", path.c_str(), (char*)nullptr);
      _exit(127);
    }
    // Kill it once a batch is through and the next one is on its way.
    std::size_t at_kill = 0;
    for (;;) {
      at_kill = records("Task", key_field).size();
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) break;
      if (at_kill >= 250) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_LT(at_kill, static_cast<std::size_t>(n)) << "the export finished before it could be killed";
    // A call the process sent before it died may still be served: count once the org is still.
    std::size_t in_org = records("Task", key_field).size();
    for (std::size_t again = 0;; in_org = again) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      again = records("Task", key_field).size();
      if (again == in_org) break;
    }
    std::int64_t in_ledger = 0;
    {
      auto st = store::Store::open(testing::store_url_of(store_));
      EXPECT_TRUE(st);
      auto rows = (*st)->export_ledger();
      EXPECT_TRUE(rows);
      for (const auto& row : *rows) in_ledger += row.state == "written" ? 1 : 0;
    }
    auto rerun = run_crmsync("export --json --config " + cfg_ + " --input " + path);
    EXPECT_EQ(rerun.exit_code, 0) << rerun.output;
    auto j = json_report(rerun);
    EXPECT_EQ(j["failed"], 0);
    EXPECT_EQ(j["unchanged"], in_ledger);
    auto tasks = records("Task", key_field);
    EXPECT_EQ(tasks.size(), static_cast<std::size_t>(n));
    for (const auto& [id, rows] : tasks) EXPECT_EQ(rows.size(), 1u) << "activity " << id << " is in the org more than once";
    auto third = run_crmsync("export --json --config " + cfg_ + " --input " + path);
    EXPECT_NE(third.output.find("\"unchanged\": " + std::to_string(n)), std::string::npos) << third.output;
    j["in_org"] = static_cast<std::int64_t>(in_org);
    j["in_ledger"] = in_ledger;
    return j;
  }

  testing::TempDir dir_;
  std::string store_;  // the org's store: a SQLite file in dir_ or a PostgreSQL database's url
  std::unique_ptr<testing::RunningEmulator> emu_;
  std::string cfg_;
  OrgPeople people_;
};

// The export's ledger over both stores.
class ExportStoreTest : public ExportTest, public ::testing::WithParamInterface<testing::StoreBackend> {
 protected:
  testing::StoreBackend backend() const override { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(Stores, ExportStoreTest, testing::kBothStores, testing::backend_name);

TEST_F(ExportTest, DryRunShowsRecordsAndExplainShowsWhyWritingNothing) {
  auto r = export_run(activity("a1", "call", people_.contact_email) + activity("a2", "invite", people_.lead_email) +
                          "{\"id\":\"bad\"}\n" + activity("a3", "meeting", "someone@gmail.com"),
                      "--dry-run --explain");
  EXPECT_EQ(r.exit_code, 1) << r.output;  // the invalid line
  EXPECT_NE(r.output.find("who: Contact " + people_.contact_id), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("account: Account " + people_.contact_account), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("who: Lead " + people_.lead_id), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("a Lead cannot have a What"), std::string::npos);
  EXPECT_NE(r.output.find("owner: User " + people_.user_id), std::string::npos);
  EXPECT_NE(r.output.find(":3: skipped: kind is missing"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dry run (nothing written): created 2, updated 0, deleted 0, unchanged 0, unmatched 1 (a3), failed 0, invalid lines 1"),
            std::string::npos)
      << r.output;
  // One JSON line per record that would be written.
  std::istringstream lines(r.output);
  std::string line;
  int shown = 0;
  while (std::getline(lines, line)) {
    if (!line.starts_with("{")) continue;
    auto j = nlohmann::json::parse(line);
    ++shown;
    if (j["activity_id"] == "a1") {
      EXPECT_EQ(j["operation"], "create");
      EXPECT_EQ(j["fields"]["WhoId"], people_.contact_id);
      EXPECT_EQ(j["fields"]["CallDurationInSeconds"], 900);
    }
  }
  EXPECT_EQ(shown, 2);
  EXPECT_TRUE(records("Task").empty());
  // "-" reads standard input; the ledger was left untouched by the dry run above.
  std::string one = dir_.file("one.jsonl");
  testing::write_file(one, activity("a1", "call", people_.contact_email));
  auto again = run_crmsync("export --config " + cfg_ + " --input - --dry-run --json < " + one);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("\"created\": 1"), std::string::npos) << again.output;
}

TEST_P(ExportStoreTest, TasksWrittenWithFieldsAndLinksAndTheSameInputTwiceCreatesNothing) {
  std::string input = activity("a1", "call", people_.contact_email) + activity("a2", "invite", people_.lead_email) +
                      activity("a3", "meeting", "nobody@gmail.com");
  auto first = export_run(input, "--json");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto j = json_report(first);
  EXPECT_EQ(j["created"], 2);
  EXPECT_EQ(j["unmatched"], 1);
  auto tasks = records("Task");
  ASSERT_EQ(tasks.size(), 2u);
  const auto& call = tasks["a1"].at(0);
  EXPECT_EQ(call.at("Subject"), "Call: About a1");
  EXPECT_EQ(call.at("Status"), "Completed");
  EXPECT_EQ(call.at("Type"), "Call");
  EXPECT_EQ(call.at("TaskSubtype"), "Call");
  EXPECT_EQ(call.at("ActivityDate"), "2026-11-20");
  EXPECT_EQ(call.at("CallDurationInSeconds"), "900");
  EXPECT_EQ(call.at("CallDisposition"), "Connected");
  EXPECT_EQ(call.at("OwnerId"), people_.user_id);
  EXPECT_EQ(call.at("WhoId"), people_.contact_id);
  EXPECT_TRUE(call.at("WhatId").starts_with("006") || call.at("WhatId") == people_.contact_account) << call.at("WhatId");
  EXPECT_NE(call.at("Description").find("Recording: https://rec.example/a1"), std::string::npos);
  const auto& invite = tasks["a2"].at(0);
  EXPECT_EQ(invite.at("Status"), "In Progress");
  EXPECT_EQ(invite.at("WhoId"), people_.lead_id);
  EXPECT_EQ(invite.at("WhatId"), "");

  auto second = export_run(input, "--json");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  auto k = json_report(second);
  EXPECT_EQ(k["created"], 0);
  EXPECT_EQ(k["unchanged"], 2);
  EXPECT_EQ(k["records_sent"], 0);
  auto after = records("Task");
  EXPECT_EQ(after.size(), 2u);
  for (const auto& [id, rows] : after) EXPECT_EQ(rows.size(), 1u) << id;
}

// The activities nothing matched are named, with what was tried, in the summary line, on standard
// error and in --json; an activity without a title is written with its kind as the Subject.
TEST_F(ExportTest, UnmatchedActivitiesAreNamedAndAMissingTitleReadsAsTheKind) {
  auto untitled = nlohmann::json::parse(activity("u1", "meeting", people_.contact_email));
  untitled.erase("title");
  std::string input = untitled.dump() + "\n" + activity("x1", "call", "nobody@gmail.com") +
                      activity("a1", "call", people_.contact_email) + activity("x2", "invite", "ghost@unknown-corp.example");
  auto text = export_run(input, "--dry-run");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_TRUE(testing::contains(text.output, "unmatched 2 (x1, x2)")) << text.output;
  EXPECT_TRUE(testing::contains(text.output, "unmatched: activity x1 (line 2): no Contact or Lead in the store has the "
                                             "email nobody@gmail.com, and their domains are public mail domains"))
      << text.output;
  EXPECT_TRUE(testing::contains(text.output, "unmatched: activity x2 (line 4): no Contact or Lead in the store has the "
                                             "email ghost@unknown-corp.example, and no Account has the domain "
                                             "unknown-corp.example"))
      << text.output;
  // With --log-format json standard error is JSON lines: one "unmatched" line per activity.
  auto logged = testing::run_crmsync_split("export --config " + cfg_ + " --input " + dir_.file("activities.jsonl") +
                                           " --dry-run --log-format json");
  ASSERT_EQ(logged.exit_code, 0) << logged.err;
  std::vector<std::string> unmatched;
  std::istringstream lines(logged.err);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON line: " << line << "\nin:\n" << logged.err;
    if (j["event"] == "unmatched") unmatched.push_back(j["activity_id"]);
  }
  EXPECT_EQ(unmatched, (std::vector<std::string>{"x1", "x2"})) << logged.err;

  auto r = export_run(input, "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = json_report(r);
  EXPECT_EQ(j["unmatched"], 2);
  ASSERT_EQ(j["unmatched_activities"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["unmatched_activities"][0]["activity_id"], "x1");
  EXPECT_EQ(j["unmatched_activities"][0]["line"], 2);
  EXPECT_EQ(j["unmatched_activities"][1]["activity_id"], "x2");
  EXPECT_EQ(j["unmatched_activities"][1]["line"], 4);
  EXPECT_TRUE(testing::contains(j["unmatched_activities"][1]["reason"].get<std::string>(), "unknown-corp.example"));
  auto tasks = records("Task");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks["u1"].at(0).at("Subject"), "Meeting");
  EXPECT_EQ(tasks["a1"].at(0).at("Subject"), "Call: About a1");
}

TEST_F(ExportTest, EventsCarryStartEndDurationAndAMappedCustomField) {
  {
    auto& db = (*emu_)->database();
    std::unique_lock lock(db.mutex());
    emulator::FieldDef f;
    f.name = "Recording_URL__c";
    f.label = "Recording URL";
    f.type = "url";
    f.length = 255;
    f.custom = true;
    db.find("Event")->add_field(f);
  }
  write_config("[export]\nas = \"event\"\n[export.fields]\nrecording_url = \"Recording_URL__c\"\n");
  auto r = export_run(activity("m1", "meeting", people_.contact_email));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto events = records("Event");
  ASSERT_EQ(events.size(), 1u);
  const auto& e = events["m1"].at(0);
  EXPECT_EQ(e.at("Subject"), "Meeting: About m1");
  EXPECT_EQ(e.at("StartDateTime"), "2026-11-20T14:30:00.000Z");
  EXPECT_EQ(e.at("EndDateTime"), "2026-11-20T14:45:00.000Z");
  EXPECT_EQ(e.at("DurationInMinutes"), "15");
  EXPECT_EQ(e.at("EventSubtype"), "Event");
  EXPECT_EQ(e.at("WhoId"), people_.contact_id);
  EXPECT_EQ(e.at("Recording_URL__c"), "https://rec.example/m1");
  EXPECT_TRUE(records("Task").empty());
}

TEST_F(ExportTest, UpdateAndDeleteFlowThrough) {
  ASSERT_EQ(export_run(activity("a1", "call", people_.contact_email) + activity("a2", "call", people_.contact2_email)).exit_code, 0);
  auto before = records("Task");
  ASSERT_EQ(before.size(), 2u);
  std::string a1_id = before["a1"].at(0).at("Id");
  auto r = export_run(activity("a1", "call", people_.contact_email, "cancelled", "Moved to next week") +
                          activity("a2", "call", people_.contact2_email, "deleted"),
                      "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = json_report(r);
  EXPECT_EQ(j["updated"], 1);
  EXPECT_EQ(j["deleted"], 1);
  EXPECT_EQ(j["created"], 0);
  auto after = records("Task");
  ASSERT_EQ(after.size(), 1u);
  const auto& a1 = after["a1"].at(0);
  EXPECT_EQ(a1.at("Id"), a1_id);  // the same record, updated
  EXPECT_EQ(a1.at("Subject"), "Cancelled: Call: About a1");
  EXPECT_NE(a1.at("Description").find("Moved to next week"), std::string::npos);
  // Deleting again is a no-op.
  auto again = export_run(activity("a2", "call", people_.contact2_email, "deleted"), "--json");
  EXPECT_NE(again.output.find("\"deleted\": 0"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("\"unchanged\": 1"), std::string::npos) << again.output;
}

TEST_F(ExportTest, ARecordRefusedIsReportedPerRecordWhileTheOthersAreWritten) {
  // The store still has contact 2, but the org deleted it: Salesforce refuses that Task only.
  set_deleted("Contact", people_.contact2_id);
  auto r = export_run(activity("a1", "call", people_.contact_email) + activity("a2", "call", people_.contact2_email) +
                      activity("a3", "meeting", people_.contact_email));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("activity a2 (line 2): create refused: ENTITY_IS_DELETED"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("created 2,"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("failed 1"), std::string::npos) << r.output;
  auto tasks = records("Task");
  EXPECT_EQ(tasks.size(), 2u);
  EXPECT_FALSE(tasks.contains("a2"));
}

TEST_F(ExportTest, AMappingToAFieldTheOrgLacksIsRefusedBeforeAnyWrite) {
  write_config("[export.fields]\nrecording_url = \"Recording_URL__c\"\n");
  auto r = export_run(activity("a1", "call", people_.contact_email));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("[export.fields] recording_url names Task.Recording_URL__c"), std::string::npos) << r.output;
  EXPECT_TRUE(records("Task").empty());
  auto st = store::Store::open(testing::store_url_of(store_));
  EXPECT_TRUE((*st)->export_ledger()->empty());
}

TEST_P(ExportStoreTest, SigkillInTheMiddleThenRerunLeavesEachActivityExactlyOnce) {
  auto j = sigkill_then_rerun("");
  // Records the killed run created but had not recorded are found by their marker, not created again.
  EXPECT_EQ(j["recovered"], j["in_org"].get<std::int64_t>() - j["in_ledger"].get<std::int64_t>());
  EXPECT_EQ(j["created"], kKillActivities - j["in_org"].get<std::int64_t>());
}

TEST_P(ExportStoreTest, ADeleteAfterACreateThatCrashedBeforeItsIdWasRecordedDeletesTheRecord) {
  ASSERT_EQ(export_run(activity("a1", "call", people_.contact_email) + activity("a2", "call", people_.contact2_email)).exit_code, 0);
  const std::string created = records("Task")["a1"].at(0).at("Id");
  seed_crashed_create("a1", "create");
  // Without an external-id field the record is found by the marker line of its Description
  // (recovered), then deleted.
  auto r = export_run(activity("a1", "call", people_.contact_email, "deleted") + activity("a2", "call", people_.contact2_email),
                      "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = json_report(r);
  EXPECT_EQ(j["recovered"], 1);
  EXPECT_EQ(j["deleted"], 1);
  EXPECT_EQ(j["unchanged"], 1);
  EXPECT_EQ(j["created"], 0);
  EXPECT_TRUE(admin_query("SELECT Id FROM Task WHERE Id = '" + created + "'").empty());
  auto tasks = records("Task");
  EXPECT_FALSE(tasks.contains("a1"));
  EXPECT_EQ(tasks.size(), 1u);
  auto rows = ledger();
  EXPECT_EQ(rows["a1"].state, "deleted");
  EXPECT_EQ(rows["a1"].salesforce_id, created);
}

// A summary longer than Description's 32,000 characters: the text is cut before the marker line, so
// the record keeps it and a rerun after a crash still finds the record (recovered, not created
// again); the cut is said per activity in the report, on standard error and in --json.
TEST_F(ExportTest, ALongSummaryKeepsTheMarkerSoACrashedCreateIsRecoveredNotDuplicated) {
  const std::string input = activity("long-1", "call", people_.contact_email, "completed", std::string(40000, 's')) +
                            activity("short-1", "call", people_.contact2_email);
  auto first = export_run(input, "--json");
  ASSERT_EQ(first.exit_code, 0) << first.output.substr(0, 2000);
  auto tasks = records("Task");
  ASSERT_TRUE(tasks.contains("long-1")) << "the marker line is at the end of the Description";
  EXPECT_EQ(utf8_length(tasks["long-1"].at(0).at("Description")), 32000u);
  auto j = json_report(first);
  EXPECT_EQ(j["created"], 2);
  EXPECT_NE(first.output.find("crmsync: note: activity long-1 (line 1): the description template gave"),
            std::string::npos) << first.output.substr(0, 2000);
  ASSERT_EQ(j["notes"].size(), 1u) << j.dump();
  EXPECT_EQ(j["notes"][0]["activity_id"], "long-1");
  EXPECT_EQ(j["notes"][0]["line"], 1);
  EXPECT_NE(j["notes"][0]["message"].get<std::string>().find("32,000"), std::string::npos);

  // The run crashed after the create reached Salesforce, before its Id was recorded: the rerun
  // finds the record by its marker.
  seed_crashed_create("long-1", "create");
  auto rerun = export_run(input, "--json");
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output.substr(0, 2000);
  auto again = json_report(rerun);
  EXPECT_EQ(again["recovered"], 1);
  EXPECT_EQ(again["created"], 0);
  EXPECT_EQ(records("Task")["long-1"].size(), 1u) << "created twice";
}

// A realistic mix of refusals: activities hosted by a board member (role CEO, above the integration
// user's Revenue Operations) are created, but once the board member owns them the integration user
// may not edit them (Tasks are controlled by their parent records, which it only reads): their
// updates are refused per record while the others go through, and stay refused on the next run.
class ExportOrgTest : public ExportTest {
 protected:
  std::string org_toml() const override {
    return "[[users]]\nusername = \"board@crmsync.test\"\nemail = \"board@crmsync.test\"\nlast_name = \"Board\"\n"
           "profile = \"Standard User\"\nrole = \"CEO\"\n";
  }
};

TEST_F(ExportOrgTest, UpdatesOfRecordsTheUserCannotEditAreRefusedPerRecordWhileTheOthersAreWritten) {
  ASSERT_FALSE(people_.board_id.empty());
  auto input = [&](const std::string& summary) {
    return activity("a1", "call", people_.contact_email, "completed", summary) +
           activity("a2", "call", people_.contact_email, "completed", summary, "2026-11-20T15:30:00+01:00",
                    "board@crmsync.test") +
           activity("a3", "meeting", people_.contact2_email, "completed", summary);
  };
  auto first = export_run(input("Talked pricing"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto tasks = records("Task");
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks["a2"].at(0).at("OwnerId"), people_.board_id);

  auto second = export_run(input("Sent the proposal"), "--json");
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("activity a2 (line 2): update refused: INSUFFICIENT_ACCESS_OR_READONLY: "
                               "insufficient access rights on object id"),
            std::string::npos)
      << second.output;
  auto j = json_report(second);
  EXPECT_EQ(j["updated"], 2);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["created"], 0);
  ASSERT_EQ(j["failures"].size(), 1u);
  EXPECT_EQ(j["failures"][0]["activity_id"], "a2");
  EXPECT_EQ(j["failures"][0]["statusCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  auto after = records("Task");
  ASSERT_EQ(after.size(), 3u);
  EXPECT_NE(after["a1"].at(0).at("Description").find("Sent the proposal"), std::string::npos);
  EXPECT_NE(after["a3"].at(0).at("Description").find("Sent the proposal"), std::string::npos);
  EXPECT_NE(after["a2"].at(0).at("Description").find("Talked pricing"), std::string::npos);
  // The refused one is tried again next run (its ledger row is "failed"), the others are unchanged.
  auto third = export_run(input("Sent the proposal"), "--json");
  EXPECT_EQ(third.exit_code, 1) << third.output;
  EXPECT_NE(third.output.find("\"unchanged\": 2"), std::string::npos) << third.output;
  EXPECT_NE(third.output.find("\"failed\": 1"), std::string::npos) << third.output;
}

// The integration user lacks Edit Tasks (it keeps Access Activities). Salesforce still takes the
// Tasks assigned to the user itself, so the export warns instead of stopping: an activity hosted by
// a sales user (its OwnerId) is refused per record, the ones the integration user owns (a host who
// is no Salesforce user, or the integration user itself) are written.
class ExportWithoutEditTasksTest : public ExportTest {
 protected:
  std::string org_toml() const override {
    return "[[permission_sets]]\nname = \"crmsync_Integration\"\npermissions = { EditTask = false }\n";
  }
};

TEST_F(ExportWithoutEditTasksTest, ARecordRefusedForMissingEditTasksIsReportedPerRecordWhileTheOthersSucceed) {
  const std::string start = "2026-11-20T15:30:00+01:00";
  const std::string input = activity("a1", "call", people_.contact_email) +
                            activity("a2", "call", people_.contact2_email, "completed", "Talked pricing", start,
                                     "someone@platform.example") +
                            activity("a3", "meeting", people_.contact_email, "completed", "Talked pricing", start,
                                     "integration@crmsync.test");
  auto r = export_run(input, "--json");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("crmsync: warning: The integration user lacks the system permission \"Edit Tasks\", so only "
                          "Tasks assigned to it are written"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("turn on \"Edit Tasks\" in permission set"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("activity a1 (line 1): create refused: INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: "
                          "insufficient access rights on cross-reference id: " + people_.user_id),
            std::string::npos)
      << r.output;
  auto j = json_report(r);
  EXPECT_EQ(j["created"], 2);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["updated"], 0);
  ASSERT_EQ(j["failures"].size(), 1u);
  EXPECT_EQ(j["failures"][0]["activity_id"], "a1");
  EXPECT_EQ(j["failures"][0]["statusCode"], "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY");
  EXPECT_EQ(j["failures"][0]["message"], "insufficient access rights on cross-reference id: " + people_.user_id);

  auto rows = ledger();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows["a1"].state, "failed");
  EXPECT_EQ(rows["a1"].salesforce_id, "");
  EXPECT_EQ(rows["a2"].state, "written");
  EXPECT_EQ(rows["a3"].state, "written");

  // What the org holds, as its admin sees it: the two records, owned by the integration user.
  const std::string me = admin_query("SELECT Id FROM User WHERE Username = 'integration@crmsync.test'")[0]["Id"];
  auto written = admin_query("SELECT Id, OwnerId, Subject FROM Task WHERE CreatedById = '" + me + "' ORDER BY Subject");
  ASSERT_EQ(written.size(), 2u) << written.dump();
  EXPECT_EQ(written[0]["Id"], rows["a2"].salesforce_id);
  EXPECT_EQ(written[0]["Subject"], "Call: About a2");
  EXPECT_EQ(written[1]["Id"], rows["a3"].salesforce_id);
  EXPECT_EQ(written[1]["Subject"], "Meeting: About a3");
  for (const auto& t : written) EXPECT_EQ(t["OwnerId"], me);
  EXPECT_TRUE(admin_query("SELECT Id FROM Task WHERE Subject = 'Call: About a1'").empty());

  // The refused one is tried again next run and refused again; the written ones are unchanged.
  auto again = export_run(input, "--json");
  EXPECT_EQ(again.exit_code, 1) << again.output;
  auto k = json_report(again);
  EXPECT_EQ(k["unchanged"], 2);
  EXPECT_EQ(k["failed"], 1);
  EXPECT_EQ(k["created"], 0);
}

// The integration user's profile may use the Task record type Sales_Task only (the org also has
// Support_Task): a record type it may not use, or one that does not exist, is refused before any
// write, by whichever name the configuration gives it.
class ExportRecordTypeTest : public ExportTest {
 protected:
  std::string org_toml() const override {
    return "[[profiles]]\nname = \"Minimum Access - API Only Integrations\"\nrecord_types = { Task = [\"Sales_Task\"] }\n";
  }
};

TEST_F(ExportRecordTypeTest, ARecordTypeTheProfileMayNotUseOrThatDoesNotExistIsRefusedBeforeAnyWrite) {
  const std::string support = admin_query("SELECT Id FROM RecordType WHERE DeveloperName = 'Support_Task'")[0]["Id"];
  const std::string sales = admin_query("SELECT Id FROM RecordType WHERE DeveloperName = 'Sales_Task'")[0]["Id"];
  const std::string input = activity("a1", "call", people_.contact_email) + activity("a2", "meeting", people_.contact_email);
  for (const std::string& name : {std::string("Support_Task"), std::string("Support Task"), support}) {
    write_config("[export.meeting]\nrecord_type = \"" + name + "\"\n");
    auto r = export_run(input);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("[export.meeting] record_type = \"" + name + "\" names the Task record type Support_Task (" +
                            support + "), which the integration user's profile may not use; add Support_Task to the "
                            "record types of the integration user's profile"),
              std::string::npos)
        << r.output;
  }
  write_config("[export.call]\nrecord_type = \"Partner_Task\"\n");
  auto unknown = export_run(input);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("[export.call] record_type = \"Partner_Task\" is not a Task record type"), std::string::npos)
      << unknown.output;
  EXPECT_TRUE(records("Task").empty());
  EXPECT_TRUE(ledger().empty());
  // The one it may use is written.
  write_config("[export.meeting]\nrecord_type = \"Sales Task\"\n");
  auto ok = export_run(input);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  auto tasks = records("Task");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks["a2"].at(0).at("RecordTypeId"), sales);
}

// Upserts by an External ID custom field defined in the org file.
class ExportExternalIdTest : public ExportTest {
 protected:
  std::string org_toml() const override {
    return "[[custom_fields]]\nobject = \"Task\"\nname = \"Crmsync_Activity_Id__c\"\nlabel = \"crmsync activity id\"\n"
           "type = \"text\"\nlength = 255\nexternal_id = true\nunique = true\n";
  }
  std::string export_toml() const override { return "external_id_field = \"Crmsync_Activity_Id__c\"\n"; }
};

constexpr const char* kExternalId = "Crmsync_Activity_Id__c";

TEST_F(ExportExternalIdTest, TheSameInputTwiceCreatesNothingNewEvenWithoutTheLedger) {
  std::filesystem::copy_file(dir_.file("org.db"), dir_.file("fresh.db"));  // synced, no ledger rows yet
  std::string input = activity("a1", "call", people_.contact_email) + activity("a2", "meeting", people_.contact2_email);
  auto first = export_run(input, "--json");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto j = json_report(first);
  EXPECT_EQ(j["created"], 2);
  auto tasks = records("Task", kExternalId);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks["a1"].at(0).at("Description").find("crmsync activity:"), std::string::npos);  // no marker needed
  EXPECT_EQ(tasks["a1"].at(0).at("WhoId"), people_.contact_id);

  auto second = export_run(input, "--json");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  auto k = json_report(second);
  EXPECT_EQ(k["unchanged"], 2);
  EXPECT_EQ(k["records_sent"], 0);

  // A store that never saw them (its ledger is empty): the upsert finds the records by the field.
  write_config("", "fresh.db");
  auto third = export_run(input, "--json");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  auto l = json_report(third);
  EXPECT_EQ(l["created"], 0);
  EXPECT_EQ(l["updated"], 2);
  auto after = records("Task", kExternalId);
  ASSERT_EQ(after.size(), 2u);
  for (const auto& [id, rows] : after) EXPECT_EQ(rows.size(), 1u) << id;
  EXPECT_EQ(after["a1"].at(0).at("Id"), tasks["a1"].at(0).at("Id"));
}

TEST_F(ExportExternalIdTest, AnUpdateAndADeleteFlowThrough) {
  ASSERT_EQ(export_run(activity("a1", "call", people_.contact_email) + activity("a2", "call", people_.contact2_email)).exit_code, 0);
  auto before = records("Task", kExternalId);
  ASSERT_EQ(before.size(), 2u);
  auto r = export_run(activity("a1", "call", people_.contact_email, "cancelled", "Moved to next week") +
                          activity("a2", "call", people_.contact2_email, "deleted"),
                      "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = json_report(r);
  EXPECT_EQ(j["updated"], 1);
  EXPECT_EQ(j["deleted"], 1);
  EXPECT_EQ(j["created"], 0);
  auto after = records("Task", kExternalId);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after["a1"].at(0).at("Id"), before["a1"].at(0).at("Id"));
  EXPECT_EQ(after["a1"].at(0).at("Subject"), "Cancelled: Call: About a1");
}

TEST_F(ExportExternalIdTest, ADeleteAfterACreateThatCrashedBeforeItsIdWasRecordedDeletesTheRecord) {
  ASSERT_EQ(export_run(activity("a1", "call", people_.contact_email) + activity("a2", "call", people_.contact2_email) +
                       activity("a3", "call", people_.contact_email))
                .exit_code,
            0);
  auto before = records("Task", kExternalId);
  ASSERT_EQ(before.size(), 3u);
  seed_crashed_create("a1", "upsert");
  seed_crashed_create("a2", "upsert");
  // The records are looked up by the external-id field (one query for both) and deleted.
  auto r = export_run(activity("a1", "call", people_.contact_email, "deleted") +
                          activity("a2", "call", people_.contact2_email, "deleted") +
                          activity("a3", "call", people_.contact_email),
                      "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = json_report(r);
  EXPECT_EQ(j["recovered"], 2);
  EXPECT_EQ(j["deleted"], 2);
  EXPECT_EQ(j["unchanged"], 1);
  EXPECT_EQ(j["api_calls"], 3);  // describe, the lookup, the delete
  for (const char* id : {"a1", "a2"}) {
    EXPECT_TRUE(admin_query("SELECT Id FROM Task WHERE Id = '" + before[id].at(0).at("Id") + "'").empty()) << id;
  }
  auto after = records("Task", kExternalId);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_TRUE(after.contains("a3"));
  auto rows = ledger();
  EXPECT_EQ(rows["a1"].state, "deleted");
  EXPECT_EQ(rows["a1"].salesforce_id, before["a1"].at(0).at("Id"));
  EXPECT_EQ(rows["a2"].state, "deleted");
  // A pending create that never reached Salesforce: nothing to find, nothing to delete.
  seed_crashed_create("a3", "upsert");
  {
    auto& db = (*emu_)->database();
    std::unique_lock lock(db.mutex());
    emulator::Table* t = db.find("Task");
    t->mutable_row(*t->find(after["a3"].at(0).at("Id")))[*t->field_index("IsDeleted")] = true;
  }
  auto none = export_run(activity("a3", "call", people_.contact_email, "deleted"), "--json");
  ASSERT_EQ(none.exit_code, 0) << none.output;
  auto k = json_report(none);
  EXPECT_EQ(k["recovered"], 0);
  EXPECT_EQ(k["deleted"], 0);
  EXPECT_EQ(k["unchanged"], 1);
}

TEST_F(ExportExternalIdTest, SigkillInTheMiddleThenRerunLeavesEachActivityExactlyOnce) {
  auto j = sigkill_then_rerun(kExternalId);
  // Pending rows whose records reached the org are upserted onto them (updated), not created again.
  EXPECT_EQ(j["recovered"], 0);
  EXPECT_EQ(j["created"], kKillActivities - j["in_org"].get<std::int64_t>());
  EXPECT_EQ(j["updated"], j["in_org"].get<std::int64_t>() - j["in_ledger"].get<std::int64_t>());
}

TEST_F(ExportTest, MaxApiCallsPausesWithExitThreeAndTheNextRunResumesExactlyOnce) {
  std::string input;
  for (int i = 0; i < 450; ++i) input += activity("q" + std::to_string(i), "call", people_.contact_email);
  // The describe and two write calls of 200 records: the third batch is held back.
  auto first = export_run(input, "--json --max-api-calls 3");
  EXPECT_EQ(first.exit_code, 3) << first.output;
  EXPECT_NE(first.output.find("paused"), std::string::npos) << first.output;
  auto j = json_report(first);
  EXPECT_EQ(j["paused"], true);
  EXPECT_EQ(j["failed"], 0);
  EXPECT_EQ(j["created"], 400);
  EXPECT_EQ(records("Task").size(), 400u);
  auto second = export_run(input, "--json");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  auto k = json_report(second);
  EXPECT_EQ(k["paused"], false);
  EXPECT_EQ(k["created"], 50);
  EXPECT_EQ(k["unchanged"], 400);
  EXPECT_EQ(k["recovered"], 0);  // the held-back batch was never sent
  auto tasks = records("Task");
  EXPECT_EQ(tasks.size(), 450u);
  for (const auto& [id, rows] : tasks) EXPECT_EQ(rows.size(), 1u) << id;
}

// The org has spent its daily API requests: Salesforce answers REQUEST_LIMIT_EXCEEDED, the export
// pauses (exit 3) before writing anything, and runs once the quota is back.
class ExportQuotaTest : public ExportTest {
 protected:
  void adjust(emulator::EmulatorOptions& o) const override { o.daily_api_max = 1000; }
};

TEST_F(ExportQuotaTest, TheDailyLimitReachedPausesWithExitThreeWritingNothing) {
  (*emu_)->set_api_used(1000);
  auto first = export_run(activity("a1", "call", people_.contact_email));
  EXPECT_EQ(first.exit_code, 3) << first.output;
  EXPECT_NE(first.output.find("export paused: REQUEST_LIMIT_EXCEEDED"), std::string::npos) << first.output;
  EXPECT_TRUE(records("Task").empty());
  // The [sync] shares apply too: the org at 90% of its daily requests, above quota_daily_share 0.80.
  (*emu_)->set_api_used(900);
  auto guarded = export_run(activity("a1", "call", people_.contact_email));
  EXPECT_EQ(guarded.exit_code, 3) << guarded.output;
  EXPECT_NE(guarded.output.find("export paused: QUOTA_GUARD: paused until quota recovers"), std::string::npos)
      << guarded.output;
  EXPECT_TRUE(records("Task").empty());
  (*emu_)->set_api_used(0);
  auto later = export_run(activity("a1", "call", people_.contact_email));
  EXPECT_EQ(later.exit_code, 0) << later.output;
  EXPECT_EQ(records("Task").size(), 1u);
}

// A server whose sObject Collections answers are not what Salesforce sends: crmsync is run through
// a proxy in front of the emulator that rewrites the first create answer. The records are created
// in the org all the same, so the run must leave them "pending" and the next run (through an honest
// server) must find them by their marker instead of creating them again.
class ExportMalformedAnswerTest : public ExportTest {
 protected:
  void SetUp() override {
    ExportTest::SetUp();
    if (HasFatalFailure()) return;
    proxy_ = std::make_unique<testing::RewritingProxy>((*emu_)->port());
    testing::write_file(cfg_, testing::emulator_toml(proxy_->base_url(), dir_.file("org.db"), ""));
  }
  // The first POST /composite/sobjects answer gets `from` replaced by `to` everywhere.
  void rewrite_first_create(const std::string& from, const std::string& to) {
    proxy_->rewrite([from, to, done = false](const std::string& method, const std::string& path, std::string body) mutable {
      if (done || method != "POST" || !path.ends_with("/composite/sobjects")) return body;
      done = true;
      for (std::size_t p = 0; (p = body.find(from, p)) != std::string::npos; p += to.size()) body.replace(p, from.size(), to);
      return body;
    });
  }
  // Runs the export through the rewriting proxy (a clean error, exit 2), then through an honest
  // one: every activity ends up in the org exactly once. Returns the first run's output.
  std::string export_then_rerun() {
    std::string input = activity("a1", "call", people_.contact_email) + activity("a2", "call", people_.contact2_email);
    auto first = export_run(input, "--json");
    EXPECT_EQ(first.exit_code, 2) << "the run stops with an error, it does not abort: " << first.output;
    EXPECT_EQ(records("Task").size(), 2u) << "the records reached the org before the answer came back";
    auto rows = ledger();
    for (const char* a : {"a1", "a2"}) {
      EXPECT_EQ(rows[a].state, "pending") << a << ": an answer crmsync cannot trust is not recorded as written";
      EXPECT_EQ(rows[a].salesforce_id, "") << a;
    }
    proxy_->rewrite({});
    auto rerun = export_run(input, "--json");
    EXPECT_EQ(rerun.exit_code, 0) << rerun.output;
    auto j = json_report(rerun);
    EXPECT_EQ(j["recovered"], 2) << rerun.output;
    EXPECT_EQ(j["created"], 0) << rerun.output;
    auto tasks = records("Task");
    EXPECT_EQ(tasks.size(), 2u);
    for (const auto& [id, found] : tasks) EXPECT_EQ(found.size(), 1u) << "activity " << id << " is in the org more than once";
    rows = ledger();
    for (const char* a : {"a1", "a2"}) {
      EXPECT_EQ(rows[a].state, "written") << a;
      EXPECT_EQ(rows[a].salesforce_id, tasks[a].at(0).at("Id")) << a;
    }
    return first.output;
  }

  std::unique_ptr<testing::RewritingProxy> proxy_;
};

TEST_F(ExportMalformedAnswerTest, ASuccessThatIsNotABooleanStopsTheRunWithAnErrorNamingIt) {
  rewrite_first_create("\"success\":true", "\"success\":\"yes\"");
  const std::string output = export_then_rerun();
  EXPECT_NE(output.find("Salesforce's answer to sObject Collections create Task (result 1 of 2) was malformed: "
                        "\"success\" is a string (\"yes\"), not a boolean."),
            std::string::npos)
      << output;
  EXPECT_EQ(output.find("terminate"), std::string::npos) << output;
}

TEST_F(ExportMalformedAnswerTest, AnIdThatIsNotARecordIdIsNotRecordedAsWrittenAndTheRerunCreatesNoDuplicate) {
  // Every created id becomes the number 12345 (the emulator's Task ids all start 00T).
  rewrite_first_create("\"id\":\"00T", "\"id\":12345,\"was\":\"00T");
  const std::string output = export_then_rerun();
  EXPECT_NE(output.find("(result 1 of 2) was malformed: \"id\" is a number (12345), not a string."), std::string::npos)
      << output;
}

}  // namespace
}  // namespace crmsync
