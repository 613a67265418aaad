// Helpers for the sync's integration tests: logins, the store's rows, and what an admin's queryAll
// returns for the same fields, converted as the sync converts them.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync/page_parser.h"
#include "sync/sync.h"
#include "test_support.h"

namespace crmsync::testing {

using Rows = std::map<std::string, std::map<std::string, store::Value>>;

// A run's window ends at its start rounded up to the whole second, and the emulator stamps a burst
// of writes up to ~1 ms apart, running its clock a little ahead of the wall clock: writes made just
// now are inside the next run's window once that run starts past the next whole second.
inline void wait_past_the_next_whole_second() {
  std::this_thread::sleep_until(std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now()) +
                                std::chrono::milliseconds(20));
}

inline std::unique_ptr<salesforce::Client> login(const config::Config& cfg) {
  auto c = salesforce::Client::connect(config::connect_options(cfg));
  if (!c) throw std::runtime_error(c.error().to_string());
  return std::move(*c);
}

inline std::unique_ptr<salesforce::Client> admin_login(const std::string& base_url) {
  return login(emulator_config(base_url, "", "admin@crmsync.test", "admin-pass"));
}

// The integration user's config with nothing left to settle: tests write and read at once.
inline config::Config sync_config(const std::string& base_url, const std::string& db_path) {
  auto cfg = emulator_config(base_url, db_path);
  cfg.sync.settle_seconds = 0;
  return cfg;
}

inline Rows store_rows(store::Store& st, const std::string& object) {
  Rows out;
  auto dump = st.dump(object);
  if (!dump) throw std::runtime_error(dump.error().to_string());
  for (auto& row : *dump) {
    std::map<std::string, store::Value> m(row.begin(), row.end());
    out[std::get<std::string>(m.at("Id"))] = std::move(m);
  }
  return out;
}

// What an admin's queryAll returns for the fields the sync selects, converted as the sync converts.
inline Rows admin_rows(salesforce::Client& admin, const config::Config& cfg, const std::string& object) {
  auto describe = admin.describe(object);
  if (!describe) throw std::runtime_error(describe.error().to_string());
  auto sel = catalog::select_fields(*describe, cfg.selection_for(object));
  if (!sel) throw std::runtime_error(sel.error().to_string());
  std::string soql = "SELECT ";
  for (size_t i = 0; i < sel->fields.size(); ++i) soql += (i ? ", " : "") + sel->fields[i].name;
  soql += " FROM " + object;
  sync::PageParser parser(*sel);
  Rows out;
  auto page = admin.query(soql, true);
  while (true) {
    if (!page) throw std::runtime_error(page.error().to_string());
    auto parsed = parser.parse(page->body);
    if (!parsed) throw std::runtime_error(parsed.error().to_string());
    for (std::size_t r = 0; r < parsed->rows.size(); ++r) {
      const auto row = parsed->rows[r];
      std::map<std::string, store::Value> m;
      for (size_t i = 0; i < row.size(); ++i) m[sel->fields[i].name] = row[i];
      out[std::get<std::string>(row[0])] = std::move(m);
    }
    if (page->done) break;
    page = admin.query_more(page->next_records_url);
  }
  return out;
}

// Every record a SOQL query answers (query, not queryAll: deleted records are left out), all pages.
inline std::vector<nlohmann::json> soql_records(salesforce::Client& client, const std::string& soql) {
  std::vector<nlohmann::json> out;
  auto page = client.query(soql, false);
  while (true) {
    if (!page) throw std::runtime_error(page.error().to_string());
    auto body = nlohmann::json::parse(page->body);
    for (auto& r : body["records"]) out.push_back(std::move(r));
    if (page->done) break;
    page = client.query_more(page->next_records_url);
  }
  return out;
}

// Every row of `expected` (the org's) is in `actual` (the store's) with the org's values.
inline void expect_org_rows_stored(const Rows& expected, const Rows& actual, const std::string& object) {
  for (const auto& [id, fields] : expected) {
    auto it = actual.find(id);
    ASSERT_NE(it, actual.end()) << object << " " << id << " missing from the store";
    for (const auto& [name, value] : fields) {
      auto col = it->second.find(name);
      ASSERT_NE(col, it->second.end()) << object << "." << name << " missing column";
      EXPECT_EQ(col->second, value) << object << "." << name << " of " << id;
    }
  }
}

// store_rows keys by Id: the table itself must hold one row per Id (`rows` of them), and have its
// Id index (a first load appends without it and builds it at the end).
inline void expect_one_row_per_id_and_the_index(store::Store& st, const std::string& object, std::size_t rows) {
  auto count = st.count_rows(object);
  ASSERT_TRUE(count.ok()) << count.error().to_string();
  EXPECT_EQ(*count, static_cast<std::int64_t>(rows)) << object << " holds an Id more than once";
  auto indexed = st.has_id_index(object);
  ASSERT_TRUE(indexed.ok()) << indexed.error().to_string();
  EXPECT_TRUE(*indexed) << object << " has no Id index after the sync";
}

