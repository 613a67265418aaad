// `crmsync version`: prints the version (also `crmsync --version`).
#include <iostream>

#include "cli/command.h"

namespace crmsync::cli {
namespace {
Registrar reg("version", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print crmsync's version");
  cmd->callback([] { std::cout << "crmsync 0.1.0\n"; });
});
}  // namespace
}  // namespace crmsync::cli
