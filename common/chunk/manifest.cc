// Manifest validation and its strict JSON form.
#include "common/chunk/manifest.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::chunk {
namespace {

using Json = nlohmann::json;

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("manifest: ", field, " ", what));
}

// Options the argv builders (chunk_commands.h) set per chunk; a copy in the common arguments
// would silently override or contradict them. "--opt=value" counts as "--opt".
constexpr absl::string_view kDecoderOwned[] = {"-ss", "-i", "-frames:v", "-vframes", "-t", "-to"};
// clang-format off
constexpr absl::string_view kEncoderOwned[] = {
    "--input", "--y4m", "--frames", "-f", "--fps", "--open-gop", "--no-open-gop",
    "--repeat-headers", "--no-repeat-headers", "--dolby-vision-profile", "--dolby-vision-rpu",
    "--vbv-maxrate", "--vbv-bufsize", "--vbv-end", "--vbv-end-fr-adj", "--vbv-init", "--output",
    "-o", "--seek", "--chunk-start", "--chunk-end"};
// clang-format on

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), the
// only strings JSON can carry.
bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    size_t extra = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (extra > s.size() - i - 1) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char b = s[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += extra + 1;
  }
  return true;
}

absl::Status CheckText(absl::string_view field, absl::string_view value) {
  if (!IsValidUtf8(value)) return Invalid(field, "is not valid UTF-8");
  return absl::OkStatus();
}

absl::Status CheckFileName(absl::string_view field, absl::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != absl::string_view::npos) {
    return Invalid(field, absl::StrCat("must be a plain file name, got \"", name, "\""));
  }
  return CheckText(field, name);
}

absl::Status CheckSha256(absl::string_view field, absl::string_view hex) {
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
  return ok ? absl::OkStatus() : Invalid(field, "must be 64 lowercase hex digits");
}

absl::Status CheckArgs(absl::string_view field, const std::vector<std::string>& args,
                       absl::Span<const absl::string_view> owned) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string where = absl::StrCat(field, "[", i, "]");
    RETURN_IF_ERROR(CheckText(where, args[i]));
    const absl::string_view name = absl::string_view(args[i]).substr(0, args[i].find('='));
    for (absl::string_view o : owned) {
      if (name == o) return Invalid(where, absl::StrCat("\"", o, "\" is set per chunk"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckVersion(int version) {
  if (version == kManifestVersion) return absl::OkStatus();
  return Invalid("version", absl::StrCat(version, " is not supported (this build reads ",
                                         kManifestVersion, ")"));
}

absl::Status CheckFraction(absl::string_view field, double value) {
  if (!(value > 0 && value <= 1))
    return Invalid(field, absl::StrCat("must be in (0, 1], got ", value));
  return absl::OkStatus();
}

// Reads the fields of one JSON object strictly; `prefix` names the object ("chunks[2].").
class FieldReader {
 public:
  FieldReader(const Json& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  absl::StatusOr<const Json*> Get(const char* key, Json::value_t type, const char* type_name) {
    seen_.insert(key);
    auto it = object_.find(key);
    if (it == object_.end()) return Invalid(Name(key), "is missing");
    const bool ok = type == Json::value_t::number_integer ? it->is_number_integer()
                    : type == Json::value_t::number_float ? it->is_number()
                                                          : it->type() == type;
    if (!ok) return Invalid(Name(key), absl::StrCat("must be ", type_name));
    return &*it;
  }
  absl::Status Int(const char* key, int64_t* out) {
    ASSIGN_OR_RETURN(const Json* v, Get(key, Json::value_t::number_integer, "an integer"));
    if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t{INT64_MAX}) {
      return Invalid(Name(key), "is too large");
    }
    *out = v->get<int64_t>();
    return absl::OkStatus();
  }
  absl::Status Int(const char* key, int* out) {
    int64_t wide = 0;
    RETURN_IF_ERROR(Int(key, &wide));
    if (wide < INT32_MIN || wide > INT32_MAX) return Invalid(Name(key), "is out of range");
    *out = static_cast<int>(wide);
    return absl::OkStatus();
  }
  absl::Status Number(const char* key, double* out) {
    ASSIGN_OR_RETURN(const Json* v, Get(key, Json::value_t::number_float, "a number"));
    *out = v->get<double>();
    return absl::OkStatus();
  }
  absl::Status String(const char* key, std::string* out) {
    ASSIGN_OR_RETURN(const Json* v, Get(key, Json::value_t::string, "a string"));
    *out = v->get<std::string>();
    return absl::OkStatus();
  }
  absl::Status StringList(const char* key, std::vector<std::string>* out) {
    ASSIGN_OR_RETURN(const Json* v, Get(key, Json::value_t::array, "an array of strings"));
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        return Invalid(absl::StrCat(Name(key), "[", i, "]"), "must be a string");
      }
      out->push_back((*v)[i].get<std::string>());
    }
    return absl::OkStatus();
  }
  // Refuses fields that no getter asked for.
  absl::Status NoOtherFields() const {
    for (const auto& item : object_.items()) {
      if (!seen_.count(item.key())) return Invalid(Name(item.key()), "is not a manifest field");
    }
    return absl::OkStatus();
  }
  std::string Name(absl::string_view key) const { return absl::StrCat(prefix_, key); }

 private:
  const Json& object_;
  std::string prefix_;
  std::set<std::string, std::less<>> seen_;
};

absl::StatusOr<ManifestChunk> ReadChunk(const Json& object, size_t i) {
  const std::string prefix = absl::StrCat("chunks[", i, "].");
  if (!object.is_object()) return Invalid(absl::StrCat("chunks[", i, "]"), "must be an object");
  FieldReader r(object, prefix);
  ManifestChunk c;
  RETURN_IF_ERROR(r.Int("index", &c.index));
  RETURN_IF_ERROR(r.Int("first_frame", &c.first_frame));
  RETURN_IF_ERROR(r.Int("frames", &c.frames));
  RETURN_IF_ERROR(r.String("rpu_slice", &c.rpu_slice));
  RETURN_IF_ERROR(r.String("rpu_slice_sha256", &c.rpu_slice_sha256));
  RETURN_IF_ERROR(r.String("output", &c.output));
  RETURN_IF_ERROR(r.NoOtherFields());
  return c;
}

}  // namespace

