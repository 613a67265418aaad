// crmsync_sync_state in the SQLite store: one row per object, times as ISO-8601 UTC text so that
// `sqlite3 crmsync.db 'select * from crmsync_sync_state'` reads naturally.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>

namespace crmsync::store::sqlite {

namespace {

constexpr const char* kStateColumns =
    "object, watermark, watermark_id, full_sync_done, last_run_started, last_run_finished, rows, deleted,"
     " api_calls, last_error, last_success, formulas_refreshed, pending_backfill, bulk_job_id, bulk_locator,"
    " bulk_window_end";

int bind_iso(Statement& st, int index, EpochMs ms) {
  return sqlite3_bind_text(st.get(), index, format_datetime_iso(ms).c_str(), -1, SQLITE_TRANSIENT);
}

// Run times of 0 ("never") are stored as NULL rather than as 1970-01-01.
int bind_run_time(Statement& st, int index, EpochMs ms) { return ms == 0 ? st.bind_null(index) : bind_iso(st, index, ms); }

Result<EpochMs> read_time(const Statement& st, int i, const SyncState& s, const char* column) {
  if (st.column_is_null(i)) return EpochMs{0};
  std::string text = st.column_text(i);
  auto ms = parse_datetime(text);
  if (!ms) {
    return Error(ErrorKind::kStore, "INVALID_STATE",
                 "crmsync_sync_state." + std::string(column) + " for " + s.object + " holds '" + text +
                     "', which is not a YYYY-MM-DDTHH:MM:SS.sssZ time; fix or delete that row.");
  }
  return *ms;
}

Result<SyncState> read_state(const Statement& st) {
  SyncState s;
  s.object = st.column_text(0);
  if (!st.column_is_null(1)) {
    auto w = read_time(st, 1, s, "watermark");
    if (!w) return w.error();
    s.watermark = *w;
  }
  s.watermark_id = st.column_text(2);
  s.full_sync_done = sqlite3_column_int64(st.get(), 3) != 0;
  auto started = read_time(st, 4, s, "last_run_started");
  if (!started) return started.error();
  s.last_run_started = *started;
  auto finished = read_time(st, 5, s, "last_run_finished");
  if (!finished) return finished.error();
  s.last_run_finished = *finished;
  s.rows = sqlite3_column_int64(st.get(), 6);
  s.deleted = sqlite3_column_int64(st.get(), 7);
  s.api_calls = sqlite3_column_int64(st.get(), 8);
  s.last_error = st.column_text(9);
  auto success = read_time(st, 10, s, "last_success");
  if (!success) return success.error();
  s.last_success = *success;
  auto formulas = read_time(st, 11, s, "formulas_refreshed");
  if (!formulas) return formulas.error();
  s.formulas_refreshed = *formulas;
  s.pending_backfill = st.column_text(12);
  s.bulk_job_id = st.column_text(13);
  s.bulk_locator = st.column_text(14);
  if (!st.column_is_null(15)) {
    auto end = read_time(st, 15, s, "bulk_window_end");
    if (!end) return end.error();
    s.bulk_window_end = *end;
  }
  return s;
}

}  // namespace

Result<std::optional<SyncState>> SqliteStore::load_state(std::string_view object) {
  std::string context = "Cannot read the sync state of " + std::string(object);
  auto st = cached(load_state_, std::string("SELECT ") + kStateColumns + " FROM crmsync_sync_state WHERE object = ?1",
                   context);
  if (!st) return st.error();
  Statement& s = **st;
  ResetOnExit guard(s);
  s.bind_text(1, object);
  auto row = s.step(context);
  if (!row) return row.error();
  if (!*row) return std::optional<SyncState>();
  auto state = read_state(s);
  if (!state) return state.error();
  return std::optional<SyncState>(std::move(*state));
}

Status SqliteStore::save_state(const SyncState& state) {
  std::string context = "Cannot save the sync state of " + state.object;
  if (state.object.empty()) {
    return Error(ErrorKind::kInternal, "NO_OBJECT", "save_state() was given a state without an object name.");
  }
  auto st = cached(save_state_,
                   std::string("INSERT INTO crmsync_sync_state (") + kStateColumns +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT (object) DO UPDATE SET"
                       " watermark = excluded.watermark, watermark_id = excluded.watermark_id,"
                       " full_sync_done = excluded.full_sync_done, last_run_started = excluded.last_run_started,"
                       " last_run_finished = excluded.last_run_finished, rows = excluded.rows,"
                       " deleted = excluded.deleted, api_calls = excluded.api_calls, last_error = excluded.last_error,"
                       " last_success = excluded.last_success, formulas_refreshed = excluded.formulas_refreshed,"
                       " pending_backfill = excluded.pending_backfill, bulk_job_id = excluded.bulk_job_id,"
                       " bulk_locator = excluded.bulk_locator, bulk_window_end = excluded.bulk_window_end",
                   context);
  if (!st) return st.error();
  Statement& s = **st;
  ResetOnExit guard(s);
  s.bind_text(1, state.object);
  if (state.watermark) {
    bind_iso(s, 2, *state.watermark);
  } else {
    s.bind_null(2);
  }
  s.bind_text(3, state.watermark_id);
  s.bind_int64(4, state.full_sync_done ? 1 : 0);
  bind_run_time(s, 5, state.last_run_started);
  bind_run_time(s, 6, state.last_run_finished);
  s.bind_int64(7, state.rows);
  s.bind_int64(8, state.deleted);
  s.bind_int64(9, state.api_calls);
  if (state.last_error.empty()) {
    s.bind_null(10);
  } else {
    s.bind_text(10, state.last_error);
  }
  bind_run_time(s, 11, state.last_success);
  bind_run_time(s, 12, state.formulas_refreshed);
  s.bind_text(13, state.pending_backfill);
  s.bind_text(14, state.bulk_job_id);
  s.bind_text(15, state.bulk_locator);
  if (state.bulk_window_end) {
    bind_iso(s, 16, *state.bulk_window_end);
  } else {
    s.bind_null(16);
  }
  auto row = s.step(context);
  if (!row) return row.error();
  return ok_status();
}

// Columns added to crmsync_sync_state after schema version 1 shipped; added in place (they have
// defaults, so older rows read as "never").
Status SqliteStore::migrate_state_table() {
  std::string context = "Cannot add columns to crmsync_sync_state in '" + conn_->path() + "'";
  auto existing = prepare("SELECT name FROM pragma_table_info('crmsync_sync_state')", context);
  if (!existing) return existing.error();
  std::vector<std::string> names;
  for (;;) {
    auto row = existing->step(context);
    if (!row) return row.error();
    if (!*row) break;
    names.push_back(existing->column_text(0));
  }
  existing->reset();
  const std::pair<const char*, const char*> added[] = {{"last_success", "TEXT"},
                                                       {"formulas_refreshed", "TEXT"},
                                                       {"pending_backfill", "TEXT NOT NULL DEFAULT ''"},
                                                       {"bulk_job_id", "TEXT NOT NULL DEFAULT ''"},
                                                       {"bulk_locator", "TEXT NOT NULL DEFAULT ''"},
                                                       {"bulk_window_end", "TEXT"}};
  for (const auto& [name, type] : added) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    CRMSYNC_TRY(conn_->exec(std::string("ALTER TABLE crmsync_sync_state ADD COLUMN ") + name + " " + type, context));
  }
  return ok_status();
}

