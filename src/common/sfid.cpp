#include "common/sfid.h"

namespace crmsync {
namespace {

constexpr std::string_view kChecksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

std::string sf_id_checksum(std::string_view id) {
  std::string out;
  for (int group = 0; group < 3; ++group) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id[static_cast<size_t>(group * 5 + i)];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    out.push_back(kChecksumAlphabet[static_cast<size_t>(bits)]);
  }
  return out;
}

std::optional<std::string> sf_id18(std::string_view id) {
  if (id.size() != 15 && id.size() != 18) return std::nullopt;
  for (char c : id) {
    if (!is_alnum(c)) return std::nullopt;
  }
  std::string out(id.substr(0, 15));
  std::string sum = sf_id_checksum(out);
  if (id.size() == 18) {
    // The suffix is case-insensitive.
    for (size_t i = 0; i < 3; ++i) {
      char c = id[15 + i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != sum[i]) return std::nullopt;
    }
  }
  return out + sum;
}

bool is_sf_id(std::string_view id) { return sf_id18(id).has_value(); }

std::string make_sf_id(std::string_view key_prefix, std::uint64_t serial) {
  std::string id(key_prefix.substr(0, 3));
  while (id.size() < 3) id.push_back('0');
  id += "RO0";
  char digits[9];
  for (int i = 8; i >= 0; --i) {
    digits[i] = kBase62[serial % 62];
    serial /= 62;
  }
  id.append(digits, 9);
  return id + sf_id_checksum(id);
}

std::string sf_id15(std::string_view id) { return std::string(id.substr(0, 15)); }

bool same_sf_id(std::string_view a, std::string_view b) {
  return a.size() >= 15 && b.size() >= 15 && a.substr(0, 15) == b.substr(0, 15);
}

}  // namespace crmsync
