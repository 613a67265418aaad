// The emulator over loopback: OAuth grants and errors, discovery and describe shapes, sObject
// CRUD with Salesforce's error bodies, query paging, limits, and the `crmsync emulator` command.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/sfid.h"
#include "common/timeutil.h"
#include "emulator/emulator.h"
#include "emulator_http.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

class EmulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    emu_ = new Emulator({.port = 0, .org = {.seed = 42, .scale = 600}});
    ASSERT_TRUE(emu_->start().ok());
  }
  static void TearDownTestSuite() {
    emu_->stop();
    delete emu_;
    emu_ = nullptr;
  }

  static httplib::Client client() { return crmsync::testing::loopback_client(emu_->port()); }

  static httplib::Result token_request(const httplib::Params& params, const httplib::Headers& headers = {}) {
    return client().Post("/services/oauth2/token", headers, params);
  }

  static std::string login(const std::string& user = "admin@crmsync.test", const std::string& pass = "admin-pass") {
    auto r = token_request(crmsync::testing::password_grant(user, pass));
    return json::parse(r->body)["access_token"];
  }

  static httplib::Headers auth(const std::string& extra_name = "", const std::string& extra_value = "") {
    static const std::string token = login();
    httplib::Headers h = {{"Authorization", "Bearer " + token}};
    if (!extra_name.empty()) h.emplace(extra_name, extra_value);
    return h;
  }

  static httplib::Result get(const std::string& path, const httplib::Headers& h = auth()) {
    return client().Get(path.c_str(), h);
  }
  static httplib::Result query(const std::string& soql, bool all = false, const httplib::Headers& h = auth()) {
    std::string path = std::string("/services/data/v60.0/") + (all ? "queryAll" : "query") + "?q=" +
                       httplib::detail::encode_query_param(soql);
    return get(path, h);
  }
  static httplib::Result post(const std::string& path, const std::string& body) {
    return client().Post(path.c_str(), auth(), body, "application/json");
  }
  static httplib::Result patch(const std::string& path, const std::string& body) {
    return client().Patch(path.c_str(), auth(), body, "application/json");
  }
  static httplib::Result del(const std::string& path) { return client().Delete(path.c_str(), auth()); }

  static Emulator* emu_;
};
Emulator* EmulatorTest::emu_ = nullptr;

const std::string kData = "/services/data/v60.0";

std::string b64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                  static_cast<int>(data.size()));
  return out;
}