inline void expect_store_equals_org(store::Store& st, salesforce::Client& admin, const config::Config& cfg) {
  for (const auto& object : cfg.enabled_objects()) {
    Rows expected = admin_rows(admin, cfg, object);
    Rows actual = store_rows(st, object);
    ASSERT_EQ(actual.size(), expected.size()) << object;
    expect_one_row_per_id_and_the_index(st, object, expected.size());
    expect_org_rows_stored(expected, actual, object);
  }
}

// As expect_store_equals_org, for an org where rows were hard deleted while the store held them:
// those are kept in the store marked IsDeleted = 1 (queryAll no longer shows them); every row the
// org has is in the store with the org's values.
// The SQLite file `db` that the configuration file `cfg` syncs into holds what the org at
// `base_url` holds (expect_store_equals_org): after a crmsync process ran.
inline void expect_db_equals_org(const std::string& cfg, const std::string& db, const std::string& base_url) {
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  auto st = store::Store::open("sqlite:" + db);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  auto admin = admin_login(base_url);
  expect_store_equals_org(**st, *admin, *config);
}

inline void expect_store_equals_org_hard_deletes_marked(store::Store& st, salesforce::Client& admin,
                                                        const config::Config& cfg) {
  for (const auto& object : cfg.enabled_objects()) {
    Rows expected = admin_rows(admin, cfg, object);
    Rows actual = store_rows(st, object);
    for (const auto& [id, row] : actual) {
      if (expected.contains(id)) continue;
      auto flag = row.find("IsDeleted");
      ASSERT_NE(flag, row.end()) << object << " " << id << " is in the store, not in the org";
      EXPECT_EQ(flag->second, store::Value{true}) << object << " " << id << " vanished but is not marked deleted";
    }
    expect_one_row_per_id_and_the_index(st, object, actual.size());
    expect_org_rows_stored(expected, actual, object);
  }
}

inline std::vector<std::string> ids(salesforce::Client& c, const std::string& soql) {
  auto page = c.query(soql, false);
  if (!page) throw std::runtime_error(page.error().to_string());
  std::vector<std::string> out;
  auto body = nlohmann::json::parse(page->body);  // named: a range-for over a temporary's member dangles
  for (const auto& r : body["records"]) out.push_back(r["Id"]);
  return out;
}

inline const sync::ObjectReport& report_for(const sync::SyncReport& r, const std::string& object) {
  for (const auto& o : r.objects) {
    if (o.object == object) return o;
  }
  throw std::runtime_error("no report for " + object);
}

inline store::SyncState state_of(store::Store& st, const std::string& object) {
  auto s = st.load_state(object);
  if (!s || !s->has_value()) throw std::runtime_error("no sync state for " + object);
  return **s;
}

// One worker, 200-row pages each committed on its own: a run whose progress a test can follow (and
// stop) page by page.
inline sync::SyncOptions one_worker_page_by_page() {
  sync::SyncOptions o;
  o.batch_size = 200;
  o.rows_per_commit = 200;
  o.concurrency = 1;
  return o;
}

// Only these objects (the others off), to keep a test's org and run small.
inline void only(config::Config& cfg, const std::vector<std::string>& objects) {
  for (const auto& o : catalog::objects()) cfg.objects[o.name].enabled = false;
  for (const auto& o : catalog::board_objects()) cfg.objects[o.name].enabled = false;
  for (const auto& o : objects) cfg.objects[o].enabled = true;
}

// The same in crmsync.toml: an `[objects.X] enabled = false` section for every object but these.
inline std::string only_toml(const std::vector<std::string>& objects) {
  std::string out;
  std::vector<const catalog::CatalogObject*> all;
  for (const auto& c : catalog::objects()) all.push_back(&c);
  for (const auto& c : catalog::board_objects()) all.push_back(&c);
  for (const catalog::CatalogObject* listed : all) {
    const catalog::CatalogObject& c = *listed;
    if (std::find(objects.begin(), objects.end(), c.name) == objects.end()) {
      out += "[objects." + c.name + "]\nenabled = false\n";
    }
  }
  return out;
}

