// Api: parameters in, JSON out, over the boards' rules (boards.h) and the store's search.
// Each request reads one snapshot; the Model is reused while the store's version stays the same.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>

#include "catalog/catalog.h"
#include "common/sfid.h"
#include "common/text.h"
#include "serve/boards.h"
#include "serve/model.h"
#include "serve/records.h"
#include "serve/serve.h"
#include "store/identifier.h"

namespace crmsync::serve {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxValueBytes = 2000;   // any one parameter value
constexpr std::size_t kMaxSearchChars = 200;   // a search box's text
constexpr std::size_t kMaxSearchWords = 12;

Answer error_answer(int status, const std::string& code, const std::string& message) {
  return {status, {{"error", {{"code", code}, {"message", message}}}}};
}
Answer bad(const std::string& code, const std::string& message) { return error_answer(400, code, message); }

// The request's parameters, checked one by one; the first problem becomes the answer.
class Query {
 public:
  explicit Query(const Params& params) : params_(params) {}
  std::optional<Answer> problem;

  void allow(std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : params_) {
      if (problem) return;
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        fail("UNKNOWN_PARAMETER", name.substr(0, 60) + ": not a parameter of this endpoint; known: " +
                                      (list.empty() ? std::string("none") : list) + ".");
      } else if (value.size() > kMaxValueBytes) {
        fail("INVALID_PARAMETER", name + ": the value is " + std::to_string(value.size()) + " bytes long; at most " +
                                      std::to_string(kMaxValueBytes) + ".");
      }
    }
  }

  std::optional<std::string> one(const std::string& name) {
    auto it = params_.find(name);
    if (it == params_.end()) return std::nullopt;
    return it->second;
  }

  // Every value of a repeatable parameter, commas separating values too; empty items dropped.
  std::set<std::string> list(const std::string& name) {
    std::set<std::string> out;
    auto [b, e] = params_.equal_range(name);
    for (auto it = b; it != e; ++it) {
      std::size_t start = 0;
      const std::string& v = it->second;
      while (start <= v.size()) {
        std::size_t comma = std::min(v.find(',', start), v.size());
        if (comma > start) out.insert(v.substr(start, comma - start));
        start = comma + 1;
      }
    }
    return out;
  }

  std::optional<EpochDays> date(const std::string& name) {
    auto v = one(name);
    if (!v) return std::nullopt;
    auto d = parse_date(*v);
    if (!d) fail("INVALID_PARAMETER", name + ": '" + v->substr(0, 40) + "' is not a date; use YYYY-MM-DD.");
    return d;
  }

  std::optional<double> number(const std::string& name) {
    auto v = one(name);
    if (!v) return std::nullopt;
    double x = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (ec != std::errc() || end != v->data() + v->size() || !std::isfinite(x)) {
      fail("INVALID_PARAMETER", name + ": '" + v->substr(0, 40) + "' is not a number.");
      return std::nullopt;
    }
    return x;
  }

  int integer(const std::string& name, int fallback, int lo, int hi) {
    auto v = one(name);
    if (!v) return fallback;
    int x = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (ec != std::errc() || end != v->data() + v->size() || x < lo || x > hi) {
      fail("INVALID_PARAMETER", name + ": '" + v->substr(0, 40) + "' is not a whole number from " + std::to_string(lo) +
                                    " to " + std::to_string(hi) + ".");
      return fallback;
    }
    return x;
  }

  void fail(const std::string& code, const std::string& message) {
    if (!problem) problem = bad(code, message);
  }

 private:
  const Params& params_;
};

json day_json(std::optional<EpochDays> d) { return d ? json(format_date(*d)) : json(nullptr); }
json number_json(std::optional<double> v) { return v ? json(std::round(*v * 100) / 100) : json(nullptr); }
json money(double v) { return std::round(v * 100) / 100; }

json figures_json(const Figures& f) {
  return {{"closed_won", money(f.closed_won)}, {"commit", money(f.commit)}, {"best_case", money(f.best_case)},
          {"pipeline", money(f.pipeline)}};
}

