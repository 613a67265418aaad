#include "emulator/routes/bulk_jobs.h"

namespace crmsync::emulator {

std::string bulk_error_text(const Error& e) {
  std::string out = e.code + ":" + e.message + ":";
  if (e.fields && !e.fields->empty()) {
    for (std::size_t i = 0; i < e.fields->size(); ++i) out += (i ? "," : "") + (*e.fields)[i];
    out.push_back(' ');
  }
  return out + "--";
}

char csv_delimiter(const std::string& name) {
  if (name == "COMMA") return ',';
  if (name == "TAB") return '\t';
  if (name == "PIPE") return '|';
  if (name == "SEMICOLON") return ';';
  if (name == "CARET") return '^';
  if (name == "BACKQUOTE") return '`';
  return 0;
}

bool BulkJobStore::add(std::shared_ptr<BulkJob> job) {
  std::lock_guard lock(mu_);
  const std::string id = job->id;
  if (!jobs_.emplace(id, std::move(job)).second) return false;
  order_.push_back(id);
  while (order_.size() > capacity_) {
    jobs_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

BulkJob* BulkJobStore::owned(const std::string& id, const std::string& user_id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->created_by != user_id) return nullptr;
  return it->second.get();
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

std::shared_ptr<const BulkJob> BulkJobStore::observe(const std::string& id, const std::string& user_id, EpochMs now) {
  std::lock_guard lock(mu_);
  BulkJob* job = owned(id, user_id);
  if (job == nullptr) return nullptr;
  step(*job, now);
  return std::make_shared<const BulkJob>(*job);
}

std::vector<std::shared_ptr<const BulkJob>> BulkJobStore::observe_all(const std::string& user_id, EpochMs now) {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const BulkJob>> out;
  for (const std::string& id : order_) {
    BulkJob* job = owned(id, user_id);
    if (job == nullptr) continue;
    step(*job, now);
    out.push_back(std::make_shared<const BulkJob>(*job));
  }
  return out;
}

std::shared_ptr<const BulkJob> BulkJobStore::update(const std::string& id, const std::string& user_id,
                                                    const std::function<void(BulkJob&)>& change) {
  std::lock_guard lock(mu_);
  BulkJob* job = owned(id, user_id);
  if (job == nullptr) return nullptr;
  change(*job);
  return std::make_shared<const BulkJob>(*job);
}

std::shared_ptr<const BulkJob> BulkJobStore::abort(const std::string& id, const std::string& user_id, EpochMs now,
                                                   bool& aborted) {
  std::lock_guard lock(mu_);
  aborted = false;
  BulkJob* found = owned(id, user_id);
  if (found == nullptr) return nullptr;
  BulkJob& job = *found;
  if (job.state == "Open" || job.state == "UploadComplete" || job.state == "InProgress") {
    job.state = "Aborted";
    job.modstamp = now;
    aborted = true;
  }
  return std::make_shared<const BulkJob>(job);
}

bool BulkJobStore::remove(const std::string& id, const std::string& user_id) {
  std::lock_guard lock(mu_);
  if (owned(id, user_id) == nullptr) return false;
  jobs_.erase(id);
  for (auto it = order_.begin(); it != order_.end(); ++it) {
    if (*it == id) {
      order_.erase(it);
      break;
    }
  }
  return true;
}

}  // namespace crmsync::emulator
