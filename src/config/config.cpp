// Parsing and validation of crmsync.toml plus CRMSYNC_* environment overrides.
#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <variant>

#include <unistd.h>

#include <toml++/toml.h>

#include "common/log.h"
#include "common/text.h"
#include "config/config_source.h"
#include "config/export_config.h"

namespace crmsync::config {

Error config_error(std::string code, const std::string& where, const std::string& message) {
  return Error(ErrorKind::kConfig, std::move(code), where + ": " + message);
}

std::string shown_value(std::string_view value) { return "\"" + mask_url_credentials(value) + "\""; }

std::string location_of(std::string_view source, const toml::source_region& region) {
  std::string out(source);
  if (region.begin.line > 0) {
    out += ':';
    out += std::to_string(region.begin.line);
  }
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string v = to_lower(text);
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return std::nullopt;
}

namespace {

// Where a value came from, for error messages: "crmsync.toml:12" or "environment variable CRMSYNC_X".
using Origins = std::map<std::string, std::string>;

using Target = std::variant<std::string*, bool*, std::vector<std::string>*, std::int64_t*, double*>;
struct Binding {
  const char* key;
  Target target;
};

std::vector<Binding> salesforce_bindings(SalesforceConfig& s) {
  return {{"login_url", &s.login_url}, {"auth", &s.auth},
          {"client_id", &s.client_id}, {"client_secret", &s.client_secret},
          {"username", &s.username},   {"password", &s.password},
          {"private_key_file", &s.private_key_file}, {"refresh_token", &s.refresh_token},
          {"refresh_token_file", &s.refresh_token_file},
          {"api_version", &s.api_version}, {"verify_tls", &s.verify_tls},
          {"max_retries", &s.max_retries}, {"retry_base_ms", &s.retry_base_ms},
          {"connect_timeout_seconds", &s.connect_timeout_seconds},
          {"request_timeout_seconds", &s.request_timeout_seconds},
          {"low_speed_bytes_per_second", &s.low_speed_bytes_per_second},
          {"low_speed_seconds", &s.low_speed_seconds},
          {"request_deadline_seconds", &s.request_deadline_seconds},
          {"max_response_mb", &s.max_response_mb}, {"max_bulk_results_mb", &s.max_bulk_results_mb}};
}
std::vector<Binding> store_bindings(StoreConfig& s) {
  return {{"url", &s.url}, {"schema", &s.schema}, {"password", &s.password}};
}
std::vector<Binding> groups_bindings(GroupsConfig& g) {
  return {{"deals", &g.deals}, {"engage", &g.engage}, {"boards", &g.boards}};
}
std::vector<Binding> serve_bindings(ServeConfig& s) {
  return {{"fiscal_year_start_month", &s.fiscal_year_start_month},
          {"deal_columns", &s.deal_columns},
          {"host", &s.host},
          {"port", &s.port},
          {"public_url", &s.public_url},
          {"client_id", &s.client_id},
          {"client_secret", &s.client_secret},
          {"client_secret_file", &s.client_secret_file},
          {"session_key", &s.session_key},
          {"session_key_file", &s.session_key_file},
          {"admins", &s.admins},
          {"session_hours", &s.session_hours}};
}
std::vector<Binding> object_bindings(ObjectConfig& o) {
  return {{"enabled", &o.enabled}, {"exclude", &o.exclude}, {"include", &o.include}};
}

std::vector<Binding> sync_bindings(SyncConfig& s) {
  return {{"lookback_seconds", &s.lookback_seconds},   {"settle_seconds", &s.settle_seconds},
          {"concurrency", &s.concurrency},             {"rows_per_commit", &s.rows_per_commit},
          {"batch_size", &s.batch_size},               {"bulk_threshold", &s.bulk_threshold},
          {"formula_refresh_hours", &s.formula_refresh_hours}, {"quota_daily_share", &s.quota_daily_share},
          {"quota_run_share", &s.quota_run_share},     {"interval_seconds", &s.interval_seconds}};
}

const std::vector<std::string> kSections = {"salesforce", "store", "objects", "groups", "sync", "export", "serve"};

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

const char* expected_of(const Target& target) {
  if (std::holds_alternative<std::string*>(target)) return "a string";
  if (std::holds_alternative<bool*>(target)) return "a boolean (true or false)";
  if (std::holds_alternative<std::int64_t*>(target)) return "an integer";
  if (std::holds_alternative<double*>(target)) return "a number";
  return "an array of strings, e.g. [\"Website\", \"ParentId\"]";
}

// Sets a binding from a TOML node; a type mismatch is an error naming the key and the expectation.
Status assign(const Binding& b, const toml::node& node, const std::string& where, const std::string& label) {
  auto wrong = [&]() -> Error {
    return config_error("WRONG_TYPE", where,
                        label + " must be " + expected_of(b.target) + ", not " + type_name(node.type()) + ".");
  };
  if (auto* s = std::get_if<std::string*>(&b.target)) {
    if (!node.is_string()) return wrong();
    **s = node.as_string()->get();
  } else if (auto* flag = std::get_if<bool*>(&b.target)) {
    if (!node.is_boolean()) return wrong();
    **flag = node.as_boolean()->get();
  } else if (auto* integer = std::get_if<std::int64_t*>(&b.target)) {
    if (!node.is_integer()) return wrong();
    **integer = node.as_integer()->get();
  } else if (auto* number = std::get_if<double*>(&b.target)) {
    if (node.is_integer()) **number = static_cast<double>(node.as_integer()->get());
    else if (node.is_floating_point()) **number = node.as_floating_point()->get();
    else return wrong();
  } else {
    auto* list = std::get<std::vector<std::string>*>(b.target);
    if (!node.is_array()) return wrong();
    list->clear();
    for (const auto& item : *node.as_array()) {
      if (!item.is_string()) return wrong();
      list->push_back(item.as_string()->get());
    }
  }
  return ok_status();
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

// Sets a binding from an environment variable's text.
Status assign_env(const Binding& b, const std::string& var, const std::string& text, const std::string& label) {
  if (auto* s = std::get_if<std::string*>(&b.target)) {
    **s = text;
  } else if (auto* flag = std::get_if<bool*>(&b.target)) {
    auto v = parse_bool(text);
    if (!v) {
      return config_error("WRONG_TYPE", "environment variable " + var,
                          label + " must be a boolean (true/false, 1/0, yes/no), not " + shown_value(text) + ".");
    }
    **flag = *v;
  } else if (auto* integer = std::get_if<std::int64_t*>(&b.target)) {
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      return config_error("WRONG_TYPE", "environment variable " + var,
                          label + " must be an integer, not " + shown_value(text) + ".");
    }
    **integer = parsed;
  } else if (auto* number = std::get_if<double*>(&b.target)) {
    char* end = nullptr;
    double parsed = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size()) {
      return config_error("WRONG_TYPE", "environment variable " + var,
                          label + " must be a number, not " + shown_value(text) + ".");
    }
    **number = parsed;
  } else {
    *std::get<std::vector<std::string>*>(b.target) = split_list(text);
  }
  return ok_status();
}

// Applies one TOML section (a table of key = value) to its bindings.
Status apply_table(const toml::table& table, const std::vector<Binding>& bindings, std::string_view source,
                   const std::string& section, const std::string& origin_prefix, Origins& origins) {
  std::vector<std::string> known;
  for (const auto& b : bindings) known.emplace_back(b.key);
  for (auto&& [key, node] : table) {
    std::string where = location_of(source, key.source());
    auto it = std::find_if(bindings.begin(), bindings.end(), [&k = key](const Binding& b) { return k.str() == b.key; });
    if (it == bindings.end()) {
      return config_error("UNKNOWN_KEY", where,
                          "unknown key " + std::string(key.str()) + " in [" + section + "]" +
                              suggestion(key.str(), known, "keys"));
    }
    CRMSYNC_TRY(assign(*it, node, where, "[" + section + "] " + std::string(key.str())));
    origins[origin_prefix + it->key] = where;
  }
  return ok_status();
}

// Letters, digits and underscores, starting with a letter; the crmsync_ prefix is the store's own.
bool is_object_api_name(std::string_view name) {
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front()))) return false;
  if (name.size() >= 8 && iequals(name.substr(0, 8), "crmsync_")) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::vector<std::string> catalog_names() {
  std::vector<std::string> names;
  for (const auto& o : catalog::objects()) names.push_back(o.name);
  for (const auto& o : catalog::board_objects()) names.push_back(o.name);
  return names;
}

