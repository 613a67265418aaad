// What the SOSL parser and matcher agree on about words (internal to sosl/): which characters
// make words, and how a parsed word marks its wildcards.
#pragma once

#include <cctype>

namespace crmsync::emulator::sosl {

// Wildcards inside a parsed word (an escaped \* or \? stays a literal character).
inline constexpr char kAny = '\x01';  // *
inline constexpr char kOne = '\x02';  // ?

// Letters, digits and every byte of a multi-byte UTF-8 character make words; the rest separates.
inline bool is_text_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || u >= 0x80;
}

}  // namespace crmsync::emulator::sosl
