// salesforce::Client against a tiny fake Salesforce (cpp-httplib on a loopback port): login, paging,
// errors, limits, writes, retries and re-login, over real HTTP. Tests can script the next answers to
// a path (Salesforce's documented bodies, 5xx, dropped connections) and read the order of requests.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "common/text.h"
#include "emulator_http.h"
#include "salesforce/bulk.h"
#include "salesforce/client.h"
#include "salesforce/page_records.h"
#include "test_support.h"

namespace crmsync::salesforce {
namespace {

constexpr const char* kUser = "integration@x";
constexpr const char* kPassword = "Pa55w0rd!tokenXYZ";
constexpr const char* kSecret = "client-secret-123";
constexpr const char* kToken = "00D000000000001!AQ0.token";
constexpr const char* kOrgId = "00D50000000IZ3ZEAW";
constexpr const char* kUserId = "00550000001fg5OAAQ";
constexpr const char* kJwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

std::string base64url_decode(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-' ? 62 : c == '_' ? 63 : -1;
    if (v < 0) return {};
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// Checks an RS256 JWT's signature with the public half of `key`.
bool jwt_signature_valid(EVP_PKEY* key, const std::string& jwt) {
  auto dot = jwt.rfind('.');
  if (dot == std::string::npos) return false;
  std::string input = jwt.substr(0, dot), signature = base64url_decode(jwt.substr(dot + 1));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

nlohmann::json jwt_part(const std::string& jwt, int index) {
  auto first = jwt.find('.'), last = jwt.rfind('.');
  std::string part = index == 0 ? jwt.substr(0, first) : jwt.substr(first + 1, last - first - 1);
  return nlohmann::json::parse(base64url_decode(part), nullptr, false);
}

// One scripted answer: served instead of the route's normal one.
struct Reply {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  bool drop = false;  // send the status line and part of the body, then close the connection
  int trickle_ms = 0;  // send the body one byte every trickle_ms (a server that trickles)
  // httplib gzips application/json itself when the client accepts gzip: a body that is already
  // compressed goes out under a type it leaves alone.
  std::string content_type = "application/json";
};

class FakeSalesforce {
 public:
  FakeSalesforce() {
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      requests_.push_back(req.method + " " + req.path);
      if (req.path.ends_with("/results")) locators_.push_back(req.get_param_value("locator"));
      last_accept_encoding_ = req.get_header_value("Accept-Encoding");
      auto it = scripts_.find(req.path);
      if (it == scripts_.end() || it->second.empty()) return httplib::Server::HandlerResponse::Unhandled;
      Reply reply = std::move(it->second.front());
      it->second.pop_front();
      res.status = reply.status;
      for (const auto& [name, value] : reply.headers) res.set_header(name, value);
      if (reply.trickle_ms > 0) {
        auto body = std::make_shared<std::string>(std::move(reply.body));
        res.set_content_provider(body->size(), "application/json",
                                 [this, body, ms = reply.trickle_ms](size_t offset, size_t, httplib::DataSink& sink) {
                                   if (stopping_ || offset >= body->size()) return false;
                                   std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                                   return sink.write(body->data() + offset, 1);
                                 });
      } else if (reply.drop) {
        res.set_content_provider(1000, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
          sink.write("{\"totalSize\":", 13);
          return false;  // abort: the client gets 13 of the 1000 bytes promised
        });
      } else {
        res.set_content(reply.body, reply.content_type);
      }
      return httplib::Server::HandlerResponse::Handled;
    });
    server_.Post("/services/oauth2/token", [this](const httplib::Request& req, httplib::Response& res) {
      note(req);
      std::string grant = req.get_param_value("grant_type");
      bool ok = false;
      if (grant == "password") {
        ok = req.get_param_value("client_id") == "cid" && req.get_param_value("client_secret") == kSecret &&
             req.get_param_value("username") == kUser && req.get_param_value("password") == kPassword;
      } else if (grant == "client_credentials") {
        // base64("cid:client-secret-123")
        ok = req.get_header_value("Authorization") == "Basic Y2lkOmNsaWVudC1zZWNyZXQtMTIz";
      }
      std::string extra;
      {
        std::lock_guard lock(mu_);
        if (grant == kJwtGrant) {
          assertions_.push_back(req.get_param_value("assertion"));
          ok = jwt_key_ != nullptr && jwt_signature_valid(jwt_key_, assertions_.back());
        } else if (grant == "refresh_token") {
          refresh_tokens_seen_.push_back(req.get_param_value("refresh_token"));
          ok = req.get_param_value("client_id") == "cid" && refresh_tokens_seen_.back() == refresh_token_;
          if (ok && rotate_) {
            refresh_token_ = "5Aep861rotated" + std::to_string(refresh_tokens_seen_.size());
            extra = R"(,"refresh_token":")" + refresh_token_ + "\"";
          }
        }
      }
      if (echo_form_) {  // a server that quotes the request back in its error (proxies do)
        res.status = 400;
        res.set_content(nlohmann::json{{"error", "invalid_grant"}, {"error_description", req.body}}.dump(),
                        "application/json");
        return;
      }
      if (!ok) {
        res.status = 400;
        res.set_content(R"({"error":"invalid_grant","error_description":"authentication failure"})", "application/json");
        return;
      }
      res.set_content(std::string(R"({"access_token":")") + kToken + R"(","instance_url":")" + base_url() +
                          R"(","id":"https://login.salesforce.com/id/)" + kOrgId + "/" + kUserId +
                          R"(","token_type":"Bearer","issued_at":"1278448832702","signature":"sig")" + extra + "}",
                      "application/json");
    });
    server_.Get("/services/data/v62.0/query", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      last_soql_ = req.get_param_value("q");
      res.set_header("Sforce-Limit-Info", "api-usage=10/5000; per-app-api-usage=3/250(appName=crmsync)");
      res.set_content(R"({"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01gD0000002HU6KIAW-2",)"
                      R"("records":[{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001A"},"Id":"001A"},)"
                      R"({"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001B"},"Id":"001B"}]})",
                      "application/json");
    });
    server_.Get("/services/data/v62.0/query/01gD0000002HU6KIAW-2", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      res.set_header("Sforce-Limit-Info", "api-usage=11/5000");
      res.set_content(R"({"totalSize":3,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"001C"}]})",
                      "application/json");
    });
    server_.Get("/services/data/v62.0/queryAll", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      // A complete HTTP answer whose JSON stops mid-record.
      res.set_content(R"({"totalSize":2,"done":true,"records":[{"attributes":{"type":"Task"},"Id":"00T)", "application/json");
    });
    server_.Get(R"(/services/data/v62.0/sobjects/(\w+)/describe)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      if (req.matches[1] == "Broken") {
        res.set_content("<html>upstream error", "text/html");
        return;
      }
      if (req.matches[1] != "Account") {
        res.status = 404;
        res.set_content(R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])", "application/json");
        return;
      }
      res.set_content(R"({"name":"Account","fields":[{"name":"Id","type":"id"}]})", "application/json");
    });
    server_.Post("/services/data/v62.0/sobjects/Account/", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      last_body_ = req.body;
      res.status = 201;
      res.set_content(R"({"id":"001000000000001AAA","success":true,"errors":[]})", "application/json");
    });
    server_.Patch("/services/data/v62.0/sobjects/Account/001000000000001AAA", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      last_body_ = req.body;
      res.status = 204;
    });
    server_.Delete(R"(/services/data/v62.0/sobjects/Account/(\w+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      if (req.matches[1] != "001000000000001AAA") {
        res.status = 404;
        res.set_content(R"([{"errorCode":"ENTITY_IS_DELETED","message":"entity is deleted"}])", "application/json");
        return;
      }
      res.status = 204;
    });
    // Salesforce's documented bodies for getDeleted, getUpdated and recordCount.
    server_.Get(R"(/services/data/v62.0/sobjects/(\w+)/deleted/)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      {
        std::lock_guard lock(mu_);
        last_window_ = req.get_param_value("start") + " " + req.get_param_value("end");
      }
      res.set_content(R"({"deletedRecords":[{"id":"a00D0000008pQRAIA2","deletedDate":"2013-05-07T22:07:19.000+0000"}],)"
                      R"("earliestDateAvailable":"2013-05-03T15:57:00.000+0000","latestDateCovered":"2013-05-08T21:20:00.000+0000"})",
                      "application/json");
    });
    server_.Get(R"(/services/data/v62.0/sobjects/(\w+)/updated/)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      res.set_content(R"({"ids":["a00D0000008pQR5IAM","a00D0000008pQRGIA2","a00D0000008pQRFIA2"],)"
                      R"("latestDateCovered":"2013-05-08T21:20:00.000+0000"})",
                      "application/json");
    });
    server_.Get("/services/data/v62.0/limits/recordCount", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      {
        std::lock_guard lock(mu_);
        last_window_ = req.get_param_value("sObjects");
      }
      res.set_content(R"({"sObjects":[{"count":3,"name":"Account"},{"count":10,"name":"Contact"}]})", "application/json");
    });
    // httplib writes headers and body separately; without NODELAY each answer waits ~40 ms (Nagle).
    server_.set_tcp_nodelay(true);
    server_.start();
  }
  ~FakeSalesforce() {
    stopping_ = true;  // a trickling answer still being sent ends
    server_.shut_down();
  }

  std::string base_url() const { return server_.base_url(); }
  // Retries wait for nothing: the waits asked for are recorded in waits_.
  ConnectOptions options() {
    return {.login_url = base_url(), .auth = "password", .client_id = "cid", .client_secret = kSecret,
            .username = kUser, .password = kPassword, .request_timeout_seconds = 10, .retry_base_ms = 1,
            .retry_sleep = [this](std::chrono::milliseconds d) {
              std::lock_guard lock(mu_);
              waits_.push_back(d);
            }};
  }
  // A client logged in with options(); the login's requests are cleared, so a test sees only its own.
  std::unique_ptr<Client> connected() {
    auto client = Client::connect(options());
    if (!client) throw std::runtime_error("login to the fake server failed: " + client.error().to_string());
    clear_requests();
    return std::move(*client);
  }
  // The next answers to a path (exact, without the query string), before its normal route.
  void script(const std::string& path, std::vector<Reply> replies) {
    std::lock_guard lock(mu_);
    for (auto& r : replies) scripts_[path].push_back(std::move(r));
  }
  // "GET /services/data/v62.0/query", in arrival order.
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  void clear_requests() {
    std::lock_guard lock(mu_);
    requests_.clear();
    locators_.clear();
  }
  // The locator parameter of each Bulk results request, in arrival order ("" for the first page).
  std::vector<std::string> locators() {
    std::lock_guard lock(mu_);
    return locators_;
  }
  // Whether `n` Bulk results requests have arrived, waiting for them (a bound against hanging, not
  // a measure: the test fails on false).
  bool saw_results_requests(std::size_t n) {
    for (int i = 0; i < 30'000; ++i) {
      {
        std::lock_guard lock(mu_);
        if (locators_.size() >= n) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }
  std::vector<std::chrono::milliseconds> waits() {
    std::lock_guard lock(mu_);
    return waits_;
  }

  std::atomic<bool> sessions_expired{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> echo_form_{false};
  EVP_PKEY* jwt_key_ = nullptr;   // verifies JWT assertions; set before connecting
  std::string refresh_token_;     // the one refresh token the server accepts
  bool rotate_ = false;           // issue a new refresh token on each use
  std::string last_window() {
    std::lock_guard lock(mu_);
    return last_window_;
  }
  std::vector<std::string> assertions() {
    std::lock_guard lock(mu_);
    return assertions_;
  }
  std::vector<std::string> refresh_tokens_seen() {
    std::lock_guard lock(mu_);
    return refresh_tokens_seen_;
  }
  std::string last_soql_, last_body_, last_user_agent_, last_accept_encoding_, last_query_options_;
  std::set<int> remote_ports_;  // one per TCP connection the client opened

 private:
  void note(const httplib::Request& req) {
    std::lock_guard lock(mu_);
    remote_ports_.insert(req.remote_port);
    last_user_agent_ = req.get_header_value("User-Agent");
    last_accept_encoding_ = req.get_header_value("Accept-Encoding");
    last_query_options_ = req.get_header_value("Sforce-Query-Options");
  }
  bool authorized(const httplib::Request& req, httplib::Response& res) {
    note(req);
    if (sessions_expired || req.get_header_value("Authorization") != std::string("Bearer ") + kToken) {
      res.status = 401;
      res.set_content(R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])", "application/json");
      return false;
    }
    return true;
  }

  testing::LoopbackServer server_;
  std::mutex mu_;
  std::map<std::string, std::deque<Reply>> scripts_;
  std::vector<std::string> requests_, locators_;
  std::vector<std::chrono::milliseconds> waits_;
  std::vector<std::string> assertions_, refresh_tokens_seen_;
  std::string last_window_;
};

// A port nothing listens on: bind, read the port, close.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(ClientFakeServerTest, LoginExtractsInstanceAndIds) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  EXPECT_EQ((*client)->instance_url(), sf.base_url());
  EXPECT_EQ((*client)->org_id(), kOrgId);
  EXPECT_EQ((*client)->user_id(), kUserId);
  EXPECT_EQ((*client)->api_version(), "62.0");
  EXPECT_EQ((*client)->api_calls(), 0) << "login is not counted";
  EXPECT_EQ(sf.last_user_agent_, "crmsync/0.1");
  EXPECT_NE(sf.last_accept_encoding_.find("gzip"), std::string::npos);
}

