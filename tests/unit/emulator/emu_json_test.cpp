// The record writer: Salesforce's value formats, and a 2,000-record page well under 10 ms.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "emulator/emulator.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

std::string write(const char* type, const Value& v) {
  FieldDef f;
  f.type = type;
  std::string out;
  append_value(out, f, v);
  return out;
}

TEST(EmuJsonTest, ValuesAreWrittenAsSalesforceWritesThem) {
  EXPECT_EQ(write("string", Value{}), "null");
  EXPECT_EQ(write("boolean", true), "true");
  EXPECT_EQ(write("int", std::int64_t{42}), "42");
  EXPECT_EQ(write("currency", 15000.0), "15000.0");
  EXPECT_EQ(write("currency", 1234.5), "1234.5");
  EXPECT_EQ(write("currency", 2.88e8), "2.88E8");  // Java's Double.toString
  EXPECT_EQ(write("double", 0.0001), "1.0E-4");
  EXPECT_EQ(write("date", Date{*parse_date("2016-08-19")}), "\"2016-08-19\"");
  EXPECT_EQ(write("datetime", DateTime{*parse_datetime("2016-08-19T14:35:34.007Z")}),
            "\"2016-08-19T14:35:34.007+0000\"");
  EXPECT_EQ(write("datetime", DateTime{*parse_datetime("1969-12-31T23:59:59Z")}), "\"1969-12-31T23:59:59.000+0000\"");
  EXPECT_EQ(write("string", std::string("a\"b\n日本")), "\"a\\\"b\\n日本\"");
}

TEST(EmuJsonTest, TwoThousandRecordPageIsValidJsonWithEveryField) {
  // The speed of this serialisation is measured by bench/emulator_page.cpp, not here.
  auto db = generate_org({.seed = 42, .scale = 1000});
  const Table& tasks = *db->find("Task");
  ASSERT_GE(tasks.slot_count(), 2000u);
  std::vector<std::size_t> columns;
  for (std::size_t i = 0; i < tasks.fields().size(); ++i) columns.push_back(i);
  std::string out = "{\"totalSize\":2000,\"done\":true,\"records\":[";
  for (std::size_t r = 0; r < 2000; ++r) {
    if (r) out.push_back(',');
    append_record(out, tasks, "60.0", tasks.row(r), columns);
  }
  out += "]}";
  auto parsed = nlohmann::json::parse(out);
  ASSERT_EQ(parsed["records"].size(), 2000u);
  const auto& first = parsed["records"][0];
  EXPECT_EQ(first["attributes"]["type"], "Task");
  EXPECT_EQ(first.size(), columns.size() + 1);  // every field plus attributes
  EXPECT_EQ(first["Id"], std::get<std::string>(tasks.row(0)[0]));
}

TEST(EmuJsonTest, RecordWriterWritesSalesforceRecordBytes) {
  std::vector<FieldDef> fields(5);
  fields[0].name = "Id";
  fields[0].type = "id";
  fields[1].name = "Subject";
  fields[1].type = "string";
  fields[2].name = "IsClosed";
  fields[2].type = "boolean";
  fields[3].name = "WhoId";
  fields[3].type = "reference";
  fields[4].name = "SystemModstamp";
  fields[4].type = "datetime";
  Table table("Task", "00T", fields);
  const std::size_t row = table.insert(Row{std::string("00T000000000001AAA"), std::string("Call \"Bob\"\n\x01"), true,
                                           Value{}, DateTime{*parse_datetime("2024-03-01T10:00:00.250Z")}});
  const std::string expected =
      R"({"attributes":{"type":"Task","url":"/services/data/v62.0/sobjects/Task/00T000000000001AAA"},)"
      R"("Id":"00T000000000001AAA","Subject":"Call \"Bob\"\n\u0001","IsClosed":true,"WhoId":null,)"
      R"("SystemModstamp":"2024-03-01T10:00:00.250+0000"})";
  const std::vector<std::size_t> columns = {0, 1, 2, 3, 4};
  std::string out;
  RecordWriter(table, "62.0", columns).append(out, table.row(row));
  EXPECT_EQ(out, expected);
  out.clear();
  append_record(out, table, "62.0", table.row(row), columns);
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace crmsync::emulator
