// Routes gRPC's own log output (gpr_log, normally "E1125 ..." lines on stderr) into spdlog at
// debug level, so a refusal stays one clear line of ours on stderr. Run with --log-level debug to
// see gRPC's details again.
#pragma once

namespace mkvfleet::log {

// Call once from main, after InitLogging and before creating any gRPC object.
void RouteGrpcLogsToSpdlog();

}  // namespace mkvfleet::log
