// Child-to-parent relationship paths: resolution, outer-join semantics, permissions, and the REST
// JSON / Bulk CSV shapes they are written in.
#include <gtest/gtest.h>

#include "emulator/soql/soql.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator::soql {
namespace {

FieldDef field(std::string name, std::string type) {
  FieldDef f;
  f.name = std::move(name);
  f.label = f.name;
  f.type = std::move(type);
  return f;
}

FieldDef reference(std::string name, std::string relationship, std::vector<std::string> targets) {
  FieldDef f = field(std::move(name), "reference");
  f.relationship_name = std::move(relationship);
  f.polymorphic = targets.size() > 1;
  f.reference_to = std::move(targets);
  return f;
}

Value str(const std::string& s) { return s; }
const Value kNull{};

// Users: 0 Ada (ada@x.io), 1 Bob. Accounts: 0 Acme (owner Ada, VIP), 1 Globex (owner Bob),
// 2 Gone (soft-deleted). Contacts: 0 Smith -> Acme, 1 Jones -> Globex, 2 Lone (no account),
// 3 Ghost -> Gone. Tasks: 0 Call (Who Smith, What Acme), 1 Mail (Who none, What Globex),
// 2 Note (Who Lone, What a missing Account Id).
class SoqlPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& user = db.add_table(std::make_unique<Table>(
        "User", "005", std::vector<FieldDef>{field("Id", "id"), field("Name", "string"), field("Email", "email")}));
    auto& account = db.add_table(std::make_unique<Table>(
        "Account", "001",
        std::vector<FieldDef>{field("Id", "id"), field("Name", "string"), field("IsDeleted", "boolean"),
                              reference("OwnerId", "Owner", {"User"}), field("Vip__c", "boolean"),
                              field("Secret__c", "string")}));
    auto& contact = db.add_table(std::make_unique<Table>(
        "Contact", "003",
        std::vector<FieldDef>{field("Id", "id"), field("LastName", "string"), field("FirstName", "string"),
                              reference("AccountId", "Account", {"Account"})}));
    auto& task = db.add_table(
        std::make_unique<Table>("Task", "00T",
                                std::vector<FieldDef>{field("Id", "id"), field("Subject", "string"),
                                                      reference("WhoId", "Who", {"Contact", "Lead"}),
                                                      reference("WhatId", "What", {"Account", "Opportunity"})}));
    auto id = [&](Table& t, Row row) {
      std::string i = db.new_id(t);
      row.insert(row.begin(), i);
      t.insert(row);
      return i;
    };
    users = {id(user, {str("Ada"), str("ada@x.io")}), id(user, {str("Bob"), str("bob@x.io")})};
    accounts = {id(account, {str("Acme"), false, users[0], true, str("s1")}),
                id(account, {str("Globex"), false, users[1], false, str("s2")}),
                id(account, {str("Gone"), true, users[0], true, str("s3")})};
    contacts = {id(contact, {str("Smith"), str("Jo"), accounts[0]}), id(contact, {str("Jones"), kNull, accounts[1]}),
                id(contact, {str("Lone"), str("Al"), kNull}), id(contact, {str("Ghost"), kNull, accounts[2]})};
    id(task, {str("Call"), contacts[0], accounts[0]});
    id(task, {str("Mail"), kNull, accounts[1]});
    id(task, {str("Note"), contacts[2], str("001000000000099AAA")});
  }

  Result<QueryResult> run(std::string_view soql, const ExecOptions& o) {
    auto q = parse(soql);
    if (!q) return q.error();
    return execute(*q, db, o);
  }
  QueryResult ok(std::string_view soql, const ExecOptions& o = {}) {
    auto r = run(soql, o);
    EXPECT_TRUE(r.ok()) << soql << "\n" << (r.ok() ? "" : r.error().to_string());
    return r ? std::move(*r) : QueryResult{};
  }
  Error error(std::string_view soql, const ExecOptions& o = {}) {
    auto r = run(soql, o);
    EXPECT_FALSE(r.ok()) << soql;
    return r ? Error() : r.error();
  }
  std::string json(const QueryResult& r, std::size_t i) {
    std::string out;
    append_record_with_paths(out, *r.table, "62.0", r.table->row(r.rows[i]), *r.paths, i);
    return out;
  }
  std::string csv(const QueryResult& r) {
    std::string out;
    append_csv_header_with_paths(out, *r.paths, ',', "\n");
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      append_csv_record_with_paths(out, *r.table, r.table->row(r.rows[i]), *r.paths, i, ',', "\n");
    }
    return out;
  }

  Database db;
  std::vector<std::string> users, accounts, contacts;
};

