// `crmsync check` against emulator orgs each started from an org file with one thing wrong
// (docs/emulator-org-file.md), as an admin would have left it in Setup. Each test asserts the
// finding, its severity and the fix text.
#include <algorithm>
#include <set>

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
  // `org_toml`: the org file's lines (empty: the default org).
  explicit CheckOrg(const std::string& org_toml = "", int scale = 10) {
    const std::string org_path = dir_.file("org.toml");
    write_file(org_path, "scale = " + std::to_string(scale) + "\nseed = 7\n" + org_toml);
    emu_ = std::make_unique<emulator::Emulator>(emulator::EmulatorOptions{.port = 0, .org_file = org_path});
    auto s = emu_->start();
    if (!s) throw std::runtime_error("emulator did not start: " + s.error().to_string());
    cfg_ = emulator_config(emu_->base_url(), dir_.file("crmsync.db"));
    auto admin = salesforce::Client::connect(connect_as("admin@crmsync.test", "admin-pass"));
    if (!admin) throw std::runtime_error("admin login failed: " + admin.error().to_string());
    admin_ = std::move(*admin);
  }
  ~CheckOrg() {
    admin_.reset();  // its keep-alive connection would hold stop() until the idle timeout
    emu_->stop();
  }

  config::Config& cfg() { return cfg_; }
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
  std::string integration_user() { return one_id("SELECT Id FROM User WHERE Username = 'integration@crmsync.test'"); }

  check::Report check(const check::CheckOptions& options = {}) {
    auto client = salesforce::Client::connect(config::connect_options(cfg_));
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
  TempDir dir_;
  std::unique_ptr<emulator::Emulator> emu_;
  config::Config cfg_;
  std::unique_ptr<salesforce::Client> admin_;
};

// The integration permission set, changed by one line.
std::string integration_set(const std::string& line) {
  return "[[permission_sets]]\nname = \"crmsync_Integration\"\n" + line + "\n";
}

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
  // A single-currency org: no currency finding at all.
  EXPECT_EQ(r.output.find("[CURRENCY_"), std::string::npos) << r.output;
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

// A multi-currency org (docs/emulator-org-file.md [multi_currency]): corporate USD, and the
// integration user's own currency as the org file gives it.
std::string multi_currency(const std::string& integration_currency) {
  return "[multi_currency]\ncorporate = \"USD\"\ncurrencies = [\"EUR\", { iso_code = \"GBP\", rate = 0.79 }]\n"
         "[[users]]\nusername = \"integration@crmsync.test\"\ncurrency = \"" + integration_currency + "\"\n";
}

TEST(CheckTest, UserCurrencyOtherThanTheCorporateOneIsAnError) {
  CheckOrg org(multi_currency("EUR"));
  // What an admin sees in the org: the corporate currency and the user's own.
  json corporate = org.records("SELECT IsoCode, ConversionRate FROM CurrencyType WHERE IsCorporate = true");
  ASSERT_EQ(corporate.size(), 1u);
  EXPECT_EQ(corporate[0]["IsoCode"], "USD");
  EXPECT_EQ(org.admin_count("SELECT COUNT() FROM CurrencyType WHERE IsActive = true"), 3);
  json user = org.records("SELECT DefaultCurrencyIsoCode FROM User WHERE Username = 'integration@crmsync.test'");
  EXPECT_EQ(user[0]["DefaultCurrencyIsoCode"], "EUR");

  auto report = org.check();
  const Finding* f = find(report, "CURRENCY_MISMATCH", "User", "DefaultCurrencyIsoCode");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->message, "integration@crmsync.test's currency is EUR, not the corporate currency USD; amounts would be "
                        "read converted to EUR.");
  EXPECT_EQ(f->fix, "set the Currency of integration@crmsync.test to USD in Setup > Users");
  EXPECT_EQ(error_codes(report), std::vector<std::string>{"CURRENCY_MISMATCH User.DefaultCurrencyIsoCode"});
  auto cli = run_crmsync("check --config " + org.write_config());
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("[CURRENCY_MISMATCH]"), std::string::npos) << cli.output;
}

