// Who may call which API: the coordinator's check of the bearer token in each call's metadata.
//
// Policy (decided here, documented for operators):
//   - AdminService requires the admin token when one is configured. The agent token is refused
//     there with PERMISSION_DENIED (even when no admin token is configured).
//   - AgentService requires the agent token when one is configured. The admin token is NOT
//     accepted there (PERMISSION_DENIED): each credential does one job, so a leaked agent token
//     cannot administer and the admin token is never spread over agent VMs.
//   - Missing or wrong token: UNAUTHENTICATED. Tokens are compared in constant time and never
//     logged or echoed.
// Pure and thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"

namespace mkvfleet::server {

enum class Api { kAgent, kAdmin };

struct ApiTokens {
  std::string admin;  // "" = admin API open (loopback only; enforced at startup)
  std::string agent;  // "" = agent API open
};

// `authorization` is the metadata value, nullopt when absent.
absl::Status AuthorizeRequest(Api api, const ApiTokens& tokens,
                              const std::optional<std::string>& authorization);

// Reads "authorization" from the call's client metadata and applies AuthorizeRequest, as a
// grpc::Status ready to return from a handler.
grpc::Status AuthorizeCall(const grpc::ServerContext& context, Api api, const ApiTokens& tokens);

}  // namespace mkvfleet::server
