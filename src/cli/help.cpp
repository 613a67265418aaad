#include "cli/help.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "cli/command.h"
#include "common/text.h"

namespace crmsync::cli {

// ---- the registries command.h declares ------------------------------------------------------------

namespace {
std::map<const CLI::App*, CommandDoc>& docs() {
  static std::map<const CLI::App*, CommandDoc> d;
  return d;
}
std::map<const CLI::Option*, std::vector<std::string>>& option_choices() {
  static std::map<const CLI::Option*, std::vector<std::string>> c;
  return c;
}
std::map<const CLI::Option*, std::vector<std::string>>& option_offers() {
  static std::map<const CLI::Option*, std::vector<std::string>> o;
  return o;
}

std::string footer_of(const CommandDoc& doc) {
  std::string out;
  if (!doc.examples.empty()) {
    out += "Examples:\n";
    for (const auto& e : doc.examples) out += "  " + e + "\n";
  }
  if (!doc.exit_codes.empty()) {
    out += (out.empty() ? "" : "\n") + std::string("Exit codes:\n");
    for (const auto& [code, meaning] : doc.exit_codes) {
      std::string number = std::to_string(code);
      out += "  " + number + std::string(number.size() < 3 ? 3 - number.size() : 0, ' ') + "  " + meaning + "\n";
    }
  }
  return out;
}
}  // namespace

void document(CLI::App* cmd, CommandDoc doc) {
  cmd->footer(footer_of(doc));
  docs()[cmd] = std::move(doc);
}

const CommandDoc* doc_of(const CLI::App* cmd) {
  auto it = docs().find(cmd);
  return it == docs().end() ? nullptr : &it->second;
}

CLI::Option* choices(CLI::Option* option, std::vector<std::string> values) {
  option->check(CLI::IsMember(values, CLI::ignore_case));
  option_choices()[option] = std::move(values);
  return option;
}

const std::vector<std::string>* choices_of(const CLI::Option* option) {
  auto it = option_choices().find(option);
  return it == option_choices().end() ? nullptr : &it->second;
}

CLI::Option* offer(CLI::Option* option, std::vector<std::string> values) {
  option_offers()[option] = std::move(values);
  return option;
}

const std::vector<std::string>* completion_values(const CLI::Option* option) {
  if (const auto* values = choices_of(option)) return values;
  auto it = option_offers().find(option);
  return it == option_offers().end() ? nullptr : &it->second;
}

CLI::Option* add_config_option(CLI::App* cmd, std::string& path) {
  return cmd
      ->add_option("-c,--config", path,
                   "Configuration file (TOML; crmsync.example.toml shows every key); CRMSYNC_CONFIG when not given")
      ->capture_default_str()
      ->envname("CRMSYNC_CONFIG")
      ->type_name("FILE");
}

// ---- walking the tree ---------------------------------------------------------------------------------

std::vector<const CLI::App*> subcommands_of(const CLI::App& app) {
  auto subs = app.get_subcommands([](const CLI::App* a) { return !a->get_name().empty(); });
  std::sort(subs.begin(), subs.end(), [](const CLI::App* a, const CLI::App* b) { return a->get_name() < b->get_name(); });
  return subs;
}

namespace {

std::vector<const CLI::Option*> flags_and_options(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->nonpositional(); });
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->get_positional(); });
}

bool takes_value(const CLI::Option* o) { return o->get_expected_max() > 0; }  // flags expect 0
// "FILE", "LEVEL", "INT": the type name without what validators add (":{error,warn,...}").
std::string value_name(const CLI::Option* o) {
  std::string name = o->get_type_name();
  return name.substr(0, name.find(':'));
}
bool takes_file(const CLI::Option* o) { return value_name(o) == "FILE"; }

std::vector<std::string> names_of(const CLI::Option* o) {
  std::vector<std::string> names;
  for (const auto& s : o->get_snames()) names.push_back("-" + s);
  for (const auto& l : o->get_lnames()) names.push_back("--" + l);
  return names;
}

