#include "emulator/wire/wire.h"


namespace crmsync::emulator {
namespace {

void append_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t start = 0;
  for (std::size_t q = text.find('"'); q != std::string_view::npos; q = text.find('"', start)) {
    out.append(text.substr(start, q + 1 - start));
    out.push_back('"');
    start = q + 1;
  }
  out.append(text.substr(start));
  out.push_back('"');
}

}  // namespace

void append_csv_value(std::string& out, const FieldDef& field, const Value& value) {
  switch (value.index()) {
    case 0: return;  // null: an empty cell
    case 4: {
      const std::string& s = std::get<std::string>(value);
      if (!s.empty()) append_quoted(out, s);  // Salesforce keeps no empty strings: empty is null
      return;
    }
    case 6:
      out.push_back('"');
      append_datetime_text(out, std::get<DateTime>(value).ms, "Z");
      out.push_back('"');
      return;
    case 5:
    case 7: {
      // The JSON writer already quotes dates and times.
      append_value(out, field, value);
      return;
    }
    default:
      // Booleans and numbers: their JSON text (true, 42, 15000.0), quoted.
      out.push_back('"');
      append_value(out, field, value);
      out.push_back('"');
      return;
  }
}

void append_csv_header(std::string& out, const Table& table, const std::vector<std::size_t>& columns, char delimiter,
                       std::string_view eol) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out.push_back(delimiter);
    append_quoted(out, table.field(columns[i]).name);
  }
  out.append(eol);
}

void append_csv_record(std::string& out, const Table& table, const Row& row, const std::vector<std::size_t>& columns,
                       char delimiter, std::string_view eol) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out.push_back(delimiter);
    append_csv_value(out, table.field(columns[i]), row[columns[i]]);
  }
  out.append(eol);
}

}  // namespace crmsync::emulator
