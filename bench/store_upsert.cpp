// Upsert throughput of the SQLite store for 17-column Opportunity rows, as a full sync writes them:
// Ids in random order (a full sync ordered by SystemModstamp delivers them so), the watermark saved
// in the same transaction as each batch. Prints rows/s per configuration; figures are noisy on a
// shared machine, the ratios are what matter (see docs: performance-notes.md). The "appended"
// rows are a first full load as the sync writes it into an empty table: no Id index while rows are
// appended, the index built at the end (included in the time).
//
//   ./build/bench_store_upsert [rows]     (default 200000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "common/sfid.h"
#include "common/timeutil.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace {

using crmsync::catalog::StorageClass;
using crmsync::store::Column;
using crmsync::store::Store;
using crmsync::store::Value;

const std::vector<Column> kOpportunity = {
    {"Id", StorageClass::kText},           {"AccountId", StorageClass::kText},
    {"Amount", StorageClass::kReal},       {"CloseDate", StorageClass::kDate},
    {"CreatedDate", StorageClass::kDateTime}, {"IsClosed", StorageClass::kBoolean},
    {"IsDeleted", StorageClass::kBoolean}, {"IsWon", StorageClass::kBoolean},
    {"Name", StorageClass::kText},         {"OwnerId", StorageClass::kText},
    {"StageName", StorageClass::kText},    {"LastModifiedDate", StorageClass::kDateTime},
    {"SystemModstamp", StorageClass::kDateTime}, {"LastActivityDate", StorageClass::kDate},
    {"LeadSource", StorageClass::kText},   {"Probability", StorageClass::kReal},
    {"Type", StorageClass::kText},
};

struct Run {
  const char* label;
  bool random_ids;
  int commit_every;
  std::optional<crmsync::store::sqlite::SqliteOptions> options;  // nullopt: Store::open defaults
  bool sort_pages = false;  // each 2,000-row page sorted by Id before its upserts (what the sync's writer does)
  bool append = false;      // begin_append, kAppend writer, ensure_id_index at the end (timed)
};

void fill_row(std::vector<Value>& row, const std::string& id, std::uint64_t serial, std::mt19937_64& rng) {
  static const char* const stages[] = {"Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"};
  crmsync::EpochMs modstamp = 1700000000000 + static_cast<crmsync::EpochMs>(serial) * 1000;
  std::string stamp = crmsync::format_datetime_iso(modstamp);
  row[0] = id;
  row[1] = crmsync::make_sf_id("001", rng() % 50000);
  row[2] = static_cast<double>(rng() % 1000000) / 100.0;
  row[3] = std::string("2025-06-30");
  row[4] = stamp;
  row[5] = (serial % 3) == 0;
  row[6] = false;
  row[7] = (serial % 6) == 0;
  row[8] = "Opportunity " + std::to_string(serial);
  row[9] = crmsync::make_sf_id("005", rng() % 200);
  row[10] = std::string(stages[serial % 5]);
  row[11] = stamp;
  row[12] = stamp;
  row[13] = std::string("2025-01-15");
  row[14] = std::string("Web");
  row[15] = static_cast<double>(serial % 101);
  row[16] = std::string("New Business");
}

