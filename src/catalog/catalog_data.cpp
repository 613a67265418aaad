// The catalog's objects and fields: docs/catalog.md's groups and objects table as data, in the
// page's order (the test compares them). Field types are those of a standard org's describe.
#include "catalog/catalog.h"
#include "common/text.h"

namespace crmsync::catalog {
namespace {

using T = FieldType;

CatalogField req(std::string name, FieldType type) { return {std::move(name), Mark::kRequired, type}; }
CatalogField rec(std::string name, FieldType type, std::string note = "") {
  return {std::move(name), Mark::kRecommended, type, std::move(note)};
}

std::vector<CatalogObject> build() {
  std::vector<CatalogObject> v;
  v.push_back({"Account", "Account", Group::kCore,
               {req("Id", T::kId), req("Name", T::kString), req("OwnerId", T::kLookup), req("Industry", T::kPicklist),
                req("Type", T::kPicklist), req("IsDeleted", T::kBoolean), req("LastActivityDate", T::kDate),
                req("LastModifiedDate", T::kDateTime), req("SystemModstamp", T::kDateTime),
                rec("AccountSource", T::kPicklist), rec("ParentId", T::kReference),
                rec("Website", T::kUrl, "not shown in boards; a formula text field is the way to show it")}});
  v.push_back({"Contact", "Contact", Group::kCore,
               {req("Id", T::kId), req("AccountId", T::kReference), req("Email", T::kEmail),
                req("FirstName", T::kString), req("LastName", T::kString), req("IsDeleted", T::kBoolean),
                req("LastModifiedDate", T::kDateTime), req("SystemModstamp", T::kDateTime),
                rec("LastActivityDate", T::kDate), rec("LeadSource", T::kPicklist), rec("MobilePhone", T::kPhone),
                rec("Phone", T::kPhone), rec("Title", T::kString)}});
  // Event.OwnerId points to Calendar or User, so describe makes it a REFERENCE.
  v.push_back({"Event", "Event", Group::kCore,
               {req("Id", T::kId), req("OwnerId", T::kReference), req("Subject", T::kCombobox),
                req("StartDateTime", T::kDateTime), req("EndDateTime", T::kDateTime), req("ActivityDate", T::kDate),
                req("DurationInMinutes", T::kInt), req("WhatId", T::kReference), req("WhoId", T::kReference),
                rec("Description", T::kLongTextArea), rec("EventSubtype", T::kPicklist), rec("Type", T::kPicklist)}});
  // Lead.OwnerId points to Group (queue) or User.
  v.push_back({"Lead", "Lead", Group::kCore,
               {req("Id", T::kId), req("Company", T::kString), req("Email", T::kEmail), req("FirstName", T::kString),
                req("LastName", T::kString), req("OwnerId", T::kReference), req("LastModifiedDate", T::kDateTime),
                req("SystemModstamp", T::kDateTime), rec("LastActivityDate", T::kDate),
                rec("LeadSource", T::kPicklist), rec("MobilePhone", T::kPhone), rec("Phone", T::kPhone),
                rec("Title", T::kString)}});
  v.push_back({"Opportunity", "Opportunity", Group::kCore,
               {req("Id", T::kId), req("AccountId", T::kReference), req("Amount", T::kCurrency),
                req("CloseDate", T::kDate), req("CreatedDate", T::kDateTime), req("IsClosed", T::kBoolean),
                req("IsDeleted", T::kBoolean), req("IsWon", T::kBoolean), req("Name", T::kString),
                req("OwnerId", T::kLookup), req("StageName", T::kPicklist), req("LastModifiedDate", T::kDateTime),
                req("SystemModstamp", T::kDateTime), rec("LastActivityDate", T::kDate),
                rec("LeadSource", T::kPicklist), rec("Probability", T::kPercent), rec("Type", T::kPicklist)},
               false,
               {"ForecastCategoryName", "RecordTypeId", "CurrencyIsoCode"}});
  v.push_back({"OpportunityContactRole", "Opportunity Contact Role", Group::kCore,
               {req("Id", T::kId), req("OpportunityId", T::kReference), req("ContactId", T::kReference),
                req("IsPrimary", T::kBoolean), req("CreatedDate", T::kDateTime), req("SystemModstamp", T::kDateTime),
                rec("Role", T::kPicklist)}});
  v.push_back({"OpportunityHistory", "Opportunity History", Group::kCore,
               {req("Id", T::kId), req("OpportunityId", T::kReference), req("CreatedDate", T::kDateTime),
                req("StageName", T::kPicklist), req("Amount", T::kCurrency), req("CloseDate", T::kDate),
                rec("ForecastCategory", T::kPicklist), rec("Probability", T::kPercent)}});
  v.push_back({"OpportunitySplit", "Opportunity Split", Group::kDeals,
               {req("SplitAmount", T::kCurrency), req("IsDeleted", T::kBoolean), req("SplitOwnerId", T::kLookup),
                req("SplitPercentage", T::kPercent), req("OpportunityId", T::kReference),
                req("SplitTypeId", T::kReference), req("CreatedDate", T::kDateTime), req("Id", T::kId),
                req("SystemModstamp", T::kDateTime)}});
  v.push_back({"OpportunitySplitType", "Opportunity Split Type", Group::kDeals,
               {req("IsDeleted", T::kBoolean), req("IsActive", T::kBoolean), req("CreatedDate", T::kDateTime),
                req("IsTotalValidated", T::kBoolean), req("SplitEntity", T::kPicklist),
                req("SplitField", T::kPicklist), req("Id", T::kId), req("MasterLabel", T::kString),
                req("DeveloperName", T::kString), req("SystemModstamp", T::kDateTime)}});
  v.push_back({"OpportunityStage", "Opportunity Stage", Group::kCore,
               {req("Id", T::kId), req("MasterLabel", T::kString), req("IsActive", T::kBoolean),
                req("IsClosed", T::kBoolean), req("IsWon", T::kBoolean), req("SortOrder", T::kInt),
                req("SystemModstamp", T::kDateTime), rec("Description", T::kString)}});
  v.push_back({"OpportunityTeamMember", "Opportunity Team Member", Group::kDeals,
               {req("IsDeleted", T::kBoolean), req("OpportunityId", T::kReference),
                req("OpportunityAccessLevel", T::kPicklist), req("UserId", T::kLookup),
                req("CreatedDate", T::kDateTime), req("Title", T::kString), req("TeamMemberRole", T::kPicklist),
                req("Id", T::kId), req("SystemModstamp", T::kDateTime), req("Name", T::kString)}});
  v.push_back({"OpportunityLineItem", "Opportunity Product", Group::kDeals,
               {req("Id", T::kId), req("OpportunityId", T::kReference), req("Product2Id", T::kReference),
                req("Quantity", T::kDouble), req("UnitPrice", T::kCurrency), req("TotalPrice", T::kCurrency),
                req("IsDeleted", T::kBoolean), req("CreatedDate", T::kDateTime), req("SystemModstamp", T::kDateTime),
                rec("Name", T::kString), rec("ProductCode", T::kString), rec("ListPrice", T::kCurrency),
                rec("ServiceDate", T::kDate), rec("PricebookEntryId", T::kReference)},
               true});
  v.push_back({"RecordType", "Record Type", Group::kCore,
               {req("Id", T::kId), req("IsActive", T::kBoolean), req("Name", T::kString),
                req("SobjectType", T::kPicklist), req("SystemModstamp", T::kDateTime)}});
  // Task.OwnerId points to Group (queue) or User.
  v.push_back({"Task", "Task", Group::kCore,
               {req("Id", T::kId), req("OwnerId", T::kReference), req("Subject", T::kCombobox),
                req("Status", T::kPicklist), req("ActivityDate", T::kDate), req("WhatId", T::kReference),
                req("WhoId", T::kReference), req("Type", T::kPicklist), req("CreatedDate", T::kDateTime),
                req("SystemModstamp", T::kDateTime), rec("AccountId", T::kReference),
                rec("CallDisposition", T::kString), rec("CallDurationInSeconds", T::kInt),
                rec("Description", T::kLongTextArea), rec("TaskSubtype", T::kPicklist)}});
  v.push_back({"User", "User", Group::kCore,
               {req("Id", T::kId), req("Email", T::kEmail), req("FirstName", T::kString),
                req("LastName", T::kString), req("LastModifiedDate", T::kDateTime),
                req("SystemModstamp", T::kDateTime), rec("Department", T::kString),
                rec("LanguageLocaleKey", T::kPicklist), rec("Phone", T::kPhone), rec("SmallPhotoUrl", T::kUrl),
                rec("TimeZoneSidKey", T::kPicklist), rec("Title", T::kString), rec("UserRoleId", T::kReference)},
               false,
               {"IsActive"}});
  v.push_back({"Campaign", "Campaign", Group::kEngage,
               {req("Id", T::kId), req("Name", T::kString), req("IsActive", T::kBoolean), req("Type", T::kPicklist),
                req("Status", T::kPicklist), req("StartDate", T::kDate), req("EndDate", T::kDate),
                req("OwnerId", T::kLookup), req("IsDeleted", T::kBoolean), req("SystemModstamp", T::kDateTime),
                rec("ParentId", T::kReference)}});
  v.push_back({"CampaignMember", "Campaign Member", Group::kEngage,
               {req("Id", T::kId), req("CampaignId", T::kReference), req("ContactId", T::kReference),
                req("LeadId", T::kReference), req("Status", T::kPicklist), req("HasResponded", T::kBoolean),
                req("IsDeleted", T::kBoolean), req("SystemModstamp", T::kDateTime)},
               true});
  return v;
}

// What the boards read beyond the page (docs/decisions.md, "What the boards import"). Every field
// listed is Required: without it the hierarchy or the conversion cannot be computed.
std::vector<CatalogObject> build_board_objects() {
  std::vector<CatalogObject> v;
  v.push_back({"UserRole", "Role", Group::kBoards,
               {req("Id", T::kId), req("Name", T::kString), req("ParentRoleId", T::kReference),
                req("DeveloperName", T::kString), req("SystemModstamp", T::kDateTime)}});
  v.push_back({"CurrencyType", "Currency Type", Group::kBoards,
               {req("Id", T::kId), req("IsoCode", T::kPicklist), req("ConversionRate", T::kDouble),
                req("IsCorporate", T::kBoolean), req("IsActive", T::kBoolean), req("SystemModstamp", T::kDateTime)}});
  return v;
}

}  // namespace

const std::vector<CatalogObject>& objects() {
  static const std::vector<CatalogObject> all = build();
  return all;
}

const std::vector<CatalogObject>& board_objects() {
  static const std::vector<CatalogObject> all = build_board_objects();
  return all;
}

const CatalogObject* find_object(std::string_view name) {
  for (const auto* list : {&objects(), &board_objects()}) {
    for (const auto& o : *list) {
      if (iequals(o.name, name)) return &o;
    }
  }
  return nullptr;
}

std::string lookalike_object(std::string_view name) {
  if (find_object(name) != nullptr || (name.size() > 3 && iequals(name.substr(name.size() - 3), "__c"))) return {};
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto* list : {&objects(), &board_objects()}) {
    for (const auto& o : *list) {
      std::size_t d = edit_distance(to_lower(name), to_lower(o.name));
      if (d < best_distance) best_distance = d, best = o.name;
    }
  }
  // Two edits only in longer names: Case and Task are two apart, and both are real objects.
  return best_distance == 1 || (best_distance == 2 && name.size() >= 6) ? best : std::string();
}

const CatalogField* CatalogObject::find(std::string_view field) const {
  for (const auto& f : fields) {
    if (iequals(f.name, field)) return &f;
  }
  return nullptr;
}

}  // namespace crmsync::catalog
