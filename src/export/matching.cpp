// Store-backed indexes for matching activities to Users, Contacts, Leads, Accounts and
// Opportunities, and the matching rules of matching.h.
#include "export/matching.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <functional>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "common/text.h"

namespace crmsync::exports {

namespace {

using store::Value;

const std::string* text(const Value& v) { return std::get_if<std::string>(&v); }
std::string text_or_empty(const Value& v) {
  const std::string* s = text(v);
  return s ? *s : std::string();
}
bool truthy(const Value& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i != 0;
  return false;
}
EpochMs time_of(const Value& v) {
  const std::string* s = text(v);
  return s ? parse_datetime(*s).value_or(0) : 0;
}

constexpr EpochDays kNoDay = std::numeric_limits<EpochDays>::min();

struct ContactRec {
  std::string id, account_id;
  EpochMs modified = 0;
};
struct LeadRec {
  std::string id;
  EpochMs modified = 0;
};
struct OppRec {
  std::string id, owner_id;
  EpochMs created = 0;
  EpochDays close_day = kNoDay;
  bool closed = false;
  std::vector<std::string> role_contacts;  // ContactIds with an OpportunityContactRole, sorted
};
struct DomainAccount {
  std::string account_id;
  std::string reason;
};

std::string lower(std::string_view s) { return to_lower(s); }

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::string email_domain(std::string_view email) {
  auto at = email.rfind('@');
  if (at == std::string_view::npos || at + 1 >= email.size()) return {};
  std::string d = lower(trim(email.substr(at + 1)));
  while (!d.empty() && d.back() == '.') d.pop_back();
  return d.find('.') == std::string::npos ? std::string() : d;
}

std::string website_domain(std::string_view website) {
  std::string w = lower(trim(website));
  if (auto scheme = w.find("://"); scheme != std::string::npos) w = w.substr(scheme + 3);
  w = w.substr(0, w.find_first_of("/?#"));
  if (auto at = w.rfind('@'); at != std::string::npos) w = w.substr(at + 1);
  w = w.substr(0, w.find(':'));
  if (w.starts_with("www.")) w = w.substr(4);
  while (!w.empty() && w.back() == '.') w.pop_back();
  return w.find('.') == std::string::npos ? std::string() : w;
}

bool is_public_email_domain(std::string_view domain) {
  static const std::unordered_set<std::string_view> kPublic = {
      "gmail.com",   "googlemail.com", "yahoo.com",   "yahoo.co.uk", "hotmail.com", "outlook.com", "live.com",
      "msn.com",     "icloud.com",     "me.com",      "mac.com",     "aol.com",     "proton.me",   "protonmail.com",
      "gmx.com",     "gmx.de",         "gmx.net",     "web.de",      "mail.com",    "yandex.ru",   "yandex.com",
      "qq.com",      "163.com",        "zoho.com",    "fastmail.com", "hey.com",    "orange.fr",   "free.fr"};
  return kPublic.contains(domain);
}

struct Matcher::Index {
  MatchOptions options;
  std::vector<std::string> warnings;
  std::unordered_map<std::string, std::string> user_by_email;  // lower-case email -> User Id
  std::unordered_map<std::string, ContactRec> contact_by_email;
  std::unordered_map<std::string, LeadRec> lead_by_email;
  std::unordered_map<std::string, DomainAccount> account_by_domain;
  std::vector<OppRec> opps;
  std::unordered_map<std::string, std::vector<std::uint32_t>> opps_by_account;
  std::int64_t contacts = 0, leads = 0, accounts = 0, roles = 0;

