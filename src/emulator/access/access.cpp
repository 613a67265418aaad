// Effective access from the setup sObjects. Which objects are governed how is the emulator's model
// of Salesforce's rules (docs/decisions.md, "Emulator permission model").
#include "emulator/access/access.h"

#include <algorithm>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/access/sharing.h"
#include "emulator/org/org.h"

namespace crmsync::emulator {
namespace {

// How an object's access is decided.
enum class Governance {
  kOwn,             // ObjectPermissions rows of its own, sharing by owner / role / org-wide default
  kOpportunityChild,  // access and visibility follow the parent Opportunity
  kCampaignChild,   // CampaignMember: follows the parent Campaign
  kActivity,        // Task, Event: Access Activities, Edit Tasks / Edit Events; visible through owner or What/Who
  kPublic,          // readable by every API user (User, RecordType, Organization, Profile, ...)
  kSetup,           // permission objects: View Setup and Configuration to read
  kShare,           // AccountShare, OpportunityShare, Name__Share: follow the shared record
};

Governance governance(std::string_view name) {
  static const std::set<std::string, std::less<>> opp_children = {
      "OpportunityContactRole", "OpportunityHistory", "OpportunityLineItem", "OpportunitySplit",
      "OpportunityTeamMember"};
  static const std::set<std::string, std::less<>> public_objects = {
      "User", "RecordType", "OpportunityStage", "OpportunitySplitType", "Organization", "Profile", "UserRole",
      "UserLicense", "UserRecordAccess", "CurrencyType"};
  static const std::set<std::string, std::less<>> setup_objects = {
      "PermissionSet",        "PermissionSetAssignment",   "ObjectPermissions", "FieldPermissions",
      "PermissionSetLicense", "PermissionSetLicenseAssign"};
  if (opp_children.count(name)) return Governance::kOpportunityChild;
  if (name == "CampaignMember") return Governance::kCampaignChild;
  if (name == "Task" || name == "Event") return Governance::kActivity;
  if (public_objects.count(name) || name == "Group" || name == "GroupMember") return Governance::kPublic;
  if (name == "AccountTeamMember") return Governance::kShare;
  if (!share_columns(name).parent.empty() && name != "OpportunityTeamMember") return Governance::kShare;
  if (setup_objects.count(name)) return Governance::kSetup;
  return Governance::kOwn;
}

bool is_account_child(std::string_view name) {
  const auto& children = account_children();
  return std::any_of(children.begin(), children.end(), [&](const AccountChild& c) { return name == c.object; });
}

std::uint32_t prefix_key(std::string_view id) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(id[0])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(id[1])) << 8 | static_cast<unsigned char>(id[2]);
}

const std::string* text_at(const Row& row, const std::optional<std::size_t>& col) {
  return col ? std::get_if<std::string>(&row[*col]) : nullptr;
}

const std::string* text(const Table& t, const Row& row, std::string_view field) {
  auto i = t.field_index(field);
  return i ? std::get_if<std::string>(&row[*i]) : nullptr;
}

bool flag(const Table& t, const Row& row, std::string_view field) {
  auto i = t.field_index(field);
  const bool* b = i ? std::get_if<bool>(&row[*i]) : nullptr;
  return b != nullptr && *b;
}

template <typename Fn>
void each_live_row(const Table& t, Fn fn) {
  for (std::size_t r = 0; r < t.slot_count(); ++r) {
    if (!t.purged(r)) fn(t.row(r));
  }
}

bool shares_at_least_read(const std::string& value) {
  return value == "Read" || value == "Edit" || value == "ReadEditTransfer" || value == "All" ||
         value == "ReadSelect";
}

RecordAccess sharing_level(const std::string& value) {
  if (value == "Edit") return RecordAccess::kEdit;
  if (value == "ReadEditTransfer") return RecordAccess::kTransfer;
  if (value == "All") return RecordAccess::kAll;
  if (shares_at_least_read(value)) return RecordAccess::kRead;
  return RecordAccess::kNone;
}

}  // namespace

