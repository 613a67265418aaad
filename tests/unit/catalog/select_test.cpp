// select_fields: bookkeeping, Required, Recommended, exclude/include and their errors.
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "describe_fixtures.h"

namespace crmsync::catalog {
namespace {

using testing::contact_describe;
using testing::json;
using testing::sf_describe;
using testing::sf_field;
using testing::sf_ref;

FieldSelection select_ok(const json& describe, const AdminSelection& selection = {}) {
  Result<FieldSelection> r = select_fields(describe, selection);
  if (!r) {
    ADD_FAILURE() << r.error().to_string();
    return {};
  }
  return *r;
}

Error select_err(const json& describe, const AdminSelection& selection) {
  Result<FieldSelection> r = select_fields(describe, selection);
  if (r) {
    ADD_FAILURE() << "selection succeeded, expected an error";
    return {};
  }
  return r.error();
}

std::vector<std::string> names(const FieldSelection& s) {
  std::vector<std::string> out;
  for (const auto& f : s.fields) out.push_back(f.name);
  return out;
}

json without(json describe, const std::string& field) {
  auto& fields = describe["fields"];
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if ((*it)["name"] == field) {
      fields.erase(it);
      break;
    }
  }
  return describe;
}

// Event as describe gives it: IsDeleted and SystemModstamp exist but the catalog does not list them.
json event_describe() {
  return sf_describe("Event", "00U",
                     json::array({
                         sf_ref("WhoId", {"Contact", "Lead"}, "Who"),
                         sf_ref("WhatId", {"Account", "Campaign", "Opportunity"}, "What"),
                         sf_field("Subject", "combobox"),
                         sf_field("ActivityDate", "date"),
                         sf_field("StartDateTime", "datetime"),
                         sf_field("EndDateTime", "datetime"),
                         sf_field("DurationInMinutes", "int", {{"digits", 9}}),
                         sf_field("Description", "textarea", {{"length", 32000}, {"extraTypeInfo", "plaintextarea"}}),
                         sf_ref("OwnerId", {"Calendar", "User"}, "Owner"),
                         sf_field("Type", "picklist"),
                         sf_field("EventSubtype", "picklist"),
                         sf_field("IsDeleted", "boolean"),
                         sf_field("CreatedDate", "datetime"),
                         sf_field("LastModifiedDate", "datetime"),
                         sf_field("SystemModstamp", "datetime"),
                         sf_field("Id", "id"),
                     }));
}

TEST(SelectTest, DefaultIsIdThenRequiredAndRecommendedInDescribeOrder) {
  FieldSelection s = select_ok(contact_describe());
  EXPECT_EQ(s.object, "Contact");
  EXPECT_EQ(names(s), (std::vector<std::string>{"Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Phone",
                                                "MobilePhone", "Email", "Title", "LeadSource", "LastModifiedDate",
                                                "SystemModstamp", "LastActivityDate"}));
  EXPECT_EQ(s.find("Email")->mark, Mark::kRequired);
  EXPECT_EQ(s.find("Phone")->mark, Mark::kRecommended);
  EXPECT_TRUE(s.missing_required.empty());
  EXPECT_TRUE(s.missing_recommended.empty());
  EXPECT_EQ(s.find("Languages__c"), nullptr) << "an unlisted field is not selected unless included";
}

TEST(SelectTest, IdComesFirstWhereverDescribePutsIt) {
  FieldSelection s = select_ok(event_describe());
  ASSERT_FALSE(s.fields.empty());
  EXPECT_EQ(s.fields.front().name, "Id");
  EXPECT_EQ(s.fields[1].name, "WhoId");
}

TEST(SelectTest, BookkeepingFieldsAreAddedWhereTheCatalogDoesNotListThem) {
  FieldSelection s = select_ok(event_describe());
  ASSERT_NE(s.find("IsDeleted"), nullptr);
  EXPECT_EQ(s.find("IsDeleted")->mark, Mark::kBookkeeping);
  EXPECT_EQ(s.find("SystemModstamp")->mark, Mark::kBookkeeping);
  EXPECT_EQ(s.find("Id")->mark, Mark::kRequired);
  EXPECT_EQ(s.modstamp_field, "SystemModstamp");
  EXPECT_EQ(s.find("LastModifiedDate"), nullptr) << "only the chosen modstamp field is bookkeeping";
  EXPECT_EQ(s.find("CreatedDate"), nullptr);
}

TEST(SelectTest, RequiredBookkeepingFieldsStayRequired) {
  FieldSelection s = select_ok(contact_describe());
  for (const char* f : {"Id", "IsDeleted", "SystemModstamp"}) EXPECT_EQ(s.find(f)->mark, Mark::kRequired) << f;
}

TEST(SelectTest, ModstampFallsBackToLastModifiedDateThenCreatedDate) {
  FieldSelection a = select_ok(without(event_describe(), "SystemModstamp"));
  EXPECT_EQ(a.modstamp_field, "LastModifiedDate");
  EXPECT_EQ(a.find("LastModifiedDate")->mark, Mark::kBookkeeping);

  FieldSelection b = select_ok(without(without(event_describe(), "SystemModstamp"), "LastModifiedDate"));
  EXPECT_EQ(b.modstamp_field, "CreatedDate");
  EXPECT_EQ(b.find("CreatedDate")->mark, Mark::kBookkeeping);

  FieldSelection c =
      select_ok(without(without(without(event_describe(), "SystemModstamp"), "LastModifiedDate"), "CreatedDate"));
  EXPECT_EQ(c.modstamp_field, "");
}

TEST(SelectTest, MissingRequiredFieldIsReportedNotAnError) {
  // Field-level security hides Email: describe omits it.
  FieldSelection s = select_ok(without(contact_describe(), "Email"));
  EXPECT_EQ(s.missing_required, std::vector<std::string>{"Email"});
  EXPECT_EQ(s.find("Email"), nullptr);
}

TEST(SelectTest, MissingRecommendedFieldIsReported) {
  FieldSelection s = select_ok(without(contact_describe(), "Title"));
  EXPECT_TRUE(s.missing_required.empty());
  EXPECT_EQ(s.missing_recommended, std::vector<std::string>{"Title"});
}

TEST(SelectTest, ExcludingRequiredFieldIsAConfigError) {
  Error e = select_err(contact_describe(), {.exclude = {"email"}});
  EXPECT_EQ(e.kind, ErrorKind::kConfig);
  EXPECT_EQ(e.code, "REQUIRED_FIELD_EXCLUDED");
  EXPECT_EQ(e.message,
            "Contact.Email is Required by the catalog and cannot be excluded; remove it from [objects.Contact] "
            "exclude");
}

TEST(SelectTest, ExcludingBookkeepingFieldIsAConfigError) {
  Error e = select_err(event_describe(), {.exclude = {"SystemModstamp"}});
  EXPECT_EQ(e.kind, ErrorKind::kConfig);
  EXPECT_EQ(e.code, "BOOKKEEPING_FIELD_EXCLUDED");
  EXPECT_NE(e.message.find("Event.SystemModstamp"), std::string::npos) << e.message;
}

TEST(SelectTest, ExcludedRecommendedFieldIsDropped) {
  FieldSelection s = select_ok(contact_describe(), {.exclude = {"Phone", "title"}});
  EXPECT_EQ(s.find("Phone"), nullptr);
  EXPECT_EQ(s.find("Title"), nullptr);
  EXPECT_NE(s.find("MobilePhone"), nullptr);
  // An excluded field is not "missing" when describe lacks it either.
  FieldSelection t = select_ok(without(contact_describe(), "Title"), {.exclude = {"Title"}});
  EXPECT_TRUE(t.missing_recommended.empty());
}

TEST(SelectTest, ExcludingAFieldThatIsNotRecommendedIsAConfigError) {
  Error e = select_err(contact_describe(), {.exclude = {"Languages__c"}});
  EXPECT_EQ(e.kind, ErrorKind::kConfig);
  EXPECT_EQ(e.code, "NOT_RECOMMENDED");
  EXPECT_NE(e.message.find("LastActivityDate, LeadSource, MobilePhone, Phone, Title"), std::string::npos)
      << e.message;
}

TEST(SelectTest, IncludeAndExcludeOfOneFieldConflict) {
  Error e = select_err(contact_describe(), {.exclude = {"Phone"}, .include = {"phone"}});
  EXPECT_EQ(e.code, "INCLUDE_EXCLUDE_CONFLICT");
}

TEST(SelectTest, UnknownIncludeIsNotFoundAndNamesTheField) {
  Error e = select_err(sf_describe("Account", "001", json::array({sf_field("Id", "id"), sf_field("Name", "string")})),
                       {.include = {"Foo__c"}});
  EXPECT_EQ(e.kind, ErrorKind::kNotFound);
  EXPECT_EQ(e.code, "UNKNOWN_FIELD");
  EXPECT_EQ(e.message,
            "[objects.Account] include names 'Foo__c', which Account's describe does not have: check the API name "
            "(custom fields end in __c) and that the integration user can read it");
}

TEST(SelectTest, IncludedMultipicklistIsRefusedWithTheReason) {
  Error e = select_err(contact_describe(), {.include = {"Languages__c"}});
  EXPECT_EQ(e.kind, ErrorKind::kUnsupported);
  EXPECT_EQ(e.message.rfind("Contact.Languages__c has type multipicklist, which crmsync does not support: a "
                            "multi-select picklist holds several values",
                            0),
            0u)
      << e.message;
}

TEST(SelectTest, IncludedAddressIsRefused) {
  Error e = select_err(contact_describe(), {.include = {"MailingAddress"}});
  EXPECT_EQ(e.kind, ErrorKind::kUnsupported);
  EXPECT_NE(e.message.find("MailingStreet, MailingCity"), std::string::npos) << e.message;
}

TEST(SelectTest, IncludedFieldsUseDescribeSpellingAndOrder) {
  FieldSelection s = select_ok(contact_describe(), {.include = {"mailingstreet", "NOTES__C"}});
  const SyncedField* street = s.find("MailingStreet");
  ASSERT_NE(street, nullptr);
  EXPECT_EQ(street->name, "MailingStreet");
  EXPECT_EQ(street->mark, Mark::kOther);
  EXPECT_EQ(names(s)[5], "MailingStreet") << "describe puts it after FirstName";
  EXPECT_EQ(s.find("Notes__c")->name, "Notes__c");
}

TEST(SelectTest, IncludedTextAreasAreClassifiedPlainLongOrRich) {
  FieldSelection s = select_ok(contact_describe(), {.include = {"Short_Note__c", "Notes__c", "Bio__c"}});
  EXPECT_EQ(s.find("Short_Note__c")->type, FieldType::kTextArea);
  EXPECT_EQ(s.find("Notes__c")->type, FieldType::kLongTextArea);
  EXPECT_EQ(s.find("Notes__c")->length, 32768);
  EXPECT_EQ(s.find("Bio__c")->type, FieldType::kRichText);
  EXPECT_EQ(s.find("Bio__c")->storage, StorageClass::kText);
}

TEST(SelectTest, IncludedFormulaIsClassifiedByResultAndFlagged) {
  FieldSelection s = select_ok(contact_describe(), {.include = {"Website_Link__c"}});
  const SyncedField* f = s.find("Website_Link__c");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, FieldType::kString) << "htmlFormatted formula text is STRING, not RICHTEXT";
  EXPECT_TRUE(f->calculated);
  EXPECT_FALSE(s.find("Email")->calculated);
}

