// The store contract (tests/unit/store/store_contract.h, the body unit_store runs on SQLite) on a
// real PostgreSQL server: each test a database of its own.
#include "../unit/store/store_contract.h"
#include "pg_support.h"

namespace crmsync::store {
namespace {

std::string postgres_url(const std::filesystem::path&) { return testing::pg_test_url(); }

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest, ::testing::Values(StoreUrlSource{"postgres", &postgres_url}),
                         store_source_name);

}  // namespace
}  // namespace crmsync::store
