// Turns a query page's JSON body into store rows for a field selection, converting each value to
// the store's representation: datetimes to YYYY-MM-DDTHH:MM:SS.sssZ, long text areas trimmed to
// 10,000 code points, booleans and numbers typed. Uses simdjson's on-demand parser, so a page is
// never built into a DOM; the parser's buffers are reused from page to page. Rows land in a flat
// store::RowBuffer (no allocation per row or per value once its capacity is warm).
#pragma once

#include <cstdint>
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
// The first 10,000 code points of a long text area value (never splitting a UTF-8 sequence).
std::string_view trim_long_text(std::string_view text);

struct ParsedPage {
  store::RowBuffer rows;                // cells in selection order
  std::optional<EpochMs> last_modstamp;  // of the last row, when the selection has one
  std::string last_id;
  std::int64_t deleted = 0;              // rows with IsDeleted = true
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