TEST(CheckTest, UserCurrencyEqualToTheCorporateOneIsOk) {
  CheckOrg org(multi_currency("USD"));
  // Records carry their owner's currency; every owner here has the corporate one.
  EXPECT_EQ(org.admin_count("SELECT COUNT() FROM Opportunity WHERE CurrencyIsoCode != 'USD'"), 0);
  EXPECT_GT(org.admin_count("SELECT COUNT() FROM Opportunity WHERE CurrencyIsoCode = 'USD'"), 0);
  auto report = org.check();
  const Finding* f = find(report, "CURRENCY_OK", "User", "DefaultCurrencyIsoCode");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_EQ(f->message, "integration@crmsync.test's currency is the corporate currency USD.");
  EXPECT_EQ(find(report, "CURRENCY_MISMATCH"), nullptr) << dump(report);
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(CheckTest, RequiredFieldWithoutFieldLevelSecurityIsAnError) {
  CheckOrg org(integration_set(R"(fields = { "Opportunity.Amount" = { read = false } })"));
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
  CheckOrg org(integration_set(R"(fields = { "Opportunity.LeadSource" = { read = false } })"));
  auto report = org.check();
  const Finding* f = find(report, "RECOMMENDED_FIELD_NOT_READABLE", "Opportunity", "LeadSource");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_EQ(f->fix, "grant Read on Opportunity.LeadSource " + kPlace +
                        ", or deselect it with [objects.Opportunity] exclude");
  EXPECT_TRUE(report.ok()) << dump(report);
}

TEST(CheckTest, ObjectWithoutReadIsAnError) {
  CheckOrg org(integration_set("objects = { Lead = { read = false } }"));
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
  CheckOrg org(integration_set("permissions = { EditTask = false }"));
  check::CheckOptions options;
  options.activity_export = check::ActivityExport{.as = "task", .record_types = {}};
  auto report = org.check(options);
  const Finding* f = find(report, "SYSTEM_PERMISSION_MISSING", "Task", "PermissionsEditTask");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->fix, "turn on \"Edit Tasks\" " + kPlace);
  EXPECT_EQ(error_codes(report), std::vector<std::string>{"SYSTEM_PERMISSION_MISSING Task.PermissionsEditTask"});

  // Without an activity export configured, the same gap is only reported.
  auto plain = org.check();
  const Finding* g = find(plain, "SYSTEM_PERMISSION_MISSING", "Task", "PermissionsEditTask");
  ASSERT_NE(g, nullptr) << dump(plain);
  EXPECT_EQ(g->severity, Severity::kInfo);
  EXPECT_NE(g->message.find("(only if you use crmsync export)"), std::string::npos) << g->message;

  // crmsync check: an [export] table in the configuration is what makes the gap an error.
  auto without = run_crmsync("check --json --config " + org.write_config());
  EXPECT_EQ(without.exit_code, 0) << without.output;
  auto with = run_crmsync("check --json --config " + org.write_config("\n[export]\nas = \"task\"\n"));
  EXPECT_EQ(with.exit_code, 1) << with.output;
  json doc = json::parse(with.output);
  ASSERT_EQ(doc["summary"]["errors"], 1) << with.output;
  for (const auto& e : doc["findings"]) {
    if (e["severity"] != "error") continue;
    EXPECT_EQ(e["code"], "SYSTEM_PERMISSION_MISSING");
    EXPECT_EQ(e["field"], "PermissionsEditTask");
    EXPECT_EQ(e["fix"], "turn on \"Edit Tasks\" " + kPlace);
  }
}