// The one line a completion shows: the description up to its first "; " or sentence end.
std::string short_description(std::string text) {
  for (const char* end : {"; ", ". ", "\n"}) {
    auto stop = text.find(end, 20);
    if (stop != std::string::npos) text = text.substr(0, stop);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '.')) text.pop_back();
  return text;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

}  // namespace

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* o : flags_and_options(app)) {
    for (auto& n : names_of(o)) names.push_back(std::move(n));
  }
  return names;
}

// ---- man page -----------------------------------------------------------------------------------------

namespace {

// Text as roff shows it literally: backslashes escaped, a leading dot or quote defused.
std::string roff(std::string text) {
  text = replace_all(std::move(text), "\\", "\\e");
  text = replace_all(std::move(text), "-", "\\-");
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) line = "\\&" + line;
    out += line + "\n";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

void man_options(const CLI::App& app, std::ostream& out) {
  for (const auto* o : flags_and_options(app)) {
    std::string names;
    for (const auto& n : names_of(o)) names += (names.empty() ? "" : ", ") + std::string("\\fB") + roff(n) + "\\fR";
    if (takes_value(o)) names += " \\fI" + roff(value_name(o)) + "\\fR";
    std::string text = roff(o->get_description());
    if (const auto* values = choices_of(o)) {
      std::string list;
      for (const auto& v : *values) list += (list.empty() ? "" : ", ") + v;
      text += " (" + roff(list) + ")";
    }
    const bool more = !o->get_default_str().empty() || !o->get_envname().empty();
    if (more && !text.empty() && text.back() != '.') text += ".";  // a sentence before "Default:"
    if (!o->get_default_str().empty()) text += " Default: " + roff(o->get_default_str()) + ".";
    if (!o->get_envname().empty()) text += " Environment: " + roff(o->get_envname()) + ".";
    out << ".TP\n" << names << "\n" << text << "\n";
  }
}

void man_command(const CLI::App& cmd, std::ostream& out) {
  out << ".SS \"crmsync " << cmd.get_name() << "\"\n" << roff(cmd.get_description()) << "\n";
  for (const auto* p : positionals(cmd)) {
    out << ".TP\n\\fI" << roff(p->get_name()) << "\\fR\n" << roff(p->get_description()) << "\n";
  }
  man_options(cmd, out);
  const CommandDoc* doc = doc_of(&cmd);
  if (doc == nullptr) return;
  if (!doc->examples.empty()) {
    out << ".PP\nExamples:\n.RS\n.nf\n";
    for (const auto& e : doc->examples) out << roff(e) << "\n";
    out << ".fi\n.RE\n";
  }
  if (!doc->exit_codes.empty()) {
    out << ".PP\nExit codes:\n.RS\n";
    for (const auto& [code, meaning] : doc->exit_codes) out << ".TP 5\n" << code << "\n" << roff(meaning) << "\n";
    out << ".RE\n";
  }
}

}  // namespace

