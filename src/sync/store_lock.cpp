// StoreLock: flock(2) on "<store path>.lock". The kernel drops the lock when the descriptor is
// closed, which happens when the process dies for any reason, SIGKILL included: no stale lock.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/text.h"
#include "sync/sync.h"

namespace crmsync::sync {

Result<std::unique_ptr<StoreLock>> StoreLock::acquire(const std::string& store_url) {
  std::string path = store_url;
  if (path.starts_with("sqlite:")) path = path.substr(7);
  path += ".lock";
  const std::string shown = mask_url_credentials(path);  // a url other than sqlite: may carry a password
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error(ErrorKind::kStore, "LOCK_FILE",
                 "cannot create the lock file " + shown + " (" + std::strerror(errno) +
                     "); check that its directory exists and is writable.");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Error(ErrorKind::kStore, "STORE_LOCKED",
                   "another crmsync sync is running against " + mask_url_credentials(store_url) + " (it holds " + shown +
                       "); wait for it to finish, or stop it, then run again.");
    }
    return Error(ErrorKind::kStore, "LOCK_FILE", "cannot lock " + shown + " (" + std::strerror(err) + ").");
  }
  return std::unique_ptr<StoreLock>(new StoreLock(fd, std::move(path)));
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace crmsync::sync