// `crmsync <args>` as a child process, its standard output and error written to the file `log`
// ("/dev/null": thrown away), so that a test can signal or SIGKILL it; -1 when it cannot be started.
inline pid_t start_crmsync(const std::vector<std::string>& args, const std::string& log = "/dev/null") {
  std::vector<char*> argv = {const_cast<char*>(CRMSYNC_BINARY)};  // built before fork: the child only execs
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execv(CRMSYNC_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

// `crmsync sync --quiet --config cfg [extra]`, its output thrown away (start_crmsync).
inline pid_t start_sync(const std::string& cfg, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"sync", "--quiet", "--config", cfg};
  args.insert(args.end(), extra.begin(), extra.end());
  return start_crmsync(args);
}

// Follows the child `pid` (looking every 2 ms) and SIGKILLs it, then reaps it, as soon as `now()`
// holds. False when the child ended first.
template <typename F>
bool kill_when(pid_t pid, F now) {
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (now()) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// Calls `on_row` for each row `sql` returns from the SQLite file at `db`, opened read-only beside a
// running sync (waiting up to `busy_ms` for its write lock). False when the file or the query
// cannot be read.
template <typename F>
bool rows_on_disk(const std::string& db, const std::string& sql, F on_row, int busy_ms = 1000) {
  sqlite3* conn = nullptr;
  bool ok = false;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(conn, busy_ms);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(conn, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      int rc = SQLITE_ROW;
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) on_row(st);
      ok = rc == SQLITE_DONE;
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(conn);
  return ok;
}

// The first column of `sql`'s first row as an integer; -1 when it cannot be read.
inline std::int64_t int_on_disk(const std::string& db, const std::string& sql) {
  std::int64_t out = -1;
  bool first = true;
  rows_on_disk(db, sql, [&](sqlite3_stmt* st) {
    if (first) out = sqlite3_column_int64(st, 0);
    first = false;
  });
  return out;
}

// The first column of every row of `sql` as text (NULLs left out).
inline std::vector<std::string> texts_on_disk(const std::string& db, const std::string& sql, int busy_ms = 1000) {
  std::vector<std::string> out;
  rows_on_disk(
      db, sql,
      [&](sqlite3_stmt* st) {
        const unsigned char* text = sqlite3_column_text(st, 0);
        if (text != nullptr) out.emplace_back(reinterpret_cast<const char*>(text));
      },
      busy_ms);
  return out;
}

}  // namespace crmsync::testing

namespace crmsync::testing {

// Field-level security as an admin changes it through the REST API, on the permission set that
// gives the emulator's integration user its access (crmsync_Integration).
inline std::string integration_permission_set(salesforce::Client& admin) {
  auto set = ids(admin, "SELECT Id FROM PermissionSet WHERE Name = 'crmsync_Integration'");
  if (set.size() != 1) throw std::runtime_error("no crmsync_Integration permission set");
  return set.front();
}

// Read on Object.Field for the integration user: a FieldPermissions row.
inline void grant_field_read(salesforce::Client& admin, const std::string& object, const std::string& field) {
  auto created = admin.create("FieldPermissions", {{"ParentId", integration_permission_set(admin)},
                                                   {"SobjectType", object},
                                                   {"Field", object + "." + field},
                                                   {"PermissionsRead", true}});
  if (!created) throw std::runtime_error(created.error().to_string());
}

// Takes Read on Object.Field away from the integration user: its FieldPermissions rows are deleted
// (Salesforce deletes a row whose Read is cleared). Returns how many rows went.
inline std::size_t remove_field_read(salesforce::Client& admin, const std::string& object, const std::string& field) {
  auto rows = ids(admin, "SELECT Id FROM FieldPermissions WHERE ParentId = '" + integration_permission_set(admin) +
                             "' AND Field = '" + object + "." + field + "'");
  for (const auto& id : rows) {
    auto s = admin.remove("FieldPermissions", id);
    if (!s) throw std::runtime_error(s.error().to_string());
  }
  return rows.size();
}

// A custom field as an admin adds it in Setup (double: 18,2; other types: 255 characters), for
// add_field; it has no field-level security, so every user reads it.
inline emulator::FieldDef custom_field(const std::string& name, const std::string& type) {
  emulator::FieldDef f;
  f.name = name;
  f.label = name;
  f.type = type;
  f.custom = true;
  if (type == "double") {
    f.precision = 18;
    f.scale = 2;
  } else {
    f.length = 255;
  }
  return f;
}

// Adds the field to an object of the running org (in process): schema drift. Every row holds null.
inline void add_field(emulator::Emulator& emu, const std::string& object, emulator::FieldDef f) {
  std::unique_lock lock(emu.database().mutex());
  emu.database().find(object)->add_field(std::move(f));
}

// Sets a field of every live row of a table (in process, SystemModstamp untouched).
template <typename F>
void set_every_row(emulator::Emulator& emu, const std::string& object, const std::string& field, F value_of_row) {
  std::unique_lock lock(emu.database().mutex());
  emulator::Table* t = emu.database().find(object);
  auto idx = t->field_index(field);
  if (!idx) throw std::runtime_error("no field " + object + "." + field);
  for (std::size_t r = 0; r < t->slot_count(); ++r) {
    if (!t->purged(r)) t->mutable_row(r)[*idx] = value_of_row(r);
  }
}

}  // namespace crmsync::testing