const char* record_access_name(RecordAccess a) {
  switch (a) {
    case RecordAccess::kNone: return "None";
    case RecordAccess::kRead: return "Read";
    case RecordAccess::kEdit: return "Edit";
    case RecordAccess::kDelete: return "Delete";
    case RecordAccess::kTransfer: return "Transfer";
    case RecordAccess::kAll: return "All";
  }
  return "None";
}

UserAccess::UserAccess(const Database& db, const std::string& user_id, const ProfileRecordTypes& record_types,
                       const std::vector<SharingRule>& sharing_rules)
    : user_id_(user_id) {
  const Table& users = *db.find("User");
  std::string role_id;
  if (auto r = users.find(user_id)) {
    const Row& row = users.row(*r);
    exists_ = true;
    active_ = flag(users, row, "IsActive");
    if (const auto* p = text(users, row, "ProfileId")) profile_id_ = *p;
    if (const auto* role = text(users, row, "UserRoleId")) role_id = sf_id15(*role);
  }

  // The permission sets: the assigned ones and the one that backs the profile.
  std::set<std::string> sets;
  const Table& psa = *db.find("PermissionSetAssignment");
  each_live_row(psa, [&](const Row& row) {
    const auto* who = text(psa, row, "AssigneeId");
    const auto* set = text(psa, row, "PermissionSetId");
    if (who && set && sf_id15(*who) == sf_id15(user_id)) sets.insert(sf_id15(*set));
  });
  const Table& ps = *db.find("PermissionSet");
  each_live_row(ps, [&](const Row& row) {
    const auto* profile = text(ps, row, "ProfileId");
    if (!profile_id_.empty() && profile && flag(ps, row, "IsOwnedByProfile") && sf_id15(*profile) == sf_id15(profile_id_)) {
      sets.insert(sf_id15(std::get<std::string>(row[0])));
    }
  });
  each_live_row(ps, [&](const Row& row) {
    if (!sets.count(sf_id15(std::get<std::string>(row[0])))) return;
    for (const auto& p : user_permission_names()) {
      if (flag(ps, row, "Permissions" + p)) permissions_.insert(p);
    }
  });
  const Table& op = *db.find("ObjectPermissions");
  each_live_row(op, [&](const Row& row) {
    const auto* parent = text(op, row, "ParentId");
    const auto* object = text(op, row, "SobjectType");
    if (!parent || !object || !sets.count(sf_id15(*parent))) return;
    ObjectAccess& a = objects_[*object];
    a.read = a.read || flag(op, row, "PermissionsRead");
    a.create = a.create || flag(op, row, "PermissionsCreate");
    a.edit = a.edit || flag(op, row, "PermissionsEdit");
    a.del = a.del || flag(op, row, "PermissionsDelete");
    a.view_all = a.view_all || flag(op, row, "PermissionsViewAllRecords");
    a.modify_all = a.modify_all || flag(op, row, "PermissionsModifyAllRecords");
  });
  const Table& fp = *db.find("FieldPermissions");
  each_live_row(fp, [&](const Row& row) {
    const auto* parent = text(fp, row, "ParentId");
    const auto* field = text(fp, row, "Field");
    if (!parent || !field) return;
    if (const auto* object = text(fp, row, "SobjectType")) fls_objects_.insert(to_lower(*object));
    if (!sets.count(sf_id15(*parent))) return;
    FieldAccess& a = fields_[to_lower(*field)];
    a.read = a.read || flag(fp, row, "PermissionsRead");
    a.edit = a.edit || flag(fp, row, "PermissionsEdit");
  });

  // The role hierarchy: this user and every user whose role is below this user's role.
  visible_owners_.insert(sf_id15(user_id));
  if (!role_id.empty()) {
    std::unordered_map<std::string, std::string> parent_of;
    const Table& roles = *db.find("UserRole");
    each_live_row(roles, [&](const Row& row) {
      const auto* parent = text(roles, row, "ParentRoleId");
      parent_of[sf_id15(std::get<std::string>(row[0]))] = parent ? sf_id15(*parent) : "";
    });
    std::unordered_map<std::string, bool> below;  // role -> strictly below role_id
    auto is_below = [&](std::string role) {
      std::vector<std::string> path;
      bool result = false;
      for (int depth = 0; depth < 100 && !role.empty(); ++depth) {
        auto known = below.find(role);
        if (known != below.end()) {
          result = known->second;
          break;
        }
        path.push_back(role);
        auto it = parent_of.find(role);
        role = it == parent_of.end() ? "" : it->second;
        if (role == role_id) {
          result = true;
          break;
        }
      }
      for (const auto& p : path) below[p] = result;
      return result;
    };
    each_live_row(users, [&](const Row& row) {
      const auto* role = text(users, row, "UserRoleId");
      if (role && is_below(sf_id15(*role))) visible_owners_.insert(sf_id15(std::get<std::string>(row[0])));
    });
  }

  auto needed = [&](const std::string& object) {
    const Table* t = db.find(object);
    if (t == nullptr) return false;
    const ObjectAccess a = compute_object(*t);
    return a.read && !a.modify_all && !(a.view_all && !a.edit);  // more access could change nothing else
  };
  SharingGrants grants = compute_sharing(db, visible_owners_, sharing_rules, needed);
  owner_shares_ = std::move(grants.by_owner);
  record_shares_ = std::move(grants.records);
  child_by_account_ = std::move(grants.child_by_account);
  child_by_account_owner_ = std::move(grants.child_by_account_owner);
  // Implicit child: the owner of an account (and the users above) gets its opportunities,
  // contacts and cases at the levels the owner's role gives an account owner.
  const auto& children = account_children();
  if (std::any_of(children.begin(), children.end(), [&](const AccountChild& c) { return needed(c.object); })) {
    const Table& roles = *db.find("UserRole");
    std::unordered_map<std::string, std::size_t> role_rows;
    for (std::size_t r = 0; r < roles.slot_count(); ++r) {
      if (!roles.purged(r)) role_rows[sf_id15(std::get<std::string>(roles.row(r)[0]))] = r;
    }
    each_live_row(users, [&](const Row& row) {
      const std::string user = sf_id15(std::get<std::string>(row[0]));
      const auto* role = text(users, row, "UserRoleId");
      auto rr = role ? role_rows.find(sf_id15(*role)) : role_rows.end();
      if (!visible_owners_.count(user) || rr == role_rows.end()) return;
      for (const AccountChild& child : children) {
        const auto* level = text(roles, roles.row(rr->second), child.owner_level);
        const RecordAccess a = level ? share_level(*level) : RecordAccess::kNone;
        if (a == RecordAccess::kNone) continue;
        RecordAccess& held = child_by_account_owner_[child.object][user];
        held = std::max(held, a);
      }
    });
  }
  accounts_ = db.find("Account");
  account_owner_ = accounts_ ? accounts_->field_index("OwnerId") : std::nullopt;
  if (!child_by_account_owner_.empty() && account_owner_) {
    // Only owners who own an account reach children through it: a user owning none pays no
    // account lookup per child row. Should one of them come to own an account, the cache is
    // dropped on that Account write (reads_account_owners(), AccessModel::affects_access).
    std::unordered_set<std::string> account_owners;
    each_live_row(*accounts_, [&](const Row& row) {
      if (const auto* owner = text_at(row, account_owner_)) account_owners.insert(sf_id15(*owner));
    });
    for (auto it = child_by_account_owner_.begin(); it != child_by_account_owner_.end();) {
      const auto dropped = std::erase_if(it->second, [&](const auto& entry) { return !account_owners.count(entry.first); });
      reads_account_owners_ = reads_account_owners_ || dropped > 0;
      it = it->second.empty() ? child_by_account_owner_.erase(it) : std::next(it);
    }
  }
  std::unordered_set<std::uint32_t> shared_prefixes;
  for (const auto& [id, _] : record_shares_) {
    if (id.size() >= 3) shared_prefixes.insert(prefix_key(id));
  }

  const Table& org = *db.find("Organization");
  if (org.slot_count() > 0) {
    for (const char* object : {"Account", "Contact", "Opportunity", "Lead", "Campaign", "Case"}) {
      if (const auto* v = text(org, org.row(0), std::string("Default") + object + "Access")) org_defaults_[object] = *v;
    }
  }
  std::unordered_map<std::string, std::string> master_fields;
  for (const ObjectSpec* custom : db.custom_objects()) {
    org_defaults_[custom->name] = custom->sharing;
    if (!custom->master_field.empty()) master_fields[custom->name] = custom->master_field;
  }

  // Record types the profile may use, per object (default first).
  const Table& rt = *db.find("RecordType");
  auto rt_grants = record_types.find(sf_id15(profile_id_));
  each_live_row(rt, [&](const Row& row) {
    const auto* object = text(rt, row, "SobjectType");
    if (!object || !flag(rt, row, "IsActive")) return;
    const std::string& id = std::get<std::string>(row[0]);
    auto& list = record_types_[*object];
    if (rt_grants != record_types.end()) {
      auto g = rt_grants->second.find(*object);
      if (g != rt_grants->second.end()) {
        if (!g->second.ids.count(id)) return;
        if (g->second.default_id == id) {
          list.insert(list.begin(), id);
          return;
        }
      }
    }
    list.push_back(id);
  });

  for (const Table* t : db.tables()) {
    TableView v;
    const Governance g = governance(t->name());
    v.governance = static_cast<int>(g);
    v.access = compute_object(*t);
    v.all_visible = g == Governance::kPublic || g == Governance::kSetup || (v.access.read && v.access.view_all);
    const std::string owd = sharing_default(t->name());
    v.shared = g == Governance::kOwn && shares_at_least_read(owd);
    v.controlled_by_parent = g == Governance::kOwn && owd == "ControlledByParent";
    v.owner = t->field_index("OwnerId");
    v.what = t->field_index("WhatId");
    v.who = t->field_index("WhoId");
    auto master = master_fields.find(t->name());
    v.parent = g == Governance::kOpportunityChild ? t->field_index("OpportunityId")
               : g == Governance::kCampaignChild  ? t->field_index("CampaignId")
               : g == Governance::kShare          ? t->field_index(share_columns(t->name()).parent)
               : master != master_fields.end()    ? t->field_index(master->second)
                                                   : t->field_index("AccountId");
    if (auto it = owner_shares_.find(t->name()); it != owner_shares_.end()) v.owner_shares = &it->second;
    v.record_shares = t->key_prefix().size() == 3 && shared_prefixes.count(prefix_key(t->key_prefix())) > 0;
    if (g == Governance::kOwn && !v.controlled_by_parent && v.parent) {  // Opportunity, Contact, Case
      if (auto it = child_by_account_.find(t->name()); it != child_by_account_.end()) v.child_by_account = &it->second;
      if (auto it = child_by_account_owner_.find(t->name()); it != child_by_account_owner_.end()) {
        v.child_by_account_owner = &it->second;
      }
    }
    views_[t] = v;
  }
  for (const auto& [t, v] : views_) {
    if (t->key_prefix().size() == 3) by_prefix_[prefix_key(t->key_prefix())] = {t, &v};
  }

  // Implicit parent: Read on the account of every opportunity, contact and case the user owns (or
  // is above the owner of) or has shared, unless the child is controlled by its parent. Not through
  // the org-wide default or View All: those give no share rows in Salesforce.
  if (accounts_ != nullptr && needed("Account")) {
    for (const AccountChild& child : children) {
      const Table* t = db.find(child.object);
      const TableView* v = t ? view(*t) : nullptr;
      if (v == nullptr || v->controlled_by_parent || !v->access.read || !v->parent) continue;
      reads_account_children_ = true;
      const auto deleted = t->field_index("IsDeleted");
      for (std::size_t r = 0; r < t->slot_count(); ++r) {
        if (t->purged(r)) continue;
        const Row& row = t->row(r);
        if (deleted && std::holds_alternative<bool>(row[*deleted]) && std::get<bool>(row[*deleted])) continue;
        const auto* account = text_at(row, v->parent);
        if (account == nullptr || implicit_accounts_.count(sf_id15(*account))) continue;
        if (owner_visible(*v, row) || record_level(*v, row) != RecordAccess::kNone ||
            account_share_level(*v, *account) != RecordAccess::kNone) {
          implicit_accounts_.insert(sf_id15(*account));
        }
      }
    }
    views_[accounts_].implicit_parent = !implicit_accounts_.empty();
  }
}

