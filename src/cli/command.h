// The CLI's command registry: each src/cli/cmd_*.cpp registers its subcommand with CLI11 through a
// static Registrar, so adding a command touches no other file.
//
//   static Registrar reg("catalog", [](CLI::App& app) {
//     auto* cmd = app.add_subcommand("catalog", "Print the field catalog");
//     ... cmd->callback([] { exit_code() = run(); });
//   });
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace crmsync::cli {

using Setup = std::function<void(CLI::App&)>;

struct Registrar {
  Registrar(std::string name, Setup setup);
};

std::vector<std::pair<std::string, Setup>>& registry();

// The process exit code a command's callback sets (0 by default).
int& exit_code();

}  // namespace crmsync::cli
