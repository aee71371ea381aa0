// Pure parts of the dashboard: listen addresses, sessions and the auth decision, JSON views and
// the per-page event queues.
#include <catch2/catch.hpp>

#include "server/http/event_hub.h"
#include "server/http/json_view.h"
#include "server/http/listen_address.h"
#include "server/http/http_auth.h"
#include "server/http/sessions.h"

namespace mkvfleet::http {
namespace {

TEST_CASE("listen addresses parse HOST:PORT and bracketed IPv6") {
  auto a = ParseListenAddress("127.0.0.1:8080");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8080);
  auto b = ParseListenAddress("[::1]:0");
  REQUIRE(b.ok());
  CHECK(b->host == "::1");
  CHECK(b->port == 0);
  CHECK_FALSE(ParseListenAddress("127.0.0.1").ok());
  CHECK_FALSE(ParseListenAddress(":80").ok());
  CHECK_FALSE(ParseListenAddress("host:99999").ok());
  CHECK_FALSE(ParseListenAddress("::1:80").ok());
  CHECK(ParseListenAddress("x:y").status().message().find("HOST:PORT") != std::string::npos);
}

TEST_CASE("only loopback is served without an admin token") {
  CHECK(IsLoopbackHost("127.0.0.1"));
  CHECK(IsLoopbackHost("127.8.9.10"));
  CHECK(IsLoopbackHost("::1"));
  CHECK(IsLoopbackHost("LocalHost"));
  CHECK_FALSE(IsLoopbackHost("0.0.0.0"));
  CHECK_FALSE(IsLoopbackHost("192.168.1.5"));
  CHECK_FALSE(IsLoopbackHost("::"));
  CHECK(CheckExposure({"127.0.0.1", 80}, false).ok());
  CHECK(absl::IsFailedPrecondition(CheckExposure({"0.0.0.0", 80}, false)));
  CHECK(CheckExposure({"0.0.0.0", 80}, true).ok());
  CHECK(IsLoopbackHostHeader("127.0.0.1:8080"));
  CHECK(IsLoopbackHostHeader("localhost"));
  CHECK(IsLoopbackHostHeader("[::1]:8080"));
  CHECK_FALSE(IsLoopbackHostHeader("evil.example:8080"));
  CHECK_FALSE(IsLoopbackHostHeader(""));
}

TEST_CASE("sessions expire and are bounded") {
  absl::Time now = absl::FromUnixSeconds(1000);
  int n = 0;
  SessionStore store([&] { return now; }, [&] { return "tok" + std::to_string(n++); },
                     absl::Hours(1));
  const Session s = store.Create();
  CHECK(s.id != s.csrf);
  CHECK(store.Find(s.id).has_value());
  CHECK_FALSE(store.Find("nope").has_value());
  CHECK_FALSE(store.Find("").has_value());
  now += absl::Hours(2);
  CHECK_FALSE(store.Find(s.id).has_value());

  for (size_t i = 0; i < kMaxSessions + 5; ++i) store.Create();
  const Session last = store.Create();
  CHECK(store.Find(last.id).has_value());
  store.Remove(last.id);
  CHECK_FALSE(store.Find(last.id).has_value());
}

TEST_CASE("random tokens are 64 hex characters and differ") {
  const std::string a = RandomToken();
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != RandomToken());
}

TEST_CASE("cookies are parsed and set HttpOnly, SameSite=Strict") {
  CHECK(CookieValue("a=1; mkvfleet_session=abc; b=2", kSessionCookie) == "abc");
  CHECK(CookieValue("mkvfleet_sessionx=abc", kSessionCookie) == "");
  CHECK(CookieValue("", kSessionCookie) == "");
  const std::string c = SessionCookie("abc");
  CHECK(c.find("mkvfleet_session=abc;") == 0);
  CHECK(c.find("HttpOnly") != std::string::npos);
  CHECK(c.find("SameSite=Strict") != std::string::npos);
}

