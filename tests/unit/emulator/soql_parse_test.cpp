#include <gtest/gtest.h>

#include "common/timeutil.h"
#include "emulator/soql/ast.h"
#include "emulator/soql/dates.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator::soql {
namespace {

const QueryAst& ast_of(const Result<Query>& q) { return q->ast(); }

void expect_error(std::string_view soql, const std::string& code, const std::string& message) {
  auto q = parse(soql);
  ASSERT_FALSE(q.ok()) << soql;
  EXPECT_EQ(q.error().kind, ErrorKind::kSalesforce);
  EXPECT_EQ(q.error().http_status, 400);
  EXPECT_EQ(q.error().code, code) << soql;
  EXPECT_EQ(q.error().message, message) << soql;
}

TEST(SoqlParseTest, SelectListObjectAndClauses) {
  auto q = parse("select Id, Name, Custom__c, Account.Name FROM Account WHERE Name = 'Acme' "
                 "ORDER BY Name DESC, CreatedDate NULLS LAST, Id ASC NULLS FIRST LIMIT 10 OFFSET 5");
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  const QueryAst& a = ast_of(q);
  ASSERT_EQ(a.fields.size(), 4u);
  EXPECT_EQ(a.fields[2].name, "Custom__c");
  EXPECT_EQ(a.fields[3].name, "Account.Name");
  EXPECT_EQ(q->object_name(), "Account");
  ASSERT_NE(a.where, nullptr);
  EXPECT_EQ(a.where->kind, Condition::Kind::kCompare);
  EXPECT_EQ(a.where->values[0].str, "Acme");
  ASSERT_EQ(a.order_by.size(), 3u);
  EXPECT_TRUE(a.order_by[0].descending);
  EXPECT_TRUE(a.order_by[0].nulls_last);  // DESC defaults to NULLS LAST
  EXPECT_FALSE(a.order_by[1].descending);
  EXPECT_TRUE(a.order_by[1].nulls_last);
  EXPECT_FALSE(a.order_by[2].nulls_last);
  EXPECT_EQ(a.limit, 10);
  EXPECT_EQ(a.offset, 5);
  EXPECT_EQ(q->text(), a.text);
}

TEST(SoqlParseTest, CountAndKeywordsInAnyCase) {
  auto q = parse("SeLeCt count() FrOm Contact wHeRe IsDeleted = TRUE");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(ast_of(q).is_count);
  EXPECT_TRUE(ast_of(q).fields.empty());
  EXPECT_EQ(ast_of(q).where->values[0].kind, LiteralKind::kBoolean);
  EXPECT_TRUE(ast_of(q).where->values[0].boolean);
}

TEST(SoqlParseTest, LiteralsOfEveryKind) {
  auto q = parse(
      "SELECT Id FROM A WHERE s = 'it\\'s \\\\ a\\nb' AND i = -42 AND d = 3.25 AND n = null AND b = false "
      "AND dt = 2024-02-29 AND ts = 2024-02-29T10:11:12Z AND tz = 2024-02-29T10:11:12.500+02:00 "
      "AND r = LAST_N_DAYS:7 AND t = today AND l LIKE 'a\\%b_%'");
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  const auto& c = ast_of(q).where->children;
  ASSERT_EQ(c.size(), 11u);
  EXPECT_EQ(c[0]->values[0].str, "it's \\ a\nb");
  EXPECT_EQ(c[1]->values[0].kind, LiteralKind::kInteger);
  EXPECT_EQ(c[1]->values[0].integer, -42);
  EXPECT_EQ(c[2]->values[0].kind, LiteralKind::kDecimal);
  EXPECT_DOUBLE_EQ(c[2]->values[0].decimal, 3.25);
  EXPECT_EQ(c[3]->values[0].kind, LiteralKind::kNull);
  EXPECT_FALSE(c[4]->values[0].boolean);
  EXPECT_EQ(c[5]->values[0].kind, LiteralKind::kDate);
  EXPECT_EQ(c[5]->values[0].date, *parse_date("2024-02-29"));
  EXPECT_EQ(c[6]->values[0].datetime, *parse_datetime("2024-02-29T10:11:12Z"));
  EXPECT_EQ(c[7]->values[0].datetime, *parse_datetime("2024-02-29T08:11:12.500Z"));
  EXPECT_EQ(c[8]->values[0].kind, LiteralKind::kRelativeDate);
  EXPECT_EQ(c[8]->values[0].relative.first, -7);
  EXPECT_EQ(c[8]->values[0].relative.last, 0);
  EXPECT_EQ(c[9]->values[0].kind, LiteralKind::kRelativeDate);
  EXPECT_EQ(c[10]->op, CompareOp::kLike);
  EXPECT_EQ(c[10]->values[0].str, "a%b_%");
  EXPECT_EQ(c[10]->values[0].like_pattern, "a\\%b_%");
}

TEST(SoqlParseTest, OperatorsInAndNotIn) {
  auto q = parse("SELECT Id FROM A WHERE a != 1 OR b <> 2 OR c < 3 OR d <= 4 OR e > 5 OR f >= 6 "
                 "OR g IN ('x', 'y') OR h NOT IN (1, 2, null)");
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  const auto& w = *ast_of(q).where;
  EXPECT_EQ(w.kind, Condition::Kind::kOr);
  std::vector<CompareOp> ops;
  for (const auto& c : w.children) ops.push_back(c->op);
  EXPECT_EQ(ops, (std::vector<CompareOp>{CompareOp::kNe, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe,
                                         CompareOp::kGt, CompareOp::kGe, CompareOp::kIn, CompareOp::kNotIn}));
  EXPECT_EQ(w.children[6]->values.size(), 2u);
  EXPECT_EQ(w.children[7]->values[2].kind, LiteralKind::kNull);
}

TEST(SoqlParseTest, ParenthesesAndNotBuildTheTree) {
  auto q = parse("SELECT Id FROM A WHERE NOT (a = 1 OR b = 2) AND ((c = 3) AND (NOT d = 4))");
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  const auto& w = *ast_of(q).where;
  ASSERT_EQ(w.kind, Condition::Kind::kAnd);
  ASSERT_EQ(w.children.size(), 2u);
  EXPECT_EQ(w.children[0]->kind, Condition::Kind::kNot);
  EXPECT_EQ(w.children[0]->children[0]->kind, Condition::Kind::kOr);
  EXPECT_EQ(w.children[1]->kind, Condition::Kind::kAnd);
  EXPECT_EQ(w.children[1]->children[1]->kind, Condition::Kind::kNot);
}

TEST(SoqlParseTest, EmptyStatement) {
  expect_error("", "MALFORMED_QUERY", "SOQL statements cannot be empty or null");
  expect_error("  \n ", "MALFORMED_QUERY", "SOQL statements cannot be empty or null");
}

TEST(SoqlParseTest, UnexpectedTokenUsesTheCaretLayout) {
  expect_error("SELECT Id FROM Account WHERE", "MALFORMED_QUERY",
               "\nSELECT Id FROM Account WHERE\n                           ^\nERROR at Row:1:Column:28\n"
               "unexpected token: '<EOF>'");
  expect_error("SELEC Id FROM Account", "MALFORMED_QUERY",
               "\nSELEC Id FROM Account\n^\nERROR at Row:1:Column:1\nunexpected token: 'SELEC'");
}

TEST(SoqlParseTest, MixingAndWithOrNeedsParentheses) {
  expect_error("SELECT Id FROM Contact WHERE a = 'x' AND b = 'y' OR c = 'z'", "MALFORMED_QUERY",
               "\nAND b = 'y' OR c = 'z'\n            ^\nERROR at Row:1:Column:50\n"
               "unexpected token: 'OR'");
  // NOT after AND needs its own parentheses too.
  EXPECT_FALSE(parse("SELECT Id FROM A WHERE a = 1 AND NOT b = 2").ok());
  EXPECT_TRUE(parse("SELECT Id FROM A WHERE a = 1 AND (NOT b = 2)").ok());
}

TEST(SoqlParseTest, CaretWindowIsFourTokensEitherSideOnTheRightRow) {
  expect_error("SELECT Id, Name, Phone, Fax, Website, Industry,, Type FROM Account", "MALFORMED_QUERY",
               "\nWebsite, Industry,, Type FROM Account\n                  ^\nERROR at Row:1:Column:48\n"
               "unexpected token: ','");
  expect_error("SELECT Id\nFROM Account\nWHERE Name = = 'x'", "MALFORMED_QUERY",
               "\nWHERE Name = = 'x'\n             ^\nERROR at Row:3:Column:14\nunexpected token: '='");
}

// Each level of parentheses is a recursion in the parser and the executor: 20,000 of them (40 KB)
// overflowed the stack; the bound answers MALFORMED_QUERY.
TEST(SoqlParseTest, ParenthesesNestAtMostAHundredDeep) {
  auto nest = [](int depth) {
    return "SELECT Id FROM Account WHERE " + std::string(depth, '(') + "Name = 'x'" + std::string(depth, ')');
  };
  EXPECT_TRUE(parse(nest(100)).ok());
  for (int depth : {101, 20000}) {
    auto q = parse(nest(depth));
    ASSERT_FALSE(q.ok()) << depth;
    EXPECT_EQ(q.error().code, "MALFORMED_QUERY");
    EXPECT_NE(q.error().message.find("Parentheses nest more than 100 levels deep"), std::string::npos)
        << q.error().message;
  }
}

TEST(SoqlParseTest, StatementsOverAHundredThousandCharactersAreMalformed) {
  const std::string head = "SELECT Id FROM Account WHERE Name = '";
  const std::string fits = head + std::string(100000 - head.size() - 1, 'x') + "'";
  EXPECT_TRUE(parse(fits).ok());
  expect_error(fits + " ", "MALFORMED_QUERY", "SOQL statements can not be longer than 100000 characters");
}

TEST(SoqlParseTest, DecimalsBeyondADoubleAreOutOfRange) {
  auto q = parse("SELECT Id FROM Opportunity WHERE Amount > " + std::string(400, '9') + ".5");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code, "MALFORMED_QUERY");
  EXPECT_NE(q.error().message.find("numeric value out of range: 999"), std::string::npos) << q.error().message;
}

