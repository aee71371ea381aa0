// Reading and writing extension blocks through each level's Fields() list, with the length
// deciding which optional trailing fields are present.
#include "common/dovi/dm_ext_blocks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_internal.h"

namespace mkvfleet::dovi {

uint64_t internal::MinBlockLength(uint8_t level) {
  switch (level) {
    case 1:
      return 5;
    case 2:
      return 11;
    case 3:
      return 5;
    case 4:
      return 3;
    case 5:
      return 7;
    case 6:
      return 8;
    case 8:
      return 10;
    case 9:
      return 1;
    case 10:
      return 5;
    case 11:
      return 4;
    case 254:
      return 2;
    case 255:
      return 6;
    default:
      return 0;
  }
}

bool internal::IsCmV29Level(uint8_t l) {
  return l == 1 || l == 2 || l == 4 || l == 5 || l == 6 || l == 255;
}
bool internal::IsCmV40Level(uint8_t l) {
  return l == 3 || l == 8 || l == 9 || l == 10 || l == 11 || l == 254;
}

namespace {

using internal::IsCmV29Level;
using internal::IsCmV40Level;
using internal::MinBlockLength;

DmBlockPayload EmptyPayload(uint8_t level) {
  switch (level) {
    case 1:
      return DmLevel1();
    case 2:
      return DmLevel2();
    case 3:
      return DmLevel3();
    case 4:
      return DmLevel4();
    case 5:
      return DmLevel5();
    case 6:
      return DmLevel6();
    case 8:
      return DmLevel8();
    case 9:
      return DmLevel9();
    case 10:
      return DmLevel10();
    case 11:
      return DmLevel11();
    case 254:
      return DmLevel254();
    case 255:
      return DmLevel255();
    default:
      return DmReservedBlock();
  }
}

// Visits fields in order while they fit in `budget` bits; the first that does not fit ends it.
struct BudgetReader {
  bits::BitReader& r;
  uint64_t budget;
  bool stopped = false;
  template <class T>
  void operator()(T& field, int bits) {
    if (stopped || static_cast<uint64_t>(bits) > budget) {
      stopped = true;
      return;
    }
    field = static_cast<T>(r.ReadBits(bits));
    budget -= bits;
  }
};

struct BudgetWriter {
  bits::BitWriter& w;
  uint64_t budget;
  bool stopped = false;
  template <class T>
  void operator()(const T& field, int bits) {
    if (stopped || static_cast<uint64_t>(bits) > budget) {
      stopped = true;
      return;
    }
    w.WriteBits(field, bits);
    budget -= bits;
  }
};

}  // namespace

const char* CmVersionName(CmVersion v) { return v == CmVersion::kV29 ? "2.9" : "4.0"; }

namespace {

// Adds up the bits of the fields that fit in `budget`, as BudgetReader would read them.
struct BudgetCounter {
  uint64_t budget;
  bool stopped = false;
  template <class T>
  void operator()(const T&, int bits) {
    if (stopped || static_cast<uint64_t>(bits) > budget) {
      stopped = true;
      return;
    }
    budget -= bits;
  }
};

template <class T>
uint64_t FieldBits(uint64_t budget) {
  constexpr T kZero{};
  BudgetCounter counter{budget};
  T::Fields(kZero, counter);
  return budget - counter.budget;
}

}  // namespace

uint64_t internal::LevelFieldBits(uint8_t level, uint64_t budget) {
  switch (level) {
    case 1:
      return FieldBits<DmLevel1>(budget);
    case 2:
      return FieldBits<DmLevel2>(budget);
    case 3:
      return FieldBits<DmLevel3>(budget);
    case 4:
      return FieldBits<DmLevel4>(budget);
    case 5:
      return FieldBits<DmLevel5>(budget);
    case 6:
      return FieldBits<DmLevel6>(budget);
    case 8:
      return FieldBits<DmLevel8>(budget);
    case 9:
      return FieldBits<DmLevel9>(budget);
    case 10:
      return FieldBits<DmLevel10>(budget);
    case 11:
      return FieldBits<DmLevel11>(budget);
    case 254:
      return FieldBits<DmLevel254>(budget);
    case 255:
      return FieldBits<DmLevel255>(budget);
    default:
      return 0;
  }
}

namespace {

using internal::LevelFieldBits;

// ParseDmExtBlock, and with block == nullptr the same checks in the same order without keeping
// the values: the field values are never checked, only the header, the length and the zero bits
// after the fields, so those are all a check needs to read.
absl::Status ParseDmExtBlockImpl(bits::BitReader& r, CmVersion version, DmExtBlock* block) {
  const uint64_t ext_block_length = r.ReadUe();
  const uint8_t level = static_cast<uint8_t>(r.ReadBits(8));
  if (block != nullptr) {
    block->ext_block_length = ext_block_length;
    block->ext_block_level = level;
  }
  if (!r.ok()) return r.status("RPU: ext_metadata_block header");
  const bool other_version = version == CmVersion::kV29 ? IsCmV40Level(level) : IsCmV29Level(level);
  if (other_version) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RPU: level ", level, " extension block not allowed in CM v", CmVersionName(version)));
  }
  if (ext_block_length > r.bits_left() / 8) {
    return absl::InvalidArgumentError(absl::StrCat("RPU: level ", level, " block length ",
                                                   ext_block_length,
                                                   " runs past the end of the RPU"));
  }
  if (ext_block_length < MinBlockLength(level)) {
    return absl::InvalidArgumentError(absl::StrCat("RPU: level ", level, " block length ",
                                                   ext_block_length, " shorter than ",
                                                   MinBlockLength(level)));
  }
  uint64_t left = ext_block_length * 8;  // bits of the block after the fields
  if (block == nullptr) {
    if (MinBlockLength(level) == 0) {  // unknown level: raw bytes, nothing to check
      r.Skip(left);
      return r.status("RPU: reserved extension block");
    }
    const uint64_t fields = LevelFieldBits(level, left);
    r.Skip(fields);
    left -= fields;
  } else {
    block->payload = EmptyPayload(level);
    if (auto* raw = std::get_if<DmReservedBlock>(&block->payload)) {
      raw->bytes.resize(ext_block_length);
      for (uint8_t& b : raw->bytes) b = static_cast<uint8_t>(r.ReadBits(8));
      return r.status("RPU: reserved extension block");
    }
    BudgetReader reader{r, left};
    std::visit(
        [&](auto& payload) {
          using T = std::decay_t<decltype(payload)>;
          if constexpr (!std::is_same_v<T, DmReservedBlock>) T::Fields(payload, reader);
        },
        block->payload);
    left = reader.budget;
  }
  while (left > 0) {
    const int n = static_cast<int>(std::min<uint64_t>(left, 56));
    if (r.ReadBits(n) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("RPU: level ", level, " block has non-zero ext_dm_alignment_zero_bit"));
    }
    left -= n;
  }
  return r.status("RPU: extension block");
}

}  // namespace

