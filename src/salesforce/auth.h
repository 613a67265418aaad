// The pieces of the OAuth flows that are not HTTP (internal to src/salesforce): the JWT bearer
// assertion (RS256 over a PEM RSA key, with OpenSSL) and the refresh token file.
//
//   auto jwt = build_jwt_assertion(pem, client_id, username, jwt_audience(login_url), now_seconds);
//   auto token = read_secret_file(path, "[salesforce] refresh_token_file");
//   write_secret_file(path, rotated_token);   // atomic replace, mode 0600
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/text.h"

namespace crmsync::salesforce {

// The JWT's aud for a login URL: https://test.salesforce.com for test.salesforce.com and sandbox
// My Domains (*.sandbox.my.salesforce.com), https://login.salesforce.com for login.salesforce.com
// and every other *.salesforce.com host (production My Domains), otherwise the login URL itself
// (an Experience Cloud site, the local emulator).
std::string jwt_audience(const std::string& login_url);

// The RS256 JWT for the JWT bearer grant: header {"alg":"RS256"}, claims {iss, sub, aud, exp}
// with exp = now + 3 minutes (Salesforce's maximum). Errors (kConfig CONFIG) say why the key is
// unusable (not PEM, not RSA, encrypted) without quoting it.
Result<std::string> build_jwt_assertion(std::string_view private_key_pem, const std::string& client_id,
                                        const std::string& username, const std::string& audience,
                                        std::int64_t now_seconds);

using crmsync::base64url;  // common/text.h

// A file holding one secret (a private key, a refresh token, [serve]'s client secret and session
// key: config::read_signin_secrets uses it too); its text without trailing whitespace. `setting`
// names the setting in the error (kConfig): "[salesforce] refresh_token_file".
Result<std::string> read_secret_file(const std::string& path, std::string_view setting);
// Replaces the file atomically (temporary file in the same directory, fsync, rename) with mode
// 0600, so a crash leaves either the old or the new content, never a mix.
Status write_secret_file(const std::string& path, const std::string& content);

}  // namespace crmsync::salesforce
