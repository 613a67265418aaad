// sObject rows: POST /sobjects/{Name}, GET/PATCH/DELETE /sobjects/{Name}/{Id}, the upsert
// PATCH /sobjects/{Name}/{ExternalIdField}/{value}, and the record-level DML behind them and
// behind sObject Collections (dml.h), with Salesforce's validation errors, audit fields, derived
// values (Name, IsClosed, ...), soft and hard deletes.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <mutex>
#include <shared_mutex>

#include "common/json.h"
#include "common/sfid.h"
#include "common/text.h"
#include "emulator/dml.h"
#include "emulator/emu_json.h"
#include "emulator/emu_state.h"
#include "emulator/org_schema.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

DmlError from_access(const AccessError& e) { return {e.status, e.code, e.message, e.fields, true}; }

// Objects whose deleted rows skip the recycle bin (docs/catalog.md): DELETE purges them.
bool hard_deletes(const Table& t) { return t.name() == "CampaignMember" || t.name() == "OpportunityLineItem"; }

void send_dml_error(httplib::Response& res, const DmlError& e) {
  send_error(res, e.status, e.code, e.message, e.with_fields ? &e.fields : nullptr);
}

std::optional<json> parse_body(const httplib::Request& req, const Table& table, DmlError& err) {
  return parse_record_body(req.body, table.name(), err);
}

