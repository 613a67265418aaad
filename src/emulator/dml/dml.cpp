// The DML engine (dml.h): create, update and delete of one record, what Salesforce does to a saved
// record (defaults, derived values, currency, audit fields, soft and hard deletes), upsert
// matching, and the journal that undoes an allOrNone collection.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "common/sfid.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "emulator/dml/values.h"
#include "emulator/org/org.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

// Objects whose deleted rows skip the recycle bin (docs/catalog.md): DELETE purges them.
bool hard_deletes(const Table& t) { return t.name() == "CampaignMember" || t.name() == "OpportunityLineItem"; }

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
      {"AccountTeamMember", "AccountAccessLevel", "Read"},     {"AccountTeamMember", "OpportunityAccessLevel", "None"},
      {"AccountTeamMember", "CaseAccessLevel", "None"},        {"AccountTeamMember", "ContactAccessLevel", "None"},
      {"OpportunityShare", "RowCause", "Manual"},              {"AccountShare", "RowCause", "Manual"},
      {"AccountShare", "CaseAccessLevel", "None"},             {"Group", "Type", "Regular"},
      {"UserRole", "OpportunityAccessForAccountOwner", "None"},
      {"UserRole", "ContactAccessForAccountOwner", "None"},   {"UserRole", "CaseAccessForAccountOwner", "None"}};
  for (const auto& [object, field, value] : kDefaults) {
    if (t.name() == object && !is_set(t, row, field)) set(t, row, field, std::string(value));
  }
  for (std::size_t i = 0; i < t.fields().size(); ++i) {
    if (t.field(i).type == "boolean" && is_null(row[i])) row[i] = false;
    if (!t.field(i).picklist_default.empty() && is_null(row[i])) row[i] = t.field(i).picklist_default;
  }
  if (t.field_index("OwnerId") && !is_set(t, row, "OwnerId")) set(t, row, "OwnerId", user);
  if (t.field_index("RowCause") && !is_set(t, row, "RowCause")) set(t, row, "RowCause", std::string("Manual"));
  if (t.name() == "OpportunitySplit" && !is_set(t, row, "SplitTypeId")) {
    const Table& types = *db.find("OpportunitySplitType");
    if (types.slot_count() > 0) set(t, row, "SplitTypeId", types.row(0)[0]);
  }
}