TEST(ClientFakeServerTest, ClientCredentialsLoginUsesBasicAuth) {
  FakeSalesforce sf;
  ConnectOptions o = sf.options();
  o.auth = "client_credentials";
  o.username.clear();
  o.password.clear();
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  EXPECT_EQ((*client)->user_id(), kUserId);
}

TEST(ClientFakeServerTest, InvalidGrantIsWordedAndNeverShowsThePassword) {
  FakeSalesforce sf;
  ConnectOptions o = sf.options();
  o.password = "wrong-Pa55w0rd!";
  auto client = Client::connect(o);
  ASSERT_FALSE(client.ok());
  const Error& e = client.error();
  EXPECT_EQ(e.kind, ErrorKind::kAuth);
  EXPECT_EQ(e.code, "invalid_grant");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message,
            "Salesforce refused the login for integration@x (invalid_grant: authentication failure). Check "
            "[salesforce] username and password; if the org requires it, append the user's security token to the "
            "password, and make sure the user is active and allowed to use the connected app.");
  EXPECT_EQ(e.to_string().find("wrong-Pa55w0rd!"), std::string::npos);
  EXPECT_EQ(e.to_string().find(kSecret), std::string::npos);
}

TEST(ClientFakeServerTest, UnreachableHostIsANetworkErrorNamingUrlAndFix) {
  ConnectOptions o{.login_url = "http://127.0.0.1:" + std::to_string(closed_port()), .auth = "password",
                   .client_id = "cid", .client_secret = kSecret, .username = kUser, .password = kPassword,
                   .request_timeout_seconds = 5, .retry_base_ms = 1};
  auto client = Client::connect(o);
  ASSERT_FALSE(client.ok());
  const Error& e = client.error();
  EXPECT_EQ(e.kind, ErrorKind::kNetwork);
  EXPECT_EQ(e.code, "CONNECTION_REFUSED");
  EXPECT_NE(e.message.find(o.login_url + "/services/oauth2/token"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("Couldn't connect to server"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("Check [salesforce] login_url and that the host is reachable."), std::string::npos);
  EXPECT_EQ(e.message.find(kPassword), std::string::npos);
}

// --- credentials and tokens travel over https only (issue #13) ------------------------------------

// A token answer whose instance_url is `instance_url`.
Reply token_answer(const std::string& instance_url) {
  return {.body = std::string(R"({"access_token":")") + kToken + R"(","instance_url":")" + instance_url +
                  R"(","id":"https://login.salesforce.com/id/)" + kOrgId + "/" + kUserId + R"(","token_type":"Bearer"})"};
}

TEST(ClientTransportSecurityTest, PlainHttpLoginUrlToAnotherHostIsRefusedBeforeAnythingIsSent) {
  for (const char* url : {"http://login.example.com", "http://10.1.2.3:8787", "http://127.0.0.1.example.com",
                          "http://user:pw@example.com"}) {
    ConnectOptions o{.login_url = url, .auth = "password", .client_id = "cid", .client_secret = kSecret,
                     .username = kUser, .password = kPassword, .request_timeout_seconds = 5, .retry_base_ms = 1};
    auto client = Client::connect(o);
    ASSERT_FALSE(client.ok()) << url;
    EXPECT_EQ(client.error().kind, ErrorKind::kConfig) << url;
    EXPECT_EQ(client.error().code, "INSECURE_LOGIN_URL") << client.error().to_string();
    EXPECT_NE(client.error().message.find("would send the password and client secret across the network "
                                          "unencrypted; use https://"),
              std::string::npos)
        << client.error().message;
    EXPECT_EQ(client.error().message.find(kPassword), std::string::npos);
    EXPECT_EQ(client.error().message.find("pw@"), std::string::npos) << "only the host is named";
  }
}

TEST(ClientTransportSecurityTest, PlainHttpInstanceUrlOnAnotherHostIsRefusedAndTheTokenNeverUsed) {
  FakeSalesforce sf;
  sf.script("/services/oauth2/token", {token_answer("http://na1.example.com")});
  auto client = Client::connect(sf.options());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, "INSECURE_INSTANCE_URL");
  EXPECT_EQ(client.error().message,
            "The login at 127.0.0.1 answered with the instance_url http://na1.example.com, which is not an https:// "
            "address (plain http:// is accepted only on this machine); crmsync will not send the session token "
            "there. Salesforce always answers with an https:// My Domain: check that [salesforce] login_url is your "
            "org's login host (https://login.salesforce.com, https://test.salesforce.com or its My Domain).");
  EXPECT_EQ(client.error().message.find(kToken), std::string::npos);
  for (const char* other : {"ftp://na1.example.com", "file:///etc/passwd", "na1.example.com"}) {
    sf.script("/services/oauth2/token", {token_answer(other)});
    auto refused = Client::connect(sf.options());
    ASSERT_FALSE(refused.ok()) << other;
    EXPECT_EQ(refused.error().code, "INSECURE_INSTANCE_URL") << other;
  }
  // https to any host, and plain http to this machine, are fine.
  for (const char* fine : {"https://acme.my.salesforce.com", "http://localhost:1", "http://127.9.9.9:1"}) {
    sf.script("/services/oauth2/token", {token_answer(fine)});
    auto ok = Client::connect(sf.options());
    ASSERT_TRUE(ok.ok()) << fine << ": " << ok.error().to_string();
    EXPECT_EQ((*ok)->instance_url(), fine);
  }
}

