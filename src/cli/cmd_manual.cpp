// `crmsync man` and `crmsync completion bash|zsh|fish`: the manual page and the shell completions,
// generated from the same CLI11 definitions as --help (help.h). `make install` installs what they
// print (man1/crmsync.1, bash-completion, zsh site-functions, fish vendor_completions.d).
#include <iostream>

#include "cli/command.h"
#include "cli/help.h"

namespace crmsync::cli {
namespace {

Registrar man_reg("man", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("man", "Print crmsync's manual page (roff; man -l - reads it)");
  cmd->callback([root = &app] { write_man_page(*root, std::cout); });
  document(cmd, {.examples = {"crmsync man | man -l -", "crmsync man > /usr/local/share/man/man1/crmsync.1"},
                 .exit_codes = {{0, "printed"}}});
});

Registrar completion_reg("completion", [](CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
  choices(cmd->add_option("shell", *shell, "The shell: bash, zsh or fish")->required(), {"bash", "zsh", "fish"});
  cmd->callback([root = &app, shell] { exit_code() = write_completion(*root, *shell, std::cout) ? 0 : 2; });
  document(cmd, {.examples = {"source <(crmsync completion bash)",
                              "crmsync completion zsh > ~/.zfunc/_crmsync   # a directory on $fpath",
                              "crmsync completion fish > ~/.config/fish/completions/crmsync.fish"},
                 .exit_codes = {{0, "printed"}, {2, "the command line was wrong (an unknown shell)"}}});
});

}  // namespace
}  // namespace crmsync::cli
