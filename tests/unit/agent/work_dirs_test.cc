// Per-job work folders: creation, the last-held marker across restarts, leftover cleanup.
#include "agent/work_dirs.h"

#include <catch2/catch.hpp>

#include <cctype>
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

TEST_CASE("the instance id survives restarts, differs per work dir and per boot") {
  const std::string base = testing::MakeTempDir("instance id");
  std::ofstream(base + "/boot1") << "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n";
  std::ofstream(base + "/boot2") << "11111111-2222-3333-4444-555555555555\n";
  WorkDirs one(base + "/one");
  REQUIRE(one.Prepare().ok());
  auto first = one.InstanceId(base + "/boot1");
  REQUIRE(first.ok());
  CHECK(first->size() <= 128);
  CHECK(first->find("0f1e2d3c4b5a69788796a5b4c3d2e1f0") != std::string::npos);
  // A restarted agent (a new WorkDirs on the same folder) sends the same id.
  auto again = WorkDirs(base + "/one").InstanceId(base + "/boot1");
  REQUIRE(again.ok());
  CHECK(*again == *first);
  // Another installation, or a copy of this one on another machine (a cloned VM), does not.
  WorkDirs two(base + "/two");
  REQUIRE(two.Prepare().ok());
  CHECK(*two.InstanceId(base + "/boot1") != *first);
  CHECK(*one.InstanceId(base + "/boot2") != *first);
  // Without a boot id, the stored token alone.
  auto no_boot = one.InstanceId(base + "/missing");
  REQUIRE(no_boot.ok());
  CHECK(first->rfind(*no_boot + "-", 0) == 0);
  for (char c : *first) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-'));
}

}  // namespace
}  // namespace mkvfleet::agent
