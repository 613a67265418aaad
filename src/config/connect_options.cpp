// config::connect_options: the configuration as the Salesforce client's login options, for every
// command (a copy per command once lost the jwt and refresh_token keys in `crmsync check`).
#include "config/config.h"
#include "salesforce/client.h"

namespace crmsync::config {

salesforce::ConnectOptions connect_options(const Config& config) {
  const SalesforceConfig& sf = config.salesforce;
  salesforce::ConnectOptions o;
  o.login_url = sf.login_url;
  o.auth = sf.auth;
  o.client_id = sf.client_id;
  o.client_secret = sf.client_secret;
  o.username = sf.username;
  o.password = sf.password;
  o.private_key_file = sf.private_key_file;
  o.refresh_token = sf.refresh_token;
  o.refresh_token_file = sf.refresh_token_file;
  o.api_version = sf.api_version;
  o.verify_tls = sf.verify_tls;
  o.max_retries = static_cast<int>(sf.max_retries);
  o.retry_base_ms = static_cast<long>(sf.retry_base_ms);
  o.connect_timeout_seconds = static_cast<long>(sf.connect_timeout_seconds);
  o.request_timeout_seconds = static_cast<long>(sf.request_timeout_seconds);
  o.low_speed_bytes_per_second = static_cast<long>(sf.low_speed_bytes_per_second);
  o.low_speed_seconds = static_cast<long>(sf.low_speed_seconds);
  o.request_deadline_seconds = static_cast<long>(sf.request_deadline_seconds);
  o.max_response_bytes = static_cast<std::size_t>(sf.max_response_mb) << 20;
  o.max_bulk_results_bytes = static_cast<std::size_t>(sf.max_bulk_results_mb) << 20;
  // The client's own guard sees one session; the sync's guard (sync/quota.h) adds up every worker's.
  o.quota_daily_share = config.sync.quota_daily_share;
  o.quota_run_share = config.sync.quota_run_share;
  return o;
}

}  // namespace crmsync::config
