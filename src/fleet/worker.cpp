// crmsync worker: `concurrency` slots, each leasing a due org, running it and recording how it
// ended, until a stop is requested; one LeaseKeeper renews what they hold.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "common/text.h"
#include "common/timeutil.h"
#include "fleet/fleet.h"
#include "fleet/lease_keeper.h"
#include "fleet/leases.h"
#include "fleet/org_run.h"
#include "fleet/registry_tables.h"

namespace crmsync::fleet {

using store::postgres::Connection;

std::string this_worker() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  return std::string(host) + ":" + std::to_string(getpid());
}

namespace {

using Clock = std::chrono::steady_clock;

Result<std::unique_ptr<Connection>> connect(const RegistryOptions& registry) {
  return Connection::open(store::OpenOptions{registry.url, std::string(kRegistrySchema), registry.password});
}

std::string describe(const RunResult& result, const NextRun& next, double seconds) {
  std::string head = fmt::format("{}, {} records in {:.1f} s", to_string(result.outcome), result.records, seconds);
  if (result.outcome == RunOutcome::kFailed) head += fmt::format(" ({} in a row)", next.failures);
  if (!result.error.empty()) head += ": " + result.error;
  if (result.outcome == RunOutcome::kLeaseLost) return head + "; left to the worker that holds it now";
  if (result.outcome == RunOutcome::kInterrupted) return head + "; due again at once, from its watermarks";
  return head + fmt::format("; next run in {} s", next.delay_seconds);
}

class Worker {
 public:
  explicit Worker(const WorkerOptions& options)
      : o_(options),
        holder_(options.holder.empty() ? this_worker() : options.holder),
        keeper_(options.registry, options.lease_seconds, [this](const std::string& line) { say(line); }) {}

  void run() {
    say(fmt::format("worker {} serving the registry in '{}': {} at once, leases of {} s", holder_,
                    mask_url_credentials(o_.registry.url), o_.concurrency, o_.lease_seconds));
    std::vector<std::thread> slots;
    for (int i = 0; i < std::max(1, o_.concurrency); ++i) slots.emplace_back([this] { serve(); });
    for (auto& t : slots) t.join();
    say("worker " + holder_ + " stopped");
  }

 private:
  bool stopping() const { return o_.stop_requested && o_.stop_requested(); }

  void wait(std::chrono::milliseconds d) {
    if (o_.wait)
      o_.wait(d);
    else
      std::this_thread::sleep_for(d);
  }

  // How long an idle slot waits before asking again: until the next org is due or a lease expires,
  // at most a third of a lease (so a dead worker's orgs are picked up soon after their leases end).
  std::chrono::milliseconds poll() const {
    return std::chrono::milliseconds(std::clamp(o_.lease_seconds * 1000 / 3, 200, 5000));
  }
  std::chrono::milliseconds idle_wait(Connection& conn) {
    auto until = seconds_until_work(conn);
    if (!until || !*until) return poll();
    auto ms = std::chrono::milliseconds(static_cast<std::int64_t>(**until * 1000) + 20);
    return std::clamp(ms, std::chrono::milliseconds(100), poll());
  }

  void say(const std::string& line) {
    if (o_.out == nullptr) return;
    std::lock_guard lock(out_mu_);
    *o_.out << format_datetime_iso(now_ms()) << " " << line << std::endl;
  }

  void serve() {
    std::unique_ptr<Connection> conn;
    while (!stopping()) {
      if (!conn) {
        auto opened = connect(o_.registry);
        if (!opened) {
          say("cannot reach the registry (retrying): " + opened.error().message);
          wait(poll());
          continue;
        }
        conn = std::move(*opened);
      }
      auto lease = acquire_lease(*conn, holder_, o_.lease_seconds);
      if (!lease) {
        say("cannot lease an org (retrying): " + lease.error().message);
        conn.reset();
        wait(poll());
      } else if (!*lease) {
        wait(idle_wait(*conn));
      } else if (!run_leased(*conn, **lease)) {
        conn.reset();
      }
    }
  }

  // Syncs a leased org with its writer lock held (its interval goes into `rules`); a lease lost on
  // the way decides how the run ended.
  RunResult sync_leased(const Lease& lease, const sync::StoreLock& lock, const std::atomic<bool>& lost,
                        ScheduleRules& rules) {
    auto cfg = org_config(lease.org, o_.registry, o_.env);
    if (cfg) rules.interval_seconds = cfg->sync.interval_seconds;
    RunResult result = cfg ? sync_org(*cfg, lock, [this, &lost] { return stopping() || lost.load(); }, o_.on_retry)
                           : RunResult{RunOutcome::kFailed, cfg.error().to_string(), 0};
    if (lost.load()) {
      result.outcome = RunOutcome::kLeaseLost;
      result.error =
          "the lease was lost while this worker held it (it could not renew in time, or the org was "
          "removed): the sync stopped, what it committed is kept";
    }
    return result;
  }

  // One leased org, from its writer lock to its recorded outcome. False when the registry's
  // connection failed on the way (the lease then expires and the next worker closes the run).
  bool run_leased(Connection& conn, const Lease& lease) {
    const std::string& name = lease.org.name;
    auto lost = keeper_.hold(name, lease.token);
    auto lock = sync::StoreLock::acquire(store::OpenOptions{o_.registry.url, lease.org.schema, o_.registry.password});
    if (!lock || stopping()) {
      if (!lock)
        say(name + ": not run now, retrying in " + std::to_string(o_.lease_seconds) + " s: " + lock.error().message);
      keeper_.release(name);
      return release_lease(conn, lease, stopping() ? 0 : o_.lease_seconds).ok();
    }
    auto run_id = begin_run(conn, lease, holder_);
    if (!run_id) {
      say(name + ": cannot log the run: " + run_id.error().message);
      keeper_.release(name);
      return false;
    }
    say(name + ": started (run " + std::to_string(*run_id) + ")");
    auto started = Clock::now();
    ScheduleRules rules;
    rules.backoff_seconds = o_.backoff_seconds;
    RunResult result = sync_leased(lease, **lock, *lost, rules);
    NextRun next = next_run(result.outcome, lease.failures, rules);
    auto recorded = finish_run(conn, lease, *run_id, result, next);
    lock->reset();  // after the run's end is logged: the log's runs of an org never overlap
    keeper_.release(name);
    Status freed = recorded ? release_lease(conn, lease) : Status(recorded.error());
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (recorded && !*recorded) result.outcome = RunOutcome::kLeaseLost;
    say(name + ": " + describe(result, next, seconds));
    if (!freed) say(name + ": cannot record the run's end (its lease expires by itself): " + freed.error().message);
    return freed.ok();
  }

  WorkerOptions o_;
  std::string holder_;
  std::mutex out_mu_;
  LeaseKeeper keeper_;  // last: its thread reports through say()
};

}  // namespace

Status run_worker(const WorkerOptions& options) {
  auto conn = connect(options.registry);
  if (!conn) return conn.error();
  CRMSYNC_TRY(create_registry_tables(**conn));
  Worker(options).run();
  return ok_status();
}

}  // namespace crmsync::fleet
