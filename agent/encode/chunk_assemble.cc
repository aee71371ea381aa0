// Assemble of a chunked re-encode: chunk records checked, one joining read, join checks (see the
// header).
#include "agent/encode/chunk_assemble.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/encode/chunk_files.h"
#include "agent/encode/chunk_plan.h"
#include "agent/encode/chunk_runner.h"
#include "agent/media/publish.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/output_steps.h"
#include "agent/media/step_support.h"
#include "common/chunk/manifest.h"
#include "common/chunk/rpu_slice.h"
#include "common/chunk/stream_check.h"
#include "common/dvstream/byte_io.h"
#include "common/fs/scratch_files.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

namespace fs = std::filesystem;

// One chunk file to join, with what its chunk task recorded.
struct ChunkFile {
  int index = 0;
  std::string path;  // local
  int64_t bytes = 0;
  std::string sha256;
};

// Chunk files that failed a check: they must be encoded again.
class BadChunks {
 public:
  void Add(int index, std::string reason) {
    if (std::find(indices_.begin(), indices_.end(), index) == indices_.end()) {
      indices_.push_back(index);
    }
    reasons_.push_back(absl::StrCat("chunk ", index, ": ", reason));
  }
  bool empty() const { return indices_.empty(); }
  // Unavailable (retryable) listing every reason, with the chunks attached for the coordinator.
  absl::Status ToStatus() const {
    return WithRedoChunks(
        absl::UnavailableError(absl::StrCat("chunk files failed the assembly checks and must be "
                                            "encoded again: ",
                                            absl::StrJoin(reasons_, "; "))),
        indices_);
  }

 private:
  std::vector<int> indices_;
  std::vector<std::string> reasons_;
};

const char* ChunkStatusName(ChunkStatus s) {
  switch (s) {
    case ChunkStatus::kPending:
      return "pending";
    case ChunkStatus::kRunning:
      return "running";
    case ChunkStatus::kDone:
      return "done";
    case ChunkStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

// The chunk files of ctx's task in manifest order, each checked for presence and recorded size;
// failures go to `bad`.
absl::StatusOr<std::vector<ChunkFile>> ChunkFilesOf(const StepContext& ctx,
                                                    const chunk::ChunkManifest& manifest,
                                                    BadChunks& bad) {
  std::vector<ChunkRecord> records = ctx.task().chunks;
  std::sort(records.begin(), records.end(),
            [](const ChunkRecord& a, const ChunkRecord& b) { return a.index < b.index; });
  if (records.size() != manifest.chunks.size()) {
    return absl::InternalError(absl::StrCat("the job has ", records.size(),
                                            " chunks but its manifest ", manifest.chunks.size()));
  }
  std::vector<ChunkFile> files;
  for (size_t i = 0; i < records.size(); ++i) {
    const ChunkRecord& r = records[i];
    const chunk::ManifestChunk& m = manifest.chunks[i];
    if (r.index != m.index || r.first_frame != m.first_frame || r.frames != m.frames) {
      return absl::InternalError(absl::StrCat(
          "chunk record ", r.index, " [", r.first_frame, ", +", r.frames, ") does not match the ",
          "manifest's chunk ", m.index, " [", m.first_frame, ", +", m.frames, ")"));
    }
    if (r.status != ChunkStatus::kDone) {
      return absl::UnavailableError(
          absl::StrCat("chunk ", r.index, " is not done yet (", ChunkStatusName(r.status), ")"));
    }
    const Artifact* artifact = nullptr;
    for (const Artifact& a : r.checkpoint.artifacts) {
      if (a.name == kArtifactChunk) artifact = &a;
    }
    auto sha = r.checkpoint.facts.find(kFactChunkSha256);
    if (artifact == nullptr || sha == r.checkpoint.facts.end()) {
      bad.Add(r.index, "its record has no chunk file or no sha256");
      continue;
    }
    ChunkFile f;
    f.index = r.index;
    f.path = artifact->location == ArtifactLocation::kShared ? ctx.ToLocal(artifact->path)
                                                             : artifact->path;
    f.sha256 = sha->second;
    f.bytes = artifact->size_bytes;
    if (auto b = r.checkpoint.facts.find(kFactChunkBytes); b != r.checkpoint.facts.end()) {
      absl::SimpleAtoi(b->second, &f.bytes);
    }
    std::error_code ec;
    const auto size = fs::file_size(f.path, ec);
    if (ec) {
      bad.Add(r.index, absl::StrCat(f.path, " is missing (", ec.message(), ")"));
    } else if (f.bytes > 0 && static_cast<int64_t>(size) != f.bytes) {
      bad.Add(r.index, absl::StrCat(f.path, " is ", size, " bytes, ", f.bytes, " recorded"));
    } else {
      f.bytes = static_cast<int64_t>(size);
      files.push_back(std::move(f));
    }
  }
  return files;
}

// SHA-256 over bytes fed in pieces.
class Sha256Stream {
 public:
  Sha256Stream() : md_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(md_.get(), EVP_sha256(), nullptr); }
  void Update(absl::Span<const uint8_t> bytes) {
    EVP_DigestUpdate(md_.get(), bytes.data(), bytes.size());
  }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(md_.get(), digest, &size);
    return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), size));
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> md_;
};

