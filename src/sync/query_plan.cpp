#include "sync/query_plan.h"

#include "common/text.h"

namespace crmsync::sync {

namespace {
EpochMs floor_second(EpochMs ms) { return ms - (((ms % 1000) + 1000) % 1000); }
}  // namespace

Window increment_window(std::optional<EpochMs> watermark, EpochMs now, std::int64_t lookback_seconds,
                        std::int64_t settle_seconds) {
  Window w;
  if (watermark) w.start = floor_second(*watermark - lookback_seconds * 1000);
  // Rounded up: a row committed later within that last second is inside the next run's lookback.
  EpochMs end = now - settle_seconds * 1000;
  w.end = floor_second(end) == end ? end : floor_second(end) + 1000;
  return w;
}

std::string build_soql(const std::string& object, const std::vector<std::string>& fields,
                       const std::string& modstamp_field, const Window& window) {
  std::string q = "SELECT ";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) q += ", ";
    q += fields[i];
  }
  q += " FROM " + object;
  if (modstamp_field.empty()) return q + " ORDER BY Id";
  std::string where;
  if (window.start) where += modstamp_field + " >= " + format_datetime_soql(*window.start);
  if (window.end) {
    if (!where.empty()) where += " AND ";
    where += modstamp_field + " < " + format_datetime_soql(*window.end);
  }
  if (!where.empty()) q += " WHERE " + where;
  q += " ORDER BY " + modstamp_field + ", Id";
  return q;
}

std::size_t query_uri_length(std::size_t prefix_length, const std::string& soql) {
  return prefix_length + url_encode(soql).size();
}

std::size_t query_prefix_length(const std::string& instance_url, const std::string& api_version) {
  return instance_url.size() + std::string("/services/data/v/queryAll/?q=").size() + api_version.size() +
         kRequestHeaderAllowance;
}

Result<std::vector<std::vector<std::string>>> split_fields(const std::string& object,
                                                           const std::vector<std::string>& fields,
                                                           const std::string& modstamp_field, const Window& window,
                                                           std::size_t prefix_length, std::size_t max_uri_bytes) {
  if (query_uri_length(prefix_length, build_soql(object, fields, modstamp_field, window)) <= max_uri_bytes) {
    return std::vector<std::vector<std::string>>{fields};
  }
  std::vector<std::string> base = {"Id"};
  if (!modstamp_field.empty()) base.push_back(modstamp_field);
  auto is_base = [&](const std::string& f) { return iequals(f, "Id") || iequals(f, modstamp_field); };
  std::vector<std::vector<std::string>> groups;
  std::vector<std::string> current = base;
  for (const auto& f : fields) {
    if (is_base(f)) continue;
    current.push_back(f);
    if (query_uri_length(prefix_length, build_soql(object, current, modstamp_field, window)) <= max_uri_bytes) continue;
    current.pop_back();
    bool alone_too_long = current.size() == base.size();
    if (!alone_too_long) {
      groups.push_back(std::move(current));
      current = base;
      current.push_back(f);
      alone_too_long =
          query_uri_length(prefix_length, build_soql(object, current, modstamp_field, window)) > max_uri_bytes;
    }
    if (alone_too_long) {
      return Error(ErrorKind::kUnsupported, "URI_TOO_LONG",
                   "the query for " + object + "." + f + " alone passes Salesforce's " +
                       std::to_string(max_uri_bytes) + "-byte URI limit; exclude that field in [objects." + object +
                       "].");
    }
  }
  if (current.size() > base.size() || groups.empty()) groups.push_back(std::move(current));
  return groups;
}

}  // namespace crmsync::sync
