// `crmsync catalog [--json]`: prints the field catalog (docs/catalog.md as the code holds it): per
// group and object the fields with their marks and standard types, the bookkeeping rule, and the
// type table (describe type -> catalog type -> SQLite / PostgreSQL storage, or why unsupported).
// --json prints the same as one JSON object; its shape is documented in docs/catalog.md
// ("crmsync catalog --json"), which catalog_json() keeps to (keys are only ever added).
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/command.h"

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

Registrar reg("catalog", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("catalog", "Print the field catalog: objects, fields, marks and type rules");
  static bool as_json = false;
  cmd->add_flag("--json", as_json, "Print the catalog as JSON (its shape is in docs/catalog.md)");
  cmd->callback([] {
    if (as_json) {
      std::cout << catalog_json().dump(2) << "\n";
    } else {
      print_objects(std::cout);
      print_types(std::cout);
    }
  });
  document(cmd, {.examples = {"crmsync catalog", "crmsync catalog --json | jq '.objects[].name'"},
                 .exit_codes = {{0, "printed"}}});
});

}  // namespace
}  // namespace crmsync::cli
