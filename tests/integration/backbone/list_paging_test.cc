// `mkvctl list` over more jobs than one ListJobs page holds (the coordinator caps pages at 1000):
// every job listed exactly once in id order, `--limit` across a page boundary, filters kept
// from page to page. Real coordinator and mkvctl processes, no agents.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "tests/integration/backbone/fleet_harness.h"

namespace mkvfleet::testing {
namespace {

std::vector<int64_t> Ids(const nlohmann::json& jobs) {
  std::vector<int64_t> ids;
  for (const auto& j : jobs) ids.push_back(j["id"].get<int64_t>());
  return ids;
}

TEST_CASE("mkvctl list pages through more jobs than one reply holds") {
  Fleet fleet({});
  fleet.StartCoordinator();
  std::vector<int64_t> created = fleet.Enqueue(fleet.MakeFiles("page", 2100));
  REQUIRE(created.size() == 2100);
  std::sort(created.begin(), created.end());

  CHECK(Ids(fleet.List()) == created);

  CtlResult limited = fleet.Ctl({"--json", "list", "--limit", "1500"});
  REQUIRE(limited.exit_code == 0);
  CHECK(Ids(limited.Json()) == std::vector<int64_t>(created.begin(), created.begin() + 1500));

  CtlResult cancelled = fleet.Ctl({"--json", "cancel", std::to_string(created[1800])});
  REQUIRE(cancelled.exit_code == 0);
  CtlResult pending = fleet.Ctl({"--json", "list", "--state", "pending"});
  REQUIRE(pending.exit_code == 0);
  const std::vector<int64_t> pending_ids = Ids(pending.Json());
  CHECK(pending_ids.size() == 2099);
  CHECK(std::set<int64_t>(pending_ids.begin(), pending_ids.end()).count(created[1800]) == 0);
  CtlResult by_path = fleet.Ctl({"--json", "list", "--path-contains", "page1999.mkv"});
  REQUIRE(by_path.exit_code == 0);
  CHECK(by_path.Json().size() == 1);
}

}  // namespace
}  // namespace mkvfleet::testing
