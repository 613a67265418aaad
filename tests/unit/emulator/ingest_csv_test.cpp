// Reading the CSV of a Bulk API 2.0 ingest upload (wire/wire.h read_csv): quoting, delimiters,
// the job's line ending, and the uploads that fail a job as a whole.
#include <gtest/gtest.h>

#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(IngestCsvTest, QuotedValuesKeepDelimitersQuotesAndLineBreaks) {
  auto doc = read_csv("Name,Description\n\"Acme, Inc\",\"say \"\"hi\"\"\nand bye\"\n,\n", ',', false);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->header, (std::vector<std::string>{"Name", "Description"}));
  EXPECT_EQ(doc->records, (Rows{{"Acme, Inc", "say \"hi\"\nand bye"}, {"", ""}}));
}

TEST(IngestCsvTest, TheJobsDelimiterAndLineEndingAndAMissingFinalLineBreak) {
  auto doc = read_csv("Name|Phone\r\nA|1\r\nB|2", '|', true);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->records, (Rows{{"A", "1"}, {"B", "2"}}));
}

TEST(IngestCsvTest, UploadsThatFailTheJobSayWhy) {
  auto crlf_as_lf = read_csv("Name\r\nA\r\n", ',', false);
  ASSERT_FALSE(crlf_as_lf.ok());
  EXPECT_EQ(crlf_as_lf.error().message,
            "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF");
  auto lf_as_crlf = read_csv("Name\nA\n", ',', true);
  ASSERT_FALSE(lf_as_crlf.ok());
  EXPECT_NE(lf_as_crlf.error().message.find("Current LineEnding setting is CRLF"), std::string::npos);
  auto open_quote = read_csv("Name\n\"A\n", ',', false);
  ASSERT_FALSE(open_quote.ok());
  EXPECT_NE(open_quote.error().message.find("Unmatched quote"), std::string::npos);
  auto short_record = read_csv("Name,Phone\nA\n", ',', false);
  ASSERT_FALSE(short_record.ok());
  EXPECT_NE(short_record.error().message.find("has 1 values, but the header row has 2 columns"), std::string::npos);
  EXPECT_FALSE(read_csv("", ',', false).ok());
}

}  // namespace
}  // namespace crmsync::emulator
