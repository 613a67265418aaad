#include "sync/csv_parser.h"

#include <charconv>
#include <cstring>

#include "common/text.h"

namespace crmsync::sync {
namespace {

Error bad_value(const std::string& object, const catalog::SyncedField& f, std::string_view why) {
  return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
               "Salesforce returned a value for " + object + "." + f.name + " (" + catalog::to_string(f.type) +
                   ") that crmsync cannot read: " + std::string(why));
}

}  // namespace

Result<store::Value> csv_cell_to_store(const catalog::SyncedField& f, std::string_view cell, bool quoted,
                                       const std::string& object) {
  if (cell.empty() && (!quoted || f.storage != catalog::StorageClass::kText)) return store::Value{};
  const char* begin = cell.data();
  const char* end = cell.data() + cell.size();
  switch (f.storage) {
    case catalog::StorageClass::kBoolean:
      if (cell == "true") return store::Value{true};
      if (cell == "false") return store::Value{false};
      return bad_value(object, f, "expected true or false, got '" + std::string(cell) + "'");
    case catalog::StorageClass::kInteger: {
      std::int64_t i = 0;
      auto r = std::from_chars(begin, end, i);
      if (r.ec == std::errc() && r.ptr == end) return store::Value{i};
      double d = 0;  // Salesforce writes some integers as 5.0
      auto rd = std::from_chars(begin, end, d);
      if (rd.ec != std::errc() || rd.ptr != end) {
        return bad_value(object, f, "expected a whole number, got '" + std::string(cell) + "'");
      }
      return store::Value{static_cast<std::int64_t>(d)};
    }
    case catalog::StorageClass::kReal: {
      double d = 0;
      auto r = std::from_chars(begin, end, d);
      if (r.ec != std::errc() || r.ptr != end) return bad_value(object, f, "expected a number, got '" + std::string(cell) + "'");
      return store::Value{d};
    }
    case catalog::StorageClass::kDateTime: {
      auto iso = datetime_to_store(cell);
      if (!iso) return bad_value(object, f, "'" + std::string(cell) + "' is not a datetime");
      return store::Value{std::move(*iso)};
    }
    case catalog::StorageClass::kDate:
    case catalog::StorageClass::kTime:
    case catalog::StorageClass::kText:
      if (f.type == catalog::FieldType::kLongTextArea) cell = trim_long_text(cell);
      return store::Value{std::string(cell)};
  }
  return bad_value(object, f, "unknown storage class");
}

CsvParser::CsvParser(const catalog::FieldSelection& selection, char delimiter)
    : selection_(selection), delimiter_(delimiter) {
  for (std::size_t i = 0; i < selection.fields.size(); ++i) {
    if (!selection.modstamp_field.empty() && iequals(selection.fields[i].name, selection.modstamp_field)) {
      modstamp_index_ = static_cast<int>(i);
    }
    if (iequals(selection.fields[i].name, "IsDeleted")) deleted_index_ = static_cast<int>(i);
  }
  row_.resize(selection.fields.size());
}

Error CsvParser::malformed(const std::string& why) const {
  return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
               "Salesforce's Bulk API results for " + selection_.object + " are not the CSV crmsync expects (" + why +
                   ", line " + std::to_string(line_) + "); the rows were not stored");
}

void CsvParser::begin_document() {
  in_header_ = true;
  header_.clear();
  field_of_column_.clear();
  state_ = State::kCellStart;
  column_ = 0;
  cell_.clear();
  cell_quoted_ = false;
  record_started_ = false;
  line_ = 1;
  for (auto& v : row_) v = store::Value{};
}

Status CsvParser::end_cell() {
  if (in_header_) {
    header_.push_back(cell_);
  } else if (column_ < field_of_column_.size() && field_of_column_[column_] >= 0) {
    const auto idx = static_cast<std::size_t>(field_of_column_[column_]);
    auto v = csv_cell_to_store(selection_.fields[idx], cell_, cell_quoted_, selection_.object);
    if (!v) return v.error();
    row_[idx] = std::move(*v);
  } else if (column_ >= field_of_column_.size()) {
    return malformed("a record has more cells than the header");
  }
  ++column_;
  cell_.clear();
  cell_quoted_ = false;
  return ok_status();
}

