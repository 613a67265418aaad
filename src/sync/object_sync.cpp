#include "sync/object_sync.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "common/log.h"
#include "common/text.h"
#include "salesforce/json_members.h"
#include "sync/csv_parser.h"
#include "sync/page_parser.h"
#include "sync/query_plan.h"
#include "sync/window_reader.h"

namespace crmsync::sync {
namespace {

using Clock = std::chrono::steady_clock;
using Rows = store::RowBuffer;

std::vector<std::string> split_names(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < csv.size()) {
    std::size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

bool contains_ci(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return iequals(n, name); });
}

using IdKey = std::array<char, 18>;
IdKey id_key(std::string_view id) {
  IdKey k{};
  std::memcpy(k.data(), id.data(), std::min(id.size(), k.size()));
  return k;
}

class ObjectSync final : public ObjectRun {
 public:
  ObjectSync(RunContext& ctx, WriteQueue& writes, salesforce::Client& client, std::string object)
      : ctx_(ctx), writes_(writes), client_(&client), start_(Clock::now()), calls_seen_(client.api_calls()) {
    report_.object = std::move(object);
  }

  // ---- the coordinator's half (see ObjectRun) ----------------------------------------------------

  void load() override {
    early_ = load_state_and_columns();
    if (early_) state_ok_ = true;
  }

  void plan(const salesforce::CompositeResult& describe) override {
    if (!state_ok_ || planned_ || !early_) return;
    forget_calls();  // the main session's calls so far were the run's or other objects'
    if (!describe.ok()) {
      Error e = salesforce::Client::composite_error(describe, "describe " + object());
      if (e.kind == ErrorKind::kNotFound) {
        early_ = describe_failed(e);
        decided_ = true;
      }
      return;  // anything else (a 5xx): the worker describes again on its own
    }
    early_ = choose_fields(describe.body);
    if (early_) early_ = prepare_table();
    account_calls();
    if (!early_) return;
    planned_ = true;
    planned_now_ = ctx_.now();
    Window w = window_for(*planned_now_);
    WindowReader reader(*client_, selection_, names_, w, ctx_.batch_size, uri_limit_, {});
    if (reader.open()) first_query_ = reader.single_query();
  }

  // Increments only: a full load's first page may be 2,000 wide rows, and five of them in one
  // composite answer (parsed whole) would cost more memory than the call is worth.
  std::string first_query() const override {
    return planned_ && early_ && !report_.full ? first_query_ : std::string();
  }

  void seed_first_page(const salesforce::CompositeResult& result) override {
    auto page = salesforce::Client::composite_query_page(result, "queryAll " + first_query_);
    if (page) first_page_ = std::move(*page);  // a failed one is asked for again by the reader
  }

  std::optional<std::pair<EpochMs, EpochMs>> get_deleted_window() const override {
    if (!planned_ || !early_ || !ctx_.options.deleted_ids || !is_salesforce_get_deleted(ctx_.options.deleted_ids)) {
      return std::nullopt;
    }
    if (hard_delete_pass() != HardDeletePass::kGetDeleted) return std::nullopt;
    return std::make_pair(get_deleted_from(), *planned_now_);
  }

  void seed_deleted(const salesforce::CompositeResult& result) override {
    auto deleted = salesforce::Client::composite_deleted(result, "getDeleted " + object());
    if (deleted) {
      std::vector<std::string> ids;
      ids.reserve(deleted->records.size());
      for (const auto& r : deleted->records) ids.push_back(r.id);
      deleted_ids_ = std::move(ids);
    } else {
      deleted_error_ = deleted.error();  // judged as a getDeleted call of its own would be
    }
  }

  void forget_calls() override { calls_seen_ = client_->api_calls(); }

  void add_shared_calls(std::int64_t calls) override { own_calls_ += calls; }

  // ---- the worker's half -------------------------------------------------------------------------

  ObjectReport run(salesforce::Client& client) override {
    // What plan() spent is counted already; the main session's calls since were other objects'.
    client_ = &client;
    calls_seen_ = client.api_calls();
    start_ = Clock::now();
    Status s = early_ && !decided_ ? sync_object() : early_;
    warn_of_cuts();
    account_calls();
    report_.api_calls = own_calls_;
    if (!s && refuses_every_object(s.error())) ctx_.stop_run_for(s.error());
    if (!s) {
      if (s.error().code == kInterruptedCode) {
        report_.outcome = ObjectReport::Outcome::kPaused;
        report_.interrupted = true;
        report_.message = fmt::format("interrupted after committing {} records; the next run resumes from the "
                                      "watermark",
                                      report_.records);
      } else if (is_quota_stop(s.error())) {
        report_.outcome = ObjectReport::Outcome::kPaused;
        report_.message = s.error().code == kQuotaGuardCode ? s.error().message : refused_by_org(s.error());
      } else {
        report_.outcome = ObjectReport::Outcome::kFailed;
        report_.message = s.error().to_string();
      }
    }
    if (state_loaded_ && report_.outcome != ObjectReport::Outcome::kSkipped) finish_state();
    report_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    return report_;
  }

 private:
  const std::string& object() const { return report_.object; }

  // Values longer than their field's describe length were stored cut to it: a finding, once per field.
  void warn_of_cuts() {
    for (const auto& [field, values] : cuts_) {
      const catalog::SyncedField* f = selection_.find(field);
      const std::string length = f != nullptr ? std::to_string(f->length) : "its";
      report_.warnings.push_back(
          object() + "." + field + ": " + std::to_string(values) + (values == 1 ? " value was" : " values were") +
          " longer than the field's length in describe (" + length + " characters) and " +
          (values == 1 ? "was" : "were") + " stored cut to " + length +
          " characters; Salesforce holds no longer values in such a field, so check the org's data or that "
          "[salesforce] login_url points at Salesforce");
    }
  }

