#include <gtest/gtest.h>

#include <chrono>

#include "common/sfid.h"
#include "common/timeutil.h"
#include "emulator/soql/soql.h"
#include "emulator/wire/wire.h"
#include "field_fixtures.h"

namespace crmsync::emulator::soql {
namespace {

using emulator::testing::field;
using emulator::testing::reference;

Value dt(const char* s) { return DateTime{*parse_datetime(s)}; }
Value d(const char* s) { return Date{*parse_date(s)}; }
Value str(const char* s) { return std::string(s); }
const Value kNull{};

// Account rows, by row number (3 is soft-deleted, 4 is purged, 6 has no Name):
//   0 Acme            Technology  100  1000000  4.5  2020-01-15  2024-03-13T10:00:00Z  owner U1
//   1 acme corp       Technology   50     null  3.0  2021-06-01  2024-03-12T23:59:59Z  owner U2
//   2 Globex          Energy     null   500000 null        null  2024-02-01T00:00:00Z  no owner
//   3 Initech         null         10      100  1.0  2019-12-31  2024-03-10T00:00:00Z  (deleted)
//   4 Umbrella        Retail      200  2000000  5.0  2022-02-02  2023-12-31T00:00:00Z  (purged)
//   5 Zeta            Energy      100        0  2.5  2024-03-13  2024-03-13T23:00:00Z  owner U1
//   6 (null)          Retail        7       10  2.5  2024-03-10  2024-03-11T00:00:00Z  owner U2
//   7 100% Pure_Gold  Retail        1       20  9.0  2024-03-17  2024-03-17T00:00:00Z  owner U1
class SoqlExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FieldDef description = field("Description", "textarea");
    description.filterable = false;
    description.sortable = false;
    description.groupable = false;
    FieldDef address = field("BillingAddress", "address");
    FieldDef rating_field = field("Rating__c", "double"), founded_field = field("Founded__c", "date");
    FieldDef secret_field = field("Secret__c", "string");
    rating_field.custom = founded_field.custom = secret_field.custom = true;
    auto account = std::make_unique<Table>(
        "Account", "001",
        std::vector<FieldDef>{field("Id", "id"), field("Name", "string"), field("Industry", "picklist"),
                              field("IsDeleted", "boolean"), field("NumberOfEmployees", "int"),
                              field("AnnualRevenue", "currency"), rating_field, founded_field,
                              field("CreatedDate", "datetime"), reference("OwnerId", "Owner", "User"), description,
                              secret_field, address});
    u1 = make_sf_id("005", 1);
    u2 = make_sf_id("005", 2);
    auto add = [&](Value name, Value industry, bool deleted, Value employees, Value revenue, Value rating,
                   Value founded, Value created, Value owner) {
      std::string id = db.new_id(*account);
      ids.push_back(id);
      account->insert(Row{id, name, industry, deleted, employees, revenue, rating, founded, created, owner,
                          str("long text"), str("s"), kNull});  // full rows: see the note on Table::insert
    };
    auto i = [](std::int64_t v) { return Value(v); };
    add(str("Acme"), str("Technology"), false, i(100), 1e6, 4.5, d("2020-01-15"), dt("2024-03-13T10:00:00Z"), u1);
    add(str("acme corp"), str("Technology"), false, i(50), kNull, 3.0, d("2021-06-01"), dt("2024-03-12T23:59:59Z"),
        u2);
    add(str("Globex"), str("Energy"), false, kNull, 5e5, kNull, kNull, dt("2024-02-01T00:00:00Z"), kNull);
    add(str("Initech"), kNull, true, i(10), 100.0, 1.0, d("2019-12-31"), dt("2024-03-10T00:00:00Z"), u1);
    add(str("Umbrella"), str("Retail"), false, i(200), 2e6, 5.0, d("2022-02-02"), dt("2023-12-31T00:00:00Z"), u1);
    add(str("Zeta"), str("Energy"), false, i(100), 0.0, 2.5, d("2024-03-13"), dt("2024-03-13T23:00:00Z"), u1);
    add(kNull, str("Retail"), false, i(7), 10.0, 2.5, d("2024-03-10"), dt("2024-03-11T00:00:00Z"), u2);
    add(str("100% Pure_Gold"), str("Retail"), false, i(1), 20.0, 9.0, d("2024-03-17"), dt("2024-03-17T00:00:00Z"),
        u1);
    account->purge(4);
    db.add_table(std::move(account));