TEST(SoqlParseTest, UnsupportedFeaturesAreMalformed) {
  for (const char* soql : {
           "SELECT TYPEOF What END FROM Event",
           "SELECT TYPEOF What WHEN Account THEN Name FROM Event",
           "SELECT Id FROM Event WHERE TYPEOF What WHEN Account THEN Name END = null",
           "SELECT Id FROM Account FOR UPDATE",
           "SELECT FIELDS(SOME) FROM Account LIMIT 200",
           "SELECT COUNT(), Name FROM Account",
           "SELECT Id FROM Account WHERE SUM(Amount) > 1",
           "SELECT Id, (SELECT Id FROM Contacts OFFSET 1) FROM Account",
           "SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account",
           "SELECT Id FROM Account WITH SECURITY_ENFORCED",
           "SELECT Id FROM Account WHERE Name = :name",
           "SELECT Id FROM Account a",
           "SELECT Id FROM Account WHERE CreatedDate > 2024-01-01T00:00:00",
           "SELECT Id FROM Account WHERE CreatedDate > LAST_N_DAYS",
           "SELECT Id FROM Account WHERE Name = banana",
           "SELECT Id FROM Account LIMIT -1",
           "SELECT Id FROM Account LIMIT 1.5",
       }) {
    auto q = parse(soql);
    ASSERT_FALSE(q.ok()) << soql;
    EXPECT_EQ(q.error().code, "MALFORMED_QUERY") << soql;
    EXPECT_NE(q.error().message.find("ERROR at Row:1:Column:"), std::string::npos) << soql;
  }
  expect_error("SELECT Name, Custom(Id) FROM Account", "MALFORMED_QUERY",
               "\nSELECT Name, Custom(Id) FROM Account\n                   ^\nERROR at Row:1:Column:20\n"
               "unexpected token: '('");
}