  // The org itself refused a call (REQUEST_LIMIT_EXCEEDED: other integrations used the quota up
  // before the guard saw it coming): the same words as the guard's pause, with the org's figures.
  std::string refused_by_org(const Error& e) const {
    salesforce::LimitInfo limits = client_->limits();
    std::string figures = limits.known() ? fmt::format("; the org has used {} of its {} daily API requests",
                                                       limits.used, limits.max)
                                         : "";
    return "paused until quota recovers: Salesforce refused a call with " + e.code + " (" + e.message + ")" +
           figures + "; what was read is committed and the next run resumes from the watermark.";
  }

  void account_calls() {
    std::int64_t now = client_->api_calls();
    ctx_.quota.add_calls(now - calls_seen_);
    own_calls_ += now - calls_seen_;
    calls_seen_ = now;
  }

  // Runs before every API call: the one place the budget is checked.
  Status before_call() {
    account_calls();
    if (ctx_.options.interrupted && ctx_.options.interrupted()) {
      return Error(ErrorKind::kLimit, kInterruptedCode, "the run was interrupted");
    }
    return ctx_.quota.check(client_->limits());
  }

  Status sync_object() {
    if (!state_ok_) CRMSYNC_TRY(load_state_and_columns());
    if (!planned_) {
      CRMSYNC_TRY(before_call());
      auto describe = client_->describe(object());
      if (!describe) return describe_failed(describe.error());
      if (report_.outcome == ObjectReport::Outcome::kSkipped) return ok_status();
      CRMSYNC_TRY(choose_fields(*describe));
      CRMSYNC_TRY(prepare_table());
    }
    CRMSYNC_TRY(read_window());
    CRMSYNC_TRY(backfill());
    CRMSYNC_TRY(refresh_formulas());
    CRMSYNC_TRY(find_hard_deletes());
    return finish_reload();
  }

  Status describe_failed(const Error& e) {
    const catalog::CatalogObject* cat = catalog::find_object(object());
    if (e.kind == ErrorKind::kNotFound && cat != nullptr && cat->group != catalog::Group::kCore) {
      report_.outcome = ObjectReport::Outcome::kSkipped;
      report_.message = "the org has no " + object() + " object the integration user can see; the " +
                        std::string(catalog::to_string(cat->group)) + " group goes on without it";
      if (object() == "CurrencyType") report_.message += " (a single-currency org has none)";
      return ok_status();
    }
    if (e.kind == ErrorKind::kNotFound && cat == nullptr) {
      const std::string close = catalog::lookalike_object(object());
      return Error(ErrorKind::kPermission, "OBJECT_NOT_VISIBLE",
                   "the org has no " + object() + " object the integration user can see (describe answered "
                   "NOT_FOUND): check the name in [objects." + object() + "] (custom objects end in __c" +
                       (close.empty() ? "" : "; did you mean " + close + "?") + "), and grant Read on " + object() +
                       " in the integration user's permission set or profile; `crmsync catalog --org` lists what "
                       "it can see.");
    }
    if (e.kind == ErrorKind::kNotFound) {
      return Error(ErrorKind::kPermission, "OBJECT_NOT_VISIBLE",
                   "the integration user cannot see the " + object() +
                       " object (describe answered NOT_FOUND). Grant Read on " + object() +
                       " in its permission set or profile.");
    }
    return e;
  }

  Status load_state_and_columns() {
    std::optional<store::SyncState> loaded;
    std::vector<std::string> columns, reload_columns;
    const std::string name = object();
    const std::string reload = store::reload_table_name(name);
    CRMSYNC_TRY(writes_.call([&](store::Store& st) -> Status {
      auto s = st.load_state(name);
      if (!s) return s.error();
      loaded = std::move(*s);
      auto c = st.columns(name);
      if (!c) return c.error();
      columns = std::move(*c);
      auto r = st.columns(reload);
      if (!r) return r.error();
      reload_columns = std::move(*r);
      return ok_status();
    }));
    state_ = loaded.value_or(store::SyncState{});
    state_.object = object();
    state_.last_run_started = ctx_.started;
    previous_success_ = state_.last_success;
    choose_table(std::move(columns), std::move(reload_columns));
    // A table without a watermark holds what a load cut short committed (a Bulk load commits rows
    // before its watermark); a table with one but without any successful run holds what REST pages
    // of a load killed, failed or paused committed, and so does a reload table a run left behind.
    // Rows among them may have vanished since, at a time no getDeleted window (it starts at the
    // last success) reaches: their ids are reconciled.
    restarted_load_ = !store_columns_.empty() && (!state_.watermark || previous_success_ == 0 || reloading_);
    state_loaded_ = true;
    return ok_status();
  }

  // Where this run writes. A full refresh (SyncOptions::full_refresh) of an object whose table
  // exists loads it again into its reload table, which replaces the table once the reload is
  // complete (finish_reload): until then readers see the old table. The reload table's existence
  // is the mark of a reload under way (it is created in the transaction that forgets the
  // watermark), so a run cut short is resumed by the next run, asked for or not.
  void choose_table(std::vector<std::string> columns, std::vector<std::string> reload_columns) {
    const bool asked = contains_ci(ctx_.options.full_refresh, object());
    reloading_ = !reload_columns.empty() || (asked && !columns.empty());
    if (asked && reload_columns.empty()) forget_watermark();  // a new reload, or a table that was dropped
    if (reloading_) report_.full_refresh = reload_columns.empty() ? "started" : "resumed";
    table_ = reloading_ ? store::reload_table_name(object()) : object();
    store_columns_ = reloading_ ? std::move(reload_columns) : std::move(columns);
  }

