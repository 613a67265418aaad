// The retry policy without sockets: a scripted HttpTransport answers, the waits are recorded.
#include <gtest/gtest.h>

#include <deque>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "salesforce/client.h"
#include "salesforce/retry.h"

namespace crmsync::salesforce {
namespace {

class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::deque<Result<HttpResponse>> answers, int* calls)
      : answers_(std::move(answers)), calls_(calls) {}
  Result<HttpResponse> send(const HttpRequest&) override {
    ++*calls_;
    if (answers_.empty()) return HttpResponse{.status = 200, .body = "{}"};
    Result<HttpResponse> next = std::move(answers_.front());
    answers_.pop_front();
    return next;
  }

 private:
  std::deque<Result<HttpResponse>> answers_;
  int* calls_;
};

Error net(const char* code, int status = 0) { return Error(ErrorKind::kNetwork, code, std::string(code) + ".", status); }
HttpResponse answer(long status, std::string retry_after = "") {
  HttpResponse r{.status = status, .body = "x"};
  if (!retry_after.empty()) r.headers.emplace_back("Retry-After", std::move(retry_after));
  return r;
}

struct Harness {
  int calls = 0;
  std::vector<std::chrono::milliseconds> waits;
  std::unique_ptr<RetryingTransport> http;
  Harness(std::deque<Result<HttpResponse>> answers, int max_retries = 5, long base_ms = 100) {
    RetryPolicy p;
    p.max_retries = max_retries;
    p.base_delay = std::chrono::milliseconds(base_ms);
    p.max_delay = std::chrono::milliseconds(1000);
    p.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    http = std::make_unique<RetryingTransport>(std::make_unique<ScriptedTransport>(std::move(answers), &calls), p);
  }
};

HttpRequest get() { return {.method = "GET", .url = "http://127.0.0.1:1/x"}; }
HttpRequest post() { return {.method = "POST", .url = "http://127.0.0.1:1/x", .body = "{}"}; }

