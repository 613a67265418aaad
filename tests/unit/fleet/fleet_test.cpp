// The registry's secrets (sealed with CRMSYNC_SECRET_KEY, or named variables), an org's
// configuration into the registry and back out on a worker, and the schedule after each outcome.
// No database, no sockets.
#include "fleet/fleet.h"

#include <gtest/gtest.h>

#include <map>

#include "fleet/org_run.h"
#include "fleet/schedule.h"
#include "fleet/secret_box.h"

namespace crmsync::fleet {
namespace {

const std::string kKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const std::string kOtherKeyHex = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

config::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

constexpr const char* kOrgToml = R"([salesforce]
login_url = "http://127.0.0.1:8787"
client_id = "crmsync-local"
client_secret = "client-s3cret"
username = "integration@crmsync.test"
password = "pass-s3cret"
[store]
url = "postgresql://crm@db/crm"
[sync]
interval_seconds = 120
)";

config::Config org_config_file(const config::EnvLookup& env = env_of({})) {
  auto cfg = config::parse_config(kOrgToml, "acme.toml", env);
  if (!cfg) throw std::runtime_error(cfg.error().to_string());
  return *cfg;
}

TEST(SecretBoxTest, SealedSecretsOpenWithTheirKeyAndContextOnly) {
  auto key = parse_secret_key(kKeyHex);
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  std::string sealed = seal(*key, "pass-s3cret", "crmsync org acme [salesforce] password");
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("pass-s3cret"), std::string::npos);
  EXPECT_NE(seal(*key, "pass-s3cret", "crmsync org acme [salesforce] password"), sealed) << "a fresh nonce each time";
  auto opened = open_sealed(*key, sealed, "crmsync org acme [salesforce] password");
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(*opened, "pass-s3cret");

  auto other = parse_secret_key(kOtherKeyHex);
  auto wrong_key = open_sealed(*other, sealed, "crmsync org acme [salesforce] password");
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().code, "SECRET_KEY_WRONG");
  auto other_org = open_sealed(*key, sealed, "crmsync org globex [salesforce] password");
  EXPECT_EQ(other_org.error().code, "SECRET_KEY_WRONG") << "a sealed value copied onto another org does not open";
  std::string altered = sealed;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_EQ(open_sealed(*key, altered, "crmsync org acme [salesforce] password").error().code, "SECRET_KEY_WRONG");
  EXPECT_EQ(open_sealed(*key, "pass-s3cret", "x").error().code, "SEALED_MALFORMED");
}

TEST(SecretBoxTest, AKeyIs64HexDigitsAndABadOneIsNotRepeated) {
  EXPECT_TRUE(parse_secret_key(" " + kKeyHex + "\n").ok());
  auto short_key = parse_secret_key("hunter2");
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().code, "INVALID_SECRET_KEY");
  EXPECT_NE(short_key.error().message.find("openssl rand -hex 32"), std::string::npos);
  EXPECT_EQ(short_key.error().message.find("hunter2"), std::string::npos);
}

TEST(RegisterOrgTest, PlainSecretsWithoutAKeyAreRefusedNamingBothFixesButNotTheSecret) {
  auto org = register_org("acme", org_config_file(), "", {}, "");
  ASSERT_FALSE(org.ok());
  EXPECT_EQ(org.error().code, "PLAIN_SECRET");
  const std::string& m = org.error().message;
  EXPECT_NE(m.find("client_secret, password"), std::string::npos) << m;
  EXPECT_NE(m.find("CRMSYNC_SECRET_KEY"), std::string::npos) << m;
  EXPECT_NE(m.find("--secret-env password=ACME_PASSWORD"), std::string::npos) << m;
  EXPECT_EQ(m.find("s3cret"), std::string::npos) << m;
}

