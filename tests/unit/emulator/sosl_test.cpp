// SOSL's parsers and text matching (emulator/sosl/sosl.h), without an org.
#include <gtest/gtest.h>

#include "emulator/sosl/sosl.h"
#include "field_fixtures.h"

namespace crmsync::emulator::sosl {
namespace {

using emulator::testing::field;

// Whether the search string finds a record whose searched text is `texts` (and `phones`).
bool finds(const std::string& search, std::vector<std::string_view> texts, std::vector<std::string_view> phones = {}) {
  auto parsed = parse_search(search);
  EXPECT_TRUE(parsed) << search << ": " << (parsed ? "" : parsed.error().message);
  return parsed && matches(*parsed, texts, phones);
}

TEST(SoslMatchTest, WordsMatchWholeWordsInAnyCase) {
  EXPECT_TRUE(finds("acme", {"Acme Corp"}));
  EXPECT_TRUE(finds("ACME", {"the acme company"}));
  EXPECT_FALSE(finds("acm", {"Acme Corp"}));  // no wildcard: a whole word
  EXPECT_FALSE(finds("acme", {"Acmeville"}));
  EXPECT_TRUE(finds("gray", {"jane.gray@uoa.edu"}));  // punctuation separates words
  EXPECT_TRUE(finds("abc", {"ABC123 Ltd"}));           // and a change from letters to digits
  EXPECT_TRUE(finds("abc123", {"abc-123"}));
  EXPECT_FALSE(finds("abc124", {"abc123"}));
}

TEST(SoslMatchTest, WildcardsStandForAnyCharactersOrOne) {
  EXPECT_TRUE(finds("acm*", {"Acmeville"}));
  EXPECT_TRUE(finds("ac*e", {"Acme"}));
  EXPECT_TRUE(finds("ac?e", {"acme"}));
  EXPECT_FALSE(finds("ac?e", {"acmme"}));
  EXPECT_TRUE(finds("j?ne", {"Jane Gray"}));
}

TEST(SoslMatchTest, PhrasesNeedTheirWordsInOrderInOneField) {
  EXPECT_TRUE(finds("\"acme corp\"", {"The Acme Corp."}));
  EXPECT_FALSE(finds("\"corp acme\"", {"The Acme Corp."}));
  EXPECT_FALSE(finds("\"acme corp\"", {"Acme", "Corp"}));  // two fields are not one phrase
  EXPECT_TRUE(finds("jane.gray@uoa.edu", {"Email: jane.gray@uoa.edu"}));  // an email is its words in order
}

TEST(SoslMatchTest, OperatorsAndWordsSideBySide) {
  EXPECT_TRUE(finds("acme corp", {"Acme", "Corp"}));  // side by side: AND, across fields
  EXPECT_FALSE(finds("acme globex", {"Acme Corp"}));
  EXPECT_TRUE(finds("acme OR globex", {"Globex"}));
  EXPECT_TRUE(finds("acme AND NOT globex", {"Acme"}));
  EXPECT_FALSE(finds("acme AND NOT globex", {"Acme", "Globex"}));
  EXPECT_TRUE(finds("(acme OR globex) AND corp", {"Globex Corp"}));
  EXPECT_FALSE(finds("(acme OR globex) AND corp", {"Initech Corp"}));
  EXPECT_TRUE(finds("acme and corp", {"Acme Corp"}));  // operators in any case
}

TEST(SoslMatchTest, PhoneNumbersMatchOnTheirDigits) {
  EXPECT_TRUE(finds("555-1212", {}, {"(415) 555-1212"}));
  EXPECT_TRUE(finds("\"(415) 555-1212\"", {}, {"+1 415 555 1212"}));
  EXPECT_FALSE(finds("555-1313", {}, {"(415) 555-1212"}));
}

TEST(SoslParseTest, OneCharacterSearchIsRefused) {
  for (const char* search : {"a", "a*", " b ", "\"c\""}) {
    auto parsed = parse_search(search);
    ASSERT_FALSE(parsed) << search;
    EXPECT_EQ(parsed.error().code, "INVALID_SEARCH");
    EXPECT_EQ(parsed.error().message, std::string("search term must be longer than one character: ") + search);
  }
  EXPECT_TRUE(parse_search("ab"));
}

TEST(SoslParseTest, StatementClausesBecomeSoqlPerObject) {
  auto st = parse("FIND {Acme*} IN NAME FIELDS RETURNING Account(Id, Name WHERE Industry = 'Energy' ORDER BY Name "
                  "LIMIT 5), Contact, Lead(Email) LIMIT 20");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->scope, Scope::kName);
  EXPECT_EQ(st->limit, 20);
  ASSERT_EQ(st->returning.size(), 3u);
  EXPECT_EQ(st->returning[0].soql, "SELECT Id, Name FROM Account WHERE Industry = 'Energy' ORDER BY Name LIMIT 5");
  EXPECT_EQ(st->returning[1].soql, "SELECT Id FROM Contact");
  EXPECT_EQ(st->returning[2].soql, "SELECT Email FROM Lead");
  EXPECT_EQ(st->search.text, "Acme*");
}

TEST(SoslParseTest, WithMetadataLabelsComesBeforeLimit) {
  auto st = parse("FIND {acme} RETURNING Account(Id, Name) WITH METADATA='LABELS' LIMIT 3");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_TRUE(st->metadata_labels);
  EXPECT_EQ(st->limit, 3);
  EXPECT_FALSE(parse("FIND {acme} RETURNING Account")->metadata_labels);
  for (const char* text : {"FIND {acme} WITH METADATA='NAMES'", "FIND {acme} LIMIT 3 WITH METADATA='LABELS'",
                           "FIND {acme} WITH METADATA=LABELS"}) {
    auto bad = parse(text);
    ASSERT_FALSE(bad) << text;
    EXPECT_EQ(bad.error().code, "MALFORMED_SEARCH") << text;
  }
}

TEST(SoslParseTest, KeywordsInsideQuotedWhereValuesDoNotSplitTheFieldList) {
  auto st = parse("find {acme} returning Account(Name where Name = 'Order Limit' limit 2)");
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->returning[0].soql, "SELECT Name FROM Account where Name = 'Order Limit' limit 2");
}

