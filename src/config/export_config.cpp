// [export] in crmsync.toml: `crmsync export`'s object choice, per-kind field values and templates,
// custom field mapping and matching options, with CRMSYNC_EXPORT_* overrides.
#include "config/export_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <variant>

#include "common/text.h"
#include "config/config_source.h"

namespace crmsync::config {

const std::vector<std::string> kExportPlaceholders = {
    "id",       "kind",         "title",          "summary",    "participants",     "participant_names",
    "participant_emails",       "recording_url",  "start",      "end",              "start_date",
    "duration", "duration_minutes", "duration_seconds", "disposition", "host_email", "status",
    "status_prefix"};

const std::vector<std::string> kExportFieldAttributes = {
    "id",  "kind",   "title",  "summary",          "participants", "recording_url", "disposition",
    "start", "end", "status", "duration_seconds", "host_email"};

namespace {

}  // namespace

ExportKindConfig export_kind_defaults(std::string_view kind) {
  const std::string description =
      "{summary}\n\nParticipants: {participants}\nRecording: {recording_url}\nDuration: {duration}";
  if (kind == "call") return {"Call", "Call", "Event", "", "{status_prefix}Call: {title}", description, "Completed"};
  if (kind == "meeting") {
    return {"Meeting", "Task", "Event", "", "{status_prefix}Meeting: {title}", description, "Completed"};
  }
  return {"Meeting", "Task", "Event", "", "{status_prefix}Invite: {title}", description, "In Progress"};
}

namespace {

const std::vector<std::string> kKinds = {"call", "meeting", "invite"};

using Target = std::variant<std::string*, bool*, std::int64_t*>;
struct Binding {
  const char* key;
  Target target;
};

std::vector<Binding> top_bindings(ExportConfig& c) {
  return {{"as", &c.as},
          {"external_id_field", &c.external_id_field},
          {"match_opportunity_by_contact_role", &c.match_opportunity_by_contact_role},
          {"match_opportunity_by_owner_participation", &c.match_opportunity_by_owner_participation},
          {"opportunity_window_days", &c.opportunity_window_days}};
}

std::vector<Binding> kind_bindings(ExportKindConfig& k) {
  return {{"type", &k.type},         {"task_subtype", &k.task_subtype}, {"event_subtype", &k.event_subtype},
          {"record_type", &k.record_type}, {"subject", &k.subject},   {"description", &k.description},
          {"status", &k.status}};
}

ExportKindConfig& kind_of(ExportConfig& c, std::string_view name) {
  if (name == "call") return c.call;
  if (name == "meeting") return c.meeting;
  return c.invite;
}

std::string list_of(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const char* expected_of(const Target& t) {
  if (std::holds_alternative<std::string*>(t)) return "a string";
  if (std::holds_alternative<bool*>(t)) return "a boolean (true or false)";
  return "an integer";
}

Status assign(const Binding& b, const toml::node& node, const std::string& where, const std::string& label) {
  bool ok = true;
  if (auto* s = std::get_if<std::string*>(&b.target)) {
    if ((ok = node.is_string())) **s = node.as_string()->get();
  } else if (auto* f = std::get_if<bool*>(&b.target)) {
    if ((ok = node.is_boolean())) **f = node.as_boolean()->get();
  } else if ((ok = node.is_integer())) {
    *std::get<std::int64_t*>(b.target) = node.as_integer()->get();
  }
  if (!ok) return config_error("WRONG_TYPE", where, label + " must be " + expected_of(b.target) + ".");
  return ok_status();
}

Status assign_env(const Binding& b, const std::string& var, const std::string& text, const std::string& label) {
  std::string where = "environment variable " + var;
  if (auto* s = std::get_if<std::string*>(&b.target)) {
    **s = text;
  } else if (auto* f = std::get_if<bool*>(&b.target)) {
    auto v = parse_bool(text);
    if (v) **f = *v;
    else return config_error("WRONG_TYPE", where, label + " must be a boolean (true/false, 1/0, yes/no), not " + shown_value(text) + ".");
  } else {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return config_error("WRONG_TYPE", where, label + " must be an integer, not " + shown_value(text) + ".");
    }
    *std::get<std::int64_t*>(b.target) = v;
  }
  return ok_status();
}

Status apply_bindings(const toml::table& table, const std::vector<Binding>& bindings, std::string_view source,
                      const std::string& section) {
  for (auto&& [key, node] : table) {
    std::string where = location_of(source, key.source());
    auto it = std::find_if(bindings.begin(), bindings.end(), [&k = key](const Binding& b) { return k.str() == b.key; });
    if (it == bindings.end()) {
      std::vector<std::string> known;
      for (const auto& b : bindings) known.emplace_back(b.key);
      return config_error("UNKNOWN_KEY", where,
                          "unknown key " + std::string(key.str()) + " in [" + section + "]; known keys: " +
                              list_of(known) + ".");
    }
    CRMSYNC_TRY(assign(*it, node, where, "[" + section + "] " + it->key));
  }
  return ok_status();
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_record_type_id(std::string_view s) {
  return (s.size() == 15 || s.size() == 18) && s.starts_with("012") &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

}  // namespace

const ExportKindConfig& ExportConfig::kind(std::string_view name) const {
  return kind_of(const_cast<ExportConfig&>(*this), name);
}

Status apply_export_section(const toml::node& node, std::string_view source, ExportConfig& out) {
  if (!node.is_table()) {
    return config_error("WRONG_TYPE", std::string(source), "export must be a section ([export]).");
  }
  for (auto&& [key, child] : *node.as_table()) {
    std::string name(key.str());
    std::string where = location_of(source, key.source());
    if (std::find(kKinds.begin(), kKinds.end(), name) != kKinds.end() || name == "fields") {
      if (!child.is_table()) {
        return config_error("WRONG_TYPE", where, "export." + name + " must be a table ([export." + name + "]).");
      }
      if (name == "fields") {
        for (auto&& [attr, field] : *child.as_table()) {
          std::string at = location_of(source, attr.source());
          if (!field.is_string()) {
            return config_error("WRONG_TYPE", at,
                                "[export.fields] " + std::string(attr.str()) +
                                    " must be a string naming a Task/Event field, e.g. \"Recording_URL__c\".");
          }
          out.fields[std::string(attr.str())] = field.as_string()->get();
        }
      } else {
        CRMSYNC_TRY(apply_bindings(*child.as_table(), kind_bindings(kind_of(out, name)), source, "export." + name));
      }
      continue;
    }
    auto bindings = top_bindings(out);
    auto it = std::find_if(bindings.begin(), bindings.end(), [&](const Binding& b) { return name == b.key; });
    if (it == bindings.end()) {
      std::vector<std::string> known;
      for (const auto& b : bindings) known.emplace_back(b.key);
      return config_error("UNKNOWN_KEY", where,
                          "unknown key " + name + " in [export]; known keys: " + list_of(known) +
                              ", and the tables [export.call], [export.meeting], [export.invite], [export.fields].");
    }
    CRMSYNC_TRY(assign(*it, child, where, "[export] " + name));
  }
  return ok_status();
}

Status apply_export_env(ExportConfig& out, const EnvLookup& env) {
  for (const auto& b : top_bindings(out)) {
    std::string var = "CRMSYNC_EXPORT_" + to_upper(b.key);
    if (auto v = env(var)) {
      CRMSYNC_TRY(assign_env(b, var, *v, std::string("[export] ") + b.key));
      out.configured = true;
    }
  }
  for (const auto& kind : kKinds) {
    for (const auto& b : kind_bindings(kind_of(out, kind))) {
      std::string var = "CRMSYNC_EXPORT_" + to_upper(kind) + "_" + to_upper(b.key);
      if (auto v = env(var)) {
        CRMSYNC_TRY(assign_env(b, var, *v, "[export." + kind + "] " + b.key));
        out.configured = true;
      }
    }
  }
  for (const auto& attr : kExportFieldAttributes) {
    if (auto v = env("CRMSYNC_EXPORT_FIELDS_" + to_upper(attr))) {
      out.configured = true;
      if (v->empty()) out.fields.erase(attr);
      else out.fields[attr] = *v;
    }
  }
  return ok_status();
}

Status check_template(std::string_view text, const std::string& label) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        ++i;
        continue;
      }
      return Error(ErrorKind::kConfig, "INVALID_TEMPLATE",
                   label + " has a lone '}' at character " + std::to_string(i + 1) + "; write }} for a literal brace.");
    }
    if (text[i] != '{') continue;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      return Error(ErrorKind::kConfig, "INVALID_TEMPLATE",
                   label + " opens a placeholder at character " + std::to_string(i + 1) +
                       " that is never closed; write {name} or {{ for a literal brace.");
    }
    std::string name(text.substr(i + 1, close - i - 1));
    if (std::find(kExportPlaceholders.begin(), kExportPlaceholders.end(), name) == kExportPlaceholders.end()) {
      return Error(ErrorKind::kConfig, "INVALID_TEMPLATE",
                   label + " uses the unknown placeholder {" + name + "}; known placeholders: " +
                       list_of(kExportPlaceholders) + ".");
    }
    i = close;
  }
  return ok_status();
}

