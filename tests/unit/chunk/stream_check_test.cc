// Stream analysis and the chunk/join checks on the real Dolby Vision HEVC samples (259 frames,
// B-frames, two IDR periods, one RPU per access unit). Expected counts come from an independent
// start-code scan in this file (every access unit of regular.hevc begins with an AUD).
#include "common/chunk/stream_check.h"

#include <catch2/catch.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "common/chunk/rpu_slice.h"
#include "common/dovi/rpu_file_bytes.h"
#include "tests/test_paths.h"

namespace mkvfleet::chunk {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Sample(const std::string& name) {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/" + name);
  return {s.begin(), s.end()};
}

StreamReport Analyze(const Bytes& stream, size_t chunk_size = 4096) {
  dvstream::MemorySource source(stream, chunk_size);
  absl::StatusOr<StreamReport> report = AnalyzeStream(source);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  return *std::move(report);
}

// What a plain scan for 00 00 01 finds in a stream whose access units each start with an AUD.
struct Scan {
  int64_t access_units = 0;
  std::vector<int64_t> idrs;
  ParameterSetNals first_parameter_sets;
  size_t second_au_offset = 0;                    // where the second AUD's start code begins
  size_t first_rpu_begin = 0, first_rpu_end = 0;  // the first type-62 NAL (after its start code)
};

Scan ScanStream(const Bytes& s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i + 3 <= s.size(); ++i) {
    if (s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 1) starts.push_back(i + 3);
  }
  Scan scan;
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t begin = starts[k];
    size_t end = k + 1 < starts.size() ? starts[k + 1] - 3 : s.size();
    while (end > begin && s[end - 1] == 0) --end;
    const int type = (s[begin] >> 1) & 0x3F;
    if (type == 35 && ++scan.access_units == 2) scan.second_au_offset = begin - 3;
    if (type == 19 || type == 20) scan.idrs.push_back(scan.access_units - 1);
    if (scan.access_units == 1 && type >= 32 && type <= 34) {
      scan.first_parameter_sets.emplace_back(s.begin() + begin, s.begin() + end);
    }
    if (type == 62 && scan.first_rpu_end == 0) {
      scan.first_rpu_begin = begin;
      scan.first_rpu_end = end;
    }
  }
  return scan;
}

std::vector<absl::Span<const uint8_t>> Payloads(const Bytes& rpu_file) {
  auto payloads = dovi::ParseRpuFile(rpu_file);
  REQUIRE(payloads.ok());
  return *payloads;
}

Bytes RpuFile(absl::Span<const absl::Span<const uint8_t>> payloads) {
  Bytes file;
  for (auto p : payloads) dovi::AppendRpuToFile(file, p);
  return file;
}

std::string Message(const absl::Status& st) {
  CHECK(st.code() == absl::StatusCode::kDataLoss);
  return std::string(st.message());
}

TEST_CASE("report of regular.hevc matches an independent scan", "[chunk][stream_check]") {
  const Bytes stream = Sample("regular.hevc");
  const Scan scan = ScanStream(stream);
  REQUIRE(scan.access_units == 259);
  REQUIRE(scan.idrs.size() == 2);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
    INFO("chunk size " << chunk);
    const StreamReport r = Analyze(stream, chunk);
    CHECK(r.access_units == 259);
    CHECK(r.au_bytes.size() == 259);
    CHECK(std::accumulate(r.au_bytes.begin(), r.au_bytes.end(), uint64_t{0}) == stream.size());
    CHECK(r.idr_decode_indices == scan.idrs);
    CHECK(r.parameter_sets == scan.first_parameter_sets);
    CHECK(r.parameter_sets.size() == 3);
    CHECK(r.one_rpu_per_au());
    CHECK(r.first_au_without_rpu == -1);
    CHECK(r.display_order_error.empty());
    CHECK(r.display_rpus == Sample("regular_rpu.bin"));
  }
}

