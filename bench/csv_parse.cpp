// The Bulk API CSV parser alone: rows/s and MB/s turning a 50,000-row results page (as the
// emulator and Salesforce write it: every value quoted, nulls as empty cells, datetimes ending in
// Z) into a store::RowBuffer, fed whole and in 64 KB pieces (a streamed download). Best of 5 runs.
//
//   build/bench_csv_parse [--rows 50000]
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include <fmt/format.h>

#include "bench_util.h"
#include "sync/csv_parser.h"
#include "../tests/unit/sync/selection_fixture.h"  // field(), csv_quote(): the parser tests' fixture

using namespace crmsync;

namespace {

using testing::csv_quote;
using testing::field;

// An Opportunity-like selection: ids, text, money, booleans, dates, datetimes, a long text area.
catalog::FieldSelection selection() {
  using catalog::FieldType;
  catalog::FieldSelection sel;
  sel.object = "Opportunity";
  sel.modstamp_field = "SystemModstamp";
  sel.fields = {field("Id", FieldType::kId),
                field("IsDeleted", FieldType::kBoolean),
                field("AccountId", FieldType::kReference),
                field("Name", FieldType::kString),
                field("StageName", FieldType::kPicklist),
                field("Amount", FieldType::kCurrency),
                field("Probability", FieldType::kPercent),
                field("CloseDate", FieldType::kDate),
                field("IsClosed", FieldType::kBoolean),
                field("OwnerId", FieldType::kReference),
                field("CreatedDate", FieldType::kDateTime),
                field("LastModifiedDate", FieldType::kDateTime),
                field("SystemModstamp", FieldType::kDateTime),
                field("Description", FieldType::kLongTextArea),
                field("NumberOfEmployees__c", FieldType::kInt)};
  return sel;
}

std::string page(const catalog::FieldSelection& sel, int rows) {
  std::mt19937 rng(7);
  std::string out;
  for (std::size_t k = 0; k < sel.fields.size(); ++k) out += (k ? "," : "") + csv_quote(sel.fields[k].name);
  out += "\n";
  const char* stages[] = {"Prospecting", "Qualification", "Closed Won", "Closed Lost"};
  for (int i = 0; i < rows; ++i) {
    const std::string stamp = fmt::format("\"2025-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\"", 1 + i % 12, 1 + i % 28,
                                          i % 24, i % 60, (i / 60) % 60, i % 1000);
    out += fmt::format("\"006RO{:013}\",\"{}\",\"001RO{:013}\",{},\"{}\",", i, i % 50 ? "false" : "true", i / 3,
                       csv_quote("Deal " + std::to_string(i) + (i % 7 ? "" : ", \"renewal\"")), stages[i % 4]);
    out += i % 5 ? fmt::format("\"{}.5\"", rng() % 1000000) : std::string();
    out += fmt::format(",\"{}.0\",\"2025-{:02}-{:02}\",\"{}\",\"005RO{:013}\",{},{},{},", rng() % 100, 1 + i % 12,
                       1 + i % 28, i % 4 >= 2 ? "true" : "false", i % 40, stamp, stamp, stamp);
    out += i % 3 ? std::string() : csv_quote(std::string(40 + rng() % 200, 'x') + "\nsecond line");
    out += fmt::format(",\"{}\"\n", rng() % 5000);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int rows = 50000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--rows") rows = std::atoi(argv[i + 1]);
  }
  const auto sel = selection();
  const std::string csv = page(sel, rows);
  for (std::size_t piece : {csv.size(), std::size_t{64 * 1024}}) {
    std::size_t parsed = 0;
    double ms = bench::best_ms(5, [&] {
      sync::CsvParser parser(sel);
      sync::ParsedPage out;
      out.rows.reset(sel.fields.size());
      out.rows.reserve(static_cast<std::size_t>(rows), csv.size());  // as fetch_bulk does
      parser.begin_document();
      for (std::size_t at = 0; at < csv.size(); at += piece) {
        auto s = parser.feed(std::string_view(csv).substr(at, piece), out);
        if (!s) {
          std::cerr << s.error().to_string() << "\n";
          std::exit(1);
        }
      }
      if (auto s = parser.end_document(out); !s) {
        std::cerr << s.error().to_string() << "\n";
        std::exit(1);
      }
      parsed = out.rows.size();
    });
    std::cout << fmt::format("CSV parse, {} rows x {} fields ({:.1f} MB), fed {}: {:.1f} ms = {:.0f} rows/s, "
                             "{:.0f} MB/s\n",
                             parsed, sel.fields.size(), csv.size() / 1e6,
                             piece == csv.size() ? std::string("whole") : "in 64 KB pieces", ms, parsed / (ms / 1000),
                             csv.size() / 1e6 / (ms / 1000));
  }
  return 0;
}
