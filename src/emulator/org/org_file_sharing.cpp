// The org file's sharing sections, applied after users and roles exist: [[groups]] (public
// groups and their members), [[sharing_rules]] (owner- and criteria-based) and [[shares]] (manual
// shares and team members). Groups and shares become rows (Group, GroupMember, OpportunityShare,
// AccountShare, Name__Share, OpportunityTeamMember, AccountTeamMember), as Setup and the sharing
// button write them; the rules go to the access model (OrgFileExtras::sharing_rules), since
// Salesforce's rule objects are Metadata API types, not sObjects the REST API serves.
#include <algorithm>
#include <map>

#include "common/text.h"
#include "emulator/access/sharing.h"
#include "emulator/org/generate.h"
#include "emulator/org/org.h"
#include "emulator/org/org_file_reader.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator {
namespace {

class SharingApplier : private OrgFileReader {
 public:
  SharingApplier(const OrgFile& file, Database& db, OrgFileExtras& extras) : OrgFileReader(file), db_(db), extras_(extras) {
    if (auto admin = find_row("User", "Username", "admin@crmsync.test")) admin_id_ = id_at(*db_.find("User"), *admin);
  }

  Status run() {
    CRMSYNC_TRY(each("groups", [this](const json& e, const std::string& key) { return group(e, key); }));
    CRMSYNC_TRY(each("groups", [this](const json& e, const std::string& key) { return group_members(e, key); }));
    CRMSYNC_TRY(each("sharing_rules", [this](const json& e, const std::string& key) { return rule(e, key); }));
    return each("shares", [this](const json& e, const std::string& key) { return share(e, key); });
  }

 private:
  Result<std::vector<std::string>> list_at(const json& e, const std::string& key, const char* name) const {
    std::vector<std::string> out;
    if (!e.contains(name)) return out;
    if (!e[name].is_array()) return fail(key + "." + name, "must be a list of strings");
    for (const auto& v : e[name]) {
      if (!v.is_string()) return fail(key + "." + name, "must be a list of strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  static const std::string& id_at(const Table& t, std::size_t row) { return std::get<std::string>(t.row(row)[0]); }

  std::optional<std::size_t> find_row(const std::string& table, const char* field, const std::string& value) const {
    const Table* t = db_.find(table);
    auto col = t ? t->field_index(field) : std::nullopt;
    for (std::size_t r = 0; col && r < t->slot_count(); ++r) {
      const auto* v = std::get_if<std::string>(&t->row(r)[*col]);
      if (!t->purged(r) && v && iequals(*v, value)) return r;
    }
    return std::nullopt;
  }

  void stamp(RowBuilder& b) {
    for (const char* f : {"CreatedDate", "LastModifiedDate", "SystemModstamp"}) {
      if (b.has(f)) b.set(f, DateTime{kOrgEpochStart});
    }
    for (const char* f : {"CreatedById", "LastModifiedById"}) {
      if (b.has(f)) b.set(f, admin_id_);
    }
    if (b.has("IsDeleted")) b.set("IsDeleted", false);
  }

  // The Group row standing for a role (Type Role or RoleAndSubordinates), made on first use as
  // Salesforce keeps one per role.
  std::string role_group(const std::string& role_id, const char* type) {
    const Table& groups = *db_.find("Group");
    for (std::size_t r = 0; r < groups.slot_count(); ++r) {
      const Row& row = groups.row(r);
      const auto* t = std::get_if<std::string>(&row[*groups.field_index("Type")]);
      const auto* related = std::get_if<std::string>(&row[*groups.field_index("RelatedId")]);
      if (!groups.purged(r) && t && related && *t == type && *related == role_id) return id_at(groups, r);
    }
    RowBuilder b(db_, "Group");
    const std::string id = b.start();
    b.set("Type", std::string(type));
    b.set("RelatedId", role_id);
    b.set("DoesSendEmailToMembers", false);
    b.set("DoesIncludeBosses", true);
    stamp(b);
    b.insert();
    return id;
  }

  // A principal written "User:<username>", "Group:<public group name>", "Role:<role name>" or
  // "RoleAndSubordinates:<role name>": its User or Group Id.
  Result<std::string> principal(const std::string& key, const std::string& value, bool users_too) {
    const auto colon = value.find(':');
    const std::string kind = colon == std::string::npos ? "" : value.substr(0, colon);
    const std::string name = colon == std::string::npos ? "" : value.substr(colon + 1);
    if (kind == "User" && users_too) {
      auto u = find_row("User", "Username", name);
      if (!u) return fail(key, "no user with username '" + name + "'");
      return id_at(*db_.find("User"), *u);
    }
    if (kind == "Group") {
      auto g = find_row("Group", "Name", name);
      if (!g) g = find_row("Group", "DeveloperName", name);
      if (!g) return fail(key, "no public group named '" + name + "'; define it under [[groups]]");
      return id_at(*db_.find("Group"), *g);
    }
    if (kind == "Role" || kind == "RoleAndSubordinates") {
      auto r = find_row("UserRole", "Name", name);
      if (!r) r = find_row("UserRole", "DeveloperName", name);
      if (!r) return fail(key, "no role named '" + name + "'");
      return role_group(id_at(*db_.find("UserRole"), *r), kind == "Role" ? "Role" : "RoleAndSubordinates");
    }
    return fail(key, "'" + value + "' names no one; write " + std::string(users_too ? "\"User:<username>\", " : "") +
                         "\"Group:<group name>\", \"Role:<role name>\" or \"RoleAndSubordinates:<role name>\"");
  }

  Status group(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"name", "developer_name", "members"}));
    auto name = string_at(e, key, "name", true);
    if (!name) return name.error();
    if (find_row("Group", "Name", *name)) return fail(key + ".name", "a group named '" + *name + "' is defined twice");
    std::string dev;
    for (char c : *name) dev.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    auto developer = string_at(e, key, "developer_name", false, dev);
    if (!developer) return developer.error();
    RowBuilder b(db_, "Group");
    b.start();
    b.set("Name", *name);
    b.set("DeveloperName", *developer);
    b.set("Type", std::string("Regular"));
    b.set("OwnerId", admin_id_);
    b.set("DoesSendEmailToMembers", false);
    b.set("DoesIncludeBosses", true);
    stamp(b);
    b.insert();
    return ok_status();
  }

