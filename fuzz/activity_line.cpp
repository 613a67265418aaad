// `crmsync export`'s input (export/activity.h): JSON Lines as the platform, or anyone who can write
// the input file, may send them; the whole input read line by line, and its first line parsed on
// its own. A bad line is an INVALID_ACTIVITY whose reason `--json` prints; a good one is an
// activity whose times hold together.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "export/activity.h"
#include "fuzz_support.h"

namespace {

using namespace crmsync;
using namespace crmsync::exports;

void check_activity(const Activity& a) {
  FUZZ_CHECK(!a.id.empty() && a.id.size() <= 255, "an activity id of %zu bytes", a.id.size());
  FUZZ_CHECK(a.end >= a.start, "the activity ends before it starts");
  FUZZ_CHECK(a.duration_seconds >= 0, "a negative duration");
  (void)local_start_date(a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_text(data, size);
  const bool utf8 = fuzz::valid_utf8(input);

  auto first = parse_activity(input.substr(0, input.find('\n')), 1);
  if (first) {
    check_activity(*first);
  } else {
    FUZZ_CHECK(first.error().code == "INVALID_ACTIVITY", "a refusal coded %s", first.error().code.c_str());
  }

  std::istringstream lines{std::string(input)};
  read_activities(
      lines, [](Activity&& a) { check_activity(a); },
      [utf8](const InvalidLine& bad) {
        FUZZ_CHECK(bad.line >= 1 && !bad.reason.empty(), "an invalid line without its number or reason");
        // `crmsync export --json` prints the reason in JSON.
        if (utf8) FUZZ_CHECK(fuzz::valid_utf8(bad.reason), "the reason is not UTF-8: line %d", bad.line);
      });
  return 0;
}
