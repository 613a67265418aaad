// Users and the setup objects of the default org: the organization, licenses, profiles (each
// backed by its profile-owned permission set), the role hierarchy, the integration permission set
// with its object and field permissions, and every assignment.
#include <iterator>
#include <map>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/org/generate.h"
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

struct PersonName {
  const char* first;
  const char* last;
  const char* ascii_first;  // for usernames and emails
  const char* ascii_last;
};

const std::vector<PersonName> kUserNames = {
    {"Olivia", "Martin", "olivia", "martin"},     {"Hélène", "Dubois", "helene", "dubois"},
    {"Jürgen", "Schäfer", "juergen", "schaefer"}, {"Sakura", "Tanaka", "sakura", "tanaka"},
    {"Liam", "O'Brien", "liam", "obrien"},        {"Amara", "Okafor", "amara", "okafor"},
    {"Mateo", "García", "mateo", "garcia"},       {"Priya", "Natarajan", "priya", "natarajan"},
    {"Noah", "Williams", "noah", "williams"},     {"Zoë", "Lambert", "zoe", "lambert"},
    {"Wei", "Chen", "wei", "chen"},               {"Sofia", "Rossi", "sofia", "rossi"},
};

struct ProfileDef {
  const char* name;
  int license;  // index into the licenses
  std::vector<std::string> permissions;
};

struct SetupIds {
  std::string org;
  std::vector<std::string> licenses;  // Salesforce, Salesforce Integration
  std::string psl;
  std::vector<std::string> profiles;        // admin, standard, integration
  std::vector<std::string> profile_sets;    // the profile-owned permission sets
  std::string integration_set;
  std::vector<std::string> roles;           // CEO, VP, managers, reps
};

void set_permissions(RowBuilder& b, const std::vector<std::string>& granted) {
  for (const auto& p : user_permission_names()) {
    bool on = false;
    for (const auto& g : granted) on = on || g == p;
    std::string field = "Permissions" + p;
    auto index = b.table().field_index(field);
    b.row()[*index] = on;
  }
}

const std::vector<ProfileDef>& profile_defs() {
  static const std::vector<ProfileDef> defs = {
      {"System Administrator", 0,
       {"ApiEnabled", "ViewAllData", "ModifyAllData", "ViewAllUsers", "ManageUsers", "ViewSetup", "ActivitiesAccess",
        "EditTask", "EditEvent", "AuthorApex", "CustomizeApplication", "BulkApiHardDelete", "TransferAnyEntity",
        "TransferAnyLead"}},
      {"Standard User", 0, {"ApiEnabled", "ActivitiesAccess", "EditTask", "EditEvent"}},
      {"Minimum Access - API Only Integrations", 1, {"ApiEnabled", "ApiUserOnly"}},
  };
  return defs;
}

void add_field_permissions(OrgContext& ctx, RowBuilder& fp, const std::string& set_id, const ObjectSpec& spec,
                           bool edit) {
  for (const auto& field : spec.fields) {
    if (!is_permissionable(field)) continue;
    fp.start();
    fp.set("ParentId", set_id);
    fp.set("SobjectType", spec.name);
    fp.set("Field", spec.name + "." + field.name);
    fp.set("PermissionsRead", true);
    // Edit covers create-only fields too (TaskSubtype): FLS Edit is what lets a user write a field at all.
    fp.set("PermissionsEdit", edit && (field.createable || field.updateable));
    ctx.stamp(fp, kOrgEpochStart, ctx.admin_id);
    fp.insert();
  }
}

void add_object_and_field_permissions(OrgContext& ctx, const std::string& set_id, const std::vector<std::string>& objects,
                                      bool edit, bool view_all, bool edit_activities = false) {
  RowBuilder op(ctx.db, "ObjectPermissions");
  RowBuilder fp(ctx.db, "FieldPermissions");
  for (const auto& object : objects) {
    const ObjectSpec* spec = find_object_spec(object);
    // The integration set writes activities back (export): Edit on Task and Event fields.
    const bool activity = object == "Task" || object == "Event";
    add_field_permissions(ctx, fp, set_id, *spec, edit || (edit_activities && activity));
    // Only objects with CRUD permissions of their own have ObjectPermissions rows; children,
    // activities and public objects follow other rules (docs/decisions.md).
    if (!has_object_permissions(object)) continue;
    op.start();
    op.set("ParentId", set_id);
    op.set("SobjectType", object);
    op.set("PermissionsRead", true);
    op.set("PermissionsCreate", edit && spec->createable);
    op.set("PermissionsEdit", edit && spec->updateable);
    op.set("PermissionsDelete", edit && spec->deletable);
    op.set("PermissionsViewAllRecords", view_all);
    op.set("PermissionsModifyAllRecords", edit && view_all && spec->deletable);
    ctx.stamp(op, kOrgEpochStart, ctx.admin_id);
    op.insert();
  }
}

