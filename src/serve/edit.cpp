// DealEdits: one edit of a deal as the signed-in person, from the request to Salesforce's answer,
// the store and crmsync_edit_log.
#include "serve/edit.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "common/json.h"
#include "common/log.h"
#include "common/text.h"
#include "store/identifier.h"
#include "sync/page_parser.h"

namespace crmsync::serve {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxFields = 50;
constexpr auto kRetryEvery = std::chrono::seconds(3);
const std::string kObject = "Opportunity";

Answer refused(int status, const std::string& code, const std::string& message, json fields = json::array()) {
  return {status, {{"error", {{"code", code}, {"message", message}, {"fields", std::move(fields)}}}}};
}

json value_json(const store::Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

// What the person asked for, checked: each field editable and in the store, each value a scalar.
struct Asked {
  json fields = json::object();          // canonical field name -> value, as sent to Salesforce
  std::vector<store::ColumnInfo> columns;  // the store's Opportunity columns
};

Result<Asked> read_request(store::ReadSnapshot& snap, const EditRequest& r) {
  auto bad = [](const std::string& code, const std::string& message) {
    return Error(ErrorKind::kConfig, code, message);
  };
  json body = parse_json(r.body);
  if (!body.is_object() || body.empty()) {
    return bad("INVALID_BODY", "The body must be a JSON object of Opportunity field API names and their new values, "
                               "e.g. {\"StageName\": \"Negotiation/Review\"}.");
  }
  if (body.size() > kMaxFields) {
    return bad("INVALID_BODY", "The body names " + std::to_string(body.size()) + " fields; at most " +
                                   std::to_string(kMaxFields) + " per edit.");
  }
  auto columns = snap.columns(kObject);
  if (!columns) return columns.error();
  Asked asked;
  asked.columns = std::move(*columns);
  for (const auto& item : body.items()) {
    const std::string name = item.key();  // not a structured binding: clang 14 cannot capture one
    const auto& value = item.value();
    auto editable = std::find_if(r.editable.begin(), r.editable.end(), [&](const std::string& f) { return iequals(f, name); });
    auto column = std::find_if(asked.columns.begin(), asked.columns.end(),
                               [&](const store::ColumnInfo& c) { return iequals(c.name, name); });
    if (editable == r.editable.end() || column == asked.columns.end()) {
      std::string list;
      for (const auto& f : r.editable) {
        bool stored = std::any_of(asked.columns.begin(), asked.columns.end(), [&](const auto& c) { return iequals(c.name, f); });
        if (stored) list += (list.empty() ? "" : ", ") + f;
      }
      return bad("FIELD_NOT_EDITABLE", name.substr(0, 80) + ": not a field of the deal board that can be edited here; "
                                       "the board edits " + list + " ([serve] deal_columns adds more).");
    }
    if (value.is_object() || value.is_array()) {
      return bad("INVALID_BODY", column->name + ": the value must be a string, a number, true/false or null.");
    }
    asked.fields[column->name] = value;
  }
  return asked;
}

// Salesforce's error array ([{"message", "errorCode", "fields"}]) as crmsync serve answers it.
Answer salesforce_refusal(int status, const std::string& body) {
  json j = parse_json(body);
  json fields = json::array();
  std::string code = "HTTP_" + std::to_string(status), message;
  if (j.is_array()) {
    for (const auto& e : j) {
      if (!e.is_object()) continue;
      if (code.starts_with("HTTP_") && e.contains("errorCode") && e["errorCode"].is_string()) code = e["errorCode"];
      if (e.contains("message") && e["message"].is_string()) {
        message += (message.empty() ? "" : " ") + e["message"].get<std::string>();
      }
      if (e.contains("fields") && e["fields"].is_array()) {
        for (const auto& f : e["fields"]) fields.push_back(f);
      }
    }
  }
  if (message.empty()) message = "Salesforce refused the edit with HTTP " + std::to_string(status) + ".";
  if (status == 412) {
    message = "This deal was changed in Salesforce after the board read it, so the edit was not applied (Salesforce: " +
              message + "). Reload the board to see the change, then edit again.";
  }
  return refused(status, code, message, fields);
}

// The record's row for the store: the store's Opportunity columns the record carries, converted as
// the sync converts a query page (sync::PageParser), Id first.
Result<PendingWrite> record_row(const json& record, const std::vector<store::ColumnInfo>& columns) {
  catalog::FieldSelection selection;
  selection.object = kObject;
  PendingWrite w;
  auto add = [&](const store::ColumnInfo& c) {
    selection.fields.push_back({c.name, c.field_type.value_or(catalog::FieldType::kString), c.storage,
                                catalog::Mark::kOther, false, {}, 0});
    w.columns.push_back({c.name, c.storage, c.field_type});
  };
  for (const auto& c : columns) {
    if (c.name == "Id") add(c);
  }
  if (w.columns.empty()) return Error(ErrorKind::kStore, "NO_ID_COLUMN", "The store's Opportunity table has no Id column.");
  for (const auto& c : columns) {
    if (c.name != "Id" && record.contains(c.name)) add(c);
  }
  std::string page = json{{"totalSize", 1}, {"done", true}, {"records", json::array({record})}}.dump();
  sync::PageParser parser(selection);
  auto parsed = parser.parse(page);
  if (!parsed) return parsed.error();
  w.row = std::move(parsed->rows);
  return w;
}

std::vector<store::EditLogEntry> log_rows(const EditRequest& r, const Asked& asked, const std::vector<store::Value>& before,
                                          EpochMs at, int status, const std::string& outcome, const std::string& message) {
  std::vector<store::EditLogEntry> out;
  std::size_t k = 1;  // before[0] is LastModifiedDate
  for (const auto& [field, value] : asked.fields.items()) {
    store::EditLogEntry e;
    e.at = at;
    e.user_id = r.viewer.user_id;
    e.username = r.viewer.username;
    e.object = kObject;
    e.record_id = r.id;
    e.field = field;
    e.before = k < before.size() ? value_json(before[k]).dump() : "null";
    e.after = value.dump();
    e.status = status;
    e.outcome = outcome;
    e.message = message;
    out.push_back(std::move(e));
    ++k;
  }
  return out;
}

}  // namespace

std::vector<std::string> editable_fields(const std::vector<std::string>& deal_columns) {
  std::vector<std::string> out = {"Name", "StageName", "CloseDate", "Amount", "Probability", "ForecastCategoryName",
                                  "NextStep", "Type", "OwnerId", "RecordTypeId"};
  for (const auto& c : deal_columns) {
    if (std::none_of(out.begin(), out.end(), [&](const std::string& f) { return iequals(f, c); })) out.push_back(c);
  }
  return out;
}

namespace {

// The dialog's input for a describe type; empty: none (edited in Salesforce).
std::string input_type_of(const std::string& describe_type) {
  if (describe_type == "boolean") return "checkbox";
  if (describe_type == "int" || describe_type == "double" || describe_type == "currency" || describe_type == "percent") {
    return "number";
  }
  if (describe_type == "date" || describe_type == "picklist" || describe_type == "reference") return describe_type;
  for (const char* text : {"string", "textarea", "email", "phone", "url", "combobox"}) {
    if (describe_type == text) return "text";
  }
  return "";
}

// The same from the store's record of the field's type (no describe at hand).
std::string input_type_of(std::optional<catalog::FieldType> type) {
  using T = catalog::FieldType;
  if (!type) return "";
  switch (*type) {
    case T::kBoolean: return "checkbox";
    case T::kCurrency: case T::kDouble: case T::kNumber: case T::kInt: case T::kPercent: return "number";
    case T::kDate: return "date";
    case T::kPicklist: return "picklist";
    case T::kLookup: case T::kReference: return "reference";
    case T::kString: case T::kTextArea: case T::kLongTextArea: case T::kEmail: case T::kPhone: case T::kUrl:
    case T::kCombobox: return "text";
    default: return "";
  }
}

const std::vector<std::string> kBoardFields = {"Name", "StageName", "CloseDate", "Amount", "Probability",
                                               "ForecastCategoryName", "Type", "RecordTypeId", "OwnerId"};

}  // namespace

json edit_field_list(const json& describe, const std::vector<store::ColumnInfo>& stored,
                     const std::vector<std::string>& deal_columns) {
  std::map<std::string, const json*, std::less<>> described;  // lower-cased name -> describe's field
  if (describe.is_object() && describe.contains("fields") && describe["fields"].is_array()) {
    for (const auto& f : describe["fields"]) {
      if (f.is_object() && f.value("name", json()).is_string()) described[to_lower(f["name"].get<std::string>())] = &f;
    }
  }
  std::vector<std::string> shown = kBoardFields;
  for (const auto& c : deal_columns) {
    if (std::none_of(shown.begin(), shown.end(), [&](const std::string& f) { return iequals(f, c); })) shown.push_back(c);
  }
  json out = json::array();
  for (const auto& name : shown) {
    auto column = std::find_if(stored.begin(), stored.end(), [&](const store::ColumnInfo& c) { return iequals(c.name, name); });
    if (column == stored.end()) continue;
    const bool board_own = std::find(kBoardFields.begin(), kBoardFields.end(), name) != kBoardFields.end();
    auto d = described.find(to_lower(name));
    json field = {{"name", column->name}, {"label", column->name}, {"values", json::array()}};
    if (d != described.end()) {
      const json& f = *d->second;
      if (!board_own && (!f.value("updateable", false) || f.value("calculated", false))) continue;
      field["label"] = f.value("label", column->name);
      field["type"] = input_type_of(f.value("type", std::string()));
      for (const auto& v : f.value("picklistValues", json::array())) {
        if (v.value("active", true) && v.value("value", json()).is_string()) field["values"].push_back(v["value"]);
      }
    } else if (board_own && described.empty()) {
      field["type"] = input_type_of(column->field_type);
    } else {
      continue;  // not for this viewer (their field-level security hides it), or not known to be editable
    }
    if (field["type"] == "") continue;
    out.push_back(std::move(field));
  }
  return out;
}

DealEdits::DealEdits(store::OpenOptions store, std::function<EpochMs()> clock)
    : store_(std::move(store)), clock_(clock ? std::move(clock) : now_ms) {
  store_.create_if_missing = false;
  retry_ = std::thread([this] { retry_loop(); });
}

DealEdits::~DealEdits() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  retry_.join();
}

