// salesforce::Collections against a fake server that serves /composite/sobjects as Salesforce
// documents it: the request shapes (allOrNone=false, attributes.type, id on updates, the upsert
// path, ids on deletes), per-record results, and the single-record fallback on 404.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "emulator_http.h"
#include "salesforce/collections.h"

namespace crmsync::salesforce {
namespace {

using nlohmann::json;

class FakeCollections {
 public:
  explicit FakeCollections(bool has_collections) {
    server_.Post("/services/oauth2/token", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"access_token":"tok","instance_url":")" + base_url() +
                          R"(","id":"https://login.salesforce.com/id/00D50000000IZ3ZEAW/00550000001fg5OAAQ","token_type":"Bearer"})",
                      "application/json");
    });
    auto record = [this](const httplib::Request& req) {
      std::lock_guard lock(mu_);
      requests.push_back(req.method + " " + req.path + (req.params.empty() ? "" : "?" + query_of(req)));
      bodies.push_back(req.body.empty() ? json() : json::parse(req.body));
    };
    if (has_collections) {
      server_.Post("/services/data/v62.0/composite/sobjects", [=](const httplib::Request& req, httplib::Response& res) {
        record(req);
        res.set_content(R"([{"id":"00T000000000001EAA","success":true,"errors":[]},)"
                        R"({"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Status]","fields":["Status"]}]}])",
                        "application/json");
      });
      server_.Patch(R"(/services/data/v62.0/composite/sobjects(/Task/Ext__c)?)", [=](const httplib::Request& req, httplib::Response& res) {
        record(req);
        res.set_content(R"([{"id":"00T000000000001EAA","success":true,"errors":[],"created":false}])", "application/json");
      });
      server_.Delete("/services/data/v62.0/composite/sobjects", [=](const httplib::Request& req, httplib::Response& res) {
        record(req);
        res.set_content(R"([{"id":"00T000000000001EAA","success":true,"errors":[]},)"
                        R"({"id":"00T000000000002EAA","success":false,"errors":[{"statusCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}]}])",
                        "application/json");
      });
    } else {
      server_.Post("/services/data/v62.0/sobjects/Task/", [=](const httplib::Request& req, httplib::Response& res) {
        record(req);
        res.status = 201;
        res.set_content(R"({"id":"00T000000000009EAA","success":true,"errors":[]})", "application/json");
      });
    }
    server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.status == 404) {
        res.set_content(R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])", "application/json");
      }
    });
    server_.start();
  }
  std::string base_url() const { return server_.base_url(); }

  static std::string query_of(const httplib::Request& req) {
    std::string q;
    for (const auto& [k, v] : req.params) q += (q.empty() ? "" : "&") + k + "=" + v;
    return q;
  }

  std::mutex mu_;
  std::vector<std::string> requests;
  std::vector<json> bodies;

 private:
  testing::LoopbackServer server_;
};

std::unique_ptr<Client> connect_to(const FakeCollections& fake) {
  auto c = Client::connect({.login_url = fake.base_url(), .client_id = "cid", .client_secret = "s", .username = "u",
                            .password = "p", .verify_tls = false});
  EXPECT_TRUE(c) << c.error().to_string();
  return c ? std::move(*c) : nullptr;
}

TEST(CollectionsFakeServerTest, RequestShapesAndPerRecordResults) {
  FakeCollections fake(true);
  auto client = connect_to(fake);
  Collections c(*client);

  auto created = c.create("Task", {json{{"Subject", "a"}}, json{{"Subject", "b"}}});
  ASSERT_TRUE(created) << created.error().to_string();
  ASSERT_EQ(created->size(), 2u);
  EXPECT_TRUE((*created)[0].success);
  EXPECT_EQ((*created)[1].errors.at(0).status_code, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ((*created)[1].errors.at(0).fields, std::vector<std::string>{"Status"});

  auto updated = c.update("Task", {json{{"Id", "00T000000000001EAA"}, {"Subject", "c"}}});
  ASSERT_TRUE(updated) << updated.error().to_string();
  auto upserted = c.upsert("Task", "Ext__c", {json{{"Ext__c", "act-1"}, {"Subject", "d"}}});
  ASSERT_TRUE(upserted) << upserted.error().to_string();
  EXPECT_FALSE((*upserted)[0].created);
  auto removed = c.remove("Task", {"00T000000000001EAA", "00T000000000002EAA"});
  ASSERT_TRUE(removed) << removed.error().to_string();
  EXPECT_EQ((*removed)[1].errors.at(0).status_code, "ENTITY_IS_DELETED");
  EXPECT_FALSE(c.used_fallback());
  EXPECT_EQ(c.calls(), 4);

  ASSERT_EQ(fake.requests.size(), 4u);
  EXPECT_EQ(fake.requests[0], "POST /services/data/v62.0/composite/sobjects");
  EXPECT_EQ(fake.bodies[0]["allOrNone"], false);
  EXPECT_EQ(fake.bodies[0]["records"][0]["attributes"]["type"], "Task");
  EXPECT_EQ(fake.bodies[0]["records"][1]["Subject"], "b");
  EXPECT_EQ(fake.requests[1], "PATCH /services/data/v62.0/composite/sobjects");
  EXPECT_EQ(fake.bodies[1]["records"][0]["id"], "00T000000000001EAA");
  EXPECT_FALSE(fake.bodies[1]["records"][0].contains("Id"));
  EXPECT_EQ(fake.requests[2], "PATCH /services/data/v62.0/composite/sobjects/Task/Ext__c");
  EXPECT_EQ(fake.bodies[2]["records"][0]["Ext__c"], "act-1");
  EXPECT_EQ(fake.requests[3],
            "DELETE /services/data/v62.0/composite/sobjects?allOrNone=false&ids=00T000000000001EAA,00T000000000002EAA");
}

TEST(CollectionsFakeServerTest, TooManyRecordsIsAProgrammingError) {
  FakeCollections fake(true);
  auto client = connect_to(fake);
  Collections c(*client);
  std::vector<json> many(201, json{{"Subject", "x"}});
  EXPECT_EQ(c.create("Task", many).error().code, "TOO_MANY_RECORDS");
  EXPECT_TRUE(fake.requests.empty());
}

TEST(CollectionsFakeServerTest, FallsBackToSingleRecordCallsOn404) {
  FakeCollections fake(false);
  auto client = connect_to(fake);
  Collections c(*client);
  auto created = c.create("Task", {json{{"Subject", "a"}}, json{{"Subject", "b"}}});
  ASSERT_TRUE(created) << created.error().to_string();
  EXPECT_TRUE(c.used_fallback());
  ASSERT_EQ(created->size(), 2u);
  EXPECT_TRUE((*created)[0].success);
  EXPECT_EQ((*created)[0].id, "00T000000000009EAA");
  ASSERT_EQ(fake.requests.size(), 2u);  // the 404 is not recorded by the fake
  EXPECT_EQ(fake.requests[0], "POST /services/data/v62.0/sobjects/Task/");
  EXPECT_EQ(fake.bodies[1]["Subject"], "b");
}

}  // namespace
}  // namespace crmsync::salesforce
