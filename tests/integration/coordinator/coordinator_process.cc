// The coordinator as a child process (see the header).
#include "tests/integration/coordinator/coordinator_process.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/test_paths.h"

extern char** environ;

namespace mkvfleet::server {
namespace fs = std::filesystem;

Child::~Child() {
  if (pid > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

int Child::Wait() {
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::unique_ptr<Child> Spawn(const std::vector<std::string>& args, const std::string& dir,
                             const std::string& tag) {
  auto child = std::make_unique<Child>();
  child->out = dir + "/" + tag + ".out";
  child->err = dir + "/" + tag + ".err";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, child->out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, child->err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  REQUIRE(posix_spawn(&child->pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  return child;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string WaitListening(const Child& c) {
  static const std::regex line("mkv-coordinator listening on (\\S+:[0-9]+)\n");
  for (int i = 0; i < 500; ++i) {
    std::smatch m;
    std::string out = Slurp(c.out);
    if (std::regex_search(out, m, line)) return m[1];
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("coordinator did not print its listening line; stderr: " << Slurp(c.err));
  return "";
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

CoordinatorSetup::CoordinatorSetup(int files)
    : dir(testing::MakeTempDir("coord-bin")), lib(dir + "/lib"), state(dir + "/state") {
  fs::create_directories(lib);
  for (int i = 0; i < files; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/m%04d.mkv", i);
    library_files.push_back(lib + name);
    std::ofstream(library_files.back()) << i;
  }
}

std::vector<std::string> CoordinatorSetup::Args(const std::string& listen) const {
  return {MKV_COORDINATOR_BIN, "--listen", listen, "--state-dir", state, "--library", lib};
}

}  // namespace mkvfleet::server
