// The fast check of extension block lists the lean parse runs once per RPU: a block's header,
// length rules and zero padding checked from a per-level table with whole-word reads. Anything
// unusual goes back to the exact CheckDmExtBlock, which owns every error message.
#include <algorithm>
#include <array>
#include <bit>

#include "common/dovi/rpu_internal.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi::internal {
namespace {

// Longest block the table covers by length; longer blocks of known levels hold all fields.
constexpr int kTableLengths = 32;

// What the check needs to know of a level.
struct LevelRule {
  bool known = false;
  bool in_v29 = false;  // a CM v2.9 level (not allowed in a CM v4.0 list)
  bool in_v40 = false;  // a CM v4.0 level (not allowed in a CM v2.9 list)
  uint8_t min_length = 0;
  uint8_t all_field_bits = 0;                       // fields of a block of any longer length
  std::array<uint8_t, kTableLengths> field_bits{};  // by ext_block_length
};

struct LevelRules {
  std::array<LevelRule, 256> by_level;
  LevelRules() {
    for (int level = 0; level < 256; ++level) {
      LevelRule& rule = by_level[level];
      const uint8_t l = static_cast<uint8_t>(level);
      rule.min_length = static_cast<uint8_t>(MinBlockLength(l));
      rule.known = rule.min_length > 0;
      rule.in_v29 = IsCmV29Level(l);
      rule.in_v40 = IsCmV40Level(l);
      rule.all_field_bits = static_cast<uint8_t>(LevelFieldBits(l, 8 * kTableLengths));
      for (int length = 0; length < kTableLengths; ++length) {
        rule.field_bits[length] = static_cast<uint8_t>(LevelFieldBits(l, 8 * length));
      }
    }
  }
};

const LevelRules& Rules() {
  static const LevelRules rules;
  return rules;
}

// The fast check of the block at bit `pos` of `data` (`size` bytes). Returns the bit after it,
// or 0 when the exact check must decide (0 is never the end of a block).
size_t FastBlockEnd(const uint8_t* data, size_t size, size_t pos, CmVersion version,
                    const LevelRules& rules) {
  if ((pos >> 3) + 8 > size) return 0;
  const uint64_t word = PeekBits64(data, pos);
  const int zeros = std::countl_zero(word);
  if (zeros > 24) return 0;  // ue(v) and the level byte must fit the 57 bits read
  const int ue_bits = 2 * zeros + 1;
  const uint64_t length = (word >> (64 - ue_bits)) - 1;
  const uint8_t level = static_cast<uint8_t>(word >> (56 - ue_bits));
  const LevelRule& rule = rules.by_level[level];
  if (version == CmVersion::kV29 ? rule.in_v40 : rule.in_v29) return 0;
  pos += ue_bits + 8;
  const size_t bits_left = size * 8 - pos;
  if (length > bits_left / 8 || length < rule.min_length) return 0;
  const size_t end = pos + length * 8;
  if (!rule.known) return end;  // raw bytes, nothing to check
  const uint64_t fields = length < kTableLengths ? rule.field_bits[length] : rule.all_field_bits;
  // ext_dm_alignment_zero_bits after the fields.
  for (size_t at = pos + fields; at < end;) {
    if ((at >> 3) + 8 > size) return 0;
    const int n = static_cast<int>(std::min<size_t>(end - at, 56));
    if ((PeekBits64(data, at) >> (64 - n)) != 0) return 0;
    at += n;
  }
  return end;
}

}  // namespace

absl::Status CheckDmExtBlocks(bits::BitReader& r, CmVersion version, uint64_t count) {
  const LevelRules& rules = Rules();
  const absl::Span<const uint8_t> data = r.data();
  size_t pos = r.position();
  for (uint64_t i = 0; i < count; ++i) {
    if (const size_t end = FastBlockEnd(data.data(), data.size(), pos, version, rules); end != 0) {
      pos = end;
      continue;
    }
    r.Skip(pos - r.position());
    RETURN_IF_ERROR(CheckDmExtBlock(r, version));
    pos = r.position();
  }
  r.Skip(pos - r.position());
  return absl::OkStatus();
}

}  // namespace mkvfleet::dovi::internal
