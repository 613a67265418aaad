// Schema of the sharing objects: public groups (Group, GroupMember), account teams
// (AccountTeamMember; OpportunityTeamMember lives with the deals) and the manual-share objects
// (AccountShare, OpportunityShare; a custom object's <Name>__Share is made by share_object_spec).
// Fields as the SOAP API Developer Guide's object reference lists them.
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

ObjectSpec group() {
  ObjectSpec o{.name = "Group", .label = "Group", .label_plural = "Groups", .key_prefix = "00G"};
  o.searchable = o.mru_enabled = o.layoutable = o.undeletable = o.triggerable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("Name", "Name", 40).name_field());
  f.push_back(f_string("DeveloperName", "Developer Name", 80).defaulted());
  f.push_back(f_ref("RelatedId", "Related ID", {"User", "UserRole"}, "Related").read_only());
  f.push_back(f_picklist("Type", "Type", {"Regular", "Role", "RoleAndSubordinates", "Manager", "Queue"}).required()
                  .defaulted());
  f.push_back(f_email("Email", "Email"));
  f.push_back(f_ref("OwnerId", "Owner ID", {"User", "Organization"}, "Owner").read_only());
  f.push_back(f_bool("DoesSendEmailToMembers", "Send Email to Members"));
  f.push_back(f_bool("DoesIncludeBosses", "Include Bosses"));
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec group_member() {
  ObjectSpec o{.name = "GroupMember", .label = "Group Member", .label_plural = "Group Members", .key_prefix = "011"};
  o.updateable = o.searchable = o.mru_enabled = o.layoutable = o.undeletable = o.triggerable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("GroupId", "Group ID", {"Group"}, "Group").required().create_only());
  f.push_back(f_ref("UserOrGroupId", "User/Group ID", {"Group", "User"}, "").required().create_only());
  f.push_back(f_datetime("SystemModstamp", "System Modstamp").system());
  o.child_relationships = {{"GroupId", "GroupMembers"}, {"UserOrGroupId", ""}};
  return o;
}

ObjectSpec account_team_member() {
  ObjectSpec o{.name = "AccountTeamMember", .label = "Account Team Member", .label_plural = "Account Team Members",
               .key_prefix = "01M"};
  o.searchable = o.mru_enabled = false;
  // Restricted picklists (the object reference): All is for the account only, None for its children.
  const std::vector<std::string> account_levels = {"Read", "Edit", "All"}, levels = {"None", "Read", "Edit"};
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("AccountId", "Account ID", {"Account"}, "Account").required().create_only());
  f.push_back(f_ref("UserId", "User ID", {"User"}, "User").required().create_only());
  f.push_back(f_string("Title", "Title", 80).read_only());
  f.push_back(f_url("PhotoUrl", "Photo").read_only());
  f.push_back(f_picklist("TeamMemberRole", "Team Role",
                         {"Account Manager", "Channel Manager", "Executive Sponsor", "Lead Qualifier",
                          "Pre-Sales Consultant", "Sales Manager", "Sales Rep", "Other"}));
  f.push_back(f_picklist("AccountAccessLevel", "Account Access", account_levels).defaulted());
  f.push_back(f_picklist("OpportunityAccessLevel", "Opportunity Access", levels).defaulted());
  f.push_back(f_picklist("CaseAccessLevel", "Case Access", levels).defaulted());
  f.push_back(f_picklist("ContactAccessLevel", "Contact Access", levels).defaulted());
  add_audit(f);
  o.child_relationships = {{"AccountId", "AccountTeamMembers"}, {"UserId", ""}};
  return o;
}

// Share objects carry no CreatedDate or SystemModstamp: LastModifiedDate and LastModifiedById only.
void add_share_audit(std::vector<FieldDef>& f) {
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_datetime("LastModifiedDate", "Last Modified Date").system());
  f.push_back(f_ref("LastModifiedById", "Last Modified By ID", {"User"}, "LastModifiedBy").system());
}

const std::vector<std::string>& row_causes() {
  static const std::vector<std::string> causes = {"Owner", "Manual", "Rule", "ImplicitChild", "ImplicitParent",
                                                  "Team", "Territory", "TerritoryManual", "TerritoryRule"};
  return causes;
}

ObjectSpec share_spec(std::string name, std::string label, std::string prefix) {
  ObjectSpec o{.name = std::move(name), .label = label, .label_plural = label + "s", .key_prefix = std::move(prefix)};
  o.searchable = o.mru_enabled = o.layoutable = o.undeletable = o.triggerable = o.replicateable = false;
  return o;
}

ObjectSpec account_share() {
  ObjectSpec o = share_spec("AccountShare", "Account Share", "00r");
  const std::vector<std::string> levels = {"None", "Read", "Edit", "All"};
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("AccountId", "Account ID", {"Account"}, "Account").required().create_only());
  f.push_back(f_ref("UserOrGroupId", "User/Group ID", {"Group", "User"}, "UserOrGroup").required().create_only());
  f.push_back(f_picklist("AccountAccessLevel", "Account Access", levels).required());
  f.push_back(f_picklist("OpportunityAccessLevel", "Opportunity Access", levels).required());
  f.push_back(f_picklist("CaseAccessLevel", "Case Access", levels).defaulted());
  f.push_back(f_picklist("ContactAccessLevel", "Contact Access", levels).defaulted());
  f.push_back(f_picklist("RowCause", "Reason", row_causes()).create_only().defaulted());
  add_share_audit(f);
  o.child_relationships = {{"AccountId", "Shares"}, {"UserOrGroupId", ""}};
  return o;
}

ObjectSpec opportunity_share() {
  ObjectSpec o = share_spec("OpportunityShare", "Opportunity Share", "00t");
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("OpportunityId", "Opportunity ID", {"Opportunity"}, "Opportunity").required().create_only());
  f.push_back(f_ref("UserOrGroupId", "User/Group ID", {"Group", "User"}, "UserOrGroup").required().create_only());
  f.push_back(f_picklist("OpportunityAccessLevel", "Opportunity Access", {"Read", "Edit", "All"}).required());
  f.push_back(f_picklist("RowCause", "Reason", row_causes()).create_only().defaulted());
  add_share_audit(f);
  o.child_relationships = {{"OpportunityId", "Shares"}, {"UserOrGroupId", ""}};
  return o;
}

}  // namespace

ObjectSpec share_object_spec(const std::string& parent, const std::string& key_prefix) {
  const std::string base = parent.substr(0, parent.size() - 3);  // Name__c -> Name
  ObjectSpec o = share_spec(base + "__Share", base + " Share", key_prefix);
  o.custom = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("ParentId", "Parent ID", {parent}, "Parent").required().create_only());
  f.push_back(f_ref("UserOrGroupId", "User/Group ID", {"Group", "User"}, "UserOrGroup").required().create_only());
  f.push_back(f_picklist("AccessLevel", "Access Level", {"Read", "Edit", "All"}).required());
  f.push_back(f_picklist("RowCause", "Reason", row_causes()).create_only().defaulted());
  add_share_audit(f);
  o.child_relationships = {{"ParentId", "Shares"}, {"UserOrGroupId", ""}};
  return o;
}

void add_sharing_objects(std::vector<ObjectSpec>& out) {
  out.push_back(group());
  out.push_back(group_member());
  out.push_back(account_team_member());
  out.push_back(account_share());
  out.push_back(opportunity_share());
}

}  // namespace crmsync::emulator
