// The sync's JSON page parser (sync/page_parser.h): a REST query page's body as a server (or
// anything between it and crmsync) may send it, parsed both ways the sync parses pages: whole
// (PageParser::parse) and in the client's one pass (salesforce::parse_query_page with the
// parser's RecordsReader). A bad body is an error value, a good one gives rows as the header says.
#include <cstddef>
#include <cstdint>
#include <string>

#include "page_checks.h"
#include "salesforce/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crmsync;
  static const catalog::FieldSelection selection = fuzz::fuzz_selection();
  static sync::PageParser parser(selection);  // reused from page to page, as the sync does

  std::string body(fuzz::as_text(data, size));
  auto page = parser.parse(body);
  FUZZ_CHECK(body == fuzz::as_text(data, size), "parse changed the body");
  if (page) fuzz::check_page(selection, *page);

  sync::ParsedPage one_pass;
  const salesforce::RecordsReader reader = parser.reader(one_pass);
  auto checked = salesforce::parse_query_page(std::string(fuzz::as_text(data, size)), "the fuzz query", &reader);
  if (checked) fuzz::check_page(selection, one_pass);
  return 0;
}
