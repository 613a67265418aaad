// The emulator answering in-process (Emulator::answer), without a socket: requests built as
// cpp-httplib's server hands them over, and a login. For the emulator's unit tests and
// fuzz/emulator_request.cpp.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <string>

#include "emulator/emulator.h"

namespace crmsync::emulator::testing {

// `target` is the request line's (path and query string); the path is percent-decoded and the
// query string split into params, as the server does.
inline httplib::Request request(std::string method, const std::string& target, std::string body = {},
                                const std::string& content_type = "application/json") {
  httplib::Request req;
  req.method = std::move(method);
  req.target = target;
  const std::size_t query = target.find('?');
  req.path = httplib::detail::decode_url(target.substr(0, query), false);
  if (query != std::string::npos) httplib::detail::parse_query_text(target.substr(query + 1), req.params);
  if (!body.empty()) req.set_header("Content-Type", content_type);
  req.body = std::move(body);
  return req;
}

inline httplib::Response answer(Emulator& emu, httplib::Request req, const std::string& token = {}) {
  if (!token.empty()) req.set_header("Authorization", "Bearer " + token);
  httplib::Response res;
  emu.answer(req, res);
  if (res.status == -1) res.status = 200;  // what the server sends for a route that left it unset
  return res;
}

// The access token of a password-grant login to the default org's connected app; "" when refused.
inline std::string login(Emulator& emu, const std::string& username, const std::string& password) {
  auto res = answer(emu, request("POST", "/services/oauth2/token",
                                 "grant_type=password&client_id=crmsync-local&client_secret=crmsync-local-secret"
                                 "&username=" + username + "&password=" + password,
                                 "application/x-www-form-urlencoded"));
  if (res.status != 200) return {};
  return nlohmann::json::parse(res.body).value("access_token", "");
}

}  // namespace crmsync::emulator::testing
