#include <gtest/gtest.h>

#include "common/text.h"
#include "salesforce/wire.h"
#include "sync/page_parser.h"
#include "selection_fixture.h"

namespace crmsync::sync {
namespace {

using catalog::StorageClass;

using testing::opportunity_selection;

TEST(PageParserTest, ConvertsEveryTypeToTheStoreForm) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  std::string body = R"({"totalSize":2,"done":true,"records":[
    {"attributes":{"type":"Opportunity","url":"/services/data/v62.0/sobjects/Opportunity/006RO0000000001AAA"},
     "Id":"006RO0000000001AAA","Name":"Acme \u00e9 \"big\" deal","Amount":125000.5,"IsDeleted":false,
     "CloseDate":"2025-03-31","SystemModstamp":"2025-01-02T03:04:05.000+0000","Description":null,
     "NumberOfEmployees__c":5.0},
    {"attributes":{"type":"Opportunity"},"Id":"006RO0000000002AAA","Name":"B","Amount":null,"IsDeleted":true,
     "CloseDate":null,"SystemModstamp":"2025-01-02T04:00:00.000+0100","Description":"short","NumberOfEmployees__c":12}]})";
  auto page = parser.parse(body);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_EQ(page->rows.size(), 2u);
  const auto& a = page->rows[0];
  EXPECT_EQ(std::get<std::string>(a[0]), "006RO0000000001AAA");
  EXPECT_EQ(std::get<std::string>(a[1]), "Acme \xC3\xA9 \"big\" deal");
  EXPECT_DOUBLE_EQ(std::get<double>(a[2]), 125000.5);
  EXPECT_EQ(std::get<bool>(a[3]), false);
  EXPECT_EQ(std::get<std::string>(a[4]), "2025-03-31");
  EXPECT_EQ(std::get<std::string>(a[5]), "2025-01-02T03:04:05.000Z");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(a[6]));
  EXPECT_EQ(std::get<std::int64_t>(a[7]), 5);
  const auto& b = page->rows[1];
  EXPECT_TRUE(std::holds_alternative<std::monostate>(b[2]));
  EXPECT_EQ(std::get<std::string>(b[5]), "2025-01-02T03:00:00.000Z");  // +0100 normalised to UTC
  EXPECT_EQ(page->deleted, 1);
  EXPECT_EQ(page->last_id, "006RO0000000002AAA");
  ASSERT_TRUE(page->last_modstamp.has_value());
  EXPECT_EQ(format_datetime_iso(*page->last_modstamp), "2025-01-02T03:00:00.000Z");
}

TEST(PageParserTest, TrimsLongTextAreasWithoutSplittingUtf8) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  std::string text;
  for (int i = 0; i < 9999; ++i) text += "a";
  text += "\xF0\x9F\x98\x80\xF0\x9F\x98\x80tail";  // code points 10,000 and 10,001 are emoji
  std::string body = R"({"records":[{"Id":"006RO0000000001AAA","Description":")" + text + R"("}]})";
  auto page = parser.parse(body);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  std::string stored = std::get<std::string>(page->rows[0][6]);
  EXPECT_EQ(utf8_length(stored), 10000u);
  EXPECT_EQ(stored.substr(stored.size() - 4), "\xF0\x9F\x98\x80");
}

TEST(PageParserTest, OnePassReaderGivesTheRowsParseGivesAndLeavesNoBody) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  const std::string body = R"({"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01g-2000",
    "records":[{"attributes":{"type":"Opportunity"},"Id":"006RO0000000001AAA","Name":"A","IsDeleted":true,
     "SystemModstamp":"2025-01-02T03:04:05.000+0000","Amount":1},
    {"Id":"006RO0000000002AAA","Name":"B","IsDeleted":false,"SystemModstamp":"2025-01-02T03:04:06.000+0000"}]})";
  std::string copy = body;
  auto two_pass = parser.parse(copy);
  ASSERT_TRUE(two_pass.ok()) << two_pass.error().to_string();

  ParsedPage one_pass;
  auto reader = parser.reader(one_pass);
  auto page = salesforce::parse_query_page(body, "query", &reader);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->total_size, 3);
  EXPECT_FALSE(page->done);
  EXPECT_EQ(page->next_records_url, "/services/data/v62.0/query/01g-2000");
  EXPECT_TRUE(page->body.empty());
  ASSERT_EQ(one_pass.rows.size(), 2u);
  for (std::size_t r = 0; r < 2; ++r) EXPECT_EQ(one_pass.rows[r], two_pass->rows[r]);
  EXPECT_EQ(one_pass.deleted, 1);
  EXPECT_EQ(one_pass.last_id, "006RO0000000002AAA");
  EXPECT_EQ(one_pass.last_modstamp, two_pass->last_modstamp);

  // A retried page starts afresh: the reader does not append to what it read before.
  auto again = salesforce::parse_query_page(body, "query", &reader);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(one_pass.rows.size(), 2u);
}

