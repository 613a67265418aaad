// Writers for query results whose SELECT list holds child-to-parent relationship paths
// (soql::Selection): REST records with each relationship as a nested record that has its own
// `attributes` (or null when there is no parent to show), and Bulk API 2.0 CSV with dotted column
// headers (`Account.Name`). Plain statements never come here (emu_json.h, emu_csv.h).
//
//   {"attributes":{...},"Id":"003...","Account":{"attributes":{"type":"Account","url":"..."},"Name":"Acme"}}
//   "Id","Account.Name"
#pragma once

#include <string>
#include <string_view>

#include "emulator/soql.h"
#include "emulator/table.h"

namespace crmsync::emulator {

// The record at position `index` of the result (row `row` of `table`).
void append_record_with_paths(std::string& out, const Table& table, std::string_view version, const Row& row,
                              const soql::Selection& selection, std::size_t index);

void append_csv_header_with_paths(std::string& out, const soql::Selection& selection, char delimiter,
                                  std::string_view eol);
void append_csv_record_with_paths(std::string& out, const Table& table, const Row& row,
                                  const soql::Selection& selection, std::size_t index, char delimiter,
                                  std::string_view eol);

}  // namespace crmsync::emulator