std::string json_token(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

const char* json_kind(const json& v) {
  if (v.is_string()) return "VALUE_STRING";
  if (v.is_boolean()) return v.get<bool>() ? "VALUE_TRUE" : "VALUE_FALSE";
  if (v.is_number_integer() || v.is_number_unsigned()) return "VALUE_NUMBER_INT";
  if (v.is_number()) return "VALUE_NUMBER_FLOAT";
  if (v.is_array()) return "START_ARRAY";
  return "START_OBJECT";
}

DmlError type_error(const FieldDef& f, const json& v) {
  std::string type = f.type == "datetime" ? "datetime" : f.type;
  if (f.type == "currency" || f.type == "percent") type = "double";
  return json_type_error(type, v);
}

// A decimal number as text: [-+]digits[.digits][e[-+]digits] (what Salesforce takes in a string
// for a number field). Not "NaN", "inf", hex or surrounding spaces, which strtod would take.
bool is_decimal_text(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t mantissa = digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// The magnitude a number field's values stay below: 10^(precision - scale) for a decimal (its
// integer digits), 10^digits for an int; without them, what the stored type holds.
double number_bound(const FieldDef& f) {
  if (f.type == "int") return f.digits > 0 ? std::pow(10.0, f.digits) : 9.2e18;
  if (f.precision > 0) return std::pow(10.0, f.precision - f.scale);
  return std::numeric_limits<double>::infinity();
}

// A number field's value from a JSON number or a decimal string. Salesforce refuses a value
// beyond the field's precision (NUMBER_OUTSIDE_VALID_RANGE, in its words); one that is no number
// at all ("NaN", "inf") cannot be read as the field's type (JSON_PARSER_ERROR). A string too big
// for a double ("1e999") is beyond every field's precision.
std::optional<Value> convert_number(const FieldDef& f, const json& v, DmlError& err) {
  double d = 0;
  std::string text;
  if (v.is_number()) {
    d = v.get<double>();
    append_value(text, f, Value{d});  // as Salesforce echoes it: 1.0E300
  } else if (v.is_string() && is_decimal_text(v.get_ref<const std::string&>())) {
    text = v.get<std::string>();
    d = std::strtod(text.c_str(), nullptr);
  } else {
    err = type_error(f, v);
    return std::nullopt;
  }
  if (!std::isfinite(d) || std::fabs(d) >= number_bound(f)) {
    err = {400, "NUMBER_OUTSIDE_VALID_RANGE",
           f.label + ": value outside of valid range on numeric field: " + std::string(utf8_prefix(text, 40)) +
               (text.size() > 40 ? "..." : ""),
           {f.name}};
    return std::nullopt;
  }
  if (f.type == "int") {
    if (d != std::floor(d)) {
      err = type_error(f, v);
      return std::nullopt;
    }
    return Value{static_cast<std::int64_t>(d)};
  }
  return Value{d};
}

bool is_text_type(const std::string& t) {
  return t == "string" || t == "textarea" || t == "picklist" || t == "multipicklist" || t == "combobox" ||
         t == "email" || t == "phone" || t == "url" || t == "encryptedstring";
}

// Converts one JSON value for `f`, or explains why not.
std::optional<Value> convert(const Database& db, const FieldDef& f, const json& v, DmlError& err) {
  if (v.is_null()) return Value{};
  if (v.is_object() || v.is_array()) {
    err = type_error(f, v);
    return std::nullopt;
  }
  if (f.type == "boolean") {
    if (v.is_boolean()) return Value{v.get<bool>()};
    if (v.is_string() && (iequals(v.get<std::string>(), "true") || iequals(v.get<std::string>(), "false"))) {
      return Value{iequals(v.get<std::string>(), "true")};
    }
    err = type_error(f, v);
    return std::nullopt;
  }
  if (f.type == "int" || f.type == "double" || f.type == "currency" || f.type == "percent") {
    return convert_number(f, v, err);
  }
  if (f.type == "date" || f.type == "datetime") {
    if (!v.is_string()) {
      err = type_error(f, v);
      return std::nullopt;
    }
    const std::string s = v.get<std::string>();
    if (f.type == "date") {
      auto d = parse_date(s.substr(0, 10));
      if (!d || (s.size() != 10 && !parse_datetime(s))) {
        err = type_error(f, v);
        return std::nullopt;
      }
      return Value{Date{*d}};
    }
    auto t = parse_datetime(s);
    if (!t) {
      err = type_error(f, v);
      return std::nullopt;
    }
    return Value{DateTime{*t}};
  }
  const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (f.type == "reference" || f.type == "id") {
    auto id = sf_id18(s);
    if (!id) {
      err = {400, "MALFORMED_ID", f.label + ": id value of incorrect type: " + s, {f.name}};
      return std::nullopt;
    }
    bool target_unknown = false;
    for (const auto& target : f.reference_to) {
      const Table* t = db.find(target);
      if (t == nullptr) {
        target_unknown = true;
        continue;
      }
      if (id->substr(0, 3) != t->key_prefix()) continue;
      auto row = t->find(*id);
      if (!row) {
        err = {400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {f.name}};
        return std::nullopt;
      }
      auto deleted = t->field_index("IsDeleted");
      if (deleted && std::get_if<bool>(&t->row(*row)[*deleted]) && std::get<bool>(t->row(*row)[*deleted])) {
        err = {400, "ENTITY_IS_DELETED", "entity is deleted", {f.name}};
        return std::nullopt;
      }
      return Value{*id};
    }
    if (target_unknown) return Value{*id};
    err = {400, "FIELD_INTEGRITY_EXCEPTION", f.label + ": id value of incorrect type: " + s, {f.name}};
    return std::nullopt;
  }
  if (is_text_type(f.type) && f.length > 0 && utf8_length(s) > static_cast<std::size_t>(f.length)) {
    err = {400, "STRING_TOO_LONG",
           f.label + ": data value too large: " + std::string(utf8_prefix(s, 40)) +
               (utf8_length(s) > 40 ? "..." : "") + " (max length=" + std::to_string(f.length) + ")",
           {f.name}};
    return std::nullopt;
  }
  if (f.type == "email" && !s.empty()) {
    auto at = s.find('@');
    if (at == std::string::npos || at == 0 || s.find('.', at) == std::string::npos) {
      err = {400, "INVALID_EMAIL_ADDRESS", f.label + ": invalid email address: " + s, {f.name}};
      return std::nullopt;
    }
  }
  return Value{s};
}

// Validates the body against the table and converts it to (field index, value) pairs.
std::optional<std::vector<std::pair<std::size_t, Value>>> validate(const Database& db, const Table& table,
                                                                   const json& body, bool create,
                                                                   const UserAccess& access, DmlError& err) {
  std::vector<std::pair<std::size_t, Value>> out;
  std::vector<std::string> not_writable;
  for (const auto& [key, value] : body.items()) {
    if (key == "attributes") continue;
    auto index = table.field_index(key);
    if (!index) {
      err = {400, "INVALID_FIELD", "No such column '" + key + "' on sobject of type " + table.name(), {}, false};
      return std::nullopt;
    }
    const FieldDef& f = table.field(*index);
    bool fls_writable = true;
    if (auto hidden = field_write_error(access, table, f, key, &fls_writable)) {
      err = from_access(*hidden);
      err.with_fields = false;
      return std::nullopt;
    }
    if (!fls_writable || (create ? !f.createable : !f.updateable)) {
      not_writable.push_back(f.name);
      continue;
    }
    auto converted = convert(db, f, value, err);
    if (!converted) return std::nullopt;
    out.emplace_back(*index, std::move(*converted));
  }
  if (!not_writable.empty()) {
    std::string list;
    for (const auto& n : not_writable) list += (list.empty() ? "" : ", ") + n;
    err = {400, "INVALID_FIELD_FOR_INSERT_UPDATE",
           "Unable to create/update fields: " + list +
               ". Please check the security settings of this field and verify that it is read/write for your "
               "profile or permission set.",
           not_writable};
    return std::nullopt;
  }
  return out;
}

const std::string* text_of(const Table& t, const Row& row, const char* field) {
  auto i = t.field_index(field);
  return i ? std::get_if<std::string>(&row[*i]) : nullptr;
}

void set(const Table& t, Row& row, const char* field, Value v) {
  if (auto i = t.field_index(field)) row[*i] = std::move(v);
}

bool is_set(const Table& t, const Row& row, const char* field) {
  auto i = t.field_index(field);
  return i && !is_null(row[*i]);
}

// Fills what Salesforce would default on create.
void apply_defaults(const Database& db, const Table& t, Row& row, const std::string& user) {
  static const std::vector<std::tuple<const char*, const char*, const char*>> kDefaults = {
      {"Task", "Status", "Not Started"},          {"Task", "Priority", "Normal"},
      {"Lead", "Status", "Open - Not Contacted"}, {"CampaignMember", "Status", "Sent"},
      {"OpportunityTeamMember", "OpportunityAccessLevel", "Read"},
      {"UserRole", "OpportunityAccessForAccountOwner", "None"},
      {"UserRole", "ContactAccessForAccountOwner", "None"}};
  for (const auto& [object, field, value] : kDefaults) {
    if (t.name() == object && !is_set(t, row, field)) set(t, row, field, std::string(value));
  }
  for (std::size_t i = 0; i < t.fields().size(); ++i) {
    if (t.field(i).type == "boolean" && is_null(row[i])) row[i] = false;
  }
  if (t.field_index("OwnerId") && !is_set(t, row, "OwnerId")) set(t, row, "OwnerId", user);
  if (t.name() == "OpportunitySplit" && !is_set(t, row, "SplitTypeId")) {
    const Table& types = *db.find("OpportunitySplitType");
    if (types.slot_count() > 0) set(t, row, "SplitTypeId", types.row(0)[0]);
  }
}

// A multi-currency org (CurrencyType exists): a record's CurrencyIsoCode must be an active
// currency of the org, and a new record without one gets its creating user's currency
// (User.DefaultCurrencyIsoCode), as Salesforce does. No-op in a single-currency org.
std::optional<DmlError> apply_currency(const Database& db, const Table& t, Row& row, const std::string& user,
                                       bool create) {
  auto column = t.field_index("CurrencyIsoCode");
  const Table* types = db.find("CurrencyType");
  if (!column || types == nullptr) return std::nullopt;
  if (is_null(row[*column])) {
    if (!create) return std::nullopt;  // an update that leaves it alone (an explicit null is REQUIRED_FIELD_MISSING)
    const Table& users = *db.find("User");
    auto u = users.find(user);
    auto dflt = users.field_index("DefaultCurrencyIsoCode");
    if (u && dflt && !is_null(users.row(*u)[*dflt])) row[*column] = users.row(*u)[*dflt];
  }
  const auto* code = std::get_if<std::string>(&row[*column]);
  if (code == nullptr) return std::nullopt;
  const auto iso = types->field_index("IsoCode"), active = types->field_index("IsActive");
  for (std::size_t r = 0; r < types->slot_count(); ++r) {
    if (types->purged(r)) continue;
    const Row& type = types->row(r);
    const auto* c = std::get_if<std::string>(&type[*iso]);
    const auto* on = std::get_if<bool>(&type[*active]);
    if (c != nullptr && *c == *code && on != nullptr && *on) return std::nullopt;
  }
  // Wording unverified (docs/decisions.md): Salesforce's restricted-picklist code for the field.
  return DmlError{400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Currency ISO Code: invalid currency code: " + *code,
                  {"CurrencyIsoCode"}};
}

// Recomputes values Salesforce derives from other fields.
void apply_derived(const Database& db, const Table& t, Row& row) {
  const std::string& name = t.name();
  if (name == "Contact" || name == "Lead" || name == "User") {
    const std::string* first = text_of(t, row, "FirstName");
    const std::string* last = text_of(t, row, "LastName");
    std::string full = first && !first->empty() ? *first + " " : "";
    if (last) full += *last;
    set(t, row, "Name", full);
  }
  if (name == "Opportunity") {
    const std::string* stage = text_of(t, row, "StageName");
    const Table& stages = *db.find("OpportunityStage");
    for (std::size_t r = 0; stage && r < stages.slot_count(); ++r) {
      const Row& s = stages.row(r);
      if (*text_of(stages, s, "MasterLabel") != *stage) continue;
      set(t, row, "IsClosed", s[*stages.field_index("IsClosed")]);
      set(t, row, "IsWon", s[*stages.field_index("IsWon")]);
      set(t, row, "ForecastCategory", s[*stages.field_index("ForecastCategory")]);
      if (!is_set(t, row, "ForecastCategoryName")) {
        set(t, row, "ForecastCategoryName", s[*stages.field_index("ForecastCategoryName")]);
      }
      if (!is_set(t, row, "Probability")) set(t, row, "Probability", s[*stages.field_index("DefaultProbability")]);
    }
    const auto amount = *t.field_index("Amount"), probability = *t.field_index("Probability");
    if (std::holds_alternative<double>(row[amount]) && std::holds_alternative<double>(row[probability])) {
      double v = std::get<double>(row[amount]) * std::get<double>(row[probability]) / 100.0;
      set(t, row, "ExpectedRevenue", std::round(v * 100.0) / 100.0);
    } else {
      set(t, row, "ExpectedRevenue", Value{});
    }
  }
  if (name == "Task") {
    const std::string* status = text_of(t, row, "Status");
    const std::string* priority = text_of(t, row, "Priority");
    set(t, row, "IsClosed", status != nullptr && *status == "Completed");
    set(t, row, "IsHighPriority", priority != nullptr && *priority == "High");
  }
  if (name == "Task" || name == "Event") {
    const std::string* what = text_of(t, row, "WhatId");
    const std::string* who = text_of(t, row, "WhoId");
    Value account;
    if (what && what->rfind("001", 0) == 0) {
      account = *what;
    } else if (what && what->rfind("006", 0) == 0) {
      const Table& opps = *db.find("Opportunity");
      if (auto r = opps.find(*what)) account = opps.row(*r)[*opps.field_index("AccountId")];
    } else if (who && who->rfind("003", 0) == 0) {
      const Table& contacts = *db.find("Contact");
      if (auto r = contacts.find(*who)) account = contacts.row(*r)[*contacts.field_index("AccountId")];
    }
    set(t, row, "AccountId", account);
  }
  if (name == "Event") {
    auto start = t.field_index("StartDateTime"), duration = t.field_index("DurationInMinutes");
    if (const auto* s = std::get_if<DateTime>(&row[*start])) {
      set(t, row, "ActivityDateTime", *s);
      set(t, row, "ActivityDate", Date{days_of(s->ms)});
      if (const auto* d = std::get_if<std::int64_t>(&row[*duration])) {
        if (!is_set(t, row, "EndDateTime")) set(t, row, "EndDateTime", DateTime{s->ms + *d * 60000});
      }
      if (const auto* e = std::get_if<DateTime>(&row[*t.field_index("EndDateTime")])) {
        set(t, row, "EndDate", Date{days_of(e->ms)});
        if (!is_set(t, row, "DurationInMinutes")) set(t, row, "DurationInMinutes", (e->ms - s->ms) / 60000);
      }
    }
  }
}

std::vector<std::string> missing_required(const Table& t, const Row& row) {
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < t.fields().size(); ++i) {
    const FieldDef& f = t.field(i);
    if (!f.nillable && f.createable && !f.defaulted_on_create && is_null(row[i])) missing.push_back(f.name);
  }
  return missing;
}

DmlError required_error(const std::vector<std::string>& missing) {
  std::string list;
  for (const auto& n : missing) list += (list.empty() ? "" : ", ") + n;
  return {400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]", missing};
}

void stamp(const Table& t, Row& row, EpochMs now, const std::string& user, bool create) {
  if (create) {
    set(t, row, "CreatedDate", DateTime{now});
    set(t, row, "CreatedById", user);
    set(t, row, "IsDeleted", false);
  }
  set(t, row, "LastModifiedDate", DateTime{now});
  set(t, row, "LastModifiedById", user);
  set(t, row, "SystemModstamp", DateTime{now});
}

bool row_deleted(const Table& t, const Row& row) {
  auto i = t.field_index("IsDeleted");
  return i && std::holds_alternative<bool>(row[*i]) && std::get<bool>(row[*i]);
}

DmlError type_not_allowed(const Table& t, const char* verb) {
  return {400, "INVALID_TYPE_FOR_OPERATION", "entity type cannot be " + std::string(verb) + ": " + t.name(), {}, true};
}

}  // namespace

