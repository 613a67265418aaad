// crmsync_sync_state and crmsync_export_ledger in the PostgreSQL store. Times are timestamptz (so
// that `SELECT * FROM salesforce.crmsync_sync_state` reads naturally); they travel as epoch
// milliseconds on the way out and as ISO-8601 text on the way in, exact to the millisecond.

#include "store/postgres/pg_store.h"

namespace crmsync::store::postgres {

namespace {

const std::string& state_select() {
  static const std::string sql = "SELECT object, " + epoch_ms_of("watermark") + ", watermark_id, full_sync_done, " +
                                 epoch_ms_of("last_run_started") + ", " + epoch_ms_of("last_run_finished") +
                                 ", rows, deleted, api_calls, coalesce(last_error, ''), " + epoch_ms_of("last_success") +
                                 ", " + epoch_ms_of("formulas_refreshed") +
                                 ", pending_backfill, bulk_job_id, bulk_locator, " + epoch_ms_of("bulk_window_end");
  return sql;
}

SyncState read_state(const PGresult* r, int i) {
  SyncState s;
  s.object = text_of(r, i, 0);
  if (!is_null(r, i, 1)) s.watermark = int_of(r, i, 1);
  s.watermark_id = text_of(r, i, 2);
  s.full_sync_done = text_of(r, i, 3) == "t";
  s.last_run_started = int_of(r, i, 4);
  s.last_run_finished = int_of(r, i, 5);
  s.rows = int_of(r, i, 6);
  s.deleted = int_of(r, i, 7);
  s.api_calls = int_of(r, i, 8);
  s.last_error = text_of(r, i, 9);
  s.last_success = int_of(r, i, 10);
  s.formulas_refreshed = int_of(r, i, 11);
  s.pending_backfill = text_of(r, i, 12);
  s.bulk_job_id = text_of(r, i, 13);
  s.bulk_locator = text_of(r, i, 14);
  if (!is_null(r, i, 15)) s.bulk_window_end = int_of(r, i, 15);
  return s;
}

Param iso(EpochMs ms) { return format_datetime_iso(ms); }
// Run times of 0 ("never") are stored as NULL rather than as 1970-01-01.
Param run_time(EpochMs ms) { return ms == 0 ? Param() : iso(ms); }

}  // namespace

Result<std::optional<SyncState>> PostgresStore::load_state(std::string_view object) {
  std::string context = "Cannot read the sync state of " + std::string(object);
  auto r = conn_->exec(state_select() + " FROM " + qualified("crmsync_sync_state") + " WHERE object = $1",
                       {std::string(object)}, context);
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0) return std::optional<SyncState>();
  return std::optional<SyncState>(read_state(r->get(), 0));
}

Result<std::vector<SyncState>> PostgresStore::all_states() { return read_all_states(*conn_, schema_); }

Result<std::vector<SyncState>> read_all_states(Connection& conn, const std::string& schema) {
  auto r = conn.exec(state_select() + " FROM " + qualified(schema, "crmsync_sync_state") + " ORDER BY object",
                     "Cannot read the sync states");
  if (!r) return r.error();
  std::vector<SyncState> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(read_state(r->get(), i));
  return out;
}