std::size_t DealEdits::waiting() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

EditOutcome DealEdits::edit(store::StoreReader& reader, const EditRequest& r, SalesforceAsViewer& as) {
  EditOutcome out;
  Asked asked;
  std::vector<store::Value> before;
  {
    auto snap = reader.snapshot();  // released before Salesforce is asked
    if (!snap) return {refused(503, "NO_SYNC", snap.error().message)};
    auto checked = read_request(**snap, r);
    if (!checked) return {refused(checked.error().kind == ErrorKind::kConfig ? 400 : 500, checked.error().code,
                                  checked.error().message)};
    asked = std::move(*checked);
    std::vector<std::string> wanted = {"LastModifiedDate"};
    for (const auto& [field, value] : asked.fields.items()) wanted.push_back(field);
    bool has_lmd = std::any_of(asked.columns.begin(), asked.columns.end(),
                               [](const auto& c) { return c.name == "LastModifiedDate"; });
    if (!has_lmd) wanted[0] = "Id";
    bool found = false;
    Status read = (*snap)->find(kObject, r.id, wanted, [&](std::span<const store::Value> values) -> Status {
      before.assign(values.begin(), values.end());
      found = true;
      return ok_status();
    });
    if (!read) return {refused(500, "STORE_ERROR", read.error().message)};
    if (!found) return {refused(404, "NOT_FOUND", "No deal " + r.id.substr(0, 40) + " in the store.")};
    if (!has_lmd) before[0] = std::monostate{};
  }
  std::optional<EpochMs> unmodified_since = r.unmodified_since;
  if (const auto* lmd = std::get_if<std::string>(&before[0]); lmd && !unmodified_since) {
    unmodified_since = parse_datetime(*lmd);
  }

  auto answer = as.update(kObject, r.id, asked.fields, unmodified_since);
  const EpochMs at = clock_();
  if (!answer) {
    const Error& e = answer.error();
    write_or_queue({{}, {}, log_rows(r, asked, before, at, 0, e.code, e.message)});
    if (e.kind == ErrorKind::kAuth) {
      return {refused(401, "SESSION_ENDED", "Your Salesforce session has ended (" + e.message + "); sign in again.")};
    }
    return {refused(502, "SALESFORCE_UNREACHABLE", "The edit could not be sent to Salesforce: " + e.message)};
  }
  if (answer->status < 200 || answer->status >= 300) {
    Answer refusal = salesforce_refusal(answer->status, answer->body);
    const json& error = refusal.body["error"];
    write_or_queue({{}, {}, log_rows(r, asked, before, at, answer->status, error["code"], error["message"])});
    return {refusal};
  }
  std::vector<store::EditLogEntry> log = log_rows(r, asked, before, at, answer->status, "accepted", "");
  auto record = as.retrieve(kObject, r.id);
  PendingWrite w;
  if (record) {
    auto row = record_row(*record, asked.columns);
    if (row) w = std::move(*row);
    out.record = std::move(*record);
  }
  w.log = std::move(log);
  out.stored = write_or_queue(std::move(w)) && record.ok();
  return out;
}