TEST(CheckTest, ExportRecordTypeTheProfileMayNotUseIsAnErrorWhenExportIsConfigured) {
  CheckOrg org(R"([[profiles]]
name = "Minimum Access - API Only Integrations"
record_types = { Task = ["Support_Task"] }
)");
  const std::string export_toml = "\n[export]\nas = \"task\"\n[export.call]\nrecord_type = \"Sales_Task\"\n";
  auto cli = run_crmsync("check --json --config " + org.write_config(export_toml));
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  json doc = json::parse(cli.output);
  ASSERT_EQ(doc["summary"]["errors"], 1) << cli.output;
  for (const auto& e : doc["findings"]) {
    if (e["severity"] != "error") continue;
    EXPECT_EQ(e["code"], "RECORD_TYPE_NOT_AVAILABLE");
    EXPECT_EQ(e["object"], "Task");
    EXPECT_EQ(e["field"], "Sales_Task");
    EXPECT_EQ(e["fix"],
              "add the record type Sales_Task to the Task record types assigned in the profile \"Minimum Access - API "
              "Only Integrations\" (or in a permission set assigned to integration@crmsync.test)");
  }
  // The record type the profile may use passes.
  auto fine = run_crmsync("check --config " + org.write_config("\n[export]\n[export.call]\nrecord_type = \"Support_Task\"\n"));
  EXPECT_EQ(fine.exit_code, 0) << fine.output;
}

// The Engage group needs Edit and Modify All on Contact, Lead, Account and Opportunity and View All
// on Campaign (CampaignMember follows it): everything is granted but Modify All on Contact.
TEST(CheckTest, EngageGroupWithoutModifyAllOnContactIsAnError) {
  CheckOrg org(integration_set(
      "objects = { Account = { edit = true, modify_all = true }, Lead = { edit = true, modify_all = true }, "
      "Opportunity = { edit = true, modify_all = true }, Contact = { edit = true }, Campaign = { view_all = true } }"));
  org.cfg().groups.engage = true;
  auto report = org.check();
  const Finding* f = find(report, "OBJECT_PERMISSION_MISSING", "Contact", "Modify All Records");
  ASSERT_NE(f, nullptr) << dump(report);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(f->fix, "grant Modify All Records on Contact " + kPlace);
  EXPECT_EQ(error_codes(report), std::vector<std::string>{"OBJECT_PERMISSION_MISSING Contact.Modify All Records"});
  EXPECT_EQ(find(report, "ENGAGE_OK"), nullptr) << dump(report);

  // Without the Engage group the same org is ready.
  org.cfg().groups.engage = false;
  EXPECT_TRUE(org.check().ok());
}

TEST(CheckTest, IntegrationLicenseWithoutApiIntegrationPermissionSetLicense) {
  CheckOrg org(R"([[users]]
username = "integration@crmsync.test"
remove_permission_set_licenses = ["SalesforceAPIIntegrationPsl"]
)");
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
  CheckOrg org(integration_set("objects = { Opportunity = { view_all = false } }"), 20);
  // What the integration user may see with Opportunity private: the records it or the users in the
  // roles below its own own or are on the opportunity team of, counted here as the admin from the
  // role hierarchy and the team rows.
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
  std::set<std::string> live, seen;
  for (const auto& o : org.records("SELECT Id FROM Opportunity")) live.insert(o["Id"].get<std::string>());
  for (const auto& o : org.records("SELECT Id FROM Opportunity WHERE OwnerId IN " + owners)) seen.insert(o["Id"].get<std::string>());
  for (const auto& t : org.records("SELECT OpportunityId FROM OpportunityTeamMember WHERE UserId IN " + owners)) {
    if (live.count(t["OpportunityId"].get<std::string>())) seen.insert(t["OpportunityId"].get<std::string>());
  }
  const auto visible = static_cast<std::int64_t>(seen.size());
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
  // API Enabled comes from the profile and the integration permission set: off in both (one
  // setting, granted twice).
  CheckOrg org(integration_set("permissions = { ApiEnabled = false }") + R"([[profiles]]
name = "Minimum Access - API Only Integrations"
permissions = { ApiEnabled = false }
)");

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
