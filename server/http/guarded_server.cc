// The dashboard's connection loop with head-size and whole-request deadlines; see guarded_server.h.
#include "server/http/guarded_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::http {
namespace {

// Slice of the keep-alive wait, so a stopping server is noticed soon.
constexpr int kKeepAliveSliceMs = 100;
// Bytes read from the socket at a time.
constexpr size_t kReadBufferBytes = 4096;
// Most a closing connection reads and discards (see LingeringClose).
constexpr size_t kLingerBytes = 1 << 20;

int ToPollMs(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d) + 1, 1 << 30));
}

// poll() for `events` on `sock`, retrying on EINTR. True when ready, or when the socket has an
// error or hang-up to report (the next recv/send then says which).
bool WaitFor(socket_t sock, short events, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (true) {
    pollfd p{sock, events, 0};
    const int n = ::poll(&p, 1, ToPollMs(end - absl::Now()));
    if (n > 0) return (p.revents & POLLNVAL) == 0;
    if (n == 0 || errno != EINTR) return false;
  }
}

void AddressOf(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST] = "";
  char serv[NI_MAXSERV] = "";
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), serv,
                  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

// One connection's socket as httplib sees it, counting the bytes of each request head and
// refusing reads past the head limit or the request's deadline.
class GuardedStream final : public httplib::Stream {
 public:
  enum class Refusal { kNone, kHeadTooLarge, kBodyTooLarge, kTooSlow };

  GuardedStream(socket_t sock, const HttpLimits& limits) : sock_(sock), limits_(limits) {}

  // A new request starts (its first byte is readable): new deadline, new head budget.
  void BeginRequest() {
    deadline_ = absl::Now() + limits_.request_timeout;
    head_bytes_ = 0;
    body_bytes_ = 0;
    in_head_ = true;
    line_end_ = 0;
  }
  Refusal refusal() const { return refusal_; }
  // True when a byte is buffered or arrives within `wait`.
  bool Pending(absl::Duration wait) const { return buffered() > 0 || WaitFor(sock_, POLLIN, wait); }

  bool is_readable() const override {
    return buffered() > 0 || (refusal_ == Refusal::kNone && WaitFor(sock_, POLLIN, ReadWait()));
  }
  bool is_writable() const override {
    return refusal_ == Refusal::kNone && WaitFor(sock_, POLLOUT, limits_.io_timeout);
  }

