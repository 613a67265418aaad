#include "emulator/wire/wire.h"

#include "emulator/sf_error.h"

namespace crmsync::emulator {

void append_csv_text(std::string& out, std::string_view text) {
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

void append_csv_value(std::string& out, const FieldDef& field, const Value& value) {
  switch (value.index()) {
    case 0: return;  // null: an empty cell
    case 4: {
      const std::string& s = std::get<std::string>(value);
      if (!s.empty()) append_csv_text(out, s);  // Salesforce keeps no empty strings: empty is null
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
    append_csv_text(out, table.field(columns[i]).name);
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

namespace {

Error csv_error(std::string message) { return request_error(400, "ClientInputError", std::move(message)); }

// Reads one cell starting at `i`; leaves `i` on the delimiter, the line ending or the end.
Result<std::string> read_cell(std::string_view text, std::size_t& i, char delimiter, std::size_t line) {
  std::string cell;
  if (i < text.size() && text[i] == '"') {
    ++i;
    for (;;) {
      const std::size_t q = text.find('"', i);
      if (q == std::string_view::npos) {
        return csv_error("ClientInputError : Unmatched quote in the CSV data, in the record on line " +
                         std::to_string(line));
      }
      cell.append(text.substr(i, q - i));
      i = q + 1;
      if (i < text.size() && text[i] == '"') {
        cell.push_back('"');
        ++i;
        continue;
      }
      return cell;
    }
  }
  const std::size_t start = i;
  while (i < text.size() && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') ++i;
  return std::string(text.substr(start, i - start));
}

}  // namespace

Result<CsvDocument> read_csv(std::string_view text, char delimiter, bool crlf) {
  const char* const setting = crlf ? "CRLF" : "LF";
  CsvDocument doc;
  std::size_t i = 0, line = 1;
  std::vector<std::string> record;
  while (i < text.size()) {
    auto cell = read_cell(text, i, delimiter, line);
    if (!cell) return cell.error();
    record.push_back(std::move(*cell));
    if (i < text.size() && text[i] == delimiter) {
      ++i;
      if (i == text.size()) record.emplace_back();
      continue;
    }
    if (i < text.size()) {
      const bool is_crlf = text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n';
      if (is_crlf != crlf || (!crlf && text[i] != '\n')) {
        return csv_error(std::string("ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ") +
                         setting);
      }
      i += crlf ? 2 : 1;
    }
    if (doc.header.empty()) {
      doc.header = std::move(record);
    } else if (record.size() != doc.header.size()) {
      return csv_error("ClientInputError : The record on line " + std::to_string(line) + " has " +
                       std::to_string(record.size()) + " values, but the header row has " +
                       std::to_string(doc.header.size()) + " columns");
    } else {
      doc.records.push_back(std::move(record));
    }
    record.clear();
    ++line;
  }
  if (doc.header.empty() || (doc.header.size() == 1 && doc.header[0].empty())) {
    return csv_error("ClientInputError : The CSV data is empty: it needs a header row of field names");
  }
  return doc;
}

}  // namespace crmsync::emulator