TEST_F(SoqlPathsTest, PlainStatementsBuildNoSelection) {
  QueryResult r = ok("SELECT Id, Contact.LastName FROM Contact");
  EXPECT_EQ(r.paths, nullptr);
  EXPECT_EQ(r.columns.size(), 2u);
}

TEST_F(SoqlPathsTest, ParentsAreNestedRecordsWithTheirOwnAttributesOrNull) {
  QueryResult r = ok("SELECT Id, account.name, Account.Owner.Email, LastName FROM Contact");
  ASSERT_NE(r.paths, nullptr);
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.columns.size(), 2u);  // the object's own fields
  ASSERT_EQ(r.paths->columns.size(), 4u);
  EXPECT_EQ(r.paths->columns[1].path, "Account.Name");
  EXPECT_EQ(r.paths->columns[2].path, "Account.Owner.Email");
  EXPECT_EQ(json(r, 0), "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v62.0/sobjects/Contact/" +
                            contacts[0] + "\"},\"Id\":\"" + contacts[0] +
                            "\",\"Account\":{\"attributes\":{\"type\":\"Account\",\"url\":\"/services/data/v62.0/"
                            "sobjects/Account/" +
                            accounts[0] +
                            "\"},\"Name\":\"Acme\",\"Owner\":{\"attributes\":{"
                            "\"type\":\"User\",\"url\":\"/services/data/v62.0/sobjects/User/" +
                            users[0] + "\"},\"Email\":\"ada@x.io\"}},\"LastName\":\"Smith\"}");
  // No account, and an account that was deleted: the relationship is null.
  EXPECT_NE(json(r, 2).find("\"Account\":null,\"LastName\":\"Lone\""), std::string::npos) << json(r, 2);
  EXPECT_NE(json(r, 3).find("\"Account\":null,\"LastName\":\"Ghost\""), std::string::npos) << json(r, 3);
  EXPECT_EQ(csv(r), "\"Id\",\"Account.Name\",\"Account.Owner.Email\",\"LastName\"\n\"" + contacts[0] +
                        "\",\"Acme\",\"ada@x.io\",\"Smith\"\n\"" + contacts[1] +
                        "\",\"Globex\",\"bob@x.io\",\"Jones\"\n\"" + contacts[2] + "\",,,\"Lone\"\n\"" + contacts[3] +
                        "\",,,\"Ghost\"\n");
}

