// Salesforce record IDs: the 15-character case-sensitive form, the 18-character form with its
// case-insensitive checksum suffix, and the generation of new IDs for a key prefix (emulator).
//
// Checksum rule: split the first 15 characters into three groups of five; for each group build a
// 5-bit number whose bit i is set when character i is an uppercase letter; map 0..31 through
// "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync {

// The 3-character checksum of a 15- or 18-character ID's first 15 characters.
std::string sf_id_checksum(std::string_view id);

// The 18-character form of a 15- or 18-character ID, or nullopt when the input is not an ID
// (wrong length, characters outside [0-9A-Za-z], or an 18-character ID whose suffix is wrong).
std::optional<std::string> sf_id18(std::string_view id);

// True when `id` is a well-formed 15- or 18-character Salesforce ID.
bool is_sf_id(std::string_view id);

// The first 15 characters of an ID (all of it when shorter): the key under which the 15- and
// 18-character forms of one record agree. Fits the small-string buffer: no allocation.
std::string sf_id15(std::string_view id);

// Whether two IDs (15- or 18-character) name the same record: their first 15 characters are equal
// (the last 3 only encode case). False when either is shorter than 15.
bool same_sf_id(std::string_view a, std::string_view b);

// A new 18-character ID: key prefix (3 chars), pod "RO", a reserved "0", then `serial` in
// base 62 over 9 characters, then the checksum. Distinct serials give distinct IDs.
std::string make_sf_id(std::string_view key_prefix, std::uint64_t serial);

}  // namespace crmsync