Status apply_objects(const toml::node& node, std::string_view source, const std::string& where, Config& config,
                     Origins& origins) {
  if (!node.is_table()) {
    return config_error("WRONG_TYPE", where, "objects must be a table of [objects.<Object>] sections, not " +
                                                 std::string(type_name(node.type())) + ".");
  }
  for (auto&& [key, object_node] : *node.as_table()) {
    std::string object_where = location_of(source, key.source());
    std::string name(key.str());
    const catalog::CatalogObject* object = catalog::find_object(name);
    // An object beyond the catalog is any name Salesforce could have (a standard object such as
    // Case, a custom one such as Invoice__c): whether the org has it is for the sync to find out.
    if (object == nullptr && !is_object_api_name(name)) {
      return config_error("INVALID_OBJECT_NAME", object_where,
                          "[objects." + name + "] is not a Salesforce object API name: API names are letters, digits "
                          "and underscores, start with a letter and do not start with crmsync_ (custom objects end "
                          "in __c, e.g. [objects.Invoice__c])" + suggestion(name, catalog_names(), "catalog objects"));
    }
    for (const auto& [existing, unused] : config.objects) {
      if (iequals(existing, name)) {
        return config_error("DUPLICATE_OBJECT", object_where,
                            "[objects." + name + "] repeats [objects." + existing + "] (object names are case-insensitive).");
      }
    }
    if (!object_node.is_table()) {
      return config_error("WRONG_TYPE", object_where,
                          "objects." + name + " must be a table ([objects." + name + "]), not " +
                              type_name(object_node.type()) + ".");
    }
    origins["objects." + name] = object_where;
    ObjectConfig& oc = config.objects[name];
    CRMSYNC_TRY(apply_table(*object_node.as_table(), object_bindings(oc), source, "objects." + name,
                            "objects." + (object != nullptr ? object->name : name) + ".", origins));
  }
  return ok_status();
}

