// The Bulk CSV parser gives exactly the rows the JSON PageParser gives for the same records: the
// same generated records are written once as a REST query page (Salesforce's JSON) and once as Bulk
// API results (Salesforce's CSV), then both are parsed and compared, whole and fed in pieces.
#include <gtest/gtest.h>

#include <random>

#include "common/text.h"
#include "common/timeutil.h"
#include "sync/csv_parser.h"
#include "sync/page_parser.h"
#include "selection_fixture.h"

namespace crmsync::sync {
namespace {

using testing::csv_quote;

catalog::FieldSelection selection() { return testing::opportunity_selection(); }

// One generated record: each value as Salesforce's JSON writes it (token text) and as Bulk's CSV
// writes it (cell text), or null.
struct Cell {
  bool null = true;
  std::string json;  // JSON token (strings already quoted and escaped)
  std::string csv;   // CSV cell (already quoted)
};

Cell text(const std::string& s) {
  Cell c{false, "", csv_quote(s)};
  append_json_string(c.json, s);
  return c;
}
Cell raw(const std::string& token) { return {false, token, csv_quote(token)}; }

std::string random_text(std::mt19937& rng, std::size_t length) {
  static const std::vector<std::string> pieces = {"a", "Z", " ", ",", "\"", "\n", "\r\n", "\xC3\xA9", "\xE2\x82\xAC",
                                                  "\xF0\x9F\x98\x80", "''", "\\", "\t", "|", "x\"\"y"};
  std::string out;
  while (out.size() < length) out += pieces[rng() % pieces.size()];
  return out;
}

std::vector<std::vector<Cell>> generate(int n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<Cell>> records;
  for (int i = 0; i < n; ++i) {
    std::vector<Cell> r(8);
    std::string id = "006RO00000" + std::to_string(10000000 + i);
    r[0] = text(id.substr(0, 15) + "AAA");
    r[1] = text(random_text(rng, 1 + rng() % 40));
    static const char* amounts[] = {"125000.5", "0.0", "2.88E8", "-17.25", "1.0E-4", "99"};
    if (rng() % 5) r[2] = raw(amounts[rng() % 6]);
    r[3] = raw(rng() % 3 ? "false" : "true");
    if (rng() % 4) r[4] = text("2025-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10));
    const std::string stamp = "2025-01-0" + std::to_string(1 + i / 30) + "T03:04:" + std::to_string(10 + i % 30) +
                              "." + std::to_string(100 + i) + "";
    r[5] = {false, "\"" + stamp + "+0000\"", "\"" + stamp + "Z\""};
    switch (rng() % 4) {
      case 0: break;                                                // null
      case 1: r[6] = text(random_text(rng, 200)); break;
      case 2: r[6] = text(std::string(9999, 'x') + "\xF0\x9F\x98\x80\xF0\x9F\x98\x80tail"); break;  // cut at 10,000
      default: r[6] = text(random_text(rng, 12000)); break;
    }
    if (rng() % 3) r[7] = raw(rng() % 2 ? "5.0" : std::to_string(rng() % 1000));
    records.push_back(std::move(r));
  }
  return records;
}

const char* const kNames[] = {"Id", "Name", "Amount", "IsDeleted", "CloseDate", "SystemModstamp", "Description",
                              "NumberOfEmployees__c"};

std::string as_json(const std::vector<std::vector<Cell>>& records) {
  std::string out = "{\"totalSize\":" + std::to_string(records.size()) + ",\"done\":true,\"records\":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i) out += ",";
    out += "{\"attributes\":{\"type\":\"Opportunity\",\"url\":\"/x\"}";
    for (std::size_t k = 0; k < 8; ++k) {
      out += ",\"" + std::string(kNames[k]) + "\":" + (records[i][k].null ? "null" : records[i][k].json);
    }
    out += "}";
  }
  return out + "]}";
}

std::string as_csv(const std::vector<std::vector<Cell>>& records, char delimiter = ',', const char* eol = "\n") {
  std::string out;
  for (std::size_t k = 0; k < 8; ++k) out += (k ? std::string(1, delimiter) : "") + csv_quote(kNames[k]);
  out += eol;
  for (const auto& r : records) {
    for (std::size_t k = 0; k < 8; ++k) out += (k ? std::string(1, delimiter) : "") + (r[k].null ? "" : r[k].csv);
    out += eol;
  }
  return out;
}

ParsedPage parse_json(const catalog::FieldSelection& sel, std::string body) {
  PageParser parser(sel);
  auto page = parser.parse(body);
  EXPECT_TRUE(page.ok()) << page.error().to_string();
  return page.ok() ? std::move(*page) : ParsedPage{};
}

// Feeds `csv` in pieces of `piece` bytes (0 = whole).
Result<ParsedPage> parse_csv(const catalog::FieldSelection& sel, std::string_view csv, std::size_t piece = 0,
                             char delimiter = ',') {
  CsvParser parser(sel, delimiter);
  ParsedPage page;
  parser.begin_document();
  if (piece == 0) piece = csv.size() + 1;
  for (std::size_t at = 0; at < csv.size(); at += piece) CRMSYNC_TRY(parser.feed(csv.substr(at, piece), page));
  CRMSYNC_TRY(parser.end_document(page));
  return page;
}

void expect_same(const ParsedPage& json, const ParsedPage& csv) {
  ASSERT_EQ(json.rows.size(), csv.rows.size());
  for (std::size_t i = 0; i < json.rows.size(); ++i) {
    ASSERT_EQ(json.rows[i], csv.rows[i]) << "row " << i;
  }
  EXPECT_EQ(json.deleted, csv.deleted);
  EXPECT_EQ(json.last_id, csv.last_id);
  EXPECT_EQ(json.last_modstamp, csv.last_modstamp);
}

TEST(CsvParserTest, GivesTheRowsTheJsonPageParserGivesForTheSameRecords) {
  auto sel = selection();
  auto records = generate(80, 1);
  ParsedPage json = parse_json(sel, as_json(records));
  ASSERT_EQ(json.rows.size(), 80u);
  EXPECT_GT(json.deleted, 0);
  auto csv = parse_csv(sel, as_csv(records));
  ASSERT_TRUE(csv.ok()) << csv.error().to_string();
  expect_same(json, *csv);
  // What makes the comparison meaningful: trimmed long text, typed numbers and booleans, Z datetimes.
  bool trimmed = false;
  for (std::size_t r = 0; r < csv->rows.size(); ++r) {
    const auto row = csv->rows[r];
    if (const auto* d = std::get_if<std::string>(&row[6])) {
      EXPECT_LE(utf8_length(*d), 10000u);
      trimmed = trimmed || utf8_length(*d) == 10000u;
    }
    EXPECT_EQ(std::get<std::string>(row[5]).back(), 'Z');
  }
  EXPECT_TRUE(trimmed);
}

TEST(CsvParserTest, CutsTextToTheFieldsLengthAsTheJsonPathDoes) {
  auto sel = selection();
  sel.fields[1].length = 10;     // Name
  sel.fields[6].length = 11000;  // Description: a long text area, stored as the guide's 10,000 at most
  auto records = generate(80, 4);
  ParsedPage json = parse_json(sel, as_json(records));
  auto csv = parse_csv(sel, as_csv(records), 7);
  ASSERT_TRUE(csv.ok()) << csv.error().to_string();
  expect_same(json, *csv);
  EXPECT_GT(csv->cuts["Name"], 0);
  EXPECT_EQ(csv->cuts, json.cuts);
  for (std::size_t r = 0; r < csv->rows.size(); ++r) {
    EXPECT_LE(utf8_length(std::get<std::string>(csv->rows[r][1])), 10u);
  }
}

TEST(CsvParserTest, RecordsSplitAcrossFeedsAtAnyByteGiveTheSameRows) {
  auto sel = selection();
  auto records = generate(12, 2);
  ParsedPage json = parse_json(sel, as_json(records));
  const std::string csv = as_csv(records);
  for (std::size_t piece : {1u, 2u, 3u, 5u, 64u, 4096u}) {
    auto page = parse_csv(sel, csv, piece);
    ASSERT_TRUE(page.ok()) << piece << ": " << page.error().to_string();
    expect_same(json, *page);
  }
  // Every two-way split of a small document.
  auto small = generate(3, 3);
  for (auto& r : small) r[6] = text("line1\r\nline2, \"q\"");
  ParsedPage small_json = parse_json(sel, as_json(small));
  const std::string small_csv = as_csv(small);
  for (std::size_t cut = 0; cut <= small_csv.size(); ++cut) {
    CsvParser parser(sel);
    ParsedPage page;
    parser.begin_document();
    ASSERT_TRUE(parser.feed(std::string_view(small_csv).substr(0, cut), page).ok());
    ASSERT_TRUE(parser.feed(std::string_view(small_csv).substr(cut), page).ok());
    ASSERT_TRUE(parser.end_document(page).ok());
    expect_same(small_json, page);
  }
}

TEST(CsvParserTest, CrlfOtherDelimitersAndNoFinalLineBreak) {
  auto sel = selection();
  auto records = generate(20, 4);
  ParsedPage json = parse_json(sel, as_json(records));
  for (char d : {'\t', '|', ';', '^', '`'}) {
    auto page = parse_csv(sel, as_csv(records, d, "\r\n"), 7, d);
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    expect_same(json, *page);
  }
  std::string csv = as_csv(records);
  csv.pop_back();  // no line break after the last record
  auto page = parse_csv(sel, csv);
  ASSERT_TRUE(page.ok());
  expect_same(json, *page);
}

TEST(CsvParserTest, ColumnsAreMatchedByNameAndPagesEachStartWithAHeader) {
  auto sel = selection();
  CsvParser parser(sel);
  ParsedPage page;
  parser.begin_document();
  ASSERT_TRUE(parser.feed("\"isdeleted\",\"Extra\",\"ID\"\n\"true\",\"x\",\"006RO0000000001AAA\"\n", page).ok());
  ASSERT_TRUE(parser.end_document(page).ok());
  parser.begin_document();
  ASSERT_TRUE(parser.feed("\"Id\",\"Name\"\n\"006RO0000000002AAA\",\"B\"\n", page).ok());
  ASSERT_TRUE(parser.end_document(page).ok());
  ASSERT_EQ(page.rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(page.rows[0][0]), "006RO0000000001AAA");
  EXPECT_EQ(std::get<bool>(page.rows[0][3]), true);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(page.rows[0][1]));  // no Name column on page 1
  EXPECT_EQ(std::get<std::string>(page.rows[1][1]), "B");
  EXPECT_EQ(page.deleted, 1);
}

// The cell rules one at a time, through the one-pass path (cells converted straight into the page).
TEST(CsvParserTest, QuotedCellsKeepDelimitersLineBreaksAndDoubledQuotes) {
  auto sel = selection();
  const std::string csv =
      "\"Id\",\"Name\",\"Description\"\n"
      "\"006RO0000000001AAA\",\"Smith, Jones & \"\"Partners\"\"\",\"line 1\nline 2\r\n\"\"end\"\"\"\n"
      "\"006RO0000000002AAA\",\"\"\"\",\"a,b\"\n";
  for (std::size_t piece : {0u, 1u, 7u}) {
    auto page = parse_csv(sel, csv, piece);
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    ASSERT_EQ(page->rows.size(), 2u);
    EXPECT_EQ(page->rows.text(0, 1), "Smith, Jones & \"Partners\"");
    EXPECT_EQ(page->rows.text(0, 6), "line 1\nline 2\r\n\"end\"");
    EXPECT_EQ(page->rows.text(1, 1), "\"");
    EXPECT_EQ(page->rows.text(1, 6), "a,b");
    EXPECT_EQ(page->last_id, "006RO0000000002AAA");
  }
}

TEST(CsvParserTest, EmptyCellsAreNullButAQuotedEmptyTextIsEmpty) {
  auto sel = selection();
  // Bulk writes null as nothing; "" is an empty string, which only text fields keep.
  auto page = parse_csv(sel,
                        "\"Id\",\"Name\",\"Amount\",\"IsDeleted\",\"CloseDate\",\"SystemModstamp\",\"Description\"\n"
                        "\"006RO0000000001AAA\",,,,,,\n"
                        "\"006RO0000000002AAA\",\"\",\"\",\"\",\"\",\"\",\"\"\n");
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_EQ(page->rows.size(), 2u);
  for (std::size_t k = 1; k <= 6; ++k) EXPECT_TRUE(page->rows.is_null(0, k)) << k;
  EXPECT_EQ(page->rows.kind(1, 1), store::RowBuffer::Kind::kText);
  EXPECT_EQ(page->rows.text(1, 1), "");
  EXPECT_EQ(page->rows.kind(1, 6), store::RowBuffer::Kind::kText);
  for (std::size_t k : {2u, 3u, 4u, 5u}) EXPECT_TRUE(page->rows.is_null(1, k)) << k;  // not text: null
  EXPECT_TRUE(page->rows.is_null(0, 7));  // no column at all
  EXPECT_FALSE(page->last_modstamp.has_value());
  EXPECT_EQ(page->deleted, 0);
}

TEST(CsvParserTest, BooleansNumbersAndDatetimesAreTyped) {
  auto sel = selection();
  auto page = parse_csv(sel,
                        "\"Id\",\"IsDeleted\",\"Amount\",\"NumberOfEmployees__c\",\"SystemModstamp\"\n"
                        "\"006RO0000000001AAA\",\"true\",\"2.88E8\",\"5.0\",\"2025-01-02T03:04:05.678Z\"\n"
                        "\"006RO0000000002AAA\",\"false\",\"-17.25\",\"42\",\"2025-01-02T03:04:06.000+0000\"\n"
                        "006RO0000000003AAA,false,99,-7,2025-01-02T03:04:07.001Z\n");
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_EQ(page->rows.size(), 3u);
  EXPECT_EQ(page->rows.kind(0, 3), store::RowBuffer::Kind::kBool);
  EXPECT_TRUE(page->rows.get_bool(0, 3));
  EXPECT_FALSE(page->rows.get_bool(1, 3));
  EXPECT_EQ(page->rows.kind(0, 2), store::RowBuffer::Kind::kReal);
  EXPECT_DOUBLE_EQ(page->rows.get_real(0, 2), 2.88e8);
  EXPECT_DOUBLE_EQ(page->rows.get_real(1, 2), -17.25);
  EXPECT_EQ(page->rows.kind(0, 7), store::RowBuffer::Kind::kInteger);
  EXPECT_EQ(page->rows.get_int(0, 7), 5);
  EXPECT_EQ(page->rows.get_int(1, 7), 42);
  EXPECT_EQ(page->rows.get_int(2, 7), -7);
  EXPECT_EQ(page->rows.text(0, 5), "2025-01-02T03:04:05.678Z");
  EXPECT_EQ(page->rows.text(1, 5), "2025-01-02T03:04:06.000Z");
  EXPECT_EQ(page->rows.text(2, 0), "006RO0000000003AAA");  // unquoted cells read the same
  EXPECT_EQ(page->deleted, 1);
  EXPECT_EQ(page->last_modstamp, parse_datetime("2025-01-02T03:04:07.001Z"));
  auto not_a_number = parse_csv(sel, "\"Id\",\"Amount\"\n\"006RO0000000001AAA\",\"12abc\"\n");
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_NE(not_a_number.error().message.find("Opportunity.Amount"), std::string::npos);
  EXPECT_NE(not_a_number.error().message.find("12abc"), std::string::npos);
  // No int64 holds it: refused, as on the JSON path (converting it was undefined behaviour).
  auto too_big = parse_csv(sel, "\"Id\",\"NumberOfEmployees__c\"\n\"006RO0000000001AAA\",\"1e300\"\n");
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().message.find("expected a whole number, got '1e300'"), std::string::npos);
  auto not_a_datetime = parse_csv(sel, "\"Id\",\"SystemModstamp\"\n\"006RO0000000001AAA\",\"yesterday\"\n");
  ASSERT_FALSE(not_a_datetime.ok());
  EXPECT_NE(not_a_datetime.error().message.find("yesterday"), std::string::npos);
}

