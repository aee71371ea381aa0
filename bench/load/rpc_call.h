// One asynchronous unary call through the gRPC callback API, timed into RpcStats: the request,
// reply and context live on the heap until the answer arrives, so thousands of calls can be in
// flight from a handful of threads. `in_flight` counts them, so the caller can wait for zero.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include "absl/time/clock.h"
#include "bench/load/rpc_stats.h"
#include "grpcpp/client_context.h"

namespace mkvfleet::bench {

// Where a call's timing and count go.
struct CallSink {
  RpcStats* stats = nullptr;
  std::atomic<int64_t>* in_flight = nullptr;
  absl::Duration deadline = absl::Seconds(10);
};

// Sends `request` with `start(ctx, req, resp, callback)` (a lambda calling stub->async()->Rpc)
// and calls `done(status, response)` on a gRPC thread when it ends. `done` must not block.
template <typename Request, typename Response, typename Start, typename Done>
void CallAsync(const CallSink& sink, RpcKind kind, Request request, Start start, Done done) {
  struct State {
    grpc::ClientContext ctx;
    Request req;
    Response resp;
    absl::Time sent;
  };
  auto st = std::make_shared<State>();
  st->req = std::move(request);
  st->ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::microseconds(absl::ToInt64Microseconds(sink.deadline)));
  sink.in_flight->fetch_add(1);
  st->sent = absl::Now();
  State* raw = st.get();
  start(&raw->ctx, &raw->req, &raw->resp,
        [st = std::move(st), sink, kind, done = std::move(done)](grpc::Status status) mutable {
          sink.stats->Record(kind, st->sent, absl::Now(), status);
          done(status, st->resp);
          sink.in_flight->fetch_sub(1);
        });
}

}  // namespace mkvfleet::bench
