// Api: parameters in, JSON out, over the boards' rules (boards.h) and the store's search.
// Each request reads one snapshot; the boards answer from the Model of the last sync commit read
// (model_cache.h), search from the snapshot itself.
#include <algorithm>
#include <chrono>
#include <charconv>
#include <cmath>
#include <functional>
#include <mutex>

#include "catalog/catalog.h"
#include "common/sfid.h"
#include "common/text.h"
#include "serve/boards.h"
#include "serve/edit.h"
#include "serve/model.h"
#include "serve/model_cache.h"
#include "serve/records.h"
#include "serve/serve.h"
#include "store/identifier.h"

namespace crmsync::serve {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxValueBytes = 2000;   // any one parameter value
constexpr std::size_t kMaxSearchChars = 200;   // a search box's text
constexpr std::chrono::milliseconds kEditReloadWait{3000};  // an edit's answer waits for the model this long at most
constexpr std::size_t kMaxSearchWords = 12;

Answer error_answer(int status, const std::string& code, const std::string& message) {
  return {status, {{"error", {{"code", code}, {"message", message}}}}};
}
Answer bad(const std::string& code, const std::string& message) { return error_answer(400, code, message); }
// A 15-character Id (from a Salesforce URL, a report) in the 18-character form the store and the
// boards key records by; anything else as it came.
std::string as_id18(std::string_view id) { return sf_id18(id).value_or(std::string(id)); }
Answer signin_required() {
  return error_answer(403, "SIGNIN_REQUIRED", "Edits are made as the signed-in person, with their own Salesforce "
                                              "permissions: configure sign-in ([serve] client_id, docs/api.md).");
}

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
json forecast_row_json(const ForecastRow& r) {
  json j = figures_json(r.total);
  j["user_id"] = r.user_id;
  j["name"] = r.name;
  j["own"] = figures_json(r.own);
  j["has_children"] = r.has_children;
  j["children"] = json::array();
  for (const auto& c : r.children) j["children"].push_back(forecast_row_json(c));
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
  std::unique_ptr<ModelCache> models;  // after `reader`, which it reads: destroyed first
  std::unique_ptr<DealEdits> edits;    // ApiOptions::edit_store set

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

  // The model of the last sync commit read (see model_cache.h: never waits for a refresh).
  Result<std::shared_ptr<const Model>> model_for(store::ReadSnapshot& snap) {
    auto v = snap.version();
    if (!v) return v.error();
    return models->get(*v);
  }

  // What the viewer may see, for every route of the request (boards.h Visibility). Sign-in
  // (issue #16) supplies the viewer; without it everyone sees everything.
  static Visibility visibility(const Model& m, const Viewer& viewer) {
    if (viewer.sees_everything()) return Visibility::everything();
    return Visibility::of_viewer(m, viewer.user_id);
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
              {"ForecastCategoryName", std::string(forecast_category(d))},
              {"Type", d.type.empty() ? json(nullptr) : json(d.type)},
              {"RecordTypeId", d.record_type_id.empty() ? json(nullptr) : json(d.record_type_id)},
              {"RecordTypeName", rt == m.record_types.end() ? json(nullptr) : json(rt->second)},
              {"team", team},
              {"last_activity", day_json(d.last_activity)},
              {"days_since_activity", row.days_since_activity ? json(*row.days_since_activity) : json(nullptr)},
              {"days_in_stage", row.days_in_stage},
              {"calls", d.calls},
              {"meetings", d.meetings},
              {"LastModifiedDate", d.last_modified ? json(format_datetime_iso(*d.last_modified)) : json(nullptr)}};
    for (const auto& [k, v] : d.extra.items()) j[k] = v;
    return j;
  }

  // ---- routes -------------------------------------------------------------------------------------