std::string hmac_base64(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  std::string out(4 * ((len + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len));
  return out;
}

// ---- OAuth ------------------------------------------------------------------------------------

TEST_F(EmulatorTest, PasswordGrantAnswersLikeSalesforce) {
  auto r = token_request({{"grant_type", "password"},
                          {"client_id", "crmsync-local"},
                          {"client_secret", "crmsync-local-secret"},
                          {"username", "admin@crmsync.test"},
                          {"password", "admin-pass"}});
  ASSERT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Sforce-Limit-Info"));
  json body = json::parse(r->body);
  const std::string token = body["access_token"], id = body["id"], issued_at = body["issued_at"];
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["instance_url"], emu_->base_url());
  EXPECT_EQ(token[15], '!');
  EXPECT_EQ(token.substr(0, 3), "00D");
  EXPECT_EQ(issued_at.size(), 13u);
  // id = <base>/id/<OrgId18>/<UserId18>
  const std::string prefix = emu_->base_url() + "/id/";
  ASSERT_EQ(id.substr(0, prefix.size()), prefix);
  const std::string org = id.substr(prefix.size(), 18), user = id.substr(prefix.size() + 19);
  EXPECT_TRUE(is_sf_id(org));
  EXPECT_EQ(org.substr(0, 15), token.substr(0, 15));
  EXPECT_TRUE(is_sf_id(user));
  EXPECT_EQ(user.substr(0, 3), "005");
  EXPECT_EQ(body["signature"], hmac_base64("crmsync-local-secret", id + issued_at));
  EXPECT_TRUE(body.contains("scope"));
  // The identity URL answers with the bearer token.
  auto who = client().Get(id.substr(emu_->base_url().size()).c_str(), {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(who->status, 200);
  EXPECT_EQ(json::parse(who->body)["username"], "admin@crmsync.test");
}

TEST_F(EmulatorTest, ClientCredentialsRunAsTheIntegrationUserWithFormOrBasicAuth) {
  auto form = token_request(
      {{"grant_type", "client_credentials"}, {"client_id", "crmsync-local"}, {"client_secret", "crmsync-local-secret"}});
  ASSERT_EQ(form->status, 200) << form->body;
  auto basic = token_request({{"grant_type", "client_credentials"}},
                             {{"Authorization", "Basic " + b64("crmsync-local:crmsync-local-secret")}});
  ASSERT_EQ(basic->status, 200) << basic->body;
  for (const auto* r : {&form, &basic}) {
    json body = json::parse((*r)->body);
    const std::string id = body["id"];
    auto who = client().Get(id.substr(emu_->base_url().size()).c_str(),
                            {{"Authorization", "Bearer " + body["access_token"].get<std::string>()}});
    EXPECT_EQ(json::parse(who->body)["username"], "integration@crmsync.test");
  }
}

TEST_F(EmulatorTest, TokenErrorsAreExact) {
  struct Case {
    httplib::Params params;
    std::string body;
  };
  const std::vector<Case> cases = {
      {{{"grant_type", "password"}, {"client_id", "crmsync-local"}, {"client_secret", "crmsync-local-secret"},
        {"username", "admin@crmsync.test"}, {"password", "wrong"}},
       R"({"error":"invalid_grant","error_description":"authentication failure"})"},
      {{{"grant_type", "password"}, {"client_id", "nope"}, {"client_secret", "crmsync-local-secret"},
        {"username", "admin@crmsync.test"}, {"password", "admin-pass"}},
       R"({"error":"invalid_client_id","error_description":"client identifier invalid"})"},
      {{{"grant_type", "client_credentials"}, {"client_id", "crmsync-local"}, {"client_secret", "bad"}},
       R"({"error":"invalid_client","error_description":"invalid client credentials"})"},
      {{{"grant_type", "urn:ietf:params:oauth:grant-type:saml2-bearer"}, {"client_id", "crmsync-local"}},
       R"({"error":"unsupported_grant_type","error_description":"grant type not supported"})"},
      {{{"client_id", "crmsync-local"}}, R"({"error":"invalid_request","error_description":"grant type is missing"})"},
  };
  for (const auto& c : cases) {
    auto r = token_request(c.params);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->body, c.body);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json;charset=UTF-8");
  }
}

TEST_F(EmulatorTest, ApiCallsWithoutAValidTokenAre401) {
  const std::string expected = R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])";
  auto none = get(kData + "/sobjects/", {});
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->body, expected);
  auto bogus = get(kData + "/sobjects/", {{"Authorization", "Bearer 00D000000000000!nope"}});
  EXPECT_EQ(bogus->status, 401);
  EXPECT_EQ(bogus->body, expected);
  // The older "OAuth" scheme is accepted too.
  auto oauth = get(kData + "/sobjects/", {{"Authorization", "OAuth " + login()}});
  EXPECT_EQ(oauth->status, 200);
}

// ---- discovery and describe -------------------------------------------------------------------

TEST_F(EmulatorTest, VersionsNeedNoAuthAndUnsupportedVersionsAre404) {
  auto r = client().Get("/services/data/");
  ASSERT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Sforce-Limit-Info"));
  std::set<std::string> versions;
  for (const auto& v : json::parse(r->body)) {
    versions.insert(v["version"]);
    EXPECT_EQ(v["url"], "/services/data/v" + v["version"].get<std::string>());
  }
  for (const char* v : {"59.0", "60.0", "61.0", "62.0"}) EXPECT_TRUE(versions.count(v)) << v;
  EXPECT_EQ(json::parse(r->body)[39]["label"], "Winter '24");  // 59.0, 39 releases after 20.0

  auto bad = get("/services/data/v99.0/sobjects/");
  EXPECT_EQ(bad->status, 404);
  EXPECT_EQ(bad->body, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])");
  auto resources = get(kData + "/");
  ASSERT_EQ(resources->status, 200);
  EXPECT_EQ(json::parse(resources->body)["query"], kData + "/query");
}

