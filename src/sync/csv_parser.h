// The Bulk API path of the sync: a streaming parser that turns Bulk API 2.0 query results (CSV)
// into the same store rows PageParser makes of a REST page for the same records and field
// selection (typed booleans and numbers, datetimes as YYYY-MM-DDTHH:MM:SS.sssZ, text cut to the
// field's length and long text areas trimmed to 10,000 code points, empty cells as null), and fetch_bulk(), which runs a whole Bulk
// query job and hands the rows over chunk by chunk. One pass: each cell is converted straight into
// the page's RowBuffer from the bytes it was given (copied only when it straddles two feeds or
// holds a doubled quote).
//
//   CsvParser parser(selection);             // one per object
//   parser.begin_document();                 // each results page starts with its header row
//   parser.feed(bytes, page);                // any split: records may straddle feeds
//   parser.end_document(page);               // the last record may lack its line break
//
//   auto stats = fetch_bulk(client, soql, /*all_rows=*/true, selection, {}, [&](ParsedPage& page) -> Status {
//     return write_rows(page);               // page.rows, page.last_modstamp, page.deleted
//   });
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "salesforce/bulk.h"
#include "salesforce/client.h"
#include "sync/page_parser.h"

namespace crmsync::sync {

class CsvParser {
 public:
  explicit CsvParser(const catalog::FieldSelection& selection, char delimiter = ',');

  // Starts a CSV document: its first record is the header row naming the columns (matched to the
  // selection case-insensitively; columns not selected are skipped, selected fields without a
  // column stay null). Errors: a header without an Id column (kSalesforce MALFORMED_RESPONSE).
  void begin_document();
  // Parses `bytes`, appending every record it completes to `page` (rows, deleted count,
  // last_modstamp and last_id as PageParser sets them). A record cut by the end of `bytes` is kept
  // until the next feed. Errors name the object, the field and the value that cannot be read.
  Status feed(std::string_view bytes, ParsedPage& page);
  // Ends the document: the last record, if it has no final line break, is appended. Errors: the
  // document ends inside a quoted value (a cut-off body).
  Status end_document(ParsedPage& page);

 private:
  enum class State { kCellStart, kUnquoted, kQuoted, kQuoteInQuoted };
  Status end_cell(std::string_view cell, ParsedPage& page);
  Status end_record(std::string_view last_cell, ParsedPage& page);
  void note_last_rows(ParsedPage& page, std::size_t first) const;
  Status map_header();
  Status open_row(ParsedPage& page);
  void park_partial_row(ParsedPage& page);
  Status resume_partial_row(ParsedPage& page);
  // The cell's text: a view of `from..to` in the caller's bytes, or (once the cell straddled a
  // feed, held a doubled quote or a stray CR) cell_ with that part appended.
  std::string_view take(const char* from, const char* to);
  void spill(const char* from, const char* to);
  Error fail(Error e, ParsedPage& page);  // drops the record being built
  Error malformed(const std::string& why) const;

  const catalog::FieldSelection& selection_;
  char delimiter_;
  std::vector<int> field_of_column_;  // selection index per CSV column, -1 when not selected
  int modstamp_index_ = -1;
  int deleted_index_ = -1;
  bool in_header_ = true;
  State state_ = State::kCellStart;
  std::size_t column_ = 0;
  bool cell_quoted_ = false;
  bool cell_owned_ = false;            // the cell so far is in cell_ (see take())
  bool record_started_ = false;
  bool row_open_ = false;              // the record's row is in the page (cells go straight in)
  const char* quote_at_ = nullptr;     // kQuoteInQuoted: where the quote that may close the cell is
  store::RowBuffer partial_;           // a record cut by the end of a feed, until the next one
  std::string cell_;                   // reused: no allocation per cell once warm
  std::vector<std::string> header_;
  std::int64_t line_ = 1;
};

// Converts one CSV cell as Bulk API writes it to the store's form for a field (see the header):
// an empty cell is null, except a quoted empty cell ("") of a text field, which is ''; text as
// text_to_store() keeps it (a value cut to the field's length is counted in `cuts`, when given).
// It is written into cell k of rows' last row (no allocation); errors name the value.
Status csv_cell_into(const catalog::SyncedField& field, std::string_view cell, bool quoted, const std::string& object,
                     store::RowBuffer& rows, std::size_t k, LengthCuts* cuts = nullptr);

struct BulkFetchStats {
  std::string job_id;
  std::int64_t records = 0;
  std::int64_t deleted = 0;
  int chunks = 0;
  int polls = 0;
};

// Runs `soql` as a Bulk API 2.0 query job (queryAll when all_rows) and calls on_rows once per
// results page with that page's rows in selection order (the ParsedPage is reused between calls;
// take what you need). The first error (the job's, a call's, a value's, the callback's) stops it.
// options.include_deleted is set from all_rows.
Result<BulkFetchStats> fetch_bulk(salesforce::Client& client, std::string_view soql, bool all_rows,
                                  const catalog::FieldSelection& selection, salesforce::BulkQueryOptions options,
                                  const std::function<Status(ParsedPage&)>& on_rows);

}  // namespace crmsync::sync
