// `mkv-agent --check`: whether this VM can run jobs with this config, before the service starts.
#pragma once

#include <vector>

#include "agent/agent_config.h"
#include "common/doctor/check_report.h"

namespace mkvfleet::agent {

// Runs every check and returns one line each, in this order: the media tools (config.tool_paths
// or PATH), free space in the work dir (its nearest existing parent when not created yet), each
// library root (config.library_roots with config.library_marker; a warning when none is known),
// the coordinator (reachable, agent token accepted) and the clock skew against it. Changes
// nothing anywhere: the coordinator is asked its time, nobody is registered.
std::vector<doctor::CheckLine> RunAgentChecks(const AgentConfig& config);

}  // namespace mkvfleet::agent
