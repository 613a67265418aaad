#include "fleet/org_run.h"

#include "store/store.h"

namespace crmsync::fleet {
namespace {

constexpr std::size_t kMaxError = 2000;  // of the messages kept in the registry for one run

RunResult failed(const Error& e) {
  std::string message = e.to_string();
  if (message.size() > kMaxError) message = message.substr(0, kMaxError) + "...";
  return {RunOutcome::kFailed, message, 0};
}

}  // namespace

RunResult outcome_of(const sync::SyncReport& report) {
  using Outcome = sync::ObjectReport::Outcome;
  RunResult result;
  std::string failures, pause;
  int failed = 0;
  for (const auto& o : report.objects) {
    result.records += o.records;
    if (o.outcome == Outcome::kFailed) {
      ++failed;
      if (failures.size() < kMaxError) failures += (failures.empty() ? "" : "; ") + o.object + ": " + o.message;
    } else if (o.outcome == Outcome::kPaused && pause.empty()) {
      pause = o.message;
    }
  }
  if (report.interrupted()) {
    result.outcome = RunOutcome::kInterrupted;
  } else if (failed > 0) {
    result.outcome = RunOutcome::kFailed;
    result.error =
        std::to_string(failed) + " of " + std::to_string(report.objects.size()) + " objects failed: " + failures;
  } else if (report.paused()) {
    // The quota guard names the share that stopped it; anything else (the org's daily share, or
    // Salesforce's own REQUEST_LIMIT_EXCEEDED) waits for the org's quota.
    const bool run_share = pause.find("quota_run_share") != std::string::npos;
    result.outcome = run_share ? RunOutcome::kPausedRunShare : RunOutcome::kPausedQuota;
    result.error = pause;
  }
  return result;
}

RunResult sync_org(const config::Config& config, const sync::StoreLock& lock, const std::function<bool()>& stop,
                   const std::function<void(const salesforce::RetryNotice&)>& on_retry) {
  salesforce::ConnectOptions connect = config::connect_options(config);
  connect.on_retry = on_retry;
  auto client = salesforce::Client::connect(connect);
  if (!client) return failed(client.error());
  auto st = store::Store::open(sync::store_options(config));
  if (!st) return failed(st.error());
  sync::SyncOptions options;
  options.deleted_ids = sync::salesforce_get_deleted();
  options.interrupted = stop;
  options.connect = [&connect] { return salesforce::Client::connect(connect); };  // each object worker's session
  options.store_lock = &lock;
  auto report = sync::run_sync(config, **client, **st, options);
  if (!report) return failed(report.error());
  return outcome_of(*report);
}

}  // namespace crmsync::fleet