TEST_F(SoqlPathsTest, WhereOnAParentFieldIsAnOuterJoin) {
  auto names = [&](std::string_view soql) {
    QueryResult r = ok(soql);
    std::vector<std::string> out;
    for (auto row : r.rows) out.push_back(std::get<std::string>(r.table->row(row)[1]));
    return out;
  };
  using S = std::vector<std::string>;
  EXPECT_EQ(names("SELECT Id FROM Contact WHERE Account.Name = 'ACME'"), (S{"Smith"}));
  EXPECT_EQ(names("SELECT Id FROM Contact WHERE Account.Owner.Name IN ('Bob')"), (S{"Jones"}));
  // Salesforce's examples: a missing parent matches `= null`, an OR keeps the record, and a
  // boolean of a missing parent is false.
  EXPECT_EQ(names("SELECT Id FROM Contact WHERE Account.Name = null"), (S{"Lone", "Ghost"}));
  EXPECT_EQ(names("SELECT Id FROM Contact WHERE LastName = 'Lone' OR Account.Name = 'Globex'"), (S{"Jones", "Lone"}));
  EXPECT_EQ(names("SELECT Id FROM Contact WHERE Account.Vip__c = false"), (S{"Jones", "Lone", "Ghost"}));
  EXPECT_EQ(names("SELECT Id FROM Contact WHERE Account.Name LIKE 'Glo%' AND LastName != null"), (S{"Jones"}));
  // A value of the wrong type for the parent's field is refused as for the object's own.
  Error e = error("SELECT Id FROM Contact WHERE Account.Vip__c = 'yes'");
  EXPECT_EQ(e.code, "INVALID_QUERY_FILTER_OPERATOR");
  EXPECT_NE(e.message.find("value of filter criterion for field 'Vip__c' must be of type boolean"), std::string::npos);
}

TEST_F(SoqlPathsTest, PolymorphicLookupsReadTheNameEntity) {
  QueryResult r = ok("SELECT Subject, Who.Name, Who.Type, Who.FirstName, What.Name FROM Task");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(json(r, 0), "{\"attributes\":{\"type\":\"Task\",\"url\":\"/services/data/v62.0/sobjects/Task/" +
                            std::get<std::string>(r.table->row(r.rows[0])[0]) +
                            "\"},\"Subject\":\"Call\",\"Who\":{\"attributes\":{\"type\":\"Name\",\"url\":\"/services/"
                            "data/v62.0/sobjects/Contact/" +
                            contacts[0] +
                            "\"},\"Name\":null,\"Type\":\"Contact\",\"FirstName\":\"Jo\"},\"What\":{\"attributes\":{"
                            "\"type\":\"Name\",\"url\":\"/services/data/v62.0/sobjects/Account/" +
                            accounts[0] + "\"},\"Name\":\"Acme\"}}");
  EXPECT_NE(json(r, 1).find("\"Who\":null"), std::string::npos);
  EXPECT_NE(json(r, 2).find("\"What\":null"), std::string::npos);  // an Id of no record
  EXPECT_EQ(ok("SELECT Id FROM Task WHERE What.Type = 'Account' AND Who.Type = null").rows.size(), 1u);

  Error e = error("SELECT Who.Bogus FROM Task");
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("No such column 'Bogus' on entity 'Name'."), std::string::npos) << e.message;
  e = error("SELECT What.Owner.Name FROM Task");
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("Didn't understand relationship 'Owner' in field path."), std::string::npos) << e.message;
}

TEST_F(SoqlPathsTest, HiddenParentFieldsAndObjectsAreUnknown) {
  ExecOptions o;
  o.field_visible = [](const Table& t, const FieldDef& f) { return !(t.name() == "Account" && f.name == "Secret__c"); };
  Error e = error("SELECT Id, Account.Secret__c FROM Contact", o);
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_EQ(e.message,
            "\nSELECT Id, Account.Secret__c FROM Contact\n           ^\nERROR at Row:1:Column:12\nNo such column "
            "'Secret__c' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' "
            "after the custom field name. Please reference your WSDL or the describe call for the appropriate names.");
  EXPECT_EQ(error("SELECT Id FROM Contact WHERE Account.Secret__c = 'x'", o).code, "INVALID_FIELD");
  EXPECT_EQ(ok("SELECT Id, Account.Name FROM Contact", o).rows.size(), 4u);

  o.table_visible = [](const Table& t) { return t.name() != "Account"; };
  e = error("SELECT Id, Account.Name FROM Contact", o);
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("Didn't understand relationship 'Account' in field path."), std::string::npos);
  // The polymorphic What skips the objects the user cannot read.
  QueryResult r = ok("SELECT What.Name FROM Task", o);
  EXPECT_NE(json(r, 0).find("\"What\":null"), std::string::npos) << json(r, 0);
}

