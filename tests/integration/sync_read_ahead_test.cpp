// One page of read-ahead in WindowReader (issue #4), against the emulator: the next page is asked
// for before the current one's rows reach the caller (so before they can be committed), each page
// is served once, every read-ahead asks the budget first, and a refused one is never sent.
#include <gtest/gtest.h>

#include "sync/window_reader.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;

std::int64_t api_used(salesforce::Client& admin) {
  auto usage = admin.get_json("/emulator/apiUsage");  // not an API call itself
  if (!usage) throw std::runtime_error(usage.error().to_string());
  return (*usage)["used"].get<std::int64_t>();
}

struct TaskReader {
  explicit TaskReader(const std::string& base_url) {
    cfg = testing::sync_config(base_url, dir.file("crmsync.db"));
    client = testing::login(cfg);
    auto describe = client->describe("Task");
    if (!describe) throw std::runtime_error(describe.error().to_string());
    auto sel = catalog::select_fields(*describe, cfg.selection_for("Task"));
    if (!sel) throw std::runtime_error(sel.error().to_string());
    selection = std::move(*sel);
    for (const auto& f : selection.fields) names.push_back(f.name);
    // The generated org's few Tasks (scale 25) are one page: this user adds some (it sees its own).
    for (int i = 0; i < 600; ++i) {
      auto id = client->create("Task", {{"Subject", "read-ahead " + std::to_string(i)}});
      if (!id) throw std::runtime_error(id.error().to_string());
    }
  }
  TempDir dir;
  config::Config cfg;
  std::unique_ptr<salesforce::Client> client;
  catalog::FieldSelection selection;
  std::vector<std::string> names;
};

TEST(SyncReadAheadTest, NextPageIsAskedForBeforeThisPageReachesTheCallerAndEachPageOnce) {
  RunningEmulator emu(25);
  TaskReader c(emu->base_url());
  auto admin = testing::admin_login(emu->base_url());
  int checks = 0;
  sync::WindowReader reader(*c.client, c.selection, c.names, sync::Window{}, 200, 16384, [&] {
    ++checks;
    return ok_status();
  });
  ASSERT_TRUE(reader.open().ok());
  const std::int64_t calls0 = c.client->api_calls(), used0 = api_used(*admin);
  sync::ReadBatch batch;
  auto more = reader.next(batch);
  ASSERT_TRUE(more.ok()) << more.error().to_string();
  ASSERT_TRUE(*more);
  ASSERT_GT(reader.total(), 600) << "the test needs at least four pages of 200";
  EXPECT_EQ(batch.rows.size(), 200u);
  EXPECT_EQ(c.client->api_calls() - calls0, 2) << "page 2 was asked for before page 1's rows were handed out";
  auto rows = static_cast<std::int64_t>(batch.rows.size());
  std::int64_t pages = 1;
  while (true) {
    more = reader.next(batch);
    ASSERT_TRUE(more.ok()) << more.error().to_string();
    if (!*more) break;
    rows += static_cast<std::int64_t>(batch.rows.size());
    ++pages;
    if (rows < reader.total()) {
      EXPECT_EQ(c.client->api_calls() - calls0, pages + 1) << "page " << pages + 1 << " is on its way";
    }
  }
  EXPECT_EQ(rows, reader.total());
  EXPECT_EQ(pages, (reader.total() + 199) / 200);
  EXPECT_EQ(c.client->api_calls() - calls0, pages) << "every read-ahead was used";
  EXPECT_EQ(checks, pages) << "each call, read-aheads included, asked the budget first";
  EXPECT_EQ(api_used(*admin) - used0, pages) << "the emulator served each page once";
}

TEST(SyncReadAheadTest, BudgetRefusalStopsTheReadAheadUnsent) {
  RunningEmulator emu(25);
  TaskReader c(emu->base_url());
  const std::int64_t calls0 = c.client->api_calls();
  // Room for two calls: page 1 and the read-ahead of page 2; page 3's read-ahead is refused.
  sync::WindowReader reader(*c.client, c.selection, c.names, sync::Window{}, 200, 16384, [&]() -> Status {
    if (c.client->api_calls() - calls0 >= 2) return Error(ErrorKind::kLimit, "QUOTA_GUARD", "paused: budget spent");
    return ok_status();
  });
  ASSERT_TRUE(reader.open().ok());
  sync::ReadBatch batch;
  std::int64_t rows = 0;
  Result<bool> more = true;
  while (true) {
    more = reader.next(batch);
    if (!more || !*more) break;
    rows += static_cast<std::int64_t>(batch.rows.size());
  }
  ASSERT_FALSE(more.ok()) << "the window has more than two pages";
  EXPECT_EQ(more.error().code, "QUOTA_GUARD");
  EXPECT_EQ(rows, 400) << "both pages paid for were read";
  EXPECT_EQ(c.client->api_calls() - calls0, 2) << "the refused read-ahead was not sent";
}

TEST(SyncReadAheadTest, FirstPageReadAheadCanBeTurnedOffForAPossibleBulkLoad) {
  RunningEmulator emu(25);
  TaskReader c(emu->base_url());
  const std::int64_t calls0 = c.client->api_calls();
  sync::WindowReader reader(*c.client, c.selection, c.names, sync::Window{}, 200, 16384, {});
  reader.set_read_ahead(true, /*on_first_page=*/false);
  ASSERT_TRUE(reader.open().ok());
  sync::ReadBatch batch;
  ASSERT_TRUE(*reader.next(batch));
  EXPECT_EQ(c.client->api_calls() - calls0, 1) << "nothing asked beyond the first page";
  ASSERT_TRUE(*reader.next(batch));
  EXPECT_EQ(c.client->api_calls() - calls0, 3) << "from the second page on it reads ahead";
}

TEST(SyncReadAheadTest, ReaderSplitIntoSeveralQueriesDoesNotReadAhead) {
  RunningEmulator emu(25);
  TaskReader c(emu->base_url());
  const std::int64_t calls0 = c.client->api_calls();
  // The largest URI limit that splits the field list in two or more queries.
  std::size_t limit = 16384;
  while (limit > 200) {
    sync::WindowReader probe(*c.client, c.selection, c.names, sync::Window{}, 200, limit, {});
    if (probe.open().ok() && probe.parts() >= 2) break;
    limit -= 100;
  }
  sync::WindowReader reader(*c.client, c.selection, c.names, sync::Window{}, 200, limit, {});
  ASSERT_TRUE(reader.open().ok());
  ASSERT_GE(reader.parts(), 2) << "the URI limit splits the field list";
  sync::ReadBatch batch;
  auto more = reader.next(batch);
  ASSERT_TRUE(more.ok()) << more.error().to_string();
  EXPECT_EQ(batch.rows.size(), 200u);
  EXPECT_EQ(c.client->api_calls() - calls0, reader.parts()) << "one page per query, nothing ahead";
}

}  // namespace
}  // namespace crmsync
