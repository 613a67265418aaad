// The emulator's HTTP transport: cpp-httplib's server with the bounds a server that faces hostile
// clients needs, which the library (0.11.4, Debian 12) leaves open. Internal to the emulator.
//
// - A request's line and headers must arrive within TransportLimits::header_timeout_ms of its
//   first byte, however slowly they trickle (else 408 and the connection closes), and hold at
//   most 16,384 bytes, Salesforce's bound on a REST call's URI and headers (431; 414 when the
//   request line alone is longer).
// - Every connection gets a thread of its own: `threads` are started with the server and more as
//   connections need them, up to max_threads, so slow clients never hold up the others.
// - Bodies are read by the route (read_body), bounded once inflated: cpp-httplib undoes gzip and
//   deflate itself, and bounds only a declared Content-Length (set_payload_max_length), not a
//   chunked or an inflated body.
//
//   EmuHttpServer server({.threads = 8, .max_threads = 256, .header_timeout_ms = 10000});
//   server.Post(".*", [](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& r) {
//     std::string body;
//     if (read_body(req, r, 64 * 1024, body) == BodyRead::kTooLarge) { ...413...; close_after_response(); }
//   });
#pragma once

#include <httplib.h>

#include <cstddef>
#include <string>

namespace crmsync::emulator {

struct TransportLimits {
  int threads = 8;
  int max_threads = 256;
  int header_timeout_ms = 10000;
};

class EmuHttpServer : public httplib::Server {
 public:
  explicit EmuHttpServer(TransportLimits limits);

  // cpp-httplib listens with a backlog of 5: a burst of connections overflowed it, and each
  // connection past it waited a second for its handshake to be tried again. Call after binding.
  void widen_listen_backlog();

 private:
  bool process_and_close_socket(socket_t sock) override;

  TransportLimits limits_;
};

// The HTTP request line and headers Salesforce accepts at most (its REST limit on URI + headers).
inline constexpr std::size_t kMaxRequestHeadBytes = 16384;

enum class BodyRead { kOk, kTooLarge, kFailed };

// Reads the request's body into `out`, inflated when it was sent gzip or deflate encoded, stopping
// at `max_bytes` (kTooLarge; a Content-Length over it is refused before a byte is read). kFailed:
// the client went away, the body was cut off or its encoding is corrupt. Multipart bodies are
// counted against the bound but not kept (no route reads them). After kTooLarge or kFailed the
// rest of the body is still on the connection: answer and call close_after_response().
BodyRead read_body(const httplib::Request& req, const httplib::ContentReader& reader, std::size_t max_bytes,
                   std::string& out);

// Closes the connection once the current response is written (called from a route, on the
// connection's own thread).
void close_after_response();

}  // namespace crmsync::emulator