TEST(SelectTest, IncludedReferenceToCampaignIsRefused) {
  Error e = select_err(contact_describe(), {.include = {"Source_Campaign__c"}});
  EXPECT_EQ(e.code, "CAMPAIGN_REFERENCE");
  EXPECT_NE(e.message.find("Contact.Source_Campaign__c"), std::string::npos);
}

TEST(SelectTest, CatalogFieldsThatCanPointToCampaignAreKeptAsReference) {
  FieldSelection event = select_ok(event_describe());
  ASSERT_NE(event.find("WhatId"), nullptr) << "Event.WhatId is Required; it may point to a Campaign";
  EXPECT_EQ(event.find("WhatId")->type, FieldType::kReference);
  EXPECT_EQ(event.find("WhatId")->reference_to, (std::vector<std::string>{"Account", "Campaign", "Opportunity"}));

  json member = sf_describe("CampaignMember", "00v",
                            json::array({sf_field("Id", "id"), sf_field("IsDeleted", "boolean"),
                                         sf_ref("CampaignId", {"Campaign"}, "Campaign"),
                                         sf_ref("LeadId", {"Lead"}, "Lead"), sf_ref("ContactId", {"Contact"}, "Contact"),
                                         sf_field("Status", "picklist"), sf_field("HasResponded", "boolean"),
                                         sf_field("SystemModstamp", "datetime")}));
  FieldSelection s = select_ok(member);
  EXPECT_EQ(s.find("CampaignId")->type, FieldType::kReference);
  EXPECT_TRUE(s.missing_required.empty());
}

