// How agents and mkvctl connect to the coordinator: one channel (insecure, or TLS with a CA file)
// and the bearer token added to each call's metadata.
//
// Usage:
//   mkvfleet::auth::ClientConnectOptions opts;
//   opts.target = "127.0.0.1:7450";
//   auto channel = mkvfleet::auth::MakeChannel(opts);          // StatusOr
//   if (!channel.ok()) { /* print channel.status().message(), exit 1 */ }
//   auto stub = mkvfleet::v1::AdminService::NewStub(*channel);
//   grpc::ClientContext ctx;
//   mkvfleet::auth::AddAuth(ctx, token);                        // no-op for an empty token
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace mkvfleet::auth {

struct ClientConnectOptions {
  std::string target;             // "host:port" of the coordinator
  bool use_tls = false;           // TLS when true (or when tls_ca_file is set)
  std::string tls_ca_file;        // PEM roots; "" = the system roots (only with use_tls)
  std::string tls_server_name;    // overrides the name checked in the server certificate; "" = host
};

// A channel to options.target with the message size limits of wire_limits.h (a request past
// kMaxRequestMessageBytes fails locally with RESOURCE_EXHAUSTED, a reply up to
// kMaxReplyMessageBytes is accepted). Does not connect yet (gRPC connects lazily).
// Errors: InvalidArgument for an empty target; NotFound when tls_ca_file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ClientConnectOptions& options);

// Adds "authorization: Bearer <token>" to the call; does nothing when token is empty.
void AddAuth(grpc::ClientContext& context, const std::string& token);

}  // namespace mkvfleet::auth
