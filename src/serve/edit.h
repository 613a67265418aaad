// Editing a deal as the signed-in person (PATCH /api/deals/{Id}; docs/api.md). Internal to
// src/serve.
//
// The change goes to Salesforce with the person's own token (SalesforceAsViewer), so their
// profile, permission sets, sharing and the org's validation rules decide, and with
// If-Unmodified-Since = the deal's LastModifiedDate as the page showed it (EditRequest::
// unmodified_since; else the one the store holds), so that a deal changed in Salesforce since the
// board showed it is not overwritten (412), even when a sync imported the change meanwhile. An
// accepted edit is read back (GET as the person) and written to the store through the store's own
// upsert (Store::writer, the code the sync writes with), and every field asked for is recorded in
// crmsync_edit_log with Salesforce's answer, accepted or not.
//
// Writes respect the sync's writer lock (store::WriterLock, which `crmsync sync` holds for its
// run): taken for one short transaction; while a sync holds it the write waits in memory and is
// retried every few seconds (the answer then says "stored": false; the record is in Salesforce
// already, and the running sync may well import it itself).
//
//   DealEdits edits(store_options, clock);
//   EditOutcome out = edits.edit(reader, {.id = id, .body = body, .viewer = viewer, .editable = fields}, as);
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "serve/serve.h"
#include "store/store.h"

namespace crmsync::serve {

struct EditRequest {
  std::string id;                     // the Opportunity
  std::string_view body;              // a JSON object: field API name -> value
  Viewer viewer;                      // who asks (their user id and username go to the log)
  std::vector<std::string> editable;  // the fields the board lets people edit
  // The deal's LastModifiedDate as the person saw it (If-Unmodified-Since); unset: the store's.
  std::optional<EpochMs> unmodified_since = std::nullopt;
};

struct EditOutcome {
  std::optional<Answer> refusal;  // crmsync's or Salesforce's refusal, ready to answer
  nlohmann::json record;          // accepted: the record as Salesforce now has it (as the person sees it)
  bool stored = false;            // accepted: written to the store (false: waiting for the sync's lock)
};

// A write for the store: the record's row (empty columns: none, a refused edit) and its log rows.
struct PendingWrite {
  std::vector<store::Column> columns;
  store::RowBuffer row;
  std::vector<store::EditLogEntry> log;
};

class DealEdits {
 public:
  DealEdits(store::OpenOptions store, std::function<EpochMs()> clock);
  ~DealEdits();  // one last try for the writes still waiting, then stops
  DealEdits(const DealEdits&) = delete;
  DealEdits& operator=(const DealEdits&) = delete;

  EditOutcome edit(store::StoreReader& reader, const EditRequest& request, SalesforceAsViewer& as);
  // Writes still waiting for the sync's lock.
  std::size_t waiting() const;

 private:
  // Writes `w` now if the lock is free; else queues it (true: written).
  bool write_or_queue(PendingWrite w);
  Status write(const PendingWrite& w);
  void retry_loop();

  store::OpenOptions store_;
  std::function<EpochMs()> clock_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<PendingWrite> queue_;
  bool stopping_ = false;
  std::thread retry_;
};

// The fields of Opportunity people may edit on the board: the board's own columns (Name,
// StageName, CloseDate, Amount, Probability, ForecastCategoryName, NextStep, Type, OwnerId,
// RecordTypeId) and [serve] deal_columns.
std::vector<std::string> editable_fields(const std::vector<std::string>& deal_columns);

// What the edit dialog offers (GET /api/edit-fields): the fields the board shows that the store
// has, each {"name", "label", "type", "values"} in the board's order. `type` is text, number, date,
// checkbox, picklist (`values`: its active values) or reference (OwnerId, RecordTypeId: the page
// offers people and record types). `describe` is Opportunity's describe as the viewer (null when
// Salesforce could not be asked: the store's field types then, the board's own fields only). The
// board's own fields (Name, StageName, CloseDate, Amount, Probability, ForecastCategoryName, Type,
// OwnerId, RecordTypeId) are offered even when the viewer may not edit one: Salesforce then
// refuses in its own words. A [serve] deal_columns field is offered only when describe says the
// viewer may update it, so formula, roll-up and system fields get no input; so does a field of
// another type (date/time, multi-select picklist, ...).
nlohmann::json edit_field_list(const nlohmann::json& describe, const std::vector<store::ColumnInfo>& stored,
                               const std::vector<std::string>& deal_columns);

}  // namespace crmsync::serve
