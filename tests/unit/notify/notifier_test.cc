// Notifier and WatchdogPinger against a NOTIFY_SOCKET the test owns.
#include "common/notify/notifier.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "tests/test_paths.h"
#include "tests/unit/notify/notify_listener.h"

namespace mkvfleet::notify {
namespace {

using mkvfleet::testing::NotifyListener;

// Sets or clears the sd_notify variables for one test and restores "unset" afterwards.
struct NotifyEnv {
  NotifyEnv(const std::string& socket, const char* watchdog_usec) {
    setenv("NOTIFY_SOCKET", socket.c_str(), 1);
    if (watchdog_usec) {
      setenv("WATCHDOG_USEC", watchdog_usec, 1);
    } else {
      unsetenv("WATCHDOG_USEC");
    }
    unsetenv("WATCHDOG_PID");
  }
  ~NotifyEnv() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
};

TEST_CASE("watchdog interval is half of WATCHDOG_USEC, zero when absent or malformed") {
  CHECK(WatchdogIntervalFromUsec("30000000") == absl::Seconds(15));
  CHECK(WatchdogIntervalFromUsec("0") == absl::ZeroDuration());
  CHECK(WatchdogIntervalFromUsec("") == absl::ZeroDuration());
  CHECK(WatchdogIntervalFromUsec("abc") == absl::ZeroDuration());
  CHECK(WatchdogIntervalFromUsec("-5") == absl::ZeroDuration());
}

TEST_CASE("without NOTIFY_SOCKET every call is an OK no-op") {
  unsetenv("NOTIFY_SOCKET");
  setenv("WATCHDOG_USEC", "1000000", 1);
  const Notifier n = Notifier::FromEnvironment();
  unsetenv("WATCHDOG_USEC");
  CHECK_FALSE(n.enabled());
  CHECK(n.watchdog_interval() == absl::ZeroDuration());
  CHECK(n.Ready().ok());
  CHECK(n.Status("idle").ok());
  CHECK(n.WatchdogPing().ok());
  CHECK(n.Stopping().ok());
}

TEST_CASE("READY, STATUS, WATCHDOG and STOPPING arrive on the socket in order") {
  NotifyListener listener(mkvfleet::testing::MakeTempDir("notify") + "/notify.sock");
  REQUIRE(listener.ok());
  NotifyEnv env(listener.path(), "20000000");
  const Notifier n = Notifier::FromEnvironment();
  REQUIRE(n.enabled());
  CHECK(n.watchdog_interval() == absl::Seconds(10));

  REQUIRE(n.Ready().ok());
  REQUIRE(n.Status("serving 3 agents\nsecond line").ok());
  REQUIRE(n.WatchdogPing().ok());
  REQUIRE(n.Stopping().ok());
  CHECK(listener.Next() == "READY=1");
  CHECK(listener.Next() == "STATUS=serving 3 agents second line");
  CHECK(listener.Next() == "WATCHDOG=1");
  CHECK(listener.Next() == "STOPPING=1");
}

TEST_CASE("a WATCHDOG_PID naming another process disables the watchdog") {
  NotifyListener listener(mkvfleet::testing::MakeTempDir("notify") + "/notify.sock");
  REQUIRE(listener.ok());
  NotifyEnv env(listener.path(), "20000000");
  setenv("WATCHDOG_PID", "1", 1);
  CHECK(Notifier::FromEnvironment().watchdog_interval() == absl::ZeroDuration());
}

TEST_CASE("a socket that went away is reported as an error") {
  NotifyEnv env(mkvfleet::testing::MakeTempDir("notify") + "/nobody-listens.sock", nullptr);
  const Notifier n = Notifier::FromEnvironment();
  REQUIRE(n.enabled());
  CHECK(absl::IsUnavailable(n.Ready()));
}

TEST_CASE("the pinger sends WATCHDOG=1 on its own thread only while healthy") {
  NotifyListener listener(mkvfleet::testing::MakeTempDir("notify") + "/notify.sock");
  REQUIRE(listener.ok());
  NotifyEnv env(listener.path(), "20000");  // 10 ms pings

  SECTION("healthy: pings keep arriving") {
    WatchdogPinger pinger(Notifier::FromEnvironment(), [] { return true; });
    CHECK(listener.Next() == "WATCHDOG=1");
    CHECK(listener.Next() == "WATCHDOG=1");
  }
  SECTION("unhealthy: PingOnce sends nothing") {
    // An interval of zero keeps the background thread out of the way of this check.
    NotifyEnv no_watchdog(listener.path(), nullptr);
    bool healthy = false;
    WatchdogPinger pinger(Notifier::FromEnvironment(), [&] { return healthy; });
    CHECK_FALSE(pinger.PingOnce());
    CHECK_FALSE(listener.Pending().has_value());
    healthy = true;
    CHECK(pinger.PingOnce());
    CHECK(listener.Next() == "WATCHDOG=1");
  }
}

}  // namespace
}  // namespace mkvfleet::notify
