// Schema of the sales objects: Account, Contact, Lead, Opportunity and its contact roles, history
// and stages, RecordType and User, with the standard fields a real org describes.
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

using Values = std::vector<std::string>;

const Values kIndustries = {"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
                            "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
                            "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government",
                            "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media",
                            "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
                            "Telecommunications", "Transportation", "Utilities", "Other"};
const Values kLeadSources = {"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"};
const Values kSalutations = {"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."};

// Account, Contact and Lead open alike: merge (MasterRecordId points at the object itself), feeds,
// the soft-delete flag.
ObjectSpec mergeable_object(const std::string& name, const std::string& plural, const std::string& key_prefix) {
  ObjectSpec o{.name = name, .label = name, .label_plural = plural, .key_prefix = key_prefix};
  o.feed_enabled = o.mergeable = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_ref("MasterRecordId", "Master Record ID", {name}, "MasterRecord").read_only());
  return o;
}

// The person name of Contact and Lead: its parts and the read-only compound Name.
void add_person_name(std::vector<FieldDef>& f) {
  f.push_back(f_string("LastName", "Last Name", 80).required());
  f.push_back(f_string("FirstName", "First Name", 40));
  f.push_back(f_picklist("Salutation", "Salutation", kSalutations));
  f.push_back(f_string("Name", "Full Name", 121).read_only().name_field().extra("personname"));
}

ObjectSpec account() {
  ObjectSpec o = mergeable_object("Account", "Accounts", "001");
  auto& f = o.fields;
  f.push_back(f_string("Name", "Account Name", 255).required().name_field().extra("switchablepersonname"));
  f.push_back(f_picklist("Type", "Account Type",
                         {"Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
                          "Installation Partner", "Technology Partner", "Other"}));
  f.push_back(f_ref("ParentId", "Parent Account ID", {"Account"}, "Parent"));
  add_address(f, "Billing", "Billing");
  add_address(f, "Shipping", "Shipping");
  f.push_back(f_phone("Phone", "Account Phone"));
  f.push_back(f_phone("Fax", "Account Fax"));
  f.push_back(f_string("AccountNumber", "Account Number", 40));
  f.push_back(f_url("Website", "Website"));
  f.push_back(f_url("PhotoUrl", "Photo URL").read_only().extra("imageurl"));
  f.push_back(f_string("Sic", "SIC Code", 20));
  f.push_back(f_picklist("Industry", "Industry", kIndustries));
  f.push_back(f_currency("AnnualRevenue", "Annual Revenue", 18, 0));
  f.push_back(f_int("NumberOfEmployees", "Employees", 8));
  f.push_back(f_picklist("Ownership", "Ownership", {"Public", "Private", "Subsidiary", "Other"}));
  f.push_back(f_string("TickerSymbol", "Ticker Symbol", 20));
  f.push_back(f_textarea("Description", "Account Description", 32000));
  f.push_back(f_picklist("Rating", "Account Rating", {"Hot", "Warm", "Cold"}));
  f.push_back(f_string("Site", "Account Site", 80));
  f.push_back(f_ref("OwnerId", "Owner ID", {"User"}, "Owner").required().defaulted());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_date("LastActivityDate", "Last Activity").read_only());
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  f.push_back(f_string("Jigsaw", "Data.com Key", 20));
  f.push_back(f_picklist("AccountSource", "Account Source", kLeadSources));
  f.push_back(f_string("SicDesc", "SIC Description", 80));
  FieldDef notes = f_textarea("Account_Notes__c", "Account Notes", 32768).extra("richtextarea");
  notes.html_formatted = true;
  notes.custom = true;
  f.push_back(notes);
  FieldDef link = f_string("Website_Link__c", "Website Link", 1300).formula("HYPERLINK(Website, Name)");
  link.html_formatted = true;
  link.custom = true;
  f.push_back(link);
  o.child_relationships = {{"ParentId", "ChildAccounts"}};
  return o;
}

