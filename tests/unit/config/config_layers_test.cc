// ConfigLayers: precedence flags > env > file > default, type errors naming the origin, file errors.
#include "common/config/config_layers.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "tests/test_paths.h"

namespace mkvfleet::config {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kToml[] = R"(
listen = "127.0.0.1:7000"
lease_seconds = 30
ratio = 1.5
verbose = true
library_roots = ["/a", "/b"]
[policy]
crf = 16
preset = "slow"
)";

TEST_CASE("env names are derived from keys") {
  CHECK(EnvNameFor("lease_seconds") == "MKVFLEET_LEASE_SECONDS");
  CHECK(EnvNameFor("policy.crf") == "MKVFLEET_POLICY_CRF");
  CHECK(EnvNameFor("admin_token") == "MKVFLEET_ADMIN_TOKEN");
}

TEST_CASE("file values are read with their types") {
  auto c = ConfigLayers::Parse(kToml, "test.toml", FakeEnv({}));
  REQUIRE(c.ok());
  CHECK(*c->GetString("listen") == "127.0.0.1:7000");
  CHECK(*c->GetInt("lease_seconds", 60) == 30);
  CHECK(*c->GetDouble("ratio", 0) == 1.5);
  CHECK(*c->GetDouble("lease_seconds", 0) == 30.0);
  CHECK(*c->GetBool("verbose", false) == true);
  CHECK(*c->GetStringList("library_roots") == std::vector<std::string>{"/a", "/b"});
  CHECK(*c->GetString("missing", "dflt") == "dflt");
  CHECK(*c->GetInt("missing", 7) == 7);
  CHECK(c->OriginOf("missing") == "default");
  auto policy = c->GetTable("policy");
  REQUIRE(policy.ok());
  CHECK(policy->at("crf") == "16");
  CHECK(policy->at("preset") == "slow");
}

TEST_CASE("precedence is flag over env over file over default") {
  auto c = ConfigLayers::Parse(kToml, "test.toml",
                               FakeEnv({{"MKVFLEET_LEASE_SECONDS", "45"},
                                        {"MKVFLEET_LISTEN", ""},  // empty = unset
                                        {"MKVFLEET_LIBRARY_ROOTS", "/x:/y"},
                                        {"MKVFLEET_POLICY_PRESET", "medium"}}));
  REQUIRE(c.ok());
  CHECK(*c->GetInt("lease_seconds", 60) == 45);
  CHECK(c->OriginOf("lease_seconds") == "env MKVFLEET_LEASE_SECONDS");
  CHECK(*c->GetString("listen") == "127.0.0.1:7000");
  CHECK(*c->GetStringList("library_roots") == std::vector<std::string>{"/x", "/y"});
  CHECK(c->GetTable("policy")->at("preset") == "medium");
  c->SetFlag("lease_seconds", "10");
  c->SetFlagList("library_roots", {"/flag"});
  CHECK(*c->GetInt("lease_seconds", 60) == 10);
  CHECK(c->OriginOf("lease_seconds") == "flag --lease_seconds");
  CHECK(*c->GetStringList("library_roots") == std::vector<std::string>{"/flag"});
}

TEST_CASE("type errors name the key and where the value came from") {
  auto c = ConfigLayers::Parse(kToml, "test.toml", FakeEnv({{"MKVFLEET_MAX_ATTEMPTS", "three"}}));
  REQUIRE(c.ok());
  auto listen = c->GetInt("listen", 0);
  REQUIRE_FALSE(listen.ok());
  CHECK(listen.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(listen.status().message()), Catch::Contains("listen") &&
                                                         Catch::Contains("test.toml"));
  auto attempts = c->GetInt("max_attempts", 3);
  REQUIRE_FALSE(attempts.ok());
  CHECK_THAT(std::string(attempts.status().message()), Catch::Contains("MKVFLEET_MAX_ATTEMPTS"));
  CHECK_FALSE(c->GetBool("listen", false).ok());
  CHECK_FALSE(c->GetString("lease_seconds").ok());
  CHECK_FALSE(c->GetStringList("lease_seconds").ok());
  c->SetFlag("verbose", "maybe");
  CHECK_FALSE(c->GetBool("verbose", false).ok());
  c->SetFlag("verbose", "off");
  CHECK(*c->GetBool("verbose", true) == false);
}

TEST_CASE("file errors are clear") {
  SECTION("syntax error names file and line") {
    auto c = ConfigLayers::Parse("a = 1\nb = = 2\n", "bad.toml", FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(std::string(c.status().message()), Catch::StartsWith("bad.toml:2:"));
  }
  SECTION("unsupported value type") {
    auto c = ConfigLayers::Parse("x = [1, 2]\n", "arr.toml", FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(std::string(c.status().message()), Catch::Contains("'x'"));
  }
  SECTION("missing file") {
    auto c = ConfigLayers::Load("/nonexistent/mkvfleet.toml", FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == absl::StatusCode::kNotFound);
    CHECK_THAT(std::string(c.status().message()), Catch::Contains("/nonexistent/mkvfleet.toml"));
  }
  SECTION("no file is fine") {
    auto c = ConfigLayers::Load("", FakeEnv({}));
    REQUIRE(c.ok());
    CHECK(*c->GetInt("lease_seconds", 60) == 60);
  }
  SECTION("a real file loads and is named in origins") {
    const std::string dir = testing::MakeTempDir("config-test");
    const std::string path = dir + "/c.toml";
    std::ofstream(path) << "state_dir = \"/var/lib/x\"\n";
    auto c = ConfigLayers::Load(path, FakeEnv({}));
    REQUIRE(c.ok());
    CHECK(*c->GetString("state_dir") == "/var/lib/x");
    CHECK(c->OriginOf("state_dir") == "file " + path);
    CHECK(c->file_path() == path);
  }
}

}  // namespace
}  // namespace mkvfleet::config
