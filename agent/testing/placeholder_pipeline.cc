// The placeholder pipeline (pipeline = "placeholder"): it proves the whole backbone (claim, steps,
// checkpoints, completion) on real files without converting anything.
#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "agent/pipeline_registry.h"

namespace mkvfleet::agent {
namespace {

constexpr size_t kReadChunk = 1 << 20;
constexpr char kPlaceholderReason[] =
    "placeholder pipeline: source read and checksummed, not converted (no output written)";

// Reads the whole source once (as the real probe will), recording its size and SHA-256.
class ProbeStep final : public Step {
 public:
  std::string name() const override { return "probe"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ctx.Log(LogLevel::kWarn,
            "placeholder pipeline: the media pipeline is not built yet; this job only reads " +
                ctx.source_path() + " and writes no output");
    std::ifstream in(ctx.source_path(), std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat("cannot open source ", ctx.source_path(), ": ",
                                              std::strerror(errno)));
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    std::vector<char> buf(kReadChunk);
    int64_t total = 0;
    while (in) {
      if (ctx.cancelled()) return absl::CancelledError("probe cancelled");
      in.read(buf.data(), buf.size());
      std::streamsize got = in.gcount();
      if (got <= 0) break;
      EVP_DigestUpdate(md.get(), buf.data(), static_cast<size_t>(got));
      total += got;
    }
    if (in.bad()) {
      return absl::DataLossError(absl::StrCat("read error in ", ctx.source_path()));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md.get(), digest, &len);
    StepResult result;
    result.checkpoint.facts["size_bytes"] = absl::StrCat(total);
    result.checkpoint.facts["sha256"] =
        absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
    ctx.Log(LogLevel::kInfo, absl::StrCat("probe read ", total, " bytes sha256=",
                                          result.checkpoint.facts["sha256"]));
    return result;
  }
};

// Ends the job without producing a file. The coordinator accepts COMPLETED only with a published
// output, so the honest outcome is SKIPPED, with a reason saying why.
class PublishStep final : public Step {
 public:
  std::string name() const override { return "publish"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ctx.Log(LogLevel::kWarn, "placeholder pipeline: nothing converted, no output written");
    StepResult result;
    result.outcome = StepResult::Outcome::kSkipped;
    result.reason = kPlaceholderReason;
    return result;
  }
};

}  // namespace

std::unique_ptr<Pipeline> MakePlaceholderPipeline() {
  std::vector<std::unique_ptr<Step>> steps;
  steps.push_back(std::make_unique<ProbeStep>());
  steps.push_back(std::make_unique<PublishStep>());
  return std::make_unique<Pipeline>("placeholder", std::move(steps));
}

}  // namespace mkvfleet::agent