SetupIds generate_setup_rows(OrgContext& ctx) {
  SetupIds ids;
  const EpochMs t0 = kOrgEpochStart;
  RowBuilder org(ctx.db, "Organization");
  ids.org = org.start();
  org.set("Name", std::string("crmsync Demo Org"));
  org.set("City", std::string("San Francisco"));
  org.set("Country", std::string("United States"));
  org.set("DefaultLocaleSidKey", std::string("en_US"));
  org.set("TimeZoneSidKey", std::string("America/Los_Angeles"));
  org.set("LanguageLocaleKey", std::string("en_US"));
  org.set("OrganizationType", std::string("Enterprise Edition"));
  org.set("InstanceName", std::string("RO1"));
  org.set("IsSandbox", false);
  org.set("DefaultAccountAccess", std::string("None"));  // Private
  org.set("DefaultContactAccess", std::string("ControlledByParent"));
  org.set("DefaultOpportunityAccess", std::string("None"));
  org.set("DefaultLeadAccess", std::string("None"));
  org.set("DefaultCampaignAccess", std::string("All"));
  org.set("DefaultCaseAccess", std::string("None"));  // Private
  ctx.stamp(org, t0, ctx.admin_id);
  org.insert();

  RowBuilder lic(ctx.db, "UserLicense");
  for (auto [key, name] : {std::pair{"SFDC", "Salesforce"}, std::pair{"SFDC_INTEGRATION", "Salesforce Integration"}}) {
    ids.licenses.push_back(lic.start());
    lic.set("LicenseDefinitionKey", std::string(key));
    lic.set("Name", std::string(name));
    lic.set("MasterLabel", std::string(name));
    lic.set("Status", std::string("Active"));
    lic.set("TotalLicenses", std::int64_t{ids.licenses.size() == 1 ? 100000 : 5});
    lic.set("UsedLicenses", std::int64_t{ids.licenses.size() == 1 ? static_cast<std::int64_t>(ctx.user_ids.size()) - 1 : 1});
    ctx.stamp(lic, t0, ctx.admin_id);
    lic.insert();
  }

  RowBuilder psl(ctx.db, "PermissionSetLicense");
  ids.psl = psl.start();
  psl.set("DeveloperName", std::string("SalesforceAPIIntegrationPsl"));
  psl.set("MasterLabel", std::string("Salesforce API Integration"));
  psl.set("Language", std::string("en_US"));
  psl.set("PermissionSetLicenseKey", std::string("SalesforceAPIIntegrationPsl"));
  psl.set("TotalLicenses", std::int64_t{5});
  psl.set("UsedLicenses", std::int64_t{1});
  psl.set("Status", std::string("Active"));
  ctx.stamp(psl, t0, ctx.admin_id);
  psl.insert();

  RowBuilder prof(ctx.db, "Profile");
  RowBuilder ps(ctx.db, "PermissionSet");
  for (const auto& def : profile_defs()) {
    const std::string& profile_id = prof.start();
    ids.profiles.push_back(profile_id);
    prof.set("Name", std::string(def.name));
    prof.set("UserLicenseId", ids.licenses[static_cast<std::size_t>(def.license)]);
    prof.set("UserType", std::string("Standard"));
    set_permissions(prof, def.permissions);
    ctx.stamp(prof, t0, ctx.admin_id);
    prof.insert();

    ids.profile_sets.push_back(ps.start());
    std::string set_name = "X";
    set_name.append(profile_id, 0, 15);
    ps.set("Name", set_name);
    ps.set("Label", sf_id15(profile_id));
    ps.set("ProfileId", profile_id);
    ps.set("LicenseId", ids.licenses[static_cast<std::size_t>(def.license)]);
    ps.set("IsOwnedByProfile", true);
    ps.set("IsCustom", false);
    ps.set("Type", std::string("Profile"));
    ps.set("HasActivationRequired", false);
    set_permissions(ps, def.permissions);
    ctx.stamp(ps, t0, ctx.admin_id);
    ps.insert();
  }
  ids.integration_set = ps.start();
  ps.set("Name", std::string("crmsync_Integration"));
  ps.set("Label", std::string("crmsync Integration"));
  ps.set("Description", std::string("Read access for the crmsync integration user"));
  ps.set("LicenseId", ids.psl);
  ps.set("IsOwnedByProfile", false);
  ps.set("IsCustom", true);
  ps.set("Type", std::string("Regular"));
  ps.set("HasActivationRequired", false);
  // Edit Tasks / Edit Events: crmsync writes activities back (export).
  set_permissions(ps, {"ApiEnabled", "ViewSetup", "ViewAllUsers", "ActivitiesAccess", "EditTask", "EditEvent"});
  ctx.stamp(ps, t0, ctx.admin_id);
  ps.insert();

  ctx.profile_sets = ids.profile_sets;
  ctx.integration_set = ids.integration_set;
  grant_objects(ctx, catalog_object_names());

  RowBuilder role(ctx.db, "UserRole");
  struct RoleDef { const char* name; const char* dev; int parent; };
  const RoleDef roles[] = {{"CEO", "CEO", -1},
                           {"VP, Sales", "VPSales", 6},
                           {"Sales Manager, Americas", "SalesManagerAmericas", 1},
                           {"Sales Manager, EMEA", "SalesManagerEMEA", 1},
                           {"Sales Rep, Americas", "SalesRepAmericas", 2},
                           {"Sales Rep, EMEA", "SalesRepEMEA", 3},
                           {"Revenue Operations", "RevenueOperations", 0}};
  // Ids first: a role may name a parent defined after it.
  for (std::size_t k = 0; k < std::size(roles); ++k) ids.roles.push_back(ctx.db.new_id(role.table()));
  for (std::size_t k = 0; k < std::size(roles); ++k) {
    const RoleDef& r = roles[k];
    role.start(ids.roles[k]);
    role.set("Name", std::string(r.name));
    role.set("DeveloperName", std::string(r.dev));
    role.set("RollupDescription", std::string(r.name));
    if (r.parent >= 0) role.set("ParentRoleId", ids.roles[static_cast<std::size_t>(r.parent)]);
    role.set("OpportunityAccessForAccountOwner", std::string("Edit"));
    role.set("ContactAccessForAccountOwner", std::string("Edit"));
    role.set("CaseAccessForAccountOwner", std::string("Edit"));
    role.set("MayForecastManagerShare", false);
    role.set("PortalType", std::string("None"));
    ctx.stamp(role, t0, ctx.admin_id);
    role.insert();
  }
  return ids;
}