TEST(RegisterOrgTest, SecretsAreKeptAsVariableNamesOrSealedAndNeverInTheSettings) {
  auto org = register_org("acme-eu", org_config_file(), "", {{"password", "ACME_SF_PASSWORD"}}, kKeyHex);
  ASSERT_TRUE(org.ok()) << org.error().to_string();
  EXPECT_EQ(org->schema, "acme_eu");
  EXPECT_EQ(org->secrets.at("password").env, "ACME_SF_PASSWORD");
  EXPECT_TRUE(org->secrets.at("password").encrypted.empty());
  EXPECT_TRUE(org->secrets.at("client_secret").encrypted.starts_with("v1:"));
  EXPECT_FALSE(org->secrets.contains("refresh_token"));
  EXPECT_EQ(org->settings.find("s3cret"), std::string::npos) << org->settings;
  EXPECT_EQ(org->settings.find("postgresql"), std::string::npos) << org->settings;
}

TEST(RegisterOrgTest, NamesAndSchemasAreCheckedAndTheRegistrySchemaIsReserved) {
  EXPECT_EQ(register_org("Acme", org_config_file(), "", {}, kKeyHex).error().code, "INVALID_ORG_NAME");
  EXPECT_EQ(register_org("acme", org_config_file(), "crmsync", {}, kKeyHex).error().code, "INVALID_SCHEMA");
  EXPECT_EQ(register_org("acme", org_config_file(), "a;drop", {}, kKeyHex).error().code, "INVALID_SCHEMA");
  EXPECT_EQ(register_org("acme", org_config_file(), "", {}, "not-a-key").error().code, "INVALID_SECRET_KEY");
  EXPECT_EQ(parse_secret_env("passwd=X").error().code, "INVALID_VALUE");
  EXPECT_EQ(parse_secret_env("password=1X").error().code, "INVALID_VALUE");
  EXPECT_EQ(parse_secret_env("password=ACME_PW")->second, "ACME_PW");
}

TEST(OrgConfigTest, AWorkerReadsTheSettingsBackWithItsSecretsAndTheWorkersStore) {
  auto org = register_org("acme", org_config_file(), "", {{"password", "ACME_SF_PASSWORD"}}, kKeyHex);
  ASSERT_TRUE(org.ok()) << org.error().to_string();
  RegistryOptions store{"postgresql://workers@db/crm", "store-pw"};
  auto cfg = org_config(*org, store,
                        env_of({{"ACME_SF_PASSWORD", "pass-from-env"},
                                {"CRMSYNC_SECRET_KEY", kKeyHex},
                                {"CRMSYNC_SYNC_INTERVAL_SECONDS", "1"}}));
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->salesforce.password, "pass-from-env");
  EXPECT_EQ(cfg->salesforce.client_secret, "client-s3cret");
  EXPECT_EQ(cfg->salesforce.username, "integration@crmsync.test");
  EXPECT_EQ(cfg->sync.interval_seconds, 120) << "the worker's CRMSYNC_* variables do not change an org's settings";
  EXPECT_EQ(cfg->store.url, "postgresql://workers@db/crm");
  EXPECT_EQ(cfg->store.schema, "acme");
  EXPECT_EQ(cfg->store.password, "store-pw");

  auto no_var = org_config(*org, store, env_of({{"CRMSYNC_SECRET_KEY", kKeyHex}}));
  EXPECT_EQ(no_var.error().code, "SECRET_ENV_MISSING");
  EXPECT_NE(no_var.error().message.find("ACME_SF_PASSWORD"), std::string::npos);
  auto no_key = org_config(*org, store, env_of({{"ACME_SF_PASSWORD", "x"}}));
  EXPECT_EQ(no_key.error().code, "SECRET_KEY_MISSING");
  auto wrong_key = org_config(*org, store, env_of({{"ACME_SF_PASSWORD", "x"}, {"CRMSYNC_SECRET_KEY", kOtherKeyHex}}));
  EXPECT_EQ(wrong_key.error().code, "SECRET_KEY_WRONG");
  EXPECT_EQ(wrong_key.error().message.find("client-s3cret"), std::string::npos);
}

