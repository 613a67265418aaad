// SOQL helpers for the read-only probes.
#include <nlohmann/json.hpp>

#include "check/check_internal.h"
#include "salesforce/json_members.h"
#include "common/json.h"

namespace crmsync::check::detail {

Result<std::vector<nlohmann::json>> query_records(salesforce::Client& client, const std::string& soql) {
  std::vector<nlohmann::json> out;
  auto page = client.query(soql, /*include_deleted=*/false);
  while (true) {
    if (!page) return page.error();
    nlohmann::json body = parse_json(page->body);
    if (body.is_object() && body["records"].is_array()) {
      for (auto& r : body["records"]) out.push_back(std::move(r));
    }
    if (page->done || page->next_records_url.empty()) break;
    page = client.query_more(page->next_records_url);
  }
  return out;
}

Result<std::int64_t> query_count(salesforce::Client& client, const std::string& soql) {
  auto page = client.query(soql, /*include_deleted=*/false);
  if (!page) return page.error();
  return page->total_size;
}

std::string soql_literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string soql_in_list(const std::vector<std::string>& values) {
  if (values.empty()) return "('')";
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + soql_literal(values[i]);
  return out + ")";
}

std::string text(const nlohmann::json& record, const char* key) { return salesforce::text_member(record, key); }

bool flag(const nlohmann::json& record, const char* key) { return salesforce::flag_member(record, key); }

bool is_api_disabled(const Error& error) {
  return error.code == "API_DISABLED_FOR_ORG" || error.code == "API_CURRENTLY_DISABLED";
}

bool is_access_refusal(const Error& error) {
  if (is_api_disabled(error)) return false;
  return error.code == "INVALID_TYPE" || error.code == "INSUFFICIENT_ACCESS" ||
         error.code == "INSUFFICIENT_ACCESS_OR_READONLY" || error.code == "NOT_FOUND" || error.code == "INVALID_FIELD" ||
         error.http_status == 403 || error.http_status == 404 || error.kind == ErrorKind::kPermission;
}

}  // namespace crmsync::check::detail
