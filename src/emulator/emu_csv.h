// The CSV writer for Bulk API 2.0 query results, as Salesforce writes them: a header row of the
// selected fields' API names, then one line per record with every value double-quoted (inner
// quotes doubled, delimiters and line breaks kept inside the quotes), nulls as empty cells,
// booleans true/false, datetimes 2016-08-19T14:35:34.000Z, dates 2016-08-19, numbers as in JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/table.h"

namespace crmsync::emulator {

// "Id","Name"<eol>
void append_csv_header(std::string& out, const Table& table, const std::vector<std::size_t>& columns, char delimiter,
                       std::string_view eol);
// "001...","Acme"<eol>
void append_csv_record(std::string& out, const Table& table, const Row& row, const std::vector<std::size_t>& columns,
                       char delimiter, std::string_view eol);

// One cell (no delimiter): what append_csv_record writes for `value` of `field`.
void append_csv_value(std::string& out, const FieldDef& field, const Value& value);

}  // namespace crmsync::emulator
