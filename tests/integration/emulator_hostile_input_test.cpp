// The emulator against hostile requests over loopback: deep nesting, bodies that inflate without
// end, clients that trickle their headers, numbers no double holds and values of the wrong JSON
// type. Each is answered in Salesforce's error shape, and the emulator keeps serving.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <thread>

#include "emulator_http.h"
#include "salesforce/auth.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using testing::bearer;
using testing::loopback_client;
using testing::password_login;
using testing::RawConnection;
using testing::RunningEmulator;

const std::string kData = "/services/data/v62.0";

httplib::Response must(httplib::Result r) {
  if (!r) throw std::runtime_error("no answer from the emulator: " + httplib::to_string(r.error()));
  return *r;
}

std::string admin(int port) { return password_login(port, "admin@crmsync.test", "admin-pass"); }
std::string integration(int port) { return password_login(port, "integration@crmsync.test", "integration-pass"); }

httplib::Response post(int port, const std::string& token, const std::string& path, const std::string& body,
                       httplib::Headers headers = {}) {
  headers.merge(bearer(token));
  return must(loopback_client(port).Post(path.c_str(), headers, body, "application/json"));
}

// The first error of a Salesforce error body ("" when the body is not one).
std::string error_code(const httplib::Response& r) {
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_array() || body.empty() || !body[0].is_object() || !body[0].contains("errorCode")) return "";
  return body[0]["errorCode"].get<std::string>();
}

// A refusal in Salesforce's error shape, saying nothing of the emulator's insides.
void expect_refused(const httplib::Response& r, int status, const std::string& code, const std::string& request) {
  EXPECT_EQ(r.status, status) << request << " -> " << r.body;
  EXPECT_FALSE(r.has_header("EXCEPTION_WHAT")) << r.get_header_value("EXCEPTION_WHAT");
  EXPECT_EQ(error_code(r), code) << request << " -> " << r.body;
}