TEST(ClientTransportSecurityTest, ALoginAgainThatAnswersAPlainHttpInstanceIsRefusedToo) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script("/services/data/v62.0/query",
            {{.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"}});
  sf.script("/services/oauth2/token", {token_answer("http://na1.example.com")});
  auto page = client->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "INSECURE_INSTANCE_URL");
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"GET /services/data/v62.0/query", "POST /services/oauth2/token"}))
      << "nothing is sent after the refused login";
  EXPECT_EQ(client->instance_url(), sf.base_url()) << "the refused instance is not kept";
}

TEST(ClientFakeServerTest, QueryPagesThroughNextRecordsUrlAndTracksLimits) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  Client& c = **client;
  const std::string soql = "SELECT Id FROM Account WHERE Name = 'A&B' ORDER BY Id";

  auto page = c.query(soql, /*include_deleted=*/false, /*batch_size=*/500);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(sf.last_soql_, soql) << "the SOQL arrives intact through URL encoding";
  EXPECT_EQ(sf.last_query_options_, "batchSize=500");
  EXPECT_EQ(page->total_size, 3);
  EXPECT_FALSE(page->done);
  EXPECT_EQ(page->next_records_url, "/services/data/v62.0/query/01gD0000002HU6KIAW-2");
  EXPECT_NE(page->body.find("\"001B\""), std::string::npos);
  EXPECT_EQ(c.limits().used, 10);
  EXPECT_EQ(c.limits().max, 5000);

  std::vector<std::string> bodies{page->body};
  while (page && !page->done) {
    page = c.query_more(page->next_records_url);
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    bodies.push_back(page->body);
  }
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_NE(bodies[1].find("\"001C\""), std::string::npos);
  EXPECT_TRUE(page->next_records_url.empty());
  EXPECT_EQ(c.api_calls(), 2);
  EXPECT_EQ(c.limits().used, 11);
  EXPECT_EQ(sf.remote_ports_.size(), 1u) << "login and both pages reuse one kept-alive connection";
}

// --- one page of read-ahead ----------------------------------------------------------------------

constexpr const char* kPage2 = "/services/data/v62.0/query/01gD0000002HU6KIAW-2";

// A RecordsReader that asks for the next page before reading this one's Ids (as WindowReader does).
struct ReadingAhead {
  Client& client;
  std::vector<std::string> ids;
  std::vector<Status> asked;  // what each read_ahead() answered
  RecordsReader reader() {
    return [this](PageRecords& records) -> Status {
      if (!records.next_records_url.empty()) asked.push_back(client.read_ahead(records.next_records_url));
      for (auto record : records.array) {
        std::string_view id;
        if (record["Id"].get_string().get(id)) return Error(ErrorKind::kNetwork, "MALFORMED_RESPONSE", "no Id");
        ids.emplace_back(id);
      }
      return ok_status();
    };
  }
};

// Waits (without a deadline of its own: ctest's timeout bounds it) until the server has seen `n` requests.
void await_requests(FakeSalesforce& sf, std::size_t n) {
  while (sf.requests().size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TEST(ClientReadAheadTest, NextPageIsAskedForOnASecondConnectionBeforeItIsWanted) {
  FakeSalesforce sf;
  auto client = sf.connected();
  ReadingAhead r{*client, {}, {}};
  auto first = client->query("SELECT Id FROM Account", false, 0, r.reader());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(r.asked.size(), 1u);
  EXPECT_TRUE(r.asked[0].ok()) << r.asked[0].error().to_string();
  EXPECT_EQ(first->next_records_url, kPage2);
  // The server sees page 2 asked for although nobody has asked for it yet.
  await_requests(sf, 2);
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"GET /services/data/v62.0/query", std::string("GET ") + kPage2}));
  auto second = client->take_read_ahead(kPage2, r.reader());
  ASSERT_TRUE(second.has_value()) << "the read-ahead's answer is the page";
  EXPECT_TRUE(second->done);
  EXPECT_EQ(r.ids, (std::vector<std::string>{"001A", "001B", "001C"}));
  EXPECT_EQ(sf.requests().size(), 2u) << "page 2 was not asked for twice";
  EXPECT_EQ(client->api_calls(), 2);
  EXPECT_EQ(client->limits().used, 11) << "the read-ahead's Sforce-Limit-Info is read";
  EXPECT_EQ(sf.remote_ports_.size(), 2u) << "the read-ahead has a connection of its own";
}

TEST(ClientReadAheadTest, FailedReadAheadIsDroppedAndThePageFetchedAgain) {
  // A 5xx, an expired session (the fetch logs in again) and a dropped connection.
  const std::vector<Reply> failures = {
      {.status = 503, .body = "busy"},
      {.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"},
      {.drop = true}};
  for (const Reply& failure : failures) {
    FakeSalesforce sf;
    auto client = sf.connected();
    sf.script(kPage2, {failure});
    ReadingAhead r{*client, {}, {}};
    auto first = client->query("SELECT Id FROM Account", false, 0, r.reader());
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    EXPECT_FALSE(client->take_read_ahead(kPage2, r.reader()).has_value()) << "status " << failure.status;
    auto second = client->query_more(kPage2, r.reader());
    ASSERT_TRUE(second.ok()) << second.error().to_string();
    EXPECT_EQ(r.ids, (std::vector<std::string>{"001A", "001B", "001C"}));
    const auto requests = sf.requests();
    EXPECT_EQ(std::count(requests.begin(), requests.end(), std::string("GET ") + kPage2), 2);
    EXPECT_EQ(client->api_calls(), 3) << "the failed read-ahead counts";
  }
}

TEST(ClientReadAheadTest, QuotaGuardIsAskedFirstAndRefusalSendsNothing) {
  FakeSalesforce sf;
  ConnectOptions o = sf.options();
  o.max_api_calls = 1;
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.clear_requests();
  ReadingAhead r{**client, {}, {}};
  auto first = (*client)->query("SELECT Id FROM Account", false, 0, r.reader());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(r.asked.size(), 1u);
  ASSERT_FALSE(r.asked[0].ok());
  EXPECT_EQ(r.asked[0].error().code, "QUOTA_GUARD");
  EXPECT_FALSE((*client)->take_read_ahead(kPage2, r.reader()).has_value());
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"GET /services/data/v62.0/query"}));
  EXPECT_EQ((*client)->api_calls(), 1);
}

