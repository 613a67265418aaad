// `crmsync emulator`: serves the local Salesforce org emulator until SIGINT/SIGTERM.
#include <csignal>
#include <iostream>

#include "cli/command.h"
#include "emulator/emulator.h"

namespace crmsync::cli {
namespace {

struct EmulatorArgs {
  std::string host = "127.0.0.1";
  int port = 8787;
  std::uint64_t seed = 42;
  int scale = 100;
  std::string org_file;
};

int run(const EmulatorArgs& args) {
  // Block the stop signals before any thread starts, so every server thread inherits the mask and
  // this thread alone receives them through sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  emulator::Emulator emu({.host = args.host,
                          .port = args.port,
                          .org = {.seed = args.seed, .scale = args.scale},
                          .org_file = args.org_file});
  if (auto s = emu.start(); !s) {
    std::cerr << "crmsync emulator: " << s.error().message << "\n";
    return 1;
  }
  std::cout << "crmsync emulator listening on " << emu.base_url() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
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
  cmd->add_option("--org", args->org_file,
                  "Org file (JSON, or TOML if it ends in .toml): users, roles, profiles, permission sets, "
                  "defaults, record types, custom fields, seed and scale (docs/emulator-org-file.md)");
  cmd->callback([args] { exit_code() = run(*args); });
});

}  // namespace
}  // namespace crmsync::cli
