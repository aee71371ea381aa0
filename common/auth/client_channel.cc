// Client side of coordinator connections: channel credentials and the bearer token.
#include "common/auth/client_channel.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/auth/wire_limits.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace mkvfleet::auth {

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const ClientConnectOptions& options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("no coordinator address: pass --server HOST:PORT");
  }
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(kMaxRequestMessageBytes);
  args.SetMaxReceiveMessageSize(kMaxReplyMessageBytes);
  if (!options.use_tls && options.tls_ca_file.empty()) {
    return grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_ca_file.empty()) {
    std::ifstream in(options.tls_ca_file, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("TLS CA file ", options.tls_ca_file, " cannot be read: check the path"));
    }
    std::ostringstream pem;
    pem << in.rdbuf();
    ssl.pem_root_certs = pem.str();
  }
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  return grpc::CreateCustomChannel(options.target, grpc::SslCredentials(ssl), args);
}

void AddAuth(grpc::ClientContext& context, const std::string& token) {
  if (token.empty()) return;
  context.AddMetadata(std::string(kAuthorizationKey), BearerValue(token));
}

}  // namespace mkvfleet::auth
