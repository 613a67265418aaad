// `crmsync serve --config crmsync.toml [--host 127.0.0.1] [--port 8080]`: the deal board, the
// forecast board and search over the store `crmsync sync` fills, as a web page and a JSON API
// (docs/api.md), until interrupted. Loopback only until sign-in exists.
#include <iostream>

#include "cli/command.h"
#include "cli/interrupt.h"
#include "cli/report.h"
#include "cli/serve_run.h"
#include "common/text.h"
#include "serve/serve.h"
#include "store/store.h"
#include "sync/sync.h"

namespace crmsync::cli {

int serve_until_stopped(const config::Config& cfg, const std::string& host, int port) {
  if (auto s = serve::check_listen_host(host); !s) {
    print_error("cannot serve", s.error());
    return 2;
  }
  auto reader = store::StoreReader::open(sync::store_options(cfg));
  if (!reader) {
    print_error("cannot read the store", reader.error());
    return 2;
  }
  serve::Api api(std::move(*reader), {.serve = cfg.serve, .salesforce_url = cfg.salesforce.login_url});
  if (auto s = api.check_columns(); !s) {
    print_error("cannot serve", s.error());
    return 2;
  }
  serve::Server server(api, {.host = host, .port = port});
  if (auto s = server.start(); !s) {
    print_error("cannot serve", s.error());
    return 2;
  }
  std::cout << "crmsync serve listening on " << server.url() << " (store " << mask_url_credentials(cfg.store.url)
            << ")" << std::endl;
  wait_for_interrupt();
  server.stop();
  return 0;
}

namespace {

struct ServeArgs {
  std::string config = "crmsync.toml";
  std::string host;
  int port = 0;
};

int run_serve(const ServeArgs& args) {
  auto cfg = config::load_config(args.config, config::process_env(), config::Validation::kStoreOnly);
  if (!cfg) {
    print_error("", cfg.error());
    return 2;
  }
  std::string host = args.host.empty() ? cfg->serve.host : args.host;
  int port = args.port > 0 ? args.port : static_cast<int>(cfg->serve.port);
  return serve_until_stopped(*cfg, host, port);
}

Registrar reg("serve", [](CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Serve the deal board, the forecast board and search over the store (loopback only)");
  add_config_option(cmd, args->config);
  cmd->add_option("--host", args->host, "Address to listen on (loopback only; default [serve] host, 127.0.0.1)");
  cmd->add_option("--port", args->port, "Port (default [serve] port, 8080)")->check(CLI::Range(1, 65535));
  cmd->callback([args] {
    watch_interrupts();  // before the server's threads start
    exit_code() = run_serve(*args);
  });
  document(cmd, {.examples = {"crmsync serve --config crmsync.toml   # then open http://127.0.0.1:8080/",
                              "crmsync serve --port 9090",
                              "curl -s 'http://127.0.0.1:8080/api/deals?limit=5' | jq ."},
                 .exit_codes = {{0, "stopped by SIGINT or SIGTERM"},
                                {2, "could not start (printed: the configuration, an address other than loopback, a "
                                    "port in use, a [serve] deal_columns entry refused, a store that cannot be read), "
                                    "or the command line was wrong"}}});
});

}  // namespace
}  // namespace crmsync::cli
