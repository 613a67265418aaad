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

// Salesforce counts a REST request's URI and its headers together against 16,384 bytes: 431
// Request Header Fields Too Large beyond, 414 URI Too Long when the URI alone passes it (knowledge
// article 000386264). crmsync's headers on a query (Host, Authorization with the access token,
// Accept, Accept-Encoding, Sforce-Query-Options, the request line's method and version) take about
// 400 bytes; this much of the limit is left to them.
inline constexpr std::size_t kRequestHeaderAllowance = 1024;

// The prefix_length split_fields counts for a query of this instance and API version: the URI
// before the encoded SOQL (<instance>/services/data/v<version>/queryAll/?q=) plus the headers'
// allowance, so that URI and headers together fit the limit.
std::size_t query_prefix_length(const std::string& instance_url, const std::string& api_version);

// Splits `fields` (Id first) into groups whose queries each fit max_uri_bytes; every group starts
// with Id and the modstamp field (for the join and the order). One group when everything fits.
// Errors: kUnsupported when a single field cannot fit beside Id and the modstamp field.
Result<std::vector<std::vector<std::string>>> split_fields(const std::string& object,
                                                           const std::vector<std::string>& fields,
                                                           const std::string& modstamp_field, const Window& window,
                                                           std::size_t prefix_length, std::size_t max_uri_bytes);

}  // namespace crmsync::sync