Status apply_file(std::string_view toml_text, std::string_view source, Config& config, Origins& origins) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    // toml++ is built with exceptions; this is the one place they are turned into a value.
    const auto& begin = e.source().begin;
    return config_error("MALFORMED_TOML",
                        std::string(source) + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column),
                        "malformed TOML: " + std::string(e.description()) +
                            (e.description().ends_with('.') ? "" : "."));
  }
  for (auto&& [key, node] : root) {
    std::string where = location_of(source, key.source());
    std::string section(key.str());
    if (section == "objects") {
      CRMSYNC_TRY(apply_objects(node, source, where, config, origins));
      continue;
    }
    if (section == "export") {
      CRMSYNC_TRY(apply_export_section(node, source, config.exports));
      config.exports.configured = true;
      continue;
    }
    std::vector<Binding> bindings;
    if (section == "salesforce") bindings = salesforce_bindings(config.salesforce);
    else if (section == "store") bindings = store_bindings(config.store);
    else if (section == "groups") bindings = groups_bindings(config.groups);
    else if (section == "sync") bindings = sync_bindings(config.sync);
    else if (section == "serve") bindings = serve_bindings(config.serve);
    else {
      return config_error("UNKNOWN_KEY", where,
                          "unknown section [" + section + "]" + suggestion(section, kSections, "sections"));
    }
    if (!node.is_table()) {
      return config_error("WRONG_TYPE", where,
                          section + " must be a section ([" + section + "]), not " + type_name(node.type()) + ".");
    }
    origins[section] = where;
    CRMSYNC_TRY(apply_table(*node.as_table(), bindings, source, section, section + ".", origins));
  }
  return ok_status();
}

Status apply_env_section(const std::vector<Binding>& bindings, const std::string& section, const std::string& env_prefix,
                         const EnvLookup& env, Origins& origins) {
  for (const auto& b : bindings) {
    std::string var = env_prefix + to_upper(b.key);
    auto value = env(var);
    if (!value) continue;
    CRMSYNC_TRY(assign_env(b, var, *value, "[" + section + "] " + b.key));
    origins[section + "." + b.key] = "environment variable " + var;
  }
  return ok_status();
}

Status apply_env(Config& config, const EnvLookup& env, Origins& origins) {
  CRMSYNC_TRY(apply_env_section(salesforce_bindings(config.salesforce), "salesforce", "CRMSYNC_SALESFORCE_", env, origins));
  CRMSYNC_TRY(apply_env_section(store_bindings(config.store), "store", "CRMSYNC_STORE_", env, origins));
  CRMSYNC_TRY(apply_env_section(groups_bindings(config.groups), "groups", "CRMSYNC_GROUPS_", env, origins));
  CRMSYNC_TRY(apply_env_section(sync_bindings(config.sync), "sync", "CRMSYNC_SYNC_", env, origins));
  CRMSYNC_TRY(apply_env_section(serve_bindings(config.serve), "serve", "CRMSYNC_SERVE_", env, origins));
  CRMSYNC_TRY(apply_export_env(config.exports, env));
  std::vector<const catalog::CatalogObject*> all;
  for (const auto& object : catalog::objects()) all.push_back(&object);
  for (const auto& object : catalog::board_objects()) all.push_back(&object);
  for (const catalog::CatalogObject* listed : all) {
    const catalog::CatalogObject& object = *listed;
    std::string prefix = "CRMSYNC_OBJECTS_" + to_upper(object.name) + "_";
    bool any = false;
    ObjectConfig scratch;
    for (const auto& b : object_bindings(scratch)) any = any || env(prefix + to_upper(b.key)).has_value();
    if (!any) continue;
    // Override the file's entry (whatever its spelling) or add one under the catalog's name.
    auto it = std::find_if(config.objects.begin(), config.objects.end(),
                           [&](const auto& entry) { return iequals(entry.first, object.name); });
    ObjectConfig& oc = it != config.objects.end() ? it->second : config.objects[object.name];
    CRMSYNC_TRY(apply_env_section(object_bindings(oc), "objects." + object.name, prefix, env, origins));
  }
  // Objects beyond the catalog that the file names ([objects.Invoice__c]): CRMSYNC_OBJECTS_INVOICE__C_*.
  // (An object the file does not name cannot be added from the environment: the variable's upper
  // case does not say how the API name is spelt.)
  for (auto& [name, oc] : config.objects) {
    if (catalog::find_object(name) != nullptr) continue;
    CRMSYNC_TRY(apply_env_section(object_bindings(oc), "objects." + name, "CRMSYNC_OBJECTS_" + to_upper(name) + "_", env,
                                  origins));
  }
  return ok_status();
}

std::string origin_of(const Origins& origins, const std::string& key, std::string_view source) {
  auto it = origins.find(key);
  return it != origins.end() ? it->second : std::string(source);
}

