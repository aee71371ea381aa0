// The lean write (rpu_internal.h): an Rpu from a lean parse, after a conversion, written by
// copying every section of the input whose values are still as parsed and serialising only what
// the conversion changed. Adjacent copies merge into one, and a copy at the same bit phase as
// the output is a byte copy, so an unchanged RPU costs little more than a memcpy.
#include <array>
#include <cstring>

#include "common/dovi/rpu.h"
#include "common/dovi/rpu_internal.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi::internal {
namespace {

// Collects copies of input bit ranges, merging adjacent ones; everything collected is written
// before a field is serialised (Serialise) and at the end (Flush).
class Splicer {
 public:
  Splicer(absl::Span<const uint8_t> src, bits::BitWriter& w) : src_(src), w_(w) {}

  void Copy(size_t begin, size_t end) {
    if (begin == end) return;
    if (!pending_ || begin != end_) {
      Flush();
      begin_ = begin;
      pending_ = true;
    }
    end_ = end;
  }
  // The writer, for serialising fields after what was collected.
  bits::BitWriter& Serialise() {
    Flush();
    return w_;
  }
  // Zero bits up to the output's next byte boundary. The input's alignment zeros run from
  // `from` to the byte boundary `zeros_end`: after a copy ending at `from` at the same phase
  // they are exactly the output's, and the copy extends over them.
  void AlignWithZeros(size_t from, size_t zeros_end) {
    if (pending_ && end_ == from && (w_.position() + (end_ - begin_)) % 8 == end_ % 8) {
      end_ = zeros_end;
      return;
    }
    Serialise().AlignWithZeros();
  }
  void Flush() {
    if (pending_) w_.WriteBitsFrom(src_, begin_, end_ - begin_);
    pending_ = false;
  }

 private:
  absl::Span<const uint8_t> src_;
  bits::BitWriter& w_;
  bool pending_ = false;
  size_t begin_ = 0;
  size_t end_ = 0;
};

// a == b for arrays of integers, compared as bytes (a fixed-size memcmp the compiler inlines;
// std::array's == calls memcmp).
template <class T, size_t N>
bool SameArray(const std::array<T, N>& a, const std::array<T, N>& b) {
  return std::memcmp(a.data(), b.data(), sizeof(a)) == 0;
}

// True when `h` differs from the parsed header at most in the six coded flag bits.
bool SameButFlags(const RpuHeader& h, const LeanLayout& l) {
  if (l.header_flags_bit == 0) return false;
  RpuHeader flags_as_parsed = h;
  flags_as_parsed.spatial_resampling_filter_flag = l.header.spatial_resampling_filter_flag;
  flags_as_parsed.reserved_zero_3bits = l.header.reserved_zero_3bits;
  flags_as_parsed.el_spatial_resampling_filter_flag = l.header.el_spatial_resampling_filter_flag;
  flags_as_parsed.disable_residual_flag = l.header.disable_residual_flag;
  return flags_as_parsed == l.header;
}

bool SameMappingHead(const RpuMapping& m, const RpuHeader& h, const LeanLayout& l) {
  if (h.bl_bit_depth_minus8 != l.header.bl_bit_depth_minus8 || m.vdr_rpu_id != l.vdr_rpu_id ||
      m.mapping_color_space != l.mapping_color_space ||
      m.mapping_chroma_format_idc != l.mapping_chroma_format_idc) {
    return false;
  }
  for (int c = 0; c < kNumComponents; ++c) {
    const ReshapingCurve& curve = m.curves[c];
    // All kMaxPivots values: more than those coded, which only makes this stricter.
    if (curve.num_pivots_minus2 != l.num_pivots_minus2[c] ||
        !SameArray(curve.pred_pivot_value, l.pred_pivot_value[c])) {
      return false;
    }
  }
  return true;
}

// The NLQ data codes alike: same values, same bit depths and coefficient format.
bool SameNlq(const RpuNlq& nlq, const RpuHeader& h, const LeanLayout& l) {
  return l.had_nlq && nlq == l.nlq && h.bl_bit_depth_minus8 == l.header.bl_bit_depth_minus8 &&
         h.el_bit_depth_minus8 == l.header.el_bit_depth_minus8 &&
         h.coefficient_data_type == l.header.coefficient_data_type &&
         h.coefficient_log2_denom == l.header.coefficient_log2_denom;
}

// The bits WriteRpuMapping writes for a mapping whose three curves are the identity and that has
// no NLQ data (a FEL in mode 2, profile 5 -> 8.1): they depend only on the values in the key,
// so each thread serialises them once per key and copies them after.
class IdentityMappingCache {
 public:
  // Appends WriteRpuMapping(m, h) to `w`. REQUIRES: IsIdentityMapping(m), m.nlq empty and
  // h.has_nlq() false (CheckRpuMappingWritable).
  void Write(const RpuMapping& m, const RpuHeader& h, bits::BitWriter& w) {
    const Key key{m.vdr_rpu_id,
                  m.mapping_color_space,
                  m.mapping_chroma_format_idc,
                  m.num_x_partitions_minus1,
                  m.num_y_partitions_minus1,
                  h.bl_bit_depth(),
                  h.coefficient_bits(),
                  h.coefficient_data_type};
    if (!valid_ || !(key == key_)) {
      bits::BitWriter fresh;
      // Cannot fail: the checks it makes passed (REQUIRES).
      (void)WriteRpuMapping(m, h, fresh);
      bits_ = fresh.position();
      bytes_ = fresh.Take();
      key_ = key;
      valid_ = true;
    }
    w.WriteBitsFrom(bytes_, 0, bits_);
  }

