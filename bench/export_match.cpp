// Matching speed of crmsync export: a store of about 1,000,000 imported records (Users, Accounts,
// Contacts, Leads, Opportunities, OpportunityContactRoles) generated directly into SQLite, the
// indexes built from it once, then activities matched against them. Prints the store size, the
// index build time and activities matched per second (target: 100,000/s or more).
//
//   ./build/bench_export_match [records] [activities]     (defaults 1000000 and 100000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/sfid.h"
#include "common/timeutil.h"
#include "export/matching.h"
#include "store/store.h"

namespace {

using crmsync::catalog::StorageClass;
using crmsync::store::Column;
using crmsync::store::Value;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void fill(crmsync::store::Store& store, const std::string& table, const std::vector<Column>& cols, std::int64_t n,
          const std::function<std::vector<Value>(std::int64_t)>& row) {
  if (!store.ensure_table(table, cols)) std::exit(1);
  auto w = store.writer(table, cols);
  if (!w || !store.begin()) std::exit(1);
  for (std::int64_t i = 0; i < n; ++i) {
    if (!(*w)->upsert(row(i))) std::exit(1);
    if (i % 50000 == 49999) {
      if (!store.commit() || !store.begin()) std::exit(1);
    }
  }
  if (!store.commit()) std::exit(1);
}

std::string id(const char* prefix, std::int64_t i) { return crmsync::make_sf_id(prefix, static_cast<std::uint64_t>(i + 1)); }

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t records = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const std::int64_t activities = argc > 2 ? std::atoll(argv[2]) : 100000;
  const std::int64_t users = 1000, accounts = records / 10, contacts = records * 4 / 10, leads = records / 5,
                     opps = records / 4, roles = records - users - accounts - contacts - leads - opps;
  auto dir = std::filesystem::temp_directory_path() / ("crmsync-bench-match-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto st = crmsync::store::Store::open("sqlite:" + (dir / "org.db").string());
  if (!st) return 1;
  auto& store = **st;
  const crmsync::EpochMs base = *crmsync::parse_datetime("2024-01-01T00:00:00Z");
  const crmsync::EpochMs day = 86400000;

  auto t0 = std::chrono::steady_clock::now();
  auto text = [](const std::string& s) -> Value { return s; };
  fill(store, "User", {{"Id", StorageClass::kText}, {"Email", StorageClass::kText}}, users,
       [&](std::int64_t i) { return std::vector<Value>{id("005", i), text("rep" + std::to_string(i) + "@corp.example")}; });
  fill(store, "Account", {{"Id", StorageClass::kText}, {"Website", StorageClass::kText}, {"IsDeleted", StorageClass::kBoolean}},
       accounts, [&](std::int64_t i) {
         return std::vector<Value>{id("001", i), text("https://www.company" + std::to_string(i) + ".example"), false};
       });
  fill(store, "Contact",
       {{"Id", StorageClass::kText}, {"Email", StorageClass::kText}, {"AccountId", StorageClass::kText},
        {"IsDeleted", StorageClass::kBoolean}, {"LastModifiedDate", StorageClass::kDateTime}},
       contacts, [&](std::int64_t i) {
         std::int64_t a = i % accounts;
         return std::vector<Value>{id("003", i), text("person" + std::to_string(i) + "@company" + std::to_string(a) + ".example"),
                                   id("001", a), false, text(crmsync::format_datetime_iso(base + (i % 365) * day))};
       });
  fill(store, "Lead",
       {{"Id", StorageClass::kText}, {"Email", StorageClass::kText}, {"IsDeleted", StorageClass::kBoolean},
        {"LastModifiedDate", StorageClass::kDateTime}},
       leads, [&](std::int64_t i) {
         return std::vector<Value>{id("00Q", i), text("lead" + std::to_string(i) + "@prospect" + std::to_string(i % 50000) + ".example"),
                                   false, text(crmsync::format_datetime_iso(base))};
       });
  fill(store, "Opportunity",
       {{"Id", StorageClass::kText}, {"AccountId", StorageClass::kText}, {"OwnerId", StorageClass::kText},
        {"CreatedDate", StorageClass::kDateTime}, {"CloseDate", StorageClass::kDate}, {"IsClosed", StorageClass::kBoolean},
        {"IsDeleted", StorageClass::kBoolean}},
       opps, [&](std::int64_t i) {
         crmsync::EpochMs created = base + (i % 300) * day;
         return std::vector<Value>{id("006", i), id("001", i % accounts), id("005", i % users),
                                   text(crmsync::format_datetime_iso(created)),
                                   text(crmsync::format_date(crmsync::days_of(created + 60 * day))), i % 3 == 0, false};
       });
  fill(store, "OpportunityContactRole",
       {{"Id", StorageClass::kText}, {"OpportunityId", StorageClass::kText}, {"ContactId", StorageClass::kText}}, roles,
       [&](std::int64_t i) {
         std::int64_t o = i % opps;
         return std::vector<Value>{id("00K", i), id("006", o), id("003", o % accounts)};
       });
  std::printf("store: %lld records (%lld users, %lld accounts, %lld contacts, %lld leads, %lld opportunities, %lld roles) written in %.1f s\n",
              static_cast<long long>(records), static_cast<long long>(users), static_cast<long long>(accounts),
              static_cast<long long>(contacts), static_cast<long long>(leads), static_cast<long long>(opps),
              static_cast<long long>(roles), seconds_since(t0));

  auto t1 = std::chrono::steady_clock::now();
  auto matcher = crmsync::exports::Matcher::build(store, {});
  if (!matcher) {
    std::fprintf(stderr, "%s\n", matcher.error().to_string().c_str());
    return 1;
  }
  std::printf("indexes built from the store in %.2f s\n", seconds_since(t1));

  // Activities: a host, one to three external participants (contacts, leads, unknown people at
  // known domains, strangers), spread over the year.
  std::mt19937_64 rng(42);
  std::vector<crmsync::exports::Activity> input(static_cast<std::size_t>(activities));
  for (auto& a : input) {
    a.id = "act" + std::to_string(rng());
    a.start = base + static_cast<crmsync::EpochMs>(rng() % 365) * day;
    a.end = a.start + 1800000;
    a.host_email = "rep" + std::to_string(rng() % users) + "@corp.example";
    int n = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) {
      std::uint64_t r = rng();
      std::string email;
      switch (r % 4) {
        case 0: email = "person" + std::to_string(r % contacts) + "@company" + std::to_string(r % contacts % accounts) + ".example"; break;
        case 1: email = "lead" + std::to_string(r % leads) + "@prospect" + std::to_string(r % leads % 50000) + ".example"; break;
        case 2: email = "new" + std::to_string(r) + "@company" + std::to_string(r % accounts) + ".example"; break;
        default: email = "someone" + std::to_string(r) + "@gmail.com"; break;
      }
      a.participants.push_back({"", email, "", false});
    }
  }
  auto t2 = std::chrono::steady_clock::now();
  std::int64_t matched = 0, with_opportunity = 0;
  for (const auto& a : input) {
    auto m = matcher->match(a);
    matched += m.matched() ? 1 : 0;
    with_opportunity += m.what.object == "Opportunity" ? 1 : 0;
  }
  double s = seconds_since(t2);
  std::printf("matched %lld activities in %.3f s: %.0f activities/s (%lld matched, %lld to an Opportunity)\n",
              static_cast<long long>(activities), s, static_cast<double>(activities) / s, static_cast<long long>(matched),
              static_cast<long long>(with_opportunity));
  st->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