bool UserAccess::has(std::string_view permission) const { return permissions_.count(std::string(permission)) > 0; }

const UserAccess::TableView* UserAccess::view(const Table& table) const {
  auto it = views_.find(&table);
  return it == views_.end() ? nullptr : &it->second;
}

const Table* UserAccess::table_of(std::string_view id) const {
  if (id.size() < 3) return nullptr;
  auto it = by_prefix_.find(prefix_key(id));
  return it == by_prefix_.end() ? nullptr : it->second.first;
}

ObjectAccess UserAccess::object(const Table& table) const {
  if (const TableView* v = view(table)) return v->access;
  return compute_object(table);
}

ObjectAccess UserAccess::compute_object(const Table& table) const {
  const bool view_all_data = has("ViewAllData") || has("ModifyAllData");
  const bool modify_all_data = has("ModifyAllData");
  auto own = [&](const std::string& name) {
    auto it = objects_.find(name);
    return it == objects_.end() ? ObjectAccess{} : it->second;
  };
  auto child_of = [&](const std::string& parent) {
    ObjectAccess p = own(parent), a;
    a.read = p.read;
    a.create = a.edit = a.del = p.read && p.edit;
    a.view_all = p.view_all;
    a.modify_all = p.modify_all;
    return a;
  };
  ObjectAccess a;
  switch (governance(table.name())) {
    case Governance::kOwn: a = own(table.name()); break;
    case Governance::kOpportunityChild: a = child_of("Opportunity"); break;
    case Governance::kShare: {
      // Read on the shared object; writing a share is decided per record (full access to it).
      const ObjectAccess p = own(shared_object(table.name()));
      a.read = a.create = a.edit = a.del = p.read;
      a.view_all = p.view_all;
      a.modify_all = p.modify_all;
      break;
    }
    case Governance::kCampaignChild: a = child_of("Campaign"); break;
    case Governance::kActivity: {
      a.read = has("ActivitiesAccess");
      const bool edit = a.read && has(table.name() == "Task" ? "EditTask" : "EditEvent");
      a.create = a.edit = a.del = edit;
      break;
    }
    case Governance::kPublic:
    case Governance::kSetup: {
      const bool public_object = governance(table.name()) == Governance::kPublic;
      a.read = public_object || has("ViewSetup") || view_all_data;
      const bool manage_users =
          has("ManageUsers") && (table.name() == "User" || table.name() == "PermissionSetAssignment" ||
                                 table.name() == "PermissionSetLicenseAssign");
      a.create = a.edit = a.del = a.read && (modify_all_data || manage_users);
      a.view_all = a.read;
      a.modify_all = a.edit;
      break;
    }
  }
  if (view_all_data) a.read = a.view_all = true;
  if (modify_all_data) a.create = a.edit = a.del = a.modify_all = true;
  return a;
}

