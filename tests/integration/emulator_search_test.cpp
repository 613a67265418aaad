// SOSL (/search, /parameterizedSearch), sObject Collections retrieve, /recent, /tabs, /theme, the
// resource list and the identity document, over loopback against the emulator, as the admin and
// as the integration user whose permission set the org file narrows.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "common/text.h"
#include "emulator_org.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;
using crmsync::testing::EmulatorOrg;
using crmsync::testing::kData;

// The integration user sees no record of the CEO's (the admin's), no Lead, and no Account.Description.
const char* const kNarrowed = R"(
[[permission_sets]]
name = "crmsync_Integration"
objects = { Account = { view_all = false }, Lead = { read = false } }
fields = { "Account.Description" = { read = false } }
)";

struct SearchOrg : EmulatorOrg {
  explicit SearchOrg(const std::string& toml = kNarrowed) : EmulatorOrg(toml) {}

  std::string create(const std::string& object, const json& fields) {
    auto r = send("POST", admin, kData + "/sobjects/" + object, fields);
    if (!r || r->status != 201) throw std::runtime_error("create failed: " + (r ? r->body : "no answer"));
    return json::parse(r->body)["id"];
  }
  // A sales user below the integration user in the role hierarchy.
  std::string sales_user() const {
    return records(admin, "SELECT Id FROM User WHERE UserRoleId != null AND Username != 'admin@crmsync.test' "
                          "AND Username != 'integration@crmsync.test' LIMIT 1")[0]["Id"];
  }
  httplib::Result search(const std::string& token, const std::string& sosl) const {
    return get(token, kData + "/search?q=" + httplib::detail::encode_query_param(sosl));
  }
  // The Ids a search that must succeed finds, in the order found.
  std::vector<std::string> found(const std::string& token, const std::string& sosl) const {
    auto r = search(token, sosl);
    if (!r || r->status != 200) throw std::runtime_error(sosl + " -> " + (r ? r->body : "no answer"));
    const json body = json::parse(r->body);
    std::vector<std::string> ids;
    for (const auto& rec : body["searchRecords"]) ids.push_back(rec["Id"]);
    return ids;
  }
};

httplib::Headers auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// "http://127.0.0.1:1234/id/00D.../005..." -> "/id/00D.../005..."; a path stays as it is.
std::string path_of(const std::string& url) {
  if (url.rfind("http", 0) != 0) return url;
  return url.substr(url.find('/', url.find("//") + 2));
}

json error_of(const httplib::Result& r, int status) {
  EXPECT_TRUE(r);
  if (!r) return json::object();
  EXPECT_EQ(r->status, status) << r->body;
  return json::parse(r->body)[0];
}