// Rows below `depth` levels are left out (the page expands a row by asking for person=its user);
// `has_children` says whether there is more below.
json forecast_row_json(const ForecastRow& r, int depth) {
  json j = figures_json(r.total);
  j["user_id"] = r.user_id;
  j["name"] = r.name;
  j["own"] = figures_json(r.own);
  j["has_children"] = !r.children.empty();
  j["children"] = json::array();
  if (depth > 1) {
    for (const auto& c : r.children) j["children"].push_back(forecast_row_json(c, depth - 1));
  }
  return j;
}

const std::vector<std::string> kSortable = {"Name", "AccountName", "OwnerName", "Amount", "attributed_amount",
                                            "StageName", "CloseDate", "Probability", "ForecastCategoryName", "Type",
                                            "RecordTypeName", "last_activity", "days_since_activity", "days_in_stage",
                                            "calls", "meetings", "team"};

}  // namespace

struct Api::Impl {
  std::unique_ptr<store::StoreReader> reader;
  ApiOptions options;
  std::mutex mu;
  std::string version;
  EpochDays model_day = 0;
  std::shared_ptr<const Model> model;

  EpochDays today() const { return days_of(options.clock ? options.clock() : now_ms()); }
  int fiscal_start() const { return static_cast<int>(options.serve.fiscal_year_start_month); }

  // The record in Salesforce: on the org's instance the sync recorded, else through the login URL.
  std::string url_of(const std::string& instance, const std::string& id) const {
    const std::string& base = instance.empty() ? options.salesforce_url : instance;
    return base.empty() ? std::string() : base + "/" + id;
  }
  static Result<std::string> instance_url(store::ReadSnapshot& snap) {
    auto url = snap.meta(store::kInstanceUrlKey);
    if (!url) return url.error();
    return url->value_or("");
  }

  // The answer for a store error: STORE_NOT_FOUND / NO_SYNC say what to run (503), anything else is a 500.
  static Answer store_problem(const Error& e) {
    if (e.code == "STORE_NOT_FOUND" || e.code == "NO_SYNC") return error_answer(503, "NO_SYNC", e.message);
    return error_answer(500, "STORE_ERROR", e.message);
  }

  Result<std::shared_ptr<const Model>> model_for(store::ReadSnapshot& snap) {
    auto v = snap.version();
    if (!v) return v.error();
    EpochDays day = today();
    std::lock_guard lock(mu);
    if (model && *v == version && day == model_day) return model;
    auto loaded = load_model(snap, options.serve.deal_columns, day);
    if (!loaded) return loaded.error();
    model = *loaded;
    version = *v;
    model_day = day;
    return model;
  }

  // The people a viewer's answers are limited to (none: everything). Sign-in fills it (issue #16).
  std::optional<std::set<std::string>> scope(const Model& m, const Viewer& viewer) const {
    if (viewer.sees_everything()) return std::nullopt;
    return people_below(m, viewer.user_id);
  }

  json deal_json(const Model& m, const DealRow& row) const {
    const Deal& d = *row.deal;
    json team = json::array();
    for (const auto& u : d.team) team.push_back(u);
    auto rt = m.record_types.find(d.record_type_id);
    json j = {{"Id", d.id},
              {"Name", d.name},
              {"url", url_of(m.instance_url, d.id)},
              {"AccountId", d.account_id},
              {"AccountName", d.account_name},
              {"OwnerId", d.owner_id},
              {"OwnerName", m.person_name(d.owner_id)},
              {"Amount", number_json(d.amount)},
              {"attributed_amount", money(row.attributed)},
              {"StageName", d.stage},
              {"CloseDate", day_json(d.close_date)},
              {"Probability", d.probability ? json(*d.probability) : json(nullptr)},
              {"ForecastCategoryName", forecast_category(d)},
              {"Type", d.type.empty() ? json(nullptr) : json(d.type)},
              {"RecordTypeId", d.record_type_id.empty() ? json(nullptr) : json(d.record_type_id)},
              {"RecordTypeName", rt == m.record_types.end() ? json(nullptr) : json(rt->second)},
              {"team", team},
              {"last_activity", day_json(d.last_activity)},
              {"days_since_activity", row.days_since_activity ? json(*row.days_since_activity) : json(nullptr)},
              {"days_in_stage", row.days_in_stage},
              {"calls", d.calls},
              {"meetings", d.meetings}};
    for (const auto& [k, v] : d.extra.items()) j[k] = v;
    return j;
  }

