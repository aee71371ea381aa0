// Tool discovery: version banners of the real Debian 12 tools, PATH search, free space.
#include "agent/tool_discovery.h"

#include <catch2/catch.hpp>

namespace mkvfleet::agent {
namespace {

TEST_CASE("version banners are parsed per tool") {
  CHECK(ParseToolVersion("ffmpeg", "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026") ==
        "5.1.9-0+deb12u1");
  CHECK(ParseToolVersion("ffprobe", "ffprobe version 5.1.9-0+deb12u1 Copyright") ==
        "5.1.9-0+deb12u1");
  CHECK(ParseToolVersion("x265", "x265 [info]: HEVC encoder version 3.5+1-f0c1022b6\n"
                                 "x265 [info]: build info [Linux][GCC 12.2.0][64 bit] 8bit+10bit") ==
        "3.5+1-f0c1022b6");
  CHECK(ParseToolVersion("mkvmerge", "mkvmerge v74.0.0 ('You Oughta Know') 64-bit") == "74.0.0");
  CHECK(ParseToolVersion("mediainfo", "MediaInfo Command line, \nMediaInfoLib - v23.04\n") ==
        "23.04");
  CHECK(ParseToolVersion("mkvmerge", "command not found") == "");
}

TEST_CASE("FindInPath finds executables and skips missing ones") {
  CHECK(FindInPath("sh", "/nonexistent:/bin:/usr/bin") == "/bin/sh");
  CHECK(FindInPath("definitely-not-a-tool-xyz", "/bin:/usr/bin") == "");
  CHECK(FindInPath("/bin/sh", "") == "/bin/sh");
  CHECK(FindInPath("", "/bin") == "");
}

TEST_CASE("DiscoverTools reports every known tool, missing ones with a problem") {
  auto tools = DiscoverTools({{"x265", "/nonexistent/x265"}});
  REQUIRE(tools.size() == KnownTools().size());
  for (const auto& t : tools) {
    if (t.name == "x265") {
      CHECK(t.path.empty());
      CHECK(t.problem.find("/nonexistent/x265") != std::string::npos);
    } else if (!t.path.empty()) {
      // Installed on the build machine (deploy/install-deps.sh): the version must be recognised.
      CHECK(t.problem == "");
      CHECK_FALSE(t.version.empty());
    }
  }
}

TEST_CASE("FreeBytes of an existing and a missing folder") {
  auto free_tmp = FreeBytes("/tmp");
  REQUIRE(free_tmp.ok());
  CHECK(*free_tmp > 0);
  CHECK(absl::IsNotFound(FreeBytes("/no/such/folder").status()));
}

}  // namespace
}  // namespace mkvfleet::agent
