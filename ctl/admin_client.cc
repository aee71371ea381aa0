// AdminService connection and error wording for mkvctl (see the header).
#include "ctl/admin_client.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/auth/client_channel.h"
#include "common/config/config_layers.h"

namespace mkvfleet::ctl {

absl::StatusOr<AdminClient> AdminClient::Connect(const GlobalOptions& options) {
  auto layers = config::ConfigLayers::Load(options.config_file);
  if (!layers.ok()) return layers.status();
  if (!options.server.empty()) layers->SetFlag("server", options.server);
  if (!options.token.empty()) layers->SetFlag("admin_token", options.token);
  auto server = layers->GetString("server");
  if (!server.ok()) return server.status();
  auto token = layers->GetString("admin_token");
  if (!token.ok()) return token.status();
  auto tls = layers->GetBool("tls", false);
  if (!tls.ok()) return tls.status();
  auto ca = layers->GetString("tls_ca_file");
  if (!ca.ok()) return ca.status();
  if (server->empty()) {
    return absl::InvalidArgumentError(
        "no coordinator address: pass --server HOST:PORT or set MKVFLEET_SERVER");
  }
  auto channel = auth::MakeChannel(auth::ClientConnectOptions{*server, *tls, *ca, ""});
  if (!channel.ok()) return channel.status();
  AdminClient client;
  client.stub_ = v1::AdminService::NewStub(*channel);
  client.server_ = *server;
  client.token_ = *token;
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

int Fail(const absl::Status& status) {
  std::string line = absl::StrReplaceAll(status.message(), {{"\n", " "}, {"\r", " "}});
  std::cerr << "mkvctl: " << line << "\n";
  return 1;
}

}  // namespace mkvfleet::ctl