// The host of an http(s) URL, brackets removed from IPv6 literals.
std::string host_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at_sign = rest.rfind('@'); at_sign != std::string_view::npos) rest = rest.substr(at_sign + 1);
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    return close == std::string_view::npos ? std::string() : std::string(rest.substr(1, close - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

bool is_loopback(const std::string& host) {
  if (iequals(host, "localhost") || host == "::1") return true;
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3 && !host.ends_with(".") && host.find("..") == std::string::npos;
}

// [sync] values out of range: the error names the key, the range and a sensible value.
Status validate_sync(const SyncConfig& s, std::string_view source, const Origins& origins) {
  auto where = [&](const std::string& key) { return origin_of(origins, "sync." + key, source); };
  auto range = [&](const char* key, std::int64_t value, std::int64_t lo, std::int64_t hi,
                   const char* advice) -> Status {
    if (value >= lo && value <= hi) return ok_status();
    return config_error("INVALID_VALUE", where(key),
                        "[sync] " + std::string(key) + " = " + std::to_string(value) + " is out of range; expected " +
                            std::to_string(lo) + ".." + std::to_string(hi) + " (" + advice + ").");
  };
  CRMSYNC_TRY(range("lookback_seconds", s.lookback_seconds, 0, 30LL * 86400, "default 300: five minutes of overlap"));
  CRMSYNC_TRY(range("settle_seconds", s.settle_seconds, 0, 3600, "default 2"));
  CRMSYNC_TRY(range("concurrency", s.concurrency, 1, 25, "Salesforce allows 25 concurrent long-running requests; default 4"));
  CRMSYNC_TRY(range("rows_per_commit", s.rows_per_commit, 1, 10000000, "default 20000"));
  CRMSYNC_TRY(range("batch_size", s.batch_size, 200, 2000, "Salesforce takes 200..2000; default 2000"));
  CRMSYNC_TRY(range("bulk_threshold", s.bulk_threshold, 0, 1000000000, "default 2000 records"));
  CRMSYNC_TRY(range("formula_refresh_hours", s.formula_refresh_hours, 0, 24 * 365, "0 re-reads formulas every run; default 24"));
  CRMSYNC_TRY(range("interval_seconds", s.interval_seconds, 1, 30LL * 86400,
                    "crmsync worker's wait from one successful run of the org to the next; default 300"));
  auto share = [&](const char* key, double value, const char* advice) -> Status {
    if (value > 0 && value <= 1) return ok_status();
    return config_error("INVALID_VALUE", where(key),
                        "[sync] " + std::string(key) + " = " + std::to_string(value) +
                            " must be a share above 0 and at most 1 (" + advice + ").");
  };
  CRMSYNC_TRY(share("quota_daily_share", s.quota_daily_share, "e.g. 0.80 pauses at 80% of the org's daily API total"));
  CRMSYNC_TRY(share("quota_run_share", s.quota_run_share, "e.g. 0.25 lets one run spend a quarter of the daily total"));
  return ok_status();
}

// An origin a browser opens: https://host[:port], or http:// to this machine only (a session
// cookie sent over plain http across a network could be read on the way).
Status check_public_url(const std::string& url, const std::string& where) {
  const bool https = url.starts_with("https://");
  const std::string host = host_of(url);
  std::string_view rest = std::string_view(url).substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  const bool origin_only = rest.find_first_of("?#") == std::string_view::npos &&
                           (rest.find('/') == std::string_view::npos || rest.find('/') == rest.size() - 1);
  if ((!https && !url.starts_with("http://")) || host.empty() || !origin_only) {
    return config_error("INVALID_VALUE", where,
                        "[serve] public_url = " + shown_value(url) +
                            " is not the address team members open; expected the server's origin without a path, "
                            "e.g. \"https://deals.example.com\" (the connected app's callback URL is then "
                            "https://deals.example.com/auth/callback).");
  }
  if (!https && !is_loopback(host)) {
    return config_error("INSECURE_PUBLIC_URL", where,
                        "[serve] public_url uses plain http:// to " + host +
                            ", so the session cookie would cross the network unencrypted; serve behind https (a "
                            "reverse proxy with a certificate) and give its https:// address (plain http:// only on "
                            "this machine: 127.0.0.0/8, ::1, localhost).");
  }
  return ok_status();
}

// [serve] sign-in keys: all of them or none, each valid; the org's login URL usable by browsers.
Status validate_signin(const Config& config, std::string_view source, const Origins& origins) {
  const ServeConfig& s = config.serve;
  auto where = [&](const std::string& key) { return origin_of(origins, "serve." + key, source); };
  if (!s.signin()) {
    for (const char* key : {"public_url", "client_secret", "client_secret_file", "session_key", "session_key_file",
                            "admins", "session_hours"}) {
      if (!origins.contains("serve." + std::string(key))) continue;
      return config_error("SIGNIN_INCOMPLETE", where(key),
                          "[serve] " + std::string(key) +
                              " is a sign-in setting, but [serve] client_id is not set, so sign-in is off; set "
                              "client_id to the team members' connected app's Consumer Key (CRMSYNC_SERVE_CLIENT_ID), "
                              "or remove " + key + " to serve without sign-in (loopback only).");
    }
    return ok_status();
  }
  if (s.public_url.empty()) {
    return config_error("MISSING_KEY", where("client_id"),
                        "[serve] public_url is required with sign-in ([serve] client_id is set): the address team "
                        "members open, e.g. \"https://deals.example.com\"; Salesforce sends them back to "
                        "<public_url>/auth/callback, the connected app's callback URL. Set it in " +
                            std::string(source) + " or with CRMSYNC_SERVE_PUBLIC_URL.");
  }
  CRMSYNC_TRY(check_public_url(s.public_url, where("public_url")));
  auto one_of = [&](const std::string& value, const std::string& file, const char* key) -> Status {
    if (value.empty() || file.empty()) return ok_status();
    return config_error("INVALID_VALUE", where(key),
                        "[serve] " + std::string(key) + " and " + key + "_file are both set (" + key + "_file from " +
                            where(std::string(key) + "_file") + "); keep one, preferably the file or CRMSYNC_SERVE_" +
                            to_upper(key) + ".");
  };
  CRMSYNC_TRY(one_of(s.client_secret, s.client_secret_file, "client_secret"));
  CRMSYNC_TRY(one_of(s.session_key, s.session_key_file, "session_key"));
  if (!s.session_key.empty() && s.session_key.size() < 32) {
    return config_error("INVALID_VALUE", where("session_key"),
                        "[serve] session_key is " + std::to_string(s.session_key.size()) +
                            " bytes long; use at least 32 random bytes (e.g. openssl rand -base64 48), or leave it "
                            "out and the server makes a random key at each start.");
  }
  if (s.session_hours < 1 || s.session_hours > 720) {
    return config_error("INVALID_VALUE", where("session_hours"),
                        "[serve] session_hours = " + std::to_string(s.session_hours) +
                            " is out of range; expected 1..720 hours (default 8: a working day).");
  }
  for (const auto& admin : s.admins) {
    if (admin.empty() || admin.find_first_of(" \t,") != std::string::npos) {
      return config_error("INVALID_VALUE", where("admins"),
                          "[serve] admins holds " + shown_value(admin) +
                              ", which is neither a username (admin@acme.com) nor a user id (005...).");
    }
  }
  const std::string& login = config.salesforce.login_url;
  if (!login.starts_with("https://") && !(login.starts_with("http://") && is_loopback(host_of(login)))) {
    return config_error("INVALID_VALUE", origin_of(origins, "salesforce.login_url", source),
                        "[salesforce] login_url = " + shown_value(login) +
                            " cannot take team members' sign-in ([serve] client_id is set); it must be the org's "
                            "https:// login host or My Domain (plain http:// only for an emulator on this machine).");
  }
  return ok_status();
}

Status validate_serve(const ServeConfig& s, std::string_view source, const Origins& origins) {
  auto where = [&](const std::string& key) { return origin_of(origins, "serve." + key, source); };
  if (s.fiscal_year_start_month < 1 || s.fiscal_year_start_month > 12) {
    return config_error("INVALID_VALUE", where("fiscal_year_start_month"),
                        "[serve] fiscal_year_start_month = " + std::to_string(s.fiscal_year_start_month) +
                            " is not a month; expected 1 (January, the default) to 12 (December).");
  }
  if (s.port < 1 || s.port > 65535) {
    return config_error("INVALID_VALUE", where("port"),
                        "[serve] port = " + std::to_string(s.port) + " is out of range; expected 1..65535 (default 8080).");
  }
  return ok_status();
}

// [store]: a sqlite:PATH or a PostgreSQL URI (repeated masked: it may carry a password), and a
// schema (the store checks its spelling when it opens). All that `crmsync status` checks.
Status validate_store(const StoreConfig& store, std::string_view source, const Origins& origins) {
  const std::string& url = store.url;
  const bool postgres = url.starts_with("postgresql://") || url.starts_with("postgres://");
  if (!postgres && (!url.starts_with("sqlite:") || url.size() == 7)) {
    return config_error("INVALID_VALUE", origin_of(origins, "store.url", source),
                        "[store] url = " + shown_value(url) +
                            " is not supported; expected sqlite:PATH, e.g. \"sqlite:crmsync.db\", or "
                            "postgresql://user@host:port/dbname.");
  }
  if (store.schema.empty()) {
    return config_error("INVALID_VALUE", origin_of(origins, "store.schema", source),
                        "[store] schema is empty; name the PostgreSQL schema for the org's tables, e.g. \"salesforce\".");
  }
  return ok_status();
}

// [salesforce] time and size bounds out of range.
Status validate_bounds(const SalesforceConfig& sf, std::string_view source, const Origins& origins) {
  auto range = [&](const char* key, std::int64_t value, std::int64_t lo, std::int64_t hi, const char* advice) -> Status {
    if (value >= lo && value <= hi) return ok_status();
    return config_error("INVALID_VALUE", origin_of(origins, "salesforce." + std::string(key), source),
                        "[salesforce] " + std::string(key) + " = " + std::to_string(value) +
                            " is out of range; expected " + std::to_string(lo) + ".." + std::to_string(hi) + " (" +
                            advice + ").");
  };
  CRMSYNC_TRY(range("request_timeout_seconds", sf.request_timeout_seconds, 1, 86400, "one attempt; default 120"));
  CRMSYNC_TRY(range("connect_timeout_seconds", sf.connect_timeout_seconds, 1, 86400,
                    "the attempt's request_timeout_seconds bounds it too; default 30"));
  CRMSYNC_TRY(range("low_speed_seconds", sf.low_speed_seconds, 0, 86400, "0 turns the low-speed abort off; default 0"));
  CRMSYNC_TRY(range("low_speed_bytes_per_second", sf.low_speed_bytes_per_second, 1, 1LL << 30, "default 1024"));
  if (sf.request_deadline_seconds != 0) {
    CRMSYNC_TRY(range("request_deadline_seconds", sf.request_deadline_seconds, sf.request_timeout_seconds, 7 * 86400,
                      "at least request_timeout_seconds, or 0 for none; default 300"));
  }
  CRMSYNC_TRY(range("max_response_mb", sf.max_response_mb, 1, 4096, "one JSON answer; default 64"));
  CRMSYNC_TRY(range("max_bulk_results_mb", sf.max_bulk_results_mb, 1, 4096, "one Bulk API results page; default 256"));
  return ok_status();
}

// The [salesforce] keys every login needs, and the [sync] values the sync reads.
Status validate_login(const Config& config, std::string_view source, const Origins& origins) {
  CRMSYNC_TRY(validate_sync(config.sync, source, origins));
  CRMSYNC_TRY(validate_bounds(config.salesforce, source, origins));
  const SalesforceConfig& sf = config.salesforce;
  auto where = [&](const std::string& key) { return origin_of(origins, key, source); };

  if (sf.auth != "password" && sf.auth != "client_credentials" && sf.auth != "jwt" && sf.auth != "refresh_token") {
    return config_error("INVALID_VALUE", where("salesforce.auth"),
                        "[salesforce] auth = " + shown_value(sf.auth) +
                            " is not supported; expected \"password\", \"client_credentials\", \"jwt\" or "
                            "\"refresh_token\".");
  }
  const std::string& v = sf.api_version;
  auto dot = v.find('.');
  bool version_ok = dot != std::string::npos && dot > 0 && dot + 1 < v.size() &&
                    std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
                    std::count(v.begin(), v.end(), '.') == 1;
  if (!version_ok) {
    return config_error("INVALID_VALUE", where("salesforce.api_version"),
                        "[salesforce] api_version = " + shown_value(v) + " is not a Salesforce API version; expected e.g. \"62.0\".");
  }

  // Required keys for the chosen flow, all named at once with the variables that could set them.
  std::vector<std::string> missing;
  auto need = [&](const std::string& value, const char* key) {
    if (value.empty()) missing.emplace_back(key);
  };
  need(sf.login_url, "login_url");
  need(sf.client_id, "client_id");
  if (sf.auth == "password" || sf.auth == "client_credentials") need(sf.client_secret, "client_secret");
  if (sf.auth == "password") {
    need(sf.username, "username");
    need(sf.password, "password");
  } else if (sf.auth == "jwt") {
    need(sf.username, "username");
    need(sf.private_key_file, "private_key_file");
  } else if (sf.auth == "refresh_token") {
    if (sf.refresh_token.empty()) need(sf.refresh_token_file, "refresh_token_file");
  } else if (!origins.contains("salesforce.login_url")) {
    missing.emplace_back("login_url");  // the default login.salesforce.com does not take this flow
  }
  if (!missing.empty()) {
    std::string keys, vars;
    for (const auto& k : missing) {
      keys += (keys.empty() ? "" : ", ") + k;
      vars += (vars.empty() ? "" : ", ") + ("CRMSYNC_SALESFORCE_" + to_upper(k));
    }
    std::string extra = sf.auth == "client_credentials" && !origins.contains("salesforce.login_url")
                            ? " (for client_credentials, login_url must be the org's My Domain URL)"
                        : sf.auth == "refresh_token" && sf.refresh_token.empty()
                            ? " (or give the token itself with CRMSYNC_SALESFORCE_REFRESH_TOKEN)"
                            : "";
    return config_error("MISSING_KEY", where("salesforce"),
                        "[salesforce] " + keys + (missing.size() == 1 ? " is" : " are") + " required when auth = \"" +
                            sf.auth + "\"" + extra + "; set " + (missing.size() == 1 ? "it" : "them") + " in " +
                            std::string(source) + " or with " + vars + ".");
  }
  if (!sf.login_url.starts_with("https://") && !sf.login_url.starts_with("http://")) {
    return config_error("INVALID_VALUE", where("salesforce.login_url"),
                        "[salesforce] login_url = " + shown_value(sf.login_url) +
                            " is not an http(s) URL; expected e.g. \"https://login.salesforce.com\" or the org's My Domain URL.");
  }
  if (sf.login_url.starts_with("http://") && !is_loopback(host_of(sf.login_url))) {
    return config_error("INSECURE_LOGIN_URL", where("salesforce.login_url"),
                        "[salesforce] login_url uses plain http:// to " + host_of(sf.login_url) +
                            ", which would send the credentials across the network unencrypted; use https:// (plain "
                            "http:// is accepted only for an emulator on this machine: 127.0.0.0/8, ::1, localhost).");
  }
  if (sf.auth == "refresh_token" && !sf.refresh_token.empty() && !sf.refresh_token_file.empty()) {
    return config_error("INVALID_VALUE", where("salesforce.refresh_token"),
                        "[salesforce] refresh_token and refresh_token_file are both set (refresh_token_file from " +
                            where("salesforce.refresh_token_file") +
                            "); keep one: refresh_token_file when the connected app rotates refresh tokens.");
  }
  if (sf.max_retries < 0 || sf.max_retries > 100) {
    return config_error("INVALID_VALUE", where("salesforce.max_retries"),
                        "[salesforce] max_retries = " + std::to_string(sf.max_retries) +
                            " is out of range; expected 0 (never retry) to 100 (default 5).");
  }
  if (sf.retry_base_ms < 0 || sf.retry_base_ms > 600'000) {
    return config_error("INVALID_VALUE", where("salesforce.retry_base_ms"),
                        "[salesforce] retry_base_ms = " + std::to_string(sf.retry_base_ms) +
                            " is out of range; expected milliseconds from 0 to 600000 (default 500).");
  }
  if (!sf.verify_tls && !is_loopback(host_of(sf.login_url))) {
    return config_error("INVALID_VALUE", where("salesforce.verify_tls"),
                        "[salesforce] verify_tls = false is only allowed when login_url is a loopback host (127.0.0.1, "
                        "localhost, ::1), not " + shown_value(sf.login_url) +
                            "; remove verify_tls or set it to true.");
  }
  return ok_status();
}

// An [objects.X] section for an object whose group is switched off does nothing: said, not silent.
void warn_objects_in_groups_off(Config& config, std::string_view source, const Origins& origins) {
  for (const auto& [name, oc] : config.objects) {
    const catalog::CatalogObject* object = catalog::find_object(name);
    if (object == nullptr || !oc.enabled) continue;
    const bool off = (object->group == catalog::Group::kDeals && !config.groups.deals) ||
                     (object->group == catalog::Group::kEngage && !config.groups.engage) ||
                     (object->group == catalog::Group::kBoards && !config.groups.boards);
    if (!off) continue;
    const std::string group = catalog::to_string(object->group);
    auto set_at = origins.find("groups." + group);
    const std::string why = set_at != origins.end() ? "[groups] " + group + " = false (" + set_at->second + ")"
                                                    : "[groups] " + group + " is false by default";
    config.warnings.push_back(
        origin_of(origins, "objects." + object->name + ".enabled", source) + ": [objects." + name +
        "] is configured, but " + object->name + " belongs to the " + group + " group, which is switched off: " + why +
        "; so " + object->name + " is not synced. Set [groups] " + group + " = true (or CRMSYNC_GROUPS_" +
        to_upper(group) + "=true) to sync it, or remove [objects." + name + "].");
  }
}

// An [objects.X] section beyond the catalog is synced as the org's object X; one that looks like a
// typo of a catalog object ([objects.Acount]) is said, since the sync would only find no such object.
void warn_lookalike_objects(Config& config, std::string_view source, const Origins& origins) {
  for (const auto& [name, oc] : config.objects) {
    const std::string close = catalog::lookalike_object(name);
    if (close.empty()) continue;
    config.warnings.push_back(origin_of(origins, "objects." + name, source) + ": [objects." + name +
                              "] is not an object of crmsync's catalog, so it is synced as an object beyond the "
                              "catalog, if the org has one of that name; did you mean [objects." + close + "]?");
  }
}

}  // namespace

namespace {

// CRMSYNC_OBJECTS_<OBJECT>_<KEY> for an object beyond the catalog (the file's [objects.Case] is
// read before the environment's warnings are known): any object a catalog object's name is not a
// typo of, with one of [objects.X]'s keys.
bool is_beyond_catalog_object_env(std::string_view name) {
  constexpr std::string_view prefix = "CRMSYNC_OBJECTS_";
  if (!name.starts_with(prefix)) return false;
  ObjectConfig scratch;
  for (const auto& b : object_bindings(scratch)) {
    const std::string suffix = "_" + to_upper(b.key);
    if (!name.ends_with(suffix) || name.size() <= prefix.size() + suffix.size()) continue;
    const std::string object(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()));
    const bool catalog_name = catalog::find_object(object) != nullptr;
    return !catalog_name && catalog::lookalike_object(object).empty();
  }
  return false;
}

}  // namespace

