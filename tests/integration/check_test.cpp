// `crmsync check` against emulator orgs each started with one thing wrong (set up through the REST
// API as the org's admin, as an admin would in Setup). Each test asserts the finding, its severity
// and the fix text.
#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "check/check.h"
#include "salesforce/client.h"
#include "test_support.h"

namespace crmsync::testing {
namespace {

using check::Finding;
using check::Severity;
using nlohmann::json;

// Where the default org's integration user gets its access.
const std::string kPlace =
    "in permission set \"crmsync Integration\", or in the profile \"Minimum Access - API Only Integrations\"";

class CheckOrg {
 public:
  explicit CheckOrg(int scale = 10) : emu_(scale) {
    cfg_ = emulator_config(emu_->base_url(), dir_.file("crmsync.db"));
    auto admin = salesforce::Client::connect(connect_as("admin@crmsync.test", "admin-pass"));
    if (!admin) throw std::runtime_error("admin login failed: " + admin.error().to_string());
    admin_ = std::move(*admin);
  }

  config::Config& cfg() { return cfg_; }
  salesforce::Client& admin() { return *admin_; }
  std::string base_url() { return emu_->base_url(); }

  json records(const std::string& soql) {
    auto page = admin_->query(soql, false);
    if (!page) throw std::runtime_error(soql + ": " + page.error().to_string());
    return json::parse(page->body)["records"];
  }
  std::int64_t admin_count(const std::string& soql) {
    auto page = admin_->query(soql, false);
    if (!page) throw std::runtime_error(soql + ": " + page.error().to_string());
    return page->total_size;
  }
  std::string one_id(const std::string& soql) {
    json r = records(soql);
    if (r.empty()) throw std::runtime_error("no row for " + soql);
    return r[0]["Id"].get<std::string>();
  }
  std::string integration_set() { return one_id("SELECT Id FROM PermissionSet WHERE Name = 'crmsync_Integration'"); }
  std::string integration_user() { return one_id("SELECT Id FROM User WHERE Username = 'integration@crmsync.test'"); }

  void patch(const std::string& object, const std::string& id, const json& fields) {
    auto s = admin_->update(object, id, fields);
    if (!s) throw std::runtime_error("update " + object + ": " + s.error().to_string());
  }
  void remove(const std::string& object, const std::string& id) {
    auto s = admin_->remove(object, id);
    if (!s) throw std::runtime_error("delete " + object + ": " + s.error().to_string());
  }
  // Takes away field-level Read from the integration permission set (Salesforce deletes the row).
  void hide_field(const std::string& qualified) {
    remove("FieldPermissions", one_id("SELECT Id FROM FieldPermissions WHERE ParentId = '" + integration_set() +
                                      "' AND Field = '" + qualified + "'"));
  }
  void set_object_permissions(const std::string& object, const json& fields) {
    patch("ObjectPermissions",
          one_id("SELECT Id FROM ObjectPermissions WHERE ParentId = '" + integration_set() + "' AND SobjectType = '" +
                 object + "'"),
          fields);
  }

  check::Report check(const check::CheckOptions& options = {}) {
    auto client = salesforce::Client::connect(check::connect_options(cfg_));
    if (!client) throw std::runtime_error("integration login failed: " + client.error().to_string());
    auto report = check::run_check(**client, cfg_, options);
    if (!report) throw std::runtime_error("check could not run: " + report.error().to_string());
    return *report;
  }

  std::string write_config(const std::string& extra = "") {
    std::string path = dir_.file("crmsync.toml");
    write_file(path, emulator_toml(emu_->base_url(), dir_.file("crmsync.db"), extra));
    return path;
  }

