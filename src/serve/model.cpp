// load_model: one pass over each table the boards read, in one snapshot.
#include "serve/model.h"

#include <algorithm>
#include <set>

#include "common/text.h"

namespace crmsync::serve {

using store::Value;

const Person* Model::person(const std::string& id) const {
  auto it = person_by_id.find(id);
  return it == person_by_id.end() ? nullptr : &people[it->second];
}

std::optional<std::size_t> Model::person_index(const std::string& id, std::optional<std::size_t> linked) const {
  if (linked) return linked;
  auto it = person_by_id.find(id);
  if (it == person_by_id.end()) return std::nullopt;
  return it->second;
}

std::string Model::person_name(const std::string& id) const {
  const Person* p = person(id);
  return p ? p->name : id;
}

std::span<const Deal> Model::deals_closing(EpochDays from, EpochDays to) const {
  auto first = std::lower_bound(deals.begin(), deals.end(), from, [](const Deal& d, EpochDays day) {
    return !d.close_date || *d.close_date < day;
  });
  auto last = std::upper_bound(first, deals.end(), to, [](EpochDays day, const Deal& d) {
    return d.close_date && day < *d.close_date;
  });
  return {first, last};
}

bool Model::has_opportunity_column(std::string_view name) const {
  return std::any_of(opportunity_columns.begin(), opportunity_columns.end(),
                     [&](const std::string& c) { return iequals(c, name); });
}

nlohmann::json value_json(const Value& v) {
  switch (v.index()) {
    case 1: return std::get<bool>(v);
    case 2: return std::get<std::int64_t>(v);
    case 3: return std::get<double>(v);
    case 4: return std::get<std::string>(v);
    default: return nullptr;
  }
}

namespace {

const std::string& text(const Value& v) {
  static const std::string kNone;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return kNone;
}

std::optional<double> number(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::nullopt;
}

bool flag(const Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i != 0;
  return false;
}

// Scans the columns of `table` the store has among `wanted`; row.get("X") is NULL for the others.
// A missing table reads as empty (the boards do without it). Names are looked up among the few
// wanted ones (a linear search beats a map here: this runs for every cell of millions of rows).
class Rows {
 public:
  Rows(store::ReadSnapshot& snap, std::string table) : snap_(snap), table_(std::move(table)) {}

  template <typename Fn>
  Status each(const std::vector<std::string>& wanted, Fn fn) {
    auto cols = snap_.columns(table_);
    if (!cols) return cols.error();
    std::vector<std::string> present;
    slots_.clear();
    for (const auto& w : wanted) {
      auto it = std::find_if(cols->begin(), cols->end(), [&](const store::ColumnInfo& c) { return iequals(c.name, w); });
      if (it == cols->end()) continue;
      slots_.push_back({w, present.size()});
      present.push_back(it->name);
    }
    if (cols->empty()) return ok_status();
    return snap_.scan(table_, present, [&](std::span<const Value> values) -> Status {
      values_ = values;
      fn(*this);
      return ok_status();
    });
  }

  const Value& get(std::string_view name) const {
    for (const auto& [wanted, k] : slots_) {
      if (wanted == name) return values_[k];
    }
    return null_;
  }
  const std::string& text_of(std::string_view name) const { return text(get(name)); }
  bool deleted() const { return flag(get("IsDeleted")); }

