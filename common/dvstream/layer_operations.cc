// Single-pass layer filters: demux, drop EL, remove RPU + EL, start-code conversion.
#include <vector>

#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/annexb_writer.h"
#include "common/dvstream/operations.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {
namespace {

// Routes the NALs of every access unit: BL NALs to `bl`, unwrapped EL NALs to `el`, RPUs to
// `rpu_to` after the unit's other NALs there. Null writers drop their part.
absl::StatusOr<StreamStats> Route(ByteSource& in, AnnexBWriter* bl, AnnexBWriter* el,
                                  AnnexBWriter* rpu_to, const RpuTransform& transform) {
  StreamStats stats;
  AccessUnitReader reader(in);
  hevc::AccessUnit au;
  std::vector<absl::Span<const uint8_t>> rpus;
  absl::Status st;
  while (st.ok()) {
    absl::StatusOr<bool> more = reader.Next(&au);
    if (!more.ok()) {
      st = more.status();
      break;
    }
    if (!*more) break;
    const uint64_t index = stats.access_units++;
    if (bl) bl->BeginAccessUnit();
    if (el) el->BeginAccessUnit();
    rpus.clear();
    for (size_t i = 0; i < au.size() && st.ok(); ++i) {
      const absl::Span<const uint8_t> nal = au.nal(i);
      if (au.type(i) == hevc::kUnspec62) {
        if (nal.size() < 3) {
          st = AtAccessUnit(absl::InvalidArgumentError("RPU NAL without a payload"), index);
        } else {
          rpus.push_back(nal.subspan(2));
        }
      } else if (au.type(i) == hevc::kUnspec63) {
        if (nal.size() < 3) {
          st = AtAccessUnit(absl::InvalidArgumentError("empty type-63 EL wrapper NAL"), index);
        } else if (el) {
          st = el->Write(nal.subspan(2));
        }
      } else if (bl) {
        st = bl->Write(nal);
      }
    }
    for (size_t i = 0; i < rpus.size() && st.ok() && rpu_to; ++i) {
      if (rpus[i].empty()) {
        st = AtAccessUnit(absl::InvalidArgumentError("RPU NAL has no payload"), index);
        break;
      }
      ++stats.rpus;
      if (!transform) {
        st = rpu_to->WriteRpu(rpus[i]);
        continue;
      }
      absl::StatusOr<std::vector<uint8_t>> rpu = transform(rpus[i]);
      if (!rpu.ok()) {
        st = AtAccessUnit(rpu.status(), index);
        break;
      }
      st = rpu_to->WriteRpu(*rpu);
    }
  }
  for (AnnexBWriter* w : {bl, el}) {
    if (w == nullptr) continue;
    absl::Status fin = w->Finish();
    if (st.ok()) st = fin;
  }
  RETURN_IF_ERROR(st);
  return stats;
}

}  // namespace

absl::StatusOr<StreamStats> Demux(ByteSource& in, ByteSink& bl_out, ByteSink* el_out,
                                  const LayerOptions& options) {
  AnnexBWriter bl(bl_out, options.style);
  if (el_out == nullptr) return Route(in, &bl, nullptr, nullptr, nullptr);
  AnnexBWriter el(*el_out, options.style);
  return Route(in, &bl, &el, &el, options.transform);
}

absl::StatusOr<StreamStats> DropEnhancementLayer(ByteSource& in, ByteSink& out,
                                                 const LayerOptions& options) {
  AnnexBWriter bl(out, options.style);
  return Route(in, &bl, nullptr, &bl, options.transform);
}

absl::StatusOr<StreamStats> ConvertStartCodes(ByteSource& in, ByteSink& out,
                                              hevc::StartCodeStyle style) {
  StreamStats stats;
  AccessUnitReader reader(in);
  AnnexBWriter writer(out, style);
  hevc::AccessUnit au;
  absl::Status st;
  while (st.ok()) {
    absl::StatusOr<bool> more = reader.Next(&au);
    if (!more.ok() || !*more) {
      st = more.status();
      break;
    }
    ++stats.access_units;
    writer.BeginAccessUnit();
    for (size_t i = 0; i < au.size() && st.ok(); ++i) {
      if (au.type(i) == hevc::kUnspec62) ++stats.rpus;
      st = writer.Write(au.nal(i));
    }
  }
  absl::Status fin = writer.Finish();
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(fin);
  return stats;
}

}  // namespace mkvfleet::dvstream
