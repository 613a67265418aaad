// Sforce-Limit-Info and REST error bodies.
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "common/json.h"
#include "common/text.h"
#include "salesforce/client.h"
#include "salesforce/json_members.h"
#include "salesforce/wire.h"

namespace crmsync::salesforce {

namespace {

// Reads digits at s[i...]; false when there are none or they overflow.
bool read_int(std::string_view s, size_t& i, std::int64_t& out) {
  auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), out);
  if (ec != std::errc() || end == s.data() + i) return false;
  i = static_cast<size_t>(end - s.data());
  return true;
}

ErrorKind kind_for(int http_status, const std::string& code) {
  if (code == "INVALID_SESSION_ID" || http_status == 401) return ErrorKind::kAuth;
  if (code == "REQUEST_LIMIT_EXCEEDED") return ErrorKind::kLimit;
  if (code == "NOT_FOUND" || http_status == 404) return ErrorKind::kNotFound;
  if (code == "INSUFFICIENT_ACCESS" || code == "INSUFFICIENT_ACCESS_OR_READONLY" ||
      code == "API_DISABLED_FOR_ORG" || code == "API_CURRENTLY_DISABLED") {
    return ErrorKind::kPermission;
  }
  return ErrorKind::kSalesforce;
}

// What a user can do about the common codes; empty when Salesforce's own message is enough.
std::string fix_for(const std::string& code) {
  if (code == "INVALID_SESSION_ID") return " The session expired or was revoked; log in again.";
  if (code == "REQUEST_LIMIT_EXCEEDED") {
    return " The org's daily API request limit is used up; wait for it to reset or ask Salesforce for a higher limit.";
  }
  if (code == "API_DISABLED_FOR_ORG" || code == "API_CURRENTLY_DISABLED") {
    return " Give the integration user the \"API Enabled\" permission (the org's edition must include API access).";
  }
  if (code == "INVALID_REPLICATION_DATE") {
    return " The window is outside what Salesforce keeps (getDeleted: 15 days, getUpdated: 30) or start is not "
           "at least a minute before end; re-read the object in full instead.";
  }
  if (code == "EXCEEDED_ID_LIMIT") return " More than 600,000 ids match; ask for a shorter time window.";
  return {};
}

std::string with_period(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
  if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s.push_back('.');
  return s;
}

}  // namespace

LimitInfo parse_limit_info(std::string_view header) {
  LimitInfo info;
  static constexpr std::string_view kKey = "api-usage=";
  size_t pos = 0;
  while ((pos = header.find(kKey, pos)) != std::string_view::npos) {
    // Only the org-wide part: "per-app-api-usage=" must not match.
    bool at_part_start = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ';' || header[pos - 1] == ',';
    size_t i = pos + kKey.size();
    std::int64_t used = 0, max = 0;
    if (at_part_start && read_int(header, i, used) && i < header.size() && header[i] == '/' &&
        read_int(header, ++i, max)) {
      info.used = used;
      info.max = max;
      return info;
    }
    pos += kKey.size();
  }
  return info;
}

Error error_from_response(int http_status, std::string_view body, std::string_view what) {
  std::string prefix = what.empty() ? std::string("Salesforce") : std::string(what);
  nlohmann::json j = parse_json(body);

  // REST: [{"message": "...", "errorCode": "...", "fields": [...]}, ...]; collections use statusCode.
  if (j.is_array() && !j.empty() && j.front().is_object()) {
    const auto& first = j.front();
    std::string code = text_member(first, "errorCode");
    if (code.empty()) code = text_member(first, "statusCode");
    std::string message = with_period(text_member(first, "message"));
    if (auto f = first.find("fields"); f != first.end() && f->is_array() && !f->empty()) {
      std::string fields;
      for (const auto& name : *f) {
        if (!name.is_string()) continue;
        if (!fields.empty()) fields += ", ";
        fields += name.get<std::string>();
      }
      if (!fields.empty()) message += " Fields: " + fields + ".";
    }
    if (j.size() > 1) message += " (and " + std::to_string(j.size() - 1) + " more errors)";
    if (code.empty()) code = "HTTP_" + std::to_string(http_status);
    return Error(kind_for(http_status, code), code,
                 prefix + " failed (HTTP " + std::to_string(http_status) + "): " + message + fix_for(code),
                 http_status);
  }

  // OAuth: {"error": "...", "error_description": "..."}.
  if (j.is_object() && j.contains("error")) {
    std::string code = text_member(j, "error");
    std::string description = text_member(j, "error_description");
    return Error(ErrorKind::kAuth, code,
                 prefix + " was refused by Salesforce (HTTP " + std::to_string(http_status) + "): " + code +
                     (description.empty() ? "" : ": " + description) + ".",
                 http_status);
  }

  // Not a Salesforce error body: a proxy page, an empty answer, a cut-off body.
  ErrorKind kind = http_status == 401 ? ErrorKind::kAuth
                   : http_status == 404 ? ErrorKind::kNotFound
                   : http_status >= 500 ? ErrorKind::kNetwork
                                        : ErrorKind::kSalesforce;
  std::string shape = body.empty() ? "an empty body" : j.is_discarded() ? "a body that is not JSON (malformed or cut off)" : "a JSON body that is not a Salesforce error";
  std::string message = prefix + " failed: Salesforce answered HTTP " + std::to_string(http_status) + " with " + shape;
  if (!body.empty()) message += ": " + body_excerpt(body);
  return Error(kind, "HTTP_" + std::to_string(http_status), with_period(message), http_status);
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos;) {
      text.replace(pos, secret.size(), "<redacted>");
      pos += 10;
    }
    // Form and query encoding could echo it back percent-encoded.
    std::string encoded = url_encode(secret);
    if (encoded != secret) {
      for (size_t pos = 0; (pos = text.find(encoded, pos)) != std::string::npos;) {
        text.replace(pos, encoded.size(), "<redacted>");
        pos += 10;
      }
    }
  }
  return text;
}

void redact(Error& error, const std::vector<std::string>& secrets) {
  error.message = redact(std::move(error.message), secrets);
  error.code = redact(std::move(error.code), secrets);
}

std::string body_excerpt(std::string_view body, std::size_t max) {
  std::string out(utf8_prefix(body, max));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (out.size() < body.size()) out += "...";
  return "'" + out + "'";
}

}  // namespace crmsync::salesforce