// ---- record-level DML (dml.h) -----------------------------------------------------------------

void DmlJournal::inserted(Table& table, std::size_t row) { entries_.push_back({&table, row, std::nullopt}); }

void DmlJournal::changed(Table& table, std::size_t row, const Row& before) {
  entries_.push_back({&table, row, before});
}

void DmlJournal::rollback(EmuState& s) {
  bool setup = false;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    setup = setup || AccessModel::is_setup_object(*it->table);
    if (it->before) {
      it->table->restore(it->row);
      it->table->mutable_row(it->row) = std::move(*it->before);
    } else {
      it->table->remove_last(it->row);
    }
  }
  entries_.clear();
  if (setup) s.access.invalidate();
}

DmlError json_type_error(const std::string& type, const json& v) {
  return {400, "JSON_PARSER_ERROR",
          "Cannot deserialize instance of " + type + " from " + json_kind(v) + " value " + json_token(v) +
              " or request may be missing a required field at [line:1, column:1]",
          {}, false};
}

std::string json_problem_message(std::string_view text, const JsonProblem& problem) {
  switch (problem.kind) {
    case JsonProblem::Kind::kTooDeep:
      return "Document nesting depth (" + std::to_string(kMaxJsonDepth + 1) + ") exceeds the maximum allowed (" +
             std::to_string(kMaxJsonDepth) + ")";
    case JsonProblem::Kind::kNumberTooLarge:
      return "Numeric value (" + std::string(utf8_prefix(problem.token, 40)) +
             (problem.token.size() > 40 ? "..." : "") + ") out of range of double at [line:1, column:" +
             std::to_string(problem.byte) + "]";
    default: {
      const std::size_t at = problem.byte == 0 ? 0 : problem.byte - 1;
      const char c = at < text.size() ? text[at] : ' ';
      return "Unexpected character ('" + std::string(1, c) + "' (code " +
             std::to_string(static_cast<unsigned char>(c)) +
             ")): expected a valid value (number, String, array, object, 'true', 'false' or 'null') at [line:1, "
             "column:" + std::to_string(at + 1) + "]";
    }
  }
}

