// The SOQL and SOSL conformance corpora: every file in tests/conformance/soql/ and
// tests/conformance/sosl/ is one case, run here over loopback against an emulator started from the
// file's org. Adding a case is adding a file.
//
// A file (JSON):
//   "about":   what the case shows
//   "org":     org file lines (TOML) added to a tiny org ("scale = 0": no generated records)
//   "records": [{"ref": "acme", "object": "Account", "fields": {"Name": "Acme"}}, ...], created in
//              order by the admin; "@acme" anywhere (fields, queries, expectations; not after a
//              letter or digit, as in an email address) is that record's Id, "@user:rep@x.test" a
//              user's Id
//   "queries": [{"query": "SELECT ...", "as": "integration" | "admin" | "user:password",
//                "all": true (queryAll), "ordered": true|false (default: whether it has ORDER BY),
//                "attributes": true (compare `attributes` too, without its url),
//                "totalSize": n, "records": [...]}                 -- the rows, written by hand
//               {"query": ..., "error": {"status": 400, "errorCode": "...", "message": "part of it"}}]
//              In the SOSL corpus "search": "FIND {...} RETURNING ..." takes the place of "query"
//              (GET /search), "records" are the searchRecords, and "ordered" defaults to false.
// Records are compared as JSON values; without "attributes" every `attributes` object is left out,
// and unless the query is ordered, `records` arrays (nested ones too) are compared as sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/text.h"
#include "emulator_org.h"
#include "test_support.h"

namespace crmsync::testing {
namespace {

using nlohmann::json;

const std::filesystem::path kCorpora = std::filesystem::path(CRMSYNC_SOURCE_DIR) / "tests/conformance";

std::vector<std::string> corpus_files(const char* language) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpora / language)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Replaces "@ref" (whole strings and inside query text) with the Ids they name.
class Refs {
 public:
  void add(const std::string& name, const std::string& id) { ids_["@" + name] = id; }

