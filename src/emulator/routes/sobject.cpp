// sObject rows: POST /sobjects/{Name}, GET/PATCH/DELETE /sobjects/{Name}/{Id} and the upsert
// PATCH /sobjects/{Name}/{ExternalIdField}/{value}, written through the DML engine (dml/dml.h).
// PATCH /sobjects/{Name}/{Id} honours If-Unmodified-Since (412 when the record changed since).
#include <nlohmann/json.hpp>

#include <mutex>
#include <shared_mutex>

#include "common/json.h"
#include "common/text.h"
#include "emulator/dml/dml.h"
#include "emulator/routes/routes.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

// If-Unmodified-Since on an update: refused (412, nothing written) when the record the user sees
// was modified after the header's time, compared in whole seconds as HTTP dates are. Called with
// the database locked. A header that is no HTTP date is a 400, as Salesforce answers it.
std::optional<Error> precondition_failed(EmuState& s, const ApiCall& call, const Table& table, const std::string& id) {
  if (!call.req.has_header("If-Unmodified-Since")) return std::nullopt;
  const std::string header = call.req.get_header_value("If-Unmodified-Since");
  auto since = parse_http_date(header);
  if (!since) {
    return Error(ErrorKind::kSalesforce, "INVALID_HEADER_VALUE",
                 "If-Unmodified-Since: '" + header.substr(0, 60) + "' is not an HTTP date (Wed, 21 Oct 2015 07:28:00 GMT)",
                 400);
  }
  auto index = table.find(id);
  auto field = table.field_index("LastModifiedDate");
  if (!index || !field || !user_access(s, call.user_id)->sees(*s.db, table, *index)) return std::nullopt;
  const auto* modified = std::get_if<DateTime>(&table.row(*index)[*field]);
  if (modified == nullptr || modified->ms / 1000 <= *since / 1000) return std::nullopt;
  return Error(ErrorKind::kSalesforce, "ENTITY_FAILED_IFLASTMODIFIED_ON_UPDATE_CHECK",
               "record has been modified since you retrieved it", 412);
}

}  // namespace

void handle_create(EmuState& s, ApiCall& call, Table& table) {
  if (auto insertable = check_insertable(*s.db, table); !insertable) return send_error(call.res, insertable.error());
  auto body = parse_record_body(call.req.body, table.name());
  if (!body) return send_error(call.res, body.error());
  std::unique_lock lock(s.db->mutex());
  auto id = create_record(s.dml(), call.user_id, table, *body, nullptr);
  if (!id) return send_error(call.res, id.error());
  std::string out = "{\"id\":";
  append_json_string(out, *id);
  out += ",\"success\":true,\"errors\":[]}";
  s.recent.note(call.user_id, *id);
  send_json(call.res, 201, std::move(out));
}

void handle_retrieve(EmuState& s, ApiCall& call, const Table& table, const std::string& id) {
  std::shared_lock lock(s.db->mutex());
  auto access = user_access(s, call.user_id);
  auto index = table.find(id);
  // A record the user cannot see does not exist for the user.
  if (!index || id.substr(0, 3) != table.key_prefix() || row_deleted(table, table.row(*index)) ||
      !access->object(table).read || !access->sees(*s.db, table, *index)) {
    return send_not_found(call.res);
  }
  std::vector<std::size_t> columns;
  if (call.req.has_param("fields")) {
    auto readable = readable_columns(table, *access, split_trimmed(call.req.get_param_value("fields"), ','));
    if (!readable) return send_error(call.res, readable.error());
    columns = std::move(*readable);
  } else {
    for (std::size_t i = 0; i < table.fields().size(); ++i) {
      if (access->field(table, table.field(i)).read) columns.push_back(i);
    }
  }
  std::string out;
  append_record(out, table, call.version, table.row(*index), columns);
  s.recent.note(call.user_id, std::get<std::string>(table.row(*index)[0]));
  send_json(call.res, 200, std::move(out));
}

void handle_update(EmuState& s, ApiCall& call, Table& table, const std::string& id) {
  auto body = parse_record_body(call.req.body, table.name());
  if (!body) return send_error(call.res, body.error());
  std::unique_lock lock(s.db->mutex());
  if (auto refused = precondition_failed(s, call, table, id)) return send_error(call.res, *refused);
  if (auto updated = update_record(s.dml(), call.user_id, table, id, *body, nullptr); !updated) {
    return send_error(call.res, updated.error());
  }
  s.recent.note(call.user_id, std::string(id));
  call.res.status = 204;
}

void handle_delete(EmuState& s, ApiCall& call, Table& table, const std::string& id) {
  std::unique_lock lock(s.db->mutex());
  if (auto deleted = delete_record(s.dml(), call.user_id, table, id, nullptr); !deleted) {
    return send_error(call.res, deleted.error());
  }
  call.res.status = 204;
}

void handle_upsert(EmuState& s, ApiCall& call, Table& table, const std::string& field, const std::string& value) {
  auto body = parse_record_body(call.req.body, table.name());
  if (!body) return send_error(call.res, body.error());
  std::unique_lock lock(s.db->mutex());
  auto column = upsert_field(s.dml(), call.user_id, table, field);
  if (!column) return send_error(call.res, column.error());
  const std::string& name = table.field(*column).name;
  auto access = user_access(s, call.user_id);
  std::vector<std::size_t> matches;
  for (std::size_t r : upsert_matches(table, *column, value)) {
    if (access->sees(*s.db, table, r)) matches.push_back(r);
  }
  if (matches.size() > 1) {
    // 300 Multiple Choices: the matching records' URLs.
    json urls = json::array();
    for (std::size_t r : matches) {
      urls.push_back("/services/data/v" + call.version + "/sobjects/" + table.name() + "/" +
                     std::get<std::string>(table.row(r)[0]));
    }
    return send_json(call.res, 300, urls.dump());
  }
  // The external ID in the URL is the record's value; the body may repeat it but not contradict it.
  json fields = *body;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (iequals(it.key(), name)) {
      fields.erase(it);
      break;
    }
  }
  auto answer = [&](const std::string& id, bool created) {
    s.recent.note(call.user_id, id);
    std::string out = "{\"id\":";
    append_json_string(out, id);
    out += ",\"success\":true,\"errors\":[],\"created\":";
    out += created ? "true}" : "false}";
    send_json(call.res, created ? 201 : 200, std::move(out));
  };
  if (matches.empty()) {
    if (*column == 0) return send_not_found(call.res);  // an Id that matches nothing cannot be inserted
    fields[name] = value;
    auto id = create_record(s.dml(), call.user_id, table, fields, nullptr);
    if (!id) return send_error(call.res, id.error());
    return answer(*id, true);
  }
  const std::string id = std::get<std::string>(table.row(matches[0])[0]);
  if (auto updated = update_record(s.dml(), call.user_id, table, id, fields, nullptr); !updated) {
    return send_error(call.res, updated.error());
  }
  // API 46.0 and later answer an update with the UpsertResult; earlier versions with 204.
  if (std::stod(call.version) < 46.0) {
    call.res.status = 204;
    return;
  }
  answer(id, false);
}

}  // namespace crmsync::emulator