ObjectSpec contact() {
  ObjectSpec o = mergeable_object("Contact", "Contacts", "003");
  auto& f = o.fields;
  f.push_back(f_ref("AccountId", "Account ID", {"Account"}, "Account"));
  add_person_name(f);
  add_address(f, "Other", "Other");
  add_address(f, "Mailing", "Mailing");
  f.push_back(f_phone("Phone", "Business Phone"));
  f.push_back(f_phone("Fax", "Business Fax"));
  f.push_back(f_phone("MobilePhone", "Mobile Phone"));
  f.push_back(f_phone("HomePhone", "Home Phone"));
  f.push_back(f_phone("OtherPhone", "Other Phone"));
  f.push_back(f_phone("AssistantPhone", "Asst. Phone"));
  f.push_back(f_ref("ReportsToId", "Reports To ID", {"Contact"}, "ReportsTo"));
  f.push_back(f_email("Email", "Email").id_lookup());
  f.push_back(f_string("Title", "Title", 128));
  f.push_back(f_string("Department", "Department", 80));
  f.push_back(f_string("AssistantName", "Assistant's Name", 40));
  f.push_back(f_picklist("LeadSource", "Lead Source", kLeadSources));
  f.push_back(f_date("Birthdate", "Birthdate"));
  f.push_back(f_textarea("Description", "Contact Description", 32000));
  f.push_back(f_ref("OwnerId", "Owner ID", {"User"}, "Owner").required().defaulted());
  f.push_back(f_bool("HasOptedOutOfEmail", "Email Opt Out"));
  f.push_back(f_bool("DoNotCall", "Do Not Call"));
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_date("LastActivityDate", "Last Activity").read_only());
  f.push_back(f_datetime("LastCURequestDate", "Last Stay-in-Touch Request Date").read_only());
  f.push_back(f_datetime("LastCUUpdateDate", "Last Stay-in-Touch Save Date").read_only());
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  f.push_back(f_string("EmailBouncedReason", "Email Bounced Reason", 255));
  f.push_back(f_datetime("EmailBouncedDate", "Email Bounced Date"));
  f.push_back(f_bool("IsEmailBounced", "Is Email Bounced").read_only());
  f.push_back(f_url("PhotoUrl", "Photo URL").read_only().extra("imageurl"));
  f.push_back(f_string("Jigsaw", "Data.com Key", 20));
  o.child_relationships = {{"AccountId", "Contacts"}, {"ReportsToId", ""}};
  return o;
}