  ssize_t read(char* ptr, size_t size) override {
    if (refusal_ != Refusal::kNone) return -1;
    if (buffered() == 0) {
      if (absl::Now() >= deadline_) {
        refusal_ = Refusal::kTooSlow;
        return -1;
      }
      if (!WaitFor(sock_, POLLIN, ReadWait())) {
        if (absl::Now() >= deadline_) refusal_ = Refusal::kTooSlow;
        return -1;
      }
      ssize_t n;
      do {
        n = ::recv(sock_, buffer_, sizeof(buffer_), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, buffered());
    if (in_head_) {
      n = CountHead(n);
    } else if ((body_bytes_ += n) > limits_.max_body_bytes) {
      // httplib bounds a body with Content-Length, but reads chunked bodies and bodies without a
      // length to the end: counted here as sent (chunk framing included).
      refusal_ = Refusal::kBodyTooLarge;
    }
    if (refusal_ != Refusal::kNone) return -1;
    std::memcpy(ptr, buffer_ + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      AddressOf(addr, len, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      AddressOf(addr, len, ip, port);
    }
  }
  socket_t socket() const override { return sock_; }

 private:
  size_t buffered() const { return end_ - begin_; }
  absl::Duration ReadWait() const { return std::min(limits_.io_timeout, deadline_ - absl::Now()); }

  // Of the next `n` buffered bytes, how many belong to the head (all, or up to its blank line);
  // marks the refusal when the head outgrows its limit.
  size_t CountHead(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const char c = buffer_[begin_ + i];
      // line_end_ counts the "\r\n\r\n" seen so far: 0..4.
      if (c == '\r') {
        line_end_ = (line_end_ == 2) ? 3 : 1;
      } else if (c == '\n' && (line_end_ == 1 || line_end_ == 3)) {
        ++line_end_;
      } else {
        line_end_ = 0;
      }
      if (++head_bytes_ > limits_.max_head_bytes) {
        refusal_ = Refusal::kHeadTooLarge;
        return 0;
      }
      if (line_end_ == 4) {
        in_head_ = false;
        return i + 1;
      }
    }
    return n;
  }

  const socket_t sock_;
  const HttpLimits& limits_;
  char buffer_[kReadBufferBytes];
  size_t begin_ = 0;
  size_t end_ = 0;
  absl::Time deadline_ = absl::InfiniteFuture();
  size_t head_bytes_ = 0;
  size_t body_bytes_ = 0;
  bool in_head_ = true;
  int line_end_ = 0;
  Refusal refusal_ = Refusal::kNone;
};

// The whole reply to a refused request, written directly (httplib's own reply is suppressed).
void SendRefusal(GuardedStream& strm, socket_t sock, GuardedStream::Refusal refusal,
                 const HttpLimits& limits) {
  int status = 408;
  const char* line = "408 Request Timeout";
  const char* reason = "client too slow";
  std::string body = absl::StrCat("request not received within ",
                                  absl::FormatDuration(limits.request_timeout), "\n");
  if (refusal == GuardedStream::Refusal::kHeadTooLarge) {
    status = 431;
    line = "431 Request Header Fields Too Large";
    reason = "headers too large";
    body = absl::StrCat("request headers larger than ", limits.max_head_bytes, " bytes\n");
  } else if (refusal == GuardedStream::Refusal::kBodyTooLarge) {
    status = 413;
    line = "413 Payload Too Large";
    reason = "body too large";
    body = absl::StrCat("request body larger than ", limits.max_body_bytes, " bytes\n");
  }
  const std::string reply = absl::StrCat(
      "HTTP/1.1 ", line,
      "\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ",
      body.size(), "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n", body);
  std::string ip;
  int port = 0;
  strm.get_remote_ip_and_port(ip, port);
  spdlog::warn("http request refused status={} reason=\"{}\" remote={}", status, reason, ip);
  if (WaitFor(sock, POLLOUT, limits.io_timeout)) {
    (void)::send(sock, reply.data(), reply.size(), MSG_NOSIGNAL);
  }
}

// Closes after the reply has a chance to arrive: shutting down our side first and reading what
// the client still sends (for up to `linger`, at most kLingerBytes) keeps the kernel from answering
// unread input with a reset that would discard the reply (a refused client is usually mid-send).
void LingeringClose(socket_t sock, absl::Duration linger) {
  ::shutdown(sock, SHUT_WR);
  const absl::Time end = absl::Now() + linger;
  char sink[kReadBufferBytes];
  for (size_t drained = 0; drained < kLingerBytes && WaitFor(sock, POLLIN, end - absl::Now());) {
    const ssize_t n = ::recv(sock, sink, sizeof(sink), 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  ::close(sock);
}

}  // namespace

GuardedServer::GuardedServer(HttpLimits limits) : limits_(limits) {
  set_payload_max_length(limits_.max_body_bytes);
  // Not used for I/O here (GuardedStream does its own), but httplib announces them in the
  // Keep-Alive reply header.
  set_keep_alive_timeout(std::max<time_t>(1, absl::ToInt64Seconds(limits_.keep_alive_timeout)));
  set_keep_alive_max_count(limits_.keep_alive_max_requests);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  GuardedStream strm(sock, limits_);
  bool ok = false;
  bool refused = false;
  for (size_t left = limits_.keep_alive_max_requests; left > 0; --left) {
    // Keep-alive: wait for the next request's first byte, in slices to notice a stopping server.
    bool arrived = false;
    for (const absl::Time end = absl::Now() + limits_.keep_alive_timeout;
         !arrived && svr_sock_ != INVALID_SOCKET && absl::Now() < end;) {
      arrived = strm.Pending(absl::Milliseconds(kKeepAliveSliceMs));
    }
    if (!arrived) break;
    strm.BeginRequest();
    bool closed = false;
    ok = process_request(strm, /*close_connection=*/left == 1, closed, nullptr);
    if (strm.refusal() != GuardedStream::Refusal::kNone) {
      SendRefusal(strm, sock, strm.refusal(), limits_);
      ok = false;
      refused = true;
      break;
    }
    if (!ok || closed) break;
  }
  if (refused) {
    LingeringClose(sock, limits_.io_timeout);
  } else {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  return ok;
}

}  // namespace mkvfleet::http
