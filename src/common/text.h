// Small text helpers shared by every module: case-insensitive comparison (Salesforce names are
// case-insensitive), UTF-8 safe truncation, and JSON-string escaping for hand-written writers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crmsync {

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);  // ASCII letters only, as to_lower
bool iequals(std::string_view a, std::string_view b);

// The first `max_code_points` code points of a UTF-8 string; never splits a multi-byte sequence.
// Invalid bytes count as one code point each.
std::string_view utf8_prefix(std::string_view s, std::size_t max_code_points);
std::size_t utf8_length(std::string_view s);

// Appends `s` to `out` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

// Percent-encodes a URL query component (RFC 3986 unreserved characters are kept).
std::string url_encode(std::string_view s);
// Decodes %XX escapes and '+' as space; malformed escapes are kept as they are.
std::string url_decode(std::string_view s);
// A URL with its password masked for messages and logs: the userinfo password
// (scheme://user:password@host) and a `password=` query parameter become "***".
std::string redact_url(std::string_view url);

}  // namespace crmsync
