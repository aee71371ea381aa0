// The one way errors travel up in mkvfleet: RETURN_IF_ERROR and ASSIGN_OR_RETURN, so a failed call
// is passed on in one line instead of two, with the same status (code and message) unchanged.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status, or anything with .ok() and a status conversion, such as an
// absl::StatusOr) once; returns its status from the enclosing function when it is not OK.
//   RETURN_IF_ERROR(file.Close());
#define RETURN_IF_ERROR(expr)                                                          \
  do {                                                                                 \
    if (auto mkvfleet_status_ = ::mkvfleet::status_internal::AsStatus((expr));         \
        !mkvfleet_status_.ok()) {                                                      \
      return mkvfleet_status_;                                                         \
    }                                                                                  \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>) once; returns its status when it is not OK, otherwise
// moves the value into `lhs`, which may declare a variable:
//   ASSIGN_OR_RETURN(auto probe, RunProbe(path));
//   ASSIGN_OR_RETURN(config.name, layers.GetString("name"));
// A type with a comma needs an alias first (using Pair = std::pair<int, int>;).
#define ASSIGN_OR_RETURN(lhs, rexpr)                                                   \
  MKVFLEET_ASSIGN_OR_RETURN_IMPL_(                                                     \
      MKVFLEET_STATUS_CONCAT_(mkvfleet_statusor_, __LINE__), lhs, rexpr)

// --- implementation details -------------------------------------------------------------------

#define MKVFLEET_STATUS_CONCAT_INNER_(a, b) a##b
#define MKVFLEET_STATUS_CONCAT_(a, b) MKVFLEET_STATUS_CONCAT_INNER_(a, b)
#define MKVFLEET_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr)                               \
  auto tmp = (rexpr);                                                                  \
  if (!tmp.ok()) return std::move(tmp).status();                                       \
  lhs = std::move(tmp).value()

namespace mkvfleet::status_internal {

inline const absl::Status& AsStatus(const absl::Status& status) { return status; }
inline absl::Status AsStatus(absl::Status&& status) { return std::move(status); }
template <typename T>
absl::Status AsStatus(const absl::StatusOr<T>& value) {
  return value.status();
}

}  // namespace mkvfleet::status_internal
