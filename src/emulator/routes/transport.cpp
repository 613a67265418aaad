#include "emulator/routes/transport.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/routes/routes.h"

namespace crmsync::emulator {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Waits are cut into steps this long so that stop() is never held up by a quiet connection.
constexpr milliseconds kStep{100};

thread_local bool t_close_after_response = false;

milliseconds to_ms(time_t sec, time_t usec) { return milliseconds(sec * 1000 + usec / 1000); }

// Polls `sock` for `events` for up to `wait`, in steps, while the server runs. >0 ready, 0 timed
// out, <0 error or the server stopped.
int poll_for(socket_t sock, short events, milliseconds wait, const std::atomic<socket_t>& server_sock) {
  const auto until = Clock::now() + wait;
  for (;;) {
    if (server_sock == INVALID_SOCKET) return -1;
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{sock, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min(left, kStep).count()));
    if (r > 0) return 1;
    if (r < 0 && errno != EINTR) return -1;
  }
}

void ip_and_port(socket_t sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* a = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(sock, a, &len) : getsockname(sock, a, &len)) != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

// One connection's socket as cpp-httplib's Stream, with a deadline on each request's line and
// headers (their "head"): reads fail once it passes, or once the head outgrows
// kMaxRequestHeadBytes, after the stream has answered 408, 414 or 431 itself. Reads are buffered
// (cpp-httplib reads the head a byte at a time).
class DeadlineStream final : public httplib::Stream {
 public:
  struct Timeouts {
    milliseconds read, write, head;
  };
  DeadlineStream(socket_t sock, const std::atomic<socket_t>& server_sock, Timeouts t)
      : sock_(sock), server_sock_(server_sock), t_(t) {}

  // Waits for the next request's first byte (up to `idle`); its head's deadline starts then.
  bool begin_request(milliseconds idle) {
    if (failed_) return false;
    if (off_ == len_ && poll_for(sock_, POLLIN, idle, server_sock_) <= 0) return false;
    in_head_ = true;
    head_bytes_ = 0;
    matched_ = 0;
    line_done_ = false;
    deadline_ = Clock::now() + t_.head;
    return true;
  }
  bool failed() const { return failed_; }

  bool is_readable() const override {
    return !failed_ && (off_ < len_ || poll_for(sock_, POLLIN, t_.read, server_sock_) > 0);
  }
  bool is_writable() const override { return !failed_ && poll_for(sock_, POLLOUT, t_.write, server_sock_) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (failed_ || (off_ == len_ && !fill())) return -1;
    const std::size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buf_ + off_, n);
    off_ += n;
    if (in_head_ && !scan_head(ptr, n)) return -1;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (failed_ || poll_for(sock_, POLLOUT, t_.write, server_sock_) <= 0) return -1;
    return ::send(sock_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip_and_port(sock_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { ip_and_port(sock_, false, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  bool fill() {
    for (;;) {
      auto wait = t_.read;
      if (in_head_) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
        if (left.count() <= 0) {
          refuse(408, "Request Timeout", "REQUEST_TIMEOUT",
                 "The request line and headers did not arrive within " + std::to_string(t_.head.count()) +
                     " ms of the request's first byte.");
          return false;
        }
        wait = std::min(wait, left);
      }
      const int ready = poll_for(sock_, POLLIN, wait, server_sock_);
      if (ready == 0 && in_head_) continue;  // the deadline's turn
      if (ready <= 0) return false;
      const ssize_t n = ::recv(sock_, buf_, sizeof buf_, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off_ = 0;
      len_ = static_cast<std::size_t>(n);
      return true;
    }
  }

  // Follows the head through the bytes just read, up to the blank line that ends it.
  bool scan_head(const char* p, std::size_t n) {
    static constexpr char kEnd[] = "\r\n\r\n";
    for (std::size_t i = 0; i < n && in_head_; ++i) {
      matched_ = p[i] == kEnd[matched_] ? matched_ + 1 : (p[i] == '\r' ? 1 : 0);
      line_done_ = line_done_ || matched_ == 2;
      if (++head_bytes_ > kMaxRequestHeadBytes) {
        if (line_done_) {
          refuse(431, "Request Header Fields Too Large", "REQUEST_HEADER_FIELDS_TOO_LARGE",
                 "The request line and headers hold more than " + std::to_string(kMaxRequestHeadBytes) + " bytes.");
        } else {
          refuse(414, "URI Too Long", "URI_TOO_LONG",
                 "The request line holds more than " + std::to_string(kMaxRequestHeadBytes) + " bytes.");
        }
        return false;
      }
      if (matched_ == 4) in_head_ = false;
    }
    return true;
  }

  // Answers the request itself and fails every later read and write (what cpp-httplib then tries
  // to answer is dropped); the connection closes.
  void refuse(int status, const char* reason, const char* code, const std::string& message) {
    const std::string body = error_body(code, message);
    const std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                             "\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < text.size()) {
      const ssize_t n = write(text.data() + sent, text.size() - sent);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    failed_ = true;
  }

  socket_t sock_;
  const std::atomic<socket_t>& server_sock_;
  Timeouts t_;
  char buf_[4096];
  std::size_t off_ = 0, len_ = 0;
  bool failed_ = false;
  bool in_head_ = false;
  bool line_done_ = false;
  int matched_ = 0;  // bytes of "\r\n\r\n" just read
  std::size_t head_bytes_ = 0;
  Clock::time_point deadline_;
};

// After a refusal the client may still be sending the body we did not read: closing now would
// reset the connection and could destroy our answer before the client reads it. So stop writing,
// then read and drop what comes for a short while, as web servers do (a "lingering close").
void linger_and_close(socket_t sock, const std::atomic<socket_t>& server_sock) {
  ::shutdown(sock, SHUT_WR);
  char scratch[16384];
  std::size_t drained = 0;
  const auto until = Clock::now() + milliseconds(1000);
  while (drained < (8u << 20) && Clock::now() < until) {
    if (poll_for(sock, POLLIN, std::chrono::duration_cast<milliseconds>(until - Clock::now()), server_sock) <= 0) break;
    const ssize_t n = ::recv(sock, scratch, sizeof scratch, 0);
    if (n <= 0) break;
    drained += static_cast<std::size_t>(n);
  }
  ::close(sock);
}

// cpp-httplib's ThreadPool has a fixed number of threads, each serving one connection at a time:
// a few slow clients held every thread and stalled everyone else. This one starts a thread
// whenever a connection would otherwise wait, up to `max`.
class ElasticThreadPool final : public httplib::TaskQueue {
 public:
  ElasticThreadPool(std::size_t initial, std::size_t max) : max_(std::max(initial, max)) {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < initial; ++i) start_thread();
  }
  ~ElasticThreadPool() override = default;

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(fn));
      if (jobs_.size() > idle_ && threads_.size() < max_) start_thread();
    }
    cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    // enqueue() runs on the listening thread, which is the one calling shutdown(): no thread is
    // added while these are joined.
    for (auto& t : threads_) t.join();
  }

