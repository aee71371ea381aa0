// Mapping curves in bitstream order: pivots of all components, NLQ pivots, partitions, then the
// piece parameters of all components, then the NLQ parameters.
#include "common/dovi/rpu_mapping.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_internal.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi {
namespace {

absl::Status ParsePiece(bits::BitReader& r, const RpuHeader& h, bool last_piece,
                        MappingPiece& piece) {
  const int coef_bits = h.coefficient_bits();
  const bool fixed = h.coefficient_data_type == 0;
  const uint64_t idc = r.ReadUe();
  if (!r.ok()) return r.status("RPU: mapping_idc");
  if (idc > 1)
    return absl::InvalidArgumentError(absl::StrCat("RPU: mapping_idc ", idc, " unsupported"));
  piece.mapping_idc = static_cast<uint32_t>(idc);
  if (idc == 0) {
    PolynomialPiece& p = piece.poly;
    const uint64_t order = r.ReadUe();
    if (order > 1) {
      return absl::InvalidArgumentError(absl::StrCat("RPU: poly_order_minus1 ", order, " above 1"));
    }
    p.poly_order_minus1 = static_cast<uint32_t>(order);
    if (order == 0) p.linear_interp_flag = r.ReadFlag();
    if (order == 0 && p.linear_interp_flag) {
      const int values = last_piece ? 2 : 1;
      for (int i = 0; i < values; ++i) {
        if (fixed) p.pred_linear_interp_value_int[i] = r.ReadUe();
        p.pred_linear_interp_value[i] = r.ReadBits(coef_bits);
      }
    } else {
      for (uint32_t j = 0; j < order + 2; ++j) {
        if (fixed) p.poly_coef_int[j] = r.ReadSe();
        p.poly_coef[j] = r.ReadBits(coef_bits);
      }
    }
  } else {
    MmrPiece& m = piece.mmr;
    m.mmr_order_minus1 = static_cast<uint8_t>(r.ReadBits(2));
    if (m.mmr_order_minus1 > 2) {
      return absl::InvalidArgumentError("RPU: mmr_order_minus1 3 above 2");
    }
    if (fixed) m.mmr_constant_int = r.ReadSe();
    m.mmr_constant = r.ReadBits(coef_bits);
    for (int j = 0; j <= m.mmr_order_minus1; ++j) {
      for (int k = 0; k < kMmrMaxCoeffs; ++k) {
        if (fixed) m.mmr_coef_int[j][k] = r.ReadSe();
        m.mmr_coef[j][k] = r.ReadBits(coef_bits);
      }
    }
  }
  return r.status("RPU: mapping piece");
}

void WritePiece(const MappingPiece& piece, const RpuHeader& h, bool last_piece,
                bits::BitWriter& w) {
  const int coef_bits = h.coefficient_bits();
  const bool fixed = h.coefficient_data_type == 0;
  w.WriteUe(piece.mapping_idc);
  if (piece.mapping_idc == 0) {
    const PolynomialPiece& p = piece.poly;
    w.WriteUe(p.poly_order_minus1);
    if (p.poly_order_minus1 == 0) w.WriteFlag(p.linear_interp_flag);
    if (p.poly_order_minus1 == 0 && p.linear_interp_flag) {
      const int values = last_piece ? 2 : 1;
      for (int i = 0; i < values; ++i) {
        if (fixed) w.WriteUe(p.pred_linear_interp_value_int[i]);
        w.WriteBits(p.pred_linear_interp_value[i], coef_bits);
      }
    } else {
      for (uint32_t j = 0; j < p.poly_order_minus1 + 2; ++j) {
        if (fixed) w.WriteSe(p.poly_coef_int[j]);
        w.WriteBits(p.poly_coef[j], coef_bits);
      }
    }
  } else {
    const MmrPiece& m = piece.mmr;
    w.WriteBits(m.mmr_order_minus1, 2);
    if (fixed) w.WriteSe(m.mmr_constant_int);
    w.WriteBits(m.mmr_constant, coef_bits);
    for (int j = 0; j <= m.mmr_order_minus1; ++j) {
      for (int k = 0; k < kMmrMaxCoeffs; ++k) {
        if (fixed) w.WriteSe(m.mmr_coef_int[j][k]);
        w.WriteBits(m.mmr_coef[j][k], coef_bits);
      }
    }
  }
}

}  // namespace

