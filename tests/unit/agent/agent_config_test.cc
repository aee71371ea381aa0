// Agent configuration: TOML file, env overrides, flags, and the errors users see.
#include "agent/agent_config.h"

#include <catch2/catch.hpp>

#include <map>

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

}  // namespace
}  // namespace mkvfleet::agent
