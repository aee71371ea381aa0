// gpr_log -> spdlog::debug.
#include "common/log/grpc_log.h"

#include <grpc/support/log.h>

#include "spdlog/spdlog.h"

namespace mkvfleet::log {
namespace {

void Forward(gpr_log_func_args* args) {
  spdlog::debug("grpc {} {}:{} {}", gpr_log_severity_string(args->severity), args->file,
                args->line, args->message);
}

}  // namespace

void RouteGrpcLogsToSpdlog() {
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_DEBUG);  // filtering happens in spdlog
  gpr_set_log_function(Forward);
}

}  // namespace mkvfleet::log
