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

Status csv_cell_into(const catalog::SyncedField& f, std::string_view cell, bool quoted, const std::string& object,
                     store::RowBuffer& rows, std::size_t k, LengthCuts* cuts) {
  if (cell.empty() && (!quoted || f.storage != catalog::StorageClass::kText)) {
    rows.set_null(k);
    return ok_status();
  }
  const char* begin = cell.data();
  const char* end = cell.data() + cell.size();
  switch (f.storage) {
    case catalog::StorageClass::kBoolean:
      if (cell == "true" || cell == "false") {
        rows.set_bool(k, cell == "true");
        return ok_status();
      }
      return bad_value(object, f, "expected true or false, got '" + std::string(cell) + "'");
    case catalog::StorageClass::kInteger: {
      std::int64_t i = 0;
      auto r = std::from_chars(begin, end, i);
      if (r.ec == std::errc() && r.ptr == end) {
        rows.set_int(k, i);
        return ok_status();
      }
      double d = 0;  // Salesforce writes some integers as 5.0
      auto rd = std::from_chars(begin, end, d);
      if (rd.ec != std::errc() || rd.ptr != end || !int64_of_double(d, i)) {
        return bad_value(object, f, "expected a whole number, got '" + std::string(cell) + "'");
      }
      rows.set_int(k, i);
      return ok_status();
    }
    case catalog::StorageClass::kReal: {
      double d = 0;
      auto r = std::from_chars(begin, end, d);
      if (r.ec != std::errc() || r.ptr != end) return bad_value(object, f, "expected a number, got '" + std::string(cell) + "'");
      rows.set_real(k, d);
      return ok_status();
    }
    case catalog::StorageClass::kDateTime:
      if (!datetime_into(cell, rows, k)) return bad_value(object, f, "'" + std::string(cell) + "' is not a datetime");
      return ok_status();
    case catalog::StorageClass::kDate:
    case catalog::StorageClass::kTime:
    case catalog::StorageClass::kText:
      set_text_cell(f, cell, rows, k, cuts);
      return ok_status();
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
}

Error CsvParser::malformed(const std::string& why) const {
  return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
               "Salesforce's Bulk API results for " + selection_.object + " are not the CSV crmsync expects (" + why +
                   ", line " + std::to_string(line_) + "); the rows were not stored");
}

Error CsvParser::fail(Error e, ParsedPage& page) {
  if (row_open_) page.rows.pop_row();
  row_open_ = false;
  return e;
}

void CsvParser::begin_document() {
  in_header_ = true;
  header_.clear();
  field_of_column_.clear();
  state_ = State::kCellStart;
  column_ = 0;
  cell_.clear();
  cell_quoted_ = false;
  cell_owned_ = false;
  record_started_ = false;
  row_open_ = false;
  partial_.reset(0);
  line_ = 1;
}

std::string_view CsvParser::take(const char* from, const char* to) {
  if (!cell_owned_) return std::string_view(from, static_cast<std::size_t>(to - from));
  cell_.append(from, to);
  return cell_;
}

void CsvParser::spill(const char* from, const char* to) {
  cell_.append(from, to);
  cell_owned_ = true;
}

Status CsvParser::open_row(ParsedPage& page) {
  const std::size_t width = selection_.fields.size();
  if (page.rows.width() != width) {
    if (!page.rows.empty()) return malformed("rows of another selection are in the page");  // a caller's mistake
    page.rows.reset(width);
  }
  page.rows.add_row();
  row_open_ = true;
  return ok_status();
}

// The page holds complete records only between calls: a record cut by the end of a feed waits
// here (rare: once per feed at most).
void CsvParser::park_partial_row(ParsedPage& page) {
  if (!row_open_) return;
  const std::size_t last = page.rows.size() - 1;
  partial_.reset(page.rows.width());
  partial_.add_row();
  for (std::size_t k = 0; k < page.rows.width(); ++k) partial_.copy_cell(k, page.rows, last, k);
  page.rows.pop_row();
  row_open_ = false;
}