  // ---- routes -------------------------------------------------------------------------------------

  Answer status(store::ReadSnapshot& snap, Query& q) {
    q.allow({});
    if (q.problem) return *q.problem;
    auto states = snap.sync_states();
    if (!states) return store_problem(states.error());
    json body = status_json(*states);
    body["synced"] = !states->empty();
    auto instance = instance_url(snap);
    if (!instance) return store_problem(instance.error());
    body["instance_url"] = instance->empty() ? json(nullptr) : json(*instance);
    if (states->empty()) body["message"] = "Nothing is synced yet: run `crmsync sync --config crmsync.toml`.";
    return {200, body};
  }

  Answer people(const Model& m, Query& q) {
    q.allow({});
    if (q.problem) return *q.problem;
    json list = json::array();
    for (const auto& p : m.people) {
      auto role = m.roles.find(p.role_id);
      json reports = json::array();
      for (std::size_t r : p.reports) reports.push_back(m.people[r].id);
      list.push_back({{"user_id", p.id},
                      {"name", p.name},
                      {"active", p.active},
                      {"role", role == m.roles.end() ? json(nullptr) : json(role->second.name)},
                      {"manager_id", p.manager_id.empty() ? json(nullptr) : json(p.manager_id)},
                      {"reports", reports}});
    }
    return {200, {{"people", list}}};
  }

  // What the page's pickers offer: stages in their SortOrder, the deals' types and record types
  // (null where the store lacks the field, so the page leaves that filter out), the close dates'
  // range, this fiscal quarter, the admin's extra columns.
  Answer filters(const Model& m, Query& q) {
    q.allow({});
    if (q.problem) return *q.problem;
    std::vector<std::pair<int, std::string>> ordered;
    for (const auto& [stage, order] : m.stage_order) ordered.emplace_back(order, stage);
    std::sort(ordered.begin(), ordered.end());
    json stages = json::array();
    for (const auto& [order, stage] : ordered) stages.push_back(stage);
    std::set<std::string> deal_stages, types, deal_record_types;
    for (const auto& d : m.deals) {
      if (!m.stage_order.contains(d.stage)) deal_stages.insert(d.stage);
      if (!d.type.empty()) types.insert(d.type);
      if (!d.record_type_id.empty()) deal_record_types.insert(d.record_type_id);
    }
    for (const auto& st : deal_stages) stages.push_back(st);
    json record_types = json::array();
    for (const auto& id : deal_record_types) {
      auto rt = m.record_types.find(id);
      record_types.push_back({{"Id", id}, {"Name", rt == m.record_types.end() ? id : rt->second}});
    }
    std::optional<EpochDays> first, last;
    for (const auto& d : m.deals) {  // sorted by CloseDate, none first
      if (!d.close_date) continue;
      if (!first) first = d.close_date;
      last = d.close_date;
    }
    Period quarter = fiscal_quarter_of(today(), fiscal_start());
    auto unless_missing = [&](const char* field, json value) { return m.has_opportunity_column(field) ? value : json(nullptr); };
    return {200,
            {{"currency", m.corporate_currency.empty() ? json(nullptr) : json(m.corporate_currency)},
             {"fiscal_year_start_month", fiscal_start()},
             {"this_quarter", {{"from", format_date(quarter.from)}, {"to", format_date(quarter.to)}, {"label", quarter.label}}},
             {"close_dates", {{"first", day_json(first)}, {"last", day_json(last)}}},
             {"stages", stages},
             {"types", unless_missing("Type", types)},
             {"record_types", unless_missing("RecordTypeId", record_types)},
             {"forecast_categories",
              unless_missing("ForecastCategoryName", json::array({"Closed", "Commit", "Best Case", "Pipeline", "Omitted"}))},
             {"deal_columns", options.serve.deal_columns}}};
  }