std::optional<json> parse_record_body(const std::string& text, const std::string& type, DmlError& err) {
  JsonProblem problem;
  json body = parse_json(text.empty() ? std::string_view("{}") : std::string_view(text), problem);
  if (body.is_discarded()) {
    err = {400, "JSON_PARSER_ERROR", json_problem_message(text, problem), {}, false};
    return std::nullopt;
  }
  if (!body.is_object()) {
    err = {400, "JSON_PARSER_ERROR",
           "Cannot deserialize instance of " + type + " from " + (body.is_array() ? "START_ARRAY" : "VALUE_STRING") +
               " value at [line:1, column:1]",
           {}, false};
    return std::nullopt;
  }
  return body;
}


std::optional<std::string> create_record(EmuState& s, const std::string& user_id, Table& table, const json& body,
                                         DmlError& err, DmlJournal* journal) {
  const ObjectSpec& spec = *object_spec(*s.db, table.name());
  if (!spec.createable) {
    err = type_not_allowed(table, "inserted");
    return std::nullopt;
  }
  auto access = user_access(s, user_id);
  if (!access->object(table).read) {
    err = {404, "NOT_FOUND", "The requested resource does not exist", {}, false};
    return std::nullopt;
  }
  if (auto refused = check_record_write(*access, *s.db, table, WriteOp::kCreate, std::nullopt, {})) {
    err = from_access(*refused);
    return std::nullopt;
  }
  auto values = validate(*s.db, table, body, /*create=*/true, *access, err);
  if (!values) return std::nullopt;
  if (auto refused = check_record_write(*access, *s.db, table, WriteOp::kCreate, std::nullopt, *values)) {
    err = from_access(*refused);
    return std::nullopt;
  }
  Row row(table.fields().size());
  for (auto& [index, value] : *values) row[index] = std::move(value);
  apply_defaults(*s.db, table, row, user_id);
  if (auto rt = table.field_index("RecordTypeId"); rt && is_null(row[*rt])) {
    // Salesforce gives a new record the creating user's default record type.
    if (std::string dflt = access->default_record_type(table.name()); !dflt.empty()) row[*rt] = dflt;
  }
  if (auto refused = apply_currency(*s.db, table, row, user_id, /*create=*/true)) {
    err = *refused;
    return std::nullopt;
  }
  auto missing = missing_required(table, row);
  if (!missing.empty()) {
    err = required_error(missing);
    return std::nullopt;
  }
  if (auto broken = check_permission_row(table, row)) {
    err = from_access(*broken);
    return std::nullopt;
  }
  apply_derived(*s.db, table, row);
  stamp(table, row, s.next_modstamp(), user_id, /*create=*/true);
  std::string id = s.db->new_id(table);
  row[0] = id;
  const std::size_t index = table.insert(std::move(row));
  if (journal != nullptr) journal->inserted(table, index);
  if (AccessModel::is_setup_object(table)) s.access.invalidate();
  return id;
}

