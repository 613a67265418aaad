// Schema of the deals-and-forecast objects: OpportunitySplit, OpportunitySplitType,
// OpportunityTeamMember, OpportunityLineItem.
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

ObjectSpec opportunity_split() {
  ObjectSpec o{.name = "OpportunitySplit", .label = "Opportunity Split", .label_plural = "Opportunity Splits",
               .key_prefix = "149"};
  o.searchable = o.mru_enabled = o.layoutable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("OpportunityId", "Opportunity ID", {"Opportunity"}, "Opportunity").required().create_only());
  f.push_back(f_ref("SplitOwnerId", "User ID", {"User"}, "SplitOwner").required().create_only());
  f.push_back(f_percent("SplitPercentage", "Percent (%)", 18, 2).required());
  f.push_back(f_string("SplitNote", "Split Note", 255));
  f.push_back(f_ref("SplitTypeId", "Opportunity Split Type ID", {"OpportunitySplitType"}, "SplitType").defaulted());
  f.push_back(f_currency("SplitAmount", "Amount", 18, 2).read_only());
  f.push_back(f_string("Split", "Split", 30).read_only().defaulted());
  f.push_back(f_bool("HasOpportunityLineItemSplit", "Has Opportunity Line Item Split").read_only());
  add_audit(f);
  o.child_relationships = {{"OpportunityId", "OpportunitySplits"}, {"SplitOwnerId", ""}};
  return o;
}

ObjectSpec opportunity_split_type() {
  // Key prefix: not confirmed from a public source (see the emulator's report).
  ObjectSpec o{.name = "OpportunitySplitType", .label = "Opportunity Split Type",
               .label_plural = "Opportunity Split Types", .key_prefix = "14a"};
  o.createable = o.updateable = o.deletable = o.layoutable = o.searchable = false;
  o.triggerable = o.undeletable = o.mru_enabled = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_string("DeveloperName", "Name", 80).read_only().required());
  f.push_back(f_picklist("Language", "Master Language", {"en_US", "fr", "de", "ja"}).read_only());
  f.push_back(f_string("MasterLabel", "Label", 80).read_only().required().name_field());
  f.push_back(f_string("SplitLabel", "Split Label", 80).read_only());
  f.push_back(f_picklist("SplitField", "Field", {"Amount", "Overlay_Amount__c"}).read_only());
  f.push_back(f_picklist("SplitEntity", "Object", {"Opportunity", "OpportunityLineItem"}).read_only());
  f.push_back(f_picklist("SplitDataStatus", "Status", {"Completed", "Activating", "Deactivating", "Failed"})
                  .read_only());
  f.push_back(f_string("Description", "Description", 255).read_only());
  f.push_back(f_bool("IsActive", "Active").read_only());
  f.push_back(f_bool("IsTotalValidated", "Totals 100%").read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec opportunity_team_member() {
  ObjectSpec o{.name = "OpportunityTeamMember", .label = "Opportunity Team Member",
               .label_plural = "Opportunity Team Members", .key_prefix = "00q"};
  o.searchable = o.mru_enabled = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("OpportunityId", "Opportunity ID", {"Opportunity"}, "Opportunity").required().create_only());
  f.push_back(f_ref("UserId", "User ID", {"User"}, "User").required().create_only());
  f.push_back(f_string("Name", "Name", 121).read_only().name_field());
  f.push_back(f_url("PhotoUrl", "Photo").read_only());
  f.push_back(f_string("Title", "Title", 80).read_only());
  f.push_back(f_picklist("TeamMemberRole", "Team Role",
                         {"Account Manager", "Channel Manager", "Executive Sponsor", "Lead Qualifier",
                          "Pre-Sales Consultant", "Sales Manager", "Sales Rep", "Other"}));
  f.push_back(f_picklist("OpportunityAccessLevel", "Opportunity Access", {"Read", "Edit", "All"}).defaulted());
  add_audit(f);
  o.child_relationships = {{"OpportunityId", "OpportunityTeamMembers"}, {"UserId", ""}};
  return o;
}

ObjectSpec opportunity_line_item() {
  ObjectSpec o{.name = "OpportunityLineItem", .label = "Opportunity Product", .label_plural = "Opportunity Product",
               .key_prefix = "00k"};
  o.searchable = o.mru_enabled = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("OpportunityId", "Opportunity ID", {"Opportunity"}, "Opportunity").required().create_only());
  f.push_back(f_int("SortOrder", "Sort Order", 9));
  f.push_back(f_ref("PricebookEntryId", "Price Book Entry ID", {"PricebookEntry"}, "PricebookEntry").create_only());
  f.push_back(f_ref("Product2Id", "Product ID", {"Product2"}, "Product2").create_only());
  f.push_back(f_string("ProductCode", "Product Code", 255).read_only());
  f.push_back(f_string("Name", "Opportunity Product Name", 376).read_only().name_field());
  f.push_back(f_double("Quantity", "Quantity", 12, 2).required());
  f.push_back(f_currency("TotalPrice", "Total Price", 18, 2));
  f.push_back(f_currency("UnitPrice", "Sales Price", 18, 2));
  f.push_back(f_currency("ListPrice", "List Price", 18, 2).read_only());
  f.push_back(f_date("ServiceDate", "Date"));
  f.push_back(f_string("Description", "Line Description", 255));
  add_audit(f);
  o.child_relationships = {{"OpportunityId", "OpportunityLineItems"}};
  return o;
}

}  // namespace

void add_deal_objects(std::vector<ObjectSpec>& out) {
  out.push_back(opportunity_split());
  out.push_back(opportunity_split_type());
  out.push_back(opportunity_team_member());
  out.push_back(opportunity_line_item());
}

}  // namespace crmsync::emulator
