// [media] settings: defaults, values from TOML and env, and refusals naming the key.
#include "agent/media/media_settings.h"

#include "catch2/catch.hpp"

namespace mkvfleet::agent::media {
namespace {

absl::StatusOr<MediaSettings> FromToml(const char* toml,
                                       config::EnvLookup env = [](const std::string&) {
                                         return std::optional<std::string>();
                                       }) {
  absl::StatusOr<config::ConfigLayers> layers = config::ConfigLayers::Parse(toml, "agent.toml", env);
  REQUIRE(layers.ok());
  return LoadMediaSettings(*layers);
}

TEST_CASE("defaults: skip FEL and standard sources, no overwrite, no replace") {
  absl::StatusOr<MediaSettings> m = FromToml("");
  REQUIRE(m.ok());
  CHECK(m->plan.fel == FelPolicy::kSkip);
  CHECK(m->plan.standard == StandardPolicy::kSkip);
  CHECK_FALSE(m->publish.overwrite);
  CHECK_FALSE(m->publish.replace);
  CHECK(m->x265_profiles.contains("default"));
  CHECK(m->Tool("ffprobe") == "ffprobe");
}

TEST_CASE("rpu_mismatch: fail by default, repair when asked, anything else refused") {
  absl::StatusOr<MediaSettings> m = FromToml("");
  REQUIRE(m.ok());
  CHECK(m->rpu_mismatch == RpuMismatchPolicy::kFail);
  m = FromToml("[media]\nrpu_mismatch = \"repair\"\n");
  REQUIRE(m.ok());
  CHECK(m->rpu_mismatch == RpuMismatchPolicy::kRepair);
  m = FromToml("[media]\nrpu_mismatch = \"fix\"\n");
  REQUIRE_FALSE(m.ok());
  const std::string message(m.status().message());
  CHECK(message.find("rpu_mismatch must be \"fail\" or \"repair\", not \"fix\"") == 0);
  CHECK(message.find("media.rpu_mismatch") != std::string::npos);
}

TEST_CASE("values from the [media] table, [tools] and env") {
  absl::StatusOr<MediaSettings> m = FromToml(
      R"(pipeline = "media"
[media]
fel_policy = "convert"
standard_policy = "reencode"
overwrite = true
replace = true
backup_dir = "/backup"
x265_profile = "hq"
[media.x265.hq]
preset = "slower"
crf = 16.5
[tools]
ffprobe = "/opt/ff/ffprobe"
)",
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "MKVFLEET_MEDIA_SSIM_FLOOR") return "0.95";
        return std::nullopt;
      });
  REQUIRE(m.ok());
  CHECK(m->plan.fel == FelPolicy::kConvert);
  CHECK(m->plan.standard == StandardPolicy::kReencode);
  CHECK(m->publish.overwrite);
  CHECK(m->publish.backup_dir == "/backup");
  CHECK(m->ssim_floor == Approx(0.95));
  CHECK(m->x265_profiles.at("hq").preset == "slower");
  CHECK(m->x265_profiles.at("hq").crf == Approx(16.5));
  CHECK(m->Tool("ffprobe") == "/opt/ff/ffprobe");
}

TEST_CASE("bad values are refused naming the key and where it came from") {
  absl::StatusOr<MediaSettings> m = FromToml("[media]\nfel_policy = \"maybe\"\n");
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().message().find("media.fel_policy") != std::string::npos);
  CHECK(m.status().message().find("agent.toml") != std::string::npos);
  CHECK_FALSE(FromToml("[media]\nreplace = true\n").ok());
  CHECK_FALSE(FromToml("[media]\nx265_profile = \"nope\"\n").ok());
  CHECK_FALSE(FromToml("[media]\nssim_floor = 2.0\n").ok());
  // x265 profiles are checked when the settings load (the encoder's own rules), not later.
  absl::StatusOr<MediaSettings> bad_preset = FromToml("[media.x265.hq]\npreset = \"warp\"\n");
  REQUIRE_FALSE(bad_preset.ok());
  CHECK(bad_preset.status().message().find("hq.preset") != std::string::npos);
  CHECK_FALSE(FromToml("[media.x265.hq]\ntune = \"grain\"\n").ok());
}

}  // namespace
}  // namespace mkvfleet::agent::media