TEST(SoslParseTest, ErrorsAreWordedAndPlacedAsSalesforceDoes) {
  // Recorded Salesforce answers (force-rest-api #92, restforce #688): the column counts from 0.
  auto st = parse("FIND {name} IN ALL TYPE RETURNING Account(name)");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "MALFORMED_SEARCH");
  EXPECT_EQ(st.error().message,
            "\nFIND {name} IN ALL TYPE RETURNING Account(name)\n                  ^\nERROR at Row:1:Column:19\n"
            "Malformed search token: TYPE");
  st = parse("FIND {John|jane_gray@uoa.edu} RETURNING Contact");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "MALFORMED_SEARCH");
  EXPECT_EQ(st.error().message,
            "\nFIND {John|jane_gray@uoa.edu} RETURNING Contact\n         ^\nERROR at Row:1:Column:10\n"
            "line 1:10 mismatched character '|' expecting '}'");
  st = parse("FIND Acme");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "No search term found. The search term must be enclosed in braces.");
  EXPECT_TRUE(parse("FIND {Marie\\-Pier}"));  // an escaped reserved character is text
}

TEST(SoslParseTest, ClausesOutOfOrderOrUnknownAreMalformed) {
  for (const char* text : {"FIND {acme} LIMIT 5 RETURNING Account", "FIND {acme} RETURNING Account IN ALL FIELDS",
                           "FIND {acme} RETURNING", "FIND {acme} WITH SNIPPET", "FIND {acme} RETURNING Account(",
                           "FIND {acme", "FIND {acme} LIMIT x"}) {
    auto st = parse(text);
    ASSERT_FALSE(st) << text;
    EXPECT_EQ(st.error().code, "MALFORMED_SEARCH") << text;
  }
}

TEST(SoslScopeTest, EachScopeSearchesItsFields) {
  FieldDef name = field("Name", "string");
  name.name_field = true;
  FieldDef formula = field("Label__c", "string");
  formula.calculated = true;
  Table contact("Contact", "003",
                {field("Id", "id"), name, field("FirstName", "string"), field("Email", "email"),
                 field("Phone", "phone"), field("Description", "textarea"), field("LeadSource", "picklist"),
                 field("NumberOfEmployees", "int"), formula});
  auto names = [&](Scope scope) {
    std::vector<std::string> out;
    for (std::size_t i : searched_fields(contact, scope)) out.push_back(contact.field(i).name);
    return out;
  };
  EXPECT_EQ(names(Scope::kName), (std::vector<std::string>{"Name", "FirstName"}));
  EXPECT_EQ(names(Scope::kEmail), std::vector<std::string>{"Email"});
  EXPECT_EQ(names(Scope::kPhone), std::vector<std::string>{"Phone"});
  EXPECT_EQ(names(Scope::kAll), (std::vector<std::string>{"Name", "FirstName", "Email", "Phone", "Description"}));
}

}  // namespace
}  // namespace crmsync::emulator::sosl