void generate_user_rows(OrgContext& ctx, const SetupIds& ids) {
  RowBuilder u(ctx.db, "User");
  const char* zones[] = {"America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Paris",
                         "Europe/Berlin", "Asia/Tokyo"};
  const char* departments[] = {"Sales", "Sales Operations", "Customer Success", "Marketing"};
  for (std::size_t i = 0; i < ctx.user_ids.size(); ++i) {
    u.start(ctx.user_ids[i]);
    std::string first, last, username, email, title, dept;
    std::size_t profile = 1, role = 4 + i % 2;
    if (i == 0) {
      first = "Admin", last = "User", username = "admin@crmsync.test", title = "CEO", dept = "Management";
      profile = 0, role = 0;
    } else if (i == 1) {
      first = "Integration", last = "User", username = "integration@crmsync.test", title = "Integration", dept = "IT";
      profile = 2;
    } else {
      const PersonName& n = kUserNames[(i - 2) % kUserNames.size()];
      first = n.first, last = n.last;
      std::string suffix = i - 2 < kUserNames.size() ? "" : std::to_string(i);
      username = std::string(n.ascii_first) + "." + n.ascii_last + suffix + "@crmsync.test";
      if (i < 4) role = i;  // the first two are managers under the VP
      if (i == 2) role = 1;
      title = role == 1 ? "VP, Sales" : role <= 3 ? "Sales Manager" : "Account Executive";
      dept = departments[i % 4];
    }
    email = username;
    u.set("Username", username);
    u.set("FirstName", first);
    u.set("LastName", last);
    u.set("Name", first + " " + last);
    u.set("CompanyName", std::string("crmsync Demo"));
    u.set("Department", dept);
    u.set("Title", title);
    u.set("Email", email);
    u.set("Phone", "+1 415 555 " + std::to_string(1000 + i % 9000));
    u.set("Alias", username.substr(0, std::min<std::size_t>(8, username.find('@'))));
    u.set("CommunityNickname", username.substr(0, username.find('@')));
    u.set("IsActive", true);
    u.set("TimeZoneSidKey", std::string(zones[i % 6]));
    // The integration user sits in Revenue Operations, between the CEO and the VP, Sales: every
    // sales user's records are below it in the hierarchy, the CEO's (the admin's) are not.
    u.set("UserRoleId", ids.roles[profile == 2 ? 6 : role]);
    u.set("LocaleSidKey", std::string("en_US"));
    u.set("ReceivesInfoEmails", false);
    u.set("EmailEncodingKey", std::string("UTF-8"));
    u.set("ProfileId", ids.profiles[profile]);
    u.set("UserType", std::string("Standard"));
    u.set("LanguageLocaleKey", std::string("en_US"));
    u.set("SmallPhotoUrl", "https://crmsync.test/profilephoto/005/T/" + std::to_string(i));
    u.set("FullPhotoUrl", "https://crmsync.test/profilephoto/005/F/" + std::to_string(i));
    if (i >= 3) u.set("ManagerId", ctx.user_ids[2]);
    u.set("LastLoginDate", DateTime{kOrgEpochEnd - 3600000 * static_cast<EpochMs>(i + 1)});
    ctx.stamp(u, kOrgEpochStart + static_cast<EpochMs>(i) * 60000, ctx.admin_id);
    u.insert();
  }

  RowBuilder psa(ctx.db, "PermissionSetAssignment");
  auto assign = [&](const std::string& user, const std::string& set) {
    psa.start();
    psa.set("PermissionSetId", set);
    psa.set("AssigneeId", user);
    psa.set("IsActive", true);
    ctx.stamp(psa, kOrgEpochStart, ctx.admin_id);
    psa.insert();
  };
  for (std::size_t i = 0; i < ctx.user_ids.size(); ++i) {
    assign(ctx.user_ids[i], ids.profile_sets[i == 0 ? 0 : i == 1 ? 2 : 1]);
  }
  assign(ctx.integration_id, ids.integration_set);

  RowBuilder psla(ctx.db, "PermissionSetLicenseAssign");
  psla.start();
  psla.set("PermissionSetLicenseId", ids.psl);
  psla.set("AssigneeId", ctx.integration_id);
  ctx.stamp(psla, kOrgEpochStart, ctx.admin_id);
  psla.insert();
}

}  // namespace

void grant_objects(OrgContext& ctx, const std::vector<std::string>& objects) {
  add_object_and_field_permissions(ctx, ctx.profile_sets[0], objects, /*edit=*/true, /*view_all=*/true);
  add_object_and_field_permissions(ctx, ctx.profile_sets[1], objects, /*edit=*/true, /*view_all=*/false);
  add_object_and_field_permissions(ctx, ctx.integration_set, objects, /*edit=*/false, /*view_all=*/true,
                                   /*edit_activities=*/true);
}

void generate_users_and_setup(OrgContext& ctx) {
  Table& users = *ctx.db.find("User");
  const int count = ctx.scale / 10 + 5;
  for (int i = 0; i < count; ++i) ctx.user_ids.push_back(ctx.db.new_id(users));
  ctx.admin_id = ctx.user_ids[0];
  ctx.integration_id = ctx.user_ids[1];
  ctx.sales_ids.push_back(ctx.admin_id);
  for (std::size_t i = 2; i < ctx.user_ids.size(); ++i) ctx.sales_ids.push_back(ctx.user_ids[i]);
  SetupIds ids = generate_setup_rows(ctx);
  generate_user_rows(ctx, ids);
}

}  // namespace crmsync::emulator
