// Query pages: the paging fields are read with simdjson On-Demand, which walks the records array
// structurally (checking it is complete) without materialising a single record.
#include <simdjson.h>

#include "salesforce/page_records.h"
#include "salesforce/wire.h"

namespace crmsync::salesforce {

namespace {

Error malformed(std::string_view what, const std::string& detail, ErrorKind kind) {
  return Error(kind, "MALFORMED_RESPONSE",
               "Salesforce's answer to " + std::string(what) + " was malformed: " + detail + ".");
}

Error syntax_error(std::string_view what, simdjson::error_code code) {
  return malformed(what, std::string("the JSON is invalid or cut off (") + simdjson::error_message(code) + ")",
                   ErrorKind::kNetwork);
}

}  // namespace

Result<QueryPage> parse_query_page(std::string body, std::string_view what, const RecordsReader* reader) {
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  thread_local simdjson::ondemand::parser parser;

  QueryPage page;
  bool seen_total = false, seen_done = false, seen_records = false;
  {
    simdjson::padded_string_view view(body.data(), body.size(), body.capacity());
    simdjson::ondemand::document doc;
    if (auto e = parser.iterate(view).get(doc)) return syntax_error(what, e);
    simdjson::ondemand::object root;
    if (auto e = doc.get_object().get(root)) {
      if (e == simdjson::INCORRECT_TYPE) return malformed(what, "the body is not a JSON object", ErrorKind::kSalesforce);
      return syntax_error(what, e);
    }
    for (auto field_r : root) {
      simdjson::ondemand::field field;
      if (auto e = std::move(field_r).get(field)) return syntax_error(what, e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return syntax_error(what, e);
      simdjson::ondemand::value value = field.value();
      if (key == "totalSize") {
        if (auto e = value.get_int64().get(page.total_size)) {
          return e == simdjson::INCORRECT_TYPE ? malformed(what, "totalSize is not an integer", ErrorKind::kSalesforce)
                                               : syntax_error(what, e);
        }
        seen_total = true;
      } else if (key == "done") {
        if (auto e = value.get_bool().get(page.done)) {
          return e == simdjson::INCORRECT_TYPE ? malformed(what, "done is not a boolean", ErrorKind::kSalesforce)
                                               : syntax_error(what, e);
        }
        seen_done = true;
      } else if (key == "nextRecordsUrl") {
        bool is_null = false;
        if (auto e = value.is_null().get(is_null)) return syntax_error(what, e);
        if (!is_null) {
          std::string_view url;
          if (auto e = value.get_string().get(url)) {
            return e == simdjson::INCORRECT_TYPE ? malformed(what, "nextRecordsUrl is not a string", ErrorKind::kSalesforce)
                                                 : syntax_error(what, e);
          }
          page.next_records_url = std::string(url);
        }
      } else if (key == "records") {
        simdjson::ondemand::array records;
        if (auto e = value.get_array().get(records)) {
          return e == simdjson::INCORRECT_TYPE ? malformed(what, "records is not an array", ErrorKind::kSalesforce)
                                               : syntax_error(what, e);
        }
        if (reader != nullptr) {
          PageRecords handed{records, page.next_records_url};
          Status read = (*reader)(handed);
          if (!read) return read.error();
        } else {
          // Stepping over each element (without reading it) proves the array is complete.
          for (auto record : records) {
            if (auto e = record.error()) return syntax_error(what, e);
          }
        }
        seen_records = true;
      }
      // Any other member is skipped by the iterator.
    }
    // current_location() is out of bounds once the whole document has been consumed.
    if (!doc.current_location().error()) return syntax_error(what, simdjson::TRAILING_CONTENT);
  }
  if (!seen_total || !seen_done || !seen_records) {
    return malformed(what, "it lacks totalSize, done or records", ErrorKind::kSalesforce);
  }
  if (!page.done && page.next_records_url.empty()) {
    return malformed(what, "done is false but there is no nextRecordsUrl", ErrorKind::kSalesforce);
  }
  if (page.done) page.next_records_url.clear();
  if (reader == nullptr) page.body = std::move(body);
  return page;
}

}  // namespace crmsync::salesforce