TEST_CASE("authorization: bearer, cookie + CSRF, origin and host rules") {
  SessionStore store;
  const Session s = store.Create();
  const std::string cookie = std::string(kSessionCookie) + "=" + s.id;
  RequestFacts f;
  f.host = "10.0.0.2:8080";

  SECTION("with a token: nothing, or a wrong token, is 401") {
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kUnauthenticated);
    f.authorization = "Bearer wrong";
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kUnauthenticated);
  }
  SECTION("the right bearer token may read and write without CSRF") {
    f.authorization = "Bearer secret";
    f.state_changing = true;
    const AuthOutcome o = Authorize(f, "secret", store);
    CHECK(o.verdict == AuthVerdict::kAllowed);
    CHECK(o.via_bearer);
  }
  SECTION("a session cookie reads; writes need its CSRF token and a same origin") {
    f.cookie = cookie;
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kAllowed);
    f.state_changing = true;
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kForbidden);
    f.csrf_header = "wrong";
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kForbidden);
    f.csrf_header = s.csrf;
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kAllowed);
    f.origin = "http://10.0.0.2:8080";
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kAllowed);
    f.origin = "http://evil.example";
    CHECK(Authorize(f, "secret", store).verdict == AuthVerdict::kForbidden);
  }
  SECTION("without a token: loopback Host only, and writes still need CSRF") {
    CHECK(Authorize(f, "", store).verdict == AuthVerdict::kForbidden);
    f.host = "127.0.0.1:8080";
    CHECK(Authorize(f, "", store).verdict == AuthVerdict::kAllowed);
    f.state_changing = true;
    CHECK(Authorize(f, "", store).verdict == AuthVerdict::kForbidden);
    f.cookie = cookie;
    f.csrf_header = s.csrf;
    CHECK(Authorize(f, "", store).verdict == AuthVerdict::kAllowed);
    // A bearer header is no credential when no token is configured.
    CHECK_FALSE(IsAdminToken("", ""));
  }
}

TEST_CASE("jobs, agents and events become the dashboard's JSON") {
  v1::Job job;
  job.set_id(7);
  job.set_path("/lib/a.mkv");
  job.set_state(v1::JOB_STATE_FAILED_PERMANENT);
  job.mutable_progress()->set_frames_done(50);
  job.mutable_progress()->set_frames_total(200);
  v1::Step* step = job.add_steps();
  step->set_name("encode");
  step->set_state(v1::STEP_STATE_DONE);
  step->set_started_ms(1000);
  step->set_finished_ms(4500);
  const nlohmann::json j = JobToJson(job);
  CHECK(j["state"] == "failed_permanent");
  CHECK(j["progress"]["percent"] == 25.0);
  CHECK(j["steps"][0]["duration_ms"] == 3500);
  CHECK(j["steps"][0]["state"] == "done");

  v1::Job unknown_total;
  CHECK(JobToJson(unknown_total)["progress"]["percent"] == -1.0);

  CHECK(ParseJobStateName("failed_permanent") == v1::JOB_STATE_FAILED_PERMANENT);
  CHECK_FALSE(ParseJobStateName("bogus").has_value());
  for (v1::JobState s : AllJobStates()) CHECK(ParseJobStateName(JobStateName(s)) == s);

  v1::Event e;
  e.set_kind(v1::EVENT_KIND_AGENT_CHANGED);
  e.mutable_agent()->set_name("vm1");
  e.mutable_agent()->set_status(v1::AGENT_STATUS_STALE);
  const std::string sse = EventToSse(e);
  CHECK(sse.rfind("event: agent\ndata: {", 0) == 0);
  CHECK(sse.find("\"status\":\"stale\"") != std::string::npos);
  CHECK(sse.substr(sse.size() - 2) == "\n\n");
  CHECK(sse.find('\n') == sse.find("\ndata:"));  // one data line: JSON has no newlines
}

