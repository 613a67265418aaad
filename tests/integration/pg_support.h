// PostgreSQL for the tests: one server (pg_server.h) per test process, started on first use and
// stopped when the process ends. Each test gets a database of its own (pg_test_url()).
//
// No binaries: the test fails with a message saying what to install (never skipped).
//
// Tests over both stores are value-parameterized on StoreBackend:
//   class MyTest : public ::testing::TestWithParam<testing::StoreBackend> {};
//   TEST_P(MyTest, X) { TempDir dir; auto cfg = sync_config(url, testing::store_for(GetParam(), dir)); ... }
//   INSTANTIATE_TEST_SUITE_P(Stores, MyTest, testing::kBothStores, testing::backend_name);
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>

#include "pg_server.h"
#include "test_support.h"

namespace crmsync::testing {

// The process's server, started on first use and stopped when the process exits.
inline PgServer& pg_server() {
  static std::unique_ptr<PgServer> server;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (!server) server = std::make_unique<PgServer>();
  return *server;
}

// A fresh database of the process's server for the running test; the test fails (not skips) when
// no server can be started.
inline std::string pg_test_url() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string hint = info ? std::string(info->name()) : "bench";
  try {
    return pg_server().fresh_database(hint);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    throw;
  }
}

enum class StoreBackend { kSqlite, kPostgres };
inline const auto kBothStores = ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres);
inline std::string backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::kSqlite ? "sqlite" : "postgres";
}

// Where a test's store is: a SQLite file in `dir`, or a fresh PostgreSQL database. Either is
// accepted by emulator_config / sync_config / emulator_toml as their `db`.
inline std::string store_for(StoreBackend backend, const TempDir& dir, const std::string& file = "crmsync.db") {
  return backend == StoreBackend::kSqlite ? dir.file(file) : pg_test_url();
}

}  // namespace crmsync::testing
