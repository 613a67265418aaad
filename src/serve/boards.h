// The boards' rules as pure functions over a Model: periods, who is "below" a person, split
// attribution, the deal board, the forecast roll-up and the "what changed" view. No I/O: the unit
// tests in tests/unit/serve build models by hand. Internal to src/serve; docs/api.md states the
// rules for users.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "serve/model.h"

namespace crmsync::serve {

// A closed range of days.
struct Period {
  EpochDays from = 0;
  EpochDays to = 0;
  std::string label;  // "2025-Q3" or "2025-07"
  bool contains(std::optional<EpochDays> day) const { return day && *day >= from && *day <= to; }
};

// The fiscal quarter holding `day`. Fiscal year YYYY starts on the first of `start_month` in YYYY
// (1 = the calendar year); its quarters are three months each from there.
Period fiscal_quarter_of(EpochDays day, int start_month);
// "YYYY-Qn" (fiscal quarter n of fiscal year YYYY) or "YYYY-MM" (a calendar month); kConfig INVALID_PERIOD otherwise.
Result<Period> parse_period(std::string_view text, int start_month);

// The person and everyone whose role is below theirs in the role hierarchy (each once).
std::set<std::string> people_below(const Model& model, const std::string& person_id);

// The share of the deal's amount credited to `people`: the sum of their splits' percentages of the
// amount (split types over Amount only, so overlays may pass 100%); a deal without such splits
// credits its owner with the whole amount. 0 for a deal without an amount.
double attributed_amount(const Deal& deal, const std::set<std::string>& people);

// Whether the deal belongs to `people`'s board: one of them owns it, is on its team, or has a split.
bool in_scope(const Deal& deal, const std::set<std::string>& people);

// ---- the deal board --------------------------------------------------------------------------

struct DealFilter {
  Period period;                               // CloseDate within
  std::optional<std::string> person;           // person and everyone below (ownership, team, splits)
  std::set<std::string> owners;                // OwnerId or a team member among them
  std::set<std::string> stages, types, record_types, forecast_categories;  // empty = any
  std::optional<double> min_amount, max_amount;  // corporate currency, inclusive
};

struct DealRow {
  const Deal* deal = nullptr;
  double attributed = 0;
  std::optional<int> days_since_activity;
  int days_in_stage = 0;
};

struct StageTotal {
  std::int64_t count = 0;
  double amount = 0;
  double attributed = 0;
};

struct DealBoard {
  std::vector<DealRow> rows;  // every matching deal once, unsorted
  StageTotal total;
  std::map<std::string, StageTotal> by_stage;
};

DealBoard deal_board(const Model& model, const DealFilter& filter);
// Days the deal has spent in its current stage: since the earliest history entry of the trailing
// run of entries with the current stage, else since it was created.
int days_in_stage(const Deal& deal, EpochDays today);

// ---- the forecast board ----------------------------------------------------------------------

// Cumulative as forecasting teams read them: closed_won <= commit <= best_case <= pipeline, each
// containing the one before; Omitted counts nowhere.
struct Figures {
  double closed_won = 0, commit = 0, best_case = 0, pipeline = 0;
  Figures& operator+=(const Figures& o);
};
// The forecast category of a deal: ForecastCategoryName, else from IsWon/IsClosed (Closed,
// Omitted, Pipeline). "Closed", "Commit", "Best Case", "Pipeline" or "Omitted".
std::string forecast_category(const Deal& deal);
// The deal's amount (times `share`) in the cumulative columns its category falls in.
Figures figures_of(const Deal& deal, double amount);

struct ForecastRow {
  std::string user_id;
  std::string name;
  Figures own;    // the person's own attributed amounts
  Figures total;  // own + every report's total
  std::vector<ForecastRow> children;
};

struct ForecastFilter {
  Period period;
  std::optional<std::string> person;  // the top row; without it every person at the top
  std::set<std::string> types, record_types;
};

struct Forecast {
  Figures total;  // each deal in scope once, at its full amount
  std::vector<ForecastRow> rows;
};

Forecast forecast(const Model& model, const ForecastFilter& filter);

// ---- what changed -------------------------------------------------------------------------------

struct Change {
  const Deal* deal = nullptr;
  std::vector<std::string> kinds;  // new, stage_forward, stage_back, amount_up, amount_down, close_pushed, close_pulled_in
  std::string stage_from;
  std::optional<double> amount_from;
  std::optional<EpochDays> close_from;
};

// Deals new since `since` (created that day or later), and deals whose stage, amount or close date
// differ now from the last history entry before `since`.
std::vector<Change> changes_since(const Model& model, EpochDays since, const std::optional<std::string>& person);

}  // namespace crmsync::serve
