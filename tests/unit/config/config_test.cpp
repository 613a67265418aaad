// crmsync.toml parsing, environment overrides and every validation error, without files or sockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "config/config.h"

namespace crmsync::config {
namespace {

// An environment made of a map, so tests never read the real one.
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
const EnvLookup kNoEnv = env_of({});

constexpr const char* kFull = R"(# crmsync test config
[salesforce]
login_url = "http://127.0.0.1:8787"
auth = "password"
client_id = "cid"
client_secret = "csecret"
username = "integration@x"
password = "pw"
api_version = "61.0"
verify_tls = false

[store]
url = "sqlite:/var/lib/crmsync/org.db"

[objects.Account]
exclude = ["Website"]
include = ["NumberOfEmployees", "Rating"]

[objects.Lead]
enabled = false

[groups]
deals = false
engage = true
)";

// The smallest valid file, for tests that break one thing at a time.
std::string minimal(std::string extra = "") {
  return "[salesforce]\nclient_id = \"cid\"\nclient_secret = \"cs\"\nusername = \"u@x\"\npassword = \"pw\"\n" + extra;
}

Error parse_error(std::string_view text, const EnvLookup& env = kNoEnv) {
  auto c = parse_config(text, "crmsync.toml", env);
  EXPECT_FALSE(c.ok());
  if (c.ok()) return {};
  EXPECT_EQ(c.error().kind, ErrorKind::kConfig);
  return c.error();
}

TEST(ConfigTest, ParsesAFullFile) {
  auto c = parse_config(kFull, "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->salesforce.login_url, "http://127.0.0.1:8787");
  EXPECT_EQ(c->salesforce.auth, "password");
  EXPECT_EQ(c->salesforce.client_id, "cid");
  EXPECT_EQ(c->salesforce.client_secret, "csecret");
  EXPECT_EQ(c->salesforce.username, "integration@x");
  EXPECT_EQ(c->salesforce.password, "pw");
  EXPECT_EQ(c->salesforce.api_version, "61.0");
  EXPECT_FALSE(c->salesforce.verify_tls);
  EXPECT_EQ(c->store.url, "sqlite:/var/lib/crmsync/org.db");
  EXPECT_FALSE(c->groups.deals);
  EXPECT_TRUE(c->groups.engage);
  ASSERT_EQ(c->objects.size(), 2u);
  EXPECT_EQ(c->objects.at("Account").exclude, std::vector<std::string>{"Website"});
  EXPECT_FALSE(c->objects.at("Lead").enabled);
}

TEST(ConfigTest, DefaultsApplyWhenKeysAreAbsent) {
  auto c = parse_config(minimal(), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->salesforce.login_url, "https://login.salesforce.com");
  EXPECT_EQ(c->salesforce.api_version, "62.0");
  EXPECT_TRUE(c->salesforce.verify_tls);
  EXPECT_EQ(c->store.url, "sqlite:crmsync.db");
  EXPECT_TRUE(c->groups.deals);
  EXPECT_FALSE(c->groups.engage);
  EXPECT_TRUE(c->objects.empty());
}

TEST(ConfigTest, SelectionForIsCaseInsensitiveAndEmptyForUnmentionedObjects) {
  auto c = parse_config(kFull, "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto account = c->selection_for("account");
  EXPECT_EQ(account.exclude, std::vector<std::string>{"Website"});
  EXPECT_EQ(account.include, (std::vector<std::string>{"NumberOfEmployees", "Rating"}));
  auto contact = c->selection_for("Contact");
  EXPECT_TRUE(contact.exclude.empty());
  EXPECT_TRUE(contact.include.empty());
}

TEST(ConfigTest, EnabledObjectsFollowGroupsAndEnabledFlags) {
  auto c = parse_config(kFull, "crmsync.toml", kNoEnv);  // deals off, engage on, Lead disabled
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto objects = c->enabled_objects();
  auto has = [&](const char* name) { return std::find(objects.begin(), objects.end(), name) != objects.end(); };
  EXPECT_TRUE(has("Account"));
  EXPECT_TRUE(has("Task"));
  EXPECT_FALSE(has("Lead"));
  EXPECT_FALSE(has("OpportunitySplit"));   // deals
  EXPECT_TRUE(has("Campaign"));            // engage
  ASSERT_FALSE(objects.empty());
  EXPECT_EQ(objects.front(), catalog::objects().front().name) << "catalog order";

  auto defaults = parse_config(minimal(), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(defaults.ok());
  auto d = defaults->enabled_objects();
  EXPECT_NE(std::find(d.begin(), d.end(), "OpportunitySplit"), d.end());
  EXPECT_EQ(std::find(d.begin(), d.end(), "Campaign"), d.end());
  EXPECT_NE(std::find(d.begin(), d.end(), "Lead"), d.end());
}

// --- environment overrides -----------------------------------------------------------------------

TEST(ConfigEnvTest, SalesforceKeysAreOverridden) {
  auto c = parse_config(kFull, "crmsync.toml",
                        env_of({{"CRMSYNC_SALESFORCE_PASSWORD", "from-env"},
                                {"CRMSYNC_SALESFORCE_LOGIN_URL", "https://acme.my.salesforce.com"},
                                {"CRMSYNC_SALESFORCE_VERIFY_TLS", "yes"},
                                {"CRMSYNC_SALESFORCE_API_VERSION", "62.0"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->salesforce.password, "from-env");
  EXPECT_EQ(c->salesforce.login_url, "https://acme.my.salesforce.com");
  EXPECT_TRUE(c->salesforce.verify_tls);
  EXPECT_EQ(c->salesforce.api_version, "62.0");
}

TEST(ConfigEnvTest, EnvAloneCanSupplyEveryRequiredKey) {
  auto c = parse_config("", "crmsync.toml",
                        env_of({{"CRMSYNC_SALESFORCE_AUTH", "client_credentials"},
                                {"CRMSYNC_SALESFORCE_LOGIN_URL", "https://acme.my.salesforce.com"},
                                {"CRMSYNC_SALESFORCE_CLIENT_ID", "cid"},
                                {"CRMSYNC_SALESFORCE_CLIENT_SECRET", "cs"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->salesforce.auth, "client_credentials");
}

TEST(ConfigEnvTest, StoreUrlIsOverridden) {
  auto c = parse_config(kFull, "crmsync.toml", env_of({{"CRMSYNC_STORE_URL", "sqlite:/tmp/x.db"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->store.url, "sqlite:/tmp/x.db");
}

TEST(ConfigEnvTest, PostgresStoreTakesItsSchemaFromTheFileAndItsPasswordFromTheEnvironment) {
  auto c = parse_config(minimal("[store]\nurl = \"postgresql://crm@db.internal:5432/crm?sslmode=require\"\n"
                                "schema = \"acme\"\n"),
                        "crmsync.toml", env_of({{"CRMSYNC_STORE_PASSWORD", "pg-secret"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->store.url, "postgresql://crm@db.internal:5432/crm?sslmode=require");
  EXPECT_EQ(c->store.schema, "acme");
  EXPECT_EQ(c->store.password, "pg-secret");
  auto d = parse_config(minimal("[store]\nurl = \"postgres://crm@db/crm\"\n"), "crmsync.toml", env_of({}));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->store.schema, "salesforce");
}

TEST(ConfigEnvTest, GroupsAreOverriddenWithEveryBooleanSpelling) {
  auto c = parse_config(kFull, "crmsync.toml", env_of({{"CRMSYNC_GROUPS_DEALS", "1"}, {"CRMSYNC_GROUPS_ENGAGE", "No"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_TRUE(c->groups.deals);
  EXPECT_FALSE(c->groups.engage);
  auto d = parse_config(kFull, "crmsync.toml", env_of({{"CRMSYNC_GROUPS_DEALS", "TRUE"}, {"CRMSYNC_GROUPS_ENGAGE", "0"}}));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_TRUE(d->groups.deals);
  EXPECT_FALSE(d->groups.engage);
}

TEST(ConfigEnvTest, ObjectsAreOverriddenWithCommaSeparatedLists) {
  auto c = parse_config(kFull, "crmsync.toml",
                        env_of({{"CRMSYNC_OBJECTS_ACCOUNT_EXCLUDE", "Website, ParentId"},
                                {"CRMSYNC_OBJECTS_LEAD_ENABLED", "true"},
                                {"CRMSYNC_OBJECTS_CONTACT_INCLUDE", "Birthdate"},
                                {"CRMSYNC_OBJECTS_OPPORTUNITYCONTACTROLE_ENABLED", "false"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->selection_for("Account").exclude, (std::vector<std::string>{"Website", "ParentId"}));
  EXPECT_EQ(c->selection_for("Account").include, (std::vector<std::string>{"NumberOfEmployees", "Rating"}))
      << "keys the environment does not name keep the file's values";
  EXPECT_TRUE(c->objects.at("Lead").enabled);
  EXPECT_EQ(c->selection_for("Contact").include, std::vector<std::string>{"Birthdate"});
  auto objects = c->enabled_objects();
  EXPECT_EQ(std::find(objects.begin(), objects.end(), "OpportunityContactRole"), objects.end());
  EXPECT_NE(std::find(objects.begin(), objects.end(), "Lead"), objects.end());
}

// An object beyond the catalog that the file names is overridden as a catalog object is, under its
// name in upper case; its variables are no unknown setting, but a catalog object's typo still is.
TEST(ConfigEnvTest, ObjectsBeyondTheCatalogThatTheFileNamesAreOverriddenToo) {
  const std::string file = std::string(kFull) + "\n[objects.Invoice__c]\ninclude = [\"Amount__c\"]\n[objects.Case]\n";
  auto c = parse_config(file, "crmsync.toml",
                        env_of({{"CRMSYNC_OBJECTS_INVOICE__C_INCLUDE", "Amount__c, Status__c"},
                                {"CRMSYNC_OBJECTS_CASE_ENABLED", "false"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->selection_for("Invoice__c").include, (std::vector<std::string>{"Amount__c", "Status__c"}));
  auto objects = c->synced_objects();
  EXPECT_EQ(std::find(objects.begin(), objects.end(), "Case"), objects.end());
  EXPECT_NE(std::find(objects.begin(), objects.end(), "Invoice__c"), objects.end());
  auto warnings = unknown_env_warnings({"CRMSYNC_OBJECTS_INVOICE__C_INCLUDE", "CRMSYNC_OBJECTS_CASE_ENABLED",
                                        "CRMSYNC_OBJECTS_ACOUNT_ENABLED", "CRMSYNC_OBJECTS_CASE_COLOUR"},
                                       {});
  ASSERT_EQ(warnings.size(), 2u) << testing::PrintToString(warnings);
  EXPECT_NE(warnings[0].find("CRMSYNC_OBJECTS_ACOUNT_ENABLED is not a crmsync setting"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("CRMSYNC_OBJECTS_CASE_COLOUR"), std::string::npos) << warnings[1];
}

TEST(ConfigEnvTest, BadValueFromEnvNamesTheVariable) {
  Error e = parse_error(kFull, env_of({{"CRMSYNC_SALESFORCE_AUTH", "saml"}}));
  EXPECT_EQ(e.code, "INVALID_VALUE");
  EXPECT_EQ(e.message.rfind("environment variable CRMSYNC_SALESFORCE_AUTH: [salesforce] auth = \"saml\"", 0), 0u)
      << e.message;
}

TEST(ConfigTest, IntervalSecondsDefaultsToFiveMinutesAndIsOverridden) {
  auto c = parse_config(minimal(), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->sync.interval_seconds, 300);
  auto env = parse_config(minimal(), "crmsync.toml", env_of({{"CRMSYNC_SYNC_INTERVAL_SECONDS", "60"}}));
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  EXPECT_EQ(env->sync.interval_seconds, 60);
}

// What `crmsync orgs add` keeps: the settings read back the same, without a secret and without [store].
TEST(ConfigSettingsTomlTest, ReadsBackToTheSameSettingsWithoutSecretsOrStore) {
  auto c = parse_config(std::string(kFull) + "[sync]\ninterval_seconds = 60\nquota_daily_share = 0.5\n",
                        "crmsync.toml", env_of({{"CRMSYNC_SALESFORCE_REFRESH_TOKEN", "rt-secret"},
                                                {"CRMSYNC_SALESFORCE_USERNAME", "from-env@x"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  std::string text = sync_settings_toml(*c);
  for (const char* secret : {"csecret", "\"pw\"", "rt-secret", "sqlite:", "[store]"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in\n" << text;
  }
  auto back = parse_config(text, "settings", env_of({{"CRMSYNC_SALESFORCE_CLIENT_SECRET", "cs2"},
                                                     {"CRMSYNC_SALESFORCE_PASSWORD", "pw2"}}));
  ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << text;
  EXPECT_EQ(back->salesforce.login_url, "http://127.0.0.1:8787");
  EXPECT_EQ(back->salesforce.username, "from-env@x");
  EXPECT_EQ(back->salesforce.api_version, "61.0");
  EXPECT_FALSE(back->salesforce.verify_tls);
  EXPECT_EQ(back->salesforce.password, "pw2");
  EXPECT_EQ(back->sync.interval_seconds, 60);
  EXPECT_EQ(back->sync.quota_daily_share, 0.5);
  EXPECT_EQ(back->sync.lookback_seconds, 300);
  EXPECT_EQ(back->selection_for("Account").exclude, std::vector<std::string>{"Website"});
  EXPECT_EQ(back->selection_for("Account").include, (std::vector<std::string>{"NumberOfEmployees", "Rating"}));
  EXPECT_EQ(back->enabled_objects(), c->enabled_objects());
  EXPECT_EQ(back->store.url, "sqlite:crmsync.db");  // the default: a worker sets its own
}

// --- errors that differ only by the input: the whole message, one row each ----------------------

struct ErrorCase {
  const char* name;  // the test's name
  std::string toml;
  std::map<std::string, std::string> env;
  std::string code;
  std::string message;
};

const ErrorCase kErrorCases[] = {
    {"BadBooleanFromEnvNamesTheVariable", kFull, {{"CRMSYNC_GROUPS_ENGAGE", "maybe"}}, "WRONG_TYPE",
     "environment variable CRMSYNC_GROUPS_ENGAGE: [groups] engage must be a boolean (true/false, 1/0, yes/no), "
     "not \"maybe\"."},
    {"UnknownSectionSuggestsTheClosest", minimal("[stor]\nurl = \"sqlite:x\"\n"), {}, "UNKNOWN_KEY",
     "crmsync.toml:6: unknown section [stor]; did you mean store?"},
    {"UnknownKeySuggestsTheClosest", "[salesforce]\nclient_id = \"cid\"\npasword = \"x\"\n", {}, "UNKNOWN_KEY",
     "crmsync.toml:3: unknown key pasword in [salesforce]; did you mean password?"},
    {"UnknownKeyFarFromAnyListsTheKnownKeys", minimal("[groups]\nfrobnicate = true\n"), {}, "UNKNOWN_KEY",
     "crmsync.toml:7: unknown key frobnicate in [groups]. Known keys: deals, engage, boards."},
    {"UnknownObjectKeySuggests", minimal("[objects.Account]\nexlude = [\"Website\"]\n"), {}, "UNKNOWN_KEY",
     "crmsync.toml:7: unknown key exlude in [objects.Account]; did you mean exclude?"},
    {"WrongTypeSaysABooleanIsExpected", minimal("verify_tls = \"no\"\n"), {}, "WRONG_TYPE",
     "crmsync.toml:6: [salesforce] verify_tls must be a boolean (true or false), not a string."},
    {"WrongTypeSaysAListIsExpected", minimal("[objects.Account]\nexclude = \"Website\"\n"), {}, "WRONG_TYPE",
     "crmsync.toml:7: [objects.Account] exclude must be an array of strings, e.g. [\"Website\", \"ParentId\"], "
     "not a string."},
    {"WrongTypeSaysAStringIsExpected", minimal("api_version = 62.0\n"), {}, "WRONG_TYPE",
     "crmsync.toml:6: [salesforce] api_version must be a string, not a number."},
    {"UnsupportedAuth", minimal("auth = \"oauth\"\n"), {}, "INVALID_VALUE",
     "crmsync.toml:6: [salesforce] auth = \"oauth\" is not supported; expected \"password\", "
     "\"client_credentials\", \"jwt\" or \"refresh_token\"."},
    {"StoreUrlMustBeSqliteOrPostgresAndItsPasswordIsMasked", minimal("[store]\nurl = \"mysql://crm:s3cret@db/crm\"\n"),
     {}, "INVALID_VALUE",
     "crmsync.toml:7: [store] url = \"mysql://crm:***@db/crm\" is not supported; expected sqlite:PATH, e.g. "
     "\"sqlite:crmsync.db\", or postgresql://user@host:port/dbname."},
    {"StoreSchemaMayNotBeEmpty", minimal("[store]\nurl = \"postgresql://crm@db/crm\"\nschema = \"\"\n"), {},
     "INVALID_VALUE",
     "crmsync.toml:8: [store] schema is empty; name the PostgreSQL schema for the org's tables, e.g. \"salesforce\"."},
    {"StoreUrlFromEnvIsMaskedToo", minimal(),
     {{"CRMSYNC_STORE_URL", "mysql://crm:hunter2@db/crm?sslmode=require&sslpassword=k3y"}}, "INVALID_VALUE",
     "environment variable CRMSYNC_STORE_URL: [store] url = \"mysql://crm:***@db/crm?sslmode=require&"
     "sslpassword=***\" is not supported; expected sqlite:PATH, e.g. \"sqlite:crmsync.db\", or "
     "postgresql://user@host:port/dbname."},
    {"LoginUrlThatIsNotHttpIsMasked", minimal("login_url = \"ftp://u:hunter2@login.example.com\"\n"), {},
     "INVALID_VALUE",
     "crmsync.toml:6: [salesforce] login_url = \"ftp://u:***@login.example.com\" is not an http(s) URL; expected "
     "e.g. \"https://login.salesforce.com\" or the org's My Domain URL."},
    {"MissingPasswordKeysNameTheVariables", "[salesforce]\nclient_id = \"cid\"\nclient_secret = \"cs\"\n", {},
     "MISSING_KEY",
     "crmsync.toml:1: [salesforce] username, password are required when auth = \"password\"; set them in "
     "crmsync.toml or with CRMSYNC_SALESFORCE_USERNAME, CRMSYNC_SALESFORCE_PASSWORD."},
    {"MissingClientSecretAlone", "[salesforce]\nclient_id = \"cid\"\nusername = \"u\"\npassword = \"p\"\n", {},
     "MISSING_KEY",
     "crmsync.toml:1: [salesforce] client_secret is required when auth = \"password\"; set it in crmsync.toml "
     "or with CRMSYNC_SALESFORCE_CLIENT_SECRET."},
    {"ApiVersionShape", minimal("api_version = \"v62\"\n"), {}, "INVALID_VALUE",
     "crmsync.toml:6: [salesforce] api_version = \"v62\" is not a Salesforce API version; expected e.g. \"62.0\"."},
    {"SectionThatIsNotATable", "store = \"sqlite:x\"\n", {}, "WRONG_TYPE",
     "crmsync.toml:1: store must be a section ([store]), not a string."},
    {"MaxRetriesOfTheWrongType", minimal("max_retries = \"5\"\n"), {}, "WRONG_TYPE",
     "crmsync.toml:6: [salesforce] max_retries must be an integer, not a string."},
    {"MaxRetriesOutOfRange", minimal("max_retries = -1\n"), {}, "INVALID_VALUE",
     "crmsync.toml:6: [salesforce] max_retries = -1 is out of range; expected 0 (never retry) to 100 (default 5)."},
    {"VerifyTlsOffNamesTheLoginUrlMasked", minimal("login_url = \"https://u:hunter2@acme.my.salesforce.com\"\n"
                                                   "verify_tls = false\n"),
     {}, "INVALID_VALUE",
     "crmsync.toml:7: [salesforce] verify_tls = false is only allowed when login_url is a loopback host (127.0.0.1, "
     "localhost, ::1), not \"https://u:***@acme.my.salesforce.com\"; remove verify_tls or set it to true."},
    {"IntervalSecondsOutOfRange", minimal("[sync]\ninterval_seconds = 0\n"), {}, "INVALID_VALUE",
     "crmsync.toml:7: [sync] interval_seconds = 0 is out of range; expected 1..2592000 (crmsync worker's wait from "
     "one successful run of the org to the next; default 300)."},
    {"MaxRetriesFromEnvNotANumber", minimal(), {{"CRMSYNC_SALESFORCE_MAX_RETRIES", "many"}}, "WRONG_TYPE",
     "environment variable CRMSYNC_SALESFORCE_MAX_RETRIES: [salesforce] max_retries must be an integer, not "
     "\"many\"."},
    // Found by fuzz/config.cpp: a URL given to another key was repeated with its password.
    {"AUrlGivenForAuthIsMasked", minimal("auth = \"postgresql://crm:hunter2@db/crm\"\n"), {}, "INVALID_VALUE",
     "crmsync.toml:6: [salesforce] auth = \"postgresql://crm:***@db/crm\" is not supported; expected \"password\", "
     "\"client_credentials\", \"jwt\" or \"refresh_token\"."},
    {"AUrlGivenForANumberFromEnvIsMasked", minimal(), {{"CRMSYNC_SYNC_CONCURRENCY", "postgres://crm:hunter2@db/crm"}},
     "WRONG_TYPE",
     "environment variable CRMSYNC_SYNC_CONCURRENCY: [sync] concurrency must be an integer, not "
     "\"postgres://crm:***@db/crm\"."},
    {"AUrlGivenForTheExportFieldIsMasked", minimal("[export]\nexternal_id_field = \"https://u:hunter2@x.example\"\n"),
     {}, "INVALID_VALUE",
     "crmsync.toml: [export] external_id_field = \"https://u:***@x.example\" is not a custom field API name; use "
     "the External ID field's API name, e.g. \"Crmsync_Activity_Id__c\", or remove the key to use the local "
     "ledger."},
};

class ConfigErrorMessageTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrorMessageTest, NamesTheSourceTheKeyAndTheFix) {
  const ErrorCase& c = GetParam();
  Error e = parse_error(c.toml, env_of(c.env));
  EXPECT_EQ(e.code, c.code);
  EXPECT_EQ(e.message, c.message);
}

INSTANTIATE_TEST_SUITE_P(Cases, ConfigErrorMessageTest, ::testing::ValuesIn(kErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& param) { return std::string(param.param.name); });

// --- errors --------------------------------------------------------------------------------------

TEST(ConfigErrorTest, MalformedTomlNamesFileLineAndColumn) {
  Error e = parse_error("[salesforce]\nauth = \"password\nusername = \"u\"\n");
  EXPECT_EQ(e.code, "MALFORMED_TOML");
  EXPECT_EQ(e.message.rfind("crmsync.toml:2:", 0), 0u) << e.message;
  EXPECT_NE(e.message.find("malformed TOML: "), std::string::npos);
}

TEST(ConfigErrorTest, ClientCredentialsNeedsAnExplicitLoginUrl) {
  Error e = parse_error("[salesforce]\nauth = \"client_credentials\"\nclient_id = \"cid\"\nclient_secret = \"cs\"\n");
  EXPECT_EQ(e.code, "MISSING_KEY");
  EXPECT_NE(e.message.find("[salesforce] login_url is required when auth = \"client_credentials\" (for "
                           "client_credentials, login_url must be the org's My Domain URL)"),
            std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("CRMSYNC_SALESFORCE_LOGIN_URL"), std::string::npos);
}

TEST(ConfigErrorTest, VerifyTlsOffOnlyForLoopback) {
  Error e = parse_error(minimal("login_url = \"https://login.salesforce.com\"\nverify_tls = false\n"));
  EXPECT_EQ(e.code, "INVALID_VALUE");
  EXPECT_EQ(e.message.rfind("crmsync.toml:7: [salesforce] verify_tls = false is only allowed when login_url is a "
                            "loopback host", 0),
            0u)
      << e.message;
  for (const char* url : {"http://localhost:8787", "http://[::1]:8787", "https://127.0.0.2"}) {
    auto ok = parse_config(minimal("login_url = \"" + std::string(url) + "\"\nverify_tls = false\n"), "crmsync.toml", kNoEnv);
    EXPECT_TRUE(ok.ok()) << url << ": " << ok.error().to_string();
  }
  Error tricky = parse_error(minimal("login_url = \"https://127.0.0.1.evil.com\"\nverify_tls = false\n"));
  EXPECT_EQ(tricky.code, "INVALID_VALUE");
}

TEST(ConfigErrorTest, LoginUrlMustBeHttp) {
  Error e = parse_error(minimal("login_url = \"login.salesforce.com\"\n"));
  EXPECT_NE(e.message.find("crmsync.toml:6: [salesforce] login_url = \"login.salesforce.com\" is not an http(s) URL"),
            std::string::npos)
      << e.message;
}

TEST(ConfigErrorTest, PlainHttpLoginUrlOnlyForThisMachine) {
  // Issue #13: an http:// login_url sent the password in clear text.
  Error e = parse_error(minimal("login_url = \"http://login.example.com\"\n"));
  EXPECT_EQ(e.code, "INSECURE_LOGIN_URL");
  EXPECT_EQ(e.message,
            "crmsync.toml:6: [salesforce] login_url uses plain http:// to login.example.com, which would send the "
            "credentials across the network unencrypted; use https:// (plain http:// is accepted only for an emulator "
            "on this machine: 127.0.0.0/8, ::1, localhost).");
  Error from_env = parse_error(minimal(), env_of({{"CRMSYNC_SALESFORCE_LOGIN_URL", "http://10.0.0.5:8787"}}));
  EXPECT_EQ(from_env.code, "INSECURE_LOGIN_URL");
  for (const char* url : {"http://127.0.0.1.evil.com", "http://u:p@evil.com", "http://0.0.0.0:8787"}) {
    EXPECT_EQ(parse_error(minimal("login_url = \"" + std::string(url) + "\"\n")).code, "INSECURE_LOGIN_URL") << url;
  }
  for (const char* url : {"http://127.0.0.1:8787", "http://127.5.6.7", "http://localhost:8787", "http://[::1]:8787",
                          "https://acme.my.salesforce.com"}) {
    auto ok = parse_config(minimal("login_url = \"" + std::string(url) + "\"\n"), "crmsync.toml", kNoEnv);
    EXPECT_TRUE(ok.ok()) << url << ": " << ok.error().to_string();
  }
}

// Objects beyond the catalog are synced by their API name, after the catalog's, unless switched off.
TEST(ConfigTest, ObjectsBeyondTheCatalogAreEnabledByTheirSection) {
  auto c = parse_config(minimal("[objects.Invoice__c]\ninclude = [\"Amount__c\"]\n[objects.Case]\n"
                                "[objects.Solution]\nenabled = false\n"),
                        "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  const auto catalog_only = c->enabled_objects();
  EXPECT_EQ(std::find(catalog_only.begin(), catalog_only.end(), "Case"), catalog_only.end()) << "the catalog's only";
  auto objects = c->synced_objects();
  ASSERT_GE(objects.size(), 2u);
  EXPECT_EQ(objects[objects.size() - 2], "Case");
  EXPECT_EQ(objects.back(), "Invoice__c");
  EXPECT_EQ(std::find(objects.begin(), objects.end(), "Solution"), objects.end());
  EXPECT_EQ(c->selection_for("invoice__c").include, std::vector<std::string>{"Amount__c"});
  EXPECT_TRUE(c->warnings.empty());
}

// A name that cannot be an API name is refused; one that looks like a typo of a catalog object is
// taken as meant (the org may have it) with a warning naming the catalog object.
TEST(ConfigErrorTest, ObjectNamesBeyondTheCatalogMustBeApiNamesAndLookalikesAreWarnedOf) {
  Error e = parse_error(minimal("[objects.\"Acc-ount\"]\nenabled = false\n"));
  EXPECT_EQ(e.code, "INVALID_OBJECT_NAME");
  EXPECT_NE(e.message.find("crmsync.toml:6: [objects.Acc-ount] is not a Salesforce object API name"), std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("did you mean Account?"), std::string::npos) << e.message;
  EXPECT_EQ(parse_error(minimal("[objects.crmsync_meta]\n")).code, "INVALID_OBJECT_NAME");
  auto c = parse_config(minimal("[objects.Acount]\nenabled = true\n[objects.Case]\n"), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_EQ(c->warnings[0], "crmsync.toml:6: [objects.Acount] is not an object of crmsync's catalog, so it is synced as "
                            "an object beyond the catalog, if the org has one of that name; did you mean "
                            "[objects.Account]?");
}

TEST(ConfigErrorTest, ObjectNamesAreCaseInsensitiveButNotRepeatable) {
  auto c = parse_config(minimal("[objects.account]\nenabled = false\n"), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto objects = c->enabled_objects();
  EXPECT_EQ(std::find(objects.begin(), objects.end(), "Account"), objects.end());
  Error dup = parse_error(minimal("[objects.account]\nenabled = false\n[objects.Account]\nenabled = true\n"));
  EXPECT_EQ(dup.code, "DUPLICATE_OBJECT");
}

TEST(ConfigFileTest, MissingFileNamesThePath) {
  auto c = load_config("/nonexistent/crmsync.toml", kNoEnv);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kConfig);
  EXPECT_EQ(c.error().message.rfind("/nonexistent/crmsync.toml: cannot read the configuration file", 0), 0u);
}

TEST(ConfigFileTest, LoadsAFileAndNamesItInErrors) {
  std::string path = ::testing::TempDir() + "/crmsync_config_test.toml";
  {
    std::ofstream out(path);
    out << minimal("[groups]\ndeals = 3\n");
  }
  auto c = load_config(path, kNoEnv);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, path + ":7: [groups] deals must be a boolean (true or false), not an integer.");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace crmsync::config

namespace crmsync::config {
namespace {

// Every [sync] value a test expects, in the order crmsync.toml documents the keys.
struct SyncValues {
  std::int64_t lookback_seconds, settle_seconds, concurrency, rows_per_commit, batch_size, bulk_threshold,
      formula_refresh_hours;
  double quota_daily_share, quota_run_share;
};

void expect_sync(const SyncConfig& got, const SyncValues& want) {
  EXPECT_EQ(got.lookback_seconds, want.lookback_seconds);
  EXPECT_EQ(got.settle_seconds, want.settle_seconds);
  EXPECT_EQ(got.concurrency, want.concurrency);
  EXPECT_EQ(got.rows_per_commit, want.rows_per_commit);
  EXPECT_EQ(got.batch_size, want.batch_size);
  EXPECT_EQ(got.bulk_threshold, want.bulk_threshold);
  EXPECT_EQ(got.formula_refresh_hours, want.formula_refresh_hours);
  EXPECT_DOUBLE_EQ(got.quota_daily_share, want.quota_daily_share);
  EXPECT_DOUBLE_EQ(got.quota_run_share, want.quota_run_share);
}

TEST(ConfigSyncTest, DefaultsWhenTheSectionIsAbsent) {
  auto c = parse_config(minimal(), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  expect_sync(c->sync, {.lookback_seconds = 300, .settle_seconds = 2, .concurrency = 4, .rows_per_commit = 20000,
                        .batch_size = 2000, .bulk_threshold = 2000, .formula_refresh_hours = 24,
                        .quota_daily_share = 0.80, .quota_run_share = 0.25});
}

TEST(ConfigSyncTest, EveryKeyIsReadFromTheFile) {
  auto c = parse_config(minimal("[sync]\nlookback_seconds = 60\nsettle_seconds = 0\nconcurrency = 8\n"
                                "rows_per_commit = 5000\nbatch_size = 500\nbulk_threshold = 10000\n"
                                "formula_refresh_hours = 6\nquota_daily_share = 0.5\nquota_run_share = 1\n"),
                        "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  expect_sync(c->sync, {.lookback_seconds = 60, .settle_seconds = 0, .concurrency = 8, .rows_per_commit = 5000,
                        .batch_size = 500, .bulk_threshold = 10000, .formula_refresh_hours = 6,
                        .quota_daily_share = 0.5, .quota_run_share = 1.0});
}

TEST(ConfigSyncTest, EnvironmentOverridesSyncKeys) {
  auto c = parse_config(minimal("[sync]\nconcurrency = 2\n"), "crmsync.toml",
                        env_of({{"CRMSYNC_SYNC_CONCURRENCY", "6"}, {"CRMSYNC_SYNC_QUOTA_DAILY_SHARE", "0.9"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->sync.concurrency, 6);
  EXPECT_DOUBLE_EQ(c->sync.quota_daily_share, 0.9);
  Error e = parse_error(minimal(), env_of({{"CRMSYNC_SYNC_LOOKBACK_SECONDS", "5m"}}));
  EXPECT_NE(e.message.find("CRMSYNC_SYNC_LOOKBACK_SECONDS"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("an integer"), std::string::npos) << e.message;
}

TEST(ConfigSyncTest, OutOfRangeValuesNameTheKeyTheLineAndTheRange) {
  Error e = parse_error(minimal("[sync]\nconcurrency = 40\n"));
  EXPECT_EQ(e.code, "INVALID_VALUE");
  EXPECT_NE(e.message.find("crmsync.toml:7"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("[sync] concurrency = 40"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("1..25"), std::string::npos) << e.message;
  e = parse_error(minimal("[sync]\nquota_run_share = 1.5\n"));
  EXPECT_NE(e.message.find("quota_run_share"), std::string::npos) << e.message;
  e = parse_error(minimal("[sync]\nbatch_size = 100\n"));
  EXPECT_NE(e.message.find("200..2000"), std::string::npos) << e.message;
  e = parse_error(minimal("[sync]\nsettle_seconds = \"2\"\n"));
  EXPECT_EQ(e.code, "WRONG_TYPE");
  EXPECT_NE(e.message.find("an integer"), std::string::npos) << e.message;
  e = parse_error(minimal("[sync]\nlookback = 3\n"));
  EXPECT_NE(e.message.find("lookback_seconds"), std::string::npos) << e.message;
}

// --- retries -------------------------------------------------------------------------------------

TEST(ConfigRetryTest, DefaultsFileAndEnvironment) {
  auto d = parse_config(minimal(), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->salesforce.max_retries, 5);
  EXPECT_EQ(d->salesforce.retry_base_ms, 500);
  auto f = parse_config(minimal("max_retries = 2\nretry_base_ms = 50\n"), "crmsync.toml",
                        env_of({{"CRMSYNC_SALESFORCE_RETRY_BASE_MS", "7"}}));
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_EQ(f->salesforce.max_retries, 2);
  EXPECT_EQ(f->salesforce.retry_base_ms, 7);
}

// --- time and size bounds (issue #13) --------------------------------------------------------------

TEST(ConfigBoundsTest, DefaultsFileAndEnvironment) {
  auto d = parse_config(minimal(), "crmsync.toml", kNoEnv);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->salesforce.connect_timeout_seconds, 30);
  EXPECT_EQ(d->salesforce.request_timeout_seconds, 120);
  EXPECT_EQ(d->salesforce.low_speed_bytes_per_second, 1024);
  EXPECT_EQ(d->salesforce.low_speed_seconds, 0);
  EXPECT_EQ(d->salesforce.request_deadline_seconds, 300);
  EXPECT_EQ(d->salesforce.max_response_mb, 64);
  EXPECT_EQ(d->salesforce.max_bulk_results_mb, 256);
  auto f = parse_config(minimal("connect_timeout_seconds = 5\nrequest_timeout_seconds = 60\nlow_speed_seconds = 20\n"
                                "low_speed_bytes_per_second = 100\nrequest_deadline_seconds = 90\nmax_response_mb = 8\n"
                                "max_bulk_results_mb = 512\n"),
                        "crmsync.toml", env_of({{"CRMSYNC_SALESFORCE_REQUEST_DEADLINE_SECONDS", "0"}}));
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_EQ(f->salesforce.connect_timeout_seconds, 5);
  EXPECT_EQ(f->salesforce.request_timeout_seconds, 60);
  EXPECT_EQ(f->salesforce.low_speed_seconds, 20);
  EXPECT_EQ(f->salesforce.low_speed_bytes_per_second, 100);
  EXPECT_EQ(f->salesforce.request_deadline_seconds, 0) << "the environment wins; 0 = no deadline";
  EXPECT_EQ(f->salesforce.max_response_mb, 8);
  EXPECT_EQ(f->salesforce.max_bulk_results_mb, 512);
}

TEST(ConfigBoundsTest, OutOfRangeValuesNameTheKeyAndTheRange) {
  Error deadline = parse_error(minimal("request_timeout_seconds = 200\nrequest_deadline_seconds = 100\n"));
  EXPECT_EQ(deadline.code, "INVALID_VALUE");
  EXPECT_EQ(deadline.message,
            "crmsync.toml:7: [salesforce] request_deadline_seconds = 100 is out of range; expected 200..604800 (at "
            "least request_timeout_seconds, or 0 for none; default 300).");
  EXPECT_NE(parse_error(minimal("connect_timeout_seconds = 0\n")).message.find("connect_timeout_seconds = 0"),
            std::string::npos);
  EXPECT_NE(parse_error(minimal("request_timeout_seconds = 0\n")).message.find("request_timeout_seconds"),
            std::string::npos);
  EXPECT_NE(parse_error(minimal("max_response_mb = 0\n")).message.find("max_response_mb = 0 is out of range"),
            std::string::npos);
  EXPECT_NE(parse_error(minimal("low_speed_seconds = -1\n")).message.find("low_speed_seconds"), std::string::npos);
  EXPECT_EQ(parse_error(minimal("max_bulk_results_mb = \"big\"\n")).code, "WRONG_TYPE");
}

}  // namespace
}  // namespace crmsync::config

namespace crmsync::config {
namespace {

// --- auth flows ----------------------------------------------------------------------------------

TEST(ConfigAuthTest, JwtNeedsKeyFileUsernameAndClientIdButNoSecret) {
  auto c = parse_config("[salesforce]\nauth = \"jwt\"\nclient_id = \"cid\"\nusername = \"u@x\"\n"
                        "private_key_file = \"/etc/crmsync/key.pem\"\n",
                        "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->salesforce.private_key_file, "/etc/crmsync/key.pem");

  Error e = parse_error("[salesforce]\nauth = \"jwt\"\nclient_id = \"cid\"\nusername = \"u@x\"\n");
  EXPECT_EQ(e.code, "MISSING_KEY");
  EXPECT_EQ(e.message,
            "crmsync.toml:1: [salesforce] private_key_file is required when auth = \"jwt\"; set it in crmsync.toml "
            "or with CRMSYNC_SALESFORCE_PRIVATE_KEY_FILE.");
}

TEST(ConfigAuthTest, RefreshTokenFromEnvOrFile) {
  auto env = parse_config("[salesforce]\nauth = \"refresh_token\"\nclient_id = \"cid\"\n", "crmsync.toml",
                          env_of({{"CRMSYNC_SALESFORCE_REFRESH_TOKEN", "5Aep861secret"}}));
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  EXPECT_EQ(env->salesforce.refresh_token, "5Aep861secret");
  auto file = parse_config("[salesforce]\nauth = \"refresh_token\"\nclient_id = \"cid\"\n"
                           "refresh_token_file = \"/var/lib/crmsync/rt\"\n", "crmsync.toml", kNoEnv);
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(file->salesforce.refresh_token_file, "/var/lib/crmsync/rt");
}

TEST(ConfigAuthTest, RefreshTokenMissingOrTwiceNamesTheKeys) {
  Error missing = parse_error("[salesforce]\nauth = \"refresh_token\"\nclient_id = \"cid\"\n");
  EXPECT_EQ(missing.message,
            "crmsync.toml:1: [salesforce] refresh_token_file is required when auth = \"refresh_token\" (or give the "
            "token itself with CRMSYNC_SALESFORCE_REFRESH_TOKEN); set it in crmsync.toml or with "
            "CRMSYNC_SALESFORCE_REFRESH_TOKEN_FILE.");
  Error both = parse_error("[salesforce]\nauth = \"refresh_token\"\nclient_id = \"cid\"\n"
                           "refresh_token_file = \"/rt\"\n",
                           env_of({{"CRMSYNC_SALESFORCE_REFRESH_TOKEN", "5Aep861secret"}}));
  EXPECT_EQ(both.code, "INVALID_VALUE");
  EXPECT_NE(both.message.find("refresh_token and refresh_token_file are both set"), std::string::npos);
  EXPECT_EQ(both.message.find("5Aep861secret"), std::string::npos) << "a secret never appears in an error";
}

// --- what `crmsync status` needs: [store] only -------------------------------------------------------

TEST(ConfigStoreOnlyTest, StatusNeedsNoSalesforceKeys) {
  const std::string store_only = "[store]\nurl = \"sqlite:/var/lib/crmsync/org.db\"\n";
  Error full = parse_error(store_only);
  EXPECT_EQ(full.code, "MISSING_KEY") << "sync, check and export log in: they need the credentials";
  auto c = parse_config(store_only, "crmsync.toml", kNoEnv, Validation::kStoreOnly);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->store.url, "sqlite:/var/lib/crmsync/org.db");
}

TEST(ConfigStoreOnlyTest, StatusTakesAPostgresStoreWithItsSchemaAndPassword) {
  auto c = parse_config("[store]\nurl = \"postgresql://crm@db/crm\"\nschema = \"acme\"\n", "crmsync.toml",
                        env_of({{"CRMSYNC_STORE_PASSWORD", "pg-secret"}}), Validation::kStoreOnly);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->store.url, "postgresql://crm@db/crm");
  EXPECT_EQ(c->store.schema, "acme");
  EXPECT_EQ(c->store.password, "pg-secret");
}

TEST(ConfigStoreOnlyTest, StatusStillRefusesAnUnsupportedStoreAnEmptySchemaAndABrokenFile) {
  auto mysql = parse_config("[store]\nurl = \"mysql://crm:hunter2@db/crm\"\n", "crmsync.toml", kNoEnv,
                            Validation::kStoreOnly);
  ASSERT_FALSE(mysql.ok());
  EXPECT_EQ(mysql.error().message.find("hunter2"), std::string::npos) << mysql.error().message;
  EXPECT_NE(mysql.error().message.find("is not supported; expected sqlite:PATH"), std::string::npos)
      << mysql.error().message;
  auto no_schema = parse_config("[store]\nurl = \"postgresql://crm:hunter2@db/crm\"\nschema = \"\"\n", "crmsync.toml",
                                kNoEnv, Validation::kStoreOnly);
  ASSERT_FALSE(no_schema.ok());
  EXPECT_NE(no_schema.error().message.find("[store] schema is empty"), std::string::npos) << no_schema.error().message;
  auto typo = parse_config("[store]\nurl = \"sqlite:x.db\"\n[salesforce]\npasword = \"x\"\n", "crmsync.toml", kNoEnv,
                           Validation::kStoreOnly);
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().code, "UNKNOWN_KEY");
}

}  // namespace
}  // namespace crmsync::config

namespace crmsync::config {
namespace {

TEST(ConfigExampleTest, TheShippedExampleParsesWithoutAWarning) {
  auto c = load_config(std::string(CRMSYNC_SOURCE_DIR) + "/crmsync.example.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->salesforce.max_retries, 5);
  EXPECT_EQ(c->salesforce.retry_base_ms, 500);
  EXPECT_TRUE(c->warnings.empty()) << c->warnings.front();
  // The export matches participants to Accounts by their Website's domain: keep it selected.
  auto account = c->selection_for("Account");
  EXPECT_EQ(std::find(account.exclude.begin(), account.exclude.end(), "Website"), account.exclude.end());
}

// An object configured inside a group that is off would silently not sync: a warning names the
// object, the group, where it was switched off and the fix.
TEST(ConfigWarningsTest, AnObjectConfiguredInsideAGroupThatIsOffIsAWarning) {
  auto c = parse_config(minimal("[groups]\ndeals = false\n[objects.OpportunityLineItem]\nenabled = true\n"
                                "[objects.Campaign]\ninclude = [\"Type\"]\n[objects.Account]\nexclude = []\n"),
                        "crmsync.toml", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_EQ(c->warnings.size(), 2u);
  const std::string& deals = c->warnings[0].find("OpportunityLineItem") != std::string::npos ? c->warnings[0]
                                                                                             : c->warnings[1];
  const std::string& engage = &deals == &c->warnings[0] ? c->warnings[1] : c->warnings[0];
  EXPECT_EQ(deals.rfind("crmsync.toml:9: [objects.OpportunityLineItem] is configured", 0), 0u) << deals;
  EXPECT_NE(deals.find("[groups] deals = false (crmsync.toml:7)"), std::string::npos) << deals;
  EXPECT_NE(deals.find("Set [groups] deals = true (or CRMSYNC_GROUPS_DEALS=true)"), std::string::npos) << deals;
  EXPECT_NE(engage.find("[groups] engage is false by default"), std::string::npos) << engage;
  // Switched off explicitly, or the group on: nothing to say.
  auto quiet = parse_config(minimal("[groups]\ndeals = false\n[objects.OpportunityLineItem]\nenabled = false\n"),
                            "crmsync.toml", env_of({{"CRMSYNC_GROUPS_ENGAGE", "true"}}));
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->warnings.empty());
}

TEST(ConfigWarningsTest, AnUnknownCrmsyncVariableGetsAWarningWithADidYouMean) {
  auto warnings = unknown_env_warnings({"CRMSYNC_SALESFORCE_PASWORD", "CRMSYNC_SALESFORCE_PASSWORD", "CRMSYNC_CONFIG",
                                        "CRMSYNC_OBJECTS_ACCOUNT_EXCLUDE", "CRMSYNC_EXPORT_CALL_SUBJECT",
                                        "CRMSYNC_LOG_LEVEL", "CRMSYNC_CONFG", "CRMSYNC_WHATEVER_ELSE", "HOME"},
                                       {"CRMSYNC_LOG_LEVEL"});
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0], "environment variable CRMSYNC_SALESFORCE_PASWORD is not a crmsync setting, so it changes "
                         "nothing; did you mean CRMSYNC_SALESFORCE_PASSWORD?");
  EXPECT_NE(warnings[1].find("did you mean CRMSYNC_CONFIG?"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[2].find("CRMSYNC_WHATEVER_ELSE is not a crmsync setting"), std::string::npos) << warnings[2];
  EXPECT_NE(warnings[2].find("README"), std::string::npos) << warnings[2];
  // Every variable the configuration reads is known, the catalog objects' and [export]'s too.
  auto known = known_env_names();
  for (const char* name : {"CRMSYNC_STORE_URL", "CRMSYNC_SYNC_QUOTA_RUN_SHARE", "CRMSYNC_GROUPS_ENGAGE",
                           "CRMSYNC_OBJECTS_CAMPAIGNMEMBER_ENABLED", "CRMSYNC_EXPORT_FIELDS_RECORDING_URL"}) {
    EXPECT_NE(std::find(known.begin(), known.end(), name), known.end()) << name;
  }
}

TEST(ConfigWarningsTest, AMissingFileNamesTheExampleAndTheReadmeNotASourceFile) {
  auto c = load_config("/nonexistent/crmsync.toml", kNoEnv);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.find("src/"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("crmsync.example.toml"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("CRMSYNC_CONFIG"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace crmsync::config

namespace crmsync::config {
namespace {

// --- [serve] sign-in ------------------------------------------------------------------------------

Result<Config> serve_config(const std::string& serve, const EnvLookup& env = kNoEnv) {
  return parse_config("[store]\nurl = \"sqlite:org.db\"\n[serve]\n" + serve, "crmsync.toml", env, Validation::kStoreOnly);
}

TEST(ConfigSigninTest, SigninIsOffWithoutAClientIdAndOnWithItsKeys) {
  auto off = serve_config("port = 8080\n");
  ASSERT_TRUE(off.ok()) << off.error().to_string();
  EXPECT_FALSE(off->serve.signin());
  EXPECT_EQ(off->serve.session_hours, 8);
  auto on = serve_config(
      "client_id = \"3MVG9team\"\npublic_url = \"https://deals.acme.example\"\nclient_secret_file = "
      "\"/etc/crmsync/team-secret\"\nadmins = [\"ceo@acme.example\", \"005000000000001AAA\"]\nsession_hours = 12\n",
      env_of({{"CRMSYNC_SERVE_SESSION_KEY", std::string(40, 'k')}}));
  ASSERT_TRUE(on.ok()) << on.error().to_string();
  EXPECT_TRUE(on->serve.signin());
  EXPECT_EQ(on->serve.public_url, "https://deals.acme.example");
  EXPECT_EQ(on->serve.admins, (std::vector<std::string>{"ceo@acme.example", "005000000000001AAA"}));
  EXPECT_EQ(on->serve.session_hours, 12);
  EXPECT_EQ(on->serve.session_key, std::string(40, 'k'));
}

TEST(ConfigSigninTest, ASigninKeyWithoutAClientIdSaysSigninIsOff) {
  auto e = serve_config("public_url = \"https://deals.acme.example\"\n");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "SIGNIN_INCOMPLETE");
  EXPECT_NE(e.error().message.find("crmsync.toml:4: [serve] public_url is a sign-in setting, but [serve] client_id is "
                                   "not set"),
            std::string::npos)
      << e.error().message;
  auto admins = serve_config("", env_of({{"CRMSYNC_SERVE_ADMINS", "ceo@acme.example"}}));
  ASSERT_FALSE(admins.ok());
  EXPECT_NE(admins.error().message.find("environment variable CRMSYNC_SERVE_ADMINS: [serve] admins"), std::string::npos)
      << admins.error().message;
}

TEST(ConfigSigninTest, APublicUrlIsRequiredAndMustBeAnHttpsOrigin) {
  auto missing = serve_config("client_id = \"3MVG9team\"\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "MISSING_KEY");
  EXPECT_NE(missing.error().message.find("[serve] public_url is required with sign-in"), std::string::npos);
  auto plain = serve_config("client_id = \"c\"\npublic_url = \"http://deals.acme.example\"\n");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, "INSECURE_PUBLIC_URL");
  EXPECT_NE(plain.error().message.find("session cookie would cross the network unencrypted"), std::string::npos);
  auto path = serve_config("client_id = \"c\"\npublic_url = \"https://acme.example/deals\"\n");
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.error().message.find("expected the server's origin without a path"), std::string::npos)
      << path.error().message;
  EXPECT_TRUE(serve_config("client_id = \"c\"\npublic_url = \"http://127.0.0.1:8080/\"\n").ok()) << "loopback may be http";
}

TEST(ConfigSigninTest, SecretsGivenTwiceOrTooShortAreRefusedWithoutBeingRepeated) {
  auto twice = serve_config("client_id = \"c\"\npublic_url = \"https://d.example\"\nclient_secret_file = \"/x\"\n",
                            env_of({{"CRMSYNC_SERVE_CLIENT_SECRET", "s3cr3t-team"}}));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("client_secret and client_secret_file are both set"), std::string::npos);
  EXPECT_EQ(twice.error().message.find("s3cr3t-team"), std::string::npos);
  auto short_key = serve_config("client_id = \"c\"\npublic_url = \"https://d.example\"\n",
                                env_of({{"CRMSYNC_SERVE_SESSION_KEY", "tiny-key-123"}}));
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.error().message.find("session_key is 12 bytes long; use at least 32"), std::string::npos);
  EXPECT_EQ(short_key.error().message.find("tiny-key-123"), std::string::npos);
  auto hours = serve_config("client_id = \"c\"\npublic_url = \"https://d.example\"\nsession_hours = 0\n");
  ASSERT_FALSE(hours.ok());
  EXPECT_NE(hours.error().message.find("session_hours = 0 is out of range"), std::string::npos);
}

TEST(ConfigSigninTest, TheLoginUrlMustBeUsableByBrowsers) {
  auto e = parse_config("[salesforce]\nlogin_url = \"http://sf.internal\"\n[store]\nurl = \"sqlite:o.db\"\n[serve]\n"
                        "client_id = \"c\"\npublic_url = \"https://d.example\"\n",
                        "crmsync.toml", kNoEnv, Validation::kStoreOnly);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("crmsync.toml:2: [salesforce] login_url = \"http://sf.internal\" cannot take team "
                                   "members' sign-in"),
            std::string::npos)
      << e.error().message;
}

TEST(ConfigSigninTest, SecretFilesAreReadAndAShortSessionKeyFileIsRefused) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/team-secret") << "team-secret-value\n";
  std::ofstream(dir + "/short-key") << "short\n";
  ServeConfig s;
  s.client_id = "c";
  s.client_secret_file = dir + "/team-secret";
  auto read = read_signin_secrets(s);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->client_secret, "team-secret-value");
  EXPECT_TRUE(read->session_key.empty()) << "none configured: the server makes one";
  s.session_key_file = dir + "/short-key";
  auto short_key = read_signin_secrets(s);
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.error().message.find("[serve] session_key_file = \"" + dir + "/short-key\" holds 5 bytes"),
            std::string::npos)
      << short_key.error().message;
  s.session_key_file = dir + "/absent";
  EXPECT_NE(read_signin_secrets(s).error().message.find("[serve] session_key_file = \""), std::string::npos);
}

}  // namespace
}  // namespace crmsync::config
