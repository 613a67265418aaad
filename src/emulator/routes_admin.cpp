// Emulator-only admin endpoints under /emulator/ (Salesforce has no REST call for these; they let
// tests and demos reach states a real org reaches through Setup, SOAP or time passing). Each needs
// a valid session, and none counts against the daily API limit.
//
//   POST /emulator/recycleBin/empty   {"ids":["00v...", ...]} purges those records (in the recycle
//                                     bin or live); no body or no ids empties the whole recycle bin.
//                                     -> {"purged": N}
//   GET  /emulator/apiUsage           -> {"used": N, "max": M}
//   PUT  /emulator/apiUsage           {"used": N} sets the daily API counter (a new day is 0).
#include <nlohmann/json.hpp>

#include <mutex>
#include <shared_mutex>

#include "common/json.h"
#include "emulator/dml.h"
#include "emulator/emu_state.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

bool soft_deleted(const Table& t, const Row& row) {
  auto i = t.field_index("IsDeleted");
  if (!i) return false;
  const auto* d = std::get_if<bool>(&row[*i]);
  return d != nullptr && *d;
}

void purge_row(EmuState& s, Table& t, std::size_t r) {
  Row& row = t.mutable_row(r);
  if (!soft_deleted(t, row)) {
    // A live record's purge is its deletion: getDeleted dates it by this stamp.
    if (auto i = t.field_index("IsDeleted")) row[*i] = true;
    if (auto i = t.field_index("SystemModstamp")) row[*i] = DateTime{s.next_modstamp()};
  }
  t.purge(r);
}

std::optional<json> body_of(const httplib::Request& req, httplib::Response& res) {
  if (req.body.empty()) return json::object();
  JsonProblem problem;
  json body = parse_json(req.body, problem);
  if (!body.is_discarded()) return body;
  send_error(res, 400, "JSON_PARSER_ERROR", "The body is not JSON: " + json_problem_message(req.body, problem));
  return std::nullopt;
}

}  // namespace

std::size_t purge_records(EmuState& s, const std::vector<std::string>& ids) {
  std::unique_lock lock(s.db->mutex());
  std::size_t purged = 0;
  if (ids.empty()) {
    for (const Table* ct : s.db->tables()) {
      Table& t = *s.db->find(ct->name());
      for (std::size_t r = 0; r < t.slot_count(); ++r) {
        if (t.purged(r) || !soft_deleted(t, t.row(r))) continue;
        purge_row(s, t, r);
        ++purged;
      }
    }
    return purged;
  }
  for (const std::string& id : ids) {
    Table* t = s.db->find_by_id(id);
    if (t == nullptr) continue;
    auto r = t->find(id);
    if (!r || t->purged(*r)) continue;
    purge_row(s, *t, *r);
    ++purged;
  }
  return purged;
}

void handle_admin(EmuState& s, const httplib::Request& req, httplib::Response& res,
                  const std::vector<std::string>& path) {
  const std::string& m = req.method;
  if (path.size() == 3 && path[1] == "recycleBin" && path[2] == "empty") {
    if (m != "POST") return send_error(res, 405, "METHOD_NOT_ALLOWED", "Use POST /emulator/recycleBin/empty");
    auto body = body_of(req, res);
    if (!body) return;
    std::vector<std::string> ids;
    if (body->is_object() && body->contains("ids")) {
      if (!(*body)["ids"].is_array()) return send_error(res, 400, "INVALID_FIELD", "ids must be an array of record Ids");
      for (const auto& id : (*body)["ids"]) {
        if (!id.is_string()) return send_error(res, 400, "INVALID_FIELD", "ids must be an array of record Ids");
        ids.push_back(id.get<std::string>());
      }
    }
    return send_json(res, 200, json{{"purged", purge_records(s, ids)}}.dump());
  }
  if (path.size() == 2 && path[1] == "apiUsage") {
    if (m == "PUT" || m == "POST" || m == "PATCH") {
      auto body = body_of(req, res);
      if (!body) return;
      if (!body->is_object() || !body->contains("used") || !(*body)["used"].is_number_integer()) {
        return send_error(res, 400, "INVALID_FIELD", "Give the counter's new value as {\"used\": N}");
      }
      s.api_used = (*body)["used"].get<std::int64_t>();
    } else if (m != "GET") {
      return send_error(res, 405, "METHOD_NOT_ALLOWED", "Use GET or PUT /emulator/apiUsage");
    }
    return send_json(res, 200, json{{"used", s.api_used.load()}, {"max", s.options.daily_api_max}}.dump());
  }
  send_not_found(res);
}

}  // namespace crmsync::emulator
