// `crmsync catalog [--json]`: prints the field catalog (docs/catalog.md as the code holds it): per
// group and object the fields with their marks and standard types, the bookkeeping rule, and the
// type table (describe type -> catalog type -> SQLite / PostgreSQL storage, or why unsupported).
// --json prints the same as one JSON object; its shape is documented in docs/catalog.md
// ("crmsync catalog --json"), which catalog_json() keeps to (keys are only ever added).
// `crmsync catalog --org --config FILE [--json]` logs in and lists what the org offers (sync::org_offer):
// describeGlobal's queryable, replicable objects, which of them the catalog or the configuration
// covers, and their fields' support per describe type. Exit codes: 0 printed, 1 the configuration,
// the login or describeGlobal failed, 2 the command line was wrong.
#include <algorithm>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/command.h"
#include "cli/report.h"
#include "config/config.h"
#include "sync/sync.h"

namespace crmsync::cli {
namespace {

using nlohmann::json;
namespace cat = crmsync::catalog;

constexpr cat::Group kGroups[] = {cat::Group::kCore, cat::Group::kDeals, cat::Group::kEngage, cat::Group::kBoards};

// The page's objects, then what the boards import beyond it (docs/decisions.md).
std::vector<const cat::CatalogObject*> all_objects() {
  std::vector<const cat::CatalogObject*> out;
  for (const auto& o : cat::objects()) out.push_back(&o);
  for (const auto& o : cat::board_objects()) out.push_back(&o);
  return out;
}

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json catalog_json() {
  json out;
  out["groups"] = json::array();
  for (auto g : kGroups) {
    out["groups"].push_back({{"name", cat::to_string(g)}, {"title", cat::title(g)}, {"availability", cat::availability(g)}});
  }
  json candidates = json::array();
  for (auto c : cat::kModstampCandidates) candidates.push_back(std::string(c));
  out["bookkeeping"] = {{"fields", {"Id", "IsDeleted"}}, {"modstamp_candidates", candidates}};
  out["objects"] = json::array();
  for (const cat::CatalogObject* object : all_objects()) {
    const cat::CatalogObject& o = *object;
    json fields = json::array();
    for (const auto& f : o.fields) {
      fields.push_back({{"name", f.name},
                        {"mark", cat::to_string(f.mark)},
                        {"type", cat::to_string(f.type)},
                        {"storage", cat::to_string(cat::storage_of(f.type))},
                        {"note", text_or_null(f.note)}});
    }
    out["objects"].push_back({{"name", o.name},
                              {"label", o.label},
                              {"group", cat::to_string(o.group)},
                              {"often_hard_deleted", o.often_hard_deleted},
                              {"fields", fields},
                              {"board_fields", o.board_fields}});
  }
  out["types"] = json::array();
  for (const auto& t : cat::type_rules()) {
    out["types"].push_back({{"describe_type", t.describe_type},
                            {"catalog_type", text_or_null(t.catalog_type)},
                            {"sqlite", text_or_null(t.sqlite)},
                            {"postgresql", text_or_null(t.postgresql)},
                            {"supported", t.supported},
                            {"note", text_or_null(t.note)}});
  }
  return out;
}

void print_objects(std::ostream& os) {
  for (auto g : kGroups) {
    os << fmt::format("{} ({})\n", cat::title(g), cat::availability(g));
    for (const cat::CatalogObject* object : all_objects()) {
      const cat::CatalogObject& o = *object;
      if (o.group != g) continue;
      os << "  " << o.name;
      if (o.label != o.name) os << " (\"" << o.label << "\")";
      if (o.often_hard_deleted) os << "  [rows often hard-deleted]";
      os << "\n";
      for (const auto& f : o.fields) {
        os << fmt::format("    {:<24} {:<12} {}", f.name, cat::to_string(f.mark), cat::to_string(f.type));
        if (!f.note.empty()) os << "  -- " << f.note;
        os << "\n";
      }
      for (const auto& f : o.board_fields) os << fmt::format("    {:<24} {:<12} (where the org has it)\n", f, "board");
    }
    os << "\n";
  }
  os << "Bookkeeping (always selected where the object has them): Id, IsDeleted, SystemModstamp (else "
        "LastModifiedDate, else CreatedDate)\n"
        "Marks: required = cannot be deselected, unreadable stops the object; recommended = selected by "
        "default, may be excluded; any other supported field may be included.\n\n";
}

void print_types(std::ostream& os) {
  os << "Field types\n";
  os << fmt::format("  {:<40} {:<32} {:<45} {}\n", "describe type", "catalog type", "SQLite", "PostgreSQL");
  for (const auto& t : cat::type_rules()) {
    if (!t.supported) {
      os << fmt::format("  {}: unsupported; {}\n", t.describe_type, t.note);
      continue;
    }
    os << fmt::format("  {:<40} {:<32} {:<45} {}", t.describe_type, t.catalog_type, t.sqlite, t.postgresql);
    if (!t.note.empty()) os << "  -- " << t.note;
    os << "\n";
  }
  os << "Formula fields are classified by their result type and refreshed on a schedule of their own.\n";
}

// ---- crmsync catalog --org: what the org offers -------------------------------------------------

// "string 12, picklist 3" for the fields of one kind (supported or not), by describe type.
std::string types_summary(const std::vector<sync::OfferedField>& fields, bool supported, bool with_names) {
  std::map<std::string, std::vector<std::string>> by_type;
  for (const auto& f : fields) {
    if (f.supported == supported) by_type[f.describe_type].push_back(f.name);
  }
  std::string out;
  for (const auto& [type, names] : by_type) {
    out += (out.empty() ? "" : ", ") + type + " " + std::to_string(names.size());
    if (!with_names) continue;
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    out += " (" + list + ")";
  }
  return out;
}

std::string where_in_crmsync(const sync::OfferedObject& o) {
  std::string where = o.catalog_group.empty() ? "beyond the catalog" : "catalog, " + o.catalog_group;
  return where + (o.synced ? "; synced" : "");
}

void print_org_offer(const sync::OrgOffer& offer, const std::string& user, std::ostream& os) {
  os << user << " sees " << offer.objects.size() << " objects it can query and replicate";
  if (offer.left_out > 0) os << " (" << offer.left_out << " more it cannot replicate are left out)";
  os << "; " << offer.api_calls << " API calls\n\n";
  os << fmt::format("{:<32} {:<34} {:<28} {}\n", "object", "label", "crmsync", "fields supported");
  for (const auto& o : offer.objects) {
    std::size_t supported = std::count_if(o.fields.begin(), o.fields.end(), [](const auto& f) { return f.supported; });
    std::string fields = o.describe_error.empty()
                             ? std::to_string(supported) + " of " + std::to_string(o.fields.size())
                             : "describe failed";
    os << fmt::format("{:<32} {:<34} {:<28} {}\n", o.name, o.label, where_in_crmsync(o), fields);
  }
  os << "\nFields per describe type (an object beyond the catalog syncs every supported field, or those its "
        "[objects.X] include names):\n";
  for (const auto& o : offer.objects) {
    os << "  " << o.name << (o.custom ? " (custom)" : "") << "\n";
    if (!o.describe_error.empty()) {
      os << "    describe failed: " << o.describe_error << "\n";
      continue;
    }
    os << "    supported:   " << types_summary(o.fields, true, false) << "\n";
    if (std::string unsupported = types_summary(o.fields, false, true); !unsupported.empty()) {
      os << "    unsupported: " << unsupported << "\n";
    }
    if (o.modstamp_field.empty()) os << "    no SystemModstamp, LastModifiedDate or CreatedDate: each sync reads it whole\n";
  }
  os << "\n`crmsync catalog` says why each unsupported type is; [objects.<Object>] in the configuration syncs an "
        "object beyond the catalog.\n";
}

json org_offer_json(const sync::OrgOffer& offer, const std::string& user) {
  json objects = json::array();
  for (const auto& o : offer.objects) {
    json fields = json::array();
    for (const auto& f : o.fields) {
      fields.push_back({{"name", f.name},
                        {"type", f.describe_type},
                        {"supported", f.supported},
                        {"catalog_type", text_or_null(f.catalog_type)},
                        {"reason", text_or_null(f.reason)}});
    }
    objects.push_back({{"name", o.name},
                       {"label", o.label},
                       {"custom", o.custom},
                       {"catalog_group", text_or_null(o.catalog_group)},
                       {"synced", o.synced},
                       {"modstamp_field", text_or_null(o.modstamp_field)},
                       {"describe_error", text_or_null(o.describe_error)},
                       {"fields", fields}});
  }
  return {{"user", user}, {"left_out", offer.left_out}, {"api_calls", offer.api_calls}, {"objects", objects}};
}

// Logs in as the configured integration user and lists what its org offers.
int run_org_catalog(const std::string& config_path, bool as_json) {
  auto cfg = config::load_config(config_path);
  if (!cfg) {
    print_error("", cfg.error());
    return 1;
  }
  ProgressPrinter progress;
  auto connect = config::connect_options(*cfg);
  show_retries(connect.on_retry, progress, as_json);
  auto client = salesforce::Client::connect(connect);
  if (!client) {
    print_error("cannot log in to Salesforce", client.error());
    return 1;
  }
  auto offer = sync::org_offer(**client, *cfg);
  progress.finish();
  if (!offer) {
    print_error("cannot read what the org offers", offer.error());
    return 1;
  }
  const std::string user = cfg->salesforce.username.empty() ? "the integration user" : cfg->salesforce.username;
  if (as_json) {
    std::cout << org_offer_json(*offer, user).dump(2) << "\n";
  } else {
    print_org_offer(*offer, user, std::cout);
  }
  return 0;
}

struct CatalogArgs {
  bool json = false;
  bool org = false;
  std::string config_path = "crmsync.toml";
};

Registrar reg("catalog", [](CLI::App& app) {
  auto args = std::make_shared<CatalogArgs>();
  auto* cmd = app.add_subcommand("catalog", "Print the field catalog: objects, fields, marks and type rules");
  cmd->add_flag("--json", args->json, "Print the catalog as JSON (its shape is in docs/catalog.md)");
  cmd->add_flag("--org", args->org,
                "Log in and list what the org offers (describeGlobal's queryable, replicable objects) and which of "
                "it crmsync supports, field types included");
  add_config_option(cmd, args->config_path);  // --org logs in with it
  cmd->callback([args] {
    if (args->org) {
      exit_code() = run_org_catalog(args->config_path, args->json);
    } else if (args->json) {
      std::cout << catalog_json().dump(2) << "\n";
    } else {
      print_objects(std::cout);
      print_types(std::cout);
    }
  });
  document(cmd, {.examples = {"crmsync catalog", "crmsync catalog --json | jq '.objects[].name'",
                              "crmsync catalog --org --config crmsync.toml   # what the org offers beyond the catalog"},
                 .exit_codes = {{0, "printed"},
                                {1, "--org: the configuration, the login or describeGlobal failed"},
                                {2, "the command line was wrong"}}});
});

}  // namespace
}  // namespace crmsync::cli
