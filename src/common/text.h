// Small text helpers shared by every module: case-insensitive comparison (Salesforce names are
// case-insensitive), UTF-8 safe truncation, JSON-string escaping for hand-written writers, URL
// encoding, the masking of credentials in a URL that a message repeats, and the "did you mean"
// of a mistyped name (a config key, an environment variable, a subcommand or a flag).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmsync {

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);  // ASCII letters only, as to_lower
bool iequals(std::string_view a, std::string_view b);

// The first `max_code_points` code points of a UTF-8 string; never splits a multi-byte sequence.
// Invalid bytes count as one code point each.
std::string_view utf8_prefix(std::string_view s, std::size_t max_code_points);
std::size_t utf8_length(std::string_view s);

// Whether `s` is well-formed UTF-8 (Unicode's Table 3-7: no overlong forms, no surrogates, nothing
// above U+10FFFF), as JSON text must be.
bool is_well_formed_utf8(std::string_view s);
// `s` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD, as Java's decoders
// (and so Salesforce's) read such bytes.
std::string to_well_formed_utf8(std::string_view s);

// Appends `s` to `out` as a JSON string literal, quotes included. A byte that is not part of
// well-formed UTF-8 is written as U+FFFD, so that the output is always JSON.
void append_json_string(std::string& out, std::string_view s);

// Base64url (RFC 4648 section 5) without padding: JWT parts, PKCE challenges, random tokens.
std::string base64url(std::string_view bytes);
// PKCE (RFC 7636) S256: base64url of the SHA-256 of the code verifier (the client sends it, the
// emulator's authorization server checks it).
std::string pkce_challenge(std::string_view code_verifier);

// Text for an HTML page, attribute values included: & < > " ' escaped.
std::string html_escape(std::string_view text);

// Percent-encodes a URL query component (RFC 3986 unreserved characters are kept).
std::string url_encode(std::string_view s);
// Decodes %XX escapes and '+' as space; malformed escapes are kept as they are.
std::string url_decode(std::string_view s);

// A URL (a [store] url, login_url, an instance URL, ...) as every message and log line may show it:
// the password of "scheme://user:password@host" and the value of every query or key=value
// parameter that names a secret (password, pwd, secret, token, key, sig, credential, session:
// "?sslpassword=x&apikey=y") become "***". The rest is kept so the user recognises the URL. When in
// doubt it masks more (an '@' after "host:port/path" masks the port and path too).
std::string mask_url_credentials(std::string_view url);

// Edit distance: insertions, deletions, substitutions and swaps of two neighbours (optimal string
// alignment; case-sensitive).
std::size_t edit_distance(std::string_view a, std::string_view b);
// The known name closest to `got` (ignoring case) when it is close enough to be a typo: one edit in
// a name under 6 characters, else at most 2 or a third of its length; empty otherwise.
std::string closest_match(std::string_view got, const std::vector<std::string>& known);
// "; did you mean X?" when closest_match finds one, else ". Known <noun>: a, b, c." (every name).
std::string suggestion(std::string_view got, const std::vector<std::string>& known, std::string_view noun);

}  // namespace crmsync
