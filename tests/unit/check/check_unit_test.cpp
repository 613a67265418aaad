// The wording of fixes, the finding -> exit code rule, the Required-field rule the sync shares, and
// the --json schema. No sockets.
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "check/check.h"

namespace crmsync::check {
namespace {

using nlohmann::json;

UserAccess integration_user() {
  UserAccess a;
  a.user_id = "005000000000002AAA";
  a.username = "integration@crmsync.test";
  a.profile_name = "Minimum Access - API Only Integrations";
  a.permission_sets = {"crmsync Integration"};
  a.setup_readable = true;
  return a;
}

json describe_of(const std::string& object, const std::vector<std::string>& fields) {
  json d = {{"name", object}, {"fields", json::array()}};
  for (const auto& f : fields) {
    std::string type = f == "Id" ? "id" : f == "IsDeleted" ? "boolean" : f == "SystemModstamp" ? "datetime" : "string";
    d["fields"].push_back({{"name", f}, {"type", type}, {"length", 255}, {"referenceTo", json::array()}});
  }
  return d;
}

TEST(CheckFixWording, NamesThePermissionSetAndTheProfile) {
  EXPECT_EQ(field_read_fix(integration_user(), "OpportunitySplit", "SplitAmount"),
            "grant Read on OpportunitySplit.SplitAmount in permission set \"crmsync Integration\", or in the profile "
            "\"Minimum Access - API Only Integrations\"");
  EXPECT_EQ(object_permission_fix(integration_user(), "View All Records", "Opportunity"),
            "grant View All Records on Opportunity in permission set \"crmsync Integration\", or in the profile "
            "\"Minimum Access - API Only Integrations\"");
  EXPECT_EQ(system_permission_fix(integration_user(), "Edit Tasks"),
            "turn on \"Edit Tasks\" in permission set \"crmsync Integration\", or in the profile "
            "\"Minimum Access - API Only Integrations\"");
}

TEST(CheckFixWording, SeveralPermissionSetsAreAllNamed) {
  UserAccess a = integration_user();
  a.permission_sets = {"Sales Read", "crmsync Integration"};
  EXPECT_EQ(grant_place(a),
            "in one of its permission sets (\"Sales Read\", \"crmsync Integration\"), or in the profile "
            "\"Minimum Access - API Only Integrations\"");
}

TEST(CheckFixWording, ProfileOnlyUserIsToldToAddAPermissionSet) {
  UserAccess a = integration_user();
  a.permission_sets.clear();
  EXPECT_EQ(grant_place(a),
            "in the profile \"Minimum Access - API Only Integrations\", or in a new permission set assigned to "
            "integration@crmsync.test");
}

TEST(CheckFixWording, UnreadableSetupObjectsGiveGenericWordsNeverAGuess) {
  UserAccess a = integration_user();
  a.setup_readable = false;
  a.profile_name.clear();
  a.permission_sets.clear();
  EXPECT_EQ(grant_place(a), "in a permission set assigned to integration@crmsync.test, or in its profile");
}

TEST(CheckExitCode, AnErrorFindingMeansNotReady) {
  Report r;
  r.findings.push_back({"Account", "", Severity::kInfo, "OBJECT_READABLE", "ok", ""});
  r.findings.push_back({"Account", "Website", Severity::kWarning, "RECOMMENDED_FIELD_NOT_READABLE", "w", "fix"});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(exit_code(r), 0);
  r.findings.push_back({"Account", "Name", Severity::kError, "REQUIRED_FIELD_NOT_READABLE", "e", "fix"});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(exit_code(r), 1);
}

TEST(CheckRequiredFields, OneErrorPerUnreadableRequiredFieldWithTheFix) {
  // Account without Industry and Type (hidden by field-level security), and without Website (Recommended).
  json d = describe_of("Account", {"Id", "Name", "OwnerId", "IsDeleted", "LastActivityDate", "LastModifiedDate",
                                   "SystemModstamp", "AccountSource", "ParentId"});
  auto findings = required_field_findings(integration_user(), d, {});
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].object, "Account");
  EXPECT_EQ(findings[0].field, "Industry");
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_EQ(findings[0].code, "REQUIRED_FIELD_NOT_READABLE");
  EXPECT_NE(findings[0].message.find("Account cannot be synced"), std::string::npos);
  EXPECT_EQ(findings[0].fix, field_read_fix(integration_user(), "Account", "Industry"));
  EXPECT_EQ(findings[1].field, "Type");
}