  // Everything that says where the last load got to: the next read is a full load from scratch.
  void forget_watermark() {
    state_.watermark.reset();
    state_.watermark_id.clear();
    state_.full_sync_done = false;
    state_.pending_backfill.clear();
    state_.formulas_refreshed = 0;
    clear_bulk_resume();
    save_reset_ = true;
  }

  // The reload is read whole (and its hard deletes found): its table replaces the object's, in one
  // transaction with the state that goes with it.
  Status finish_reload() {
    if (!reloading_) return ok_status();
    store::SyncState snapshot = state_;
    Status s = writes_.call(
        [name = object(), reload = table_, snapshot, search = catalog::search_columns(selection_)](
            store::Store& st) -> Status {
          CRMSYNC_TRY(st.replace_table(name, reload));
          CRMSYNC_TRY(st.ensure_search_index(name, search));  // indexed once, whole, not page by page
          return st.save_state(snapshot);
        },
        /*flush=*/true);
    if (!s) return s;
    reloading_ = false;
    table_ = object();
    report_.full_refresh = "done";
    return ok_status();
  }

  // The admin's selection, minus included fields that Salesforce no longer shows (FLS removed)
  // but the store has: those stop being selected with a warning and keep their stored values.
  Status choose_fields(const nlohmann::json& describe) {
    std::vector<std::string> described;
    if (auto fields = describe.find("fields"); fields != describe.end() && fields->is_array()) {
      for (const auto& f : *fields) described.push_back(salesforce::text_member(f, "name"));
    }
    catalog::AdminSelection admin = ctx_.config.selection_for(object());
    std::vector<std::string> include;
    for (const auto& f : admin.include) {
      if (!contains_ci(described, f) && contains_ci(store_columns_, f)) {
        report_.warnings.push_back(object() + "." + f +
                                   " is no longer readable by the integration user: it is not synced any more and "
                                   "its stored values are kept; grant Read on it again, or remove it from "
                                   "[objects." + object() + "] include");
        continue;
      }
      include.push_back(f);
    }
    admin.include = std::move(include);
    auto selection = catalog::select_fields(describe, admin);
    if (!selection) return selection.error();
    if (!selection->missing_required.empty()) return required_fields_refused(describe, admin);
    for (const auto& f : selection->missing_recommended) {
      std::string kept = contains_ci(store_columns_, f) ? "; its stored values are kept" : "";
      report_.warnings.push_back(object() + "." + f +
                                 " (Recommended) is not readable by the integration user and is not synced" + kept +
                                 "; grant Read on it to import it, or exclude it in [objects." + object() + "]");
    }
    selection_ = std::move(*selection);
    for (const auto& f : selection_.fields) names_.push_back(f.name);
    if (selection_.discovered) note_discovery(described, admin);
    return ok_status();
  }

  // An object beyond the catalog: the fields discovery skipped for their type (a note, not a
  // refusal), and stored columns describe no longer shows (FLS removed, or the field deleted).
  void note_discovery(const std::vector<std::string>& described, const catalog::AdminSelection& admin) {
    if (!selection_.unsupported_discovered.empty()) {
      std::string skipped;
      for (const auto& e : selection_.unsupported_discovered) skipped += (skipped.empty() ? "" : " ") + e.message + ".";
      report_.notes.push_back(object() + ": " + std::to_string(selection_.unsupported_discovered.size()) +
                              " fields not synced for their type: " + skipped);
    }
    if (!admin.include.empty()) return;  // `include` fields that vanished were warned of above
    for (const auto& column : store_columns_) {
      if (contains_ci(described, column) || contains_ci(admin.exclude, column)) continue;
      report_.warnings.push_back(object() + "." + column +
                                 " is no longer readable by the integration user (or no longer in the org): it is "
                                 "not synced any more and its stored values are kept; grant Read on it again to "
                                 "import it");
    }
  }

  // The object is refused with what `crmsync check` prints for the same fields: its message and
  // its fix, which names the permission set or profile to grant Read in.
  Status required_fields_refused(const nlohmann::json& describe, const catalog::AdminSelection& admin) {
    const check::UserAccess& access = ctx_.user_access(*client_);
    account_calls();
    std::string text;
    for (const auto& f : check::required_field_findings(access, describe, admin)) {
      text += (text.empty() ? "" : " ") + f.message + (f.fix.empty() ? "" : " Fix: " + f.fix + ".");
    }
    if (text.empty()) text = "a Required field of " + object() + " is not readable by the integration user; run crmsync check";
    return Error(ErrorKind::kPermission, "REQUIRED_FIELD_NOT_READABLE", text);
  }