TEST_CASE("a chunk passes with its own RPUs and parameter sets", "[chunk][stream_check]") {
  const StreamReport r = Analyze(Sample("regular.hevc"));
  const Bytes rpus = Sample("regular_rpu.bin");
  CHECK(CheckChunk(r, 259, rpus, nullptr).ok());
  CHECK(CheckChunk(r, 259, rpus, &r.parameter_sets).ok());
}

TEST_CASE("a changed RPU byte is named by its display frame", "[chunk][stream_check]") {
  const StreamReport r = Analyze(Sample("regular.hevc"));
  Bytes rpus = Sample("regular_rpu.bin");
  const auto payloads = Payloads(rpus);
  const size_t offset = payloads[100].data() - rpus.data() + payloads[100].size() / 2;
  rpus[offset] ^= 0x01;
  CHECK(Message(CheckChunk(r, 259, rpus, nullptr)) ==
        "RPU of frame 100 (display order) differs from the RPU slice");
}

TEST_CASE("a slice shifted by one frame is refused", "[chunk][stream_check]") {
  const StreamReport r = Analyze(Sample("regular.hevc"));
  const Bytes rpus = Sample("regular_rpu.bin");
  const auto payloads = Payloads(rpus);
  // The sample repeats RPUs, so the shift shows at the first frame whose RPU differs from the
  // next one.
  size_t first_change = 0;
  while (first_change + 1 < payloads.size() &&
         std::equal(payloads[first_change].begin(), payloads[first_change].end(),
                    payloads[first_change + 1].begin(), payloads[first_change + 1].end())) {
    ++first_change;
  }
  REQUIRE(first_change + 1 < payloads.size());
  // One late: RPUs 1..258 and the last one again (same count).
  std::vector<absl::Span<const uint8_t>> late(payloads.begin() + 1, payloads.end());
  late.push_back(payloads.back());
  CHECK(Message(CheckChunk(r, 259, RpuFile(late), nullptr)) ==
        "RPU of frame " + std::to_string(first_change) +
            " (display order) differs from the RPU slice");
  // One early: RPU 0 twice, then 1..257 (same count).
  std::vector<absl::Span<const uint8_t>> early = {payloads[0]};
  early.insert(early.end(), payloads.begin(), payloads.end() - 1);
  CHECK_THAT(Message(CheckChunk(r, 259, RpuFile(early), nullptr)),
             Catch::StartsWith("RPU of frame " + std::to_string(first_change + 1) + " "));
  // A slice one RPU short (the x265 --seek mistake gives one too long or misplaced).
  auto short_slice = SliceRpus(payloads, 0, 258);
  REQUIRE(short_slice.ok());
  CHECK(Message(CheckChunk(r, 259, *short_slice, nullptr)) ==
        "the stream carries 259 RPUs, the RPU slice has 258");
}

TEST_CASE("a chunk with another frame count is refused", "[chunk][stream_check]") {
  const StreamReport r = Analyze(Sample("regular.hevc"));
  const Bytes rpus = Sample("regular_rpu.bin");
  CHECK(Message(CheckChunk(r, 258, rpus, nullptr)) == "access units: 259, expected 258");
  CHECK(Message(CheckChunk(r, 260, rpus, nullptr)) == "access units: 259, expected 260");
}

TEST_CASE("a chunk that does not start with an IDR is refused", "[chunk][stream_check]") {
  const Bytes stream = Sample("regular.hevc");
  const Scan scan = ScanStream(stream);
  const Bytes rest(stream.begin() + scan.second_au_offset, stream.end());
  const StreamReport r = Analyze(rest);
  CHECK(r.access_units == 258);
  CHECK(r.idr_decode_indices == std::vector<int64_t>{scan.idrs[1] - 1});
  CHECK(r.parameter_sets.empty());  // they were in the dropped access unit
  const auto payloads = Payloads(Sample("regular_rpu.bin"));
  const std::string message = Message(CheckChunk(r, 258, RpuFile(payloads), nullptr));
  CHECK_THAT(message, Catch::StartsWith("the first access unit is not an IDR picture\n"
                                        "the first access unit has no VPS\n"
                                        "the first access unit has no SPS\n"
                                        "the first access unit has no PPS\n"));
  // Without its parameter sets the slices cannot be ordered either.
  CHECK_THAT(message, Catch::Contains("RPUs cannot be put in display order: access unit 0"));
}

