// RunTool / RunPipeline over process::Subprocess.
#include "common/samplegen/tool_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/process/subprocess.h"
#include "common/status/status_macros.h"

namespace mkvfleet::samplegen {
namespace {

// The last few non-empty lines of a tool's output, joined on one line.
std::string LastLines(const std::string& text, size_t max_lines = 3) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, absl::ByAnyChar("\r\n"))) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) lines.emplace_back(line);
  }
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - max_lines);
  std::string joined = absl::StrJoin(lines, " | ");
  if (joined.size() > 400) joined = "..." + joined.substr(joined.size() - 400);
  return joined;
}

absl::Status ResultStatus(const std::vector<std::string>& argv, const process::ProcessResult& r,
                          const std::vector<int>& ok_codes) {
  bool exited_ok = r.term_signal == 0 && !r.timed_out && !r.cancelled &&
                   std::find(ok_codes.begin(), ok_codes.end(), r.exit_code) != ok_codes.end();
  if (exited_ok) return absl::OkStatus();
  std::string output = LastLines(r.stderr_tail + "\n" + r.stdout_data);
  std::string msg =
      absl::StrCat(argv[0], " failed (", r.Describe(), ")", output.empty() ? "" : ": ", output);
  if (r.timed_out) return absl::DeadlineExceededError(msg);
  return absl::InternalError(msg);
}

absl::Status StartError(const std::vector<std::string>& argv, const absl::Status& s) {
  if (absl::IsNotFound(s)) {
    return absl::NotFoundError(absl::StrCat(argv[0], " not found (", s.message(),
                                            "); install it (see deploy/install-deps.sh)"));
  }
  return s;
}

}  // namespace

absl::Status RunTool(const std::vector<std::string>& argv, absl::Duration timeout,
                     const std::vector<int>& ok_exit_codes) {
  process::ProcessSpec spec;
  spec.argv = argv;
  spec.timeout = timeout;
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  spec.stdout_capture_bytes = 1 << 20;
  absl::StatusOr<process::ProcessResult> r = process::RunProcess(std::move(spec));
  if (!r.ok()) return StartError(argv, r.status());
  return ResultStatus(argv, *r, ok_exit_codes);
}

absl::Status RunPipeline(const std::vector<std::string>& producer,
                         const std::vector<std::string>& consumer, absl::Duration timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  int read_fd = fds[0];
  int write_fd = fds[1];
  process::ProcessSpec prod;
  prod.argv = producer;
  prod.timeout = timeout;
  prod.stdout_sink.kind = process::StdoutSink::Kind::kFd;
  prod.stdout_sink.fd = write_fd;
  auto prod_proc = process::Subprocess::Start(std::move(prod));
  close(write_fd);
  if (!prod_proc.ok()) {
    close(read_fd);
    return StartError(producer, prod_proc.status());
  }
  process::ProcessSpec cons;
  cons.argv = consumer;
  cons.timeout = timeout;
  cons.stdin_source.kind = process::StdinSource::Kind::kFd;
  cons.stdin_source.fd = read_fd;
  auto cons_proc = process::Subprocess::Start(std::move(cons));
  close(read_fd);  // the producer now gets EPIPE if the consumer is gone
  if (!cons_proc.ok()) return StartError(consumer, cons_proc.status());

  absl::StatusOr<process::ProcessResult> cons_result = (*cons_proc)->Wait();
  absl::StatusOr<process::ProcessResult> prod_result = (*prod_proc)->Wait();
  RETURN_IF_ERROR(cons_result);
  RETURN_IF_ERROR(ResultStatus(consumer, *cons_result, {0}));
  RETURN_IF_ERROR(prod_result);
  return ResultStatus(producer, *prod_result, {0});
}

}  // namespace mkvfleet::samplegen