void ReshapingCurve::SetIdentity() {
  num_pivots_minus2 = 0;
  pred_pivot_value = {};
  pred_pivot_value[1] = 1023;
  pieces.clear();
  pieces.emplace_back();  // constructed in place: no temporary to copy
  PolynomialPiece& p = pieces[0].poly;
  p.poly_coef_int = {0, 1, 0};  // y = 0 + 1 * x
}

bool ReshapingCurve::IsIdentity() const {
  if (num_pivots_minus2 != 0 || pred_pivot_value[0] != 0 || pred_pivot_value[1] != 1023 ||
      pieces.size() != 1 || pieces[0].mapping_idc != 0) {
    return false;
  }
  const PolynomialPiece& p = pieces[0].poly;
  return p.poly_order_minus1 == 0 && !p.linear_interp_flag && p.poly_coef_int[0] == 0 &&
         p.poly_coef_int[1] == 1 && p.poly_coef[0] == 0 && p.poly_coef[1] == 0;
}

namespace {

// Where the piece at bit `pos` ends as ParsePiece reads it, when it reads it without error; 0
// when ParsePiece must decide (an error, a long code, or too near the end of the data to read
// whole words). Only what decides the length or an error is decoded.
using internal::PeekBits64;

size_t FastPieceEnd(absl::Span<const uint8_t> data, size_t pos, const RpuHeader& h,
                    bool last_piece) {
  const uint8_t* const d = data.data();
  const size_t size = data.size();
  if (size < 8) return 0;
  // A whole word can be read at bit `pos` exactly when (pos >> 3) + 8 <= size, i.e. pos <= last.
  const size_t last = 8 * (size - 8) + 7;
  const size_t coef_bits = static_cast<size_t>(h.coefficient_bits());
  const bool fixed = h.coefficient_data_type == 0;
  // The leading zeros of the code at `pos`, from a word that has them all (at most 28, so its
  // 1 bit is among the 57 bits the word surely holds); -1 when unsure. `| 1` keeps the count
  // defined for a zero word (63, then refused).
  auto zeros_at = [&](size_t at) -> int {
    if (at > last) return -1;
    const int zeros = __builtin_clzll(PeekBits64(d, at) | 1);
    return zeros > 28 ? -1 : zeros;
  };
  // Reads one ue(v) into `value`; false when unsure.
  auto code = [&](uint64_t* value) {
    const int zeros = zeros_at(pos);
    if (zeros < 0) return false;
    const int len = 2 * zeros + 1;
    *value = (PeekBits64(d, pos) >> (64 - len)) - 1;
    pos += static_cast<size_t>(len);
    return true;
  };
  // `count` coefficients: an optional se(v) integer part (only its length matters), then
  // coef_bits.
  auto coefficients = [&](uint32_t count) {
    if (!fixed) {
      pos += count * coef_bits;
      return true;
    }
    for (uint32_t i = 0; i < count; ++i) {
      const int zeros = zeros_at(pos);
      if (zeros < 0) return false;
      pos += static_cast<size_t>(2 * zeros + 1) + coef_bits;
    }
    return true;
  };
  uint64_t idc = 0;
  if (!code(&idc) || idc > 1) return 0;
  if (idc == 0) {
    uint64_t order = 0;
    if (!code(&order) || order > 1) return 0;
    bool linear = false;
    if (order == 0) {
      if (pos > last) return 0;
      linear = (PeekBits64(d, pos) >> 63) != 0;
      pos += 1;
    }
    const uint32_t count = linear ? (last_piece ? 2 : 1) : static_cast<uint32_t>(order) + 2;
    if (!coefficients(count)) return 0;
  } else {
    if (pos > last) return 0;
    const uint64_t order = PeekBits64(d, pos) >> 62;
    pos += 2;
    if (order > 2 || !coefficients(1 + kMmrMaxCoeffs * (static_cast<uint32_t>(order) + 1))) {
      return 0;
    }
  }
  return pos <= 8 * size ? pos : 0;
}

// ParseRpuMapping; with `lean`, the pieces are checked but not kept and their place is recorded.
absl::Status ParseRpuMappingImpl(bits::BitReader& r, const RpuHeader& h, RpuMapping& m,
                                 internal::LeanLayout* lean) {
  // m = RpuMapping(), keeping the capacity of the piece lists (a reused mapping then needs no
  // allocation when a conversion sets a curve).
  for (ReshapingCurve& curve : m.curves) {
    curve.num_pivots_minus2 = 0;
    curve.pred_pivot_value = {};
    curve.pieces.clear();
  }
  m.vdr_rpu_id = m.mapping_color_space = m.mapping_chroma_format_idc = 0;
  m.num_x_partitions_minus1 = m.num_y_partitions_minus1 = 0;
  m.nlq.reset();
  if (lean != nullptr) lean->mapping_begin_bit = r.position();
  m.vdr_rpu_id = r.ReadUe();
  m.mapping_color_space = r.ReadUe();
  m.mapping_chroma_format_idc = r.ReadUe();
  for (ReshapingCurve& curve : m.curves) {
    const uint64_t n = r.ReadUe();
    if (!r.ok()) return r.status("RPU: num_pivots_minus2");
    if (n > kMaxPivots - 2) {
      return absl::InvalidArgumentError(absl::StrCat("RPU: num_pivots_minus2 ", n, " above 7"));
    }
    curve.num_pivots_minus2 = static_cast<uint32_t>(n);
    for (int i = 0; i < curve.num_pivots(); ++i) {
      curve.pred_pivot_value[i] = static_cast<uint16_t>(r.ReadBits(h.bl_bit_depth()));
    }
  }
  if (lean != nullptr) lean->nlq_pivots_begin_bit = r.position();
  if (h.has_nlq()) {
    m.nlq.emplace();
    RETURN_IF_ERROR(ParseNlqPivots(r, h, *m.nlq));
  }
  if (lean != nullptr) lean->partitions_begin_bit = r.position();
  m.num_x_partitions_minus1 = r.ReadUe();
  m.num_y_partitions_minus1 = r.ReadUe();
  if (!r.ok()) return r.status("RPU: rpu_data_mapping");
  if (lean != nullptr) {
    lean->had_mapping = true;
    lean->pieces_begin_bit = r.position();
    lean->coefficient_data_type = h.coefficient_data_type;
    lean->coefficient_log2_denom = h.coefficient_log2_denom;
    lean->vdr_rpu_id = m.vdr_rpu_id;
    lean->mapping_color_space = m.mapping_color_space;
    lean->mapping_chroma_format_idc = m.mapping_chroma_format_idc;
    lean->num_x_partitions_minus1 = m.num_x_partitions_minus1;
    lean->num_y_partitions_minus1 = m.num_y_partitions_minus1;
    const absl::Span<const uint8_t> data = r.data();
    size_t pos = r.position();
    for (int c = 0; c < kNumComponents; ++c) {
      const uint32_t pieces = m.curves[c].num_pivots_minus2 + 1;
      lean->num_pivots_minus2[c] = m.curves[c].num_pivots_minus2;
      lean->pred_pivot_value[c] = m.curves[c].pred_pivot_value;
      for (uint32_t i = 0; i < pieces; ++i) {
        const bool last = i + 1 == pieces;
        if (const size_t end = FastPieceEnd(data, pos, h, last); end != 0) {
          pos = end;
          continue;
        }
        r.Skip(pos - r.position());
        MappingPiece scratch;
        RETURN_IF_ERROR(ParsePiece(r, h, last, scratch));
        pos = r.position();
      }
    }
    r.Skip(pos - r.position());
    lean->pieces_end_bit = r.position();
    if (m.nlq) {
      RETURN_IF_ERROR(ParseNlqParams(r, h, *m.nlq));
      lean->had_nlq = true;
      lean->nlq = *m.nlq;
    }
    lean->mapping_end_bit = r.position();
    return absl::OkStatus();
  }
  for (ReshapingCurve& curve : m.curves) {
    curve.pieces.resize(curve.num_pivots_minus2 + 1);
    for (size_t i = 0; i < curve.pieces.size(); ++i) {
      const bool last = i + 1 == curve.pieces.size();
      RETURN_IF_ERROR(ParsePiece(r, h, last, curve.pieces[i]));
    }
  }
  if (m.nlq) return ParseNlqParams(r, h, *m.nlq);
  return absl::OkStatus();
}

}  // namespace