ObjectSpec lead() {
  ObjectSpec o = mergeable_object("Lead", "Leads", "00Q");
  auto& f = o.fields;
  add_person_name(f);
  f.push_back(f_string("Title", "Title", 128));
  f.push_back(f_string("Company", "Company", 255).required());
  add_address(f, "", "");
  f.push_back(f_phone("Phone", "Phone"));
  f.push_back(f_phone("MobilePhone", "Mobile Phone"));
  f.push_back(f_phone("Fax", "Fax"));
  f.push_back(f_email("Email", "Email").id_lookup());
  f.push_back(f_url("Website", "Website"));
  f.push_back(f_url("PhotoUrl", "Photo URL").read_only().extra("imageurl"));
  f.push_back(f_textarea("Description", "Description", 32000));
  f.push_back(f_picklist("LeadSource", "Lead Source", kLeadSources));
  f.push_back(f_picklist("Status", "Status",
                         {"Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                          "Closed - Not Converted"})
                  .required()
                  .defaulted());
  f.push_back(f_picklist("Industry", "Industry", kIndustries));
  f.push_back(f_picklist("Rating", "Rating", {"Hot", "Warm", "Cold"}));
  f.push_back(f_currency("AnnualRevenue", "Annual Revenue", 18, 0));
  f.push_back(f_int("NumberOfEmployees", "Employees", 8));
  f.push_back(f_ref("OwnerId", "Owner ID", {"Group", "User"}, "Owner").required().defaulted());
  f.push_back(f_bool("IsConverted", "Converted").read_only());
  f.push_back(f_date("ConvertedDate", "Converted Date").read_only());
  f.push_back(f_ref("ConvertedAccountId", "Converted Account ID", {"Account"}, "ConvertedAccount").read_only());
  f.push_back(f_ref("ConvertedContactId", "Converted Contact ID", {"Contact"}, "ConvertedContact").read_only());
  f.push_back(f_ref("ConvertedOpportunityId", "Converted Opportunity ID", {"Opportunity"}, "ConvertedOpportunity")
                  .read_only());
  f.push_back(f_bool("IsUnreadByOwner", "Unread By Owner"));
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_date("LastActivityDate", "Last Activity").read_only());
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  f.push_back(f_bool("HasOptedOutOfEmail", "Email Opt Out"));
  f.push_back(f_bool("DoNotCall", "Do Not Call"));
  f.push_back(f_string("Jigsaw", "Data.com Key", 20));
  return o;
}

const Values kStages = {"Prospecting",      "Qualification",        "Needs Analysis", "Value Proposition",
                        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
                        "Negotiation/Review", "Closed Won",          "Closed Lost"};
const Values kForecastCategories = {"Omitted", "Pipeline", "BestCase", "Forecast", "Closed"};
const Values kForecastCategoryNames = {"Omitted", "Pipeline", "Best Case", "Commit", "Closed"};

ObjectSpec opportunity() {
  ObjectSpec o{.name = "Opportunity", .label = "Opportunity", .label_plural = "Opportunities", .key_prefix = "006"};
  o.feed_enabled = true;
  o.has_record_types = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_ref("AccountId", "Account ID", {"Account"}, "Account"));
  f.push_back(f_ref("RecordTypeId", "Record Type ID", {"RecordType"}, "RecordType"));
  f.push_back(f_bool("IsPrivate", "Private"));
  f.push_back(f_string("Name", "Name", 120).required().name_field());
  f.push_back(f_textarea("Description", "Description", 32000));
  f.push_back(f_picklist("StageName", "Stage", kStages).required());
  f.push_back(f_currency("Amount", "Amount", 18, 2));
  f.push_back(f_percent("Probability", "Probability (%)", 3, 0));
  f.push_back(f_currency("ExpectedRevenue", "Expected Amount", 18, 2).formula("Amount * Probability / 100"));
  f.push_back(f_double("TotalOpportunityQuantity", "Quantity", 18, 2));
  f.push_back(f_date("CloseDate", "Close Date").required());
  f.push_back(f_picklist("Type", "Opportunity Type",
                         {"Existing Customer - Upgrade", "Existing Customer - Replacement",
                          "Existing Customer - Downgrade", "New Customer"}));
  f.push_back(f_string("NextStep", "Next Step", 255));
  f.push_back(f_picklist("LeadSource", "Lead Source", kLeadSources));
  f.push_back(f_bool("IsClosed", "Closed").read_only());
  f.push_back(f_bool("IsWon", "Won").read_only());
  f.push_back(f_picklist("ForecastCategory", "Forecast Category", kForecastCategories).read_only());
  f.push_back(f_picklist("ForecastCategoryName", "Forecast Category", kForecastCategoryNames).defaulted());
  f.push_back(f_ref("CampaignId", "Campaign ID", {"Campaign"}, "Campaign"));
  f.push_back(f_bool("HasOpportunityLineItem", "Has Line Item").read_only());
  f.push_back(f_ref("Pricebook2Id", "Price Book ID", {"Pricebook2"}, "Pricebook2"));
  f.push_back(f_ref("OwnerId", "Owner ID", {"User"}, "Owner").required().defaulted());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_date("LastActivityDate", "Last Activity").read_only());
  f.push_back(f_int("FiscalQuarter", "Fiscal Quarter", 11).read_only());
  f.push_back(f_int("FiscalYear", "Fiscal Year", 11).read_only());
  f.push_back(f_string("Fiscal", "Fiscal Period", 6).read_only());
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  f.push_back(f_bool("HasOpenActivity", "Has Open Activity").read_only());
  f.push_back(f_bool("HasOverdueTask", "Has Overdue Task").read_only());
  FieldDef competitors =
      f_multipicklist("Competitors__c", "Competitors", {"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Other"});
  competitors.custom = true;
  f.push_back(competitors);
  o.child_relationships = {{"AccountId", "Opportunities"}, {"CampaignId", "Opportunities"}};
  return o;
}

