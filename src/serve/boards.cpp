// The boards' rules (see boards.h).
#include "serve/boards.h"

#include <algorithm>
#include <charconv>

namespace crmsync::serve {

namespace {

struct Ymd {
  int y, m, d;
};

Ymd ymd_of(EpochDays day) {
  std::string s = format_date(day);  // YYYY-MM-DD
  return {std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2))};
}

EpochDays first_of(int year, int month) {  // month may run past 12
  year += (month - 1) / 12;
  month = (month - 1) % 12 + 1;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-01", year, month);
  return *parse_date(buf);
}

std::optional<int> digits(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

Period quarter(int fiscal_year, int q, int start_month) {
  EpochDays from = first_of(fiscal_year, start_month + 3 * (q - 1));
  EpochDays to = first_of(fiscal_year, start_month + 3 * q) - 1;
  return {from, to, std::to_string(fiscal_year) + "-Q" + std::to_string(q)};
}

}  // namespace

Period fiscal_quarter_of(EpochDays day, int start_month) {
  Ymd t = ymd_of(day);
  int fiscal_year = t.m >= start_month ? t.y : t.y - 1;
  int months_in = (t.m - start_month + 12) % 12;
  return quarter(fiscal_year, months_in / 3 + 1, start_month);
}

Result<Period> parse_period(std::string_view text, int start_month) {
  auto bad = [&]() -> Error {
    return Error(ErrorKind::kConfig, "INVALID_PERIOD",
                 "period: '" + std::string(text.substr(0, 40)) +
                     "' is not a period; use YYYY-Qn for a fiscal quarter (n = 1..4) or YYYY-MM for a month, e.g. 2025-Q3 or 2025-07.");
  };
  if (text.size() < 7 || text[4] != '-') return bad();
  auto year = digits(text.substr(0, 4));
  if (!year || *year < 1900 || *year > 2999) return bad();
  if (text.size() == 7 && (text[5] == 'Q' || text[5] == 'q')) {
    auto q = digits(text.substr(6, 1));
    if (!q || *q < 1 || *q > 4) return bad();
    return quarter(*year, *q, start_month);
  }
  if (text.size() == 7) {
    auto month = digits(text.substr(5, 2));
    if (!month || *month < 1 || *month > 12) return bad();
    return Period{first_of(*year, *month), first_of(*year, *month + 1) - 1, std::string(text)};
  }
  return bad();
}

std::set<std::string> people_below(const Model& model, const std::string& person_id) {
  std::set<std::string> out = {person_id};
  const Person* p = model.person(person_id);
  if (p == nullptr || p->role_id.empty()) return out;
  for (const auto& other : model.people) {
    std::string role = other.role_id;
    for (int hops = 0; !role.empty() && hops < 64; ++hops) {
      auto r = model.roles.find(role);
      if (r == model.roles.end()) break;
      role = r->second.parent_id;
      if (role == p->role_id) {
        out.insert(other.id);
        break;
      }
    }
  }
  return out;
}

double attributed_amount(const Deal& deal, const std::set<std::string>& people) {
  double amount = deal.amount.value_or(0);
  if (deal.splits.empty()) return people.contains(deal.owner_id) ? amount : 0;
  double percent = 0;
  for (const auto& s : deal.splits) {
    if (people.contains(s.owner_id)) percent += s.percent;
  }
  return amount * percent / 100.0;
}

bool in_scope(const Deal& deal, const std::set<std::string>& people) {
  if (people.contains(deal.owner_id)) return true;
  for (const auto& u : deal.team) {
    if (people.contains(u)) return true;
  }
  for (const auto& s : deal.splits) {
    if (people.contains(s.owner_id)) return true;
  }
  return false;
}

int days_in_stage(const Deal& deal, EpochDays today) {
  std::optional<EpochMs> since;
  for (auto it = deal.history.rbegin(); it != deal.history.rend() && it->stage == deal.stage; ++it) since = it->at;
  EpochMs entered = since.value_or(deal.created);
  return std::max(0, today - days_of(entered));
}

namespace {

bool matches(const std::set<std::string>& wanted, const std::string& value) {
  return wanted.empty() || wanted.contains(value);
}

bool owned_or_on_team(const Deal& d, const std::set<std::string>& owners) {
  if (owners.empty() || owners.contains(d.owner_id)) return true;
  return std::any_of(d.team.begin(), d.team.end(), [&](const std::string& u) { return owners.contains(u); });
}

}  // namespace

DealBoard deal_board(const Model& model, const DealFilter& f) {
  DealBoard board;
  std::optional<std::set<std::string>> people;
  if (f.person) people = people_below(model, *f.person);
  for (const auto& d : model.deals_closing(f.period.from, f.period.to)) {
    if (people && !in_scope(d, *people)) continue;
    if (!owned_or_on_team(d, f.owners) || !matches(f.stages, d.stage) || !matches(f.types, d.type) ||
        !matches(f.forecast_categories, forecast_category(d))) {
      continue;
    }
    if (!f.record_types.empty() && !f.record_types.contains(d.record_type_id)) {
      auto name = model.record_types.find(d.record_type_id);
      if (name == model.record_types.end() || !f.record_types.contains(name->second)) continue;
    }
    double amount = d.amount.value_or(0);
    if ((f.min_amount && amount < *f.min_amount) || (f.max_amount && amount > *f.max_amount)) continue;
    DealRow row{&d, people ? attributed_amount(d, *people) : amount, std::nullopt, days_in_stage(d, model.today)};
    if (d.last_activity) row.days_since_activity = model.today - *d.last_activity;
    for (StageTotal* t : {&board.total, &board.by_stage[d.stage]}) {
      ++t->count;
      t->amount += amount;
      t->attributed += row.attributed;
    }
    board.rows.push_back(row);
  }
  return board;
}

