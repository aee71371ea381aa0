// libFuzzer target over the HEVC core: Annex B splitting at fuzzer-chosen chunk sizes (checked
// against splitting in one piece), access-unit grouping with POC/slice parsing, the drop-EL and
// RPU-extraction operations, and length-prefixed packet rewriting. Any crash or sanitizer report
// is a bug; errors are fine.
// fuzz-sources: common/bits/*.cc common/hevc/*.cc common/dvstream/[abelpr]*.cc
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "common/dvstream/packet_rewriter.h"
#include "common/hevc/length_prefixed.h"
#include "common/hevc/nal_splitter.h"

namespace {

using mkvfleet::hevc::AnnexBNal;
using mkvfleet::hevc::NalSplitter;

struct Nals {
  std::vector<std::vector<uint8_t>> data;
  std::vector<int> start_codes;
  bool ok = true;
};

Nals SplitInChunks(absl::Span<const uint8_t> data, size_t chunk) {
  Nals out;
  NalSplitter splitter(1 << 16);
  auto sink = [&](const AnnexBNal& nal) {
    out.data.emplace_back(nal.data.begin(), nal.data.end());
    out.start_codes.push_back(nal.start_code_size);
    return absl::OkStatus();
  };
  for (size_t pos = 0; pos < data.size() && out.ok; pos += chunk) {
    out.ok = splitter.Feed(data.subspan(pos, chunk), sink).ok();
  }
  if (out.ok) out.ok = splitter.Finish(sink).ok();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = 1 + bytes[0] % 17;
  const absl::Span<const uint8_t> data(bytes + 1, size - 1);

  // Chunking must not change the result.
  const Nals whole = SplitInChunks(data, data.size() + 1);
  const Nals pieces = SplitInChunks(data, chunk);
  if (whole.ok != pieces.ok) std::abort();
  if (whole.ok && (whole.data != pieces.data || whole.start_codes != pieces.start_codes)) {
    std::abort();
  }

  using namespace mkvfleet::dvstream;
  {
    MemorySource in(data, chunk);
    MemorySink out;
    (void)DropEnhancementLayer(in, out);
  }
  {
    MemorySource in(data, chunk);
    MemorySink out;
    (void)ExtractRpus(in, out);
  }
  {
    // The raw bytes as a length-prefixed packet, then the split NALs framed as one packet.
    const int length_sizes[] = {1, 2, 4};
    PacketRewriter rewriter(length_sizes[bytes[0] % 3], {});
    (void)rewriter.Rewrite(data);
    std::vector<uint8_t> packet;
    for (const auto& nal : whole.data) {
      (void)mkvfleet::hevc::AppendLengthPrefixed(nal, rewriter.nal_length_size(), packet);
    }
    (void)rewriter.Rewrite(packet);
  }
  return 0;
}
