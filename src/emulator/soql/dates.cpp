#include "emulator/soql/dates.h"

#include <array>
#include <string>

#include "common/text.h"

namespace crmsync::emulator::soql {
namespace {

struct Civil {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Howard Hinnant's civil-from-days / days-from-civil (proleptic Gregorian calendar).
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {m <= 2 ? y + 1 : y, m, d};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The first day of period `index` (relative to the current one) of `unit`.
std::int64_t period_start(RelativeUnit unit, std::int64_t today, std::int64_t index) {
  switch (unit) {
    case RelativeUnit::kDay:
      return today + index;
    case RelativeUnit::kWeek: {
      std::int64_t weekday = ((today + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
      return today - weekday + 7 * index;
    }
    case RelativeUnit::kMonth:
    case RelativeUnit::kQuarter:
    case RelativeUnit::kYear: {
      Civil c = civil_from_days(today);
      std::int64_t months = c.year * 12 + (c.month - 1);
      if (unit == RelativeUnit::kMonth) months += index;
      if (unit == RelativeUnit::kQuarter) months = (floor_div(months, 3) + index) * 3;
      if (unit == RelativeUnit::kYear) months = (c.year + index) * 12;
      return days_from_civil(floor_div(months, 12), static_cast<unsigned>(months - floor_div(months, 12) * 12) + 1, 1);
    }
  }
  return today;
}

struct Named {
  const char* name;
  RelativeUnit unit;
  std::int64_t first;
  std::int64_t last;
};

constexpr std::array<Named, 17> kBare = {{
    {"yesterday", RelativeUnit::kDay, -1, -1},     {"today", RelativeUnit::kDay, 0, 0},
    {"tomorrow", RelativeUnit::kDay, 1, 1},        {"last_week", RelativeUnit::kWeek, -1, -1},
    {"this_week", RelativeUnit::kWeek, 0, 0},      {"next_week", RelativeUnit::kWeek, 1, 1},
    {"last_month", RelativeUnit::kMonth, -1, -1},  {"this_month", RelativeUnit::kMonth, 0, 0},
    {"next_month", RelativeUnit::kMonth, 1, 1},    {"last_90_days", RelativeUnit::kDay, -90, 0},
    {"next_90_days", RelativeUnit::kDay, 1, 90},   {"last_quarter", RelativeUnit::kQuarter, -1, -1},
    {"this_quarter", RelativeUnit::kQuarter, 0, 0}, {"next_quarter", RelativeUnit::kQuarter, 1, 1},
    {"last_year", RelativeUnit::kYear, -1, -1},    {"this_year", RelativeUnit::kYear, 0, 0},
    {"next_year", RelativeUnit::kYear, 1, 1},
}};

// LAST_N_<UNIT>S:n, NEXT_N_<UNIT>S:n, N_<UNIT>S_AGO:n.
struct Counted {
  const char* unit_name;
  RelativeUnit unit;
};
constexpr std::array<Counted, 5> kCounted = {{{"day", RelativeUnit::kDay},
                                              {"week", RelativeUnit::kWeek},
                                              {"month", RelativeUnit::kMonth},
                                              {"quarter", RelativeUnit::kQuarter},
                                              {"year", RelativeUnit::kYear}}};

std::optional<RelativeDate> counted(std::string_view lower, std::int64_t n) {
  for (const auto& c : kCounted) {
    std::string plural = std::string(c.unit_name) + "s";
    if (lower == "last_n_" + plural) {
      // LAST_N_DAYS includes today; the longer units stop before the current period.
      if (c.unit == RelativeUnit::kDay) return RelativeDate{c.unit, -n, 0};
      return RelativeDate{c.unit, -n, -1};
    }
    if (lower == "next_n_" + plural) return RelativeDate{c.unit, 1, n};
    if (lower == "n_" + plural + "_ago") return RelativeDate{c.unit, -n, -n};
  }
  return std::nullopt;
}

// The fiscal literals (THIS_FISCAL_QUARTER, LAST_N_FISCAL_YEARS:n, N_FISCAL_QUARTERS_AGO:n, ...)
// as their calendar twins: the emulated org's fiscal year is the calendar year (Salesforce's
// default, FiscalYearStartMonth 1), so its fiscal quarters are the calendar quarters.
std::string calendar_name(std::string_view name) {
  std::string lower = to_lower(name);
  for (const char* unit : {"quarter", "year"}) {
    const std::string fiscal = std::string("fiscal_") + unit;
    if (auto at = lower.find(fiscal); at != std::string::npos) return lower.erase(at, 7);
  }
  return lower;
}

}  // namespace

RelativeArity relative_date_arity(std::string_view name) {
  std::string lower = calendar_name(name);
  for (const auto& b : kBare) {
    if (lower == b.name) return RelativeArity::kBare;
  }
  return counted(lower, 1) ? RelativeArity::kWithCount : RelativeArity::kNone;
}

std::optional<RelativeDate> make_relative_date(std::string_view name, std::int64_t n) {
  std::string lower = calendar_name(name);
  for (const auto& b : kBare) {
    if (lower == b.name) return RelativeDate{b.unit, b.first, b.last};
  }
  return counted(lower, n);
}

DayRange evaluate(const RelativeDate& r, EpochDays today) {
  return DayRange{static_cast<EpochDays>(period_start(r.unit, today, r.first)),
                  static_cast<EpochDays>(period_start(r.unit, today, r.last + 1))};
}

}  // namespace crmsync::emulator::soql
