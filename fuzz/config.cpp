// The configuration loader (config/config.h): crmsync.toml and its CRMSYNC_* environment
// overrides, as a user may write them, parsed as every command does (kFull) and as `crmsync
// status` does (kStoreOnly). A bad file is a kConfig error, and no error repeats a secret: not a
// password, client secret or refresh token, nor the password inside a URL.
//
// Input: the TOML text, optionally followed by a line "#env" and then NAME=VALUE lines, the fake
// environment (nothing is read from the process's).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/config.h"
#include "fuzz_support.h"

namespace {

using namespace crmsync;

constexpr std::string_view kEnvMarker = "\n#env\n";

std::map<std::string, std::string> parse_env(std::string_view lines) {
  std::map<std::string, std::string> env;
  while (!lines.empty()) {
    std::size_t end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
    if (std::size_t eq = line.find('='); eq != std::string_view::npos) {
      env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
  }
  return env;
}

// The password of "scheme://user:password@host..." (up to the first '@'), or "".
std::string_view url_password(std::string_view value) {
  const std::size_t scheme = value.find("://");
  if (scheme == std::string_view::npos) return {};
  const std::string_view rest = value.substr(scheme + 3);
  const std::size_t at = rest.find('@');
  if (at == std::string_view::npos) return {};
  const std::string_view info = rest.substr(0, at);
  const std::size_t colon = info.find(':');
  if (colon == std::string_view::npos || info.find('/') != std::string_view::npos) return {};
  return info.substr(colon + 1);
}

// A value worth looking for in messages: long, unlike any word of a message, and given only once
// in the whole input (so no other key may legitimately have it echoed).
void add_secret(std::vector<std::string>& secrets, std::string_view value, std::string_view input) {
  bool digit = false, letter = false;
  for (char c : value) {
    digit = digit || (c >= '0' && c <= '9');
    letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  if (value.size() < 8 || !digit || !letter) return;
  const std::size_t first = input.find(value);
  if (first == std::string_view::npos || input.find(value, first + 1) != std::string_view::npos) return;
  secrets.emplace_back(value);
}

bool is_secret_key(std::string_view key) {
  return key == "password" || key == "client_secret" || key == "refresh_token";
}

void collect_secrets(const toml::node& node, std::string_view key, std::vector<std::string>& secrets,
                     std::string_view input) {
  if (const auto* table = node.as_table()) {
    for (auto&& [k, child] : *table) collect_secrets(child, k.str(), secrets, input);
  } else if (const auto* array = node.as_array()) {
    for (const auto& child : *array) collect_secrets(child, key, secrets, input);
  } else if (const auto* text = node.as_string()) {
    const std::string& value = text->get();
    if (is_secret_key(key)) add_secret(secrets, value, input);
    add_secret(secrets, url_password(value), input);
  }
}

// The secrets the input holds: the file's (when it parses as TOML) and the environment's.
std::vector<std::string> secrets_of(std::string_view toml_text, const std::map<std::string, std::string>& env,
                                    std::string_view input) {
  std::vector<std::string> secrets;
  try {
    collect_secrets(toml::parse(toml_text), "", secrets, input);
  } catch (const toml::parse_error&) {
  }
  for (const auto& [name, value] : env) {
    if (name == "CRMSYNC_SALESFORCE_PASSWORD" || name == "CRMSYNC_SALESFORCE_CLIENT_SECRET" ||
        name == "CRMSYNC_SALESFORCE_REFRESH_TOKEN") {
      add_secret(secrets, value, input);
    }
    add_secret(secrets, url_password(value), input);
  }
  return secrets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_text(data, size);
  const std::size_t marker = input.find(kEnvMarker);
  const std::string_view toml_text = input.substr(0, marker);
  const auto env = parse_env(marker == std::string_view::npos ? "" : input.substr(marker + kEnvMarker.size()));
  const config::EnvLookup lookup = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };

  for (auto validation : {config::Validation::kFull, config::Validation::kStoreOnly}) {
    auto cfg = config::parse_config(toml_text, "crmsync.toml", lookup, validation);
    if (cfg) {
      (void)cfg->enabled_objects();
      continue;
    }
    const Error& e = cfg.error();
    FUZZ_CHECK(e.kind == ErrorKind::kConfig && !e.code.empty(), "not a configuration error: %s", e.to_string().c_str());
    // `crmsync check --json` and `status --json` print the message in JSON.
    if (fuzz::valid_utf8(input)) FUZZ_CHECK(fuzz::valid_utf8(e.message), "the message is not UTF-8");
    // The location the message starts with ("crmsync.toml:2:34: ") is not an echoed value: a
    // "secret" the fuzzer spelled like it (it did) is no finding.
    std::string_view checked = e.message;
    if (checked.starts_with("crmsync.toml")) {
      const std::size_t colon_space = checked.find(": ");
      if (colon_space != std::string_view::npos) checked.remove_prefix(colon_space + 2);
    }
    for (const std::string& secret : secrets_of(toml_text, env, input)) {
      FUZZ_CHECK(checked.find(secret) == std::string_view::npos, "the message repeats the secret '%s': %s",
                 secret.c_str(), e.message.c_str());
    }
  }
  return 0;
}
