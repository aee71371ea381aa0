// Manifest JSON round trip and every refusal: missing and wrong-typed fields, unknown fields,
// bad version, ranges not contiguous or not covering the title, options the argv builders own.
#include "common/chunk/manifest.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "nlohmann/json.hpp"

namespace mkvfleet::chunk {
namespace {

using Json = nlohmann::json;

std::string Hex(char c) { return std::string(64, c); }

// Three chunks of 80 frames at 24000/1001 with VBV.
ChunkManifest SampleManifest() {
  ChunkManifest m;
  m.source_path = "/media/films/Title (2020).mkv";
  m.frame_count = 240;
  m.fps_num = 24000;
  m.fps_den = 1001;
  m.rpu_file = "rpu81.bin";
  m.rpu_sha256 = Hex('a');
  m.decoder_args = {"-map",    "0:v:0", "-pix_fmt", "yuv420p10le",
                    "-strict", "-1",    "-f",       "yuv4mpegpipe"};
  m.x265_args = {"--preset",
                 "slow",
                 "--crf",
                 "18",
                 "--master-display",
                 "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)"};
  m.vbv.maxrate_kbps = 40000;
  m.vbv.bufsize_kbps = 50000;
  for (int i = 0; i < 3; ++i) {
    m.chunks.push_back({i, 80 * i, 80, "slice_" + std::to_string(i) + ".bin",
                        Hex(static_cast<char>('0' + i)), "chunk_" + std::to_string(i) + ".hevc"});
  }
  return m;
}

Json SampleJson() {
  auto text = ToJson(SampleManifest());
  REQUIRE(text.ok());
  return Json::parse(*text);
}

// Parses `j` and returns the error message (the parse must fail with InvalidArgument).
std::string ParseError(const Json& j) {
  auto m = ParseManifest(j.dump());
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(m.status().message());
}

// Validation must fail with InvalidArgument; returns the message. ToJson must refuse too.
std::string Invalid(const std::function<void(ChunkManifest&)>& edit) {
  ChunkManifest m = SampleManifest();
  edit(m);
  const absl::Status st = ValidateManifest(m);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ToJson(m).status() == st);
  return std::string(st.message());
}

TEST_CASE("manifest round trip through JSON", "[chunk][manifest]") {
  const ChunkManifest m = SampleManifest();
  REQUIRE(ValidateManifest(m).ok());
  auto text = ToJson(m);
  REQUIRE(text.ok());
  CHECK_THAT(*text, Catch::Contains("\"fps_den\": 1001"));
  CHECK_THAT(*text, Catch::Contains("\"end_fr_adj\": 0.8"));
  auto back = ParseManifest(*text);
  INFO(back.status().ToString());
  REQUIRE(back.ok());
  CHECK(*back == m);
  CHECK(back->vbv.init == 0.75);
  CHECK(back->chunks[2].output == "chunk_2.hevc");
  // A manifest without VBV round-trips too, and integral JSON numbers are accepted as fractions.
  ChunkManifest no_vbv = m;
  no_vbv.vbv = VbvSettings{};
  no_vbv.vbv.init = 1;
  auto again = ParseManifest(*ToJson(no_vbv));
  REQUIRE(again.ok());
  CHECK(*again == no_vbv);
  CHECK_FALSE(again->vbv.enabled());
}

TEST_CASE("manifest refuses missing fields by name", "[chunk][manifest]") {
  for (const char* key : {"version", "source_path", "frame_count", "fps_num", "fps_den", "rpu_file",
                          "rpu_sha256", "decoder_args", "x265_args", "vbv", "chunks"}) {
    Json j = SampleJson();
    j.erase(key);
    CHECK(ParseError(j) == std::string("manifest: ") + key + " is missing");
  }
  for (const char* key : {"maxrate_kbps", "bufsize_kbps", "end", "end_fr_adj", "init"}) {
    Json j = SampleJson();
    j["vbv"].erase(key);
    CHECK(ParseError(j) == std::string("manifest: vbv.") + key + " is missing");
  }
  for (const char* key :
       {"index", "first_frame", "frames", "rpu_slice", "rpu_slice_sha256", "output"}) {
    Json j = SampleJson();
    j["chunks"][1].erase(key);
    CHECK(ParseError(j) == std::string("manifest: chunks[1].") + key + " is missing");
  }
}

TEST_CASE("manifest refuses wrong-typed and unknown fields", "[chunk][manifest]") {
  struct Row {
    std::function<void(Json&)> edit;
    const char* message;
  };
  const Row rows[] = {
      {[](Json& j) { j["frame_count"] = "240"; }, "manifest: frame_count must be an integer"},
      {[](Json& j) { j["fps_den"] = 1001.5; }, "manifest: fps_den must be an integer"},
      {[](Json& j) { j["version"] = true; }, "manifest: version must be an integer"},
      {[](Json& j) { j["source_path"] = 5; }, "manifest: source_path must be a string"},
      {[](Json& j) { j["decoder_args"] = "-f y4m"; },
       "manifest: decoder_args must be an array of strings"},
      {[](Json& j) { j["x265_args"][2] = 18; }, "manifest: x265_args[2] must be a string"},
      {[](Json& j) { j["vbv"] = 4000; }, "manifest: vbv must be an object"},
      {[](Json& j) { j["vbv"]["end"] = "0.9"; }, "manifest: vbv.end must be a number"},
      {[](Json& j) { j["chunks"] = Json::object(); }, "manifest: chunks must be an array"},
      {[](Json& j) { j["chunks"][2] = 7; }, "manifest: chunks[2] must be an object"},
      {[](Json& j) { j["chunks"][1]["frames"] = 80.5; },
       "manifest: chunks[1].frames must be an integer"},
      {[](Json& j) { j["frame_count"] = 18446744073709551615u; },
       "manifest: frame_count is too large"},
      {[](Json& j) { j["chunks"][0]["index"] = int64_t{1} << 40; },
       "manifest: chunks[0].index is out of range"},
      {[](Json& j) { j["crf"] = 18; }, "manifest: crf is not a manifest field"},
      {[](Json& j) { j["vbv"]["minrate"] = 1; }, "manifest: vbv.minrate is not a manifest field"},
      {[](Json& j) { j["chunks"][0]["agent"] = "a1"; },
       "manifest: chunks[0].agent is not a manifest field"},
  };
  for (const Row& row : rows) {
    Json j = SampleJson();
    row.edit(j);
    CHECK(ParseError(j) == row.message);
  }
  auto not_json = ParseManifest("{\"version\": 1,");
  CHECK(not_json.status() == absl::InvalidArgumentError("manifest: not valid JSON"));
  auto not_object = ParseManifest("[1, 2]");
  CHECK(not_object.status() == absl::InvalidArgumentError("manifest: not a JSON object"));
}

TEST_CASE("manifest refuses a bad version before reading other fields", "[chunk][manifest]") {
  Json j = SampleJson();
  j["version"] = 2;
  j.erase("chunks");
  CHECK(ParseError(j) == "manifest: version 2 is not supported (this build reads 1)");
  CHECK(Invalid([](ChunkManifest& m) { m.version = 0; }) ==
        "manifest: version 0 is not supported (this build reads 1)");
}

TEST_CASE("manifest refuses ranges that are not contiguous from 0 or do not cover the title",
          "[chunk][manifest]") {
  CHECK(Invalid([](ChunkManifest& m) { m.chunks[0].first_frame = 1; }) ==
        "manifest: chunks[0].first_frame must be 0 (ranges are contiguous from frame 0), got 1");
  CHECK(Invalid([](ChunkManifest& m) { m.chunks[1].first_frame = 81; }) ==
        "manifest: chunks[1].first_frame must be 80 (ranges are contiguous from frame 0), got 81");
  CHECK(Invalid([](ChunkManifest& m) { m.frame_count = 241; }) ==
        "manifest: chunks cover 240 frames, frame_count is 241");
  CHECK(Invalid([](ChunkManifest& m) { m.frame_count = 200; }) ==
        "manifest: chunks[2].frames 80 runs past frame_count 200 (from frame 160)");
  CHECK(Invalid([](ChunkManifest& m) { m.chunks[1].frames = INT64_MAX; }) ==
        "manifest: chunks[1].frames 9223372036854775807 runs past frame_count 240 (from frame "
        "80)");
  CHECK(Invalid([](ChunkManifest& m) { m.chunks.pop_back(); }) ==
        "manifest: chunks cover 160 frames, frame_count is 240");
  CHECK(Invalid([](ChunkManifest& m) { m.chunks[2].index = 3; }) ==
        "manifest: chunks[2].index must be 2, got 3");
  CHECK(Invalid([](ChunkManifest& m) { m.chunks[1].frames = 0; }) ==
        "manifest: chunks[1].frames must be at least 1, got 0");
  CHECK(Invalid([](ChunkManifest& m) { m.chunks.clear(); }) == "manifest: chunks is empty");
  // And through JSON.
  Json j = SampleJson();
  j["chunks"][1]["first_frame"] = 70;
  CHECK_THAT(ParseError(j), Catch::StartsWith("manifest: chunks[1].first_frame must be 80"));
}

TEST_CASE("manifest refuses bad values by field", "[chunk][manifest]") {
  struct Row {
    std::function<void(ChunkManifest&)> edit;
    const char* message;
  };
  const Row rows[] = {
      {[](ChunkManifest& m) { m.source_path.clear(); }, "manifest: source_path is empty"},
      {[](ChunkManifest& m) { m.source_path = "/media/\xff.mkv"; },
       "manifest: source_path is not valid UTF-8"},
      {[](ChunkManifest& m) { m.source_path = "/media/\xc0\xaf.mkv"; },  // overlong '/'
       "manifest: source_path is not valid UTF-8"},
      {[](ChunkManifest& m) { m.frame_count = 0; },
       "manifest: frame_count must be at least 1, got 0"},
      {[](ChunkManifest& m) { m.fps_num = 0; }, "manifest: fps_num must be at least 1, got 0"},
      {[](ChunkManifest& m) { m.fps_den = -1; }, "manifest: fps_den must be at least 1, got -1"},
      {[](ChunkManifest& m) { m.rpu_file = "../rpu.bin"; },
       "manifest: rpu_file must be a plain file name, got \"../rpu.bin\""},
      {[](ChunkManifest& m) { m.rpu_file = ".."; },
       "manifest: rpu_file must be a plain file name, got \"..\""},
      {[](ChunkManifest& m) { m.rpu_sha256 = Hex('A'); },
       "manifest: rpu_sha256 must be 64 lowercase hex digits"},
      {[](ChunkManifest& m) { m.rpu_sha256.pop_back(); },
       "manifest: rpu_sha256 must be 64 lowercase hex digits"},
      {[](ChunkManifest& m) { m.chunks[1].rpu_slice = ""; },
       "manifest: chunks[1].rpu_slice must be a plain file name, got \"\""},
      {[](ChunkManifest& m) { m.chunks[2].rpu_slice_sha256 = Hex('g'); },
       "manifest: chunks[2].rpu_slice_sha256 must be 64 lowercase hex digits"},
      {[](ChunkManifest& m) { m.chunks[0].output = "/tmp/c.hevc"; },
       "manifest: chunks[0].output must be a plain file name, got \"/tmp/c.hevc\""},
      {[](ChunkManifest& m) { m.decoder_args.push_back("-ss"); },
       "manifest: decoder_args[8] \"-ss\" is set per chunk"},
      {[](ChunkManifest& m) { m.x265_args.push_back("--frames=10"); },
       "manifest: x265_args[6] \"--frames\" is set per chunk"},
      {[](ChunkManifest& m) { m.x265_args.push_back("--open-gop"); },
       "manifest: x265_args[6] \"--open-gop\" is set per chunk"},
      {[](ChunkManifest& m) { m.x265_args.push_back("--vbv-maxrate"); },
       "manifest: x265_args[6] \"--vbv-maxrate\" is set per chunk"},
      {[](ChunkManifest& m) { m.vbv.bufsize_kbps = 0; },
       "manifest: vbv maxrate_kbps and bufsize_kbps must both be 0 or both be positive, got "
       "40000 and 0"},
      {[](ChunkManifest& m) { m.vbv.maxrate_kbps = -1; },
       "manifest: vbv maxrate_kbps and bufsize_kbps must both be 0 or both be positive, got "
       "-1 and 50000"},
      {[](ChunkManifest& m) { m.vbv.end = 1.5; }, "manifest: vbv.end must be in (0, 1], got 1.5"},
      {[](ChunkManifest& m) { m.vbv.end_fr_adj = 0; },
       "manifest: vbv.end_fr_adj must be in (0, 1], got 0"},
      {[](ChunkManifest& m) { m.vbv.init = -0.5; },
       "manifest: vbv.init must be in (0, 1], got -0.5"},
  };
  for (const Row& row : rows) CHECK(Invalid(row.edit) == row.message);
  // Valid multi-byte UTF-8 is fine.
  ChunkManifest m = SampleManifest();
  m.source_path = "/media/Am\xc3\xa9lie \xe2\x80\x94 \xf0\x9f\x8e\xac.mkv";
  CHECK(ValidateManifest(m).ok());
}

}  // namespace
}  // namespace mkvfleet::chunk
