// `crmsync version`: prints the version (also `crmsync --version`).
#include <iostream>

#include "cli/command.h"

namespace crmsync::cli {
namespace {
Registrar reg("version", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print crmsync's version");
  cmd->callback([] { std::cout << "crmsync " << kVersion << "\n"; });
  document(cmd, {.examples = {"crmsync version"}, .exit_codes = {{0, "printed"}}});
});
}  // namespace
}  // namespace crmsync::cli