TEST_F(EmulatorTest, DescribeGlobalListsEveryCatalogObject) {
  auto r = get(kData + "/sobjects/");
  ASSERT_EQ(r->status, 200);
  json body = json::parse(r->body);
  EXPECT_EQ(body["encoding"], "UTF-8");
  EXPECT_EQ(body["maxBatchSize"], 200);
  std::map<std::string, std::string> prefixes;
  for (const auto& o : body["sobjects"]) {
    // keyPrefix is nullable (UserRecordAccess has none).
    prefixes[o["name"]] = o["keyPrefix"].is_null() ? "" : o["keyPrefix"].get<std::string>();
    for (const char* key : {"activateable", "createable", "custom", "customSetting", "deletable",
                            "deprecatedAndHidden", "feedEnabled", "hasSubtypes", "isSubtype", "label", "labelPlural",
                            "layoutable", "mergeable", "mruEnabled", "queryable", "replicateable", "retrieveable",
                            "searchable", "triggerable", "undeletable", "updateable", "urls"}) {
      EXPECT_TRUE(o.contains(key)) << key;
    }
  }
  for (const char* name : {"Account", "Contact", "Lead", "Opportunity", "OpportunityContactRole",
                           "OpportunityHistory", "OpportunityStage", "RecordType", "User", "Task", "Event",
                           "OpportunitySplit", "OpportunitySplitType", "OpportunityTeamMember",
                           "OpportunityLineItem", "Campaign", "CampaignMember", "PermissionSet",
                           "PermissionSetAssignment", "ObjectPermissions", "FieldPermissions", "Profile"}) {
    EXPECT_TRUE(prefixes.count(name)) << name;
  }
  EXPECT_EQ(prefixes["OpportunityContactRole"], "00K");
  EXPECT_EQ(prefixes["OpportunityLineItem"], "00k");
}

json field(const json& describe, const std::string& name) {
  for (const auto& f : describe["fields"]) {
    if (f["name"] == name) return f;
  }
  return nullptr;
}

