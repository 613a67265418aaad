// classify_field: one test per rule of docs/catalog.md's "Field types" table.
#include <set>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "describe_fixtures.h"

namespace crmsync::catalog {
namespace {

using testing::json;
using testing::sf_field;
using testing::sf_ref;

FieldType classify_ok(const json& f, std::string_view object = "Contact") {
  Result<FieldType> r = classify_field(object, f);
  if (!r) ADD_FAILURE() << r.error().to_string();
  return r ? *r : FieldType::kString;
}

Error classify_err(const json& f, std::string_view object = "Account") {
  Result<FieldType> r = classify_field(object, f);
  if (r) {
    ADD_FAILURE() << f["name"] << " classified as " << to_string(*r) << ", expected an error";
    return {};
  }
  return r.error();
}

TEST(ClassifyTest, PlainTextAreaUpTo255IsTextArea) {
  EXPECT_EQ(classify_ok(sf_field("MailingStreet", "textarea", {{"extraTypeInfo", "plaintextarea"}, {"length", 255}})),
            FieldType::kTextArea);
}

TEST(ClassifyTest, PlainTextAreaOver255IsLongTextArea) {
  EXPECT_EQ(classify_ok(sf_field("Description", "textarea", {{"extraTypeInfo", "plaintextarea"}, {"length", 32000}})),
            FieldType::kLongTextArea);
  EXPECT_EQ(classify_ok(sf_field("Recurrence2PatternText", "textarea",
                                 {{"extraTypeInfo", "plaintextarea"}, {"length", 256}})),
            FieldType::kLongTextArea);
  EXPECT_EQ(storage_of(FieldType::kLongTextArea), StorageClass::kText);
}

TEST(ClassifyTest, RichTextAreaIsToldByExtraTypeInfo) {
  EXPECT_EQ(classify_ok(sf_field("Bio__c", "textarea",
                                 {{"extraTypeInfo", "richtextarea"}, {"htmlFormatted", true}, {"length", 32768}})),
            FieldType::kRichText);
  // The UI API spells it RichTextArea.
  EXPECT_EQ(classify_ok(sf_field("Bio__c", "textarea", {{"extraTypeInfo", "RichTextArea"}, {"length", 32768}})),
            FieldType::kRichText);
}

TEST(ClassifyTest, HtmlFormattedAloneDoesNotMakeRichText) {
  // HYPERLINK()/IMAGE() formulas are htmlFormatted strings; a plain text area flagged the same stays plain.
  EXPECT_EQ(classify_ok(sf_field("Link__c", "string",
                                 {{"calculated", true}, {"htmlFormatted", true}, {"length", 1300},
                                  {"calculatedFormula", "HYPERLINK(Website, Name)"}})),
            FieldType::kString);
  EXPECT_EQ(classify_ok(sf_field("Notes__c", "textarea",
                                 {{"extraTypeInfo", "plaintextarea"}, {"htmlFormatted", true}, {"length", 4000}})),
            FieldType::kLongTextArea);
}

TEST(ClassifyTest, DoubleIsNumberOnlyWhenScaleIsZero) {
  EXPECT_EQ(classify_ok(sf_field("NumberOfLocations__c", "double", {{"precision", 3}, {"scale", 0}})),
            FieldType::kNumber);
  EXPECT_EQ(classify_ok(sf_field("Latitude", "double", {{"precision", 18}, {"scale", 15}})), FieldType::kDouble);
  EXPECT_EQ(classify_ok(sf_field("Quantity", "double", {{"precision", 12}, {"scale", 2}})), FieldType::kDouble);
  EXPECT_EQ(classify_ok(sf_field("Odd__c", "double", {{"scale", nullptr}})), FieldType::kDouble);
  EXPECT_EQ(storage_of(FieldType::kNumber), StorageClass::kReal);
}

TEST(ClassifyTest, IntAndLongAreInt) {
  EXPECT_EQ(classify_ok(sf_field("NumberOfEmployees", "int", {{"digits", 8}})), FieldType::kInt);
  EXPECT_EQ(classify_ok(sf_field("Big__c", "long", {{"digits", 18}})), FieldType::kInt);
  EXPECT_EQ(storage_of(FieldType::kInt), StorageClass::kInteger);
}

TEST(ClassifyTest, ReferenceToUserOnlyIsLookup) {
  EXPECT_EQ(classify_ok(sf_ref("OwnerId", {"User"}, "Owner")), FieldType::kLookup);
}

TEST(ClassifyTest, OtherReferencesAreReference) {
  EXPECT_EQ(classify_ok(sf_ref("AccountId", {"Account"}, "Account")), FieldType::kReference);
  EXPECT_EQ(classify_ok(sf_ref("WhoId", {"Contact", "Lead"}, "Who"), "Event"), FieldType::kReference);
  // Event.OwnerId can point to a Calendar, so it is not "User only".
  EXPECT_EQ(classify_ok(sf_ref("OwnerId", {"Calendar", "User"}, "Owner"), "Event"), FieldType::kReference);
}

TEST(ClassifyTest, ReferenceThatCanPointToCampaignIsUnsupported) {
  Error e = classify_err(sf_ref("Source_Campaign__c", {"Campaign"}, "Source_Campaign__r"), "Opportunity");
  EXPECT_EQ(e.kind, ErrorKind::kUnsupported);
  EXPECT_EQ(e.code, "CAMPAIGN_REFERENCE");
  EXPECT_EQ(e.message.rfind("Opportunity.Source_Campaign__c has type reference (to Campaign), which crmsync does "
                            "not support: references to Campaign are not supported",
                            0),
            0u)
      << e.message;
  Error poly = classify_err(sf_ref("WhatId", {"Account", "Campaign", "Opportunity"}, "What"), "Task");
  EXPECT_EQ(poly.code, "CAMPAIGN_REFERENCE");
  EXPECT_NE(poly.message.find("(to Account, Campaign, Opportunity)"), std::string::npos) << poly.message;
}

TEST(ClassifyTest, FormulaIsClassifiedByItsResultType) {
  auto formula = [](const std::string& type, json extra = json::object()) {
    extra["calculated"] = true;
    extra["calculatedFormula"] = "1";
    return sf_field("F__c", type, extra);
  };
  EXPECT_EQ(classify_ok(formula("currency")), FieldType::kCurrency);
  EXPECT_EQ(classify_ok(formula("double", {{"scale", 0}})), FieldType::kNumber);
  EXPECT_EQ(classify_ok(formula("boolean")), FieldType::kBoolean);
  EXPECT_EQ(classify_ok(formula("date")), FieldType::kDate);
  EXPECT_EQ(classify_ok(formula("percent")), FieldType::kPercent);
  Error e = classify_err(formula("anyType"));
  EXPECT_NE(e.message.find("Account.F__c has type anyType (a formula's result type), which crmsync does not support"),
            std::string::npos)
      << e.message;
}

TEST(ClassifyTest, SimpleTypesMapOneToOne) {
  const std::pair<const char*, FieldType> cases[] = {
      {"boolean", FieldType::kBoolean}, {"combobox", FieldType::kCombobox}, {"currency", FieldType::kCurrency},
      {"date", FieldType::kDate},       {"datetime", FieldType::kDateTime}, {"email", FieldType::kEmail},
      {"id", FieldType::kId},           {"percent", FieldType::kPercent},   {"phone", FieldType::kPhone},
      {"picklist", FieldType::kPicklist}, {"string", FieldType::kString},   {"time", FieldType::kTime},
      {"url", FieldType::kUrl},
  };
  for (const auto& [type, expected] : cases) EXPECT_EQ(classify_ok(sf_field("F", type)), expected) << type;
}

TEST(ClassifyTest, AddressIsRefusedWithItsComponents) {
  Error e = classify_err(sf_field("BillingAddress", "address"));
  EXPECT_EQ(e.kind, ErrorKind::kUnsupported);
  EXPECT_EQ(e.code, "UNSUPPORTED_FIELD_TYPE");
  EXPECT_EQ(e.message,
            "Account.BillingAddress has type address, which crmsync does not support: compound address fields "
            "cannot be imported; select its component fields (BillingStreet, BillingCity, BillingState, "
            "BillingPostalCode, BillingCountry, ...) instead");
}

TEST(ClassifyTest, LocationIsRefusedWithItsComponents) {
  Error e = classify_err(sf_field("Store_Location__c", "location"));
  EXPECT_NE(e.message.find("Account.Store_Location__c has type location, which crmsync does not support"),
            std::string::npos);
  EXPECT_NE(e.message.find("(Store_Location__Latitude__s, Store_Location__Longitude__s)"), std::string::npos)
      << e.message;
}

TEST(ClassifyTest, EachUnsupportedTypeHasItsOwnReason) {
  std::set<std::string> reasons;
  for (const char* type : {"address", "encryptedstring", "location", "multipicklist", "base64", "anyType",
                           "complexvalue", "datacategorygroupreference", "somethingnew"}) {
    Error e = classify_err(sf_field("Field__c", type));
    EXPECT_EQ(e.kind, ErrorKind::kUnsupported) << type;
    const std::string head = std::string("Account.Field__c has type ") + type + ", which crmsync does not support: ";
    ASSERT_EQ(e.message.rfind(head, 0), 0u) << e.message;
    reasons.insert(e.message.substr(head.size()));
  }
  EXPECT_EQ(reasons.size(), 9u) << "two unsupported types share a reason";
}

TEST(ClassifyTest, UnknownTypeSaysSo) {
  Error e = classify_err(sf_field("Field__c", "somethingnew"));
  EXPECT_NE(e.message.find("does not know this describe type"), std::string::npos) << e.message;
}

TEST(ClassifyTest, FieldWithoutTypeIsAMalformedDescribe) {
  json f = sf_field("Field__c", "string");
  f.erase("type");
  Error e = classify_err(f);
  EXPECT_EQ(e.kind, ErrorKind::kSalesforce);
  EXPECT_EQ(e.code, "MALFORMED_DESCRIBE");
}

}  // namespace
}  // namespace crmsync::catalog
