// JSON from ffprobe and mkvmerge -J into MediaInfo (see the header).
#include "agent/media/media_info_parse.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/media/json_fields.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::agent::media {
namespace {

using nlohmann::json;

absl::StatusOr<json> ParseObject(absl::string_view text, const std::string& file,
                                 const char* tool) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": ", tool, " printed no usable JSON (is it a media file?)"));
  }
  return j;
}

// "24000/1001" -> 24000, 1001. False for "0/0" and junk.
bool ParseRational(const std::string& text, int& num, int& den) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  int n = 0, d = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &n) || !absl::SimpleAtoi(parts[1], &d) ||
      n <= 0 || d <= 0) {
    return false;
  }
  num = n;
  den = d;
  return true;
}

// A stream tag by name; Matroska statistics tags may carry a language suffix ("-eng").
std::string Tag(const json& stream, const std::string& name) {
  const json& tags = JsonChild(stream, "tags");
  if (!tags.is_object()) return "";
  for (auto it = tags.begin(); it != tags.end(); ++it) {
    if ((it.key() == name || absl::StartsWith(it.key(), name + "-")) && it->is_string()) {
      return it->get<std::string>();
    }
  }
  return "";
}

// A stream's duration in seconds: ffprobe's own when it states one, else the muxer's DURATION
// tag ("01:02:03.500000000"); -1 when neither is there or readable.
double DurationTag(const json& stream) {
  double seconds = 0;
  if (absl::SimpleAtod(JsonString(stream, "duration"), &seconds)) return seconds;
  const std::vector<std::string> parts = absl::StrSplit(Tag(stream, "DURATION"), ':');
  double h = 0, m = 0;
  if (parts.size() != 3 || !absl::SimpleAtod(parts[0], &h) || !absl::SimpleAtod(parts[1], &m) ||
      !absl::SimpleAtod(parts[2], &seconds)) {
    return -1;
  }
  return h * 3600 + m * 60 + seconds;
}

void ApplySideData(const json& list, MediaInfo& info) {
  if (!list.is_array()) return;
  for (const json& sd : list) {
    const std::string type = JsonString(sd, "side_data_type");
    if (type == "DOVI configuration record") {
      info.dovi = DoviInfo{true,
                           static_cast<int>(JsonInt(sd, "dv_profile")),
                           static_cast<int>(JsonInt(sd, "dv_level")),
                           JsonBool(sd, "rpu_present_flag"),
                           JsonBool(sd, "el_present_flag"),
                           JsonBool(sd, "bl_present_flag"),
                           static_cast<int>(JsonInt(sd, "dv_bl_signal_compatibility_id"))};
    } else if (type == "Mastering display metadata") {
      info.hdr10.mastering_display = true;
      info.hdr10.mastering_text = absl::StrCat(
          "R(", JsonString(sd, "red_x"), ",", JsonString(sd, "red_y"), ") G(",
          JsonString(sd, "green_x"), ",", JsonString(sd, "green_y"), ") B(",
          JsonString(sd, "blue_x"), ",", JsonString(sd, "blue_y"), ") WP(",
          JsonString(sd, "white_point_x"), ",", JsonString(sd, "white_point_y"), ") L(",
          JsonString(sd, "max_luminance"), ",", JsonString(sd, "min_luminance"), ")");
    } else if (type == "Content light level metadata") {
      info.hdr10.content_light = true;
      info.hdr10.max_cll = static_cast<int>(JsonInt(sd, "max_content"));
      info.hdr10.max_fall = static_cast<int>(JsonInt(sd, "max_average"));
    }
  }
}

}  // namespace

