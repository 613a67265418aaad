// A test helper for Bulk API answers: the records of a whole CSV body (RFC 4180).
#pragma once

#include <string>
#include <vector>

namespace crmsync::testing {

// RFC 4180 records of a whole CSV body, as Bulk API answers it (the sync has its own streaming parser).
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text, char delimiter = ',') {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell.push_back(c);
      }
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == delimiter) {
      row.push_back(std::move(cell));
      cell.clear();
      any = true;
    } else if (c == '\n') {
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      cell.push_back(c);
      any = true;
    }
  }
  if (any) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace crmsync::testing