TEST(OrgConfigTest, AtAddTimeANamedSecretNeedNotBeSetHere) {
  auto env = add_time_env({{"password", "ACME_SF_PASSWORD"}}, env_of({}));
  auto cfg = config::parse_config(
      "[salesforce]\nclient_id = \"c\"\nusername = \"u\"\n", "acme.toml",
      add_time_env({{"password", "ACME_PW"}, {"client_secret", "ACME_CS"}}, env_of({{"ACME_CS", "cs"}})));
  ASSERT_TRUE(cfg.ok()) << cfg.error().to_string();
  EXPECT_EQ(cfg->salesforce.client_secret, "cs");
  EXPECT_FALSE(cfg->salesforce.password.empty());
  auto stand_in = env("CRMSYNC_SALESFORCE_PASSWORD");
  ASSERT_TRUE(stand_in.has_value());
  EXPECT_NE(stand_in->find("ACME_SF_PASSWORD"), std::string::npos) << *stand_in;
}

TEST(ScheduleTest, IntervalAfterSuccessBackoffAfterFailuresAndAnHourForTheQuota) {
  ScheduleRules rules{.interval_seconds = 300, .backoff_seconds = 30, .backoff_max_seconds = 3600};
  EXPECT_EQ(next_run(RunOutcome::kOk, 4, rules).delay_seconds, 300);
  EXPECT_EQ(next_run(RunOutcome::kOk, 4, rules).failures, 0);
  EXPECT_EQ(next_run(RunOutcome::kFailed, 0, rules).delay_seconds, 30);
  EXPECT_EQ(next_run(RunOutcome::kFailed, 0, rules).failures, 1);
  EXPECT_EQ(next_run(RunOutcome::kFailed, 1, rules).delay_seconds, 60);
  EXPECT_EQ(next_run(RunOutcome::kFailed, 2, rules).delay_seconds, 120);
  EXPECT_EQ(next_run(RunOutcome::kFailed, 7, rules).delay_seconds, 3600);
  EXPECT_EQ(next_run(RunOutcome::kFailed, 1000, rules).delay_seconds, 3600);
  EXPECT_EQ(next_run(RunOutcome::kPausedQuota, 0, rules).delay_seconds, 3600);
  EXPECT_EQ(next_run(RunOutcome::kPausedRunShare, 0, rules).delay_seconds, 300);
  EXPECT_EQ(next_run(RunOutcome::kInterrupted, 2, rules).delay_seconds, 0);
  EXPECT_EQ(next_run(RunOutcome::kInterrupted, 2, rules).failures, 2);
}

TEST(OutcomeTest, FailedObjectsAndPausesAreNamed) {
  sync::SyncReport report;
  report.objects.push_back({.object = "Account", .records = 10});
  report.objects.push_back({.object = "Contact",
                            .outcome = sync::ObjectReport::Outcome::kFailed,
                            .records = 3,
                            .message = "INVALID_FIELD: no"});
  RunResult failed = outcome_of(report);
  EXPECT_EQ(failed.outcome, RunOutcome::kFailed);
  EXPECT_EQ(failed.records, 13);
  EXPECT_EQ(failed.error, "1 of 2 objects failed: Contact: INVALID_FIELD: no");

  report.objects[1] = {.object = "Contact",
                       .outcome = sync::ObjectReport::Outcome::kPaused,
                       .message =
                           "paused until quota recovers: the org has used 81 of its 100 daily API requests, "
                           "the [sync] quota_daily_share of 80%"};
  EXPECT_EQ(outcome_of(report).outcome, RunOutcome::kPausedQuota);
  report.objects[1].message =
      "paused until quota recovers: this run has spent 30 API calls, the [sync] quota_run_share";
  EXPECT_EQ(outcome_of(report).outcome, RunOutcome::kPausedRunShare);
  report.objects[1].interrupted = true;
  EXPECT_EQ(outcome_of(report).outcome, RunOutcome::kInterrupted);
}

}  // namespace
}  // namespace crmsync::fleet