TEST(ClientReadAheadTest, QueryMoreDropsAReadAheadNotTaken) {
  FakeSalesforce sf;
  auto client = sf.connected();
  ReadingAhead r{*client, {}, {}};
  ASSERT_TRUE(client->query("SELECT Id FROM Account", false, 0, r.reader()).ok());
  auto again = client->query_more(kPage2);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_FALSE(client->take_read_ahead(kPage2, r.reader()).has_value()) << "dropped, not kept for later";
  EXPECT_EQ(client->api_calls(), 3) << "fetched and not used still counts";
}

TEST(ClientFakeServerTest, SessionRefusedAgainAfterReloginIsAuthNamingTheFix) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.sessions_expired = true;
  sf.clear_requests();
  auto page = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(page.error().code, "INVALID_SESSION_ID");
  EXPECT_EQ(page.error().http_status, 401);
  EXPECT_NE(page.error().message.find("Session expired or invalid"), std::string::npos);
  EXPECT_NE(page.error().message.find("crmsync logged in again and Salesforce refused the new session too"),
            std::string::npos) << page.error().message;
  EXPECT_EQ(page.error().message.find(kToken), std::string::npos);
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"GET /services/data/v62.0/query", "POST /services/oauth2/token",
                                                     "GET /services/data/v62.0/query"}))
      << "one login per failure, then the call once more";
  EXPECT_EQ((*client)->api_calls(), 2) << "both refused requests reached Salesforce; the login is not counted";
}

TEST(ClientFakeServerTest, InvalidSessionLogsInAgainAndRepeatsTheCall) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script("/services/data/v62.0/query",
            {{.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"}});
  auto page = client->query("SELECT Id FROM Account", false);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_NE(page->body.find("\"001B\""), std::string::npos);
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"GET /services/data/v62.0/query", "POST /services/oauth2/token",
                                                     "GET /services/data/v62.0/query"}));
  EXPECT_EQ(client->api_calls(), 2);
}

TEST(ClientFakeServerTest, TruncatedPageBodyIsAClearError) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto page = (*client)->query("SELECT Id FROM Task", /*include_deleted=*/true);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, ErrorKind::kNetwork);
  EXPECT_EQ(page.error().code, "MALFORMED_RESPONSE");
  EXPECT_NE(page.error().message.find("queryAll SELECT Id FROM Task was malformed"), std::string::npos)
      << page.error().message;
}

TEST(ClientFakeServerTest, DescribeReturnsJsonAndMapsErrors) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto d = (*client)->describe("Account");
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ((*d)["name"], "Account");

  auto missing = (*client)->describe("Xyzzy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().code, "NOT_FOUND");

  sf.clear_requests();
  auto broken = (*client)->describe("Broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "MALFORMED_RESPONSE");
  EXPECT_NE(broken.error().message.find("describe Broken was malformed"), std::string::npos);
  EXPECT_EQ(sf.requests().size(), 6u) << "a non-JSON 200 is retried like a cut-off body: 1 + max_retries (5)";
}

TEST(ClientFakeServerTest, CreateUpdateRemove) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  Client& c = **client;
  auto id = c.create("Account", {{"Name", "Acme"}});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  EXPECT_EQ(*id, "001000000000001AAA");
  EXPECT_EQ(sf.last_body_, R"({"Name":"Acme"})");

  auto updated = c.update("Account", *id, {{"Name", "Acme 2"}});
  EXPECT_TRUE(updated.ok()) << updated.error().to_string();
  EXPECT_EQ(sf.last_body_, R"({"Name":"Acme 2"})");

  EXPECT_TRUE(c.remove("Account", *id).ok());
  auto gone = c.remove("Account", "001000000000002AAA");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "ENTITY_IS_DELETED");
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(c.api_calls(), 4);
}

// --- Retries --------------------------------------------------------------------------------------

constexpr const char* kQueryPath = "/services/data/v62.0/query";

TEST(ClientRetryTest, Retries500_503DropAndTruncatedBodyThenSucceeds) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kQueryPath, {{.status = 500, .body = R"([{"errorCode":"UNKNOWN_EXCEPTION","message":"An unexpected error occurred."}])"},
                         {.status = 503, .body = "<html>Service Unavailable</html>"},
                         {.drop = true},
                         {.body = R"({"totalSize":2,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"00)"}});
  auto page = client->query("SELECT Id FROM Account", false);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_NE(page->body.find("\"001B\""), std::string::npos) << "the fifth attempt's answer";
  EXPECT_EQ(sf.requests(), std::vector<std::string>(5, std::string("GET ") + kQueryPath));
  EXPECT_EQ(client->api_calls(), 5) << "every attempt that reached Salesforce counts";
  auto waits = sf.waits();
  ASSERT_EQ(waits.size(), 4u);
  for (size_t i = 0; i < waits.size(); ++i) {
    // Equal jitter on base 1 ms: wait i is between 2^i / 2 and 2^i ms.
    EXPECT_GE(waits[i].count(), (1 << i) / 2) << i;
    EXPECT_LE(waits[i].count(), 1 << i) << i;
  }
}

TEST(ClientRetryTest, GivesUpAfterMaxRetriesAndSaysSo) {
  FakeSalesforce sf;
  ConnectOptions o = sf.options();
  o.max_retries = 2;
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.clear_requests();
  Reply unavailable{.status = 503, .body = R"([{"errorCode":"SERVER_UNAVAILABLE","message":"Server unavailable"}])"};
  sf.script(kQueryPath, {unavailable, unavailable, unavailable, unavailable});
  auto page = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "SERVER_UNAVAILABLE");
  EXPECT_EQ(page.error().http_status, 503);
  EXPECT_NE(page.error().message.find("Gave up after 3 attempts over "), std::string::npos) << page.error().message;
  EXPECT_EQ(sf.requests().size(), 3u);
}

TEST(ClientRetryTest, MalformedQueryIsNotRetried) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kQueryPath, {{.status = 400, .body = R"([{"message":"unexpected token: FORM","errorCode":"MALFORMED_QUERY"}])"}});
  auto page = client->query("SELECT Id FORM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "MALFORMED_QUERY");
  EXPECT_EQ(page.error().kind, ErrorKind::kSalesforce);
  EXPECT_EQ(sf.requests().size(), 1u);
  EXPECT_TRUE(sf.waits().empty());
  EXPECT_EQ(client->api_calls(), 1);
}

TEST(ClientRetryTest, RequestLimitExceededIsReportedNotRetried) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kQueryPath, {{.status = 403, .body = R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])"}});
  auto page = client->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, ErrorKind::kLimit);
  EXPECT_EQ(page.error().code, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(sf.requests().size(), 1u);
}

TEST(ClientRetryTest, RetryAfterIsHonoured) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kQueryPath, {{.status = 503, .body = "busy", .headers = {{"Retry-After", "7"}}}});
  auto page = client->query("SELECT Id FROM Account", false);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(sf.requests().size(), 2u);
  ASSERT_EQ(sf.waits().size(), 1u);
  EXPECT_GE(sf.waits()[0], std::chrono::seconds(7)) << "the wait asked for, not the 1 ms backoff";
}

TEST(ClientRetryTest, RetryAfterBeyondTheLimitIsReportedAtOnce) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kQueryPath, {{.status = 503, .body = "busy", .headers = {{"Retry-After", "86400"}}}});
  auto page = client->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().http_status, 503);
  EXPECT_EQ(sf.requests().size(), 1u);
  EXPECT_TRUE(sf.waits().empty());
}