absl::Status ValidateManifest(const ChunkManifest& m) {
  RETURN_IF_ERROR(CheckVersion(m.version));
  if (m.source_path.empty()) return Invalid("source_path", "is empty");
  RETURN_IF_ERROR(CheckText("source_path", m.source_path));
  if (m.frame_count < 1) {
    return Invalid("frame_count", absl::StrCat("must be at least 1, got ", m.frame_count));
  }
  if (m.fps_num < 1) return Invalid("fps_num", absl::StrCat("must be at least 1, got ", m.fps_num));
  if (m.fps_den < 1) return Invalid("fps_den", absl::StrCat("must be at least 1, got ", m.fps_den));
  RETURN_IF_ERROR(CheckFileName("rpu_file", m.rpu_file));
  RETURN_IF_ERROR(CheckSha256("rpu_sha256", m.rpu_sha256));
  RETURN_IF_ERROR(CheckArgs("decoder_args", m.decoder_args, kDecoderOwned));
  RETURN_IF_ERROR(CheckArgs("x265_args", m.x265_args, kEncoderOwned));
  if (m.vbv.maxrate_kbps < 0 || m.vbv.bufsize_kbps < 0 ||
      (m.vbv.maxrate_kbps > 0) != (m.vbv.bufsize_kbps > 0)) {
    return Invalid("vbv", absl::StrCat("maxrate_kbps and bufsize_kbps must both be 0 or both be "
                                       "positive, got ",
                                       m.vbv.maxrate_kbps, " and ", m.vbv.bufsize_kbps));
  }
  RETURN_IF_ERROR(CheckFraction("vbv.end", m.vbv.end));
  RETURN_IF_ERROR(CheckFraction("vbv.end_fr_adj", m.vbv.end_fr_adj));
  RETURN_IF_ERROR(CheckFraction("vbv.init", m.vbv.init));
  if (m.chunks.empty()) return Invalid("chunks", "is empty");
  int64_t next = 0;
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    const ManifestChunk& c = m.chunks[i];
    const std::string field = absl::StrCat("chunks[", i, "]");
    if (c.index != static_cast<int>(i)) {
      return Invalid(field + ".index", absl::StrCat("must be ", i, ", got ", c.index));
    }
    if (c.first_frame != next) {
      return Invalid(field + ".first_frame",
                     absl::StrCat("must be ", next, " (ranges are contiguous from frame 0), got ",
                                  c.first_frame));
    }
    if (c.frames < 1) {
      return Invalid(field + ".frames", absl::StrCat("must be at least 1, got ", c.frames));
    }
    if (c.frames > m.frame_count - next) {
      return Invalid(field + ".frames", absl::StrCat(c.frames, " runs past frame_count ",
                                                     m.frame_count, " (from frame ", next, ")"));
    }
    RETURN_IF_ERROR(CheckFileName(field + ".rpu_slice", c.rpu_slice));
    RETURN_IF_ERROR(CheckSha256(field + ".rpu_slice_sha256", c.rpu_slice_sha256));
    RETURN_IF_ERROR(CheckFileName(field + ".output", c.output));
    next += c.frames;
  }
  if (next != m.frame_count) {
    return Invalid("chunks",
                   absl::StrCat("cover ", next, " frames, frame_count is ", m.frame_count));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ToJson(const ChunkManifest& m) {
  RETURN_IF_ERROR(ValidateManifest(m));
  nlohmann::ordered_json chunks = nlohmann::ordered_json::array();
  for (const ManifestChunk& c : m.chunks) {
    chunks.push_back({{"index", c.index},
                      {"first_frame", c.first_frame},
                      {"frames", c.frames},
                      {"rpu_slice", c.rpu_slice},
                      {"rpu_slice_sha256", c.rpu_slice_sha256},
                      {"output", c.output}});
  }
  const nlohmann::ordered_json j = {{"version", m.version},
                                    {"source_path", m.source_path},
                                    {"frame_count", m.frame_count},
                                    {"fps_num", m.fps_num},
                                    {"fps_den", m.fps_den},
                                    {"rpu_file", m.rpu_file},
                                    {"rpu_sha256", m.rpu_sha256},
                                    {"decoder_args", m.decoder_args},
                                    {"x265_args", m.x265_args},
                                    {"vbv",
                                     {{"maxrate_kbps", m.vbv.maxrate_kbps},
                                      {"bufsize_kbps", m.vbv.bufsize_kbps},
                                      {"end", m.vbv.end},
                                      {"end_fr_adj", m.vbv.end_fr_adj},
                                      {"init", m.vbv.init}}},
                                    {"chunks", std::move(chunks)}};
  return j.dump(2);  // strings are valid UTF-8 (validated), so dump() cannot throw
}

absl::StatusOr<ChunkManifest> ParseManifest(absl::string_view json_text) {
  const Json j = Json::parse(json_text.begin(), json_text.end(), nullptr,
                             /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("manifest: not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("manifest: not a JSON object");
  FieldReader r(j, "");
  ChunkManifest m;
  RETURN_IF_ERROR(r.Int("version", &m.version));
  RETURN_IF_ERROR(CheckVersion(m.version));  // before the fields another version may lack
  RETURN_IF_ERROR(r.String("source_path", &m.source_path));
  RETURN_IF_ERROR(r.Int("frame_count", &m.frame_count));
  RETURN_IF_ERROR(r.Int("fps_num", &m.fps_num));
  RETURN_IF_ERROR(r.Int("fps_den", &m.fps_den));
  RETURN_IF_ERROR(r.String("rpu_file", &m.rpu_file));
  RETURN_IF_ERROR(r.String("rpu_sha256", &m.rpu_sha256));
  RETURN_IF_ERROR(r.StringList("decoder_args", &m.decoder_args));
  RETURN_IF_ERROR(r.StringList("x265_args", &m.x265_args));
  ASSIGN_OR_RETURN(const Json* vbv, r.Get("vbv", Json::value_t::object, "an object"));
  FieldReader v(*vbv, "vbv.");
  RETURN_IF_ERROR(v.Int("maxrate_kbps", &m.vbv.maxrate_kbps));
  RETURN_IF_ERROR(v.Int("bufsize_kbps", &m.vbv.bufsize_kbps));
  RETURN_IF_ERROR(v.Number("end", &m.vbv.end));
  RETURN_IF_ERROR(v.Number("end_fr_adj", &m.vbv.end_fr_adj));
  RETURN_IF_ERROR(v.Number("init", &m.vbv.init));
  RETURN_IF_ERROR(v.NoOtherFields());
  ASSIGN_OR_RETURN(const Json* chunks, r.Get("chunks", Json::value_t::array, "an array"));
  for (size_t i = 0; i < chunks->size(); ++i) {
    ASSIGN_OR_RETURN(ManifestChunk c, ReadChunk((*chunks)[i], i));
    m.chunks.push_back(std::move(c));
  }
  RETURN_IF_ERROR(r.NoOtherFields());
  RETURN_IF_ERROR(ValidateManifest(m));
  return m;
}

}  // namespace mkvfleet::chunk