FieldAccess UserAccess::field(const Table& table, const FieldDef& f) const {
  if (!f.field_security || !is_permissionable(f) || !fls_objects_.count(to_lower(table.name()))) return {true, true};
  auto it = fields_.find(to_lower(table.name() + "." + f.name));
  return it == fields_.end() ? FieldAccess{} : it->second;
}

bool UserAccess::sees_all(const Table& table) const {
  const TableView* v = view(table);
  return v != nullptr && v->all_visible;
}

std::optional<std::size_t> UserAccess::master_field(const Table& table) const {
  const TableView* v = view(table);
  if (v == nullptr || !v->controlled_by_parent || table.name() == "Contact") return std::nullopt;
  return v->parent;
}

std::string UserAccess::sharing_default(const std::string& object) const {
  auto it = org_defaults_.find(object);
  return it == org_defaults_.end() ? "None" : it->second;
}

bool UserAccess::owner_visible(const TableView& v, const Row& row) const {
  const auto* owner = text_at(row, v.owner);
  return owner != nullptr && visible_owners_.count(sf_id15(*owner)) > 0;
}

RecordAccess UserAccess::default_access(const std::string& object) const { return sharing_level(sharing_default(object)); }

RecordAccess UserAccess::record_level(const TableView& v, const Row& row) const {
  RecordAccess level = RecordAccess::kNone;
  if (v.owner_shares != nullptr) {
    if (const auto* owner = text_at(row, v.owner)) {
      auto it = v.owner_shares->find(sf_id15(*owner));
      if (it != v.owner_shares->end()) level = it->second;
    }
  }
  if (v.record_shares) {
    auto it = record_shares_.find(sf_id15(std::get<std::string>(row[0])));
    if (it != record_shares_.end()) level = std::max(level, it->second);
  }
  return level;
}