std::vector<std::string> known_env_names() {
  std::vector<std::string> names;
  Config scratch;
  Origins origins;
  EnvLookup record = [&names](const std::string& name) -> std::optional<std::string> {
    names.push_back(name);
    return std::nullopt;
  };
  (void)apply_env(scratch, record, origins);  // asks for every variable, sets nothing
  return names;
}

std::vector<std::string> process_env_names() {
  std::vector<std::string> names;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("CRMSYNC_")) continue;
    names.emplace_back(entry.substr(0, entry.find('=')));
  }
  return names;
}

std::vector<std::string> unknown_env_warnings(const std::vector<std::string>& names,
                                              const std::vector<std::string>& also_known) {
  std::vector<std::string> known = known_env_names();
  known.push_back(kConfigEnvVar);
  known.insert(known.end(), also_known.begin(), also_known.end());
  // Compared without the shared prefix, which would make every name look close to every other.
  std::vector<std::string> known_rests;
  for (const auto& k : known) known_rests.push_back(k.substr(std::string_view("CRMSYNC_").size()));
  std::vector<std::string> warnings;
  for (const auto& name : names) {
    if (!name.starts_with("CRMSYNC_") || std::find(known.begin(), known.end(), name) != known.end()) continue;
    if (is_beyond_catalog_object_env(name)) continue;
    std::string close = closest_match(std::string_view(name).substr(8), known_rests);
    if (!close.empty()) close = "CRMSYNC_" + close;
    warnings.push_back("environment variable " + name + " is not a crmsync setting, so it changes nothing" +
                       (close.empty() ? "; crmsync reads CRMSYNC_CONFIG and CRMSYNC_<SECTION>_<KEY> for each key of "
                                        "crmsync.toml (README, Configuration)."
                                      : "; did you mean " + close + "?"));
  }
  return warnings;
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> parse_config(std::string_view toml_text, std::string_view source_name, const EnvLookup& env,
                            Validation validation) {
  Config config;
  Origins origins;
  CRMSYNC_TRY(apply_file(toml_text, source_name, config, origins));
  if (env) CRMSYNC_TRY(apply_env(config, env, origins));
  CRMSYNC_TRY(validate_store(config.store, source_name, origins));
  CRMSYNC_TRY(validate_serve(config.serve, source_name, origins));
  CRMSYNC_TRY(validate_signin(config, source_name, origins));
  if (validation == Validation::kStoreOnly) return config;
  warn_objects_in_groups_off(config, source_name, origins);
  warn_lookalike_objects(config, source_name, origins);
  CRMSYNC_TRY(validate_login(config, source_name, origins));
  CRMSYNC_TRY(validate_export(config.exports, source_name));
  return config;
}

std::vector<std::string> section_keys(std::string_view section) {
  Config scratch;
  std::vector<Binding> bindings;
  if (section == "salesforce") bindings = salesforce_bindings(scratch.salesforce);
  else if (section == "store") bindings = store_bindings(scratch.store);
  else if (section == "groups") bindings = groups_bindings(scratch.groups);
  else if (section == "sync") bindings = sync_bindings(scratch.sync);
  else if (section == "serve") bindings = serve_bindings(scratch.serve);
  std::vector<std::string> keys;
  for (const auto& b : bindings) keys.emplace_back(b.key);
  return keys;
}

namespace {

bool same_value(const Target& a, const Target& b) {
  return std::visit([&](auto* p) { return *p == *std::get<decltype(p)>(b); }, a);
}

void insert_value(toml::table& table, const Binding& b) {
  std::visit(
      [&](auto* p) {
        if constexpr (std::is_same_v<std::remove_pointer_t<decltype(p)>, std::vector<std::string>>) {
          toml::array list;
          for (const auto& item : *p) list.push_back(item);
          table.insert_or_assign(b.key, std::move(list));
        } else {
          table.insert_or_assign(b.key, *p);
        }
      },
      b.target);
}

// The keys of `now` whose value differs from `defaults` (the same section of a default Config).
toml::table changed_keys(const std::vector<Binding>& now, const std::vector<Binding>& defaults,
                         const std::vector<std::string>& leave_out = {}) {
  toml::table out;
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (std::find(leave_out.begin(), leave_out.end(), now[i].key) != leave_out.end()) continue;
    if (!same_value(now[i].target, defaults[i].target)) insert_value(out, now[i]);
  }
  return out;
}

}  // namespace