ObjectSpec opportunity_contact_role() {
  ObjectSpec o{.name = "OpportunityContactRole",
               .label = "Opportunity Contact Role",
               .label_plural = "Opportunity Contact Role",
               .key_prefix = "00K"};
  o.searchable = o.mru_enabled = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("OpportunityId", "Opportunity ID", {"Opportunity"}, "Opportunity").required().create_only());
  f.push_back(f_ref("ContactId", "Contact ID", {"Contact"}, "Contact").required());
  f.push_back(f_picklist("Role", "Role",
                         {"Business User", "Decision Maker", "Economic Buyer", "Economic Decision Maker", "Evaluator",
                          "Executive Sponsor", "Influencer", "Technical Buyer", "Other"}));
  f.push_back(f_bool("IsPrimary", "Primary"));
  add_audit(f);
  o.child_relationships = {{"OpportunityId", "OpportunityContactRoles"}, {"ContactId", "OpportunityContactRoles"}};
  return o;
}

ObjectSpec opportunity_history() {
  ObjectSpec o{.name = "OpportunityHistory",
               .label = "Opportunity History",
               .label_plural = "Opportunity History",
               .key_prefix = "008"};
  o.createable = o.updateable = o.deletable = o.layoutable = o.searchable = false;
  o.triggerable = o.undeletable = o.mru_enabled = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_ref("OpportunityId", "Opportunity ID", {"Opportunity"}, "Opportunity").read_only().required());
  f.push_back(f_ref("CreatedById", "Created By ID", {"User"}, "CreatedBy").system());
  f.push_back(f_datetime("CreatedDate", "Created Date").system());
  f.push_back(f_picklist("StageName", "Stage Name", kStages).read_only().required());
  f.push_back(f_currency("Amount", "Amount", 18, 2).read_only());
  f.push_back(f_currency("ExpectedRevenue", "Expected Revenue", 18, 2).read_only());
  f.push_back(f_date("CloseDate", "Close Date").read_only());
  f.push_back(f_percent("Probability", "Probability (%)", 3, 0).read_only());
  f.push_back(f_picklist("ForecastCategory", "Forecast Category", kForecastCategories).read_only());
  f.push_back(f_datetime("SystemModstamp", "System Modstamp").system());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  f.push_back(f_currency("PrevAmount", "Previous Amount", 18, 2).read_only());
  f.push_back(f_date("PrevCloseDate", "Previous Close Date").read_only());
  o.child_relationships = {{"OpportunityId", "OpportunityHistories"}};
  return o;
}

ObjectSpec opportunity_stage() {
  ObjectSpec o{.name = "OpportunityStage",
               .label = "Opportunity Stage",
               .label_plural = "Opportunity Stages",
               .key_prefix = "01J"};
  o.createable = o.updateable = o.deletable = o.layoutable = o.searchable = false;
  o.triggerable = o.undeletable = o.mru_enabled = o.replicateable = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("MasterLabel", "Master Label", 255).read_only().required().name_field());
  f.push_back(f_string("ApiName", "Api Name", 255).read_only().required());
  f.push_back(f_bool("IsActive", "Active").read_only());
  f.push_back(f_int("SortOrder", "Sort Order", 9).read_only());
  f.push_back(f_bool("IsClosed", "Closed").read_only());
  f.push_back(f_bool("IsWon", "Won").read_only());
  f.push_back(f_picklist("ForecastCategory", "Forecast Type", kForecastCategories).read_only().required());
  f.push_back(f_picklist("ForecastCategoryName", "Forecast Category", kForecastCategoryNames).read_only().required());
  f.push_back(f_percent("DefaultProbability", "Probability (%)", 3, 0).read_only());
  f.push_back(f_string("Description", "Description", 255).read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec record_type() {
  ObjectSpec o{.name = "RecordType", .label = "Record Type", .label_plural = "Record Types", .key_prefix = "012"};
  o.createable = o.updateable = o.deletable = o.layoutable = o.searchable = false;
  o.triggerable = o.undeletable = o.mru_enabled = false;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("Name", "Name", 80).required().name_field());
  f.push_back(f_string("DeveloperName", "Record Type Name", 80).required());
  f.push_back(f_string("NamespacePrefix", "Namespace Prefix", 15).read_only());
  f.push_back(f_string("Description", "Description", 255));
  f.push_back(f_ref("BusinessProcessId", "Business Process ID", {"BusinessProcess"}, ""));
  f.push_back(f_picklist("SobjectType", "SObject Type Name", {"Account", "Contact", "Event", "Lead", "Opportunity",
                                                              "Task", "Campaign", "CampaignMember"})
                  .required());
  f.push_back(f_bool("IsActive", "Active"));
  f.push_back(f_bool("IsPersonType", "Is Person Type").read_only());
  add_audit(f, /*is_deleted=*/false);
  return o;
}

