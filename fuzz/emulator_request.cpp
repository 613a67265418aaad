// The emulator's request handling (emulator/emulator.h, Emulator::answer): one HTTP request as any
// client may send it, answered in-process by the router and the routes over a small generated org,
// as the integration user, the admin or nobody. Bodies go through the same bounds and decoding as
// from a connection: JSON record bodies (sObject create/update/upsert, Collections, composite
// batch), OAuth forms, Bulk query jobs, SOQL. The emulator answers every request as Salesforce
// would: never with a crash or an exception (the server would answer 500 UNKNOWN_EXCEPTION), and a
// JSON answer is JSON.
//
// Input, as on the wire (LF or CRLF):
//   METHOD TARGET              e.g. POST /services/data/v62.0/composite/sobjects
//   Name: value                headers; "X-Fuzz-As: admin" or "none" (default: the integration user)
//                              replaces the session an Authorization header would name
//   (empty line)
//   body
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <httplib.h>

#include "emulator/emulator.h"
#include "fuzz_support.h"
#include "in_process.h"  // tests/unit/emulator

namespace {

using namespace crmsync;
using emulator::Emulator;
using emulator::testing::login;
using emulator::testing::request;

// The org and its sessions; remade now and then, so that what earlier inputs wrote (records,
// cursors, jobs) neither piles up without bound nor holds for ever.
struct Org {
  std::unique_ptr<Emulator> emu;
  std::string admin_token;
  std::string integration_token;
  int answered = 0;
};

Org& org() {
  static Org org;
  if (org.emu && org.answered < 20000) return org;
  emulator::EmulatorOptions options;
  options.org = {.seed = 42, .scale = 2};
  options.bulk_processing_ms = 0;          // a query job completes at its first poll
  options.token_ttl_seconds = 1000000000;  // a long run never sees its sessions expire
  org.emu = std::make_unique<Emulator>(options);
  auto loaded = org.emu->load();
  FUZZ_CHECK(loaded.ok(), "the emulator did not load: %s", loaded.ok() ? "" : loaded.error().to_string().c_str());
  org.admin_token = login(*org.emu, "admin@crmsync.test", "admin-pass");
  org.integration_token = login(*org.emu, "integration@crmsync.test", "integration-pass");
  FUZZ_CHECK(!org.admin_token.empty() && !org.integration_token.empty(), "the users could not log in");
  org.answered = 0;
  return org;
}

std::string_view next_line(std::string_view& text) {
  const std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The request the input spells, with path and parameters decoded as cpp-httplib's server does.
httplib::Request request_of(std::string_view input, const Org& o) {
  const std::string_view request_line = next_line(input);
  const std::size_t space = request_line.find(' ');
  httplib::Request req =
      request(std::string(request_line.substr(0, space)),
              space == std::string_view::npos ? "/" : std::string(request_line.substr(space + 1)));
  std::string as = "integration";
  for (std::string_view line = next_line(input); !line.empty(); line = next_line(input)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "X-Fuzz-As") as = value;
    else if (name != "Authorization") req.set_header(name, std::string(value));
  }
  if (as == "admin") req.set_header("Authorization", "Bearer " + o.admin_token);
  else if (as != "none") req.set_header("Authorization", "Bearer " + o.integration_token);
  req.body = std::string(input);
  return req;
}

// The methods the emulator's server routes; cpp-httplib answers any other itself.
bool routed_method(const std::string& method) {
  for (const char* m : {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"}) {
    if (method == m) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Org& o = org();
  const std::string_view input = fuzz::as_text(data, size);
  httplib::Request req = request_of(input, o);
  if (!routed_method(req.method)) return 0;
  ++o.answered;
  o.emu->set_api_used(0);  // the daily limit is a feature, not what this target looks at
  const httplib::Response res = emulator::testing::answer(*o.emu, req);
  const int status = res.status;
  FUZZ_CHECK(status >= 200 && status < 600, "HTTP status %d", status);
  FUZZ_CHECK(status != 500, "500 for %s %s: %s", req.method.c_str(), req.target.c_str(), res.body.c_str());
  const std::string type = res.get_header_value("Content-Type");
  if (fuzz::valid_utf8(input) && type.rfind("application/json", 0) == 0 && !res.body.empty()) {
    FUZZ_CHECK(nlohmann::json::accept(res.body), "%s %s answered a body that is not JSON: %.300s", req.method.c_str(),
               req.target.c_str(), res.body.c_str());
  }
  return 0;
}
