// Reads the rows of one object over a window, page by page, with queryAll ordered by the modstamp
// field and Id. When the field list passes the URI limit, several queries (each with Id and the
// modstamp field) run side by side over the same window and order and their rows are joined by
// (modstamp, Id): a row some query did not return (it changed between the queries, so its new
// modstamp lies past the window's end) is left for the next run, which reads it whole. Internal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "salesforce/client.h"
#include "store/store.h"
#include "sync/page_parser.h"
#include "sync/query_plan.h"

namespace crmsync::sync {

struct ReadBatch {
  store::RowBuffer rows;                         // cells in the order of the reader's `fields`
  std::optional<EpochMs> last_modstamp;
  std::int64_t deleted = 0;                     // rows with IsDeleted = true
  std::int64_t dropped = 0;                     // rows not returned by every part (read next run)
};

class WindowReader {
 public:
  // `fields` are names from `selection` (Id first): what each row carries. `before_call` runs
  // before every API call and may refuse it (the quota guard).
  WindowReader(salesforce::Client& client, const catalog::FieldSelection& selection, std::vector<std::string> fields,
               Window window, int batch_size, std::size_t max_uri_bytes, std::function<Status()> before_call);
  ~WindowReader();

  // Plans the queries (split by the URI limit). Errors: kUnsupported (one field too long alone).
  Status open();
  int parts() const;
  std::int64_t total() const;  // totalSize of the first query, -1 before the first page
  // The SOQL of the one query that reads the window (after open()); empty when it is split.
  std::string single_query() const;
  // The first page of that query, already fetched (inside a composite request): used instead of
  // asking for it. Call after open().
  void seed_first_page(salesforce::QueryPage page);
  // One page of read-ahead (on by default, one query only): as soon as a page shows its
  // nextRecordsUrl, the next page is asked for on the client's second connection (after
  // `before_call`, which may refuse it: then the next page is fetched when needed, where the
  // refusal stops the read), so Salesforce builds page N+1 while page N is parsed and handed out.
  // Off for the first page: a caller that may leave after it (a full load going to Bulk) spends no
  // call on a page it will not read. Readers split into several queries do not read ahead.
  void set_read_ahead(bool on, bool on_first_page);
  // Fills `batch` with the next rows (about one page); false when the window is exhausted.
  Result<bool> next(ReadBatch& batch);
  // Values of the pages read so far that were longer than their field's length (stored cut).
  const LengthCuts& cuts() const { return cuts_; }

 private:
  struct Part;
  Result<bool> fill(Part& part);  // ensures the part has a row under its cursor; false when done

  salesforce::Client& client_;
  const catalog::FieldSelection& selection_;
  std::vector<std::string> fields_;
  Window window_;
  int batch_size_;
  std::size_t max_uri_bytes_;
  std::function<Status()> before_call_;
  std::vector<std::unique_ptr<Part>> parts_;
  std::int64_t total_ = -1;
  int deleted_index_ = -1;  // in fields_
  bool identity_ = false;   // one part whose columns are fields_ in order: rows move through whole
  std::optional<salesforce::QueryPage> seed_;
  bool read_ahead_ = true;
  bool read_ahead_first_ = true;
  bool read_ahead_pending_ = false;  // asked for and not yet taken by the next fetch
  LengthCuts cuts_;

  void start_read_ahead(std::string_view next_url, bool first_page);
};

// A FieldSelection with only the named fields (same object and modstamp field).
catalog::FieldSelection subset(const catalog::FieldSelection& selection, const std::vector<std::string>& fields);

}  // namespace crmsync::sync
