// The record writer: Salesforce's value formats, and a 2,000-record page well under 10 ms.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "emulator/emu_json.h"
#include "emulator/emulator.h"

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

TEST(EmuJsonTest, TwoThousandRecordPageSerialisesFast) {
  auto db = generate_org({.seed = 42, .scale = 1000});
  const Table& tasks = *db->find("Task");
  ASSERT_GE(tasks.slot_count(), 2000u);
  std::vector<std::size_t> columns;
  for (std::size_t i = 0; i < tasks.fields().size(); ++i) columns.push_back(i);
  double best_ms = 1e9;
  std::string out;
  for (int attempt = 0; attempt < 5; ++attempt) {
    out.clear();
    auto t0 = std::chrono::steady_clock::now();
    out += "{\"totalSize\":2000,\"done\":true,\"records\":[";
    for (std::size_t r = 0; r < 2000; ++r) {
      if (r) out.push_back(',');
      append_record(out, tasks, "60.0", tasks.row(r), columns);
    }
    out += "]}";
    auto t1 = std::chrono::steady_clock::now();
    best_ms = std::min(best_ms, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::printf("2000 Task records x %zu fields: %zu bytes in %.2f ms\n", columns.size(), out.size(), best_ms);
  EXPECT_LT(best_ms, 10.0);
  auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["records"].size(), 2000u);
}

}  // namespace
}  // namespace crmsync::emulator