Status CsvParser::end_record(ParsedPage& page) {
  CRMSYNC_TRY(end_cell());
  ++line_;
  const std::size_t cells = column_;
  column_ = 0;
  record_started_ = false;
  if (in_header_) {
    in_header_ = false;
    bool has_id = false;
    for (const std::string& name : header_) {
      int found = -1;
      for (std::size_t i = 0; i < selection_.fields.size(); ++i) {
        if (iequals(selection_.fields[i].name, name)) found = static_cast<int>(i);
      }
      has_id = has_id || found == 0;
      field_of_column_.push_back(found);
    }
    if (!has_id) return malformed("the header row has no Id column");
    return ok_status();
  }
  if (cells != field_of_column_.size()) return malformed("a record has fewer cells than the header");
  if (!std::holds_alternative<std::string>(row_[0])) return malformed("a record has no Id");
  if (deleted_index_ >= 0) {
    const auto* b = std::get_if<bool>(&row_[static_cast<std::size_t>(deleted_index_)]);
    if (b != nullptr && *b) ++page.deleted;
  }
  if (modstamp_index_ >= 0) {
    const auto* s = std::get_if<std::string>(&row_[static_cast<std::size_t>(modstamp_index_)]);
    if (s != nullptr) page.last_modstamp = parse_datetime(*s);
  }
  page.last_id = std::get<std::string>(row_[0]);
  if (page.rows.width() != row_.size()) {
    if (!page.rows.empty()) return malformed("rows of another selection are in the page");  // a caller's mistake
    page.rows.reset(row_.size());
  }
  page.rows.add_row();
  for (std::size_t k = 0; k < row_.size(); ++k) {
    page.rows.set_value(k, row_[k]);
    row_[k] = store::Value{};
  }
  return ok_status();
}

Status CsvParser::feed(std::string_view bytes, ParsedPage& page) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  const char d = delimiter_;
  while (p < end) {
    switch (state_) {
      case State::kCellStart: {
        const char c = *p++;
        if (c == '"') {
          state_ = State::kQuoted;
          cell_quoted_ = record_started_ = true;
        } else if (c == d) {
          record_started_ = true;
          CRMSYNC_TRY(end_cell());
        } else if (c == '\n') {
          if (record_started_ || column_ > 0) CRMSYNC_TRY(end_record(page));  // else a blank line
        } else if (c != '\r') {
          cell_.push_back(c);
          state_ = State::kUnquoted;
          record_started_ = true;
        }
        break;
      }
      case State::kUnquoted: {
        const char c = *p++;
        if (c == d) {
          state_ = State::kCellStart;
          CRMSYNC_TRY(end_cell());
        } else if (c == '\n') {
          state_ = State::kCellStart;
          CRMSYNC_TRY(end_record(page));
        } else if (c == '"') {
          return malformed("a quote inside an unquoted value");
        } else if (c != '\r') {
          cell_.push_back(c);
        }
        break;
      }
      case State::kQuoted: {
        // Most of a Bulk CSV is quoted text: copy up to the next quote in one go.
        const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p));
        const char* stop = q ? static_cast<const char*>(q) : end;
        for (const char* nl = p; nl < stop; ++nl) line_ += *nl == '\n';
        cell_.append(p, stop);
        p = stop;
        if (q) {
          ++p;
          state_ = State::kQuoteInQuoted;
        }
        break;
      }
      case State::kQuoteInQuoted: {
        const char c = *p++;
        if (c == '"') {
          cell_.push_back('"');
          state_ = State::kQuoted;
        } else if (c == d) {
          state_ = State::kCellStart;
          CRMSYNC_TRY(end_cell());
        } else if (c == '\n') {
          state_ = State::kCellStart;
          CRMSYNC_TRY(end_record(page));
        } else if (c != '\r') {
          return malformed("text after a closing quote");
        }
        break;
      }
    }
  }
  return ok_status();
}

Status CsvParser::end_document(ParsedPage& page) {
  if (state_ == State::kQuoted) return malformed("the results end inside a quoted value (cut off?)");
  if (record_started_ || column_ > 0 || !cell_.empty()) {
    state_ = State::kCellStart;
    CRMSYNC_TRY(end_record(page));
  }
  if (in_header_) return malformed("the results have no header row");
  return ok_status();
}

Result<BulkFetchStats> fetch_bulk(salesforce::Client& client, std::string_view soql, bool all_rows,
                                  const catalog::FieldSelection& selection, salesforce::BulkQueryOptions options,
                                  const std::function<Status(ParsedPage&)>& on_rows) {
  options.include_deleted = all_rows;
  CsvParser parser(selection, ',');
  BulkFetchStats stats;
  ParsedPage page;
  auto run = salesforce::bulk_query(client, soql, options, [&](const salesforce::BulkChunk& chunk) -> Status {
    page.rows.reset(selection.fields.size());
    page.deleted = 0;
    parser.begin_document();
    CRMSYNC_TRY(parser.feed(chunk.csv, page));
    CRMSYNC_TRY(parser.end_document(page));
    if (chunk.records >= 0 && static_cast<std::size_t>(chunk.records) != page.rows.size()) {
      return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                   "Salesforce's Bulk API results for " + selection.object + " announced " +
                       std::to_string(chunk.records) + " records (Sforce-NumberOfRecords) but held " +
                       std::to_string(page.rows.size()) + "; the rows were not stored");
    }
    stats.records += static_cast<std::int64_t>(page.rows.size());
    stats.deleted += page.deleted;
    return on_rows(page);
  });
  if (!run) return run.error();
  stats.job_id = run->job_id;
  stats.chunks = run->chunks;
  stats.polls = run->polls;
  return stats;
}

}  // namespace crmsync::sync
