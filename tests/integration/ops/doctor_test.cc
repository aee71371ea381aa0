// `mkv-agent --check` and `mkvctl doctor` against a real coordinator with tokens: all ok with the
// right tokens and a mounted library; an error line naming the token when it is wrong, the tool
// when its configured path is missing, and x265 when PATH lacks it; exit 1 whenever an error.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "tests/integration/backbone/fleet_harness.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {
namespace fs = std::filesystem;

constexpr char kAdmin[] = "doctor-admin-token-0123456789abcdef";
constexpr char kAgent[] = "doctor-agent-token-0123456789abcdef";

struct Run {
  int exit_code = -1;
  std::string out;
  nlohmann::json doc;
  // The line for `check` ("tool x265", "token", ...), null when absent.
  nlohmann::json Line(const std::string& check) const {
    for (const auto& l : doc["checks"]) {
      if (l["check"] == check) return l;
    }
    return nullptr;
  }
  std::string Status(const std::string& check) const {
    nlohmann::json l = Line(check);
    return l.is_null() ? "absent" : l["status"].get<std::string>();
  }
};

Run RunJson(std::vector<std::string> argv, std::vector<std::string> env) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.extra_env = std::move(env);
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  spec.timeout = absl::Seconds(60);
  auto r = process::RunProcess(spec);
  REQUIRE(r.ok());
  Run run;
  run.exit_code = r->exit_code;
  run.out = r->stdout_data + r->stderr_tail;
  INFO(run.out);
  REQUIRE(nlohmann::json::accept(r->stdout_data));
  run.doc = nlohmann::json::parse(r->stdout_data);
  return run;
}

