// The per-record write check (check_record_write) and field-level security of written fields.
#include "common/sfid.h"
#include "common/text.h"
#include "emulator/access/access.h"
#include "emulator/access/sharing.h"

namespace crmsync::emulator {
namespace {

Error insufficient_access() {
  return record_error(400, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id");
}

Error cross_reference_refused(const std::string& id) {
  return record_error(400, "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
                      "insufficient access rights on cross-reference id: " + id);
}

// A Task or Event written by a user with Access Activities but without Edit Tasks / Edit Events:
// such a user still writes the activities assigned to itself (Salesforce: "all users can edit,
// close, and delete tasks that have been directly assigned to them"), and no others (decision:
// see docs/decisions.md). Returns true when this rule governs the write.
bool own_activities_only(const UserAccess& access, const Table& table, const ObjectAccess& a) {
  const bool task = table.name() == "Task";
  if (!task && table.name() != "Event") return false;
  return !a.create && access.has("ActivitiesAccess") && !access.has(task ? "EditTask" : "EditEvent");
}

const std::string* owner_in(const Table& table, const Row& row) {
  auto i = table.field_index("OwnerId");
  return i ? std::get_if<std::string>(&row[*i]) : nullptr;
}

// Whether the written values give the stored record another owner.
bool changes_owner(const Table& table, const Row& row, const std::vector<std::pair<std::size_t, Value>>& values) {
  const std::string* owner = owner_in(table, row);
  for (const auto& [index, value] : values) {
    const auto* id = std::get_if<std::string>(&value);
    if (id != nullptr && iequals(table.field(index).name, "OwnerId") && (owner == nullptr || !same_sf_id(*owner, *id))) {
      return true;
    }
  }
  return false;
}

// The own-activities rule: the stored record must be the user's, and an OwnerId written must be too.
Status check_own_activity(const UserAccess& access, const Table& table, WriteOp op, std::optional<std::size_t> row,
                          const std::vector<std::pair<std::size_t, Value>>& values) {
  if (op != WriteOp::kCreate) {
    const std::string* owner = row ? owner_in(table, table.row(*row)) : nullptr;
    if (owner == nullptr || !same_sf_id(access.user_id(), *owner)) return insufficient_access();
    if (op == WriteOp::kDelete) return ok_status();
  }
  for (const auto& [index, value] : values) {
    const auto* id = std::get_if<std::string>(&value);
    if (id != nullptr && iequals(table.field(index).name, "OwnerId") && !same_sf_id(access.user_id(), *id)) {
      return cross_reference_refused(*id);
    }
  }
  return ok_status();
}

const std::string* value_of(const Table& table, const std::vector<std::pair<std::size_t, Value>>& values,
                            const std::string& field) {
  for (const auto& [index, value] : values) {
    if (iequals(table.field(index).name, field)) return std::get_if<std::string>(&value);
  }
  return nullptr;
}

// An AccountShare's or AccountTeamMember's levels on the account and its children.
struct AccountLevels {
  std::string account, opportunity, kase, contact;
};

// The levels as Salesforce checks them: the account level at least the org-wide default for
// accounts and some level above its default; the contact level not written while contacts are
// Controlled by Parent. An account team member (AccountTeamMember's field notes) also holds each
// child level at least its object's default, and counts its contact level among those that may
// be above. The wordings are recorded Salesforce errors (docs/decisions.md).
Status check_account_levels(const UserAccess& access, const Table& table, const AccountLevels& l,
                            bool contact_written) {
  const bool team = table.name() == "AccountTeamMember";
  const std::string contact_default = access.sharing_default_of("Contact");
  const bool by_parent = contact_default == "ControlledByParent";
  if (contact_written && by_parent) {
    return record_error(400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                        table.name() + ": bad field names on insert/update call: ContactAccessLevel",
                        {"ContactAccessLevel"});
  }
  const RecordAccess account_floor = access.default_access("Account");
  const RecordAccess opp_floor = access.default_access("Opportunity");
  const RecordAccess case_floor = access.default_access("Case");
  const RecordAccess contact_floor = by_parent ? RecordAccess::kNone : access.default_access("Contact");
  const bool children_at_floor = !team || (share_level(l.opportunity) >= opp_floor &&
                                           share_level(l.kase) >= case_floor && share_level(l.contact) >= contact_floor);
  const bool above = share_level(l.account) > account_floor || share_level(l.opportunity) > opp_floor ||
                     share_level(l.kase) > case_floor || (team && !by_parent && share_level(l.contact) > contact_floor);
  if (share_level(l.account) >= account_floor && children_at_floor && above) return ok_status();
  const std::string contact_org = by_parent ? contact_default : record_access_name(contact_floor);
  return record_error(400, "INVALID_ACCESS_LEVEL",
                      "Account, Opportunity, Case Levels, Con Levels (" + l.account + ", " + l.opportunity + ", " +
                          l.kase + ", " + l.contact + ") are below organization levels (" +
                          record_access_name(account_floor) + ", " + record_access_name(opp_floor) + ", " +
                          record_access_name(case_floor) + ", " + contact_org + ")",
                      {"AccountAccessLevel", "OpportunityAccessLevel", "CaseAccessLevel", "ContactAccessLevel"});
}

Status check_account_share_levels(const UserAccess& access, const Table& table,
                                  const std::vector<std::pair<std::size_t, Value>>& values, const std::string& account) {
  const std::string* opp = value_of(table, values, "OpportunityAccessLevel");
  const std::string* kase = value_of(table, values, "CaseAccessLevel");
  const std::string* contact = value_of(table, values, "ContactAccessLevel");
  return check_account_levels(access, table, {account, opp ? *opp : "None", kase ? *kase : "None",
                                              contact ? *contact : "None"}, contact != nullptr);
}

// An account team member's levels are restricted picklists: Read, Edit or All on the account,
// None, Read or Edit on its children (AccountTeamMember's field notes; the wording is Salesforce's
// for a restricted picklist). Levels a write leaves out keep the stored member's (`stored`, on an
// update) or take what a new member gets (Read on the account, None on its children). A write
// naming no level is not checked: a member added with its role alone, as Data Loader adds them,
// is taken whatever the org-wide defaults (Salesforce's help on importing account teams).
Status check_account_team_levels(const UserAccess& access, const Table& table,
                                 const std::vector<std::pair<std::size_t, Value>>& values, const Row* stored) {
  struct Level {
    const char* field;
    std::string AccountLevels::*member;
    const char* unset;
  };
  static const Level kLevels[] = {{"AccountAccessLevel", &AccountLevels::account, "Read"},
                                  {"OpportunityAccessLevel", &AccountLevels::opportunity, "None"},
                                  {"CaseAccessLevel", &AccountLevels::kase, "None"},
                                  {"ContactAccessLevel", &AccountLevels::contact, "None"}};
  AccountLevels levels;
  bool named = false;
  for (const Level& level : kLevels) {
    const std::string* v = value_of(table, values, level.field);
    auto column = table.field_index(level.field);
    const std::string* kept = stored && column ? std::get_if<std::string>(&(*stored)[*column]) : nullptr;
    levels.*level.member = v ? *v : kept ? *kept : level.unset;
    if (v == nullptr) continue;
    named = true;
    const bool account = level.member == &AccountLevels::account;
    if (*v != "Read" && *v != "Edit" && *v != (account ? "All" : "None")) {
      return record_error(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                          "bad value for restricted picklist field: " + *v, {level.field});
    }
  }
  if (!named) return ok_status();
  return check_account_levels(access, table, levels, value_of(table, values, "ContactAccessLevel") != nullptr);
}

// A share's levels as an update leaves them: the stored row's share fields, the written ones on top.
std::vector<std::pair<std::size_t, Value>> with_stored(const Table& table, const Row& stored,
                                                       const std::vector<std::pair<std::size_t, Value>>& values) {
  const ShareColumns c = share_columns(table.name());
  std::vector<std::pair<std::size_t, Value>> merged = values;
  for (const std::string& field : {c.parent, c.level, std::string("OpportunityAccessLevel"), std::string("CaseAccessLevel")}) {
    auto i = table.field_index(field);
    if (!i || value_of(table, values, field) != nullptr) continue;
    if (std::holds_alternative<std::string>(stored[*i])) merged.emplace_back(*i, stored[*i]);
  }
  return merged;
}

// A detail record created under its master: Salesforce asks for Edit on the master record (the
// master-detail field's default sharing setting, Read/Write).
Status check_master_write(const UserAccess& access, const Database& db, const Table& table, std::size_t master,
                          const std::vector<std::pair<std::size_t, Value>>& values) {
  for (const auto& [index, value] : values) {
    const auto* id = std::get_if<std::string>(&value);
    if (index != master || id == nullptr) continue;
    const Table* parent = db.find(table.field(master).reference_to.at(0));
    auto row = parent ? parent->find(*id) : std::nullopt;
    if (row && access.record_access(db, *parent, *row) < RecordAccess::kEdit) return cross_reference_refused(*id);
  }
  return ok_status();
}

// A share or account team row written: only a user with full access to the shared record (its
// owner, a user above the owner, Modify All) shares it; a share must give more than the
// org-wide default (INVALID_ACCESS_LEVEL; wording from a recorded AccountShare error, the
// single-object form a guess: docs/decisions.md).
// `stored`: the share row an update changes (nullptr on create); its fields stand where the
// write leaves them out.
Status check_share_write(const UserAccess& access, const Database& db, const Table& table,
                         const std::vector<std::pair<std::size_t, Value>>& written, const Row* stored) {
  const ShareColumns c = share_columns(table.name());
  const auto values = stored ? with_stored(table, *stored, written) : written;
  const std::string* record = value_of(table, values, c.parent);
  if (record == nullptr) return ok_status();  // the required-field check names it
  const Table* parent = db.find(shared_object(table.name()));
  auto row = parent ? parent->find(*record) : std::nullopt;
  if (!row || access.record_access(db, *parent, *row) < RecordAccess::kAll) return cross_reference_refused(*record);
  if (table.name() == "AccountTeamMember") return check_account_team_levels(access, table, written, stored);
  const std::string* level = value_of(table, values, c.level);
  if (level == nullptr) return ok_status();
  const RecordAccess floor = access.default_access(parent->name());
  const std::string org = record_access_name(floor);
  if (table.name() == "AccountShare") return check_account_share_levels(access, table, values, *level);
  if (share_level(*level) > floor) return ok_status();
  return record_error(400, "INVALID_ACCESS_LEVEL",
                      parent->name() + " Level (" + *level + ") is below organization level (" + org + ")", {c.level});
}

}  // namespace

Result<bool> field_writable(const UserAccess& access, const Table& table, const FieldDef& field,
                            const std::string& key) {
  const FieldAccess fa = access.field(table, field);
  if (!fa.read) {
    return request_error(400, "INVALID_FIELD", "No such column '" + key + "' on sobject of type " + table.name());
  }
  return fa.edit;
}

Status check_record_write(const UserAccess& access, const Database& db, const Table& table, WriteOp op,
                          std::optional<std::size_t> row, const std::vector<std::pair<std::size_t, Value>>& values) {
  const ObjectAccess a = access.object(table);
  if (own_activities_only(access, table, a)) {
    CRMSYNC_TRY(check_own_activity(access, table, op, row, values));
    if (op == WriteOp::kDelete) return ok_status();
  } else {
    switch (op) {
      case WriteOp::kCreate:
        if (!a.create) return insufficient_access();
        if (!share_columns(table.name()).parent.empty() && table.name() != "OpportunityTeamMember") {
          CRMSYNC_TRY(check_share_write(access, db, table, values, nullptr));
        }
        if (auto master = access.master_field(table)) CRMSYNC_TRY(check_master_write(access, db, table, *master, values));
        break;
      case WriteOp::kUpdate:
        if (!a.edit || !row || access.record_access(db, table, *row) < RecordAccess::kEdit) return insufficient_access();
        if (changes_owner(table, table.row(*row), values) && !access.may_transfer(table, *row)) {
          return insufficient_access();
        }
        if (!values.empty() && !share_columns(table.name()).parent.empty() && table.name() != "OpportunityTeamMember") {
          CRMSYNC_TRY(check_share_write(access, db, table, values, &table.row(*row)));
        }
        break;
      case WriteOp::kDelete:
        if (!a.del || !row || access.record_access(db, table, *row) < RecordAccess::kDelete) return insufficient_access();
        return ok_status();
    }
  }
  for (const auto& [index, value] : values) {
    const FieldDef& f = table.field(index);
    const auto* id = std::get_if<std::string>(&value);
    if (f.type != "reference" || id == nullptr) continue;
    if (iequals(f.name, "RecordTypeId")) {
      if (!access.record_type_available(table.name(), *id)) {
        return record_error(400, "INVALID_CROSS_REFERENCE_KEY",
                            "Record Type ID: this ID value isn't valid for the user: " + *id, {f.name});
      }
      continue;
    }
    const Table* target = nullptr;
    for (const Table* t : db.tables()) {
      if (!t->key_prefix().empty() && id->compare(0, 3, t->key_prefix()) == 0) target = t;
    }
    if (target == nullptr) continue;
    auto target_row = target->find(*id);
    if (target_row && !access.sees(db, *target, *target_row)) {
      return cross_reference_refused(*id);
    }
  }
  return ok_status();
}

Status check_permission_row(const Table& table, const Row& row) {
  auto flag = [&](const char* field) {
    auto i = table.field_index(field);
    const bool* b = i ? std::get_if<bool>(&row[*i]) : nullptr;
    return b != nullptr && *b;
  };
  if (table.name() == "ObjectPermissions") {
    ObjectAccess a{flag("PermissionsRead"),   flag("PermissionsCreate"),         flag("PermissionsEdit"),
                   flag("PermissionsDelete"), flag("PermissionsViewAllRecords"), flag("PermissionsModifyAllRecords")};
    return check_object_permission_dependencies(a);
  }
  if (table.name() == "FieldPermissions") {
    return check_field_permission_dependencies({flag("PermissionsRead"), flag("PermissionsEdit")});
  }
  return ok_status();
}

}  // namespace crmsync::emulator
