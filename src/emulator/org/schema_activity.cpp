// Schema of the activity and engagement objects: Task, Event, Campaign, CampaignMember.
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

const std::vector<std::string> kWhatTargets = {"Account", "Opportunity", "Campaign", "Case", "Contract", "Asset"};

// Task and Event open alike: record types, feeds, and the polymorphic Who (a person) and What (a
// record) they are about.
ObjectSpec activity_object(const std::string& name, const std::string& plural, const std::string& key_prefix) {
  ObjectSpec o{.name = name, .label = name, .label_plural = plural, .key_prefix = key_prefix};
  o.feed_enabled = true;
  o.has_record_types = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("RecordTypeId", "Record Type ID", {"RecordType"}, "RecordType"));
  f.push_back(f_ref("WhoId", "Name ID", {"Contact", "Lead"}, "Who"));
  f.push_back(f_ref("WhatId", "Related To ID", kWhatTargets, "What"));
  return o;
}

ObjectSpec task() {
  ObjectSpec o = activity_object("Task", "Tasks", "00T");
  auto& f = o.fields;
  f.push_back(f_combobox("Subject", "Subject", {"Call", "Send Letter", "Send Quote", "Other"}));
  f.push_back(f_date("ActivityDate", "Due Date Only"));
  f.push_back(f_picklist("Status", "Status",
                         {"Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"})
                  .required()
                  .defaulted());
  f.push_back(f_picklist("Priority", "Priority", {"High", "Normal", "Low"}).required().defaulted());
  f.push_back(f_bool("IsHighPriority", "High Priority").read_only());
  f.push_back(f_ref("OwnerId", "Assigned To ID", {"Group", "User"}, "Owner").required().defaulted());
  f.push_back(f_textarea("Description", "Description", 32000));
  f.push_back(f_picklist("Type", "Type", {"Call", "Email", "Meeting", "Other"}));
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_ref("AccountId", "Account ID", {"Account"}, "Account").read_only());
  f.push_back(f_bool("IsClosed", "Closed").read_only());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_bool("IsArchived", "Archived").read_only());
  f.push_back(f_int("CallDurationInSeconds", "Call Duration", 8));
  f.push_back(f_picklist("CallType", "Call Type", {"Internal", "Inbound", "Outbound"}));
  f.push_back(f_string("CallDisposition", "Call Result", 255));
  f.push_back(f_string("CallObject", "Call Object Identifier", 255));
  f.push_back(f_datetime("ReminderDateTime", "Reminder Date/Time"));
  f.push_back(f_bool("IsReminderSet", "Reminder Set"));
  f.push_back(f_bool("IsRecurrence", "Create Recurring Series of Tasks").create_only());
  f.push_back(f_picklist("TaskSubtype", "Task Subtype", {"Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"})
                  .create_only());
  f.push_back(f_datetime("CompletedDateTime", "Completed Date/Time").read_only());
  f.push_back(f_int("WhoCount", "Relation Count", 9).read_only());
  f.push_back(f_int("WhatCount", "Related To Count", 9).read_only());
  o.child_relationships = {{"WhoId", "Tasks"}, {"WhatId", "Tasks"}, {"AccountId", ""}};
  return o;
}

ObjectSpec event() {
  ObjectSpec o = activity_object("Event", "Events", "00U");
  auto& f = o.fields;
  f.push_back(f_combobox("Subject", "Subject", {"Call", "Email", "Meeting", "Send Letter/Quote", "Other"}));
  f.push_back(f_string("Location", "Location", 255));
  f.push_back(f_bool("IsAllDayEvent", "All-Day Event"));
  f.push_back(f_datetime("ActivityDateTime", "Due Date Time"));
  f.push_back(f_date("ActivityDate", "Due Date Only"));
  f.push_back(f_int("DurationInMinutes", "Duration", 8));
  f.push_back(f_datetime("StartDateTime", "Start Date Time"));
  f.push_back(f_datetime("EndDateTime", "End Date Time"));
  f.push_back(f_date("EndDate", "End Date").read_only());
  f.push_back(f_textarea("Description", "Description", 32000));
  f.push_back(f_ref("AccountId", "Account ID", {"Account"}, "Account").read_only());
  f.push_back(f_ref("OwnerId", "Assigned To ID", {"Calendar", "User"}, "Owner").required().defaulted());
  f.push_back(f_picklist("Type", "Type", {"Call", "Email", "Meeting", "Other"}));
  f.push_back(f_bool("IsPrivate", "Private"));
  f.push_back(f_picklist("ShowAs", "Show Time As", {"Busy", "OutOfOffice", "Free"}));
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_bool("IsChild", "Is Child").read_only());
  f.push_back(f_bool("IsGroupEvent", "Is Group Event").read_only());
  f.push_back(f_picklist("GroupEventType", "Group Event Type", {"0", "1", "2", "3"}).read_only());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_bool("IsArchived", "Archived").read_only());
  f.push_back(f_datetime("ReminderDateTime", "Reminder Date/Time"));
  f.push_back(f_bool("IsReminderSet", "Reminder Set"));
  f.push_back(f_picklist("EventSubtype", "Event Subtype", {"Event"}).create_only());
  f.push_back(f_bool("IsRecurrence2", "Event Series").read_only());
  f.push_back(f_textarea("Recurrence2PatternText", "Recurrence Pattern", 512));
  o.child_relationships = {{"WhoId", "Events"}, {"WhatId", "Events"}, {"AccountId", ""}};
  return o;
}

