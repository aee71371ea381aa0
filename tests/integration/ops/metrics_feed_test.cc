// The counters of GET /metrics are fed by the running coordinator, not only declared: after a
// killed agent's lease expires, a retryable failure is retried and jobs complete on a test-sleep
// agent, mkvfleet_lease_expiries_total, mkvfleet_job_retries_total and
// mkvfleet_bytes_written_total (the agents' /proc/self/io deltas per step: their artifacts and
// outputs are written to disk) are non-zero. Real mkv-coordinator, mkv-agent and mkvctl.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

#include "httplib.h"
#include "tests/integration/backbone/fleet_harness.h"

namespace mkvfleet::testing {
namespace {

constexpr char kAdmin[] = "metrics-feed-admin-token-0123456789";

// A loopback port nobody listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// The value of an unlabelled sample `name` in Prometheus text; -1 when absent.
double Sample(const std::string& text, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("(^|\n)" + name + " ([0-9.e+]+)\n"))) return -1;
  return std::stod(m[2]);
}

std::string JobState(Fleet& fleet, int64_t id) { return fleet.Show(id).value("state", ""); }

// deploy/grafana's dashboard queries only what the coordinator exposes: every metric it names has
// a "# TYPE" line in `metrics` (histogram series by their base name), and every label value it
// selects (each alternative of a =~"a|b" too) appears on a sample of that metric.
void CheckGrafanaDashboardAgainst(const std::string& metrics) {
  std::ifstream in(std::string(MKVFLEET_SOURCE_DIR) + "/deploy/grafana/mkvfleet-dashboard.json");
  REQUIRE(in);
  const nlohmann::json dashboard = nlohmann::json::parse(in);
  int queries = 0;
  static const std::regex selector(R"((mkvfleet_[a-z_]+)(\{([^}]*)\})?)");
  static const std::regex matcher(R"re(([a-z_]+)=~?"([^"]*)")re");
  for (const auto& panel : dashboard.at("panels")) {
    for (const auto& target : panel.at("targets")) {
      const std::string expr = target.at("expr");
      ++queries;
      for (std::sregex_iterator it(expr.begin(), expr.end(), selector), end; it != end; ++it) {
        std::string name = (*it)[1];
        for (const char* suffix : {"_bucket", "_count", "_sum"}) {
          if (absl::EndsWith(name, suffix)) name.resize(name.size() - strlen(suffix));
        }
        INFO("panel \"" << panel.at("title").get<std::string>() << "\": " << expr);
        CHECK(metrics.find("# TYPE " + name + " ") != std::string::npos);
        const std::string labels = (*it)[3];
        for (std::sregex_iterator l(labels.begin(), labels.end(), matcher); l != end; ++l) {
          for (absl::string_view value : absl::StrSplit(std::string((*l)[2]), '|')) {
            CHECK(metrics.find(absl::StrCat(name, "{", std::string((*l)[1]), "=\"", value, "\"")) !=
                  std::string::npos);
          }
        }
      }
    }
  }
  CHECK(queries >= 10);
}

TEST_CASE("metrics counters are fed: lease expiries, retries, bytes written") {
  const int port = FreePort();
  setenv("MKVFLEET_HTTP_LISTEN", ("127.0.0.1:" + std::to_string(port)).c_str(), 1);
  Fleet::Options options;
  options.admin_token = kAdmin;
  options.agent_token = "metrics-feed-agent-token-0123456789";
  options.max_attempts = 2;
  Fleet fleet(options);
  fleet.StartCoordinator();

  // A lease that expires: the only agent is killed mid-step.
  fleet.StartAgent("doomed", 30'000);
  const int64_t orphan = fleet.Enqueue(fleet.MakeFiles("orphan ", 1))[0];
  fleet.WaitFor("the doomed agent to run the job",
                [&] { return JobState(fleet, orphan) == "running"; });
  fleet.KillAgent("doomed");
  fleet.WaitFor("the lease to expire", [&] { return JobState(fleet, orphan) == "pending"; });

  // A retryable failure and plain completions on a quick agent.
  fleet.StartAgent("quick", 100);
  const int64_t retry = fleet.Enqueue(fleet.MakeFiles("FAILRETRY ", 1))[0];
  const int64_t fine = fleet.Enqueue(fleet.MakeFiles("fine ", 1))[0];
  fleet.WaitFor("both good jobs to complete and the failing one to give up", [&] {
    return JobState(fleet, orphan) == "completed" && JobState(fleet, fine) == "completed" &&
           JobState(fleet, retry) == "failed_permanent";
  });

  httplib::Client http("127.0.0.1", port);
  auto res = http.Get("/metrics", {{"Authorization", std::string("Bearer ") + kAdmin}});
  REQUIRE(res);
  REQUIRE(res->status == 200);
  const std::string& m = res->body;
  INFO(m);
  CHECK(Sample(m, "mkvfleet_lease_expiries_total") >= 1);
  CHECK(Sample(m, "mkvfleet_job_retries_total") >= 1);  // attempt 1 of 2 failed -> retried
  CHECK(Sample(m, "mkvfleet_bytes_written_total") > 0);
  // Page-cache hits are not storage reads, so this one may stay 0; it must be exposed.
  CHECK(Sample(m, "mkvfleet_bytes_read_total") >= 0);
  CHECK(m.find("mkvfleet_jobs{state=\"completed\"} 2\n") != std::string::npos);
  CHECK(m.find("mkvfleet_step_duration_seconds_count{step=\"one\"}") != std::string::npos);
  CheckGrafanaDashboardAgainst(m);
}

}  // namespace
}  // namespace mkvfleet::testing
