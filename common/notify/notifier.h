// Readiness, status and watchdog notifications to systemd (sd_notify), so the units can be
// Type=notify with WatchdogSec=. Everything is a no-op when the daemon was not started by systemd
// (NOTIFY_SOCKET unset), so the same binary runs by hand, in tests and under systemd.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mkvfleet::notify {

// Sends sd_notify messages. Cheap to copy; thread-safe (each call is one datagram).
class Notifier {
 public:
  // Reads the environment: NOTIFY_SOCKET decides whether messages are sent, WATCHDOG_USEC (and
  // WATCHDOG_PID, when set, must be this process) decides the watchdog interval.
  static Notifier FromEnvironment();

  // True when NOTIFY_SOCKET is set; when false every call below returns OK and sends nothing.
  bool enabled() const { return enabled_; }

  // How often WATCHDOG=1 must be sent: half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
  // recommends. absl::ZeroDuration() when systemd asked for no watchdog.
  absl::Duration watchdog_interval() const { return watchdog_interval_; }

  // READY=1: the daemon serves (coordinator) or is registered (agent).
  absl::Status Ready() const;
  // STATUS=<text>: one human line shown by `systemctl status`. Newlines become spaces.
  absl::Status Status(std::string_view text) const;
  // WATCHDOG=1: the daemon is alive and making progress.
  absl::Status WatchdogPing() const;
  // STOPPING=1: the daemon received SIGTERM and is shutting down cleanly.
  absl::Status Stopping() const;

  // Sends a raw sd_notify state string (e.g. "RELOADING=1"). Error when sd_notify fails.
  absl::Status Send(std::string_view state) const;

 private:
  Notifier(bool enabled, absl::Duration watchdog_interval)
      : enabled_(enabled), watchdog_interval_(watchdog_interval) {}

  bool enabled_;
  absl::Duration watchdog_interval_;
};

// The watchdog interval systemd asks for, given WATCHDOG_USEC's value: half of it, or zero when
// the value is absent, malformed or zero. Pure; exposed for tests.
absl::Duration WatchdogIntervalFromUsec(std::string_view watchdog_usec);

// Sends WATCHDOG=1 every notifier.watchdog_interval() on a background thread, but only while
// `healthy()` returns true, so a daemon whose main loop is stuck gets restarted by systemd.
// Does nothing (no thread) when the interval is zero. Stops and joins in the destructor.
class WatchdogPinger {
 public:
  WatchdogPinger(Notifier notifier, std::function<bool()> healthy);
  ~WatchdogPinger();
  WatchdogPinger(const WatchdogPinger&) = delete;
  WatchdogPinger& operator=(const WatchdogPinger&) = delete;

  // One round of the loop: pings when healthy() is true. Returns whether it pinged.
  bool PingOnce();

 private:
  void Run();

  const Notifier notifier_;
  const std::function<bool()> healthy_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mkvfleet::notify