TEST(ClientRetryTest, CreateIsNotRepeatedAfterA5xxOrADrop) {
  FakeSalesforce sf;
  auto client = sf.connected();
  const std::string path = "/services/data/v62.0/sobjects/Account/";
  sf.script(path, {{.status = 503, .body = "busy"}, {.drop = true}});
  auto first = client->create("Account", {{"Name", "Acme"}});
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().http_status, 503);
  auto second = client->create("Account", {{"Name", "Acme"}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::kNetwork);
  EXPECT_EQ(second.error().code, "TRUNCATED_RESPONSE");
  EXPECT_EQ(sf.requests(), std::vector<std::string>(2, "POST " + path)) << "a repeat could create a second Account";
  auto third = client->create("Account", {{"Name", "Acme"}});
  EXPECT_TRUE(third.ok()) << third.error().to_string();
}

TEST(ClientRetryTest, UpdateAndDeleteAreRetried) {
  FakeSalesforce sf;
  auto client = sf.connected();
  const std::string path = "/services/data/v62.0/sobjects/Account/001000000000001AAA";
  sf.script(path, {{.status = 502, .body = "bad gateway"}});
  EXPECT_TRUE(client->update("Account", "001000000000001AAA", {{"Name", "B"}}).ok());
  sf.script(path, {{.drop = true}});
  EXPECT_TRUE(client->remove("Account", "001000000000001AAA").ok());
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"PATCH " + path, "PATCH " + path, "DELETE " + path, "DELETE " + path}));
}

TEST(ClientRetryTest, LoginIsRetriedOn503) {
  FakeSalesforce sf;
  sf.script("/services/oauth2/token", {{.status = 503, .body = "maintenance"}});
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"POST /services/oauth2/token", "POST /services/oauth2/token"}));
}

// --- getDeleted, getUpdated, recordCount -----------------------------------------------------------

TEST(ClientReplicationTest, GetDeletedReturnsTypedRecordsAndDates) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  EpochMs start = *parse_datetime("2013-05-05T00:00:00Z"), end = *parse_datetime("2013-05-10T12:30:15.250Z");
  auto deleted = (*client)->get_deleted("Account", start, end);
  ASSERT_TRUE(deleted.ok()) << deleted.error().to_string();
  EXPECT_EQ(sf.last_window(), "2013-05-05T00:00:00+00:00 2013-05-10T12:30:15+00:00");
  ASSERT_EQ(deleted->records.size(), 1u);
  EXPECT_EQ(deleted->records[0].id, "a00D0000008pQRAIA2");
  EXPECT_EQ(format_datetime_iso(deleted->records[0].deleted_date), "2013-05-07T22:07:19.000Z");
  EXPECT_EQ(format_datetime_iso(deleted->earliest_date_available), "2013-05-03T15:57:00.000Z");
  EXPECT_EQ(format_datetime_iso(deleted->latest_date_covered), "2013-05-08T21:20:00.000Z");
}

TEST(ClientReplicationTest, GetUpdatedReturnsIdsAndLatestDateCovered) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto updated = (*client)->get_updated("Account", 0, 86'400'000);
  ASSERT_TRUE(updated.ok()) << updated.error().to_string();
  EXPECT_EQ(updated->ids, (std::vector<std::string>{"a00D0000008pQR5IAM", "a00D0000008pQRGIA2", "a00D0000008pQRFIA2"}));
  EXPECT_EQ(format_datetime_iso(updated->latest_date_covered), "2013-05-08T21:20:00.000Z");
}

TEST(ClientReplicationTest, RecordCountListsTheObjectsAsked) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto counts = (*client)->record_count({"Account", "Contact"});
  ASSERT_TRUE(counts.ok()) << counts.error().to_string();
  EXPECT_EQ(sf.last_window(), "Account,Contact");
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].name, "Account");
  EXPECT_EQ((*counts)[0].count, 3);
  EXPECT_EQ((*counts)[1].name, "Contact");
  EXPECT_EQ((*counts)[1].count, 10);
}

TEST(ClientReplicationTest, ErrorsAndMalformedBodies) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  const std::string path = "/services/data/v62.0/sobjects/Account/deleted/";
  sf.script(path, {{.status = 400, .body = R"([{"errorCode":"INVALID_REPLICATION_DATE","message":"startDate before org replication enabled date"}])"}});
  auto refused = (*client)->get_deleted("Account", 0, 86'400'000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "INVALID_REPLICATION_DATE");
  EXPECT_NE(refused.error().message.find("re-read the object in full"), std::string::npos) << refused.error().message;

  sf.script(path, {{.body = R"({"deletedRecords":[{"deletedDate":"2013-05-07T22:07:19.000+0000"}]})"}});
  auto no_id = (*client)->get_deleted("Account", 0, 86'400'000);
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().code, "MALFORMED_RESPONSE");
  EXPECT_EQ(no_id.error().kind, ErrorKind::kSalesforce);

  sf.clear_requests();
  sf.script(path, {{.body = R"({"deletedRecords":[{"id":"a00D0000008pQRAIA2")"}});
  auto cut = (*client)->get_deleted("Account", 0, 86'400'000);
  EXPECT_TRUE(cut.ok()) << "a cut-off body is retried: " << cut.error().to_string();
  EXPECT_EQ(sf.requests().size(), 2u);
}

TEST(ClientRetryTest, RawSendForBulkTakesTheSamePath) {
  FakeSalesforce sf;
  auto client = sf.connected();
  const std::string path = "/services/data/v62.0/jobs/query/750R0000000zlh9IAA/results";
  sf.script(path, {{.status = 503, .body = "busy"},
                   {.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"},
                   {.body = "\"Id\"\n\"001A\"\n", .headers = {{"Sforce-Locator", "null"}}}});
  auto r = client->send("GET", path, {}, {"Accept: text/csv"});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("sforce-locator"), "null");
  EXPECT_EQ(r->body, "\"Id\"\n\"001A\"\n");
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"GET " + path, "GET " + path, "POST /services/oauth2/token",
                                                     "GET " + path}));
  EXPECT_EQ(client->api_calls(), 3);
}

TEST(ClientRetryTest, BulkResultsFromAServerOnThisMachineAreAskedForUncompressed) {
  FakeSalesforce sf;  // on loopback, as the emulator is
  auto client = sf.connected();
  const std::string path = "/services/data/v62.0/jobs/query/750R0000000zlh9IAA/results";
  sf.script(path, {{.body = "\"Id\"\n\"001A\"\n",
                    .headers = {{"Sforce-Locator", "null"}, {"Sforce-NumberOfRecords", "1"}}}});
  std::vector<std::string> pages;
  auto read = read_query_results(*client, "750R0000000zlh9IAA", 0, [&](const BulkChunk& chunk) -> Status {
    pages.push_back(chunk.csv);
    return ok_status();
  });
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(pages, (std::vector<std::string>{"\"Id\"\n\"001A\"\n"}));
  EXPECT_EQ(sf.last_accept_encoding_, "identity");
  // Everything else still asks for gzip.
  sf.script(kQueryPath, {{.body = R"({"totalSize":0,"done":true,"records":[]})"}});
  ASSERT_TRUE(client->query("SELECT Id FROM Account", false).ok());
  EXPECT_NE(sf.last_accept_encoding_.find("gzip"), std::string::npos);
}

// --- Bulk results read ahead ----------------------------------------------------------------------

constexpr const char* kResultsPath = "/services/data/v62.0/jobs/query/750R0000000zlh9IAA/results";
constexpr const char* kJob = "750R0000000zlh9IAA";

Reply results_page(const std::string& id, const std::string& next) {
  return {.body = "\"Id\"\n\"" + id + "\"\n", .headers = {{"Sforce-Locator", next}, {"Sforce-NumberOfRecords", "1"}}};
}

std::vector<Reply> three_pages() { return {results_page("001A", "L1"), results_page("001B", "L2"), results_page("001C", "null")}; }

