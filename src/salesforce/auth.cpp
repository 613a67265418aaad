#include "salesforce/auth.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "salesforce/client.h"
#include "salesforce/http.h"

namespace crmsync::salesforce {

namespace {

Error config_error(const std::string& message) { return Error(ErrorKind::kConfig, "CONFIG", message); }

bool ends_with_host(const std::string& host, std::string_view suffix) {
  return host.size() > suffix.size() && iequals(std::string_view(host).substr(host.size() - suffix.size()), suffix);
}

// OpenSSL would prompt on the terminal for an encrypted key's passphrase; refuse instead.
int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

std::string jwt_audience(const std::string& login_url) {
  const std::string host = url_host(login_url);
  if (iequals(host, "test.salesforce.com") || ends_with_host(host, ".sandbox.my.salesforce.com")) {
    return "https://test.salesforce.com";
  }
  if (iequals(host, "login.salesforce.com") || ends_with_host(host, ".salesforce.com")) {
    return "https://login.salesforce.com";
  }
  std::string url = login_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string authorize_url(std::string_view login_url, std::string_view client_id, std::string_view redirect_uri,
                          std::string_view state, std::string_view code_challenge) {
  std::string url(login_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/services/oauth2/authorize?response_type=code&client_id=" + url_encode(client_id) +
         "&redirect_uri=" + url_encode(redirect_uri) + "&state=" + url_encode(state) +
         "&code_challenge=" + url_encode(code_challenge) + "&code_challenge_method=S256" +
         "&scope=" + url_encode("api refresh_token openid");
}

Result<std::string> build_jwt_assertion(std::string_view private_key_pem, const std::string& client_id,
                                        const std::string& username, const std::string& audience,
                                        std::int64_t now_seconds) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr, EVP_PKEY_free);
  ERR_clear_error();
  const bool encrypted = private_key_pem.find("ENCRYPTED") != std::string_view::npos;
  if (!key) {
    return config_error(
        encrypted ? "[salesforce] private_key_file holds an encrypted private key; crmsync needs it unencrypted "
                    "(openssl pkey -in key.pem -out key-plain.pem), kept readable only by the crmsync user."
                  : "[salesforce] private_key_file is not a PEM private key (-----BEGIN PRIVATE KEY----- or "
                    "-----BEGIN RSA PRIVATE KEY-----); point it at the key whose certificate the connected app has.");
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return config_error("[salesforce] private_key_file holds a non-RSA key; Salesforce's JWT bearer flow signs with "
                        "RS256, so use an RSA key (openssl genrsa 2048) and upload its certificate to the connected app.");
  }

  nlohmann::ordered_json header = {{"alg", "RS256"}};
  nlohmann::ordered_json claims = {{"iss", client_id}, {"sub", username}, {"aud", audience}, {"exp", now_seconds + 180}};
  const std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t length = 0;
  bool ok = ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &length,
                           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  std::string signature(length, '\0');
  ok = ok && EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  if (!ok) {
    ERR_clear_error();
    return Error(ErrorKind::kInternal, "JWT_SIGNING_FAILED",
                 "OpenSSL could not sign the JWT assertion with [salesforce] private_key_file; check the key "
                 "(openssl rsa -check -noout -in KEY).");
  }
  signature.resize(length);
  return signing_input + "." + base64url(signature);
}

Result<std::string> read_secret_file(const std::string& path, std::string_view setting) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return config_error(std::string(setting) + " = \"" + path + "\" cannot be read (" + std::strerror(errno) +
                        "); check the path and that the crmsync user may read it.");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  if (s.empty()) {
    return config_error(std::string(setting) + " = \"" + path + "\" is empty; put the secret in it.");
  }
  return s;
}

Status write_secret_file(const std::string& path, const std::string& content) {
  auto fail = [&](const std::string& step) -> Error {
    return Error(ErrorKind::kConfig, "SECRET_FILE_WRITE_FAILED",
                 "Could not write the new refresh token to [salesforce] refresh_token_file = \"" + path + "\" (" +
                     step + ": " + std::strerror(errno) +
                     "); let the crmsync user write that file and its directory, then log in again to obtain a "
                     "refresh token.");
  };
  std::filesystem::path target(path);
  std::string tmpl = (target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path()) /
                     ("." + target.filename().string() + ".tmp-XXXXXX");
  int fd = ::mkstemp(tmpl.data());  // created with mode 0600
  if (fd < 0) return fail("create a temporary file");
  std::string data = content + "\n";
  const char* p = data.data();
  std::size_t left = data.size();
  bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
  while (ok && left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) p += n, left -= static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmpl.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(tmpl.c_str());
    errno = saved;
    return fail(ok ? "rename" : "write");
  }
  // Make the rename itself durable.
  int dir = ::open(tmpl.substr(0, tmpl.rfind('/')).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok_status();
}

}  // namespace crmsync::salesforce
