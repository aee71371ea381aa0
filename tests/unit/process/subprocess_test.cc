// Subprocess: real children (/bin/echo, /bin/false, sleep, cat) without any shell in between.
#include "common/process/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/test_paths.h"

namespace mkvfleet::process {
namespace {
namespace fs = std::filesystem;

ProcessSpec Spec(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = absl::Seconds(20);
  return spec;
}

TEST_CASE("echo's stdout is captured verbatim and success is reported") {
  ProcessSpec spec = Spec({"/bin/echo", "hello world", "it's \"quoted\"", "$HOME"});
  spec.stdout_sink.kind = StdoutSink::Kind::kCapture;
  auto result = RunProcess(spec);
  REQUIRE(result.ok());
  CHECK(result->success());
  CHECK(result->exit_code == 0);
  CHECK(result->stdout_data == "hello world it's \"quoted\" $HOME\n");
  CHECK(result->Describe() == "exit 0");
}

TEST_CASE("a failing program reports its exit code, not an error") {
  auto result = RunProcess(Spec({"/bin/false"}));
  REQUIRE(result.ok());
  CHECK_FALSE(result->success());
  CHECK(result->exit_code == 1);
  CHECK(result->Describe() == "exit 1");
}

TEST_CASE("a bare program name is found in PATH") {
  ProcessSpec spec = Spec({"echo", "via-path"});
  spec.stdout_sink.kind = StdoutSink::Kind::kCapture;
  auto result = RunProcess(spec);
  REQUIRE(result.ok());
  CHECK(result->stdout_data == "via-path\n");
}

TEST_CASE("a missing program is NotFound at start") {
  auto result = RunProcess(Spec({"/nonexistent/tool-xyz", "--version"}));
  REQUIRE_FALSE(result.ok());
  CHECK(absl::IsNotFound(result.status()));
  CHECK(result.status().message().find("/nonexistent/tool-xyz") != std::string::npos);
}

TEST_CASE("empty argv is InvalidArgument") {
  CHECK(absl::IsInvalidArgument(RunProcess(Spec({})).status()));
}

TEST_CASE("a timeout stops the child and says so") {
  ProcessSpec spec = Spec({"sleep", "30"});
  spec.timeout = absl::Milliseconds(300);
  auto result = RunProcess(spec);
  REQUIRE(result.ok());
  CHECK(result->timed_out);
  CHECK_FALSE(result->success());
  CHECK(result->term_signal == SIGTERM);
  CHECK(result->Describe().find("timed out") == 0);
}

TEST_CASE("the cancel flag stops the child and its whole process group") {
  // sleep spawned by timeout(1) is a grandchild in the same group: both must go.
  std::atomic<bool> cancel{false};
  ProcessSpec spec = Spec({"timeout", "-s", "KILL", "60", "sleep", "60"});
  spec.cancel = &cancel;
  auto child = Subprocess::Start(spec);
  REQUIRE(child.ok());
  pid_t group = (*child)->pid();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  auto result = (*child)->Wait();
  canceller.join();
  REQUIRE(result.ok());
  CHECK(result->cancelled);
  CHECK_FALSE(result->success());
  // No member of the group survives.
  for (int i = 0; i < 50 && kill(-group, 0) == 0; ++i) usleep(100 * 1000);
  CHECK(kill(-group, 0) != 0);
}

TEST_CASE("stderr tail keeps only the last bytes and lines reach the callback") {
  // cat copies a file to stdout; with stdout redirected to stderr's pipe we'd need a shell, so
  // instead ask a tool that writes to stderr: `ls` on a missing path.
  std::vector<std::string> lines;
  ProcessSpec spec = Spec({"ls", "/definitely/missing/path-1", "/definitely/missing/path-2"});
  spec.stderr_tail_bytes = 40;
  spec.on_stderr_line = [&](absl::string_view l) { lines.emplace_back(l); };
  auto result = RunProcess(spec);
  REQUIRE(result.ok());
  CHECK_FALSE(result->success());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("path-1") != std::string::npos);
  CHECK(result->stderr_tail.size() <= 40);
  CHECK(result->stderr_tail.find("path-2") != std::string::npos);
}

TEST_CASE("paths with spaces, quotes and unicode pass through stdin/stdout files untouched") {
  fs::path dir = fs::path(testing::MakeTempDir("process test")) / "dir with 'quotes' and ü ✓";
  fs::create_directories(dir);
  fs::path in = dir / "in put \"x\" é.mkv";
  fs::path out = dir / "out put ☃.txt";
  { std::ofstream(in) << "payload\nline two\n"; }

  ProcessSpec spec = Spec({"cat"});
  spec.stdin_source = {StdinSource::Kind::kFile, in.string(), -1};
  spec.stdout_sink = {StdoutSink::Kind::kFile, out.string(), -1};
  auto result = RunProcess(spec);
  REQUIRE(result.ok());
  CHECK(result->success());
  CHECK(testing::ReadFileOrFail(out.string()) == "payload\nline two\n");

  // The same path as an argument, and the working directory honoured.
  ProcessSpec stat = Spec({"ls", in.filename().string()});
  stat.working_dir = dir.string();
  stat.stdout_sink.kind = StdoutSink::Kind::kCapture;
  auto listed = RunProcess(stat);
  REQUIRE(listed.ok());
  CHECK(listed->success());
  CHECK(listed->stdout_data == in.filename().string() + "\n");
}

TEST_CASE("a missing stdin file fails before anything runs") {
  ProcessSpec spec = Spec({"cat"});
  spec.stdin_source = {StdinSource::Kind::kFile, "/no/such/input.mkv", -1};
  auto result = RunProcess(spec);
  REQUIRE_FALSE(result.ok());
  CHECK(absl::IsNotFound(result.status()));
  CHECK(result.status().message().find("/no/such/input.mkv") != std::string::npos);
}

TEST_CASE("two children can be piped through borrowed fds") {
  // O_CLOEXEC, as the header asks: otherwise the consumer inherits the write end, never sees EOF.
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  ProcessSpec producer = Spec({"echo", "through a pipe"});
  producer.stdout_sink = {StdoutSink::Kind::kFd, "", fds[1]};
  ProcessSpec consumer = Spec({"cat"});
  consumer.stdin_source = {StdinSource::Kind::kFd, "", fds[0]};
  consumer.stdout_sink.kind = StdoutSink::Kind::kCapture;
  auto p = Subprocess::Start(producer);
  auto c = Subprocess::Start(consumer);
  close(fds[0]);
  close(fds[1]);
  REQUIRE(p.ok());
  REQUIRE(c.ok());
  auto pr = (*p)->Wait();
  auto cr = (*c)->Wait();
  REQUIRE(pr.ok());
  REQUIRE(cr.ok());
  CHECK(pr->success());
  CHECK(cr->success());
  CHECK(cr->stdout_data == "through a pipe\n");
}

TEST_CASE("extra environment entries reach the child") {
  ProcessSpec spec = Spec({"env"});
  spec.extra_env = {"MKVFLEET_TEST_VAR=a b c"};
  spec.stdout_sink.kind = StdoutSink::Kind::kCapture;
  auto result = RunProcess(spec);
  REQUIRE(result.ok());
  CHECK(result->stdout_data.find("MKVFLEET_TEST_VAR=a b c\n") != std::string::npos);
}

TEST_CASE("FormatArgv quotes only what needs it") {
  CHECK(FormatArgv({"ffmpeg", "-i", "a b.mkv", "it's", ""}) ==
        "ffmpeg -i 'a b.mkv' 'it'\\''s' ''");
}

}  // namespace
}  // namespace mkvfleet::process