 private:
  void start_thread() { threads_.emplace_back([this] { work(); }); }

  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        ++idle_;
        cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        --idle_;
        if (jobs_.empty()) return;  // shutting down, nothing left
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  const std::size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace

EmuHttpServer::EmuHttpServer(TransportLimits limits) : limits_(limits) {
  const auto initial = static_cast<std::size_t>(std::max(1, limits_.threads));
  const auto max = static_cast<std::size_t>(std::max(limits_.threads, limits_.max_threads));
  new_task_queue = [initial, max] { return new ElasticThreadPool(initial, max); };
}

void EmuHttpServer::widen_listen_backlog() {
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, SOMAXCONN);
}

bool EmuHttpServer::process_and_close_socket(socket_t sock) {
  DeadlineStream strm(sock, svr_sock_,
                      {to_ms(read_timeout_sec_, read_timeout_usec_), to_ms(write_timeout_sec_, write_timeout_usec_),
                       milliseconds(limits_.header_timeout_ms)});
  const milliseconds idle(keep_alive_timeout_sec_ * 1000);
  bool ret = true;
  bool refused = false;
  for (std::size_t left = keep_alive_max_count_; left > 0 && strm.begin_request(idle); --left) {
    t_close_after_response = false;
    bool connection_closed = false;
    ret = process_request(strm, /*close_connection=*/left == 1, connection_closed, nullptr);
    refused = strm.failed() || t_close_after_response;
    if (!ret || connection_closed || refused) break;
  }
  if (!ret || refused) {
    linger_and_close(sock, svr_sock_);
  } else {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  return ret;
}

BodyRead read_body(const httplib::Request& req, const httplib::ContentReader& reader, std::size_t max_bytes,
                   std::string& out) {
  // Declared too long: refused before a byte is read (the lingering close takes what follows).
  if (req.has_header("Content-Length") && req.get_header_value<std::uint64_t>("Content-Length") > max_bytes) {
    return BodyRead::kTooLarge;
  }
  bool too_large = false;
  std::size_t seen = 0;
  auto count = [&](std::size_t n) {
    seen += n;
    too_large = seen > max_bytes;
    return !too_large;
  };
  bool ok = false;
  if (req.is_multipart_form_data()) {
    ok = reader([](const httplib::MultipartFormData&) { return true; },
                [&](const char*, std::size_t n) { return count(n); });
  } else {
    ok = reader([&](const char* data, std::size_t n) {
      if (!count(n)) return false;
      out.append(data, n);
      return true;
    });
  }
  if (too_large) return BodyRead::kTooLarge;
  return ok ? BodyRead::kOk : BodyRead::kFailed;
}

void close_after_response() { t_close_after_response = true; }

}  // namespace crmsync::emulator
