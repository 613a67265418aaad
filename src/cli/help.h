// What crmsync says about its own command line, generated from the CLI11 tree every command
// registers (command.h), so --help, the man page and the completions never disagree: the man page
// (roff), bash / zsh / fish completion scripts, and the "did you mean" of a mistyped subcommand or
// flag. Internal to src/cli.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace crmsync::cli {

// man(1) page in roff: NAME, SYNOPSIS, DESCRIPTION, GLOBAL OPTIONS, COMMANDS (each with its
// options, examples and exit codes), ENVIRONMENT, FILES, SEE ALSO.
void write_man_page(const CLI::App& app, std::ostream& out);

// A completion script for "bash", "zsh" or "fish"; false for another shell.
bool write_completion(const CLI::App& app, const std::string& shell, std::ostream& out);

// "did you mean `crmsync sync`?" / "did you mean --config?" / "did you mean `crmsync orgs add`?" (a
// positional's choice) for the arguments a parse refused, as one line that replaces CLI11's own
// message; empty when nothing is close. `args` are argv[1..].
std::string did_you_mean(const CLI::App& app, const std::vector<std::string>& args);

// The subcommands of `app` (sorted by name) and every option's long and short names ("--config",
// "-c"), the help flag included.
std::vector<const CLI::App*> subcommands_of(const CLI::App& app);
std::vector<std::string> option_names(const CLI::App& app);

}  // namespace crmsync::cli