  // Adds new columns; fields new to a table that already holds rows are remembered for the
  // back-fill in the same transaction, so a kill before the back-fill ends does not forget it.
  Status prepare_table() {
    if (selection_.modstamp_field.empty()) state_.watermark.reset();  // nothing to resume from
    report_.full = !state_.watermark.has_value();
    std::vector<std::string> added;
    if (!store_columns_.empty() && state_.watermark) {
      for (const auto& f : names_) {
        if (!contains_ci(store_columns_, f)) added.push_back(f);
      }
    }
    if (!added.empty()) {
      save_reset_ = true;
      std::vector<std::string> pending = split_names(state_.pending_backfill);
      for (const auto& f : added) {
        if (!contains_ci(pending, f)) pending.push_back(f);
      }
      state_.pending_backfill = join_names(pending);
    }
    auto columns = columns_for(selection_);
    store::SyncState snapshot = state_;
    const std::string name = table_;
    // Until a first load has finished (full_sync_done), its rows may be appended to a table
    // without its Id index (see load_mode()); any other run has the index built first, in case a
    // load was killed between its last page and the index.
    bool loading = !state_.full_sync_done;
    bool append = false;
    // The search index follows the table (and its writes) from here on: store.h ensure_search_index.
    // A reload table has none: finish_reload indexes the table it becomes.
    Status prepared = writes_.call(
        [name, columns, snapshot, save = save_reset_, loading, &append,
         search = reloading_ ? std::vector<std::string>() : catalog::search_columns(selection_)](
            store::Store& st) -> Status {
          CRMSYNC_TRY(st.ensure_table(name, columns));
          CRMSYNC_TRY(st.ensure_search_index(name, search));
          if (save) CRMSYNC_TRY(st.save_state(snapshot));
          if (!loading) return st.ensure_id_index(name);
          auto a = st.begin_append(name);
          if (!a) return a.error();
          append = *a;
          return ok_status();
        },
        /*flush=*/true);
    append_ = append;
    return prepared;
  }

  // How the window's rows are written: appended while a first load fills a table without its Id
  // index (begin_append: it was empty, or a load cut short left it so), upserted otherwise. Rows
  // read twice by a resumed load are collapsed when the index is built (finish_window). Back-fill,
  // formula re-reads and deletes always upsert: the store builds the index before those.
  store::WriteMode load_mode() const { return append_ ? store::WriteMode::kAppend : store::WriteMode::kUpsert; }

  std::vector<store::Column> columns_of(const std::vector<std::string>& names) const {
    std::vector<store::Column> out;
    for (const auto& n : names) {
      if (const catalog::SyncedField* f = selection_.find(n)) out.push_back({f->name, f->storage});
    }
    return out;
  }

  // Queues rows (and the state that goes with them) for the writer.
  Status post_rows(const std::vector<std::string>& names, Rows rows, bool flush,
                   std::function<void()> after_commit = {}, store::WriteMode mode = store::WriteMode::kUpsert) {
    auto shared = std::make_shared<Rows>(std::move(rows));
    auto columns = columns_of(names);
    store::SyncState snapshot = state_;
    auto n = static_cast<std::int64_t>(shared->size());
    std::size_t bytes = shared->bytes();
    ++posted_batches_;
    if (log::enabled(log::Level::kInfo) && (n > 0 || flush)) after_commit = log_commit(n, std::move(after_commit));
    return writes_.post(
        [name = table_, columns, shared, snapshot, mode](store::Store& st) -> Status {
          if (!shared->empty()) {
            auto w = st.writer(name, columns, mode);
            if (!w) return w.error();
            CRMSYNC_TRY((*w)->upsert_rows(*shared));
          }
          return st.save_state(snapshot);
        },
        n, std::move(after_commit), flush, bytes);
  }

  // A server whose limit is below Salesforce's (a proxy, or the emulator's HTTP library at 8,192
  // bytes of request line), or headers longer than query_plan.h allows for, are answered 414 URI
  // Too Long or 431 Request Header Fields Too Large before any row is read: plan again with half
  // the limit.
  template <typename Read>
  Status with_uri_retry(Read read) {
    for (;;) {
      std::int64_t posted_before = posted_batches_;
      Status s = read();
      bool too_long = !s && (s.error().http_status == 414 || s.error().http_status == 431);
      if (!too_long || posted_batches_ != posted_before || uri_limit_ <= 2048) return s;
      uri_limit_ /= 2;
    }
  }

  // An increment whose window query times out (QUERY_TIMEOUT: a wide window over a big table,
  // e.g. after a long pause) before any row is read is read in narrower windows: the first half
  // (its end becomes the watermark), then the rest from there, halving again where it still times
  // out. Every window read moves the start forward and every timeout halves the span: it ends.
  Status read_window() {
    for (;;) {
      std::int64_t posted_before = posted_batches_;
      Status s = with_uri_retry([this] { return read_window_once(); });
      if (!s) {
        if (s.error().code != "QUERY_TIMEOUT" || posted_batches_ != posted_before || !narrow_window()) return s;
        continue;
      }
      if (!window_cap_) return s;  // read up to the window's real end
      // The rest, from where the narrower window ended: the lookback was read already.
      window_floor_ = window_cap_;
      window_cap_.reset();
    }
  }

  // Caps the window at the middle of what was just asked; false when it cannot narrow further
  // (a full load has no start: a big one goes through Bulk, which splits its own way).
  bool narrow_window() {
    if (!window_.start || !window_.end || *window_.end - *window_.start < 2000) return false;
    window_cap_ = (*window_.start + (*window_.end - *window_.start) / 2) / 1000 * 1000;
    ++report_.window_splits;
    return true;
  }

  Window window_for(EpochMs now) const {
    Window w = selection_.modstamp_field.empty() ? Window{}
                                                 : increment_window(state_.watermark, now,
                                                                    ctx_.config.sync.lookback_seconds,
                                                                    ctx_.config.sync.settle_seconds);
    if (window_floor_ && w.start && *w.start < *window_floor_) w.start = window_floor_;
    if (window_cap_ && w.end && *window_cap_ < *w.end) w.end = window_cap_;
    return w;
  }