TEST(BulkReadAheadTest, TheNextPageIsAskedForWhileThisOneIsConsumed) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kResultsPath, three_pages());
  std::vector<std::string> pages;
  std::vector<bool> next_asked_before_consumed;
  auto read = read_query_results(*client, kJob, 0, [&](const BulkChunk& chunk) -> Status {
    pages.push_back(chunk.csv);
    // Page N+1's request reaches the server while page N is still being consumed.
    if (!chunk.last) next_asked_before_consumed.push_back(sf.saw_results_requests(pages.size() + 1));
    return ok_status();
  });
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(pages, (std::vector<std::string>{"\"Id\"\n\"001A\"\n", "\"Id\"\n\"001B\"\n", "\"Id\"\n\"001C\"\n"}));
  EXPECT_EQ(next_asked_before_consumed, (std::vector<bool>{true, true}));
  EXPECT_EQ(sf.locators(), (std::vector<std::string>{"", "L1", "L2"}));
  EXPECT_EQ(sf.last_accept_encoding_, "identity") << "the second connection asks as the first does";
  EXPECT_EQ(client->api_calls(), 3);
  EXPECT_FALSE(client->has_ahead());
}

TEST(BulkReadAheadTest, WithoutReadAheadEachPageIsAskedForOnceTheOneBeforeIsConsumed) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kResultsPath, three_pages());
  BulkQueryOptions o;
  o.read_ahead = false;
  std::vector<std::size_t> asked_while_consuming;
  auto read = read_query_results(*client, kJob, o, [&](const BulkChunk&) -> Status {
    asked_while_consuming.push_back(sf.locators().size());
    return ok_status();
  });
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(asked_while_consuming, (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_EQ(client->api_calls(), 3);
}

TEST(BulkReadAheadTest, AFailedReadAheadIsRetriedAndFailsAsTheSameRequestSentWhenNeeded) {
  for (bool ahead : {true, false}) {
    SCOPED_TRACE(ahead ? "read ahead" : "no read ahead");
    FakeSalesforce sf;
    ConnectOptions co = sf.options();
    co.max_retries = 2;
    auto c = Client::connect(co);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    auto& client = *c;
    sf.clear_requests();
    // Page 2 (read ahead while page 1 is consumed) fails once, then page 3 fails three times.
    sf.script(kResultsPath, {results_page("001A", "L1"), {.status = 503, .body = "busy"}, results_page("001B", "L2"),
                             {.status = 500, .body = "oops"}, {.status = 500, .body = "oops"},
                             {.status = 500, .body = "oops"}});
    BulkQueryOptions o;
    o.read_ahead = ahead;
    int consumed = 0;
    auto read = read_query_results(*client, kJob, o, [&](const BulkChunk&) -> Status {
      ++consumed;
      return ok_status();
    });
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(consumed, 2) << "the pages before the failure are consumed";
    EXPECT_EQ(read.error().kind, ErrorKind::kNetwork);
    EXPECT_EQ(read.error().http_status, 500);
    EXPECT_NE(read.error().message.find("Gave up after 3 attempts over "), std::string::npos) << read.error().message;
    EXPECT_EQ(sf.locators(), (std::vector<std::string>{"", "L1", "L1", "L2", "L2", "L2"}));
    EXPECT_EQ(sf.waits().size(), 3u) << "one retry of page 2, two of page 3";
    EXPECT_EQ(client->api_calls(), 6);
  }
}

TEST(BulkReadAheadTest, ASessionThatRanOutOnTheReadAheadLogsInAgainAndAsksAgain) {
  FakeSalesforce sf;
  auto client = sf.connected();
  const Reply expired{.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"};
  // Page 2 is refused when read ahead, and again when asked for on the client's own connection,
  // which logs in again and repeats it.
  sf.script(kResultsPath, {results_page("001A", "L1"), expired, expired, results_page("001B", "null")});
  int consumed = 0;
  auto read = read_query_results(*client, kJob, 0, [&](const BulkChunk&) -> Status {
    ++consumed;
    return ok_status();
  });
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(consumed, 2);
  const std::string get = "GET " + std::string(kResultsPath);
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{get, get, get, "POST /services/oauth2/token", get}));
  EXPECT_EQ(sf.locators(), (std::vector<std::string>{"", "L1", "L1", "L1"}));
  EXPECT_EQ(client->api_calls(), 4);
}

TEST(BulkReadAheadTest, TheQuotaGuardIsAskedBeforeAReadAheadAndStopsIt) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kResultsPath, three_pages());
  BulkQueryOptions o;
  int allowed = 2, asked = 0;
  o.before_page = [&]() -> Status {
    ++asked;
    if (asked <= allowed) return ok_status();
    return Error(ErrorKind::kLimit, "QUOTA_GUARD", "paused until quota recovers: test bound");
  };
  int consumed = 0;
  auto read = read_query_results(*client, kJob, o, [&](const BulkChunk&) -> Status {
    ++consumed;
    return ok_status();
  });
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "QUOTA_GUARD");
  EXPECT_EQ(consumed, 2);
  EXPECT_EQ(sf.locators(), (std::vector<std::string>{"", "L1"})) << "page 3 was neither read ahead nor asked for";
  EXPECT_EQ(asked, 4) << "page 1, page 2 ahead, page 3 ahead (refused), page 3 when needed (refused)";
  EXPECT_EQ(client->api_calls(), 2);
}

TEST(BulkReadAheadTest, MaxApiCallsIsNeverPassedByAReadAhead) {
  FakeSalesforce sf;
  ConnectOptions co = sf.options();
  co.max_api_calls = 2;
  auto c = Client::connect(co);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto& client = *c;
  sf.clear_requests();
  sf.script(kResultsPath, three_pages());
  int consumed = 0;
  auto read = read_query_results(*client, kJob, 0, [&](const BulkChunk&) -> Status {
    ++consumed;
    return ok_status();
  });
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "QUOTA_GUARD");
  EXPECT_EQ(consumed, 2);
  EXPECT_EQ(sf.locators().size(), 2u);
  EXPECT_EQ(client->api_calls(), 2);
}

TEST(BulkReadAheadTest, APageReadAheadButNeverConsumedIsStillCounted) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kResultsPath, three_pages());
  auto read = read_query_results(*client, kJob, 0, [&](const BulkChunk&) -> Status {
    return Error(ErrorKind::kLimit, "QUOTA_GUARD", "paused until quota recovers: stopped by the test");
  });
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "paused until quota recovers: stopped by the test");
  EXPECT_FALSE(client->has_ahead()) << "the read-ahead is waited for, not left running";
  EXPECT_EQ(sf.locators(), (std::vector<std::string>{"", "L1"}));
  EXPECT_EQ(client->api_calls(), 2);
}

// --- quota guard -----------------------------------------------------------------------------------

Reply page_with_usage(const std::string& usage) {
  return {.body = R"({"totalSize":0,"done":true,"records":[]})", .headers = {{"Sforce-Limit-Info", "api-usage=" + usage}}};
}

TEST(ClientQuotaTest, RefusesAtTheDailyShareWithoutSending) {
  FakeSalesforce sf;
  auto client = sf.connected();
  sf.script(kQueryPath, {page_with_usage("3999/5000"), page_with_usage("4000/5000")});
  ASSERT_TRUE(client->query("SELECT Id FROM Account", false).ok());
  EXPECT_TRUE(client->check_quota().ok());
  ASSERT_TRUE(client->query("SELECT Id FROM Account", false).ok()) << "3,999 of 5,000 is under 80%";
  auto refused = client->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kLimit);
  EXPECT_EQ(refused.error().code, "QUOTA_GUARD");
  EXPECT_EQ(refused.error().message,
            "paused until quota recovers: org has used 4,000 of 5,000 daily API requests (limit 80%)");
  EXPECT_EQ(client->check_quota().error().code, "QUOTA_GUARD");
  EXPECT_EQ(sf.requests().size(), 2u) << "the refused request was never sent";
  EXPECT_EQ(client->api_calls(), 2);
}

TEST(ClientQuotaTest, RefusesAtTheRunShare) {
  FakeSalesforce sf;
  ConnectOptions o = sf.options();
  o.quota_run_share = 0.0005;  // of 5,000: this run may make 2 requests (2.5)
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.clear_requests();
  EXPECT_TRUE((*client)->query("SELECT Id FROM Account", false).ok());
  EXPECT_TRUE((*client)->query_more("/services/data/v62.0/query/01gD0000002HU6KIAW-2").ok());
  EXPECT_TRUE((*client)->query("SELECT Id FROM Account", false).ok()) << "2 < 2.5";
  auto refused = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "paused until quota recovers: this run has used 3 of the org's 5,000 daily API requests (limit 0.05% per run)");
  EXPECT_EQ(sf.requests().size(), 3u);
}