// A multi-currency org (CurrencyType exists): a record's CurrencyIsoCode must be an active
// currency of the org, and a new record without one gets its creating user's currency
// (User.DefaultCurrencyIsoCode), as Salesforce does. No-op in a single-currency org.
Status apply_currency(const Database& db, const Table& t, Row& row, const std::string& user, bool create) {
  auto column = t.field_index("CurrencyIsoCode");
  const Table* types = db.find("CurrencyType");
  if (!column || types == nullptr) return ok_status();
  if (is_null(row[*column])) {
    if (!create) return ok_status();  // an update that leaves it alone (an explicit null is REQUIRED_FIELD_MISSING)
    const Table& users = *db.find("User");
    auto u = users.find(user);
    auto dflt = users.field_index("DefaultCurrencyIsoCode");
    if (u && dflt && !is_null(users.row(*u)[*dflt])) row[*column] = users.row(*u)[*dflt];
  }
  const auto* code = std::get_if<std::string>(&row[*column]);
  if (code == nullptr) return ok_status();
  const auto iso = types->field_index("IsoCode"), active = types->field_index("IsActive");
  for (std::size_t r = 0; r < types->slot_count(); ++r) {
    if (types->purged(r)) continue;
    const Row& type = types->row(r);
    const auto* c = std::get_if<std::string>(&type[*iso]);
    const auto* on = std::get_if<bool>(&type[*active]);
    if (c != nullptr && *c == *code && on != nullptr && *on) return ok_status();
  }
  // Wording unverified (docs/decisions.md): Salesforce's restricted-picklist code for the field.
  return record_error(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                      "Currency ISO Code: invalid currency code: " + *code, {"CurrencyIsoCode"});
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
  if (name == "Case") {  // Closed is the closed value of the emulated org's Status picklist
    const std::string* status = text_of(t, row, "Status");
    set(t, row, "IsClosed", status != nullptr && *status == "Closed");
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

Error required_error(const std::vector<std::string>& missing) {
  std::string list;
  for (const auto& n : missing) list += (list.empty() ? "" : ", ") + n;
  return record_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]", missing);
}

// An Opportunity's stage change brings the new stage's probability and forecast category
// (apply_derived) unless the update gives them.
void reset_stage_defaults(const Table& table, Row& row, const std::vector<std::pair<std::size_t, Value>>& values) {
  if (table.name() != "Opportunity") return;
  bool stage_changed = false, probability_given = false, category_given = false;
  for (const auto& [i, value] : values) {
    stage_changed = stage_changed || table.field(i).name == "StageName";
    probability_given = probability_given || table.field(i).name == "Probability";
    category_given = category_given || table.field(i).name == "ForecastCategoryName";
  }
  if (stage_changed && !probability_given) set(table, row, "Probability", Value{});
  if (stage_changed && !category_given) set(table, row, "ForecastCategoryName", Value{});
}

// The row of the record an update or delete names: 404 NOT_FOUND when it does not exist for the
// user (or the Id is another object's), 404 ENTITY_IS_DELETED when it is in the recycle bin.
Result<std::size_t> find_live_record(const UserAccess& access, const Table& table, const std::string& id) {
  auto index = table.find(id);
  if (!index || id.substr(0, 3) != table.key_prefix() || !access.object(table).read) return not_found();
  if (row_deleted(table, table.row(*index))) return record_error(404, "ENTITY_IS_DELETED", "entity is deleted");
  return *index;
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
  // A case's ClosedDate is when it was closed: set by the write that closes it, cleared by one
  // that reopens it.
  if (auto closed = t.field_index("ClosedDate"); closed && t.name() == "Case") {
    auto is_closed = t.field_index("IsClosed");
    const bool* c = is_closed ? std::get_if<bool>(&row[*is_closed]) : nullptr;
    if (c == nullptr || !*c) row[*closed] = Value{};
    else if (is_null(row[*closed])) row[*closed] = DateTime{now};
  }
}

// Auto-number fields (CaseNumber) take the org's next number on insert.
void assign_auto_numbers(Database& db, const Table& t, Row& row) {
  for (std::size_t i = 0; i < t.fields().size(); ++i) {
    if (t.field(i).auto_number) row[i] = db.next_auto_number(t, t.field(i));
  }
}

Error type_not_allowed(const Table& t, const char* verb) {
  return record_error(400, "INVALID_TYPE_FOR_OPERATION",
                      "entity type cannot be " + std::string(verb) + ": " + t.name());
}

// The live rows of `t` whose `field` names `id` (the same record in 15 or 18 characters), found
// through the table's reference index.
std::vector<std::size_t> live_rows_naming(const Table& t, const char* field, const std::string& id) {
  std::vector<std::size_t> out;
  for (std::size_t r : t.rows_referencing(*t.field_index(field), id)) {  // an index lookup, not a scan
    if (!t.purged(r) && !row_deleted(t, t.row(r))) out.push_back(r);
  }
  return out;
}

bool names(const Table& t, const Row& row, const char* field, const std::string& id) {
  const std::string* v = text_of(t, row, field);
  return v != nullptr && same_sf_id(*v, id);
}

// A row changed by what a write does besides its record: journalled, then stamped as written by `user`.
Row& touch(const DmlContext& org, const std::string& user, Table& t, std::size_t r, DmlJournal* journal) {
  if (journal != nullptr) journal->changed(t, r, t.row(r));
  Row& row = t.mutable_row(r);
  stamp(t, row, org.clock.next(), user, /*create=*/false);
  return row;
}

void add_number(const Table& t, Row& into, const Row& from, const char* field) {
  const auto i = *t.field_index(field);
  const auto* a = std::get_if<double>(&into[i]);
  const auto* b = std::get_if<double>(&from[i]);
  if (a != nullptr && b != nullptr) into[i] = std::round((*a + *b) * 100.0) / 100.0;
}

// What Salesforce does when an open opportunity's owner changes (docs/decisions.md, "Owner changes
// and splits"): the previous owner's splits go to the new owner (a split of a type the new owner
// already holds is added into theirs and the previous owner's deleted), other members' splits stay,
// and the previous owner stays on the opportunity team with Read access. A closed opportunity's
// splits stay where they are. Same journal as the owner change, so an allOrNone rollback undoes it.
void hand_over_splits(const DmlContext& org, const std::string& user, const std::string& opp_id,
                      const std::string& from, const std::string& to, DmlJournal* journal) {
  Table& splits = *org.db.find("OpportunitySplit");
  const std::vector<std::size_t> deal_splits = live_rows_naming(splits, "OpportunityId", opp_id);
  for (std::size_t r : deal_splits) {
    if (!names(splits, splits.row(r), "SplitOwnerId", from)) continue;
    const std::string* type = text_of(splits, splits.row(r), "SplitTypeId");
    auto held = std::find_if(deal_splits.begin(), deal_splits.end(), [&](std::size_t other) {
      const Row& o = splits.row(other);
      return type != nullptr && !row_deleted(splits, o) && names(splits, o, "SplitOwnerId", to) &&
             names(splits, o, "SplitTypeId", *type);
    });
    if (held == deal_splits.end()) {
      set(splits, touch(org, user, splits, r, journal), "SplitOwnerId", to);
      continue;
    }
    Row& theirs = touch(org, user, splits, *held, journal);
    add_number(splits, theirs, splits.row(r), "SplitPercentage");
    add_number(splits, theirs, splits.row(r), "SplitAmount");
    set(splits, touch(org, user, splits, r, journal), "IsDeleted", true);
  }
  Table& team = *org.db.find("OpportunityTeamMember");
  for (std::size_t r : live_rows_naming(team, "OpportunityId", opp_id)) {
    const std::string* level = text_of(team, team.row(r), "OpportunityAccessLevel");
    if (!names(team, team.row(r), "UserId", from) || (level != nullptr && *level == "Read")) continue;
    set(team, touch(org, user, team, r, journal), "OpportunityAccessLevel", std::string("Read"));
    org.access.invalidate();
  }
}

// The owner an Opportunity update gave its record, when it changed one of an open opportunity: the
// previous owner and the new one.
std::optional<std::pair<std::string, std::string>> owner_change(const Table& t, const Row& before, const Row& after) {
  if (t.name() != "Opportunity") return std::nullopt;
  const std::string* was = text_of(t, before, "OwnerId");
  const std::string* is = text_of(t, after, "OwnerId");
  const auto* closed = std::get_if<bool>(&after[*t.field_index("IsClosed")]);
  if (was == nullptr || is == nullptr || same_sf_id(*was, *is) || (closed != nullptr && *closed)) return std::nullopt;
  return std::pair{*was, *is};
}

}  // namespace

