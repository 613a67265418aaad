// The one log: levels, the text and JSON forms, and the "did you mean" every refusal of a name uses.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/text.h"

namespace crmsync {
namespace {

// Captures the log for one test, then puts the default back.
struct CapturedLog {
  std::ostringstream lines;
  explicit CapturedLog(log::Level level, log::Format format = log::Format::kText) {
    log::configure({.level = level, .format = format, .out = &lines});
  }
  ~CapturedLog() { log::configure({}); }
};

TEST(LogTest, TheLevelDecidesWhatIsWrittenAndWarningsAreShownByDefault) {
  EXPECT_TRUE(log::enabled(log::Level::kWarn));
  EXPECT_FALSE(log::enabled(log::Level::kInfo));
  CapturedLog captured(log::Level::kInfo);
  log::debug("http", "GET /x 200 (1 ms, attempt 1)");
  log::info("commit", "Account: committed 200 rows");
  log::warn("config", "something has no effect");
  log::error("run", "it failed");
  EXPECT_EQ(captured.lines.str(),
            "crmsync: info: Account: committed 200 rows\n"
            "crmsync: warning: something has no effect\n"
            "crmsync: error: it failed\n");
}

TEST(LogTest, JsonLinesAreOneObjectEachWithTimeLevelEventMessageAndFields) {
  CapturedLog captured(log::Level::kDebug, log::Format::kJson);
  log::debug("http", "GET /services/data 200 (12 ms, attempt 1)",
             {{"method", "GET"}, {"status", 200}, {"ms", 12L}, {"ok", true}, {"share", 0.5}});
  log::warn("config", "bad \"quote\" and \xff byte");
  std::istringstream in(captured.lines.str());
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  auto a = nlohmann::json::parse(first);
  EXPECT_EQ(a["level"], "debug");
  EXPECT_EQ(a["event"], "http");
  EXPECT_EQ(a["status"], 200);
  EXPECT_EQ(a["ms"], 12);
  EXPECT_EQ(a["ok"], true);
  EXPECT_EQ(a["share"], 0.5);
  EXPECT_EQ(a["time"].get<std::string>().size(), std::string("2024-05-02T13:30:00.123Z").size());
  auto b = nlohmann::json::parse(second);  // an invalid UTF-8 byte does not make the line unwritable
  EXPECT_EQ(b["level"], "warn");
}

TEST(LogTest, LinesFromManyThreadsNeverInterleave) {
  CapturedLog captured(log::Level::kInfo, log::Format::kJson);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) log::info("commit", "thread " + std::to_string(t), {{"i", i}});
    });
  }
  for (auto& t : threads) t.join();
  std::istringstream in(captured.lines.str());
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
  }
  EXPECT_EQ(lines, 800);
}

TEST(LogTest, LevelsAndFormatsParseInAnyCase) {
  EXPECT_EQ(log::parse_level("DEBUG"), log::Level::kDebug);
  EXPECT_EQ(log::parse_level("warning"), log::Level::kWarn);
  EXPECT_EQ(log::parse_level("verbose"), std::nullopt);
  EXPECT_EQ(log::parse_format("Json"), log::Format::kJson);
  EXPECT_EQ(log::parse_format("xml"), std::nullopt);
}

TEST(TextTest, ClosestMatchSuggestsOnlyNamesCloseEnoughToBeTypos) {
  const std::vector<std::string> commands = {"catalog", "check", "demo", "export", "status", "sync"};
  EXPECT_EQ(closest_match("snyc", commands), "sync");
  EXPECT_EQ(closest_match("Exprot", commands), "export");
  EXPECT_EQ(closest_match("deploy", commands), "");
  EXPECT_EQ(closest_match("--confg", {"--config", "--json", "-c"}), "--config");
  EXPECT_EQ(suggestion("lookback", {"lookback_seconds", "settle_seconds"}, "keys"),
            ". Known keys: lookback_seconds, settle_seconds.");
  EXPECT_EQ(suggestion("setle_seconds", {"lookback_seconds", "settle_seconds"}, "keys"),
            "; did you mean settle_seconds?");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("snyc", "sync"), 1u);  // a swap of neighbours is one edit
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  const std::vector<std::string> shells = {"bash", "zsh", "fish"};
  EXPECT_EQ(closest_match("pwsh", shells), "");  // two edits from bash: not a typo of it
  EXPECT_EQ(closest_match("zhs", shells), "zsh");
  EXPECT_EQ(closest_match("Oportunity", {"Opportunity", "Account"}), "Opportunity");
  EXPECT_EQ(closest_match("Opprotunty", {"Opportunity", "Account"}), "Opportunity");
}

}  // namespace
}  // namespace crmsync