RecordAccess UserAccess::shared_level(const TableView& v, const Row& row, bool any) const {
  RecordAccess level = record_level(v, row);
  if (any && level != RecordAccess::kNone) return level;  // visible: the account need not be looked at
  if (v.child_by_account != nullptr || v.child_by_account_owner != nullptr) {
    if (const auto* account = text_at(row, v.parent)) level = std::max(level, account_child_level(v, *account));
  }
  return level;
}

RecordAccess UserAccess::account_share_level(const TableView& v, const std::string& account) const {
  if (v.child_by_account == nullptr) return RecordAccess::kNone;
  auto it = v.child_by_account->find(sf_id15(account));
  return it == v.child_by_account->end() ? RecordAccess::kNone : it->second;
}

RecordAccess UserAccess::account_child_level(const TableView& v, const std::string& account) const {
  RecordAccess level = account_share_level(v, account);
  if (v.child_by_account_owner != nullptr && account_owner_) {
    auto r = accounts_->find(account);
    const auto* owner = r ? std::get_if<std::string>(&accounts_->row(*r)[*account_owner_]) : nullptr;
    auto it = owner ? v.child_by_account_owner->find(sf_id15(*owner)) : v.child_by_account_owner->end();
    if (it != v.child_by_account_owner->end()) level = std::max(level, it->second);
  }
  return level;
}