ObjectSpec campaign() {
  ObjectSpec o{.name = "Campaign", .label = "Campaign", .label_plural = "Campaigns", .key_prefix = "701"};
  o.feed_enabled = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_string("Name", "Name", 80).required().name_field());
  f.push_back(f_ref("ParentId", "Parent Campaign ID", {"Campaign"}, "Parent"));
  f.push_back(f_picklist("Type", "Type",
                         {"Conference", "Webinar", "Trade Show", "Public Relations", "Partners", "Referral Program",
                          "Advertisement", "Banner Ads", "Direct Mail", "Email", "Telemarketing", "Other"}));
  f.push_back(f_picklist("Status", "Status", {"Planned", "In Progress", "Completed", "Aborted"}));
  f.push_back(f_date("StartDate", "Start Date"));
  f.push_back(f_date("EndDate", "End Date"));
  f.push_back(f_currency("ExpectedRevenue", "Expected Revenue in Campaign", 18, 0));
  f.push_back(f_currency("BudgetedCost", "Budgeted Cost in Campaign", 18, 0));
  f.push_back(f_currency("ActualCost", "Actual Cost in Campaign", 18, 0));
  f.push_back(f_percent("ExpectedResponse", "Expected Response (%)", 10, 2));
  f.push_back(f_double("NumberSent", "Num Sent in Campaign", 18, 0));
  f.push_back(f_bool("IsActive", "Active"));
  f.push_back(f_textarea("Description", "Description", 32000));
  f.push_back(f_int("NumberOfLeads", "Leads in Campaign", 9).read_only());
  f.push_back(f_int("NumberOfContacts", "Contacts in Campaign", 9).read_only());
  f.push_back(f_int("NumberOfResponses", "Responses in Campaign", 9).read_only());
  f.push_back(f_int("NumberOfOpportunities", "Opportunities in Campaign", 9).read_only());
  f.push_back(f_currency("AmountAllOpportunities", "Value Opportunities in Campaign", 18, 0).read_only());
  f.push_back(f_ref("OwnerId", "Owner ID", {"User"}, "Owner").required().defaulted());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_date("LastActivityDate", "Last Activity").read_only());
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  o.child_relationships = {{"ParentId", "ChildCampaigns"}};
  return o;
}

ObjectSpec campaign_member() {
  ObjectSpec o{.name = "CampaignMember", .label = "Campaign Member", .label_plural = "Campaign Members",
               .key_prefix = "00v"};
  o.searchable = o.mru_enabled = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_ref("CampaignId", "Campaign ID", {"Campaign"}, "Campaign").required().create_only());
  f.push_back(f_ref("LeadId", "Lead ID", {"Lead"}, "Lead").create_only());
  f.push_back(f_ref("ContactId", "Contact ID", {"Contact"}, "Contact").create_only());
  f.push_back(f_picklist("Status", "Status", {"Sent", "Responded"}).defaulted());
  f.push_back(f_bool("HasResponded", "Responded").read_only());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_date("FirstRespondedDate", "First Responded Date").read_only());
  f.push_back(f_string("Name", "Name", 121).read_only().name_field());
  f.push_back(f_string("FirstName", "First Name", 40).read_only());
  f.push_back(f_string("LastName", "Last Name", 80).read_only());
  f.push_back(f_string("Title", "Title", 128).read_only());
  f.push_back(f_email("Email", "Email").read_only());
  f.push_back(f_phone("Phone", "Phone").read_only());
  f.push_back(f_string("CompanyOrAccount", "Company (Account)", 255).read_only());
  f.push_back(f_picklist("Type", "Type", {"Contact", "Lead"}).read_only());
  f.push_back(f_ref("LeadOrContactId", "Contact or Lead ID", {"Contact", "Lead"}, "").read_only());
  f.push_back(f_ref("LeadOrContactOwnerId", "Contact or Lead Owner ID", {"Group", "User"}, "LeadOrContactOwner")
                  .read_only());
  o.child_relationships = {{"CampaignId", "CampaignMembers"}, {"LeadId", "CampaignMembers"},
                           {"ContactId", "CampaignMembers"}};
  return o;
}

}  // namespace

void add_activity_objects(std::vector<ObjectSpec>& out) {
  out.push_back(task());
  out.push_back(event());
  out.push_back(campaign());
  out.push_back(campaign_member());
}

}  // namespace crmsync::emulator