Figures& Figures::operator+=(const Figures& o) {
  closed_won += o.closed_won;
  commit += o.commit;
  best_case += o.best_case;
  pipeline += o.pipeline;
  return *this;
}

std::string forecast_category(const Deal& d) {
  const std::string& c = d.forecast_category;
  if (c == "BestCase") return "Best Case";
  if (c == "Forecast") return "Commit";  // ForecastCategory's API value for Commit
  if (!c.empty()) return c;
  if (d.won) return "Closed";
  return d.closed ? "Omitted" : "Pipeline";
}

Figures figures_of(const Deal& deal, double amount) {
  const std::string c = forecast_category(deal);
  Figures f;
  int level = c == "Closed" ? 0 : c == "Commit" ? 1 : c == "Best Case" ? 2 : c == "Pipeline" ? 3 : 4;
  if (level <= 0) f.closed_won = amount;
  if (level <= 1) f.commit = amount;
  if (level <= 2) f.best_case = amount;
  if (level <= 3) f.pipeline = amount;
  return f;
}

namespace {

ForecastRow forecast_row(const Model& model, std::size_t person, const std::vector<std::vector<const Deal*>>& credited,
                         int depth) {
  const Person& p = model.people[person];
  ForecastRow row{p.id, p.name, {}, {}, {}};
  for (const Deal* d : credited[person]) row.own += figures_of(*d, attributed_amount(*d, {p.id}));
  row.total = row.own;
  if (depth < 64) {
    for (std::size_t r : p.reports) {
      ForecastRow child = forecast_row(model, r, credited, depth + 1);
      row.total += child.total;
      row.children.push_back(std::move(child));
    }
  }
  return row;
}

bool worth_showing(const ForecastRow& row, const Person& p) {
  return !row.children.empty() || row.total.pipeline != 0 || row.total.closed_won != 0 || (p.active && !p.role_id.empty());
}

}  // namespace

Forecast forecast(const Model& model, const ForecastFilter& f) {
  Forecast out;
  std::optional<std::set<std::string>> people;
  if (f.person) people = people_below(model, *f.person);
  // Which people each deal credits (owner, or split owners), so every row adds only its own.
  std::vector<std::vector<const Deal*>> credited(model.people.size());
  for (const auto& d : model.deals_closing(f.period.from, f.period.to)) {
    if (!matches(f.types, d.type)) continue;
    if (!f.record_types.empty() && !f.record_types.contains(d.record_type_id)) {
      auto name = model.record_types.find(d.record_type_id);
      if (name == model.record_types.end() || !f.record_types.contains(name->second)) continue;
    }
    if (people && !in_scope(d, *people)) continue;
    out.total += figures_of(d, d.amount.value_or(0));
    std::set<std::string> credit;
    if (d.splits.empty()) credit.insert(d.owner_id);
    for (const auto& s : d.splits) credit.insert(s.owner_id);
    for (const auto& id : credit) {
      auto it = model.person_by_id.find(id);
      if (it != model.person_by_id.end()) credited[it->second].push_back(&d);
    }
  }
  if (f.person) {
    auto it = model.person_by_id.find(*f.person);
    if (it != model.person_by_id.end()) out.rows.push_back(forecast_row(model, it->second, credited, 0));
    return out;
  }
  for (std::size_t i = 0; i < model.people.size(); ++i) {
    if (!model.people[i].manager_id.empty()) continue;
    ForecastRow row = forecast_row(model, i, credited, 0);
    if (worth_showing(row, model.people[i])) out.rows.push_back(std::move(row));
  }
  std::sort(out.rows.begin(), out.rows.end(), [](const ForecastRow& a, const ForecastRow& b) {
    return std::tie(b.total.pipeline, a.name) < std::tie(a.total.pipeline, b.name);
  });
  return out;
}

std::vector<Change> changes_since(const Model& model, EpochDays since, const std::optional<std::string>& person) {
  std::vector<Change> out;
  std::optional<std::set<std::string>> people;
  if (person) people = people_below(model, *person);
  const EpochMs cut = static_cast<EpochMs>(since) * 86400000;
  for (const auto& d : model.deals) {
    if (people && !in_scope(d, *people)) continue;
    Change c{&d, {}, {}, {}, {}};
    if (d.created >= cut) {
      c.kinds.push_back("new");
      out.push_back(std::move(c));
      continue;
    }
    const StageChange* before = nullptr;
    for (const auto& h : d.history) {
      if (h.at < cut) before = &h;
    }
    if (before == nullptr) continue;
    c.stage_from = before->stage;
    c.amount_from = before->amount;
    c.close_from = before->close_date;
    if (before->stage != d.stage) {
      auto from = model.stage_order.find(before->stage), to = model.stage_order.find(d.stage);
      bool back = from != model.stage_order.end() && to != model.stage_order.end() && to->second < from->second;
      c.kinds.push_back(back ? "stage_back" : "stage_forward");
    }
    double now = d.amount.value_or(0), then = before->amount.value_or(0);
    if (now > then + 0.005) c.kinds.push_back("amount_up");
    if (now < then - 0.005) c.kinds.push_back("amount_down");
    if (d.close_date && before->close_date && *d.close_date > *before->close_date) c.kinds.push_back("close_pushed");
    if (d.close_date && before->close_date && *d.close_date < *before->close_date) c.kinds.push_back("close_pulled_in");
    if (!c.kinds.empty()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace crmsync::serve