// Reads the chunk files one after the other as one stream, hashing each and writing every byte to
// `out` on the way; a chunk whose hash or size differs from its record goes to `bad`.
class JoiningSource final : public dvstream::ByteSource {
 public:
  JoiningSource(std::vector<ChunkFile> files, dvstream::ByteSink& out,
                const std::atomic<bool>* cancel, std::function<void(int64_t)> on_bytes)
      : files_(std::move(files)), out_(out), cancel_(cancel), on_bytes_(std::move(on_bytes)) {}

  absl::StatusOr<absl::Span<const uint8_t>> Read() override {
    while (true) {
      if (cancel_ != nullptr && cancel_->load()) return absl::CancelledError("encode cancelled");
      if (current_ == nullptr) {
        if (next_ >= files_.size()) return absl::Span<const uint8_t>();
        absl::StatusOr<std::unique_ptr<dvstream::FileSource>> opened =
            dvstream::FileSource::Open(files_[next_].path);
        if (!opened.ok()) {  // gone since it was checked: redo it like a damaged one
          bad_.Add(files_[next_].index, std::string(opened.status().message()));
          ++next_;
          continue;
        }
        current_ = *std::move(opened);
        hash_ = std::make_unique<Sha256Stream>();
        bytes_ = 0;
      }
      ASSIGN_OR_RETURN(const absl::Span<const uint8_t> data, current_->Read());
      if (data.empty()) {
        FinishFile();
        continue;
      }
      hash_->Update(data);
      bytes_ += static_cast<int64_t>(data.size());
      total_ += static_cast<int64_t>(data.size());
      RETURN_IF_ERROR(out_.Write(data));
      if (on_bytes_) on_bytes_(total_);
      return data;
    }
  }

  const BadChunks& bad() const { return bad_; }

 private:
  void FinishFile() {
    const ChunkFile& f = files_[next_];
    const std::string sha = hash_->HexDigest();
    if (bytes_ != f.bytes) {
      bad_.Add(f.index, absl::StrCat(f.path, " read ", bytes_, " bytes, ", f.bytes, " recorded"));
    } else if (sha != f.sha256) {
      bad_.Add(f.index, absl::StrCat(f.path, " has SHA-256 ", sha, ", ", f.sha256,
                                     " recorded when it was accepted"));
    }
    current_.reset();
    ++next_;
  }

  std::vector<ChunkFile> files_;
  dvstream::ByteSink& out_;
  const std::atomic<bool>* cancel_;
  std::function<void(int64_t)> on_bytes_;
  size_t next_ = 0;
  std::unique_ptr<dvstream::FileSource> current_;
  std::unique_ptr<Sha256Stream> hash_;
  int64_t bytes_ = 0;  // of the current file
  int64_t total_ = 0;
  BadChunks bad_;
};

// The y4m pixel format the manifest's decoder arguments ask for.
std::string PixFmtOf(const std::vector<std::string>& decoder_args) {
  for (size_t i = 0; i + 1 < decoder_args.size(); ++i) {
    if (decoder_args[i] == "-pix_fmt") return decoder_args[i + 1];
  }
  return "yuv420p10le";
}

// The whole converted RPU file of the manifest, checked against its hash.
absl::StatusOr<std::vector<uint8_t>> CheckedRpuFile(const std::string& folder,
                                                    const chunk::ChunkManifest& manifest) {
  const std::string path = (fs::path(folder) / manifest.rpu_file).string();
  ASSIGN_OR_RETURN(std::vector<uint8_t> rpu_file, ReadFileBytes(path));
  ASSIGN_OR_RETURN(const std::string sha, chunk::Sha256Hex(rpu_file));
  if (sha != manifest.rpu_sha256) {
    return absl::DataLossError(absl::StrCat(path, " has SHA-256 ", sha, ", the manifest ",
                                            manifest.rpu_sha256, "; reset the job to redo it"));
  }
  return rpu_file;
}

