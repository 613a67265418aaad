// The registry's encrypted secrets: AES-256-GCM (OpenSSL EVP) under the key the workers and
// `crmsync orgs add` get from CRMSYNC_SECRET_KEY (32 random bytes written as 64 hex digits, e.g.
// `openssl rand -hex 32`). Each secret gets a fresh 96-bit nonce; the context (which org, which key)
// is authenticated with it, so a sealed value copied onto another org or key does not open.
// Internal to src/fleet.
//
//   auto key = parse_secret_key(getenv("CRMSYNC_SECRET_KEY"));
//   std::string sealed = seal(*key, "s3cret", "crmsync org acme [salesforce] password");   // "v1:..."
//   auto plain = open_sealed(*key, sealed, "crmsync org acme [salesforce] password");       // "s3cret"
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/result.h"

namespace crmsync::fleet {

struct SecretKey {
  std::array<unsigned char, 32> bytes{};
};

// 64 hex digits (either case, surrounding whitespace ignored). kConfig INVALID_SECRET_KEY otherwise,
// naming the variable and how to make a key, never repeating what was given.
Result<SecretKey> parse_secret_key(std::string_view text);

// "v1:<nonce, 24 hex digits>:<ciphertext and its 16-byte tag, hex>".
std::string seal(const SecretKey& key, std::string_view plaintext, std::string_view context);

// The plaintext, or kConfig SECRET_KEY_WRONG when the key (or the context) is not the one it was
// sealed with or the value was altered, kConfig SEALED_MALFORMED when it is not a sealed value.
Result<std::string> open_sealed(const SecretKey& key, std::string_view sealed, std::string_view context);

}  // namespace crmsync::fleet