bool update_record(EmuState& s, const std::string& user_id, Table& table, const std::string& id, const json& body,
                   DmlError& err, DmlJournal* journal) {
  auto access = user_access(s, user_id);
  auto index = table.find(id);
  if (!index || id.substr(0, 3) != table.key_prefix() || !access->object(table).read) {
    err = {404, "NOT_FOUND", "The requested resource does not exist", {}, false};
    return false;
  }
  Row& stored = table.mutable_row(*index);
  if (row_deleted(table, stored)) {
    err = {404, "ENTITY_IS_DELETED", "entity is deleted", {}};
    return false;
  }
  const ObjectSpec& spec = *object_spec(*s.db, table.name());
  if (!spec.updateable) {
    err = type_not_allowed(table, "updated");
    return false;
  }
  if (auto refused = check_record_write(*access, *s.db, table, WriteOp::kUpdate, *index, {})) {
    err = from_access(*refused);
    return false;
  }
  auto values = validate(*s.db, table, body, /*create=*/false, *access, err);
  if (!values) return false;
  if (auto refused = check_record_write(*access, *s.db, table, WriteOp::kUpdate, *index, *values)) {
    err = from_access(*refused);
    return false;
  }
  Row row = stored;
  for (auto& [i, value] : *values) row[i] = std::move(value);
  std::vector<std::string> missing;
  for (const auto& [i, value] : *values) {
    if (!table.field(i).nillable && is_null(value)) missing.push_back(table.field(i).name);
  }
  if (!missing.empty()) {
    err = required_error(missing);
    return false;
  }
  if (auto refused = apply_currency(*s.db, table, row, user_id, /*create=*/false)) {
    err = *refused;
    return false;
  }
  if (table.name() == "Opportunity") {
    // A stage change brings the stage's probability and forecast category unless given.
    bool stage_changed = false, probability_given = false, category_given = false;
    for (const auto& [i, value] : *values) {
      stage_changed = stage_changed || table.field(i).name == "StageName";
      probability_given = probability_given || table.field(i).name == "Probability";
      category_given = category_given || table.field(i).name == "ForecastCategoryName";
    }
    if (stage_changed && !probability_given) set(table, row, "Probability", Value{});
    if (stage_changed && !category_given) set(table, row, "ForecastCategoryName", Value{});
  }
  if (auto broken = check_permission_row(table, row)) {
    err = from_access(*broken);
    return false;
  }
  apply_derived(*s.db, table, row);
  stamp(table, row, s.next_modstamp(), user_id, /*create=*/false);
  if (journal != nullptr) journal->changed(table, *index, stored);
  stored = std::move(row);
  if (AccessModel::is_setup_object(table)) s.access.invalidate();
  return true;
}