  std::string text(std::string s) const {
    // Longest names first, so "@acme2" is not read as "@acme" followed by "2".
    std::vector<std::pair<std::string, std::string>> by_length(ids_.begin(), ids_.end());
    std::sort(by_length.begin(), by_length.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    for (const auto& [name, id] : by_length) {
      for (std::size_t at = s.find(name); at != std::string::npos; at = s.find(name, at + 1)) {
        // "@acme", not the "@acme" of an email address such as "ng@acme.test".
        if (at > 0 && std::isalnum(static_cast<unsigned char>(s[at - 1]))) continue;
        s.replace(at, name.size(), id);
      }
    }
    return s;
  }

  json value(const json& v) const {
    if (v.is_string()) return text(v.get<std::string>());
    if (v.is_array() || v.is_object()) {
      json out = v;
      for (auto& item : out) item = value(item);
      return out;
    }
    return v;
  }

 private:
  std::map<std::string, std::string> ids_;
};

// What the comparison looks at: attributes left out (or their url), unordered `records` sorted.
json canonical(const json& v, bool attributes, bool ordered) {
  if (v.is_array()) {
    json out = json::array();
    for (const auto& item : v) out.push_back(canonical(item, attributes, ordered));
    return out;
  }
  if (!v.is_object()) return v;
  json out = json::object();
  for (const auto& [key, item] : v.items()) {
    if (key == "attributes") {
      if (!attributes) continue;
      json a = item;
      a.erase("url");
      out[key] = a;
      continue;
    }
    out[key] = canonical(item, attributes, ordered);
    if (key == "records" && out[key].is_array() && !ordered) {
      std::sort(out[key].begin(), out[key].end(), [](const json& a, const json& b) { return a.dump() < b.dump(); });
    }
  }
  return out;
}

std::string token_of(const EmulatorOrg& org, const std::string& as) {
  if (as.empty() || as == "integration") return org.integration;
  if (as == "admin") return org.admin;
  const std::size_t colon = as.rfind(':');
  return org.login(as.substr(0, colon), as.substr(colon + 1));
}

void create_records(const EmulatorOrg& org, const json& records, Refs& refs) {
  for (const auto& r : records) {
    const std::string object = r.at("object");
    auto created = org.send("POST", org.admin, kData + "/sobjects/" + object, refs.value(r.at("fields")));
    ASSERT_TRUE(created && created->status == 201)
        << "creating " << r.dump() << ": " << (created ? created->body : "no answer");
    if (r.contains("ref")) refs.add(r.at("ref"), json::parse(created->body).at("id"));
  }
}

void add_user_refs(const EmulatorOrg& org, Refs& refs) {
  for (const auto& u : org.records(org.admin, "SELECT Id, Username FROM User")) {
    refs.add("user:" + u.at("Username").get<std::string>(), u.at("Id"));
  }
}

void check_error(const httplib::Result& r, const json& e, const Refs& refs) {
  ASSERT_EQ(r->status, e.value("status", 400)) << r->body;
  const json body = json::parse(r->body);
  ASSERT_TRUE(body.is_array() && !body.empty()) << r->body;
  EXPECT_EQ(body[0].at("errorCode"), e.at("errorCode")) << r->body;
  if (e.contains("message")) {
    EXPECT_TRUE(contains(body[0].at("message").get<std::string>(), refs.text(e.at("message")))) << r->body;
  }
}

void check_records(const json& records, const json& q, const Refs& refs, bool ordered) {
  const bool attributes = q.value("attributes", false);
  const json want = canonical(json{{"records", refs.value(q.at("records"))}}, attributes, ordered);
  const json got = canonical(json{{"records", records}}, attributes, ordered);
  EXPECT_EQ(got, want) << "got:  " << got.dump() << "\nwant: " << want.dump();
}

void run_query(const EmulatorOrg& org, const json& q, const Refs& refs) {
  const std::string soql = refs.text(q.at("query"));
  SCOPED_TRACE(soql);
  const std::string token = token_of(org, q.value("as", "integration"));
  const std::string route = q.value("all", false) ? "/queryAll?q=" : "/query?q=";
  auto r = org.get(token, kData + route + httplib::detail::encode_query_param(soql));
  ASSERT_TRUE(r);
  if (q.contains("error")) return check_error(r, q.at("error"), refs);
  ASSERT_EQ(r->status, 200) << r->body;
  const json body = json::parse(r->body);
  if (q.contains("totalSize")) {
    EXPECT_EQ(body.at("totalSize"), q.at("totalSize"));
  }
  EXPECT_EQ(body.at("done"), true);
  check_records(body.at("records"), q, refs, q.value("ordered", contains(to_lower(soql), "order by")));
}

void run_search(const EmulatorOrg& org, const json& q, const Refs& refs) {
  const std::string sosl = refs.text(q.at("search"));
  SCOPED_TRACE(sosl);
  const std::string token = token_of(org, q.value("as", "integration"));
  auto r = org.get(token, kData + "/search?q=" + httplib::detail::encode_query_param(sosl));
  ASSERT_TRUE(r);
  if (q.contains("error")) return check_error(r, q.at("error"), refs);
  ASSERT_EQ(r->status, 200) << r->body;
  check_records(json::parse(r->body).at("searchRecords"), q, refs, q.value("ordered", false));
}

// One corpus file: its org, its records, then its queries or searches in order.
void run_case(const char* language, const std::string& name) {
  std::ifstream in(kCorpora / language / (name + ".json"));
  ASSERT_TRUE(in) << "cannot read " << name;
  std::stringstream text;
  text << in.rdbuf();
  const json file = json::parse(text.str());
  EmulatorOrg org(file.value("org", ""), "scale = 0\nseed = 1\n");
  Refs refs;
  add_user_refs(org, refs);
  create_records(org, file.value("records", json::array()), refs);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  for (const auto& q : file.at("queries")) {
    if (q.contains("search")) {
      run_search(org, q, refs);
    } else {
      run_query(org, q, refs);
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<std::string>& param) {
  std::string name = param.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SoqlConformance : public ::testing::TestWithParam<std::string> {};
class SoslConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(SoqlConformance, AnswersAsTheCaseSays) { run_case("soql", GetParam()); }
TEST_P(SoslConformance, AnswersAsTheCaseSays) { run_case("sosl", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, SoqlConformance, ::testing::ValuesIn(corpus_files("soql")), case_name);
INSTANTIATE_TEST_SUITE_P(Corpus, SoslConformance, ::testing::ValuesIn(corpus_files("sosl")), case_name);

}  // namespace
}  // namespace crmsync::testing
