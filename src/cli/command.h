// The CLI's command registry: each src/cli/cmd_*.cpp registers its subcommand with CLI11 through a
// static Registrar, so adding a command touches no other file.
//
//   static Registrar reg("catalog", [](CLI::App& app) {
//     auto* cmd = app.add_subcommand("catalog", "Print the field catalog");
//     ... cmd->callback([] { exit_code() = run(); });
//     document(cmd, {.examples = {"crmsync catalog --json"}, .exit_codes = {{0, "printed"}}});
//   });
//
// Everything the user sees of the command line comes from this one CLI11 tree: --help, the man
// page (`crmsync man`) and the shell completions (`crmsync completion bash|zsh|fish`), see help.h.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace crmsync::cli {

using Setup = std::function<void(CLI::App&)>;

struct Registrar {
  Registrar(std::string name, Setup setup);
};

std::vector<std::pair<std::string, Setup>>& registry();

inline constexpr const char* kVersion = "0.1.0";

// The process exit code a command's callback sets (0 by default).
int& exit_code();

// What a command's --help says below its options, and what its man page section and completions
// say besides: examples (a command line each, optionally "  # what it does") and exit codes.
struct CommandDoc {
  std::vector<std::string> examples;
  std::vector<std::pair<int, std::string>> exit_codes;
};
// Sets `cmd`'s --help footer from `doc` and keeps it for the man page (help.h).
void document(CLI::App* cmd, CommandDoc doc);
const CommandDoc* doc_of(const CLI::App* cmd);

// The values an option takes, for --help (CLI::IsMember) and for the shell completions.
CLI::Option* choices(CLI::Option* option, std::vector<std::string> values);
const std::vector<std::string>* choices_of(const CLI::Option* option);
// Values the shell completions offer for an option that takes others too (--object: the catalog's
// objects; a custom object is as welcome). Not checked, not listed in --help.
CLI::Option* offer(CLI::Option* option, std::vector<std::string> values);
// What the completions offer after `option`: its choices, else what offer() gave it, else nullptr.
const std::vector<std::string>* completion_values(const CLI::Option* option);

// -c,--config FILE: the configuration file; CRMSYNC_CONFIG when not given, else crmsync.toml.
CLI::Option* add_config_option(CLI::App* cmd, std::string& path);

}  // namespace crmsync::cli
