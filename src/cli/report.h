// Printing a sync report for people (a table) and machines (JSON), progress while a sync runs, and
// the stored per-object state for `crmsync status`; shared by `sync`, `status` and `demo`.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "store/store.h"
#include "sync/schedule.h"
#include "sync/sync.h"

namespace crmsync::cli {

void print_sync_table(const sync::SyncReport& report, std::ostream& out);
// Only the warnings ("warning: ..." lines, e.g. a field no longer readable): what --quiet still
// prints when every object synced.
void print_sync_warnings(const sync::SyncReport& report, std::ostream& out);
// The same on standard error; under --log-format json as warn log lines (event "warning", with
// the object) instead, so standard error stays JSON lines.
void warn_sync_warnings(const sync::SyncReport& report);
nlohmann::json sync_report_json(const sync::SyncReport& report);
// "crmsync: " + message, for errors on standard error (with --log-format json, an error log line).
void print_error(const std::string& context, const Error& error);
// A line for people on standard error, "crmsync: " + text, whatever the log level; under
// --log-format json a log line at `level` with `event` and `fields` instead, so standard error
// stays JSON lines (and --log-level applies to it).
void say(log::Level level, std::string_view event, const std::string& text, const log::Fields& fields = {});

// Progress while a command runs. On a terminal: one line per object being read, redrawn in place
// (records, rate, ETA when Salesforce gave the total), and below them the last retry while it is
// recent ("retrying POST .../token in 1.0 s: CONNECTION_REFUSED (attempt 2 of 6)"). Otherwise: a
// plain line per object at most every few seconds, and when it ends, and one per retry.
// With --log-format json nothing plain is written: progress goes out as log lines (info, event
// "progress"). A retry the log already carries (--log-level info or more, or json) is not said a
// second time. Thread-safe: pages commit on the writer thread, retries happen on the workers'.
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  ProgressPrinter();  // on standard error, redrawn in place when it is a terminal
  void update(const sync::Progress& p);
  void retry(const salesforce::RetryNotice& notice);
  void finish();  // clears the terminal lines

 private:
  struct Line {
    sync::Progress last;
    std::chrono::steady_clock::time_point logged{};
  };
  void redraw();
  std::ostream& out_;
  bool terminal_;
  std::mutex mu_;
  std::map<std::string, Line> lines_;
  std::string retry_line_;
  std::chrono::steady_clock::time_point retry_until_{};
  std::size_t drawn_ = 0;
};

// Every command that logs in to Salesforce shows its retries through this: sets `on_retry` (a
// ConnectOptions' or another hook that hands it on) so that each retry of the calls made with it
// (the login and every later request) goes to `progress` as it happens, unless `quiet` (--quiet,
// --json: standard error then carries only warnings, errors and the log).
//
//   ProgressPrinter progress;
//   salesforce::ConnectOptions connect = config::connect_options(cfg);
//   show_retries(connect.on_retry, progress, args.json);
//   auto client = salesforce::Client::connect(connect);   // `progress` outlives the client
void show_retries(std::function<void(const salesforce::RetryNotice&)>& on_retry, ProgressPrinter& progress,
                  bool quiet);

// "retrying POST http://127.0.0.1:8787/services/oauth2/token in 1.0 s: CONNECTION_REFUSED (attempt 2 of 6)"
std::string retry_line(const salesforce::RetryNotice& notice);

// One progress line: "Contact  12,000 / 58,500 records  41,000/s  ETA 1s".
std::string progress_line(const sync::Progress& p);

// What `crmsync status` shows beside each object's sync state: the full refreshes under way (object
// -> rows loaded so far into its reload table) and the schedule of `crmsync sync --every`.
struct StatusExtras {
  std::map<std::string, std::int64_t> reloading;
  std::optional<sync::Schedule> schedule;
};

// `crmsync status`: per object the watermark, last run, rows, deleted, API calls, last error; then
// the full refreshes under way and the schedule's next run.
void print_status_table(const std::vector<store::SyncState>& states, const StatusExtras& extras, std::ostream& out);
// Adds them to serve::status_json's {"objects": [...]} for `crmsync status --json`: per object
// "full_refresh_rows" (null when none is under way), and "schedule" (null without one).
void add_status_extras(nlohmann::json& status, const StatusExtras& extras);

}  // namespace crmsync::cli
