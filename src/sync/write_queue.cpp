#include "sync/write_queue.h"

#include <future>

namespace crmsync::sync {

WriteQueue::WriteQueue(store::Store& store, std::int64_t rows_per_commit, std::size_t max_pending,
                       std::size_t max_pending_bytes)
    : store_(store), rows_per_commit_(rows_per_commit > 0 ? rows_per_commit : 1),
      max_pending_(max_pending > 0 ? max_pending : 1), max_pending_bytes_(max_pending_bytes) {
  thread_ = std::thread([this] { loop(); });
}

WriteQueue::~WriteQueue() { (void)finish(); }

Status WriteQueue::post(Job job, std::int64_t rows, std::function<void()> after_commit, bool flush,
                        std::size_t bytes) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] {
    bool room = items_.empty() || (items_.size() < max_pending_ && pending_bytes_ + bytes <= max_pending_bytes_);
    return room || failure_ || stopping_;
  });
  if (failure_) return *failure_;
  if (stopping_) return Error(ErrorKind::kInternal, "WRITER_STOPPED", "a write was posted after the writer stopped.");
  pending_bytes_ += bytes;
  items_.push_back({std::move(job), rows, bytes, std::move(after_commit), flush, {}});
  changed_.notify_all();
  return ok_status();
}

Status WriteQueue::call(Job job, bool flush) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return items_.size() < max_pending_ || failure_ || stopping_; });
    if (failure_) return *failure_;
    if (stopping_) return Error(ErrorKind::kInternal, "WRITER_STOPPED", "a write was called after the writer stopped.");
    items_.push_back({std::move(job), 0, 0, {}, flush, [promise](const Status& s) { promise->set_value(s); }});
    changed_.notify_all();
  }
  return future.get();
}

Status WriteQueue::finish() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (failure_) return *failure_;
  return ok_status();
}

Status WriteQueue::commit_open() {
  if (!in_txn_) return ok_status();
  Status s = store_.commit();
  if (!s) {
    (void)store_.rollback();
    in_txn_ = false;
    after_commit_.clear();
    return s;
  }
  in_txn_ = false;
  rows_in_txn_ = 0;
  auto callbacks = std::move(after_commit_);
  after_commit_.clear();
  for (auto& f : callbacks) f();
  return ok_status();
}

void WriteQueue::loop() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return !items_.empty() || stopping_; });
      if (items_.empty()) break;  // stopping and drained
      item = std::move(items_.front());
      items_.pop_front();
      pending_bytes_ -= item.bytes;
      changed_.notify_all();
    }
    Status s;
    bool failed_before;
    {
      std::lock_guard lock(mu_);
      failed_before = failure_.has_value();
      if (failed_before) s = *failure_;
    }
    if (!failed_before) {
      if (!in_txn_) {
        s = store_.begin();
        in_txn_ = s.ok();
      }
      if (s) s = item.job(store_);
      if (s) {
        rows_in_txn_ += item.rows;
        if (item.after_commit) after_commit_.push_back(std::move(item.after_commit));
        if (item.flush || rows_in_txn_ >= rows_per_commit_) s = commit_open();
      } else {
        // A store error: what this transaction held is lost (rows and their watermark together),
        // what was committed stays. Nothing more is written this run.
        (void)store_.rollback();
        in_txn_ = false;
        after_commit_.clear();
      }
      if (!s) {
        std::lock_guard lock(mu_);
        if (!failure_) failure_ = s.error();
        changed_.notify_all();
      }
    }
    if (item.done) item.done(s);
  }
  Status s = commit_open();
  if (!s) {
    std::lock_guard lock(mu_);
    if (!failure_) failure_ = s.error();
  }
}

}  // namespace crmsync::sync
