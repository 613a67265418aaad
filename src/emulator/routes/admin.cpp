// Emulator-only admin endpoints under /emulator/ (Salesforce has no REST call for these; they let
// tests and demos reach states a real org reaches through Setup, SOAP or time passing). Each needs
// the session of an active, API-enabled user with Modify All Data (an admin), unless the emulator
// was started with EmulatorOptions::open_admin_routes (--open-admin-routes); none counts against
// the daily API limit.
//
//   POST /emulator/recycleBin/empty   {"ids":["00v...", ...]} purges those records (in the recycle
//                                     bin or live); no body or no ids empties the whole recycle bin.
//                                     Only records the caller may delete are purged (unknown ones
//                                     are skipped alike), and only of objects with a recycle bin:
//                                     an Id of Organization, User, a setup object or another object
//                                     the API cannot delete refuses the call (400
//                                     INVALID_TYPE_FOR_OPERATION). -> {"purged": N}
//   GET  /emulator/apiUsage           -> {"used": N, "max": M}
//   PUT  /emulator/apiUsage           {"used": N}, N >= 0, sets the daily API counter (a new day is 0).
#include <nlohmann/json.hpp>

#include <mutex>
#include <shared_mutex>

#include "common/json.h"
#include "emulator/dml/dml.h"
#include "emulator/org/org.h"
#include "emulator/routes/routes.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

void purge_row(EmuState& s, Table& t, std::size_t r) {
  Row& row = t.mutable_row(r);
  if (!row_deleted(t, row)) {
    // A live record's purge is its deletion: getDeleted dates it by this stamp.
    if (auto i = t.field_index("IsDeleted")) row[*i] = true;
    if (auto i = t.field_index("SystemModstamp")) row[*i] = DateTime{s.clock.next()};
  }
  t.purge(r);
}

// Objects whose records go to the recycle bin or are hard-deleted through the API: the deletable
// data objects, not Organization, User, setup objects or read-only history.
bool purgeable(const Table& t) {
  const ObjectSpec* spec = find_object_spec(t.name());
  return spec != nullptr && spec->deletable && !AccessModel::is_setup_object(t);
}

// The caller of an admin route: refused (and answered) unless active, API-enabled and an admin,
// or the routes are open to every such user.
std::shared_ptr<const UserAccess> admin_caller(EmuState& s, const std::string& user_id, httplib::Response& res) {
  if (refuse_api_call(s, user_id, res)) return nullptr;
  std::shared_ptr<const UserAccess> access;
  {
    std::shared_lock lock(s.db->mutex());
    access = user_access(s, user_id);
  }
  if (!s.options.open_admin_routes && !access->has("ModifyAllData")) {
    send_error(res, 403, "INSUFFICIENT_ACCESS",
               "The emulator's /emulator/ routes need a user with Modify All Data (e.g. admin@crmsync.test), or an "
               "emulator started with --open-admin-routes.");
    return nullptr;
  }
  return access;
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

Result<std::size_t> purge_records(EmuState& s, const std::vector<std::string>& ids, const UserAccess* caller) {
  std::unique_lock lock(s.db->mutex());
  auto may_purge = [&](const Table& t, std::size_t r) {
    return caller == nullptr || caller->record_access(*s.db, t, r) >= RecordAccess::kDelete;
  };
  std::size_t purged = 0;
  if (ids.empty()) {
    for (const Table* ct : s.db->tables()) {
      if (!purgeable(*ct)) continue;
      Table& t = *s.db->find(ct->name());
      for (std::size_t r = 0; r < t.slot_count(); ++r) {
        if (t.purged(r) || !row_deleted(t, t.row(r)) || !may_purge(t, r)) continue;
        purge_row(s, t, r);
        ++purged;
      }
    }
    return purged;
  }
  for (const std::string& id : ids) {
    const Table* t = s.db->find_by_id(id);
    if (t != nullptr && !purgeable(*t)) {
      return Error(ErrorKind::kSalesforce, "INVALID_TYPE_FOR_OPERATION",
                   "entity type cannot be purged: " + t->name() + " (" + id +
                       "); only records of objects with a recycle bin can be purged. Nothing was purged.",
                   400);
    }
  }
  for (const std::string& id : ids) {
    Table* t = s.db->find_by_id(id);
    if (t == nullptr) continue;
    auto r = t->find(id);
    if (!r || t->purged(*r) || !may_purge(*t, *r)) continue;
    purge_row(s, *t, *r);
    ++purged;
  }
  return purged;
}

void handle_admin(EmuState& s, const httplib::Request& req, httplib::Response& res,
                  const std::vector<std::string>& path, const std::string& user_id) {
  const std::string& m = req.method;
  const bool known = (path.size() == 3 && path[1] == "recycleBin" && path[2] == "empty") ||
                     (path.size() == 2 && path[1] == "apiUsage");
  if (!known) return send_not_found(res);
  auto caller = admin_caller(s, user_id, res);
  if (!caller) return;
  if (path.size() == 3) {
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
    auto purged = purge_records(s, ids, caller.get());
    if (!purged) return send_error(res, purged.error());
    return send_json(res, 200, json{{"purged", *purged}}.dump());
  }
  if (m == "PUT" || m == "POST" || m == "PATCH") {
    auto body = body_of(req, res);
    if (!body) return;
    const json* used = body->is_object() && body->contains("used") ? &(*body)["used"] : nullptr;
    if (used == nullptr || !used->is_number_integer() || used->get<std::int64_t>() < 0) {
      return send_error(res, 400, "INVALID_FIELD",
                        "Give the counter's new value as {\"used\": N}, a whole number of 0 or more");
    }
    s.api_used = used->get<std::int64_t>();
  } else if (m != "GET") {
    return send_error(res, 405, "METHOD_NOT_ALLOWED", "Use GET or PUT /emulator/apiUsage");
  }
  send_json(res, 200, json{{"used", s.api_used.load()}, {"max", s.options.daily_api_max}}.dump());
}

}  // namespace crmsync::emulator