Status CsvParser::resume_partial_row(ParsedPage& page) {
  if (partial_.empty()) return ok_status();
  CRMSYNC_TRY(open_row(page));
  for (std::size_t k = 0; k < partial_.width(); ++k) page.rows.copy_cell(k, partial_, 0, k);
  partial_.reset(0);
  return ok_status();
}

Status CsvParser::end_cell(std::string_view cell, ParsedPage& page) {
  if (in_header_) {
    header_.emplace_back(cell);
  } else {
    if (column_ >= field_of_column_.size()) return fail(malformed("a record has more cells than the header"), page);
    if (!row_open_) CRMSYNC_TRY(open_row(page));
    if (const int idx = field_of_column_[column_]; idx >= 0) {
      const auto k = static_cast<std::size_t>(idx);
      Status s = csv_cell_into(selection_.fields[k], cell, cell_quoted_, selection_.object, page.rows, k, &page.cuts);
      if (!s) return fail(s.error(), page);
    }
  }
  ++column_;
  cell_.clear();
  cell_owned_ = false;
  cell_quoted_ = false;
  return ok_status();
}

Status CsvParser::map_header() {
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

Status CsvParser::end_record(std::string_view last_cell, ParsedPage& page) {
  CRMSYNC_TRY(end_cell(last_cell, page));
  ++line_;
  const std::size_t cells = column_;
  column_ = 0;
  record_started_ = false;
  if (in_header_) {
    in_header_ = false;
    return map_header();
  }
  if (cells != field_of_column_.size()) return fail(malformed("a record has fewer cells than the header"), page);
  const std::size_t last = page.rows.size() - 1;
  if (page.rows.kind(last, 0) != store::RowBuffer::Kind::kText) return fail(malformed("a record has no Id"), page);
  if (deleted_index_ >= 0) {
    const auto k = static_cast<std::size_t>(deleted_index_);
    if (page.rows.kind(last, k) == store::RowBuffer::Kind::kBool && page.rows.get_bool(last, k)) ++page.deleted;
  }
  row_open_ = false;
  return ok_status();
}

// last_id and last_modstamp of the records completed since row `first` (once per call, not per row).
void CsvParser::note_last_rows(ParsedPage& page, std::size_t first) const {
  const std::size_t n = page.rows.size();
  if (n <= first) return;
  page.last_id = std::string(page.rows.text(n - 1, 0));
  if (modstamp_index_ < 0) return;
  const auto k = static_cast<std::size_t>(modstamp_index_);
  for (std::size_t r = n; r-- > first;) {
    if (page.rows.kind(r, k) == store::RowBuffer::Kind::kText) {
      page.last_modstamp = parse_datetime(page.rows.text(r, k));
      return;
    }
  }
}

Status CsvParser::feed(std::string_view bytes, ParsedPage& page) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  const char d = delimiter_;
  const std::size_t first = page.rows.width() == selection_.fields.size() ? page.rows.size() : 0;
  CRMSYNC_TRY(resume_partial_row(page));
  const char* start = p;  // of the current cell's text not yet in cell_
  if (state_ == State::kQuoteInQuoted) quote_at_ = p;  // the previous feed ended on that quote
  while (p < end) {
    switch (state_) {
      case State::kCellStart: {
        const char c = *p;
        if (c == '"') {
          start = ++p;
          state_ = State::kQuoted;
          cell_quoted_ = record_started_ = true;
        } else if (c == d) {
          ++p;
          record_started_ = true;
          CRMSYNC_TRY(end_cell({}, page));
        } else if (c == '\n') {
          ++p;
          if (record_started_ || column_ > 0) CRMSYNC_TRY(end_record({}, page));  // else a blank line
        } else if (c == '\r') {
          ++p;
        } else {
          start = p;
          state_ = State::kUnquoted;
          record_started_ = true;
        }
        break;
      }
      case State::kUnquoted: {
        const char* q = p;
        while (q < end && *q != d && *q != '\n' && *q != '\r' && *q != '"') ++q;
        p = q;
        if (q == end) break;
        const char c = *p++;
        if (c == '"') return fail(malformed("a quote inside an unquoted value"), page);
        if (c == '\r') {  // dropped: keep what came before it
          spill(start, q);
          start = p;
          break;
        }
        state_ = State::kCellStart;
        if (c == d) {
          CRMSYNC_TRY(end_cell(take(start, q), page));
        } else {
          CRMSYNC_TRY(end_record(take(start, q), page));
        }
        break;
      }
      case State::kQuoted: {
        // Most of a Bulk CSV is quoted text: find the next quote in one go.
        const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p));
        const char* stop = q ? static_cast<const char*>(q) : end;
        for (const char* nl = p; nl < stop; ++nl) {
          nl = static_cast<const char*>(std::memchr(nl, '\n', static_cast<std::size_t>(stop - nl)));
          if (nl == nullptr) break;
          ++line_;
        }
        p = stop;
        if (q) {
          quote_at_ = p++;
          state_ = State::kQuoteInQuoted;
        }
        break;
      }
      case State::kQuoteInQuoted: {
        const char c = *p++;
        if (c == '"') {  // a doubled quote: one quote of the text
          spill(start, quote_at_ + 1);
          start = p;
          state_ = State::kQuoted;
        } else if (c == d) {
          state_ = State::kCellStart;
          CRMSYNC_TRY(end_cell(take(start, quote_at_), page));
        } else if (c == '\n') {
          state_ = State::kCellStart;
          CRMSYNC_TRY(end_record(take(start, quote_at_), page));
        } else if (c != '\r') {
          return fail(malformed("text after a closing quote"), page);
        }
        break;
      }
    }
  }
  // What is left of a cell is kept for the next feed (these bytes are the caller's).
  if (state_ == State::kUnquoted || state_ == State::kQuoted) spill(start, end);
  if (state_ == State::kQuoteInQuoted) spill(start, quote_at_);
  park_partial_row(page);
  note_last_rows(page, first);
  return ok_status();
}