absl::Status internal::CheckRpuMappingWritable(const RpuMapping& m, const RpuHeader& h,
                                               bool pieces_given) {
  if (m.nlq.has_value() != h.has_nlq()) {
    return absl::InvalidArgumentError(h.has_nlq()
                                          ? "RPU: header asks for NLQ data, mapping has none"
                                          : "RPU: mapping has NLQ data the header forbids");
  }
  if (pieces_given) {
    for (const ReshapingCurve& curve : m.curves) {
      if (curve.num_pivots_minus2 > kMaxPivots - 2 ||
          curve.pieces.size() != curve.num_pivots_minus2 + 1) {
        return absl::InvalidArgumentError(absl::StrCat("RPU: curve with num_pivots_minus2 ",
                                                       curve.num_pivots_minus2, " has ",
                                                       curve.pieces.size(), " pieces"));
      }
    }
  }
  return absl::OkStatus();
}

void internal::WriteRpuMappingHead(const RpuMapping& m, const RpuHeader& h, bits::BitWriter& w) {
  w.WriteUe(m.vdr_rpu_id);
  w.WriteUe(m.mapping_color_space);
  w.WriteUe(m.mapping_chroma_format_idc);
  for (const ReshapingCurve& curve : m.curves) {
    w.WriteUe(curve.num_pivots_minus2);
    for (int i = 0; i < curve.num_pivots(); ++i)
      w.WriteBits(curve.pred_pivot_value[i], h.bl_bit_depth());
  }
}

absl::Status ParseRpuMapping(bits::BitReader& r, const RpuHeader& h, RpuMapping& m) {
  return ParseRpuMappingImpl(r, h, m, nullptr);
}

absl::Status internal::ParseRpuMappingLean(bits::BitReader& r, const RpuHeader& h, RpuMapping& m,
                                           LeanLayout& layout) {
  return ParseRpuMappingImpl(r, h, m, &layout);
}

absl::Status WriteRpuMapping(const RpuMapping& m, const RpuHeader& h, bits::BitWriter& w) {
  RETURN_IF_ERROR(internal::CheckRpuMappingWritable(m, h, true));
  internal::WriteRpuMappingHead(m, h, w);
  if (m.nlq) WriteNlqPivots(*m.nlq, h, w);
  w.WriteUe(m.num_x_partitions_minus1);
  w.WriteUe(m.num_y_partitions_minus1);
  for (const ReshapingCurve& curve : m.curves) {
    for (size_t i = 0; i < curve.pieces.size(); ++i) {
      WritePiece(curve.pieces[i], h, i + 1 == curve.pieces.size(), w);
    }
  }
  if (m.nlq) WriteNlqParams(*m.nlq, h, w);
  return absl::OkStatus();
}

}  // namespace mkvfleet::dovi
