#include "fleet/lease_keeper.h"

#include <vector>

#include "fleet/leases.h"

namespace crmsync::fleet {

using Clock = std::chrono::steady_clock;

LeaseKeeper::LeaseKeeper(RegistryOptions registry, int lease_seconds, std::function<void(const std::string&)> report)
    : registry_(std::move(registry)), lease_seconds_(lease_seconds), report_(std::move(report)) {
  thread_ = std::thread([this] { loop(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::shared_ptr<std::atomic<bool>> LeaseKeeper::hold(const std::string& org, std::int64_t token) {
  auto lost = std::make_shared<std::atomic<bool>>(false);
  std::lock_guard lock(mu_);
  held_[org] = Held{token, lost, Clock::now()};
  return lost;
}

void LeaseKeeper::release(const std::string& org) {
  std::lock_guard lock(mu_);
  held_.erase(org);
}

void LeaseKeeper::loop() {
  const auto period = std::chrono::milliseconds(lease_seconds_ * 1000 / 3);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, period, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    renew_all();
    lock.lock();
  }
}

void LeaseKeeper::renew_all() {
  std::vector<std::pair<std::string, Held>> now_held;
  {
    std::lock_guard lock(mu_);
    now_held.assign(held_.begin(), held_.end());
  }
  if (now_held.empty()) return;
  if (!conn_) {
    auto conn = store::postgres::Connection::open(
        store::OpenOptions{registry_.url, std::string(kRegistrySchema), registry_.password});
    if (conn)
      conn_ = std::move(*conn);
    else if (report_)
      report_("cannot renew leases: " + conn.error().message);
  }
  for (auto& [org, held] : now_held) {
    Result<bool> renewed = conn_ ? renew_lease(*conn_, org, held.token, lease_seconds_)
                                 : Result<bool>(Error(ErrorKind::kStore, "PG_UNREACHABLE", "no connection"));
    std::lock_guard lock(mu_);
    auto it = held_.find(org);
    if (it == held_.end() || it->second.token != held.token) continue;  // released meanwhile
    if (renewed && *renewed) {
      it->second.renewed = Clock::now();
      continue;
    }
    if (!renewed) {
      conn_.reset();  // reopened next time
      if (report_) report_("cannot renew the lease of " + org + ": " + renewed.error().message);
      // Another worker may take the org once the lease has expired: stop before that can happen.
      if (Clock::now() - it->second.renewed < std::chrono::seconds(lease_seconds_) * 2 / 3) continue;
    }
    if (!it->second.lost->exchange(true) && report_) {
      report_(org + ": the lease is no longer this worker's (" +
              (renewed ? std::string("it expired and was granted again, or the org was removed")
                       : std::string("it could not be renewed before it expired")) +
              "); stopping its sync");
    }
  }
}

}  // namespace crmsync::fleet
