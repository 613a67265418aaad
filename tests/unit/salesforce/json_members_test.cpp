// Typed reads of Salesforce's JSON answers: a member of the wrong type is an error naming the
// answer, the member and what it held, never an exception.
#include <gtest/gtest.h>

#include "salesforce/json_members.h"

namespace crmsync::salesforce {
namespace {

using nlohmann::json;

TEST(JsonMembersTest, RequiredMembersOfTheRightTypeAreRead) {
  json j = json::parse(R"({"id":"001","success":true,"count":3,"whole":5.0,"list":[1],"map":{}})");
  JsonMembers m(j, "create Account");
  EXPECT_EQ(*m.text("id"), "001");
  EXPECT_TRUE(*m.flag("success"));
  EXPECT_EQ(*m.integer("count"), 3);
  EXPECT_EQ(*m.integer("whole"), 5) << "Salesforce writes some integers as 5.0";
  EXPECT_EQ((*m.array("list"))->size(), 1u);
  EXPECT_TRUE((*m.object("map"))->is_object());
}

TEST(JsonMembersTest, WrongTypesAreErrorsThatNameTheMemberAndWhatItHeld) {
  json j = json::parse(R"({"success":"yes","id":12345,"count":1.5,"big":1e300,"huge":18446744073709551615,"list":{}})");
  JsonMembers m(j, "create Task");
  EXPECT_EQ(m.flag("success").error().message,
            "Salesforce's answer to create Task was malformed: \"success\" is a string (\"yes\"), not a boolean.");
  EXPECT_EQ(m.text("id").error().message,
            "Salesforce's answer to create Task was malformed: \"id\" is a number (12345), not a string.");
  EXPECT_EQ(m.text_or("id", "").error().code, "MALFORMED_RESPONSE") << "optional members are type-checked too";
  EXPECT_EQ(m.flag_or("success", false).error().kind, ErrorKind::kSalesforce);
  EXPECT_FALSE(m.integer("count"));
  EXPECT_FALSE(m.integer("big")) << "out of int64's range";
  EXPECT_FALSE(m.integer("huge"));
  EXPECT_NE(m.array("list").error().message.find("\"list\" is an object, not an array"), std::string::npos);
  EXPECT_NE(m.text("absent").error().message.find("it has no \"absent\" (a string)"), std::string::npos);
}

TEST(JsonMembersTest, AbsentOrNullOptionalMembersGiveTheFallback) {
  json j = json::parse(R"({"id":null})");
  JsonMembers m(j, "x");
  EXPECT_EQ(*m.text_or("id", "none"), "none");
  EXPECT_EQ(*m.text_or("other", ""), "");
  EXPECT_TRUE(*m.flag_or("created", true));
  EXPECT_EQ(*m.integer_or("n", -1), -1);
  EXPECT_TRUE((*m.array_or_empty("errors"))->empty());
  EXPECT_FALSE(m.text("id")) << "null is not a value of a required member";
}

TEST(JsonMembersTest, AValueThatIsNotAnObjectHasNoMembers) {
  for (const char* body : {"[]", "\"text\"", "42", "null"}) {
    json j = json::parse(body);
    JsonMembers m(j, "x");
    EXPECT_FALSE(m.is_object());
    EXPECT_NE(m.flag("success").error().message.find("not an object with \"success\""), std::string::npos) << body;
    EXPECT_EQ(*m.text_or("id", "f"), "f");
    EXPECT_EQ(text_member(j, "id", "f"), "f");
    EXPECT_FALSE(flag_member(j, "ok"));
  }
}

TEST(JsonMembersTest, LenientReadsTakeOnlyTheRightType) {
  json j = json::parse(R"({"name":"Account","flag":true,"wrong":7})");
  EXPECT_EQ(text_member(j, "name"), "Account");
  EXPECT_EQ(text_member(j, "wrong"), "");
  EXPECT_TRUE(flag_member(j, "flag"));
  EXPECT_TRUE(flag_member(j, "wrong", true));
}

TEST(JsonMembersTest, LongStringsAreShortenedInErrors) {
  json j = {{"id", std::string(10000, 'x')}};
  auto e = JsonMembers(j, "x").integer("id").error().message;
  EXPECT_LT(e.size(), 200u) << e;
  EXPECT_NE(e.find("xxx\"...)"), std::string::npos) << e;
}

}  // namespace
}  // namespace crmsync::salesforce