TEST_F(EmulatorTest, DescribeHasSalesforceShapes) {
  auto r = get(kData + "/sobjects/Account/describe");
  ASSERT_EQ(r->status, 200);
  json d = json::parse(r->body);
  for (const char* key : {"actionOverrides", "activateable", "childRelationships", "compactLayoutable", "createable",
                          "custom", "customSetting", "deletable", "deprecatedAndHidden", "feedEnabled", "fields",
                          "hasSubtypes", "isSubtype", "keyPrefix", "label", "labelPlural", "layoutable",
                          "listviewable", "lookupLayoutable", "mergeable", "mruEnabled", "name", "namedLayoutInfos",
                          "networkScopeFieldName", "queryable", "recordTypeInfos", "replicateable", "retrieveable",
                          "searchLayoutable", "searchable", "supportedScopes", "triggerable", "undeletable",
                          "updateable", "urls"}) {
    EXPECT_TRUE(d.contains(key)) << key;
  }
  const std::vector<std::string> field_keys = {
      "aggregatable", "aiPredictionField", "autoNumber", "byteLength", "calculated", "calculatedFormula",
      "cascadeDelete", "caseSensitive", "compoundFieldName", "controllerName", "createable", "custom",
      "defaultValue", "defaultValueFormula", "defaultedOnCreate", "dependentPicklist", "deprecatedAndHidden",
      "digits", "displayLocationInDecimal", "encrypted", "externalId", "extraTypeInfo", "filterable",
      "filteredLookupInfo", "formulaTreatNullNumberAsZero", "groupable", "highScaleNumber", "htmlFormatted",
      "idLookup", "inlineHelpText", "label", "length", "mask", "maskType", "name", "nameField", "namePointing",
      "nillable", "permissionable", "picklistValues", "polymorphicForeignKey", "precision", "queryByDistance",
      "referenceTargetField", "referenceTo", "relationshipName", "relationshipOrder", "restrictedDelete",
      "restrictedPicklist", "scale", "searchPrefilterable", "soapType", "sortable", "type", "unique", "updateable",
      "writeRequiresMasterRead"};
  for (const auto& f : d["fields"]) {
    EXPECT_EQ(f.size(), field_keys.size()) << f["name"];
    for (const auto& k : field_keys) EXPECT_TRUE(f.contains(k)) << f["name"] << "." << k;
  }
  json description = field(d, "Description");
  EXPECT_EQ(description["type"], "textarea");
  EXPECT_EQ(description["extraTypeInfo"], "plaintextarea");
  EXPECT_EQ(description["length"], 32000);
  EXPECT_EQ(description["byteLength"], 96000);
  EXPECT_EQ(description["filterable"], false);
  json street = field(d, "BillingStreet");
  EXPECT_EQ(street["type"], "textarea");
  EXPECT_EQ(street["length"], 255);
  EXPECT_EQ(street["compoundFieldName"], "BillingAddress");
  json address = field(d, "BillingAddress");
  EXPECT_EQ(address["type"], "address");
  EXPECT_EQ(address["soapType"], "urn:address");
  json owner = field(d, "OwnerId");
  EXPECT_EQ(owner["type"], "reference");
  EXPECT_EQ(owner["referenceTo"], json::array({"User"}));
  EXPECT_EQ(owner["relationshipName"], "Owner");
  EXPECT_EQ(owner["soapType"], "tns:ID");
  EXPECT_EQ(owner["length"], 18);
  json revenue = field(d, "AnnualRevenue");
  EXPECT_EQ(revenue["type"], "currency");
  EXPECT_EQ(revenue["precision"], 18);
  EXPECT_EQ(revenue["scale"], 0);
  json industry = field(d, "Industry");
  EXPECT_EQ(industry["picklistValues"][0].size(), 5u);
  EXPECT_EQ(d["recordTypeInfos"][0]["recordTypeId"], "012000000000000AAA");
  bool contacts = false;
  for (const auto& c : d["childRelationships"]) contacts = contacts || c["relationshipName"] == "Contacts";
  EXPECT_TRUE(contacts);

  json opp = json::parse(get(kData + "/sobjects/Opportunity/describe")->body);
  json expected = field(opp, "ExpectedRevenue");
  EXPECT_EQ(expected["calculated"], true);
  EXPECT_EQ(expected["type"], "currency");
  EXPECT_FALSE(expected["calculatedFormula"].is_null());
  EXPECT_EQ(expected["createable"], false);
  EXPECT_EQ(opp["recordTypeInfos"].size(), 3u);  // New Business, Renewal, Master

  json task = json::parse(get(kData + "/sobjects/Task/describe")->body);
  EXPECT_EQ(field(task, "Subject")["type"], "combobox");
  EXPECT_EQ(field(task, "WhoId")["referenceTo"], json::array({"Contact", "Lead"}));
  EXPECT_EQ(field(task, "WhoId")["polymorphicForeignKey"], true);

  auto unknown = get(kData + "/sobjects/Xyzzy/describe");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->body, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])");
}

// ---- sObject rows -----------------------------------------------------------------------------