  Status read_window_once() {
    // The first page may have come in the run's composite request: same clock reading, same query.
    EpochMs now = planned_now_ ? *planned_now_ : ctx_.now();
    planned_now_.reset();
    window_ = window_for(now);
    auto reader = std::make_unique<WindowReader>(*client_, selection_, names_, window_, ctx_.batch_size, uri_limit_,
                                                 [this] { return before_call(); });
    CRMSYNC_TRY(reader->open());
    // A full load may leave for Bulk after the first page: no read-ahead spent on its second.
    reader->set_read_ahead(true, !bulk_candidate());
    if (first_page_ && reader->single_query() == first_query_) reader->seed_first_page(std::move(*first_page_));
    first_page_.reset();
    report_.query_parts = reader->parts();
    ReadBatch batch;
    auto more = reader->next(batch);
    if (!more) return more.error();
    // The first page's totalSize decides the path: no call spent on small objects (most of them).
    if (*more && bulk_candidate() && reader->total() > ctx_.config.sync.bulk_threshold) {
      std::optional<EpochMs> first_stamp = batch.rows.empty() ? std::nullopt : modstamp_of(batch.rows, 0);
      std::int64_t total = reader->total();
      reader.reset();  // its cursor is not used again
      auto bulk = read_bulk(first_stamp, total);
      if (!bulk) return bulk.error();
      if (*bulk) return finish_window(now);
      // Read by REST after all: from the start (rows a Bulk half committed are upserted again).
      report_.records = 0;
      report_.deleted = 0;
      reader = std::make_unique<WindowReader>(*client_, selection_, names_, window_, ctx_.batch_size, uri_limit_,
                                              [this] { return before_call(); });
      CRMSYNC_TRY(reader->open());
      more = reader->next(batch);
      if (!more) return more.error();
    }
    while (*more) {
      report_.records += static_cast<std::int64_t>(batch.rows.size());
      report_.deleted += batch.deleted;
      if (batch.last_modstamp && (!state_.watermark || *batch.last_modstamp > *state_.watermark)) {
        state_.watermark = batch.last_modstamp;
      }
      CRMSYNC_TRY(
          post_rows(names_, std::move(batch.rows), false, progress_after_commit(reader->total()), load_mode()));
      more = reader->next(batch);
      if (!more) return more.error();
    }
    add_cuts(cuts_, reader->cuts());
    return finish_window(now);
  }

  // "Account: committed 2000 rows, watermark 2024-05-02T13:30:00.000Z" at info, once the rows (and
  // the state posted with them) are committed; then `then` (the progress line).
  std::function<void()> log_commit(std::int64_t rows, std::function<void()> then) {
    std::string watermark = state_.watermark ? format_datetime_iso(*state_.watermark) : "";
    return [name = object(), rows, watermark, then = std::move(then)] {
      log::info("commit",
                name + (rows > 0 ? ": committed " + std::to_string(rows) + " rows" : ": committed its state") +
                    (watermark.empty() ? "" : ", watermark " + watermark),
                {{"object", name}, {"rows", rows}, {"watermark", watermark}});
      if (then) then();
    };
  }

  // Runs on the writer thread after the commit; captures nothing that may be gone by then.
  std::function<void()> progress_after_commit(std::int64_t total) {
    if (!ctx_.options.on_page) return {};
    return [on_page = &ctx_.options.on_page, start = start_,
            p = Progress{object(), report_.records, total, 0.0}]() mutable {
      p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      (*on_page)(p);
    };
  }

  // The whole window is read: the watermark moves to its end (never back).
  Status finish_window(EpochMs now) {
    if (window_.end && (!state_.watermark || *window_.end > *state_.watermark)) state_.watermark = window_.end;
    if (selection_.modstamp_field.empty()) state_.watermark.reset();
    state_.full_sync_done = true;
    clear_bulk_resume();  // with the watermark, in the same transaction
    if (report_.full) state_.formulas_refreshed = now;  // just read with everything else
    CRMSYNC_TRY(post_rows(names_, {}, /*flush=*/true));
    if (!append_) return ok_status();
    // The load is committed: build the Id index, committed at once (a kill before that leaves a
    // finished load without it, which the next run's prepare_table builds).
    append_ = false;
    return writes_.post(
        [name = table_](store::Store& st) -> Status { return st.ensure_id_index(name); }, 0, {}, /*flush=*/true);
  }

  // ---- Bulk API 2.0 full loads -------------------------------------------------------------------

  bool bulk_candidate() const {
    return report_.full && !state_.watermark && !selection_.modstamp_field.empty() && window_.end.has_value();
  }

  std::optional<EpochMs> modstamp_of(const Rows& rows, std::size_t r) const {
    for (std::size_t i = 0; i < names_.size() && i < rows.width(); ++i) {
      if (!iequals(names_[i], selection_.modstamp_field)) continue;
      if (rows.kind(r, i) == Rows::Kind::kText) return parse_datetime(rows.text(r, i));
    }
    return std::nullopt;
  }

  // A job that Salesforce could not finish (or refused) is worth a smaller window, then REST;
  // anything else (the quota guard, a lost session, the store) stops the object as a REST read would.
  static bool bulk_may_fall_back(const Error& e) {
    if (is_quota_stop(e) || e.code == "REQUEST_LIMIT_EXCEEDED") return false;
    return e.kind == ErrorKind::kSalesforce || e.kind == ErrorKind::kUnsupported;
  }

