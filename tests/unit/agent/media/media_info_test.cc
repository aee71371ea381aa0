// MediaInfo from literal ffprobe / mkvmerge -J output (trimmed from a real profile 7 sample), and
// its checkpoint JSON round trip.
#include "agent/media/media_info.h"

#include "agent/media/media_info_parse.h"
#include "catch2/catch.hpp"

namespace mkvfleet::agent::media {
namespace {

constexpr char kFfprobe[] = R"json({
 "streams": [
  {"index": 0, "codec_name": "hevc", "codec_type": "video", "width": 256, "height": 144,
   "pix_fmt": "yuv420p10le", "color_space": "bt2020nc", "color_transfer": "smpte2084",
   "color_primaries": "bt2020", "r_frame_rate": "24/1", "avg_frame_rate": "24000/1001",
   "disposition": {"default": 1, "forced": 0, "attached_pic": 0},
   "tags": {"title": "Video", "NUMBER_OF_FRAMES-eng": "48"},
   "side_data_list": [{"side_data_type": "DOVI configuration record", "dv_version_major": 1,
     "dv_version_minor": 0, "dv_profile": 7, "dv_level": 1, "rpu_present_flag": 1,
     "el_present_flag": 1, "bl_present_flag": 1, "dv_bl_signal_compatibility_id": 6}]},
  {"index": 1, "codec_name": "ac3", "codec_type": "audio", "tags": {"language": "eng"}}
 ],
 "chapters": [{"id": 1}, {"id": 2}],
 "format": {"filename": "a.mkv", "nb_streams": 2, "duration": "2.016000"}
})json";

constexpr char kFirstFrame[] = R"json({"frames": [{"side_data_list": [
  {"side_data_type": "Mastering display metadata", "red_x": "34000/50000", "red_y": "16000/50000",
   "green_x": "13250/50000", "green_y": "34500/50000", "blue_x": "7500/50000",
   "blue_y": "3000/50000", "white_point_x": "15635/50000", "white_point_y": "16450/50000",
   "min_luminance": "1/10000", "max_luminance": "10000000/10000"},
  {"side_data_type": "Content light level metadata", "max_content": 1000, "max_average": 400},
  {"side_data_type": "Dolby Vision RPU Data"}]}]})json";

constexpr char kMkvmerge[] = R"json({
 "attachments": [{"content_type": "font/ttf", "file_name": "a.ttf", "id": 1, "size": 1234}],
 "chapters": [{"num_entries": 2}, {"num_entries": 1}],
 "container": {"recognized": true, "supported": true, "type": "Matroska"},
 "errors": [],
 "tracks": [
  {"codec": "HEVC/H.265/MPEG-H", "id": 0, "type": "video",
   "properties": {"codec_id": "V_MPEGH/ISO/HEVC", "default_track": true, "forced_track": false,
                  "language": "und", "track_name": "Video"}},
  {"codec": "AC-3", "id": 1, "type": "audio",
   "properties": {"codec_id": "A_AC3", "default_track": true, "forced_track": false,
                  "language": "eng", "track_name": "English (AC-3 stereo)"}},
  {"codec": "SubRip/SRT", "id": 2, "type": "subtitles",
   "properties": {"codec_id": "S_TEXT/UTF8", "default_track": false, "forced_track": true,
                  "language": "fre"}}
 ]
})json";

TEST_CASE("ffprobe streams give the video, colour, frame rate, frame count and DV record") {
  MediaInfo m;
  REQUIRE(ApplyFfprobeStreams(kFfprobe, "a.mkv", m).ok());
  CHECK(m.has_video);
  CHECK(m.video_codec == "hevc");
  CHECK(m.width == 256);
  CHECK(m.height == 144);
  CHECK(m.color_primaries == "bt2020");
  CHECK(m.color_transfer == "smpte2084");
  CHECK(m.color_space == "bt2020nc");
  CHECK(m.fps_num == 24000);
  CHECK(m.fps_den == 1001);
  CHECK(m.frame_count == 48);
  CHECK(m.duration_s == Approx(2.016));
  CHECK(m.dovi == DoviInfo{true, 7, 1, true, true, true, 6});
}

