// crmsync_edit_log in the SQLite store: the edits signed-in people made through `crmsync serve`,
// one row per field, in the order written. It is made with the other bookkeeping tables when the store opens (CREATE TABLE IF
// NOT EXISTS, so older stores need no migration).
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {

Result<std::vector<EditLogEntry>> SqliteStore::edit_log() {
  std::string context = "Cannot read crmsync_edit_log";
  auto st = prepare(
      "SELECT at, user_id, username, object, record_id, field, value_before, value_after, status, outcome, message"
      " FROM crmsync_edit_log ORDER BY rowid",
      context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  std::vector<EditLogEntry> out;
  for (;;) {
    auto row = st->step(context);
    if (!row) return row.error();
    if (!*row) break;
    EditLogEntry e;
    e.at = parse_datetime(st->column_text(0)).value_or(0);
    e.user_id = st->column_text(1);
    e.username = st->column_text(2);
    e.object = st->column_text(3);
    e.record_id = st->column_text(4);
    e.field = st->column_text(5);
    e.before = st->column_text(6);
    e.after = st->column_text(7);
    e.status = static_cast<int>(sqlite3_column_int64(st->get(), 8));
    e.outcome = st->column_text(9);
    e.message = st->column_text(10);
    out.push_back(std::move(e));
  }
  return out;
}

Status SqliteStore::put_edit_log(const EditLogEntry& e) {
  std::string context = "Cannot record the edit of " + e.object + " " + e.record_id + " in crmsync_edit_log";
  auto st = cached(put_edit_log_,
                   "INSERT INTO crmsync_edit_log (at, user_id, username, object, record_id, field, value_before,"
                   " value_after, status, outcome, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                   context);
  if (!st) return st.error();
  std::string at = format_datetime_iso(e.at);
  Statement& s = **st;
  s.bind_text(1, at);
  s.bind_text(2, e.user_id);
  s.bind_text(3, e.username);
  s.bind_text(4, e.object);
  s.bind_text(5, e.record_id);
  s.bind_text(6, e.field);
  s.bind_text(7, e.before);
  s.bind_text(8, e.after);
  s.bind_int64(9, e.status);
  s.bind_text(10, e.outcome);
  s.bind_text(11, e.message);
  return s.run(context);
}

}  // namespace crmsync::store::sqlite