TEST_CASE("parameter sets must equal the reference chunk's", "[chunk][stream_check]") {
  const StreamReport r = Analyze(Sample("regular.hevc"));
  const Bytes rpus = Sample("regular_rpu.bin");
  ParameterSetNals reference = r.parameter_sets;
  reference[1].back() ^= 0x02;
  CHECK(Message(CheckChunk(r, 259, rpus, &reference)) ==
        "parameter set NAL 1 (SPS) differs from the reference chunk's");
  reference = r.parameter_sets;
  reference.push_back(reference[2]);
  CHECK(Message(CheckChunk(r, 259, rpus, &reference)) ==
        "the first access unit has 3 parameter set NALs, the reference chunk 4");
}

TEST_CASE("access units without RPUs or with two are refused", "[chunk][stream_check]") {
  const Bytes rpus = Sample("regular_rpu.bin");
  const StreamReport bl = Analyze(Sample("regular_bl_start_code_4.hevc"));
  CHECK(bl.access_units == 259);
  CHECK(bl.aus_without_rpu == 259);
  CHECK(bl.first_au_without_rpu == 0);
  CHECK(Message(CheckChunk(bl, 259, rpus, nullptr)) ==
        "259 access units without an RPU (first: decode index 0)\n"
        "the stream carries 0 RPUs, the RPU slice has 259");

  // A copy of the first RPU NAL right after it: access unit 0 has two.
  Bytes stream = Sample("regular.hevc");
  const Scan scan = ScanStream(stream);
  Bytes twice(stream.begin(), stream.begin() + scan.first_rpu_end);
  twice.insert(twice.end(), {0, 0, 0, 1});
  twice.insert(twice.end(), stream.begin() + scan.first_rpu_begin,
               stream.begin() + scan.first_rpu_end);
  twice.insert(twice.end(), stream.begin() + scan.first_rpu_end, stream.end());
  const StreamReport r = Analyze(twice);
  CHECK(r.access_units == 259);  // read to the end although the RPU extraction stopped
  CHECK(r.aus_with_several_rpus == 1);
  CHECK(r.first_au_with_several_rpus == 0);
  CHECK_FALSE(r.one_rpu_per_au());
  CHECK(r.display_rpus.empty());
  CHECK(Message(CheckChunk(r, 259, rpus, nullptr)) ==
        "1 access units with more than one RPU (first: decode index 0)\n"
        "RPUs cannot be put in display order: access unit 0: more than one RPU NAL");
}

TEST_CASE("stream analysis errors", "[chunk][stream_check]") {
  Bytes garbage = {0x12, 0x34};
  const Bytes stream = Sample("regular.hevc");
  garbage.insert(garbage.end(), stream.begin(), stream.end());
  dvstream::MemorySource source(garbage);
  CHECK(AnalyzeStream(source).status().code() == absl::StatusCode::kInvalidArgument);

  // A source that fails after its first chunk.
  class FailingSource final : public dvstream::ByteSource {
   public:
    explicit FailingSource(const Bytes& data) : data_(data) {}
    absl::StatusOr<absl::Span<const uint8_t>> Read() override {
      if (reads_++ == 0) return absl::MakeConstSpan(data_).first(1000);
      return absl::UnavailableError("disk gone");
    }

   private:
    const Bytes& data_;
    int reads_ = 0;
  };
  FailingSource failing(stream);
  CHECK(AnalyzeStream(failing).status() == absl::UnavailableError("disk gone"));

  const StreamReport r = Analyze(stream);
  const Bytes not_rpu_file = {1, 2, 3};
  CHECK(CheckChunk(r, 259, not_rpu_file, nullptr).code() == absl::StatusCode::kInvalidArgument);
}

