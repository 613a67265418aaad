// The Model the boards answer from, kept current without making requests wait for it. Reading a
// model means a scan of every table the boards use (seconds on a store of millions of records), so
// it is done by a thread of its own: a request whose snapshot shows a newer sync commit (or a new
// day) is answered at once from the model of the last commit that was read, and asks for a refresh,
// which reads the newest commit in one snapshot and then replaces the model whole. Every answer
// therefore reflects one committed state, a little behind while a refresh runs. Only a server with
// no model yet (its first request, right after start) waits for one. After each read the thread
// rests as long as the read took, so that a long sync committing page after page loses at most
// half a core to the refreshes. Internal to src/serve.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"
#include "common/timeutil.h"
#include "serve/model.h"
#include "store/store.h"

namespace crmsync::serve {

class ModelCache {
 public:
  using Load = std::function<Result<std::shared_ptr<const Model>>(store::ReadSnapshot&, EpochDays today)>;
  struct Options {
    Load load;                                  // reads a model from a snapshot
    std::function<EpochDays()> today;           // the day models are read for
    std::function<void()> before_refresh = {};  // called on the refresh thread before each read (tests hold it)
  };

  // Starts the refresh thread and a first read at once (the server warms up while it starts listening).
  ModelCache(store::StoreReader& reader, Options options);
  ~ModelCache();  // waits for a read in progress to end
  ModelCache(const ModelCache&) = delete;
  ModelCache& operator=(const ModelCache&) = delete;

  // The model for a request whose snapshot has store version `version`: the current model when it
  // was read at that version today; otherwise the current model all the same, with a refresh asked
  // for in the background. Without any model yet, waits for the read under way (its error, e.g.
  // NO_SYNC, when it fails).
  Result<std::shared_ptr<const Model>> get(const std::string& version);

  // After a write the store's version does not show (an accepted edit of `crmsync serve` itself,
  // which changes a deal but no sync state): reads the model again at once, without the rest, and
  // waits for that read up to `wait`. True when a model read after the call is current.
  bool reload(std::chrono::milliseconds wait);

 private:
  void run();
  void ask_locked(const std::string& version, EpochDays day);

  store::StoreReader& reader_;
  Options options_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::shared_ptr<const Model> model_;
  std::string model_version_;
  EpochDays model_day_ = 0;
  std::optional<Error> error_;          // of the last read, when it failed
  bool wanted_ = false;                 // a refresh is asked for
  bool urgent_ = false;                 // ... by reload(): no rest before it
  bool reading_ = false;                // a read is under way ...
  std::string reading_version_;         // ... of this version (empty until its snapshot is open)
  EpochDays reading_day_ = 0;
  std::uint64_t reads_done_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace crmsync::serve
