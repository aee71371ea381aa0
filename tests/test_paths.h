// Where tests find the source tree, the build tree and the shared Dolby Vision samples.
#pragma once

#include <string>

namespace mkvfleet::testing {

// Root of the source checkout (compile-time constant).
std::string SourceDir();
// Root of the CMake build tree (compile-time constant); binaries live under it.
std::string BinaryDir();
// Folder holding the real Dolby Vision samples: $MKVFLEET_DOVI_SAMPLES if set, else
// tests/data/dovi/ in the checkout, else ../shared/dovi-samples next to the checkout.
std::string DoviSamplesDir();
// Reads a whole file; fails the running test if it cannot.
std::string ReadFileOrFail(const std::string& path);
// A fresh empty directory under the system temp folder, removed when the process exits.
std::string MakeTempDir(const std::string& prefix);

}  // namespace mkvfleet::testing
