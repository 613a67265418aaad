// The sync's Bulk API CSV parser (sync/csv_parser.h): a results page as a server may send it, fed
// whole and again cut into pieces at places the input picks. The header promises that any split
// gives the same rows; both must hold what a page promises (page_checks.h).
//
// Input: byte 0 picks the delimiter (Bulk API's COMMA, TAB, PIPE, SEMICOLON, CARET, BACKQUOTE),
// bytes 1-3 where the pieces end (as fractions of the document), the rest is the CSV.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "page_checks.h"
#include "sync/csv_parser.h"

namespace {

using namespace crmsync;

struct Parsed {
  Status status = ok_status();
  sync::ParsedPage page;
};

Parsed parse_in_pieces(const catalog::FieldSelection& sel, char delimiter, std::string_view csv,
                       const std::vector<std::size_t>& cuts) {
  sync::CsvParser parser(sel, delimiter);
  Parsed out;
  parser.begin_document();
  std::size_t from = 0;
  for (std::size_t to : cuts) {
    // Each piece in a buffer of its own, as the network hands them over: nothing may be read
    // from a piece once it has been fed.
    std::string piece(csv.substr(from, to - from));
    out.status = parser.feed(piece, out.page);
    if (!out.status) return out;
    from = to;
  }
  out.status = parser.end_document(out.page);
  return out;
}

void check_same_rows(const store::RowBuffer& a, const store::RowBuffer& b) {
  FUZZ_CHECK(a.size() == b.size(), "whole: %zu rows, in pieces: %zu", a.size(), b.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    FUZZ_CHECK(a.row(r) == b.row(r), "row %zu differs when the document is fed in pieces", r);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const catalog::FieldSelection selection = fuzz::fuzz_selection();
  if (size < 4) return 0;
  static constexpr char kDelimiters[] = {',', '\t', '|', ';', '^', '`'};
  const char delimiter = kDelimiters[data[0] % sizeof kDelimiters];
  const std::string_view csv = fuzz::as_text(data + 4, size - 4);

  std::vector<std::size_t> cuts;
  for (int i = 1; i <= 3; ++i) cuts.push_back(csv.size() * data[i] / 255);
  std::sort(cuts.begin(), cuts.end());
  cuts.push_back(csv.size());

  Parsed whole = parse_in_pieces(selection, delimiter, csv, {csv.size()});
  Parsed pieces = parse_in_pieces(selection, delimiter, csv, cuts);
  FUZZ_CHECK(whole.status.ok() == pieces.status.ok(), "whole: %s; in pieces: %s",
             whole.status.ok() ? "ok" : whole.status.error().to_string().c_str(),
             pieces.status.ok() ? "ok" : pieces.status.error().to_string().c_str());
  if (!whole.status) return 0;
  fuzz::check_page(selection, whole.page);
  check_same_rows(whole.page.rows, pieces.page.rows);
  FUZZ_CHECK(whole.page.deleted == pieces.page.deleted, "deleted differs when fed in pieces");
  return 0;
}
