// crmsync_edit_log in the PostgreSQL store: the edits signed-in people made through `crmsync serve`,
// one row per field, numbered in the order written. It is made at its first entry, so schemas made
// before it need no migration.
#include "store/postgres/pg_store.h"

namespace crmsync::store::postgres {

Result<std::vector<EditLogEntry>> PostgresStore::edit_log() {
  std::string context = "Cannot read crmsync_edit_log";
  auto present = conn_->exec("SELECT to_regclass($1) IS NOT NULL", {qualified("crmsync_edit_log")}, context);
  if (!present) return present.error();
  if (text_of(present->get(), 0, 0) != "t") return std::vector<EditLogEntry>{};
  auto r = conn_->exec("SELECT (floor(extract(epoch FROM at) * 1000))::bigint, user_id, username, object, record_id,"
                       " field, coalesce(value_before, ''), coalesce(value_after, ''), status, outcome, message FROM " +
                           qualified("crmsync_edit_log") + " ORDER BY seq",
                       context);
  if (!r) return r.error();
  std::vector<EditLogEntry> out;
  const PGresult* res = r->get();
  for (int i = 0; i < PQntuples(res); ++i) {
    EditLogEntry e;
    e.at = int_of(res, i, 0);
    e.user_id = text_of(res, i, 1);
    e.username = text_of(res, i, 2);
    e.object = text_of(res, i, 3);
    e.record_id = text_of(res, i, 4);
    e.field = text_of(res, i, 5);
    e.before = text_of(res, i, 6);
    e.after = text_of(res, i, 7);
    e.status = static_cast<int>(int_of(res, i, 8));
    e.outcome = text_of(res, i, 9);
    e.message = text_of(res, i, 10);
    out.push_back(std::move(e));
  }
  return out;
}

Status PostgresStore::put_edit_log(const EditLogEntry& e) {
  std::string context = "Cannot record the edit of " + e.object + " " + e.record_id + " in crmsync_edit_log";
  // Every time (edits are few): a transaction rolled back would have taken a table made once with it.
  CRMSYNC_TRY(conn_->run("CREATE TABLE IF NOT EXISTS " + qualified("crmsync_edit_log") +
                               " (seq bigserial PRIMARY KEY, at timestamptz NOT NULL, user_id text NOT NULL,"
                               " username text NOT NULL DEFAULT '', object text NOT NULL, record_id text NOT NULL,"
                               " field text NOT NULL, value_before text, value_after text, status integer NOT NULL,"
                               " outcome text NOT NULL, message text NOT NULL DEFAULT '')",
                           context));
  auto r = conn_->exec("INSERT INTO " + qualified("crmsync_edit_log") +
                           " (at, user_id, username, object, record_id, field, value_before, value_after, status,"
                           " outcome, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                       {format_datetime_iso(e.at), e.user_id, e.username, e.object, e.record_id, e.field, e.before,
                        e.after, std::to_string(e.status), e.outcome, e.message},
                       context);
  return r ? ok_status() : Status(r.error());
}

}  // namespace crmsync::store::postgres
