// select_fields: which fields of one object are synced, from its describe and the admin's choices.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/describe_json.h"
#include "common/text.h"

namespace crmsync::catalog {
namespace {

using detail::number_of;
using detail::text_of;
using detail::texts_of;

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return iequals(n, name); });
}

std::string recommended_list(const CatalogObject& object) {
  std::string out;
  for (const auto& f : object.fields) {
    if (f.mark != Mark::kRecommended) continue;
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out.empty() ? "it has none" : out;
}

// The describe fields by lower-cased name -> position in describe.
class DescribeIndex {
 public:
  explicit DescribeIndex(const nlohmann::json& fields) : fields_(fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) by_name_.emplace(to_lower(text_of(fields[i], "name")), i);
  }
  std::optional<std::size_t> find(std::string_view name) const {
    auto it = by_name_.find(to_lower(name));
    if (it == by_name_.end()) return std::nullopt;
    return it->second;
  }
  const nlohmann::json& at(std::size_t i) const { return fields_[i]; }
  std::size_t size() const { return fields_.size(); }

 private:
  const nlohmann::json& fields_;
  std::map<std::string, std::size_t> by_name_;
};

Status check_excludes(const std::string& object, const CatalogObject& cat, const AdminSelection& selection,
                      std::string_view modstamp) {
  for (const auto& name : selection.exclude) {
    const CatalogField* f = cat.find(name);
    if (f && f->mark == Mark::kRequired) {
      return Error(ErrorKind::kConfig, "REQUIRED_FIELD_EXCLUDED",
                   fmt::format("{}.{} is Required by the catalog and cannot be excluded; remove it from "
                               "[objects.{}] exclude",
                               object, f->name, object));
    }
    if (iequals(name, "Id") || iequals(name, "IsDeleted") || (!modstamp.empty() && iequals(name, modstamp))) {
      return Error(ErrorKind::kConfig, "BOOKKEEPING_FIELD_EXCLUDED",
                   fmt::format("{}.{} is a bookkeeping field crmsync always syncs (it tracks changes and "
                               "deletions) and cannot be excluded; remove it from [objects.{}] exclude",
                               object, name, object));
    }
    if (!f) {
      return Error(ErrorKind::kConfig, "NOT_RECOMMENDED",
                   fmt::format("[objects.{}] exclude names '{}', which is not a Recommended field of {}: only "
                               "Recommended fields can be excluded ({}'s: {})",
                               object, name, object, object, recommended_list(cat)));
    }
    if (contains(selection.include, name)) {
      return Error(ErrorKind::kConfig, "INCLUDE_EXCLUDE_CONFLICT",
                   fmt::format("[objects.{}] both includes and excludes '{}'; keep it in one list", object, name));
    }
  }
  return ok_status();
}

std::string pick_modstamp(const DescribeIndex& index) {
  for (auto candidate : kModstampCandidates) {
    if (auto i = index.find(candidate)) return text_of(index.at(*i), "name");
  }
  return "";
}

Error unknown_include(const std::string& object, const std::string& name) {
  return Error(ErrorKind::kNotFound, "UNKNOWN_FIELD",
               fmt::format("[objects.{}] include names '{}', which {}'s describe does not have: check the API "
                           "name (custom fields end in __c) and that the integration user can read it",
                           object, name, object));
}

Status mark_catalog_fields(const std::string& object, const CatalogObject& cat, const DescribeIndex& index,
                           const AdminSelection& selection, FieldSelection& out, std::map<std::size_t, Mark>& marks) {
  for (const auto& f : cat.fields) {
    const bool excluded = f.mark == Mark::kRecommended && contains(selection.exclude, f.name);
    auto i = index.find(f.name);
    if (!i) {
      if (f.mark == Mark::kRequired) out.missing_required.push_back(f.name);
      if (f.mark == Mark::kRecommended && !excluded) out.missing_recommended.push_back(f.name);
    } else if (f.mark == Mark::kRequired) {
      marks[*i] = Mark::kRequired;
    } else if (!excluded) {
      marks.emplace(*i, Mark::kRecommended);  // a bookkeeping field stays bookkeeping
    }
  }
  for (const auto& name : cat.board_fields) {
    if (auto i = index.find(name)) marks.emplace(*i, Mark::kBoard);  // a listed field keeps its mark
  }
  for (const auto& name : selection.include) {
    auto i = index.find(name);
    if (!i) {
      if (cat.find(name)) continue;  // a catalog field: reported above as missing
      return unknown_include(object, name);
    }
    marks.emplace(*i, Mark::kOther);
  }
  return ok_status();
}

