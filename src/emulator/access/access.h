// The emulated org's permission model: what one user may see and do, computed the way Salesforce
// computes it from the setup sObjects (PermissionSet rows, the profile-owned set included,
// PermissionSetAssignment, ObjectPermissions, FieldPermissions, UserRole.ParentRoleId, User,
// Organization's Default<Object>Access) and the profiles' record type visibility (profile metadata,
// not an sObject, so it lives here). Internal to the emulator; every route asks it.
//
//   auto access = s.access.for_user(*s.db, call.user_id);   // caller holds db->mutex() (shared)
//   if (!access->object(table).read) return send_not_found(res);
//   auto options = query_options(*access, *s.db, include_deleted);   // soql::ExecOptions with hooks
//
// Effective access is cached per user and dropped whenever a setup object is written
// (AccessModel::invalidate), so an admin's change takes effect on the next call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/result.h"
#include "emulator/sf_error.h"
#include "emulator/soql/soql.h"
#include "emulator/table.h"

namespace crmsync::emulator {

struct ObjectAccess {
  bool read = false, create = false, edit = false, del = false, view_all = false, modify_all = false;
};

struct FieldAccess {
  bool read = false, edit = false;
};

// Salesforce's MaxAccessLevel order (UserRecordAccess): None < Read < Edit < Delete < Transfer < All.
enum class RecordAccess { kNone, kRead, kEdit, kDelete, kTransfer, kAll };
const char* record_access_name(RecordAccess a);

// The record types one profile may use on one object; no entry means every active record type.
struct RecordTypeGrant {
  std::set<std::string> ids;  // 18-character RecordType Ids
  std::string default_id;     // empty: the first available
};
using ProfileRecordTypes = std::map<std::string, std::map<std::string, RecordTypeGrant>>;  // profile -> object

// A sharing rule (the org file's [[sharing_rules]]): the records of `object` owned by a member of
// the group `owned_by` (owner-based) or meeting `criteria` (criteria-based, a SOQL condition over
// the object's fields) are shared with the members of the group `shared_with` and the users
// above them in the role hierarchy, at `access` (Read or Edit). Groups are Group rows: a public
// group, or a role's Role / RoleAndSubordinates group.
struct SharingRule {
  std::string object;  // as the table spells it
  std::string name;
  std::string owned_by;     // a Group Id; empty for a criteria-based rule
  std::string criteria;     // empty for an owner-based rule
  std::string shared_with;  // a Group Id
  RecordAccess access = RecordAccess::kRead;
  // Account rules only: the access the rule gives to the accounts' children (Opportunity,
  // Contact, Case), as Salesforce's AccountSharingRuleSettings do; none when absent.
  std::map<std::string, RecordAccess> child_access;
};

// One user's effective access: an immutable snapshot (the union over the profile-owned permission
// set and the assigned permission sets), valid until the next setup write.
class UserAccess {
 public:
  UserAccess(const Database& db, const std::string& user_id, const ProfileRecordTypes& record_types,
             const std::vector<SharingRule>& sharing_rules = {});

  const std::string& user_id() const { return user_id_; }
  bool exists() const { return exists_; }
  bool active() const { return active_; }
  bool has(std::string_view permission) const;  // "ApiEnabled", "ViewAllData", ...

  ObjectAccess object(const Table& table) const;
  FieldAccess field(const Table& table, const FieldDef& field) const;
  // Whether the user sees the row (sharing: owner, role hierarchy, org-wide default, sharing
  // rules, teams, manual shares, View All Records, View All Data, the parent record for child,
  // share and activity objects).
  bool sees(const Database& db, const Table& table, std::size_t row) const;
  RecordAccess record_access(const Database& db, const Table& table, std::size_t row) const;
  // Whether the user may change the record's owner, given edit access to it (transfer access):
  // the owner or a user above the owner in the role hierarchy, Modify All on the object (or
  // Modify All Data), a Read/Write/Transfer org-wide default, or the user permission Transfer
  // Record (TransferAnyEntity; Transfer Leads, TransferAnyLead, for a Lead). Objects without
  // an owner of their own (activities, child and setup objects) need edit access only.
  bool may_transfer(const Table& table, std::size_t row) const;