TEST(CheckRequiredFields, AllReadableMeansNoFinding) {
  json d = describe_of("Lead", {"Id", "Company", "Email", "FirstName", "LastName", "OwnerId", "LastModifiedDate",
                                "SystemModstamp", "IsDeleted"});
  EXPECT_TRUE(required_field_findings(integration_user(), d, {}).empty());
}

TEST(CheckJson, OneEntryPerFindingWithNullsForEmptyParts) {
  Report r;
  r.username = "integration@crmsync.test";
  r.user_id = "005000000000002AAA";
  r.findings.push_back({"", "", Severity::kInfo, "LOGIN_OK", "Logged in.", ""});
  r.findings.push_back({"Opportunity", "Amount", Severity::kError, "REQUIRED_FIELD_NOT_READABLE", "m", "f"});
  json j = report_json(r);
  EXPECT_EQ(j["user"], "integration@crmsync.test");
  EXPECT_EQ(j["ready"], false);
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["summary"]["errors"], 1);
  EXPECT_EQ(j["summary"]["info"], 1);
  ASSERT_EQ(j["findings"].size(), 2u);
  EXPECT_TRUE(j["findings"][0]["object"].is_null());
  EXPECT_TRUE(j["findings"][0]["fix"].is_null());
  EXPECT_EQ(j["findings"][1]["object"], "Opportunity");
  EXPECT_EQ(j["findings"][1]["field"], "Amount");
  EXPECT_EQ(j["findings"][1]["severity"], "error");
  EXPECT_EQ(j["findings"][1]["code"], "REQUIRED_FIELD_NOT_READABLE");
  EXPECT_EQ(j["findings"][1]["fix"], "f");
}

TEST(CheckJson, CouldNotRunCarriesTheErrorAndExitTwo) {
  json j = could_not_run_json(Error(ErrorKind::kAuth, "invalid_grant", "authentication failure"));
  EXPECT_EQ(j["exit_code"], 2);
  EXPECT_EQ(j["ready"], false);
  EXPECT_EQ(j["error"]["code"], "invalid_grant");
  EXPECT_TRUE(j["findings"].empty());
}

TEST(CheckOptionsFromConfig, ExportConfiguredMakesTheActivityExportRequired) {
  config::Config cfg;
  EXPECT_FALSE(check_options(cfg).activity_export.has_value());
  cfg.exports.configured = true;
  cfg.exports.as = "event";
  cfg.exports.call.record_type = "Sales_Meeting";
  cfg.exports.meeting.record_type = "Customer_Visit";
  cfg.exports.invite.record_type = "Sales_Meeting";
  auto options = check_options(cfg);
  ASSERT_TRUE(options.activity_export.has_value());
  EXPECT_EQ(options.activity_export->as, "event");
  EXPECT_EQ(options.activity_export->record_types, (std::vector<std::string>{"Sales_Meeting", "Customer_Visit"}));
}

TEST(CheckTable, GroupsByObjectAndPrintsEachFix) {
  Report r;
  r.username = "integration@crmsync.test";
  r.findings.push_back({"", "", Severity::kInfo, "LOGIN_OK", "Logged in.", ""});
  r.findings.push_back({"Opportunity", "", Severity::kInfo, "OBJECT_READABLE", "can read Opportunity.", ""});
  r.findings.push_back({"Opportunity", "Amount", Severity::kError, "REQUIRED_FIELD_NOT_READABLE", "hidden.", "grant X"});
  std::ostringstream out;
  print_report(r, out);
  const std::string s = out.str();
  EXPECT_NE(s.find("User and org\n  fine     Logged in."), std::string::npos) << s;
  EXPECT_NE(s.find("Opportunity\n  fine     can read Opportunity."), std::string::npos) << s;
  EXPECT_NE(s.find("  MISSING  hidden.  [REQUIRED_FIELD_NOT_READABLE]\n           fix: grant X\n"), std::string::npos) << s;
  EXPECT_NE(s.find("Not ready: 1 required item missing, 0 warnings."), std::string::npos) << s;
}

}  // namespace
}  // namespace crmsync::check