  // Members after every group exists, so that a group may hold one defined after it.
  Status group_members(const json& e, const std::string& key) {
    auto members = list_at(e, key, "members");
    if (!members) return members.error();
    const std::string group_id = id_at(*db_.find("Group"), *find_row("Group", "Name", e["name"].get<std::string>()));
    for (std::size_t i = 0; i < members->size(); ++i) {
      auto who = principal(key + ".members[" + std::to_string(i) + "]", (*members)[i], /*users_too=*/true);
      if (!who) return who.error();
      RowBuilder b(db_, "GroupMember");
      b.start();
      b.set("GroupId", group_id);
      b.set("UserOrGroupId", *who);
      stamp(b);
      b.insert();
    }
    return ok_status();
  }

  Result<RecordAccess> access_at(const json& e, const std::string& key) const {
    auto access = string_at(e, key, "access", false, "Read");
    if (!access) return access.error();
    if (*access != "Read" && *access != "Edit") return fail(key + ".access", "'" + *access + "' must be Read or Edit");
    return share_level(*access);
  }

  // An account's children's levels (opportunity_access, contact_access, case_access: None,
  // Read or Edit), as Salesforce's account sharing rules and AccountShare rows carry them.
  Result<std::map<std::string, RecordAccess>> child_levels_at(const json& e, const std::string& key,
                                                              const Table& table) const {
    std::map<std::string, RecordAccess> out;
    for (const AccountChild& child : account_children()) {
      const std::string field = to_lower(child.object) + "_access";
      if (!e.contains(field)) continue;
      if (table.name() != "Account") return fail(key + "." + field, "is for Account only (the account's children)");
      auto level = string_at(e, key, field.c_str(), true);
      if (!level) return level.error();
      if (*level != "None" && *level != "Read" && *level != "Edit") {
        return fail(key + "." + field, "'" + *level + "' must be None, Read or Edit");
      }
      if (child.object == std::string("Contact") && *level != "None" && contacts_controlled_by_parent()) {
        return fail(key + "." + field, "contacts are Controlled by Parent in this org: their account decides, so "
                                       "leave contact_access out or set org_wide_defaults.Contact");
      }
      out[child.object] = share_level(*level);
    }
    return out;
  }

  bool contacts_controlled_by_parent() const {
    const Table& org = *db_.find("Organization");
    auto col = org.field_index("DefaultContactAccess");
    const auto* v = col && org.slot_count() > 0 ? std::get_if<std::string>(&org.row(0)[*col]) : nullptr;
    return v != nullptr && *v == "ControlledByParent";
  }

