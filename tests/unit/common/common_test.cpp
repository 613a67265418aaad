#include <gtest/gtest.h>

#include "common/result.h"
#include "common/sfid.h"
#include "common/text.h"
#include "common/timeutil.h"

namespace crmsync {
namespace {

TEST(SfIdTest, ChecksumMatchesRealIds) {
  // 18-character Ids seen in Salesforce documentation and recorded responses.
  for (const char* id : {"001D000000IRFmaIAH", "003RO0000035WQgYAM", "a00D0000008pQSNIA2", "005D0000001QX8WIAW",
                         "012000000000000AAA", "750Tn000004ZoR3IAK", "00D50000000IZ3ZEAW"}) {
    std::string s(id);
    EXPECT_EQ(sf_id_checksum(s.substr(0, 15)), s.substr(15)) << id;
    EXPECT_EQ(sf_id18(s.substr(0, 15)).value(), s);
  }
}

TEST(SfIdTest, SuffixIsCaseInsensitiveAndValidated) {
  EXPECT_EQ(sf_id18("001D000000IRFmaiah").value(), "001D000000IRFmaIAH");
  EXPECT_FALSE(sf_id18("001D000000IRFmaIAA").has_value());
  EXPECT_FALSE(sf_id18("001D000000IRFm").has_value());
  EXPECT_FALSE(sf_id18("001D000000IRF-aIAH").has_value());
  EXPECT_FALSE(is_sf_id(""));
}

TEST(SfIdTest, SameRecordWhateverTheFormButNeverAShortId) {
  EXPECT_TRUE(same_sf_id("001RO0000000001", "001RO0000000001YAA"));
  EXPECT_TRUE(same_sf_id("001RO0000000001YAA", "001RO0000000001YAA"));
  EXPECT_FALSE(same_sf_id("001RO0000000001", "001ro0000000001"));  // the 15-character form is case-sensitive
  EXPECT_FALSE(same_sf_id("001RO0000000001YAA", "001RO0000000002YAA"));
  EXPECT_FALSE(same_sf_id("001RO", "001RO"));
}

TEST(SfIdTest, BothFormsOfAnIdShareTheir15CharacterKey) {
  EXPECT_EQ(sf_id15("001RO0000000001YAA"), "001RO0000000001");
  EXPECT_EQ(sf_id15("001RO0000000001"), sf_id15("001RO0000000001YAA"));
  EXPECT_NE(sf_id15("001RO0000000001"), sf_id15("001ro0000000001"));  // case-sensitive, as the 15-character form is
  EXPECT_EQ(sf_id15("001RO"), "001RO");                                 // shorter: kept whole
  EXPECT_EQ(sf_id15(""), "");
}

TEST(SfIdTest, GeneratedIdsAreDistinctValidAndCarryThePrefix) {
  std::string a = make_sf_id("001", 1), b = make_sf_id("001", 2), c = make_sf_id("00Q", 62);
  EXPECT_EQ(a.size(), 18u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(is_sf_id(a));
  EXPECT_TRUE(is_sf_id(c));
  EXPECT_EQ(c.substr(0, 3), "00Q");
}

TEST(TimeTest, ParsesSalesforceAndIsoForms) {
  auto a = parse_datetime("2016-08-19T14:35:34.000+0000");
  auto b = parse_datetime("2016-08-19T14:35:34Z");
  auto c = parse_datetime("2016-08-19T16:35:34.000+02:00");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
  EXPECT_EQ(format_datetime_sf(*a), "2016-08-19T14:35:34.000+0000");
  EXPECT_EQ(format_datetime_iso(*a + 7), "2016-08-19T14:35:34.007Z");
  EXPECT_EQ(format_datetime_soql(*a), "2016-08-19T14:35:34Z");
}

TEST(TimeTest, RejectsMalformedValues) {
  EXPECT_FALSE(parse_datetime("2016-08-19 14:35:34Z"));
  EXPECT_FALSE(parse_datetime("2016-08-19T14:35:34"));  // no offset
  EXPECT_FALSE(parse_datetime("2016-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_date("2016-13-01"));
  EXPECT_FALSE(parse_date("16-01-01"));
  EXPECT_FALSE(parse_time("25:00:00"));
}

TEST(TimeTest, DatesAndTimesRoundTrip) {
  auto d = parse_date("2024-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(format_date(*d), "2024-02-29");
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_date(-1), "1969-12-31");
  auto t = parse_time("09:05:03.250Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_time(*t), "09:05:03.250Z");
  EXPECT_EQ(days_of(*parse_datetime("2024-02-29T23:59:59.999Z")), *d);
}

TEST(TextTest, Utf8PrefixNeverSplitsASequence) {
  std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
  EXPECT_EQ(utf8_length(s), 5u);
  EXPECT_EQ(utf8_prefix(s, 1), "a");
  EXPECT_EQ(utf8_prefix(s, 2), "a\xC3\xA9");
  EXPECT_EQ(utf8_prefix(s, 4), "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(utf8_prefix(s, 10), s);
  // A truncated sequence at the end counts byte by byte rather than reading past the end.
  EXPECT_EQ(utf8_length("\xE2\x82"), 2u);
}

TEST(TextTest, JsonAndUrlEscaping) {
  std::string out;
  append_json_string(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(url_encode("SELECT Id FROM A WHERE x='1'"), "SELECT%20Id%20FROM%20A%20WHERE%20x%3D%271%27");
  EXPECT_EQ(url_decode("SELECT+Id%20FROM%2"), "SELECT Id FROM%2");
  EXPECT_TRUE(iequals("SystemModstamp", "systemmodstamp"));
}

// Found by fuzz/emulator_request.cpp: bytes that are not UTF-8 (from a percent-decoded query string)
// went into the emulator's JSON answers as they were, and no JSON parser would read them.
TEST(TextTest, JsonStringsAreWellFormedUtf8WhateverTheBytes) {
  std::string out;
  append_json_string(out, "a\xC3\xA9\xF0\x9F\x98\x80 \xFF \xC3 \xED\xA0\x80 \xC0\xAF");  // é 😀, then bad bytes
  EXPECT_EQ(out, "\"a\xC3\xA9\xF0\x9F\x98\x80 \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
                 "\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_TRUE(is_well_formed_utf8(out));
  EXPECT_TRUE(is_well_formed_utf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_well_formed_utf8("\xE2\x82"));          // cut short
  EXPECT_FALSE(is_well_formed_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_well_formed_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(to_well_formed_utf8("Name = '\xFF'"), "Name = '\xEF\xBF\xBD'");
}

TEST(TextTest, UrlCredentialsAreMaskedAndTheRestKept) {
  EXPECT_EQ(mask_url_credentials("postgresql://crm:hunter2@db.example.com:5432/crm"),
            "postgresql://crm:***@db.example.com:5432/crm");
  // A password holding '@', '/' or ':' is masked whole (the last '@' ends the user info).
  EXPECT_EQ(mask_url_credentials("postgres://crm:hu@n/t:er2@db/crm"), "postgres://crm:***@db/crm");
  EXPECT_EQ(mask_url_credentials("https://acme.my.salesforce.com/services/oauth2/token?password=x&client_secret=y&grant_type=password"),
            "https://acme.my.salesforce.com/services/oauth2/token?password=***&client_secret=***&grant_type=password");
  EXPECT_EQ(mask_url_credentials("postgresql://db/crm?user=crm&sslpassword=k3y;access_token=t0k#frag"),
            "postgresql://db/crm?user=crm&sslpassword=***;access_token=***#frag");
  // The PostgreSQL store's urls: a password holding '@', and a password= parameter.
  EXPECT_EQ(mask_url_credentials("postgresql://crm:s3cr@t@db.internal:5432/crm?sslmode=require"),
            "postgresql://crm:***@db.internal:5432/crm?sslmode=require");
  EXPECT_EQ(mask_url_credentials("postgres://crm@db/crm?password=hunter2&sslmode=verify-full"),
            "postgres://crm@db/crm?password=***&sslmode=verify-full");
  // libpq's key=value form written where a URL belongs.
  EXPECT_EQ(mask_url_credentials("host=db user=crm password=hunter2 dbname=crm"),
            "host=db user=crm password=*** dbname=crm");
  // Nothing to mask: kept as is (a user name without password, an '@' in a path, no query).
  for (const char* kept : {"sqlite:/var/lib/crmsync/org.db", "https://login.salesforce.com", "postgresql://crm@db/crm",
                           "sqlite:/var/lib/crm:db@x.db",
                           "https://host/users/a@b.com", "http://127.0.0.1:8787/services/data/v62.0/query?q=SELECT+Id",
                           ""}) {
    EXPECT_EQ(mask_url_credentials(kept), kept);
  }
}

TEST(ResultTest, CarriesValueOrError) {
  Result<int> good = 3;
  Result<int> bad = Error(ErrorKind::kConfig, "BAD_KEY", "unknown key 'x' in [store]");
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().to_string(), "BAD_KEY: unknown key 'x' in [store]");
  EXPECT_THROW((void)bad.value(), std::logic_error);
  Status s = ok_status();
  EXPECT_TRUE(s.ok());
}

TEST(TimeTest, HttpDatesAreImfFixdatesBothWays) {
  // RFC 9110's example; the milliseconds are dropped.
  EpochMs t = *parse_datetime("1994-11-06T08:49:37.999Z");
  EXPECT_EQ(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t - 999);
  EXPECT_EQ(format_http_date(*parse_datetime("2024-02-29T23:59:59Z")), "Thu, 29 Feb 2024 23:59:59 GMT");
  EXPECT_FALSE(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT")) << "the wrong weekday";
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT")) << "RFC 850's obsolete form";
  EXPECT_FALSE(parse_http_date("Thu, 30 Feb 2024 00:00:00 GMT"));
  EXPECT_FALSE(parse_http_date("2024-02-29T23:59:59Z"));
}

TEST(TextTest, PkceChallengeIsRfc7636S256) {
  // RFC 7636, Appendix B.
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(TextTest, HtmlEscapeLeavesNoMarkup) {
  EXPECT_EQ(html_escape("<a href=\"x\">Zoë's & co</a>"), "&lt;a href=&quot;x&quot;&gt;Zoë&#39;s &amp; co&lt;/a&gt;");
}

}  // namespace
}  // namespace crmsync
