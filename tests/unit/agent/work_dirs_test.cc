// Per-job work folders: creation, the last-held marker across restarts, leftover cleanup.
#include "agent/work_dirs.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/test_paths.h"

namespace mkvfleet::agent {
namespace {
namespace fs = std::filesystem;

TEST_CASE("job folders are created, remembered across restarts, and leftovers removed") {
  const std::string root = testing::MakeTempDir("work dirs") + "/work ü";
  {
    WorkDirs dirs(root);
    REQUIRE(dirs.Prepare().ok());
    CHECK_FALSE(dirs.LastHeldJob().has_value());
    REQUIRE(dirs.ForJob(7).ok());
    auto d = dirs.ForJob(9);
    REQUIRE(d.ok());
    std::ofstream(fs::path(*d) / "artifact.bin") << "x";
  }
  WorkDirs restarted(root);
  REQUIRE(restarted.Prepare().ok());
  CHECK(restarted.LastHeldJob() == 9);
  CHECK(restarted.RemoveAllExcept(restarted.LastHeldJob()) == 1);
  CHECK_FALSE(fs::exists(root + "/jobs/job-7"));
  CHECK(fs::exists(root + "/jobs/job-9/artifact.bin"));
  restarted.Remove(9);
  CHECK_FALSE(fs::exists(root + "/jobs/job-9"));
  restarted.Remove(9);  // already gone: fine
}

TEST_CASE("an unusable work dir is an error naming it") {
  WorkDirs dirs("/proc/definitely/not/writable");
  absl::Status s = dirs.Prepare();
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("/proc/definitely/not/writable") != std::string::npos);
}

}  // namespace
}  // namespace mkvfleet::agent
