// salesforce::Client against a tiny fake Salesforce (cpp-httplib on a loopback port): login, paging,
// errors, limits, writes, over real HTTP.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "salesforce/client.h"

namespace crmsync::salesforce {
namespace {

constexpr const char* kUser = "integration@x";
constexpr const char* kPassword = "Pa55w0rd!tokenXYZ";
constexpr const char* kSecret = "client-secret-123";
constexpr const char* kToken = "00D000000000001!AQ0.token";
constexpr const char* kOrgId = "00D50000000IZ3ZEAW";
constexpr const char* kUserId = "00550000001fg5OAAQ";

class FakeSalesforce {
 public:
  FakeSalesforce() {
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
      if (!ok) {
        res.status = 400;
        res.set_content(R"({"error":"invalid_grant","error_description":"authentication failure"})", "application/json");
        return;
      }
      res.set_content(std::string(R"({"access_token":")") + kToken + R"(","instance_url":")" + base_url() +
                          R"(","id":"https://login.salesforce.com/id/)" + kOrgId + "/" + kUserId +
                          R"(","token_type":"Bearer","issued_at":"1278448832702","signature":"sig"})",
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
    // httplib writes headers and body separately; without NODELAY each answer waits ~40 ms (Nagle).
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeSalesforce() {
    server_.stop();
    thread_.join();
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  ConnectOptions options() const {
    return {.login_url = base_url(), .auth = "password", .client_id = "cid", .client_secret = kSecret,
            .username = kUser, .password = kPassword, .timeout_seconds = 10};
  }

  std::atomic<bool> sessions_expired{false};
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

  httplib::Server server_;
  std::mutex mu_;
  int port_ = 0;
  std::thread thread_;
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
                   .timeout_seconds = 5};
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

TEST(ClientFakeServerTest, ExpiredSessionIsAuth) {
  FakeSalesforce sf;
  auto client = Client::connect(sf.options());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  sf.sessions_expired = true;
  auto page = (*client)->query("SELECT Id FROM Account", false);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(page.error().code, "INVALID_SESSION_ID");
  EXPECT_EQ(page.error().http_status, 401);
  EXPECT_NE(page.error().message.find("Session expired or invalid"), std::string::npos);
  EXPECT_EQ(page.error().message.find(kToken), std::string::npos);
  EXPECT_EQ((*client)->api_calls(), 1) << "a refused request still reached Salesforce";
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

  auto broken = (*client)->describe("Broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "MALFORMED_RESPONSE");
  EXPECT_NE(broken.error().message.find("describe Broken was malformed"), std::string::npos);
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

}  // namespace
}  // namespace crmsync::salesforce