  // Record types: whether the user's profile may use the record type on `object`; the default one.
  bool record_type_available(const std::string& object, const std::string& record_type_id) const;
  std::string default_record_type(const std::string& object) const;  // empty: Master
  // The access the org-wide default of `object` gives every user (kNone for Private).
  RecordAccess default_access(const std::string& object) const;
  // The org-wide default as stored: None, Read, Edit, ReadEditTransfer, All, ControlledByParent.
  std::string sharing_default_of(const std::string& object) const { return sharing_default(object); }
  // Whether every row of the table is visible (View All, View All Data, public objects).
  bool sees_all(const Table& table) const;
  // The column naming the record that controls access to a row of `table` under the org-wide
  // default Controlled by Parent (a custom detail object's master-detail field); nullopt for
  // other tables, Contact included (its account's access decides, but writing a contact needs
  // no more than reading the account).
  std::optional<std::size_t> master_field(const Table& table) const;
  // Whether this snapshot read the Opportunity, Contact and Case rows (implicit parent access to
  // accounts): writing one of them must then drop it (AccessModel::affects_access).
  bool reads_account_children() const { return reads_account_children_; }
  // Whether it left out users owning no account from implicit child access (and account rules'
  // child levels by owner): an Account write must then drop it.
  bool reads_account_owners() const { return reads_account_owners_; }

 private:
  // Per table, resolved once: how it is governed, the user's access, whether every row is
  // visible, and the columns sharing reads (so a row check does no name lookups).
  struct TableView {
    int governance = 0;
    ObjectAccess access;
    bool all_visible = false;
    bool shared = false;                // the org-wide default shares every row (Read or more)
    bool controlled_by_parent = false;  // Contact or a custom detail object under ControlledByParent
    // parent: AccountId / OpportunityId / CampaignId / ParentId / a detail object's master-detail field
    std::optional<std::size_t> owner, what, who, parent;
    // What sharing rules, teams and shares give (sharing.h); null / false when nothing.
    const std::unordered_map<std::string, RecordAccess>* owner_shares = nullptr;
    bool record_shares = false;
    // Opportunity, Contact, Case: what their account's shares and its owner give (by account, by owner).
    const std::unordered_map<std::string, RecordAccess>* child_by_account = nullptr;
    const std::unordered_map<std::string, RecordAccess>* child_by_account_owner = nullptr;
    bool implicit_parent = false;  // Account: implicit_accounts_ holds some of its rows
  };
  bool owner_visible(const TableView& v, const Row& row) const;
  // kNone: not shared. `any`: whether any level will do (visibility), so the cheapest reason wins.
  RecordAccess shared_level(const TableView& v, const Row& row, bool any = false) const;
  // The part of shared_level() about the record itself: owner-based rules, criteria rules, teams
  // and shares of the record (not what its account gives).
  RecordAccess record_level(const TableView& v, const Row& row) const;
  RecordAccess account_child_level(const TableView& v, const std::string& account) const;
  // The part of account_child_level() given by the account's shares, teams and criteria rules,
  // without looking up the account's owner. The implicit parent pass needs no more: what an
  // account owner's role or an owner-based rule gives on the children comes with access to the
  // account itself, so it adds no account to the set.
  RecordAccess account_share_level(const TableView& v, const std::string& account) const;
  // `implicit`: whether implicit parent access counts (not for a child controlled by its parent).
  bool parent_visible(const Database& db, const std::string& id, bool implicit = true) const;
  bool sees_row(const Database& db, const Table& table, std::size_t row, bool implicit) const;
  std::string sharing_default(const std::string& object) const;  // None, Read, Edit, ControlledByParent, ...

