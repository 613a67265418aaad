// crmsync: the command-line front end. Each subcommand lives in its own cmd_*.cpp.
#include <algorithm>
#include <iostream>

#include "cli/command.h"

namespace crmsync::cli {

std::vector<std::pair<std::string, Setup>>& registry() {
  static std::vector<std::pair<std::string, Setup>> r;
  return r;
}

Registrar::Registrar(std::string name, Setup setup) { registry().emplace_back(std::move(name), std::move(setup)); }

int& exit_code() {
  static int code = 0;
  return code;
}

}  // namespace crmsync::cli

int main(int argc, char** argv) {
  using namespace crmsync::cli;
  CLI::App app{"crmsync: sync a Salesforce org into a local store, check its integration user, export activities"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "crmsync 0.1.0");
  auto& commands = registry();
  std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, setup] : commands) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // Usage errors exit 2 (as `check` documents for "could not run").
    return rc == 0 ? 0 : 2;
  }
  return exit_code();
}