Status CsvParser::end_document(ParsedPage& page) {
  const std::size_t first = page.rows.width() == selection_.fields.size() ? page.rows.size() : 0;
  CRMSYNC_TRY(resume_partial_row(page));
  if (state_ == State::kQuoted) return fail(malformed("the results end inside a quoted value (cut off?)"), page);
  if (record_started_ || column_ > 0 || !cell_.empty()) {
    state_ = State::kCellStart;
    CRMSYNC_TRY(end_record(cell_owned_ ? std::string_view(cell_) : std::string_view(), page));
  }
  if (in_header_) return malformed("the results have no header row");
  note_last_rows(page, first);
  return ok_status();
}

Result<BulkFetchStats> fetch_bulk(salesforce::Client& client, std::string_view soql, bool all_rows,
                                  const catalog::FieldSelection& selection, salesforce::BulkQueryOptions options,
                                  const std::function<Status(ParsedPage&)>& on_rows) {
  options.include_deleted = all_rows;
  CsvParser parser(selection, ',');
  BulkFetchStats stats;
  ParsedPage page;
  auto run = salesforce::bulk_query(client, soql, options, [&](salesforce::BulkChunk& chunk) -> Status {
    page.rows.reset(selection.fields.size());
    // One allocation per page: the text of a page is never longer than its CSV.
    page.rows.reserve(chunk.records > 0 ? static_cast<std::size_t>(chunk.records) : 0, chunk.csv.size());
    page.deleted = 0;
    page.cuts.clear();
    parser.begin_document();
    CRMSYNC_TRY(parser.feed(chunk.csv, page));
    CRMSYNC_TRY(parser.end_document(page));
    if (chunk.records >= 0 && static_cast<std::size_t>(chunk.records) != page.rows.size()) {
      return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                   "Salesforce's Bulk API results for " + selection.object + " announced " +
                       std::to_string(chunk.records) + " records (Sforce-NumberOfRecords) but held " +
                       std::to_string(page.rows.size()) + "; the rows were not stored");
    }
    std::string().swap(chunk.csv);  // the rows are in the page now; on_rows may wait for the writer
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
