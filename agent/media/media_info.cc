// MediaInfo helpers and its checkpoint JSON.
#include "agent/media/media_info.h"

#include "agent/media/json_fields.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::agent::media {

using nlohmann::json;

std::vector<TrackInfo> MediaInfo::NonVideoTracks() const {
  std::vector<TrackInfo> out;
  for (const auto& t : tracks) {
    if (t.type != "video") out.push_back(t);
  }
  return out;
}

std::string MediaInfoToJson(const MediaInfo& m) {
  json tracks = json::array();
  for (const auto& t : m.tracks) {
    tracks.push_back({{"id", t.id},
                      {"type", t.type},
                      {"codec_id", t.codec_id},
                      {"language", t.language},
                      {"name", t.name},
                      {"default", t.default_track},
                      {"forced", t.forced_track},
                      {"start_ns", t.start_ns},
                      {"duration_s", t.duration_s}});
  }
  json attachments = json::array();
  for (const auto& a : m.attachments) {
    attachments.push_back(
        {{"file_name", a.file_name}, {"content_type", a.content_type}, {"size", a.size}});
  }
  json j = {
      {"size_bytes", m.size_bytes}, {"container", m.container}, {"tracks", tracks},
      {"attachments", attachments}, {"chapters", m.chapters}, {"has_video", m.has_video},
      {"video_codec", m.video_codec}, {"width", m.width}, {"height", m.height},
      {"pix_fmt", m.pix_fmt}, {"color_primaries", m.color_primaries},
      {"color_transfer", m.color_transfer}, {"color_space", m.color_space},
      {"fps_num", m.fps_num}, {"fps_den", m.fps_den}, {"frame_count", m.frame_count},
      {"duration_s", m.duration_s},
      {"dovi",
       {{"present", m.dovi.present}, {"profile", m.dovi.profile}, {"level", m.dovi.level},
        {"rpu", m.dovi.rpu_present}, {"el", m.dovi.el_present}, {"bl", m.dovi.bl_present},
        {"bl_compat_id", m.dovi.bl_compat_id}}},
      {"hdr10",
       {{"mastering_display", m.hdr10.mastering_display},
        {"mastering_text", m.hdr10.mastering_text}, {"content_light", m.hdr10.content_light},
        {"max_cll", m.hdr10.max_cll}, {"max_fall", m.hdr10.max_fall}}},
      {"rpu",
       {{"checked", m.rpu.checked}, {"rpus_seen", m.rpu.rpus_seen},
        {"packets_seen", m.rpu.packets_seen}, {"profile", m.rpu.profile},
        {"el_type", m.rpu.el_type}, {"el_nals", m.rpu.el_nals}}},
  };
  return j.dump();
}

absl::StatusOr<MediaInfo> MediaInfoFromJson(absl::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("stored media info is not a JSON object");
  }
  MediaInfo m;
  m.size_bytes = JsonInt(j, "size_bytes");
  m.container = JsonString(j, "container");
  for (const auto& t : JsonChild(j, "tracks")) {
    m.tracks.push_back(TrackInfo{
        static_cast<int>(JsonInt(t, "id")), JsonString(t, "type"), JsonString(t, "codec_id"),
        JsonString(t, "language"), JsonString(t, "name"), JsonBool(t, "default"),
        JsonBool(t, "forced"), JsonInt(t, "start_ns", -1), JsonDouble(t, "duration_s", -1)});
  }
  for (const auto& a : JsonChild(j, "attachments")) {
    m.attachments.push_back(AttachmentInfo{JsonString(a, "file_name"),
                                           JsonString(a, "content_type"), JsonInt(a, "size")});
  }
  m.chapters = static_cast<int>(JsonInt(j, "chapters"));
  m.has_video = JsonBool(j, "has_video");
  m.video_codec = JsonString(j, "video_codec");
  m.width = static_cast<int>(JsonInt(j, "width"));
  m.height = static_cast<int>(JsonInt(j, "height"));
  m.pix_fmt = JsonString(j, "pix_fmt");
  m.color_primaries = JsonString(j, "color_primaries");
  m.color_transfer = JsonString(j, "color_transfer");
  m.color_space = JsonString(j, "color_space");
  m.fps_num = static_cast<int>(JsonInt(j, "fps_num"));
  m.fps_den = static_cast<int>(JsonInt(j, "fps_den", 1));
  m.frame_count = JsonInt(j, "frame_count");
  m.duration_s = JsonDouble(j, "duration_s");
  const json& d = JsonChild(j, "dovi");
  m.dovi = DoviInfo{JsonBool(d, "present"), static_cast<int>(JsonInt(d, "profile")),
                    static_cast<int>(JsonInt(d, "level")), JsonBool(d, "rpu"),
                    JsonBool(d, "el"), JsonBool(d, "bl"),
                    static_cast<int>(JsonInt(d, "bl_compat_id"))};
  const json& h = JsonChild(j, "hdr10");
  m.hdr10 = Hdr10Info{JsonBool(h, "mastering_display"), JsonString(h, "mastering_text"),
                      JsonBool(h, "content_light"), static_cast<int>(JsonInt(h, "max_cll")),
                      static_cast<int>(JsonInt(h, "max_fall"))};
  const json& r = JsonChild(j, "rpu");
  m.rpu = RpuCheck{JsonBool(r, "checked"), static_cast<int>(JsonInt(r, "rpus_seen")),
                   static_cast<int>(JsonInt(r, "packets_seen")),
                   static_cast<int>(JsonInt(r, "profile")), JsonString(r, "el_type"),
                   JsonBool(r, "el_nals")};
  return m;
}

}  // namespace mkvfleet::agent::media
