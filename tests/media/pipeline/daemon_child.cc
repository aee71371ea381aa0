// See daemon_child.h.
#include "tests/media/pipeline/daemon_child.h"

#include "catch2/catch.hpp"

namespace mkvfleet::testing {

Child::Child(std::vector<std::string> argv, const std::string& stdout_file,
             std::vector<std::string> env) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.extra_env = std::move(env);
  spec.stdout_sink.kind = process::StdoutSink::Kind::kFile;
  spec.stdout_sink.path = stdout_file;
  spec.timeout = absl::InfiniteDuration();
  auto p = process::Subprocess::Start(std::move(spec));
  INFO(p.status().ToString());
  REQUIRE(p.ok());
  proc_ = *std::move(p);
  waiter_ = std::thread([this] { (void)proc_->Wait(); });
}

Child::~Child() {
  proc_->Kill();
  waiter_.join();
}

}  // namespace mkvfleet::testing
