// crmsync_export_ledger in the SQLite store: one row per exported activity (activity id -> the
// Salesforce record written for it). The table is created with the other bookkeeping tables when
// the store opens (CREATE TABLE IF NOT EXISTS, so older stores need no migration).
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {

Result<std::vector<ExportLedgerEntry>> SqliteStore::export_ledger() {
  std::string context = "Cannot read crmsync_export_ledger";
  auto st = prepare(
      "SELECT activity_id, sobject, salesforce_id, content_hash, state, operation, marker, updated_at"
      " FROM crmsync_export_ledger ORDER BY activity_id",
      context);
  if (!st) return st.error();
  ResetOnExit guard(*st);
  std::vector<ExportLedgerEntry> out;
  for (;;) {
    auto row = st->step(context);
    if (!row) return row.error();
    if (!*row) break;
    ExportLedgerEntry e{st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3),
                        st->column_text(4), st->column_text(5), st->column_text(6), 0};
    e.updated_at = parse_datetime(st->column_text(7)).value_or(0);
    out.push_back(std::move(e));
  }
  return out;
}

Status SqliteStore::put_export_ledger(const ExportLedgerEntry& e) {
  std::string context = "Cannot record activity " + e.activity_id + " in crmsync_export_ledger";
  auto st = cached(put_ledger_,
                   "INSERT INTO crmsync_export_ledger"
                   " (activity_id, sobject, salesforce_id, content_hash, state, operation, marker, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (activity_id) DO UPDATE SET"
                   " sobject = excluded.sobject, salesforce_id = excluded.salesforce_id,"
                   " content_hash = excluded.content_hash, state = excluded.state, operation = excluded.operation,"
                   " marker = excluded.marker, updated_at = excluded.updated_at",
                   context);
  if (!st) return st.error();
  std::string updated = format_datetime_iso(e.updated_at);
  Statement& s = **st;
  s.bind_text(1, e.activity_id);
  s.bind_text(2, e.sobject);
  s.bind_text(3, e.salesforce_id);
  s.bind_text(4, e.content_hash);
  s.bind_text(5, e.state);
  s.bind_text(6, e.operation);
  s.bind_text(7, e.marker);
  s.bind_text(8, updated);
  return s.run(context);
}

}  // namespace crmsync::store::sqlite
