// The chunk side of mkvctl output, apart from the job formatting it plugs into: chunk state
// names, the per-chunk --json object, the chunks table of `show`, and the one-phrase chunk summary
// of `show` and `watch`. Pure functions over generated messages; output_format.h includes this,
// so its callers see the same API. The JSON contract is documented in output_format.h.
#pragma once

#include <string>

#include "mkvfleet/v1/jobs.pb.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::ctl {

// "pending", "running", "done", "failed".
std::string ChunkStateName(v1::ChunkState state);

// One entry of a job's "chunks" array (see output_format.h).
nlohmann::json ChunkToJson(const v1::Chunk& chunk);

// A chunked job's chunks in one phrase: "3/8 done, 2 running: a1 45%, a2 12%, 1 failed";
// "" for a job without chunks.
std::string ChunkSummary(const v1::Job& job);
// How far one chunk is, 0..100: 100 when done, else frames_done over its progress total (or its
// frame count when the total is not reported yet).
int ChunkPercent(const v1::Chunk& chunk);

// The chunks table of `show`:
//   #  FRAMES  STATE  AGENT  ATTEMPTS  PROGRESS ("45% 23.1 fps eta 2m3s")  ERROR
std::string ChunksTable(const v1::Job& job);
// The "chunks:" detail line of `show`: ChunkSummary for a chunked job, else what was asked at
// enqueue ("never (--chunks 1)", "N requested"), "" for auto.
std::string ChunkingText(const v1::Job& job);

}  // namespace mkvfleet::ctl
