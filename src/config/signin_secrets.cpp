// [serve]'s sign-in secrets: the team members' connected app's client secret and the session key,
// each given inline (best through the environment) or as a file, read when crmsync serve starts.
#include "config/config.h"
#include "salesforce/auth.h"

namespace crmsync::config {

namespace {

Result<std::string> secret_of(const std::string& value, const std::string& file, const char* file_key) {
  if (!value.empty() || file.empty()) return value;
  return salesforce::read_secret_file(file, std::string("[serve] ") + file_key);
}

}  // namespace

Result<SigninSecrets> read_signin_secrets(const ServeConfig& serve) {
  SigninSecrets out;
  auto secret = secret_of(serve.client_secret, serve.client_secret_file, "client_secret_file");
  if (!secret) return secret.error();
  out.client_secret = std::move(*secret);
  auto key = secret_of(serve.session_key, serve.session_key_file, "session_key_file");
  if (!key) return key.error();
  if (!key->empty() && key->size() < 32) {
    return Error(ErrorKind::kConfig, "INVALID_VALUE",
                 "[serve] session_key_file = \"" + serve.session_key_file + "\" holds " + std::to_string(key->size()) +
                     " bytes; put at least 32 random bytes in it (openssl rand -base64 48 > FILE).");
  }
  out.session_key = std::move(*key);
  return out;
}

}  // namespace crmsync::config
