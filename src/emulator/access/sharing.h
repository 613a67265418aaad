// Sharing beyond ownership and the role hierarchy, for one user: what sharing rules (owner- and
// criteria-based), opportunity and account teams and manual shares (AccountShare,
// OpportunityShare, Name__Share) give the user, computed once when the user's access is built
// (UserAccess) so that a row check is two hash lookups. Internal to access/.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "emulator/access/access.h"

namespace crmsync::emulator {

struct SharingGrants {
  // Owner-based rules: object -> owner (15-character Id) -> the access the user gets to the
  // records that owner owns.
  std::unordered_map<std::string, std::unordered_map<std::string, RecordAccess>> by_owner;
  // Criteria rules, teams and manual shares: record (15-character Id) -> access.
  std::unordered_map<std::string, RecordAccess> records;
  // What an account gives on its children (AccountShare and AccountTeamMember rows' and Account
  // sharing rules' OpportunityAccessLevel / ContactAccessLevel / CaseAccessLevel): child object ->
  // account (15-character Id) -> access; and, for owner-based Account rules, child object ->
  // account owner -> access.
  std::unordered_map<std::string, std::unordered_map<std::string, RecordAccess>> child_by_account;
  std::unordered_map<std::string, std::unordered_map<std::string, RecordAccess>> child_by_account_owner;
};

// The children an account's sharing reaches: Opportunity, Contact, Case. `level` names each one's
// level on AccountShare / AccountTeamMember (OpportunityAccessLevel, ...), `owner_level` the one an
// account owner's role gives on the account's children (UserRole.OpportunityAccessForAccountOwner, ...).
struct AccountChild {
  const char* object;
  const char* level;
  const char* owner_level;
};
const std::vector<AccountChild>& account_children();

// `principals` are the user and every user below in the role hierarchy (15-character Ids): a
// record shared with any of them, or with a group one of them belongs to, is shared with the
// user too (Salesforce's "Grant Access Using Hierarchies", always on for standard objects).
// `needed(object)` says whether sharing can change anything for the user on that object (it reads
// the object and has less than full access to every record): the rules and share tables of other
// objects are skipped, so a user with View All or Modify All pays nothing for them.
SharingGrants compute_sharing(const Database& db, const std::unordered_set<std::string>& principals,
                              const std::vector<SharingRule>& rules,
                              const std::function<bool(const std::string& object)>& needed);

// Every group (15-character Ids) the user belongs to: public groups naming it (directly or
// through a nested group), its role's Role group and the RoleAndSubordinates groups of its role
// and the roles above it.
std::unordered_set<std::string> groups_of_user(const Database& db, const std::string& user_id);

// The access named by a share's or team member's access level (Read, Edit, All; None: kNone).
RecordAccess share_level(const std::string& value);

// The objects whose rows grant access (GroupMember, Group, the team and share objects).
bool is_sharing_object(std::string_view name);

// The record a share or team row is about: the parent field's name (OpportunityId, AccountId,
// ParentId) and the field holding the access level; empty when `name` is neither.
struct ShareColumns {
  std::string parent, level, principal;
};
ShareColumns share_columns(std::string_view name);
// The object a share or account team row is about (AccountShare -> Account, Name__Share -> Name__c).
std::string shared_object(std::string_view name);

}  // namespace crmsync::emulator
