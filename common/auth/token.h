// Bearer tokens as gRPC metadata ("authorization: Bearer <token>"), shared by the coordinator (which
// checks them) and the agent and mkvctl (which send them). Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace mkvfleet::auth {

// The metadata key (gRPC requires lower case).
inline constexpr absl::string_view kAuthorizationKey = "authorization";

// "Bearer " + token.
std::string BearerValue(absl::string_view token);

// The token inside an "authorization" value "Bearer <token>" (scheme case-insensitive, surrounding
// spaces ignored); nullopt when the value is not a non-empty bearer credential.
std::optional<absl::string_view> ParseBearer(absl::string_view value);

// Compares in time independent of where a and b differ (length differences still leak the length
// of `expected`, which is not secret for random tokens of a fixed size).
bool ConstantTimeEquals(absl::string_view given, absl::string_view expected);

}  // namespace mkvfleet::auth