TEST(SelectTest, SyncedFieldsCarryTypeStorageAndReferences) {
  FieldSelection s = select_ok(event_describe());
  const SyncedField* owner = s.find("ownerid");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->type, FieldType::kReference) << "Calendar or User";
  EXPECT_EQ(owner->reference_to, (std::vector<std::string>{"Calendar", "User"}));
  EXPECT_EQ(s.find("DurationInMinutes")->storage, StorageClass::kInteger);
  EXPECT_EQ(s.find("StartDateTime")->storage, StorageClass::kDateTime);
  EXPECT_EQ(s.find("Description")->type, FieldType::kLongTextArea);
}

TEST(SelectTest, UnsupportedRecommendedFieldIsSkippedWithAWarning) {
  json d = contact_describe();
  for (auto& f : d["fields"]) {
    if (f["name"] == "Title") f = sf_field("Title", "encryptedstring", {{"length", 128}});
  }
  FieldSelection s = select_ok(d);
  EXPECT_EQ(s.find("Title"), nullptr);
  ASSERT_EQ(s.unsupported_recommended.size(), 1u);
  EXPECT_NE(s.unsupported_recommended[0].message.find("Contact.Title has type encryptedstring"), std::string::npos);
  EXPECT_TRUE(s.missing_recommended.empty());
}

