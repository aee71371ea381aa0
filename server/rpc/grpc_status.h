// absl::Status -> grpc::Status, so handlers return domain errors with the same code and message.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace mkvfleet::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace mkvfleet::server