void write_man_page(const CLI::App& app, std::ostream& out) {
  out << ".\\\" Generated by `crmsync man` from the same definitions as --help; do not edit.\n"
      << ".TH CRMSYNC 1 \"\" \"crmsync " << kVersion << "\" \"User Commands\"\n"
      << ".SH NAME\ncrmsync \\- " << roff(app.get_description().substr(app.get_description().find(':') + 2)) << "\n"
      << ".SH SYNOPSIS\n\\fBcrmsync\\fR [\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR]\n"
      << ".SH DESCRIPTION\n"
      << "crmsync logs in to Salesforce as a dedicated integration user, syncs the objects and fields an admin\n"
         "chooses into a local SQLite store (incrementally and crash-safe), checks what the integration user\n"
         "may read, exports recorded activities as Tasks or Events exactly once, and ships a local Salesforce\n"
         "org emulator. Logs go to standard error; reports and JSON to standard output.\n"
      << ".SH GLOBAL OPTIONS\nGiven before or after the command.\n";
  man_options(app, out);
  out << ".SH COMMANDS\n";
  for (const auto* cmd : subcommands_of(app)) man_command(*cmd, out);
  out << ".SH ENVIRONMENT\n"
      << ".TP\n.B CRMSYNC_CONFIG\nThe configuration file when \\fB\\-\\-config\\fR is not given.\n"
      << ".TP\n.B CRMSYNC_LOG_LEVEL\n\\fBerror\\fR, \\fBwarn\\fR (the default), \\fBinfo\\fR or \\fBdebug\\fR, "
         "when neither \\fB\\-\\-log\\-level\\fR nor \\fB\\-\\-verbose\\fR is given.\n"
      << ".TP\n.B CRMSYNC_LOG_FORMAT\n\\fBtext\\fR (the default) or \\fBjson\\fR (one object per line).\n"
      << ".TP\n.B CRMSYNC_<SECTION>_<KEY>\nOverrides a key of the configuration file, e.g. "
         "\\fBCRMSYNC_SALESFORCE_PASSWORD\\fR, \\fBCRMSYNC_STORE_URL\\fR, "
         "\\fBCRMSYNC_OBJECTS_ACCOUNT_EXCLUDE\\fR=Website,ParentId (lists are comma-separated). Keep secrets "
         "here rather than in the file. A CRMSYNC_ variable that is no setting gets a warning.\n"
      << ".TP\n.B CRMSYNC_SECRET_KEY\nThe key (32 random bytes as 64 hex digits) that \\fBcrmsync orgs add\\fR "
         "encrypts an org's secrets with and \\fBcrmsync worker\\fR decrypts them with; the same on every worker.\n"
      << ".SH FILES\n.TP\n.I crmsync.toml\nThe configuration, by default in the current directory.\n"
      << ".TP\n.I /usr/local/share/doc/crmsync/examples/crmsync.example.toml\nAn example configuration naming every key "
         "(under the installation prefix).\n"
      << ".SH SEE ALSO\nThe README and docs/ of the crmsync sources: docs/export.md, docs/check.md, "
         "docs/catalog.md, docs/emulator\\-org\\-file.md.\n";
}

// ---- completions --------------------------------------------------------------------------------------

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

void write_bash(const CLI::App& app, std::ostream& out) {
  std::vector<std::string> commands, global_valued;
  for (const auto* cmd : subcommands_of(app)) commands.push_back(cmd->get_name());
  for (const auto* o : flags_and_options(app)) {
    if (takes_value(o)) {
      for (auto& n : names_of(o)) global_valued.push_back(n);
    }
  }
  // What follows an option that takes a value: its choices, a file name, or anything.
  std::map<std::string, std::string> value_of;
  auto collect = [&](const CLI::App& a) {
    for (const auto* o : flags_and_options(a)) {
      if (!takes_value(o)) continue;
      const auto* values = completion_values(o);
      std::string reply = takes_file(o) ? "COMPREPLY=($(compgen -f -- \"$cur\"))"
                          : values      ? "COMPREPLY=($(compgen -W \"" + joined(*values) + "\" -- \"$cur\"))"
                                        : "COMPREPLY=()";
      for (const auto& n : names_of(o)) value_of.emplace(n, reply);
    }
  };
  collect(app);
  for (const auto* cmd : subcommands_of(app)) collect(*cmd);
  out << "# bash completion for crmsync; generated by `crmsync completion bash` from its --help definitions.\n"
      << "_crmsync() {\n"
      << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case ${COMP_WORDS[i]} in\n";
  if (!global_valued.empty()) out << "      " << replace_all(joined(global_valued), " ", "|") << ") ((i++)) ;;\n";
  out << "      -*) ;;\n"
      << "      *) cmd=${COMP_WORDS[i]}; break ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  case $prev in\n";
  for (const auto& [name, reply] : value_of) out << "    " << name << ") " << reply << "; return ;;\n";
  out << "  esac\n"
      << "  case $cmd in\n"
      << "    '') COMPREPLY=($(compgen -W \"" << joined(commands) << " " << joined(option_names(app))
      << "\" -- \"$cur\")) ;;\n";
  for (const auto* cmd : subcommands_of(app)) {
    std::vector<std::string> words = option_names(*cmd);
    for (const auto* p : positionals(*cmd)) {
      if (const auto* values = completion_values(p)) words.insert(words.end(), values->begin(), values->end());
    }
    words.insert(words.end(), global_valued.begin(), global_valued.end());
    for (const auto* o : flags_and_options(app)) {
      if (!takes_value(o)) {
        for (auto& n : names_of(o)) {
          if (std::find(words.begin(), words.end(), n) == words.end()) words.push_back(n);  // -h, --help once
        }
      }
    }
    out << "    " << cmd->get_name() << ") COMPREPLY=($(compgen -W \"" << joined(words) << "\" -- \"$cur\")) ;;\n";
  }
  out << "  esac\n"
      << "}\n"
      << "complete -F _crmsync crmsync\n";
}

