// `crmsync orgs add | list | remove` against a real PostgreSQL database: what the registry keeps of
// an org (its settings, its secrets only as variable names or encrypted), and the errors a person
// gets for a plain secret without a key, a taken name or schema, an unknown name, a store that is
// not PostgreSQL, an unreachable database.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "worker_support.h"

namespace crmsync::testing {
namespace {

const std::string kPassword = "pw-7Qx9-s3cret";
const std::string kClientSecret = "crmsync-local-secret";  // emulator_toml's

// The database name of a test url ("postgresql://postgres@/NAME?host=...").
std::string database_of(const std::string& url) {
  auto start = url.find("@/") + 2;
  return url.substr(start, url.find('?') - start);
}

TEST(OrgsTest, AddListRemoveAndTheRegistryKeepsNoSecretInPlainText) {
  TempDir dir;
  const std::string url = pg_test_url();
  const std::string acme = dir.file("acme.toml"), globex = dir.file("globex.toml");
  write_file(acme, org_toml("http://127.0.0.1:8787", url, {"Account"}, "interval_seconds = 60\n", kPassword));
  write_file(globex, org_toml("http://127.0.0.1:8788", url, {"Account", "Contact"}, "", kPassword));

  auto refused = run_crmsync("orgs add acme --config " + acme, "env -u CRMSYNC_SECRET_KEY");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "PLAIN_SECRET")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "client_secret, password are given in plain text")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "set CRMSYNC_SECRET_KEY")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "--secret-env password=ACME_PASSWORD")) << refused.output;
  EXPECT_FALSE(contains(refused.output, kPassword)) << refused.output;

  auto added = run_crmsync("orgs add acme --config " + acme, "CRMSYNC_SECRET_KEY=" + kTestSecretKey);
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_TRUE(contains(added.output, "Registered the org acme (schema acme)")) << added.output;
  EXPECT_TRUE(contains(added.output, "password encrypted with CRMSYNC_SECRET_KEY")) << added.output;
  auto by_name =
      run_crmsync("orgs add globex --config " + globex +
                      " --secret-env password=GLOBEX_SF_PASSWORD --secret-env client_secret=GLOBEX_SF_SECRET",
                  "env -u CRMSYNC_SECRET_KEY");
  ASSERT_EQ(by_name.exit_code, 0) << by_name.output;
  EXPECT_TRUE(contains(by_name.output, "password from $GLOBEX_SF_PASSWORD on the workers")) << by_name.output;

  // The registry's rows, every column as text: no secret in them.
  const std::string rows = pg_server().value("SELECT string_agg(o::text, ' ') FROM crmsync.orgs o", database_of(url));
  ASSERT_TRUE(contains(rows, "acme") && contains(rows, "globex")) << rows;
  for (const std::string& secret : {kPassword, kClientSecret}) {
    EXPECT_FALSE(contains(rows, secret)) << rows;
  }
  EXPECT_TRUE(contains(rows, "GLOBEX_SF_PASSWORD")) << rows;
  EXPECT_TRUE(contains(rows, "encrypted") && contains(rows, "v1:")) << rows;
  EXPECT_TRUE(contains(rows, "interval_seconds = 60")) << rows;

  auto again = run_crmsync("orgs add acme --config " + globex, "CRMSYNC_SECRET_KEY=" + kTestSecretKey);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_TRUE(contains(again.output, "DUPLICATE_ORG: an org named acme is already registered")) << again.output;
  auto schema =
      run_crmsync("orgs add initech --schema acme --config " + globex, "CRMSYNC_SECRET_KEY=" + kTestSecretKey);
  EXPECT_EQ(schema.exit_code, 2) << schema.output;
  EXPECT_TRUE(contains(schema.output, "SCHEMA_TAKEN: the schema acme already holds the org acme")) << schema.output;
  auto sqlite = run_crmsync("orgs add initech --config " + acme + " --store sqlite:" + dir.file("x.db"),
                            "CRMSYNC_SECRET_KEY=" + kTestSecretKey);
  EXPECT_EQ(sqlite.exit_code, 2) << sqlite.output;
  EXPECT_TRUE(contains(sqlite.output, "NOT_POSTGRES")) << sqlite.output;
  EXPECT_EQ(run_crmsync("orgs add --config " + acme).exit_code, 2);

  auto listed = run_crmsync("orgs list --json --store '" + url + "'");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  auto orgs = nlohmann::json::parse(listed.output)["orgs"];
  ASSERT_EQ(orgs.size(), 2u) << listed.output;
  EXPECT_EQ(orgs[0]["name"], "acme");
  EXPECT_EQ(orgs[0]["schema"], "acme");
  EXPECT_TRUE(orgs[0]["holder"].is_null());
  EXPECT_TRUE(orgs[0]["last_outcome"].is_null());
  EXPECT_TRUE(orgs[0]["next_run"].is_string()) << "due at once";
  EXPECT_EQ(orgs[1]["name"], "globex");
  auto table = run_crmsync("orgs list --config " + acme);  // the registry of the file's [store] url
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_TRUE(contains(table.output, "acme") && contains(table.output, "globex")) << table.output;

  auto unknown = run_crmsync("orgs remove acm --store '" + url + "'");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "UNKNOWN_ORG: no org named acm is registered")) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "did you mean acme?")) << unknown.output;
  auto removed = run_crmsync("orgs remove acme --store '" + url + "'");
  ASSERT_EQ(removed.exit_code, 0) << removed.output;
  EXPECT_TRUE(contains(removed.output, "its tables stay in the schema acme")) << removed.output;
  auto left = nlohmann::json::parse(run_crmsync("orgs list --json --store '" + url + "'").output)["orgs"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["name"], "globex");
}

TEST(OrgsTest, AnUnreachableDatabaseIsExit1AndAStoreThatIsNotPostgresExit2) {
  auto down = run_crmsync("orgs list --store postgresql://crmsync:hunter2@127.0.0.1:1/crm");
  EXPECT_EQ(down.exit_code, 1) << down.output;
  EXPECT_TRUE(contains(down.output, "PG_UNREACHABLE")) << down.output;
  EXPECT_FALSE(contains(down.output, "hunter2")) << down.output;
  auto worker_down = run_crmsync("worker --store postgresql://crmsync@127.0.0.1:1/crm");
  EXPECT_EQ(worker_down.exit_code, 1) << worker_down.output;
  EXPECT_TRUE(contains(worker_down.output, "PG_UNREACHABLE")) << worker_down.output;
  auto sqlite = run_crmsync("worker --store sqlite:crmsync.db");
  EXPECT_EQ(sqlite.exit_code, 2) << sqlite.output;
  EXPECT_TRUE(contains(sqlite.output, "NOT_POSTGRES")) << sqlite.output;
}

}  // namespace
}  // namespace crmsync::testing
