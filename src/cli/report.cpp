#include "cli/report.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <sstream>

#include "common/log.h"
#include "common/timeutil.h"

namespace crmsync::cli {
namespace {
// --log-format json: standard error carries JSON lines only, so what is said goes through the log.
bool json_log() { return log::settings().format == log::Format::kJson; }

const char* outcome_name(sync::ObjectReport::Outcome o) {
  switch (o) {
    case sync::ObjectReport::Outcome::kSynced: return "synced";
    case sync::ObjectReport::Outcome::kSkipped: return "skipped";
    case sync::ObjectReport::Outcome::kFailed: return "FAILED";
    case sync::ObjectReport::Outcome::kPaused: return "paused";
  }
  return "?";
}

std::string time_or_never(EpochMs ms) { return ms == 0 ? "never" : format_datetime_iso(ms); }

void print_warnings(const sync::ObjectReport& o, std::ostream& out) {
  for (const auto& w : o.warnings) out << "warning: " << w << "\n";
  if (o.visibility) {
    out << "warning: " << o.object << ": " << o.visibility->message
        << (o.visibility->fix.empty() ? "" : " Fix: " + o.visibility->fix + ".") << "\n";
  }
}

const char* status_of(const sync::ObjectReport& o) { return o.interrupted ? "interrupted" : outcome_name(o.outcome); }

// Paused objects share their reason (the quota guard trips once for the run): said once, with the
// objects it left for the next run. An interrupted run says what each object committed.
void print_pauses(const sync::SyncReport& report, std::ostream& out) {
  std::vector<std::pair<std::string, std::vector<std::string>>> reasons;  // in the order first seen
  std::string interrupted;
  for (const auto& o : report.objects) {
    if (o.outcome != sync::ObjectReport::Outcome::kPaused) continue;
    if (o.interrupted) {
      interrupted += fmt::format("{}{} {}", interrupted.empty() ? "" : ", ", o.object, o.records);
      continue;
    }
    auto it = std::find_if(reasons.begin(), reasons.end(), [&](const auto& r) { return r.first == o.message; });
    if (it == reasons.end()) it = reasons.insert(reasons.end(), {o.message, {}});
    it->second.push_back(o.object);
  }
  for (const auto& [message, objects] : reasons) {
    std::string names;
    for (const auto& n : objects) names += (names.empty() ? "" : ", ") + n;
    out << (message.starts_with("paused") ? "" : "paused: ") << message << " Left for the next run: " << names
        << ".\n";
  }
  if (!interrupted.empty()) {
    out << "interrupted: records committed per object: " << interrupted
        << "; everything committed is kept and the next run resumes from the watermarks.\n";
  }
}
// Where a full refresh (--full-refresh) got to: done, or under way with the old table untouched.
void print_full_refresh(const sync::ObjectReport& o, std::ostream& out) {
  if (o.full_refresh.empty()) return;
  if (o.full_refresh == "done") {
    out << "note: " << o.object << ": full refresh done: loaded again from scratch" << (o.bulk ? " (Bulk API)" : "")
        << " and swapped in for the old table in one transaction\n";
    return;
  }
  out << "note: " << o.object << ": full refresh " << (o.full_refresh == "resumed" ? "resumed" : "started")
      << " but not complete: the table keeps its old rows until the reload is; the next run resumes it\n";
}

}  // namespace

void print_sync_table(const sync::SyncReport& report, std::ostream& out) {
  out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10} {:>9} {:>9}  {}\n", "object", "mode", "records", "deleted",
                     "api calls", "seconds", "in store", "status");
  std::int64_t records = 0, deleted = 0;
  for (const auto& o : report.objects) {
    const char* mode = o.outcome != sync::ObjectReport::Outcome::kSynced ? "-"
                       : !o.full_refresh.empty()                         ? "full refresh"
                       : o.bulk                                          ? "full (bulk)"
                       : o.full                                          ? "full"
                                                                         : "incremental";
    out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10} {:>9.2f} {:>9}  {}\n", o.object, mode, o.records, o.deleted,
                       o.api_calls, o.seconds, o.rows_in_store, status_of(o));
    records += o.records;
    deleted += o.deleted;
  }
  if (report.composite_api_calls > 0) {
    // Describes, first pages and getDeleted calls of every object, a few composite requests;
    // already in the objects' figures above (each has its share), so not added again.
    out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10}\n", "(composite requests)", "", "", "",
                       report.composite_api_calls);
  }
  if (report.visibility_api_calls > 0) {
    // Who sees which records (crmsync check's computation), after the objects; already in the
    // figures of the objects it checked (each has its share), so not added again.
    out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10}\n", "(visibility check)", "", "", "",
                       report.visibility_api_calls);
  }
  out << fmt::format("{:<24} {:<12} {:>9} {:>8} {:>10} {:>9.2f}\n", "total", "", records, deleted, report.api_calls,
                     report.seconds);
  for (const auto& o : report.objects) {
    print_warnings(o, out);
    if (o.hard_deleted > 0) {
      out << "note: " << o.object << ": " << o.hard_deleted
          << " rows vanished from Salesforce (hard deleted) and are marked IsDeleted = 1\n";
    }
    if (o.backfilled > 0) out << "note: " << o.object << ": new fields filled in for " << o.backfilled << " rows\n";
    print_full_refresh(o, out);
    for (const auto& n : o.notes) out << "note: " << n << "\n";
    if (o.window_splits > 0) {
      out << "note: " << o.object << ": the window query timed out (QUERY_TIMEOUT); read in narrower windows ("
          << o.window_splits << " split" << (o.window_splits > 1 ? "s" : "") << ")\n";
    }
    if (o.query_parts > 1) {
      out << "note: " << o.object << ": the field list passes Salesforce's URI limit; read with " << o.query_parts
          << " queries joined by Id\n";
    }
    if (!o.message.empty() && o.outcome != sync::ObjectReport::Outcome::kPaused) {
      const char* tag = o.outcome == sync::ObjectReport::Outcome::kFailed ? "error: " : "note: ";
      out << tag << o.object << ": " << o.message << "\n";
    }
  }
  print_pauses(report, out);
}

