// Where a claimed job resumes: the longest prefix of finished steps whose artifacts the claiming
// agent can reach. Pure.
//
// An artifact is reachable when it is SHARED, or AGENT_LOCAL and produced by the claiming agent.
// So the agent that ran the job before resumes after its last completed step; another agent
// resumes after the last finished step whose artifacts (and all earlier ones) it can reach, and
// redoes the rest.
#pragma once

#include <string>
#include <vector>

#include "server/jobs/job_model.h"

namespace mkvfleet::server {

struct ResumePoint {
  int from_step = 0;   // index of the first step to run
  std::string reason;  // human-readable, for the job log and Task.resume_reason
};

// `steps` sorted by index. Steps that are DONE or SKIPPED count as finished; a missing index, or a
// step in any other state, ends the prefix. With `assembling_chunks` (a chunked job whose chunks
// are all done) the steps before "encode" count as reachable whatever their artifacts: assembling
// reads only the shared chunk folder, so no agent redoes the RPU extraction to join the chunks.
ResumePoint ComputeResume(const std::vector<StepRecord>& steps, const std::string& agent,
                          bool assembling_chunks = false);

}  // namespace mkvfleet::server
