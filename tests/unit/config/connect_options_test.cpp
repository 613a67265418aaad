// config::connect_options, the one login of every command (sync and its workers, check, export,
// demo): every [salesforce] key the file or the environment sets reaches the client's options.
// `crmsync check` once built its own copy that lost private_key_file and refresh_token*, so a jwt
// or refresh_token configuration could not log in there.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <set>

#include "common/text.h"
#include "config/config.h"
#include "salesforce/client.h"

namespace crmsync::config {
namespace {

using salesforce::ConnectOptions;

// A value for one key, different from its default and from every other key's, and where it must
// arrive in the client's options.
struct KeyProbe {
  std::string value;  // as an environment variable would give it
  std::function<std::string(const ConnectOptions&)> arrived;
};

const std::map<std::string, KeyProbe>& probes() {
  static const std::map<std::string, KeyProbe> kProbes = {
      {"login_url", {"http://127.0.0.2:8787", [](const ConnectOptions& o) { return o.login_url; }}},
      {"auth", {"jwt", [](const ConnectOptions& o) { return o.auth; }}},
      {"client_id", {"probe-client-id", [](const ConnectOptions& o) { return o.client_id; }}},
      {"client_secret", {"probe-client-secret", [](const ConnectOptions& o) { return o.client_secret; }}},
      {"username", {"probe@crmsync.test", [](const ConnectOptions& o) { return o.username; }}},
      {"password", {"probe-password", [](const ConnectOptions& o) { return o.password; }}},
      {"private_key_file", {"/probe/key.pem", [](const ConnectOptions& o) { return o.private_key_file; }}},
      {"refresh_token", {"5Aep-probe-token", [](const ConnectOptions& o) { return o.refresh_token; }}},
      {"refresh_token_file", {"/probe/refresh_token", [](const ConnectOptions& o) { return o.refresh_token_file; }}},
      {"api_version", {"58.0", [](const ConnectOptions& o) { return o.api_version; }}},
      {"verify_tls", {"false", [](const ConnectOptions& o) { return std::string(o.verify_tls ? "true" : "false"); }}},
      {"max_retries", {"17", [](const ConnectOptions& o) { return std::to_string(o.max_retries); }}},
      {"retry_base_ms", {"1234", [](const ConnectOptions& o) { return std::to_string(o.retry_base_ms); }}},
      {"connect_timeout_seconds", {"31", [](const ConnectOptions& o) { return std::to_string(o.connect_timeout_seconds); }}},
      {"request_timeout_seconds", {"121", [](const ConnectOptions& o) { return std::to_string(o.request_timeout_seconds); }}},
      {"low_speed_seconds", {"7", [](const ConnectOptions& o) { return std::to_string(o.low_speed_seconds); }}},
      {"low_speed_bytes_per_second",
       {"2048", [](const ConnectOptions& o) { return std::to_string(o.low_speed_bytes_per_second); }}},
      {"request_deadline_seconds",
       {"333", [](const ConnectOptions& o) { return std::to_string(o.request_deadline_seconds); }}},
      {"max_response_mb", {"65", [](const ConnectOptions& o) { return std::to_string(o.max_response_bytes >> 20); }}},
      {"max_bulk_results_mb",
       {"257", [](const ConnectOptions& o) { return std::to_string(o.max_bulk_results_bytes >> 20); }}},
  };
  return kProbes;
}

// Every flow's keys set, so that any one key may change alone (auth = "jwt" then finds its
// username and private_key_file); loopback, so verify_tls = false is allowed.
const std::map<std::string, std::string> kBase = {
    {"CRMSYNC_SALESFORCE_LOGIN_URL", "http://127.0.0.1:8787"},
    {"CRMSYNC_SALESFORCE_CLIENT_ID", "cid"},
    {"CRMSYNC_SALESFORCE_CLIENT_SECRET", "cs"},
    {"CRMSYNC_SALESFORCE_USERNAME", "u@x"},
    {"CRMSYNC_SALESFORCE_PASSWORD", "pw"},
    {"CRMSYNC_SALESFORCE_PRIVATE_KEY_FILE", "/keys/app.pem"},
};

Config parsed(const std::map<std::string, std::string>& vars) {
  auto c = parse_config("", "crmsync.toml", [&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  if (!c) throw std::runtime_error(c.error().to_string());
  return *c;
}

TEST(ConnectOptionsTest, EverySalesforceKeyReachesTheLoginOfEveryCommand) {
  const std::vector<std::string> keys = section_keys("salesforce");
  ASSERT_GE(keys.size(), 13u);
  for (const std::string& key : keys) {
    auto probe = probes().find(key);
    ASSERT_NE(probe, probes().end()) << "[salesforce] " << key << " is new: make config::connect_options carry it "
                                        "and give it a probe here";
    auto vars = kBase;
    vars["CRMSYNC_SALESFORCE_" + to_upper(key)] = probe->second.value;
    const ConnectOptions options = connect_options(parsed(vars));
    EXPECT_EQ(probe->second.arrived(options), probe->second.value) << "[salesforce] " << key;

    // The probe value is the key's own: without it the options differ (the test proves something).
    const ConnectOptions without = connect_options(parsed(kBase));
    EXPECT_NE(probe->second.arrived(without), probe->second.value) << "[salesforce] " << key;
  }
}

TEST(ConnectOptionsTest, TheSyncQuotaSharesGuardEveryLoginToo) {
  auto vars = kBase;
  vars["CRMSYNC_SYNC_QUOTA_DAILY_SHARE"] = "0.5";
  vars["CRMSYNC_SYNC_QUOTA_RUN_SHARE"] = "0.125";
  const ConnectOptions o = connect_options(parsed(vars));
  EXPECT_DOUBLE_EQ(o.quota_daily_share, 0.5);
  EXPECT_DOUBLE_EQ(o.quota_run_share, 0.125);
}

TEST(ConnectOptionsTest, SectionKeysListWhatTheFileAccepts) {
  const std::vector<std::string> store = section_keys("store");
  EXPECT_EQ(store, (std::vector<std::string>{"url", "schema", "password"}));
  const std::vector<std::string> sf = section_keys("salesforce");
  const std::set<std::string> unique(sf.begin(), sf.end());
  EXPECT_EQ(unique.size(), sf.size());
  EXPECT_TRUE(unique.contains("private_key_file") && unique.contains("refresh_token_file"));
  EXPECT_TRUE(section_keys("nonsense").empty());
}

}  // namespace
}  // namespace crmsync::config