TEST_F(EmulatorTest, CrudRoundTripWithSoftDeleteSeenByQueryAllOnly) {
  auto created = post(kData + "/sobjects/Account", R"({"Name":"Ünïcode Test Co 日本","NumberOfEmployees":12})");
  ASSERT_EQ(created->status, 201) << created->body;
  json body = json::parse(created->body);
  const std::string id = body["id"];
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["errors"], json::array());
  EXPECT_EQ(id.substr(0, 3), "001");

  json row = json::parse(get(kData + "/sobjects/Account/" + id)->body);
  EXPECT_EQ(row["Name"], "Ünïcode Test Co 日本");
  EXPECT_EQ(row["NumberOfEmployees"], 12);
  EXPECT_EQ(row["attributes"]["url"], kData + "/sobjects/Account/" + id);
  EXPECT_EQ(row["OwnerId"], row["CreatedById"]);  // the caller owns what it creates
  const EpochMs first_stamp = *parse_datetime(row["SystemModstamp"].get<std::string>());

  auto updated = patch(kData + "/sobjects/Account/" + id, R"({"Industry":"Banking"})");
  EXPECT_EQ(updated->status, 204);
  json after = json::parse(get(kData + "/sobjects/Account/" + id + "?fields=Industry,SystemModstamp")->body);
  EXPECT_EQ(after["Industry"], "Banking");
  EXPECT_EQ(after.size(), 3u);  // attributes + the two fields asked for
  EXPECT_GT(*parse_datetime(after["SystemModstamp"].get<std::string>()), first_stamp);

  const std::string soql = "SELECT Id, IsDeleted FROM Account WHERE Id = '" + id + "'";
  EXPECT_EQ(json::parse(query(soql)->body)["totalSize"], 1);
  EXPECT_EQ(del(kData + "/sobjects/Account/" + id)->status, 204);
  EXPECT_EQ(get(kData + "/sobjects/Account/" + id)->status, 404);
  EXPECT_EQ(json::parse(query(soql)->body)["totalSize"], 0);
  json all = json::parse(query(soql, /*all=*/true)->body);
  ASSERT_EQ(all["totalSize"], 1);
  EXPECT_EQ(all["records"][0]["IsDeleted"], true);

  auto again = patch(kData + "/sobjects/Account/" + id, R"({"Industry":"Retail"})");
  EXPECT_EQ(again->body, R"([{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}])");
}

// If-Unmodified-Since on an update (optimistic concurrency, as crmsync serve's edits use it): a
// record modified after the header's time is refused with 412 and left as it is; one not modified
// since is updated.
TEST_F(EmulatorTest, AnUpdateIfUnmodifiedSinceIsRefused412WhenTheRecordChangedSince) {
  auto created = post(kData + "/sobjects/Account", R"({"Name":"Precondition Co"})");
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string path = kData + "/sobjects/Account/" + json::parse(created->body)["id"].get<std::string>();
  auto read = [&] { return json::parse(get(path + "?fields=Industry,LastModifiedDate")->body); };
  const EpochMs modified = *parse_datetime(read()["LastModifiedDate"].get<std::string>());
  auto conditional = [&](EpochMs since, const std::string& industry) {
    return client().Patch(path.c_str(), auth("If-Unmodified-Since", format_http_date(since)),
                          R"({"Industry":")" + industry + "\"}", "application/json");
  };
  auto stale = conditional(modified - 1000, "Retail");
  EXPECT_EQ(stale->status, 412);
  EXPECT_EQ(stale->body, R"([{"message":"record has been modified since you retrieved it","errorCode":)"
                         R"("ENTITY_FAILED_IFLASTMODIFIED_ON_UPDATE_CHECK"}])");
  EXPECT_TRUE(read()["Industry"].is_null()) << "nothing written";
  auto current = conditional(modified, "Banking");
  EXPECT_EQ(current->status, 204) << current->body << ": the same second is not later";
  EXPECT_EQ(read()["Industry"], "Banking");
  auto garbage = client().Patch(path.c_str(), auth("If-Unmodified-Since", "yesterday"), R"({"Industry":"x"})",
                                "application/json");
  EXPECT_EQ(garbage->status, 400);
  EXPECT_EQ(read()["Industry"], "Banking");
}

TEST_F(EmulatorTest, WritesGetStrictlyIncreasingModstamps) {
  std::set<std::string> stamps;
  for (int i = 0; i < 5; ++i) {
    auto r = post(kData + "/sobjects/Contact", R"({"LastName":"Stamp"})");
    ASSERT_EQ(r->status, 201) << r->body;
    const std::string id = json::parse(r->body)["id"];
    stamps.insert(json::parse(get(kData + "/sobjects/Contact/" + id + "?fields=SystemModstamp")->body)["SystemModstamp"]);
  }
  EXPECT_EQ(stamps.size(), 5u);
}

