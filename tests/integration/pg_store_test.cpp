// The PostgreSQL store as a user meets it: typed tables in their schema, passwords from the
// environment and never echoed, clear errors for a server that cannot be reached, a refused
// password, a missing database, no right to create the schema, and a server that goes away
// mid-sync; one sync per schema; readers that never see part of a page. (The guarantees the
// SQLite store has too are proven by the tests parameterized over both stores: SyncStoreTest,
// SyncCliStoreTest, SyncCrashTest, ...)
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "pg_support.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::contains;
using testing::pg_server;
using testing::run_crmsync;
using testing::RunningEmulator;
using testing::TempDir;

const char* kSmallSync = "[sync]\nsettle_seconds = 0\n[groups]\ndeals = false\n";

std::string database_of(const std::string& url) {
  auto start = url.find("@/") + 2;
  return url.substr(start, url.find('?') - start);
}

// CREATE ROLE, once per server (the tests of one process share it).
void create_role(const std::string& spec) {
  pg_server().sql("DO $$BEGIN CREATE ROLE " + spec + "; EXCEPTION WHEN duplicate_object THEN NULL; END$$");
}

TEST(PgStoreTest, TablesAreTypedAsTheCatalogSaysInTheConfiguredSchema) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string url = testing::pg_test_url();
  std::string cfg = dir.file("crmsync.toml");
  // emulator_toml's `extra` follows [store] url = ...: the schema key lands in [store].
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), url, std::string("schema = \"acme\"\n") + kSmallSync));
  auto r = run_crmsync("sync --quiet --config " + cfg);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string db = database_of(url);
  auto type_of = [&](const std::string& table, const std::string& column) {
    return pg_server().value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                             "'acme.\"" + table + "\"'::regclass AND attname = '" + column + "'",
                             db);
  };
  EXPECT_EQ(type_of("Account", "Id"), "text");
  EXPECT_EQ(type_of("Account", "IsDeleted"), "boolean");
  EXPECT_EQ(type_of("Event", "DurationInMinutes"), "bigint");
  EXPECT_EQ(type_of("Opportunity", "Amount"), "numeric");
  EXPECT_EQ(type_of("Account", "SystemModstamp"), "timestamp with time zone");
  EXPECT_EQ(type_of("Opportunity", "CloseDate"), "date");
  EXPECT_EQ(pg_server().value("SELECT count(*) > 0 FROM pg_indexes WHERE schemaname = 'acme' AND indexname = "
                              "'crmsync_id_Account' AND indexdef LIKE 'CREATE UNIQUE INDEX%'",
                              db),
            "t");
  EXPECT_EQ(pg_server().value("SELECT count(*) FROM acme.crmsync_sync_state WHERE watermark IS NOT NULL", db),
            pg_server().value("SELECT count(*) FROM acme.crmsync_sync_state", db));
  EXPECT_EQ(pg_server().value("SELECT to_regclass('public.\"Account\"') IS NULL", db), "t");
  auto status = run_crmsync("status --config " + cfg);
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "Account")) << status.output;
}

// `crmsync status` with [store] alone creates nothing on PostgreSQL either: a schema that does not
// exist, or one without crmsync's tables, is a store no sync has run into (exit 3).
TEST(PgStoreTest, StatusOfASchemaNoSyncHasWrittenIsExitThreeAndCreatesNothing) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string url = testing::pg_test_url();
  std::string db = database_of(url);
  const std::string store_only = dir.file("status.toml");
  testing::write_file(store_only, "[store]\nurl = \"" + url + "\"\nschema = \"acme\"\n");

  auto none = run_crmsync("status --config " + store_only);
  EXPECT_EQ(none.exit_code, 3) << none.output;
  EXPECT_TRUE(contains(none.output, "no sync has run yet into the schema acme of ")) << none.output;
  ASSERT_EQ(pg_server().value("SELECT count(*) FROM pg_namespace WHERE nspname = 'acme'", db), "0")
      << "status created the schema";

  // The schema made ready by a DBA, still without crmsync's tables: no sync has run into it either.
  pg_server().sql("CREATE SCHEMA acme", db);
  auto empty = run_crmsync("status --json --config " + store_only);
  EXPECT_EQ(empty.exit_code, 3) << empty.output;
  EXPECT_TRUE(contains(empty.output, "NO_SYNC_YET")) << empty.output;
  EXPECT_EQ(pg_server().value("SELECT count(*) FROM pg_tables WHERE schemaname = 'acme'", db), "0")
      << "status created crmsync's tables";

  const std::string full = dir.file("crmsync.toml");
  testing::write_file(full, testing::emulator_toml(emu->base_url(), url, std::string("schema = \"acme\"\n") + kSmallSync));
  ASSERT_EQ(run_crmsync("sync --quiet --config " + full).exit_code, 0);
  auto shown = run_crmsync("status --config " + store_only);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_TRUE(contains(shown.output, "Account")) << shown.output;
}

