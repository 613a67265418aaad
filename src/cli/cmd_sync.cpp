// `crmsync sync --config crmsync.toml [--json] [--quiet] [--reconcile] [--max-api-calls N]
// [--object X,...] [--full-refresh X,...] [--every 5m]`: imports every enabled object (or those
// --object names). Exit codes: 0 every object synced (or was skipped for a reason it prints), 1
// something failed (or another sync holds the store, or Salesforce refused the integration user
// itself, said once: sync.h run_sync), 2 the command line was wrong (an unknown object name
// included), 3 paused by the quota guard, 130 interrupted (Ctrl-C or SIGTERM: what each object
// committed is kept and printed). With --every it runs until SIGTERM or Ctrl-C and exits 0.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

#include "catalog/catalog.h"
#include "cli/command.h"
#include "cli/interrupt.h"
#include "cli/report.h"
#include "config/config.h"
#include "store/store.h"
#include "sync/schedule.h"
#include "sync/sync.h"

namespace crmsync::cli {
namespace {

struct SyncArgs {
  std::string config_path = "crmsync.toml";
  bool json = false;
  bool quiet = false;
  bool reconcile = false;
  std::int64_t max_api_calls = 0;
  std::vector<std::string> objects;       // --object: only these
  std::vector<std::string> full_refresh;  // --full-refresh: load these again
  std::string every;                      // --every: "5m"; empty = one run
};

// One sync: the store's lock, a login, the run, its report. Returns crmsync sync's exit code.
int sync_once(const SyncArgs& args, const config::Config& cfg, const std::vector<std::string>& full_refresh,
              bool json_lines) {
  // Refuse a second sync before logging in; held through the run (run_sync uses it: no window in
  // which another sync could take it, and no second lock connection).
  auto lock = sync::StoreLock::acquire(sync::store_options(cfg));
  if (!lock) {
    print_error("", lock.error());
    return 1;
  }
  const bool show_progress = !args.quiet && !args.json;
  ProgressPrinter progress;
  salesforce::ConnectOptions connect = config::connect_options(cfg);
  show_retries(connect.on_retry, progress, !show_progress);
  auto client = salesforce::Client::connect(connect);
  progress.finish();
  if (!client) {
    print_error("cannot log in to Salesforce", client.error());
    return 1;
  }
  auto st = store::Store::open(sync::store_options(cfg));
  if (!st) {
    print_error("cannot open the store", st.error());
    return 1;
  }
  sync::SyncOptions options;
  options.store_lock = lock->get();
  options.reconcile = args.reconcile;
  options.objects = args.objects;
  options.full_refresh = full_refresh;
  options.max_api_calls = args.max_api_calls;
  options.deleted_ids = sync::salesforce_get_deleted();
  options.interrupted = [] { return interrupted(); };
  options.connect = [&connect] { return salesforce::Client::connect(connect); };  // each worker's session
  if (show_progress) options.on_page = [&progress](const sync::Progress& p) { progress.update(p); };
  auto report = sync::run_sync(cfg, **client, **st, options);
  progress.finish();
  if (!report) {
    print_error("sync stopped", report.error());
    return 1;
  }
  if (args.json) {
    std::cout << sync_report_json(*report).dump(json_lines ? -1 : 2) << "\n";
  } else if (!args.quiet || sync::exit_code(*report) != 0) {
    print_sync_table(*report, std::cout);
  } else {
    warn_sync_warnings(*report);  // something to act on, e.g. a field no longer readable
  }
  std::cout.flush();
  return sync::exit_code(*report);
}

// Sleeps until `until`, looking at the interrupt flag every 100 ms; false once interrupted.
bool wait_until(EpochMs until) {
  while (!interrupted()) {
    EpochMs left = until - now_ms();
    if (left <= 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<EpochMs>(left, 100)));
  }
  return false;
}

// --every: one run now, then one per slot until SIGTERM or Ctrl-C (exit 0). A failed or paused
// run is reported and the schedule goes on; the schedule is kept in the store for `crmsync status`.
int sync_every(const SyncArgs& args, const config::Config& cfg, std::int64_t every_ms) {
  auto st = store::Store::open(sync::store_options(cfg));
  if (!st) {
    print_error("cannot open the store", st.error());
    return 1;
  }
  watch_interrupts("stopping the schedule (a run under way finishes its current commit first)");
  sync::EveryOptions every;
  every.every_ms = every_ms;
  every.stopped = [] { return interrupted(); };
  every.wait_until = wait_until;
  every.on_change = [&](const sync::Schedule& s) {
    // A schedule that cannot be recorded still runs: said, not fatal (status shows less).
    Status saved = sync::save_schedule(**st, s);
    if (!saved) print_error("cannot record the schedule in the store", saved.error());
    if (s.state == "waiting" && !args.quiet && !args.json) {
      std::cout << "next run at " << format_datetime_iso(s.next_run) << " (every " << sync::format_interval(every_ms)
                << (s.skipped > 0 ? "; " + std::to_string(s.skipped) + " slots skipped: a run outlasted them" : "")
                << "); stop with Ctrl-C or SIGTERM\n";
      std::cout.flush();
    }
  };
  std::vector<std::string> full_refresh = args.full_refresh;  // the first run's only: later runs resume it
  sync::Schedule last = sync::run_every(every, [&] {
    if (!args.quiet && !args.json) std::cout << "run at " << format_datetime_iso(now_ms()) << "\n";
    int code = sync_once(args, cfg, full_refresh, /*json_lines=*/true);
    full_refresh.clear();
    return code;
  });
  if (!args.quiet && !args.json) {
    std::cout << "schedule stopped after " << last.runs << (last.runs == 1 ? " run" : " runs")
              << "; what was committed is kept\n";
  }
  return 0;
}

int run_sync_command(const SyncArgs& args) {
  // glibc gives each thread that allocates its own 64 MB arena; the workers and the writer hand
  // pages to each other, so per-thread arenas only fragment. Two arenas keep the peak RSS of a
  // million-record sync ~15% lower at no measurable cost in speed.
  mallopt(M_ARENA_MAX, 2);
  // Page bodies (1-3 MB of JSON or CSV, one more per worker with read-ahead) are mapped and
  // unmapped each time instead of staying in the arenas at their high-water mark: glibc's dynamic
  // threshold would otherwise move above them after the first free. Measured on a 1,006,589-record
  // sync (bench_sync_throughput --pin-emulator): peak RSS 94 -> 61 MB (REST) and 95 -> 71 MB
  // (Bulk) for ~0.2 CPU-s more (page faults), which keeps issue #4's 100 MB bound with a margin.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  std::int64_t every_ms = 0;
  if (!args.every.empty()) {
    auto parsed = sync::parse_interval_ms(args.every);
    if (!parsed) {
      print_error("", parsed.error());
      return 2;
    }
    every_ms = *parsed;
  }
  auto cfg = config::load_config(args.config_path);
  if (!cfg) {
    print_error("", cfg.error());
    return 1;
  }
  // A mistyped object name is a command-line error, said before logging in.
  if (auto chosen = sync::objects_for_run(*cfg, args.objects, args.full_refresh); !chosen) {
    print_error("", chosen.error());
    return 2;
  }
  if (every_ms > 0) return sync_every(args, *cfg, every_ms);
  watch_interrupts("finishing the current commit; the next run resumes from there");
  return sync_once(args, *cfg, args.full_refresh, /*json_lines=*/false);
}

Registrar reg("sync", [](CLI::App& app) {
  auto args = std::make_shared<SyncArgs>();
  auto* cmd = app.add_subcommand("sync", "Import every enabled Salesforce object into the local store");
  add_config_option(cmd, args->config_path);
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  cmd->add_flag("-q,--quiet", args->quiet, "Print only warnings, unless something failed or paused");
  cmd->add_flag("--reconcile", args->reconcile,
                "Compare every object's ids with Salesforce (finds hard deletes; costs one page per 2,000 ids)");
  // The completions offer the catalog's objects; any object the configuration enables is accepted.
  std::vector<std::string> catalog_objects;
  for (const auto& o : catalog::objects()) catalog_objects.push_back(o.name);
  offer(cmd->add_option("--object", args->objects,
                        "Sync only this object (repeat the flag, or separate names with commas); default: every "
                        "enabled one")
            ->delimiter(',')
            ->type_name("OBJECT"),
        catalog_objects);
  offer(cmd->add_option("--full-refresh", args->full_refresh,
                        "Forget this object's watermark and load it again (repeatable, or comma-separated); its table "
                        "stays readable until the reload is complete, then is replaced in one transaction")
            ->delimiter(',')
            ->type_name("OBJECT"),
        catalog_objects);
  cmd->add_option("--every", args->every,
                  "Sync now and then every INTERVAL (30s, 5m, 2h) until SIGTERM or Ctrl-C (exit 0); a failed or "
                  "paused run does not stop the schedule; crmsync status shows the next run")
      ->type_name("INTERVAL");
  cmd->add_option("--max-api-calls", args->max_api_calls,
                  "Pause (exit 3) once this run has spent N API calls; the next run resumes")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args] { exit_code() = run_sync_command(*args); });
  document(cmd, {.examples = {"crmsync sync --config crmsync.toml",
                              "CRMSYNC_CONFIG=/etc/crmsync/crmsync.toml crmsync sync --quiet   # from cron",
                              "crmsync sync --json --max-api-calls 500 > report.json",
                              "crmsync sync --object Account,Contact   # only these two",
                              "crmsync sync --full-refresh Account     # reload Account, sync the rest as usual",
                              "crmsync sync --every 5m --quiet         # keep syncing, for hosts without cron",
                              "crmsync sync --verbose --log-format json 2> sync.log"},
                 .exit_codes = {{0, "every enabled object synced (or was skipped for a reason the report prints); with "
                                    "--every: the schedule was stopped by Ctrl-C or SIGTERM"},
                                {1, "something failed: an object, the login, the configuration, or another sync "
                                    "holds the store"},
                                {2, "the command line was wrong (an unknown --object or --full-refresh name included)"},
                                {3, "paused by the quota guard or --max-api-calls; the next run resumes"},
                                {130, "interrupted (Ctrl-C or SIGTERM): what was committed is kept and printed; the "
                                      "next run resumes"}}});
});

}  // namespace
}  // namespace crmsync::cli
