#include "fleet/secret_box.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>

namespace crmsync::fleet {
namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::string_view kVersion = "v1:";

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<SecretKey> parse_secret_key(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  auto raw = text.size() == 64 ? from_hex(text) : std::nullopt;
  if (!raw) {
    return Error(ErrorKind::kConfig, "INVALID_SECRET_KEY",
                 "CRMSYNC_SECRET_KEY is not a key: it must be 32 random bytes written as 64 hex digits (make one "
                 "with `openssl rand -hex 32`, and give every worker the same one).");
  }
  SecretKey key;
  std::copy(raw->begin(), raw->end(), key.bytes.begin());
  return key;
}

std::string seal(const SecretKey& key, std::string_view plaintext, std::string_view context) {
  unsigned char nonce[kNonceBytes];
  std::string out(plaintext.size(), '\0');
  unsigned char tag[kTagBytes];
  Cipher c(EVP_CIPHER_CTX_new());
  int n = 0, tail = 0;
  // Failures here are out of memory or a broken OpenSSL: programming errors, not user input.
  if (RAND_bytes(nonce, kNonceBytes) != 1 || !c ||
      EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(c.get(), nullptr, nullptr, key.bytes.data(), nonce) != 1 ||
      EVP_EncryptUpdate(c.get(), nullptr, &n, bytes(context), static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(c.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(c.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed inside OpenSSL");
  }
  out.append(reinterpret_cast<const char*>(tag), kTagBytes);
  return std::string(kVersion) + to_hex(nonce, kNonceBytes) + ":" +
         to_hex(reinterpret_cast<const unsigned char*>(out.data()), out.size());
}

Result<std::string> open_sealed(const SecretKey& key, std::string_view sealed, std::string_view context) {
  Error malformed(ErrorKind::kConfig, "SEALED_MALFORMED",
                  "an encrypted secret of the registry is not in crmsync's form (v1:nonce:ciphertext); register the "
                  "org again with `crmsync orgs remove` and `crmsync orgs add`.");
  if (!sealed.starts_with(kVersion)) return malformed;
  sealed.remove_prefix(kVersion.size());
  auto colon = sealed.find(':');
  if (colon == std::string_view::npos) return malformed;
  auto nonce = from_hex(sealed.substr(0, colon));
  auto body = from_hex(sealed.substr(colon + 1));
  if (!nonce || !body || nonce->size() != kNonceBytes || body->size() < kTagBytes) return malformed;
  std::string_view cipher(body->data(), body->size() - kTagBytes);
  std::string tag = body->substr(body->size() - kTagBytes);
  std::string out(cipher.size(), '\0');
  Cipher c(EVP_CIPHER_CTX_new());
  int n = 0, tail = 0;
  if (!c || EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(c.get(), nullptr, nullptr, key.bytes.data(), bytes(*nonce)) != 1) {
    throw std::runtime_error("AES-256-GCM decryption could not start inside OpenSSL");
  }
  bool opened = EVP_DecryptUpdate(c.get(), nullptr, &n, bytes(context), static_cast<int>(context.size())) == 1 &&
                EVP_DecryptUpdate(c.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes(cipher),
                                  static_cast<int>(cipher.size())) == 1 &&
                EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
                EVP_DecryptFinal_ex(c.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) == 1;
  if (!opened) {
    return Error(ErrorKind::kConfig, "SECRET_KEY_WRONG",
                 "cannot decrypt a secret of the registry: CRMSYNC_SECRET_KEY here is not the key `crmsync orgs add` "
                 "encrypted it with (or the stored value was altered); give this worker the same CRMSYNC_SECRET_KEY, "
                 "or register the org again with the current key.");
  }
  return out;
}

}  // namespace crmsync::fleet
