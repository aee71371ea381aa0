// Publishing on temp folders: temp name + rename, no overwrite, overwrite on request, replace
// policy with backups, free-space refusal naming folder and numbers.
#include "agent/media/publish.h"

#include <filesystem>
#include <fstream>

#include "catch2/catch.hpp"
#include "tests/test_paths.h"

namespace mkvfleet::agent::media {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string Read(const std::string& path) { return testing::ReadFileOrFail(path); }

TEST_CASE("the part name is hidden, beside the destination, and per job") {
  CHECK(PartPathFor("/out/Movies/A (2020).mkv", 42) == "/out/Movies/.A (2020).mkv.mkvfleet-job42.part");
}

TEST_CASE("publish renames the part to the destination and leaves no part") {
  const std::string dir = testing::MakeTempDir("publish");
  const std::string dest = dir + "/sub/a.DV81.mkv";
  const std::string part = PartPathFor(dest, 1);
  REQUIRE(EnsureParentDir(dest).ok());
  Write(part, "converted");
  REQUIRE(PublishFile(part, dest, {}).ok());
  CHECK(Read(dest) == "converted");
  CHECK_FALSE(fs::exists(part));
}

TEST_CASE("an existing destination is never overwritten unless the policy says so") {
  const std::string dir = testing::MakeTempDir("publish");
  const std::string dest = dir + "/a.DV81.mkv";
  const std::string part = PartPathFor(dest, 1);
  Write(dest, "someone else's file");
  Write(part, "converted");
  CHECK(CheckDestinationFree(dest, {}).code() == absl::StatusCode::kFailedPrecondition);
  absl::Status s = PublishFile(part, dest, {});
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message().find(dest) != std::string::npos);
  CHECK(s.message().find("already exists") != std::string::npos);
  CHECK(Read(dest) == "someone else's file");

  PublishPolicy overwrite;
  overwrite.overwrite = true;
  CHECK(CheckDestinationFree(dest, overwrite).ok());
  REQUIRE(PublishFile(part, dest, overwrite).ok());
  CHECK(Read(dest) == "converted");
}

TEST_CASE("a missing part is NotFound") {
  const std::string dir = testing::MakeTempDir("publish");
  CHECK(PublishFile(dir + "/.x.part", dir + "/x.mkv", {}).code() == absl::StatusCode::kNotFound);
  CHECK_FALSE(fs::exists(dir + "/x.mkv"));
}

TEST_CASE("replace moves the source into the backup folder, never over an existing backup") {
  const std::string dir = testing::MakeTempDir("publish");
  const std::string source = dir + "/lib/a.mkv";
  Write(source, "original");
  absl::StatusOr<std::string> backup = MoveToBackup(source, dir + "/backup");
  REQUIRE(backup.ok());
  CHECK(*backup == dir + "/backup/a.mkv");
  CHECK(Read(*backup) == "original");
  CHECK_FALSE(fs::exists(source));

  Write(source, "second");
  absl::StatusOr<std::string> again = MoveToBackup(source, dir + "/backup");
  CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(Read(source) == "second");  // left in place
  CHECK(Read(dir + "/backup/a.mkv") == "original");
}

TEST_CASE("free space: enough passes; too little names the folder and both numbers") {
  FreeSpaceFn fake = [](const std::string&) -> absl::StatusOr<int64_t> { return 1000; };
  CHECK(CheckFreeSpace(fake, "/out", 999, "the output").ok());
  absl::Status s = CheckFreeSpace(fake, "/out", 5000, "the converted file");
  CHECK(s.code() == absl::StatusCode::kResourceExhausted);
  CHECK(s.message() ==
        "not enough free space in /out for the converted file: 1000 bytes free, 5000 bytes needed");
  const std::string dir = testing::MakeTempDir("publish");
  absl::StatusOr<int64_t> real = RealFreeSpace()(dir + "/not/yet/created");
  REQUIRE(real.ok());
  CHECK(*real > 0);
}

}  // namespace
}  // namespace mkvfleet::agent::media