TEST(RetryTest, RetryableStatusesAndErrors) {
  for (long s : {500, 502, 503, 504, 520, 429, 420}) EXPECT_TRUE(is_retryable_status(s)) << s;
  for (long s : {200, 204, 400, 401, 403, 404, 409, 414, 501, 505}) EXPECT_FALSE(is_retryable_status(s)) << s;
  for (const char* c : {"CONNECTION_REFUSED", "TIMEOUT", "TRUNCATED_RESPONSE", "NETWORK_ERROR"}) {
    EXPECT_TRUE(is_retryable_network_error(net(c))) << c;
  }
  EXPECT_FALSE(is_retryable_network_error(net("HOST_NOT_FOUND")));
  EXPECT_FALSE(is_retryable_network_error(net("TLS_FAILURE")));
  EXPECT_FALSE(is_retryable_network_error(Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE", "x")));
}

TEST(RetryTest, ParsesRetryAfterSecondsAndDates) {
  EXPECT_EQ(parse_retry_after("", 0), -1);
  EXPECT_EQ(parse_retry_after("120", 0), 120);
  EXPECT_EQ(parse_retry_after("soon", 0), -1);
  // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30), 30);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30), 0);
}

TEST(RetryTest, BacksOffWithJitterUpToTheCapAndStopsAtMaxRetries) {
  std::deque<Result<HttpResponse>> answers;
  for (int i = 0; i < 10; ++i) answers.emplace_back(answer(503));
  Harness h(std::move(answers), /*max_retries=*/5, /*base_ms=*/100);
  auto r = h.http->send(get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503) << "the last answer is handed back for the caller to word";
  EXPECT_EQ(h.calls, 6);
  EXPECT_EQ(h.http->last_report().attempts, 6);
  ASSERT_EQ(h.waits.size(), 5u);
  const long full[] = {100, 200, 400, 800, 1000};  // doubling, capped at max_delay
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_GE(h.waits[i].count(), full[i] / 2) << i;
    EXPECT_LE(h.waits[i].count(), full[i]) << i;
  }
}

TEST(RetryTest, ZeroRetriesMeansOneAttempt) {
  Harness h({answer(503)}, /*max_retries=*/0);
  ASSERT_TRUE(h.http->send(get()).ok());
  EXPECT_EQ(h.calls, 1);
  EXPECT_TRUE(h.waits.empty());
}

TEST(RetryTest, ARequestsOwnMaxRetriesOverridesThePolicy) {
  // The policy would retry five times; this request (a page read ahead) asks for one attempt.
  Harness once({answer(503), net("CONNECTION_REFUSED")}, /*max_retries=*/5);
  SendHooks one;
  one.max_retries = 0;
  auto r = once.http->send(get(), one);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(once.calls, 1);
  EXPECT_TRUE(once.waits.empty());
  // And the other way: more retries than the policy's.
  Harness more({answer(503), answer(503), answer(200)}, /*max_retries=*/1);
  SendHooks two;
  two.max_retries = 2;
  auto again = more.http->send(get(), two);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(more.calls, 3);
  EXPECT_EQ(more.waits.size(), 2u);
}

TEST(RetryTest, RetryAfterRaisesTheWait) {
  Harness h({answer(429, "3"), answer(200)});
  auto r = h.http->send(get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(h.waits.size(), 1u);
  EXPECT_EQ(h.waits[0], std::chrono::seconds(3));
  EXPECT_EQ(h.http->last_report().retry_after_seconds, 3);
}

TEST(RetryTest, HostNotFoundAndClientErrorsAreNotRetried) {
  Harness a({net("HOST_NOT_FOUND")});
  EXPECT_FALSE(a.http->send(get()).ok());
  EXPECT_EQ(a.calls, 1);
  Harness b({answer(400)});
  EXPECT_EQ(b.http->send(get())->status, 400);
  EXPECT_EQ(b.calls, 1);
}

TEST(RetryTest, PostIsRepeatedOnlyWhenNothingWasSent) {
  Harness refused({net("CONNECTION_REFUSED"), answer(201)});
  auto r = refused.http->send(post());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(refused.calls, 2);

  for (auto first : {Result<HttpResponse>(net("TIMEOUT")), Result<HttpResponse>(net("TRUNCATED_RESPONSE", 201)),
                     Result<HttpResponse>(answer(503))}) {
    Harness h({first, answer(201)});
    auto once = h.http->send(post());
    EXPECT_EQ(h.calls, 1);
    EXPECT_TRUE(!once.ok() || once->status == 503);
  }

  HttpRequest token = post();
  token.idempotent = true;  // e.g. a login: asking twice is harmless
  Harness t({answer(503), answer(200)});
  EXPECT_EQ(t.http->send(token)->status, 200);
  EXPECT_EQ(t.calls, 2);
}

TEST(RetryTest, HooksSeeEveryAttemptAndTheGuardCanStopIt) {
  Harness h({answer(500), net("TRUNCATED_RESPONSE", 200), net("CONNECTION_REFUSED"), answer(200)});
  int before = 0, answered = 0, checked = 0;
  SendHooks hooks;
  hooks.before_send = [&]() -> Status {
    ++before;
    return ok_status();
  };
  hooks.on_answer = [&](const HttpResponse&) { ++answered; };
  hooks.check_body = [&](HttpResponse& r) -> Status {
    ++checked;
    if (checked == 1) return Error(ErrorKind::kNetwork, "MALFORMED_RESPONSE", "cut off", static_cast<int>(r.status));
    return ok_status();
  };
  auto r = h.http->send(get(), hooks);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(h.calls, 5) << "500, cut off, refused, 200 with a cut-off body, 200";
  EXPECT_EQ(before, 5);
  EXPECT_EQ(answered, 4) << "the refused connection never reached the server";
  EXPECT_EQ(checked, 2);

  Harness stopped({answer(500), answer(200)});
  int sends = 0;
  SendHooks guard;
  guard.before_send = [&]() -> Status {
    if (sends++ == 1) return Error(ErrorKind::kLimit, "QUOTA_GUARD", "paused");
    return ok_status();
  };
  auto g = stopped.http->send(get(), guard);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "QUOTA_GUARD");
  EXPECT_EQ(stopped.calls, 1);
}

TEST(RetryTest, ABodyRejectedForAnotherReasonIsNotRetried) {
  Harness h({answer(200), answer(200)});
  SendHooks hooks;
  hooks.check_body = [](HttpResponse&) -> Status { return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE", "no id"); };
  auto r = h.http->send(get(), hooks);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kSalesforce);
  EXPECT_EQ(h.calls, 1);
}

// Each retry is told before its wait (the CLI's progress line) and logged at info; each attempt is
// logged at debug with the method, the path (secrets in the query masked), the status, the
// milliseconds and the attempt; the report says how long the attempts took.
TEST(RetryTest, EachRetryIsToldAndLoggedAndEveryAttemptIsLoggedWithoutSecrets) {
  std::ostringstream lines;
  log::configure({.level = log::Level::kDebug, .format = log::Format::kJson, .out = &lines});
  std::vector<RetryNotice> notices;
  RetryPolicy p;
  p.max_retries = 3;
  p.base_delay = std::chrono::milliseconds(100);
  p.sleep = [](std::chrono::milliseconds) {};
  p.on_retry = [&](const RetryNotice& n) { notices.push_back(n); };
  int calls = 0;
  std::deque<Result<HttpResponse>> answers;
  answers.emplace_back(net("CONNECTION_REFUSED"));
  answers.emplace_back(answer(503));
  RetryingTransport http(std::make_unique<ScriptedTransport>(std::move(answers), &calls), p);
  HttpRequest request{.method = "GET",
                      .url = "https://user:hunter2@na1.example.com/services/data/v62.0/query?q=SELECT+Id&access_token=tok123",
                      .headers = {"Authorization: Bearer 00Dsecret!token"}};
  auto r = http.send(request);
  log::configure({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);

  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].attempt, 1);
  EXPECT_EQ(notices[0].max_attempts, 4);
  EXPECT_EQ(notices[0].reason, "CONNECTION_REFUSED");
  EXPECT_EQ(notices[1].attempt, 2);
  EXPECT_EQ(notices[1].reason, "HTTP 503");
  EXPECT_GT(notices[1].wait.count(), 0);
  EXPECT_EQ(notices[0].url, "https://user:***@na1.example.com/services/data/v62.0/query");

  int requests = 0, retries = 0;
  std::istringstream in(lines.str());
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);  // one JSON object per line
    if (j["event"] == "http") {
      ++requests;
      EXPECT_EQ(j["method"], "GET");
      EXPECT_EQ(j["attempt"], requests);
      EXPECT_TRUE(j["ms"].is_number());
      EXPECT_EQ(j["path"].get<std::string>().rfind("/services/data/v62.0/query?q=SELECT+Id", 0), 0u) << line;
    }
    if (j["event"] == "retry") ++retries;
  }
  EXPECT_EQ(requests, 3);
  EXPECT_EQ(retries, 2);
  for (const char* secret : {"hunter2", "tok123", "00Dsecret"}) {
    EXPECT_EQ(lines.str().find(secret), std::string::npos) << secret << " in\n" << lines.str();
  }
  EXPECT_NE(lines.str().find("\"status\":503"), std::string::npos) << lines.str();
  EXPECT_NE(lines.str().find("\"status\":200"), std::string::npos) << lines.str();
}

