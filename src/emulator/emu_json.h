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

// The same record text for many rows of one table and one column list (a query page): the
// attributes prefix and every column's `,"Name":` are built once, so a page costs its values only.
// Holds field indexes, not pointers: use it under the Database lock that the rows are read under.
class RecordWriter {
 public:
  RecordWriter(const Table& table, std::string_view version, const std::vector<std::size_t>& columns);
  void append(std::string& out, const Row& row) const;
  // A page's rows lie scattered in memory (modstamp order is not insertion order), so writing
  // them is bound by cache misses. Called a few rows ahead of append(): prefetch_cells() asks for
  // a row's cells, prefetch_text() (later, once the cells are near) for the text they point to.
  void prefetch_cells(const Row& row) const;
  void prefetch_text(const Row& row) const;

 private:
  struct Column {
    std::size_t index;
    std::string key;  // ,"Name":
    bool address;     // a compound address, written from its component fields
  };
  const Table& table_;
  std::string prefix_;  // {"attributes":{"type":"T","url":"/services/data/vXX.X/sobjects/T/
  std::vector<Column> columns_;
};

}  // namespace crmsync::emulator