  // Scans `table` for `wanted` columns; those the table lacks are left out (-1 in `where`) with a
  // warning when `needed` says the rule cannot work without them.
  Status scan(store::Store& store, const std::string& table, const std::vector<std::string>& wanted,
              const std::vector<std::string>& needed, const std::function<void(const std::vector<const Value*>&)>& row) {
    auto cols = store.columns(table);
    if (!cols) return cols.error();
    if (cols->empty()) {
      warnings.push_back("The store has no " + table + " table, so nothing matches through it; run crmsync sync.");
      return ok_status();
    }
    std::vector<std::string> present;
    std::vector<int> where;
    for (const auto& w : wanted) {
      bool has = std::any_of(cols->begin(), cols->end(), [&](const std::string& c) { return iequals(c, w); });
      if (!has && std::find(needed.begin(), needed.end(), w) != needed.end()) {
        warnings.push_back("The store's " + table + " table has no " + w + " column, so nothing matches through " +
                           table + "; add " + w + " to the sync and sync again.");
        return ok_status();
      }
      where.push_back(has ? static_cast<int>(present.size()) : -1);
      if (has) present.push_back(w);
    }
    static const Value kNull;
    std::vector<const Value*> values(wanted.size());
    return store.scan(table, present, [&](std::span<const Value> v) -> Status {
      for (std::size_t k = 0; k < wanted.size(); ++k) values[k] = where[k] < 0 ? &kNull : &v[where[k]];
      row(values);
      return ok_status();
    });
  }

  Status build(store::Store& store) {
    CRMSYNC_TRY(scan(store, "User", {"Id", "Email"}, {"Id", "Email"}, [&](const auto& v) {
      std::string email = lower(trim(text_or_empty(*v[1])));
      const std::string id = text_or_empty(*v[0]);
      if (email.empty()) return;
      auto [it, fresh] = user_by_email.emplace(email, id);
      if (!fresh && id < it->second) it->second = id;
    }));

    // Contacts per email (the preferred one) and per (domain, account) for domain resolution.
    std::unordered_map<std::string, std::unordered_map<std::string, std::int64_t>> contacts_at_domain;
    CRMSYNC_TRY(scan(store, "Contact", {"Id", "Email", "AccountId", "IsDeleted", "LastModifiedDate"}, {"Id", "Email"},
                     [&](const auto& v) {
                       if (truthy(*v[3])) return;
                       std::string email = lower(trim(text_or_empty(*v[1])));
                       if (email.empty()) return;
                       ++contacts;
                       ContactRec c{text_or_empty(*v[0]), text_or_empty(*v[2]), time_of(*v[4])};
                       if (!c.account_id.empty()) {
                         if (std::string d = email_domain(email); !d.empty()) ++contacts_at_domain[d][c.account_id];
                       }
                       auto [it, fresh] = contact_by_email.emplace(email, c);
                       if (fresh) return;
                       const ContactRec& o = it->second;
                       auto key = [](const ContactRec& r) {
                         return std::make_tuple(r.account_id.empty() ? 1 : 0, -r.modified, std::cref(r.id));
                       };
                       if (key(c) < key(o)) it->second = std::move(c);
                     }));

    CRMSYNC_TRY(scan(store, "Lead", {"Id", "Email", "IsDeleted", "LastModifiedDate", "IsConverted"}, {"Id", "Email"},
                     [&](const auto& v) {
                       if (truthy(*v[2]) || truthy(*v[4])) return;
                       std::string email = lower(trim(text_or_empty(*v[1])));
                       if (email.empty()) return;
                       ++leads;
                       LeadRec l{text_or_empty(*v[0]), time_of(*v[3])};
                       auto [it, fresh] = lead_by_email.emplace(email, l);
                       if (!fresh && std::make_tuple(-l.modified, std::cref(l.id)) <
                                         std::make_tuple(-it->second.modified, std::cref(it->second.id))) {
                         it->second = std::move(l);
                       }
                     }));

    std::unordered_map<std::string, std::vector<std::string>> accounts_by_website;
    std::unordered_set<std::string> live_accounts;
    CRMSYNC_TRY(scan(store, "Account", {"Id", "Website", "IsDeleted"}, {"Id"}, [&](const auto& v) {
      if (truthy(*v[2])) return;
      ++accounts;
      std::string id = text_or_empty(*v[0]);
      live_accounts.insert(id);
      if (std::string d = website_domain(text_or_empty(*v[1])); !d.empty() && !is_public_email_domain(d)) {
        accounts_by_website[d].push_back(std::move(id));
      }
    }));
    if (auto cols = store.columns("Account"); cols && !cols->empty() &&
        std::none_of(cols->begin(), cols->end(), [](const std::string& c) { return iequals(c, "Website"); })) {
      warnings.push_back("The store's Account table has no Website column, so email domains match Accounts through "
                         "their contacts' emails only; remove Website from [objects.Account] exclude and sync again.");
    }
    resolve_domains(accounts_by_website, contacts_at_domain, live_accounts);
    // A live Contact can still name a deleted Account in the store (Salesforce refuses a WhatId to
    // it with ENTITY_IS_DELETED): such a Contact matches as Who, without an Account.
    if (auto cols = store.columns("Account"); cols && !cols->empty()) {
      for (auto& [email, c] : contact_by_email) {
        if (!c.account_id.empty() && !live_accounts.contains(c.account_id)) c.account_id.clear();
      }
    }

    std::unordered_map<std::string, std::uint32_t> opp_index;
    CRMSYNC_TRY(scan(store, "Opportunity", {"Id", "AccountId", "OwnerId", "CreatedDate", "CloseDate", "IsClosed", "IsDeleted"},
                     {"Id", "AccountId"}, [&](const auto& v) {
                       if (truthy(*v[6])) return;
                       std::string account = text_or_empty(*v[1]);
                       if (account.empty()) return;
                       OppRec o{text_or_empty(*v[0]), text_or_empty(*v[2]), time_of(*v[3]), kNoDay, truthy(*v[5]), {}};
                       if (const std::string* d = text(*v[4])) o.close_day = parse_date(*d).value_or(kNoDay);
                       auto index = static_cast<std::uint32_t>(opps.size());
                       opp_index.emplace(o.id, index);
                       opps.push_back(std::move(o));
                       opps_by_account[account].push_back(index);
                     }));
    CRMSYNC_TRY(scan(store, "OpportunityContactRole", {"OpportunityId", "ContactId", "IsDeleted"},
                     {"OpportunityId", "ContactId"}, [&](const auto& v) {
                       if (truthy(*v[2])) return;
                       auto it = opp_index.find(text_or_empty(*v[0]));
                       if (it == opp_index.end()) return;
                       ++roles;
                       opps[it->second].role_contacts.push_back(text_or_empty(*v[1]));
                     }));
    for (OppRec& o : opps) std::sort(o.role_contacts.begin(), o.role_contacts.end());
    return ok_status();
  }

