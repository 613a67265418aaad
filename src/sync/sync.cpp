#include "sync/sync.h"

#include <chrono>

#include "common/text.h"
#include "common/timeutil.h"
#include "sync/page_parser.h"

namespace crmsync::sync {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string build_soql(const catalog::FieldSelection& sel, const std::optional<EpochMs>& watermark) {
  std::string q = "SELECT ";
  for (std::size_t i = 0; i < sel.fields.size(); ++i) {
    if (i) q += ", ";
    q += sel.fields[i].name;
  }
  q += " FROM " + sel.object;
  if (!sel.modstamp_field.empty()) {
    // >= rather than >: rows sharing the watermark's timestamp may have been cut by a page
    // boundary; re-reading them is an idempotent upsert.
    if (watermark) q += " WHERE " + sel.modstamp_field + " >= " + format_datetime_soql(*watermark);
    q += " ORDER BY " + sel.modstamp_field + ", Id";
  } else {
    q += " ORDER BY Id";
  }
  return q;
}

std::string missing_required_message(const std::string& object, const std::vector<std::string>& fields) {
  std::string list;
  for (const auto& f : fields) list += (list.empty() ? "" : ", ") + object + "." + f;
  return "the integration user cannot read the Required field" + std::string(fields.size() > 1 ? "s " : " ") +
         list + ", so " + object +
         " is not synced. Grant Read on " + (fields.size() > 1 ? "these fields" : "this field") +
         " (Setup > the integration user's permission set or profile > Object Settings > " + object +
         " > Field Permissions), then run the sync again.";
}

class ObjectSync {
 public:
  ObjectSync(const config::Config& cfg, salesforce::Client& client, store::Store& st, const SyncOptions& options,
             std::string object)
      : config_(cfg), client_(client), store_(st), options_(options) {
    report_.object = std::move(object);
  }

  // Returns an Error only when the store itself fails; everything else lands in the report.
  Result<ObjectReport> run() {
    auto start = Clock::now();
    std::int64_t calls_before = client_.api_calls();
    Status s = sync_object();
    report_.api_calls = client_.api_calls() - calls_before;
    report_.seconds = seconds_since(start);
    if (!s) {
      if (s.error().kind == ErrorKind::kStore) return s.error();
      report_.outcome = ObjectReport::Outcome::kFailed;
      report_.message = s.error().to_string();
    }
    if (state_) {
      auto rows = store_.count_rows(report_.object);
      if (rows) report_.rows_in_store = *rows;
      state_->rows = report_.rows_in_store;
      state_->deleted = report_.deleted;
      state_->api_calls = report_.api_calls;
      state_->last_run_finished = now_ms();
      state_->last_error = report_.outcome == ObjectReport::Outcome::kFailed ? report_.message : "";
      CRMSYNC_TRY(store_.begin());
      CRMSYNC_TRY(store_.save_state(*state_));
      CRMSYNC_TRY(store_.commit());
    }
    return report_;
  }

 private:
  Status sync_object() {
    const std::string& object = report_.object;
    auto describe = client_.describe(object);
    if (!describe) {
      const catalog::CatalogObject* cat = catalog::find_object(object);
      if (describe.error().kind == ErrorKind::kNotFound && cat != nullptr && cat->group != catalog::Group::kCore) {
        report_.outcome = ObjectReport::Outcome::kSkipped;
        report_.message = "the org has no " + object + " object the integration user can see; the " +
                          std::string(catalog::to_string(cat->group)) + " group goes on without it";
        return ok_status();
      }
      if (describe.error().kind == ErrorKind::kNotFound) {
        return Error(ErrorKind::kPermission, "OBJECT_NOT_VISIBLE",
                     "the integration user cannot see the " + object + " object (describe answered NOT_FOUND). Grant Read on " +
                         object + " in its permission set or profile.");
      }
      return describe.error();
    }
    auto selection = catalog::select_fields(*describe, config_.selection_for(object));
    if (!selection) return selection.error();
    if (!selection->missing_required.empty()) {
      return Error(ErrorKind::kPermission, "REQUIRED_FIELD_UNREADABLE",
                   missing_required_message(object, selection->missing_required));
    }
    for (const auto& f : selection->missing_recommended) {
      report_.warnings.push_back(object + "." + f +
                                 " (Recommended) is not readable by the integration user and is not synced; grant "
                                 "Read on it to import it, or exclude it in [objects." +
                                 object + "]");
    }
    selection_ = std::move(*selection);
    std::vector<store::Column> columns = columns_for(selection_);
    CRMSYNC_TRY(store_.ensure_table(object, columns));
    auto writer = store_.writer(object, columns);
    if (!writer) return writer.error();
    writer_ = std::move(*writer);

    auto loaded = store_.load_state(object);
    if (!loaded) return loaded.error();
    state_ = loaded->value_or(store::SyncState{});
    state_->object = object;
    state_->last_run_started = now_ms();
    if (selection_.modstamp_field.empty()) state_->watermark.reset();  // nothing to resume from
    report_.full = !state_->watermark.has_value();

    return read_pages();
  }