TEST(PageParserTest, OnePassReaderCallsACutOffPageANetworkErrorAndABadValueSalesforces) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  ParsedPage page;
  auto reader = parser.reader(page);
  const std::string whole = R"({"totalSize":2,"done":true,"records":[{"Id":"006RO0000000001AAA","Name":"A"},)"
                            R"({"Id":"006RO0000000002AAA","Name":"B"}]})";
  for (std::size_t cut : {whole.size() - 1, whole.size() - 3, whole.size() / 2 + 10, std::size_t{60}}) {
    auto r = salesforce::parse_query_page(whole.substr(0, cut), "query", &reader);
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.error().kind, ErrorKind::kNetwork) << "cut at " << cut << ": " << r.error().to_string();
    EXPECT_EQ(r.error().code, "MALFORMED_RESPONSE");
  }
  auto bad = salesforce::parse_query_page(
      R"({"totalSize":1,"done":true,"records":[{"Id":"006RO0000000001AAA","Amount":"lots"}]})", "query", &reader);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kSalesforce);
  EXPECT_NE(bad.error().message.find("Opportunity.Amount"), std::string::npos);
}

TEST(PageParserTest, ShortTextIsKeptWhole) {
  bool cut = true;
  auto lta = testing::field("Description", catalog::FieldType::kLongTextArea);
  EXPECT_EQ(text_to_store(lta, "hello", cut), "hello");
  EXPECT_FALSE(cut);
  std::string exactly(10000, 'x');
  EXPECT_EQ(text_to_store(lta, exactly, cut).size(), 10000u);
  std::string longer(10001, 'x');
  EXPECT_EQ(text_to_store(lta, longer, cut).size(), 10000u);
  EXPECT_FALSE(cut) << "the guide's long text trim is not a finding";
  auto no_length = testing::field("Name", catalog::FieldType::kString);
  EXPECT_EQ(text_to_store(no_length, longer, cut).size(), 10001u) << "no describe length: nothing to cut to";
}

TEST(PageParserTest, TextLongerThanTheFieldsLengthIsCutToItInCodePointsAndCounted) {
  // Issue #13: a 10 MB Name was stored as it came (three records per object grew the store to 504 MB).
  auto name = testing::field("Name", catalog::FieldType::kString);
  name.length = 255;
  std::string huge;
  while (huge.size() < (10u << 20)) huge += "\xC3\xA9xy\xE2\x82\xAC";  // é x y €: multi-byte at every cut point
  bool cut = false;
  std::string_view kept = text_to_store(name, huge, cut);
  EXPECT_TRUE(cut);
  EXPECT_EQ(utf8_length(kept), 255u);
  EXPECT_EQ(kept, utf8_prefix(huge, 255)) << "a prefix, never a split sequence";
  std::string exactly = std::string(utf8_prefix(huge, 255));
  EXPECT_EQ(text_to_store(name, exactly, cut), exactly);
  EXPECT_FALSE(cut) << "255 code points in more than 255 bytes fit";

  // A long text area shorter than the guide's 10,000: its own length is the bound (and a finding).
  auto lta = testing::field("Description", catalog::FieldType::kLongTextArea);
  lta.length = 1000;
  EXPECT_EQ(text_to_store(lta, std::string(2000, 'd'), cut).size(), 1000u);
  EXPECT_TRUE(cut);
  lta.length = 32768;
  EXPECT_EQ(text_to_store(lta, std::string(40000, 'd'), cut).size(), 10000u);
  EXPECT_TRUE(cut) << "longer than 32,768: a finding, stored as the guide's 10,000";

  auto sel = opportunity_selection();
  sel.fields[1].length = 120;  // Name
  PageParser parser(sel);
  std::string body = R"({"records":[{"Id":"006RO0000000001AAA","Name":")" + huge +
                     R"("},{"Id":"006RO0000000002AAA","Name":"fine"},{"Id":"006RO0000000003AAA","Name":")" + huge + R"("}]})";
  auto page = parser.parse(body);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(utf8_length(std::get<std::string>(page->rows[0][1])), 120u);
  EXPECT_EQ(std::get<std::string>(page->rows[1][1]), "fine");
  EXPECT_EQ(page->cuts, (LengthCuts{{"Name", 2}}));
}

TEST(PageParserTest, WrongValueTypeNamesObjectFieldAndValue) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  std::string body = R"({"records":[{"Id":"006RO0000000001AAA","SystemModstamp":"yesterday"}]})";
  auto page = parser.parse(body);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.error().message.find("Opportunity.SystemModstamp"), std::string::npos) << page.error().message;
  EXPECT_NE(page.error().message.find("yesterday"), std::string::npos);

  std::string body2 = R"({"records":[{"Id":"006RO0000000001AAA","Amount":"lots"}]})";
  auto page2 = parser.parse(body2);
  ASSERT_FALSE(page2.ok());
  EXPECT_NE(page2.error().message.find("Opportunity.Amount"), std::string::npos);
}