bool UserAccess::parent_visible(const Database& db, const std::string& id, bool implicit) const {
  if (id.size() < 3) return false;
  auto it = by_prefix_.find(prefix_key(id));
  if (it == by_prefix_.end()) return false;
  const auto [parent, v] = it->second;
  if (!v->access.read) return false;
  if (v->all_visible) return true;
  auto row = parent->find(id);
  return row && sees_row(db, *parent, *row, implicit);
}

bool UserAccess::sees(const Database& db, const Table& table, std::size_t r) const {
  return sees_row(db, table, r, /*implicit=*/true);
}

bool UserAccess::sees_row(const Database& db, const Table& table, std::size_t r, bool implicit) const {
  const TableView* v = view(table);
  if (v == nullptr || !v->access.read) return false;
  if (v->all_visible) return true;
  const Row& row = table.row(r);
  switch (static_cast<Governance>(v->governance)) {
    case Governance::kOwn: {
      if (v->shared) return true;
      if (v->controlled_by_parent) {
        // Implicit parent access to an account reaches the account only, not its contacts.
        if (const auto* account = text_at(row, v->parent)) return parent_visible(db, *account, /*implicit=*/false);
      }
      if (owner_visible(*v, row) || shared_level(*v, row, /*any=*/true) != RecordAccess::kNone) return true;
      return implicit && v->implicit_parent && implicit_accounts_.count(sf_id15(std::get<std::string>(row[0]))) > 0;
    }
    case Governance::kOpportunityChild:
    case Governance::kCampaignChild:
    case Governance::kShare: {
      const auto* parent = text_at(row, v->parent);
      return parent != nullptr && parent_visible(db, *parent);
    }
    case Governance::kActivity: {
      // Cheapest first: a related record whose object the user sees entirely (no row lookup),
      // then the owner, then the related records row by row.
      const std::string* links[] = {text_at(row, v->what), text_at(row, v->who)};
      for (const std::string* id : links) {
        if (id == nullptr || id->size() < 3) continue;
        auto it = by_prefix_.find(prefix_key(*id));
        if (it != by_prefix_.end() && it->second.second->access.read && it->second.second->all_visible) return true;
      }
      if (owner_visible(*v, row)) return true;
      for (const std::string* id : links) {
        if (id != nullptr && parent_visible(db, *id)) return true;
      }
      return false;
    }
    case Governance::kPublic:
    case Governance::kSetup: return true;
  }
  return false;
}

