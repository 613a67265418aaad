// GET /limits (the org's limits, DailyApiRequests from the live counter) and
// GET /limits/recordCount?sObjects=A,B (record counts per object).
#include <nlohmann/json.hpp>

#include <shared_mutex>

#include "emulator/routes/routes.h"

namespace crmsync::emulator {

void handle_limits(EmuState& s, ApiCall& call) {
  const std::int64_t max = s.options.daily_api_max;
  auto limit = [](std::int64_t m, std::int64_t remaining) {
    return nlohmann::ordered_json{{"Max", m}, {"Remaining", remaining}};
  };
  nlohmann::ordered_json out = {
      {"ConcurrentAsyncGetReportInstances", limit(200, 200)},
      {"ConcurrentSyncReportRuns", limit(20, 20)},
      {"DailyApiRequests", limit(max, std::max<std::int64_t>(0, max - s.api_used.load()))},
      {"DailyAsyncApexExecutions", limit(250000, 250000)},
      {"DailyBulkApiBatches", limit(15000, 15000)},
      {"DailyBulkV2QueryFileStorageMB", limit(976562, 976562)},
      {"DailyBulkV2QueryJobs", limit(10000, 10000)},
      {"DataStorageMB", limit(1024, 1024)},
      {"FileStorageMB", limit(1024, 1024)},
      {"HourlyODataCallout", limit(20000, 20000)},
      {"SingleEmailMessages", limit(5000, 5000)},
  };
  send_json(call.res, 200, out.dump());
}

void handle_record_count(EmuState& s, ApiCall& call) {
  std::vector<const Table*> tables;
  std::shared_lock lock(s.db->mutex());
  if (call.req.has_param("sObjects")) {
    const std::string list = call.req.get_param_value("sObjects");
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = std::min(list.find(',', start), list.size());
      std::string name = list.substr(start, comma - start);
      // Salesforce leaves out names it does not know rather than failing the call.
      if (const Table* t = s.db->find(name); t != nullptr) tables.push_back(t);
      start = comma + 1;
    }
  } else {
    tables = s.db->tables();
  }
  nlohmann::ordered_json counts = nlohmann::ordered_json::array();
  for (const Table* t : tables) {
    auto deleted = t->field_index("IsDeleted");
    std::int64_t count = 0;
    for (std::size_t r = 0; r < t->slot_count(); ++r) {
      if (t->purged(r)) continue;
      if (deleted) {
        const auto* d = std::get_if<bool>(&t->row(r)[*deleted]);
        if (d != nullptr && *d) continue;
      }
      ++count;
    }
    counts.push_back({{"count", count}, {"name", t->name()}});
  }
  send_json(call.res, 200, nlohmann::ordered_json{{"sObjects", counts}}.dump());
}

}  // namespace crmsync::emulator
