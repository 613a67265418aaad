#include "sync/sync.h"

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "sync/composite_reads.h"
#include "sync/object_sync.h"
#include "sync/quota.h"
#include "sync/visibility.h"
#include "sync/write_queue.h"

namespace crmsync::sync {

bool SyncReport::ok() const {
  for (const auto& o : objects) {
    if (o.outcome == ObjectReport::Outcome::kFailed) return false;
  }
  return true;
}

bool SyncReport::paused() const {
  for (const auto& o : objects) {
    if (o.outcome == ObjectReport::Outcome::kPaused) return true;
  }
  return false;
}

bool SyncReport::interrupted() const {
  for (const auto& o : objects) {
    if (o.interrupted) return true;
  }
  return false;
}

int exit_code(const SyncReport& report) {
  if (!report.ok()) return 1;
  if (report.interrupted()) return kInterruptedExitCode;
  return report.paused() ? 3 : 0;
}

std::vector<store::Column> columns_for(const catalog::FieldSelection& selection) {
  std::vector<store::Column> columns;
  columns.reserve(selection.fields.size());
  for (const auto& f : selection.fields) columns.push_back({f.name, f.storage, f.type});
  return columns;
}

store::OpenOptions store_options(const config::Config& config) {
  return store::OpenOptions{config.store.url, config.store.schema, config.store.password};
}

namespace {
Result<std::vector<std::string>> get_deleted_ids(salesforce::Client& client, const std::string& object, EpochMs start,
                                                 EpochMs end) {
  auto deleted = client.get_deleted(object, start, end);
  if (!deleted) return deleted.error();
  std::vector<std::string> ids;
  ids.reserve(deleted->records.size());
  for (const auto& r : deleted->records) ids.push_back(r.id);
  return ids;
}
using GetDeletedFn = Result<std::vector<std::string>> (*)(salesforce::Client&, const std::string&, EpochMs, EpochMs);

// What the run says once when refuses_every_object stopped it: Salesforce's error with its fix.
Error run_stopped_by(const Error& e) {
  return Error(e.kind, e.code,
               e.message + " Salesforce refused the integration user itself, so every object would fail the same "
                           "way: the run stopped at the first refusal (objects read before it keep what they "
                           "committed). Once it is fixed, `crmsync check` confirms the access and the next sync "
                           "resumes from the watermarks.",
               e.http_status);
}

// A fact about the org for `crmsync serve` (store::kInstanceUrlKey for its links to records,
// store::kOrgIdKey for its sign-in); written before the writer thread owns the store, only when it
// changed.
Status record_meta(store::Store& store, std::string_view key, const std::string& value) {
  if (value.empty()) return ok_status();
  auto known = store.meta(key);
  if (!known) return known.error();
  if (known->value_or("") == value) return ok_status();
  CRMSYNC_TRY(store.begin());
  Status put = store.put_meta(key, value);
  if (!put) {
    (void)store.rollback();
    return put;
  }
  return store.commit();
}
}  // namespace

bool refuses_every_object(const Error& e) {
  if (e.kind == ErrorKind::kAuth) return true;
  return e.code == "API_DISABLED_FOR_ORG" || e.code == "API_CURRENTLY_DISABLED" || e.code == "INVALID_LOGIN";
}

DeletedIdsSource salesforce_get_deleted() { return DeletedIdsSource(&get_deleted_ids); }

bool is_salesforce_get_deleted(const DeletedIdsSource& source) {
  const GetDeletedFn* fn = source.target<GetDeletedFn>();
  return fn != nullptr && *fn == &get_deleted_ids;
}

Result<SyncReport> run_sync(const config::Config& config, salesforce::Client& client, store::Store& store,
                            const SyncOptions& options) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<StoreLock> own_lock;
  if (options.store_lock == nullptr) {
    auto lock = StoreLock::acquire(store_options(config));
    if (!lock) return lock.error();
    own_lock = std::move(*lock);
  }
  CRMSYNC_TRY(record_meta(store, store::kInstanceUrlKey, client.instance_url()));
  CRMSYNC_TRY(record_meta(store, store::kOrgIdKey, client.org_id()));