  // A searchable record, as the page shows an opened search result.
  Answer record(store::ReadSnapshot& snap, Query& q, std::string_view rest, const Viewer& viewer) {
    q.allow({});
    if (q.problem) return *q.problem;
    auto slash = rest.find('/');
    std::string object(rest.substr(0, slash));
    std::string id(slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1));
    if (!catalog::is_search_object(object) || id.empty() || !is_sf_id(id)) {
      return error_answer(404, "NOT_FOUND", "No such record: " + std::string(rest.substr(0, 80)) +
                                                "; ask /api/records/{Account|Contact|Lead|Opportunity|User}/{Id}.");
    }
    auto not_found = [&] {
      return error_answer(404, "NOT_FOUND", "No " + object + " " + id + " in the store (deleted records are not shown).");
    };
    if (object == "Opportunity" && !viewer.sees_everything()) {
      auto m = model_for(snap);
      if (!m) return store_problem(m.error());
      auto it = (*m)->deal_by_id.find(id);
      if (it == (*m)->deal_by_id.end() || !in_scope((*m)->deals[it->second], *scope(**m, viewer))) return not_found();
    }
    auto found = read_record(snap, object, id);
    if (!found) return store_problem(found.error());
    if (!*found) return not_found();
    auto instance = instance_url(snap);
    if (!instance) return store_problem(instance.error());
    json body = std::move(**found);
    body["url"] = url_of(*instance, id);
    for (auto& f : body["fields"]) {
      if (f.contains("ref")) f["ref"]["url"] = url_of(*instance, f["ref"]["Id"].get<std::string>());
    }
    return {200, body};
  }

  std::optional<std::string> person_param(const Model& m, Query& q) {
    auto p = q.one("person");
    if (p && m.person(*p) == nullptr) {
      q.fail("UNKNOWN_PERSON", "person: no user " + p->substr(0, 40) + " in the store; /api/people lists them.");
    }
    return p;
  }

  // A filter on a field the store lacks is refused rather than matching nothing.
  void need_column(const Model& m, Query& q, const std::string& param, const std::string& field) {
    if (q.one(param) && !m.has_opportunity_column(field)) {
      q.fail("FIELD_NOT_IMPORTED", param + ": Opportunity." + field +
                                       " is not in the store; add it to the sync ([objects.Opportunity] include = [\"" +
                                       field + "\"]), run crmsync sync, then filter on it.");
    }
  }

  Period default_period(Query& q) {
    auto from = q.date("from"), to = q.date("to");
    Period p = fiscal_quarter_of(today(), fiscal_start());
    if (from) p.from = *from;
    if (to) p.to = *to;
    if (from || to) p.label.clear();
    if (!q.problem && p.from > p.to) q.fail("INVALID_PARAMETER", "from: " + format_date(p.from) + " is after to: " + format_date(p.to) + ".");
    return p;
  }

  Answer deals(const Model& m, Query& q, const Viewer& viewer) {
    q.allow({"from", "to", "person", "owner", "stage", "type", "record_type", "forecast_category", "min_amount",
             "max_amount", "sort", "limit", "offset"});
    DealFilter f;
    f.period = default_period(q);
    f.person = person_param(m, q);
    f.owners = q.list("owner");
    f.stages = q.list("stage");
    f.types = q.list("type");
    f.record_types = q.list("record_type");
    f.forecast_categories = q.list("forecast_category");
    f.min_amount = q.number("min_amount");
    f.max_amount = q.number("max_amount");
    need_column(m, q, "type", "Type");
    need_column(m, q, "record_type", "RecordTypeId");
    need_column(m, q, "forecast_category", "ForecastCategoryName");
    std::string sort = q.one("sort").value_or("CloseDate");
    bool desc = sort.starts_with('-');
    if (desc) sort.erase(0, 1);
    bool extra = std::find(options.serve.deal_columns.begin(), options.serve.deal_columns.end(), sort) !=
                 options.serve.deal_columns.end();
    if (std::find(kSortable.begin(), kSortable.end(), sort) == kSortable.end() && !extra) {
      q.fail("INVALID_PARAMETER", "sort: '" + sort.substr(0, 40) + "' is not a column of the deal board; one of Name, "
                                  "Amount, attributed_amount, StageName, CloseDate, days_in_stage, ... (docs/api.md), "
                                  "'-' first for descending.");
    }
    int limit = q.integer("limit", 500, 0, 10000);
    int offset = q.integer("offset", 0, 0, 100000000);
    if (q.problem) return *q.problem;

    DealBoard board = deal_board(m, f);
    if (auto s = scope(m, viewer)) {
      std::erase_if(board.rows, [&](const DealRow& r) { return !in_scope(*r.deal, *s); });
    }
    std::vector<std::pair<json, std::size_t>> keys;
    keys.reserve(board.rows.size());
    for (std::size_t i = 0; i < board.rows.size(); ++i) {
      const DealRow& r = board.rows[i];
      json k = deal_sort_key(m, r, sort);
      keys.emplace_back(std::move(k), i);
    }
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
      if (a.first.is_null() != b.first.is_null()) return b.first.is_null();  // empty last either way
      if (a.first == b.first) return board.rows[a.second].deal->id < board.rows[b.second].deal->id;
      return desc ? b.first < a.first : a.first < b.first;
    });
    json list = json::array();
    for (std::size_t i = static_cast<std::size_t>(offset); i < keys.size() && list.size() < static_cast<std::size_t>(limit); ++i) {
      list.push_back(deal_json(m, board.rows[keys[i].second]));
    }
    json by_stage = json::object();
    for (const auto& [stage, t] : board.by_stage) {
      by_stage[stage] = {{"count", t.count}, {"amount", money(t.amount)}, {"attributed_amount", money(t.attributed)}};
    }
    json period = {{"from", format_date(f.period.from)}, {"to", format_date(f.period.to)}};
    if (!f.period.label.empty()) period["label"] = f.period.label;
    return {200,
            {{"period", period},
             {"currency", m.corporate_currency.empty() ? json(nullptr) : json(m.corporate_currency)},
             {"deals", list},
             {"totals",
              {{"count", board.total.count},
               {"amount", money(board.total.amount)},
               {"attributed_amount", money(board.total.attributed)},
               {"by_stage", by_stage}}}}};
  }

  // The value a deal sorts by: what deal_json shows in that column, without building the rest.
  json deal_sort_key(const Model& m, const DealRow& r, const std::string& column) const {
    const Deal& d = *r.deal;
    auto text = [](const std::string& t) { return t.empty() ? json(nullptr) : json(t); };
    if (column == "Name") return d.name;
    if (column == "AccountName") return text(d.account_name);
    if (column == "OwnerName") return m.person_name(d.owner_id);
    if (column == "Amount") return number_json(d.amount);
    if (column == "attributed_amount") return r.attributed;
    if (column == "StageName") return d.stage;
    if (column == "CloseDate") return day_json(d.close_date);
    if (column == "Probability") return d.probability ? json(*d.probability) : json(nullptr);
    if (column == "ForecastCategoryName") return forecast_category(d);
    if (column == "Type") return text(d.type);
    if (column == "RecordTypeName") {
      auto rt = m.record_types.find(d.record_type_id);
      return rt == m.record_types.end() ? json(nullptr) : json(rt->second);
    }
    if (column == "last_activity") return day_json(d.last_activity);
    if (column == "days_since_activity") return r.days_since_activity ? json(*r.days_since_activity) : json(nullptr);
    if (column == "days_in_stage") return r.days_in_stage;
    if (column == "calls") return d.calls;
    if (column == "meetings") return d.meetings;
    if (column == "team") return d.team.size();
    return d.extra.contains(column) ? d.extra[column] : json(nullptr);
  }

  Answer deal(const Model& m, Query& q, const std::string& id, const Viewer& viewer) {
    q.allow({});
    if (q.problem) return *q.problem;
    auto it = m.deal_by_id.find(id);
    auto s = scope(m, viewer);
    if (it == m.deal_by_id.end() || (s && !in_scope(m.deals[it->second], *s))) {
      return error_answer(404, "NOT_FOUND", "No deal " + id.substr(0, 40) + " in the store (deleted deals are not shown).");
    }
    const Deal& d = m.deals[it->second];
    DealRow row{&d, d.amount.value_or(0), std::nullopt, days_in_stage(d, m.today)};
    if (d.last_activity) row.days_since_activity = m.today - *d.last_activity;
    json j = deal_json(m, row);
    json team = json::array(), splits = json::array(), history = json::array();
    for (const auto& u : d.team) team.push_back({{"user_id", u}, {"name", m.person_name(u)}});
    for (const auto& sp : d.splits) {
      splits.push_back({{"user_id", sp.owner_id}, {"name", m.person_name(sp.owner_id)}, {"percent", sp.percent},
                        {"amount", money(d.amount.value_or(0) * sp.percent / 100)}});
    }
    for (const auto& h : d.history) {
      history.push_back({{"at", format_datetime_iso(h.at)}, {"StageName", h.stage}, {"Amount", number_json(h.amount)},
                         {"CloseDate", day_json(h.close_date)}});
    }
    j["team_members"] = team;
    j["splits"] = splits;
    j["history"] = history;
    return {200, j};
  }

  Answer forecast_route(const Model& m, Query& q, const Viewer& viewer) {
    q.allow({"period", "person", "type", "record_type", "depth"});
    const int depth = q.integer("depth", 3, 1, 64);
    ForecastFilter f;
    auto text = q.one("period");
    if (text) {
      auto p = parse_period(*text, fiscal_start());
      if (!p) q.fail(p.error().code, p.error().message);
      else f.period = *p;
    } else {
      f.period = fiscal_quarter_of(today(), fiscal_start());
    }
    f.person = person_param(m, q);
    if (!f.person && !viewer.sees_everything()) f.person = viewer.user_id;
    f.types = q.list("type");
    f.record_types = q.list("record_type");
    need_column(m, q, "type", "Type");
    need_column(m, q, "record_type", "RecordTypeId");
    if (q.problem) return *q.problem;
    Forecast fc = forecast(m, f);
    json rows = json::array();
    for (const auto& r : fc.rows) rows.push_back(forecast_row_json(r, depth));
    return {200,
            {{"period", f.period.label},
             {"from", format_date(f.period.from)},
             {"to", format_date(f.period.to)},
             {"currency", m.corporate_currency.empty() ? json(nullptr) : json(m.corporate_currency)},
             {"total", figures_json(fc.total)},
             {"rows", rows}}};
  }

  Answer changes(const Model& m, Query& q, const Viewer& viewer) {
    q.allow({"since", "person"});
    auto since = q.date("since");
    if (!q.problem && !since) q.fail("INVALID_PARAMETER", "since: missing; give the first day to compare with, YYYY-MM-DD.");
    auto person = person_param(m, q);
    if (!person && !viewer.sees_everything()) person = viewer.user_id;
    if (q.problem) return *q.problem;
    json list = json::array();
    json counts = json::object();
    for (const auto& c : changes_since(m, *since, person)) {
      const Deal& d = *c.deal;
      for (const auto& k : c.kinds) counts[k] = counts.value(k, 0) + 1;
      list.push_back({{"Id", d.id},
                      {"Name", d.name},
                      {"url", url_of(m.instance_url, d.id)},
                      {"OwnerId", d.owner_id},
                      {"OwnerName", m.person_name(d.owner_id)},
                      {"changes", c.kinds},
                      {"StageName", {{"from", c.stage_from.empty() ? json(nullptr) : json(c.stage_from)}, {"to", d.stage}}},
                      {"Amount", {{"from", number_json(c.amount_from)}, {"to", number_json(d.amount)}}},
                      {"CloseDate", {{"from", day_json(c.close_from)}, {"to", day_json(d.close_date)}}}});
    }
    return {200, {{"since", format_date(*since)}, {"counts", counts}, {"deals", list}}};
  }

  Answer search(store::ReadSnapshot& snap, Query& q, const Viewer& viewer) {
    q.allow({"q", "limit"});
    std::string text = q.one("q").value_or("");
    int limit = q.integer("limit", 5, 1, 50);
    if (q.problem) return *q.problem;
    if (utf8_length(text) > kMaxSearchChars) {
      return bad("INVALID_PARAMETER", "q: the text is " + std::to_string(utf8_length(text)) + " characters long; at most " +
                                          std::to_string(kMaxSearchChars) + ".");
    }
    std::vector<std::string> words;
    std::string word;
    for (unsigned char c : text + " ") {
      if (std::isalnum(c) || c >= 0x80) {
        word += static_cast<char>(c);
      } else if (!word.empty()) {
        words.push_back(std::move(word));
        word.clear();
      }
    }
    if (words.empty()) return bad("INVALID_PARAMETER", "q: give at least one letter or digit to search for.");
    if (words.size() > kMaxSearchWords) {
      return bad("INVALID_PARAMETER", "q: " + std::to_string(words.size()) + " words; at most " + std::to_string(kMaxSearchWords) + ".");
    }
    std::optional<std::set<std::string>> visible;
    std::shared_ptr<const Model> m;
    if (!viewer.sees_everything()) {
      auto loaded = model_for(snap);
      if (!loaded) return store_problem(loaded.error());
      m = *loaded;
      visible = scope(*m, viewer);
    }
    auto instance = instance_url(snap);
    if (!instance) return store_problem(instance.error());
    json results = json::array();
    for (auto object : catalog::kSearchObjects) {
      auto hits = snap.search({std::string(object), words, title_columns(object), limit});
      if (!hits) {
        if (hits.error().kind == ErrorKind::kUnsupported) return error_answer(501, "SEARCH_UNSUPPORTED", hits.error().message);
        return store_problem(hits.error());
      }
      for (const auto& h : *hits) {
        if (visible && object == "Opportunity") {
          auto it = m->deal_by_id.find(h.id);
          if (it == m->deal_by_id.end() || !in_scope(m->deals[it->second], *visible)) continue;
        }
        results.push_back({{"object", h.object}, {"Id", h.id}, {"title", h.title}, {"snippet", h.snippet}, {"url", url_of(*instance, h.id)}});
      }
    }
    return {200, {{"q", text}, {"results", results}}};
  }

  Answer route(std::string_view path, const Params& params, const Viewer& viewer) {
    auto snap = reader->snapshot();
    if (!snap) return store_problem(snap.error());
    Query q(params);
    if (path == "/api/status") return status(**snap, q);
    if (path == "/api/search") return search(**snap, q, viewer);
    if (path.starts_with("/api/records/")) return record(**snap, q, path.substr(std::string_view("/api/records/").size()), viewer);
    const bool known = path == "/api/deals" || path == "/api/forecast" || path == "/api/changes" ||
                       path == "/api/people" || path == "/api/filters" || path.starts_with("/api/deals/");
    if (!known) return error_answer(404, "NOT_FOUND", "No such endpoint: " + std::string(path.substr(0, 80)) + " (docs/api.md lists them).");
    auto m = model_for(**snap);
    if (!m) return store_problem(m.error());
    if (path == "/api/deals") return deals(**m, q, viewer);
    if (path == "/api/forecast") return forecast_route(**m, q, viewer);
    if (path == "/api/changes") return changes(**m, q, viewer);
    if (path == "/api/people") return people(**m, q);
    if (path == "/api/filters") return filters(**m, q);
    return deal(**m, q, std::string(path.substr(std::string_view("/api/deals/").size())), viewer);
  }
};