 private:
  salesforce::ConnectOptions connect_as(const std::string& user, const std::string& password) {
    return {.login_url = emu_->base_url(), .auth = "password", .client_id = "crmsync-local",
            .client_secret = "crmsync-local-secret", .username = user, .password = password};
  }
  RunningEmulator emu_;
  TempDir dir_;
  config::Config cfg_;
  std::unique_ptr<salesforce::Client> admin_;
};

const Finding* find(const check::Report& r, const std::string& code, const std::string& object = "",
                    const std::string& field = "") {
  for (const auto& f : r.findings) {
    if (f.code == code && (object.empty() || f.object == object) && (field.empty() || f.field == field)) return &f;
  }
  return nullptr;
}

std::string dump(const check::Report& r) {
  std::string out;
  for (const auto& f : r.findings) {
    out += std::string(check::to_string(f.severity)) + " " + f.code + " " + f.object + "." + f.field + ": " +
           f.message + " | " + f.fix + "\n";
  }
  return out;
}

std::vector<std::string> error_codes(const check::Report& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) {
    if (f.severity == Severity::kError) out.push_back(f.code + " " + f.object + "." + f.field);
  }
  return out;
}

TEST(CheckTest, FullyConfiguredOrgIsReadyWithExitZero) {
  CheckOrg org;
  auto r = run_crmsync("check --config " + org.write_config());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Ready: 0 required items missing"), std::string::npos) << r.output;

  auto j = run_crmsync("check --json --config " + org.write_config());
  EXPECT_EQ(j.exit_code, 0) << j.output;
  json doc = json::parse(j.output);
  EXPECT_EQ(doc["ready"], true);
  EXPECT_EQ(doc["user"], "integration@crmsync.test");
  EXPECT_EQ(doc["summary"]["errors"], 0);
  bool opportunity_readable = false;
  for (const auto& f : doc["findings"]) {
    opportunity_readable = opportunity_readable || (f["code"] == "OBJECT_READABLE" && f["object"] == "Opportunity");
  }
  EXPECT_TRUE(opportunity_readable) << j.output;
}

TEST(CheckTest, RequiredFieldWithoutFieldLevelSecurityIsAnError) {
  CheckOrg org;
  org.hide_field("Opportunity.Amount");
  auto report = org.check();
  const Finding* f = find(report, "REQUIRED_FIELD_NOT_READABLE", "Opportunity", "Amount");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->fix, "grant Read on Opportunity.Amount " + kPlace);
  EXPECT_EQ(error_codes(report), std::vector<std::string>{"REQUIRED_FIELD_NOT_READABLE Opportunity.Amount"});

  auto cli = run_crmsync("check --config " + org.write_config());
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("fix: grant Read on Opportunity.Amount " + kPlace), std::string::npos) << cli.output;
}

TEST(CheckTest, RecommendedFieldWithoutFieldLevelSecurityOnlyWarns) {
  CheckOrg org;
  org.hide_field("Opportunity.LeadSource");
  auto report = org.check();
  const Finding* f = find(report, "RECOMMENDED_FIELD_NOT_READABLE", "Opportunity", "LeadSource");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_EQ(f->fix, "grant Read on Opportunity.LeadSource " + kPlace +
                        ", or deselect it with [objects.Opportunity] exclude");
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(CheckTest, ObjectWithoutReadIsAnError) {
  CheckOrg org;
  org.set_object_permissions("Lead", {{"PermissionsRead", false}, {"PermissionsViewAllRecords", false},
                                      {"PermissionsModifyAllRecords", false}});
  auto report = org.check();
  const Finding* f = find(report, "OBJECT_NOT_READABLE", "Lead");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->fix, "grant Read on Lead " + kPlace);
  // Tasks whose only link is a Lead are hidden now too; the Task finding says why.
  EXPECT_EQ(error_codes(report), (std::vector<std::string>{"OBJECT_NOT_READABLE Lead.", "VIEW_ALL_RECORDS_MISSING Task."}));
  const Finding* t = find(report, "VIEW_ALL_RECORDS_MISSING", "Task");
  ASSERT_NE(t, nullptr) << dump(report);
  EXPECT_NE(t->message.find("it cannot read Lead, so the Task records related only to those stay hidden"),
            std::string::npos) << t->message;
  EXPECT_EQ(t->fix.rfind("grant Read on Lead (see above); ", 0), 0u) << t->fix;
}

TEST(CheckTest, EditTasksMissingIsAnErrorWhenActivitiesAreExported) {
  CheckOrg org;
  // The default integration permission set reads only; grant the export's other needs so that
  // Edit Tasks is the one thing missing.
  org.patch("PermissionSet", org.integration_set(), {{"PermissionsEditTask", false}, {"PermissionsActivitiesAccess", true},
                                                     {"PermissionsViewAllUsers", true}});
  check::CheckOptions options;
  options.activity_export = check::ActivityExport{.as = "task", .record_types = {}};
  auto report = org.check(options);
  const Finding* f = find(report, "SYSTEM_PERMISSION_MISSING", "Task", "PermissionsEditTask");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->fix, "turn on \"Edit Tasks\" " + kPlace);
  EXPECT_EQ(find(report, "SYSTEM_PERMISSION_MISSING", "Task", "PermissionsActivitiesAccess"), nullptr) << dump(report);

  // Without an activity export configured, the same gap is only reported.
  auto plain = org.check();
  const Finding* g = find(plain, "SYSTEM_PERMISSION_MISSING", "Task", "PermissionsEditTask");
  ASSERT_NE(g, nullptr) << dump(plain);
  EXPECT_EQ(g->severity, Severity::kInfo);
}

TEST(CheckTest, IntegrationLicenseWithoutApiIntegrationPermissionSetLicense) {
  CheckOrg org;
  org.remove("PermissionSetLicenseAssign",
             org.one_id("SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '" + org.integration_user() + "'"));
  auto report = org.check();
  const Finding* f = find(report, "API_INTEGRATION_PSL_MISSING");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->fix,
            "assign the permission set license \"Salesforce API Integration\" to integration@crmsync.test (Setup > "
            "Users > integration@crmsync.test > Permission Set License Assignments)");
}