TEST(PgStoreTest, OneSyncPerSchemaManySchemasPerDatabase) {
  std::string url = testing::pg_test_url();
  auto a = sync::StoreLock::acquire(store::OpenOptions{url, "org_a"});
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  auto b = sync::StoreLock::acquire(store::OpenOptions{url, "org_b"});
  EXPECT_TRUE(b.ok()) << "another org's schema is not locked: " << b.error().to_string();
  auto again = sync::StoreLock::acquire(store::OpenOptions{url, "org_a"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "STORE_LOCKED");
  a->reset();  // the session ends: the lock goes with it
  EXPECT_TRUE(sync::StoreLock::acquire(store::OpenOptions{url, "org_a"}).ok());
}

TEST(PgStoreTest, UnreachableServerIsAClearErrorAndExitOne) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  int port = testing::free_loopback_port();  // nothing listens there
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(),
                                                  "postgresql://crmsync:Sup3r-Secret@127.0.0.1:" +
                                                      std::to_string(port) + "/crm",
                                                  kSmallSync));
  for (const char* command : {"sync", "status"}) {
    auto r = run_crmsync(std::string(command) + " --config " + cfg);
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.output;
    EXPECT_TRUE(contains(r.output, "Check that the server runs")) << r.output;
    EXPECT_TRUE(contains(r.output, "postgresql://crmsync:***@127.0.0.1")) << r.output;
    EXPECT_FALSE(contains(r.output, "Sup3r-Secret")) << r.output;
  }
}

TEST(PgStoreTest, WrongPasswordNamesWhereToSetItAndIsNeverEchoed) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string url = testing::pg_test_url();
  std::string db = database_of(url);
  create_role("alice LOGIN PASSWORD 'Right-Pass-42'");
  pg_server().sql("ALTER DATABASE " + db + " OWNER TO alice");
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), pg_server().tcp_url(db, "alice"), kSmallSync));

  auto wrong = run_crmsync("sync --config " + cfg, "CRMSYNC_STORE_PASSWORD='Wr0ng-Pass!'");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_TRUE(contains(wrong.output, "CRMSYNC_STORE_PASSWORD")) << wrong.output;
  EXPECT_FALSE(contains(wrong.output, "Wr0ng-Pass!")) << wrong.output;
  auto none = run_crmsync("sync --config " + cfg, "PGPASSWORD= PGPASSFILE=/nonexistent");
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_TRUE(contains(none.output, "PGPASSWORD")) << none.output;

  // A password in the url is used, and masked wherever the url is echoed.
  std::string in_url = testing::emulator_toml(emu->base_url(),
                                              "postgresql://alice:Wr0ng-In-Url@127.0.0.1:" +
                                                  std::to_string(pg_server().port()) + "/" + db,
                                              kSmallSync);
  testing::write_file(dir.file("in_url.toml"), in_url);
  auto masked = run_crmsync("sync --config " + dir.file("in_url.toml"));
  EXPECT_EQ(masked.exit_code, 1) << masked.output;
  EXPECT_FALSE(contains(masked.output, "Wr0ng-In-Url")) << masked.output;
  EXPECT_TRUE(contains(masked.output, "alice:***@")) << masked.output;

  auto right = run_crmsync("sync --quiet --config " + cfg, "CRMSYNC_STORE_PASSWORD='Right-Pass-42'");
  EXPECT_EQ(right.exit_code, 0) << right.output;
  auto from_pgpassword = run_crmsync("sync --quiet --config " + cfg, "PGPASSWORD='Right-Pass-42'");
  EXPECT_EQ(from_pgpassword.exit_code, 0) << from_pgpassword.output;
  // Not in the store either.
  EXPECT_EQ(pg_server().value("SELECT count(*) FROM salesforce.crmsync_sync_state WHERE last_error LIKE '%Right-Pass%'"
                              " OR last_error LIKE '%Wr0ng%'",
                              db),
            "0");
}

TEST(PgStoreTest, MissingDatabaseNamesTheFix) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), pg_server().url("no_such_db"), kSmallSync));
  auto r = run_crmsync("sync --config " + cfg);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "\"no_such_db\" does not exist")) << r.output;
  EXPECT_TRUE(contains(r.output, "Create the database")) << r.output;
}

TEST(PgStoreTest, NoRightToCreateTheSchemaNamesTheGrant) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string db = database_of(testing::pg_test_url());
  create_role("reader LOGIN");
  std::string cfg = dir.file("crmsync.toml");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), pg_server().url(db, "reader"), kSmallSync));
  auto r = run_crmsync("sync --config " + cfg);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "may not create schemas")) << r.output;
  EXPECT_TRUE(contains(r.output, "CREATE SCHEMA salesforce AUTHORIZATION reader")) << r.output;
  EXPECT_EQ(pg_server().value("SELECT count(*) FROM pg_namespace WHERE nspname = 'salesforce'", db), "0");
  // Once the schema is made for it, the same user syncs.
  pg_server().sql("CREATE SCHEMA salesforce AUTHORIZATION reader", db);
  auto ok = run_crmsync("sync --quiet --config " + cfg);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