TEST_CASE("the first frame gives HDR10 mastering display and content light level") {
  MediaInfo m;
  REQUIRE(ApplyFfprobeFirstFrame(kFirstFrame, "a.mkv", m).ok());
  CHECK(m.hdr10.mastering_display);
  CHECK(m.hdr10.mastering_text ==
        "R(34000/50000,16000/50000) G(13250/50000,34500/50000) B(7500/50000,3000/50000) "
        "WP(15635/50000,16450/50000) L(10000000/10000,1/10000)");
  CHECK(m.hdr10.content_light);
  CHECK(m.hdr10.max_cll == 1000);
  CHECK(m.hdr10.max_fall == 400);
}

TEST_CASE("mkvmerge -J gives tracks with flags, chapters over all editions, attachments") {
  MediaInfo m;
  REQUIRE(ApplyMkvmergeIdentify(kMkvmerge, "a.mkv", m).ok());
  CHECK(m.container == "Matroska");
  REQUIRE(m.tracks.size() == 3);
  CHECK(m.tracks[1] == TrackInfo{1, "audio", "A_AC3", "eng", "English (AC-3 stereo)", true, false});
  CHECK(m.tracks[2] == TrackInfo{2, "subtitles", "S_TEXT/UTF8", "fre", "", false, true});
  CHECK(m.NonVideoTracks().size() == 2);
  CHECK(m.chapters == 3);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0] == AttachmentInfo{"a.ttf", "font/ttf", 1234});
}

TEST_CASE("unrecognised or non-JSON tool output is an error naming the file") {
  MediaInfo m;
  absl::Status s = ApplyMkvmergeIdentify(
      R"json({"container": {"recognized": false}, "errors": ["The type of file 'x.mkv' could not be recognized."]})json",
      "/lib/x.mkv", m);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message().find("/lib/x.mkv") != std::string::npos);
  CHECK(s.message().find("could not be recognized") != std::string::npos);
  CHECK(ApplyFfprobeStreams("not json", "/lib/x.mkv", m).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ApplyFfprobeStreams("{}", "/lib/x.mkv", m).code() == absl::StatusCode::kInvalidArgument);
  CHECK(ApplyFfprobePacketCount(R"json({"streams": []})json", "/lib/x.mkv", m).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a file without video and an exact packet count") {
  MediaInfo m;
  REQUIRE(ApplyFfprobeStreams(
              R"json({"streams": [{"codec_type": "audio", "codec_name": "flac"},
                  {"codec_type": "video", "codec_name": "mjpeg", "disposition": {"attached_pic": 1}}],
                  "format": {"duration": "3.5"}})json",
              "a.mkv", m)
              .ok());
  CHECK_FALSE(m.has_video);
  REQUIRE(ApplyFfprobePacketCount(R"json({"streams": [{"nb_read_packets": "47"}]})json", "a.mkv", m).ok());
  CHECK(m.frame_count == 47);
}

TEST_CASE("MediaInfo survives the checkpoint JSON round trip") {
  MediaInfo m;
  REQUIRE(ApplyFfprobeStreams(kFfprobe, "a.mkv", m).ok());
  REQUIRE(ApplyFfprobeFirstFrame(kFirstFrame, "a.mkv", m).ok());
  REQUIRE(ApplyMkvmergeIdentify(kMkvmerge, "a.mkv", m).ok());
  m.size_bytes = 188686;
  m.rpu = RpuCheck{true, 24, 24, 7, "MEL", true};
  absl::StatusOr<MediaInfo> back = MediaInfoFromJson(MediaInfoToJson(m));
  REQUIRE(back.ok());
  CHECK(*back == m);
  CHECK(MediaInfoFromJson("[1,2]").status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mkvfleet::agent::media
