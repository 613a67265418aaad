// The hand-written JSON writer for records (query pages and sObject retrieves): typed values as
// Salesforce writes them (numbers, booleans, null, 2016-08-19T14:35:34.000+0000, 2016-08-19) and
// the record's attributes. Fast enough for 2,000-record pages without a JSON library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/table.h"

namespace crmsync::emulator {

void append_value(std::string& out, const FieldDef& field, const Value& value);

// 2016-08-19, and 2016-08-19T14:35:34.000 followed by `zone` ("+0000" in JSON, "Z" in Bulk CSV).
void append_date_text(std::string& out, EpochDays days);
void append_datetime_text(std::string& out, EpochMs ms, std::string_view zone);

// {"attributes":{"type":"Account","url":"/services/data/vXX.X/sobjects/Account/<Id>"},"F":v,...}
void append_record(std::string& out, const Table& table, std::string_view version, const Row& row,
                   const std::vector<std::size_t>& columns);

// One field's value as append_record writes it (a compound address as its object).
void append_field(std::string& out, const Table& table, std::size_t field, const Row& row);

}  // namespace crmsync::emulator
