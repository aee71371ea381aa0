// Agent configuration: TOML file, env overrides, flags, and the errors users see.
#include "agent/agent_config.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/test_paths.h"

namespace mkvfleet::agent {
namespace {

config::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kToml[] = R"(
server = "coord:7450"
name = "vm1"
work_dir = "/var/tmp/mkv"
path_map = ["/mnt/library=/media/nas"]
pipeline = "test-sleep"
test_step_ms = 50
[tools]
x265 = "/opt/x265/bin/x265"
)";

TEST_CASE("file values load, env overrides the file, flags override env") {
  auto layers = config::ConfigLayers::Parse(
      kToml, "agent.toml",
      FakeEnv({{"MKVFLEET_AGENT_TOKEN", "s3cret"}, {"MKVFLEET_NAME", "from-env"}}));
  REQUIRE(layers.ok());
  layers->SetFlag("work_dir", "/flag/work");
  auto c = LoadAgentConfig(*layers);
  REQUIRE(c.ok());
  CHECK(c->server == "coord:7450");
  CHECK(c->name == "from-env");
  CHECK(c->work_dir == "/flag/work");
  CHECK(c->token == "s3cret");
  REQUIRE(c->path_map.size() == 1);
  CHECK(ToLocalPath("/mnt/library/a.mkv", c->path_map) == "/media/nas/a.mkv");
  CHECK(c->pipeline == "test-sleep");
  CHECK(c->test_step_duration == absl::Milliseconds(50));
  CHECK(c->tool_paths.at("x265") == "/opt/x265/bin/x265");
  CHECK(c->claim_poll_interval == absl::Seconds(1));
}

TEST_CASE("defaults: media pipeline, no token") {
  auto layers = config::ConfigLayers::Parse("", "none", FakeEnv({}));
  REQUIRE(layers.ok());
  layers->SetFlag("server", "127.0.0.1:1");
  layers->SetFlag("name", "a");
  layers->SetFlag("work_dir", "/w");
  auto c = LoadAgentConfig(*layers);
  REQUIRE(c.ok());
  CHECK(c->pipeline == "media");
  CHECK(c->token.empty());
  CHECK(c->path_map.empty());
}

TEST_CASE("missing required values and bad path maps are named") {
  auto layers = config::ConfigLayers::Parse("name = \"a\"\nwork_dir = \"/w\"\n", "agent.toml",
                                            FakeEnv({}));
  REQUIRE(layers.ok());
  auto c = LoadAgentConfig(*layers);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("--server") != std::string::npos);

  auto bad = config::ConfigLayers::Parse(
      "server=\"s:1\"\nname=\"a\"\nwork_dir=\"/w\"\npath_map=[\"nomapping\"]\n", "agent.toml",
      FakeEnv({}));
  REQUIRE(bad.ok());
  auto c2 = LoadAgentConfig(*bad);
  REQUIRE_FALSE(c2.ok());
  CHECK(c2.status().message().find("nomapping") != std::string::npos);
}

config::ConfigLayers Layers(const std::string& toml) {
  auto layers = config::ConfigLayers::Parse(
      "server=\"s:1\"\nname=\"a\"\nwork_dir=\"/w\"\n" + toml, "agent.toml", FakeEnv({}));
  REQUIRE(layers.ok());
  return *std::move(layers);
}

TEST_CASE("shared work dir and chunk stall: defaults, values, flag, and bad values named") {
  auto defaults = LoadAgentConfig(Layers(""));
  REQUIRE(defaults.ok());
  CHECK(defaults->shared_work_dir.empty());
  CHECK(defaults->chunk_stall == absl::Seconds(600));

  config::ConfigLayers layers =
      Layers("shared_work_dir = \"/mnt/shared/\"\nchunk_stall_seconds = 90\n");
  auto c = LoadAgentConfig(layers);
  REQUIRE(c.ok());
  CHECK(c->shared_work_dir == "/mnt/shared");  // trailing '/' dropped
  CHECK(c->chunk_stall == absl::Seconds(90));
  layers.SetFlag("shared_work_dir", "/flag/shared");  // mkv-agent --shared-work-dir
  CHECK(LoadAgentConfig(layers)->shared_work_dir == "/flag/shared");

  auto relative = LoadAgentConfig(Layers("shared_work_dir = \"shared\"\n"));
  REQUIRE_FALSE(relative.ok());
  CHECK(relative.status().message().find("shared_work_dir must be an absolute path") !=
        std::string::npos);
  auto zero = LoadAgentConfig(Layers("chunk_stall_seconds = 0\n"));
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.status().message().find("chunk_stall_seconds must be positive") !=
        std::string::npos);
}

TEST_CASE("the shared work dir must be an existing writable directory") {
  CHECK(CheckSharedWorkDir("").ok());  // none
  const std::string dir = testing::MakeTempDir("mkvfleet-shared");
  CHECK(CheckSharedWorkDir(dir).ok());
  CHECK(std::filesystem::is_empty(dir));  // the probe file is gone

  absl::Status missing = CheckSharedWorkDir(dir + "/not-mounted");
  CHECK(absl::IsFailedPrecondition(missing));
  CHECK(missing.message().find(dir + "/not-mounted does not exist") != std::string::npos);

  const std::string file = dir + "/a-file";
  std::ofstream(file) << "x";
  absl::Status not_dir = CheckSharedWorkDir(file);
  CHECK(absl::IsFailedPrecondition(not_dir));
  CHECK(not_dir.message().find("is not a directory") != std::string::npos);

  // /proc refuses new files even to root.
  absl::Status read_only = CheckSharedWorkDir("/proc");
  CHECK(absl::IsFailedPrecondition(read_only));
  CHECK(read_only.message().find("/proc is not writable") != std::string::npos);
}

}  // namespace
}  // namespace mkvfleet::agent