RecordAccess UserAccess::record_access(const Database& db, const Table& table, std::size_t r) const {
  if (table.purged(r) || !sees(db, table, r)) return RecordAccess::kNone;
  const ObjectAccess a = object(table);
  if (a.modify_all) return RecordAccess::kAll;
  const Row& row = table.row(r);
  RecordAccess level = RecordAccess::kRead;
  const TableView& v = *view(table);
  auto parent_level = [&](const std::string* id) {
    const Table* parent = id ? table_of(*id) : nullptr;
    if (parent == nullptr) return RecordAccess::kNone;
    auto pr = parent->find(*id);
    return pr ? record_access(db, *parent, *pr) : RecordAccess::kNone;
  };
  switch (governance(table.name())) {
    case Governance::kOwn:
      if (owner_visible(v, row)) {
        level = RecordAccess::kAll;  // the owner, and users above the owner in the role hierarchy
      } else {
        const std::string owd = sharing_default(table.name());
        level = std::max({RecordAccess::kRead, sharing_level(owd), shared_level(v, row)});
        if (owd == "ControlledByParent" && table.name() == "Contact") {
          level = std::max(RecordAccess::kRead, std::min(parent_level(text_at(row, v.parent)), RecordAccess::kEdit));
        } else if (owd == "ControlledByParent") {  // a detail: Edit on its master edits and deletes it
          level = parent_level(text_at(row, v.parent)) >= RecordAccess::kEdit ? RecordAccess::kDelete : RecordAccess::kRead;
        }
      }
      break;
    case Governance::kOpportunityChild:
      level = std::min(parent_level(text(table, row, "OpportunityId")), RecordAccess::kDelete);
      break;
    case Governance::kCampaignChild:
      level = std::min(parent_level(text(table, row, "CampaignId")), RecordAccess::kDelete);
      break;
    case Governance::kShare:  // only a user with full access to the shared record changes its shares
      level = parent_level(text_at(row, v.parent)) == RecordAccess::kAll ? RecordAccess::kAll : RecordAccess::kRead;
      break;
    case Governance::kActivity:
      if (owner_visible(v, row)) {
        level = RecordAccess::kAll;
      } else {
        RecordAccess via = std::max(parent_level(text(table, row, "WhatId")), parent_level(text(table, row, "WhoId")));
        level = std::max(RecordAccess::kRead, std::min(via, RecordAccess::kEdit));
      }
      break;
    case Governance::kPublic:
    case Governance::kSetup: level = a.edit ? RecordAccess::kAll : RecordAccess::kRead; break;
  }
  if (!a.edit) level = std::min(level, RecordAccess::kRead);
  if (!a.del && level >= RecordAccess::kDelete) level = RecordAccess::kEdit;
  return std::max(level, RecordAccess::kRead);
}

bool UserAccess::may_transfer(const Table& table, std::size_t r) const {
  const TableView* v = view(table);
  if (v == nullptr || static_cast<Governance>(v->governance) != Governance::kOwn) return true;
  if (v->access.modify_all || owner_visible(*v, table.row(r))) return true;
  if (sharing_level(sharing_default(table.name())) >= RecordAccess::kTransfer) return true;
  return has(table.name() == "Lead" ? "TransferAnyLead" : "TransferAnyEntity");
}

bool UserAccess::record_type_available(const std::string& object, const std::string& record_type_id) const {
  auto it = record_types_.find(object);
  if (it == record_types_.end()) return false;
  for (const auto& id : it->second) {
    if (sf_id15(id) == sf_id15(record_type_id)) return true;
  }
  return false;
}

