// Subprocess helpers for the dovi CLI and media tests.
#include "tests/media/dovi/cli_runner.h"

#include <catch2/catch.hpp>

#include <algorithm>

#include "common/process/subprocess.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {

CommandResult RunCommand(const std::vector<std::string>& argv) {
  process::ProcessSpec spec;
  spec.argv = argv;
  spec.timeout = absl::Minutes(5);
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  auto r = process::RunProcess(std::move(spec));
  if (!r.ok()) FAIL("cannot run " << argv[0] << ": " << r.status());
  CommandResult out;
  out.exit_code = r->term_signal == 0 ? r->exit_code : 128 + r->term_signal;
  out.out = r->stdout_data;
  out.err = r->stderr_tail;
  return out;
}

std::string MkvctlPath() { return BinaryDir() + "/ctl/mkvctl"; }

CommandResult RunMkvctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MkvctlPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

nlohmann::json RunJson(const std::vector<std::string>& argv) {
  CommandResult r = RunCommand(argv);
  INFO(argv[0] << " stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace mkvfleet::testing