// A zsh _arguments spec text: no brackets, colons or single quotes left unescaped.
std::string zsh_text(const std::string& text) {
  std::string s = replace_all(short_description(text), "'", "'\\''");
  s = replace_all(std::move(s), "[", "(");
  s = replace_all(std::move(s), "]", ")");
  return replace_all(std::move(s), ":", "\\:");
}

void zsh_options(const CLI::App& app, std::ostream& out, const std::string& indent) {
  for (const auto* o : flags_and_options(app)) {
    std::vector<std::string> names = names_of(o);
    std::string exclusive = names.size() > 1 ? "(" + joined(names) + ")" : "";
    std::string spelled = names.size() > 1 ? "{" + replace_all(joined(names), " ", ",") + "}" : names.front();
    std::string value;
    if (takes_value(o)) {
      value = ":" + to_lower(value_name(o).empty() ? "value" : value_name(o)) + ":";
      if (takes_file(o)) value += "_files";
      else if (const auto* values = completion_values(o)) value += "(" + joined(*values) + ")";
      else value += " ";
    }
    out << indent << "'" << exclusive << "'" << spelled << "'[" << zsh_text(o->get_description()) << "]" << value
        << "' \\\n";
  }
}

void write_zsh(const CLI::App& app, std::ostream& out) {
  out << "#compdef crmsync\n"
      << "# zsh completion for crmsync; generated by `crmsync completion zsh` from its --help definitions.\n"
      << "_crmsync() {\n"
      << "  local -a commands\n"
      << "  commands=(\n";
  for (const auto* cmd : subcommands_of(app)) {
    out << "    '" << cmd->get_name() << ":" << zsh_text(cmd->get_description()) << "'\n";
  }
  out << "  )\n"
      << "  local curcontext=$curcontext state line\n"
      << "  _arguments -C \\\n";
  zsh_options(app, out, "    ");
  out << "    '1:command:->command' \\\n"
      << "    '*::arg:->args'\n"
      << "  case $state in\n"
      << "    command) _describe 'crmsync command' commands ;;\n"
      << "    args)\n"
      << "      case $words[1] in\n";
  for (const auto* cmd : subcommands_of(app)) {
    out << "        " << cmd->get_name() << ")\n          _arguments \\\n";
    zsh_options(*cmd, out, "            ");
    for (const auto* p : positionals(*cmd)) {
      const auto* values = completion_values(p);
      out << "            '1:" << p->get_name() << ":" << (values ? "(" + joined(*values) + ")" : " ") << "' \\\n";
    }
    out << "          ;;\n";
  }
  out << "      esac ;;\n"
      << "  esac\n"
      << "}\n"
      << "_crmsync \"$@\"\n";
}

std::string fish_text(const std::string& text) { return "'" + replace_all(short_description(text), "'", "\\'") + "'"; }

void fish_options(const CLI::App& app, const std::string& condition, std::ostream& out) {
  for (const auto* o : flags_and_options(app)) {
    out << "complete -c crmsync" << condition;
    for (const auto& s : o->get_snames()) out << " -s " << s;
    for (const auto& l : o->get_lnames()) out << " -l " << l;
    if (takes_value(o)) {
      if (takes_file(o)) out << " -r -F";
      else if (const auto* values = completion_values(o)) out << " -x -a '" << joined(*values) << "'";
      else out << " -x";
    }
    out << " -d " << fish_text(o->get_description()) << "\n";
  }
}

