// The JWT assertion (verified with the public key through OpenSSL), the audience rule, the refresh
// token file, and the quota guard's arithmetic and wording. No sockets.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "salesforce/auth.h"
#include "salesforce/quota.h"

namespace crmsync::salesforce {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

KeyPtr rsa_key(int bits = 2048) { return KeyPtr(EVP_RSA_gen(bits), EVP_PKEY_free); }

std::string private_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string base64url_decode(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-' ? 62 : c == '_' ? 63 : -1;
    if (v < 0) return "<bad base64url>";
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

bool verify_rs256(EVP_PKEY* key, const std::string& signing_input, const std::string& signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
}

TEST(JwtTest, AssertionIsRs256SignedWithTheClaimsSalesforceWants) {
  KeyPtr key = rsa_key();
  auto jwt = build_jwt_assertion(private_pem(key.get()), "3MVG9consumer", "integration@acme.com",
                                 "https://login.salesforce.com", 1'700'000'000);
  ASSERT_TRUE(jwt.ok()) << jwt.error().to_string();
  auto dot1 = jwt->find('.');
  auto dot2 = jwt->rfind('.');
  ASSERT_NE(dot1, dot2);
  EXPECT_EQ(base64url_decode(jwt->substr(0, dot1)), R"({"alg":"RS256"})");
  auto claims = nlohmann::json::parse(base64url_decode(jwt->substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(claims["iss"], "3MVG9consumer");
  EXPECT_EQ(claims["sub"], "integration@acme.com");
  EXPECT_EQ(claims["aud"], "https://login.salesforce.com");
  EXPECT_EQ(claims["exp"], 1'700'000'180) << "seconds, within Salesforce's 3 minutes";
  std::string signature = base64url_decode(jwt->substr(dot2 + 1));
  EXPECT_EQ(signature.size(), 256u);
  EXPECT_TRUE(verify_rs256(key.get(), jwt->substr(0, dot2), signature));
  EXPECT_FALSE(verify_rs256(rsa_key(1024).get(), jwt->substr(0, dot2), signature)) << "another key does not verify it";
  EXPECT_EQ(jwt->find('='), std::string::npos) << "base64url without padding";
}

TEST(JwtTest, UnusableKeysAreConfigErrorsThatNeverQuoteTheKey) {
  auto garbage = build_jwt_assertion("not a key", "c", "u", "a", 0);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().kind, ErrorKind::kConfig);
  EXPECT_NE(garbage.error().message.find("private_key_file is not a PEM private key"), std::string::npos);

  KeyPtr ec(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::string ec_pem = private_pem(ec.get());
  auto not_rsa = build_jwt_assertion(ec_pem, "c", "u", "a", 0);
  ASSERT_FALSE(not_rsa.ok());
  EXPECT_NE(not_rsa.error().message.find("non-RSA key"), std::string::npos);
  EXPECT_EQ(not_rsa.error().message.find(ec_pem.substr(30, 40)), std::string::npos);
}

TEST(JwtTest, AudienceFollowsTheLoginHost) {
  EXPECT_EQ(jwt_audience("https://login.salesforce.com"), "https://login.salesforce.com");
  EXPECT_EQ(jwt_audience("https://test.salesforce.com/"), "https://test.salesforce.com");
  EXPECT_EQ(jwt_audience("https://acme.my.salesforce.com"), "https://login.salesforce.com");
  EXPECT_EQ(jwt_audience("https://acme--uat.sandbox.my.salesforce.com"), "https://test.salesforce.com");
  EXPECT_EQ(jwt_audience("http://127.0.0.1:8787/"), "http://127.0.0.1:8787");
  EXPECT_EQ(jwt_audience("https://acme.force.com/customers"), "https://acme.force.com/customers");
}

TEST(JwtTest, Base64UrlHasNoPaddingAndUrlSafeCharacters) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync-secret-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SecretFileTest, WritesAtomicallyWithMode0600AndReadsBackTrimmed) {
  std::string path = (dir_ / "refresh_token").string();
  std::ofstream(path) << "old-token\n";
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(write_secret_file(path, "5Aep861new.token").ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = read_secret_file(path, "[salesforce] refresh_token_file");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, "5Aep861new.token");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1) << "no temporary file left behind";
}

TEST_F(SecretFileTest, MissingAndEmptyFilesNameTheKey) {
  auto missing = read_secret_file((dir_ / "nope").string(), "[salesforce] private_key_file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kConfig);
  EXPECT_NE(missing.error().message.find("[salesforce] private_key_file = \""), std::string::npos);
  EXPECT_NE(missing.error().message.find("cannot be read (No such file or directory)"), std::string::npos);
  std::string empty = (dir_ / "empty").string();
  std::ofstream(empty) << "\n";
  EXPECT_NE(read_secret_file(empty, "[salesforce] refresh_token_file").error().message.find("is empty"), std::string::npos);
}

TEST_F(SecretFileTest, AnUnwritableDirectoryIsAClearError) {
  auto e = write_secret_file((dir_ / "missing-dir" / "token").string(), "x");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "SECRET_FILE_WRITE_FAILED");
  EXPECT_NE(e.error().message.find("[salesforce] refresh_token_file"), std::string::npos);
  EXPECT_EQ(e.error().message.find("\"x\""), std::string::npos);
}

// --- quota guard ---------------------------------------------------------------------------------

TEST(QuotaGuardTest, RefusesAtTheOrgsDailyShareWithTheFigures) {
  QuotaGuard guard;
  EXPECT_TRUE(guard.check().ok()) << "nothing known yet";
  guard.observe({.used = 79'999, .max = 100'000});
  EXPECT_TRUE(guard.check().ok());
  guard.observe({.used = 81'234, .max = 100'000});
  Status s = guard.check();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kLimit);
  EXPECT_EQ(s.error().code, "QUOTA_GUARD");
  EXPECT_EQ(s.error().message, "paused until quota recovers: org has used 81,234 of 100,000 daily API requests (limit 80%)");
}

TEST(QuotaGuardTest, RefusesAtTheRunShare) {
  QuotaGuard guard({.daily_share = 0.9, .run_share = 0.125});
  guard.observe({.used = 10, .max = 1'000});
  for (int i = 0; i < 124; ++i) guard.count_call();
  EXPECT_TRUE(guard.check().ok());
  guard.count_call();
  Status s = guard.check();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "paused until quota recovers: this run has used 125 of the org's 1,000 daily API requests (limit 12.5% per run)");
}

TEST(QuotaGuardTest, MaxCallsBoundsARunEvenBeforeLimitsAreKnown) {
  QuotaGuard guard({.max_calls = 2});
  guard.count_call();
  EXPECT_TRUE(guard.check().ok());
  guard.count_call();
  Status s = guard.check();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "QUOTA_GUARD");
  EXPECT_NE(s.error().message.find("max_api_calls = 2"), std::string::npos) << s.error().message;
}

TEST(QuotaGuardTest, Thousands) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1000), "1,000");
  EXPECT_EQ(with_thousands(1234567), "1,234,567");
}

}  // namespace
}  // namespace crmsync::salesforce
