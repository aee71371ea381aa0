// Per-chunk ffmpeg and x265 argv vectors.
#include "common/chunk/chunk_commands.h"

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status_macros.h"

namespace mkvfleet::chunk {
namespace {

absl::StatusOr<const ManifestChunk*> FindChunk(const ChunkManifest& manifest, int index) {
  RETURN_IF_ERROR(ValidateManifest(manifest));
  if (index < 0 || static_cast<size_t>(index) >= manifest.chunks.size()) {
    return absl::OutOfRangeError(absl::StrCat("chunk ", index, " does not exist: the manifest has ",
                                              manifest.chunks.size(), " chunks"));
  }
  return &manifest.chunks[index];
}

}  // namespace

std::string SeekSeconds(int64_t frame, int64_t fps_num, int64_t fps_den) {
  // (frame - 1/2) * den / num seconds = (2 frame - 1) * den * 10^6 / (2 num) microseconds.
  const absl::uint128 numerator = absl::uint128(static_cast<uint64_t>(2 * frame - 1)) *
                                  static_cast<uint64_t>(fps_den) * 1000000u;
  const absl::uint128 denominator = absl::uint128(static_cast<uint64_t>(fps_num)) * 2u;
  absl::uint128 micros = numerator / denominator;
  if (2 * (numerator % denominator) >= denominator) ++micros;
  return absl::StrFormat("%d.%06d", absl::Uint128Low64(micros / 1000000u),
                         absl::Uint128Low64(micros % 1000000u));
}

absl::StatusOr<std::vector<std::string>> ChunkDecoderArgv(const ChunkManifest& manifest, int index,
                                                          const std::string& ffmpeg_path,
                                                          const std::string& source_path) {
  ASSIGN_OR_RETURN(const ManifestChunk* chunk, FindChunk(manifest, index));
  std::vector<std::string> argv = {ffmpeg_path};
  if (chunk->first_frame > 0) {
    argv.insert(argv.end(),
                {"-ss", SeekSeconds(chunk->first_frame, manifest.fps_num, manifest.fps_den)});
  }
  argv.insert(argv.end(), {"-i", source_path, "-frames:v", absl::StrCat(chunk->frames)});
  argv.insert(argv.end(), manifest.decoder_args.begin(), manifest.decoder_args.end());
  argv.push_back("-");
  return argv;
}

absl::StatusOr<std::vector<std::string>> ChunkEncoderArgv(const ChunkManifest& manifest, int index,
                                                          const std::string& x265_path,
                                                          const std::string& rpu_slice_path,
                                                          const std::string& output_path) {
  ASSIGN_OR_RETURN(const ManifestChunk* chunk, FindChunk(manifest, index));
  std::vector<std::string> argv = {x265_path};
  argv.insert(argv.end(), manifest.x265_args.begin(), manifest.x265_args.end());
  argv.insert(argv.end(), {"--input", "-", "--y4m", "--frames", absl::StrCat(chunk->frames),
                           "--fps", absl::StrCat(manifest.fps_num, "/", manifest.fps_den),
                           "--no-open-gop", "--repeat-headers", "--dolby-vision-profile", "8.1",
                           "--dolby-vision-rpu", rpu_slice_path});
  const VbvSettings& vbv = manifest.vbv;
  if (vbv.enabled()) {
    argv.insert(argv.end(), {"--vbv-maxrate", absl::StrCat(vbv.maxrate_kbps), "--vbv-bufsize",
                             absl::StrCat(vbv.bufsize_kbps)});
    if (static_cast<size_t>(index) + 1 < manifest.chunks.size()) {
      argv.insert(argv.end(), {"--vbv-end", absl::StrCat(vbv.end), "--vbv-end-fr-adj",
                               absl::StrCat(vbv.end_fr_adj)});
    }
    if (index > 0) argv.insert(argv.end(), {"--vbv-init", absl::StrCat(vbv.init)});
  }
  argv.insert(argv.end(), {"--output", output_path});
  return argv;
}

}  // namespace mkvfleet::chunk
