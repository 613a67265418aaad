// SessionTable: sessions and sign-ins under way, in memory, keyed so that neither holds a usable
// cookie. OpenSSL gives the randomness (RAND_bytes) and the keyed hash (HMAC-SHA256).
#include "serve/session.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "common/text.h"

namespace crmsync::serve {

namespace {

constexpr EpochMs kLoginTtlMs = 10 * 60 * 1000;  // Salesforce's authorization codes last 15 minutes
constexpr std::size_t kMaxPendingLogins = 10000;

}  // namespace

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("OpenSSL's RAND_bytes failed");  // no entropy: nothing safe to do
  }
  return base64url(raw);
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<SalesforceAnswer> SessionSalesforce::update(std::string_view object, std::string_view id,
                                                   const nlohmann::json& fields, std::optional<EpochMs> unmodified_since) {
  std::lock_guard lock(session_.mu);
  salesforce::Client& client = *session_.client;
  std::vector<std::string> headers;
  if (unmodified_since) headers.push_back("If-Unmodified-Since: " + format_http_date(*unmodified_since));
  auto r = client.send("PATCH",
                       "/services/data/v" + client.api_version() + "/sobjects/" + std::string(object) + "/" + std::string(id),
                       fields.dump(), std::move(headers));
  if (!r) return r.error();
  return SalesforceAnswer{static_cast<int>(r->status), std::move(r->body)};
}

Result<nlohmann::json> SessionSalesforce::retrieve(std::string_view object, std::string_view id) {
  std::lock_guard lock(session_.mu);
  salesforce::Client& client = *session_.client;
  return client.get_json("/services/data/v" + client.api_version() + "/sobjects/" + std::string(object) + "/" +
                         std::string(id));
}

Result<nlohmann::json> SessionSalesforce::describe(std::string_view object) {
  std::lock_guard lock(session_.mu);
  return session_.client->describe(object);
}

SessionTable::SessionTable(std::string key, std::function<EpochMs()> clock)
    : key_(key.empty() ? random_token(48) : std::move(key)), clock_(clock ? std::move(clock) : now_ms) {}

std::string SessionTable::table_key(std::string_view cookie) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(cookie.data()),
           cookie.size(), mac, &length) == nullptr) {
    throw std::runtime_error("OpenSSL's HMAC-SHA256 failed");
  }
  return base64url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

void SessionTable::drop_expired_locked() const {
  const EpochMs now = clock_();
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second->expires <= now; });
  std::erase_if(logins_, [&](const auto& entry) { return entry.second.expires <= now; });
}

std::string SessionTable::add(std::shared_ptr<Session> session) {
  std::string cookie = random_token();
  session->csrf_token = random_token();
  std::string key = table_key(cookie);
  std::lock_guard lock(mu_);
  drop_expired_locked();
  sessions_[key] = std::move(session);
  return cookie;
}

std::shared_ptr<Session> SessionTable::find(std::string_view cookie) const {
  if (cookie.empty()) return nullptr;
  std::string key = table_key(cookie);
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return nullptr;
  if (it->second->expires <= clock_()) {
    sessions_.erase(it);
    return nullptr;
  }
  return it->second;
}

std::shared_ptr<Session> SessionTable::remove(std::string_view cookie) {
  if (cookie.empty()) return nullptr;
  std::string key = table_key(cookie);
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return nullptr;
  auto session = std::move(it->second);
  sessions_.erase(it);
  return session;
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::optional<PendingLogin> SessionTable::begin_login() {
  PendingLogin login{random_token(), random_token(48), clock_() + kLoginTtlMs};  // a 64-character verifier
  std::lock_guard lock(mu_);
  if (logins_.size() >= kMaxPendingLogins) drop_expired_locked();
  if (logins_.size() >= kMaxPendingLogins) return std::nullopt;
  logins_[login.state] = login;
  return login;
}

std::optional<PendingLogin> SessionTable::finish_login(std::string_view state) {
  std::lock_guard lock(mu_);
  auto it = logins_.find(std::string(state));
  if (it == logins_.end()) return std::nullopt;
  PendingLogin login = std::move(it->second);
  logins_.erase(it);
  if (login.expires <= clock_()) return std::nullopt;
  return login;
}

}  // namespace crmsync::serve