 private:
  // Everything WriteRpuMapping reads from an identity mapping without NLQ and its header.
  struct Key {
    uint64_t vdr_rpu_id, mapping_color_space, mapping_chroma_format_idc;
    uint64_t num_x_partitions_minus1, num_y_partitions_minus1;
    int bl_bit_depth, coefficient_bits;
    uint8_t coefficient_data_type;
    bool operator==(const Key&) const = default;
  };
  bool valid_ = false;
  Key key_{};
  std::vector<uint8_t> bytes_;
  size_t bits_ = 0;
};

bool IsIdentityMapping(const RpuMapping& m) {
  return m.curves[0].IsIdentity() && m.curves[1].IsIdentity() && m.curves[2].IsIdentity();
}

absl::Status WriteMapping(const RpuMapping& m, const RpuHeader& h, const LeanLayout& l,
                          Splicer& sp) {
  if (!m.curves[0].pieces.empty()) {  // curves replaced by the conversion: written in full
    if (!m.nlq && !h.has_nlq() && IsIdentityMapping(m)) {
      thread_local IdentityMappingCache cache;
      cache.Write(m, h, sp.Serialise());
      return absl::OkStatus();
    }
    return WriteRpuMapping(m, h, sp.Serialise());
  }
  RETURN_IF_ERROR(CheckRpuMappingWritable(m, h, false));
  if (SameMappingHead(m, h, l)) {
    sp.Copy(l.mapping_begin_bit, l.nlq_pivots_begin_bit);
  } else {
    WriteRpuMappingHead(m, h, sp.Serialise());
  }
  if (m.nlq) {
    if (SameNlq(*m.nlq, h, l)) {
      sp.Copy(l.nlq_pivots_begin_bit, l.partitions_begin_bit);
    } else {
      WriteNlqPivots(*m.nlq, h, sp.Serialise());
    }
  }
  if (m.num_x_partitions_minus1 == l.num_x_partitions_minus1 &&
      m.num_y_partitions_minus1 == l.num_y_partitions_minus1) {
    sp.Copy(l.partitions_begin_bit, l.pieces_begin_bit);
  } else {
    sp.Serialise().WriteUe(m.num_x_partitions_minus1);
    sp.Serialise().WriteUe(m.num_y_partitions_minus1);
  }
  sp.Copy(l.pieces_begin_bit, l.pieces_end_bit);  // CanWriteLean: coded alike
  if (m.nlq) {
    if (SameNlq(*m.nlq, h, l)) {
      sp.Copy(l.pieces_end_bit, l.mapping_end_bit);
    } else {
      WriteNlqParams(*m.nlq, h, sp.Serialise());
    }
  }
  return absl::OkStatus();
}

// The DM data up to the CM v2.9 block count (the blocks are in the copied tail).
void WriteDmHead(const VdrDmData& dm, const LeanLayout& l, Splicer& sp) {
  const VdrDmData& was = l.dm;
  if (dm.affected_dm_metadata_id == was.affected_dm_metadata_id &&
      dm.current_dm_metadata_id == was.current_dm_metadata_id &&
      dm.scene_refresh_flag == was.scene_refresh_flag) {
    sp.Copy(l.dm_begin_bit, l.dm_ids_end_bit);
  } else {
    WriteDmIds(dm, sp.Serialise());
  }
  if (!dm.compressed) {
    if (!was.compressed && SameArray(dm.ycc_to_rgb_coef, was.ycc_to_rgb_coef) &&
        SameArray(dm.ycc_to_rgb_offset, was.ycc_to_rgb_offset) &&
        SameArray(dm.rgb_to_lms_coef, was.rgb_to_lms_coef)) {
      sp.Copy(l.dm_ids_end_bit, l.dm_matrices_end_bit);
    } else {
      WriteDmMatrices(dm, sp.Serialise());
    }
    if (!was.compressed && dm.signal_eotf == was.signal_eotf &&
        dm.signal_eotf_param0 == was.signal_eotf_param0 &&
        dm.signal_eotf_param1 == was.signal_eotf_param1 &&
        dm.signal_eotf_param2 == was.signal_eotf_param2 &&
        dm.signal_bit_depth == was.signal_bit_depth &&
        dm.signal_color_space == was.signal_color_space &&
        dm.signal_chroma_format == was.signal_chroma_format &&
        dm.signal_full_range_flag == was.signal_full_range_flag &&
        dm.source_min_pq == was.source_min_pq && dm.source_max_pq == was.source_max_pq &&
        dm.source_diagonal == was.source_diagonal) {
      sp.Copy(l.dm_matrices_end_bit, l.dm_head_end_bit);
    } else {
      WriteDmSignal(dm, sp.Serialise());
    }
  }
  // CanWriteLean: the blocks are the parsed ones, so is their count.
  sp.Copy(l.dm_head_end_bit, l.dm_count_end_bit);
}

}  // namespace

