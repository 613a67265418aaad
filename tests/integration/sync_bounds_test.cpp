// What the sync does with answers no Salesforce org gives (issue #13): text longer than its field's
// describe length is stored cut to that length with a warning, on the REST and the Bulk path; an
// answer larger than [salesforce] max_response_mb / max_bulk_results_mb fails that object with a
// clear error while the others sync.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/text.h"
#include "sync_support.h"

namespace crmsync {
namespace {

using testing::RunningEmulator;
using testing::TempDir;

// A multi-byte text of at least `bytes` bytes: é x y € over and over.
std::string huge_text(std::size_t bytes) {
  std::string s;
  s.reserve(bytes + 8);
  while (s.size() < bytes) s += "\xC3\xA9xy\xE2\x82\xAC";
  return s;
}

// The rows of `object` ordered as the emulator holds them: Name `huge` for the first `n`.
void give_huge_names(emulator::Emulator& emu, const std::string& object, std::size_t n, const std::string& huge) {
  testing::set_every_row(emu, object, "Name", [&](std::size_t r) {
    return emulator::Value{r < n ? huge : object + " " + std::to_string(r)};
  });
}

// One sync of cfg's objects into its store, which stays open for the test to read.
struct Synced {
  std::unique_ptr<store::Store> store;
  sync::SyncReport report;
};
Synced sync_once(const config::Config& cfg) {
  auto client = testing::login(cfg);
  auto st = store::Store::open(cfg.store.url);
  if (!st) throw std::runtime_error(st.error().to_string());
  auto report = sync::run_sync(cfg, *client, **st, {});
  if (!report) throw std::runtime_error(report.error().to_string());
  return {std::move(*st), std::move(*report)};
}

bool has_warning(const sync::ObjectReport& o, const std::string& text) {
  for (const auto& w : o.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

class SyncTextLengthTest : public ::testing::TestWithParam<bool> {};  // false: REST pages, true: Bulk CSV

TEST_P(SyncTextLengthTest, TextLongerThanTheFieldsLengthIsStoredCutToItAndReported) {
  const bool bulk = GetParam();
  RunningEmulator emu(6);
  TempDir dir;
  auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
  testing::only(cfg, {"Account"});
  if (bulk) cfg.sync.bulk_threshold = 0;  // every full load through Bulk API 2.0
  const std::string huge = huge_text(10u << 20);
  give_huge_names(*emu, "Account", 3, huge);
  Synced run = sync_once(cfg);
  const auto& account = testing::report_for(run.report, "Account");
  ASSERT_EQ(account.outcome, sync::ObjectReport::Outcome::kSynced) << account.message;
  EXPECT_EQ(account.bulk, bulk);
  EXPECT_TRUE(has_warning(account, "Account.Name: 3 values were longer than the field's length in describe (255 "
                                   "characters) and were stored cut to 255 characters"))
      << (account.warnings.empty() ? "no warning" : account.warnings.front());
  std::size_t cut = 0;
  for (const auto& [id, row] : testing::store_rows(*run.store, "Account")) {
    const auto& name = std::get<std::string>(row.at("Name"));
    if (name.size() <= 255) continue;  // an ordinary name
    ++cut;
    EXPECT_EQ(utf8_length(name), 255u) << id;
    EXPECT_EQ(name, utf8_prefix(huge, 255)) << id << ": a prefix, never a split UTF-8 sequence";
  }
  EXPECT_EQ(cut, 3u);
  run.store.reset();
  EXPECT_LT(std::filesystem::file_size(dir.file("crmsync.db")), 2u << 20) << "the store did not take the 30 MB";
}

INSTANTIATE_TEST_SUITE_P(RestAndBulk, SyncTextLengthTest, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Bulk" : "Rest"; });

TEST(SyncBoundsTest, AnAnswerAboveTheBoundFailsThatObjectWithAClearErrorAndTheOthersSync) {
  RunningEmulator emu(6);
  give_huge_names(*emu, "Account", 1, huge_text(3u << 20));
  for (bool bulk : {false, true}) {
    TempDir dir;
    auto cfg = testing::sync_config(emu->base_url(), dir.file("crmsync.db"));
    testing::only(cfg, {"Account", "Contact"});
    // Bulk: the first REST page (which decides the path) is within the JSON bound, the CSV page is not.
    (bulk ? cfg.salesforce.max_bulk_results_mb : cfg.salesforce.max_response_mb) = 1;
    if (bulk) cfg.sync.bulk_threshold = 0;
    Synced run = sync_once(cfg);
    const auto& account = testing::report_for(run.report, "Account");
    EXPECT_EQ(account.outcome, sync::ObjectReport::Outcome::kFailed) << (bulk ? "bulk" : "rest");
    EXPECT_NE(account.message.find("RESPONSE_TOO_LARGE: The answer to GET "), std::string::npos) << account.message;
    EXPECT_NE(account.message.find("was larger than 1 MB (decompressed)"), std::string::npos) << account.message;
    EXPECT_NE(account.message.find(bulk ? "raise [salesforce] max_bulk_results_mb" : "raise [salesforce] max_response_mb"),
              std::string::npos)
        << account.message;
    const auto& contact = testing::report_for(run.report, "Contact");
    EXPECT_EQ(contact.outcome, sync::ObjectReport::Outcome::kSynced) << contact.message;
    EXPECT_GT(contact.records, 0);
    EXPECT_EQ(sync::exit_code(run.report), 1);
  }
}

}  // namespace
}  // namespace crmsync