absl::Status ApplyFfprobeStreams(absl::string_view text, const std::string& file, MediaInfo& info) {
  ASSIGN_OR_RETURN(const json j, ParseObject(text, file, "ffprobe"));
  const json& format = JsonChild(j, "format");
  if (!format.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": ffprobe found no container format (not a media file)"));
  }
  info.duration_s = JsonDouble(format, "duration");
  for (const json& s : JsonChild(j, "streams")) {
    for (TrackInfo& t : info.tracks) {
      if (t.id == JsonInt(s, "index", -1)) t.duration_s = DurationTag(s);
    }
  }
  info.has_video = false;
  for (const json& s : JsonChild(j, "streams")) {
    if (JsonString(s, "codec_type") != "video") continue;
    if (JsonBool(JsonChild(s, "disposition"), "attached_pic")) continue;  // cover art
    info.has_video = true;
    info.video_codec = JsonString(s, "codec_name");
    info.width = static_cast<int>(JsonInt(s, "width"));
    info.height = static_cast<int>(JsonInt(s, "height"));
    info.pix_fmt = JsonString(s, "pix_fmt");
    info.color_primaries = JsonString(s, "color_primaries");
    info.color_transfer = JsonString(s, "color_transfer");
    info.color_space = JsonString(s, "color_space");
    if (!ParseRational(JsonString(s, "avg_frame_rate"), info.fps_num, info.fps_den)) {
      ParseRational(JsonString(s, "r_frame_rate"), info.fps_num, info.fps_den);
    }
    int64_t frames = 0;
    if (absl::SimpleAtoi(Tag(s, "NUMBER_OF_FRAMES"), &frames) && frames > 0) {
      info.frame_count = frames;
    } else if ((frames = JsonInt(s, "nb_frames")) > 0) {
      info.frame_count = frames;
    }
    ApplySideData(JsonChild(s, "side_data_list"), info);
    break;
  }
  return absl::OkStatus();
}

absl::Status ApplyFfprobeFirstFrame(absl::string_view text, const std::string& file,
                                    MediaInfo& info) {
  ASSIGN_OR_RETURN(const json j, ParseObject(text, file, "ffprobe -show_frames"));
  const json& frames = JsonChild(j, "frames");
  if (!frames.is_array() || frames.empty()) return absl::OkStatus();  // nothing decodable
  ApplySideData(JsonChild(frames[0], "side_data_list"), info);
  return absl::OkStatus();
}

absl::Status ApplyFfprobePacketCount(absl::string_view text, const std::string& file,
                                     MediaInfo& info) {
  ASSIGN_OR_RETURN(const json j, ParseObject(text, file, "ffprobe -count_packets"));
  const json& streams = JsonChild(j, "streams");
  if (!streams.is_array() || streams.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": ffprobe -count_packets found no video stream"));
  }
  info.frame_count = JsonInt(streams[0], "nb_read_packets");
  return absl::OkStatus();
}

absl::Status ApplyMkvmergeIdentify(absl::string_view text, const std::string& file,
                                   MediaInfo& info) {
  ASSIGN_OR_RETURN(const json j, ParseObject(text, file, "mkvmerge -J"));
  const json& container = JsonChild(j, "container");
  if (!JsonBool(container, "recognized")) {
    std::vector<std::string> errors;
    for (const json& e : JsonChild(j, "errors")) {
      if (e.is_string()) errors.push_back(e.get<std::string>());
    }
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": mkvmerge does not recognise the file as a container",
                     errors.empty() ? "" : absl::StrCat(" (", absl::StrJoin(errors, "; "), ")")));
  }
  info.container = JsonString(container, "type");
  info.tracks.clear();
  for (const json& t : JsonChild(j, "tracks")) {
    const json& p = JsonChild(t, "properties");
    info.tracks.push_back(TrackInfo{
        static_cast<int>(JsonInt(t, "id")), JsonString(t, "type"), JsonString(p, "codec_id"),
        JsonString(p, "language", "und"), JsonString(p, "track_name"), JsonBool(p, "default_track"),
        JsonBool(p, "forced_track"), JsonInt(p, "minimum_timestamp", -1)});
  }
  info.attachments.clear();
  for (const json& a : JsonChild(j, "attachments")) {
    info.attachments.push_back(AttachmentInfo{JsonString(a, "file_name"),
                                              JsonString(a, "content_type"), JsonInt(a, "size")});
  }
  info.chapters = 0;
  for (const json& c : JsonChild(j, "chapters")) {
    info.chapters += static_cast<int>(JsonInt(c, "num_entries"));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::agent::media