EpochMs WriteClock::next() {
  std::lock_guard lock(mu_);
  last_ = std::max(now_ms(), last_ + 1);
  return last_;
}

void WriteClock::start_after(EpochMs latest) {
  std::lock_guard lock(mu_);
  last_ = std::max(last_, latest);
}

bool row_deleted(const Table& t, const Row& row) {
  auto i = t.field_index("IsDeleted");
  return i && std::holds_alternative<bool>(row[*i]) && std::get<bool>(row[*i]);
}

Status check_insertable(const Database& db, const Table& table) {
  if (object_spec(db, table.name())->createable) return ok_status();
  return type_not_allowed(table, "inserted");
}

// ---- record-level DML (dml.h) -----------------------------------------------------------------

void DmlJournal::inserted(Table& table, std::size_t row) { entries_.push_back({&table, row, std::nullopt}); }

void DmlJournal::changed(Table& table, std::size_t row, const Row& before) {
  entries_.push_back({&table, row, before});
}

void DmlJournal::rollback(AccessModel& access) {
  bool setup = false;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    setup = setup || access.affects_access(*it->table);
    if (it->before) {
      it->table->restore(it->row);
      it->table->mutable_row(it->row) = std::move(*it->before);
    } else {
      it->table->remove_last(it->row);
    }
  }
  entries_.clear();
  if (setup) access.invalidate();
}

Result<std::string> create_record(const DmlContext& org, const std::string& user_id, Table& table, const json& body,
                                  DmlJournal* journal) {
  CRMSYNC_TRY(check_insertable(org.db, table));
  auto access = org.access.for_user(org.db, user_id);
  if (!access->object(table).read) return not_found();
  CRMSYNC_TRY(check_record_write(*access, org.db, table, WriteOp::kCreate, std::nullopt, {}));
  auto values = validate(org.db, table, body, /*create=*/true, *access);
  if (!values) return values.error();
  CRMSYNC_TRY(check_record_write(*access, org.db, table, WriteOp::kCreate, std::nullopt, *values));
  Row row(table.fields().size());
  for (auto& [index, value] : *values) row[index] = std::move(value);
  apply_defaults(org.db, table, row, user_id);
  if (auto rt = table.field_index("RecordTypeId"); rt && is_null(row[*rt])) {
    // Salesforce gives a new record the creating user's default record type.
    if (std::string dflt = access->default_record_type(table.name()); !dflt.empty()) row[*rt] = dflt;
  }
  CRMSYNC_TRY(apply_currency(org.db, table, row, user_id, /*create=*/true));
  if (auto missing = missing_required(table, row); !missing.empty()) return required_error(missing);
  CRMSYNC_TRY(check_permission_row(table, row));
  apply_derived(org.db, table, row);
  if (org.validation_rules) CRMSYNC_TRY(check_validation_rules(*org.validation_rules, table, row));
  stamp(table, row, org.clock.next(), user_id, /*create=*/true);
  assign_auto_numbers(org.db, table, row);
  std::string id = org.db.new_id(table);
  row[0] = id;
  const std::size_t index = table.insert(std::move(row));
  if (journal != nullptr) journal->inserted(table, index);
  if (org.access.affects_access(table)) org.access.invalidate();
  return id;
}

