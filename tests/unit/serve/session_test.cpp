// The session table of crmsync serve's sign-in: random ids, keyed lookups, expiry, single-use
// sign-in states; and the cookie header the server reads.
#include <gtest/gtest.h>

#include <set>

#include "serve/session.h"
#include "serve/signin.h"

namespace crmsync::serve {
namespace {

struct Clock {
  EpochMs now = 1'700'000'000'000;
  std::function<EpochMs()> fn() {
    return [this] { return now; };
  }
};

std::shared_ptr<Session> session_until(EpochMs expires, const std::string& user = "005000000000001AAA") {
  auto s = std::make_shared<Session>();
  s->user_id = user;
  s->expires = expires;
  return s;
}

TEST(SessionTableTest, IdsAndTokensAre256RandomBitsNeverRepeated) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string t = random_token();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
    EXPECT_TRUE(seen.insert(t).second);
  }
}

TEST(SessionTableTest, ACookieFindsItsSessionUntilItExpiresOrEnds) {
  Clock clock;
  SessionTable table("k" + std::string(40, 'x'), clock.fn());
  std::string a = table.add(session_until(clock.now + 1000, "005A"));
  std::string b = table.add(session_until(clock.now + 5000, "005B"));
  ASSERT_NE(table.find(a), nullptr);
  EXPECT_EQ(table.find(a)->user_id, "005A");
  EXPECT_EQ(table.find(a)->csrf_token.size(), 43u) << "each session gets its own anti-forgery token";
  EXPECT_NE(table.find(a)->csrf_token, table.find(b)->csrf_token);
  EXPECT_EQ(table.find("made-up"), nullptr);
  EXPECT_EQ(table.find(""), nullptr);
  EXPECT_EQ(table.find(a.substr(1)), nullptr);
  clock.now += 1000;
  EXPECT_EQ(table.find(a), nullptr) << "expired at its time";
  EXPECT_NE(table.find(b), nullptr);
  EXPECT_NE(table.remove(b), nullptr);
  EXPECT_EQ(table.find(b), nullptr) << "ended";
  EXPECT_EQ(table.size(), 0u);
}

TEST(SessionTableTest, TheSameCookieMeansNothingUnderAnotherKey) {
  Clock clock;
  SessionTable one(std::string(40, 'a'), clock.fn());
  SessionTable other(std::string(40, 'b'), clock.fn());
  std::string cookie = one.add(session_until(clock.now + 1000));
  EXPECT_NE(one.find(cookie), nullptr);
  EXPECT_EQ(other.find(cookie), nullptr);
}

TEST(SessionTableTest, ASignInStateIsGoodOnceAndForTenMinutes) {
  Clock clock;
  SessionTable table("", clock.fn());
  auto login = table.begin_login();
  ASSERT_TRUE(login);
  EXPECT_EQ(login->code_verifier.size(), 64u) << "PKCE allows 43 to 128 characters";
  auto again = table.begin_login();
  EXPECT_NE(again->state, login->state);
  auto taken = table.finish_login(login->state);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->code_verifier, login->code_verifier);
  EXPECT_FALSE(table.finish_login(login->state)) << "a state is good once";
  clock.now += 10 * 60 * 1000;
  EXPECT_FALSE(table.finish_login(again->state)) << "expired";
  EXPECT_FALSE(table.finish_login("unknown"));
}

TEST(SessionTableTest, SecretsCompareWhole) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "ab"));
  EXPECT_FALSE(same_secret("", "a"));
}

TEST(CookieTest, TheNamedCookieIsReadFromTheHeader) {
  EXPECT_EQ(cookie_value("a=1; crmsync_session=xyz; b=2", "crmsync_session"), "xyz");
  EXPECT_EQ(cookie_value("crmsync_session=xyz", "crmsync_session"), "xyz");
  EXPECT_EQ(cookie_value("crmsync_session_old=1;crmsync_session=2", "crmsync_session"), "2");
  EXPECT_EQ(cookie_value("xcrmsync_session=1", "crmsync_session"), "");
  EXPECT_EQ(cookie_value("", "crmsync_session"), "");
}

}  // namespace
}  // namespace crmsync::serve
