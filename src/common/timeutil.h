// Dates and times as Salesforce writes them and as crmsync stores them.
//
// Instants are milliseconds since the Unix epoch (UTC); dates are days since 1970-01-01.
// Salesforce's JSON writes datetimes as 2016-08-19T14:35:34.000+0000 and accepts ...Z or
// ...+hh:mm on input; SOQL literals are 2016-08-19T14:35:34Z (never quoted); crmsync's store
// keeps YYYY-MM-DDTHH:MM:SS.sssZ so that text order is time order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crmsync {

using EpochMs = std::int64_t;
using EpochDays = std::int32_t;

// Parses YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm|+hhmm|-hh:mm|-hhmm); nullopt when malformed.
std::optional<EpochMs> parse_datetime(std::string_view text);
// Parses YYYY-MM-DD; nullopt when malformed or not a calendar date.
std::optional<EpochDays> parse_date(std::string_view text);
// Parses HH:MM:SS[.fff][Z] into milliseconds since midnight.
std::optional<std::int32_t> parse_time(std::string_view text);

std::string format_datetime_sf(EpochMs ms);    // 2016-08-19T14:35:34.000+0000 (JSON responses)
std::string format_datetime_iso(EpochMs ms);   // 2016-08-19T14:35:34.000Z (store)
std::string format_datetime_soql(EpochMs ms);  // 2016-08-19T14:35:34Z (SOQL literal; drops ms)
std::string format_date(EpochDays days);       // 2016-08-19
std::string format_time(std::int32_t ms_of_day);  // 14:35:34.000Z
// HTTP's IMF-fixdate (RFC 9110 5.6.7), whole seconds: "Wed, 21 Oct 2015 07:28:00 GMT" (what
// If-Unmodified-Since carries).
std::string format_http_date(EpochMs ms);
// Parses an IMF-fixdate; nullopt for anything else (the obsolete RFC 850 and asctime forms too).
std::optional<EpochMs> parse_http_date(std::string_view text);

EpochMs now_ms();
EpochDays days_of(EpochMs ms);  // the UTC date of an instant

}  // namespace crmsync