ObjectSpec user() {
  ObjectSpec o{.name = "User", .label = "User", .label_plural = "Users", .key_prefix = "005"};
  o.deletable = o.undeletable = false;
  o.feed_enabled = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_string("Username", "Username", 80).required().unique().id_lookup());
  f.push_back(f_string("LastName", "Last Name", 80).required());
  f.push_back(f_string("FirstName", "First Name", 40));
  f.push_back(f_string("MiddleName", "Middle Name", 40));
  f.push_back(f_string("Name", "Full Name", 121).read_only().name_field().extra("personname"));
  f.push_back(f_string("CompanyName", "Company Name", 80));
  f.push_back(f_string("Division", "Division", 80));
  f.push_back(f_string("Department", "Department", 80));
  f.push_back(f_string("Title", "Title", 80));
  add_address(f, "", "");
  f.push_back(f_email("Email", "Email").required());
  f.push_back(f_textarea("Signature", "Email Signature", 1333));
  f.push_back(f_phone("Phone", "Phone"));
  f.push_back(f_phone("Fax", "Fax"));
  f.push_back(f_phone("MobilePhone", "Mobile"));
  f.push_back(f_string("Alias", "Alias", 8).required());
  f.push_back(f_string("CommunityNickname", "Nickname", 40).required().unique());
  f.push_back(f_bool("IsActive", "Active"));
  f.push_back(f_picklist("TimeZoneSidKey", "Time Zone",
                         {"America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Paris", "Europe/Berlin",
                          "Asia/Tokyo", "Australia/Sydney", "GMT"})
                  .required());
  f.push_back(f_ref("UserRoleId", "Role ID", {"UserRole"}, "UserRole"));
  f.push_back(f_picklist("LocaleSidKey", "Locale", {"en_US", "en_GB", "fr_FR", "de_DE", "ja_JP"}).required());
  f.push_back(f_bool("ReceivesInfoEmails", "Info Emails"));
  f.push_back(f_picklist("EmailEncodingKey", "Email Encoding", {"UTF-8", "ISO-8859-1", "Shift_JIS"}).required());
  f.push_back(f_ref("ProfileId", "Profile ID", {"Profile"}, "Profile").required());
  f.push_back(f_picklist("UserType", "User Type", {"Standard", "PowerPartner", "CsnOnly", "Guest"}).read_only());
  f.push_back(f_picklist("LanguageLocaleKey", "Language", {"en_US", "fr", "de", "ja", "es"}).required());
  f.push_back(f_string("EmployeeNumber", "Employee Number", 20));
  f.push_back(f_ref("DelegatedApproverId", "Delegated Approver ID", {"Group", "User"}, ""));
  f.push_back(f_ref("ManagerId", "Manager ID", {"User"}, "Manager"));
  f.push_back(f_datetime("LastLoginDate", "Last Login").read_only());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_url("SmallPhotoUrl", "Small Photo URL").read_only().extra("imageurl"));
  f.push_back(f_url("FullPhotoUrl", "Url for full-sized Photo").read_only().extra("imageurl"));
  f.push_back(f_textarea("AboutMe", "About Me", 1000));
  f.push_back(f_string("FederationIdentifier", "SAML Federation ID", 512));
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  o.child_relationships = {{"ManagerId", "ManagedUsers"}};
  return o;
}

}  // namespace

void add_sales_objects(std::vector<ObjectSpec>& out) {
  out.push_back(account());
  out.push_back(contact());
  out.push_back(lead());
  out.push_back(opportunity());
  out.push_back(opportunity_contact_role());
  out.push_back(opportunity_history());
  out.push_back(opportunity_stage());
  out.push_back(record_type());
  out.push_back(user());
}

}  // namespace crmsync::emulator
