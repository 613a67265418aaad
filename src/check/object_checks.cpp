// Per enabled catalog object: Read, View All Records with visible against total record counts,
// field-level security of every selected field, and the selected fields' types.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "check/check_internal.h"
#include "common/text.h"

namespace crmsync::check {

namespace {

// Objects whose records are shared by owner, role hierarchy and org-wide defaults: the ones where
// View All Records decides whether the integration user sees every record. (Their child objects
// follow the parent's visibility.)
constexpr const char* kSharedObjects[] = {"Account", "Contact", "Lead", "Opportunity", "Task", "Event", "Campaign", "Case"};

std::string who(const UserAccess& a) { return a.username.empty() ? std::string("the integration user") : a.username; }

bool describe_has(const nlohmann::json& describe, std::string_view field) {
  if (!describe.contains("fields") || !describe["fields"].is_array()) return false;
  return std::any_of(describe["fields"].begin(), describe["fields"].end(),
                     [&](const nlohmann::json& f) { return iequals(detail::text(f, "name"), field); });
}

}  // namespace

std::vector<Finding> required_field_findings(const UserAccess& access, const nlohmann::json& describe,
                                             const catalog::AdminSelection& selection) {
  std::vector<Finding> out;
  auto sel = catalog::select_fields(describe, {selection.exclude, {}});
  if (!sel) return out;  // the caller's own select_fields reports a malformed describe or a bad exclude
  for (const auto& field : sel->missing_required) {
    out.push_back(Finding{sel->object, field, Severity::kError, "REQUIRED_FIELD_NOT_READABLE",
                          "The Required field " + sel->object + "." + field + " is not readable by " + who(access) +
                              " (field-level security hides it, or the org lacks it), so " + sel->object +
                              " cannot be synced.",
                          field_read_fix(access, sel->object, field)});
  }
  return out;
}

bool shares_records(std::string_view object) {
  // A custom object has an owner and sharing of its own (its org-wide default may be Private).
  if (object.size() > 3 && iequals(object.substr(object.size() - 3), "__c")) return true;
  return std::any_of(std::begin(kSharedObjects), std::end(kSharedObjects),
                     [&](const char* o) { return iequals(o, object); });
}

namespace detail {

namespace {

// /limits/recordCount: every record of the org, whoever may see it; -1 when not reported.
std::int64_t record_count(Context& ctx, const std::string& object) {
  auto counts = ctx.client.record_count({object});  // absent, refused or malformed: unknown
  if (!counts) return -1;
  for (const auto& c : *counts) {
    if (iequals(c.name, object)) return c.count;
  }
  return -1;
}

// Whether some permission set of the org names the object: the org has it.
Result<bool> org_has_object(Context& ctx, const std::string& object) {
  auto n = query_count(ctx.client, "SELECT COUNT() FROM ObjectPermissions WHERE SobjectType = " + soql_literal(object));
  if (!n) return n.error();
  return *n > 0;
}

// `deals`: an object of the deals and forecast group, which the group skips when the org lacks it;
// any other object (of the catalog, or beyond it) the configuration enables is an error to fix.
Status check_object_not_visible(Context& ctx, const std::string& name, bool deals) {
  if (ctx.access.setup_readable) {
    auto has = org_has_object(ctx, name);
    if (!has && !is_access_refusal(has.error())) return has.error();
    if (has && !*has) {
      const bool beyond = catalog::find_object(name) == nullptr;  // [objects.Invoice__c]: maybe a misspelt name
      ctx.add(name, "", deals ? Severity::kInfo : Severity::kError, "OBJECT_NOT_IN_ORG",
              "The org has no " + name + (deals ? ", so the deals and forecast group skips it." : "."),
              deals    ? ""
              : beyond ? "check the object's API name (`crmsync catalog --org` lists what the org offers), or remove [objects." +
                             name + "] from the configuration"
                       : "turn on the feature that provides " + name + " in Setup, or switch the object off with [objects." +
                             name + "] enabled = false");
      return ok_status();
    }
    if (has) {
      ctx.add(name, "", Severity::kError, "OBJECT_NOT_READABLE",
              who(ctx.access) + " cannot read " + name + ": it lacks the Read object permission.",
              object_permission_fix(ctx.access, "Read", name));
      return ok_status();
    }
  }
  // Without the setup objects an absent object may be missing from the org or unreadable: say both.
  ctx.add(name, "", deals ? Severity::kWarning : Severity::kError, "OBJECT_NOT_READABLE",
          who(ctx.access) + " does not see " + name + " in describeGlobal: either it lacks Read on " + name +
              " or the org does not have the object" + (deals ? " (then the deals and forecast group skips it)." : "."),
          object_permission_fix(ctx.access, "Read", name));
  return ok_status();
}

std::string counts_text(const std::string& object, std::int64_t visible, std::int64_t total) {
  if (total < 0) {
    return "it sees " + std::to_string(visible) + " " + object +
           " records; how many exist in all cannot be known as this user";
  }
  return "it sees " + std::to_string(visible) + " of the org's " + std::to_string(total) + " " + object +
         " records (" + std::to_string(std::max<std::int64_t>(0, total - visible)) +
         " hidden by the role hierarchy and sharing rules)";
}

// The objects activities relate to that an earlier check found unreadable: activities related only
// to their records stay hidden whatever else is granted, so the Task/Event finding names them.
std::vector<std::string> unreadable_parents(const Context& ctx) {
  std::vector<std::string> out;
  for (const auto& f : ctx.findings) {
    if (f.code != "OBJECT_NOT_READABLE") continue;
    for (const char* parent : {"Account", "Contact", "Lead", "Opportunity"}) {
      if (iequals(f.object, parent)) out.push_back(f.object);
    }
  }
  return out;
}

Status check_counts_only(Context& ctx, const std::string& object) {
  auto visible = query_count(ctx.client, "SELECT COUNT() FROM " + object);
  if (!visible) return visible.error();
  std::int64_t total = record_count(ctx, object);
  std::string counts = counts_text(object, *visible, total);
  std::string unreadable;
  for (const auto& p : unreadable_parents(ctx)) unreadable += (unreadable.empty() ? "" : ", ") + p;
  if (!unreadable.empty()) {
    counts += "; it cannot read " + unreadable + ", so the " + object + " records related only to those stay hidden";
  }
  if (total >= 0 && *visible >= total) {
    ctx.add(object, "", Severity::kInfo, "VIEW_ALL_OK", who(ctx.access) + " sees every " + object + " record (" +
                                                              std::to_string(total) + ").");
  } else {
    bool hidden = total >= 0;
    ctx.add(object, "", hidden ? Severity::kError : Severity::kWarning,
            hidden ? "VIEW_ALL_RECORDS_MISSING" : "VIEW_ALL_UNVERIFIED", who(ctx.access) + ": " + counts + ".",
            (unreadable.empty() ? std::string() : "grant Read on " + unreadable + " (see above); ") +
                "grant View All Records on the objects " + object + " records relate to (Account, Contact, Lead, "
                "Opportunity), or turn on \"View All Data\", " + grant_place(ctx.access));
  }
  return ok_status();
}

Status check_view_all(Context& ctx, const std::string& object, const ObjectGrant& grant) {
  if (!shares_records(object)) return ok_status();
  bool view_all = ctx.access.has("ViewAllData") || ctx.access.has("ModifyAllData") || grant.view_all || grant.modify_all;
  // Activities have no View All Records of their own: they follow the records they relate to, so
  // only the counts tell whether some are hidden.
  bool activity = iequals(object, "Task") || iequals(object, "Event");
  if (grant.known && activity && !view_all && !grant.any_row) return check_counts_only(ctx, object);
  if (grant.known && view_all) {
    ctx.add(object, "", Severity::kInfo, "VIEW_ALL_OK",
            who(ctx.access) + " sees every " + object + " record (" +
                (grant.view_all || grant.modify_all ? "View All Records" : "View All Data") + ").");
    return ok_status();
  }
  auto visible = query_count(ctx.client, "SELECT COUNT() FROM " + object);
  if (!visible) return visible.error();
  std::int64_t total = record_count(ctx, object);
  std::string counts = counts_text(object, *visible, total);
  if (!grant.known) {
    // Setup unreadable: only the counts speak.
    bool hidden = total >= 0 && *visible < total;
    ctx.add(object, "", hidden ? Severity::kError : Severity::kWarning, hidden ? "VIEW_ALL_RECORDS_MISSING" : "VIEW_ALL_UNVERIFIED",
            "View All Records on " + object + " could not be verified; " + counts + ".",
            object_permission_fix(ctx.access, "View All Records", object) + " (or turn on \"View All Data\")");
    return ok_status();
  }
  ctx.add(object, "", Severity::kError, "VIEW_ALL_RECORDS_MISSING",
          who(ctx.access) + " lacks View All Records on " + object + " (and View All Data): " + counts + ".",
          object_permission_fix(ctx.access, "View All Records", object) + " (or turn on \"View All Data\")");
  return ok_status();
}

void check_includes(Context& ctx, const std::string& object, const nlohmann::json& describe,
                    const catalog::AdminSelection& selection, std::size_t& problems) {
  for (const auto& field : selection.include) {
    if (!describe_has(describe, field)) {
      ++problems;
      ctx.add(object, field, Severity::kError, "EXTRA_FIELD_NOT_READABLE",
              "The extra field " + object + "." + field + " selected in [objects." + object + "] include is not readable by " +
                  who(ctx.access) + ": the org does not have it, or field-level security hides it.",
              field_read_fix(ctx.access, object, field) + ", or remove it from [objects." + object + "] include");
      continue;
    }
    auto one = catalog::select_fields(describe, {selection.exclude, {field}});
    if (one) continue;
    ++problems;
    const Error& e = one.error();
    if (e.code == "UNSUPPORTED_FIELD_TYPE" || e.code == "CAMPAIGN_REFERENCE") {
      ctx.add(object, field, Severity::kError, "FIELD_TYPE_UNSUPPORTED", e.message,
              "remove " + field + " from [objects." + object + "] include");
    } else {
      ctx.add(object, field, Severity::kError, "FIELD_SELECTION_INVALID", e.message,
              "correct [objects." + object + "] in the configuration");
    }
  }
}

// Describe already omits fields hidden by field-level security; the user's FieldPermissions rows
// say the same from the setup side. A permissionable field none of the user's sets grants Read on
// is taken out too, so the two sources can only add up (objects without any row are left to describe).
Status drop_fields_without_read(Context& ctx, const std::string& object, nlohmann::json& describe) {
  if (!ctx.access.setup_readable || !describe.contains("fields") || !describe["fields"].is_array()) return ok_status();
  auto rows = query_records(ctx.client, "SELECT Field, PermissionsRead FROM FieldPermissions WHERE ParentId IN " +
                                            soql_in_list(ctx.access.permission_set_ids) +
                                            " AND SobjectType = " + soql_literal(object));
  if (!rows) return is_access_refusal(rows.error()) ? ok_status() : Status(rows.error());
  if (rows->empty() || ctx.access.has("ViewAllData") || ctx.access.has("ModifyAllData")) return ok_status();
  std::vector<std::string> readable;
  for (const auto& r : *rows) {
    if (!flag(r, "PermissionsRead")) continue;
    std::string qualified = text(r, "Field");
    auto dot = qualified.find('.');
    readable.push_back(dot == std::string::npos ? qualified : qualified.substr(dot + 1));
  }
  nlohmann::json kept = nlohmann::json::array();
  for (auto& f : describe["fields"]) {
    bool permissionable = flag(f, "permissionable");
    std::string name = text(f, "name");
    bool granted = std::any_of(readable.begin(), readable.end(), [&](const std::string& r) { return iequals(r, name); });
    if (!permissionable || granted) kept.push_back(std::move(f));
  }
  describe["fields"] = std::move(kept);
  return ok_status();
}

Status check_fields(Context& ctx, const std::string& object) {
  auto describe = ctx.client.describe(object);
  if (describe) CRMSYNC_TRY(drop_fields_without_read(ctx, object, *describe));
  if (!describe) {
    if (!is_access_refusal(describe.error())) return describe.error();
    ctx.add(object, "", Severity::kError, "OBJECT_NOT_READABLE",
            "describe " + object + " was refused: " + describe.error().to_string(),
            object_permission_fix(ctx.access, "Read", object));
    return ok_status();
  }
  catalog::AdminSelection selection = ctx.cfg.selection_for(object);
  auto sel = catalog::select_fields(*describe, {selection.exclude, {}});
  if (!sel) {
    ctx.add(object, "", Severity::kError, "FIELD_SELECTION_INVALID", sel.error().message,
            "correct [objects." + object + "] exclude in the configuration");
    return ok_status();
  }
  std::size_t problems = 0;
  for (auto& f : required_field_findings(ctx.access, *describe, selection)) {
    ++problems;
    ctx.findings.push_back(std::move(f));
  }
  for (const auto& field : sel->missing_recommended) {
    ++problems;
    ctx.add(object, field, Severity::kWarning, "RECOMMENDED_FIELD_NOT_READABLE",
            "The Recommended field " + object + "." + field + " is not readable by " + who(ctx.access) +
                " (field-level security hides it, or the org lacks it); the sync skips it.",
            field_read_fix(ctx.access, object, field) + ", or deselect it with [objects." + object + "] exclude");
  }
  for (const auto& e : sel->unsupported_recommended) {
    ++problems;
    ctx.add(object, "", Severity::kWarning, "FIELD_TYPE_UNSUPPORTED", e.message + " The sync skips it.", "");
  }
  check_includes(ctx, object, *describe, selection, problems);
  if (sel->discovered && !sel->unsupported_discovered.empty()) {
    // Beyond the catalog every field of a supported type is synced; the rest is worth knowing.
    std::string names;
    for (const auto& e : sel->unsupported_discovered) names += (names.empty() ? "" : "; ") + e.message;
    ctx.add(object, "", Severity::kInfo, "FIELDS_SKIPPED",
            std::to_string(sel->unsupported_discovered.size()) + " field(s) of " + object +
                " are of types the sync does not store and are skipped: " + names);
  }
  if (problems == 0) {
    // Counted as the sync selects them: with `include`, which beyond the catalog names the only fields.
    auto synced = catalog::select_fields(*describe, selection);
    const std::size_t count = synced ? synced->fields.size() : sel->fields.size() + selection.include.size();
    ctx.add(object, "", Severity::kInfo, "FIELDS_OK",
            "All " + std::to_string(count) + " selected fields of " + object +
                " are readable and of supported types.");
  }
  return ok_status();
}

}  // namespace

Status check_objects(Context& ctx) {
  std::vector<std::string> names = ctx.cfg.enabled_objects();
  for (const auto& name : ctx.cfg.synced_objects()) {
    if (catalog::find_object(name) == nullptr) names.push_back(name);
  }
  for (const auto& name : names) {
    // An object beyond the catalog ([objects.Case], [objects.Invoice__c]) is checked as the sync
    // reads it: under the configuration's spelling, its fields discovered from describe.
    const catalog::CatalogObject* object = catalog::find_object(name);
    const std::string object_name = object != nullptr ? object->name : name;
    if (!ctx.sees_object(object_name)) {
      CRMSYNC_TRY(check_object_not_visible(ctx, object_name, object != nullptr && object->group == catalog::Group::kDeals));
      continue;
    }
    auto grant = ctx.grant_for(object_name);
    if (!grant) return grant.error();
    // The setup side agrees with describeGlobal in Salesforce; where the user's sets name the
    // object without Read (and no View All Data / Modify All Data), the object is not readable.
    if (grant->any_row && !grant->read && !ctx.access.has("ViewAllData") && !ctx.access.has("ModifyAllData")) {
      ctx.add(object_name, "", Severity::kError, "OBJECT_NOT_READABLE",
              who(ctx.access) + " cannot read " + object_name + ": it lacks the Read object permission.",
              object_permission_fix(ctx.access, "Read", object_name));
      continue;
    }
    ctx.add(object_name, "", Severity::kInfo, "OBJECT_READABLE", who(ctx.access) + " can read " + object_name + ".");
    CRMSYNC_TRY(check_view_all(ctx, object_name, *grant));
    CRMSYNC_TRY(check_fields(ctx, object_name));
  }
  return ok_status();
}

}  // namespace detail

Result<std::vector<Finding>> record_visibility(salesforce::Client& client, const UserAccess& access,
                                               const std::vector<std::string>& objects) {
  const config::Config no_config;  // the visibility checks read neither
  const CheckOptions no_options;
  detail::Context ctx{client, no_config, no_options, access, {}, {}, {}, false};
  for (const auto& object : objects) {
    if (!shares_records(object)) continue;
    auto grant = ctx.grant_for(object);
    if (!grant) return grant.error();
    CRMSYNC_TRY(detail::check_view_all(ctx, object, *grant));
  }
  return std::move(ctx.findings);
}

}  // namespace crmsync::check
