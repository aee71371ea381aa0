// Status code mapping between Abseil and gRPC (the numeric codes are the same by design).
#include "server/rpc/grpc_status.h"

#include <string>

namespace mkvfleet::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace mkvfleet::server
