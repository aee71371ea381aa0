// Event bus bounds (slow watchers dropped, publishers never wait), request auth rules, and
// coordinator config loading and cross-checks.
#include <catch2/catch.hpp>

#include "server/coordinator_config.h"
#include "server/event_bus.h"
#include "server/rpc/rpc_auth.h"

namespace mkvfleet::server {
namespace {

StoreEvent JobEvent(int64_t id) {
  StoreEvent ev;
  ev.job.id = id;
  return ev;
}

TEST_CASE("event bus: bounded queues, filters, close") {
  EventBus bus(/*capacity_per_subscriber=*/3);
  auto all = bus.Subscribe();
  auto only7 = bus.Subscribe(7);
  for (int i = 1; i <= 3; ++i) bus.Publish(JobEvent(i));
  CHECK(bus.subscriber_count() == 2);
  bus.Publish(JobEvent(7));  // `all` is full: dropped; only7 gets it
  CHECK(all->closed());
  CHECK(all->dropped());
  CHECK_FALSE(all->Next(absl::ZeroDuration()).has_value());
  CHECK(bus.subscriber_count() == 1);
  auto ev = only7->Next(absl::Seconds(1));
  REQUIRE(ev.has_value());
  CHECK(ev->job.id == 7);
  CHECK_FALSE(only7->Next(absl::Milliseconds(1)).has_value());
  StoreEvent agent_ev;
  agent_ev.kind = StoreEvent::Kind::kAgentChanged;
  bus.Publish(agent_ev);
  CHECK_FALSE(only7->Next(absl::Milliseconds(1)).has_value());
  bus.Close();
  CHECK(only7->closed());
  CHECK_FALSE(only7->dropped());
  CHECK(bus.Subscribe()->closed());
}

TEST_CASE("request auth rules") {
  const ApiTokens both{"adm", "agt"};
  auto code = [](const absl::Status& s) { return s.code(); };
  CHECK(AuthorizeRequest(Api::kAdmin, both, "Bearer adm").ok());
  CHECK(AuthorizeRequest(Api::kAdmin, both, "bearer  adm ").ok());
  CHECK(code(AuthorizeRequest(Api::kAdmin, both, std::nullopt)) ==
        absl::StatusCode::kUnauthenticated);
  CHECK(code(AuthorizeRequest(Api::kAdmin, both, "Bearer nope")) ==
        absl::StatusCode::kUnauthenticated);
  CHECK(code(AuthorizeRequest(Api::kAdmin, both, "adm")) == absl::StatusCode::kUnauthenticated);
  CHECK(code(AuthorizeRequest(Api::kAdmin, both, "Bearer agt")) ==
        absl::StatusCode::kPermissionDenied);
  CHECK(AuthorizeRequest(Api::kAgent, both, "Bearer agt").ok());
  CHECK(code(AuthorizeRequest(Api::kAgent, both, "Bearer adm")) ==
        absl::StatusCode::kPermissionDenied);
  // Only an agent token configured: the admin API is open, but never to the agent token.
  const ApiTokens agent_only{"", "agt"};
  CHECK(AuthorizeRequest(Api::kAdmin, agent_only, std::nullopt).ok());
  CHECK(code(AuthorizeRequest(Api::kAdmin, agent_only, "Bearer agt")) ==
        absl::StatusCode::kPermissionDenied);
  CHECK(AuthorizeRequest(Api::kAgent, ApiTokens{}, std::nullopt).ok());
  // Messages never echo a configured secret.
  const ApiTokens secrets{"s3cr3t-admin", "s3cr3t-agent"};
  for (const char* given : {"Bearer nope", "Bearer s3cr3t-agent", "Bearer s3cr3t-admin"}) {
    for (Api api : {Api::kAdmin, Api::kAgent}) {
      CHECK_THAT(std::string(AuthorizeRequest(api, secrets, given).message()),
                 !Catch::Contains("s3cr3t"));
    }
  }
}

config::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST_CASE("coordinator config: layers, tokens from env, cross-checks") {
  auto layers = config::ConfigLayers::Parse(
      "state_dir = \"/var/lib/mkvfleet\"\nlease_seconds = 30\nlibrary_roots = [\"/m\"]\n"
      "[policy]\ncrf = 16\n",
      "c.toml",
      Env({{"MKVFLEET_ADMIN_TOKEN", "a"}, {"MKVFLEET_AGENT_TOKEN", "b"},
           {"MKVFLEET_MAX_ATTEMPTS", "5"}}));
  REQUIRE(layers.ok());
  layers->SetFlag("listen", "0.0.0.0:7450");
  auto c = LoadCoordinatorConfig(*layers);
  REQUIRE(c.ok());
  CHECK(c->policy.lease_duration == absl::Seconds(30));
  CHECK(c->policy.max_attempts == 5);
  CHECK(c->admin_token == "a");
  CHECK(c->agent_token == "b");
  CHECK(c->library_roots == std::vector<std::string>{"/m"});
  CHECK(c->ignored_policy_keys == std::vector<std::string>{"crf"});  // logged, not used
  CHECK_FALSE(c->watch.enabled);
  CHECK(c->watch.settle == absl::Seconds(60));
  CHECK(ValidateCoordinatorConfig(*c).ok());

  SECTION("beyond loopback without tokens is refused") {
    c->agent_token.clear();
    auto st = ValidateCoordinatorConfig(*c);
    CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(st.message()), Catch::Contains("MKVFLEET_AGENT_TOKEN"));
    c->listen = "127.0.0.1:0";
    CHECK(ValidateCoordinatorConfig(*c).ok());
  }
  SECTION("other cross-checks") {
    CoordinatorConfig bad = *c;
    bad.heartbeat_interval = absl::Seconds(30);
    CHECK_FALSE(ValidateCoordinatorConfig(bad).ok());
    bad = *c;
    bad.state_dir.clear();
    CHECK_THAT(std::string(ValidateCoordinatorConfig(bad).message()),
               Catch::Contains("--state-dir"));
    bad = *c;
    bad.tls_cert_file = "/x.pem";
    CHECK_FALSE(ValidateCoordinatorConfig(bad).ok());
    bad = *c;
    bad.policy.max_attempts = 0;
    CHECK_FALSE(ValidateCoordinatorConfig(bad).ok());
    bad = *c;
    bad.listen = "nonsense";
    CHECK_FALSE(ValidateCoordinatorConfig(bad).ok());
  }
  SECTION("wrong types name the key") {
    layers->SetFlag("lease_seconds", "soon");
    auto bad = LoadCoordinatorConfig(*layers);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(std::string(bad.status().message()), Catch::Contains("lease_seconds"));
  }
}

TEST_CASE("loopback detection") {
  CHECK(IsLoopbackListen("127.0.0.1:1"));
  CHECK(IsLoopbackListen("127.1.2.3:1"));
  CHECK(IsLoopbackListen("localhost:1"));
  CHECK(IsLoopbackListen("[::1]:1"));
  CHECK_FALSE(IsLoopbackListen("0.0.0.0:1"));
  CHECK_FALSE(IsLoopbackListen("[::]:1"));
  CHECK_FALSE(IsLoopbackListen("192.168.1.5:1"));
  CHECK_FALSE(IsLoopbackListen(":1"));
}

}  // namespace
}  // namespace mkvfleet::server
