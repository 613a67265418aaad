// What child-to-parent relationship paths cost in the emulator: a 2,000-record Contact page with
// and without `Account.Name, Account.Owner.Email` (executor + JSON), a WHERE on a parent field
// (a full scan that follows the lookup of every row), a polymorphic `What.Name` on Task and the
// same page with `TYPEOF What`, and the same page as Bulk CSV and as Bulk 1.0 XML. The plain
// statement's figures show that paths cost nothing when absent.
// Then the parent-to-child side: an Account page with a Contacts subquery, an aggregate over
// Opportunities (GROUP BY, COUNT, SUM) and a semi-join.
//   build/bench_emulator_relationships [scale]     (default 5000)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_util.h"
#include "emulator/emulator.h"
#include "emulator/soql/soql.h"
#include "emulator/wire/wire.h"

using namespace crmsync;
using namespace crmsync::emulator;
using crmsync::bench::best_ms;

namespace {

// Executes `soql` and writes its first 2,000 records as a REST page; returns the rows matched.
std::size_t page(const Database& db, const std::string& soql, std::string& out) {
  auto q = soql::parse(soql);
  if (!q) {
    std::fprintf(stderr, "%s\n", q.error().to_string().c_str());
    std::exit(1);
  }
  auto r = soql::execute(*q, db, {});
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
    std::exit(1);
  }
  std::vector<std::size_t> columns;
  for (const auto& c : r->columns) columns.push_back(c.field_index);
  out.clear();
  if (r->aggregate) {
    for (std::size_t i = 0; i < r->aggregate->rows.size(); ++i) append_aggregate_record(out, *r->aggregate, i);
    return r->aggregate->rows.size();
  }
  const std::size_t n = std::min<std::size_t>(2000, r->rows.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (r->children) {
      append_result_record(out, *r, "62.0", i);
    } else if (r->paths) {
      append_record_with_paths(out, *r->table, "62.0", r->table->row(r->rows[i]), *r->paths, i);
    } else {
      append_record(out, *r->table, "62.0", r->table->row(r->rows[i]), columns);
    }
  }
  return r->rows.size();
}

}  // namespace

int main(int argc, char** argv) {
  const int scale = argc > 1 ? std::atoi(argv[1]) : 5000;
  Emulator emu({.port = 0, .org = {.seed = 42, .scale = scale}});
  const Database& db = emu.database();
  std::printf("org scale %d: %zu Contacts, %zu Tasks\n", scale, db.find("Contact")->slot_count(),
              db.find("Task")->slot_count());
  std::string out;
  std::size_t rows = 0;
  auto run = [&](const char* label, const std::string& soql) {
    const double ms = best_ms(5, [&] { rows = page(db, soql, out); });
    std::printf("%-58s %8.2f ms  (%zu rows matched, page %zu bytes)\n", label, ms, rows, out.size());
  };
  run("Contact page, plain fields (LIMIT 2000)",
      "SELECT Id, LastName, Email, AccountId, OwnerId FROM Contact LIMIT 2000");
  run("Contact page, + Account.Name, Account.Owner.Email",
      "SELECT Id, LastName, Email, Account.Name, Account.Owner.Email FROM Contact LIMIT 2000");
  run("WHERE on a parent field (full scan)", "SELECT Id FROM Contact WHERE Account.Industry = 'Energy'");
  run("Task page, + What.Name, Who.Name (polymorphic)", "SELECT Id, Subject, What.Name, Who.Name FROM Task LIMIT 2000");
  run("Task page, + TYPEOF What (Account, Opportunity, ELSE)",
      "SELECT Id, Subject, TYPEOF What WHEN Account THEN Name, Industry WHEN Opportunity THEN Name, Amount ELSE Name "
      "END FROM Task LIMIT 2000");

  run("Account page, + (SELECT Id, LastName FROM Contacts)",
      "SELECT Id, Name, (SELECT Id, LastName FROM Contacts) FROM Account LIMIT 2000");
  run("Opportunity GROUP BY StageName, COUNT(Id), SUM(Amount)",
      "SELECT StageName, COUNT(Id), SUM(Amount) FROM Opportunity GROUP BY StageName");
  run("Semi-join: Accounts IN (SELECT AccountId FROM Opportunity)",
      "SELECT Id, Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity) LIMIT 2000");

  auto q = soql::parse("SELECT Id, LastName, Account.Name, Account.Owner.Email FROM Contact LIMIT 2000");
  auto r = soql::execute(*q, db, {});
  const double csv = best_ms(5, [&] {
    out.clear();
    append_csv_header_with_paths(out, *r->paths, ',', "\n");
    for (std::size_t i = 0; i < r->rows.size(); ++i) {
      append_csv_record_with_paths(out, *r->table, r->table->row(r->rows[i]), *r->paths, i, ',', "\n");
    }
  });
  std::printf("%-58s %8.2f ms  (%zu bytes)\n", "Bulk CSV of the 2,000-record page with paths", csv, out.size());
  const double xml = best_ms(5, [&] {
    out.clear();
    for (std::size_t i = 0; i < r->rows.size(); ++i) {
      append_xml_record_with_paths(out, *r->table, r->table->row(r->rows[i]), *r->paths, i);
    }
  });
  std::printf("%-58s %8.2f ms  (%zu bytes)\n", "Bulk 1.0 XML of the 2,000-record page with paths", xml, out.size());
  return 0;
}