TEST_F(EmulatorTest, ValidationErrorsHaveSalesforceBodies) {
  auto unknown = post(kData + "/sobjects/Account", R"({"Name":"x","Foo__c":1})");
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(unknown->body, R"([{"message":"No such column 'Foo__c' on sobject of type Account","errorCode":"INVALID_FIELD"}])");

  auto readonly = post(kData + "/sobjects/Account", R"({"Name":"x","CreatedDate":"2024-01-01T00:00:00Z"})");
  EXPECT_EQ(readonly->status, 400);
  EXPECT_EQ(readonly->body,
            R"([{"message":"Unable to create/update fields: CreatedDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.","errorCode":"INVALID_FIELD_FOR_INSERT_UPDATE","fields":["CreatedDate"]}])");

  auto missing = post(kData + "/sobjects/Opportunity", R"({"Amount":10})");
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(missing->body,
            R"([{"message":"Required fields are missing: [Name, StageName, CloseDate]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name","StageName","CloseDate"]}])");

  auto bad_type = post(kData + "/sobjects/Account", R"({"Name":"x","NumberOfEmployees":"many"})");
  EXPECT_EQ(bad_type->status, 400);
  EXPECT_EQ(json::parse(bad_type->body)[0]["errorCode"], "JSON_PARSER_ERROR");

  auto bad_json = post(kData + "/sobjects/Account", R"({"Name":)");
  EXPECT_EQ(json::parse(bad_json->body)[0]["errorCode"], "JSON_PARSER_ERROR");

  auto bad_ref = post(kData + "/sobjects/Contact", R"({"LastName":"x","AccountId":"not-an-id"})");
  EXPECT_EQ(bad_ref->status, 400);
  EXPECT_EQ(bad_ref->body,
            R"([{"message":"Account ID: id value of incorrect type: not-an-id","errorCode":"MALFORMED_ID","fields":["AccountId"]}])");
  auto dangling = post(kData + "/sobjects/Contact",
                       R"({"LastName":"x","AccountId":")" + make_sf_id("001", 999999) + R"("})");
  EXPECT_EQ(json::parse(dangling->body)[0]["errorCode"], "INVALID_CROSS_REFERENCE_KEY");

  const std::string missing_id = make_sf_id("001", 888888);
  auto not_found = get(kData + "/sobjects/Account/" + missing_id);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->body, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])");
  EXPECT_EQ(patch(kData + "/sobjects/Account/" + missing_id, "{}")->status, 404);

  auto wrong_method = client().Put((kData + "/sobjects/Account").c_str(), auth(), "{}", "application/json");
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(json::parse(wrong_method->body)[0]["errorCode"], "METHOD_NOT_ALLOWED");
  EXPECT_EQ(get(kData + "/nothing/here")->status, 404);
}

// ---- query ------------------------------------------------------------------------------------

TEST_F(EmulatorTest, AnEmptyStringInARequiredFieldIsRequiredFieldMissing) {
  // Salesforce stores "" in a text field as null: a required one is then missing, on create and
  // on update, and the record is left as it was.
  const std::string missing_last_name =
      R"([{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}])";
  auto created = post(kData + "/sobjects/Contact", R"({"FirstName":"Ann","LastName":""})");
  EXPECT_EQ(created->status, 400);
  EXPECT_EQ(created->body, missing_last_name);
  auto nulled = post(kData + "/sobjects/Contact", R"({"FirstName":"Ann","LastName":null})");
  EXPECT_EQ(nulled->body, missing_last_name);

  auto made = post(kData + "/sobjects/Contact", R"({"FirstName":"Ann","LastName":"Kept"})");
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string id = json::parse(made->body)["id"];
  auto cleared = patch(kData + "/sobjects/Contact/" + id, R"({"LastName":""})");
  EXPECT_EQ(cleared->status, 400);
  EXPECT_EQ(cleared->body, missing_last_name);
  auto kept = get(kData + "/sobjects/Contact/" + id + "?fields=LastName");
  EXPECT_EQ(json::parse(kept->body)["LastName"], "Kept");

  // An optional text field given "" reads back as null.
  ASSERT_EQ(patch(kData + "/sobjects/Contact/" + id, R"({"FirstName":""})")->status, 204);
  EXPECT_TRUE(json::parse(get(kData + "/sobjects/Contact/" + id + "?fields=FirstName")->body)["FirstName"].is_null());

  // sObject Collections and composite write through the same engine.
  auto collection = post(kData + "/composite/sobjects",
                         R"({"allOrNone":false,"records":[{"attributes":{"type":"Account"},"Name":""}]})");
  ASSERT_EQ(collection->status, 200) << collection->body;
  EXPECT_EQ(json::parse(collection->body)[0]["errors"][0],
            json({{"statusCode", "REQUIRED_FIELD_MISSING"}, {"message", "Required fields are missing: [Name]"},
                  {"fields", json::array({"Name"})}}));
}

