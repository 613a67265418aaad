#include <vector>

#include "common/text.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {

void append_result_record(std::string& out, const soql::QueryResult& result, std::string_view version,
                          std::size_t index, const ChildPager* pager) {
  const Table& table = *result.table;
  const Row& row = table.row(result.rows[index]);
  if (result.paths) {
    append_record_with_paths(out, table, version, row, *result.paths, index);
  } else {
    std::vector<std::size_t> columns;
    columns.reserve(result.columns.size());
    for (const auto& c : result.columns) columns.push_back(c.field_index);
    append_record(out, table, version, row, columns);
  }
  if (!result.children) return;
  out.pop_back();  // the record's closing brace: the subqueries' records go inside it
  for (const soql::ChildRecords& child : *result.children) {
    out += ",\"";
    out += child.relationship;
    out += "\":";
    append_child_records(out, child, index, version, pager);
  }
  out.push_back('}');
}

void append_child_records(std::string& out, const soql::ChildRecords& child, std::size_t index,
                          std::string_view version, const ChildPager* pager) {
  const std::vector<std::uint32_t>& positions = child.per_row[index];
  if (positions.empty()) {  // Salesforce writes null, not an empty result, for no child records
    out += "null";
    return;
  }
  const bool paged = pager != nullptr && positions.size() > kInlineChildRecords;
  const std::size_t inline_count = paged ? kInlineChildRecords : positions.size();
  out += "{\"totalSize\":";
  out += std::to_string(positions.size());
  if (paged) {
    out += ",\"done\":false,\"nextRecordsUrl\":";
    append_json_string(out, (*pager)(child, index));
    out += ",\"records\":[";
  } else {
    out += ",\"done\":true,\"records\":[";
  }
  for (std::size_t k = 0; k < inline_count; ++k) {
    if (k) out.push_back(',');
    append_result_record(out, *child.result, version, positions[k]);
  }
  out += "]}";
}

void append_aggregate_record(std::string& out, const soql::AggregateRows& rows, std::size_t index) {
  out += "{\"attributes\":{\"type\":\"AggregateResult\"}";
  const std::vector<Value>& row = rows.rows[index];
  for (std::size_t c = 0; c < rows.names.size(); ++c) {
    out += ",\"";
    out += rows.names[c];
    out += "\":";
    append_value(out, rows.defs[c], row[c]);
  }
  out.push_back('}');
}

}  // namespace crmsync::emulator
