// `crmsync worker --store postgresql://... [--concurrency N] [--lease-seconds N] [--backoff-seconds N]`:
// syncs the registered orgs (crmsync orgs add) that are due, sharing them with every other worker
// on the same database, until SIGTERM or SIGINT. Exit codes: 0 stopped by a signal (what it held
// is committed and due again at once), 1 the database cannot be reached at the start, 2 the
// command line was wrong or the store is not PostgreSQL.
#include <malloc.h>

#include <iostream>

#include "cli/command.h"
#include "cli/interrupt.h"
#include "cli/registry_args.h"
#include "cli/report.h"
#include "fleet/fleet.h"

namespace crmsync::cli {
namespace {

struct WorkerArgs {
  RegistryArgs where;
  int concurrency = 1;
  int lease_seconds = 60;
  int backoff_seconds = 30;
};

int run_worker_command(const WorkerArgs& args) {
  // As crmsync sync does (cmd_sync.cpp has the figures): fewer malloc arenas, page bodies mapped.
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  auto where = resolve_registry(args.where);
  if (!where) {
    print_error("", where.error());
    return 2;
  }
  watch_interrupts("finishing what this worker holds; each org is due again at once");
  fleet::WorkerOptions options;
  options.registry = *where;
  options.concurrency = args.concurrency;
  options.lease_seconds = args.lease_seconds;
  options.backoff_seconds = args.backoff_seconds;
  options.env = config::process_env();
  options.stop_requested = [] { return interrupted(); };
  options.wait = [](std::chrono::milliseconds d) { wait_for_interrupt(d); };
  options.out = &std::cout;
  ProgressPrinter progress(std::cerr, /*terminal=*/false);  // plain lines: orgs run side by side
  show_retries(options.on_retry, progress, /*quiet=*/false);
  Status ran = fleet::run_worker(options);
  if (!ran) {
    print_error("cannot start the worker", ran.error());
    return 1;
  }
  return 0;
}

Registrar reg("worker", [](CLI::App& app) {
  auto args = std::make_shared<WorkerArgs>();
  auto* cmd =
      app.add_subcommand("worker", "Sync the registered orgs that are due, with every other worker, until stopped");
  add_registry_options(cmd, args->where,
                       "A file whose [store] url is the workers' database (when --store is not given); "
                       "CRMSYNC_CONFIG when not given");
  cmd->add_option("--concurrency", args->concurrency, "Orgs this worker syncs at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--lease-seconds", args->lease_seconds,
                  "How long an org's lease lasts unless renewed (every third of it): after a worker dies, its orgs "
                  "are taken over this long after its last renewal (at least 3; a lease that short is meant for tests)")
      ->capture_default_str()
      ->check(CLI::Range(3, 3600));
  cmd->add_option("--backoff-seconds", args->backoff_seconds,
                  "Wait after an org's first failed run; doubled after each further failure in a row, at most an hour")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->callback([args] { exit_code() = run_worker_command(*args); });
  document(cmd,
           {.examples = {"crmsync worker --store postgresql://crmsync@db.internal/crm --concurrency 4",
                         "CRMSYNC_STORE_PASSWORD=... CRMSYNC_SECRET_KEY=... crmsync worker --config workers.toml",
                         "crmsync worker --store postgresql://crmsync@db.internal/crm --lease-seconds 30 "
                         "--backoff-seconds 60"},
            .exit_codes = {{0,
                            "stopped by SIGTERM or Ctrl-C: each org it held committed what it read and is due "
                            "again at once"},
                           {1, "the workers' database could not be reached (or its registry created) at the start"},
                           {2, "the command line was wrong, or the store is not PostgreSQL"}}});
});

}  // namespace
}  // namespace crmsync::cli