  // Reads the window through Bulk jobs; true when done, false when REST must read it instead
  // (report_.bulk_fallback says why). Rows commit chunk by chunk but the watermark stays unset
  // until the caller's finish_window: Bulk rows come in no modstamp order, so no prefix of them
  // marks a point to resume from. A kill before that leaves no watermark: the next run loads again.
  //
  // The job over the whole window is resumable: each page's commit records the job and the locator
  // of the next page (crmsync_sync_state.bulk_*), and a run that finds them resumes that job from
  // there while Salesforce still has it complete, over the window the job was made for.
  Result<bool> read_bulk(std::optional<EpochMs> first_stamp, std::int64_t total) {
    report_.bulk = true;
    if (!state_.bulk_job_id.empty() && state_.bulk_window_end) window_.end = state_.bulk_window_end;
    auto whole = run_bulk_job(window_, total, /*resumable=*/true);
    if (!whole) return whole.error();
    if (whole->empty()) return true;
    clear_bulk_resume();  // a failed job is not resumed: the halves (or REST) start over
    std::string why = *whole;
    // Split [first row's second, end) in two and run a job per half.
    std::optional<EpochMs> mid;
    if (first_stamp && window_.end) {
      EpochMs lo = *first_stamp / 1000 * 1000;
      EpochMs m = (lo + (*window_.end - lo) / 2) / 1000 * 1000;
      if (m > lo && m < *window_.end) mid = m;
    }
    if (mid) {
      bool halves_done = true;
      // The second half resumes like the whole job: the first is wholly committed by then, so once
      // the second is read everything below the window's end is stored. A kill in the first half
      // starts over (what is recorded could not say that the second half is still to run).
      const std::array<Window, 2> halves = {Window{window_.start, mid}, Window{mid, window_.end}};
      for (std::size_t h = 0; h < halves.size(); ++h) {
        auto r = run_bulk_job(halves[h], total, /*resumable=*/h == 1);
        if (!r) return r.error();
        if (!r->empty()) {
          clear_bulk_resume();
          why = *r + " (also over half the time window)";
          halves_done = false;
          break;
        }
      }
      if (halves_done) return true;
    }
    report_.bulk = false;
    report_.bulk_fallback = why;
    report_.warnings.push_back(object() + ": Bulk API query job failed (" + why + "); read through REST paging instead");
    return false;
  }

  // One queryAll job over `w`, its rows committed chunk by chunk. Returns "" when it was read,
  // otherwise why the job could not be used (an error worth a fallback).
  Result<std::string> run_bulk_job(const Window& w, std::int64_t total, bool resumable) {
    std::string soql = build_soql(object(), names_, selection_.modstamp_field, w);
    if (auto order = soql.rfind(" ORDER BY "); order != std::string::npos) soql.resize(order);  // Bulk: any order
    salesforce::BulkQueryOptions options = ctx_.options.bulk;
    if (options.max_records <= 0) {
      options.max_records = static_cast<int>(std::min<std::int64_t>(5000, ctx_.options.rows_per_commit > 0
                                                                              ? ctx_.options.rows_per_commit
                                                                              : ctx_.config.sync.rows_per_commit));
    }
    options.before_poll = [this] { return before_call(); };  // a long job is polled many times
    options.before_page = [this] { return before_call(); };  // and read in many pages, some ahead
    std::string job_id, next_locator;
    if (resumable) {
      options.resume_job_id = state_.bulk_job_id;
      options.resume_locator = state_.bulk_locator;
      options.on_page_read = [&](const salesforce::BulkChunk& chunk) {
        job_id = chunk.job_id;
        next_locator = chunk.next_locator;
        if (!options.resume_job_id.empty() && job_id == options.resume_job_id) report_.bulk_resumed = true;
      };
    }
    CRMSYNC_TRY(before_call());
    ++report_.bulk_jobs;
    std::int64_t records_before = report_.records, deleted_before = report_.deleted;
    auto stats = fetch_bulk(*client_, soql, /*all_rows=*/true, selection_, options, [&](ParsedPage& page) -> Status {
      if (resumable) {  // committed with the page's rows
        state_.bulk_job_id = job_id;
        state_.bulk_locator = next_locator;
        state_.bulk_window_end = w.end;
      }
      report_.records += static_cast<std::int64_t>(page.rows.size());
      report_.deleted += page.deleted;
      add_cuts(cuts_, page.cuts);
      return post_rows(names_, std::move(page.rows), false, progress_after_commit(total), load_mode());
    });
    account_calls();
    if (stats) return std::string();
    if (!bulk_may_fall_back(stats.error())) return stats.error();
    // Rows of a job cut short stay committed (the next job or REST upserts them again); they are
    // counted once, by the read that completes.
    report_.records = records_before;
    report_.deleted = deleted_before;
    return stats.error().to_string();
  }

  void clear_bulk_resume() {
    state_.bulk_job_id.clear();
    state_.bulk_locator.clear();
    state_.bulk_window_end.reset();
  }

  // Reads Id + `fields` for every row up to the window's end and upserts just those columns.
  Result<std::int64_t> read_columns(const std::vector<std::string>& fields) {
    std::int64_t rows = 0;
    CRMSYNC_TRY(with_uri_retry([&]() -> Status {
      auto r = read_columns_once(fields);
      if (!r) return r.error();
      rows = *r;
      return ok_status();
    }));
    return rows;
  }

  Result<std::int64_t> read_columns_once(const std::vector<std::string>& fields) {
    std::vector<std::string> names = {"Id"};
    for (const auto& f : fields) {
      if (!iequals(f, "Id")) names.push_back(f);
    }
    Window w;
    w.end = window_.end;
    WindowReader reader(*client_, selection_, names, w, ctx_.batch_size, uri_limit_,
                        [this] { return before_call(); });
    CRMSYNC_TRY(reader.open());
    std::int64_t rows = 0;
    ReadBatch batch;
    for (;;) {
      auto more = reader.next(batch);
      if (!more) return more.error();
      if (!*more) break;
      rows += static_cast<std::int64_t>(batch.rows.size());
      CRMSYNC_TRY(post_rows(names, std::move(batch.rows), false));
    }
    add_cuts(cuts_, reader.cuts());
    return rows;
  }

