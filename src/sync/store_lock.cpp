// StoreLock: the store's WriterLock (flock on "<path>.lock" for SQLite, a session-level advisory
// lock for PostgreSQL), held for the run. Both vanish with the process, SIGKILL included.
#include "sync/sync.h"

namespace crmsync::sync {

Result<std::unique_ptr<StoreLock>> StoreLock::acquire(const store::OpenOptions& where) {
  auto lock = store::WriterLock::acquire(where);
  if (!lock) return lock.error();
  return std::unique_ptr<StoreLock>(new StoreLock(std::move(*lock)));
}

Result<std::unique_ptr<StoreLock>> StoreLock::acquire(const std::string& store_url) {
  return acquire(store::OpenOptions{store_url});
}

}  // namespace crmsync::sync
