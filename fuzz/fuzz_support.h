// What the libFuzzer targets in fuzz/ share: FUZZ_CHECK, which stops the run on a broken promise
// (libFuzzer then saves the input as a crash, like a sanitizer finding), and the UTF-8 test that
// the promises about messages use. Each target's own checks are the behaviour its module documents.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

// Stops the run with `what` (a printf format) when `cond` is false.
#define FUZZ_CHECK(cond, ...)                                      \
  do {                                                             \
    if (!(cond)) {                                                 \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s\n  ", #cond);    \
      std::fprintf(stderr, __VA_ARGS__);                           \
      std::fprintf(stderr, "\n");                                  \
      std::abort();                                                \
    }                                                              \
  } while (0)

namespace crmsync::fuzz {

// Whether `s` is UTF-8 that a JSON writer accepts (nlohmann's dump throws on anything else: what
// every --json report of the CLI does with a message).
inline bool valid_utf8(std::string_view s) {
  try {
    (void)nlohmann::json(std::string(s)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace crmsync::fuzz