// An object beyond the catalog: every field of a supported type (those of other types are skipped,
// with the reason, in unsupported_discovered), or only the bookkeeping fields and `include`, whose
// types must be supported; `exclude` takes fields out of "every field".
Status discover_fields(const std::string& object, const DescribeIndex& index, const AdminSelection& selection,
                       std::string_view modstamp, std::map<std::size_t, Mark>& marks,
                       std::set<std::size_t>& discovered) {
  for (const auto& name : selection.exclude) {
    if (iequals(name, "Id") || iequals(name, "IsDeleted") || (!modstamp.empty() && iequals(name, modstamp))) {
      return Error(ErrorKind::kConfig, "BOOKKEEPING_FIELD_EXCLUDED",
                   fmt::format("{}.{} is a bookkeeping field crmsync always syncs (it tracks changes and "
                               "deletions) and cannot be excluded; remove it from [objects.{}] exclude",
                               object, name, object));
    }
    if (contains(selection.include, name)) {
      return Error(ErrorKind::kConfig, "INCLUDE_EXCLUDE_CONFLICT",
                   fmt::format("[objects.{}] both includes and excludes '{}'; keep it in one list", object, name));
    }
    if (!index.find(name)) {
      return Error(ErrorKind::kNotFound, "UNKNOWN_FIELD",
                   fmt::format("[objects.{}] exclude names '{}', which {}'s describe does not have: check the API "
                               "name (custom fields end in __c)",
                               object, name, object));
    }
  }
  for (const auto& name : selection.include) {
    auto i = index.find(name);
    if (!i) {
      return unknown_include(object, name);
    }
    marks.emplace(*i, Mark::kOther);
  }
  if (!selection.include.empty()) return ok_status();
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (contains(selection.exclude, text_of(index.at(i), "name"))) continue;
    if (marks.emplace(i, Mark::kOther).second) discovered.insert(i);
  }
  return ok_status();
}

}  // namespace

Result<FieldType> classify_for_sync(std::string_view object, const nlohmann::json& describe_field) {
  Result<FieldType> type = classify_field(object, describe_field);
  if (type || type.error().code != "CAMPAIGN_REFERENCE") return type;
  const CatalogObject* cat = find_object(object);
  if (cat != nullptr && cat->find(text_of(describe_field, "name")) != nullptr) return FieldType::kReference;
  return type;
}

const SyncedField* FieldSelection::find(std::string_view name) const {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return &f;
  }
  return nullptr;
}

Result<FieldSelection> select_fields(const nlohmann::json& describe, const AdminSelection& selection) {
  const std::string object = text_of(describe, "name");
  if (object.empty() || !describe.contains("fields") || !describe["fields"].is_array()) {
    return Error(ErrorKind::kSalesforce, "MALFORMED_DESCRIBE",
                 "a describe result without \"name\" and a \"fields\" array cannot be used to select fields");
  }
  const CatalogObject* cat = find_object(object);
  const DescribeIndex index(describe["fields"]);

  FieldSelection out;
  out.object = object;
  out.modstamp_field = pick_modstamp(index);
  out.discovered = cat == nullptr;

  std::map<std::size_t, Mark> marks;  // describe position -> mark
  std::set<std::size_t> discovered;   // of those, found by discovery: an unsupported type is skipped
  for (std::string_view name : {std::string_view("Id"), std::string_view("IsDeleted"),
                                std::string_view(out.modstamp_field)}) {
    if (auto i = index.find(name); i && !name.empty()) marks[*i] = Mark::kBookkeeping;
  }
  if (cat == nullptr) {
    CRMSYNC_TRY(discover_fields(object, index, selection, out.modstamp_field, marks, discovered));
  } else {
    CRMSYNC_TRY(check_excludes(object, *cat, selection, out.modstamp_field));
    CRMSYNC_TRY(mark_catalog_fields(object, *cat, index, selection, out, marks));
  }

  for (const auto& [pos, mark] : marks) {
    const nlohmann::json& f = index.at(pos);
    Result<FieldType> type = classify_for_sync(object, f);
    if (!type) {
      if (mark == Mark::kRecommended) {
        out.unsupported_recommended.push_back(type.error());
        continue;
      } else if (discovered.contains(pos)) {
        out.unsupported_discovered.push_back(type.error());
        continue;
      } else if (mark == Mark::kBoard) {
        continue;  // the boards go without it, as where describe lacks it
      } else {
        return type.error();
      }
    }
    SyncedField s{text_of(f, "name"), *type, storage_of(*type), mark};
    s.calculated = detail::flag_of(f, "calculated");
    s.reference_to = texts_of(f, "referenceTo");
    s.length = static_cast<int>(number_of(f, "length").value_or(0));
    out.fields.push_back(std::move(s));
  }
  auto id = std::find_if(out.fields.begin(), out.fields.end(), [](const SyncedField& s) { return iequals(s.name, "Id"); });
  if (id != out.fields.end()) std::rotate(out.fields.begin(), id, id + 1);
  return out;
}

}  // namespace crmsync::catalog