Status validate_export(const ExportConfig& c, std::string_view source) {
  std::string where(source);
  if (c.as != "task" && c.as != "event") {
    return config_error("INVALID_VALUE", where,
                        "[export] as = " + shown_value(c.as) + " is not supported; use \"task\" or \"event\".");
  }
  if (c.opportunity_window_days < 0 || c.opportunity_window_days > 365) {
    return config_error("INVALID_VALUE", where,
                        "[export] opportunity_window_days = " + std::to_string(c.opportunity_window_days) +
                            " is out of range; use a number of days from 0 to 365 (default 14).");
  }
  if (!c.external_id_field.empty() && (!is_identifier(c.external_id_field) || !c.external_id_field.ends_with("__c"))) {
    return config_error("INVALID_VALUE", where,
                        "[export] external_id_field = " + shown_value(c.external_id_field) +
                            " is not a custom field API name; use the External ID field's API name, e.g. "
                            "\"Crmsync_Activity_Id__c\", or remove the key to use the local ledger.");
  }
  for (const auto& [attr, field] : c.fields) {
    if (std::find(kExportFieldAttributes.begin(), kExportFieldAttributes.end(), attr) == kExportFieldAttributes.end()) {
      return config_error("UNKNOWN_KEY", where,
                          "[export.fields] " + attr + " is not an activity attribute; known attributes: " +
                              list_of(kExportFieldAttributes) + ".");
    }
    if (!is_identifier(field)) {
      return config_error("INVALID_VALUE", where,
                          "[export.fields] " + attr + " = " + shown_value(field) +
                              " is not a field API name; use the Task/Event field's API name, e.g. \"Recording_URL__c\".");
    }
    if (iequals(field, c.external_id_field)) {
      return config_error("INVALID_VALUE", where,
                          "[export.fields] " + attr + " maps to " + field +
                              ", the external_id_field, which crmsync fills with the activity id; map it elsewhere.");
    }
  }
  for (const auto& kind : kKinds) {
    const ExportKindConfig& k = c.kind(kind);
    std::string section = "[export." + kind + "]";
    CRMSYNC_TRY(check_template(k.subject, where + ": " + section + " subject"));
    CRMSYNC_TRY(check_template(k.description, where + ": " + section + " description"));
    // A DeveloperName, a Name (a label: any text) or an Id; which record type it is, and whether
    // the integration user may use it, is checked against describe before the first write.
    if (k.record_type.size() > 80 && !is_record_type_id(k.record_type)) {
      return config_error("INVALID_VALUE", where,
                          section + " record_type = " + shown_value(k.record_type) +
                              " is longer than a record type's Name or DeveloperName can be (80 characters) and "
                              "is not a RecordType Id (012...); use one of those.");
    }
    if (c.as == "task" && k.status.empty()) {
      return config_error("MISSING_KEY", where,
                          section + " status is empty; Salesforce requires a Task Status, e.g. \"Completed\".");
    }
  }
  return ok_status();
}

}  // namespace crmsync::config