  Status read_pages() {
    PageParser parser(selection_);
    std::string soql = build_soql(selection_, state_->watermark);
    auto page = client_.query(soql, /*include_deleted=*/true, options_.batch_size);
    std::int64_t rows_in_txn = 0;
    bool in_txn = false;
    Status failure;
    while (true) {
      if (!page) {
        failure = page.error();
        break;
      }
      auto parsed = parser.parse(page->body);
      if (!parsed) {
        failure = parsed.error();
        break;
      }
      if (!in_txn) {
        CRMSYNC_TRY(store_.begin());
        in_txn = true;
      }
      for (const auto& row : parsed->rows) CRMSYNC_TRY(writer_->upsert(row));
      report_.records += static_cast<std::int64_t>(parsed->rows.size());
      report_.deleted += parsed->deleted;
      rows_in_txn += static_cast<std::int64_t>(parsed->rows.size());
      if (parsed->last_modstamp) {
        state_->watermark = parsed->last_modstamp;
        state_->watermark_id = parsed->last_id;
      }
      if (page->done) state_->full_sync_done = true;
      if (page->done || rows_in_txn >= options_.rows_per_commit) {
        CRMSYNC_TRY(store_.save_state(*state_));
        CRMSYNC_TRY(store_.commit());
        in_txn = false;
        rows_in_txn = 0;
      }
      if (options_.on_page) options_.on_page({report_.object, report_.records, page->total_size});
      if (page->done) break;
      page = client_.query_more(page->next_records_url);
    }
    if (in_txn) {
      // Keep what was read before the failure: those rows and their watermark are consistent.
      CRMSYNC_TRY(store_.save_state(*state_));
      CRMSYNC_TRY(store_.commit());
    }
    return failure;
  }

  const config::Config& config_;
  salesforce::Client& client_;
  store::Store& store_;
  const SyncOptions& options_;
  ObjectReport report_;
  catalog::FieldSelection selection_;
  std::unique_ptr<store::TableWriter> writer_;
  std::optional<store::SyncState> state_;
};

}  // namespace

bool SyncReport::ok() const {
  for (const auto& o : objects) {
    if (o.outcome == ObjectReport::Outcome::kFailed) return false;
  }
  return true;
}

std::vector<store::Column> columns_for(const catalog::FieldSelection& selection) {
  std::vector<store::Column> columns;
  columns.reserve(selection.fields.size());
  for (const auto& f : selection.fields) columns.push_back({f.name, f.storage});
  return columns;
}

salesforce::ConnectOptions connect_options(const config::Config& config) {
  salesforce::ConnectOptions o;
  o.login_url = config.salesforce.login_url;
  o.auth = config.salesforce.auth;
  o.client_id = config.salesforce.client_id;
  o.client_secret = config.salesforce.client_secret;
  o.username = config.salesforce.username;
  o.password = config.salesforce.password;
  o.private_key_file = config.salesforce.private_key_file;
  o.refresh_token = config.salesforce.refresh_token;
  o.refresh_token_file = config.salesforce.refresh_token_file;
  o.api_version = config.salesforce.api_version;
  o.verify_tls = config.salesforce.verify_tls;
  o.max_retries = static_cast<int>(config.salesforce.max_retries);
  o.retry_base_ms = static_cast<long>(config.salesforce.retry_base_ms);
  return o;
}

Result<SyncReport> run_sync(const config::Config& config, salesforce::Client& client, store::Store& store,
                            const SyncOptions& options) {
  auto start = Clock::now();
  std::int64_t calls_before = client.api_calls();
  SyncReport report;
  for (const std::string& object : config.enabled_objects()) {
    ObjectSync one(config, client, store, options, object);
    auto r = one.run();
    if (!r) return r.error();
    report.objects.push_back(std::move(*r));
  }
  report.api_calls = client.api_calls() - calls_before;
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace crmsync::sync
