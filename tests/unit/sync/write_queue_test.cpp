// The writer's queue holds at most max_pending_bytes of posted pages (8 MB by default) beyond the
// one being written: a worker that posts more waits until the writer has taken some, and a single
// page bigger than the bound still goes when nothing waits.
#include <gtest/gtest.h>

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sync/write_queue.h"

namespace crmsync::sync {
namespace {

constexpr std::size_t kMB = 1u << 20;

class WriteQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("crmsync-write-queue-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto st = store::Store::open("sqlite:" + (dir_ / "q.db").string());
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    store_ = std::move(*st);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // What happened, in order, from any thread.
  void log(const std::string& event) {
    std::lock_guard lock(mu_);
    events_.push_back(event);
    changed_.notify_all();
  }
  void wait_for(const std::string& event) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return seen_locked(event); });
  }
  bool seen(const std::string& event) {
    std::lock_guard lock(mu_);
    return seen_locked(event);
  }
  std::size_t position(const std::string& event) {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < events_.size(); ++i) {
      if (events_[i] == event) return i;
    }
    return events_.size();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
  bool released_ = false;

 private:
  bool seen_locked(const std::string& event) const {
    for (const auto& e : events_) {
      if (e == event) return true;
    }
    return false;
  }
};

TEST_F(WriteQueueTest, PostsWaitOnceEightMegabytesOfPagesAreQueued) {
  WriteQueue queue(*store_, /*rows_per_commit=*/1000, /*max_pending=*/100);
  ASSERT_EQ(WriteQueue::kDefaultMaxPendingBytes, 8 * kMB);
  // The writer is held inside a first job, so what is posted next stays queued.
  ASSERT_TRUE(queue
                  .post(
                      [this](store::Store&) -> Status {
                        log("writing 0");
                        {
                          std::unique_lock lock(mu_);
                          changed_.wait(lock, [&] { return released_; });
                        }
                        log("wrote 0");
                        return ok_status();
                      },
                      1, {}, false, 3 * kMB)
                  .ok());
  wait_for("writing 0");
  std::thread worker([&] {
    for (int i = 1; i <= 3; ++i) {
      log("posting " + std::to_string(i));
      Status s = queue.post(
          [this, i](store::Store&) -> Status {
            log("wrote " + std::to_string(i));
            return ok_status();
          },
          1, {}, false, 3 * kMB);
      EXPECT_TRUE(s.ok());
      log("posted " + std::to_string(i));
    }
  });
  // 3 + 3 MB fit in 8 MB; the third page of 3 MB does not while the first two wait.
  wait_for("posted 2");
  wait_for("posting 3");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // room for a wrong queue to let it through
  EXPECT_FALSE(seen("posted 3"));
  {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }
  worker.join();
  ASSERT_TRUE(queue.finish().ok());
  // The third post went only once the writer had finished the first job and taken a queued page off.
  EXPECT_LT(position("wrote 0"), position("posted 3"));
  EXPECT_LT(position("wrote 1"), position("wrote 2"));
  EXPECT_LT(position("wrote 2"), position("wrote 3"));
}

TEST_F(WriteQueueTest, APageBiggerThanTheBoundGoesAloneAndIsWritten) {
  WriteQueue queue(*store_, 1000, 100, /*max_pending_bytes=*/1 * kMB);
  std::vector<int> written;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queue
                    .post(
                        [&written, i](store::Store&) -> Status {
                          written.push_back(i);
                          return ok_status();
                        },
                        1, {}, false, 20 * kMB)
                    .ok());
  }
  ASSERT_TRUE(queue.finish().ok());
  EXPECT_EQ(written, (std::vector<int>{0, 1, 2}));
}

}  // namespace
}  // namespace crmsync::sync
