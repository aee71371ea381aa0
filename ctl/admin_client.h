// How mkvctl reaches the coordinator's AdminService: global options (--server, --token, --json,
// --config), the layered lookup of server and admin token (flag > MKVFLEET_* env > config file),
// and one-line error messages for every refusal.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "mkvfleet/v1/admin.grpc.pb.h"

namespace mkvfleet::ctl {

// Deadline of every unary admin call.
inline constexpr std::chrono::seconds kAdminRpcTimeout{30};

// Options every verb shares, filled by CLI11 before the verb runs.
struct GlobalOptions {
  std::string server;       // --server HOST:PORT (else MKVFLEET_SERVER, else config "server")
  std::string token;        // --token (else MKVFLEET_ADMIN_TOKEN, else config "admin_token")
  std::string config_file;  // --config FILE
  bool json = false;        // --json (before or after the verb)
};

// A connected AdminService stub plus the admin token. Not thread-safe to share a ClientContext,
// but the stub itself is.
class AdminClient {
 public:
  // Resolves server and token through the config layers. InvalidArgument with what to do when no
  // server is known; NotFound when the config file is missing.
  static absl::StatusOr<AdminClient> Connect(const GlobalOptions& options);

  v1::AdminService::Stub& stub() { return *stub_; }
  const std::string& server() const { return server_; }
  // A context with the admin token and kAdminRpcTimeout (or no deadline for streams).
  std::unique_ptr<grpc::ClientContext> Context(bool with_deadline = true) const;
  // A failed call as one line: what went wrong and what to do ("cannot reach the coordinator at
  // ...", "the coordinator refused the admin token ...", or the coordinator's own message).
  absl::Status Explain(const grpc::Status& status, const char* rpc) const;

 private:
  std::shared_ptr<v1::AdminService::Stub> stub_;
  std::string server_;
  std::string token_;
};

// Every job matching `request`'s filter and order (its page_token and limit are ignored), read
// page after page with the coordinator's cursor; the first `max_jobs` when max_jobs > 0. The first
// failed call as AdminClient::Explain(status, rpc) words it.
absl::StatusOr<std::vector<v1::Job>> ListAllJobs(AdminClient& client, v1::ListJobsRequest request,
                                                 int64_t max_jobs, const char* rpc);

// Prints "mkvctl: <message>" (one line) to stderr and returns the exit code 1.
int Fail(const absl::Status& status);

}  // namespace mkvfleet::ctl