  std::string user_id_;
  bool exists_ = false;
  bool active_ = false;
  std::string profile_id_;
  std::set<std::string> permissions_;
  std::map<std::string, ObjectAccess> objects_;             // from ObjectPermissions, by object name
  std::unordered_map<std::string, FieldAccess> fields_;     // by "Object.Field" (lower case)
  std::unordered_set<std::string> fls_objects_;             // objects with any FieldPermissions row
  std::unordered_set<std::string> visible_owners_;          // self and users in roles below (15-char Ids)
  std::map<std::string, std::string> org_defaults_;         // object -> Default<Object>Access value
  std::map<std::string, std::vector<std::string>> record_types_;  // object -> available ids, default first
  std::unordered_map<std::string, std::unordered_map<std::string, RecordAccess>> owner_shares_;  // object -> owner -> level
  std::unordered_map<std::string, RecordAccess> record_shares_;  // record (15-char Id) -> level
  // Child object -> account (15-char Id) / account owner -> level (sharing.h; implicit child).
  std::unordered_map<std::string, std::unordered_map<std::string, RecordAccess>> child_by_account_;
  std::unordered_map<std::string, std::unordered_map<std::string, RecordAccess>> child_by_account_owner_;
  std::unordered_set<std::string> implicit_accounts_;  // implicit parent: Read through a child
  bool reads_account_children_ = false;
  bool reads_account_owners_ = false;
  const Table* accounts_ = nullptr;
  std::optional<std::size_t> account_owner_;
  const TableView* view(const Table& table) const;
  const Table* table_of(std::string_view id) const;  // by key prefix
  ObjectAccess compute_object(const Table& table) const;
  std::unordered_map<const Table*, TableView> views_;
  std::unordered_map<std::uint32_t, std::pair<const Table*, const TableView*>> by_prefix_;
};

// The per-user cache. Thread-safe.
class AccessModel {
 public:
  // The caller holds db.mutex() (shared or exclusive).
  std::shared_ptr<const UserAccess> for_user(const Database& db, const std::string& user_id);
  void invalidate();
  // Whether `table` is a setup object (User, RecordType, the permission objects).
  static bool is_setup_object(const Table& table);
  // Whether writing `table` changes someone's access: setup objects, groups, teams, shares and
  // the objects criteria-based sharing rules read (their effect is computed per user).
  bool affects_access(const Table& table) const;

  void set_record_types(ProfileRecordTypes grants);
  ProfileRecordTypes record_types() const;
  void set_sharing_rules(std::vector<SharingRule> rules);

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const UserAccess>> by_user_;
  ProfileRecordTypes record_types_;
  std::vector<SharingRule> sharing_rules_;
  std::set<std::string> criteria_objects_;  // objects with a criteria-based rule
  bool children_read_ = false;              // a cached snapshot reads_account_children()
  bool account_owners_read_ = false;        // a cached snapshot reads_account_owners()
};

// The SOQL hooks for one user: invisible objects are unknown (INVALID_TYPE), FLS-hidden fields are
// unknown (INVALID_FIELD), invisible rows are skipped (COUNT() included). Bulk queries use it too.
// The returned hooks keep `access` alive and read `db` under the caller's lock; build one
// ExecOptions per query (row_visible remembers the table it last saw, so do not share it
// between threads).
soql::ExecOptions query_options(std::shared_ptr<const UserAccess> access, const Database& db, bool include_deleted);

enum class WriteOp { kCreate, kUpdate, kDelete };

// The per-record write check every DML route runs after parsing the body and before changing
// anything: object permission (Create/Edit/Delete, Edit Tasks/Edit Events) and record access
// (INSUFFICIENT_ACCESS_OR_READONLY; an OwnerId change also needs UserAccess::may_transfer),
// references to records the user cannot see
// (INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY), a record type the user's profile may not use
// (INVALID_CROSS_REFERENCE_KEY). `row` is the stored record (update, delete); `values` are the
// converted body fields (field index, value). Field-level security of the body's fields is checked
// where the body is converted: field_writable(). Errors are record errors (sf_error.h), as
// Salesforce reports them in the REST error body and per record in sObject Collections.
Status check_record_write(const UserAccess& access, const Database& db, const Table& table, WriteOp op,
                          std::optional<std::size_t> row, const std::vector<std::pair<std::size_t, Value>>& values);

// Field-level security for one body field: whether FLS lets the user write it (the caller lists
// every unwritable one together in INVALID_FIELD_FOR_INSERT_UPDATE). Errors: a field hidden from
// the user, INVALID_FIELD "No such column" as for a field that does not exist (a request error).
Result<bool> field_writable(const UserAccess& access, const Table& table, const FieldDef& field,
                            const std::string& key);

// Salesforce's dependency rules for ObjectPermissions (Create/Edit need Read; Delete needs Read and
// Edit; View All needs Read; Modify All needs Read, Edit, Delete and View All) and FieldPermissions
// (Edit needs Read). Errors: the first broken rule, FIELD_INTEGRITY_EXCEPTION naming the permission
// and what it depends on.
Status check_object_permission_dependencies(const ObjectAccess& a);
Status check_field_permission_dependencies(const FieldAccess& a);
// The rules above for a written ObjectPermissions / FieldPermissions row (other tables pass).
Status check_permission_row(const Table& table, const Row& row);

}  // namespace crmsync::emulator
