// `crmsync demo`: the whole job offline. Starts the emulator in-process on a free loopback port,
// syncs its org into crmsync-demo.db as the integration user, changes a few records through the
// REST API as the admin, syncs again (incrementally), and prints both reports and where the
// database is. With --serve it then serves the boards of that store (crmsync serve) until
// interrupted, printing the address.
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/report.h"
#include "cli/interrupt.h"
#include "cli/serve_run.h"
#include "common/json.h"
#include "config/config.h"
#include "emulator/emulator.h"
#include "store/store.h"
#include "sync/sync.h"

namespace crmsync::cli {
namespace {

struct DemoArgs {
  std::string db = "crmsync-demo.db";
  int scale = 200;
  std::uint64_t seed = 42;
  bool serve = false;  // then keep serving the boards of the synced store (crmsync serve)
  int port = 8080;
};

std::vector<std::string> first_ids(salesforce::Client& admin, const std::string& soql) {
  std::vector<std::string> ids;
  auto page = admin.query(soql, false);
  if (!page) return ids;
  auto body = parse_json(page->body);
  if (body.is_discarded()) return ids;
  for (const auto& r : body["records"]) ids.push_back(r["Id"].get<std::string>());
  return ids;
}

// Changes made as the admin between the two syncs, so the second one has something to bring.
Status change_records(salesforce::Client& admin) {
  int n = 0;
  for (const auto& id : first_ids(admin, "SELECT Id FROM Opportunity WHERE IsClosed = false LIMIT 5")) {
    CRMSYNC_TRY(admin.update("Opportunity", id, {{"StageName", "Negotiation/Review"}, {"Amount", 125000 + 1000 * n++}}));
  }
  for (const auto& id : first_ids(admin, "SELECT Id FROM Contact LIMIT 2")) CRMSYNC_TRY(admin.remove("Contact", id));
  auto lead = admin.create("Lead", {{"FirstName", "Zoë"}, {"LastName", "Demo"}, {"Company", "Offline Demo GmbH"},
                                    {"Email", "zoe.demo@offline-demo.example"}});
  if (!lead) return lead.error();
  return ok_status();
}

int run_demo(const DemoArgs& args) {
  emulator::EmulatorOptions eo;
  eo.port = 0;
  eo.org.scale = args.scale;
  eo.org.seed = args.seed;
  emulator::Emulator emu(eo);
  if (auto s = emu.start(); !s) {
    print_error("cannot start the emulator", s.error());
    return 1;
  }
  std::cout << "Emulator: " << emu.base_url() << " (seed " << args.seed << ", " << args.scale << " accounts)\n";

  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(args.db + suffix, ec);

  config::Config cfg;
  cfg.salesforce.login_url = emu.base_url();
  cfg.salesforce.auth = "password";
  cfg.salesforce.client_id = eo.client_id;
  cfg.salesforce.client_secret = eo.client_secret;
  cfg.salesforce.username = "integration@crmsync.test";
  cfg.salesforce.password = "integration-pass";
  cfg.store.url = "sqlite:" + args.db;
  // The demo changes the org a moment before its second sync; the emulator commits each write at
  // once, so there is nothing to let settle.
  cfg.sync.settle_seconds = 0;

  ProgressPrinter progress(std::cerr, /*terminal=*/false);  // plain lines: the walk-through prints meanwhile
  auto connect = config::connect_options(cfg);
  show_retries(connect.on_retry, progress, /*quiet=*/false);
  auto client = salesforce::Client::connect(connect);
  if (!client) {
    print_error("cannot log in to the emulator", client.error());
    return 1;
  }
  auto st = store::Store::open(cfg.store.url);
  if (!st) {
    print_error("cannot open the store", st.error());
    return 1;
  }

  // As `crmsync sync` runs: hard deletes through getDeleted, inside the composite requests.
  sync::SyncOptions options;
  options.deleted_ids = sync::salesforce_get_deleted();
  options.connect = [&connect] { return salesforce::Client::connect(connect); };  // each worker's session
  std::cout << "\n1. Full sync as integration@crmsync.test\n";
  auto first = sync::run_sync(cfg, **client, **st, options);
  if (!first) {
    print_error("sync stopped", first.error());
    return 1;
  }
  print_sync_table(*first, std::cout);

  auto admin_cfg = cfg;
  admin_cfg.salesforce.username = "admin@crmsync.test";
  admin_cfg.salesforce.password = "admin-pass";
  auto admin_connect = config::connect_options(admin_cfg);
  show_retries(admin_connect.on_retry, progress, /*quiet=*/false);
  auto admin = salesforce::Client::connect(admin_connect);
  if (!admin) {
    print_error("cannot log in as the admin", admin.error());
    return 1;
  }
  if (auto s = change_records(**admin); !s) {
    print_error("cannot change records", s.error());
    return 1;
  }
  std::cout << "\n2. The admin updated 5 opportunities, deleted 2 contacts and created 1 lead; incremental sync\n";
  auto second = sync::run_sync(cfg, **client, **st, options);
  if (!second) {
    print_error("sync stopped", second.error());
    return 1;
  }
  print_sync_table(*second, std::cout);

  std::string path = std::filesystem::absolute(args.db).string();
  std::cout << "\nDatabase: " << path << "\n"
            << "Try: sqlite3 " << args.db
            << " \"SELECT Name, StageName, Amount FROM Opportunity ORDER BY SystemModstamp DESC LIMIT 5\"\n";
  // Close the idle keep-alive connections first: the emulator's workers would otherwise wait out
  // their keep-alive timeout (5 s) before stop() returns.
  client->reset();
  admin->reset();
  emu.stop();
  if (!first->ok() || !second->ok()) return 1;
  if (!args.serve) return 0;
  std::cout << "\nServing the boards of " << args.db << " (Ctrl-C stops):\n";
  return serve_until_stopped(cfg, "127.0.0.1", args.port);
}

Registrar reg("demo", [](CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand("demo", "Start the emulator in-process and sync its org into a SQLite file");
  cmd->add_option("--db", args->db, "SQLite file to write (replaced)")->capture_default_str()->type_name("FILE");
  cmd->add_option("--scale", args->scale, "Accounts in the generated org")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->add_option("--seed", args->seed, "Seed of the generated org")->capture_default_str();
  cmd->add_flag("--serve", args->serve, "Then serve the boards of the synced store on 127.0.0.1 until interrupted");
  cmd->add_option("--port", args->port, "Port for --serve")->capture_default_str()->check(CLI::Range(1, 65535));
  cmd->callback([args] {
    if (args->serve) watch_interrupts();  // before the emulator's and the sync's threads start
    exit_code() = run_demo(*args);
  });
  document(cmd, {.examples = {"crmsync demo", "crmsync demo --scale 1000 --db /tmp/demo.db",
                              "crmsync demo --serve --port 8080   # then open http://127.0.0.1:8080/"},
                 .exit_codes = {{0, "both syncs succeeded (with --serve: and the server stopped on SIGINT or SIGTERM)"},
                                {1, "something failed (printed)"},
                                {2, "--serve could not start serving (printed), or the command line was wrong"}}});
});

}  // namespace
}  // namespace crmsync::cli
