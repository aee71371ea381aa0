// Sample generation and tool helpers for the pipeline media tests (see samples.h).
#include "tests/media/pipeline/samples.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "absl/strings/escaping.h"
#include "catch2/catch.hpp"
#include "common/samplegen/sample_generator.h"
#include "common/process/subprocess.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {

const std::string& Sample(samplegen::SampleKind kind) {
  static std::map<samplegen::SampleKind, std::string>* cache =
      new std::map<samplegen::SampleKind, std::string>();
  static const std::string dir = MakeTempDir("mkvfleet-samples");
  auto it = cache->find(kind);
  if (it != cache->end()) return it->second;
  samplegen::SampleSpec spec;
  spec.kind = kind;
  const std::string path = dir + "/" + std::string(samplegen::SampleKindName(kind)) + ".mkv";
  absl::Status s = samplegen::GenerateSample(spec, path);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return cache->emplace(kind, path).first->second;
}

void CopySample(samplegen::SampleKind kind, const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::filesystem::copy_file(Sample(kind), path,
                             std::filesystem::copy_options::overwrite_existing);
}

void FfmpegCopyOfSample(samplegen::SampleKind kind, const std::string& path,
                        const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"ffmpeg", "-v", "error", "-y", "-i", Sample(kind),
                                   "-map",   "0",  "-c",    "copy"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(path);
  RunTool(argv);
}

std::string RunTool(const std::vector<std::string>& argv) {
  process::ProcessSpec spec;
  spec.argv = argv;
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  spec.timeout = absl::Minutes(2);
  absl::StatusOr<process::ProcessResult> r = process::RunProcess(spec);
  REQUIRE(r.ok());
  INFO(process::FormatArgv(argv) << ": " << r->Describe() << " " << r->stderr_tail);
  REQUIRE(r->success());
  return r->stdout_data;
}

nlohmann::json ToolJson(const std::vector<std::string>& argv) {
  nlohmann::json j = nlohmann::json::parse(RunTool(argv), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

std::string Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), buf.size());
    if (in.gcount() > 0) EVP_DigestUpdate(md.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md.get(), digest, &len);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

}  // namespace mkvfleet::testing