TEST(CsvParserTest, ACutOffPageKeepsOnlyTheRecordsItCompletedAndIsRefused) {
  auto sel = selection();
  const std::string csv = as_csv(generate(5, 6));
  // Cut inside the last record's quoted Id: the four complete records are in the page after the
  // feed, the fifth is refused at the end of the document.
  const std::size_t fifth = csv.rfind("\n\"006RO");
  ASSERT_NE(fifth, std::string::npos);
  const std::string cut = csv.substr(0, fifth + 1 + 5);
  CsvParser parser(sel);
  ParsedPage page;
  parser.begin_document();
  ASSERT_TRUE(parser.feed(cut, page).ok());
  EXPECT_EQ(page.rows.size(), 4u);
  auto end = parser.end_document(page);
  ASSERT_FALSE(end.ok());
  EXPECT_NE(end.error().message.find("cut off"), std::string::npos);
  EXPECT_EQ(page.rows.size(), 4u);
  EXPECT_EQ(page.last_id, std::string(page.rows.text(3, 0)));
}

TEST(CsvParserTest, RefusesCutOffAndUnreadableResultsNamingTheField) {
  auto sel = selection();
  auto cut = parse_csv(sel, "\"Id\",\"Name\"\n\"006RO0000000001AAA\",\"unterminated");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("cut off"), std::string::npos);
  auto no_id = parse_csv(sel, "\"Name\"\n\"A\"\n");
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.error().message.find("no Id column"), std::string::npos);
  auto bad = parse_csv(sel, "\"Id\",\"IsDeleted\"\n\"006RO0000000001AAA\",\"maybe\"\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("Opportunity.IsDeleted"), std::string::npos);
  EXPECT_NE(bad.error().message.find("maybe"), std::string::npos);
  auto ragged = parse_csv(sel, "\"Id\",\"Name\"\n\"006RO0000000001AAA\",\"A\",\"extra\"\n");
  EXPECT_FALSE(ragged.ok());
}

}  // namespace
}  // namespace crmsync::sync
