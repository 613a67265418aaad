// The thread that keeps a worker's leases: every third of the lease it renews each lease the worker
// holds, on a connection of its own (a slow sync never delays a renewal). A lease that is no longer
// this grant (taken by another worker after it expired, or its org removed), or that could not be
// renewed for a whole lease period (the database is gone), is marked lost: the sync holding it
// sees the flag before its next API call and stops. Internal to src/fleet.
//
//   LeaseKeeper keeper(registry, 60, out);
//   auto lost = keeper.hold(lease.org.name, lease.token);   // shared flag
//   options.interrupted = [&] { return lost->load(); };
//   ... keeper.release(lease.org.name);
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "fleet/fleet.h"
#include "store/postgres/pg_connection.h"

namespace crmsync::fleet {

class LeaseKeeper {
 public:
  // `report` hears a line when a lease is lost or renewals fail (may be empty).
  LeaseKeeper(RegistryOptions registry, int lease_seconds, std::function<void(const std::string&)> report);
  ~LeaseKeeper();  // stops the thread
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Renews this lease from now on; the flag turns true once it is lost.
  std::shared_ptr<std::atomic<bool>> hold(const std::string& org, std::int64_t token);
  void release(const std::string& org);

 private:
  struct Held {
    std::int64_t token = 0;
    std::shared_ptr<std::atomic<bool>> lost;
    std::chrono::steady_clock::time_point renewed;
  };
  void loop();
  void renew_all();

  RegistryOptions registry_;
  int lease_seconds_;
  std::function<void(const std::string&)> report_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, Held> held_;
  std::unique_ptr<store::postgres::Connection> conn_;  // the thread's own; reopened after a failure
  std::thread thread_;
};

}  // namespace crmsync::fleet
