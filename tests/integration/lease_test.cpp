// The registry's leases on a real PostgreSQL database, as workers use them: workers asking at once
// get different orgs, an expired lease is granted again and the old holder's renewals fail, and a
// renewal that comes after the lease was freed does not hold the org again.
#include <gtest/gtest.h>

#include "fleet/leases.h"
#include "worker_support.h"

namespace crmsync::testing {
namespace {

using store::postgres::Connection;

std::unique_ptr<Connection> connect(const std::string& url) {
  auto c = Connection::open(store::OpenOptions{url});
  if (!c) throw std::runtime_error(c.error().to_string());
  return std::move(*c);
}

// A registry holding the orgs `names` (settings are not read here).
std::unique_ptr<fleet::Registry> registry_with(const std::string& url, const std::vector<std::string>& names) {
  auto r = fleet::Registry::open({url, ""}, /*create=*/true);
  if (!r) throw std::runtime_error(r.error().to_string());
  for (const auto& name : names) {
    Status added = (*r)->add({name, name, "", {}});
    if (!added) throw std::runtime_error(added.error().to_string());
  }
  return std::move(*r);
}

fleet::Lease lease_of(Result<std::optional<fleet::Lease>> got) {
  if (!got) throw std::runtime_error(got.error().to_string());
  if (!*got) throw std::runtime_error("no org was leased");
  return **got;
}

TEST(LeaseTest, WorkersAskingAtOnceGetDifferentOrgsAndAnExpiredLeaseIsGrantedAgain) {
  const std::string url = pg_test_url();
  auto registry = registry_with(url, {"acme", "globex"});
  auto one = connect(url), two = connect(url);
  fleet::Lease first = lease_of(fleet::acquire_lease(*one, "w1", 60));
  fleet::Lease second = lease_of(fleet::acquire_lease(*two, "w2", 60));
  EXPECT_NE(first.org.name, second.org.name);
  auto none = fleet::acquire_lease(*one, "w1", 60);
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_FALSE(none->has_value()) << "both orgs are held";
  EXPECT_EQ(org_state(*registry, first.org.name).holder, "w1");

  // w1 stops renewing: once its lease has expired, w2 is granted the org, and w1's renewals fail.
  ASSERT_TRUE(one->run("UPDATE crmsync.orgs SET lease_expires = clock_timestamp() - interval '1 second' WHERE name = '" +
                           first.org.name + "'",
                       "expire"));
  EXPECT_TRUE(org_state(*registry, first.org.name).lease_expired);
  fleet::Lease taken = lease_of(fleet::acquire_lease(*two, "w2", 60));
  EXPECT_EQ(taken.org.name, first.org.name);
  EXPECT_NE(taken.token, first.token);
  auto renewed = fleet::renew_lease(*one, first.org.name, first.token, 60);
  ASSERT_TRUE(renewed.ok()) << renewed.error().to_string();
  EXPECT_FALSE(*renewed) << "the lease is w2's now";
  EXPECT_TRUE(*fleet::renew_lease(*two, taken.org.name, taken.token, 60));
  EXPECT_EQ(org_state(*registry, first.org.name).holder, "w2");
}

TEST(LeaseTest, ARenewalThatComesAfterTheReleaseDoesNotHoldTheOrgAgain) {
  const std::string url = pg_test_url();
  auto registry = registry_with(url, {"acme"});
  auto conn = connect(url);
  fleet::Lease lease = lease_of(fleet::acquire_lease(*conn, "w1", 60));
  ASSERT_TRUE(fleet::release_lease(*conn, lease, /*retry_seconds=*/0));
  // The worker's renewal thread took its list of leases just before the release.
  auto renewed = fleet::renew_lease(*conn, lease.org.name, lease.token, 60);
  ASSERT_TRUE(renewed.ok()) << renewed.error().to_string();
  EXPECT_FALSE(*renewed);
  EXPECT_TRUE(org_state(*registry, "acme").holder.empty());
  auto again = fleet::acquire_lease(*conn, "w2", 60);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(again->has_value()) << "the freed org is due and free, not held by a late renewal";
}

}  // namespace
}  // namespace crmsync::testing