struct DoctorFixture {
  static Fleet::Options WithTokens() {
    Fleet::Options o;
    o.admin_token = kAdmin;
    o.agent_token = kAgent;
    return o;
  }
  DoctorFixture() : fleet(WithTokens()), dir(MakeTempDir("ops-doctor")) {
    fleet.StartCoordinator();
    library = dir + "/library";
    fs::create_directories(library);
    std::ofstream(library + "/.mkvfleet-library") << "";
    std::ofstream(library + "/movie.mkv") << "x";
  }
  Run Agent(const std::string& token, std::vector<std::string> extra_args = {},
            std::vector<std::string> extra_env = {}) {
    std::vector<std::string> argv = {BinaryDir() + "/agent/mkv-agent",
                                     "--check",
                                     "--json",
                                     "--server",
                                     fleet.address(),
                                     "--name",
                                     "doc",
                                     "--work-dir",
                                     dir + "/work"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::vector<std::string> env = {"MKVFLEET_AGENT_TOKEN=" + token,
                                    "MKVFLEET_LIBRARY_ROOTS=" + library,
                                    "MKVFLEET_LIBRARY_MARKER=.mkvfleet-library"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    return RunJson(argv, env);
  }
  Run Ctl(const std::string& token) {
    return RunJson({BinaryDir() + "/ctl/mkvctl", "--server", fleet.address(), "doctor", "--json",
                    "--library", library, "--marker", ".mkvfleet-library", "--temp-dir", dir},
                   {"MKVFLEET_ADMIN_TOKEN=" + token});
  }
  Fleet fleet;
  std::string dir, library;
};

void CheckAllOk(const Run& run) {
  INFO(run.out);
  for (const char* tool : {"ffmpeg", "ffprobe", "x265", "mkvmerge", "mediainfo"}) {
    CHECK(run.Status(std::string("tool ") + tool) == "ok");
  }
  CHECK(run.Status("coordinator") == "ok");
  CHECK(run.Status("token") == "ok");
  CHECK(run.Status("clock skew") == "ok");
  CHECK(absl::StrContains(run.Line("tool x265")["message"].get<std::string>(),
                          "(10-bit, Dolby Vision)"));
  CHECK(run.doc["errors"] == 0);
  CHECK(run.exit_code == 0);
}

TEST_CASE("doctor: all ok with the right tokens") {
  DoctorFixture f;
  Run agent = f.Agent(kAgent);
  CheckAllOk(agent);
  CHECK(agent.Status("library " + f.library) == "ok");
  Run ctl = f.Ctl(kAdmin);
  CheckAllOk(ctl);
  CHECK(ctl.Status("library " + f.library) == "ok");
  CHECK(f.fleet.Ctl({"--json", "agents"}).Json().empty());  // --check registered nobody
}

TEST_CASE("doctor: a wrong token is an error line naming the token") {
  DoctorFixture f;
  Run agent = f.Agent("not-the-agent-token");
  INFO(agent.out);
  CHECK(agent.exit_code == 1);
  CHECK(agent.Status("coordinator") == "ok");
  CHECK(agent.Status("token") == "error");
  CHECK(agent.Line("token")["message"] == "the coordinator refused the agent token (wrong token)");
  CHECK(
      absl::StrContains(agent.Line("token")["advice"].get<std::string>(), "MKVFLEET_AGENT_TOKEN"));
  CHECK(agent.Status("clock skew") == "absent");

  Run ctl = f.Ctl("not-the-admin-token");
  CHECK(ctl.exit_code == 1);
  CHECK(ctl.Line("token")["message"] == "the coordinator refused the admin token (wrong token)");
  // The agent token on the admin API: refused for being the wrong kind.
  Run kind = f.Ctl(kAgent);
  CHECK(kind.exit_code == 1);
  CHECK(absl::StrContains(kind.Line("token")["advice"].get<std::string>(), "not the agent token"));
}

TEST_CASE("doctor: a configured tool path that is missing is an error line naming the tool") {
  DoctorFixture f;
  const std::string config = f.dir + "/agent.toml";
  std::ofstream(config) << "[tools]\nmkvmerge = \"/nonexistent/bin/mkvmerge\"\n";
  Run agent = f.Agent(kAgent, {"--config", config});
  INFO(agent.out);
  CHECK(agent.exit_code == 1);
  CHECK(agent.Status("tool mkvmerge") == "error");
  CHECK(absl::StrContains(agent.Line("tool mkvmerge")["message"].get<std::string>(),
                          "/nonexistent/bin/mkvmerge"));
  CHECK(agent.Status("tool ffmpeg") == "ok");
  CHECK(agent.Status("token") == "ok");
}

TEST_CASE("doctor: PATH without x265 is an error line naming x265; text output too") {
  DoctorFixture f;
  const std::string bin = f.dir + "/bin";
  fs::create_directories(bin);
  for (const char* tool : {"ffmpeg", "ffprobe", "mkvmerge", "mediainfo"}) {
    for (const char* d : {"/usr/bin", "/bin", "/usr/local/bin"}) {
      if (fs::exists(fs::path(d) / tool)) {
        fs::create_symlink(fs::path(d) / tool, fs::path(bin) / tool);
        break;
      }
    }
  }
  Run agent = f.Agent(kAgent, {}, {"PATH=" + bin});
  INFO(agent.out);
  CHECK(agent.exit_code == 1);
  CHECK(agent.Status("tool x265") == "error");
  CHECK(agent.Line("tool x265")["message"] == "x265 not found on PATH");
  CHECK(
      absl::StrContains(agent.Line("tool x265")["advice"].get<std::string>(), "apt install x265"));
  CHECK(agent.Status("tool ffmpeg") == "ok");

  process::ProcessSpec text;
  text.argv = {BinaryDir() + "/agent/mkv-agent",
               "--check",
               "--server",
               f.fleet.address(),
               "--name",
               "doc",
               "--work-dir",
               f.dir + "/work"};
  text.extra_env = {std::string("MKVFLEET_AGENT_TOKEN=") + kAgent, "PATH=" + bin};
  text.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  auto r = process::RunProcess(text);
  REQUIRE(r.ok());
  INFO(r->stdout_data);
  CHECK(r->exit_code == 1);
  CHECK(absl::StrContains(r->stdout_data, "error    tool x265: x265 not found on PATH\n"));
  CHECK(absl::StrContains(r->stdout_data, "ok       token: agent token accepted\n"));
}

}  // namespace
}  // namespace mkvfleet::testing
