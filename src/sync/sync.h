// The sync engine: imports every enabled catalog object from Salesforce into the local store.
//
// Per object: describe, decide the field list (catalog::select_fields with the admin's choices),
// make sure the table has those columns, then read with queryAll ordered by the modstamp field and
// Id — everything the first time, then only rows at or after the stored watermark. queryAll brings
// soft-deleted rows with IsDeleted = true; they are upserted like any other row (the table mirrors
// what an admin's queryAll returns). Each page's rows and the watermark that follows them commit in
// one transaction, so a failure (or a kill) never loses or rolls back a committed page and the next
// run resumes where the last commit left off.
//
//   auto client = salesforce::Client::connect(sync::connect_options(cfg));
//   auto store = store::Store::open(cfg.store.url);
//   SyncReport report = sync::run_sync(cfg, **client, **store, {});
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "config/config.h"
#include "salesforce/client.h"
#include "store/store.h"

namespace crmsync::sync {

// What one object's run did.
struct ObjectReport {
  std::string object;
  enum class Outcome { kSynced, kSkipped, kFailed } outcome = Outcome::kSynced;
  bool full = false;              // a full load (no watermark yet) rather than an increment
  std::int64_t records = 0;       // rows written this run (upserts, deleted ones included)
  std::int64_t deleted = 0;       // of those, rows that arrived with IsDeleted = true
  std::int64_t api_calls = 0;     // API calls this object's run spent (describe + query pages)
  double seconds = 0;
  std::int64_t rows_in_store = 0; // the table's row count after the run
  std::vector<std::string> warnings;  // e.g. a Recommended field the user cannot read
  std::string message;            // why it was skipped or failed; empty otherwise
};

struct SyncReport {
  std::vector<ObjectReport> objects;
  std::int64_t api_calls = 0;
  double seconds = 0;
  bool ok() const;  // no object failed
};

// Progress as pages commit, for a terminal display or logs.
struct Progress {
  std::string object;
  std::int64_t records = 0;  // written so far for this object
  std::int64_t total = -1;   // totalSize of the query, when known
};

struct SyncOptions {
  std::function<void(const Progress&)> on_page;  // called after each committed page
  int batch_size = 0;                 // Sforce-Query-Options batchSize; 0 = Salesforce's default (2,000)
  std::int64_t rows_per_commit = 20000;  // pages are grouped into transactions of about this many rows
};

// Runs one sync of every enabled object. Per-object failures are reported in the SyncReport (and
// the run goes on with the other objects); only an error that stops everything (the store cannot
// be written) is returned as an Error.
Result<SyncReport> run_sync(const config::Config& config, salesforce::Client& client, store::Store& store,
                            const SyncOptions& options);

// The client options the [salesforce] section describes.
salesforce::ConnectOptions connect_options(const config::Config& config);

// The store column for each selected field.
std::vector<store::Column> columns_for(const catalog::FieldSelection& selection);

}  // namespace crmsync::sync
