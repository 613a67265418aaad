// Sharing rules, teams and manual shares for one user (sharing.h). Group membership follows
// Salesforce's Group model: a public group (Type Regular) lists its members in GroupMember (users
// or other groups), a role's Role group holds the role's users and its RoleAndSubordinates group
// the users of the role and every role below it.
#include "emulator/access/sharing.h"

#include <algorithm>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator {
namespace {

const std::string* text(const Table& t, const Row& row, std::string_view field) {
  auto i = t.field_index(field);
  return i ? std::get_if<std::string>(&row[*i]) : nullptr;
}

bool deleted(const Table& t, std::size_t r) {
  if (t.purged(r)) return true;
  auto i = t.field_index("IsDeleted");
  const bool* b = i ? std::get_if<bool>(&t.row(r)[*i]) : nullptr;
  return b != nullptr && *b;
}

template <typename Fn>
void each_live_row(const Table& t, Fn fn) {
  for (std::size_t r = 0; r < t.slot_count(); ++r) {
    if (!deleted(t, r)) fn(t.row(r));
  }
}

void grant(std::unordered_map<std::string, RecordAccess>& to, const std::string& key, RecordAccess level) {
  RecordAccess& held = to[key];
  held = std::max(held, level);
}

// Who belongs to which group, read once from UserRole, User, Group and GroupMember.
class Membership {
 public:
  explicit Membership(const Database& db) {
    const Table& roles = *db.find("UserRole");
    each_live_row(roles, [&](const Row& row) {
      const auto* parent = text(roles, row, "ParentRoleId");
      parent_of_[sf_id15(std::get<std::string>(row[0]))] = parent ? sf_id15(*parent) : "";
    });
    const Table& users = *db.find("User");
    each_live_row(users, [&](const Row& row) {
      if (const auto* role = text(users, row, "UserRoleId")) role_of_[sf_id15(std::get<std::string>(row[0]))] = sf_id15(*role);
    });
    const Table& groups = *db.find("Group");
    each_live_row(groups, [&](const Row& row) {
      const auto* type = text(groups, row, "Type");
      const auto* related = text(groups, row, "RelatedId");
      if (type == nullptr || related == nullptr) return;
      const std::string id = sf_id15(std::get<std::string>(row[0]));
      if (*type == "Role") role_group_[sf_id15(*related)] = id;
      if (*type == "RoleAndSubordinates") subordinates_group_[sf_id15(*related)] = id;
    });
    const Table& members = *db.find("GroupMember");
    each_live_row(members, [&](const Row& row) {
      const auto* group = text(members, row, "GroupId");
      const auto* member = text(members, row, "UserOrGroupId");
      if (group && member) containers_[sf_id15(*member)].push_back(sf_id15(*group));
    });
  }

  std::unordered_set<std::string> groups_of(const std::string& user) const {
    std::unordered_set<std::string> out;
    std::vector<std::string> todo;
    auto add = [&](const std::string& g) {
      if (out.insert(g).second) todo.push_back(g);
    };
    add_all(containers_, user, add);
    if (auto role = role_of_.find(user); role != role_of_.end()) {
      if (auto g = role_group_.find(role->second); g != role_group_.end()) add(g->second);
      std::string r = role->second;
      for (int depth = 0; depth < 100 && !r.empty(); ++depth) {
        if (auto g = subordinates_group_.find(r); g != subordinates_group_.end()) add(g->second);
        auto up = parent_of_.find(r);
        r = up == parent_of_.end() ? "" : up->second;
      }
    }
    while (!todo.empty()) {  // groups inside groups
      const std::string g = todo.back();
      todo.pop_back();
      add_all(containers_, g, add);
    }
    return out;
  }

 private:
  template <typename Add>
  static void add_all(const std::unordered_map<std::string, std::vector<std::string>>& from, const std::string& key,
                      Add add) {
    auto it = from.find(key);
    if (it == from.end()) return;
    for (const auto& g : it->second) add(g);
  }

  std::unordered_map<std::string, std::string> parent_of_, role_of_, role_group_, subordinates_group_;
  std::unordered_map<std::string, std::vector<std::string>> containers_;  // member -> groups listing it
};

// Owner-based rule: every owner in the rule's source group (for an Account rule, the accounts'
// children through their account's owner too).
void grant_owner_rule(const Database& db, const Membership& m, const SharingRule& rule, SharingGrants& out) {
  const Table& users = *db.find("User");
  const std::string source = sf_id15(rule.owned_by);
  auto& owners = out.by_owner[rule.object];
  each_live_row(users, [&](const Row& row) {
    const std::string user = sf_id15(std::get<std::string>(row[0]));
    if (!m.groups_of(user).count(source)) return;
    grant(owners, user, rule.access);
    for (const auto& [child, level] : rule.child_access) grant(out.child_by_account_owner[child], user, level);
  });
}

// Criteria-based rule: every record of the object meeting the condition, by the SOQL executor.
void grant_criteria_rule(const Database& db, const SharingRule& rule, SharingGrants& out) {
  auto query = soql::parse("SELECT Id FROM " + rule.object + " WHERE (" + rule.criteria + ")");
  if (!query) return;  // checked when the org loaded
  auto result = soql::execute(*query, db, {});
  if (!result) return;
  for (std::uint32_t r : result->rows) {
    const std::string id = sf_id15(std::get<std::string>(result->table->row(r)[0]));
    grant(out.records, id, rule.access);
    for (const auto& [child, level] : rule.child_access) grant(out.child_by_account[child], id, level);
  }
}

}  // namespace