std::string sync_settings_toml(const Config& config) {
  Config copy = config;  // the bindings point into a Config they may write; this one is ours
  Config defaults;
  toml::table root;
  auto section = [&root](const char* name, toml::table keys) {
    if (!keys.empty()) root.insert_or_assign(name, std::move(keys));
  };
  section("salesforce", changed_keys(salesforce_bindings(copy.salesforce), salesforce_bindings(defaults.salesforce),
                                     kSalesforceSecretKeys));
  section("groups", changed_keys(groups_bindings(copy.groups), groups_bindings(defaults.groups)));
  section("sync", changed_keys(sync_bindings(copy.sync), sync_bindings(defaults.sync)));
  toml::table objects;
  for (auto& [name, oc] : copy.objects) {
    ObjectConfig unset;
    toml::table keys = changed_keys(object_bindings(oc), object_bindings(unset));
    if (!keys.empty()) objects.insert_or_assign(name, std::move(keys));
  }
  section("objects", std::move(objects));
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

Result<Config> load_config(const std::string& path, const EnvLookup& env, Validation validation) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorKind::kConfig, "MISSING_FILE",
                 path + ": cannot read the configuration file; check the path (or set CRMSYNC_CONFIG), or start "
                     "from crmsync.example.toml (installed as share/doc/crmsync/examples/crmsync.example.toml; "
                     "every key is in the README's Configuration table).");
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto config = parse_config(text.str(), path, env, validation);
  if (config) {
    for (const auto& w : config->warnings) log::warn("config", w);
  }
  return config;
}