TEST_CASE("a chunked job's JSON has its chunks, their counts, and what was asked") {
  v1::Job job;
  job.set_id(9);
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_chunks_requested(3);
  job.set_chunk_manifest("/shared/mkvfleet-chunks/job-9/manifest.json");
  v1::Chunk* done = job.add_chunks();
  done->set_index(0);
  done->set_first_frame(0);
  done->set_frames(400);
  done->set_state(v1::CHUNK_STATE_DONE);
  done->set_agent("vm1");
  done->set_attempts(1);
  done->set_task_id(31);
  done->set_started_ms(1000);
  done->set_finished_ms(9000);
  v1::Chunk* running = job.add_chunks();
  running->set_index(1);
  running->set_first_frame(400);
  running->set_frames(400);
  running->set_state(v1::CHUNK_STATE_RUNNING);
  running->set_agent("vm2 <b>");
  running->set_attempts(3);
  running->mutable_progress()->set_frames_done(100);
  running->mutable_progress()->set_fps(12.5);
  running->mutable_progress()->set_eta_ms(24000);
  v1::Chunk* failed = job.add_chunks();
  failed->set_index(2);
  failed->set_first_frame(800);
  failed->set_frames(200);
  failed->set_state(v1::CHUNK_STATE_FAILED);
  failed->set_attempts(1);
  failed->set_error("x265 made no progress for 600 s");
  failed->set_not_before_ms(20000);

  const nlohmann::json j = JobToJson(job);
  CHECK(j["chunks_requested"] == 3);
  CHECK(j["chunk_manifest"] == "/shared/mkvfleet-chunks/job-9/manifest.json");
  CHECK(j["chunk_counts"] ==
        nlohmann::json{{"total", 3}, {"pending", 0}, {"running", 1}, {"done", 1}, {"failed", 1}});
  REQUIRE(j["chunks"].size() == 3);
  CHECK(j["chunks"][0] == nlohmann::json{{"index", 0},
                                         {"first_frame", 0},
                                         {"frames", 400},
                                         {"state", "done"},
                                         {"agent", "vm1"},
                                         {"attempts", 1},
                                         {"retries", 0},
                                         {"error", ""},
                                         {"task_id", 31},
                                         {"started_ms", 1000},
                                         {"finished_ms", 9000},
                                         {"not_before_ms", 0},
                                         {"progress",
                                          {{"frames_done", 0},
                                           {"frames_total", 0},
                                           {"fps", 0.0},
                                           {"eta_ms", 0},
                                           {"percent", 100.0}}}});
  const nlohmann::json& r = j["chunks"][1];
  CHECK(r["state"] == "running");
  CHECK(r["agent"] == "vm2 <b>");  // raw in JSON; the page renders it as text
  CHECK(r["retries"] == 2);
  CHECK(r["progress"]["percent"] == 25.0);  // no total reported yet: over the chunk's frames
  CHECK(r["progress"]["fps"] == 12.5);
  CHECK(r["progress"]["eta_ms"] == 24000);
  CHECK(j["chunks"][2]["state"] == "failed");
  CHECK(j["chunks"][2]["error"] == "x265 made no progress for 600 s");
  CHECK(j["chunks"][2]["not_before_ms"] == 20000);
  CHECK(j["chunks"][2]["progress"]["percent"] == 0.0);

  // A job without chunks: an empty list and zero counts, never missing keys.
  const nlohmann::json plain = JobToJson(v1::Job());
  CHECK(plain["chunks"] == nlohmann::json::array());
  CHECK(plain["chunk_counts"]["total"] == 0);
  CHECK(plain["chunks_requested"] == 0);
  CHECK(plain["chunk_manifest"] == "");

  CHECK(ChunkStateName(v1::CHUNK_STATE_PENDING) == "pending");
  CHECK(ChunkStateName(v1::CHUNK_STATE_UNSPECIFIED) == "unspecified");
  CHECK(ChunkToJson(v1::Chunk())["progress"]["percent"] == -1.0);  // nothing known
}

TEST_CASE("event hub: every listener gets events; an overflowing one is told to resync") {
  EventHub hub(/*capacity=*/2);
  auto fast = hub.Connect();
  auto slow = hub.Connect();
  CHECK(hub.listener_count() == 2);
  hub.PublishRaw("A");
  CHECK(fast->Next(absl::ZeroDuration()) == "A");
  hub.PublishRaw("B");
  hub.PublishRaw("C");
  CHECK(fast->Next(absl::ZeroDuration()) == "BC");
  CHECK(slow->Next(absl::ZeroDuration()) == FormatSse("resync", "{}"));
  CHECK(slow->Next(absl::ZeroDuration()) == "");  // nothing new: a timeout
  hub.Disconnect(slow);
  CHECK(hub.listener_count() == 1);
  hub.Close();
  CHECK_FALSE(fast->Next(absl::Seconds(5)).has_value());
  CHECK(hub.Connect() == nullptr);
}

}  // namespace
}  // namespace mkvfleet::http