std::string UserAccess::default_record_type(const std::string& object) const {
  auto it = record_types_.find(object);
  return it == record_types_.end() || it->second.empty() ? std::string() : it->second.front();
}

// ---- AccessModel ----------------------------------------------------------------------------

std::shared_ptr<const UserAccess> AccessModel::for_user(const Database& db, const std::string& user_id) {
  std::lock_guard lock(mu_);
  auto it = by_user_.find(user_id);
  if (it != by_user_.end()) return it->second;
  auto access = std::make_shared<const UserAccess>(db, user_id, record_types_, sharing_rules_);
  by_user_[user_id] = access;
  children_read_ = children_read_ || access->reads_account_children();
  account_owners_read_ = account_owners_read_ || access->reads_account_owners();
  return access;
}

void AccessModel::invalidate() {
  std::lock_guard lock(mu_);
  by_user_.clear();
  children_read_ = account_owners_read_ = false;
}

bool AccessModel::is_setup_object(const Table& table) {
  const Governance g = governance(table.name());
  return g == Governance::kSetup || g == Governance::kPublic;
}

bool AccessModel::affects_access(const Table& table) const {
  if (is_setup_object(table) || is_sharing_object(table.name())) return true;
  std::lock_guard lock(mu_);
  // A cached user's implicit parent access was read from the accounts' children.
  if (children_read_ && is_account_child(table.name())) return true;
  if (account_owners_read_ && table.name() == "Account") return true;  // who owns an account
  return criteria_objects_.count(table.name()) > 0;
}

void AccessModel::set_sharing_rules(std::vector<SharingRule> rules) {
  std::lock_guard lock(mu_);
  criteria_objects_.clear();
  for (const auto& r : rules) {
    if (!r.criteria.empty()) criteria_objects_.insert(r.object);
  }
  sharing_rules_ = std::move(rules);
  by_user_.clear();
}

void AccessModel::set_record_types(ProfileRecordTypes grants) {
  std::lock_guard lock(mu_);
  record_types_.clear();
  for (auto& [profile, objects] : grants) record_types_[sf_id15(profile)] = std::move(objects);
  by_user_.clear();
}

ProfileRecordTypes AccessModel::record_types() const {
  std::lock_guard lock(mu_);
  return record_types_;
}

soql::ExecOptions query_options(std::shared_ptr<const UserAccess> access, const Database& db, bool include_deleted) {
  soql::ExecOptions o;
  o.include_deleted = include_deleted;
  o.table_visible = [access](const Table& t) { return access->object(t).read; };
  o.field_visible = [access](const Table& t, const FieldDef& f) { return access->field(t, f).read; };
  struct Seen {
    const Table* table = nullptr;
    bool all = false;
  };
  auto seen = std::make_shared<Seen>();
  o.row_visible = [access, &db, seen](const Table& t, std::size_t row) {
    if (seen->table != &t) {
      seen->table = &t;
      seen->all = access->sees_all(t);
    }
    return seen->all || access->sees(db, t, row);
  };
  return o;
}

Status check_object_permission_dependencies(const ObjectAccess& a) {
  auto depends = [](const char* perm, const char* on) {
    return record_error(400, "FIELD_INTEGRITY_EXCEPTION",
                        std::string("Permission ") + perm + " depends on permission(s): " + on);
  };
  if (a.modify_all && !(a.read && a.edit && a.del && a.view_all)) {
    return depends("Modify All", "Read, Edit, Delete, View All");
  }
  if (a.view_all && !a.read) return depends("View All", "Read");
  if (a.del && !(a.read && a.edit)) return depends("Delete", "Read, Edit");
  if (a.edit && !a.read) return depends("Edit", "Read");
  if (a.create && !a.read) return depends("Create", "Read");
  return ok_status();
}

Status check_field_permission_dependencies(const FieldAccess& a) {
  if (a.edit && !a.read) {
    return record_error(400, "FIELD_INTEGRITY_EXCEPTION", "Permission Edit depends on permission(s): Read");
  }
  return ok_status();
}

}  // namespace crmsync::emulator
