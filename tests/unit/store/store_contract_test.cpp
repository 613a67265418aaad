// The store contract (store_contract.h) on SQLite files.
#include "store_contract.h"

namespace crmsync::store {
namespace {

std::string sqlite_url(const std::filesystem::path& dir) { return "sqlite:" + (dir / "crmsync.db").string(); }

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(StoreUrlSource{"sqlite", &sqlite_url}),
                         store_source_name);

}  // namespace
}  // namespace crmsync::store
