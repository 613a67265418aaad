// Turns a query page's JSON body into store rows for a field selection, converting each value to
// the store's representation: datetimes to YYYY-MM-DDTHH:MM:SS.sssZ, text cut to the field's
// describe length (counted: a finding) and long text areas trimmed to 10,000 code points, booleans
// and numbers typed. Uses simdjson's on-demand parser, so a page is
// never built into a DOM; the parser's buffers are reused from page to page. Rows land in a flat
// store::RowBuffer (no allocation per row or per value once its capacity is warm).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "common/timeutil.h"
#include "salesforce/client.h"
#include "store/store.h"

namespace crmsync::sync {

// Converts one value as Salesforce's JSON writes it to the store's form for a field type.
// Datetimes: "2016-08-19T14:35:34.000+0000" -> "2016-08-19T14:35:34.000Z" (Bulk CSV's
// "...000Z" stays as it is).
std::optional<std::string> datetime_to_store(std::string_view salesforce_datetime);
// The same into cell k of rows' last row, without an allocation for the usual forms; false when
// the text is not a datetime (the cell is then untouched).
bool datetime_into(std::string_view salesforce_datetime, store::RowBuffer& rows, std::size_t k);

// An integer Salesforce wrote as a double (5.0), truncated; false when no int64 holds it (1e300).
bool int64_of_double(double d, std::int64_t& out);

// Text values longer than their field's describe length, stored cut to it: how many, by field name.
using LengthCuts = std::map<std::string, std::int64_t>;

// What a text value is stored as, for the REST and the Bulk path alike: at most the field's describe
// `length` in code points (what Salesforce lets the field hold: a longer value is a finding, and
// `cut` says so), and a long text area at most kLongTextMaxChars code points (the guide's trim, not a
// finding). Never splits a UTF-8 sequence; a field without a length keeps its value whole.
std::string_view text_to_store(const catalog::SyncedField& field, std::string_view text, bool& cut);
// Cell k of rows' last row set to text_to_store(field, text); a cut is counted in `cuts` when given.
void set_text_cell(const catalog::SyncedField& field, std::string_view text, store::RowBuffer& rows, std::size_t k,
                   LengthCuts* cuts);
// Adds `from`'s counts to `into`.
void add_cuts(LengthCuts& into, const LengthCuts& from);

struct ParsedPage {
  store::RowBuffer rows;                // cells in selection order
  std::optional<EpochMs> last_modstamp;  // of the last row, when the selection has one
  std::string last_id;
  std::int64_t deleted = 0;              // rows with IsDeleted = true
  LengthCuts cuts;                       // values longer than their field's length (stored cut)
};

class PageParser {
 public:
  explicit PageParser(const catalog::FieldSelection& selection);
  ~PageParser();
  PageParser(const PageParser&) = delete;
  PageParser& operator=(const PageParser&) = delete;

  // Parses the "records" of a query response body. The body may be padded in place (its capacity
  // grows), its content is unchanged. Errors (kSalesforce) name the object, the field and the value
  // that could not be read, e.g. a text where a number was expected.
  Result<ParsedPage> parse(std::string& body);

  // The one-pass path: a reader for Client::query / query_more that turns the page's records into
  // `page` (emptied first) while the client checks the page, so each page is parsed once. JSON cut
  // off inside the records is a kNetwork MALFORMED_RESPONSE (the client retries the page); a value
  // of the wrong type is kSalesforce as with parse(). `page` must outlive the call.
  salesforce::RecordsReader reader(ParsedPage& page);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::sync
