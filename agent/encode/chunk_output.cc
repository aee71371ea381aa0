// Chunk read-back, facts and commit (see the header).
#include "agent/encode/chunk_output.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "agent/media/publish.h"
#include "common/chunk/rpu_slice.h"
#include "common/dvstream/byte_io.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

// Passes another source through, hashing and counting every byte it yields.
class HashingSource final : public dvstream::ByteSource {
 public:
  explicit HashingSource(dvstream::ByteSource& inner)
      : inner_(inner), md_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    ok_ = md_ != nullptr && EVP_DigestInit_ex(md_.get(), EVP_sha256(), nullptr) == 1;
  }
  absl::StatusOr<absl::Span<const uint8_t>> Read() override {
    ASSIGN_OR_RETURN(absl::Span<const uint8_t> chunk, inner_.Read());
    if (ok_ && !chunk.empty()) ok_ = EVP_DigestUpdate(md_.get(), chunk.data(), chunk.size()) == 1;
    bytes_ += static_cast<int64_t>(chunk.size());
    return chunk;
  }
  // Reads what is left, then returns the hex digest of everything.
  absl::StatusOr<std::string> Finish() {
    while (true) {
      ASSIGN_OR_RETURN(absl::Span<const uint8_t> chunk, Read());
      if (chunk.empty()) break;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!ok_ || EVP_DigestFinal_ex(md_.get(), digest, &size) != 1) {
      return absl::InternalError("OpenSSL could not compute a SHA-256 digest");
    }
    return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
  }
  int64_t bytes() const { return bytes_; }

 private:
  dvstream::ByteSource& inner_;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md_;
  bool ok_ = false;
  int64_t bytes_ = 0;
};

}  // namespace

absl::StatusOr<std::string> ParameterSetsSha256(const chunk::ParameterSetNals& nals) {
  std::vector<uint8_t> bytes;
  for (const std::vector<uint8_t>& nal : nals) {
    bytes.insert(bytes.end(), {0, 0, 0, 1});
    bytes.insert(bytes.end(), nal.begin(), nal.end());
  }
  return chunk::Sha256Hex(bytes);
}

absl::StatusOr<ChunkFacts> CheckChunkFile(int index, const std::string& path,
                                          int64_t expected_frames, absl::Span<const uint8_t> slice,
                                          const std::string& reference_parameter_sets_sha256) {
  const std::string who = absl::StrCat("chunk ", index, " (", path, ")");
  absl::StatusOr<std::unique_ptr<dvstream::FileSource>> file = dvstream::FileSource::Open(path);
  if (!file.ok()) {
    return absl::InternalError(
        absl::StrCat(who, ": x265's output cannot be read: ", file.status().message()));
  }
  HashingSource source(**file);
  absl::StatusOr<chunk::StreamReport> report = chunk::AnalyzeStream(source);
  absl::StatusOr<std::string> sha = report.ok() ? source.Finish() : report.status();
  if (!sha.ok()) {
    return absl::InternalError(
        absl::StrCat(who, ": x265's output cannot be read as HEVC: ", sha.status().message()));
  }
  if (absl::Status check = chunk::CheckChunk(*report, expected_frames, slice, nullptr);
      !check.ok()) {
    if (absl::IsInvalidArgument(check)) {
      return absl::InvalidArgumentError(absl::StrCat(who, ": ", check.message()));
    }
    return absl::InternalError(absl::StrCat(who, " failed its check:\n", check.message()));
  }
  ChunkFacts facts;
  facts.sha256 = *std::move(sha);
  ASSIGN_OR_RETURN(facts.parameter_sets_sha256, ParameterSetsSha256(report->parameter_sets));
  if (!reference_parameter_sets_sha256.empty() &&
      facts.parameter_sets_sha256 != reference_parameter_sets_sha256) {
    return absl::InternalError(absl::StrCat(
        who, " failed its check: its parameter sets (VPS/SPS/PPS) hash to ",
        facts.parameter_sets_sha256, ", the chunks accepted so far to ",
        reference_parameter_sets_sha256, ": it would not join them (different x265 build?)"));
  }
  facts.frames = report->access_units;
  facts.bytes = source.bytes();
  return facts;
}

absl::Status CommitChunkFile(const std::string& part, const std::string& final_path) {
  RETURN_IF_ERROR(media::SyncFile(part));
  std::error_code ec;
  std::filesystem::rename(part, final_path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", part, " to ", final_path, ": ", ec.message()));
  }
  return media::SyncFolder(std::filesystem::path(final_path).parent_path().string());
}

}  // namespace mkvfleet::agent::encode