namespace {
// A write that may succeed later: the sync's lock, a busy or unreachable store.
bool worth_retrying(const Error& e) { return e.kind == ErrorKind::kStore || e.kind == ErrorKind::kNetwork; }

void warn_dropped(const PendingWrite& w, const Error& e) {
  const std::string record = w.log.empty() ? std::string("a deal") : w.log.front().object + " " + w.log.front().record_id;
  log::warn("edit", "crmsync serve could not write the edit of " + record + " (" + std::to_string(w.log.size()) +
                        " crmsync_edit_log rows) to the store: " + e.message);
}
}  // namespace

bool DealEdits::write_or_queue(PendingWrite w) {
  {
    std::lock_guard lock(mu_);
    if (!queue_.empty()) {  // behind earlier writes, in order
      queue_.push_back(std::move(w));
      return false;
    }
  }
  Status s = write(w);
  if (s) return true;
  if (!worth_retrying(s.error())) {
    warn_dropped(w, s.error());
    return false;
  }
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(w));  // a sync holds the store: written when it lets go
  return false;
}

Status DealEdits::write(const PendingWrite& w) {
  auto lock = store::WriterLock::acquire(store_);
  if (!lock) return lock.error();
  auto store = store::Store::open(store_);
  if (!store) return store.error();
  CRMSYNC_TRY((*store)->begin());
  Status s = [&]() -> Status {
    if (!w.columns.empty() && !w.row.empty()) {
      auto writer = (*store)->writer(kObject, w.columns);
      if (!writer) return writer.error();
      CRMSYNC_TRY((*writer)->upsert_rows(w.row));
    }
    for (const auto& e : w.log) CRMSYNC_TRY((*store)->put_edit_log(e));
    return (*store)->commit();
  }();
  if (!s) (void)(*store)->rollback();
  return s;
}

void DealEdits::retry_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, kRetryEvery, [this] { return stopping_; });
    while (!queue_.empty()) {
      PendingWrite w = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      Status s = write(w);
      lock.lock();
      if (!s && worth_retrying(s.error()) && !stopping_) {
        queue_.push_front(std::move(w));
        break;
      }
      if (!s) warn_dropped(w, s.error());
    }
    if (stopping_) return;
  }
}

}  // namespace crmsync::serve
