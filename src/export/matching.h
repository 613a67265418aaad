// Matching an activity to Salesforce records from the local store only (no API calls): Owner,
// Who (Contact or Lead), the Account and What (Opportunity or Account). Indexes are built once per
// run from the imported tables (Store::scan); match() is then a handful of hash lookups.
//
// The rules (docs/export.md, "Matching"):
// - Owner: the User whose Email equals host_email (case-insensitive); none = the integration user.
// - A participant is internal when it says so or when its email is a User's email; the others are
//   external.
// - Who: the first external participant (input order) whose email is a Contact's; else the first
//   whose email is a Lead's. Ties between records with the same email: a Contact with an Account,
//   then the latest LastModifiedDate, then the smallest Id (Leads: latest LastModifiedDate, then Id).
// - Account: the Who Contact's Account; with no Contact or Lead matched, the first external
//   participant's email domain that resolves to an Account: the Accounts whose Website has that
//   domain (scheme, "www." and path removed); several -> the one with the most Contacts at the
//   domain, then the smallest Id; none -> the Account with the most Contacts whose email has the
//   domain, then the smallest Id. A subdomain that resolves to nothing is retried as its parent
//   (eu.acme.com -> acme.com, down to two labels). Public mail domains (gmail.com, ...) never match.
// - A Lead Who has no What (Salesforce refuses WhatId with a Lead WhoId).
// - What: among the Account's Opportunities open at the activity's start (created before it and
//   not closed before its date) or created or closed within opportunity_window_days of it, keep
//   those with an OpportunityContactRole for a matched Contact (when that leaves any and
//   match_opportunity_by_contact_role is on), then those owned by the host or an internal
//   participant (same, match_opportunity_by_owner_participation); the first by: open at the time,
//   nearest CloseDate, latest CreatedDate, smallest Id. No Opportunity: the Account.
// Deleted rows (IsDeleted = 1) never match.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "export/activity.h"
#include "store/store.h"

namespace crmsync::exports {

struct MatchOptions {
  bool by_contact_role = true;
  bool by_owner_participation = true;
  std::int64_t window_days = 14;
};

// One chosen link: the record, its object, and why (for --explain).
struct Link {
  std::string id;      // empty: no link
  std::string object;  // User, Contact, Lead, Account, Opportunity
  std::string reason;
};

struct Match {
  Link owner, who, account, what;
  std::vector<std::string> candidates;  // filled only when explaining: one line per candidate considered
  bool matched() const { return !who.id.empty() || !what.id.empty(); }
};

// Sizes of the indexes, for reports and the benchmark.
struct MatchIndexStats {
  std::int64_t users = 0, contacts = 0, leads = 0, accounts = 0, domains = 0, opportunities = 0, roles = 0;
};

class Matcher {
 public:
  ~Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;

  // Reads User, Contact, Lead, Account, Opportunity and OpportunityContactRole from the store. A
  // missing table or column is not an error: that rule cannot match and warnings() says so.
  static Result<Matcher> build(store::Store& store, const MatchOptions& options);

  Match match(const Activity& activity, bool explain = false) const;

  const std::vector<std::string>& warnings() const;
  MatchIndexStats stats() const;

 private:
  struct Index;
  explicit Matcher(std::unique_ptr<Index> index);
  std::unique_ptr<Index> index_;
};

// The domain of an email ("Bob@Mail.Acme.com" -> "mail.acme.com"); empty when there is none.
std::string email_domain(std::string_view email);
// The domain of a website ("https://www.Acme.com/en" -> "acme.com"); empty when there is none.
std::string website_domain(std::string_view website);
// Mail providers whose domain says nothing about the company (gmail.com, outlook.com, ...).
bool is_public_email_domain(std::string_view domain);

}  // namespace crmsync::exports