  Status rule(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"object", "name", "owned_by", "criteria", "shared_with", "access",
                                   "opportunity_access", "contact_access", "case_access"}));
    auto object = string_at(e, key, "object", true);
    auto shared_with = string_at(e, key, "shared_with", true);
    auto access = access_at(e, key);
    if (!object || !shared_with || !access) return !object ? object.error() : !shared_with ? shared_with.error() : access.error();
    const Table* table = db_.find(*object);
    if (table == nullptr || !table->field_index("OwnerId") || !share_columns(table->name()).parent.empty()) {
      return fail(key + ".object", "'" + *object + "' is not an object with owners and sharing (Account, Opportunity, "
                                   "Lead, Contact, Campaign, Case or a custom object)");
    }
    if (e.contains("owned_by") == e.contains("criteria")) {
      return fail(key, "give either owned_by (an owner-based rule) or criteria (a criteria-based rule)");
    }
    SharingRule r{.object = table->name(), .name = e.value("name", "Rule" + key), .access = *access};
    auto children = child_levels_at(e, key, *table);
    if (!children) return children.error();
    r.child_access = std::move(*children);
    auto target = principal(key + ".shared_with", *shared_with, /*users_too=*/false);
    if (!target) return target.error();
    r.shared_with = *target;
    if (e.contains("owned_by")) {
      auto owned_by = string_at(e, key, "owned_by", true);
      if (!owned_by) return owned_by.error();
      auto source = principal(key + ".owned_by", *owned_by, /*users_too=*/false);
      if (!source) return source.error();
      r.owned_by = *source;
    } else {
      auto criteria = string_at(e, key, "criteria", true);
      if (!criteria) return criteria.error();
      auto q = soql::parse("SELECT Id FROM " + r.object + " WHERE (" + *criteria + ")");
      auto checked = q ? soql::execute(*q, db_, {}) : Result<soql::QueryResult>(q.error());
      if (!checked) {
        return fail(key + ".criteria", "'" + *criteria + "' is not a SOQL condition over " + r.object + ": " +
                                           checked.error().message);
      }
      r.criteria = *criteria;
    }
    extras_.sharing_rules.push_back(std::move(r));
    return ok_status();
  }

  // The record a share names: its Id, or its Name.
  Result<std::string> record_at(const Table& table, const std::string& key, const std::string& record) const {
    if (auto r = table.find(record)) return id_at(table, *r);
    if (auto r = find_row(table.name(), "Name", record)) return id_at(table, *r);
    return fail(key, "no " + table.name() + " with the Id or Name '" + record + "'");
  }

  Status share(const json& e, const std::string& key) {
    CRMSYNC_TRY(only_keys(e, key, {"object", "record", "shared_with", "access", "team_role", "opportunity_access",
                                   "contact_access", "case_access"}));
    auto object = string_at(e, key, "object", true);
    auto record = string_at(e, key, "record", true);
    auto shared_with = string_at(e, key, "shared_with", true);
    auto access = access_at(e, key);
    if (!object || !record || !shared_with || !access) {
      return !object ? object.error() : !record ? record.error() : !shared_with ? shared_with.error() : access.error();
    }
    const Table* table = db_.find(*object);
    const bool team = e.contains("team_role");
    const std::string share_table = !table                          ? ""
                                    : team                          ? table->name() + "TeamMember"
                                    : table->name().ends_with("__c") ? table->name().substr(0, table->name().size() - 3) + "__Share"
                                                                     : table->name() + "Share";
    if (table == nullptr || db_.find(share_table) == nullptr) {
      return fail(key + ".object", "'" + *object + (team ? "' has no team; teams are for Account and Opportunity"
                                                          : "' has no share object; shares are for Account, Opportunity "
                                                            "and Private or Public Read Only custom objects"));
    }
    auto children = child_levels_at(e, key, *table);
    if (!children) return children.error();
    auto id = record_at(*table, key + ".record", *record);
    auto who = principal(key + ".shared_with", *shared_with, /*users_too=*/true);
    if (!id || !who) return !id ? id.error() : who.error();
    if (team && !who->starts_with("005")) return fail(key + ".shared_with", "a team member is a user: \"User:<username>\"");
    const ShareColumns c = share_columns(share_table);
    RowBuilder b(db_, db_.find(share_table)->name().c_str());
    b.start();
    b.set(c.parent.c_str(), *id);
    b.set(c.principal.c_str(), *who);
    b.set(c.level.c_str(), std::string(record_access_name(*access)));
    if (team) {
      auto role = string_at(e, key, "team_role", true);
      if (!role) return role.error();
      b.set("TeamMemberRole", *role);
    }
    if (b.has("RowCause")) b.set("RowCause", std::string("Manual"));
    for (const AccountChild& child : account_children()) {
      if (c.level == child.level || !b.has(child.level)) continue;
      auto given = children->find(child.object);
      b.set(child.level, std::string(given == children->end() ? "None" : record_access_name(given->second)));
    }
    stamp(b);
    b.insert();
    return ok_status();
  }

  Database& db_;
  OrgFileExtras& extras_;
  std::string admin_id_;
};

}  // namespace

Status apply_sharing(const OrgFile& file, Database& db, OrgFileExtras& extras) {
  return SharingApplier(file, db, extras).run();
}

}  // namespace crmsync::emulator
