#include <gtest/gtest.h>

#include "common/json.h"

namespace crmsync {
namespace {

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ParseJsonTest, ParsesAsNlohmannDoes) {
  auto j = parse_json(R"({"a":[1,2.5,"x",true,null],"b":{"c":-3}})");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["a"][1], 2.5);
  EXPECT_EQ(j["b"]["c"], -3);
}

TEST(ParseJsonTest, NestingIsBoundedAtTheMaximum) {
  JsonProblem why;
  EXPECT_FALSE(parse_json(nested(static_cast<int>(kMaxJsonDepth)), why).is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kNone);
  EXPECT_TRUE(parse_json(nested(static_cast<int>(kMaxJsonDepth) + 1), why).is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kTooDeep);
  EXPECT_TRUE(parse_json(R"({"a":{"b":[{}]}})", why, 3).is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kTooDeep);
}

// 40 KB nested 20,000 deep parsed (nlohmann's parser is iterative), then crashed whatever copied
// or wrote the value out; it is refused instead, and copying what is accepted stays shallow.
TEST(ParseJsonTest, TwentyThousandLevelsAreRefusedNotParsed) {
  JsonProblem why;
  auto j = parse_json(R"({"body":)" + nested(20000) + "}", why);
  EXPECT_TRUE(j.is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kTooDeep);
}

TEST(ParseJsonTest, NumbersNoDoubleHoldsAreNamed) {
  JsonProblem why;
  EXPECT_TRUE(parse_json(R"({"n":1e400})", why).is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kNumberTooLarge);
  EXPECT_EQ(why.token, "1e400");
  EXPECT_TRUE(parse_json("[" + std::string(400, '9') + "]", why).is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kNumberTooLarge);
}

TEST(ParseJsonTest, SyntaxErrorsSayWhere) {
  JsonProblem why;
  EXPECT_TRUE(parse_json(R"({"a": x})", why).is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kSyntax);
  EXPECT_EQ(why.byte, 7u);
  EXPECT_TRUE(parse_json("", why).is_discarded());
  EXPECT_EQ(why.kind, JsonProblem::Kind::kSyntax);
  EXPECT_TRUE(parse_json(R"({"a":1} trailing)").is_discarded());
}

}  // namespace
}  // namespace crmsync