const std::vector<AccountChild>& account_children() {
  static const std::vector<AccountChild> children = {
      {"Opportunity", "OpportunityAccessLevel", "OpportunityAccessForAccountOwner"},
      {"Contact", "ContactAccessLevel", "ContactAccessForAccountOwner"},
      {"Case", "CaseAccessLevel", "CaseAccessForAccountOwner"}};
  return children;
}

RecordAccess share_level(const std::string& value) {
  if (value == "Read") return RecordAccess::kRead;
  if (value == "Edit") return RecordAccess::kEdit;
  if (value == "All") return RecordAccess::kAll;
  return RecordAccess::kNone;
}

ShareColumns share_columns(std::string_view name) {
  if (name == "OpportunityTeamMember") return {"OpportunityId", "OpportunityAccessLevel", "UserId"};
  if (name == "AccountTeamMember") return {"AccountId", "AccountAccessLevel", "UserId"};
  if (name == "OpportunityShare") return {"OpportunityId", "OpportunityAccessLevel", "UserOrGroupId"};
  if (name == "AccountShare") return {"AccountId", "AccountAccessLevel", "UserOrGroupId"};
  if (name.size() > 7 && iequals(name.substr(name.size() - 7), "__Share")) return {"ParentId", "AccessLevel", "UserOrGroupId"};
  return {};
}

std::string shared_object(std::string_view name) {
  if (name == "AccountShare" || name == "AccountTeamMember") return "Account";
  if (name == "OpportunityShare" || name == "OpportunityTeamMember") return "Opportunity";
  return std::string(name.substr(0, name.size() - 7)) + "__c";
}

bool is_sharing_object(std::string_view name) {
  return name == "Group" || name == "GroupMember" || !share_columns(name).parent.empty();
}

std::unordered_set<std::string> groups_of_user(const Database& db, const std::string& user_id) {
  return Membership(db).groups_of(sf_id15(user_id));
}

SharingGrants compute_sharing(const Database& db, const std::unordered_set<std::string>& principals,
                              const std::vector<SharingRule>& rules,
                              const std::function<bool(const std::string& object)>& needed) {
  SharingGrants out;
  // An account's shares reach its children too: wanted when the user lacks full access to them.
  const bool children = std::any_of(account_children().begin(), account_children().end(),
                                     [&](const AccountChild& c) { return needed(c.object); });
  auto wanted = [&](const std::string& object) { return needed(object) || (children && object == "Account"); };
  std::vector<const Table*> share_tables;
  for (const Table* t : db.tables()) {
    if (!share_columns(t->name()).parent.empty() && t->live_count() > 0 && wanted(shared_object(t->name()))) {
      share_tables.push_back(t);
    }
  }
  const bool any_rule = std::any_of(rules.begin(), rules.end(), [&](const SharingRule& r) { return wanted(r.object); });
  if (share_tables.empty() && !any_rule) return out;
  const Membership m(db);
  std::unordered_set<std::string> reached = principals;  // the users and every group one of them is in
  for (const auto& user : principals) {
    for (auto& g : m.groups_of(user)) reached.insert(std::move(g));
  }
  for (const auto& rule : rules) {
    if (!wanted(rule.object) || !reached.count(sf_id15(rule.shared_with))) continue;
    if (rule.criteria.empty()) {
      grant_owner_rule(db, m, rule, out);
    } else {
      grant_criteria_rule(db, rule, out);
    }
  }
  for (const Table* t : share_tables) {
    const ShareColumns c = share_columns(t->name());
    const auto parent = t->field_index(c.parent), level = t->field_index(c.level), who = t->field_index(c.principal);
    if (!parent || !level || !who) continue;
    std::vector<std::pair<std::string, std::size_t>> child_levels;  // AccountShare, AccountTeamMember
    if (shared_object(t->name()) == "Account") {
      for (const AccountChild& child : account_children()) {
        if (auto i = t->field_index(child.level)) child_levels.emplace_back(child.object, *i);
      }
    }
    each_live_row(*t, [&](const Row& row) {
      const auto* principal = std::get_if<std::string>(&row[*who]);
      const auto* record = std::get_if<std::string>(&row[*parent]);
      const auto* access = std::get_if<std::string>(&row[*level]);
      if (!principal || !record || !reached.count(sf_id15(*principal))) return;
      const std::string id = sf_id15(*record);
      if (access) grant(out.records, id, share_level(*access));
      for (const auto& [child, column] : child_levels) {
        const auto* child_access = std::get_if<std::string>(&row[column]);
        if (child_access && share_level(*child_access) != RecordAccess::kNone) {
          grant(out.child_by_account[child], id, share_level(*child_access));
        }
      }
    });
  }
  return out;
}

}  // namespace crmsync::emulator
