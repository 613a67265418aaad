// Building Task/Event field values from an activity and its match, and checking them against describe.
#include "export/record.h"

#include <array>
#include <optional>

#include "common/sfid.h"
#include "common/text.h"
#include "export/template.h"
#include "salesforce/json_members.h"

namespace crmsync::exports {

using nlohmann::json;

std::string sobject_for(const config::ExportConfig& config) { return config.as == "event" ? "Event" : "Task"; }

std::string marker_line(std::string_view activity_id) { return "crmsync activity: " + std::string(activity_id); }

std::string marker_in(std::string_view description) {
  static constexpr std::string_view kPrefix = "crmsync activity: ";
  auto p = description.rfind(kPrefix);
  if (p == std::string_view::npos || (p > 0 && description[p - 1] != '\n')) return {};
  std::string_view rest = description.substr(p + kPrefix.size());
  rest = rest.substr(0, rest.find_first_of("\r\n"));
  return std::string(rest);
}

namespace {

// Task.Description and Event.Description are long text areas of 32,000 characters.
constexpr std::size_t kDescriptionMax = 32000;

json text_or_null(const std::string& s) { return s.empty() ? json() : json(s); }

// The rendered description, then the marker line (when there is one), within Description's
// 32,000 characters: a longer text is cut before the marker, never the marker itself (a rerun after
// a crash finds the record by it; an activity id is at most 255 characters, so it always fits).
// `note` says what was cut.
std::string description_with_marker(const std::string& text, const std::string& marker, std::string* note) {
  const std::string separator = text.empty() || marker.empty() ? "" : "\n\n";
  const std::size_t room = kDescriptionMax - utf8_length(separator) - utf8_length(marker);
  const std::size_t length = utf8_length(text);
  if (length <= room) return text + separator + marker;
  static constexpr std::string_view kEllipsis = "\u2026";  // one character: the reader sees the text goes on
  std::string cut = std::string(utf8_prefix(text, room - 1)) + std::string(kEllipsis);
  if (note != nullptr) {
    *note = "the description template gave " + std::to_string(length) +
            " characters, more than Salesforce's Description takes (32,000); it was cut to " +
            std::to_string(room) + " characters" +
            (marker.empty() ? "" : " so that the \"crmsync activity:\" marker line that crash recovery relies on stays at its end") +
            " (shorten the summary or [export.<kind>] description to keep all of it)";
  }
  return cut + separator + marker;
}

// A subject template whose {title} was empty leaves its separator behind ("Call: "): trimmed, with
// the spaces and separators at either end.
std::string trim_separators(std::string_view text) {
  constexpr std::string_view kSeparators = " \t:;,-|/";
  std::size_t first = text.find_first_not_of(kSeparators);
  if (first == std::string_view::npos) return {};
  std::size_t last = text.find_last_not_of(kSeparators);
  return std::string(text.substr(first, last - first + 1));
}

json attribute_value(const Activity& a, const TemplateValues& values, const std::string& attribute) {
  if (attribute == "duration_seconds") return a.duration_seconds;
  if (attribute == "start") return format_datetime_iso(a.start);
  if (attribute == "end") return format_datetime_iso(a.end);
  auto it = values.find(attribute);
  return it == values.end() ? json() : text_or_null(it->second);
}

}  // namespace

json build_record(const Activity& a, const Match& m, const config::ExportConfig& config, const std::string& record_type_id,
                  std::string* note) {
  const config::ExportKindConfig& kind = config.kind(to_string(a.kind));
  TemplateValues values = template_values(a);
  const bool task = config.as != "event";
  json r = json::object();
  std::string subject = render_template(kind.subject, values);
  if (a.title.empty()) subject = trim_separators(subject);  // "Cancelled: Call: " -> "Cancelled: Call"
  if (subject.empty()) subject = a.title.empty() ? std::string(kind_label(a.kind)) : a.title;
  r["Subject"] = std::string(utf8_prefix(subject, 255));
  r["Description"] = description_with_marker(render_template(kind.description, values),
                                             config.external_id_field.empty() ? marker_line(a.id) : "", note);
  r["Type"] = text_or_null(kind.type);
  r["OwnerId"] = text_or_null(m.owner.id);
  r["WhoId"] = text_or_null(m.who.id);
  r["WhatId"] = text_or_null(m.what.id);
  if (!record_type_id.empty()) r["RecordTypeId"] = record_type_id;
  if (task) {
    r["ActivityDate"] = format_date(local_start_date(a));
    r["Status"] = kind.status;
    r["TaskSubtype"] = text_or_null(kind.task_subtype);
    if (a.kind == ActivityKind::kCall) {
      r["CallDurationInSeconds"] = a.duration_seconds;
      r["CallDisposition"] = text_or_null(std::string(utf8_prefix(a.disposition, 255)));
    }
  } else {
    std::int64_t minutes = (a.duration_seconds + 59) / 60;
    r["StartDateTime"] = format_datetime_iso(a.start);
    r["EndDateTime"] = format_datetime_iso(a.start + minutes * 60000);
    r["DurationInMinutes"] = minutes;
    r["EventSubtype"] = text_or_null(kind.event_subtype);
  }
  for (const auto& [attribute, field] : config.fields) r[field] = attribute_value(a, values, attribute);
  if (!config.external_id_field.empty()) r[config.external_id_field] = a.id;
  return r;
}

json update_fields(const json& record, std::string_view sobject) {
  json out = record;
  out.erase(sobject == "Event" ? "EventSubtype" : "TaskSubtype");
  return out;
}

json create_fields(const json& record) {
  json out = json::object();
  for (const auto& [k, v] : record.items()) {
    if (!v.is_null()) out[k] = v;
  }
  return out;
}

std::string content_hash(const json& record) {
  // FNV-1a 64 over the canonical dump (nlohmann orders object keys).
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : record.dump()) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 15];
  return out;
}

