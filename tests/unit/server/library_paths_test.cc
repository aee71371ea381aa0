// Source path rules on a real temp folder (symlink escape, "..", non-mkv, missing, directory) and
// enqueue dedup.
#include "server/library/library_paths.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "server/library/dedup.h"
#include "tests/test_paths.h"

namespace mkvfleet::server {
namespace {
namespace fs = std::filesystem;

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("path rules") {
  const fs::path base = testing::MakeTempDir("paths-test");
  const fs::path lib = base / "lib";
  const fs::path outside = base / "outside";
  fs::create_directories(lib / "Movies");
  fs::create_directories(outside);
  std::ofstream(lib / "Movies" / "a.mkv") << "x";
  std::ofstream(lib / "Movies" / "UPPER.MKV") << "xy";
  std::ofstream(lib / "Movies" / "notes.txt") << "x";
  std::ofstream(outside / "b.mkv") << "x";
  fs::create_directories(lib / "dir.mkv");
  fs::create_symlink(outside / "b.mkv", lib / "escape.mkv");
  fs::create_symlink(lib / "Movies" / "a.mkv", lib / "alias.mkv");
  auto roots = CanonicalLibraryRoots({lib.string()});
  REQUIRE(roots.ok());

  SECTION("an mkv under the root is accepted with its facts") {
    auto f = ResolveLibraryFile((lib / "Movies" / "a.mkv").string(), *roots);
    REQUIRE(f.ok());
    CHECK(f->path == (fs::canonical(lib) / "Movies" / "a.mkv").string());
    CHECK(f->library_root == fs::canonical(lib).string());
    CHECK(f->relative_path == "Movies/a.mkv");
    CHECK(f->size_bytes == 1);
    CHECK(f->mtime_ms > 0);
    CHECK(OutputPathFor(*f, "") == (fs::canonical(lib) / "Movies" / "a.DV81.mkv").string());
    CHECK(OutputPathFor(*f, "/out") == "/out/Movies/a.mkv");
  }
  SECTION("a walked file (ResolveWalkedFile) gets the same facts and the same refusals") {
    const std::string root = fs::canonical(lib).string();
    auto walked = ResolveWalkedFile(root + "/Movies/a.mkv", *roots);
    auto resolved = ResolveLibraryFile(root + "/Movies/a.mkv", *roots);
    REQUIRE(walked.ok());
    REQUIRE(resolved.ok());
    CHECK(walked->path == resolved->path);
    CHECK(walked->relative_path == "Movies/a.mkv");
    CHECK(walked->size_bytes == resolved->size_bytes);
    CHECK(walked->mtime_ms == resolved->mtime_ms);
    CHECK(OutputPathFor(*walked, "/out/") == "/out/Movies/a.mkv");
    auto alias = ResolveWalkedFile(root + "/alias.mkv", *roots);  // a symlink: resolved
    REQUIRE(alias.ok());
    CHECK(alias->path == root + "/Movies/a.mkv");
    auto escape = ResolveWalkedFile(root + "/escape.mkv", *roots);
    CHECK(escape.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Msg(escape.status()), Catch::Contains("symlink escape refused"));
    CHECK(ResolveWalkedFile(root + "/Movies/notes.txt", *roots).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(ResolveWalkedFile(root + "/dir.mkv", *roots).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(ResolveWalkedFile(root + "/gone.mkv", *roots).status().code() ==
          absl::StatusCode::kNotFound);
  }
  SECTION("the extension is case-insensitive") {
    CHECK(HasMkvExtension("/l/Film.MkV"));
    CHECK_FALSE(HasMkvExtension("/l/.mkv"));
    CHECK_FALSE(HasMkvExtension("/l/a.mkv/"));
    CHECK_FALSE(HasMkvExtension("/l/a.mkv.txt"));
    CHECK(ResolveLibraryFile((lib / "Movies" / "UPPER.MKV").string(), *roots).ok());
  }
  SECTION("a symlink inside the library resolves to its canonical target") {
    auto f = ResolveLibraryFile((lib / "alias.mkv").string(), *roots);
    REQUIRE(f.ok());
    CHECK(f->relative_path == "Movies/a.mkv");
  }
  SECTION("a symlink escaping the library is refused naming both paths") {
    auto f = ResolveLibraryFile((lib / "escape.mkv").string(), *roots);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Msg(f.status()), Catch::Contains("symlink escape") &&
                                    Catch::Contains((lib / "escape.mkv").string()));
  }
  SECTION("'..' is refused even when it stays inside") {
    auto f = ResolveLibraryFile((lib / "Movies" / ".." / "Movies" / "a.mkv").string(), *roots);
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(Msg(f.status()), Catch::Contains("'..'"));
  }
  SECTION("outside the roots") {
    auto f = ResolveLibraryFile((outside / "b.mkv").string(), *roots);
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(Msg(f.status()), Catch::Contains("outside the library roots"));
  }
  SECTION("not an mkv") {
    auto f = ResolveLibraryFile((lib / "Movies" / "notes.txt").string(), *roots);
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(Msg(f.status()), Catch::Contains("not an .mkv"));
  }
  SECTION("missing file") {
    auto f = ResolveLibraryFile((lib / "Movies" / "gone.mkv").string(), *roots);
    CHECK(f.status().code() == absl::StatusCode::kNotFound);
    CHECK_THAT(Msg(f.status()), Catch::Contains("gone.mkv"));
  }
  SECTION("a directory") {
    auto f = ResolveLibraryFile((lib / "dir.mkv").string(), *roots);
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(Msg(f.status()), Catch::Contains("directory"));
  }
  SECTION("relative and empty paths") {
    CHECK_FALSE(ResolveLibraryFile("Movies/a.mkv", *roots).ok());
    CHECK_FALSE(ResolveLibraryFile("", *roots).ok());
  }
  SECTION("no roots refuses everything") {
    auto f = ResolveLibraryFile((lib / "Movies" / "a.mkv").string(), {});
    REQUIRE_FALSE(f.ok());
    CHECK_THAT(Msg(f.status()), Catch::Contains("no library roots"));
  }
  SECTION("bad roots") {
    CHECK_FALSE(CanonicalLibraryRoots({"relative"}).ok());
    CHECK_FALSE(CanonicalLibraryRoots({(base / "missing").string()}).ok());
    CHECK_FALSE(CanonicalLibraryRoots({(lib / "Movies" / "a.mkv").string()}).ok());
  }
}

TEST_CASE("IsUnder compares whole components") {
  CHECK(IsUnder("/lib/a.mkv", "/lib"));
  CHECK_FALSE(IsUnder("/library/a.mkv", "/lib"));
  CHECK(IsUnder("/x", "/"));
}

TEST_CASE("dedup by path, size and mtime") {
  CHECK(DecideEnqueue(std::nullopt, 10, 20) == DedupDecision::kCreate);
  Job job;
  job.size_bytes = 10;
  job.mtime_ms = 20;
  CHECK(DecideEnqueue(job, 10, 20) == DedupDecision::kDuplicate);
  CHECK(DecideEnqueue(job, 11, 20) == DedupDecision::kRequeue);
  CHECK(DecideEnqueue(job, 10, 21) == DedupDecision::kRequeue);
  job.state = JobState::kCompleted;
  CHECK(DecideEnqueue(job, 10, 20) == DedupDecision::kDuplicate);
  job.state = JobState::kRunning;  // a changed file waits for the job still writing its output
  CHECK(DecideEnqueue(job, 11, 20) == DedupDecision::kWaitForRunning);
  CHECK(DecideEnqueue(job, 10, 20) == DedupDecision::kDuplicate);
}

}  // namespace
}  // namespace mkvfleet::server