bool delete_record(EmuState& s, const std::string& user_id, Table& table, const std::string& id, DmlError& err,
                   DmlJournal* journal) {
  auto access = user_access(s, user_id);
  auto index = table.find(id);
  if (!index || id.substr(0, 3) != table.key_prefix() || !access->object(table).read) {
    err = {404, "NOT_FOUND", "The requested resource does not exist", {}, false};
    return false;
  }
  Row& row = table.mutable_row(*index);
  if (row_deleted(table, row)) {
    err = {404, "ENTITY_IS_DELETED", "entity is deleted", {}};
    return false;
  }
  const ObjectSpec& spec = *object_spec(*s.db, table.name());
  if (!spec.deletable) {
    err = type_not_allowed(table, "deleted");
    return false;
  }
  if (auto refused = check_record_write(*access, *s.db, table, WriteOp::kDelete, *index, {})) {
    err = from_access(*refused);
    return false;
  }
  if (journal != nullptr) journal->changed(table, *index, row);
  set(table, row, "IsDeleted", true);  // for a hard delete the stamp dates the deletion for getDeleted
  stamp(table, row, s.next_modstamp(), user_id, /*create=*/false);
  if (hard_deletes(table) || !table.field_index("IsDeleted")) table.purge(*index);
  if (AccessModel::is_setup_object(table)) s.access.invalidate();
  return true;
}

