// How the sync asks Salesforce for rows: the incremental window, the SOQL text, and the split of
// a wide field list into several queries that each fit Salesforce's 16,384-byte URI limit.
// Internal to src/sync; pure functions, unit-tested without sockets.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "common/timeutil.h"

namespace crmsync::sync {

// Rows whose modstamp is in [start, end); an absent bound is open.
struct Window {
  std::optional<EpochMs> start;
  std::optional<EpochMs> end;
};

// The window of an increment: [watermark - lookback, now - settle), both cut to whole seconds as
// SOQL datetime literals carry no milliseconds: the start rounded down; the end rounded up (a row
// stamped within that last second but committed after the read lies inside the next run's
// lookback). No watermark: a full read up to now - settle.
Window increment_window(std::optional<EpochMs> watermark, EpochMs now, std::int64_t lookback_seconds,
                        std::int64_t settle_seconds);

// SELECT <fields> FROM <object> [WHERE modstamp >= start AND modstamp < end] ORDER BY modstamp, Id
// (ORDER BY Id alone without a modstamp field, where the window does not apply).
std::string build_soql(const std::string& object, const std::vector<std::string>& fields,
                       const std::string& modstamp_field, const Window& window);

// The length of GET <instance>/services/data/vXX.X/queryAll/?q=<encoded soql>.
std::size_t query_uri_length(std::size_t prefix_length, const std::string& soql);

// Splits `fields` (Id first) into groups whose queries each fit max_uri_bytes; every group starts
// with Id and the modstamp field (for the join and the order). One group when everything fits.
// Errors: kUnsupported when a single field cannot fit beside Id and the modstamp field.
Result<std::vector<std::vector<std::string>>> split_fields(const std::string& object,
                                                           const std::vector<std::string>& fields,
                                                           const std::string& modstamp_field, const Window& window,
                                                           std::size_t prefix_length, std::size_t max_uri_bytes);

}  // namespace crmsync::sync
