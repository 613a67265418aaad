// Fault injection (FaultOptions): which API call fails, how, and the transport-level faults
// (a connection closed without an answer, a body cut mid-way) that a route's answer gets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "emulator/routes/routes.h"

namespace crmsync::emulator {
namespace {

struct KindName {
  const char* name;
  Fault fault;
};
constexpr KindName kKinds[] = {{"500", Fault::k500},   {"503", Fault::k503},   {"limit", Fault::kLimit},
                               {"timeout", Fault::kTimeout}, {"slow", Fault::kSlow}, {"drop", Fault::kDrop},
                               {"truncate", Fault::kTruncate}};

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return -1;
}

// httplib gives handlers no socket, so the connection is found by its two ports and shut down:
// the client then reads end-of-stream without a status line.
void shut_down_connection(int local_port, int remote_port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (port_of(local) == local_port && port_of(peer) == remote_port) {
      shutdown(fd, SHUT_RDWR);
      return;
    }
  }
}

}  // namespace

const std::vector<std::string>& fault_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& k : kKinds) v.emplace_back(k.name);
    return v;
  }();
  return names;
}

Result<std::vector<Fault>> parse_fault_kinds(const std::vector<std::string>& kinds) {
  std::vector<Fault> out;
  for (const std::string& kind : kinds) {
    bool found = false;
    for (const auto& k : kKinds) {
      if (kind == k.name) {
        out.push_back(k.fault);
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (const auto& k : kKinds) known += (known.empty() ? "" : ",") + std::string(k.name);
      return Error(ErrorKind::kConfig, "BAD_FAULT_KIND",
                   "Unknown fault kind '" + kind + "'; --fault-kinds takes a comma-separated list of " + known + ".");
    }
  }
  if (out.empty()) {
    for (const auto& k : kKinds) out.push_back(k.fault);
  }
  return out;
}

FaultInjector::FaultInjector(const FaultOptions& options) : options_(options), state_(options.seed) {
  auto kinds = parse_fault_kinds(options.kinds);
  if (kinds) kinds_ = std::move(*kinds);  // Emulator::start() refuses bad kinds before any call
}

void FaultInjector::set_rate(double rate) {
  std::lock_guard lock(mu_);
  options_.rate = rate;
}

Fault FaultInjector::next(bool is_query) {
  std::lock_guard lock(mu_);
  if (options_.rate <= 0 || kinds_.empty()) return Fault::kNone;
  const double draw = static_cast<double>(splitmix64(state_) >> 11) / static_cast<double>(1ull << 53);
  const Fault kind = kinds_[splitmix64(state_) % kinds_.size()];
  if (draw >= options_.rate) return Fault::kNone;
  if (kind == Fault::kTimeout && !is_query) return Fault::kNone;
  return kind;
}

bool inject_fault(Fault fault, const FaultOptions& options, httplib::Response& res) {
  // Emulator-only header, so a test can tell an injected fault from a real answer.
  for (const auto& k : kKinds) {
    if (k.fault == fault) res.set_header("X-Crmsync-Fault", k.name);
  }
  switch (fault) {
    case Fault::k500:
      send_unknown_exception(res);
      return true;
    case Fault::k503:
      send_error(res, 503, "SERVER_UNAVAILABLE", "Server is temporarily unavailable. Please try again later.");
      return true;
    case Fault::kLimit:
      send_error(res, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
      return true;
    case Fault::kTimeout:
      send_error(res, 400, "QUERY_TIMEOUT", "Your query request was running for too long.");
      return true;
    case Fault::kSlow:
      std::this_thread::sleep_for(std::chrono::milliseconds(options.slow_ms));
      return false;
    case Fault::kNone:
    case Fault::kDrop:
    case Fault::kTruncate:
      return false;
  }
  return false;
}

void apply_transport_fault(Fault fault, const httplib::Request& req, httplib::Response& res) {
  if (fault == Fault::kDrop) {
    shut_down_connection(req.local_port, req.remote_port);
    return;
  }
  if (fault != Fault::kTruncate || res.body.size() < 2) return;
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  const std::string type = res.get_header_value("Content-Type");
  // The declared length is the whole body; half of it is written, then the connection closes.
  res.set_content_provider(body->size(), type, [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
    const std::size_t half = body->size() / 2;
    if (offset >= half) return false;
    sink.write(body->data() + offset, half - offset);
    return true;
  });
}

}  // namespace crmsync::emulator
