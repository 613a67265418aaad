#include "common/text.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace crmsync {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

namespace {
// Length of the UTF-8 sequence starting at s[i], or 1 for an invalid or truncated one.
size_t seq_len(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at s[i] (Unicode's Table 3-7: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when there is none: what a JSON parser accepts.
size_t well_formed_len(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size() || byte(1) < low || byte(1) > high) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  return n;
}
}  // namespace

std::string_view utf8_prefix(std::string_view s, std::size_t max_code_points) {
  size_t i = 0, count = 0;
  while (i < s.size() && count < max_code_points) {
    i += seq_len(s, i);
    ++count;
  }
  return s.substr(0, i);
}

std::size_t utf8_length(std::string_view s) {
  size_t i = 0, count = 0;
  while (i < s.size()) {
    i += seq_len(s, i);
    ++count;
  }
  return count;
}

bool is_well_formed_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = well_formed_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_well_formed_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (const size_t n = well_formed_len(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += kReplacementCharacter;
      ++i;
    }
  }
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    // Runs of characters that need no escape (nearly all of them) are appended in one piece.
    std::size_t run = i;
    while (run < s.size()) {
      const auto c = static_cast<unsigned char>(s[run]);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++run;
      } else if (const std::size_t n = c >= 0x80 ? well_formed_len(s, run) : 0) {
        run += n;
      } else {
        break;
      }
    }
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    const auto c = static_cast<unsigned char>(s[run]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        if (c >= 0x80) {  // not UTF-8: JSON text must be, so U+FFFD stands in for the byte
          out += kReplacementCharacter;
          break;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
    i = run + 1;
  }
  out.push_back('"');
}

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], kAlphabet[n & 63]};
  }
  if (i + 1 == bytes.size()) {
    unsigned n = at(i) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63]};
  } else if (i + 2 == bytes.size()) {
    unsigned n = (at(i) << 16) | (at(i + 1) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63]};
  }
  return out;
}

std::string pkce_challenge(std::string_view code_verifier) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(code_verifier.data(), code_verifier.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL's SHA-256 failed");  // only on a broken OpenSSL: a programming error
  }
  return base64url(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string url_decode(std::string_view s) {
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

namespace {

constexpr std::string_view kMask = "***";

// Parameter names whose values are credentials, matched as parts of the lower-cased name
// ("sslpassword", "client_secret", "access_token", "apikey", "X-Amz-Signature", "sessionid").
bool names_a_secret(std::string_view name) {
  static constexpr std::string_view kParts[] = {"pass", "pwd", "secret", "token", "key", "sig", "credential", "session"};
  const std::string lower = to_lower(name);
  for (std::string_view part : kParts) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return false;
}

// "user:password@" after "://": the password masked. The last '@' ends the user info (a password
// may hold '@', '/' or '?' unencoded); a ':' after a '/' is in a path, not in user info.
std::string mask_user_info(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t start = scheme + 3;
  const std::size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const std::string_view info = url.substr(start, at - start);
  const std::size_t colon = info.find(':');
  const std::size_t slash = info.find('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon)) return std::string(url);
  return std::string(url.substr(0, start + colon + 1)) + std::string(kMask) + std::string(url.substr(at));
}

}  // namespace

std::string mask_url_credentials(std::string_view url) {
  std::string out = mask_user_info(url);
  // name=value parameters: after '?', '&' or ';' (a query string) or a space (a libpq-style
  // "host=db password=x" string written where a URL belongs).
  std::size_t i = 0;
  while (i < out.size()) {
    std::size_t eq = out.find('=', i);
    if (eq == std::string::npos) break;
    std::size_t name_start = out.find_last_of("?&; ", eq);
    name_start = name_start == std::string::npos ? 0 : name_start + 1;
    std::size_t value_end = out.find_first_of("&;# ", eq + 1);
    if (value_end == std::string::npos) value_end = out.size();
    if (name_start < eq && names_a_secret(std::string_view(out).substr(name_start, eq - name_start)) &&
        value_end > eq + 1) {
      out.replace(eq + 1, value_end - eq - 1, kMask);
      value_end = eq + 1 + kMask.size();
    }
    i = value_end;
  }
  return out;
}


std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus a swap of two neighbours as one edit ("snyc").
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[b.size()];
}

std::string closest_match(std::string_view got, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  const std::string lowered = to_lower(got);
  for (const auto& k : known) {
    std::size_t d = edit_distance(lowered, to_lower(k));
    if (d < best_distance) best_distance = d, best = k;
  }
  // One edit in a short name ("pwsh" is two from "bash", and not a typo of it); more in longer ones.
  const std::size_t limit = got.size() < 6 ? 1 : std::max<std::size_t>(2, got.size() / 3);
  if (best.empty() || best_distance > limit) return {};
  return best;
}

std::string suggestion(std::string_view got, const std::vector<std::string>& known, std::string_view noun) {
  if (std::string best = closest_match(got, known); !best.empty()) return "; did you mean " + best + "?";
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return ". Known " + std::string(noun) + ": " + list + ".";
}

}  // namespace crmsync