TEST(EmulatorSearchTest, FindsRecordsByWordsWildcardsPhrasesAndOperators) {
  SearchOrg org("");
  const std::string widgets = org.create("Account", {{"Name", "Zyxwv Widgets Ltd"}, {"Phone", "(415) 555-0199"}});
  const std::string gadgets = org.create("Account", {{"Name", "Zyxwv Gadgets"}});
  const std::string contact = org.create("Contact", {{"LastName", "Zyxwv"}, {"Email", "pat.zyxwv@example.test"}});

  auto r = org.search(org.admin, "FIND {Zyxwv} RETURNING Account(Id, Name ORDER BY Name)");
  ASSERT_EQ(r->status, 200) << r->body;
  const json body = json::parse(r->body);
  ASSERT_EQ(body["searchRecords"].size(), 2u) << r->body;
  const json& first = body["searchRecords"][0];
  EXPECT_EQ(first["attributes"]["type"], "Account");
  EXPECT_EQ(first["attributes"]["url"], kData + "/sobjects/Account/" + gadgets);
  EXPECT_EQ(first["Name"], "Zyxwv Gadgets");

  using Ids = std::vector<std::string>;
  EXPECT_EQ(org.found(org.admin, "FIND {zyx*} RETURNING Account(Id ORDER BY Name)"), (Ids{gadgets, widgets}));
  EXPECT_EQ(org.found(org.admin, "FIND {\"zyxwv widgets\"} RETURNING Account"), Ids{widgets});
  EXPECT_EQ(org.found(org.admin, "FIND {zyxwv AND NOT gadgets} RETURNING Account"), Ids{widgets});
  EXPECT_EQ(org.found(org.admin, "FIND {zyxwv} RETURNING Account(Id WHERE Name LIKE '%Gadgets')"), Ids{gadgets});
  EXPECT_EQ(org.found(org.admin, "FIND {555\\-0199} IN PHONE FIELDS RETURNING Account"), Ids{widgets});
  EXPECT_TRUE(org.found(org.admin, "FIND {zyxwv} IN PHONE FIELDS RETURNING Account").empty());
  EXPECT_EQ(org.found(org.admin, "FIND {pat.zyxwv@example.test} IN EMAIL FIELDS RETURNING Account, Contact"),
            Ids{contact});
  // Objects in RETURNING order; the statement's LIMIT counts them together.
  EXPECT_EQ(org.found(org.admin, "FIND {zyxwv} RETURNING Contact, Account(Id ORDER BY Name)"),
            (Ids{contact, gadgets, widgets}));
  EXPECT_EQ(org.found(org.admin, "FIND {zyxwv} RETURNING Contact, Account(Id ORDER BY Name) LIMIT 2"),
            (Ids{contact, gadgets}));
  // WITH METADATA='LABELS' adds the returned fields' labels, per object.
  r = org.search(org.admin, "FIND {zyxwv} RETURNING Account(Id, Name) WITH METADATA='LABELS'");
  ASSERT_EQ(r->status, 200) << r->body;
  const json labels = json::parse(r->body)["metadata"]["entityLabelMetadata"];
  ASSERT_EQ(labels.size(), 1u) << r->body;
  EXPECT_EQ(labels[0]["entityName"], "Account");
  EXPECT_EQ(labels[0]["entityFieldLabels"][1], (json{{"name", "Name"}, {"value", "Account Name"}}));
  EXPECT_FALSE(json::parse(org.search(org.admin, "FIND {zyxwv} RETURNING Account")->body).contains("metadata"));
  // Without RETURNING: every searchable object, Ids only.
  const Ids everywhere = org.found(org.admin, "FIND {zyxwv}");
  EXPECT_EQ(std::set<std::string>(everywhere.begin(), everywhere.end()), (std::set<std::string>{widgets, gadgets, contact}));
}

TEST(EmulatorSearchTest, RecordsTheUserCannotSeeAreNeverFoundAndHiddenFieldsNeverSearched) {
  SearchOrg org;
  const std::string mine = org.create("Account", {{"Name", "Qwertz Visible"}, {"Description", "plumbus"}});
  const std::string ceos = org.create("Account", {{"Name", "Qwertz Hidden"}, {"Description", "plumbus"}});
  ASSERT_EQ(org.send("PATCH", org.admin, kData + "/sobjects/Account/" + mine, {{"OwnerId", org.sales_user()}})->status, 204);

  using Ids = std::vector<std::string>;
  EXPECT_EQ(org.found(org.admin, "FIND {qwertz} RETURNING Account(Id ORDER BY Name)"), (Ids{ceos, mine}));
  EXPECT_EQ(org.found(org.integration, "FIND {qwertz} RETURNING Account(Id ORDER BY Name)"), Ids{mine});
  // Description is hidden from the integration user: never searched, refused in the field list.
  EXPECT_EQ(org.found(org.admin, "FIND {plumbus} RETURNING Account(Id ORDER BY Name)").size(), 2u);
  EXPECT_TRUE(org.found(org.integration, "FIND {plumbus} RETURNING Account").empty());
  json e = error_of(org.search(org.integration, "FIND {qwertz} RETURNING Account(Id, Description)"), 400);
  EXPECT_EQ(e["errorCode"], "INVALID_FIELD");
  EXPECT_NE(e["message"].get<std::string>().find("No such column 'Description' on entity 'Account'"), std::string::npos);
  // An object the user cannot read is unknown, as in SOQL.
  e = error_of(org.search(org.integration, "FIND {qwertz} RETURNING Lead"), 400);
  EXPECT_EQ(e["errorCode"], "INVALID_TYPE");
  EXPECT_NE(e["message"].get<std::string>().find("sObject type 'Lead' is not supported"), std::string::npos) << e;
  // A search without RETURNING leaves the unreadable object out instead.
  EXPECT_EQ(org.found(org.integration, "FIND {qwertz}"), Ids{mine});
}

