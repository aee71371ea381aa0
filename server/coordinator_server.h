// The running coordinator: state dir lock, job store, event bus, lease reaper, the library watcher
// (when [watch] is enabled) and the gRPC server with AgentService and AdminService, started and
// stopped as one unit. main() and in-process tests
// use it the same way:
//   auto server = CoordinatorServer::Start(config);   // listening when it returns
//   std::cout << "listening on " << (*server)->address();
//   (*server)->Shutdown();                             // or let the destructor do it
// Thread-safe; Shutdown is idempotent.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "server/clock.h"
#include "server/coordinator_config.h"
#include "server/event_bus.h"
#include "server/lease_reaper.h"
#include "server/library/library_scan.h"
#include "server/library/library_watcher.h"
#include "server/rpc/admin_service.h"
#include "server/rpc/agent_service.h"
#include "server/store/job_store.h"
#include "server/store/state_dir_lock.h"

namespace mkvfleet::server {

class CoordinatorServer {
 public:
  // Validates `config`, locks and opens the state dir (jobs.db), extends leases held across a
  // restart, binds config.listen (port 0 = any free port) and starts serving.
  // Errors (one line each, naming what to fix): InvalidArgument/FailedPrecondition for bad
  // settings, a locked or unusable state dir, bad library roots, unreadable TLS files or a
  // listen address that cannot be bound. `clock` (default: the system clock) must outlive us.
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(const CoordinatorConfig& config,
                                                                  const Clock* clock = nullptr);
  ~CoordinatorServer();

  // "HOST:PORT" with the bound port.
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  JobStore& store() { return *store_; }
  EventBus& bus() { return *bus_; }

  // Ends watch streams, stops accepting calls (in-flight ones get a short grace period), stops
  // the reaper and closes the database.
  void Shutdown();

 private:
  CoordinatorServer() = default;

  SystemClock system_clock_;
  std::unique_ptr<StateDirLock> lock_;
  std::unique_ptr<EventBus> bus_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<AgentServiceImpl> agent_service_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<LeaseReaper> reaper_;
  std::unique_ptr<Library> library_;          // the watcher's (the admin service has a copy)
  std::unique_ptr<LibraryWatcher> watcher_;   // only with [watch] enabled
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  int port_ = 0;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace mkvfleet::server
