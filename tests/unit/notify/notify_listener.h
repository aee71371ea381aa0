// Test side of the sd_notify protocol: a datagram socket the test owns, named in NOTIFY_SOCKET,
// that collects what a Notifier or a daemon sends. Shared by unit and integration tests.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

namespace mkvfleet::testing {

class NotifyListener {
 public:
  // Binds an AF_UNIX datagram socket at `path` (must not exist, < 108 bytes). ok() says whether it
  // worked. Every receive gives up after `max_wait` so a broken daemon fails the test, not hangs
  // it.
  explicit NotifyListener(std::string path, int max_wait_seconds = 30) : path_(std::move(path)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(addr.sun_path)) return;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
    timeval tv{max_wait_seconds, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    bound_ = true;
  }
  ~NotifyListener() {
    if (fd_ >= 0) close(fd_);
    if (bound_) unlink(path_.c_str());
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  bool ok() const { return bound_; }
  const std::string& path() const { return path_; }

  // The next datagram, or nullopt after the wait limit.
  std::optional<std::string> Next() {
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

  // A datagram already queued, or nullopt right away when there is none.
  std::optional<std::string> Pending() {
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

  // Reads datagrams until one contains `needle` (as a whole line); false after the wait limit.
  bool WaitFor(const std::string& needle) {
    while (auto msg = Next()) {
      if (("\n" + *msg + "\n").find("\n" + needle + "\n") != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

}  // namespace mkvfleet::testing
