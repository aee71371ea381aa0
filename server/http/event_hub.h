// Fans the coordinator's live events out to every open dashboard page (server-sent events).
// One backend subscription feeds the hub; each browser connection is a Listener with its own
// bounded queue, so a slow page never slows the coordinator or other pages: when its queue is
// full the page gets a "resync" event instead and reloads its data from the JSON API.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "mkvfleet/v1/admin.pb.h"

namespace mkvfleet::http {

// One SSE message: "event: NAME\ndata: DATA\n\n". DATA must not contain newlines (compact JSON).
std::string FormatSse(absl::string_view event_name, absl::string_view data);
// The SSE message for a coordinator event ("job", "agent" or "log" with its JSON).
std::string EventToSse(const v1::Event& event);

// Events queued per page before it is told to resync.
inline constexpr size_t kListenerQueueCapacity = 512;

class EventHub {
 public:
  // What one page reads. Thread-safe.
  class Listener {
   public:
    // Waits up to `timeout` for queued messages and returns them concatenated ("" on timeout).
    // nullopt once the hub is closed: the stream should end.
    std::optional<std::string> Next(absl::Duration timeout);

   private:
    friend class EventHub;
    void Push(const std::string& message, size_t capacity);
    void Close();

    absl::Mutex mu_;
    std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
    bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
    bool closed_ ABSL_GUARDED_BY(mu_) = false;
  };

  explicit EventHub(size_t capacity = kListenerQueueCapacity) : capacity_(capacity) {}

  // Sends `event` to every listener. Never blocks on a listener.
  void Publish(const v1::Event& event);
  // Sends a raw SSE message to every listener.
  void PublishRaw(const std::string& sse_message);

  // A new listener; it receives what is published from now on. Null after Close().
  std::shared_ptr<Listener> Connect();
  void Disconnect(const std::shared_ptr<Listener>& listener);
  size_t listener_count() const;

  // Ends every stream (Next returns nullopt) and refuses new listeners. Call before stopping
  // the HTTP server, so its worker threads return promptly.
  void Close();

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Listener>> listeners_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mkvfleet::http
