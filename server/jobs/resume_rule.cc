// The resume rule: finished-step prefix limited by artifact reachability.
#include "server/jobs/resume_rule.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::server {

ResumePoint ComputeResume(const std::vector<StepRecord>& steps, const std::string& agent,
                          bool assembling_chunks) {
  int next = 0;
  bool before_encode = assembling_chunks;
  for (const StepRecord& step : steps) {
    if (step.index != next) break;
    if (step.name == "encode") before_encode = false;
    if (step.state != StepState::kDone && step.state != StepState::kSkipped) break;
    for (const Artifact& a : step.checkpoint.artifacts) {
      if (before_encode) break;
      if (a.location == ArtifactLocation::kAgentLocal && a.agent != agent) {
        return {next, absl::StrCat("agent ", agent, " starts at step ", next, " (", step.name,
                                   "): artifact '", a.name, "' of that step is local to agent ",
                                   a.agent, "; ", next == 0 ? "nothing" : "earlier steps",
                                   " reused")};
      }
    }
    ++next;
  }
  if (next == 0) return {0, absl::StrCat("agent ", agent, " starts from the first step")};
  const StepRecord& last = steps[next - 1];
  return {next, absl::StrCat("agent ", agent, " resumes after step ", last.index, " (", last.name,
                             "): its artifacts are reachable")};
}

}  // namespace mkvfleet::server
