// The conversion modes as small named steps on the Rpu structs.
#include "common/dovi/rpu_convert.h"

#include "absl/strings/str_cat.h"
#include "common/bits/emulation_prevention.h"
#include "common/dovi/rpu_internal.h"
#include "common/dovi/rpu_profile.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi {
namespace {

// Profile 8.1 signalling: no EL residual, no NLQ, a single partition, BT.2020 matrices.
void ToProfile81(Rpu& rpu) {
  rpu.header.el_spatial_resampling_filter_flag = false;
  rpu.header.disable_residual_flag = true;
  if (rpu.mapping) {
    rpu.mapping->nlq.reset();
    rpu.mapping->num_x_partitions_minus1 = 0;
    rpu.mapping->num_y_partitions_minus1 = 0;
  }
  if (rpu.vdr_dm_data) rpu.vdr_dm_data->SetProfile81Matrices();
}

void SetIdentityMapping(Rpu& rpu) {
  if (!rpu.mapping) return;
  for (ReshapingCurve& curve : rpu.mapping->curves) curve.SetIdentity();
}

void ToMel(Rpu& rpu) {
  rpu.header.el_spatial_resampling_filter_flag = true;
  rpu.header.disable_residual_flag = false;
  if (rpu.mapping) {
    if (!rpu.mapping->nlq) rpu.mapping->nlq.emplace();
    rpu.mapping->nlq->MakeNeutral();
  }
}

absl::Status WrongProfile(ConversionMode mode, int profile) {
  return absl::InvalidArgumentError(absl::StrCat("RPU: conversion mode ", static_cast<int>(mode),
                                                 " does not apply to profile ", profile));
}

}  // namespace

absl::Status ConvertRpu(Rpu& rpu, ConversionMode mode) {
  const int profile = DetectProfile(rpu.header);
  const bool p7_or_p8 = profile == 7 || profile == 8;
  switch (mode) {
    case ConversionMode::kRewrite:
      return absl::OkStatus();
    case ConversionMode::kToMel:
      if (!p7_or_p8) return WrongProfile(mode, profile);
      ToMel(rpu);
      return absl::OkStatus();
    case ConversionMode::kTo81:
      if (p7_or_p8) {
        const bool fel = DetectElType(rpu) == ElType::kFel;
        ToProfile81(rpu);
        if (fel) SetIdentityMapping(rpu);
      } else if (profile == 5) {
        ToProfile81(rpu);
        rpu.header.vdr_rpu_profile = 1;
        rpu.header.bl_video_full_range_flag = false;
        SetIdentityMapping(rpu);
      } else {
        return WrongProfile(mode, profile);
      }
      return absl::OkStatus();
    case ConversionMode::kTo84:
      ToProfile81(rpu);
      rpu.header = Profile8Header();
      rpu.mapping = Profile84Mapping();
      return absl::OkStatus();
    case ConversionMode::kTo81KeepMapping:
      if (!p7_or_p8) return WrongProfile(mode, profile);
      ToProfile81(rpu);
      return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("RPU: unknown conversion mode ", static_cast<int>(mode)));
}

absl::Status ConvertRpuPayload(absl::Span<const uint8_t> payload, ConversionMode mode,
                               std::vector<uint8_t>& out) {
  // The per-frame path: a lean parse (rpu_internal.h) that keeps neither the mapping pieces nor
  // the DM extension blocks nor `remaining`, with per-thread buffers, and a write that copies
  // them, and every other section the conversion left alone, from the input. ConvertRpu never
  // reads those values: a mode either keeps them as they
  // are or replaces whole curves. A mode that reads or edits pieces or blocks in place must not
  // take this path. When a conversion changed something the copy depends on, CanWriteLean says
  // so and the RPU goes the full way.
  struct Scratch {
    std::vector<uint8_t> rbsp;
    Rpu rpu;  // reused: no allocation or release per RPU
    internal::LeanSource source;
    bits::BitWriter writer;
  };
  thread_local Scratch scratch;
  out.clear();
  {
    Rpu& rpu = scratch.rpu;
    internal::LeanSource& source = scratch.source;
    RETURN_IF_ERROR(internal::ParseRpuLean(payload, scratch.rbsp, rpu, source));
    RETURN_IF_ERROR(ConvertRpu(rpu, mode));
    if (internal::CanWriteLean(rpu, source)) {
      return internal::WriteRpuLean(rpu, source, scratch.writer, out);
    }
  }
  ASSIGN_OR_RETURN(Rpu rpu, ParseRpu(payload));
  RETURN_IF_ERROR(ConvertRpu(rpu, mode));
  ASSIGN_OR_RETURN(out, WriteRpu(rpu));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> ConvertRpuPayload(absl::Span<const uint8_t> payload,
                                                       ConversionMode mode) {
  std::vector<uint8_t> out;
  out.reserve(payload.size() + payload.size() / 2 + 1 + bits::kEmulationPreventionSlack);
  RETURN_IF_ERROR(ConvertRpuPayload(payload, mode, out));
  return out;
}

}  // namespace mkvfleet::dovi