Status PostgresStore::save_state(const SyncState& s) {
  if (s.object.empty()) {
    return Error(ErrorKind::kInternal, "NO_OBJECT", "save_state() was given a state without an object name.");
  }
  static const char* const kSet =
      " ON CONFLICT (object) DO UPDATE SET watermark = excluded.watermark, watermark_id = excluded.watermark_id,"
      " full_sync_done = excluded.full_sync_done, last_run_started = excluded.last_run_started,"
      " last_run_finished = excluded.last_run_finished, rows = excluded.rows, deleted = excluded.deleted,"
      " api_calls = excluded.api_calls, last_error = excluded.last_error, last_success = excluded.last_success,"
      " formulas_refreshed = excluded.formulas_refreshed, pending_backfill = excluded.pending_backfill,"
      " bulk_job_id = excluded.bulk_job_id, bulk_locator = excluded.bulk_locator,"
      " bulk_window_end = excluded.bulk_window_end";
  std::vector<Param> params = {s.object,
                               s.watermark ? iso(*s.watermark) : Param(),
                               s.watermark_id,
                               s.full_sync_done ? "t" : "f",
                               run_time(s.last_run_started),
                               run_time(s.last_run_finished),
                               std::to_string(s.rows),
                               std::to_string(s.deleted),
                               std::to_string(s.api_calls),
                               s.last_error.empty() ? Param() : Param(s.last_error),
                               run_time(s.last_success),
                               run_time(s.formulas_refreshed),
                               s.pending_backfill,
                               s.bulk_job_id,
                               s.bulk_locator,
                               s.bulk_window_end ? iso(*s.bulk_window_end) : Param()};
  auto r = conn_->exec("INSERT INTO " + qualified("crmsync_sync_state") +
                           " (object, watermark, watermark_id, full_sync_done, last_run_started, last_run_finished,"
                           " rows, deleted, api_calls, last_error, last_success, formulas_refreshed,"
                           " pending_backfill, bulk_job_id, bulk_locator, bulk_window_end) VALUES ($1, $2, $3, $4,"
                           " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)" +
                           kSet,
                       params, "Cannot save the sync state of " + s.object);
  return r ? ok_status() : Status(r.error());
}

Result<std::vector<ExportLedgerEntry>> PostgresStore::export_ledger() {
  auto r = conn_->exec("SELECT activity_id, sobject, salesforce_id, content_hash, state, operation, marker, " +
                           epoch_ms_of("updated_at") + " FROM " + qualified("crmsync_export_ledger") +
                           " ORDER BY activity_id COLLATE \"C\"",
                       "Cannot read crmsync_export_ledger");
  if (!r) return r.error();
  std::vector<ExportLedgerEntry> out;
  const PGresult* res = r->get();
  for (int i = 0; i < PQntuples(res); ++i) {
    out.push_back(ExportLedgerEntry{text_of(res, i, 0), text_of(res, i, 1), text_of(res, i, 2), text_of(res, i, 3),
                                    text_of(res, i, 4), text_of(res, i, 5), text_of(res, i, 6), int_of(res, i, 7)});
  }
  return out;
}

Status PostgresStore::put_meta(std::string_view key, std::string_view value) {
  auto r = conn_->exec("INSERT INTO " + qualified("crmsync_meta") +
                           " (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       {std::string(key), std::string(value)}, "Cannot record " + std::string(key) + " in crmsync_meta");
  return r ? ok_status() : Status(r.error());
}

Result<std::optional<std::string>> PostgresStore::meta(std::string_view key) { return read_meta(*conn_, schema_, key); }

Result<std::optional<std::string>> read_meta(Connection& conn, const std::string& schema, std::string_view key) {
  auto r = conn.exec("SELECT value FROM " + qualified(schema, "crmsync_meta") + " WHERE key = $1", {std::string(key)},
                     "Cannot read crmsync_meta");
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0 || PQgetisnull(r->get(), 0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(text_of(r->get(), 0, 0));
}

Status PostgresStore::put_export_ledger(const ExportLedgerEntry& e) {
  auto r = conn_->exec("INSERT INTO " + qualified("crmsync_export_ledger") +
                           " (activity_id, sobject, salesforce_id, content_hash, state, operation, marker, updated_at)"
                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (activity_id) DO UPDATE SET"
                           " sobject = excluded.sobject, salesforce_id = excluded.salesforce_id,"
                           " content_hash = excluded.content_hash, state = excluded.state,"
                           " operation = excluded.operation, marker = excluded.marker, updated_at = excluded.updated_at",
                       {e.activity_id, e.sobject, e.salesforce_id, e.content_hash, e.state, e.operation, e.marker,
                        iso(e.updated_at)},
                       "Cannot record activity " + e.activity_id + " in crmsync_export_ledger");
  return r ? ok_status() : Status(r.error());
}

}  // namespace crmsync::store::postgres
