// Records written through the REST API and sObject Collections in a multi-currency org: the
// creating user's currency unless the record names one, and unknown or inactive codes refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "emulator_org.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using Org = crmsync::testing::EmulatorOrg;
using crmsync::testing::kData;

// Corporate USD; EUR and GBP active, JPY inactive; the integration user works in EUR.
const char* kMultiCurrency = R"(
[multi_currency]
corporate = "USD"
currencies = ["EUR", { iso_code = "GBP", rate = 0.79 }, { iso_code = "JPY", rate = 150, active = false }]
[[users]]
username = "integration@crmsync.test"
currency = "EUR"
)";

std::string currency_of(const Org& org, const std::string& id) {
  return org.records(org.admin, "SELECT CurrencyIsoCode FROM Task WHERE Id = '" + id + "'")[0]["CurrencyIsoCode"];
}

TEST(EmulatorCurrencyTest, NewRecordsGetTheCreatingUsersCurrencyUnlessGiven) {
  Org org(kMultiCurrency);
  auto mine = org.send("POST", org.integration, kData + "/sobjects/Task", {{"Subject", "EUR by default"}});
  ASSERT_EQ(mine->status, 201) << mine->body;
  EXPECT_EQ(currency_of(org, json::parse(mine->body)["id"]), "EUR");
  auto admins = org.send("POST", org.admin, kData + "/sobjects/Task", {{"Subject", "USD by default"}});
  ASSERT_EQ(admins->status, 201) << admins->body;
  EXPECT_EQ(currency_of(org, json::parse(admins->body)["id"]), "USD");  // the admin keeps the corporate currency
  auto given = org.send("POST", org.integration, kData + "/sobjects/Task",
                        {{"Subject", "in pounds"}, {"CurrencyIsoCode", "GBP"}});
  ASSERT_EQ(given->status, 201) << given->body;
  EXPECT_EQ(currency_of(org, json::parse(given->body)["id"]), "GBP");

  // Collections create the same way, record by record.
  auto batch = org.send("POST", org.integration, kData + "/composite/sobjects",
                        {{"allOrNone", false},
                         {"records",
                          {{{"attributes", {{"type", "Task"}}}, {"Subject", "batch 1"}},
                           {{"attributes", {{"type", "Task"}}}, {"Subject", "batch 2"}, {"CurrencyIsoCode", "JPY"}}}}});
  ASSERT_EQ(batch->status, 200) << batch->body;
  json results = json::parse(batch->body);
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0]["success"].get<bool>()) << results.dump();
  EXPECT_EQ(currency_of(org, results[0]["id"]), "EUR");
  EXPECT_FALSE(results[1]["success"].get<bool>());
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(results[1]["errors"][0]["message"], "Currency ISO Code: invalid currency code: JPY");
  EXPECT_EQ(results[1]["errors"][0]["fields"], json::array({"CurrencyIsoCode"}));
}

TEST(EmulatorCurrencyTest, UnknownOrInactiveCodesAreRefused) {
  Org org(kMultiCurrency);
  for (const char* code : {"JPY", "XYZ"}) {
    auto r = org.send("POST", org.integration, kData + "/sobjects/Task", {{"Subject", "x"}, {"CurrencyIsoCode", code}});
    ASSERT_EQ(r->status, 400) << code;
    json e = json::parse(r->body)[0];
    EXPECT_EQ(e["errorCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    EXPECT_EQ(e["message"], std::string("Currency ISO Code: invalid currency code: ") + code);
    EXPECT_EQ(e["fields"], json::array({"CurrencyIsoCode"}));
  }
  auto made = org.send("POST", org.integration, kData + "/sobjects/Task", {{"Subject", "x"}});
  ASSERT_EQ(made->status, 201);
  const std::string id = json::parse(made->body)["id"];
  auto patched = org.send("PATCH", org.integration, kData + "/sobjects/Task/" + id, {{"CurrencyIsoCode", "XYZ"}});
  ASSERT_EQ(patched->status, 400);
  EXPECT_EQ(json::parse(patched->body)[0]["errorCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(currency_of(org, id), "EUR");
  ASSERT_EQ(
      org.send("PATCH", org.integration, kData + "/sobjects/Task/" + id, {{"CurrencyIsoCode", "GBP"}})->status, 204);
  EXPECT_EQ(currency_of(org, id), "GBP");
}

TEST(EmulatorCurrencyTest, SingleCurrencyOrgsHaveNoCurrencyField) {
  Org org;
  auto r = org.send("POST", org.integration, kData + "/sobjects/Task", {{"Subject", "x"}, {"CurrencyIsoCode", "EUR"}});
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)[0]["errorCode"], "INVALID_FIELD");
}

}  // namespace
}  // namespace crmsync::emulator
