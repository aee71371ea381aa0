// Helpers shared by the RPU tests: loading sample RPU files and comparing bytes readably.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace mkvfleet::dovi::testing {

// The bytes of tests/data/dovi/rpu/<name> (fails the test if missing).
std::vector<uint8_t> ReadRpuSample(const std::string& name);
// The RPU payloads of a sample RPU file, copied out (fails the test if the file does not split).
std::vector<std::vector<uint8_t>> SamplePayloads(const std::string& name);
// The only RPU payload of a one-RPU sample file.
std::vector<uint8_t> SinglePayload(const std::string& name);
// Hex dump of `bytes` for failure messages.
std::string Hex(absl::Span<const uint8_t> bytes);

}  // namespace mkvfleet::dovi::testing