void print_sync_warnings(const sync::SyncReport& report, std::ostream& out) {
  for (const auto& o : report.objects) print_warnings(o, out);
}

void warn_sync_warnings(const sync::SyncReport& report) {
  if (!json_log()) {
    print_sync_warnings(report, std::cerr);
    return;
  }
  for (const auto& o : report.objects) {
    std::ostringstream text;
    print_warnings(o, text);
    std::istringstream lines(text.str());
    for (std::string line; std::getline(lines, line);) {
      log::warn("warning", line.substr(line.starts_with("warning: ") ? 9 : 0), {{"object", o.object}});
    }
  }
}

nlohmann::json sync_report_json(const sync::SyncReport& report) {
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& o : report.objects) {
    objects.push_back({{"object", o.object},
                       {"outcome", o.outcome == sync::ObjectReport::Outcome::kFailed ? "failed" : outcome_name(o.outcome)},
                       {"mode", o.full ? "full" : "incremental"},
                       {"records", o.records},
                       {"deleted", o.deleted},
                       {"hard_deleted", o.hard_deleted},
                       {"backfilled", o.backfilled},
                       {"formulas_refreshed", o.formulas_refreshed},
                       {"query_parts", o.query_parts},
                       {"window_splits", o.window_splits},
                       {"bulk", o.bulk},
                       {"bulk_jobs", o.bulk_jobs},
                       {"bulk_resumed", o.bulk_resumed},
                       {"bulk_fallback", o.bulk_fallback},
                       {"reconciled", o.reconciled},
                       {"api_calls", o.api_calls},
                       {"seconds", o.seconds},
                       {"rows_in_store", o.rows_in_store},
                       {"warnings", o.warnings},
                       {"notes", o.notes},
                       {"visibility", o.visibility ? nlohmann::json{{"code", o.visibility->code},
                                                                    {"message", o.visibility->message},
                                                                    {"fix", o.visibility->fix}}
                                                   : nlohmann::json()},
                       {"interrupted", o.interrupted},
                       {"full_refresh", o.full_refresh.empty() ? nlohmann::json() : nlohmann::json(o.full_refresh)},
                       {"message", o.message}});
  }
  return {{"ok", report.ok()},
          {"paused", report.paused()},
          {"interrupted", report.interrupted()},
          {"exit_code", sync::exit_code(report)},
          {"api_calls", report.api_calls},
          {"composite_api_calls", report.composite_api_calls},
          {"visibility_api_calls", report.visibility_api_calls},
          {"seconds", report.seconds},
          {"objects", objects}};
}

void print_error(const std::string& context, const Error& error) {
  say(log::Level::kError, "error", (context.empty() ? "" : context + ": ") + error.to_string(), {{"code", error.code}});
}

void say(log::Level level, std::string_view event, const std::string& text, const log::Fields& fields) {
  if (json_log()) {
    log::write(level, event, text, fields);
  } else {
    std::cerr << "crmsync: " << text << "\n";
  }
}

std::string progress_line(const sync::Progress& p) {
  double rate = p.seconds > 0 ? static_cast<double>(p.records) / p.seconds : 0;
  std::string line = fmt::format("{:<24} {:>10}", p.object, p.records);
  if (p.total >= 0) line += fmt::format(" / {:<10}", p.total);
  line += fmt::format(" records  {:>8.0f}/s", rate);
  if (p.total > p.records && rate > 0) {
    line += fmt::format("  ETA {:.0f}s", static_cast<double>(p.total - p.records) / rate);
  }
  return line;
}

void show_retries(std::function<void(const salesforce::RetryNotice&)>& on_retry, ProgressPrinter& progress,
                  bool quiet) {
  if (quiet) return;
  on_retry = [&progress](const salesforce::RetryNotice& n) { progress.retry(n); };
}