TEST(SoqlParseTest, SubqueriesAggregatesAndFunctions) {
  auto q = parse("SELECT Name, (SELECT LastName FROM Contacts WHERE LastName != null ORDER BY LastName LIMIT 2), "
                 "toLabel(Industry), FIELDS(STANDARD) FROM Account "
                 "WHERE Id IN (SELECT AccountId FROM Contact) AND Tags__c INCLUDES ('a;b', 'c') FOR VIEW");
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  const QueryAst& a = ast_of(q);
  ASSERT_EQ(a.fields.size(), 3u);
  EXPECT_TRUE(a.fields[1].to_label);
  EXPECT_EQ(a.fields[2].group, FieldsGroup::kStandard);
  ASSERT_EQ(a.subqueries.size(), 1u);
  EXPECT_EQ(a.subqueries[0]->object.name, "Contacts");
  EXPECT_EQ(a.subqueries[0]->limit, 2);
  ASSERT_EQ(a.where->children.size(), 2u);
  ASSERT_NE(a.where->children[0]->subquery, nullptr);
  EXPECT_EQ(a.where->children[0]->subquery->object.name, "Contact");
  EXPECT_EQ(a.where->children[1]->op, CompareOp::kIncludes);
  EXPECT_EQ(a.where->children[1]->values.size(), 2u);
  EXPECT_TRUE(a.for_view);

  auto g = parse("SELECT Industry, COUNT(Id) n, SUM(Amount), COUNT() FROM Opportunity GROUP BY Industry "
                 "HAVING COUNT(Id) > 1 ORDER BY SUM(Amount) DESC");
  ASSERT_TRUE(g.ok()) << g.error().to_string();
  const QueryAst& b = ast_of(g);
  ASSERT_TRUE(b.is_aggregate());
  EXPECT_EQ(b.fields[1].fn, AggregateFn::kCount);
  EXPECT_EQ(b.fields[1].alias, "n");
  EXPECT_EQ(b.fields[2].fn, AggregateFn::kSum);
  EXPECT_EQ(b.fields[3].fn, AggregateFn::kCount);
  EXPECT_EQ(b.fields[3].name, "");
  ASSERT_EQ(b.group_by.size(), 1u);
  ASSERT_NE(b.having, nullptr);
  EXPECT_EQ(b.having->field.fn, AggregateFn::kCount);
  EXPECT_EQ(b.order_by[0].field.fn, AggregateFn::kSum);
}