TEST_F(SoqlPathsTest, PolymorphicPathsObeyTheFieldSecurityOfTheObjectTheyLandOn) {
  ExecOptions o;
  // The user may not read Contact.FirstName, Account.Name nor User.Email.
  o.field_visible = [](const Table& t, const FieldDef& f) {
    return !((t.name() == "Contact" && f.name == "FirstName") || (t.name() == "Account" && f.name == "Name") ||
             (t.name() == "User" && f.name == "Email"));
  };
  // Task 0: Who is Smith (FirstName Jo), What is Acme. Without the hook both read.
  EXPECT_EQ(ok("SELECT Id FROM Task WHERE Who.FirstName = 'Jo'").rows.size(), 1u);
  EXPECT_EQ(ok("SELECT Id FROM Task WHERE What.Name = 'Acme'").rows.size(), 1u);

  QueryResult r = ok("SELECT Subject, Who.FirstName, Who.Type, What.Name FROM Task", o);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_NE(json(r, 0).find("\"FirstName\":null,\"Type\":\"Contact\""), std::string::npos) << json(r, 0);
  EXPECT_EQ(json(r, 0).find("Jo"), std::string::npos) << json(r, 0);
  EXPECT_EQ(json(r, 0).find("Acme"), std::string::npos) << json(r, 0);
  EXPECT_EQ(csv(r).find("Jo"), std::string::npos) << csv(r);
  EXPECT_EQ(csv(r).find("Acme"), std::string::npos) << csv(r);
  // WHERE reads the same nulls: no filtering on a value the user may not read.
  EXPECT_EQ(ok("SELECT Id FROM Task WHERE Who.FirstName = 'Jo'", o).rows.size(), 0u);
  EXPECT_EQ(ok("SELECT Id FROM Task WHERE Who.FirstName LIKE 'J%' OR What.Name = 'Acme'", o).rows.size(), 0u);
  EXPECT_EQ(ok("SELECT Id FROM Task WHERE Who.Type = 'Contact' AND Who.FirstName = null", o).rows.size(), 2u);
  // ORDER BY on a path is refused whatever the field (no order leaks a hidden value).
  EXPECT_EQ(error("SELECT Id FROM Task ORDER BY Who.FirstName", o).code, "MALFORMED_QUERY");
  // A path that is not polymorphic, at any depth, refuses a hidden field outright.
  Error e = error("SELECT Id, Account.Owner.Email FROM Contact", o);
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("No such column 'Email' on entity 'User'"), std::string::npos) << e.message;
  EXPECT_EQ(error("SELECT Id FROM Contact WHERE Account.Owner.Email = 'ada@x.io'", o).code, "INVALID_FIELD");
}

TEST_F(SoqlPathsTest, ParentRecordsTheUserCannotSeeReadAsEmptyExceptImplicitSharing) {
  ExecOptions o;
  // The user sees every Contact and Task, Globex only among the accounts, and no user but Ada.
  o.row_visible = [this](const Table& t, std::size_t row) {
    if (t.name() == "Account") return std::get<std::string>(t.row(row)[0]) == accounts[1];
    if (t.name() == "User") return row == 0;
    return true;
  };
  // Task.What is not implicitly shared: Acme reads as null, while the lookup Id stays.
  QueryResult r = ok("SELECT WhatId, What.Name FROM Task", o);
  EXPECT_NE(json(r, 0).find("\"WhatId\":\"" + accounts[0] + "\",\"What\":null"), std::string::npos) << json(r, 0);
  EXPECT_NE(json(r, 1).find("\"Name\":\"Globex\""), std::string::npos);
  EXPECT_EQ(ok("SELECT Id FROM Task WHERE What.Name = 'Acme'", o).rows.size(), 0u);
  // A Contact's Account is readable with the Contact (implicit sharing); its Owner is not.
  r = ok("SELECT Account.Name, Account.Owner.Name FROM Contact", o);
  EXPECT_NE(json(r, 0).find("\"Name\":\"Acme\",\"Owner\":{"), std::string::npos) << json(r, 0);
  EXPECT_NE(json(r, 1).find("\"Name\":\"Globex\",\"Owner\":null"), std::string::npos) << json(r, 1);
}

