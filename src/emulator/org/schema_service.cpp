// Schema of the service objects: Case, with the common fields of Salesforce's describe (Object
// Reference, "Case"; the Developer Edition's picklist values). Lean on purpose: what a faithful
// describe, query, DML and sharing need, not Service Cloud (no CaseComment, CaseStatus, queues,
// entitlements or milestones).
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

ObjectSpec case_object() {
  ObjectSpec o{.name = "Case", .label = "Case", .label_plural = "Cases", .key_prefix = "500"};
  o.feed_enabled = true;
  auto& f = o.fields;
  f.push_back(f_id());
  f.push_back(f_bool("IsDeleted", "Deleted").system());
  // Assigned on insert, never written: "It can't be set directly, and it can't be modified after
  // the case is created."
  f.push_back(f_auto_number("CaseNumber", "Case Number", 30).name_field());
  f.push_back(f_ref("ContactId", "Contact ID", {"Contact"}, "Contact"));
  f.push_back(f_ref("AccountId", "Account ID", {"Account"}, "Account"));
  f.push_back(f_ref("ParentId", "Parent Case ID", {"Case"}, "Parent"));
  f.push_back(f_string("SuppliedName", "Name", 80));
  f.push_back(f_email("SuppliedEmail", "Email Address"));
  f.push_back(f_phone("SuppliedPhone", "Phone"));
  f.push_back(f_string("SuppliedCompany", "Company", 80));
  f.push_back(f_picklist("Type", "Case Type", {"Mechanical", "Electrical", "Electronic", "Structural", "Other"}));
  // Salesforce's describe says nillable and defaulted on create: a case without a Status gets the
  // picklist's default (New); IsClosed follows the Status (dml.cpp: Closed is the closed value).
  f.push_back(f_picklist("Status", "Status", {"New", "Working", "Escalated", "Closed"}).default_value("New"));
  f.push_back(f_picklist("Reason", "Case Reason",
                         {"Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design",
                          "Feedback", "Other"}));
  f.push_back(f_picklist("Origin", "Case Origin", {"Phone", "Email", "Web"}));
  f.push_back(f_string("Subject", "Subject", 255));
  f.push_back(f_picklist("Priority", "Priority", {"High", "Medium", "Low"}).default_value("Medium"));
  f.push_back(f_textarea("Description", "Description", 32000));
  f.push_back(f_bool("IsClosed", "Closed").read_only());
  f.push_back(f_datetime("ClosedDate", "Closed Date").read_only());
  f.push_back(f_bool("IsEscalated", "Escalated"));
  // Salesforce's OwnerId is User or Group (a queue); the emulator models no queues.
  f.push_back(f_ref("OwnerId", "Owner ID", {"User"}, "Owner").required().defaulted());
  add_audit(f, /*is_deleted=*/false);
  f.push_back(f_datetime("LastViewedDate", "Last Viewed Date").read_only());
  f.push_back(f_datetime("LastReferencedDate", "Last Referenced Date").read_only());
  o.child_relationships = {{"AccountId", "Cases"}, {"ContactId", "Cases"}, {"ParentId", "Cases"}};
  return o;
}

}  // namespace

void add_service_objects(std::vector<ObjectSpec>& out) { out.push_back(case_object()); }

}  // namespace crmsync::emulator