int run(const Run& r, const std::filesystem::path& dir, std::uint64_t rows) {
  std::filesystem::path file = dir / "bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  auto opened = r.options ? crmsync::store::sqlite::SqliteStore::open(file.string(), *r.options)
                          : Store::open("sqlite:" + file.string());
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().to_string().c_str());
    return 1;
  }
  Store& store = **opened;
  auto fail = [](const crmsync::Error& e) {
    std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  };
  if (auto s = store.ensure_table("Opportunity", kOpportunity); !s) return fail(s.error());
  if (r.append) {
    auto a = store.begin_append("Opportunity");
    if (!a) return fail(a.error());
    if (!*a) {
      std::fprintf(stderr, "%s: the fresh table kept its Id index\n", r.label);
      return 1;
    }
  }
  auto writer =
      store.writer("Opportunity", kOpportunity, r.append ? crmsync::store::WriteMode::kAppend : crmsync::store::WriteMode::kUpsert);
  if (!writer) return fail(writer.error());

  std::vector<std::uint64_t> serials(rows);
  std::iota(serials.begin(), serials.end(), 0);
  std::mt19937_64 rng(42);
  if (r.random_ids) std::shuffle(serials.begin(), serials.end(), rng);
  if (r.sort_pages) {
    for (std::size_t from = 0; from < serials.size(); from += 2000) {
      auto last = serials.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(from + 2000, serials.size()));
      std::sort(serials.begin() + static_cast<std::ptrdiff_t>(from), last, [](std::uint64_t a, std::uint64_t b) {
        return crmsync::make_sf_id("006", a) < crmsync::make_sf_id("006", b);
      });
    }
  }

  std::vector<Value> row(kOpportunity.size());
  crmsync::store::SyncState state{.object = "Opportunity"};
  auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < rows; ++i) {
    if (i % r.commit_every == 0) {
      if (auto s = store.begin(); !s) return fail(s.error());
    }
    // The modstamp order is i; the Id order is the serial's (random when shuffled).
    fill_row(row, crmsync::make_sf_id("006", serials[i]), i, rng);
    if (auto s = (*writer)->upsert(row); !s) return fail(s.error());
    if ((i + 1) % r.commit_every == 0 || i + 1 == rows) {
      state.watermark = 1700000000000 + static_cast<crmsync::EpochMs>(i) * 1000;
      state.watermark_id = std::get<std::string>(row[0]);
      if (auto s = store.save_state(state); !s) return fail(s.error());
      if (auto s = store.commit(); !s) return fail(s.error());
    }
  }
  double index_seconds = 0;
  if (r.append) {
    auto index_start = std::chrono::steady_clock::now();
    if (auto s = store.begin(); !s) return fail(s.error());
    if (auto s = store.ensure_id_index("Opportunity"); !s) return fail(s.error());
    if (auto s = store.commit(); !s) return fail(s.error());
    index_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - index_start).count();
    auto has = store.has_id_index("Opportunity");
    if (!has || !*has) {
      std::fprintf(stderr, "%s: no Id index after the load\n", r.label);
      return 1;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto count = store.count_rows("Opportunity");
  if (!count || static_cast<std::uint64_t>(*count) != rows) {
    std::fprintf(stderr, "%s: expected %llu rows\n", r.label, static_cast<unsigned long long>(rows));
    return 1;
  }
  std::printf("%-58s %9.0f rows/s  (%.2f s", r.label, static_cast<double>(rows) / seconds, seconds);
  if (r.append) std::printf(", of which index %.2f s", index_seconds);
  std::printf(")\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_bench_XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  std::filesystem::path dir = tmpl;

  crmsync::store::sqlite::SqliteOptions sqlite_default_checkpoint;
  sqlite_default_checkpoint.wal_autocheckpoint_pages = 1000;
  crmsync::store::sqlite::SqliteOptions one_sorter_thread;
  one_sorter_thread.sorter_threads = 0;
  const Run runs[] = {
      {"random Ids, commit every 2,000", true, 2000, std::nullopt},
      {"random Ids, commit every 20,000", true, 20000, std::nullopt},
      {"random Ids, commit every 2,000, SQLite's 1,000-page ckpt", true, 2000, sqlite_default_checkpoint},
      {"random Ids, commit every 20,000, pages sorted by Id", true, 20000, std::nullopt, true},
      {"Ids in order, commit every 2,000", false, 2000, std::nullopt},
      {"fresh table, appended without index, index built at the end", true, 20000, std::nullopt, false, true},
      {"same, PRAGMA threads=0 for the index sort", true, 20000, one_sorter_thread, false, true},
  };
  std::printf("SQLite %s, %llu upserts of 17-column Opportunity rows, watermark saved with each commit\n",
              sqlite3_libversion(), static_cast<unsigned long long>(rows));
  int rc = 0;
  for (const Run& r : runs) rc |= run(r, dir, rows);
  std::filesystem::remove_all(dir);
  return rc;
}