std::string nested(const std::string& open, const std::string& inside, const std::string& close, int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += inside;
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

// Still serving: a fresh login and a query answer.
void expect_alive(int port) {
  auto r = must(loopback_client(port).Get((kData + "/query?q=SELECT%20Id%20FROM%20User%20LIMIT%201").c_str(),
                                          bearer(integration(port))));
  EXPECT_EQ(r.status, 200) << r.body;
}

// ---- nesting ------------------------------------------------------------------------------------

TEST(EmulatorHostileInputTest, QueryNested20000DeepIsMalformedQueryOnEveryRoute) {
  RunningEmulator emu(3);
  const int port = emu->port();
  const std::string token = integration(port);  // read-only, as the attacker was
  const std::string soql = "SELECT Id FROM Account WHERE " + nested("(", "Name = 'x'", ")", 20000);

  auto job = post(port, token, kData + "/jobs/query", json{{"operation", "query"}, {"query", soql}}.dump());
  expect_refused(job, 400, "MALFORMED_QUERY", "/jobs/query");
  EXPECT_NE(job.body.find("Parentheses nest more than 100 levels deep"), std::string::npos) << job.body;

  // A composite subrequest's url carries the query past the URI length limit.
  const json sub = {{"referenceId", "deep"}, {"method", "GET"},
                    {"url", kData + "/query?q=" + httplib::detail::encode_query_param(soql)}};
  auto composite = post(port, token, kData + "/composite", json{{"compositeRequest", {sub}}}.dump());
  ASSERT_EQ(composite.status, 200) << composite.body;
  const json answer = json::parse(composite.body).at("compositeResponse").at(0);
  EXPECT_EQ(answer["httpStatusCode"], 400);
  EXPECT_EQ(answer.at("body").at(0).at("errorCode"), "MALFORMED_QUERY");
  expect_alive(port);
}

TEST(EmulatorHostileInputTest, QueryNestedWithinTheBoundStillRuns) {
  RunningEmulator emu(3);
  const std::string soql = "SELECT Id FROM Account WHERE " + nested("(", "Name = 'x'", ")", 100);
  auto r = must(loopback_client(emu->port())
                    .Get((kData + "/query?q=" + httplib::detail::encode_query_param(soql)).c_str(),
                         bearer(integration(emu->port()))));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(EmulatorHostileInputTest, JsonBodyNestedTooDeepIsJsonParserErrorOnEveryRoute) {
  RunningEmulator emu(3);
  const int port = emu->port();
  const std::string token = integration(port);
  const std::string deep = nested("[", "", "]", 100000);
  struct Case {
    std::string path, body;
  } cases[] = {
      {kData + "/composite/batch",
       R"({"batchRequests":[{"method":"POST","url":"v62.0/sobjects/Account","richInput":)" + deep + "}]}"},
      {kData + "/composite",
       R"({"compositeRequest":[{"referenceId":"a","method":"POST","url":"v62.0/sobjects/Account","body":)" + deep +
           "}]}"},
      {kData + "/composite/sobjects", R"({"records":[{"attributes":{"type":"Account"},"Name":)" + deep + "}]}"},
      {kData + "/sobjects/Account", R"({"Name":)" + deep + "}"},
      {kData + "/jobs/query", R"({"operation":"query","query":)" + deep + "}"},
  };
  for (const Case& c : cases) {
    auto r = post(port, token, c.path, c.body);
    expect_refused(r, 400, "JSON_PARSER_ERROR", c.path);
    EXPECT_NE(r.body.find("exceeds the maximum allowed (1000)"), std::string::npos) << c.path << ": " << r.body;
  }
  expect_alive(port);
}

// ---- body sizes ---------------------------------------------------------------------------------

// `inflated_bytes` of 'a', gzip-compressed a megabyte at a time (the test never holds them all).
std::string gzip_of_repeated_bytes(std::size_t inflated_bytes) {
  httplib::detail::gzip_compressor gzip;
  const std::string chunk(1 << 20, 'a');
  std::string out;
  for (std::size_t done = 0; done < inflated_bytes; done += chunk.size()) {
    const bool last = done + chunk.size() >= inflated_bytes;
    gzip.compress(chunk.data(), chunk.size(), last, [&](const char* data, std::size_t n) {
      out.append(data, n);
      return true;
    });
  }
  return out;
}

// The peak resident memory of process `pid` (VmHWM), in bytes.
std::size_t peak_rss(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    std::size_t kb = 0;
    if (key == "VmHWM:" && status >> kb) return kb * 1024;
  }
  return 0;
}

TEST(EmulatorHostileInputTest, GzipBodiesAreBoundedOnceInflatedAnd413) {
  testing::EmulatorProcess emu(3);
  const int port = emu.port();
  const std::string bomb = gzip_of_repeated_bytes(std::size_t{256} << 20);  // 256 MB in a quarter MB
  ASSERT_LT(bomb.size(), 1u << 20);
  const httplib::Headers gzip = {{"Content-Encoding", "gzip"}};
  const std::string token = admin(port);

  // Before any login: the token endpoint takes a small form.
  auto login = must(loopback_client(port).Post("/services/oauth2/token", gzip, bomb,
                                                "application/x-www-form-urlencoded"));
  expect_refused(login, 413, "JSON_PARSER_ERROR", "/services/oauth2/token");
  EXPECT_NE(login.body.find("Maximum size of request is 65536 bytes."), std::string::npos) << login.body;

  // Without a valid session the body is not even read.
  auto anonymous = post(port, "not-a-token", kData + "/sobjects/Account", bomb, gzip);
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;

  // With one, up to Salesforce's 50 MB.
  auto create = post(port, token, kData + "/sobjects/Account", bomb, gzip);
  EXPECT_EQ(create.status, 413) << create.body;
  EXPECT_EQ(create.body,
            R"([{"message":"Maximum size of request reached. Maximum size of request is 52428800 bytes.",)"
            R"("errorCode":"JSON_PARSER_ERROR"}])");
  // The 50 MB bound and the emulator's own org, never the 256 MB.
  EXPECT_LT(peak_rss(emu.pid()), std::size_t{200} << 20);

  // A body in bounds is still inflated and served.
  httplib::detail::gzip_compressor compressor;
  std::string account;
  const std::string text = R"({"Name":"Gzipped Inc"})";
  compressor.compress(text.data(), text.size(), true, [&](const char* d, std::size_t n) {
    account.append(d, n);
    return true;
  });
  auto created = post(port, token, kData + "/sobjects/Account", account, gzip);
  EXPECT_EQ(created.status, 201) << created.body;
}

TEST(EmulatorHostileInputTest, RawBodiesOverTheBoundAre413WhetherDeclaredOrChunked) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(3, 7);
  o.max_request_bytes = 1 << 20;
  RunningEmulator emu(o);
  const int port = emu->port();
  const std::string token = admin(port);
  const std::string big = R"({"Name":")" + std::string(2 << 20, 'x') + R"("})";

  auto declared = post(port, token, kData + "/sobjects/Account", big);
  EXPECT_EQ(declared.status, 413) << declared.body;
  EXPECT_NE(declared.body.find("Maximum size of request is 1048576 bytes."), std::string::npos) << declared.body;

  // Chunked: no Content-Length to refuse up front.
  std::size_t offset = 0;
  auto chunked = must(loopback_client(port).Post(
      (kData + "/sobjects/Account").c_str(), bearer(token),
      [&](std::size_t, httplib::DataSink& sink) {
        const std::size_t n = std::min<std::size_t>(64 << 10, big.size() - offset);
        sink.write(big.data() + offset, n);
        offset += n;
        if (offset == big.size()) sink.done();
        return true;
      },
      "application/json"));
  expect_refused(chunked, 413, "JSON_PARSER_ERROR", "chunked");
  expect_alive(port);
}

