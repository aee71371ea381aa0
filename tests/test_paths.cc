// Test helpers for locating fixtures and making scratch folders.
#include "tests/test_paths.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace mkvfleet::testing {
namespace fs = std::filesystem;

std::string SourceDir() { return MKVFLEET_SOURCE_DIR; }
std::string BinaryDir() { return MKVFLEET_BINARY_DIR; }

std::string DoviSamplesDir() {
  if (const char* env = std::getenv("MKVFLEET_DOVI_SAMPLES"); env && *env) return env;
  fs::path in_tree = fs::path(SourceDir()) / "tests" / "data" / "dovi";
  if (fs::exists(in_tree / "rpu")) return in_tree.string();
  return (fs::path(SourceDir()).parent_path() / "shared" / "dovi-samples").string();
}

std::string ReadFileOrFail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read test file " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {
std::mutex temp_mu;
void RemoveTempDirs();
// Folders made by MakeTempDir; the atexit hook is registered after the vector is built, so it
// runs before the vector is destroyed.
std::vector<fs::path>& TempDirs() {
  static std::vector<fs::path> dirs;
  static const bool registered = (std::atexit(RemoveTempDirs), true);
  (void)registered;
  return dirs;
}
void RemoveTempDirs() {
  std::lock_guard<std::mutex> lock(temp_mu);
  for (const auto& d : TempDirs()) {
    std::error_code ec;
    fs::remove_all(d, ec);
  }
}
}  // namespace

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) FAIL("mkdtemp failed for " << tmpl);
  std::lock_guard<std::mutex> lock(temp_mu);
  TempDirs().emplace_back(buf.data());
  return buf.data();
}

}  // namespace mkvfleet::testing