TEST_F(EmulatorTest, QueryPagesWithNextRecordsUrlAndBatchSize) {
  const std::pair<int, std::string> cases[] = {{0, "Task"}, {500, "Task"}, {200, "FieldPermissions"}};
  for (const auto& [batch, object] : cases) {
    httplib::Headers h = batch ? auth("Sforce-Query-Options", "batchSize=" + std::to_string(batch)) : auth();
    auto r = query("SELECT Id FROM " + object, false, h);
    ASSERT_EQ(r->status, 200) << r->body;
    json page = json::parse(r->body);
    const std::size_t total = page["totalSize"];
    const std::size_t expect_batch = batch ? static_cast<std::size_t>(batch) : 2000;
    ASSERT_GT(total, expect_batch) << object;
    std::set<std::string> ids;
    int pages = 0;
    while (true) {
      ++pages;
      const auto& records = page["records"];
      if (!page["done"].get<bool>()) {
        EXPECT_EQ(records.size(), expect_batch);
        const std::string next = page["nextRecordsUrl"];
        EXPECT_EQ(next.rfind(kData + "/query/01g", 0), 0u) << next;
        EXPECT_EQ(next.substr(next.rfind('-') + 1), std::to_string(ids.size() + records.size()));
      } else {
        EXPECT_FALSE(page.contains("nextRecordsUrl"));
      }
      for (const auto& rec : records) {
        EXPECT_EQ(rec["attributes"]["type"], object);
        ids.insert(rec["Id"]);
      }
      if (page["done"].get<bool>()) break;
      auto more = get(page["nextRecordsUrl"].get<std::string>(), h);
      ASSERT_EQ(more->status, 200);
      page = json::parse(more->body);
      EXPECT_EQ(page["totalSize"], total);
    }
    EXPECT_EQ(ids.size(), total);  // every row once, no duplicates
    EXPECT_EQ(pages, static_cast<int>((total + expect_batch - 1) / expect_batch));
  }
  auto stale = get(kData + "/query/01gRO0000000zzzAAA-2000");
  EXPECT_EQ(json::parse(stale->body)[0]["errorCode"], "INVALID_QUERY_LOCATOR");
}

TEST_F(EmulatorTest, QueryRecordsAreTypedInSelectOrder) {
  auto r = query("SELECT Name, Id, Amount, IsWon, CloseDate, CreatedDate, Probability FROM Opportunity LIMIT 3");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string& text = r->body;
  json rec = json::parse(text)["records"][0];
  EXPECT_TRUE(rec["Amount"].is_number());
  EXPECT_TRUE(rec["IsWon"].is_boolean());
  EXPECT_EQ(rec["CloseDate"].get<std::string>().size(), 10u);
  const std::string created = rec["CreatedDate"];
  EXPECT_EQ(created.size(), 28u);
  EXPECT_EQ(created.substr(19), ".000+0000");
  // Fields come back in SELECT order, after attributes.
  const auto first = text.find("\"attributes\"");
  EXPECT_LT(first, text.find("\"Name\""));
  EXPECT_LT(text.find("\"Name\""), text.find("\"Id\""));
  EXPECT_LT(text.find("\"Id\""), text.find("\"Amount\""));
}

TEST_F(EmulatorTest, CountAndMalformedQuery) {
  auto count = query("SELECT COUNT() FROM Account");
  ASSERT_EQ(count->status, 200);
  json c = json::parse(count->body);
  EXPECT_EQ(c["done"], true);
  EXPECT_EQ(c["records"], json::array());
  EXPECT_GE(c["totalSize"].get<int>(), 45);

  // Malformed statements, unknown objects and fields: tests/conformance/soql/basics.json.
  auto empty = get(kData + "/query?q=");
  EXPECT_EQ(empty->body, R"([{"message":"SOQL statements cannot be empty or null","errorCode":"MALFORMED_QUERY"}])");
}