TEST_F(SoqlPathsTest, UnknownRelationshipsDuplicatesAndOrderBy) {
  Error e = error("SELECT Id, Boss.Name FROM Contact");
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("Didn't understand relationship 'Boss' in field path."), std::string::npos);
  EXPECT_NE(error("SELECT Account.Nope FROM Contact").message.find("No such column 'Nope' on entity 'Account'."),
            std::string::npos);
  EXPECT_EQ(error("SELECT Account.Name, account.NAME FROM Contact").message, "duplicate field selected: account.NAME");
  e = error("SELECT Id FROM Contact ORDER BY Account.Name");
  EXPECT_EQ(e.code, "MALFORMED_QUERY");
  EXPECT_NE(e.message.find("relationship paths in ORDER BY are not supported by the crmsync emulator: Account.Name"),
            std::string::npos);
  // The object's name may lead a path, as Salesforce allows.
  EXPECT_EQ(ok("SELECT Contact.Account.Name FROM Contact").paths->columns[0].path, "Account.Name");
}

// TYPEOF: the parent with its own type and the fields of the WHEN that names it, else ELSE's.
TEST_F(SoqlPathsTest, TypeofWritesTheParentsOwnTypeAndItsWhensFields) {
  auto& opp = db.add_table(std::make_unique<Table>(
      "Opportunity", "006", std::vector<FieldDef>{field("Id", "id"), field("Name", "string"), field("Amount", "double")}));
  const std::string deal = db.new_id(opp);
  opp.insert(Row{deal, str("Deal"), 5.0});
  Table& task = *db.find("Task");
  task.insert(Row{db.new_id(task), str("Pitch"), kNull, deal});

  QueryResult r = ok("SELECT Subject, TYPEOF What WHEN Account THEN Name, Vip__c WHEN Opportunity THEN Amount END "
                     "FROM Task");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_NE(json(r, 0).find("\"What\":{\"attributes\":{\"type\":\"Account\",\"url\":\"/services/data/v62.0/sobjects/"
                            "Account/" + accounts[0] + "\"},\"Name\":\"Acme\",\"Vip__c\":true}}"),
            std::string::npos) << json(r, 0);
  EXPECT_NE(json(r, 3).find("\"What\":{\"attributes\":{\"type\":\"Opportunity\",\"url\":\"/services/data/v62.0/"
                            "sobjects/Opportunity/" + deal + "\"},\"Amount\":5.0}}"),
            std::string::npos) << json(r, 3);
  EXPECT_NE(json(r, 2).find("\"What\":null"), std::string::npos) << json(r, 2);  // an Id of no record

  // ELSE reads the Name entity's fields for a parent no WHEN names; a parent neither names keeps
  // only its attributes.
  r = ok("SELECT TYPEOF What WHEN Account THEN Vip__c ELSE Name, Type END FROM Task");
  EXPECT_NE(json(r, 0).find("},\"Vip__c\":true}"), std::string::npos) << json(r, 0);
  EXPECT_EQ(json(r, 0).find("\"Name\""), std::string::npos) << json(r, 0);
  EXPECT_NE(json(r, 3).find("\"type\":\"Opportunity\""), std::string::npos) << json(r, 3);
  EXPECT_NE(json(r, 3).find("},\"Name\":\"Deal\",\"Type\":\"Opportunity\"}"), std::string::npos) << json(r, 3);
  r = ok("SELECT TYPEOF What WHEN Account THEN Name END FROM Task");
  EXPECT_NE(json(r, 3).find("\"What\":{\"attributes\":{\"type\":\"Opportunity\",\"url\":\"/services/data/v62.0/"
                            "sobjects/Opportunity/" + deal + "\"}}}"),
            std::string::npos) << json(r, 3);
  // Two TYPEOFs, and one beside a path of another relationship.
  r = ok("SELECT TYPEOF Who WHEN Contact THEN LastName END, TYPEOF What WHEN Account THEN Name END FROM Task");
  EXPECT_NE(json(r, 0).find("},\"LastName\":\"Smith\"},\"What\":{"), std::string::npos) << json(r, 0);
  EXPECT_EQ(ok("SELECT Subject, TYPEOF What WHEN Account THEN Name END, Who.Name FROM Task").rows.size(), 4u);
}

