// Tells what a dovi verb was given by looking at its first bytes, never at its name: an RPU file,
// an Annex B HEVC stream or a Matroska file.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::ctl {

enum class InputKind {
  kRpuFile,   // 00 00 00 01 19 ...: RPUs in the samples' format
  kAnnexB,    // zero bytes then a start code and a valid NAL header
  kMatroska,  // EBML magic 1A 45 DF A3
};

// "RPU file", "HEVC stream", "Matroska file".
absl::string_view InputKindName(InputKind kind);

// Classifies `head`, the first bytes of a file (64 are plenty). Errors: InvalidArgument "empty
// file" or "not an RPU file, HEVC stream or Matroska file".
absl::StatusOr<InputKind> ClassifyInput(absl::string_view head);

// Reads the head of `path` and classifies it. Errors name the path: NotFound, PermissionDenied,
// InvalidArgument (directory, empty, unknown content).
absl::StatusOr<InputKind> DetectInputKind(const std::string& path);

}  // namespace mkvfleet::ctl