    auto contact = std::make_unique<Table>(
        "Contact", "003",
        std::vector<FieldDef>{field("Id", "id"), field("LastName", "string"),
                              reference("AccountId", "Account", "Account"), field("Birthdate", "date")});
    for (int k = 0; k < 3; ++k) {
      contact->insert(Row{db.new_id(*contact), str(k == 0 ? "Smith" : "Jones"), ids[static_cast<std::size_t>(k % 2)],
                          d("1990-05-05")});
    }
    db.add_table(std::move(contact));
    options.now = *parse_datetime("2024-03-13T12:00:00Z");  // a Wednesday
  }

  Result<QueryResult> run(std::string_view soql) { return run(soql, options); }
  Result<QueryResult> run(std::string_view soql, const ExecOptions& o) {
    auto q = parse(soql);
    if (!q) return q.error();
    return execute(*q, db, o);
  }
  std::vector<std::uint32_t> rows(std::string_view soql) { return rows(soql, options); }
  std::vector<std::uint32_t> rows(std::string_view soql, const ExecOptions& o) {
    auto r = run(soql, o);
    EXPECT_TRUE(r.ok()) << soql << "\n" << (r.ok() ? "" : r.error().to_string());
    if (!r) return {999};
    EXPECT_EQ(r->total_size, r->rows.size());
    return r->rows;
  }
  Error error(std::string_view soql) { return error(soql, options); }
  Error error(std::string_view soql, const ExecOptions& o) {
    auto r = run(soql, o);
    EXPECT_FALSE(r.ok()) << soql;
    if (r) return Error();
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_EQ(r.error().kind, ErrorKind::kSalesforce);
    return r.error();
  }

  using V = std::vector<std::uint32_t>;
  Database db;
  ExecOptions options;
  std::vector<std::string> ids;
  std::string u1, u2;
};

TEST_F(SoqlExecTest, SelectReturnsLiveRowsInCreationOrderWithDescribeNames) {
  auto r = run("SELECT name, ID, Account.Industry FROM account");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->table->name(), "Account");
  EXPECT_FALSE(r->is_count);
  ASSERT_EQ(r->columns.size(), 3u);
  EXPECT_EQ(r->columns[0].name, "Name");
  EXPECT_EQ(r->columns[0].field_index, 1u);
  EXPECT_EQ(r->columns[1].name, "Id");
  EXPECT_EQ(r->columns[2].name, "Industry");
  EXPECT_EQ(r->rows, (V{0, 1, 2, 5, 6, 7}));  // soft-deleted 3 and purged 4 are hidden
  EXPECT_EQ(r->total_size, 6u);
}

