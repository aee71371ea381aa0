// `mkvctl enqueue --chunks N|auto`: the one enqueue value that needs more checking than CLI11's
// types give (EnqueueRequest.chunks: 0 = auto, 1 = never chunk, N >= 2 = exactly N chunks).
#pragma once

#include <cstdint>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::ctl {

// "auto" (any case) -> 0, "1" -> 1, "N" (decimal digits only) with N >= 2 -> N.
// InvalidArgument naming the accepted forms for anything else: 0, a sign, text, spaces, a number
// too large for an int32. Pure.
absl::StatusOr<int32_t> ParseChunksOption(absl::string_view text);

// A CLI11 transform for an int32 option: rewrites the typed value to the number ParseChunksOption
// gives, or refuses it with ParseChunksOption's message (CLI11 then reports a usage error, which
// mkvctl exits with code 2: "--chunks: expected \"auto\" ... got \"0\"").
CLI::Validator ChunksOptionValidator();

}  // namespace mkvfleet::ctl