// A manifest for `frames` frames cut at `cuts` (no VBV unless set by the caller).
ChunkManifest JoinManifest(int64_t frames, const std::vector<int64_t>& cuts) {
  ChunkManifest m;
  m.source_path = "/src.mkv";
  m.frame_count = frames;
  m.fps_num = 24000;
  m.fps_den = 1001;
  m.rpu_file = "rpu.bin";
  m.rpu_sha256 = std::string(64, '0');
  std::vector<int64_t> bounds = {0};
  bounds.insert(bounds.end(), cuts.begin(), cuts.end());
  bounds.push_back(frames);
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    m.chunks.push_back({static_cast<int>(i), bounds[i], bounds[i + 1] - bounds[i],
                        "s" + std::to_string(i), std::string(64, '1'), "c" + std::to_string(i)});
  }
  return m;
}

TEST_CASE("a join passes with IDRs at the cuts and the whole RPU file", "[chunk][stream_check]") {
  const Bytes stream = Sample("regular.hevc");
  const int64_t second_idr = ScanStream(stream).idrs[1];
  const StreamReport r = Analyze(stream);
  const Bytes rpus = Sample("regular_rpu.bin");
  CHECK(CheckJoined(r, JoinManifest(259, {second_idr}), rpus).ok());
  ChunkManifest with_vbv = JoinManifest(259, {second_idr});
  with_vbv.vbv.maxrate_kbps = 100000;
  with_vbv.vbv.bufsize_kbps = 100000;
  CHECK(CheckJoined(r, with_vbv, rpus).ok());

  // Two whole streams back to back: POC restarts, display order carries across the join.
  Bytes two = stream;
  two.insert(two.end(), stream.begin(), stream.end());
  Bytes two_rpus = rpus;
  two_rpus.insert(two_rpus.end(), rpus.begin(), rpus.end());
  const StreamReport joined = Analyze(two);
  CHECK(joined.access_units == 518);
  CHECK(CheckJoined(joined, JoinManifest(518, {second_idr, 259, 259 + second_idr}), two_rpus).ok());
}

TEST_CASE("a join is refused with the reasons, one per line", "[chunk][stream_check]") {
  const Bytes stream = Sample("regular.hevc");
  const int64_t second_idr = ScanStream(stream).idrs[1];
  const StreamReport r = Analyze(stream);
  Bytes rpus = Sample("regular_rpu.bin");

  CHECK(Message(CheckJoined(r, JoinManifest(259, {second_idr + 1}), rpus)) ==
        "no IDR at frame " + std::to_string(second_idr + 1) + " (the first frame of chunk 1)");
  CHECK(Message(CheckJoined(r, JoinManifest(260, {second_idr}), rpus)) ==
        "access units: 259, expected 260 (frame_count)");

  ChunkManifest tight = JoinManifest(259, {second_idr});
  tight.vbv.maxrate_kbps = 1;
  tight.vbv.bufsize_kbps = 1;
  CHECK_THAT(Message(CheckJoined(r, tight, rpus)),
             Catch::StartsWith("VBV: 259 underflows (first at access unit 0, minimum fullness -"));

  const auto payloads = Payloads(rpus);
  rpus[payloads[200].data() - rpus.data() + 3] ^= 0x40;
  CHECK(Message(CheckJoined(r, JoinManifest(259, {second_idr}), rpus)) ==
        "RPU of frame 200 (display order) differs from the RPU file");

  ChunkManifest invalid = JoinManifest(259, {second_idr});
  invalid.chunks[1].first_frame += 1;
  CHECK(CheckJoined(r, invalid, rpus).code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mkvfleet::chunk
