// AdminService connection and error wording for mkvctl (see the header).
#include "ctl/admin_client.h"

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/auth/client_channel.h"
#include "common/config/config_layers.h"
#include "common/status/status_macros.h"

namespace mkvfleet::ctl {

absl::StatusOr<AdminClient> AdminClient::Connect(const GlobalOptions& options) {
  ASSIGN_OR_RETURN(config::ConfigLayers layers, config::ConfigLayers::Load(options.config_file));
  if (!options.server.empty()) layers.SetFlag("server", options.server);
  if (!options.token.empty()) layers.SetFlag("admin_token", options.token);
  ASSIGN_OR_RETURN(std::string server, layers.GetString("server"));
  ASSIGN_OR_RETURN(std::string token, layers.GetString("admin_token"));
  ASSIGN_OR_RETURN(bool tls, layers.GetBool("tls", false));
  ASSIGN_OR_RETURN(std::string ca, layers.GetString("tls_ca_file"));
  if (server.empty()) {
    return absl::InvalidArgumentError(
        "no coordinator address: pass --server HOST:PORT or set MKVFLEET_SERVER");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   auth::MakeChannel(auth::ClientConnectOptions{server, tls, ca, ""}));
  AdminClient client;
  client.stub_ = v1::AdminService::NewStub(channel);
  client.server_ = std::move(server);
  client.token_ = std::move(token);
  return client;
}

std::unique_ptr<grpc::ClientContext> AdminClient::Context(bool with_deadline) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (with_deadline) ctx->set_deadline(std::chrono::system_clock::now() + kAdminRpcTimeout);
  auth::AddAuth(*ctx, token_);
  return ctx;
}

absl::Status AdminClient::Explain(const grpc::Status& status, const char* rpc) const {
  const std::string msg = status.error_message();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::Status(code, absl::StrCat("cannot reach the coordinator at ", server_, " (",
                                             msg, "): is mkv-coordinator running there?"));
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::Status(code, absl::StrCat("the coordinator refused the admin token (", msg,
                                             "): pass --token or set MKVFLEET_ADMIN_TOKEN"));
    default:
      return absl::Status(code, absl::StrCat(rpc, ": ", msg));
  }
}

absl::StatusOr<std::vector<v1::Job>> ListAllJobs(AdminClient& client, v1::ListJobsRequest request,
                                                 int64_t max_jobs, const char* rpc) {
  // The coordinator's page cap; asking for less only when max_jobs is nearly reached.
  constexpr int64_t kPage = 1000;
  std::vector<v1::Job> jobs;
  request.clear_page_token();
  while (true) {
    const int64_t want =
        max_jobs > 0 ? std::min(kPage, max_jobs - static_cast<int64_t>(jobs.size())) : kPage;
    request.set_limit(static_cast<int32_t>(want));
    v1::ListJobsResponse response;
    auto context = client.Context();
    grpc::Status s = client.stub().ListJobs(context.get(), request, &response);
    if (!s.ok()) return client.Explain(s, rpc);
    for (v1::Job& job : *response.mutable_jobs()) jobs.push_back(std::move(job));
    if (response.next_page_token().empty()) break;
    if (max_jobs > 0 && static_cast<int64_t>(jobs.size()) >= max_jobs) break;
    request.set_page_token(response.next_page_token());
  }
  return jobs;
}

int Fail(const absl::Status& status) {
  std::string line = absl::StrReplaceAll(status.message(), {{"\n", " "}, {"\r", " "}});
  std::cerr << "mkvctl: " << line << "\n";
  return 1;
}

}  // namespace mkvfleet::ctl