catalog::AdminSelection Config::selection_for(std::string_view object) const {
  for (const auto& [name, oc] : objects) {
    if (iequals(name, object)) return {oc.exclude, oc.include};
  }
  return {};
}

std::vector<std::string> Config::enabled_objects() const {
  std::vector<std::string> out;
  for (const auto& object : catalog::objects()) {
    if (object.group == catalog::Group::kDeals && !groups.deals) continue;
    if (object.group == catalog::Group::kEngage && !groups.engage) continue;
    auto it = std::find_if(objects.begin(), objects.end(),
                           [&](const auto& entry) { return iequals(entry.first, object.name); });
    if (it != objects.end() && !it->second.enabled) continue;
    out.push_back(object.name);
  }
  return out;
}

std::vector<std::string> Config::synced_objects() const {
  std::vector<std::string> out = enabled_objects();
  for (const auto& object : catalog::board_objects()) {
    if (!groups.boards) break;
    auto it = std::find_if(objects.begin(), objects.end(),
                           [&](const auto& entry) { return iequals(entry.first, object.name); });
    if (it != objects.end() && !it->second.enabled) continue;
    out.push_back(object.name);
  }
  for (const auto& [name, oc] : objects) {
    if (oc.enabled && catalog::find_object(name) == nullptr) out.push_back(name);
  }
  return out;
}

}  // namespace crmsync::config
