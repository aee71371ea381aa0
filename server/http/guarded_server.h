// httplib::Server with the limits cpp-httplib 0.11 lacks against hostile or broken clients, for
// the dashboard. httplib times out each socket read on its own, but a client that sends a byte
// every few seconds kept a worker thread for as long as it liked (24 such connections and the
// dashboard answered nobody), and it accepted any number of header lines. Here:
//   - the request head (request line and headers) is at most max_head_bytes: 431, then closed;
//   - a request (head and body) must arrive whole within request_timeout of its first byte:
//     408, then closed;
//   - a body longer than max_body_bytes is refused with 413: by httplib before it is read when
//     it has a Content-Length, here once that much has arrived when it is chunked or unsized
//     (httplib read those to the end, in memory);
//   - every socket read or write waits at most io_timeout; an idle keep-alive connection is
//     closed after keep_alive_timeout, and after keep_alive_max_requests requests.
// Everything else (routing, handlers, default headers) is httplib's.
#pragma once

#include <cstddef>

#include "absl/time/time.h"
#include "httplib.h"

namespace mkvfleet::http {

// Request line plus headers. Browsers send 1-2 KiB (a few more with many cookies).
inline constexpr size_t kMaxRequestHeadBytes = 32 * 1024;
// Request bodies (JSON actions; an enqueue of several thousand paths fits).
inline constexpr size_t kMaxRequestBodyBytes = 1 << 20;
// A whole request must arrive within this from its first byte.
inline constexpr absl::Duration kRequestReadTimeout = absl::Seconds(15);
// Longest wait for one socket read or write (a browser that stops reading an event stream).
inline constexpr absl::Duration kSocketIoTimeout = absl::Seconds(10);
// An idle keep-alive connection is closed after this.
inline constexpr absl::Duration kKeepAliveTimeout = absl::Seconds(5);
// Requests served on one connection before it is closed.
inline constexpr size_t kKeepAliveMaxRequests = 100;

struct HttpLimits {
  size_t max_head_bytes = kMaxRequestHeadBytes;
  size_t max_body_bytes = kMaxRequestBodyBytes;
  absl::Duration request_timeout = kRequestReadTimeout;
  absl::Duration io_timeout = kSocketIoTimeout;
  absl::Duration keep_alive_timeout = kKeepAliveTimeout;
  size_t keep_alive_max_requests = kKeepAliveMaxRequests;
};

// Use as httplib::Server (same routes, same listen calls). Thread-safe as httplib::Server is.
class GuardedServer final : public httplib::Server {
 public:
  explicit GuardedServer(HttpLimits limits);

 private:
  // httplib calls this (on a worker thread) for each accepted connection.
  bool process_and_close_socket(socket_t sock) override;

  const HttpLimits limits_;
};

}  // namespace mkvfleet::http