// ---- slow clients -------------------------------------------------------------------------------

TEST(EmulatorHostileInputTest, ClientsTricklingHeadersNeitherHoldUpOthersNorStayPastTheDeadline) {
  emulator::EmulatorOptions o = RunningEmulator::options_for(3, 7);
  o.header_timeout_ms = 1500;
  RunningEmulator emu(o);  // 8 threads to start with, as by default
  const int port = emu->port();

  // 40 clients send a request line, then a header line every 200 ms for 3 s, never the blank line.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 40; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port));
    slow.back()->send("GET /services/data/ HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    for (int i = 0; i < 15 && !done; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      for (auto& c : slow) c->send("X-Slow: 1\r\n");
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  const auto start = std::chrono::steady_clock::now();
  auto r = loopback_client(port).Get("/services/data/");
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
  EXPECT_LT(waited, std::chrono::milliseconds(1000)) << "a normal request waited behind the slow ones";

  // Each slow one is answered 408 once its headers are 1.5 s late, and its connection closes.
  for (auto& c : slow) {
    const std::string answer = c->receive(std::chrono::milliseconds(3000));
    EXPECT_EQ(answer.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << answer;
  }
  done = true;
  trickle.join();
}

TEST(EmulatorHostileInputTest, EndlessHeadersAre431) {
  RunningEmulator emu(3);
  RawConnection c(emu->port());
  c.send("GET /services/data/ HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (int i = 0; i < 200 && c.send("X-Filler: " + std::string(100, 'f') + "\r\n"); ++i) {
  }
  const std::string answer = c.receive(std::chrono::milliseconds(3000));
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << answer;
  expect_alive(emu->port());
}

// ---- numbers and JSON types ---------------------------------------------------------------------

TEST(EmulatorHostileInputTest, NumbersOutOfRangeAre400WithSalesforcesCodesAndNothingIsStored) {
  RunningEmulator emu(3);
  const int port = emu->port();
  const std::string token = admin(port);
  struct Case {
    std::string body, code, words;
  } cases[] = {
      {R"({"Name":"A","AnnualRevenue":1e400})", "JSON_PARSER_ERROR", "Numeric value (1e400) out of range of double"},
      {R"({"Name":"A","AnnualRevenue":)" + std::string(400, '9') + "}", "JSON_PARSER_ERROR", "out of range of double"},
      {R"({"Name":"A","AnnualRevenue":"NaN"})", "JSON_PARSER_ERROR",
       "Cannot deserialize instance of double from VALUE_STRING value NaN"},
      {R"({"Name":"A","AnnualRevenue":"inf"})", "JSON_PARSER_ERROR", "value inf"},
      {R"({"Name":"A","AnnualRevenue":"1e999"})", "NUMBER_OUTSIDE_VALID_RANGE",
       "Annual Revenue: value outside of valid range on numeric field: 1e999"},
      {R"({"Name":"A","AnnualRevenue":1e300})", "NUMBER_OUTSIDE_VALID_RANGE",
       "value outside of valid range on numeric field: 1.0E300"},
      {R"({"Name":"A","NumberOfEmployees":1e300})", "NUMBER_OUTSIDE_VALID_RANGE", "Employees: value outside"},
  };
  for (const Case& c : cases) {
    auto r = post(port, token, kData + "/sobjects/Account", c.body);
    expect_refused(r, 400, c.code, c.body);
    EXPECT_NE(r.body.find(c.words), std::string::npos) << r.body;
  }
  auto stored = must(loopback_client(port).Get(
      (kData + "/query?q=" + httplib::detail::encode_query_param("SELECT Id FROM Account WHERE Name = 'A'")).c_str(),
      bearer(token)));
  EXPECT_EQ(json::parse(stored.body)["totalSize"], 0) << stored.body;

  // Decimal strings are still numbers.
  auto fine = post(port, token, kData + "/sobjects/Account", R"({"Name":"B","AnnualRevenue":"1.5e3"})");
  EXPECT_EQ(fine.status, 201) << fine.body;
}

TEST(EmulatorHostileInputTest, NonNumbersAreRefusedOnEveryWriteRoute) {
  RunningEmulator emu(3);
  const int port = emu->port();
  const std::string token = admin(port);
  auto created = post(port, token, kData + "/sobjects/Account", R"({"Name":"Kept","AnnualRevenue":10})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];

  // Update.
  auto update = must(loopback_client(port).Patch((kData + "/sobjects/Account/" + id).c_str(), bearer(token),
                                                 R"({"AnnualRevenue":"NaN"})", "application/json"));
  expect_refused(update, 400, "JSON_PARSER_ERROR", "PATCH");

  // Collections: create, update and upsert on Id, each refusing that record.
  const json nan_record = {{"attributes", {{"type", "Account"}}}, {"Name", "C"}, {"AnnualRevenue", "inf"}};
  json with_id = nan_record;
  with_id["Id"] = id;
  for (const auto& [method, path, record] :
       {std::tuple{std::string("POST"), kData + "/composite/sobjects", nan_record},
        std::tuple{std::string("PATCH"), kData + "/composite/sobjects", with_id},
        std::tuple{std::string("PATCH"), kData + "/composite/sobjects/Account/Id", with_id}}) {
    const std::string body = json{{"records", {record}}}.dump();
    auto c = loopback_client(port);
    auto r = must(method == "POST" ? c.Post(path.c_str(), bearer(token), body, "application/json")
                                   : c.Patch(path.c_str(), bearer(token), body, "application/json"));
    ASSERT_EQ(r.status, 200) << method << " " << path << ": " << r.body;
    const json result = json::parse(r.body).at(0);
    EXPECT_EQ(result.at("success"), false) << method << " " << path << ": " << r.body;
    EXPECT_EQ(result.at("errors").at(0).at("statusCode"), "JSON_PARSER_ERROR") << r.body;
  }

  // Composite: the subrequest answers 400.
  const json sub = {{"referenceId", "a"}, {"method", "PATCH"}, {"url", kData + "/sobjects/Account/" + id},
                    {"body", {{"AnnualRevenue", "1e999"}}}};
  auto composite = post(port, token, kData + "/composite", json{{"compositeRequest", {sub}}}.dump());
  ASSERT_EQ(composite.status, 200) << composite.body;
  EXPECT_EQ(json::parse(composite.body).at("compositeResponse").at(0).at("httpStatusCode"), 400) << composite.body;

  // The stored value is untouched.
  auto read = must(loopback_client(port).Get((kData + "/sobjects/Account/" + id).c_str(), bearer(token)));
  EXPECT_EQ(json::parse(read.body)["AnnualRevenue"], 10.0) << read.body;
}

TEST(EmulatorHostileInputTest, WrongJsonTypesAre400NotInternalErrors) {
  RunningEmulator emu(3);
  const int port = emu->port();
  const std::string token = admin(port);
  struct Case {
    std::string path, body, code;
  } cases[] = {
      {kData + "/composite/sobjects", R"({"allOrNone":"yes","records":[]})", "JSON_PARSER_ERROR"},
      {kData + "/composite/batch", R"({"haltOnError":"yes","batchRequests":[]})", "JSON_PARSER_ERROR"},
      {kData + "/composite",
       R"({"allOrNone":[],"compositeRequest":[{"referenceId":"a","method":"GET","url":"v62.0/limits"}]})",
       "JSON_PARSER_ERROR"},
      {kData + "/composite", R"({"compositeRequest":[{"referenceId":"a","method":"GET","url":42}]})",
       "INVALID_API_INPUT"},
  };
  for (const Case& c : cases) {
    auto r = post(port, token, c.path, c.body);
    expect_refused(r, 400, c.code, c.body);
  }
  auto boolean_text = post(port, token, kData + "/composite/sobjects", R"({"allOrNone":"true","records":[]})");
  EXPECT_EQ(boolean_text.status, 200) << boolean_text.body;
}

TEST(EmulatorHostileInputTest, JwtPartsOfTheWrongTypeAreRefusedAsInvalid) {
  RunningEmulator emu(3);
  auto part = [](const json& j) { return salesforce::base64url(j.dump()); };
  const struct {
    json header, claims;
    std::string error;
  } cases[] = {
      {{{"alg", 5}}, {{"iss", "crmsync-local"}}, "invalid_grant"},
      {{{"alg", "RS256"}}, {{"iss", 5}, {"sub", {1, 2}}}, "invalid_client_id"},
  };
  for (const auto& c : cases) {
    const httplib::Params form = {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                                  {"assertion", part(c.header) + "." + part(c.claims) + ".c2ln"}};
    auto r = must(loopback_client(emu->port()).Post("/services/oauth2/token", form));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_FALSE(r.has_header("EXCEPTION_WHAT")) << r.get_header_value("EXCEPTION_WHAT");
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("error", ""), c.error) << r.body;
  }
}

// A route that throws (here: a broken row, as a bug would leave) answers as Salesforce does for its
// own failures, and says nothing about the cause.
TEST(EmulatorHostileInputTest, AnExceptionInARouteIs500UnknownExceptionWithoutInternals) {
  RunningEmulator emu(3);
  const int port = emu->port();
  const std::string token = admin(port);
  std::string object;
  {
    Database& db = emu->database();
    std::unique_lock lock(db.mutex());
    Table& types = *db.find("RecordType");
    Row& row = types.mutable_row(0);
    object = std::get<std::string>(row[*types.field_index("SobjectType")]);
    row[0] = std::int64_t{42};  // an Id that is not text
  }
  auto r = must(loopback_client(port).Get((kData + "/sobjects/" + object + "/describe").c_str(), bearer(token)));
  expect_refused(r, 500, "UNKNOWN_EXCEPTION", "describe");
  EXPECT_EQ(r.body.find("variant"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace crmsync::emulator