TEST_F(SoqlPathsTest, TypeofObeysFieldSecurityAndRefusesWhatSalesforceRefuses) {
  ExecOptions o;
  o.field_visible = [](const Table& t, const FieldDef& f) { return !(t.name() == "Account" && f.name == "Secret__c"); };
  Error e = error("SELECT TYPEOF What WHEN Account THEN Name, Secret__c END FROM Task", o);
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("No such column 'Secret__c' on entity 'Account'."), std::string::npos) << e.message;
  EXPECT_EQ(ok("SELECT TYPEOF What WHEN Account THEN Secret__c END FROM Task").rows.size(), 3u);

  e = error("SELECT TYPEOF Account WHEN Account THEN Name END FROM Contact");
  EXPECT_EQ(e.code, "MALFORMED_QUERY");
  EXPECT_NE(e.message.find("TYPEOF can only be used on a polymorphic relationship field"), std::string::npos);
  e = error("SELECT TYPEOF Boss WHEN Account THEN Name END FROM Task");
  EXPECT_EQ(e.code, "INVALID_FIELD");
  EXPECT_NE(e.message.find("Didn't understand relationship 'Boss'"), std::string::npos) << e.message;
  e = error("SELECT TYPEOF What WHEN Banana THEN Name END FROM Task");
  EXPECT_EQ(e.code, "INVALID_TYPE");
  EXPECT_NE(e.message.find("sObject type 'Banana' is not supported."), std::string::npos) << e.message;
  e = error("SELECT TYPEOF What WHEN User THEN Name END FROM Task");
  EXPECT_EQ(e.code, "MALFORMED_QUERY");
  EXPECT_NE(e.message.find("'User' is not a valid type for the polymorphic relationship field 'What'"),
            std::string::npos) << e.message;
  o = {};
  o.table_visible = [](const Table& t) { return t.name() != "Account"; };
  EXPECT_EQ(error("SELECT TYPEOF What WHEN Account THEN Name END FROM Task", o).code, "INVALID_TYPE");
  EXPECT_EQ(error("SELECT TYPEOF What WHEN Account THEN Bogus END FROM Task").code, "INVALID_FIELD");
  EXPECT_EQ(error("SELECT TYPEOF What WHEN Account THEN Name ELSE Bogus END FROM Task").message.find(
                "No such column 'Bogus' on entity 'Name'") != std::string::npos,
            true);
  EXPECT_EQ(error("SELECT What.Name, TYPEOF What WHEN Account THEN Name END FROM Task").message,
            "duplicate field selected: What");
  EXPECT_EQ(error("SELECT TYPEOF What WHEN Account THEN Name END, TYPEOF What WHEN Account THEN Id END "
                  "FROM Task").message,
            "duplicate field selected: What");
  EXPECT_EQ(error("SELECT COUNT(Id), TYPEOF What WHEN Account THEN Name END FROM Task").code, "MALFORMED_QUERY");
}

}  // namespace
}  // namespace crmsync::emulator::soql
