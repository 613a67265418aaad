// SOQL's relative date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, ...): recognising the names and
// turning one into the range of days it covers on a given day. Weeks start on Sunday and days are
// UTC days, as in an org whose locale is en_US and time zone is GMT. The fiscal literals
// (THIS_FISCAL_QUARTER, LAST_N_FISCAL_YEARS:n, ...) follow the default fiscal year: the calendar's.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/timeutil.h"
#include "emulator/soql/ast.h"

namespace crmsync::emulator::soql {

// Whether `name` (any case) is a relative date literal, and whether it takes ":n".
enum class RelativeArity { kNone, kBare, kWithCount };
RelativeArity relative_date_arity(std::string_view name);

// The literal for `name` (and `n` when it takes one); nullopt when the name is not one.
std::optional<RelativeDate> make_relative_date(std::string_view name, std::int64_t n);

// Days [first, end) that `r` covers when today is `today`.
struct DayRange {
  EpochDays first = 0;
  EpochDays end = 0;  // exclusive
};
DayRange evaluate(const RelativeDate& r, EpochDays today);

}  // namespace crmsync::emulator::soql
