// sd_notify(3) behind the Notifier contract; see notifier.h.
#include "common/notify/notifier.h"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace mkvfleet::notify {

absl::Duration WatchdogIntervalFromUsec(std::string_view watchdog_usec) {
  uint64_t usec = 0;
  if (!absl::SimpleAtoi(std::string(watchdog_usec), &usec) || usec == 0)
    return absl::ZeroDuration();
  return absl::Microseconds(usec) / 2;
}

Notifier Notifier::FromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  const bool enabled = socket != nullptr && *socket != '\0';
  absl::Duration interval = absl::ZeroDuration();
  // WATCHDOG_PID, when present, names the process the watchdog is meant for.
  const char* pid = std::getenv("WATCHDOG_PID");
  int64_t watchdog_pid = 0;
  const bool for_us = pid == nullptr || (absl::SimpleAtoi(pid, &watchdog_pid) &&
                                         watchdog_pid == static_cast<int64_t>(getpid()));
  if (enabled && for_us) {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec != nullptr) interval = WatchdogIntervalFromUsec(usec);
  }
  return Notifier(enabled, interval);
}

absl::Status Notifier::Send(std::string_view state) const {
  if (!enabled_) return absl::OkStatus();
  const std::string message(state);
  const int r = sd_notify(/*unset_environment=*/0, message.c_str());
  if (r < 0) {
    return absl::UnavailableError(
        absl::StrCat("sd_notify to NOTIFY_SOCKET failed: ", std::strerror(-r)));
  }
  return absl::OkStatus();
}

absl::Status Notifier::Ready() const { return Send("READY=1"); }

absl::Status Notifier::Status(std::string_view text) const {
  return Send(
      absl::StrCat("STATUS=", absl::StrReplaceAll(std::string(text), {{"\n", " "}, {"\r", " "}})));
}

absl::Status Notifier::WatchdogPing() const { return Send("WATCHDOG=1"); }

absl::Status Notifier::Stopping() const { return Send("STOPPING=1"); }

WatchdogPinger::WatchdogPinger(Notifier notifier, std::function<bool()> healthy)
    : notifier_(notifier), healthy_(std::move(healthy)) {
  if (notifier_.watchdog_interval() > absl::ZeroDuration())
    thread_ = std::thread([this] { Run(); });
}

WatchdogPinger::~WatchdogPinger() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool WatchdogPinger::PingOnce() {
  if (healthy_ && !healthy_()) return false;
  return notifier_.WatchdogPing().ok();
}

void WatchdogPinger::Run() {
  absl::MutexLock lock(&mu_);
  while (true) {
    // Wake up early on stop; otherwise once per interval.
    mu_.AwaitWithTimeout(absl::Condition(&stop_), notifier_.watchdog_interval());
    if (stop_) return;
    mu_.Unlock();
    PingOnce();
    mu_.Lock();
  }
}

}  // namespace mkvfleet::notify