  auto chosen = objects_for_run(config, options.objects, options.full_refresh);
  if (!chosen) return chosen.error();
  const std::vector<std::string> objects = std::move(*chosen);
  int concurrency = options.concurrency > 0 ? options.concurrency : static_cast<int>(config.sync.concurrency);
  concurrency = std::max(1, std::min<int>(concurrency, static_cast<int>(objects.size())));
  std::int64_t rows_per_commit = options.rows_per_commit > 0 ? options.rows_per_commit : config.sync.rows_per_commit;

  // About one parsed page in flight per worker, and at most 8 MB of them (WriteQueue's default):
  // enough to keep the writer busy, bounded memory whatever the page size.
  const auto max_pending = static_cast<std::size_t>(concurrency) + 1;
  WriteQueue writes(store, rows_per_commit, max_pending);
  // More writers, each on a store connection of its own, for the objects after the first. A
  // server that refuses another connection (max_connections reached, a connection limit on the
  // role) leaves the run with the writers it has: slower, not failed.
  int writer_count = options.store_writers > 0 ? options.store_writers : store::is_postgres_url(config.store.url) ? 2 : 1;
  writer_count = std::max(1, std::min<int>(writer_count, static_cast<int>(objects.size())));
  std::vector<std::unique_ptr<store::Store>> more_stores;
  std::vector<std::unique_ptr<WriteQueue>> more_writes;
  for (int w = 1; w < writer_count; ++w) {
    auto opened = store::Store::open(store_options(config));
    if (!opened) break;
    more_stores.push_back(std::move(*opened));
    more_writes.push_back(std::make_unique<WriteQueue>(*more_stores.back(), rows_per_commit, max_pending));
  }
  writer_count = 1 + static_cast<int>(more_writes.size());
  auto writer_of = [&](std::size_t i) -> WriteQueue& {
    const std::size_t w = i % static_cast<std::size_t>(writer_count);
    return w == 0 ? writes : *more_writes[w - 1];
  };
  QuotaGuard quota(config.sync.quota_daily_share, config.sync.quota_run_share, options.max_api_calls);
  RunContext ctx{config, options, writes, quota};
  ctx.batch_size = options.batch_size > 0 ? options.batch_size : static_cast<int>(config.sync.batch_size);
  ctx.started = ctx.now();

  std::vector<std::unique_ptr<ObjectRun>> runs;
  for (std::size_t i = 0; i < objects.size(); ++i) runs.push_back(ObjectRun::create(ctx, writer_of(i), client, objects[i]));
  std::int64_t composite_calls = options.composite ? read_through_composite(ctx, client, objects, runs) : 0;

  std::vector<ObjectReport> reports(objects.size());
  std::atomic<std::size_t> next{0};
  auto work = [&](salesforce::Client* own) {
    std::unique_ptr<salesforce::Client> opened;
    if (own == nullptr) {
      // A worker that cannot log in leaves its share to the others (the first worker always has
      // the caller's session).
      auto c = options.connect ? options.connect() : salesforce::Client::connect(config::connect_options(config));
      if (!c) return;
      opened = std::move(*c);
      own = opened.get();
    }
    for (;;) {
      if (ctx.stopped()) return;  // the integration user was refused: no object can go on
      std::size_t i = next.fetch_add(1);
      if (i >= objects.size()) return;
      reports[i] = runs[i]->run(*own);
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < concurrency; ++t) workers.emplace_back(work, nullptr);
  work(&client);
  for (auto& t : workers) t.join();
  // After the data, so that it never takes budget from it; the caller's session is free again.
  std::int64_t visibility_calls = 0;
  std::map<std::string, check::Finding> hidden;
  if (!ctx.stopped()) hidden = check_visibility(ctx, client, objects, visibility_calls);
  share_visibility_calls(ctx, reports, visibility_calls);
  Status finished = writes.finish();
  for (auto& more : more_writes) {
    Status s = more->finish();
    if (finished && !s) finished = s;
  }
  CRMSYNC_TRY(finished);
  if (auto refusal = ctx.stopped()) return run_stopped_by(*refusal);

  SyncReport report;
  report.objects = std::move(reports);
  for (auto& o : report.objects) {
    if (auto it = hidden.find(o.object); it != hidden.end()) o.visibility = it->second;
  }
  report.composite_api_calls = composite_calls;
  report.visibility_api_calls = visibility_calls;
  report.api_calls = 0;  // the composite and visibility calls are shared among the objects'
  for (const auto& o : report.objects) report.api_calls += o.api_calls;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace crmsync::sync