TEST(SelectTest, UnsupportedRequiredFieldIsAnError) {
  json d = contact_describe();
  for (auto& f : d["fields"]) {
    if (f["name"] == "Email") f = sf_field("Email", "encryptedstring", {{"length", 80}});
  }
  Error e = select_err(d, {});
  EXPECT_EQ(e.kind, ErrorKind::kUnsupported);
  EXPECT_NE(e.message.find("Contact.Email has type encryptedstring"), std::string::npos) << e.message;
}

// An object beyond the catalog ([objects.Invoice__c]): every field of a supported type, discovered.
json invoice_describe() {
  return sf_describe("Invoice__c", "a00",
                     json::array({sf_field("Id", "id"), sf_field("IsDeleted", "boolean"), sf_field("Name", "string"),
                                   sf_field("SystemModstamp", "datetime"), sf_field("Amount__c", "currency"),
                                   sf_field("Status__c", "picklist"), sf_ref("Account__c", {"Account"}, "Account__r"),
                                   sf_field("Secret__c", "encryptedstring"), sf_field("Billing__c", "address")}));
}

TEST(SelectTest, AnObjectBeyondTheCatalogSyncsEveryFieldOfASupportedTypeAndNotesTheOthers) {
  FieldSelection s = select_ok(invoice_describe());
  EXPECT_TRUE(s.discovered);
  EXPECT_EQ(s.modstamp_field, "SystemModstamp");
  EXPECT_EQ(names(s), (std::vector<std::string>{"Id", "IsDeleted", "Name", "SystemModstamp", "Amount__c", "Status__c",
                                                "Account__c"}));
  ASSERT_EQ(s.unsupported_discovered.size(), 2u);
  EXPECT_EQ(s.unsupported_discovered[0].code, "UNSUPPORTED_FIELD_TYPE");
  EXPECT_NE(s.unsupported_discovered[0].message.find("Secret__c"), std::string::npos);
  EXPECT_NE(s.unsupported_discovered[1].message.find("Billing__c"), std::string::npos);
  EXPECT_EQ(s.find("Id")->mark, Mark::kBookkeeping);
  EXPECT_EQ(s.find("Amount__c")->mark, Mark::kOther);
}

TEST(SelectTest, AnObjectBeyondTheCatalogWithIncludeSyncsOnlyThoseAndRefusesAnUnsupportedOne) {
  FieldSelection s = select_ok(invoice_describe(), {{}, {"Amount__c"}});
  EXPECT_EQ(names(s), (std::vector<std::string>{"Id", "IsDeleted", "SystemModstamp", "Amount__c"}));
  EXPECT_TRUE(s.unsupported_discovered.empty());
  Error e = select_err(invoice_describe(), {{}, {"Amount__c", "Secret__c"}});
  EXPECT_EQ(e.code, "UNSUPPORTED_FIELD_TYPE");
  EXPECT_NE(e.message.find("Secret__c"), std::string::npos) << e.message;
  EXPECT_EQ(select_err(invoice_describe(), {{}, {"Nope__c"}}).code, "UNKNOWN_FIELD");
}

TEST(SelectTest, AnObjectBeyondTheCatalogExcludesFieldsButNotItsBookkeeping) {
  FieldSelection s = select_ok(invoice_describe(), {{"Status__c", "Name"}, {}});
  EXPECT_EQ(names(s), (std::vector<std::string>{"Id", "IsDeleted", "SystemModstamp", "Amount__c", "Account__c"}));
  EXPECT_EQ(select_err(invoice_describe(), {{"SystemModstamp"}, {}}).code, "BOOKKEEPING_FIELD_EXCLUDED");
  EXPECT_EQ(select_err(invoice_describe(), {{"Nope__c"}, {}}).code, "UNKNOWN_FIELD");
  EXPECT_EQ(select_err(invoice_describe(), {{"Name"}, {"Name"}}).code, "INCLUDE_EXCLUDE_CONFLICT");
}

TEST(SelectTest, MalformedDescribeIsASalesforceError) {
  Error e = select_err(json{{"name", "Contact"}}, {});
  EXPECT_EQ(e.kind, ErrorKind::kSalesforce);
  EXPECT_EQ(e.code, "MALFORMED_DESCRIBE");
}

}  // namespace
}  // namespace crmsync::catalog
