// copy_source's copy into the work dir (copied once, reused while intact, refused without space,
// the source only read), the readable-source check, and the plan's per-step disk estimates.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/media/output_steps.h"
#include "agent/media/probe_plan_steps.h"
#include "agent/media/step_support.h"
#include "catch2/catch.hpp"
#include "tests/test_paths.h"

namespace mkvfleet::agent::media {
namespace {

namespace fs = std::filesystem;

FreeSpaceFn Free(int64_t bytes) {
  return [bytes](const std::string&) -> absl::StatusOr<int64_t> { return bytes; };
}

TEST_CASE("the source is copied once into the work dir and reused while intact") {
  const std::string dir = testing::MakeTempDir("source copy");
  const std::string src = dir + "/lib/film ü.mkv";
  const std::string work = dir + "/work";
  fs::create_directories(dir + "/lib");
  fs::create_directories(work);
  std::string bytes(5 << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
  std::ofstream(src, std::ios::binary) << bytes;
  const auto src_time = fs::last_write_time(src);

  absl::StatusOr<SourceCopy> c = CopySourceToWorkDir(src, work, Free(1LL << 40), 0, nullptr);
  REQUIRE(c.ok());
  CHECK(c->path == work + "/source.mkv");
  CHECK_FALSE(c->reused);
  CHECK(c->bytes == static_cast<int64_t>(bytes.size()));
  CHECK(testing::ReadFileOrFail(c->path) == bytes);
  CHECK(fs::last_write_time(c->path) == src_time);
  CHECK_FALSE(fs::exists(c->path + ".part"));
  CHECK(testing::ReadFileOrFail(src) == bytes);  // only read
  CHECK(fs::last_write_time(src) == src_time);

  SECTION("an intact copy is not copied again, even with no space left") {
    absl::StatusOr<SourceCopy> again = CopySourceToWorkDir(src, work, Free(0), 0, nullptr);
    REQUIRE(again.ok());
    CHECK(again->reused);
  }
  SECTION("a copy of another size or time is made again") {
    std::ofstream(c->path, std::ios::binary | std::ios::trunc) << "damaged";
    absl::StatusOr<SourceCopy> again = CopySourceToWorkDir(src, work, Free(1LL << 40), 0, nullptr);
    REQUIRE(again.ok());
    CHECK_FALSE(again->reused);
    CHECK(testing::ReadFileOrFail(c->path) == bytes);
  }
}

TEST_CASE("no copy without room: the refusal names the folder and the numbers") {
  const std::string dir = testing::MakeTempDir("source copy");
  std::ofstream(dir + "/a.mkv") << std::string(1000, 'x');
  fs::create_directories(dir + "/work");
  absl::StatusOr<SourceCopy> c = CopySourceToWorkDir(dir + "/a.mkv", dir + "/work", Free(500),
                                                     64, nullptr);
  REQUIRE_FALSE(c.ok());
  CHECK(absl::IsResourceExhausted(c.status()));
  const std::string m(c.status().message());
  INFO(m);
  CHECK(absl::StrContains(m, dir + "/work"));
  CHECK(absl::StrContains(m, "500 bytes free, 1064 bytes needed"));
  CHECK_FALSE(fs::exists(dir + "/work/a.mkv"));
  CHECK_FALSE(fs::exists(dir + "/work/source.mkv"));
}

TEST_CASE("a cancelled copy leaves nothing behind") {
  const std::string dir = testing::MakeTempDir("source copy");
  std::ofstream(dir + "/a.mkv") << "abc";
  std::atomic<bool> cancel{true};
  absl::StatusOr<SourceCopy> c = CopySourceToWorkDir(dir + "/a.mkv", dir, Free(1 << 30), 0, &cancel);
  CHECK(absl::IsCancelled(c.status()));
  CHECK_FALSE(fs::exists(dir + "/source.mkv.part"));
  CHECK_FALSE(fs::exists(dir + "/source.mkv"));
}

TEST_CASE("a missing or unusable source is named with what is wrong") {
  const std::string dir = testing::MakeTempDir("source copy");
  absl::Status gone = CheckSourceReadable(dir + "/gone.mkv");
  CHECK(absl::IsNotFound(gone));
  CHECK(absl::StrContains(gone.message(), dir + "/gone.mkv does not exist"));
  CHECK(absl::IsNotFound(
      CopySourceToWorkDir(dir + "/gone.mkv", dir, Free(1 << 30), 0, nullptr).status()));
  absl::Status folder = CheckSourceReadable(dir);
  CHECK(absl::IsFailedPrecondition(folder));
  CHECK(absl::StrContains(folder.message(), "not a regular file"));
  if (::geteuid() != 0) {  // root reads anything
    std::ofstream(dir + "/locked.mkv") << "x";
    fs::permissions(dir + "/locked.mkv", fs::perms::none);
    absl::Status locked = CheckSourceReadable(dir + "/locked.mkv");
    CHECK(absl::IsFailedPrecondition(locked));
    CHECK(absl::StrContains(locked.message(), "Permission denied"));
  }
}

TEST_CASE("the plan declares what each later step writes where, from the source's size") {
  MediaInfo src;
  src.size_bytes = 1000000;
  src.frame_count = 48;
  const int64_t out = 1000000 + kFreeSpaceMargin;
  auto convert = DiskNeedsFor("dv-convert", src, "/out/Films/a.mkv", "/lib/a.mkv", {});
  CHECK(convert == std::map<std::string, std::string>{
                       {"mux", absl::StrCat(out, " /out/Films")}, {"publish", "0 /out/Films"}});
  auto reencode = DiskNeedsFor("dv-reencode", src, "/out/Films/a.mkv", "/lib/a.mkv", {});
  CHECK(reencode["rpu"] == absl::StrCat(48 * 1024 + kFreeSpaceMargin));  // the work dir
  CHECK(reencode["encode"] == absl::StrCat(out, " /out/Films"));
  auto standard = DiskNeedsFor("standard", src, "/out/Films/a.mkv", "/lib/a.mkv", {});
  CHECK_FALSE(standard.contains("rpu"));
  CHECK(standard.contains("encode"));
  PublishPolicy replace;
  replace.replace = true;
  replace.backup_dir = "/proc/backup";  // another filesystem than /tmp
  const std::string dir = testing::MakeTempDir("source copy");
  auto moved = DiskNeedsFor("dv-convert", src, "/out/a.mkv", dir + "/a.mkv", replace);
  CHECK(moved["publish"] == absl::StrCat(out, " /proc/backup"));
}

}  // namespace
}  // namespace mkvfleet::agent::media