  // A viewer who does not see every deal gets no row counts: the org's number of opportunities
  // (and of their histories, splits, team members, activities) would count deals they may not see.
  Answer status(store::ReadSnapshot& snap, Query& q, const Viewer& viewer) {
    q.allow({});
    if (q.problem) return *q.problem;
    auto states = snap.sync_states();
    if (!states) return store_problem(states.error());
    json body = status_json(*states);
    if (!viewer.sees_everything()) {
      for (auto& o : body["objects"]) o["rows"] = o["deleted"] = nullptr;
    }
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

  // What the page's pickers offer: stages in their SortOrder, the types and record types of the
  // deals the viewer sees (null where the store lacks the field, so the page leaves that filter
  // out), their close dates' range, this fiscal quarter, the admin's extra columns. A deal the
  // viewer may not see adds nothing (its stage, type, close date would tell of it).
  Answer filters(const Model& m, Query& q, const Visibility& visible) {
    q.allow({});
    if (q.problem) return *q.problem;
    std::vector<std::pair<int, std::string>> ordered;
    for (const auto& [stage, order] : m.stage_order) ordered.emplace_back(order, stage);
    std::sort(ordered.begin(), ordered.end());
    json stages = json::array();
    for (const auto& [order, stage] : ordered) stages.push_back(stage);
    std::set<std::string> deal_stages, types, deal_record_types;
    for (const auto& d : m.deals) {
      if (!visible.sees(d)) continue;
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
      if (!d.close_date || !visible.sees(d)) continue;
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
    id = as_id18(id);
    auto not_found = [&] {
      return error_answer(404, "NOT_FOUND", "No " + object + " " + id + " in the store (deleted records are not shown).");
    };
    if (object == "Opportunity" && !viewer.sees_everything()) {
      auto m = model_for(snap);
      if (!m) return store_problem(m.error());
      auto it = (*m)->deal_by_id.find(id);
      if (it == (*m)->deal_by_id.end() || !visibility(**m, viewer).sees((*m)->deals[it->second])) return not_found();
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

  // A signed-in person may look at themselves and the people below them only.
  std::optional<std::string> person_param(const Model& m, Query& q, const Viewer& viewer) {
    auto p = q.one("person");
    if (p && m.person(*p) == nullptr) {
      q.fail("UNKNOWN_PERSON", "person: no user " + p->substr(0, 40) + " in the store; /api/people lists them.");
    } else if (p && !viewer.sees_everything() && !people_below(m, viewer.user_id).contains(*p) && !q.problem) {
      q.problem = error_answer(403, "PERSON_NOT_VISIBLE",
                               "person: " + p->substr(0, 40) + " is not you nor anyone below you in the role "
                               "hierarchy, so their deals are not yours to see.");
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

  Answer deals(const Model& m, Query& q, const Viewer& viewer, const Visibility& visible) {
    q.allow({"from", "to", "person", "owner", "stage", "type", "record_type", "forecast_category", "min_amount",
             "max_amount", "sort", "limit", "offset"});
    DealFilter f;
    f.period = default_period(q);
    f.person = person_param(m, q, viewer);
    f.owners = q.list("owner");
    f.stages = q.list("stage");
    f.types = q.list("type");
    f.record_types = q.list("record_type");
    f.forecast_categories = q.list("forecast_category");
    f.min_amount = q.number("min_amount");
    f.max_amount = q.number("max_amount");
    f.visible = visible;
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
    json list = json::array();
    for (std::size_t i : sorted_page(m, board.rows, sort, desc, static_cast<std::size_t>(offset), static_cast<std::size_t>(limit))) {
      list.push_back(deal_json(m, board.rows[i]));
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
  struct SortKey {
    enum Kind { kNull, kNumber, kText, kJson } kind = kNull;
    double number = 0;
    std::string_view text;
    const json* value = nullptr;  // a [serve] deal_columns value
  };
  // A column's sort key of a row, the column looked up once per request (not once per row).
  using KeyOf = std::function<SortKey(const DealRow&)>;
  static KeyOf sort_key(const Model& m, const std::string& column) {
    auto num = [](std::optional<double> v) { return v ? SortKey{SortKey::kNumber, *v, {}, nullptr} : SortKey{}; };
    auto text = [](std::string_view t) { return t.empty() ? SortKey{} : SortKey{SortKey::kText, 0, t, nullptr}; };
    auto day = [num](std::optional<EpochDays> v) { return num(v ? std::optional<double>(*v) : std::nullopt); };
    auto whole = [num](auto v) { return num(static_cast<double>(v)); };
    if (column == "Name") return [](const DealRow& r) { return SortKey{SortKey::kText, 0, r.deal->name, nullptr}; };
    if (column == "AccountName") return [text](const DealRow& r) { return text(r.deal->account_name); };
    if (column == "OwnerName") {
      return [&m](const DealRow& r) {
        auto p = m.person_index(r.deal->owner_id, r.deal->owner);
        return SortKey{SortKey::kText, 0, p ? std::string_view(m.people[*p].name) : std::string_view(r.deal->owner_id), nullptr};
      };
    }
    if (column == "Amount") {
      return [num](const DealRow& r) {
        const auto& a = r.deal->amount;
        return num(a ? std::optional<double>(std::round(*a * 100) / 100) : std::nullopt);  // as shown
      };
    }
    if (column == "attributed_amount") return [num](const DealRow& r) { return num(r.attributed); };
    if (column == "StageName") return [](const DealRow& r) { return SortKey{SortKey::kText, 0, r.deal->stage, nullptr}; };
    if (column == "CloseDate") return [day](const DealRow& r) { return day(r.deal->close_date); };
    if (column == "Probability") return [num](const DealRow& r) { return num(r.deal->probability); };
    if (column == "ForecastCategoryName") {
      return [](const DealRow& r) { return SortKey{SortKey::kText, 0, forecast_category(*r.deal), nullptr}; };
    }
    if (column == "Type") return [text](const DealRow& r) { return text(r.deal->type); };
    if (column == "RecordTypeName") {
      return [&m](const DealRow& r) {
        auto rt = m.record_types.find(r.deal->record_type_id);
        return rt == m.record_types.end() ? SortKey{} : SortKey{SortKey::kText, 0, rt->second, nullptr};
      };
    }
    if (column == "last_activity") return [day](const DealRow& r) { return day(r.deal->last_activity); };
    if (column == "days_since_activity") {
      return [num](const DealRow& r) {
        return num(r.days_since_activity ? std::optional<double>(*r.days_since_activity) : std::nullopt);
      };
    }
    if (column == "days_in_stage") return [whole](const DealRow& r) { return whole(r.days_in_stage); };
    if (column == "calls") return [whole](const DealRow& r) { return whole(r.deal->calls); };
    if (column == "meetings") return [whole](const DealRow& r) { return whole(r.deal->meetings); };
    if (column == "team") return [whole](const DealRow& r) { return whole(r.deal->team.size()); };
    return [column](const DealRow& r) {
      auto it = r.deal->extra.find(column);
      return it == r.deal->extra.end() || it->is_null() ? SortKey{} : SortKey{SortKey::kJson, 0, {}, &*it};
    };
  }

  // The rows of one page of the board, [offset, offset + limit) in the order asked for: empty
  // values last either way, ties by Id. Only the page is put in order (a partial sort).
  static std::vector<std::size_t> sorted_page(const Model& m, const std::vector<DealRow>& rows, const std::string& column,
                                              bool desc, std::size_t offset, std::size_t limit) {
    std::vector<std::pair<SortKey, std::size_t>> keys;
    keys.reserve(rows.size());
    const KeyOf key_of = sort_key(m, column);
    for (std::size_t i = 0; i < rows.size(); ++i) keys.emplace_back(key_of(rows[i]), i);
    auto before = [&](const std::pair<SortKey, std::size_t>& a, const std::pair<SortKey, std::size_t>& b) {
      const SortKey &x = a.first, &y = b.first;
      if ((x.kind == SortKey::kNull) != (y.kind == SortKey::kNull)) return y.kind == SortKey::kNull;
      int c = 0;
      if (x.kind == SortKey::kNumber) c = x.number < y.number ? -1 : y.number < x.number ? 1 : 0;
      else if (x.kind == SortKey::kText) c = x.text.compare(y.text);
      else if (x.kind == SortKey::kJson) c = *x.value < *y.value ? -1 : *y.value < *x.value ? 1 : 0;
      if (c == 0) return rows[a.second].deal->id < rows[b.second].deal->id;
      return desc ? c > 0 : c < 0;
    };
    const std::size_t end = std::min(keys.size(), offset + limit);
    std::vector<std::size_t> page;
    if (offset >= end) return page;
    std::partial_sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(end), keys.end(), before);
    for (std::size_t i = offset; i < end; ++i) page.push_back(keys[i].second);
    return page;
  }

  Answer deal(const Model& m, Query& q, const std::string& id, const Visibility& visible) {
    q.allow({});
    if (q.problem) return *q.problem;
    auto it = m.deal_by_id.find(id);
    if (it == m.deal_by_id.end() || !visible.sees(m.deals[it->second])) {
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

  Answer forecast_route(const Model& m, Query& q, const Viewer& viewer, const Visibility& visible) {
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
    f.person = person_param(m, q, viewer);
    if (!f.person && !viewer.sees_everything()) f.person = viewer.user_id;
    f.types = q.list("type");
    f.record_types = q.list("record_type");
    f.visible = visible;
    f.depth = depth;
    need_column(m, q, "type", "Type");
    need_column(m, q, "record_type", "RecordTypeId");
    if (q.problem) return *q.problem;
    Forecast fc = forecast(m, f);
    json rows = json::array();
    for (const auto& r : fc.rows) rows.push_back(forecast_row_json(r));
    return {200,
            {{"period", f.period.label},
             {"from", format_date(f.period.from)},
             {"to", format_date(f.period.to)},
             {"currency", m.corporate_currency.empty() ? json(nullptr) : json(m.corporate_currency)},
             {"total", figures_json(fc.total)},
             {"rows", rows}}};
  }

  Answer changes(const Model& m, Query& q, const Viewer& viewer, const Visibility& visible) {
    q.allow({"since", "person"});
    auto since = q.date("since");
    if (!q.problem && !since) q.fail("INVALID_PARAMETER", "since: missing; give the first day to compare with, YYYY-MM-DD.");
    auto person = person_param(m, q, viewer);
    if (!person && !viewer.sees_everything()) person = viewer.user_id;
    if (q.problem) return *q.problem;
    json list = json::array();
    json counts = json::object();
    for (const auto& c : changes_since(m, *since, person, visible)) {
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
    // Search reads the request's snapshot; only a viewer who may not see every deal needs the model.
    Visibility visible;
    std::shared_ptr<const Model> m;
    if (!viewer.sees_everything()) {
      auto loaded = model_for(snap);
      if (!loaded) return store_problem(loaded.error());
      m = *loaded;
      visible = visibility(*m, viewer);
    }
    auto instance = instance_url(snap);
    if (!instance) return store_problem(instance.error());
    std::vector<store::SearchRequest> requests;
    for (auto object : catalog::kSearchObjects) {
      requests.push_back({std::string(object), words, title_columns(object), limit});
    }
    auto hits = snap.search_all(requests);
    if (!hits) {
      if (hits.error().kind == ErrorKind::kUnsupported) return error_answer(501, "SEARCH_UNSUPPORTED", hits.error().message);
      return store_problem(hits.error());
    }
    json results = json::array();
    for (const auto& h : *hits) {
      if (m && h.object == "Opportunity") {
        auto it = m->deal_by_id.find(h.id);
        if (it == m->deal_by_id.end() || !visible.sees(m->deals[it->second])) continue;
      }
      results.push_back({{"object", h.object}, {"Id", h.id}, {"title", h.title}, {"snippet", h.snippet}, {"url", url_of(*instance, h.id)}});
    }
    return {200, {{"q", text}, {"results", results}}};
  }

  // PATCH /api/deals/{Id} (Api::edit): the deal must be one the viewer sees; then DealEdits asks
  // Salesforce as them, and the answer is the deal as the store (or Salesforce) now has it.
  Answer edit(std::string_view path, std::string_view body, const Viewer& viewer, SalesforceAsViewer& as,
             std::optional<std::string_view> if_unmodified_since) {
    const std::string_view prefix = "/api/deals/";
    if (!path.starts_with(prefix) || path.size() == prefix.size()) {
      return error_answer(405, "METHOD_NOT_ALLOWED", "Only deals are edited: PATCH /api/deals/{Id}.");
    }
    if (!edits) {
      return signin_required();
    }
    const std::string id = as_id18(path.substr(prefix.size()));
    std::optional<EpochMs> unmodified_since;
    if (if_unmodified_since) {
      unmodified_since = parse_http_date(*if_unmodified_since);
      if (!unmodified_since) {
        return bad("INVALID_HEADER", "If-Unmodified-Since: '" + std::string(if_unmodified_since->substr(0, 60)) +
                                         "' is not an HTTP date; send the deal's LastModifiedDate as shown, in the "
                                         "form Wed, 21 Oct 2015 07:28:00 GMT.");
      }
    }
    {
      auto snap = reader->snapshot();
      if (!snap) return store_problem(snap.error());
      auto m = model_for(**snap);
      if (!m) return store_problem(m.error());
      auto it = (*m)->deal_by_id.find(id);
      if (it == (*m)->deal_by_id.end() || !visibility(**m, viewer).sees((*m)->deals[it->second])) {
        return error_answer(404, "NOT_FOUND", "No deal " + id.substr(0, 40) + " in the store (deleted deals are not shown).");
      }
    }
    EditOutcome out =
        edits->edit(*reader, {id, body, viewer, editable_fields(options.serve.deal_columns), unmodified_since}, as);
    if (out.refusal) return *out.refusal;
    // The store's version follows the syncs, not this write: the boards' model is read again now,
    // so that the answer and the next requests show the edit (a store of millions of deals takes
    // seconds to read: the answer then shows Salesforce's values and the board follows).
    const bool current = out.stored && models->reload(kEditReloadWait);
    auto snap = reader->snapshot();
    if (!snap) return store_problem(snap.error());
    auto m = model_for(**snap);
    if (!m) return store_problem(m.error());
    Params none;
    Query q(none);
    Answer a = deal(**m, q, id, visibility(**m, viewer));
    if (!current && a.status == 200) {
      // Not in the store or the model yet: what Salesforce answered, over what the model still shows.
      for (const auto& [field, value] : out.record.items()) {
        if (a.body.contains(field) && !value.is_object()) a.body[field] = value;
      }
    }
    a.body["stored"] = out.stored;
    return a;
  }

  Answer route(std::string_view path, const Params& params, const Viewer& viewer) {
    auto snap = reader->snapshot();
    if (!snap) return store_problem(snap.error());
    Query q(params);
    if (path == "/api/status") return status(**snap, q, viewer);
    if (path == "/api/edit-fields") {
      return signin_required();
    }
    if (path == "/api/search") return search(**snap, q, viewer);
    if (path.starts_with("/api/records/")) return record(**snap, q, path.substr(std::string_view("/api/records/").size()), viewer);
    const bool known = path == "/api/deals" || path == "/api/forecast" || path == "/api/changes" ||
                       path == "/api/people" || path == "/api/filters" || path.starts_with("/api/deals/");
    if (!known) return error_answer(404, "NOT_FOUND", "No such endpoint: " + std::string(path.substr(0, 80)) + " (docs/api.md lists them).");
    auto m = model_for(**snap);
    if (!m) return store_problem(m.error());
    const Visibility visible = visibility(**m, viewer);
    if (path == "/api/deals") return deals(**m, q, viewer, visible);
    if (path == "/api/forecast") return forecast_route(**m, q, viewer, visible);
    if (path == "/api/changes") return changes(**m, q, viewer, visible);
    if (path == "/api/people") return people(**m, q);
    if (path == "/api/filters") return filters(**m, q, visible);
    return deal(**m, q, as_id18(path.substr(std::string_view("/api/deals/").size())), visible);
  }
};

Api::Api(std::unique_ptr<store::StoreReader> reader, ApiOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->reader = std::move(reader);
  impl_->options = std::move(options);
  Impl* impl = impl_.get();
  impl_->models = std::make_unique<ModelCache>(
      *impl_->reader,
      ModelCache::Options{[impl](store::ReadSnapshot& snap, EpochDays today) {
                            return load_model(snap, impl->options.serve.deal_columns, today);
                          },
                          [impl] { return impl->today(); }, impl_->options.before_model_refresh});
  if (impl_->options.edit_store) {
    impl_->edits = std::make_unique<DealEdits>(*impl_->options.edit_store, impl_->options.clock);
  }
}

Api::~Api() = default;

Answer Api::get(std::string_view path, const Params& params, const Viewer& viewer) {
  try {
    return impl_->route(path, params, viewer);
  } catch (const std::exception& e) {  // a bug: say so rather than drop the connection
    return error_answer(500, "INTERNAL", std::string("crmsync serve failed on this request: ") + e.what());
  }
}

Answer Api::edit(std::string_view path, std::string_view body, const Viewer& viewer, SalesforceAsViewer& as,
                 std::optional<std::string_view> if_unmodified_since) {
  try {
    return impl_->edit(path, body, viewer, as, if_unmodified_since);
  } catch (const std::exception& e) {
    return error_answer(500, "INTERNAL", std::string("crmsync serve failed on this edit: ") + e.what());
  }
}

Answer Api::edit_fields(SalesforceAsViewer& as) {
  try {
    auto snap = impl_->reader->snapshot();
    if (!snap) return Impl::store_problem(snap.error());
    auto columns = (*snap)->columns("Opportunity");
    if (!columns) return Impl::store_problem(columns.error());
    // Without Salesforce's answer the dialog still offers the board's own fields, by the store's types.
    auto described = as.describe("Opportunity");
    json body = {{"fields", edit_field_list(described ? *described : json(), *columns, impl_->options.serve.deal_columns)}};
    if (!described) body["message"] = "Salesforce did not describe Opportunity (" + described.error().message + ").";
    return {200, body};
  } catch (const std::exception& e) {
    return error_answer(500, "INTERNAL", std::string("crmsync serve failed on this request: ") + e.what());
  }
}

Result<std::optional<std::string>> Api::org_id() {
  auto snap = impl_->reader->snapshot();
  if (!snap) return snap.error();
  return (*snap)->meta(store::kOrgIdKey);
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