absl::Status ParseDmExtBlock(bits::BitReader& r, CmVersion version, DmExtBlock& block) {
  return ParseDmExtBlockImpl(r, version, &block);
}

absl::Status internal::CheckDmExtBlock(bits::BitReader& r, CmVersion version) {
  return ParseDmExtBlockImpl(r, version, nullptr);
}

absl::Status WriteDmExtBlock(const DmExtBlock& block, bits::BitWriter& w) {
  const uint8_t level = block.ext_block_level;
  if (block.ext_block_length < MinBlockLength(level)) {
    return absl::InvalidArgumentError(absl::StrCat("RPU: level ", level, " block length ",
                                                   block.ext_block_length, " shorter than ",
                                                   MinBlockLength(level)));
  }
  if (const auto* raw = std::get_if<DmReservedBlock>(&block.payload)) {
    if (raw->bytes.size() != block.ext_block_length) {
      return absl::InvalidArgumentError(absl::StrCat("RPU: reserved level ", level, " block has ",
                                                     raw->bytes.size(), " bytes, length says ",
                                                     block.ext_block_length));
    }
  } else if (EmptyPayload(level).index() != block.payload.index()) {
    return absl::InvalidArgumentError(
        absl::StrCat("RPU: level ", level, " block holds another level's fields"));
  }
  w.WriteUe(block.ext_block_length);
  w.WriteBits(level, 8);
  BudgetWriter writer{w, block.ext_block_length * 8};
  std::visit(
      [&](const auto& payload) {
        using T = std::decay_t<decltype(payload)>;
        if constexpr (std::is_same_v<T, DmReservedBlock>) {
          for (uint8_t b : payload.bytes) writer(b, 8);
        } else {
          T::Fields(payload, writer);
        }
      },
      block.payload);
  for (uint64_t left = writer.budget; left > 0;) {
    const int n = static_cast<int>(std::min<uint64_t>(left, 32));
    w.WriteBits(0, n);
    left -= n;
  }
  return absl::OkStatus();
}

DmExtBlock MakeLevel1Block(uint16_t min_pq, uint16_t max_pq, uint16_t avg_pq) {
  DmExtBlock b;
  b.ext_block_length = 5;
  b.ext_block_level = 1;
  b.payload = DmLevel1{min_pq, max_pq, avg_pq};
  return b;
}

}  // namespace mkvfleet::dovi
