// A local HTTP server on 127.0.0.1 standing in for webhook endpoints and media servers in the
// webhook tests: it records every request (and the headers the formats set) and can answer the
// first few webhook POSTs with an error.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "httplib.h"

namespace mkvfleet::ops {

// A local HTTP server recording every request; the first `fail_first` webhook POSTs get 503.
class Receiver {
 public:
  struct Hit {
    std::string method, path, body, query_token, emby_token, jellyfin_token;
    std::string content_type, title, tags;  // what chat formats (ntfy) set
  };
  explicit Receiver(int fail_first = 0, int status_when_failing = 503)
      : fail_left_(fail_first), failing_status_(status_when_failing) {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      hits_.push_back({req.method, req.path, req.body, req.get_param_value("X-Plex-Token"),
                       req.get_header_value("X-Emby-Token"),
                       req.get_header_value("X-MediaBrowser-Token"),
                       req.get_header_value("Content-Type"), req.get_header_value("Title"),
                       req.get_header_value("Tags")});
      if (req.path == "/hook" && fail_left_ > 0) {
        --fail_left_;
        res.status = failing_status_;
        return;
      }
      res.status = 204;
    };
    server_.Post(".*", record);
    server_.Get(".*", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Hit> hits() {
    absl::MutexLock lock(&mu_);
    return hits_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<Hit> hits_;
  int fail_left_;
  int failing_status_;
};

}  // namespace mkvfleet::ops