std::optional<std::size_t> upsert_field(EmuState& s, const std::string& user_id, const Table& table,
                                        const std::string& field, DmlError& err) {
  auto index = table.field_index(field);
  auto access = user_access(s, user_id);
  if (index && (*index == 0 || (table.field(*index).external_id && access->field(table, table.field(*index)).read))) {
    return index;
  }
  err = {404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: " + field, {}, false};
  return std::nullopt;
}

std::vector<std::size_t> upsert_matches(const Table& table, std::size_t field, const std::string& value) {
  std::vector<std::size_t> out;
  if (field == 0) {
    if (auto row = table.find(value); row && !row_deleted(table, table.row(*row))) out.push_back(*row);
    return out;
  }
  const FieldDef& f = table.field(field);
  for (std::size_t r = 0; r < table.slot_count(); ++r) {
    if (table.purged(r) || row_deleted(table, table.row(r))) continue;
    const Value& v = table.row(r)[field];
    if (const auto* text = std::get_if<std::string>(&v)) {
      if (iequals(*text, value)) out.push_back(r);
    } else if (!is_null(v) && f.type != "string") {
      std::string rendered;
      append_value(rendered, f, v);
      if (rendered == value) out.push_back(r);
    }
  }
  return out;
}

// ---- the /sobjects routes ---------------------------------------------------------------------

void handle_create(EmuState& s, ApiCall& call, Table& table) {
  DmlError err;
  const ObjectSpec& spec = *object_spec(*s.db, table.name());
  if (!spec.createable) return send_dml_error(call.res, type_not_allowed(table, "inserted"));
  auto body = parse_body(call.req, table, err);
  if (!body) return send_dml_error(call.res, err);
  std::unique_lock lock(s.db->mutex());
  auto id = create_record(s, call.user_id, table, *body, err, nullptr);
  if (!id) return err.code == "NOT_FOUND" ? send_not_found(call.res) : send_dml_error(call.res, err);
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
  DmlError err;
  auto body = parse_body(call.req, table, err);
  if (!body) return send_dml_error(call.res, err);
  std::unique_lock lock(s.db->mutex());
  if (!update_record(s, call.user_id, table, id, *body, err, nullptr)) {
    return err.code == "NOT_FOUND" ? send_not_found(call.res) : send_dml_error(call.res, err);
  }
  call.res.status = 204;
}

void handle_delete(EmuState& s, ApiCall& call, Table& table, const std::string& id) {
  DmlError err;
  std::unique_lock lock(s.db->mutex());
  if (!delete_record(s, call.user_id, table, id, err, nullptr)) {
    return err.code == "NOT_FOUND" ? send_not_found(call.res) : send_dml_error(call.res, err);
  }
  call.res.status = 204;
}

void handle_upsert(EmuState& s, ApiCall& call, Table& table, const std::string& field, const std::string& value) {
  DmlError err;
  auto body = parse_body(call.req, table, err);
  if (!body) return send_dml_error(call.res, err);
  std::unique_lock lock(s.db->mutex());
  auto column = upsert_field(s, call.user_id, table, field, err);
  if (!column) return send_dml_error(call.res, err);
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
    auto id = create_record(s, call.user_id, table, fields, err, nullptr);
    if (!id) return err.code == "NOT_FOUND" ? send_not_found(call.res) : send_dml_error(call.res, err);
    return answer(*id, true);
  }
  const std::string id = std::get<std::string>(table.row(matches[0])[0]);
  if (!update_record(s, call.user_id, table, id, fields, err, nullptr)) {
    return err.code == "NOT_FOUND" ? send_not_found(call.res) : send_dml_error(call.res, err);
  }
  // API 46.0 and later answer an update with the UpsertResult; earlier versions with 204.
  if (std::stod(call.version) < 46.0) {
    call.res.status = 204;
    return;
  }
  answer(id, false);
}

}  // namespace crmsync::emulator
