// The one thread that writes the store. Workers (one per object being synced) fetch and parse
// pages, then post jobs here; the writer runs them in order inside a transaction it keeps open
// until about rows_per_commit rows (or a job asks for a flush), then commits. SQLite has a single
// writer anyway: funnelling every write through one thread keeps transactions large (random-Id
// upserts are bound by commit cost) and needs no locking in the store. The queue is bounded in jobs and
// in bytes (what the queued pages hold), so a slow disk slows the downloads instead of filling
// memory, whatever the page size. Internal to src/sync.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "common/result.h"
#include "store/store.h"

namespace crmsync::sync {

class WriteQueue {
 public:
  using Job = std::function<Status(store::Store&)>;

  // At most `max_pending` jobs and, beyond the first one, `max_pending_bytes` of posted data wait.
  WriteQueue(store::Store& store, std::int64_t rows_per_commit, std::size_t max_pending,
             std::size_t max_pending_bytes = kDefaultMaxPendingBytes);
  static constexpr std::size_t kDefaultMaxPendingBytes = 8u << 20;
  ~WriteQueue();  // finish()es
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Queues a job writing `rows` rows that holds `bytes` of data; blocks while the queue is full
  // (a job bigger than the byte bound still goes, alone). `after_commit` runs on the
  // writer thread once the transaction holding the job has committed (progress reports). With
  // `flush` the transaction commits right after this job. Returns the store's first error, if
  // any has happened (the job is then dropped).
  Status post(Job job, std::int64_t rows, std::function<void()> after_commit = {}, bool flush = false,
              std::size_t bytes = 0);
  // Runs a job and waits for it (and, with `flush`, for its commit); returns its status.
  Status call(Job job, bool flush = false);
  // Commits what is open and stops the thread; returns the first store error of the run.
  Status finish();

 private:
  struct Item {
    Job job;
    std::int64_t rows = 0;
    std::size_t bytes = 0;
    std::function<void()> after_commit;
    bool flush = false;
    std::function<void(const Status&)> done;  // for call()
  };
  void loop();
  Status commit_open();

  store::Store& store_;
  std::int64_t rows_per_commit_;
  std::size_t max_pending_;
  std::size_t max_pending_bytes_;
  std::size_t pending_bytes_ = 0;  // of the queued items
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Item> items_;
  bool stopping_ = false;
  std::optional<Error> failure_;
  // Writer-thread state.
  bool in_txn_ = false;
  std::int64_t rows_in_txn_ = 0;
  std::vector<std::function<void()>> after_commit_;
  std::thread thread_;
};

}  // namespace crmsync::sync
