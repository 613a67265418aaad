#include "common/timeutil.h"

#include <chrono>
#include <cstdio>

namespace crmsync {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Reads an optional ".fff..." at pos (advancing it) as milliseconds; digits past the third are
// ignored. False when a '.' is not followed by a digit.
bool fraction_ms(std::string_view s, size_t& pos, int& ms) {
  if (pos >= s.size() || s[pos] != '.') return true;
  size_t start = ++pos;
  int frac = 0, n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (n < 3) { frac = frac * 10 + (s[pos] - '0'); ++n; }
    ++pos;
  }
  if (pos == start) return false;
  while (n < 3) { frac *= 10; ++n; }
  ms = frac;
  return true;
}

std::optional<EpochDays> civil_to_days(int y, int m, int d) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<EpochDays>(sys_days{ymd}.time_since_epoch().count());
}

}  // namespace

std::optional<EpochDays> parse_date(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return std::nullopt;
  return civil_to_days(y, m, d);
}

std::optional<std::int32_t> parse_time(std::string_view s) {
  int h, mi, se, ms = 0;
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  if (!digits(s, 0, 2, h) || !digits(s, 3, 2, mi) || !digits(s, 6, 2, se)) return std::nullopt;
  size_t pos = 8;
  if (!fraction_ms(s, pos, ms)) return std::nullopt;
  if (pos < s.size() && s[pos] == 'Z') ++pos;
  if (pos != s.size() || h > 23 || mi > 59 || se > 59) return std::nullopt;
  return ((h * 60 + mi) * 60 + se) * 1000 + ms;
}

std::optional<EpochMs> parse_datetime(std::string_view s) {
  if (s.size() < 19 || s[10] != 'T') return std::nullopt;
  auto days = parse_date(s.substr(0, 10));
  if (!days) return std::nullopt;
  int h, mi, se;
  if (s[13] != ':' || s[16] != ':') return std::nullopt;
  if (!digits(s, 11, 2, h) || !digits(s, 14, 2, mi) || !digits(s, 17, 2, se)) return std::nullopt;
  if (h > 23 || mi > 59 || se > 60) return std::nullopt;
  size_t pos = 19;
  int ms = 0;
  if (!fraction_ms(s, pos, ms)) return std::nullopt;
  int offset_min = 0;
  if (pos >= s.size()) return std::nullopt;  // an offset is required
  if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    int oh, om;
    ++pos;
    if (!digits(s, pos, 2, oh)) return std::nullopt;
    pos += 2;
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (!digits(s, pos, 2, om)) return std::nullopt;
    pos += 2;
    offset_min = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  EpochMs total = static_cast<EpochMs>(*days) * 86400000LL +
                  ((static_cast<EpochMs>(h) * 60 + mi) * 60 + se) * 1000LL + ms;
  return total - static_cast<EpochMs>(offset_min) * 60000LL;
}

namespace {
struct Parts {
  int y, m, d, h, mi, s, ms;
};
Parts split(EpochMs ms) {
  using namespace std::chrono;
  EpochMs day = ms >= 0 ? ms / 86400000LL : -((-ms + 86399999LL) / 86400000LL);
  EpochMs rem = ms - day * 86400000LL;
  year_month_day ymd{sys_days{days{day}}};
  return Parts{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
               static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(rem / 3600000),
               static_cast<int>(rem / 60000 % 60), static_cast<int>(rem / 1000 % 60),
               static_cast<int>(rem % 1000)};
}
}  // namespace

std::string format_datetime_sf(EpochMs ms) {
  Parts p = split(ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", p.y, p.m, p.d, p.h, p.mi, p.s,
                p.ms);
  return buf;
}

std::string format_datetime_iso(EpochMs ms) {
  Parts p = split(ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", p.y, p.m, p.d, p.h, p.mi, p.s, p.ms);
  return buf;
}

std::string format_datetime_soql(EpochMs ms) {
  Parts p = split(ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", p.y, p.m, p.d, p.h, p.mi, p.s);
  return buf;
}

std::string format_date(EpochDays days) {
  Parts p = split(static_cast<EpochMs>(days) * 86400000LL);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", p.y, p.m, p.d);
  return buf;
}

namespace {
constexpr const char* kWeekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01 was a Thursday
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
}  // namespace

std::string format_http_date(EpochMs ms) {
  Parts p = split(ms);
  EpochMs day = ms >= 0 ? ms / 86400000LL : -((-ms + 86399999LL) / 86400000LL);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kWeekdays[((day % 7) + 7) % 7], p.d,
                kMonths[p.m - 1], p.y, p.h, p.mi, p.s);
  return buf;
}

std::optional<EpochMs> parse_http_date(std::string_view s) {
  // "Wed, 21 Oct 2015 07:28:00 GMT": 29 characters.
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  int d, y, h, mi, se;
  if (!digits(s, 5, 2, d) || !digits(s, 12, 4, y) || !digits(s, 17, 2, h) || !digits(s, 20, 2, mi) ||
      !digits(s, 23, 2, se) || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  int m = 0;
  while (m < 12 && s.substr(8, 3) != kMonths[m]) ++m;
  if (m == 12) return std::nullopt;
  auto days = civil_to_days(y, m + 1, d);
  if (!days) return std::nullopt;
  if (s.substr(0, 3) != kWeekdays[((*days % 7) + 7) % 7]) return std::nullopt;
  return static_cast<EpochMs>(*days) * 86400000LL + ((static_cast<EpochMs>(h) * 60 + mi) * 60 + se) * 1000LL;
}

std::string format_time(std::int32_t ms_of_day) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03dZ", ms_of_day / 3600000, ms_of_day / 60000 % 60,
                ms_of_day / 1000 % 60, ms_of_day % 1000);
  return buf;
}

EpochMs now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

EpochDays days_of(EpochMs ms) {
  return static_cast<EpochDays>(ms >= 0 ? ms / 86400000LL : -((-ms + 86399999LL) / 86400000LL));
}

}  // namespace crmsync