TEST(EmulatorSearchTest, MalformedAndTooShortSearchesAreRefusedInSalesforcesWords) {
  SearchOrg org("");
  json e = error_of(org.search(org.admin, "FIND {a}"), 400);
  EXPECT_EQ(e["errorCode"], "INVALID_SEARCH");
  EXPECT_EQ(e["message"], "search term must be longer than one character: a");
  e = error_of(org.search(org.admin, "FIND {Marie-Pier Martin}"), 400);
  EXPECT_EQ(e["errorCode"], "MALFORMED_SEARCH");
  EXPECT_EQ(e["message"], "\nFIND {Marie-Pier Martin}\n          ^\nERROR at Row:1:Column:11\n"
                          "line 1:11 mismatched character '-' expecting '}'");
  e = error_of(org.get(org.admin, kData + "/search"), 400);
  EXPECT_EQ(e["errorCode"], "MALFORMED_SEARCH");
  e = error_of(org.search(org.admin, "FIND {acme} RETURNING Account(Id WHERE Name = )"), 400);
  EXPECT_EQ(e["errorCode"], "MALFORMED_SEARCH");
  e = error_of(org.search(org.admin, "FIND {acme} RETURNING OpportunityContactRole"), 400);
  EXPECT_EQ(e["errorCode"], "INVALID_TYPE");
  EXPECT_EQ(org.client().Post((kData + "/search").c_str(), auth(org.admin), "{}", "application/json")->status,
            405);
}

