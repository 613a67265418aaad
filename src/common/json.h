// JSON from a peer (a Salesforce answer, a request to the emulator, an input line), parsed with its
// nesting bounded. nlohmann's parser is itself iterative, but copying, comparing and dumping a
// value recurse once per level, so a 40 KB body nested 20,000 levels deep parses fine and then
// overflows the stack wherever it is copied or written out. parse_json refuses such a text up
// front, as simdjson (the query page parsers) does past its own 1,024 levels.
//
//   nlohmann::json j = parse_json(body);
//   if (j.is_discarded()) ...                 // not JSON, or nested too deep
//
//   JsonProblem why;                          // the emulator words its 400s from it
//   nlohmann::json j = parse_json(body, why);
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace crmsync {

// Levels of arrays and objects a peer's JSON may nest (Jackson's default maximum, which
// Salesforce's own parser is built on; deeper than any Salesforce answer or request).
inline constexpr std::size_t kMaxJsonDepth = 1000;

// Why a text was refused.
struct JsonProblem {
  enum class Kind {
    kNone,
    kSyntax,     // not JSON (or cut off): `byte` is where the parser stopped (1-based, as nlohmann)
    kTooDeep,    // an array or object opened at nesting level max_depth + 1
    kNumberTooLarge,  // a number outside a double's range (1e400, a 400-digit integer): `token`
  };
  Kind kind = Kind::kNone;
  std::size_t byte = 0;
  std::string token;
};

// The value, or a discarded one (is_discarded()) when `text` is not JSON, nests arrays and
// objects deeper than `max_depth`, or holds a number no double can hold.
nlohmann::json parse_json(std::string_view text, std::size_t max_depth = kMaxJsonDepth);
nlohmann::json parse_json(std::string_view text, JsonProblem& problem, std::size_t max_depth = kMaxJsonDepth);

}  // namespace crmsync
