// GET /sobjects/{Name}/deleted/?start=&end= (getDeleted: the last 15 days of deletions, recycle
// bin and hard deletes alike) and /sobjects/{Name}/updated/?start=&end= (getUpdated: Ids whose
// SystemModstamp falls in the window, the last 30 days). A record's deletion date is the
// SystemModstamp its delete or purge stamped.
#include <shared_mutex>

#include "common/text.h"
#include "common/timeutil.h"
#include "emulator/routes/routes.h"

namespace crmsync::emulator {
namespace {

constexpr EpochMs kMinute = 60'000;
constexpr EpochMs kDay = 86'400'000;
constexpr std::size_t kIdLimit = 600'000;

struct Window {
  EpochMs start = 0;
  EpochMs latest_covered = 0;  // end, or now when end is later
  EpochMs earliest_available = 0;
};

// Salesforce truncates both ends to the minute and refuses windows that are reversed, shorter
// than a minute or reach further back than the resource keeps.
std::optional<Window> parse_window(ApiCall& call, int days_kept) {
  auto refuse = [&](const std::string& message) {
    send_error(call.res, 400, "INVALID_REPLICATION_DATE", message);
    return std::nullopt;
  };
  for (const char* p : {"start", "end"}) {
    if (!call.req.has_param(p)) return refuse(std::string("Missing parameter ") + p + " (a UTC dateTime such as 2024-05-01T00:00:00Z)");
  }
  auto start = parse_datetime(call.req.get_param_value("start"));
  auto end = parse_datetime(call.req.get_param_value("end"));
  if (!start || !end) {
    return refuse("start and end must be dateTimes such as 2024-05-01T00:00:00Z or 2024-05-01T00:00:00+00:00");
  }
  Window w;
  w.start = *start / kMinute * kMinute;
  const EpochMs end_minute = *end / kMinute * kMinute;
  const EpochMs now_minute = now_ms() / kMinute * kMinute;
  if (end_minute - w.start < kMinute) return refuse("startDate must chronologically precede endDate by more than one minute");
  w.earliest_available = now_minute - days_kept * kDay;
  if (w.start < w.earliest_available) {
    return refuse("startDate cannot be more than " + std::to_string(days_kept) + " days ago");
  }
  w.latest_covered = std::min(end_minute, now_minute);
  return w;
}

std::optional<EpochMs> modstamp(const Table& t, const Row& row) {
  for (const char* f : {"SystemModstamp", "LastModifiedDate", "CreatedDate"}) {
    auto i = t.field_index(f);
    if (!i) continue;
    if (const auto* d = std::get_if<DateTime>(&row[*i])) return d->ms;
  }
  return std::nullopt;
}

bool too_many(ApiCall& call, std::size_t n) {
  if (n <= kIdLimit) return false;
  send_error(call.res, 400, "EXCEEDED_ID_LIMIT",
             "record limit reached. cannot submit more than 600000 records in a single call; use a shorter window");
  return true;
}

// The rows of `table` the caller may see that are deleted (or, for getUpdated, live) and stamped
// inside the window, oldest first. The caller holds the database lock.
std::vector<std::pair<EpochMs, std::size_t>> rows_in_window(EmuState& s, const UserAccess& access,
                                                            const Table& table, const Window& window,
                                                            bool deleted) {
  std::vector<std::pair<EpochMs, std::size_t>> found;
  for (std::size_t r = 0; r < table.slot_count(); ++r) {
    const Row& row = table.row(r);
    if ((table.purged(r) || row_deleted(table, row)) != deleted) continue;
    if (!access.sees(*s.db, table, r)) continue;
    auto when = modstamp(table, row);
    if (when && *when >= window.start && *when < window.latest_covered + kMinute) found.emplace_back(*when, r);
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

void handle_get_deleted(EmuState& s, ApiCall& call, const Table& table) {
  auto window = parse_window(call, 15);
  if (!window) return;
  {
    std::shared_lock lock(s.db->mutex());
    auto access = user_access(s, call.user_id);  // only records the user can access
    if (!access->object(table).read) return send_not_found(call.res);
    const auto found = rows_in_window(s, *access, table, *window, /*deleted=*/true);
    if (too_many(call, found.size())) return;
    std::string out = "{\"deletedRecords\":[";
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (i) out.push_back(',');
      out += "{\"id\":";
      append_json_string(out, std::get<std::string>(table.row(found[i].second)[0]));
      out += ",\"deletedDate\":\"" + format_datetime_sf(found[i].first) + "\"}";
    }
    out += "],\"earliestDateAvailable\":\"" + format_datetime_sf(window->earliest_available) +
           "\",\"latestDateCovered\":\"" + format_datetime_sf(window->latest_covered) + "\"}";
    send_json(call.res, 200, std::move(out));
  }
}

void handle_get_updated(EmuState& s, ApiCall& call, const Table& table) {
  auto window = parse_window(call, 30);
  if (!window) return;
  std::shared_lock lock(s.db->mutex());
  auto access = user_access(s, call.user_id);  // only records the user can access
  if (!access->object(table).read) return send_not_found(call.res);
  const auto found = rows_in_window(s, *access, table, *window, /*deleted=*/false);
  if (too_many(call, found.size())) return;
  std::string out = "{\"ids\":[";
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, std::get<std::string>(table.row(found[i].second)[0]));
  }
  out += "],\"latestDateCovered\":\"" + format_datetime_sf(window->latest_covered) + "\"}";
  send_json(call.res, 200, std::move(out));
}

}  // namespace crmsync::emulator
