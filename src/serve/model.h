// What the boards compute from: the store's deals, people, roles, rates and activities, read in one
// snapshot and reduced to what the roll-ups need (amounts already in the corporate currency).
// Built again only when the store's version changes (a sync committed). Internal to src/serve.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/timeutil.h"
#include "store/store.h"

namespace crmsync::serve {

struct Person {
  std::string id;
  std::string name;
  std::string role_id;     // empty without a role
  bool active = true;
  std::string manager_id;  // the person this one rolls up to (see Model::link_people); empty at the top
  std::vector<std::size_t> reports;  // people who roll up to this one (indices into Model::people)
};

struct Role {
  std::string id;
  std::string name;
  std::string parent_id;
};

// A split on an active split type over Amount (other split types never attribute the amount).
struct Split {
  std::string owner_id;
  double percent = 0;
  std::optional<std::size_t> owner;  // index into Model::people (link_deals), when the store has the user
};

struct StageChange {
  EpochMs at = 0;  // OpportunityHistory.CreatedDate
  std::string stage;
  std::optional<double> amount;  // corporate currency
  std::optional<EpochDays> close_date;
};

struct Deal {
  std::string id, name, account_id, account_name, owner_id, stage, type, record_type_id, forecast_category, currency;
  std::optional<std::size_t> owner;   // index of owner_id into Model::people (link_deals), when known
  std::optional<double> amount;       // corporate currency
  std::optional<double> probability;
  std::optional<EpochDays> close_date;
  EpochMs created = 0;
  std::optional<EpochMs> last_modified;  // LastModifiedDate: an edit's If-Unmodified-Since
  bool closed = false, won = false;
  std::vector<Split> splits;          // empty: the owner gets the whole amount
  std::vector<std::string> team;      // OpportunityTeamMember.UserId, each once
  std::vector<StageChange> history;   // by time
  std::optional<EpochMs> stage_entered;  // when it entered its current stage (link_deals; see entered_stage)
  std::optional<std::size_t> stage_key;  // index of `stage` into Model::stage_names (link_deals)
  std::optional<EpochDays> last_activity;  // latest Task/Event date up to the model's day
  int calls = 0, meetings = 0;
  nlohmann::json extra = nlohmann::json::object();  // [serve] deal_columns
};

struct Model {
  std::vector<Person> people;
  std::unordered_map<std::string, std::size_t> person_by_id;
  std::map<std::string, Role> roles;
  std::vector<Deal> deals;  // IsDeleted = 1 left out; by CloseDate (none first)
  std::unordered_map<std::string, std::size_t> deal_by_id;
  std::map<std::string, int> stage_order;          // OpportunityStage.MasterLabel -> SortOrder
  std::vector<std::string> stage_names;             // every deal's StageName once (Deal::stage_key)
  std::map<std::string, std::string> record_types;  // Id -> Name
  std::string corporate_currency;                   // empty in a single-currency org
  std::vector<std::string> opportunity_columns;     // what the store has of Opportunity
  std::string instance_url;                         // the org's, as the sync recorded it; empty before
  EpochDays today = 0;                              // activities after it are not "last activity"

  const Person* person(const std::string& id) const;
  // The index into `people` of a user id (a deal's owner, a split's), from the index link_deals
  // made, else by a lookup; nullopt for a user the store does not have.
  std::optional<std::size_t> person_index(const std::string& id, std::optional<std::size_t> linked) const;
  std::string person_name(const std::string& id) const;  // the id itself when unknown
  bool has_opportunity_column(std::string_view name) const;
  // The deals whose CloseDate is in [from, to] (a slice of `deals`, which load_model sorts by it).
  std::span<const Deal> deals_closing(EpochDays from, EpochDays to) const;
};

// A stored value as JSON (NULL as null).
nlohmann::json value_json(const store::Value& value);

// Reads the model from a snapshot. `extra_columns` are [serve] deal_columns (present ones are read).
// kNotFound NO_SYNC when the store has no Opportunity table yet (the message says what to run).
Result<std::shared_ptr<const Model>> load_model(store::ReadSnapshot& snapshot,
                                                const std::vector<std::string>& extra_columns, EpochDays today);

// Links people into the roll-up tree: a role's people roll up to one person of the parent role
// (its first active holder by name, then by Id), so nobody is counted twice; people without a
// role, or whose role's ancestors have nobody, are at the top. Called by load_model; tests call it
// on models they build by hand.
void link_people(Model& model);
// Sorts the deals by close date (none first), indexes them by Id and links them (link_deals);
// load_model calls it, tests call it on models they build by hand (before Model::deals_closing).
void index_deals(Model& model);
// When the deal entered its current stage: the earliest history entry of the trailing run of
// entries with the current stage, else its creation.
EpochMs entered_stage(const Deal& deal);
// Records in each deal and split the index of its owner among `people`, and each deal's
// stage_entered and stage_key (after deals, splits and history are read), so that the boards need
// no lookup by Id, no walk through history and no string comparison per deal and request;
// index_deals and load_model call it.
void link_deals(Model& model);

}  // namespace crmsync::serve
