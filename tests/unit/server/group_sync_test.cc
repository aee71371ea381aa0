// GroupSync: one fsync covers every commit made before it started; waiters behind a running sync
// share the next one; a failed sync is reported to every waiter after it.
#include "server/store/group_sync.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"

namespace mkvfleet::server {
namespace {

TEST_CASE("a commit waits for one sync; a durable ticket waits for none") {
  int calls = 0;
  GroupSync sync([&] {
    ++calls;
    return absl::OkStatus();
  });
  const uint64_t first = sync.Committed();
  REQUIRE(sync.WaitDurable(first).ok());
  CHECK(calls == 1);
  REQUIRE(sync.WaitDurable(first).ok());
  CHECK(calls == 1);
  const uint64_t second = sync.Committed();
  CHECK(second == first + 1);
  REQUIRE(sync.WaitDurable(second).ok());
  CHECK(calls == 2);
  CHECK(sync.syncs() == 2);
}

TEST_CASE("commits made while a sync runs share the next sync") {
  absl::Notification leader_in_sync, release_leader;
  std::atomic<int> calls{0};
  GroupSync sync([&] {
    if (calls.fetch_add(1) == 0) {
      leader_in_sync.Notify();
      release_leader.WaitForNotification();
    }
    return absl::OkStatus();
  });
  const uint64_t t0 = sync.Committed();
  std::thread leader([&] { CHECK(sync.WaitDurable(t0).ok()); });
  leader_in_sync.WaitForNotification();
  // Four more commits arrive while the leader's fsync runs; none is covered by it.
  std::vector<std::thread> followers;
  for (int i = 0; i < 4; ++i) {
    const uint64_t t = sync.Committed();
    followers.emplace_back([&sync, t] { CHECK(sync.WaitDurable(t).ok()); });
  }
  release_leader.Notify();
  leader.join();
  for (std::thread& f : followers) f.join();
  // The leader's sync, then one sync for all four (not four).
  CHECK(calls.load() == 2);
  CHECK(sync.syncs() == 2);
}

TEST_CASE("a failed sync fails its waiters and everything after it") {
  bool fail = true;
  GroupSync sync([&] {
    return fail ? absl::DataLossError("fdatasync failed: EIO") : absl::OkStatus();
  });
  const uint64_t t = sync.Committed();
  absl::Status st = sync.WaitDurable(t);
  CHECK(absl::IsDataLoss(st));
  fail = false;
  const uint64_t later = sync.Committed();
  CHECK(absl::IsDataLoss(sync.WaitDurable(later)));
}

}  // namespace
}  // namespace mkvfleet::server
