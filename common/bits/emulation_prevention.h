// H.265 emulation prevention (7.4.2): the 0x03 bytes that keep a NAL payload from containing a
// start code. RPUs in NAL 62 use the same escaping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace mkvfleet::bits {

// Returns the RBSP: every 0x03 that follows two zero bytes is dropped.
std::vector<uint8_t> RemoveEmulationPrevention(absl::Span<const uint8_t> escaped);
// Bytes past the result that the functions writing into a buffer may overwrite (16-byte stores).
inline constexpr size_t kEmulationPreventionSlack = 16;
// The same into `out`, which must have room for escaped.size() + kEmulationPreventionSlack
// bytes (only the first `returned` count); returns the RBSP size.
size_t RemoveEmulationPrevention(absl::Span<const uint8_t> escaped, uint8_t* out);
// Returns the escaped form: a 0x03 is inserted before any byte <= 0x03 that follows two zero
// bytes. RemoveEmulationPrevention(AddEmulationPrevention(x)) == x for every x.
std::vector<uint8_t> AddEmulationPrevention(absl::Span<const uint8_t> rbsp);
// The same, appended to `out`.
void AppendEmulationPrevention(absl::Span<const uint8_t> rbsp, std::vector<uint8_t>& out);
// The most bytes the escaped form of `n` bytes takes, plus the slack the functions writing into
// a buffer need.
inline constexpr size_t EscapedCapacity(size_t n) {
  return n + n / 2 + 1 + kEmulationPreventionSlack;
}
// The same into `out`, which must have room for EscapedCapacity(rbsp.size()) bytes (only the
// first `returned` count); returns the escaped size.
size_t AddEmulationPrevention(absl::Span<const uint8_t> rbsp, uint8_t* out);

}  // namespace mkvfleet::bits
