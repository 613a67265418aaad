// The boards' model cache over a fake store whose version the test moves: the first request waits
// for the first model, later ones never wait for a refresh, a failed refresh keeps the last model.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "serve/model_cache.h"

namespace crmsync::serve {
namespace {

// A store whose committed state is just a number, its version: the model read from version N holds
// N deals (a negative version is a store that cannot be read).
class FakeSnapshot final : public store::ReadSnapshot {
 public:
  explicit FakeSnapshot(int version) : version_(version) {}
  Status scan(std::string_view, const std::vector<std::string>&, const store::Store::RowCallback&) override {
    return ok_status();
  }
  Result<std::vector<store::ColumnInfo>> columns(std::string_view) override { return std::vector<store::ColumnInfo>{}; }
  Result<std::vector<store::SyncState>> sync_states() override { return std::vector<store::SyncState>{}; }
  Result<std::vector<store::SearchHit>> search(const store::SearchRequest&) override {
    return std::vector<store::SearchHit>{};
  }
  Result<std::string> version() override { return std::to_string(version_); }
  int number() const { return version_; }

 private:
  int version_;
};

class FakeReader final : public store::StoreReader {
 public:
  Result<std::unique_ptr<store::ReadSnapshot>> snapshot() override {
    return std::unique_ptr<store::ReadSnapshot>(new FakeSnapshot(version.load()));
  }
  std::atomic<int> version{1};
};

// Holds the refresh thread before a read while `hold` is set.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false;
  int waiting = 0;
  void pass() {
    std::unique_lock lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait(lock, [&] { return !hold; });
    --waiting;
  }
  void close() {
    std::lock_guard lock(mu);
    hold = true;
  }
  void open() {
    {
      std::lock_guard lock(mu);
      hold = false;
    }
    cv.notify_all();
  }
  bool wait_for_a_read() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return waiting > 0; });
  }
};

class ModelCacheTest : public ::testing::Test {
 protected:
  ModelCache::Options options() {
    return {[this](store::ReadSnapshot& snap, EpochDays) -> Result<std::shared_ptr<const Model>> {
              ++reads;
              int n = static_cast<FakeSnapshot&>(snap).number();
              if (n < 0) return Error(ErrorKind::kStore, "BROKEN", "the store cannot be read");
              auto m = std::make_shared<Model>();
              m->deals.resize(static_cast<std::size_t>(n + unseen.load()));
              return std::shared_ptr<const Model>(m);
            },
            [] { return EpochDays(20000); }, [this] { gate.pass(); }};
  }
  static std::size_t deals_of(const Result<std::shared_ptr<const Model>>& m) { return m.ok() ? (*m)->deals.size() : 999; }
  // Asks until the model of version `n` is served (the refresh runs in the background).
  std::size_t served_once_read(ModelCache& cache, int n) {
    for (int i = 0; i < 1000; ++i) {
      auto m = cache.get(std::to_string(n));
      if (deals_of(m) == static_cast<std::size_t>(n)) return deals_of(m);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return deals_of(cache.get(std::to_string(n)));
  }

  FakeReader reader;
  Gate gate;
  std::atomic<int> reads{0};
  std::atomic<int> unseen{0};  // deals written without a new version (crmsync serve's own edits)
};

TEST_F(ModelCacheTest, TheFirstRequestWaitsForTheFirstModelAndLaterOnesReuseIt) {
  ModelCache cache(reader, options());
  EXPECT_EQ(deals_of(cache.get("1")), 1u);
  EXPECT_EQ(deals_of(cache.get("1")), 1u);
  EXPECT_EQ(reads.load(), 1) << "an unchanged store is read once";
}

TEST_F(ModelCacheTest, ARequestAfterACommitIsAnsweredFromTheLastModelWhileTheNextIsRead) {
  ModelCache cache(reader, options());
  ASSERT_EQ(deals_of(cache.get("1")), 1u);
  gate.close();
  reader.version = 2;
  EXPECT_EQ(deals_of(cache.get("2")), 1u) << "the last model, at once";
  ASSERT_TRUE(gate.wait_for_a_read()) << "no refresh started";
  for (int i = 0; i < 20; ++i) EXPECT_EQ(deals_of(cache.get("2")), 1u) << "still the last model while the refresh is held";
  gate.open();
  EXPECT_EQ(served_once_read(cache, 2), 2u);
  EXPECT_EQ(reads.load(), 2) << "requests during the refresh asked for no second read";
}

TEST_F(ModelCacheTest, AFailedRefreshKeepsTheLastModelAndWithoutOneTheErrorIsTheAnswer) {
  reader.version = -1;
  {
    ModelCache broken(reader, options());
    auto m = broken.get("-1");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, "BROKEN");
  }
  reader.version = 3;
  ModelCache cache(reader, options());
  ASSERT_EQ(deals_of(cache.get("3")), 3u);
  reader.version = -1;
  EXPECT_EQ(deals_of(cache.get("-1")), 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(deals_of(cache.get("-1")), 3u) << "the refresh failed: the last model is served still";
}

// An accepted edit changes a deal but no sync state, so the version stays: reload() reads the model
// again at once and waits for it, and requests of the same version then get the new one.
TEST_F(ModelCacheTest, AReloadReadsAWriteTheVersionDoesNotShowAndWaitsForIt) {
  ModelCache cache(reader, options());
  ASSERT_EQ(deals_of(cache.get("1")), 1u);
  unseen = 5;
  EXPECT_EQ(deals_of(cache.get("1")), 1u) << "the same version: no read";
  EXPECT_EQ(reads.load(), 1);
  EXPECT_TRUE(cache.reload(std::chrono::seconds(10)));
  EXPECT_EQ(reads.load(), 2);
  EXPECT_EQ(deals_of(cache.get("1")), 6u) << "the model read after the write";
  gate.close();
  unseen = 7;
  EXPECT_FALSE(cache.reload(std::chrono::milliseconds(50))) << "a read held past the wait is not current";
  EXPECT_EQ(deals_of(cache.get("1")), 6u);
  gate.open();
  EXPECT_EQ(served_once_read(cache, 8), 8u) << "the held read ends and brings the write";
}

}  // namespace
}  // namespace crmsync::serve
