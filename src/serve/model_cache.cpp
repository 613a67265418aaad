// ModelCache: one refresh thread, one model at a time (see model_cache.h).
#include "serve/model_cache.h"

#include <chrono>

#include "common/log.h"

namespace crmsync::serve {

ModelCache::ModelCache(store::StoreReader& reader, Options options) : reader_(reader), options_(std::move(options)) {
  wanted_ = true;
  thread_ = std::thread([this] { run(); });
}

ModelCache::~ModelCache() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ModelCache::ask_locked(const std::string& version, EpochDays day) {
  // A read under way brings this version when it opened it, or has not opened its snapshot yet
  // (it will see this commit or a later one): no second read.
  bool brings_it = reading_ && (reading_version_.empty() || reading_version_ == version) && reading_day_ == day;
  if (!brings_it && !wanted_) {
    wanted_ = true;
    changed_.notify_all();
  }
}

Result<std::shared_ptr<const Model>> ModelCache::get(const std::string& version) {
  const EpochDays day = options_.today();
  std::unique_lock lock(mu_);
  if (model_ && model_version_ == version && model_day_ == day) return model_;
  ask_locked(version, day);
  if (model_) return model_;  // the last commit read; the refresh replaces it when done
  // No model yet: wait for the reads that bring one of this version or newer (the one under way
  // when it opened this version, else also the one asked for after it).
  const std::uint64_t target = reads_done_ + (reading_ ? 1 : 0) + (wanted_ ? 1 : 0);
  changed_.wait(lock, [&] { return stopping_ || model_ || reads_done_ >= target; });
  if (model_) return model_;
  if (error_) return *error_;
  return Error(ErrorKind::kInternal, "SERVER_STOPPING", "crmsync serve is stopping.");
}

bool ModelCache::reload(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  // A read under way may have opened its snapshot before the write committed: the one after it.
  const std::uint64_t target = reads_done_ + (reading_ ? 2 : 1);
  wanted_ = true;
  urgent_ = true;
  changed_.notify_all();
  return changed_.wait_for(lock, wait, [&] { return stopping_ || reads_done_ >= target; }) && !stopping_ && !error_;
}

void ModelCache::run() {
  std::unique_lock lock(mu_);
  // After a read, the thread rests as long as the read took before the next one: while a long sync
  // commits page after page, refreshes take at most half of one core from it.
  auto rest_until = std::chrono::steady_clock::now();
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || wanted_; });
    if (stopping_) return;
    if (model_ && changed_.wait_until(lock, rest_until, [&] { return stopping_ || urgent_; }) && stopping_) return;
    wanted_ = false;
    urgent_ = false;
    reading_ = true;
    reading_version_.clear();
    reading_day_ = options_.today();
    lock.unlock();
    if (options_.before_refresh) options_.before_refresh();
    auto started = std::chrono::steady_clock::now();
    std::string version;
    Result<std::shared_ptr<const Model>> loaded = Error(ErrorKind::kInternal, "NOT_READ", "");
    auto snap = reader_.snapshot();
    if (snap) {
      auto v = (*snap)->version();
      if (v) {
        version = *v;
        {
          std::lock_guard publish(mu_);
          reading_version_ = version;
        }
        loaded = options_.load(**snap, reading_day_);
      } else {
        loaded = v.error();
      }
      snap->reset();  // the read ends before the model is published
    } else {
      loaded = snap.error();
    }
    auto took = std::chrono::steady_clock::now() - started;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
    rest_until = std::chrono::steady_clock::now() + took;
    lock.lock();
    if (loaded) {
      model_ = std::move(*loaded);
      model_version_ = version;
      model_day_ = reading_day_;
      error_.reset();
      if (log::enabled(log::Level::kDebug)) {
        log::debug("serve", "read the boards' model of the last sync commit in " + std::to_string(ms) + " ms",
                   {{"ms", static_cast<std::int64_t>(ms)}, {"deals", static_cast<std::int64_t>(model_->deals.size())}});
      }
    } else {
      error_ = loaded.error();
      if (model_) log::warn("serve", "could not read the newest sync commit, still serving the last one read: " + error_->to_string());
    }
    reading_ = false;
    ++reads_done_;
    changed_.notify_all();
  }
}

}  // namespace crmsync::serve