std::string retry_line(const salesforce::RetryNotice& n) {
  return fmt::format("retrying {} {} in {:.1f} s: {} (attempt {} of {})", n.method, n.url,
                     static_cast<double>(n.wait.count()) / 1000.0, n.reason, n.attempt, n.max_attempts);
}

ProgressPrinter::ProgressPrinter() : ProgressPrinter(std::cerr, isatty(STDERR_FILENO) != 0 && !json_log()) {}

void ProgressPrinter::update(const sync::Progress& p) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  Line& line = lines_[p.object];
  line.last = p;
  if (terminal_ && !json_log()) {
    redraw();
    return;
  }
  bool done = p.total >= 0 && p.records >= p.total;
  if (done || line.logged == std::chrono::steady_clock::time_point{} || now - line.logged > std::chrono::seconds(5)) {
    if (json_log()) {
      log::info("progress", progress_line(p),
                {{"object", p.object}, {"records", p.records}, {"total", p.total}, {"seconds", p.seconds}});
    } else {
      out_ << progress_line(p) << "\n";
    }
    line.logged = now;
  }
}

void ProgressPrinter::retry(const salesforce::RetryNotice& notice) {
  // The log says it already (retry.cpp logs each retry at info), or a plain line would break the
  // JSON lines: said once, by the log.
  if (log::enabled(log::Level::kInfo) || json_log()) return;
  std::lock_guard lock(mu_);
  retry_line_ = retry_line(notice);
  // Shown through the wait and a little beyond: the attempt after it may take a while to answer.
  retry_until_ = std::chrono::steady_clock::now() + notice.wait + std::chrono::seconds(5);
  if (terminal_) {
    redraw();
  } else {
    out_ << retry_line_ << "\n";
    out_.flush();
  }
}

void ProgressPrinter::redraw() {
  if (drawn_ > 0) out_ << "\x1b[" << drawn_ << "A";
  for (const auto& [name, line] : lines_) out_ << "\r\x1b[2K" << progress_line(line.last) << "\n";
  drawn_ = lines_.size();
  if (!retry_line_.empty() && std::chrono::steady_clock::now() < retry_until_) {
    out_ << "\r\x1b[2K" << retry_line_ << "\n";
    ++drawn_;
  } else {
    out_ << "\x1b[J";  // a retry line drawn before is gone
  }
  out_.flush();
}

void ProgressPrinter::finish() {
  std::lock_guard lock(mu_);
  if (!terminal_ || drawn_ == 0) return;
  out_ << "\x1b[" << drawn_ << "A\x1b[J";
  out_.flush();
  drawn_ = 0;
}

namespace {

// "schedule: crmsync sync --every 5m: next run 2026-12-06T06:35:00.000Z; last run 2026-...Z, exit 0"
std::string schedule_line(const sync::Schedule& s) {
  std::string line = "schedule: crmsync sync --every " + sync::format_interval(s.every_ms) + ": ";
  if (s.state == "stopped") {
    line += "stopped at " + time_or_never(s.stopped_at);
  } else {
    line += "next run " + time_or_never(s.next_run) + (s.state == "running" ? " (a run is under way)" : "");
    if (s.next_run != 0 && s.next_run + s.every_ms < now_ms()) {
      line += " (overdue: is crmsync sync --every still running?)";
    }
  }
  if (s.last_run_finished != 0 && s.last_run_finished >= s.last_run_started) {
    line += "; last run " + time_or_never(s.last_run_started) + ", exit " + std::to_string(s.last_exit_code);
  }
  return line;
}

}  // namespace

void print_status_table(const std::vector<store::SyncState>& states, const StatusExtras& extras, std::ostream& out) {
  out << fmt::format("{:<24} {:<24} {:<24} {:>9} {:>8} {:>10}  {}\n", "object", "watermark", "last run", "rows",
                     "deleted", "api calls", "last error");
  for (const auto& s : states) {
    out << fmt::format("{:<24} {:<24} {:<24} {:>9} {:>8} {:>10}  {}\n", s.object,
                       s.watermark ? format_datetime_iso(*s.watermark) : "-", time_or_never(s.last_run_finished),
                       s.rows, s.deleted, s.api_calls, s.last_error.empty() ? "-" : s.last_error);
  }
  for (const auto& [object, rows] : extras.reloading) {
    out << "full refresh under way: " << object << ": " << rows
        << " rows loaded again so far; the table keeps its old rows until the reload is complete (the next sync "
           "resumes it)\n";
  }
  if (extras.schedule) out << schedule_line(*extras.schedule) << "\n";
}

void add_status_extras(nlohmann::json& status, const StatusExtras& extras) {
  for (auto& o : status["objects"]) {
    auto reload = extras.reloading.find(o.value("object", ""));
    o["full_refresh_rows"] = reload == extras.reloading.end() ? nlohmann::json() : nlohmann::json(reload->second);
  }
  status["schedule"] = extras.schedule ? sync::schedule_json(*extras.schedule) : nlohmann::json();
}

}  // namespace crmsync::cli