// A role the server lets hold two connections (the lock's and the first writer's): the second
// writer's is refused, and the sync goes on with one writer instead of failing. A role allowed none
// is told which limit it met and what to change.
TEST(PgStoreTest, AServerRefusingTheSecondWritersConnectionLeavesTheSyncWithOne) {
  RunningEmulator emu(3);
  TempDir dir;
  std::string db = database_of(testing::pg_test_url());
  create_role("nobody_allowed LOGIN CONNECTION LIMIT 0");
  std::string refused_cfg = dir.file("refused.toml");
  testing::write_file(refused_cfg, testing::emulator_toml(emu->base_url(), pg_server().url(db, "nobody_allowed"), kSmallSync));
  auto refused = run_crmsync("sync --config " + refused_cfg);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "PG_TOO_MANY_CONNECTIONS")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "CONNECTION LIMIT")) << refused.output;
  create_role("limited LOGIN CONNECTION LIMIT 2");
  pg_server().sql("CREATE SCHEMA salesforce AUTHORIZATION limited", db);
  std::string cfg = dir.file("crmsync.toml");
  const std::string url = pg_server().url(db, "limited");
  testing::write_file(cfg, testing::emulator_toml(emu->base_url(), url, kSmallSync));
  auto r = run_crmsync("sync --config " + cfg);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto config = config::load_config(cfg);
  ASSERT_TRUE(config.ok());
  auto st = store::Store::open(sync::store_options(*config));
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  auto admin = testing::admin_login(emu->base_url());
  testing::expect_store_equals_org(**st, *admin, *config);
}

// The server ends the sync's sessions after a page of Contact is committed: the run stops with an
// error saying so (exit 1 from the CLI), the committed pages are kept, and the next run resumes and
// ends equal to the org.
TEST(PgStoreTest, ServerGoingAwayMidSyncKeepsWhatWasCommittedAndTheNextRunResumes) {
  RunningEmulator emu(400, 11);
  std::string url = testing::pg_test_url();
  std::string db = database_of(url);
  auto cfg = testing::sync_config(emu->base_url(), url);
  testing::only(cfg, {"Account", "Contact"});
  auto client = testing::login(cfg);
  std::int64_t committed = 0;
  {
    auto st = store::Store::open(cfg.store.url);
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    sync::SyncOptions options = testing::one_worker_page_by_page();
    options.on_page = [&](const sync::Progress& p) {
      if (p.object == "Contact" && committed == 0) {
        committed = p.records;
        pg_server().sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db +
                        "' AND pid <> pg_backend_pid()");
      }
    };
    auto report = sync::run_sync(cfg, *client, **st, options);
    std::string message = report ? testing::report_for(*report, "Contact").message : report.error().to_string();
    EXPECT_TRUE(!report.ok() || !report->ok()) << "the run went on without its store";
    EXPECT_TRUE(contains(message, "connection to the PostgreSQL store")) << message;
    EXPECT_TRUE(contains(message, "run again once the server is back")) << message;
  }
  ASSERT_GT(committed, 0);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  auto kept = (*st)->count_rows("Contact");
  ASSERT_TRUE(kept.ok()) << kept.error().to_string();
  EXPECT_GE(*kept, committed);
  auto again = sync::run_sync(cfg, *client, **st, {});
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(again->ok());
  auto admin = testing::admin_login(emu->base_url());
  testing::expect_store_equals_org(**st, *admin, cfg);
}

// A reader querying the table in a loop while a first load commits 200-row pages only ever sees
// whole pages (a multiple of 200 rows, or the whole table), and is never held up by the writer.
TEST(PgStoreTest, ReadersNeverWaitAndNeverSeeHalfAPage) {
  RunningEmulator emu(400, 13);
  std::string url = testing::pg_test_url();
  auto cfg = testing::sync_config(emu->base_url(), url);
  testing::only(cfg, {"Contact"});
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  ASSERT_TRUE(st.ok()) << st.error().to_string();

  std::atomic<bool> done{false};
  std::set<long> seen;
  long slowest_ms = 0;
  std::thread reader([&] {
    PGconn* c = PQconnectdb(url.c_str());
    while (!done.load()) {
      auto t0 = std::chrono::steady_clock::now();
      PGresult* r = PQexec(c, "SELECT count(*) FROM salesforce.\"Contact\"");
      long ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        seen.insert(std::atol(PQgetvalue(r, 0, 0)));
        slowest_ms = std::max(slowest_ms, ms);
      }
      PQclear(r);
    }
    PQfinish(c);
  });
  sync::SyncOptions options = testing::one_worker_page_by_page();
  options.on_page = [](const sync::Progress&) { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
  auto report = sync::run_sync(cfg, *client, **st, options);
  done = true;
  reader.join();
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_TRUE(report->ok());
  auto total = (*st)->count_rows("Contact");
  ASSERT_TRUE(total.ok());
  EXPECT_GT(seen.size(), 3u) << "the reader saw the load progress";
  for (long n : seen) EXPECT_TRUE(n % 200 == 0 || n == *total) << n << " rows: part of a page";
  EXPECT_LT(slowest_ms, 2000) << "a reader waited for the writer";
}

}  // namespace
}  // namespace crmsync
