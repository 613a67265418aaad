// `crmsync emulator`: serves the local Salesforce org emulator until SIGINT/SIGTERM.
#include <iostream>

#include "cli/command.h"
#include "cli/interrupt.h"
#include "emulator/emulator.h"

namespace crmsync::cli {
namespace {

struct EmulatorArgs {
  std::string host = "127.0.0.1";
  int port = 8787;
  std::uint64_t seed = 42;
  int scale = 100;
  emulator::EmulatorOptions options;  // the API options below (host, port and org are set from the fields above)
  std::string fault_kinds;
  std::string print_refresh_token;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

int run(const EmulatorArgs& args) {
  watch_interrupts();  // before any thread starts

  emulator::EmulatorOptions options = args.options;
  options.host = args.host;
  options.port = args.port;
  options.org.seed = args.seed;
  options.org.scale = args.scale;
  options.faults.kinds = split_list(args.fault_kinds);
  emulator::Emulator emu(options);
  if (auto s = emu.start(); !s) {
    std::cerr << "crmsync emulator: " << s.error().message << "\n";
    return 1;
  }
  std::cout << "crmsync emulator listening on " << emu.base_url() << std::endl;
  if (!args.print_refresh_token.empty()) {
    auto token = emu.issue_refresh_token(args.print_refresh_token);
    if (!token) {
      std::cerr << "crmsync emulator: " << token.error().message << "\n";
      emu.stop();
      return 1;
    }
    std::cout << "refresh_token=" << *token << std::endl;
  }
  wait_for_interrupt();
  emu.stop();
  return 0;
}

Registrar reg("emulator", [](CLI::App& app) {
  auto args = std::make_shared<EmulatorArgs>();
  auto* cmd = app.add_subcommand("emulator", "Serve a local Salesforce org emulator (REST API, OAuth, SOQL)");
  cmd->add_option("--host", args->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", args->port, "Port to listen on (0 picks a free port)")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the generated org")->capture_default_str();
  cmd->add_option("--scale", args->scale, "Number of accounts (other objects in proportion)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000000));
  auto& o = args->options;
  cmd->add_option("--org", o.org_file,
                  "Org file (JSON, or TOML if it ends in .toml): users, roles, profiles, permission sets, "
                  "defaults, record types, custom fields, seed and scale (docs/emulator-org-file.md)")
      ->type_name("FILE");
  cmd->add_option("--batch-size", o.default_batch_size,
                  "Query page size when Sforce-Query-Options does not ask for less (small values page small orgs)")
      ->capture_default_str()
      ->check(CLI::Range(1, 2000));
  cmd->add_option("--token-ttl", o.token_ttl_seconds, "Seconds an access token lives; then 401 INVALID_SESSION_ID")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{365} * 86400));
  cmd->add_option("--jwt-cert", o.jwt_certificate_file,
                  "PEM X.509 certificate of the connected app; enables the JWT bearer grant (RS256)")
      ->check(CLI::ExistingFile)
      ->type_name("FILE");
  cmd->add_flag("--rotate-refresh-tokens", o.rotate_refresh_tokens,
                "Each refresh_token grant issues a new refresh token and revokes the old one");
  cmd->add_flag("--open-admin-routes", o.open_admin_routes,
                "Serve the emulator's own /emulator/ routes (recycle bin, API counter) to every API user, not only "
                "to users with Modify All Data");
  cmd->add_option("--client-credentials-user", o.client_credentials_user, "Run-as user of the client credentials flow")
      ->capture_default_str();
  cmd->add_option("--print-refresh-token", args->print_refresh_token,
                  "After the listening line, print refresh_token=... for this username");
  cmd->add_option("--daily-api-max", o.daily_api_max, "Daily API request limit; past it 403 REQUEST_LIMIT_EXCEEDED")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  cmd->add_option("--api-used", o.api_used, "Starting value of the daily API request counter")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  cmd->add_option("--fault-rate", o.faults.rate, "Fraction of API calls that get an injected fault (0..1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--fault-kinds", args->fault_kinds,
                  "Faults to draw from, comma-separated: 500 503 limit (403 REQUEST_LIMIT_EXCEEDED) timeout "
                  "(QUERY_TIMEOUT, queries only) slow drop (close without answer) truncate (cut the body); "
                  "default all");
  cmd->add_option("--fault-seed", o.faults.seed, "Seed of the fault draws")->capture_default_str();
  cmd->add_option("--slow-ms", o.faults.slow_ms, "Added latency of a 'slow' fault, in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  cmd->add_option("--expire-session-at", o.faults.expire_session_at,
                  "The Nth API call finds every session expired (401 INVALID_SESSION_ID); 0 never")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  cmd->callback([args] { exit_code() = run(*args); });
  document(cmd, {.examples = {"crmsync emulator --port 8787 &",
                              "crmsync emulator --org docs/examples/no-view-all.toml",
                              "crmsync emulator --fault-rate 0.2 --fault-kinds 503,drop   # a flaky org"},
                 .exit_codes = {{0, "stopped by SIGINT or SIGTERM"}, {1, "could not start (port, org file)"},
                                {2, "the command line was wrong"}}});
});

}  // namespace
}  // namespace crmsync::cli