void write_fish(const CLI::App& app, std::ostream& out) {
  std::vector<std::string> commands;
  for (const auto* cmd : subcommands_of(app)) commands.push_back(cmd->get_name());
  out << "# fish completion for crmsync; generated by `crmsync completion fish` from its --help definitions.\n"
      << "complete -c crmsync -f\n";
  fish_options(app, "", out);
  for (const auto* cmd : subcommands_of(app)) {
    out << "complete -c crmsync -n '__fish_use_subcommand' -a " << cmd->get_name() << " -d "
        << fish_text(cmd->get_description()) << "\n";
  }
  for (const auto* cmd : subcommands_of(app)) {
    const std::string condition = " -n '__fish_seen_subcommand_from " + cmd->get_name() + "'";
    fish_options(*cmd, condition, out);
    for (const auto* p : positionals(*cmd)) {
      if (const auto* values = completion_values(p)) {
        out << "complete -c crmsync" << condition << " -a '" << joined(*values) << "' -d "
            << fish_text(p->get_description()) << "\n";
      }
    }
  }
}

}  // namespace

bool write_completion(const CLI::App& app, const std::string& shell, std::ostream& out) {
  if (shell == "bash") write_bash(app, out);
  else if (shell == "zsh") write_zsh(app, out);
  else if (shell == "fish") write_fish(app, out);
  else return false;
  return true;
}

// ---- did you mean ---------------------------------------------------------------------------------------

namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The names of `app`'s options that take a value ("--config", "-c"): the word after one is its value.
void add_valued_names(const CLI::App& app, std::vector<std::string>& valued) {
  for (const auto* o : flags_and_options(app)) {
    if (takes_value(o)) {
      for (auto& n : names_of(o)) valued.push_back(n);
    }
  }
}

// A value given to `command`'s n-th positional that is none of its choices (orgs ad), with the
// closest choice; empty when it is one, when nothing is close, or when the positional has none.
std::string positional_hint(const CLI::App& command, std::size_t n, const std::string& value) {
  auto all = positionals(command);
  if (n >= all.size()) return "";
  const auto* values = choices_of(all[n]);
  if (values == nullptr) return "";
  for (const auto& v : *values) {
    if (to_lower(v) == to_lower(value)) return "";
  }
  std::string close = closest_match(value, *values);
  if (close.empty()) return "";
  return "crmsync: unknown " + all[n]->get_name() + " " + value + " for crmsync " + command.get_name() +
         "; did you mean `crmsync " + command.get_name() + " " + close + "`?";
}

}  // namespace

std::string did_you_mean(const CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> commands;
  for (const auto* cmd : subcommands_of(app)) commands.push_back(cmd->get_name());
  std::vector<std::string> valued;
  add_valued_names(app, valued);
  const CLI::App* command = nullptr;
  std::size_t positional = 0;  // the command's positionals seen so far
  std::vector<std::string> known = option_names(app);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (!arg.starts_with("-")) {
      if (command != nullptr) {
        std::string hint = positional_hint(*command, positional++, arg);
        if (!hint.empty()) return hint;
        continue;
      }
      if (!listed(commands, arg)) {
        std::string close = closest_match(arg, commands);
        return close.empty() ? "" : "crmsync: unknown command " + arg + "; did you mean `crmsync " + close + "`?";
      }
      command = app.get_subcommand(arg);
      std::vector<std::string> own = option_names(*command);
      known.insert(known.end(), own.begin(), own.end());
      add_valued_names(*command, valued);
      continue;
    }
    std::string name = arg.substr(0, arg.find('='));
    if (listed(known, name)) {
      if (listed(valued, name) && arg.find('=') == std::string::npos) ++i;  // its value, not a command
      continue;
    }
    std::string close = closest_match(name, known);
    if (close.empty()) return "";
    return "crmsync: unknown flag " + name + (command ? " for crmsync " + command->get_name() : "") +
           "; did you mean " + close + "?";
  }
  return "";
}

}  // namespace crmsync::cli