namespace {

using salesforce::JsonMembers;

// One record type of describe's recordTypeInfos, its members type-checked.
struct RecordTypeInfo {
  std::string id, developer_name, name;
  bool available = true, active = true;
};

Result<RecordTypeInfo> record_type_info(const json& info, const std::string& what) {
  JsonMembers m(info, what);
  RecordTypeInfo out;
  for (auto [key, target] : {std::pair{"recordTypeId", &out.id}, std::pair{"developerName", &out.developer_name},
                             std::pair{"name", &out.name}}) {
    auto v = m.text_or(key, "");
    if (!v) return v.error();
    *target = std::move(*v);
  }
  auto available = m.flag_or("available", true);
  if (!available) return available.error();
  auto active = m.flag_or("active", true);
  if (!active) return active.error();
  out.available = *available;
  out.active = *active;
  return out;
}

// The record type `[export.<kind>] record_type` names (its DeveloperName, its Name or its Id) among
// describe's recordTypeInfos, which list the object's record types with `available` saying whether
// the integration user's profile may use each: its Id, or an error naming it and the fix.
Result<std::string> resolve_record_type(const json& describe, const std::string& sobject, const char* kind,
                                        const std::string& rt) {
  const std::string key = std::string("[export.") + kind + "] record_type = \"" + rt + "\"";
  auto infos = JsonMembers(describe, "describe " + sobject).array_or_empty("recordTypeInfos");
  if (!infos) return infos.error();
  std::optional<RecordTypeInfo> found;
  for (std::size_t k = 0; k < (*infos)->size(); ++k) {
    auto info = record_type_info((**infos)[k], "describe " + sobject + " (recordTypeInfos[" + std::to_string(k) + "])");
    if (!info) return info.error();
    const bool by_id = same_sf_id(info->id, rt);
    if (by_id || iequals(info->developer_name, rt) || iequals(info->name, rt)) {
      // A name shared by an available and an unavailable record type: the available one.
      if (!found || (!found->available && info->available)) found = std::move(*info);
    }
  }
  if (!found) {
    return Error(ErrorKind::kConfig, "NO_SUCH_RECORD_TYPE",
                 key + " is not a " + sobject + " record type (by DeveloperName, Name or Id) in the integration user's "
                 "describe of " + sobject + "; use one listed in Setup > Object Manager > " + sobject +
                 " > Record Types, or remove the key.");
  }
  if (!found->available || !found->active) {
    return Error(ErrorKind::kPermission, "RECORD_TYPE_NOT_AVAILABLE",
                 key + " names the " + sobject + " record type " + found->developer_name + " (" + found->id +
                     "), which the integration user's profile may not use" + (found->active ? "" : " (it is inactive)") +
                     "; add " + found->developer_name +
                     " to the record types of the integration user's profile (Setup > Profiles > Record Type "
                     "Settings > " + sobject + "), or name another record type.");
  }
  return found->id;
}

// One field of describe's "fields": its name and whether the user may create / update it.
struct DescribedField {
  std::string name;
  bool createable = false, updateable = false, external_id = false, id_lookup = false;
};

Result<std::vector<DescribedField>> described_fields(const json& describe, const std::string& sobject) {
  auto fields = JsonMembers(describe, "describe " + sobject).array_or_empty("fields");
  if (!fields) return fields.error();
  std::vector<DescribedField> out;
  for (std::size_t k = 0; k < (*fields)->size(); ++k) {
    JsonMembers m((**fields)[k], "describe " + sobject + " (fields[" + std::to_string(k) + "])");
    DescribedField f;
    auto name = m.text("name");
    if (!name) return name.error();
    f.name = std::move(*name);
    for (auto [key, target] : {std::pair{"createable", &f.createable}, std::pair{"updateable", &f.updateable},
                               std::pair{"externalId", &f.external_id}, std::pair{"idLookup", &f.id_lookup}}) {
      auto v = m.flag_or(key, false);
      if (!v) return v.error();
      *target = *v;
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

Result<bool> describe_writable(const json& describe) {
  JsonMembers m(describe, "describe");
  auto createable = m.flag_or("createable", false);
  if (!createable) return createable.error();
  auto updateable = m.flag_or("updateable", false);
  if (!updateable) return updateable.error();
  return *createable && *updateable;
}

Result<std::array<std::string, 3>> check_describe(const json& describe, const config::ExportConfig& config,
                                                  bool own_records_only) {
  const std::string sobject = sobject_for(config);
  auto writable = describe_writable(describe);
  if (!writable) return writable.error();
  if (!own_records_only && !*writable) {
    return Error(ErrorKind::kPermission, "OBJECT_NOT_WRITABLE",
                 "The integration user cannot create and edit " + sobject + " records; grant it Create and Edit on " +
                     sobject + " (the \"Edit Tasks\" / \"Edit Events\" permission) and run again.");
  }
  auto fields = described_fields(describe, sobject);
  if (!fields) return fields.error();
  auto find = [&](const std::string& name) -> const DescribedField* {
    for (const DescribedField& field : *fields) {
      if (iequals(field.name, name)) return &field;
    }
    return nullptr;
  };
  auto need = [&](const std::string& field, const std::string& why, bool update_too) -> Status {
    const DescribedField* f = find(field);
    if (f == nullptr) {
      return Error(ErrorKind::kConfig, "NO_SUCH_FIELD",
                   why + " names " + sobject + "." + field + ", which the integration user's describe of " + sobject +
                       " does not have; create the field (or fix the name) and give the integration user Edit access to it.");
    }
    if (own_records_only) return ok_status();
    if (!f->createable || (update_too && !f->updateable)) {
      return Error(ErrorKind::kPermission, "FIELD_NOT_WRITABLE",
                   why + " names " + sobject + "." + field + ", which the integration user cannot " +
                       (f->createable ? "update" : "create") +
                       "; give it Edit access to the field (field-level security) or remove the mapping.");
    }
    return ok_status();
  };
  std::vector<std::string> standard = {"Subject", "Description", "OwnerId", "WhoId", "WhatId", "Type"};
  if (sobject == "Task") {
    for (const char* f : {"ActivityDate", "Status", "CallDurationInSeconds", "CallDisposition"}) standard.emplace_back(f);
  } else {
    for (const char* f : {"StartDateTime", "EndDateTime", "DurationInMinutes"}) standard.emplace_back(f);
  }
  for (const auto& f : standard) CRMSYNC_TRY(need(f, "crmsync export", true));
  for (const auto& [attribute, field] : config.fields) {
    CRMSYNC_TRY(need(field, "[export.fields] " + attribute, true));
  }
  if (!config.external_id_field.empty()) {
    CRMSYNC_TRY(need(config.external_id_field, "[export] external_id_field", true));
    const DescribedField* f = find(config.external_id_field);
    if (!f->external_id && !f->id_lookup) {
      return Error(ErrorKind::kConfig, "NOT_AN_EXTERNAL_ID",
                   "[export] external_id_field names " + sobject + "." + config.external_id_field +
                       ", which is not an External ID field; tick \"External ID\" on it in Setup or remove the key.");
    }
  }
  std::array<std::string, 3> record_types;
  const char* kinds[] = {"call", "meeting", "invite"};
  for (std::size_t k = 0; k < 3; ++k) {
    const std::string& rt = config.kind(kinds[k]).record_type;
    if (rt.empty()) continue;
    auto id = resolve_record_type(describe, sobject, kinds[k], rt);
    if (!id) return id.error();
    record_types[k] = *id;
  }
  return record_types;
}

}  // namespace crmsync::exports
