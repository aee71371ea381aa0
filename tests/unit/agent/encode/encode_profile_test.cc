// Named x265 profiles from the flattened [media.x265] table.
#include "agent/encode/encode_profile.h"

#include "catch2/catch.hpp"

namespace mkvfleet::agent::encode {
namespace {

TEST_CASE("profiles: default always present, named ones parsed with VBV and params") {
  auto p = ParseEncodeProfiles({{"fast.preset", "ultrafast"},
                                {"fast.crf", "22.5"},
                                {"fast.vbv_maxrate", "50000"},
                                {"fast.vbv_bufsize", "60000"},
                                {"fast.params", "aq-mode=3:no-sao"}});
  REQUIRE(p.ok());
  REQUIRE(p->contains("default"));
  CHECK(p->at("default") == EncodeProfile{});
  CHECK(p->at("default").preset == "slow");
  const EncodeProfile& f = p->at("fast");
  CHECK(f.preset == "ultrafast");
  CHECK(f.crf == 22.5);
  CHECK(f.vbv_maxrate_kbps == 50000);
  CHECK(f.vbv_bufsize_kbps == 60000);
  CHECK(f.extra_args == std::vector<std::string>{"--aq-mode", "3", "--no-sao"});
}

TEST_CASE("profiles: bad values are refused naming the key") {
  auto bad_preset = ParseEncodeProfiles({{"x.preset", "warp"}});
  REQUIRE_FALSE(bad_preset.ok());
  CHECK(bad_preset.status().message().find("x.preset") != std::string::npos);
  CHECK(bad_preset.status().message().find("ultrafast") != std::string::npos);
  CHECK_FALSE(ParseEncodeProfiles({{"x.crf", "high"}}).ok());
  CHECK_FALSE(ParseEncodeProfiles({{"x.crf", "60"}}).ok());
  CHECK_FALSE(ParseEncodeProfiles({{"x.vbv_maxrate", "-1"}}).ok());
  auto unknown = ParseEncodeProfiles({{"x.tune", "grain"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("unknown key") != std::string::npos);
  CHECK_FALSE(ParseEncodeProfiles({{"x.params", "Bad Name=1"}}).ok());
  CHECK_FALSE(ParseEncodeProfiles({{"noname", "1"}}).ok());
}

TEST_CASE("params: key=value and bare flags, blanks ignored") {
  auto a = ParamsToArgs(" keyint=48 : no-open-gop ");
  REQUIRE(a.ok());
  CHECK(*a == std::vector<std::string>{"--keyint", "48", "--no-open-gop"});
  CHECK(ParamsToArgs("")->empty());
  CHECK_FALSE(ParamsToArgs("=3").ok());
}

}  // namespace
}  // namespace mkvfleet::agent::encode