TEST_F(EmulatorTest, SforceLimitInfoCountsEachApiCall) {
  auto usage = [](const httplib::Result& r) {
    const std::string h = r->get_header_value("Sforce-Limit-Info");
    EXPECT_EQ(h.rfind("api-usage=", 0), 0u) << h;
    EXPECT_NE(h.find("/100000"), std::string::npos) << h;
    return std::stol(h.substr(10));
  };
  const long a = usage(get(kData + "/sobjects/"));
  const long b = usage(get(kData + "/sobjects/Account/describe"));
  const long c = usage(get(kData + "/sobjects/NoSuchThing/describe"));
  EXPECT_EQ(b, a + 1);
  EXPECT_EQ(c, b + 1);
}

TEST(EmulatorOrgTest, SameSeedSameCountsAndCountsFollowScale) {
  auto counts = [](std::uint64_t seed, int scale) {
    Emulator emu({.port = 0, .org = {.seed = seed, .scale = scale}});
    EXPECT_TRUE(emu.start().ok());
    httplib::Client c("127.0.0.1", emu.port());
    auto tok = c.Post("/services/oauth2/token",
                      httplib::Params{{"grant_type", "client_credentials"},
                                      {"client_id", "crmsync-local"},
                                      {"client_secret", "crmsync-local-secret"}});
    httplib::Headers h = {{"Authorization", "Bearer " + json::parse(tok->body)["access_token"].get<std::string>()}};
    std::vector<int> out;
    for (const char* object : {"Account", "Contact", "Task", "OpportunityHistory"}) {
      const std::string soql = "SELECT COUNT() FROM " + std::string(object);
      auto r = c.Get(("/services/data/v62.0/queryAll?q=" + httplib::detail::encode_query_param(soql)).c_str(), h);
      json body = json::parse(r->body);
      EXPECT_TRUE(body.is_object()) << object << ": " << r->body;
      out.push_back(body.value("totalSize", -1));
    }
    emu.stop();
    return out;
  };
  auto a = counts(9, 40), b = counts(9, 40), c = counts(9, 80);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[0], 40);
  EXPECT_EQ(c[0], 80);
  for (std::size_t i = 1; i < a.size(); ++i) EXPECT_NEAR(static_cast<double>(c[i]) / a[i], 2.0, 0.35);
}

TEST(EmulatorCommandTest, ATakenPortIsAClearError) {
  Emulator emu({.port = 0, .org = {.seed = 1, .scale = 1}});
  ASSERT_TRUE(emu.start().ok());
  const std::string cmd = std::string(CRMSYNC_BINARY) + " emulator --scale 1 --port " + std::to_string(emu.port()) +
                          " > /tmp/crmsync_emulator_port_test.txt 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_NE(status, 0);
  emu.stop();
  std::FILE* f = std::fopen("/tmp/crmsync_emulator_port_test.txt", "r");
  ASSERT_NE(f, nullptr);
  char buf[512] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string out(buf, n);
  EXPECT_NE(out.find("Could not listen on 127.0.0.1:" + std::to_string(emu.port())), std::string::npos) << out;
}

TEST(EmulatorCommandTest, PrintsOneReadyLineServesAndStopsOnSigterm) {
  // `exec` keeps the shell's pid, so the first line is the emulator's own pid.
  const std::string cmd = "sh -c 'echo $$; exec " + std::string(CRMSYNC_BINARY) + " emulator --port 0 --scale 3'";
  std::FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, p), nullptr);
  const int pid = std::atoi(line);
  ASSERT_NE(std::fgets(line, sizeof line, p), nullptr);
  const std::string ready(line);
  const std::string prefix = "crmsync emulator listening on http://127.0.0.1:";
  ASSERT_EQ(ready.rfind(prefix, 0), 0u) << ready;
  const int port = std::atoi(ready.c_str() + prefix.size());
  httplib::Client c("127.0.0.1", port);
  auto versions = c.Get("/services/data/");
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->status, 200);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  const int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace crmsync::emulator
