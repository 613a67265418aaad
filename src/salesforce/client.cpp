#include "salesforce/client.h"

#include <utility>

#include "common/text.h"
#include "salesforce/http.h"
#include "salesforce/wire.h"

namespace crmsync::salesforce {

namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], kAlphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

void add_form_field(std::string& form, std::string_view name, std::string_view value) {
  if (!form.empty()) form += '&';
  form += name;
  form += '=';
  form += url_encode(value);
}

std::string strip_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

Error config_error(const std::string& message) { return Error(ErrorKind::kConfig, "CONFIG", message); }

// Checks the options before any network traffic.
Status validate(const ConnectOptions& o) {
  if (o.auth != "password" && o.auth != "client_credentials") {
    return config_error("[salesforce] auth = \"" + o.auth +
                        "\" is not supported; use \"password\" or \"client_credentials\".");
  }
  if (!o.login_url.starts_with("https://") && !o.login_url.starts_with("http://")) {
    return config_error("[salesforce] login_url = \"" + o.login_url +
                        "\" is not an http(s) URL; use e.g. https://login.salesforce.com or the org's My Domain URL.");
  }
  std::string missing;
  auto need = [&](const std::string& value, const char* key) {
    if (value.empty()) missing += std::string(missing.empty() ? "" : ", ") + key;
  };
  need(o.client_id, "client_id");
  need(o.client_secret, "client_secret");
  if (o.auth == "password") {
    need(o.username, "username");
    need(o.password, "password");
  }
  if (!missing.empty()) {
    return config_error("[salesforce] " + missing + " must be set for auth = \"" + o.auth + "\".");
  }
  if (!o.verify_tls && !is_loopback_host(url_host(o.login_url))) {
    return config_error("[salesforce] verify_tls = false is only allowed for a loopback login_url (127.0.0.1, "
                        "localhost, ::1), not " + o.login_url + "; remove verify_tls or set it to true.");
  }
  return ok_status();
}

}  // namespace

struct Client::Impl {
  ConnectOptions options;
  std::unique_ptr<HttpTransport> http;
  TokenResponse token;
  std::vector<std::string> secrets;  // redacted from every error message
  LimitInfo limits;
  std::int64_t api_calls = 0;
  int batch_size = 0;  // of the last query, resent with query_more

  std::string data_path() const { return "/services/data/v" + options.api_version; }

  // Sends a REST request; any HTTP status comes back as a response, network failures as kNetwork.
  Result<HttpResponse> rest(std::string method, const std::string& path, std::string body = {},
                            std::vector<std::string> extra_headers = {}) {
    HttpRequest request;
    request.method = std::move(method);
    request.url = token.instance_url + path;
    request.headers = std::move(extra_headers);
    request.headers.push_back("Authorization: Bearer " + token.access_token);
    bool has_accept = false;
    for (const auto& h : request.headers) {
      has_accept = has_accept || iequals(std::string_view(h).substr(0, 7), "Accept:");
    }
    if (!has_accept) request.headers.push_back("Accept: application/json");
    if (!body.empty()) request.headers.push_back("Content-Type: application/json");
    request.body = std::move(body);
    Result<HttpResponse> response = http->send(request);
    if (!response) {
      Error e = response.error();
      e.message += " Check the network connection to the Salesforce instance " + token.instance_url + ".";
      redact(e, secrets);
      return e;
    }
    ++api_calls;
    if (LimitInfo l = parse_limit_info(response->limit_info); l.known()) limits = l;
    return response;
  }

  Error fail(const HttpResponse& response, std::string_view what) const {
    Error e = error_from_response(static_cast<int>(response.status), response.body, what);
    redact(e, secrets);
    return e;
  }