Api::Api(std::unique_ptr<store::StoreReader> reader, ApiOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->reader = std::move(reader);
  impl_->options = std::move(options);
}

Api::~Api() = default;

Answer Api::get(std::string_view path, const Params& params, const Viewer& viewer) {
  try {
    return impl_->route(path, params, viewer);
  } catch (const std::exception& e) {  // a bug: say so rather than drop the connection
    return error_answer(500, "INTERNAL", std::string("crmsync serve failed on this request: ") + e.what());
  }
}

Status Api::check_columns() {
  const auto& columns = impl_->options.serve.deal_columns;
  auto reference_refused = [](const std::string& c, const std::string& why) {
    return Error(ErrorKind::kConfig, "REFERENCE_NOT_ALLOWED",
                 "[serve] deal_columns names Opportunity." + c + ", " + why +
                     "; deal boards show only the Owner and Record Type references (the admin guide). Remove it, or "
                     "show the linked record's name through a formula text field.");
  };
  const catalog::CatalogObject* opp = catalog::find_object("Opportunity");
  for (const auto& c : columns) {
    if (!store::is_identifier(c)) {
      return Error(ErrorKind::kConfig, "INVALID_VALUE", "[serve] deal_columns: '" + c + "' is not a field API name.");
    }
    const catalog::CatalogField* f = opp->find(c);
    if (f && (f->type == catalog::FieldType::kReference || f->type == catalog::FieldType::kLookup) &&
        !iequals(c, "OwnerId") && !iequals(c, "RecordTypeId")) {
      return reference_refused(c, "a reference");
    }
  }
  auto snap = impl_->reader->snapshot();
  if (!snap) return snap.error().code == "STORE_NOT_FOUND" ? ok_status() : Status(snap.error());
  auto stored = (*snap)->columns("Opportunity");
  if (!stored) return stored.error();
  if (stored->empty()) return ok_status();  // nothing synced yet: checked again on the next start
  for (const auto& c : columns) {
    auto it = std::find_if(stored->begin(), stored->end(), [&](const store::ColumnInfo& s) { return iequals(s.name, c); });
    if (it == stored->end()) {
      return Error(ErrorKind::kConfig, "FIELD_NOT_IMPORTED",
                   "[serve] deal_columns names Opportunity." + c +
                       ", which the store does not have: add it to [objects.Opportunity] include, run crmsync sync, "
                       "then start crmsync serve again.");
    }
    bool reference = it->field_type == catalog::FieldType::kReference || it->field_type == catalog::FieldType::kLookup;
    if (reference && !iequals(c, "OwnerId") && !iequals(c, "RecordTypeId")) {
      return reference_refused(c, "a reference field");
    }
  }
  return ok_status();
}

nlohmann::json status_json(const std::vector<store::SyncState>& states) {
  auto time = [](EpochMs ms) { return ms ? json(format_datetime_iso(ms)) : json(); };
  json objects = json::array();
  for (const auto& s : states) {
    objects.push_back({{"object", s.object},
                       {"watermark", s.watermark ? json(format_datetime_iso(*s.watermark)) : json()},
                       {"full_sync_done", s.full_sync_done},
                       {"last_run_started", time(s.last_run_started)},
                       {"last_run_finished", time(s.last_run_finished)},
                       {"last_success", time(s.last_success)},
                       {"rows", s.rows},
                       {"deleted", s.deleted},
                       {"api_calls", s.api_calls},
                       {"last_error", s.last_error.empty() ? json() : json(s.last_error)}});
  }
  return {{"objects", objects}};
}

}  // namespace crmsync::serve
