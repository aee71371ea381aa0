// The coordinator started in this test process on 127.0.0.1:0 with a channel to it: the setup the
// service tests share (services, list paging, streamed scans).
#pragma once

#include <catch2/catch.hpp>

#include <memory>

#include "common/auth/client_channel.h"
#include "server/coordinator_server.h"

namespace mkvfleet::testing {

struct InProcessCoordinator {
  std::unique_ptr<server::CoordinatorServer> server;
  std::shared_ptr<grpc::Channel> channel;
};

// Starts `config` (its listen address replaced by 127.0.0.1:0) on `clock` and connects to it;
// fails the test when either does not work.
inline InProcessCoordinator StartInProcessCoordinator(server::CoordinatorConfig config,
                                                      const server::Clock* clock) {
  config.listen = "127.0.0.1:0";
  auto started = server::CoordinatorServer::Start(config, clock);
  REQUIRE(started.ok());
  auth::ClientConnectOptions options;
  options.target = (*started)->address();
  auto channel = auth::MakeChannel(options);
  REQUIRE(channel.ok());
  return InProcessCoordinator{std::move(*started), std::move(*channel)};
}

}  // namespace mkvfleet::testing