TEST(RetryTest, TheReportSaysHowManyAttemptsOverHowLong) {
  SendReport one{.attempts = 1};
  EXPECT_EQ(attempts_note(one), "");
  SendReport six{.attempts = 6, .elapsed = std::chrono::milliseconds(13240)};
  EXPECT_EQ(attempts_note(six), " Tried 6 times over 13.2 s.");
  Harness h({net("CONNECTION_REFUSED"), net("CONNECTION_REFUSED")}, /*max_retries=*/1);
  auto r = h.http->send(get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(h.http->last_report().attempts, 2);
  EXPECT_GE(h.http->last_report().elapsed.count(), 0);
}

}  // namespace
}  // namespace crmsync::salesforce

namespace crmsync::salesforce {
namespace {

// A server that trickles: every attempt takes `cost` on a clock the test moves by hand (the
// transport and the policy's sleep both move it) and ends in a timeout.
struct TricklingServer {
  std::chrono::steady_clock::time_point now{};
  std::chrono::milliseconds cost{0};
  std::vector<std::chrono::milliseconds> time_left;  // what each attempt was given
  std::vector<std::chrono::milliseconds> waits;

  std::unique_ptr<RetryingTransport> transport(int max_retries, std::chrono::milliseconds deadline) {
    struct Inner final : HttpTransport {
      TricklingServer* server;
      explicit Inner(TricklingServer* s) : server(s) {}
      Result<HttpResponse> send(const HttpRequest& request) override {
        server->time_left.push_back(request.time_left);
        server->now += std::min(server->cost, request.time_left.count() > 0 ? request.time_left : server->cost);
        return Error(ErrorKind::kNetwork, "TIMEOUT", "timed out.");
      }
    };
    RetryPolicy p;
    p.max_retries = max_retries;
    p.base_delay = std::chrono::milliseconds(1000);
    p.max_delay = std::chrono::milliseconds(1000);
    p.deadline = deadline;
    p.now = [this] { return now; };
    p.sleep = [this](std::chrono::milliseconds d) {
      waits.push_back(d);
      now += d;
    };
    return std::make_unique<RetryingTransport>(std::make_unique<Inner>(this), p);
  }
};

TEST(RetryDeadlineTest, NoAttemptStartsAfterTheDeadlineAndTheLastIsCutToIt) {
  // Issue #13: with 120-s attempts a trickling server kept one request going for minutes.
  TricklingServer server;
  server.cost = std::chrono::seconds(120);
  auto http = server.transport(/*max_retries=*/5, std::chrono::seconds(300));
  auto r = http->send(get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "TIMEOUT");
  EXPECT_TRUE(http->last_report().deadline_passed);
  ASSERT_EQ(server.time_left.size(), 3u) << "120 s + wait + 120 s + wait + what is left of 300 s";
  EXPECT_EQ(server.time_left[0], std::chrono::seconds(300));
  EXPECT_LE(server.time_left[2], std::chrono::seconds(60));
  EXPECT_LE(server.now - std::chrono::steady_clock::time_point{}, std::chrono::seconds(300))
      << "the whole request, waits included, ends by the deadline";
}

TEST(RetryDeadlineTest, AWaitThatWouldEndPastTheDeadlineIsNotWaited) {
  TricklingServer server;
  server.cost = std::chrono::milliseconds(9500);
  auto http = server.transport(/*max_retries=*/5, std::chrono::seconds(10));
  auto r = http->send(get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(server.time_left.size(), 1u);
  EXPECT_TRUE(server.waits.empty()) << "the 0.5..1 s backoff would end past the deadline";
  EXPECT_TRUE(http->last_report().deadline_passed);
}

TEST(RetryDeadlineTest, WithoutADeadlineEveryRetryRunsAndAttemptsKeepTheirOwnTimeout) {
  TricklingServer server;
  server.cost = std::chrono::seconds(120);
  auto http = server.transport(/*max_retries=*/2, std::chrono::milliseconds(0));
  auto r = http->send(get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(server.time_left, (std::vector<std::chrono::milliseconds>(3, std::chrono::milliseconds(0))));
  EXPECT_FALSE(http->last_report().deadline_passed);
}

}  // namespace
}  // namespace crmsync::salesforce