  void resolve_domains(const std::unordered_map<std::string, std::vector<std::string>>& by_website,
                       const std::unordered_map<std::string, std::unordered_map<std::string, std::int64_t>>& at_domain,
                       const std::unordered_set<std::string>& live_accounts) {
    auto count_at = [&](const std::string& domain, const std::string& account) -> std::int64_t {
      auto d = at_domain.find(domain);
      if (d == at_domain.end()) return 0;
      auto a = d->second.find(account);
      return a == d->second.end() ? 0 : a->second;
    };
    for (const auto& [domain, accounts_here] : by_website) {
      const std::string* best = nullptr;
      for (const std::string& a : accounts_here) {
        if (!best || std::make_pair(-count_at(domain, a), std::cref(a)) < std::make_pair(-count_at(domain, *best), std::cref(*best))) {
          best = &a;
        }
      }
      std::string reason = "its Website is at " + domain;
      if (accounts_here.size() > 1) {
        reason += " (" + std::to_string(accounts_here.size()) + " Accounts share it; chosen: most Contacts at the domain, then smallest Id)";
      }
      account_by_domain.emplace(domain, DomainAccount{*best, reason});
    }
    for (const auto& [domain, counts] : at_domain) {
      if (account_by_domain.contains(domain) || is_public_email_domain(domain)) continue;
      const std::string* best = nullptr;
      std::int64_t best_count = 0;
      for (const auto& [account, n] : counts) {
        if (!live_accounts.contains(account)) continue;
        if (!best || n > best_count || (n == best_count && account < *best)) best = &account, best_count = n;
      }
      if (!best) continue;
      account_by_domain.emplace(domain, DomainAccount{*best, std::to_string(best_count) + " of its Contacts have emails at " +
                                                                 domain + " (" + std::to_string(counts.size()) +
                                                                 " Accounts have some; chosen: most, then smallest Id)"});
    }
  }