TEST(PageParserTest, MalformedAndTruncatedBodiesAreRefused) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  for (std::string body : {std::string("<html>"), std::string(R"({"totalSize":1})"),
                           std::string(R"({"records":[{"Id":"006RO0000000001AAA","Name":"x)"),
                           std::string(R"({"records":[{"Name":"no id"}]})")}) {
    auto page = parser.parse(body);
    EXPECT_FALSE(page.ok()) << body;
  }
}

// A hostile server's page nested 20,000 deep: simdjson On-Demand skips what it does not read
// without recursing, so the page is read (the odd Name kept as its JSON token), never a crash.
TEST(PageParserTest, PagesNestedDeepAreSkippedWithoutRecursion) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  const std::string deep = std::string(20000, '[') + std::string(20000, ']');
  std::string in_record = R"({"totalSize":1,"done":true,"records":[{"Id":"006RO0000000001AAA","Name":)" + deep + "}]}";
  auto page = parser.parse(in_record);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->rows.size(), 1u);
  std::string beside = R"({"totalSize":0,"done":true,"extra":)" + deep + R"(,"records":[]})";
  auto empty = parser.parse(beside);
  ASSERT_TRUE(empty.ok()) << empty.error().to_string();
  EXPECT_EQ(empty->rows.size(), 0u);
}

TEST(PageParserTest, DatetimeConversion) {
  EXPECT_EQ(datetime_to_store("2016-08-19T14:35:34.000+0000").value(), "2016-08-19T14:35:34.000Z");
  EXPECT_EQ(datetime_to_store("2016-08-19T14:35:34Z").value(), "2016-08-19T14:35:34.000Z");
  EXPECT_FALSE(datetime_to_store("2016-08-19").has_value());
  // The fast path (UTC "+0000") agrees with the general one.
  for (const char* t : {"1999-12-31T23:59:59.999+0000", "2024-02-29T00:00:00.000+0000", "2016-08-19T14:35:34.120+0000"}) {
    std::string z = std::string(t).substr(0, 23) + "Z";
    EXPECT_EQ(datetime_to_store(t).value(), format_datetime_iso(*parse_datetime(z))) << t;
  }
  EXPECT_EQ(datetime_to_store("2016-08-19T16:35:34.000+0200").value(), "2016-08-19T14:35:34.000Z");
  EXPECT_FALSE(datetime_to_store("2016-13-19T14:35:34.000+0000").has_value());
}

// Found by fuzz/json_page.cpp: a whole number no int64 holds, written as a double, was converted
// anyway (undefined behaviour: UBSan stops, a release build stores any number).
TEST(PageParserTest, AWholeNumberNoInt64HoldsIsRefused) {
  auto sel = opportunity_selection();
  PageParser parser(sel);
  for (const char* n : {"-1e126", "1e300", "9223372036854775808.0", "-999999999999999999999999999999"}) {
    std::string body = std::string(R"({"records":[{"Id":"006RO0000000001AAA","NumberOfEmployees__c":)") + n + "}]}";
    auto page = parser.parse(body);
    ASSERT_FALSE(page.ok()) << n;
    EXPECT_NE(page.error().message.find("Opportunity.NumberOfEmployees__c (INT) that crmsync cannot read: expected a "
                                        "whole number"),
              std::string::npos)
        << page.error().message;
  }
  std::string body = R"({"records":[{"Id":"006RO0000000001AAA","NumberOfEmployees__c":-9.2233720368547e18}]})";
  auto page = parser.parse(body);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->rows.get_int(0, 7), -9223372036854700032);
}

// Found by fuzz/json_page.cpp: the fast path took any day up to 31, so a page stored
// "2025-02-29T..." while its watermark (read back with parse_datetime) was lost.
TEST(PageParserTest, ADatetimeOnADayTheCalendarLacksIsRefused) {
  EXPECT_FALSE(datetime_to_store("2025-02-29T23:59:59.999+0000").has_value());
  EXPECT_FALSE(datetime_to_store("2024-04-31T00:00:00.000Z").has_value());
  EXPECT_EQ(datetime_to_store("2024-02-29T23:59:59.999+0000").value(), "2024-02-29T23:59:59.999Z");
  auto sel = opportunity_selection();
  PageParser parser(sel);
  std::string body =
      R"({"totalSize":1,"done":true,"records":[{"Id":"006RO0000000009AAA","SystemModstamp":"2025-02-29T23:59:59.999+0000"}]})";
  auto page = parser.parse(body);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "MALFORMED_RESPONSE");
  EXPECT_NE(page.error().message.find("'2025-02-29T23:59:59.999+0000' is not a datetime"), std::string::npos)
      << page.error().message;
}

}  // namespace
}  // namespace crmsync::sync
