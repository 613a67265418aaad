// read_record: one indexed lookup for the record, one more per reference worth resolving.
#include "serve/records.h"

#include <algorithm>
#include <array>
#include <utility>

#include "catalog/catalog.h"
#include "common/text.h"
#include "serve/model.h"

namespace crmsync::serve {

using nlohmann::json;

namespace {

// Salesforce's key prefixes of the searchable objects: what a reference points to.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kKeyPrefixes = {
    {{"001", "Account"}, {"003", "Contact"}, {"00Q", "Lead"}, {"006", "Opportunity"}, {"005", "User"}}};

std::string_view object_of_id(std::string_view id) {
  for (const auto& [prefix, object] : kKeyPrefixes) {
    if (id.starts_with(prefix)) return object;
  }
  return {};
}

bool hidden_field(std::string_view name) {
  return iequals(name, "Id") || iequals(name, "IsDeleted") || iequals(name, "SystemModstamp");
}

bool is_reference(const store::ColumnInfo& c) {
  return c.field_type == catalog::FieldType::kReference || c.field_type == catalog::FieldType::kLookup;
}

// Reads `columns` of the record; nullopt when the store lacks it, its table, or has it deleted.
Result<std::optional<std::vector<store::Value>>> read_row(store::ReadSnapshot& snap, std::string_view object,
                                                          std::string_view id,
                                                          const std::vector<store::ColumnInfo>& columns) {
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  std::optional<std::vector<store::Value>> row;
  auto s = snap.find(object, id, names, [&](std::span<const store::Value> v) -> Status {
    row.emplace(v.begin(), v.end());
    return ok_status();
  });
  if (!s && s.error().code == "NO_SUCH_TABLE") return std::optional<std::vector<store::Value>>();
  if (!s) return s.error();
  for (std::size_t k = 0; row && k < columns.size(); ++k) {
    const auto& v = (*row)[k];
    bool deleted = iequals(columns[k].name, "IsDeleted") &&
                   ((std::holds_alternative<bool>(v) && std::get<bool>(v)) ||
                    (std::holds_alternative<std::int64_t>(v) && std::get<std::int64_t>(v) != 0));
    if (deleted) row.reset();
  }
  return row;
}

// The record's title from its row.
std::string title_of(std::string_view object, const std::vector<store::ColumnInfo>& columns,
                     const std::vector<store::Value>& row) {
  std::string title;
  for (const auto& t : title_columns(object)) {
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const auto* s = std::get_if<std::string>(&row[k]);
      if (!iequals(columns[k].name, t) || s == nullptr || s->empty()) continue;
      title += (title.empty() ? "" : " ") + *s;
    }
  }
  return title;
}

// {"object", "Id", "title"} of a searchable record the reference points to, or null.
Result<json> resolve(store::ReadSnapshot& snap, const std::string& id) {
  std::string_view object = object_of_id(id);
  if (object.empty()) return json(nullptr);
  auto cols = snap.columns(object);
  if (!cols) return cols.error();
  const std::vector<std::string> titles = title_columns(object);
  std::vector<store::ColumnInfo> wanted;
  for (const auto& c : *cols) {
    bool title = std::any_of(titles.begin(), titles.end(), [&](const std::string& t) { return iequals(t, c.name); });
    if (title || iequals(c.name, "IsDeleted")) wanted.push_back(c);
  }
  auto row = read_row(snap, object, id, wanted);
  if (!row) return row.error();
  if (!*row) return json(nullptr);
  return json{{"object", object}, {"Id", id}, {"title", title_of(object, wanted, **row)}};
}

}  // namespace

std::vector<std::string> title_columns(std::string_view object) {
  if (object == "Account" || object == "Opportunity") return {"Name"};
  return {"FirstName", "LastName"};
}

Result<std::optional<json>> read_record(store::ReadSnapshot& snap, std::string_view object, std::string_view id) {
  auto cols = snap.columns(object);
  if (!cols) return cols.error();
  auto row = read_row(snap, object, id, *cols);
  if (!row) return row.error();
  if (!*row) return std::optional<json>();
  json fields = json::array();
  for (std::size_t k = 0; k < cols->size(); ++k) {
    const store::ColumnInfo& c = (*cols)[k];
    const store::Value& v = (**row)[k];
    if (hidden_field(c.name) || std::holds_alternative<std::monostate>(v)) continue;
    json field = {{"name", c.name}, {"value", value_json(v)}};
    if (c.field_type == catalog::FieldType::kBoolean && std::holds_alternative<std::int64_t>(v)) {
      field["value"] = std::get<std::int64_t>(v) != 0;
    }
    if (is_reference(c)) {
      const auto* target = std::get_if<std::string>(&v);
      if (target == nullptr) continue;
      auto ref = resolve(snap, *target);
      if (!ref) return ref.error();
      if (ref->is_null()) continue;  // an id means nothing to a reader: only records the store has
      field["ref"] = *ref;
    }
    fields.push_back(std::move(field));
  }
  return std::optional<json>(json{{"object", object}, {"Id", id}, {"title", title_of(object, *cols, **row)}, {"fields", fields}});
}

}  // namespace crmsync::serve
