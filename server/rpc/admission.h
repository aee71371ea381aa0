// The first thing every gRPC handler does: check the caller's token for its API, then validate
// the request. One place, so both services admit calls the same way.
#pragma once

#include "grpcpp/server_context.h"
#include "server/rpc/grpc_status.h"
#include "server/rpc/rpc_auth.h"
#include "server/rpc/validation.h"

namespace mkvfleet::server {

// OK, or the status to return from the handler: UNAUTHENTICATED / PERMISSION_DENIED for the
// token (rpc_auth.h), INVALID_ARGUMENT for a request validation::Validate refuses.
template <typename Request>
grpc::Status AdmitCall(const grpc::ServerContext& context, Api api, const ApiTokens& tokens,
                       const Request& request) {
  if (grpc::Status auth = AuthorizeCall(context, api, tokens); !auth.ok()) return auth;
  if (absl::Status valid = validation::Validate(request); !valid.ok()) return ToGrpcStatus(valid);
  return grpc::Status::OK;
}

}  // namespace mkvfleet::server

// In a service handler (a member with `tokens_`): returns AdmitCall's refusal from the handler.
#define MKVFLEET_ADMIT_OR_RETURN(api, context, request)                                       \
  do {                                                                                        \
    if (grpc::Status admitted = ::mkvfleet::server::AdmitCall(*(context), api, tokens_,       \
                                                              *(request));                    \
        !admitted.ok()) {                                                                     \
      return admitted;                                                                        \
    }                                                                                         \
  } while (0)