TEST(ClientQuotaTest, MaxApiCallsCountsRetriesAndStopsThem) {
  FakeSalesforce sf;
  ConnectOptions o = sf.options();
  o.max_api_calls = 2;
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.clear_requests();
  sf.script(kQueryPath, {{.status = 503, .body = "busy"}, {.status = 503, .body = "busy"}, {.status = 503, .body = "busy"}});
  auto refused = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "QUOTA_GUARD");
  EXPECT_NE(refused.error().message.find("max_api_calls = 2"), std::string::npos) << refused.error().message;
  EXPECT_EQ(sf.requests().size(), 2u) << "the third attempt would pass the bound";
  EXPECT_EQ((*client)->api_calls(), 2);
}

// --- JWT bearer and refresh token flows ------------------------------------------------------------

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string write_private_key(EVP_PKEY* key, const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(n));
  testing::write_file(path, pem);
  return pem;
}

// A fresh RSA key, written as PEM to `path` and trusted by `sf` to sign JWT bearer assertions.
struct JwtKey {
  JwtKey(FakeSalesforce& sf, const std::string& path)
      : key(EVP_RSA_gen(2048), EVP_PKEY_free), pem(write_private_key(key.get(), path)) {
    sf.jwt_key_ = key.get();
  }
  KeyPtr key;
  std::string pem;
};

ConnectOptions jwt_options(FakeSalesforce& sf, const std::string& key_file) {
  ConnectOptions o = sf.options();
  o.auth = "jwt";
  o.client_secret.clear();
  o.password.clear();
  o.private_key_file = key_file;
  return o;
}

TEST(ClientJwtTest, AssertionIsSignedWithTheKeyAndCarriesTheClaims) {
  FakeSalesforce sf;
  testing::TempDir dir;
  JwtKey jwt(sf, dir.file("key.pem"));
  auto client = Client::connect(jwt_options(sf, dir.file("key.pem")));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  EXPECT_EQ((*client)->user_id(), kUserId);

  auto assertions = sf.assertions();
  ASSERT_EQ(assertions.size(), 1u);
  EXPECT_TRUE(jwt_signature_valid(jwt.key.get(), assertions[0]));
  EXPECT_EQ(jwt_part(assertions[0], 0), nlohmann::json({{"alg", "RS256"}}));
  nlohmann::json claims = jwt_part(assertions[0], 1);
  EXPECT_EQ(claims["iss"], "cid");
  EXPECT_EQ(claims["sub"], kUser);
  EXPECT_EQ(claims["aud"], sf.base_url()) << "not a salesforce.com host: the login URL itself";
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(claims["exp"].is_number_integer());
  EXPECT_GT(claims["exp"].get<std::int64_t>(), now);
  EXPECT_LE(claims["exp"].get<std::int64_t>(), now + 180) << "Salesforce accepts at most 3 minutes";
}

