// --http-listen HOST:PORT parsing and the loopback rule: without an admin token the dashboard
// binds to loopback only, so an unauthenticated admin surface is reachable from this machine
// alone (the gRPC listener refuses the same way without its tokens; see ValidateCoordinatorConfig
// in server/coordinator_config.h). Pure functions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::http {

struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0", "localhost", ... (no brackets)
  int port = 0;      // 0 = any free port (tests)
};

// "HOST:PORT" or "[IPv6]:PORT". InvalidArgument naming the value and the expected form otherwise
// (missing port, port outside 0..65535, empty host).
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text);

// True for "localhost", 127.0.0.0/8 and ::1.
bool IsLoopbackHost(absl::string_view host);

// OK when `address` may be served: loopback always, anything else only with an admin token.
// FailedPrecondition saying how to fix it otherwise.
absl::Status CheckExposure(const ListenAddress& address, bool admin_token_configured);

// Whether an HTTP Host header names this server on loopback ("127.0.0.1:8080", "localhost:8080",
// "[::1]:8080", with or without the port). Used against DNS rebinding when no token is configured.
bool IsLoopbackHostHeader(absl::string_view host_header);

}  // namespace mkvfleet::http
