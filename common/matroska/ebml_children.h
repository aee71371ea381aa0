// Splitting a master element's data into its children, and rebuilding a master element from
// pieces: what every Tracks/Cues/Tags/Cluster edit needs.
#pragma once

#include <cstdint>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/matroska/ebml.h"

namespace mkvfleet::matroska {

// One child element inside its parent's data.
struct Child {
  ElementHeader header;
  size_t offset = 0;                  // of the child's header within the parent's data
  absl::Span<const uint8_t> data;     // the child's data
  absl::Span<const uint8_t> whole;    // header + data, as stored
};

// The children of a master element, in order. `what` names the parent in errors.
// Errors: InvalidArgument for a malformed header, a child that runs past the parent's end, or a
// child of unknown size.
absl::StatusOr<std::vector<Child>> ParseChildren(absl::Span<const uint8_t> data,
                                                 absl::string_view what);

// The first child with `id`, or nullptr.
const Child* FindChild(const std::vector<Child>& children, uint32_t id);

// The unsigned value of the first child with `id`; `fallback` when absent.
// Errors: InvalidArgument for a value of more than 8 bytes.
absl::StatusOr<uint64_t> ChildUnsigned(const std::vector<Child>& children, uint32_t id,
                                       uint64_t fallback);

}  // namespace mkvfleet::matroska