// Joins `files` into `joined` (temp name, fsync, rename) while analysing the stream.
absl::StatusOr<chunk::StreamReport> JoinAndAnalyze(StepContext& ctx, std::vector<ChunkFile> files,
                                                   const std::string& joined, int64_t frames) {
  int64_t total = 0;
  for (const ChunkFile& f : files) total += f.bytes;
  absl::StatusOr<std::unique_ptr<mkvfleet::fs::AtomicOutput>> out =
      mkvfleet::fs::AtomicOutput::Create(joined);
  if (!out.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot create ", joined, ": ", out.status().message()));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSink> sink,
                   dvstream::FileSink::Create((*out)->temp_path()));
  media::ProgressMeter meter(ctx, frames);
  JoiningSource source(std::move(files), *sink, ctx.cancel_flag(),
                       [&](int64_t read) { meter.Update(total > 0 ? frames * read / total : 0); });
  absl::StatusOr<chunk::StreamReport> report = chunk::AnalyzeStream(source);
  if (!source.bad().empty()) return source.bad().ToStatus();
  if (!report.ok()) {
    const absl::Status& s = report.status();
    if (absl::IsInvalidArgument(s) || absl::IsResourceExhausted(s)) {
      return absl::DataLossError(absl::StrCat("joined stream ", joined, ": ", s.message()));
    }
    return s;
  }
  RETURN_IF_ERROR(sink->Flush());
  sink.reset();
  RETURN_IF_ERROR(media::SyncFile((*out)->temp_path()));
  RETURN_IF_ERROR((*out)->Commit());
  RETURN_IF_ERROR(media::SyncFolder(fs::path(joined).parent_path().string()));
  meter.Update(frames, /*force=*/true);
  return report;
}

}  // namespace

absl::StatusOr<StepResult> AssembleChunks(StepContext& ctx, const media::FreeSpaceFn& free_space) {
  const Task& task = ctx.task();
  if (task.chunk_manifest.empty()) {
    return absl::InternalError("the job has chunks but no chunk manifest");
  }
  const std::string manifest_path = ctx.ToLocal(task.chunk_manifest);
  const std::string folder = fs::path(manifest_path).parent_path().string();
  ASSIGN_OR_RETURN(const std::vector<uint8_t> json, ReadFileBytes(manifest_path));
  ASSIGN_OR_RETURN(const chunk::ChunkManifest manifest,
                   chunk::ParseManifest(
                       absl::string_view(reinterpret_cast<const char*>(json.data()), json.size())));
  BadChunks bad;
  ASSIGN_OR_RETURN(std::vector<ChunkFile> files, ChunkFilesOf(ctx, manifest, bad));
  if (!bad.empty()) return bad.ToStatus();
  ASSIGN_OR_RETURN(const std::vector<uint8_t> rpu_file, CheckedRpuFile(folder, manifest));

  int64_t total = 0;
  for (const ChunkFile& f : files) total += f.bytes;
  RETURN_IF_ERROR(media::CheckFreeSpace(free_space, folder, total + media::kFreeSpaceMargin,
                                        "the joined stream"));
  const std::string joined = (fs::path(folder) / kJoinedStreamName).string();
  ctx.Log(LogLevel::kInfo, absl::StrCat("encode: assembling ", files.size(), " chunks (", total,
                                        " bytes, sizes and SHA-256 checked as they are read) "
                                        "into ",
                                        joined));
  ASSIGN_OR_RETURN(const chunk::StreamReport report,
                   JoinAndAnalyze(ctx, std::move(files), joined, manifest.frame_count));
  if (absl::Status s = chunk::CheckJoined(report, manifest, rpu_file); !s.ok()) {
    std::error_code ec;
    fs::remove(joined, ec);
    ctx.Log(LogLevel::kError, absl::StrCat("encode: the joined stream failed its checks:\n",
                                           s.message(), "\nremoved ", joined));
    return absl::DataLossError(
        absl::StrCat("joined stream ", joined, " failed its checks: ", s.message()));
  }
  ctx.Log(LogLevel::kInfo, absl::StrCat("encode: joined stream checked: ", report.access_units,
                                        " frames, an IDR at "
                                        "each of the ",
                                        manifest.chunks.size(),
                                        " chunk starts, one RPU per frame "
                                        "equal to ",
                                        manifest.rpu_file, " in display order",
                                        manifest.vbv.enabled() ? ", no VBV underflow" : ""));
  StepResult result;
  result.checkpoint.artifacts.push_back(Artifact{kArtifactEncoded, ctx.ToCoordinator(joined),
                                                 ArtifactLocation::kShared, ctx.agent_name(),
                                                 total});
  result.checkpoint.facts[kFactEncodedFrames] = absl::StrCat(report.access_units);
  result.checkpoint.facts[kFactPixFmt] = PixFmtOf(manifest.decoder_args);
  result.checkpoint.facts[media::kFactBytesWritten] = absl::StrCat(total);
  result.checkpoint.facts["chunks"] = absl::StrCat(manifest.chunks.size());
  return result;
}

}  // namespace mkvfleet::agent::encode
