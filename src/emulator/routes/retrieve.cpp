// sObject Collections retrieve: GET /composite/sobjects/{SObject}?ids=a,b&fields=Id,Name and POST
// with {"ids":[...],"fields":[...]} -> 200 [record | null, ...] in the order of `ids`. An Id that is
// malformed, of another object, missing, deleted or not visible to the user is null; a field that
// does not exist or that field-level security hides refuses the whole request (400 INVALID_FIELD),
// as does an object the user cannot read (404, as for a single retrieve). At most 2,000 Ids (POST)
// or 800 (GET, where Salesforce's URL length is the bound). Every record returned counts as viewed
// for GET /recent.
#include <shared_mutex>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "emulator/dml/dml.h"
#include "emulator/routes/routes.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxIdsPost = 2000;
constexpr std::size_t kMaxIdsGet = 800;

// A list member of the body: an array of strings (or one comma-separated string).
Result<std::vector<std::string>> string_list(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::vector<std::string>{};
  if (it->is_string()) return split_trimmed(it->get<std::string>(), ',');
  if (!it->is_array()) return json_type_error("String[]", *it);
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) return json_type_error("String", v);
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

std::vector<std::string> split_trimmed(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    std::string item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

Result<std::vector<std::size_t>> readable_columns(const Table& table, const UserAccess& access,
                                                  const std::vector<std::string>& names) {
  std::vector<std::size_t> columns;
  for (const auto& name : names) {
    auto f = table.field_index(name);
    if (!f || !access.field(table, table.field(*f)).read) {
      return request_error(400, "INVALID_FIELD", "No such column '" + name + "' on sobject of type " + table.name());
    }
    columns.push_back(*f);
  }
  return columns;
}

void handle_retrieve_collection(EmuState& s, ApiCall& call, const Table& table) {
  std::vector<std::string> ids, fields;
  const bool post = call.req.method == "POST";
  if (post) {
    auto body = parse_record_body(call.req.body, "CollectionRetrieveRequest");
    if (!body) return send_error(call.res, body.error());
    auto i = string_list(*body, "ids");
    if (!i) return send_error(call.res, i.error());
    auto f = string_list(*body, "fields");
    if (!f) return send_error(call.res, f.error());
    ids = std::move(*i);
    fields = std::move(*f);
  } else {
    ids = split_trimmed(call.req.get_param_value("ids"), ',');
    fields = split_trimmed(call.req.get_param_value("fields"), ',');
  }
  if (ids.empty() || fields.empty()) {
    return send_error(call.res, 400, "MISSING_ARGUMENT",
                      std::string(ids.empty() ? "ids" : "fields") + ": a list of one or more is required");
  }
  const std::size_t max_ids = post ? kMaxIdsPost : kMaxIdsGet;
  if (ids.size() > max_ids) {
    return send_error(call.res, 400, "EXCEEDED_ID_LIMIT",
                      "record limit reached. cannot submit more than " + std::to_string(max_ids) +
                          " records in this operation");
  }
  std::string out = "[";
  std::vector<std::string> seen;
  {
    std::shared_lock lock(s.db->mutex());
    auto access = user_access(s, call.user_id);
    if (!access->object(table).read) return send_not_found(call.res);
    auto columns = readable_columns(table, *access, fields);
    if (!columns) return send_error(call.res, columns.error());
    const RecordWriter writer(table, call.version, *columns);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) out.push_back(',');
      const std::string& id = ids[i];
      auto row = (id.size() == 15 || id.size() == 18) && id.compare(0, 3, table.key_prefix()) == 0
                     ? table.find(id)
                     : std::nullopt;
      if (!row || row_deleted(table, table.row(*row)) || !access->sees(*s.db, table, *row)) {
        out += "null";
        continue;
      }
      writer.append(out, table.row(*row));
      seen.push_back(std::get<std::string>(table.row(*row)[0]));
    }
  }
  out.push_back(']');
  for (const auto& id : seen) s.recent.note(call.user_id, id);
  send_json(call.res, 200, std::move(out));
}

}  // namespace crmsync::emulator