  Result<nlohmann::json> json_call(std::string method, const std::string& path, std::string_view what,
                                   std::string body = {}) {
    auto response = rest(std::move(method), path, std::move(body));
    if (!response) return response.error();
    if (response->status < 200 || response->status >= 300) return fail(*response, what);
    nlohmann::json j = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      Error e(ErrorKind::kNetwork, "MALFORMED_RESPONSE",
              "Salesforce's answer to " + std::string(what) + " was malformed: the JSON is invalid or cut off: " +
                  body_excerpt(response->body) + ".",
              static_cast<int>(response->status));
      redact(e, secrets);
      return e;
    }
    return j;
  }

  Result<QueryPage> page_call(const std::string& path, std::string_view what) {
    std::vector<std::string> headers;
    if (batch_size > 0) headers.push_back("Sforce-Query-Options: batchSize=" + std::to_string(batch_size));
    auto response = rest("GET", path, {}, std::move(headers));
    if (!response) return response.error();
    if (response->status != 200) return fail(*response, what);
    auto page = parse_query_page(std::move(response->body), what);
    if (!page) {
      Error e = page.error();
      e.http_status = static_cast<int>(response->status);
      redact(e, secrets);
      return e;
    }
    return page;
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::connect(const ConnectOptions& options) {
  CRMSYNC_TRY(validate(options));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.login_url = strip_trailing_slashes(options.login_url);
  impl->secrets = {options.password, options.client_secret};
  impl->http = make_curl_transport({.verify_tls = options.verify_tls, .timeout_seconds = options.timeout_seconds});

  LoginContext who{options.auth, options.auth == "password" ? options.username : "",
                   impl->options.login_url + "/services/oauth2/token"};
  HttpRequest request;
  request.method = "POST";
  request.url = who.token_url;
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  if (options.auth == "password") {
    add_form_field(request.body, "grant_type", "password");
    add_form_field(request.body, "client_id", options.client_id);
    add_form_field(request.body, "client_secret", options.client_secret);
    add_form_field(request.body, "username", options.username);
    add_form_field(request.body, "password", options.password);
  } else {
    add_form_field(request.body, "grant_type", "client_credentials");
    // RFC 6749 2.3.1: both parts form-encoded before Base64.
    request.headers.push_back("Authorization: Basic " +
                              base64(url_encode(options.client_id) + ":" + url_encode(options.client_secret)));
  }

  auto response = impl->http->send(request);
  if (!response) {
    Error e = response.error();
    e.message += " Check [salesforce] login_url and that the host is reachable.";
    redact(e, impl->secrets);
    return e;
  }
  auto token = parse_token_response(response->status, response->body, who);
  if (!token) {
    Error e = token.error();
    redact(e, impl->secrets);
    return e;
  }
  impl->token = std::move(*token);
  impl->secrets.push_back(impl->token.access_token);
  if (LimitInfo l = parse_limit_info(response->limit_info); l.known()) impl->limits = l;

  if (!options.verify_tls && !is_loopback_host(url_host(impl->token.instance_url))) {
    return config_error("The login returned instance_url " + impl->token.instance_url +
                        ", which is not a loopback host, while [salesforce] verify_tls = false; TLS verification "
                        "may only be turned off for a local emulator.");
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

const std::string& Client::instance_url() const { return impl_->token.instance_url; }
const std::string& Client::api_version() const { return impl_->options.api_version; }
const std::string& Client::user_id() const { return impl_->token.user_id; }
const std::string& Client::org_id() const { return impl_->token.org_id; }

Result<nlohmann::json> Client::describe_global() {
  return impl_->json_call("GET", impl_->data_path() + "/sobjects/", "describeGlobal");
}

Result<nlohmann::json> Client::describe(std::string_view object) {
  return impl_->json_call("GET", impl_->data_path() + "/sobjects/" + std::string(object) + "/describe",
                          "describe " + std::string(object));
}

Result<QueryPage> Client::query(std::string_view soql, bool include_deleted, int batch_size) {
  impl_->batch_size = batch_size;
  std::string path = impl_->data_path() + (include_deleted ? "/queryAll" : "/query") + "?q=" + url_encode(soql);
  return impl_->page_call(path, std::string(include_deleted ? "queryAll " : "query ") + std::string(soql));
}

Result<QueryPage> Client::query_more(std::string_view next_records_url) {
  if (!next_records_url.starts_with("/")) {
    return Error(ErrorKind::kInternal, "BAD_NEXT_RECORDS_URL",
                 "query_more was given \"" + std::string(next_records_url) +
                     "\", which is not a nextRecordsUrl path (it must start with /services/data/).");
  }
  return impl_->page_call(std::string(next_records_url), "query page " + std::string(next_records_url));
}

Result<std::string> Client::create(std::string_view object, const nlohmann::json& fields) {
  std::string what = "create " + std::string(object);
  auto j = impl_->json_call("POST", impl_->data_path() + "/sobjects/" + std::string(object) + "/", what, fields.dump());
  if (!j) return j.error();
  if (!j->is_object() || !(*j)["id"].is_string()) {
    return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                 "Salesforce's answer to " + what + " was malformed: it has no \"id\".");
  }
  return (*j)["id"].get<std::string>();
}

Status Client::update(std::string_view object, std::string_view id, const nlohmann::json& fields) {
  std::string what = "update " + std::string(object) + " " + std::string(id);
  auto response = impl_->rest("PATCH", impl_->data_path() + "/sobjects/" + std::string(object) + "/" + std::string(id),
                              fields.dump());
  if (!response) return response.error();
  if (response->status < 200 || response->status >= 300) return impl_->fail(*response, what);
  return ok_status();
}

Status Client::remove(std::string_view object, std::string_view id) {
  std::string what = "delete " + std::string(object) + " " + std::string(id);
  auto response = impl_->rest("DELETE", impl_->data_path() + "/sobjects/" + std::string(object) + "/" + std::string(id));
  if (!response) return response.error();
  if (response->status < 200 || response->status >= 300) return impl_->fail(*response, what);
  return ok_status();
}

Result<nlohmann::json> Client::get_json(std::string_view path) {
  return impl_->json_call("GET", std::string(path), "GET " + std::string(path));
}

Result<nlohmann::json> Client::request_json(std::string_view method, std::string_view path, const nlohmann::json& body) {
  std::string what = std::string(method) + " " + std::string(path);
  auto response = send(method, path, body.is_null() ? std::string() : body.dump());
  if (!response) return response.error();
  if (response->status < 200 || response->status >= 300) return error_for(*response, what);
  if (response->body.empty()) return nlohmann::json();
  nlohmann::json j = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    Error e(ErrorKind::kNetwork, "MALFORMED_RESPONSE",
            "Salesforce's answer to " + what + " was malformed: the JSON is invalid or cut off: " +
                body_excerpt(response->body) + ".",
            static_cast<int>(response->status));
    redact(e, impl_->secrets);
    return e;
  }
  return j;
}

std::string RestResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

Result<RestResponse> Client::send(std::string_view method, std::string_view path, std::string body,
                                  std::vector<std::string> headers) {
  auto response = impl_->rest(std::string(method), std::string(path), std::move(body), std::move(headers));
  if (!response) return response.error();
  return RestResponse{response->status, std::move(response->body), std::move(response->content_type),
                      std::move(response->headers)};
}

Error Client::error_for(const RestResponse& response, std::string_view what) const {
  Error e = error_from_response(static_cast<int>(response.status), response.body, what);
  redact(e, impl_->secrets);
  return e;
}

LimitInfo Client::limits() const { return impl_->limits; }
std::int64_t Client::api_calls() const { return impl_->api_calls; }

}  // namespace crmsync::salesforce
