#include "emulator/bulk_jobs.h"

namespace crmsync::emulator {

std::shared_ptr<BulkJob> BulkJobStore::add(std::shared_ptr<BulkJob> job) {
  std::lock_guard lock(mu_);
  jobs_[job->id] = job;
  order_.push_back(job->id);
  while (order_.size() > capacity_) {
    jobs_.erase(order_.front());
    order_.pop_front();
  }
  return job;
}

void BulkJobStore::step(BulkJob& job, EpochMs now) {
  if (job.state == "UploadComplete") {
    job.state = "InProgress";
    job.modstamp = now;
  } else if (job.state == "InProgress" && now >= job.ready_at) {
    job.state = job.fail_with.empty() ? "JobComplete" : "Failed";
    job.error_message = job.fail_with;
    job.modstamp = now;
  }
}

std::shared_ptr<const BulkJob> BulkJobStore::observe(const std::string& id, EpochMs now) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return nullptr;
  step(*it->second, now);
  return std::make_shared<const BulkJob>(*it->second);
}

std::vector<std::shared_ptr<const BulkJob>> BulkJobStore::observe_all(EpochMs now) {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const BulkJob>> out;
  for (const std::string& id : order_) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    step(*it->second, now);
    out.push_back(std::make_shared<const BulkJob>(*it->second));
  }
  return out;
}

std::shared_ptr<const BulkJob> BulkJobStore::abort(const std::string& id, EpochMs now, bool& aborted) {
  std::lock_guard lock(mu_);
  aborted = false;
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return nullptr;
  BulkJob& job = *it->second;
  if (job.state == "UploadComplete" || job.state == "InProgress") {
    job.state = "Aborted";
    job.modstamp = now;
    aborted = true;
  }
  return std::make_shared<const BulkJob>(job);
}

bool BulkJobStore::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  if (jobs_.erase(id) == 0) return false;
  for (auto it = order_.begin(); it != order_.end(); ++it) {
    if (*it == id) {
      order_.erase(it);
      break;
    }
  }
  return true;
}

}  // namespace crmsync::emulator