Status update_record(const DmlContext& org, const std::string& user_id, Table& table, const std::string& id,
                     const json& body, DmlJournal* journal) {
  auto access = org.access.for_user(org.db, user_id);
  auto index = find_live_record(*access, table, id);
  if (!index) return index.error();
  Row& stored = table.mutable_row(*index);
  if (!object_spec(org.db, table.name())->updateable) return type_not_allowed(table, "updated");
  CRMSYNC_TRY(check_record_write(*access, org.db, table, WriteOp::kUpdate, *index, {}));
  auto values = validate(org.db, table, body, /*create=*/false, *access);
  if (!values) return values.error();
  CRMSYNC_TRY(check_record_write(*access, org.db, table, WriteOp::kUpdate, *index, *values));
  Row row = stored;
  for (auto& [i, value] : *values) row[i] = std::move(value);
  std::vector<std::string> missing;
  for (const auto& [i, value] : *values) {
    if (!table.field(i).nillable && is_null(value)) missing.push_back(table.field(i).name);
  }
  if (!missing.empty()) return required_error(missing);
  CRMSYNC_TRY(apply_currency(org.db, table, row, user_id, /*create=*/false));
  reset_stage_defaults(table, row, *values);
  CRMSYNC_TRY(check_permission_row(table, row));
  apply_derived(org.db, table, row);
  if (org.validation_rules) CRMSYNC_TRY(check_validation_rules(*org.validation_rules, table, row));
  stamp(table, row, org.clock.next(), user_id, /*create=*/false);
  if (journal != nullptr) journal->changed(table, *index, stored);
  const auto owners = owner_change(table, stored, row);
  stored = std::move(row);
  if (owners) hand_over_splits(org, user_id, id, owners->first, owners->second, journal);
  if (org.access.affects_access(table)) org.access.invalidate();
  return ok_status();
}

namespace {
// A master record's delete takes its detail records with it (a master-detail field cascades, as
// describe's cascadeDelete says): each live detail goes to the recycle bin with the master, in
// the same journal, whoever may see it; a detail that is itself a master takes its own along.
void delete_details(const DmlContext& org, const std::string& user_id, const Table& master, const std::string& master_id,
                    DmlJournal* journal) {
  for (const ObjectSpec* custom : org.db.custom_objects()) {
    if (custom->master_field.empty()) continue;
    Table* detail = org.db.find(custom->name);
    if (detail == nullptr) continue;
    auto fi = detail->field_index(custom->master_field);
    if (!fi || detail->field(*fi).reference_to.empty() || detail->field(*fi).reference_to[0] != master.name()) continue;
    for (std::size_t r : detail->rows_referencing(*fi, master_id)) {  // an index lookup, not a scan
      if (detail->purged(r) || row_deleted(*detail, detail->row(r))) continue;
      const std::string detail_id = std::get<std::string>(detail->row(r)[0]);
      if (journal != nullptr) journal->changed(*detail, r, detail->row(r));
      Row& row = detail->mutable_row(r);
      set(*detail, row, "IsDeleted", true);
      stamp(*detail, row, org.clock.next(), user_id, /*create=*/false);
      delete_details(org, user_id, *detail, detail_id, journal);
    }
  }
}
}  // namespace

Status delete_record(const DmlContext& org, const std::string& user_id, Table& table, const std::string& id,
                     DmlJournal* journal) {
  auto access = org.access.for_user(org.db, user_id);
  auto index = find_live_record(*access, table, id);
  if (!index) return index.error();
  Row& row = table.mutable_row(*index);
  if (!object_spec(org.db, table.name())->deletable) return type_not_allowed(table, "deleted");
  CRMSYNC_TRY(check_record_write(*access, org.db, table, WriteOp::kDelete, *index, {}));
  if (journal != nullptr) journal->changed(table, *index, row);
  set(table, row, "IsDeleted", true);  // for a hard delete the stamp dates the deletion for getDeleted
  stamp(table, row, org.clock.next(), user_id, /*create=*/false);
  const std::string deleted_id = std::get<std::string>(row[0]);
  if (hard_deletes(table) || !table.field_index("IsDeleted")) table.purge(*index);
  delete_details(org, user_id, table, deleted_id, journal);
  if (org.access.affects_access(table)) org.access.invalidate();
  return ok_status();
}

