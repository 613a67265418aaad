// The SQLite store's WriterLock: flock(2) on "<path>.lock". The kernel drops the lock when the
// descriptor is closed, which happens when the process dies for any reason, SIGKILL included: no
// stale lock.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/text.h"
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {

namespace {

class FileLock final : public WriterLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock() override { ::close(fd_); }  // releases the flock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<WriterLock>> lock_file(const std::string& db_path, std::string_view url) {
  std::string path = db_path + ".lock";
  const std::string shown = mask_url_credentials(path);  // a path is shown the way every url is
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
                   "another crmsync sync is running against " + mask_url_credentials(url) + " (it holds " + shown +
                       "); wait for it to finish, or stop it, then run again.");
    }
    return Error(ErrorKind::kStore, "LOCK_FILE", "cannot lock " + shown + " (" + std::strerror(err) + ").");
  }
  return std::unique_ptr<WriterLock>(new FileLock(fd));
}

}  // namespace crmsync::store::sqlite
