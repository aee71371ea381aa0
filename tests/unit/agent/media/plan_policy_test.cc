// The planning table: every row of plan_policy.cc's comment, and overrides.
#include "agent/media/plan_policy.h"

#include "catch2/catch.hpp"

namespace mkvfleet::agent::media {
namespace {

MediaInfo Hevc(std::string transfer = "smpte2084") {
  MediaInfo m;
  m.has_video = true;
  m.video_codec = "hevc";
  m.color_transfer = std::move(transfer);
  return m;
}

MediaInfo P7(std::string el) {
  MediaInfo m = Hevc();
  m.dovi = DoviInfo{true, 7, 6, true, true, true, 6};
  m.rpu = RpuCheck{true, 24, 24, 7, std::move(el), true};
  return m;
}

PlanDecision Decide(const MediaInfo& m, PlanPolicy p = {}, const char* override_plan = "") {
  absl::StatusOr<PlanDecision> d = ChoosePlan(m, p, override_plan);
  REQUIRE(d.ok());
  return *d;
}

TEST_CASE("profile 7 MEL is converted losslessly by default") {
  PlanDecision d = Decide(P7("MEL"));
  CHECK(d.plan == "dv-convert");
  CHECK(d.warnings.empty());
  CHECK(d.dv_profile == 7);
}

TEST_CASE("profile 7 FEL follows fel_policy") {
  PlanDecision skip = Decide(P7("FEL"));
  CHECK(skip.skipped());
  CHECK(skip.skip_reason.find("FEL") != std::string::npos);
  CHECK(skip.skip_reason.find("fel_policy") != std::string::npos);

  PlanDecision convert = Decide(P7("FEL"), {FelPolicy::kConvert, StandardPolicy::kSkip});
  CHECK(convert.plan == "dv-convert");
  REQUIRE(convert.warnings.size() == 1);
  CHECK(convert.warnings[0].find("residual") != std::string::npos);

  CHECK(Decide(P7("FEL"), {FelPolicy::kReencode, StandardPolicy::kSkip}).plan == "dv-reencode");
}

TEST_CASE("sources that need nothing or cannot be handled are skipped with a reason") {
  MediaInfo p8 = Hevc();
  p8.dovi = DoviInfo{true, 8, 1, true, false, true, 1};
  p8.rpu = RpuCheck{true, 24, 24, 8, "", false};
  PlanDecision d = Decide(p8);
  CHECK(d.skipped());
  CHECK(d.skip_reason == "already Dolby Vision profile 8.1");

  MediaInfo none;
  CHECK(Decide(none).skip_reason.find("no video track") != std::string::npos);

  MediaInfo avc = Hevc();
  avc.video_codec = "h264";
  CHECK(Decide(avc).skip_reason.find("h264, not HEVC") != std::string::npos);

  MediaInfo p5 = Hevc();
  p5.dovi = DoviInfo{true, 5, 6, true, false, true, 0};
  CHECK(Decide(p5).skip_reason.find("profile 5") != std::string::npos);
}

TEST_CASE("HDR10 and SDR follow standard_policy") {
  PlanDecision hdr = Decide(Hevc());
  CHECK(hdr.skipped());
  CHECK(hdr.skip_reason.find("HDR10") != std::string::npos);
  CHECK(hdr.skip_reason.find("standard_policy") != std::string::npos);
  CHECK(Decide(Hevc("bt709")).skip_reason.find("SDR") != std::string::npos);
  CHECK(Decide(Hevc("bt709"), {FelPolicy::kSkip, StandardPolicy::kReencode}).plan == "standard");
}

TEST_CASE("our RPU reading wins over the container record") {
  MediaInfo m = P7("MEL");
  m.rpu.profile = 8;
  CHECK(Decide(m).skipped());
}

TEST_CASE("overrides replace the policy when they fit the source") {
  CHECK(Decide(P7("FEL"), {}, "dv-convert").plan == "dv-convert");
  CHECK(Decide(P7("FEL"), {}, "dv-convert").warnings.size() == 1);
  CHECK(Decide(P7("MEL"), {}, "dv-reencode").plan == "dv-reencode");
  CHECK(Decide(Hevc(), {}, "standard").plan == "standard");
  CHECK(Decide(P7("MEL"), {}, "skip").skip_reason == "skipped by the job's plan override");

  absl::StatusOr<PlanDecision> bad = ChoosePlan(Hevc(), {}, "dv-convert");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("HDR10") != std::string::npos);
  CHECK(ChoosePlan(P7("MEL"), {}, "turbo").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("policy names parse, unknown names are refused") {
  CHECK(*ParseFelPolicy("convert") == FelPolicy::kConvert);
  CHECK(*ParseStandardPolicy("reencode") == StandardPolicy::kReencode);
  CHECK(ParseFelPolicy("maybe").status().message().find("skip, convert, reencode") !=
        std::string::npos);
  CHECK_FALSE(ParseStandardPolicy("convert").ok());
}

}  // namespace
}  // namespace mkvfleet::agent::media