absl::Status WriteRpuLean(const Rpu& rpu, const LeanSource& source, bits::BitWriter& w,
                          std::vector<uint8_t>& out) {
  RETURN_IF_ERROR(CheckSectionsPresent(rpu));
  const RpuHeader& h = rpu.header;
  const LeanLayout& l = source.layout;
  w.Clear();
  w.WriteBits(kRpuNalPrefix, 8);
  Splicer sp(source.rbsp, w);
  if (h == l.header) {
    sp.Copy(8, l.header_end_bit);
  } else if (SameButFlags(h, l)) {  // e.g. P7 -> 8.1: only the residual flags change
    sp.Copy(8, l.header_flags_bit);
    sp.Serialise().WriteBits(HeaderFlagBits(h), 6);
    sp.Copy(l.header_flags_bit + 6, l.header_end_bit);
  } else {
    WriteRpuHeader(h, sp.Serialise());
  }
  if (!h.use_prev_vdr_rpu_flag) {
    RETURN_IF_ERROR(WriteMapping(*rpu.mapping, h, l, sp));
  }
  // CanWriteLean: DM data now exactly when parsed; the zeros before the tail follow its block
  // count, or else the mapping or header.
  const size_t tail_begin_bit = 8 * l.tail_begin_byte;
  if (h.vdr_dm_metadata_present_flag) {
    WriteDmHead(*rpu.vdr_dm_data, l, sp);
    sp.AlignWithZeros(l.dm_count_end_bit, tail_begin_bit);
  } else {
    sp.AlignWithZeros(l.had_mapping ? l.mapping_end_bit : l.header_end_bit, tail_begin_bit);
  }
  sp.Copy(tail_begin_bit, 8 * l.body_end_byte);
  sp.Flush();
  FinishRpu(w, rpu.trailing_zero_bytes, out);
  return absl::OkStatus();
}

}  // namespace mkvfleet::dovi::internal