TEST(SoqlParseTest, LexicalErrors) {
  expect_error("SELECT Id FROM Account WHERE Name = 'abc", "MALFORMED_QUERY",
               "\nAccount WHERE Name = 'abc\n                        ^\nERROR at Row:1:Column:40\n"
               "line 1:40 mismatched character '<EOF>' expecting '''");
  expect_error("SELECT Id FROM Account WHERE Name # 'x'", "MALFORMED_QUERY",
               "\nFROM Account WHERE Name #\n                        ^\nERROR at Row:1:Column:35\n"
               "line 1:34 no viable alternative at character '#'");
  expect_error("SELECT Id FROM Account WHERE Name = 'a\\qb'", "MALFORMED_QUERY",
               "\nAccount WHERE Name = 'a\\qb'\n                     ^\nERROR at Row:1:Column:37\n"
               "Invalid string literal 'a\\qb'. Illegal character sequence '\\q' in string literal.");
}

// Found by fuzz/soql.cpp: the messages held only the first byte of a character the lexer does not
// know or that follows a backslash, so the emulator's answer was not UTF-8 (nor JSON).
TEST(SoqlParseTest, ErrorsShowWholeCharacters) {
  expect_error("S\xD2\xA9", "MALFORMED_QUERY",
               "\nS\xD2\xA9\n ^\nERROR at Row:1:Column:2\nline 1:1 no viable alternative at character '\xD2\xA9'");
  expect_error("SELECT Id FROM Account WHERE Name \xF0\x9F\x98\x80 'x'", "MALFORMED_QUERY",
               "\nFROM Account WHERE Name \xF0\x9F\x98\x80\n                        ^\nERROR at Row:1:Column:35\n"
               "line 1:34 no viable alternative at character '\xF0\x9F\x98\x80'");
  expect_error("SELECT Id FROM Account WHERE Name = 'a\\\xC3\xA9" "b'", "MALFORMED_QUERY",
               "\nAccount WHERE Name = 'a\\\xC3\xA9" "b'\n                     ^\nERROR at Row:1:Column:37\n"
               "Invalid string literal 'a\\\xC3\xA9" "b'. Illegal character sequence '\\\xC3\xA9' in string literal.");
}