 private:
  store::ReadSnapshot& snap_;
  std::string table_;
  std::vector<std::pair<std::string, std::size_t>> slots_;  // wanted name -> position in the scan
  std::span<const Value> values_;
  Value null_;
};

// Units of each currency per corporate unit (CurrencyType.ConversionRate); empty in a single-currency org.
struct Rates {
  std::map<std::string, double> per_corporate;
  std::string corporate;
  double to_corporate(double amount, const std::string& currency) const {
    if (currency.empty() || currency == corporate) return amount;
    auto it = per_corporate.find(currency);
    return it == per_corporate.end() || it->second <= 0 ? amount : amount / it->second;
  }
};

Status load_people(store::ReadSnapshot& snap, Model& m) {
  CRMSYNC_TRY(Rows(snap, "UserRole").each({"Id", "Name", "ParentRoleId"}, [&](const Rows& r) {
    m.roles[r.text_of("Id")] = Role{r.text_of("Id"), r.text_of("Name"), r.text_of("ParentRoleId")};
  }));
  CRMSYNC_TRY(Rows(snap, "User").each({"Id", "FirstName", "LastName", "UserRoleId", "IsActive"}, [&](const Rows& r) {
    Person p;
    p.id = r.text_of("Id");
    const std::string &first = r.text_of("FirstName"), &last = r.text_of("LastName");
    p.name = first.empty() ? last : last.empty() ? first : first + " " + last;
    p.role_id = r.text_of("UserRoleId");
    p.active = std::holds_alternative<std::monostate>(r.get("IsActive")) || flag(r.get("IsActive"));
    m.person_by_id[p.id] = m.people.size();
    m.people.push_back(std::move(p));
  }));
  link_people(m);
  return ok_status();
}

Status load_lookups(store::ReadSnapshot& snap, Model& m, Rates& rates, std::set<std::string>& amount_split_types) {
  CRMSYNC_TRY(Rows(snap, "CurrencyType").each({"IsoCode", "ConversionRate", "IsCorporate"}, [&](const Rows& r) {
    rates.per_corporate[r.text_of("IsoCode")] = number(r.get("ConversionRate")).value_or(1.0);
    if (flag(r.get("IsCorporate"))) rates.corporate = r.text_of("IsoCode");
  }));
  m.corporate_currency = rates.corporate;
  CRMSYNC_TRY(Rows(snap, "OpportunitySplitType").each({"Id", "IsActive", "SplitField", "IsDeleted"}, [&](const Rows& r) {
    if (!r.deleted() && flag(r.get("IsActive")) && r.text_of("SplitField") == "Amount") {
      amount_split_types.insert(r.text_of("Id"));
    }
  }));
  CRMSYNC_TRY(Rows(snap, "OpportunityStage").each({"MasterLabel", "SortOrder"}, [&](const Rows& r) {
    m.stage_order[r.text_of("MasterLabel")] = static_cast<int>(number(r.get("SortOrder")).value_or(0));
  }));
  return Rows(snap, "RecordType").each({"Id", "Name"}, [&](const Rows& r) { m.record_types[r.text_of("Id")] = r.text_of("Name"); });
}

Status load_deals(store::ReadSnapshot& snap, Model& m, const Rates& rates, const std::vector<std::string>& extra) {
  std::unordered_map<std::string, std::string> account_names;
  CRMSYNC_TRY(Rows(snap, "Account").each({"Id", "Name"}, [&](const Rows& r) { account_names[r.text_of("Id")] = r.text_of("Name"); }));
  std::vector<std::string> wanted = {"Id", "Name", "AccountId", "OwnerId", "Amount", "StageName", "CloseDate",
                                     "Probability", "ForecastCategoryName", "Type", "RecordTypeId", "CurrencyIsoCode",
                                     "CreatedDate", "LastModifiedDate", "IsClosed", "IsWon", "IsDeleted"};
  for (const auto& e : extra) wanted.push_back(e);
  return Rows(snap, "Opportunity").each(wanted, [&](const Rows& r) {
    if (r.deleted()) return;
    Deal d;
    d.id = r.text_of("Id");
    d.name = r.text_of("Name");
    d.account_id = r.text_of("AccountId");
    if (auto it = account_names.find(d.account_id); it != account_names.end()) d.account_name = it->second;
    d.owner_id = r.text_of("OwnerId");
    d.currency = r.text_of("CurrencyIsoCode");
    if (auto a = number(r.get("Amount"))) d.amount = rates.to_corporate(*a, d.currency);
    d.probability = number(r.get("Probability"));
    d.stage = r.text_of("StageName");
    d.close_date = parse_date(r.text_of("CloseDate"));
    d.forecast_category = r.text_of("ForecastCategoryName");
    d.type = r.text_of("Type");
    d.record_type_id = r.text_of("RecordTypeId");
    d.created = parse_datetime(r.text_of("CreatedDate")).value_or(0);
    d.last_modified = parse_datetime(r.text_of("LastModifiedDate"));
    d.closed = flag(r.get("IsClosed"));
    d.won = flag(r.get("IsWon"));
    for (const auto& e : extra) d.extra[e] = value_json(r.get(e));
    m.deal_by_id[d.id] = m.deals.size();
    m.deals.push_back(std::move(d));
  });
}

Deal* deal_of(Model& m, const std::string& id) {
  auto it = m.deal_by_id.find(id);
  return it == m.deal_by_id.end() ? nullptr : &m.deals[it->second];
}

Status load_children(store::ReadSnapshot& snap, Model& m, const Rates& rates, const std::set<std::string>& split_types) {
  CRMSYNC_TRY(Rows(snap, "OpportunitySplit").each(
      {"OpportunityId", "SplitOwnerId", "SplitPercentage", "SplitTypeId", "IsDeleted"}, [&](const Rows& r) {
        Deal* d = deal_of(m, r.text_of("OpportunityId"));
        if (d == nullptr || r.deleted() || !split_types.contains(r.text_of("SplitTypeId"))) return;
        d->splits.push_back({r.text_of("SplitOwnerId"), number(r.get("SplitPercentage")).value_or(0)});
      }));
  CRMSYNC_TRY(Rows(snap, "OpportunityTeamMember").each({"OpportunityId", "UserId", "IsDeleted"}, [&](const Rows& r) {
    Deal* d = deal_of(m, r.text_of("OpportunityId"));
    const std::string& user = r.text_of("UserId");
    if (d == nullptr || r.deleted() || user.empty()) return;
    if (std::find(d->team.begin(), d->team.end(), user) == d->team.end()) d->team.push_back(user);
  }));
  CRMSYNC_TRY(Rows(snap, "OpportunityHistory").each(
      {"OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate", "IsDeleted"}, [&](const Rows& r) {
        Deal* d = deal_of(m, r.text_of("OpportunityId"));
        if (d == nullptr || r.deleted()) return;
        StageChange c;
        c.at = parse_datetime(r.text_of("CreatedDate")).value_or(0);
        c.stage = r.text_of("StageName");
        if (auto a = number(r.get("Amount"))) c.amount = rates.to_corporate(*a, d->currency);
        c.close_date = parse_date(r.text_of("CloseDate"));
        d->history.push_back(std::move(c));
      }));
  for (auto& d : m.deals) {
    std::stable_sort(d.history.begin(), d.history.end(), [](const StageChange& a, const StageChange& b) { return a.at < b.at; });
  }
  auto activity = [&](Deal& d, std::optional<EpochDays> day) {
    if (day && *day <= m.today && (!d.last_activity || *day > *d.last_activity)) d.last_activity = day;
  };
  CRMSYNC_TRY(Rows(snap, "Task").each({"WhatId", "ActivityDate", "CreatedDate", "TaskSubtype", "Type", "IsDeleted"},
                                      [&](const Rows& r) {
                                        Deal* d = deal_of(m, r.text_of("WhatId"));
                                        if (d == nullptr || r.deleted()) return;
                                        const std::string& subtype = r.text_of("TaskSubtype");
                                        if (subtype == "Call" || (subtype.empty() && r.text_of("Type") == "Call")) ++d->calls;
                                        auto day = parse_date(r.text_of("ActivityDate"));
                                        if (!day) {
                                          auto created = parse_datetime(r.text_of("CreatedDate"));
                                          if (created) day = days_of(*created);
                                        }
                                        activity(*d, day);
                                      }));
  return Rows(snap, "Event").each({"WhatId", "ActivityDate", "StartDateTime", "IsDeleted"}, [&](const Rows& r) {
    Deal* d = deal_of(m, r.text_of("WhatId"));
    if (d == nullptr || r.deleted()) return;
    ++d->meetings;
    auto day = parse_date(r.text_of("ActivityDate"));
    if (!day) {
      auto start = parse_datetime(r.text_of("StartDateTime"));
      if (start) day = days_of(*start);
    }
    activity(*d, day);
  });
}

}  // namespace

void index_deals(Model& m) {
  std::stable_sort(m.deals.begin(), m.deals.end(), [](const Deal& a, const Deal& b) { return a.close_date < b.close_date; });
  m.deal_by_id.clear();
  for (std::size_t i = 0; i < m.deals.size(); ++i) m.deal_by_id[m.deals[i].id] = i;
  link_deals(m);
}

EpochMs entered_stage(const Deal& deal) {
  std::optional<EpochMs> since;
  for (auto it = deal.history.rbegin(); it != deal.history.rend() && it->stage == deal.stage; ++it) since = it->at;
  return since.value_or(deal.created);
}

void link_deals(Model& m) {
  auto index = [&](const std::string& id) -> std::optional<std::size_t> {
    auto it = m.person_by_id.find(id);
    return it == m.person_by_id.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  };
  std::unordered_map<std::string, std::size_t> stages;
  m.stage_names.clear();
  for (auto& d : m.deals) {
    d.owner = index(d.owner_id);
    d.stage_entered = entered_stage(d);
    auto [it, added] = stages.try_emplace(d.stage, m.stage_names.size());
    if (added) m.stage_names.push_back(d.stage);
    d.stage_key = it->second;
    for (auto& s : d.splits) s.owner = index(s.owner_id);
  }
}

void link_people(Model& m) {
  // A role's holder: its first active person by name, then Id (inactive ones when none is active).
  std::map<std::string, std::size_t> holder;
  for (std::size_t i = 0; i < m.people.size(); ++i) {
    const Person& p = m.people[i];
    if (p.role_id.empty()) continue;
    auto it = holder.find(p.role_id);
    if (it == holder.end()) {
      holder[p.role_id] = i;
      continue;
    }
    const Person& h = m.people[it->second];
    if (std::make_tuple(!p.active, p.name, p.id) < std::make_tuple(!h.active, h.name, h.id)) it->second = i;
  }
  for (auto& p : m.people) {
    p.manager_id.clear();
    p.reports.clear();
  }
  for (std::size_t i = 0; i < m.people.size(); ++i) {
    Person& p = m.people[i];
    if (p.role_id.empty()) continue;
    // Up the role chain to the first role someone holds (a guard against cycles in bad data).
    std::string role = p.role_id;
    auto r = m.roles.find(role);
    std::string parent = r == m.roles.end() ? std::string() : r->second.parent_id;
    for (int hops = 0; !parent.empty() && hops < 64; ++hops) {
      if (auto h = holder.find(parent); h != holder.end() && h->second != i) {
        p.manager_id = m.people[h->second].id;
        m.people[h->second].reports.push_back(i);
        break;
      }
      auto up = m.roles.find(parent);
      parent = up == m.roles.end() ? std::string() : up->second.parent_id;
    }
  }
  for (auto& p : m.people) {
    std::sort(p.reports.begin(), p.reports.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(m.people[a].name, m.people[a].id) < std::tie(m.people[b].name, m.people[b].id);
    });
  }
}