  const DomainAccount* resolve_domain(std::string domain, std::string& matched) const {
    while (std::count(domain.begin(), domain.end(), '.') >= 1) {
      if (is_public_email_domain(domain)) return nullptr;
      if (auto it = account_by_domain.find(domain); it != account_by_domain.end()) {
        matched = domain;
        return &it->second;
      }
      auto dot = domain.find('.');
      if (std::count(domain.begin(), domain.end(), '.') < 2) break;
      domain = domain.substr(dot + 1);
    }
    return nullptr;
  }
};

Matcher::Matcher(std::unique_ptr<Index> index) : index_(std::move(index)) {}
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

Result<Matcher> Matcher::build(store::Store& store, const MatchOptions& options) {
  auto index = std::make_unique<Index>();
  index->options = options;
  CRMSYNC_TRY(index->build(store));
  return Matcher(std::move(index));
}

const std::vector<std::string>& Matcher::warnings() const { return index_->warnings; }

MatchIndexStats Matcher::stats() const {
  return {static_cast<std::int64_t>(index_->user_by_email.size()), index_->contacts, index_->leads, index_->accounts,
          static_cast<std::int64_t>(index_->account_by_domain.size()), static_cast<std::int64_t>(index_->opps.size()),
          index_->roles};
}

Match Matcher::match(const Activity& a, bool explain) const {
  const Index& ix = *index_;
  Match m;
  // Reasons are words for --explain; building them costs more than the lookups, so only then.
  auto because = [explain](auto&& make) -> std::string { return explain ? std::string(make()) : std::string(); };

  // Owner and the internal side.
  std::vector<const std::string*> internal_users;
  std::string host = lower(trim(a.host_email));
  if (!host.empty()) {
    if (auto it = ix.user_by_email.find(host); it != ix.user_by_email.end()) {
      m.owner = {it->second, "User", because([&] { return "the host " + a.host_email + " is this User"; })};
      internal_users.push_back(&it->second);
    } else {
      m.owner.reason = because([&] { return "the host " + a.host_email + " is no User; the record is owned by the integration user"; });
    }
  } else {
    m.owner.reason = because([] { return "no host_email; the record is owned by the integration user"; });
  }
  std::vector<std::string> external;  // lower-case emails of external participants, input order
  for (const Participant& p : a.participants) {
    std::string email = lower(trim(p.email));
    if (email.empty()) continue;
    auto user = ix.user_by_email.find(email);
    if (user != ix.user_by_email.end()) internal_users.push_back(&user->second);
    if (p.internal || user != ix.user_by_email.end()) continue;
    external.push_back(std::move(email));
  }

  // Who: Contacts before Leads, in participant order.
  std::vector<const std::string*> matched_contacts;
  for (const std::string& email : external) {
    auto it = ix.contact_by_email.find(email);
    if (it == ix.contact_by_email.end()) continue;
    matched_contacts.push_back(&it->second.id);
    if (explain) m.candidates.push_back("who: Contact " + it->second.id + " (" + email + ")");
    if (m.who.id.empty()) {
      m.who = {it->second.id, "Contact",
               because([&] { return "participant " + email + " is this Contact (the first external participant who is one)"; })};
      if (!it->second.account_id.empty()) {
        m.account = {it->second.account_id, "Account", because([&] { return "the Account of Contact " + it->second.id; })};
      }
    }
  }
  if (m.who.id.empty()) {
    for (const std::string& email : external) {
      auto it = ix.lead_by_email.find(email);
      if (it == ix.lead_by_email.end()) continue;
      if (explain) m.candidates.push_back("who: Lead " + it->second.id + " (" + email + ")");
      if (m.who.id.empty()) {
        m.who = {it->second.id, "Lead", because([&] { return "participant " + email + " is this Lead (no participant is a Contact)"; })};
      }
    }
  }
  if (m.who.id.empty()) {
    m.who.reason = because([&] {
      return external.empty() ? "no external participant with an email"
                              : "no external participant's email is a Contact's or a Lead's";
    });
    for (const std::string& email : external) {
      std::string matched;
      const DomainAccount* d = ix.resolve_domain(email_domain(email), matched);
      if (explain) {
        m.candidates.push_back("account by domain of " + email + ": " + (d ? d->account_id + " (" + d->reason + ")" : "none"));
      }
      if (d && m.account.id.empty()) {
        m.account = {d->account_id, "Account",
                     because([&] { return "participant " + email + "'s domain " + matched + ": " + d->reason; })};
      }
    }
  }
  if (m.who.object == "Lead") {
    m.what.reason = because([] { return "a Lead cannot have a What (Salesforce refuses WhatId with a Lead WhoId)"; });
    return m;
  }
  if (m.account.id.empty()) {
    m.what.reason = because([] { return "no Account matched"; });
    return m;
  }

  // What: the Account's Opportunity around the activity's time.
  const EpochDays day = days_of(a.start);
  const std::int64_t window = ix.options.window_days;
  struct Cand {
    const OppRec* opp;
    bool open_at_time;
    std::int64_t close_distance;
    bool role = false, owner = false;
  };
  std::vector<Cand> cands;
  if (auto it = ix.opps_by_account.find(m.account.id); it != ix.opps_by_account.end()) {
    for (std::uint32_t index : it->second) {
      const OppRec& o = ix.opps[index];
      bool has_close = o.close_day != kNoDay;
      bool open_at_time = o.created <= a.start && (!o.closed || (has_close && o.close_day >= day));
      bool created_near = std::abs(static_cast<std::int64_t>(days_of(o.created)) - day) <= window;
      bool closed_near = o.closed && has_close && std::abs(static_cast<std::int64_t>(o.close_day) - day) <= window;
      if (!open_at_time && !created_near && !closed_near) continue;
      Cand c{&o, open_at_time, has_close ? std::abs(static_cast<std::int64_t>(o.close_day) - day) : INT64_MAX};
      for (const std::string* contact : matched_contacts) {
        c.role = c.role || std::binary_search(o.role_contacts.begin(), o.role_contacts.end(), *contact);
      }
      for (const std::string* user : internal_users) c.owner = c.owner || *user == o.owner_id;
      cands.push_back(c);
    }
  }
  std::string narrowing;
  auto narrow = [&](bool on, bool Cand::*flag, const char* what) {
    if (!on || cands.size() < 2) return;
    std::size_t with = std::count_if(cands.begin(), cands.end(), [&](const Cand& c) { return c.*flag; });
    if (with == 0 || with == cands.size()) return;
    if (explain) narrowing += std::string("; narrowed by ") + what + " from " + std::to_string(cands.size()) + " to " + std::to_string(with);
    std::erase_if(cands, [&](const Cand& c) { return !(c.*flag); });
  };
  if (explain) {
    for (const Cand& c : cands) {
      m.candidates.push_back("what: Opportunity " + c.opp->id + (c.open_at_time ? " open at the time" : " within the window") +
                             ", CloseDate " + (c.opp->close_day != kNoDay ? format_date(c.opp->close_day) : "none") +
                             (c.role ? ", contact role of a participant" : "") +
                             (c.owner ? ", owned by a participant" : ""));
    }
  }
  std::size_t before = cands.size();
  narrow(ix.options.by_contact_role, &Cand::role, "contact role");
  narrow(ix.options.by_owner_participation, &Cand::owner, "owner taking part");
  if (cands.empty()) {
    m.what = {m.account.id, "Account", because([&] {
                return "the Account: no Opportunity of it was open at the activity's time or created or closed within " +
                       std::to_string(window) + " days of it";
              })};
    return m;
  }
  auto best = std::min_element(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) {
    return std::make_tuple(!x.open_at_time, x.close_distance, -x.opp->created, std::cref(x.opp->id)) <
           std::make_tuple(!y.open_at_time, y.close_distance, -y.opp->created, std::cref(y.opp->id));
  });
  m.what = {best->opp->id, "Opportunity", because([&] {
              std::string reason =
                  std::string(best->open_at_time ? "open at the activity's time" : "created or closed within the window") +
                  " (" + std::to_string(before) + " candidate" + (before == 1 ? "" : "s") + narrowing + ")";
              if (cands.size() > 1) {
                reason += "; first of " + std::to_string(cands.size()) +
                          " by open at the time, nearest CloseDate, latest CreatedDate, smallest Id";
              }
              return reason;
            })};
  return m;
}

}  // namespace crmsync::exports