TEST(SoqlParseTest, NumbersOutOfRange) {
  expect_error("SELECT Id FROM Account LIMIT 2147483648", "MALFORMED_QUERY",
               "\nId FROM Account LIMIT 2147483648\n                      ^\nERROR at Row:1:Column:30\n"
               "numeric value out of range: 2147483648");
}

TEST(SoqlRelativeDateTest, RangesAroundAWednesday) {
  const EpochDays wed = *parse_date("2024-03-13");  // a Wednesday
  auto range = [&](const char* name, std::int64_t n = 0) {
    DayRange r = evaluate(*make_relative_date(name, n), wed);
    return format_date(r.first) + ".." + format_date(r.end);
  };
  EXPECT_EQ(range("TODAY"), "2024-03-13..2024-03-14");
  EXPECT_EQ(range("yesterday"), "2024-03-12..2024-03-13");
  EXPECT_EQ(range("TOMORROW"), "2024-03-14..2024-03-15");
  EXPECT_EQ(range("THIS_WEEK"), "2024-03-10..2024-03-17");  // Sunday to Sunday
  EXPECT_EQ(range("LAST_WEEK"), "2024-03-03..2024-03-10");
  EXPECT_EQ(range("NEXT_WEEK"), "2024-03-17..2024-03-24");
  EXPECT_EQ(range("THIS_MONTH"), "2024-03-01..2024-04-01");
  EXPECT_EQ(range("LAST_MONTH"), "2024-02-01..2024-03-01");
  EXPECT_EQ(range("NEXT_MONTH"), "2024-04-01..2024-05-01");
  EXPECT_EQ(range("THIS_QUARTER"), "2024-01-01..2024-04-01");
  EXPECT_EQ(range("LAST_QUARTER"), "2023-10-01..2024-01-01");
  EXPECT_EQ(range("THIS_YEAR"), "2024-01-01..2025-01-01");
  EXPECT_EQ(range("LAST_YEAR"), "2023-01-01..2024-01-01");
  EXPECT_EQ(range("LAST_N_DAYS", 7), "2024-03-06..2024-03-14");  // today and the 7 days before
  EXPECT_EQ(range("NEXT_N_DAYS", 2), "2024-03-14..2024-03-16");  // tomorrow on
  EXPECT_EQ(range("N_DAYS_AGO", 3), "2024-03-10..2024-03-11");
  EXPECT_EQ(range("LAST_N_MONTHS", 2), "2024-01-01..2024-03-01");  // excludes this month
  EXPECT_EQ(range("LAST_90_DAYS"), "2023-12-14..2024-03-14");
  EXPECT_EQ(range("NEXT_N_YEARS", 1), "2025-01-01..2026-01-01");
  // Fiscal literals: the default fiscal year is the calendar year.
  EXPECT_EQ(range("THIS_FISCAL_QUARTER"), "2024-01-01..2024-04-01");
  EXPECT_EQ(range("LAST_FISCAL_YEAR"), "2023-01-01..2024-01-01");
  EXPECT_EQ(range("NEXT_FISCAL_QUARTER"), "2024-04-01..2024-07-01");
  EXPECT_EQ(range("LAST_N_FISCAL_QUARTERS", 2), "2023-07-01..2024-01-01");
  EXPECT_EQ(range("N_FISCAL_YEARS_AGO", 2), "2022-01-01..2023-01-01");
  EXPECT_EQ(relative_date_arity("next_n_fiscal_years"), RelativeArity::kWithCount);
  EXPECT_FALSE(make_relative_date("THIS_FISCAL_MONTH", 0).has_value());
}

}  // namespace
}  // namespace crmsync::emulator::soql
