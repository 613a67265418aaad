// Prints what the permission model costs a query: the same SOQL over Task and Account run with no
// visibility hooks, as the integration user (View All Records: Task rows checked through their
// What/Who parent) and as the integration user without View All Records on Account (role
// hierarchy and sharing checked per row), as a rep whom sharing rules, teams and manual shares reach
// (Opportunity), plus the cost of computing a user's effective access.
//   build/bench_emulator_permissions [scale]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "bench_util.h"
#include "common/text.h"
#include "emulator/access/access.h"
#include "emulator/emulator.h"
#include "emulator/org/org.h"
#include "emulator/soql/soql.h"

using namespace crmsync;
using namespace crmsync::emulator;
using crmsync::bench::best_ms;

namespace {
std::string user_id(const Database& db, const std::string& username) {
  const Table& users = *db.find("User");
  for (std::size_t r = 0; r < users.slot_count(); ++r) {
    if (iequals(std::get<std::string>(users.row(r)[*users.field_index("Username")]), username)) {
      return std::get<std::string>(users.row(r)[0]);
    }
  }
  return "";
}

void run(const char* label, const Database& db, const std::shared_ptr<const UserAccess>& access,
         std::initializer_list<const char*> queries = {"SELECT COUNT() FROM Task", "SELECT COUNT() FROM Account"}) {
  for (const char* soql : queries) {
    auto q = soql::parse(soql);
    std::size_t seen = 0;
    double ms = best_ms(3, [&] {
      auto r = access ? soql::execute(*q, db, query_options(access, db, false)) : soql::execute(*q, db, {});
      seen = r ? r->total_size : 0;
    });
    std::printf("%-40s %-28s %8zu rows %9.2f ms\n", label, soql, seen, ms);
  }
}
}  // namespace

int main(int argc, char** argv) {
  int scale = argc > 1 ? std::atoi(argv[1]) : 20000;
  auto db = generate_org({.seed = 42, .scale = scale});
  const std::string integration = user_id(*db, "integration@crmsync.test");
  std::printf("org scale %d: %zu Task rows, %zu Account rows\n", scale, db->find("Task")->slot_count(),
              db->find("Account")->slot_count());
  run("no permission hooks", *db, nullptr);
  double build = best_ms(3, [&] { UserAccess a(*db, integration, {}); });
  std::printf("effective access of the integration user computed in %.2f ms\n", build);
  run("integration user (View All Records)", *db, std::make_shared<UserAccess>(*db, integration, ProfileRecordTypes{}));

  auto file = parse_org_file("bench.toml",
                             "[[permission_sets]]\nname = \"crmsync_Integration\"\n"
                             "objects = { Account = { view_all = false }, Contact = { view_all = false }, "
                             "Opportunity = { view_all = false }, Lead = { view_all = false } }\n");
  OrgFileExtras extras;
  if (!file || !apply_org_file(*file, *db, extras)) return 1;
  run("integration user, no View All Records", *db, std::make_shared<UserAccess>(*db, integration, ProfileRecordTypes{}));

  // Sharing beyond the hierarchy: an EMEA rep reached by an owner-based rule, a criteria-based rule
  // (through a public group) and the generated opportunity teams.
  auto shared = parse_org_file("bench.toml", R"(
[[groups]]
name = "Deal Desk"
members = ["Role:Sales Rep, EMEA"]
[[sharing_rules]]
object = "Opportunity"
owned_by = "Role:Sales Rep, Americas"
shared_with = "Role:Sales Rep, EMEA"
[[sharing_rules]]
object = "Opportunity"
criteria = "Amount > 100000"
shared_with = "Group:Deal Desk"
access = "Edit"
[[users]]
username = "bench.rep@crmsync.test"
last_name = "Rep"
profile = "Standard User"
role = "Sales Rep, EMEA"
)");
  OrgFileExtras sharing;
  if (!shared || !apply_org_file(*shared, *db, sharing)) return 1;
  const std::string rep = user_id(*db, "bench.rep@crmsync.test");
  double rep_build = best_ms(3, [&] { UserAccess a(*db, rep, {}, sharing.sharing_rules); });
  std::printf("effective access of a rep with 2 sharing rules computed in %.2f ms\n", rep_build);
  run("rep without sharing rules", *db, std::make_shared<UserAccess>(*db, rep, ProfileRecordTypes{}),
      {"SELECT COUNT() FROM Opportunity"});
  run("rep with sharing rules", *db, std::make_shared<UserAccess>(*db, rep, ProfileRecordTypes{}, sharing.sharing_rules),
      {"SELECT COUNT() FROM Opportunity"});
  return 0;
}