TEST(ClientJwtTest, ReloginSignsAFreshAssertion) {
  FakeSalesforce sf;
  testing::TempDir dir;
  JwtKey jwt(sf, dir.file("key.pem"));
  auto client = Client::connect(jwt_options(sf, dir.file("key.pem")));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.script(kQueryPath, {{.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"}});
  auto page = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(sf.assertions().size(), 2u);
}

TEST(ClientJwtTest, KeyTheAppDoesNotKnowIsRefusedWithTheFix) {
  FakeSalesforce sf;
  testing::TempDir dir;
  KeyPtr known(EVP_RSA_gen(2048), EVP_PKEY_free), other(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::string pem = write_private_key(other.get(), dir.file("key.pem"));
  sf.jwt_key_ = known.get();
  auto client = Client::connect(jwt_options(sf, dir.file("key.pem")));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(client.error().code, "invalid_grant");
  EXPECT_NE(client.error().message.find("the JWT bearer login for integration@x"), std::string::npos);
  EXPECT_NE(client.error().message.find("certificate of [salesforce] private_key_file"), std::string::npos)
      << client.error().message;
}

TEST(ClientJwtTest, MissingKeyFileNamesTheKey) {
  FakeSalesforce sf;
  auto client = Client::connect(jwt_options(sf, "/nonexistent/crmsync-key.pem"));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().kind, ErrorKind::kConfig);
  EXPECT_NE(client.error().message.find("[salesforce] private_key_file = \"/nonexistent/crmsync-key.pem\" cannot be read"),
            std::string::npos);
  EXPECT_TRUE(sf.requests().empty()) << "nothing is sent without a key";
}

ConnectOptions refresh_options(FakeSalesforce& sf) {
  ConnectOptions o = sf.options();
  o.auth = "refresh_token";
  o.client_secret.clear();
  o.username.clear();
  o.password.clear();
  return o;
}

TEST(ClientRefreshTokenTest, RotatedTokenIsWrittenBackToTheFileWithMode0600) {
  FakeSalesforce sf;
  sf.refresh_token_ = "5Aep861original";
  sf.rotate_ = true;
  testing::TempDir dir;
  std::string file = dir.file("refresh_token");
  testing::write_file(file, "5Aep861original\n");
  ::chmod(file.c_str(), 0644);
  ConnectOptions o = refresh_options(sf);
  o.refresh_token_file = file;
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();

  EXPECT_EQ(crmsync::testing::first_line(file), "5Aep861rotated1");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A new login (the session expired) spends the rotated token and stores the next one.
  sf.script(kQueryPath, {{.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"}});
  auto page = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(sf.refresh_tokens_seen(), (std::vector<std::string>{"5Aep861original", "5Aep861rotated1"}));
  EXPECT_EQ(crmsync::testing::first_line(file), "5Aep861rotated2");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "no temporary file left";
}

TEST(ClientRefreshTokenTest, WithoutAFileTheRotatedTokenIsKeptInMemory) {
  FakeSalesforce sf;
  sf.refresh_token_ = "5Aep861fromenv";
  sf.rotate_ = true;
  ConnectOptions o = refresh_options(sf);
  o.refresh_token = "5Aep861fromenv";
  auto client = Client::connect(o);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.script(kQueryPath, {{.status = 401, .body = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])"}});
  ASSERT_TRUE((*client)->query("SELECT Id FROM Account", false).ok());
  EXPECT_EQ(sf.refresh_tokens_seen(), (std::vector<std::string>{"5Aep861fromenv", "5Aep861rotated1"}));
}

TEST(ClientRefreshTokenTest, SpentTokenIsRefusedWithTheFix) {
  FakeSalesforce sf;
  sf.refresh_token_ = "5Aep861current";
  ConnectOptions o = refresh_options(sf);
  o.refresh_token = "5Aep861spent";
  auto client = Client::connect(o);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, "invalid_grant");
  EXPECT_NE(client.error().message.find("obtain a new one"), std::string::npos) << client.error().message;
  EXPECT_EQ(client.error().message.find("5Aep861spent"), std::string::npos);
}

// --- secrets ---------------------------------------------------------------------------------------

// Every secret the client holds, quoted back by a server in its errors, is redacted.
TEST(ClientSecretsTest, NoErrorMessageEverQuotesASecret) {
  FakeSalesforce sf;
  testing::TempDir dir;
  JwtKey jwt(sf, dir.file("key.pem"));
  const std::string& pem = jwt.pem;
  sf.echo_form_ = true;
  std::vector<std::string> messages;

  auto password_login = Client::connect(sf.options());
  ASSERT_FALSE(password_login.ok());
  messages.push_back(password_login.error().to_string());
  auto jwt_login = Client::connect(jwt_options(sf, dir.file("key.pem")));
  ASSERT_FALSE(jwt_login.ok());
  messages.push_back(jwt_login.error().to_string());
  ConnectOptions refresh = refresh_options(sf);
  refresh.refresh_token = "5Aep861refresh/secret+token";
  refresh.client_secret = kSecret;
  auto refresh_login = Client::connect(refresh);
  ASSERT_FALSE(refresh_login.ok());
  messages.push_back(refresh_login.error().to_string());

  sf.echo_form_ = false;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.script(kQueryPath, {{.status = 400, .body = std::string(R"([{"errorCode":"MALFORMED_QUERY","message":"bad token )") +
                                                 kToken + " in " + kPassword + R"("}])"}});
  auto query = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(query.ok());
  messages.push_back(query.error().to_string());

  ASSERT_EQ(sf.assertions().size(), 1u);
  const std::vector<std::string> secrets = {kPassword, kSecret, kToken, "5Aep861refresh/secret+token",
                                            sf.assertions()[0], pem.substr(40, 60)};
  for (const auto& m : messages) {
    EXPECT_NE(m.find("<redacted>"), std::string::npos) << m;
    for (const auto& secret : secrets) EXPECT_EQ(m.find(secret), std::string::npos) << m;
    EXPECT_EQ(m.find(url_encode(kPassword)), std::string::npos) << m;
  }
}

// --- bounds on an answer's size and a request's time (issue #13) -----------------------------------

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // 15 + 16: gzip framing
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string page_with_name_of(std::size_t bytes) {
  return R"({"totalSize":1,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"001A","Name":")" +
         std::string(bytes, 'x') + R"("}]})";
}

std::unique_ptr<Client> connect_with(FakeSalesforce& sf, const std::function<void(ConnectOptions&)>& adjust) {
  ConnectOptions o = sf.options();
  adjust(o);
  auto client = Client::connect(o);
  if (!client) throw std::runtime_error(client.error().to_string());
  sf.clear_requests();
  return std::move(*client);
}

TEST(ClientBoundsTest, AnAnswerLargerThanTheBoundIsStoppedWithAClearErrorAndNotRetried) {
  // Issue #13: a 1.6 GB query page took crmsync to 4.2 GB of RSS.
  FakeSalesforce sf;
  auto client = connect_with(sf, [](ConnectOptions& o) { o.max_response_bytes = 1 << 20; });
  sf.script(kQueryPath, {{.body = page_with_name_of(3 << 20)}, {.body = page_with_name_of(3 << 20)}});
  auto page = client->query("SELECT Id, Name FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, ErrorKind::kLimit);
  EXPECT_EQ(page.error().code, "RESPONSE_TOO_LARGE");
  EXPECT_NE(page.error().message.find("The answer to GET " + sf.base_url() +
                                      "/services/data/v62.0/query was larger than 1 MB (decompressed), crmsync's "
                                      "bound for one answer; the transfer was stopped there."),
            std::string::npos)
      << page.error().message;
  EXPECT_NE(page.error().message.find("raise [salesforce] max_response_mb"), std::string::npos) << page.error().message;
  EXPECT_EQ(sf.requests(), (std::vector<std::string>{"GET /services/data/v62.0/query"})) << "the same answer again would not help";
  EXPECT_EQ(client->api_calls(), 1);
}

TEST(ClientBoundsTest, ACompressedAnswerIsBoundedByWhatItInflatesTo) {
  FakeSalesforce sf;
  auto client = connect_with(sf, [](ConnectOptions& o) { o.max_response_bytes = 1 << 20; });
  const std::string compressed = gzip(page_with_name_of(32 << 20));
  ASSERT_LT(compressed.size(), std::size_t{1} << 20) << "small on the wire, 32 MB once inflated";
  sf.script(kQueryPath, {{.body = compressed, .headers = {{"Content-Encoding", "gzip"}}, .content_type = "application/octet-stream"}});
  auto page = client->query("SELECT Id, Name FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "RESPONSE_TOO_LARGE") << page.error().to_string();
  // A compressed answer within the bound is read as always.
  sf.script(kQueryPath, {{.body = gzip(page_with_name_of(1000)), .headers = {{"Content-Encoding", "gzip"}},
                          .content_type = "application/octet-stream"}});
  auto fine = client->query("SELECT Id, Name FROM Account", false);
  ASSERT_TRUE(fine.ok()) << fine.error().to_string();
  EXPECT_NE(fine->body.find(std::string(1000, 'x')), std::string::npos);
}

TEST(ClientBoundsTest, BulkResultsPagesHaveABoundOfTheirOwn) {
  FakeSalesforce sf;
  auto client = connect_with(sf, [](ConnectOptions& o) {
    o.max_response_bytes = 1 << 20;
    o.max_bulk_results_bytes = 4 << 20;
  });
  const std::string csv2 = "\"Id\",\"Name\"\n\"001A\",\"" + std::string(2 << 20, 'x') + "\"\n";
  const std::string csv6 = "\"Id\",\"Name\"\n\"001A\",\"" + std::string(6 << 20, 'x') + "\"\n";
  sf.script(kResultsPath, {{.body = csv2, .headers = {{"Sforce-Locator", "null"}, {"Sforce-NumberOfRecords", "1"}}},
                           {.body = csv6, .headers = {{"Sforce-Locator", "null"}, {"Sforce-NumberOfRecords", "1"}}}});
  auto read = [&] {
    return read_query_results(*client, kJob, 0, [](BulkChunk&) { return ok_status(); });
  };
  ASSERT_TRUE(read().ok()) << "a 2 MB CSV page is within the Bulk bound, though above the JSON one";
  Status too_big = read();
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, "RESPONSE_TOO_LARGE");
  EXPECT_NE(too_big.error().message.find("larger than 4 MB"), std::string::npos) << too_big.error().message;
  EXPECT_NE(too_big.error().message.find("raise [salesforce] max_bulk_results_mb"), std::string::npos)
      << too_big.error().message;
}

TEST(ClientBoundsTest, ARequestDeadlineStopsTheRetriesOfATricklingServer) {
  // Issue #13: with max_retries = 1 a server trickling bytes kept one run going past 330 s.
  FakeSalesforce sf;
  auto client = connect_with(sf, [](ConnectOptions& o) {
    o.request_timeout_seconds = 1;
    o.request_deadline_seconds = 2;
    o.max_retries = 5;
  });
  std::vector<Reply> trickles(6, Reply{.body = std::string(2000, ' ') + "{}", .trickle_ms = 50});
  sf.script(kQueryPath, trickles);
  const auto start = std::chrono::steady_clock::now();
  auto page = client->query("SELECT Id FROM Account", false);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "TIMEOUT");
  EXPECT_NE(page.error().message.find("No further attempt was made: [salesforce] request_deadline_seconds (2 s) "
                                      "bounds one request, its retries included."),
            std::string::npos)
      << page.error().message;
  EXPECT_LT(took, std::chrono::milliseconds(3500)) << "about the 2-s deadline, not six 1-s attempts";
  EXPECT_LE(sf.requests().size(), 3u);
}

TEST(ClientBoundsTest, ALowSpeedAbortGivesUpOnATrickleLongBeforeTheRequestTimeout) {
  FakeSalesforce sf;
  auto client = connect_with(sf, [](ConnectOptions& o) {
    o.request_timeout_seconds = 30;
    o.low_speed_seconds = 1;
    o.low_speed_bytes_per_second = 100;
    o.max_retries = 0;
  });
  sf.script(kQueryPath, {{.body = std::string(2000, ' ') + "{}", .trickle_ms = 50}});  // 20 bytes a second
  const auto start = std::chrono::steady_clock::now();
  auto page = client->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "TIMEOUT");
  EXPECT_NE(page.error().message.find("too slow"), std::string::npos) << page.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ClientBoundsTest, TimeAndSizeBoundsOutOfRangeAreRefusedBeforeLogin) {
  FakeSalesforce sf;
  auto refused = [&](const std::function<void(ConnectOptions&)>& adjust) {
    ConnectOptions o = sf.options();
    adjust(o);
    auto c = Client::connect(o);
    return c.ok() ? std::string("connected") : c.error().message;
  };
  EXPECT_NE(refused([](ConnectOptions& o) { o.request_deadline_seconds = 5; }).find("request_deadline_seconds = 5 is shorter"),
            std::string::npos);
  EXPECT_NE(refused([](ConnectOptions& o) { o.connect_timeout_seconds = 0; }).find("connect_timeout_seconds = 0"),
            std::string::npos);
  EXPECT_NE(refused([](ConnectOptions& o) { o.max_response_bytes = 0; }).find("max_response_mb"), std::string::npos);
  EXPECT_TRUE(sf.requests().empty()) << "nothing was sent";
  EXPECT_EQ(refused([](ConnectOptions& o) { o.request_deadline_seconds = 0; }), "connected") << "0: no deadline";
}

}  // namespace
}  // namespace crmsync::salesforce
