// `crmsync export --config crmsync.toml --input FILE [--dry-run] [--explain] [--json]`: writes
// activities (JSON Lines; "-" = standard input) to Salesforce as Tasks or Events, exactly once.
// Exit codes: 0 everything written or unchanged, 1 some line was invalid or some record failed,
// 2 the run stopped (configuration, login, describe refusal, store), 3 paused by the quota guard
// ([sync] quota_daily_share / quota_run_share, --max-api-calls, or Salesforce's
// REQUEST_LIMIT_EXCEEDED): the next run resumes.
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/report.h"
#include "config/config.h"
#include "export/export.h"
#include "store/store.h"
#include "sync/sync.h"

namespace crmsync::cli {
namespace {

struct ExportArgs {
  std::string config_path = "crmsync.toml";
  std::string input;
  bool dry_run = false;
  bool explain = false;
  bool json = false;
  std::int64_t max_api_calls = 0;
};

void print_explain(const exports::Activity& a, const exports::Match& m, const exports::PlanStep& step) {
  auto link = [](const char* name, const exports::Link& l) {
    std::cout << "  " << name << ": " << (l.id.empty() ? "-" : l.object + " " + l.id)
              << (l.reason.empty() ? "" : " (" + l.reason + ")") << "\n";
  };
  std::cout << "activity " << a.id << " (line " << a.line << ", " << exports::to_string(a.kind) << ", "
            << exports::to_string(a.status) << (a.title.empty() ? "" : ", \"" + a.title + "\"") << ")\n";
  link("owner", m.owner);
  link("who", m.who);
  link("account", m.account);
  link("what", m.what);
  for (const auto& c : m.candidates) std::cout << "  candidate " << c << "\n";
  std::cout << "  plan: " << exports::to_string(step.action) << " (" << step.reason << ")\n";
}

nlohmann::json report_json(const exports::ExportReport& r, bool dry_run) {
  nlohmann::json j = {{"dry_run", dry_run},
                      {"created", r.counts.created},
                      {"updated", r.counts.updated},
                      {"deleted", r.counts.deleted},
                      {"unchanged", r.counts.unchanged},
                      {"unmatched", r.counts.unmatched},
                      {"failed", r.counts.failed},
                      {"invalid", r.counts.invalid},
                      {"api_calls", r.api_calls},
                      {"write_calls", r.write_calls},
                      {"records_sent", r.records_sent},
                      {"recovered", r.recovered},
                      {"paused", r.paused},
                      {"invalid_lines", nlohmann::json::array()},
                      {"unmatched_activities", nlohmann::json::array()},
                      {"failures", nlohmann::json::array()},
                      {"notes", nlohmann::json::array()},
                      {"warnings", r.warnings}};
  for (const auto& bad : r.invalid_lines) j["invalid_lines"].push_back({{"line", bad.line}, {"reason", bad.reason}});
  for (const auto& f : r.failures) {
    j["failures"].push_back({{"activity_id", f.activity_id}, {"line", f.line}, {"operation", f.operation},
                             {"statusCode", f.status_code}, {"message", f.message}});
  }
  for (const auto& n : r.notes) {
    j["notes"].push_back({{"activity_id", n.activity_id}, {"line", n.line}, {"message", n.message}});
  }
  for (const auto& u : r.unmatched) {
    j["unmatched_activities"].push_back({{"activity_id", u.activity_id}, {"line", u.line}, {"reason", u.reason}});
  }
  return j;
}

// " (c-3, c-7)": the unmatched activities' ids after their count, the first ten of them.
std::string unmatched_ids(const exports::ExportReport& r) {
  if (r.unmatched.empty()) return "";
  std::string ids;
  for (std::size_t i = 0; i < r.unmatched.size() && i < 10; ++i) ids += (i ? ", " : "") + r.unmatched[i].activity_id;
  if (r.unmatched.size() > 10) ids += ", and " + std::to_string(r.unmatched.size() - 10) + " more";
  return " (" + ids + ")";
}

// What standard error says about single activities, and a pause (standard output has the counts).
void report_lines(const ExportArgs& args, const exports::ExportReport& report) {
  for (const auto& bad : report.invalid_lines) {
    say(log::Level::kWarn, "invalid_line", args.input + ":" + std::to_string(bad.line) + ": skipped: " + bad.reason,
        {{"line", bad.line}});
  }
  for (const auto& f : report.failures) {
    say(log::Level::kError, "refused",
        "activity " + f.activity_id + " (line " + std::to_string(f.line) + "): " + f.operation +
            " refused: " + f.status_code + ": " + f.message,
        {{"activity_id", f.activity_id}, {"line", f.line}, {"code", f.status_code}});
  }
  for (const auto& u : report.unmatched) {
    say(log::Level::kWarn, "unmatched",
        "unmatched: activity " + u.activity_id + " (line " + std::to_string(u.line) + "): " + u.reason,
        {{"activity_id", u.activity_id}, {"line", u.line}});
  }
  for (const auto& n : report.notes) {
    say(log::Level::kInfo, "note",
        "note: activity " + n.activity_id + " (line " + std::to_string(n.line) + "): " + n.message,
        {{"activity_id", n.activity_id}, {"line", n.line}});
  }
  for (const auto& w : report.warnings) say(log::Level::kWarn, "warning", "warning: " + w);
  if (report.paused) {
    say(log::Level::kWarn, "paused",
        "export paused: " + report.pause_message + "; what was written is recorded, the next run resumes with the rest");
  }
}

int run_export_command(const ExportArgs& args) {
  auto cfg = config::load_config(args.config_path);
  if (!cfg) {
    print_error("", cfg.error());
    return 2;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (args.input != "-") {
    file.open(args.input, std::ios::binary);
    if (!file) {
      say(log::Level::kError, "error",
          "cannot read the input file " + args.input + "; check the path (or pass --input - to read standard input).");
      return 2;
    }
    in = &file;
  }
  auto st = store::Store::open(sync::store_options(*cfg));
  if (!st) {
    print_error("cannot open the store", st.error());
    return 2;
  }
  // Plain lines, not a line redrawn in place: --dry-run and --explain print meanwhile.
  ProgressPrinter progress(std::cerr, /*terminal=*/false);
  auto connect = config::connect_options(*cfg);  // [sync] quota_daily_share and quota_run_share apply
  connect.max_api_calls = args.max_api_calls;
  show_retries(connect.on_retry, progress, args.json);
  auto client = salesforce::Client::connect(connect);
  if (!client) {
    if (exports::is_quota_stop(client.error())) {
      say(log::Level::kWarn, "paused", "export paused: " + client.error().code + ": " + client.error().message);
      return 3;
    }
    print_error("cannot log in to Salesforce", client.error());
    return 2;
  }
  exports::ExportOptions options;
  options.dry_run = args.dry_run;
  if (args.explain) options.on_explain = print_explain;
  if (args.dry_run) options.on_write = [](const nlohmann::json& w) { std::cout << w.dump() << "\n"; };
  auto report = exports::run_export(*cfg, *in, client->get(), **st, options);
  progress.finish();
  if (!report) {
    if (exports::is_quota_stop(report.error())) {
      say(log::Level::kWarn, "paused",
          "export paused: " + report.error().code + ": " + report.error().message + "; nothing was written");
      return 3;
    }
    print_error("export stopped", report.error());
    return 2;
  }
  report_lines(args, *report);
  if (args.json) {
    std::cout << report_json(*report, args.dry_run).dump(2) << "\n";
  } else {
    const auto& c = report->counts;
    std::cout << (args.dry_run ? "dry run (nothing written): " : "") << "created " << c.created << ", updated "
              << c.updated << ", deleted " << c.deleted << ", unchanged " << c.unchanged << ", unmatched "
              << c.unmatched << unmatched_ids(*report) << ", failed " << c.failed << ", invalid lines " << c.invalid << "; " << report->api_calls
              << " API calls\n";
  }
  return !report->ok() ? 1 : report->paused ? 3 : 0;
}

Registrar reg("export", [](CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Write recorded activities to Salesforce as Tasks or Events, exactly once");
  add_config_option(cmd, args->config_path);
  cmd->add_option("-i,--input", args->input, "Activities as JSON Lines; - reads standard input")
      ->required()
      ->type_name("FILE");
  cmd->add_flag("--dry-run", args->dry_run, "Print each record that would be written (JSON per line); write nothing");
  cmd->add_flag("--explain", args->explain, "Print, per activity, why each link was chosen and the candidates");
  cmd->add_flag("--json", args->json, "Print the counts as JSON");
  cmd->add_option("--max-api-calls", args->max_api_calls,
                  "Pause (exit 3) once this run has spent N API calls; the next run resumes")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args] { exit_code() = run_export_command(*args); });
  document(cmd, {.examples = {"crmsync export --config crmsync.toml --input calls.jsonl",
                              "crmsync export --input calls.jsonl --dry-run --explain   # what would be written, and why",
                              "producer | crmsync export --input - --json"},
                 .exit_codes = {{0, "every activity written or unchanged"},
                                {1, "an invalid line or a refused record (each is reported)"},
                                {2, "the run stopped (configuration, login, store), or the command line was wrong"},
                                {3, "paused by the quota guard or --max-api-calls; the next run resumes"}}});
});

}  // namespace
}  // namespace crmsync::cli
