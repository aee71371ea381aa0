// Per-call bearer token checks for the agent and admin APIs.
#include "server/rpc/rpc_auth.h"

#include "common/auth/token.h"
#include "server/rpc/grpc_status.h"

namespace mkvfleet::server {

absl::Status AuthorizeRequest(Api api, const ApiTokens& tokens,
                              const std::optional<std::string>& authorization) {
  const std::string& expected = api == Api::kAdmin ? tokens.admin : tokens.agent;
  const std::string& other = api == Api::kAdmin ? tokens.agent : tokens.admin;
  const char* env = api == Api::kAdmin ? "MKVFLEET_ADMIN_TOKEN" : "MKVFLEET_AGENT_TOKEN";
  std::optional<absl::string_view> token;
  if (authorization.has_value()) token = auth::ParseBearer(*authorization);
  if (token.has_value()) {
    if (!expected.empty() && auth::ConstantTimeEquals(*token, expected)) return absl::OkStatus();
    if (!other.empty() && auth::ConstantTimeEquals(*token, other)) {
      return absl::PermissionDeniedError(
          api == Api::kAdmin ? "the agent token cannot call the admin API: use the admin token"
                             : "the admin token is not accepted on the agent API: use the agent "
                               "token");
    }
  }
  if (expected.empty()) return absl::OkStatus();  // API open (loopback)
  if (!token.has_value()) {
    return absl::UnauthenticatedError(
        std::string("missing token: send 'authorization: Bearer <token>' (") + env + ")");
  }
  return absl::UnauthenticatedError(std::string("invalid token: check ") + env);
}

grpc::Status AuthorizeCall(const grpc::ServerContext& context, Api api, const ApiTokens& tokens) {
  std::optional<std::string> value;
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(auth::kAuthorizationKey.data(), auth::kAuthorizationKey.size()));
  if (it != md.end()) value = std::string(it->second.data(), it->second.size());
  return ToGrpcStatus(AuthorizeRequest(api, tokens, value));
}

}  // namespace mkvfleet::server