TEST(CheckTest, MultipicklistSelectedAsExtraFieldIsRefusedWithTheReason) {
  CheckOrg org;
  org.cfg().objects["Opportunity"].include = {"Competitors__c"};
  auto report = org.check();
  const Finding* f = find(report, "FIELD_TYPE_UNSUPPORTED", "Opportunity", "Competitors__c");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_NE(f->message.find("multipicklist"), std::string::npos) << f->message;
  EXPECT_EQ(f->fix, "remove Competitors__c from [objects.Opportunity] include");

  auto cli = run_crmsync("check --json --config " +
                         org.write_config("\n[objects.Opportunity]\ninclude = [\"Competitors__c\"]\n"));
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  json doc = json::parse(cli.output);
  EXPECT_EQ(doc["ready"], false);
}

TEST(CheckTest, WrongPasswordCannotRunAndExitsTwo) {
  CheckOrg org;
  std::string path = org.write_config();
  write_file(path, emulator_toml(org.base_url(), "/tmp/unused.db", "", "wrong-pass"));
  auto r = run_crmsync("check --config " + path);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.find("wrong-pass"), std::string::npos) << r.output;

  auto j = run_crmsync("check --json --config " + path);
  EXPECT_EQ(j.exit_code, 2) << j.output;
  json doc = json::parse(j.output);
  EXPECT_EQ(doc["exit_code"], 2);
  EXPECT_EQ(doc["error"]["kind"], "auth");
  EXPECT_EQ(j.output.find("wrong-pass"), std::string::npos) << j.output;

  auto missing = run_crmsync("check --config " + org.write_config() + ".absent");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
}

TEST(CheckTest, ViewAllRecordsMissingCountsWhatTheRoleHierarchyHides) {
  CheckOrg org(20);
  org.set_object_permissions("Opportunity", {{"PermissionsViewAllRecords", false}, {"PermissionsModifyAllRecords", false}});
  // What the integration user may see with Opportunity private: its own records and those of the
  // users in the roles below its own, counted here as the admin from the role hierarchy.
  std::string user = org.integration_user();
  std::vector<std::string> roles{org.records("SELECT UserRoleId FROM User WHERE Id = '" + user + "'")[0]["UserRoleId"]};
  for (std::size_t i = 0; i < roles.size(); ++i) {
    for (const auto& r : org.records("SELECT Id FROM UserRole WHERE ParentRoleId = '" + roles[i] + "'")) {
      roles.push_back(r["Id"].get<std::string>());
    }
  }
  std::string owners = "('" + user + "'";
  for (std::size_t i = 1; i < roles.size(); ++i) {
    for (const auto& u : org.records("SELECT Id FROM User WHERE UserRoleId = '" + roles[i] + "'")) {
      owners += ",'" + u["Id"].get<std::string>() + "'";
    }
  }
  owners += ")";
  const std::int64_t total = org.admin_count("SELECT COUNT() FROM Opportunity");
  const std::int64_t visible = org.admin_count("SELECT COUNT() FROM Opportunity WHERE OwnerId IN " + owners);
  ASSERT_LT(visible, total) << "the default org must hide some opportunities from the integration user's role";

  auto report = org.check();
  const Finding* f = find(report, "VIEW_ALL_RECORDS_MISSING", "Opportunity");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_NE(f->message.find("it sees " + std::to_string(visible) + " of the org's " + std::to_string(total) +
                            " Opportunity records (" + std::to_string(total - visible) + " hidden"),
            std::string::npos)
      << f->message;
  EXPECT_EQ(f->fix, "grant View All Records on Opportunity " + kPlace + " (or turn on \"View All Data\")");
}

TEST(CheckTest, ApiEnabledOffIsAMissingRequiredItemWithExitOne) {
  CheckOrg org;
  // API Enabled comes from the profile and the integration permission set: take it off both.
  std::string profile = org.one_id("SELECT Id FROM Profile WHERE Name = 'Minimum Access - API Only Integrations'");
  org.patch("Profile", profile, {{"PermissionsApiEnabled", false}});
  org.patch("PermissionSet", org.one_id("SELECT Id FROM PermissionSet WHERE ProfileId = '" + profile + "'"),
            {{"PermissionsApiEnabled", false}});
  org.patch("PermissionSet", org.integration_set(), {{"PermissionsApiEnabled", false}});

  auto report = org.check();
  const Finding* f = find(report, "API_DISABLED");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->fix,
            "turn on \"API Enabled\" in a permission set assigned to integration@crmsync.test, or in its profile (the "
            "org's edition must include API access)");
  auto cli = run_crmsync("check --config " + org.write_config());
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("[API_DISABLED]"), std::string::npos) << cli.output;
}

}  // namespace
}  // namespace crmsync::testing
