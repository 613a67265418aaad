// Schema of the setup objects the permission model reads: Organization, Profile, UserRole,
// UserLicense, PermissionSet (+ assignments), ObjectPermissions, FieldPermissions,
// PermissionSetLicense (+ assignments).
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

// The user permissions the emulated org exposes as Permissions<Name> booleans.
const std::vector<std::string> kUserPermissions = {
    "ApiEnabled",      "ApiUserOnly",    "ViewAllData", "ModifyAllData", "ViewAllUsers",
    "ManageUsers",     "ViewSetup",      "ActivitiesAccess", "EditTask", "EditEvent",
    "AuthorApex",      "CustomizeApplication", "BulkApiHardDelete", "TransferAnyEntity", "TransferAnyLead"};

void setup_flags(ObjectSpec& o) {
  o.searchable = o.mru_enabled = o.feed_enabled = o.undeletable = o.triggerable = false;
  o.layoutable = false;
}

ObjectSpec organization() {
  ObjectSpec o{.name = "Organization", .label = "Organization", .label_plural = "Organizations", .key_prefix = "00D"};
  setup_flags(o);
  o.createable = o.deletable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("Name", "Name", 80).required().name_field());
  f.push_back(f_string("Division", "Division", 80));
  add_address(f, "", "");
  f.push_back(f_phone("Phone", "Phone"));
  f.push_back(f_phone("Fax", "Fax"));
  f.push_back(f_picklist("DefaultLocaleSidKey", "Locale", {"en_US", "en_GB", "fr_FR", "de_DE", "ja_JP"}).required());
  f.push_back(f_picklist("TimeZoneSidKey", "Time Zone", {"America/Los_Angeles", "Europe/London", "GMT"}).required());
  f.push_back(f_picklist("LanguageLocaleKey", "Language", {"en_US", "fr", "de", "ja"}).required());
  f.push_back(f_picklist("OrganizationType", "Edition",
                         {"Developer Edition", "Enterprise Edition", "Unlimited Edition", "Professional Edition"})
                  .read_only());
  f.push_back(f_string("InstanceName", "Instance Name", 5).read_only());
  f.push_back(f_bool("IsSandbox", "Is Sandbox").read_only());
  f.push_back(f_string("NamespacePrefix", "Namespace Prefix", 15).read_only());
  f.push_back(f_datetime("TrialExpirationDate", "Trial Expiration Date").read_only());
  // Org-wide sharing defaults (Setup > Sharing Settings; read-only through the API).
  f.push_back(f_picklist("DefaultAccountAccess", "Default Account Access", {"None", "Read", "Edit"}).read_only());
  f.push_back(f_picklist("DefaultContactAccess", "Default Contact Access",
                         {"None", "Read", "Edit", "ControlledByParent"})
                  .read_only());
  f.push_back(f_picklist("DefaultOpportunityAccess", "Default Opportunity Access", {"None", "Read", "Edit"})
                  .read_only());
  f.push_back(f_picklist("DefaultLeadAccess", "Default Lead Access", {"None", "Read", "Edit", "ReadEditTransfer"})
                  .read_only());
  f.push_back(f_picklist("DefaultCampaignAccess", "Default Campaign Access", {"None", "Read", "Edit", "All"})
                  .read_only());
  f.push_back(f_picklist("DefaultCaseAccess", "Default Case Access", {"None", "Read", "Edit", "ReadEditTransfer"})
                  .read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

// A multi-currency org's currencies (Setup > Company Information > Currencies); the table exists
// only in an org file with [multi_currency] (org_file_currency.cpp), as the object only exists in
// such an org. Exactly one active row is the corporate currency.
ObjectSpec currency_type() {
  ObjectSpec o{.name = "CurrencyType", .label = "Currency Type", .label_plural = "Currency Types", .key_prefix = "02B"};
  setup_flags(o);
  o.deletable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_picklist("IsoCode", "Currency ISO Code", {}).required().create_only());
  f.push_back(f_double("ConversionRate", "Conversion Rate", 18, 6).required());
  f.push_back(f_int("DecimalPlaces", "Decimal Places", 1).required());
  f.push_back(f_bool("IsActive", "Active"));
  f.push_back(f_bool("IsCorporate", "Corporate").read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

// Query-only: one row per (UserId, RecordId) asked for; no key prefix, not retrievable.
ObjectSpec user_record_access() {
  ObjectSpec o{.name = "UserRecordAccess", .label = "User Record Access", .label_plural = "User Record Access",
               .key_prefix = ""};
  setup_flags(o);
  o.createable = o.updateable = o.deletable = o.replicateable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("UserId", "User ID", {"User"}, "").read_only());
  f.push_back(f_ref("RecordId", "Record ID", {}, "").read_only());
  for (const char* p : {"HasReadAccess", "HasEditAccess", "HasDeleteAccess", "HasTransferAccess", "HasAllAccess"}) {
    f.push_back(f_bool(p, p).read_only());
  }
  f.push_back(f_picklist("MaxAccessLevel", "Max Access Level", {"None", "Read", "Edit", "Delete", "Transfer", "All"})
                  .read_only());
  return o;
}

ObjectSpec user_license() {
  ObjectSpec o{.name = "UserLicense", .label = "User License", .label_plural = "User Licenses", .key_prefix = "100"};
  setup_flags(o);
  o.createable = o.updateable = o.deletable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("LicenseDefinitionKey", "License Definition Key", 40).read_only().required());
  f.push_back(f_int("TotalLicenses", "Total Licenses", 9).read_only());
  f.push_back(f_picklist("Status", "Status", {"Active", "Disabled"}).read_only());
  f.push_back(f_int("UsedLicenses", "Used Licenses", 9).read_only());
  f.push_back(f_string("Name", "Name", 40).read_only().required().name_field());
  f.push_back(f_string("MasterLabel", "Master Label", 80).read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec profile() {
  ObjectSpec o{.name = "Profile", .label = "Profile", .label_plural = "Profiles", .key_prefix = "00e"};
  setup_flags(o);
  o.createable = o.deletable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("Name", "Name", 255).required().name_field());
  for (const auto& p : kUserPermissions) f.push_back(f_bool("Permissions" + p, p));
  f.push_back(f_ref("UserLicenseId", "User License ID", {"UserLicense"}, "UserLicense").required().create_only());
  f.push_back(f_picklist("UserType", "User Type", {"Standard", "PowerPartner", "CsnOnly", "Guest"}).read_only());
  f.push_back(f_string("Description", "Description", 255));
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  o.child_relationships = {{"UserLicenseId", ""}};
  return o;
}

ObjectSpec user_role() {
  ObjectSpec o{.name = "UserRole", .label = "Role", .label_plural = "Roles", .key_prefix = "00E"};
  setup_flags(o);
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("Name", "Name", 80).required().name_field());
  f.push_back(f_ref("ParentRoleId", "Parent Role ID", {"UserRole"}, ""));
  f.push_back(f_string("RollupDescription", "Description", 80));
  f.push_back(f_picklist("OpportunityAccessForAccountOwner", "Opportunity Access Level", {"None", "Read", "Edit"})
                  .required()
                  .defaulted());
  f.push_back(f_picklist("ContactAccessForAccountOwner", "Contact Access Level", {"None", "Read", "Edit"})
                  .defaulted());
  f.push_back(f_picklist("CaseAccessForAccountOwner", "Case Access Level", {"None", "Read", "Edit"}).defaulted());
  f.push_back(f_ref("ForecastUserId", "Forecast Manager ID", {"User"}, "ForecastUser"));
  f.push_back(f_bool("MayForecastManagerShare", "May Forecast Manager Share"));
  f.push_back(f_string("DeveloperName", "Developer Name", 80));
  f.push_back(f_picklist("PortalType", "Portal Type", {"None", "CustomerPortal", "Partner"}).read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec permission_set_license() {
  ObjectSpec o{.name = "PermissionSetLicense", .label = "Permission Set License",
               .label_plural = "Permission Set Licenses", .key_prefix = "0PL"};
  setup_flags(o);
  o.createable = o.updateable = o.deletable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_string("DeveloperName", "Permission Set License Name", 80).read_only().required());
  f.push_back(f_string("MasterLabel", "Label", 80).read_only().required().name_field());
  f.push_back(f_picklist("Language", "Master Language", {"en_US"}).read_only());
  f.push_back(f_string("PermissionSetLicenseKey", "Permission Set License Key", 255).read_only());
  f.push_back(f_int("TotalLicenses", "Total Licenses", 9).read_only());
  f.push_back(f_picklist("Status", "Status", {"Active", "Disabled"}).read_only());
  f.push_back(f_date("ExpirationDate", "Expiration Date").read_only());
  f.push_back(f_int("UsedLicenses", "Used Licenses", 9).read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec permission_set() {
  ObjectSpec o{.name = "PermissionSet", .label = "Permission Set", .label_plural = "Permission Sets",
               .key_prefix = "0PS"};
  setup_flags(o);
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("Name", "Name", 80).required());
  f.push_back(f_string("Label", "Label", 80).required().name_field());
  f.push_back(f_ref("LicenseId", "License ID", {"PermissionSetLicense", "UserLicense"}, "License"));
  f.push_back(f_ref("ProfileId", "Profile ID", {"Profile"}, "Profile").read_only());
  f.push_back(f_bool("IsOwnedByProfile", "Is Owned By Profile").read_only());
  f.push_back(f_bool("IsCustom", "Custom").read_only());
  for (const auto& p : kUserPermissions) f.push_back(f_bool("Permissions" + p, p));
  f.push_back(f_string("Description", "Description", 255));
  f.push_back(f_string("NamespacePrefix", "Namespace Prefix", 15).read_only());
  f.push_back(f_picklist("Type", "Type", {"Regular", "Session", "Standard", "Group", "Profile"}).read_only());
  f.push_back(f_bool("HasActivationRequired", "Session Activation Required"));
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec permission_set_assignment() {
  ObjectSpec o{.name = "PermissionSetAssignment", .label = "Permission Set Assignment",
               .label_plural = "Permission Set Assignments", .key_prefix = "0Pa"};
  setup_flags(o);
  o.updateable = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("PermissionSetId", "Permission Set ID", {"PermissionSet"}, "PermissionSet").required());
  f.push_back(f_ref("PermissionSetGroupId", "Permission Set Group ID", {"PermissionSetGroup"}, "PermissionSetGroup"));
  f.push_back(f_ref("AssigneeId", "Assignee ID", {"User"}, "Assignee").required().create_only());
  f.push_back(f_bool("IsActive", "Is Active").read_only());
  f.push_back(f_datetime("ExpirationDate", "Expiration Date"));
  f.push_back(f_datetime("SystemModstamp", "System Modstamp").system());
  o.child_relationships = {{"PermissionSetId", "Assignments"}, {"AssigneeId", "PermissionSetAssignments"}};
  return o;
}

// ObjectPermissions and FieldPermissions: rows of a permission set (ParentId) about one object.
ObjectSpec permission_rows(const std::string& name, const std::string& label, const std::string& key_prefix) {
  ObjectSpec o{.name = name, .label = label, .label_plural = label, .key_prefix = key_prefix};
  setup_flags(o);
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("ParentId", "Parent ID", {"PermissionSet"}, "Parent").required().create_only());
  f.push_back(f_picklist("SobjectType", "Sobject Type Name", {}).required().create_only());
  return o;
}

ObjectSpec object_permissions() {
  ObjectSpec o = permission_rows("ObjectPermissions", "Object Permissions", "110");
  auto& f = o.fields;
  for (const char* p : {"Create", "Read", "Edit", "Delete", "ViewAllRecords", "ModifyAllRecords"}) {
    f.push_back(f_bool(std::string("Permissions") + p, p));
  }
  add_audit(f, /*is_deleted=*/false);
  o.child_relationships = {{"ParentId", "ObjectPerms"}};
  return o;
}

ObjectSpec field_permissions() {
  ObjectSpec o = permission_rows("FieldPermissions", "Field Permissions", "01k");
  auto& f = o.fields;
  f.push_back(f_picklist("Field", "Field Name", {}).required().create_only());
  f.push_back(f_bool("PermissionsEdit", "Edit Field"));
  f.push_back(f_bool("PermissionsRead", "Read Field"));
  add_audit(f, /*is_deleted=*/false);
  o.child_relationships = {{"ParentId", "FieldPerms"}};
  return o;
}

ObjectSpec permission_set_license_assign() {
  ObjectSpec o{.name = "PermissionSetLicenseAssign", .label = "Permission Set License Assignment",
               .label_plural = "Permission Set License Assignments", .key_prefix = "2LA"};
  setup_flags(o);
  o.updateable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_ref("PermissionSetLicenseId", "Permission Set License ID", {"PermissionSetLicense"},
                    "PermissionSetLicense")
                  .required()
                  .create_only());
  f.push_back(f_ref("AssigneeId", "Assignee ID", {"User"}, "Assignee").required().create_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

}  // namespace

const std::vector<std::string>& user_permission_names() { return kUserPermissions; }

void add_setup_objects(std::vector<ObjectSpec>& out) {
  out.push_back(organization());
  out.push_back(user_license());
  out.push_back(profile());
  out.push_back(user_role());
  out.push_back(permission_set_license());
  out.push_back(permission_set());
  out.push_back(permission_set_assignment());
  out.push_back(object_permissions());
  out.push_back(field_permissions());
  out.push_back(permission_set_license_assign());
  out.push_back(user_record_access());
  out.push_back(currency_type());
}

}  // namespace crmsync::emulator