  // Fields added since the rows were stored get their values: one pass of Id + those fields.
  Status backfill() {
    std::vector<std::string> fields;
    for (const auto& f : split_names(state_.pending_backfill)) {
      if (const catalog::SyncedField* sf = selection_.find(f)) fields.push_back(sf->name);
    }
    if (state_.pending_backfill.empty()) return ok_status();
    if (!fields.empty()) {
      auto rows = read_columns(fields);
      if (!rows) return rows.error();
      report_.backfilled = *rows;
    }
    state_.pending_backfill.clear();
    return post_rows(names_, {}, /*flush=*/true);
  }

  // Formula values change without SystemModstamp moving: re-read Id + formulas on a schedule.
  Status refresh_formulas() {
    std::vector<std::string> formulas;
    for (const auto& f : selection_.fields) {
      if (f.calculated) formulas.push_back(f.name);
    }
    if (formulas.empty()) return ok_status();
    EpochMs now = ctx_.now();
    EpochMs every = ctx_.config.sync.formula_refresh_hours * 3600 * 1000;
    if (state_.formulas_refreshed != 0 && now - state_.formulas_refreshed < every) return ok_status();
    auto rows = read_columns(formulas);
    if (!rows) return rows.error();
    report_.formulas_refreshed = *rows;
    state_.formulas_refreshed = now;
    return post_rows(names_, {}, /*flush=*/true);
  }

  enum class HardDeletePass { kNone, kReconcile, kGetDeleted };

  // How this run finds hard deletes; `full`: the window read is a full load (known before the read
  // from the state, after it from the report).
  HardDeletePass hard_delete_pass(bool full) const {
    bool restarted = restarted_load_ && !selection_.modstamp_field.empty();
    if (full && !ctx_.options.reconcile && !restarted) return HardDeletePass::kNone;  // every row was just read
    // getDeleted reaches 15 days back: a window starting before that is out of its reach.
    bool stale = ctx_.started - get_deleted_from() > kGetDeletedReachMs;
    if (ctx_.options.reconcile || restarted || stale || !ctx_.options.deleted_ids) return HardDeletePass::kReconcile;
    return HardDeletePass::kGetDeleted;
  }
  HardDeletePass hard_delete_pass() const {
    return hard_delete_pass(!state_.watermark.has_value() || selection_.modstamp_field.empty());
  }

  EpochMs get_deleted_from() const {
    return (previous_success_ != 0 ? previous_success_ : ctx_.started) - ctx_.config.sync.lookback_seconds * 1000;
  }

  Status find_hard_deletes() {
    HardDeletePass pass = hard_delete_pass(report_.full);
    if (pass == HardDeletePass::kNone) return ok_status();
    if (pass == HardDeletePass::kReconcile) return reconcile_ids();
    Result<std::vector<std::string>> ids = std::vector<std::string>{};
    if (deleted_ids_) {
      ids = std::move(*deleted_ids_);  // answered inside the run's composite request
    } else if (deleted_error_ && !is_retryable(*deleted_error_)) {
      ids = *deleted_error_;
    } else {
      CRMSYNC_TRY(before_call());
      ids = ctx_.options.deleted_ids(*client_, object(), get_deleted_from(), ctx_.now());
    }
    if (!ids) {
      const Error& e = ids.error();
      if (e.kind == ErrorKind::kNotFound || e.kind == ErrorKind::kUnsupported ||
          e.code == "INVALID_REPLICATION_DATE" || e.code == "EXCEEDED_ID_LIMIT") {
        return reconcile_ids();
      }
      return e;
    }
    return apply_vanished(std::move(*ids), /*known_to_store=*/false);
  }

  // Ids only: every Id Salesforce still has (queryAll: soft-deleted ones too), compared with the
  // store's; rows that vanished are marked deleted.
  Status reconcile_ids() {
    report_.reconciled = true;
    catalog::FieldSelection ids_only = subset(selection_, {"Id"});
    ids_only.modstamp_field.clear();
    PageParser parser(ids_only);
    ParsedPage parsed;
    auto reader = parser.reader(parsed);  // each page parsed once, while the client checks it
    std::vector<IdKey> org;
    CRMSYNC_TRY(before_call());
    auto page = client_->query("SELECT Id FROM " + object(), /*include_deleted=*/true, ctx_.batch_size, reader);
    for (;;) {
      if (!page) return page.error();
      for (std::size_t r = 0; r < parsed.rows.size(); ++r) org.push_back(id_key(parsed.rows.text(r, 0)));
      if (page->done) break;
      CRMSYNC_TRY(before_call());
      page = client_->query_more(page->next_records_url, reader, ctx_.batch_size);
    }
    std::sort(org.begin(), org.end());
    std::vector<std::string> vanished;
    const std::string name = table_;
    CRMSYNC_TRY(writes_.call([&](store::Store& st) -> Status {
      return st.for_each_id(name, /*skip_deleted=*/true, [&](std::string_view id) -> Status {
        if (!std::binary_search(org.begin(), org.end(), id_key(id))) vanished.emplace_back(id);
        return ok_status();
      });
    }));
    return apply_vanished(std::move(vanished), /*known_to_store=*/true);
  }