Status SqliteStore::migrate_columns_table() {
  std::string context = "Cannot add columns to crmsync_columns in '" + conn_->path() + "'";
  auto probe = prepare("SELECT field_type FROM crmsync_columns LIMIT 0", context);
  if (probe) return ok_status();
  return conn_->exec("ALTER TABLE crmsync_columns ADD COLUMN field_type TEXT", context);
}

Result<std::vector<SyncState>> SqliteStore::all_states() { return read_all_states(conn_); }

Result<std::vector<SyncState>> read_all_states(const std::shared_ptr<Connection>& conn) {
  std::string context = "Cannot read the sync states";
  auto st = Statement::prepare(conn, std::string("SELECT ") + kStateColumns + " FROM crmsync_sync_state ORDER BY object",
                               context);
  if (!st) return st.error();
  Statement& s = *st;
  ResetOnExit guard(s);
  std::vector<SyncState> out;
  for (;;) {
    auto row = s.step(context);
    if (!row) return row.error();
    if (!*row) break;
    auto state = read_state(s);
    if (!state) return state.error();
    out.push_back(std::move(*state));
  }
  return out;
}

Status SqliteStore::put_meta(std::string_view key, std::string_view value) {
  std::string context = "Cannot record " + std::string(key) + " in crmsync_meta";
  auto st = prepare("INSERT INTO crmsync_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  st->bind_text(1, key);
  st->bind_text(2, value);
  auto done = st->step(context);
  return done ? ok_status() : Status(done.error());
}

Result<std::optional<std::string>> SqliteStore::meta(std::string_view key) { return read_meta(conn_, key); }

Result<std::optional<std::string>> read_meta(const std::shared_ptr<Connection>& conn, std::string_view key) {
  std::string context = "Cannot read crmsync_meta";
  auto st = Statement::prepare(conn, "SELECT value FROM crmsync_meta WHERE key = ?1", context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  st->bind_text(1, key);
  auto row = st->step(context);
  if (!row) return row.error();
  if (!*row || st->column_is_null(0)) return std::optional<std::string>();
  return std::optional<std::string>(st->column_text(0));
}

}  // namespace crmsync::store::sqlite
