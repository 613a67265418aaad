// Checks beyond single objects: the activity export's permissions, the Engage group's, the user's
// currency in a multi-currency org, and the API budget.
#include <nlohmann/json.hpp>

#include "check/check_internal.h"
#include "common/sfid.h"
#include "common/text.h"
#include "salesforce/json_members.h"

namespace crmsync::check::detail {

namespace {

std::string who(const UserAccess& a) { return a.username.empty() ? std::string("the integration user") : a.username; }

struct SystemPermission {
  const char* name;   // PermissionSet field without "Permissions"
  const char* label;  // as Setup shows it
};

// The record types the export uses that the user's profile may not use.
Status check_record_types(Context& ctx, const std::string& object, const std::vector<std::string>& wanted,
                          Severity severity, std::size_t& problems) {
  if (wanted.empty()) return ok_status();
  auto describe = ctx.client.describe(object);
  if (!describe) return is_access_refusal(describe.error()) ? ok_status() : Status(describe.error());
  for (const auto& name : wanted) {
    bool available = false;
    if (describe->contains("recordTypeInfos") && (*describe)["recordTypeInfos"].is_array()) {
      for (const auto& rt : (*describe)["recordTypeInfos"]) {
        const std::string id = text(rt, "recordTypeId");
        if ((iequals(text(rt, "developerName"), name) || iequals(text(rt, "name"), name) || same_sf_id(id, name)) &&
            flag(rt, "available")) {
          available = true;
        }
      }
    }
    if (available) continue;
    ++problems;
    std::string profile = ctx.access.profile_name.empty() ? "its profile" : "the profile \"" + ctx.access.profile_name + "\"";
    ctx.add(object, name, severity, "RECORD_TYPE_NOT_AVAILABLE",
            "The " + object + " record type " + name + " the export uses is not available to " + who(ctx.access) + ".",
            "add the record type " + name + " to the " + object + " record types assigned in " + profile +
                " (or in a permission set assigned to " + who(ctx.access) + ")");
  }
  return ok_status();
}

}  // namespace

Status check_activity_export(Context& ctx) {
  const bool configured = ctx.options.activity_export.has_value();
  const Severity severity = configured ? Severity::kError : Severity::kInfo;
  const ActivityExport as = configured ? *ctx.options.activity_export : ActivityExport{};
  const std::string object = iequals(as.as, "event") ? "Event" : "Task";
  const std::string note = configured ? "" : " (only if you use crmsync export)";
  std::size_t problems = 0;

  auto grant = ctx.grant_for(object);
  if (!grant) return grant.error();
  if (grant->known) {
    // Salesforce has no ObjectPermissions rows for Task and Event (Edit Tasks / Edit Events govern
    // them); where an org does have them, they count too.
    for (auto [has, permission] : {std::pair{grant->create, "Create"}, std::pair{grant->edit, "Edit"}}) {
      if (has || !grant->any_row) continue;
      ++problems;
      ctx.add(object, permission, severity, "OBJECT_PERMISSION_MISSING",
              who(ctx.access) + " lacks " + permission + " on " + object + ", which the activity export needs" + note + ".",
              object_permission_fix(ctx.access, permission, object));
    }
    const SystemPermission perms[] = {{"ActivitiesAccess", "Access Activities"},
                                      {object == "Task" ? "EditTask" : "EditEvent",
                                       object == "Task" ? "Edit Tasks" : "Edit Events"},
                                      {"ViewAllUsers", "View All Users"}};
    for (const auto& p : perms) {
      if (ctx.access.has(p.name)) continue;
      ++problems;
      ctx.add(object, std::string("Permissions") + p.name, severity, "SYSTEM_PERMISSION_MISSING",
              who(ctx.access) + " lacks the system permission \"" + p.label + "\", which the activity export needs" +
                  note + ".",
              system_permission_fix(ctx.access, p.label));
    }
  } else {
    ctx.add(object, "", Severity::kWarning, "ACTIVITY_EXPORT_UNVERIFIED",
            "The activity export's permissions (Create and Edit on " + object +
                ", Access Activities, Edit Tasks, Edit Events, View All Users) cannot be verified without the setup "
                "objects" + note + ".",
            system_permission_fix(ctx.access, "View Setup and Configuration"));
    return ok_status();
  }
  CRMSYNC_TRY(check_record_types(ctx, object, as.record_types, severity, problems));
  if (problems == 0) {
    ctx.add(object, "", Severity::kInfo, "ACTIVITY_EXPORT_OK",
            who(ctx.access) + " has what the activity export to " + object + " needs" + note + ".");
  }
  return ok_status();
}

Status check_engage(Context& ctx) {
  if (!ctx.cfg.groups.engage) return ok_status();
  std::size_t problems = 0;
  bool all_data = ctx.access.has("ModifyAllData");
  for (const char* object : {"Contact", "Lead", "Account", "Opportunity"}) {
    auto g = ctx.grant_for(object);
    if (!g) return g.error();
    if (!g->known) break;
    for (auto [has, permission] : {std::pair{g->edit || all_data, "Edit"},
                                   std::pair{g->modify_all || all_data, "Modify All Records"}}) {
      if (has) continue;
      ++problems;
      ctx.add(object, permission, Severity::kError, "OBJECT_PERMISSION_MISSING",
              who(ctx.access) + " lacks " + permission + " on " + object + ", which the Engage group needs.",
              object_permission_fix(ctx.access, permission, object));
    }
  }
  for (const char* object : {"Campaign", "CampaignMember"}) {
    // CampaignMember has no object permissions of its own in Salesforce: it follows Campaign's,
    // unless the org's sets name it.
    auto g = ctx.grant_for(object);
    if (g && g->known && !g->any_row && std::string_view(object) == "CampaignMember") g = ctx.grant_for("Campaign");
    if (!g) return g.error();
    if (!g->known) break;
    if (g->view_all || g->modify_all || ctx.access.has("ViewAllData") || all_data) continue;
    ++problems;
    ctx.add(object, "View All Records", Severity::kError, "OBJECT_PERMISSION_MISSING",
            who(ctx.access) + " lacks View All Records on " + std::string(object) + ", which the Engage group needs.",
            object_permission_fix(ctx.access, "View All Records", object));
  }
  if (!ctx.access.setup_readable) {
    ctx.add("", "", Severity::kWarning, "ENGAGE_UNVERIFIED",
            "The Engage group's permissions (Edit and Modify All on Contact, Lead, Account, Opportunity; View All on "
            "Campaign and CampaignMember) cannot be verified without the setup objects.",
            system_permission_fix(ctx.access, "View Setup and Configuration"));
  } else if (problems == 0) {
    ctx.add("", "", Severity::kInfo, "ENGAGE_OK", who(ctx.access) + " has what the Engage group needs.");
  }
  return ok_status();
}

Status check_currency(Context& ctx) {
  auto users = query_records(ctx.client, "SELECT DefaultCurrencyIsoCode FROM User WHERE Id = " +
                                             soql_literal(ctx.access.user_id));
  if (!users) {
    // A single-currency org has no DefaultCurrencyIsoCode: nothing to check.
    if (users.error().code == "INVALID_FIELD") return ok_status();
    return is_access_refusal(users.error()) ? ok_status() : Status(users.error());
  }
  std::string mine = users->empty() ? "" : text(users->front(), "DefaultCurrencyIsoCode");
  auto corporate = query_records(ctx.client, "SELECT IsoCode FROM CurrencyType WHERE IsCorporate = true");
  if (!corporate || corporate->empty()) {
    if (!corporate && !is_access_refusal(corporate.error())) return corporate.error();
    ctx.add("User", "DefaultCurrencyIsoCode", Severity::kWarning, "CURRENCY_UNVERIFIED",
            "The org uses multiple currencies, but its corporate currency cannot be read (CurrencyType), so whether " +
                who(ctx.access) + "'s currency " + mine + " matches it is unknown.",
            "make sure " + who(ctx.access) + "'s Currency (Setup > Users) is the corporate currency");
    return ok_status();
  }
  std::string corp = text(corporate->front(), "IsoCode");
  if (iequals(mine, corp)) {
    ctx.add("User", "DefaultCurrencyIsoCode", Severity::kInfo, "CURRENCY_OK",
            who(ctx.access) + "'s currency is the corporate currency " + corp + ".");
  } else {
    ctx.add("User", "DefaultCurrencyIsoCode", Severity::kError, "CURRENCY_MISMATCH",
            who(ctx.access) + "'s currency is " + mine + ", not the corporate currency " + corp +
                "; amounts would be read converted to " + mine + ".",
            "set the Currency of " + who(ctx.access) + " to " + corp + " in Setup > Users");
  }
  return ok_status();
}

Status check_budget(Context& ctx) {
  const std::string base = "/services/data/v" + ctx.client.api_version();
  std::int64_t max = -1, remaining = -1;
  auto limits = ctx.client.get_json(base + "/limits");
  if (limits) {
    // A member missing or of another type reads as unknown: Sforce-Limit-Info is asked instead.
    auto d = salesforce::JsonMembers(*limits, "/limits").object("DailyApiRequests");
    if (d) {
      salesforce::JsonMembers daily(**d, "/limits DailyApiRequests");
      auto read_max = daily.integer("Max"), read_remaining = daily.integer("Remaining");
      if (read_max && read_remaining) max = *read_max, remaining = *read_remaining;
    }
  } else if (!is_access_refusal(limits.error())) {
    return limits.error();
  }
  std::string source = "/limits";
  if (max < 0) {
    salesforce::LimitInfo l = ctx.client.limits();  // Sforce-Limit-Info of the last answer
    if (l.known()) {
      max = l.max;
      remaining = l.max - l.used;
      source = "the Sforce-Limit-Info header";
    }
  }
  if (max < 0) {
    ctx.add("", "DailyApiRequests", Severity::kWarning, "API_BUDGET",
            "The org's daily API request limit could not be read (neither /limits nor Sforce-Limit-Info).");
  } else {
    ctx.add("", "DailyApiRequests", Severity::kInfo, "API_BUDGET",
            "Daily API requests: " + std::to_string(remaining) + " of " + std::to_string(max) + " remain (from " +
                source + ").");
    if (static_cast<double>(remaining) < ctx.options.low_budget_fraction * static_cast<double>(max)) {
      ctx.add("", "DailyApiRequests", Severity::kWarning, "API_BUDGET_LOW",
              "Only " + std::to_string(remaining) + " of the org's " + std::to_string(max) +
                  " daily API requests remain; a full sync may stop at the limit.",
              "run the first sync after the 24-hour window resets, or ask Salesforce for a higher limit");
    }
  }
  auto jobs = ctx.client.get_json(base + "/jobs/query");
  if (jobs) {
    ctx.add("", "", Severity::kInfo, "BULK_API_OK", "Bulk API 2.0 query jobs are available to " + who(ctx.access) + ".");
  } else if (is_access_refusal(jobs.error()) || jobs.error().kind == ErrorKind::kSalesforce) {
    ctx.add("", "", Severity::kWarning, "BULK_API_UNAVAILABLE",
            "Bulk API 2.0 query jobs are not available to " + who(ctx.access) + " (" + jobs.error().to_string() +
                "); large objects are read with REST queries, which costs more API requests.",
            "make sure the org's edition includes the Bulk API and " + who(ctx.access) + " has \"API Enabled\"");
  } else {
    return jobs.error();
  }
  return ok_status();
}

}  // namespace crmsync::check::detail
