// libFuzzer target for the Matroska code that reads untrusted files in the direct rewrite: EBML
// element headers and child lists (walked recursively), and each edit on arbitrary element data:
// the video track and its Dolby Vision mapping (Tracks), Cues and SeekHead positions, track
// statistics (Tags), and a Cluster rewrite with a frame function that changes frame sizes. The
// first input byte chooses the edit. Errors are fine; crashes, leaks and UB are not. Built and
// run by bench/fuzz.sh.
// fuzz-sources: common/matroska/ebml.cc common/matroska/ebml_children.cc common/matroska/tracks_edit.cc common/matroska/positions_edit.cc common/matroska/tags_edit.cc common/matroska/cluster_edit.cc common/matroska/crc32.cc
#include <cstdint>
#include <vector>

#include "common/matroska/cluster_edit.h"
#include "common/matroska/ebml.h"
#include "common/matroska/ebml_children.h"
#include "common/matroska/positions_edit.h"
#include "common/matroska/tags_edit.h"
#include "common/matroska/tracks_edit.h"

namespace {

using mkvfleet::matroska::Child;

// Walks every element as a master element, to a bounded depth.
void Walk(absl::Span<const uint8_t> data, int depth) {
  if (depth > 8) return;
  absl::StatusOr<std::vector<Child>> children = mkvfleet::matroska::ParseChildren(data, "fuzz input");
  if (!children.ok()) return;
  for (const Child& c : *children) {
    (void)mkvfleet::matroska::ReadUnsigned(c.data);
    Walk(c.data, depth + 1);
  }
}

mkvfleet::matroska::LayoutMap SomeLayout() {
  mkvfleet::matroska::LayoutMap map;
  for (uint64_t i = 0; i < 8; ++i) {
    map.AddElement(i * 100, i * 90);
    map.AddCluster(1000 + i * 100, 900 + i * 90, 1012 + i * 100, 902 + i * 90);
    map.AddBlock(i * 10, i * 9);
  }
  return map;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 1) return 0;
  const uint8_t which = bytes[0];
  const absl::Span<const uint8_t> data(bytes + 1, size - 1);
  switch (which % 6) {
    case 0:
      (void)mkvfleet::matroska::ParseElementHeader(data);
      Walk(data, 0);
      break;
    case 1: {
      absl::StatusOr<mkvfleet::matroska::VideoTrackEntry> track =
          mkvfleet::matroska::FindVideoTrack(data);
      const std::vector<uint8_t> record(24, 0x5a);
      (void)mkvfleet::matroska::ReplaceDoviRecord(data, track.ok() ? track->number : 1, record,
                                                  0x64764343);  // 'dvcC'
      break;
    }
    case 2:
      (void)mkvfleet::matroska::RewriteCues(data, SomeLayout());
      break;
    case 3: {
      std::vector<uint8_t> copy(data.begin(), data.end());
      (void)mkvfleet::matroska::PatchSeekHead(absl::MakeSpan(copy), SomeLayout());
      break;
    }
    case 4:
      (void)mkvfleet::matroska::UpdateTrackStatistics(data, which, 123456789);
      break;
    case 5: {
      // Frames of the video track shrink or grow by a byte, others pass through.
      mkvfleet::matroska::ClusterEditor editor(
          1, [which](absl::Span<const uint8_t> frame, std::vector<uint8_t>& out) {
            out.insert(out.end(), frame.begin(), frame.end());
            if (which & 0x40) {
              out.push_back(0);
            } else if (!frame.empty()) {
              out.pop_back();
            }
            return absl::OkStatus();
          });
      if (editor.Edit(data, 1 + which % 8, 4096, which & 0x80 ? 777 : 0).ok()) {
        uint64_t total = 0;
        for (absl::Span<const uint8_t> piece : editor.pieces()) total += piece.size();
        if (total != editor.new_size()) __builtin_trap();  // the pieces are the new cluster
      }
      break;
    }
  }
  return 0;
}
