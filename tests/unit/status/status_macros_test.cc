// RETURN_IF_ERROR / ASSIGN_OR_RETURN: the error passes unchanged, the value arrives, the expression
// is evaluated once.
#include "common/status/status_macros.h"

#include <memory>
#include <string>

#include <catch2/catch.hpp>

namespace mkvfleet {
namespace {

absl::Status Fails() { return absl::NotFoundError("no such file 'a b.mkv'"); }
absl::StatusOr<int> Number(bool ok) {
  if (!ok) return absl::InvalidArgumentError("bad number");
  return 42;
}

absl::Status CallsTwice(int& calls, bool ok) {
  RETURN_IF_ERROR(([&]() -> absl::Status {
    ++calls;
    return ok ? absl::OkStatus() : absl::DataLossError("lost");
  })());
  return absl::OkStatus();
}

absl::StatusOr<int> Doubled(bool ok) {
  ASSIGN_OR_RETURN(int n, Number(ok));
  return 2 * n;
}

absl::Status ReturnsStatusOfStatusOr(bool ok) {
  RETURN_IF_ERROR(Number(ok));
  return absl::OkStatus();
}

absl::StatusOr<std::string> MovesOnly(bool ok) {
  auto make = [ok]() -> absl::StatusOr<std::unique_ptr<std::string>> {
    if (!ok) return absl::UnavailableError("gone");
    return std::make_unique<std::string>("moved");
  };
  ASSIGN_OR_RETURN(auto p, make());
  std::string out;
  ASSIGN_OR_RETURN(out, absl::StatusOr<std::string>(*p + "!"));
  return out;
}

TEST_CASE("RETURN_IF_ERROR returns the failing status unchanged and evaluates once") {
  auto f = []() -> absl::Status {
    RETURN_IF_ERROR(Fails());
    return absl::InternalError("not reached");
  };
  const absl::Status s = f();
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message() == "no such file 'a b.mkv'");

  int calls = 0;
  CHECK(CallsTwice(calls, true).ok());
  CHECK(calls == 1);
  CHECK(CallsTwice(calls, false).code() == absl::StatusCode::kDataLoss);
  CHECK(calls == 2);
}

TEST_CASE("RETURN_IF_ERROR takes a StatusOr") {
  CHECK(ReturnsStatusOfStatusOr(true).ok());
  CHECK(ReturnsStatusOfStatusOr(false).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ASSIGN_OR_RETURN declares or assigns the value, or returns the status") {
  REQUIRE(Doubled(true).ok());
  CHECK(*Doubled(true) == 84);
  CHECK(Doubled(false).status().message() == "bad number");

  REQUIRE(MovesOnly(true).ok());
  CHECK(*MovesOnly(true) == "moved!");
  CHECK(MovesOnly(false).status().code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace mkvfleet
