// Prints how long the emulator takes to serialise a 2,000-record query page of a typical object
// (Task, every field) and to run a sorted 2,000-row SOQL page. Issue target: well under 10 ms.
//   build/bench_emulator_page [scale]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "emulator/emu_json.h"
#include "emulator/emulator.h"
#include "emulator/soql.h"

using namespace crmsync::emulator;

namespace {
template <typename F>
double best_ms(int runs, F&& f) {
  double best = 1e18;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}
}  // namespace

int main(int argc, char** argv) {
  int scale = argc > 1 ? std::atoi(argv[1]) : 20000;
  auto t0 = std::chrono::steady_clock::now();
  auto db = generate_org({.seed = 42, .scale = scale});
  double gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Table& tasks = *db->find("Task");
  std::printf("org scale %d generated in %.2f s; Task has %zu rows, %zu fields\n", scale, gen_s, tasks.slot_count(),
              tasks.fields().size());

  std::vector<std::size_t> columns;
  for (std::size_t i = 0; i < tasks.fields().size(); ++i) columns.push_back(i);
  std::string out;
  double ser = best_ms(10, [&] {
    out.clear();
    out += "{\"totalSize\":2000,\"done\":true,\"records\":[";
    for (std::size_t r = 0; r < 2000 && r < tasks.slot_count(); ++r) {
      if (r) out.push_back(',');
      append_record(out, tasks, "62.0", tasks.row(r), columns);
    }
    out += "]}";
  });
  std::printf("serialise 2,000 Task records (all fields): %.2f ms, %zu bytes\n", ser, out.size());

  auto q = soql::parse("SELECT Id, Subject, Status, SystemModstamp FROM Task ORDER BY SystemModstamp, Id LIMIT 2000");
  if (!q) {
    std::printf("parse failed: %s\n", q.error().to_string().c_str());
    return 1;
  }
  double exec = best_ms(5, [&] { auto r = soql::execute(*q, *db, {.include_deleted = true}); });
  std::printf("SOQL ORDER BY SystemModstamp, Id LIMIT 2000 over %zu Task rows: %.2f ms\n", tasks.slot_count(), exec);
  return 0;
}