  // Marks rows deleted (IsDeleted = 1; removed where the object has no IsDeleted field, so the
  // table never shows a row Salesforce no longer has as live). Ids the store does not hold are
  // ignored.
  Status apply_vanished(std::vector<std::string> ids, bool known_to_store) {
    if (ids.empty()) return ok_status();
    if (!known_to_store) {
      std::vector<IdKey> wanted;
      for (const auto& id : ids) wanted.push_back(id_key(id));
      std::sort(wanted.begin(), wanted.end());
      std::vector<std::string> held;
      const std::string name = table_;
      CRMSYNC_TRY(writes_.call([&](store::Store& st) -> Status {
        return st.for_each_id(name, true, [&](std::string_view id) -> Status {
          if (std::binary_search(wanted.begin(), wanted.end(), id_key(id))) held.emplace_back(id);
          return ok_status();
        });
      }));
      ids = std::move(held);
      if (ids.empty()) return ok_status();
    }
    report_.hard_deleted += static_cast<std::int64_t>(ids.size());
    report_.deleted += static_cast<std::int64_t>(ids.size());
    bool has_flag = selection_.find("IsDeleted") != nullptr;
    auto shared = std::make_shared<std::vector<std::string>>(std::move(ids));
    auto columns = columns_of({"Id", "IsDeleted"});
    return writes_.post(
        [name = table_, columns, shared, has_flag](store::Store& st) -> Status {
          auto w = st.writer(name, columns);
          if (!w) return w.error();
          for (const auto& id : *shared) {
            if (has_flag) {
              std::vector<store::Value> row = {id, true};
              CRMSYNC_TRY((*w)->upsert(row));
            } else {
              CRMSYNC_TRY((*w)->remove(id));
            }
          }
          return ok_status();
        },
        static_cast<std::int64_t>(shared->size()), {}, /*flush=*/true);
  }

  // The run's figures into crmsync_sync_state, committed.
  void finish_state() {
    bool failed = report_.outcome == ObjectReport::Outcome::kFailed;
    bool paused = report_.outcome == ObjectReport::Outcome::kPaused;
    state_.deleted = report_.deleted;
    state_.api_calls = report_.api_calls;
    state_.last_run_finished = ctx_.now();
    state_.last_error = failed || paused ? report_.message : "";
    if (!failed && !paused && report_.outcome != ObjectReport::Outcome::kSkipped) {
      state_.last_success = state_.last_run_finished;
    }
    std::int64_t rows = 0;
    store::SyncState snapshot = state_;
    const std::string name = object();
    Status s = writes_.call(
        [&rows, snapshot, name](store::Store& st) mutable -> Status {
          auto count = st.count_rows(name);
          if (count) rows = *count;  // no table yet (skipped object): 0
          snapshot.rows = rows;
          return st.save_state(snapshot);
        },
        /*flush=*/true);
    report_.rows_in_store = rows;
    if (!s && report_.outcome != ObjectReport::Outcome::kFailed) {
      report_.outcome = ObjectReport::Outcome::kFailed;
      report_.message = s.error().to_string();
    }
  }

  // A subrequest error worth asking again on a call of its own (a 5xx, a timeout, a lost session).
  static bool is_retryable(const Error& e) {
    return e.kind == ErrorKind::kNetwork || e.kind == ErrorKind::kAuth || e.http_status >= 500 ||
           e.code == "QUERY_TIMEOUT";
  }

  RunContext& ctx_;
  WriteQueue& writes_;  // the writer this object's rows and state go through (RunContext::writes or another)
  salesforce::Client* client_;
  Clock::time_point start_;
  std::int64_t calls_seen_;
  std::int64_t own_calls_ = 0;
  Status early_ = ok_status();  // what load() and plan() ended with
  bool state_ok_ = false;       // load() read the state
  bool planned_ = false;        // plan() chose the fields and prepared the table
  bool decided_ = false;        // plan() settled the object (skipped: the org lacks it)
  std::optional<EpochMs> planned_now_;
  std::string first_query_;
  std::optional<salesforce::QueryPage> first_page_;
  std::optional<std::vector<std::string>> deleted_ids_;
  std::optional<Error> deleted_error_;
  ObjectReport report_;
  store::SyncState state_;
  bool state_loaded_ = false;
  bool restarted_load_ = false;
  bool reloading_ = false;   // a full refresh writes into the reload table (choose_table)
  bool save_reset_ = false;  // prepare_table commits the state with the table (a reload started, fields added)
  std::string table_;        // the store table this run writes: the object's, or its reload table
  bool append_ = false;  // the window's rows are appended (load_mode)
  EpochMs previous_success_ = 0;
  std::vector<std::string> store_columns_;
  catalog::FieldSelection selection_;
  std::vector<std::string> names_;
  LengthCuts cuts_;  // values stored cut to their field's length, for the report's warnings
  Window window_;
  std::optional<EpochMs> window_cap_;    // a narrower window's end after QUERY_TIMEOUT (read_window)
  std::optional<EpochMs> window_floor_;  // where the rest of the window starts once a narrower one is read
  std::size_t uri_limit_ = ctx_.options.max_uri_bytes;
  std::int64_t posted_batches_ = 0;
};

}  // namespace

std::unique_ptr<ObjectRun> ObjectRun::create(RunContext& ctx, WriteQueue& writes, salesforce::Client& client,
                                              const std::string& object) {
  return std::make_unique<ObjectSync>(ctx, writes, client, object);
}

ObjectReport sync_one_object(RunContext& ctx, salesforce::Client& client, const std::string& object) {
  ObjectSync one(ctx, ctx.writes, client, object);
  return one.run(client);
}

}  // namespace crmsync::sync
