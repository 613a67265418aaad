// The permission model at the HTTP edge: API Enabled and active users on every call, the per-user
// query options, and the UserRecordAccess query.
#include <shared_mutex>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/routes/routes.h"
#include "emulator/soql/ast.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {

std::shared_ptr<const UserAccess> user_access(EmuState& s, const std::string& user_id) {
  return s.access.for_user(*s.db, user_id);
}

soql::ExecOptions user_query_options(EmuState& s, const std::string& user_id, bool include_deleted) {
  return query_options(user_access(s, user_id), *s.db, include_deleted);
}

bool refuse_api_call(EmuState& s, const std::string& user_id, httplib::Response& res) {
  std::shared_ptr<const UserAccess> access;
  {
    std::shared_lock lock(s.db->mutex());
    access = user_access(s, user_id);
  }
  if (!access->exists() || !access->active()) {
    send_error(res, 401, "INVALID_SESSION_ID", "Session expired or invalid");
    return true;
  }
  if (!access->has("ApiEnabled")) {
    send_error(res, 403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization.");
    return true;
  }
  return false;
}

namespace {

using soql::CompareOp;
using soql::Condition;

// Collects `Field = 'x'` / `Field IN (...)` leaves AND-ed at the top of the WHERE.
void pinned_values(const Condition* c, const char* field, std::vector<std::string>& out, bool& found) {
  if (c == nullptr) return;
  if (c->kind == Condition::Kind::kAnd) {
    for (const auto& child : c->children) pinned_values(child.get(), field, out, found);
    return;
  }
  if (c->kind != Condition::Kind::kCompare || !iequals(c->field.name, field)) return;
  if (c->op != CompareOp::kEq && c->op != CompareOp::kIn) return;
  found = true;
  for (const auto& v : c->values) out.push_back(v.str);
}

void query_refused(ApiCall& call, const std::string& code, const std::string& message) {
  send_error(call.res, 400, code, message);
}

}  // namespace

void handle_user_record_access(EmuState& s, ApiCall& call, const soql::Query& query) {
  const soql::QueryAst& ast = query.ast();
  std::vector<std::string> users, records;
  bool has_user = false, has_record = false;
  pinned_values(ast.where.get(), "UserId", users, has_user);
  pinned_values(ast.where.get(), "RecordId", records, has_record);
  if (!has_user || !has_record || users.size() != 1) {
    return query_refused(call, "MALFORMED_QUERY",
                         "UserRecordAccess queries must filter on one UserId (UserId = '005...') and on RecordId "
                         "(RecordId = '...' or RecordId IN (...))");
  }
  if (records.size() > 200) {
    return query_refused(call, "MALFORMED_QUERY",
                         "UserRecordAccess queries accept at most 200 record ids; split the RecordId list");
  }
  std::shared_lock lock(s.db->mutex());
  const Table& schema = *s.db->find("UserRecordAccess");
  auto target = sf_id18(users[0]);
  if (!target) return query_refused(call, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: " + users[0]);
  auto access = user_access(s, *target);

  // The answer as a one-query table, so that SELECT, the rest of WHERE, ORDER BY and COUNT() work.
  Database answer;
  Table& table = answer.add_table(std::make_unique<Table>("UserRecordAccess", "", schema.fields()));
  std::set<std::string> seen;
  for (const auto& id : records) {
    auto id18 = sf_id18(id);
    if (!id18 || !seen.insert(*id18).second) continue;
    RecordAccess level = RecordAccess::kNone;
    for (const Table* t : s.db->tables()) {
      if (t->key_prefix().empty() || id18->compare(0, 3, t->key_prefix()) != 0) continue;
      if (auto row = t->find(*id18); row && access->exists()) level = access->record_access(*s.db, *t, *row);
    }
    Row row(table.fields().size());
    auto set = [&](const char* field, Value v) { row[*table.field_index(field)] = std::move(v); };
    set("Id", *id18);
    set("UserId", *target);
    set("RecordId", *id18);
    set("HasReadAccess", level >= RecordAccess::kRead);
    set("HasEditAccess", level >= RecordAccess::kEdit);
    set("HasDeleteAccess", level >= RecordAccess::kDelete);
    set("HasTransferAccess", level >= RecordAccess::kTransfer);
    set("HasAllAccess", level >= RecordAccess::kAll);
    set("MaxAccessLevel", std::string(record_access_name(level)));
    table.insert(std::move(row));
  }
  auto result = soql::execute(query, answer, {});
  if (!result) return send_error(call.res, result.error());
  std::string out = "{\"totalSize\":" + std::to_string(result->total_size) + ",\"done\":true,\"records\":[";
  if (!result->is_count) {
    std::vector<std::size_t> columns;
    for (const auto& c : result->columns) columns.push_back(c.field_index);
    const RecordWriter writer(table, call.version, columns);
    for (std::size_t i = 0; i < result->rows.size(); ++i) {
      if (i) out.push_back(',');
      writer.append(out, table.row(result->rows[i]));
    }
  }
  out += "]}";
  send_json(call.res, 200, std::move(out));
}

}  // namespace crmsync::emulator