TEST(EmulatorSearchTest, ParameterizedSearchByParametersAndByBody) {
  SearchOrg org;
  const std::string mine = org.create("Account", {{"Name", "Vbnmq Visible"}});
  org.create("Account", {{"Name", "Vbnmq Hidden"}});
  ASSERT_EQ(org.send("PATCH", org.admin, kData + "/sobjects/Account/" + mine, {{"OwnerId", org.sales_user()}})->status, 204);
  auto r = org.get(org.admin, kData + "/parameterizedSearch?q=vbnmq&sobject=Account&Account.fields=Id,Name"
                                      "&Account.orderBy=Name&Account.limit=1");
  ASSERT_EQ(r->status, 200) << r->body;
  json records = json::parse(r->body)["searchRecords"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["Name"], "Vbnmq Hidden");
  EXPECT_EQ(records[0]["attributes"]["type"], "Account");

  r = org.send("POST", org.integration, kData + "/parameterizedSearch",
               {{"q", "vbnmq"}, {"in", "NAME"}, {"sobjects", {{{"name", "Account"}, {"fields", {"Id", "Name"}}}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  records = json::parse(r->body)["searchRecords"];
  ASSERT_EQ(records.size(), 1u);  // the CEO's account is not the integration user's to see
  EXPECT_EQ(records[0]["Id"], mine);

  json e = error_of(org.get(org.admin, kData + "/parameterizedSearch?q=vbnmq&sobject=Account&Account.fields=Nope"), 400);
  EXPECT_EQ(e["errorCode"], "INVALID_FIELD");
  EXPECT_EQ(org.get(org.admin, "/services/data/v35.0/parameterizedSearch?q=vbnmq")->status, 404);
}

TEST(EmulatorSearchTest, CompositeRetrieveAnswersNullForWhatTheUserCannotSee) {
  SearchOrg org;
  const std::string mine = org.create("Account", {{"Name", "Retrieve Visible"}, {"Industry", "Energy"}});
  const std::string ceos = org.create("Account", {{"Name", "Retrieve Hidden"}});
  const std::string deleted = org.create("Account", {{"Name", "Retrieve Deleted"}});
  ASSERT_EQ(org.send("PATCH", org.admin, kData + "/sobjects/Account/" + mine, {{"OwnerId", org.sales_user()}})->status, 204);
  ASSERT_EQ(org.client().Delete((kData + "/sobjects/Account/" + deleted).c_str(), auth(org.admin))->status, 204);
  const std::string unknown = mine.substr(0, 9) + "zzzzzz" + mine.substr(15);
  const json ids = {mine, ceos, deleted, unknown, "not-an-id", org.sales_user()};

  auto r = org.send("POST", org.integration, kData + "/composite/sobjects/Account",
                    {{"ids", ids}, {"fields", {"Id", "Name", "Industry"}}});
  ASSERT_EQ(r->status, 200) << r->body;
  json got = json::parse(r->body);
  ASSERT_EQ(got.size(), ids.size());
  EXPECT_EQ(got[0]["attributes"]["url"], kData + "/sobjects/Account/" + mine);
  EXPECT_EQ(got[0]["Name"], "Retrieve Visible");
  EXPECT_EQ(got[0]["Industry"], "Energy");
  for (std::size_t i = 1; i < got.size(); ++i) EXPECT_TRUE(got[i].is_null()) << i << ": " << got[i];
  // The admin sees the CEO's record; GET takes the same lists as parameters.
  r = org.get(org.admin, kData + "/composite/sobjects/Account?ids=" + mine + "," + ceos + "&fields=Name");
  ASSERT_EQ(r->status, 200) << r->body;
  got = json::parse(r->body);
  EXPECT_EQ(got[1]["Name"], "Retrieve Hidden");
  EXPECT_FALSE(got[1].contains("Id"));
  // A field that does not exist, or that the user may not read, refuses the whole request.
  json e = error_of(org.send("POST", org.integration, kData + "/composite/sobjects/Account",
                             {{"ids", {mine}}, {"fields", {"Name", "Description"}}}),
                    400);
  EXPECT_EQ(e["errorCode"], "INVALID_FIELD");
  EXPECT_EQ(e["message"], "No such column 'Description' on sobject of type Account");
  EXPECT_EQ(org.send("POST", org.integration, kData + "/composite/sobjects/Lead",
                     {{"ids", {mine}}, {"fields", {"Id"}}})->status,
            404);
}

TEST(EmulatorSearchTest, RecentListsWhatTheUserRetrievedOrChangedNewestFirst) {
  SearchOrg org;
  const std::string a = org.create("Account", {{"Name", "Recent A"}});
  const std::string b = org.create("Account", {{"Name", "Recent B"}});
  const std::string user = org.sales_user();
  for (const auto& id : {a, b}) {
    ASSERT_EQ(org.send("PATCH", org.admin, kData + "/sobjects/Account/" + id, {{"OwnerId", user}})->status, 204);
  }
  auto recent = [&](const std::string& token, const std::string& query = "") {
    auto r = org.get(token, kData + "/recent" + query);
    EXPECT_EQ(r->status, 200) << r->body;
    std::vector<std::string> ids;
    for (const auto& rec : json::parse(r->body)) ids.push_back(rec["Id"]);
    return ids;
  };
  EXPECT_TRUE(recent(org.integration).empty());
  ASSERT_EQ(org.get(org.integration, kData + "/sobjects/Account/" + a)->status, 200);
  ASSERT_EQ(org.get(org.integration, kData + "/sobjects/Account/" + b)->status, 200);
  ASSERT_EQ(org.get(org.integration, kData + "/sobjects/Account/" + a)->status, 200);
  using Ids = std::vector<std::string>;
  EXPECT_EQ(recent(org.integration), (Ids{a, b}));
  EXPECT_EQ(recent(org.integration, "?limit=1"), Ids{a});
  auto r = org.get(org.integration, kData + "/recent");
  const json first = json::parse(r->body)[0];
  EXPECT_EQ(first["attributes"]["type"], "Account");
  EXPECT_EQ(first["Name"], "Recent A");
  // The admin's own list holds what the admin created and changed, not the integration user's views.
  EXPECT_EQ(recent(org.admin), (Ids{b, a}));
  // A record handed back to the CEO is no longer the integration user's to see, nor in the list.
  const std::string ceo = org.records(org.admin, "SELECT Id FROM User WHERE Username = 'admin@crmsync.test'")[0]["Id"];
  ASSERT_EQ(org.send("PATCH", org.admin, kData + "/sobjects/Account/" + a, {{"OwnerId", ceo}})->status, 204);
  EXPECT_EQ(recent(org.integration), Ids{b});
  EXPECT_EQ(error_of(org.get(org.integration, kData + "/recent?limit=zero"), 400)["errorCode"],
            "INVALID_QUERY_FILTER_OPERATOR");
}

TEST(EmulatorSearchTest, TabsAndThemeListTheObjectsTheUserMayRead) {
  SearchOrg org;
  auto names = [&](const std::string& token) {
    auto r = org.get(token, kData + "/tabs");
    EXPECT_EQ(r->status, 200) << r->body;
    std::set<std::string> out;
    for (const auto& tab : json::parse(r->body)) {
      EXPECT_EQ(tab["name"], "standard-" + tab["sobjectName"].get<std::string>());
      EXPECT_TRUE(tab["url"].get<std::string>().ends_with("/o"));
      EXPECT_FALSE(tab["colors"].empty());
      out.insert(tab["sobjectName"]);
    }
    return out;
  };
  const auto admin = names(org.admin), integration = names(org.integration);
  EXPECT_TRUE(admin.count("Account") && admin.count("Lead") && admin.count("Contact"));
  EXPECT_TRUE(integration.count("Account"));
  EXPECT_FALSE(integration.count("Lead"));
  auto r = org.get(org.integration, kData + "/theme");
  ASSERT_EQ(r->status, 200) << r->body;
  std::set<std::string> themed;
  const json theme = json::parse(r->body);
  for (const auto& item : theme["themeItems"]) {
    EXPECT_FALSE(item["icons"].empty());
    themed.insert(item["name"]);
  }
  EXPECT_EQ(themed, integration);
}

TEST(EmulatorSearchTest, EveryAdvertisedResourceAnswersAndIdentityIsComplete) {
  SearchOrg org;
  auto r = org.get(org.integration, kData + "/");
  ASSERT_EQ(r->status, 200) << r->body;
  const json resources = json::parse(r->body);
  // Requests a resource needs a parameter for answer 400 with their own error, never 404 / 405.
  const std::set<std::string> need_parameters = {"search", "query", "queryAll", "parameterizedSearch"};
  for (const auto& [name, url] : resources.items()) {
    const std::string path = path_of(url.get<std::string>());
    auto answer = org.get(org.integration, path);
    ASSERT_TRUE(answer) << name;
    EXPECT_EQ(answer->status, need_parameters.count(name) ? 400 : 200) << name << " " << path << ": " << answer->body;
  }
  for (const char* missing : {"tooling", "chatter", "analytics", "connect", "ui-api", "async"}) {
    EXPECT_FALSE(resources.contains(missing)) << missing << " is advertised but not served";
  }
  // Everything Salesforce lists that the emulator serves is listed (Bulk API 2.0 as `jobs`).
  for (const char* present : {"sobjects", "query", "queryAll", "search", "parameterizedSearch", "composite", "recent",
                              "tabs", "theme", "limits", "jobs", "identity"}) {
    EXPECT_TRUE(resources.contains(present)) << present;
  }
  // `jobs` lists Bulk API 2.0's ingest and query, and both answer; before API 41.0 there is no `jobs`.
  r = org.get(org.integration, kData + "/jobs");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body), json({{"ingest", kData + "/jobs/ingest"}, {"query", kData + "/jobs/query"}}));
  for (const char* sub : {"/jobs/ingest", "/jobs/query"}) {
    EXPECT_EQ(org.get(org.integration, kData + sub)->status, 200) << sub;
  }
  r = org.get(org.integration, "/services/data/v40.0/");
  ASSERT_EQ(r->status, 200);
  EXPECT_FALSE(json::parse(r->body).contains("jobs"));
  EXPECT_EQ(org.get(org.integration, "/services/data/v40.0/jobs")->status, 404);

  const std::string identity_url = resources["identity"];
  r = org.get(org.integration, path_of(identity_url));
  ASSERT_EQ(r->status, 200) << r->body;
  const json id = json::parse(r->body);
  EXPECT_EQ(id["id"], identity_url);
  EXPECT_EQ(id["username"], "integration@crmsync.test");
  for (const char* key : {"user_id", "organization_id", "display_name", "email", "language", "locale", "user_type"}) {
    EXPECT_TRUE(id[key].is_string() && !id[key].get<std::string>().empty()) << key << ": " << id;
  }
  EXPECT_TRUE(id["active"].get<bool>());
  EXPECT_TRUE(id["is_app_installed"].get<bool>());
  EXPECT_TRUE(id["utcOffset"].is_number_integer());
  EXPECT_TRUE(std::regex_match(id["last_modified_date"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << id["last_modified_date"];
  EXPECT_TRUE(id["photos"].contains("picture"));
  // Every API URL of identity, {version} filled in, answers too.
  for (const char* key : {"rest", "sobjects", "search", "query", "recent"}) {
    std::string url = id["urls"][key];
    ASSERT_NE(url.find("{version}"), std::string::npos) << key;
    url.replace(url.find("{version}"), 9, "60.0");
    auto answer = org.get(org.integration, path_of(url));
    ASSERT_TRUE(answer) << key;
    EXPECT_EQ(answer->status, (std::string(key) == "search" || std::string(key) == "query") ? 400 : 200)
        << key << ": " << answer->body;
  }
  // The composite resource lists what it serves, as Salesforce names them (not `graph`).
  r = org.get(org.integration, kData + "/composite");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body), json({{"tree", kData + "/composite/tree"}, {"batch", kData + "/composite/batch"},
                                        {"sobjects", kData + "/composite/sobjects"}}));
}

}  // namespace
}  // namespace crmsync::emulator