Result<std::size_t> upsert_field(const DmlContext& org, const std::string& user_id, const Table& table,
                                 const std::string& field) {
  auto index = table.field_index(field);
  auto access = org.access.for_user(org.db, user_id);
  if (index && (*index == 0 || (table.field(*index).external_id && access->field(table, table.field(*index)).read))) {
    return *index;
  }
  return request_error(404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: " + field);
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

std::optional<std::string> upsert_key_value(const Table& table, std::size_t column, const json& body) {
  const std::string& name = table.field(column).name;
  for (const auto& [key, v] : body.items()) {
    if (iequals(key, name) && !v.is_null()) return v.is_string() ? v.get<std::string>() : v.dump();
  }
  return std::nullopt;
}

Result<std::string> upsert_target(const Table& table, std::size_t column, const std::optional<std::string>& value) {
  const FieldDef& f = table.field(column);
  if (!value) {
    if (column != 0) return record_error(400, "MISSING_ARGUMENT", f.name + " not specified");
    return std::string();  // upsert on Id: a record without Id is inserted
  }
  const std::vector<std::size_t> matches = upsert_matches(table, column, *value);
  if (matches.size() > 1) {
    std::string ids;
    for (std::size_t m : matches) ids += (ids.empty() ? "" : ", ") + std::get<std::string>(table.row(m)[0]);
    return record_error(400, "DUPLICATE_EXTERNAL_ID",
                        f.name + ": more than one record found for external id field: [" + ids + "]", {f.name});
  }
  if (matches.size() == 1) return std::get<std::string>(table.row(matches[0])[0]);
  if (column == 0) return record_error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
  return std::string();
}

Error per_record_error(Error e, bool create) {
  if (e.code != "NOT_FOUND") return e;
  if (create) return record_error(400, "INVALID_TYPE", "sObject type is not accessible for this user");
  return record_error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
}

namespace {

// Removes the Id member from a body (case-insensitive) and returns its value, if any.
std::optional<std::string> take_member(json& body, const std::string& name) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (!iequals(it.key(), name)) continue;
    std::optional<std::string> value;
    if (it->is_string()) value = it->get<std::string>();
    body.erase(it);
    return value;
  }
  return std::nullopt;
}

BulkRecordResult bulk_create(const DmlContext& org, const std::string& user_id, Table& table, const json& body) {
  BulkRecordResult r;
  auto id = create_record(org, user_id, table, body, nullptr);
  if (!id) {
    r.error = per_record_error(id.error(), /*create=*/true);
  } else {
    r.id = *id;
    r.created = true;
  }
  return r;
}

BulkRecordResult bulk_upsert(const DmlContext& org, const std::string& user_id, Table& table, std::size_t key,
                             json body) {
  BulkRecordResult r;
  const std::optional<std::string> value = upsert_key_value(table, key, body);
  if (key == 0) take_member(body, "Id");  // the key's value is read; it is never written
  auto target = upsert_target(table, key, value);
  if (!target) {
    r.error = target.error();
    return r;
  }
  if (target->empty()) return bulk_create(org, user_id, table, body);
  r.id = *target;
  take_member(body, table.field(key).name);
  if (auto updated = update_record(org, user_id, table, *target, body, nullptr); !updated) {
    r.error = per_record_error(updated.error(), false);
  }
  return r;
}

}  // namespace

BulkRecordResult write_bulk_record(const DmlContext& org, const std::string& user_id, const std::string& operation,
                                   Table& table, std::optional<std::size_t> upsert_key, json body) {
  BulkRecordResult r;
  if (operation == "insert") return bulk_create(org, user_id, table, body);
  if (operation == "upsert") return bulk_upsert(org, user_id, table, *upsert_key, std::move(body));
  auto given = take_member(body, "Id");
  if (!given || given->empty()) {
    r.error = record_error(400, "MISSING_ARGUMENT", "Id not specified in an update call");
    return r;
  }
  auto id = sf_id18(*given);
  if (!id) {
    r.error = record_error(400, "MALFORMED_ID", "malformed id " + *given);
    return r;
  }
  r.id = *id;
  Status done = operation == "update" ? update_record(org, user_id, table, *id, body, nullptr)
                                      : delete_record(org, user_id, table, *id, nullptr);
  if (!done) {
    r.error = per_record_error(done.error(), false);
    return r;
  }
  if (operation == "hardDelete") {
    if (auto row = table.find(*id); row && !table.purged(*row)) table.purge(*row);
  }
  return r;
}

}  // namespace crmsync::emulator