Result<std::shared_ptr<const Model>> load_model(store::ReadSnapshot& snapshot, const std::vector<std::string>& extra_columns,
                                                EpochDays today) {
  auto columns = snapshot.columns("Opportunity");
  if (!columns) return columns.error();
  if (columns->empty()) {
    return Error(ErrorKind::kNotFound, "NO_SYNC",
                 "The store holds no opportunities yet: run `crmsync sync --config crmsync.toml`, then reload.");
  }
  auto m = std::make_shared<Model>();
  m->today = today;
  for (const auto& c : *columns) m->opportunity_columns.push_back(c.name);
  auto instance = snapshot.meta(store::kInstanceUrlKey);
  if (!instance) return instance.error();
  m->instance_url = instance->value_or("");
  Rates rates;
  std::set<std::string> split_types;
  CRMSYNC_TRY(load_people(snapshot, *m));
  CRMSYNC_TRY(load_lookups(snapshot, *m, rates, split_types));
  CRMSYNC_TRY(load_deals(snapshot, *m, rates, extra_columns));
  index_deals(*m);
  CRMSYNC_TRY(load_children(snapshot, *m, rates, split_types));
  link_deals(*m);
  return std::shared_ptr<const Model>(std::move(m));
}

}  // namespace crmsync::serve
