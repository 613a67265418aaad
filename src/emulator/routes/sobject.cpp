// sObject rows: POST /sobjects/{Name}, GET/PATCH/DELETE /sobjects/{Name}/{Id} and the upsert
// PATCH /sobjects/{Name}/{ExternalIdField}/{value}, written through the DML engine (dml/dml.h).
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

}  // namespace

void handle_create(EmuState& s, ApiCall& call, Table& table) {
  if (auto insertable = check_insertable(table); !insertable) return send_error(call.res, insertable.error());
  auto body = parse_record_body(call.req.body, table.name());
  if (!body) return send_error(call.res, body.error());
  std::unique_lock lock(s.db->mutex());
  auto id = create_record(s.dml(), call.user_id, table, *body, nullptr);
  if (!id) return send_error(call.res, id.error());
  std::string out = "{\"id\":";
  append_json_string(out, *id);
  out += ",\"success\":true,\"errors\":[]}";
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
    const std::string list = call.req.get_param_value("fields");
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = std::min(list.find(',', start), list.size());
      std::string name = list.substr(start, comma - start);
      while (!name.empty() && name.front() == ' ') name.erase(0, 1);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (!name.empty()) {
        auto f = table.field_index(name);
        if (!f || !access->field(table, table.field(*f)).read) {
          return send_error(call.res, 400, "INVALID_FIELD",
                            "No such column '" + name + "' on sobject of type " + table.name());
        }
        columns.push_back(*f);
      }
      start = comma + 1;
    }
  } else {
    for (std::size_t i = 0; i < table.fields().size(); ++i) {
      if (access->field(table, table.field(i)).read) columns.push_back(i);
    }
  }
  std::string out;
  append_record(out, table, call.version, table.row(*index), columns);
  send_json(call.res, 200, std::move(out));
}

void handle_update(EmuState& s, ApiCall& call, Table& table, const std::string& id) {
  auto body = parse_record_body(call.req.body, table.name());
  if (!body) return send_error(call.res, body.error());
  std::unique_lock lock(s.db->mutex());
  if (auto updated = update_record(s.dml(), call.user_id, table, id, *body, nullptr); !updated) {
    return send_error(call.res, updated.error());
  }
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
