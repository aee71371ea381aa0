// Path translation between the coordinator's library prefix and this agent's mount point.
#include "agent/path_translation.h"

#include <catch2/catch.hpp>

namespace mkvfleet::agent {
namespace {

std::vector<PathMapping> Maps(std::vector<std::string> entries) {
  auto m = ParsePathMappings(entries);
  REQUIRE(m.ok());
  return *m;
}

TEST_CASE("the longest matching prefix wins, on whole path components") {
  auto maps = Maps({"/mnt/library=/media/nas", "/mnt/library/4k/=/fast/4k", "/mnt/lib=/x"});
  CHECK(ToLocalPath("/mnt/library/Movies/A b.mkv", maps) == "/media/nas/Movies/A b.mkv");
  CHECK(ToLocalPath("/mnt/library/4k/Film ü.mkv", maps) == "/fast/4k/Film ü.mkv");
  CHECK(ToLocalPath("/mnt/lib/a.mkv", maps) == "/x/a.mkv");
  // "/mnt/lib" must not match "/mnt/library2".
  CHECK(ToLocalPath("/mnt/library2/a.mkv", maps) == "/mnt/library2/a.mkv");
  CHECK(ToLocalPath("/mnt/library", maps) == "/media/nas");
  CHECK(ToLocalPath("/elsewhere/a.mkv", maps) == "/elsewhere/a.mkv");
}

TEST_CASE("translation back to the coordinator inverts translation to local") {
  auto maps = Maps({"/mnt/library=/media/nas", "/mnt/library/4k=/fast/4k"});
  for (std::string p : {"/mnt/library/Movies/A.mkv", "/mnt/library/4k/B.DV81.mkv"}) {
    CHECK(ToCoordinatorPath(ToLocalPath(p, maps), maps) == p);
  }
  CHECK(ToCoordinatorPath("/media/nas/out.mkv", maps) == "/mnt/library/out.mkv");
  CHECK(ToCoordinatorPath("/tmp/x", maps) == "/tmp/x");
}

TEST_CASE("no mappings and root mappings") {
  CHECK(ToLocalPath("/a/b.mkv", {}) == "/a/b.mkv");
  auto maps = Maps({"/=/chroot"});
  CHECK(ToLocalPath("/a/b.mkv", maps) == "/chroot/a/b.mkv");
  CHECK(ToCoordinatorPath("/chroot/a/b.mkv", maps) == "/a/b.mkv");
}

TEST_CASE("malformed mappings are refused with the entry named") {
  auto no_eq = ParsePathMappings({"/mnt/library"});
  REQUIRE_FALSE(no_eq.ok());
  CHECK(no_eq.status().message().find("/mnt/library") != std::string::npos);
  CHECK_FALSE(ParsePathMappings({"relative=/x"}).ok());
  CHECK_FALSE(ParsePathMappings({"/x="}).ok());
}

}  // namespace
}  // namespace mkvfleet::agent