TEST_F(SoqlExecTest, IncludeDeletedShowsSoftDeletedButNeverPurgedRows) {
  ExecOptions all = options;
  all.include_deleted = true;
  EXPECT_EQ(rows("SELECT Id FROM Account", all), (V{0, 1, 2, 3, 5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE IsDeleted = true", all), (V{3}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE IsDeleted = false", all), (V{0, 1, 2, 5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE IsDeleted = true"), V{});
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name = 'Umbrella'", all), V{});
}

TEST_F(SoqlExecTest, TextComparisonsAreCaseInsensitiveAndInequalityKeepsNulls) {
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name = 'ACME'"), (V{0}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name != 'acme'"), (V{1, 2, 5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name <> 'acme'"), (V{1, 2, 5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name IN ('zeta', 'GLOBEX', 'nobody')"), (V{2, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name NOT IN ('zeta', 'globex')"), (V{0, 1, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name = null"), (V{6}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name != null"), (V{0, 1, 2, 5, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Industry IN ('energy', null)"), (V{2, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name > 'B' AND Name < 'ZZ'"), (V{2, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name <= 'acme'"), (V{0, 7}));
}

TEST_F(SoqlExecTest, LikeMatchesPercentUnderscoreAndEscapes) {
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE 'acme%'"), (V{0, 1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE '%CORP'"), (V{1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE '_cme'"), (V{0}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE 'a%e%'"), (V{0, 1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE '%e%'"), (V{0, 1, 2, 5, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE '100\\%%'"), (V{7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE '%\\_%'"), (V{7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE '10_\\% %'"), (V{7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name LIKE 'Glo'"), V{});
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NOT Name LIKE '%e%'"), (V{6}));  // a null Name is not LIKE
}

TEST_F(SoqlExecTest, IdsMatchIn15Or18CharacterForm) {
  std::string id2_15 = ids[2].substr(0, 15);
  std::string id5_lower_suffix = ids[5].substr(0, 15) + std::string(1, static_cast<char>(std::tolower(ids[5][15]))) +
                                 ids[5].substr(16);
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id = '" + id2_15 + "'"), (V{2}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id = '" + ids[2] + "'"), (V{2}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id IN ('" + ids[7] + "', '" + id5_lower_suffix + "', '" + ids[4] +
                 "', '" + ids[3] + "')"),
            (V{5, 7}));  // purged 4 and deleted 3 stay hidden
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id IN ('" + ids[0] + "', '" + ids[1] + "') AND Name LIKE '%corp'"),
            (V{1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id != '" + ids[0] + "'"), (V{1, 2, 5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE OwnerId = '" + u1.substr(0, 15) + "'"), (V{0, 5, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE OwnerId != '" + u1 + "'"), (V{1, 2, 6}));
  EXPECT_EQ(rows("SELECT Id FROM Contact WHERE AccountId = '" + ids[1] + "'"), (V{1}));
}

TEST_F(SoqlExecTest, NumbersCompareAgainstIntAndDoubleFields) {
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NumberOfEmployees > 50"), (V{0, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NumberOfEmployees >= 50"), (V{0, 1, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NumberOfEmployees < 50"), (V{6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NumberOfEmployees <= 7"), (V{6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NumberOfEmployees = 100"), (V{0, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NumberOfEmployees != 100"), (V{1, 2, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NumberOfEmployees IN (1, 7, 1000)"), (V{6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE AnnualRevenue > 15.5"), (V{0, 2, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE AnnualRevenue = 0"), (V{5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Rating__c = 3"), (V{1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Rating__c > -1 AND Rating__c < 2.6"), (V{5, 6}));
}

TEST_F(SoqlExecTest, DatesAndRelativeDateLiterals) {
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c > 2020-12-31"), (V{1, 5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c = 2024-03-13"), (V{5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c = TODAY"), (V{5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c = THIS_WEEK"), (V{5, 6}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c > THIS_WEEK"), (V{7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c < THIS_MONTH"), (V{0, 1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c = LAST_N_DAYS:3"), (V{5, 6}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c = NEXT_N_DAYS:4"), (V{7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Founded__c = null"), (V{2}));
}

TEST_F(SoqlExecTest, DateTimesAndRelativeDateLiterals) {
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate > 2024-03-13T00:00:00Z"), (V{0, 5, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate >= 2024-03-12T23:59:59Z"), (V{0, 1, 5, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate = 2024-03-13T12:00:00.000+02:00"), (V{0}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate = TODAY"), (V{0, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate = YESTERDAY"), (V{1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate < LAST_N_DAYS:2"), (V{2}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate >= LAST_N_DAYS:2"), (V{0, 1, 5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate <= YESTERDAY"), (V{1, 2, 6}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate = LAST_MONTH"), (V{2}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE CreatedDate = NEXT_WEEK"), (V{7}));
}

TEST_F(SoqlExecTest, LogicalOperatorsAndParentheses) {
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Industry = 'Technology' AND NumberOfEmployees > 60"), (V{0}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Industry = 'Energy' OR Name LIKE 'acme%'"), (V{0, 1, 2, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NOT Industry = 'Energy'"), (V{0, 1, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE (Industry = 'Energy' OR Industry = 'Retail') AND Rating__c > 2"),
            (V{5, 6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Industry = 'Energy' OR (Industry = 'Retail' AND Rating__c > 5)"),
            (V{2, 5, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE NOT (Industry = 'Energy' OR Name = null) AND (NOT Rating__c < 4)"),
            (V{0, 7}));
}

TEST_F(SoqlExecTest, OrderByWithSalesforceNullDefaults) {
  // ASC: nulls first; text sorts case-insensitively (Acme < acme corp < Globex).
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY Name"), (V{6, 7, 0, 1, 2, 5}));
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY Name ASC NULLS LAST"), (V{7, 0, 1, 2, 5, 6}));
  // DESC: nulls last.
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY Name DESC"), (V{5, 2, 1, 0, 7, 6}));
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY Name DESC NULLS FIRST"), (V{6, 5, 2, 1, 0, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY NumberOfEmployees DESC"), (V{0, 5, 1, 6, 7, 2}));
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY Industry, Rating__c DESC, Name"), (V{5, 2, 7, 6, 0, 1}));
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY CreatedDate DESC"), (V{7, 5, 0, 1, 6, 2}));
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY Founded__c"), (V{2, 0, 1, 6, 5, 7}));
}

TEST_F(SoqlExecTest, LimitAndOffset) {
  EXPECT_EQ(rows("SELECT Id FROM Account LIMIT 2"), (V{0, 1}));
  EXPECT_EQ(rows("SELECT Id FROM Account LIMIT 2 OFFSET 3"), (V{5, 6}));
  EXPECT_EQ(rows("SELECT Id FROM Account OFFSET 4"), (V{6, 7}));
  EXPECT_EQ(rows("SELECT Id FROM Account ORDER BY Name DESC LIMIT 3 OFFSET 1"), (V{2, 1, 0}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Industry = 'Retail' LIMIT 1"), (V{6}));
  EXPECT_EQ(rows("SELECT Id FROM Account LIMIT 0"), V{});
  EXPECT_EQ(rows("SELECT Id FROM Account OFFSET 50"), V{});
  Error e = error("SELECT Id FROM Account LIMIT 10 OFFSET 2001");
  EXPECT_EQ(e.code, "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(e.message, "Maximum SOQL offset allowed is 2000");
}

TEST_F(SoqlExecTest, CountReturnsNoRecordsAndTheTotal) {
  auto r = run("SELECT COUNT() FROM Account");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_count);
  EXPECT_TRUE(r->rows.empty());
  EXPECT_TRUE(r->columns.empty());
  EXPECT_EQ(r->total_size, 6u);
  r = run("SELECT count() FROM Account WHERE Industry = 'Retail'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total_size, 2u);
  ExecOptions all = options;
  all.include_deleted = true;
  r = run("SELECT COUNT() FROM Account", all);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total_size, 7u);
}

TEST_F(SoqlExecTest, UnknownObjectIsInvalidType) {
  Error e = error("SELECT Id FROM Contact123");
  EXPECT_EQ(e.code, "INVALID_TYPE");
  EXPECT_EQ(e.message,
            "\nSELECT Id FROM Contact123\n               ^\nERROR at Row:1:Column:16\nsObject type 'Contact123' is not "
            "supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity "
            "name. Please reference your WSDL or the describe call for the appropriate names.");
}

TEST_F(SoqlExecTest, UnknownFieldsAnywhereAreInvalidField) {
  const std::string tail =
      " on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the "
      "custom field name. Please reference your WSDL or the describe call for the appropriate names.";
  Error e = error("SELECT Naem FROM Account");
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_EQ(e.message, "\nSELECT Naem FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Naem'" + tail);
  e = error("SELECT Id FROM account WHERE Nope__c = 1");
  EXPECT_EQ(e.message, "\nId FROM account WHERE Nope__c = 1\n                      ^\nERROR at Row:1:Column:30\n"
                       "No such column 'Nope__c'" + tail);
  e = error("SELECT Id FROM Account ORDER BY Bogus");
  EXPECT_EQ(e.message,
            "\nFROM Account ORDER BY Bogus\n                      ^\nERROR at Row:1:Column:33\n"
            "No such column 'Bogus'" + tail);
}

TEST_F(SoqlExecTest, DuplicateFieldsAreRefused) {
  Error e = error("SELECT Id, Name, name FROM Account");
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_EQ(e.message, "duplicate field selected: name");
  e = error("SELECT Name, Account.Name FROM Account");
  EXPECT_EQ(e.message, "duplicate field selected: Account.Name");
}

TEST_F(SoqlExecTest, UnknownRelationshipsAreInvalidField) {  // paths that resolve: soql_paths_test.cpp
  Error e = error("SELECT Id, Boss.Name FROM Account");
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_EQ(e.message,
            "\nSELECT Id, Boss.Name FROM Account\n           ^\nERROR at Row:1:Column:12\nDidn't understand "
            "relationship 'Boss' in field path. If you are attempting to use a custom relationship, be sure to append "
            "the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the "
            "appropriate names.");
}

TEST_F(SoqlExecTest, ValuesOfTheWrongTypeAreRefusedAsSalesforceWordsIt) {
  struct Case {
    const char* soql;
    const char* code;
    const char* last_line;
  };
  for (const Case& c : std::vector<Case>{
           {"SELECT Id FROM Account WHERE CreatedDate > '2024-01-01T00:00:00Z'", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed "
            "in quotes"},
           {"SELECT Id FROM Account WHERE CreatedDate > 2024-01-01", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed "
            "in quotes"},
           {"SELECT Id FROM Account WHERE Founded__c = 2024-01-01T00:00:00Z", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'Founded__c' must be of type date and should not be enclosed in "
            "quotes"},
           {"SELECT Id FROM Account WHERE Founded__c = '2024-01-01'", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'Founded__c' must be of type date and should not be enclosed in "
            "quotes"},
           {"SELECT Id FROM Account WHERE IsDeleted = 'true'", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'IsDeleted' must be of type boolean and should not be enclosed in "
            "quotes"},
           {"SELECT Id FROM Account WHERE IsDeleted = 1", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'IsDeleted' must be of type boolean and should not be enclosed in "
            "quotes"},
           {"SELECT Id FROM Account WHERE NumberOfEmployees = '5'", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be "
            "enclosed in quotes"},
           {"SELECT Id FROM Account WHERE AnnualRevenue IN (1, '2')", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'AnnualRevenue' must be of type double and should not be enclosed "
            "in quotes"},
           {"SELECT Id FROM Account WHERE Name = 5", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"},
           {"SELECT Id FROM Account WHERE Name = TODAY", "INVALID_QUERY_FILTER_OPERATOR",
            "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"},
           {"SELECT Id FROM Account WHERE Id = 'Acme'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: Acme"},
           {"SELECT Id FROM Account WHERE OwnerId LIKE '005%'", "INVALID_QUERY_FILTER_OPERATOR",
            "invalid operator on id field"},
           {"SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD",
            "field 'Description' can not be filtered in a query call"},
           {"SELECT Id FROM Account WHERE BillingAddress = null", "INVALID_FIELD",
            "field 'BillingAddress' can not be filtered in a query call"},
           {"SELECT Id FROM Account ORDER BY Description", "INVALID_FIELD",
            "field 'Description' can not be sorted in a query call"},
       }) {
    Error e = error(c.soql);
    EXPECT_EQ(e.code, c.code) << c.soql;
    EXPECT_EQ(e.message.substr(e.message.rfind('\n') + 1), c.last_line) << c.soql;
    EXPECT_EQ(e.message.rfind("\n", 0), 0u) << c.soql;  // caret layout
  }
  Error e = error("SELECT Id FROM Account WHERE CreatedDate > '2024-01-01T00:00:00Z'");
  EXPECT_EQ(e.message.substr(0, e.message.rfind('\n')),
            "\nAccount WHERE CreatedDate > '2024-01-01T00:00:00Z'\n                            ^\n"
            "ERROR at Row:1:Column:44");
}

TEST_F(SoqlExecTest, RowVisibleHookHidesRows) {
  ExecOptions o = options;
  o.row_visible = [](const Table& t, std::size_t row) { return t.name() == "Account" && row % 2 == 1; };
  EXPECT_EQ(rows("SELECT Id FROM Account", o), (V{1, 5, 7}));
  auto r = run("SELECT COUNT() FROM Account WHERE Industry = 'Retail'", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total_size, 1u);
}

TEST_F(SoqlExecTest, InvisibleFieldsBehaveAsUnknownEverywhere) {
  ExecOptions o = options;
  o.field_visible = [](const Table&, const FieldDef& f) { return f.name != "Secret__c" && f.name != "OwnerId"; };
  for (const char* soql : {"SELECT Secret__c FROM Account", "SELECT Id FROM Account WHERE Secret__c = 's'",
                           "SELECT Id FROM Account ORDER BY secret__c", "SELECT COUNT() FROM Account WHERE "
                                                                         "(Name = 'x' OR Secret__c = null)"}) {
    Error e = error(soql, o);
    EXPECT_EQ(e.code, "INVALID_FIELD") << soql;
    EXPECT_NE(e.message.find("No such column '"), std::string::npos) << soql;
    EXPECT_NE(e.message.find("ecret__c' on entity 'Account'"), std::string::npos) << soql;
  }
  // The relationship of an invisible reference field is unknown too.
  EXPECT_NE(error("SELECT Owner.Name FROM Account", o).message.find("Didn't understand relationship 'Owner'"),
            std::string::npos);
  EXPECT_EQ(rows("SELECT Name FROM Account WHERE Name = 'zeta'", o), (V{5}));
}

TEST_F(SoqlExecTest, InvisibleTablesAreInvalidType) {
  ExecOptions o = options;
  o.table_visible = [](const Table& t) { return t.name() != "Contact"; };
  Error e = error("SELECT Id FROM Contact", o);
  EXPECT_EQ(e.code, "INVALID_TYPE");
  EXPECT_NE(e.message.find("sObject type 'Contact' is not supported."), std::string::npos);
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Name = 'Zeta'", o), (V{5}));
}

TEST_F(SoqlExecTest, AggregatesGroupLiveVisibleRows) {
  auto r = run("SELECT Industry, COUNT(Id), SUM(NumberOfEmployees) total FROM Account WHERE Industry != null "
               "GROUP BY Industry ORDER BY Industry");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_NE(r->aggregate, nullptr);
  const AggregateRows& a = *r->aggregate;
  EXPECT_EQ(a.names, (std::vector<std::string>{"Industry", "expr0", "total"}));
  ASSERT_EQ(a.rows.size(), 3u);  // Initech is deleted, Umbrella purged
  EXPECT_EQ(a.rows[0][0], Value(str("Energy")));
  EXPECT_EQ(a.rows[0][1], Value(std::int64_t{2}));
  EXPECT_EQ(a.rows[0][2], Value(100.0));
  EXPECT_EQ(a.rows[1][2], Value(8.0));
  EXPECT_EQ(a.rows[2][0], Value(str("Technology")));
  EXPECT_EQ(a.rows[2][2], Value(150.0));

  auto distinct = run("SELECT COUNT_DISTINCT(Name), MIN(Founded__c), MAX(Rating__c) FROM Account");
  ASSERT_TRUE(distinct.ok()) << distinct.error().to_string();
  EXPECT_EQ(distinct->aggregate->rows[0][0], Value(std::int64_t{5}));  // "Acme" and "acme corp" differ
  EXPECT_EQ(distinct->aggregate->rows[0][2], Value(9.0));

  auto having = run("SELECT Industry FROM Account GROUP BY Industry HAVING SUM(NumberOfEmployees) > 100");
  ASSERT_TRUE(having.ok()) << having.error().to_string();
  ASSERT_EQ(having->aggregate->rows.size(), 1u);
  EXPECT_EQ(having->aggregate->rows[0][0], Value(str("Technology")));

  ExecOptions owner_u1 = options;
  owner_u1.row_visible = [&](const Table& t, std::size_t row) { return t.row(row)[9] == Value(u1); };
  auto visible = run("SELECT COUNT(Id) FROM Account", owner_u1);
  ASSERT_TRUE(visible.ok());
  EXPECT_EQ(visible->aggregate->rows[0][0], Value(std::int64_t{3}));  // Acme, Zeta, Pure_Gold
}

TEST_F(SoqlExecTest, AggregateErrorsAreWordedAsSalesforceWordsThem) {
  EXPECT_EQ(error("SELECT Name, COUNT(Id) FROM Account GROUP BY Industry").message.substr(0, 1), "\n");
  EXPECT_NE(error("SELECT Name, COUNT(Id) FROM Account").message.find("Field must be grouped or aggregated: Name"),
            std::string::npos);
  EXPECT_NE(error("SELECT AVG(Name) FROM Account").message.find("field Name does not support aggregate operator AVG"),
            std::string::npos);
  EXPECT_NE(error("SELECT Description FROM Account GROUP BY Description").message.find("can not be grouped"),
            std::string::npos);
  EXPECT_EQ(error("SELECT Name FROM Account ORDER BY COUNT(Id)").code, "MALFORMED_QUERY");
  ExecOptions no_secret = options;
  no_secret.field_visible = [](const Table&, const FieldDef& f) { return f.name != "Secret__c"; };
  EXPECT_EQ(error("SELECT MAX(Secret__c) FROM Account", no_secret).code, "INVALID_FIELD");
}

TEST_F(SoqlExecTest, SemiJoinsAndAntiJoinsRunTheSubSelectAsTheUser) {
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)"), (V{0, 1}));
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact WHERE LastName = 'Smith') "
                 "AND Industry = 'Technology'"),
            (V{1}));
  ExecOptions no_contacts = options;
  no_contacts.row_visible = [](const Table& t, std::size_t) { return t.name() != "Contact"; };
  EXPECT_EQ(rows("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)", no_contacts), V{});
  EXPECT_EQ(error("SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)").code, "INVALID_FIELD");
  EXPECT_EQ(error("SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)").code, "MALFORMED_QUERY");
}

TEST_F(SoqlExecTest, ChildSubqueriesHandRowsToTheirParentsWithALimitEach) {
  auto r = run("SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 1) FROM Account "
               "WHERE Industry = 'Technology'");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_NE(r->children, nullptr);
  const ChildRecords& c = (*r->children)[0];
  EXPECT_EQ(c.relationship, "Contacts");
  ASSERT_EQ(c.per_row.size(), 2u);
  ASSERT_EQ(c.per_row[0].size(), 1u);  // Acme: Smith and Jones, the first of them by LastName DESC
  ASSERT_EQ(c.per_row[1].size(), 1u);  // acme corp: Jones
  const Table& contact = *db.find("Contact");
  EXPECT_EQ(contact.row(c.result->rows[c.per_row[0][0]])[1], Value(str("Smith")));
  EXPECT_EQ(error("SELECT Name, (SELECT LastName FROM Contactz) FROM Account").code, "INVALID_TYPE");
}

// A custom lookup's child relationship (FieldDef::child_relationship) in a subquery, and a child
// set past kInlineChildRecords written with the pager's nextRecordsUrl (without one, inline).
TEST_F(SoqlExecTest, CustomChildRelationshipsAndChildSetsPastTheInlineLimit) {
  FieldDef lookup = reference("Account__c", "Account__r", "Account");
  lookup.child_relationship = "Invoices__r";
  auto invoice = std::make_unique<Table>("Invoice__c", "a00", std::vector<FieldDef>{field("Id", "id"), lookup});
  for (int k = 0; k < 250; ++k) invoice->insert(Row{db.new_id(*invoice), ids[0]});
  invoice->insert(Row{db.new_id(*invoice), ids[1]});
  db.add_table(std::move(invoice));
  auto r = run("SELECT Name, (SELECT Id FROM Invoices__r) FROM Account WHERE Industry = 'Technology' ORDER BY Name");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const ChildRecords& c = (*r->children)[0];
  EXPECT_EQ(c.relationship, "Invoices__r");
  ASSERT_EQ(c.per_row.size(), 2u);
  EXPECT_EQ(c.per_row[0].size(), 250u);
  EXPECT_EQ(c.per_row[1].size(), 1u);
  EXPECT_EQ(error("SELECT Name, (SELECT Id FROM Invoices) FROM Account").code, "INVALID_TYPE");

  std::string out;
  append_child_records(out, c, 0, "62.0");
  EXPECT_EQ(out.find("\"done\":false"), std::string::npos);  // no pager: all 250 inline
  const ChildPager pager = [](const ChildRecords&, std::size_t) { return std::string("/services/data/v62.0/query/L-200"); };
  out.clear();
  append_child_records(out, c, 0, "62.0", &pager);
  EXPECT_EQ(out.rfind("{\"totalSize\":250,\"done\":false,\"nextRecordsUrl\":\"/services/data/v62.0/query/L-200\","
                      "\"records\":[", 0), 0u) << out.substr(0, 200);
  std::size_t records = 0;
  for (std::size_t at = out.find("\"type\":\"Invoice__c\""); at != std::string::npos;
       at = out.find("\"type\":\"Invoice__c\"", at + 1)) {
    ++records;
  }
  EXPECT_EQ(records, kInlineChildRecords);
  out.clear();
  append_child_records(out, c, 1, "62.0", &pager);  // within the limit: done
  EXPECT_EQ(out.rfind("{\"totalSize\":1,\"done\":true,\"records\":[", 0), 0u) << out;
}

TEST_F(SoqlExecTest, FieldsFunctionExpandsToReadableFieldsWithinItsLimit) {
  ExecOptions no_secret = options;
  no_secret.field_visible = [](const Table&, const FieldDef& f) { return f.name != "Secret__c"; };
  auto r = run("SELECT FIELDS(CUSTOM) FROM Account LIMIT 200", no_secret);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::vector<std::string> names;
  for (const auto& c : r->columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Rating__c", "Founded__c"}));  // Secret__c is hidden
  EXPECT_EQ(error("SELECT FIELDS(ALL) FROM Account LIMIT 201").message.find("must have a LIMIT of at most 200") !=
                std::string::npos,
            true);
  EXPECT_TRUE(run("SELECT FIELDS(STANDARD) FROM Account").ok());
}

TEST_F(SoqlExecTest, IncludesAndExcludesNeedAMultiSelectPicklist) {
  EXPECT_EQ(error("SELECT Id FROM Account WHERE Name INCLUDES ('Acme')").code, "INVALID_QUERY_FILTER_OPERATOR");
}

TEST(SoqlExecScaleTest, LargeTableQueriesStayFast) {
  Database db;
  auto t = std::make_unique<Table>("Lead", "00Q",
                                   std::vector<FieldDef>{field("Id", "id"), field("LastName", "string"),
                                                         field("Score__c", "double"),
                                                         field("SystemModstamp", "datetime")});
  std::vector<std::string> ids;
  const std::int64_t base = *parse_datetime("2024-01-01T00:00:00Z");
  for (int i = 0; i < 200000; ++i) {
    ids.push_back(db.new_id(*t));
    t->insert(Row{ids.back(), std::string("Name") + std::to_string(i % 1000), static_cast<double>(i % 97),
                  DateTime{base + static_cast<std::int64_t>(i) * 1000}});
  }
  db.add_table(std::move(t));
  std::size_t like_matches = 0;
  for (int i = 0; i < 200000; ++i) {
    if (std::to_string(i % 1000).find("99") != std::string::npos && i % 97 < 50) ++like_matches;
  }
  ExecOptions o;
  auto time_ms = [&](std::string_view soql, std::size_t expect_rows) {
    auto q = parse(soql);
    EXPECT_TRUE(q.ok());
    auto start = std::chrono::steady_clock::now();
    auto r = execute(*q, db, o);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_TRUE(r.ok());
    if (r) {
      EXPECT_EQ(r->rows.size(), expect_rows) << soql;
    }
    return ms;
  };
  // A sync-style page: filter on the watermark, sort by it, take 2,000.
  double page = time_ms("SELECT Id, LastName FROM Lead WHERE SystemModstamp > 2024-01-02T00:00:00Z "
                        "ORDER BY SystemModstamp, Id LIMIT 2000", 2000);
  double early = time_ms("SELECT Id FROM Lead WHERE Score__c > 10 LIMIT 2000", 2000);
  double by_id = time_ms("SELECT Id FROM Lead WHERE Id = '" + ids[123456] + "'", 1);
  double scan = time_ms("SELECT Id FROM Lead WHERE LastName LIKE '%99%' AND Score__c < 50", like_matches);
  std::printf("200k rows: sorted page %.2f ms, early-stop page %.2f ms, by Id %.3f ms, LIKE scan %.2f ms\n", page,
              early, by_id, scan);
  // Speed is printed for information only; bench/emulator_page.cpp holds the figures.
}

}  // namespace
}  // namespace crmsync::emulator::soql
