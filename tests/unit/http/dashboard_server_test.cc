// The dashboard over real HTTP on 127.0.0.1 against an in-memory fake of the coordinator's data:
// auth (bearer, login cookie, CSRF, origin), pages, JSON API, actions, /metrics, /healthz, SSE.
#include "server/http/dashboard_server.h"

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "common/plot/brightness_series.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/unit/http/fake_backend.h"

namespace mkvfleet::http {
namespace {

using mkvfleet::testing::FakeBackend;

constexpr char kToken[] = "test-admin-token-0123456789";

v1::Job MakeJob(int64_t id, v1::JobState state) {
  v1::Job j;
  j.set_id(id);
  j.set_path("/library/movie" + std::to_string(id) + ".mkv");
  j.set_state(state);
  j.set_max_attempts(3);
  return j;
}

struct Fixture {
  explicit Fixture(std::string token = kToken) : metrics(registry) {
    backend.PutJob(MakeJob(1, v1::JOB_STATE_PENDING));
    backend.PutJob(MakeJob(2, v1::JOB_STATE_PENDING));
    backend.PutJob(MakeJob(3, v1::JOB_STATE_FAILED_PERMANENT));
    v1::Agent a;
    a.set_name("vm1");
    a.set_status(v1::AGENT_STATUS_BUSY);
    a.set_current_job_id(1);
    a.mutable_progress()->set_fps(23.5);
    backend.PutAgent(a);
    DashboardOptions options;
    options.admin_token = std::move(token);
    options.sse_keepalive = absl::Milliseconds(200);
    server = std::make_unique<DashboardServer>(backend, metrics, options);
    REQUIRE(server->Start().ok());
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  static httplib::Headers Bearer(const std::string& token = kToken) {
    return {{"Authorization", "Bearer " + token}};
  }

  FakeBackend backend;
  metrics::Registry registry;
  http::OpsMetrics metrics;
  std::unique_ptr<DashboardServer> server;
};

TEST_CASE("healthz needs no auth and follows the backend's health") {
  Fixture f;
  auto c = f.Client();
  auto ok = c.Get("/healthz");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  f.backend.SetHealth(absl::UnavailableError("database is read-only"));
  auto bad = c.Get("/healthz");
  REQUIRE(bad);
  CHECK(bad->status == 503);
  CHECK(bad->body.find("read-only") != std::string::npos);
}

TEST_CASE("metrics: 401 without the token, Prometheus text with it") {
  Fixture f;
  auto c = f.Client();
  auto denied = c.Get("/metrics");
  REQUIRE(denied);
  CHECK(denied->status == 401);
  CHECK(c.Get("/metrics", Fixture::Bearer("wrong"))->status == 401);

  // The coordinator's running totals are read at scrape time (JobStore::Totals in production).
  http::CoordinatorTotals totals{1, 2, 4096, 8192};
  f.metrics.SetTotalsSource([&totals] { return totals; });
  auto res = c.Get("/metrics", Fixture::Bearer());
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type").find("text/plain") == 0);
  const std::string& m = res->body;
  CHECK(m.find("mkvfleet_jobs{state=\"pending\"} 2\n") != std::string::npos);
  CHECK(m.find("mkvfleet_jobs{state=\"failed_permanent\"} 1\n") != std::string::npos);
  CHECK(m.find("mkvfleet_jobs{state=\"completed\"} 0\n") != std::string::npos);
  CHECK(m.find("mkvfleet_agents{status=\"busy\"} 1\n") != std::string::npos);
  CHECK(m.find("mkvfleet_agent_frames_per_second{agent=\"vm1\"} 23.5\n") != std::string::npos);
  CHECK(m.find("mkvfleet_lease_expiries_total 1\n") != std::string::npos);
  CHECK(m.find("mkvfleet_job_retries_total 2\n") != std::string::npos);
  CHECK(m.find("mkvfleet_bytes_read_total 4096\n") != std::string::npos);
  CHECK(m.find("mkvfleet_bytes_written_total 8192\n") != std::string::npos);
  CHECK(m.find(kToken) == std::string::npos);

  totals = {3, 2, 4096, 10000};  // the next scrape shows the new totals
  const std::string again = c.Get("/metrics", Fixture::Bearer())->body;
  CHECK(again.find("mkvfleet_lease_expiries_total 3\n") != std::string::npos);
  CHECK(again.find("mkvfleet_job_retries_total 2\n") != std::string::npos);
  CHECK(again.find("mkvfleet_bytes_written_total 10000\n") != std::string::npos);
}

TEST_CASE("totals never move a counter down") {
  Fixture f;
  f.metrics.ApplyTotals({5, 1, 100, 200});
  f.metrics.ApplyTotals({2, 1, 100, 200});  // the source restarted: new baseline
  f.metrics.ApplyTotals({4, 1, 100, 200});
  const std::string m = f.registry.Render();
  CHECK(m.find("mkvfleet_lease_expiries_total 7\n") != std::string::npos);
  CHECK(m.find("# TYPE mkvfleet_bytes_read_total counter\n") != std::string::npos);
}

TEST_CASE("step durations are derived from live events") {
  Fixture f;
  v1::Event e;
  e.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  *e.mutable_job() = MakeJob(1, v1::JOB_STATE_FAILED);
  v1::Step* s = e.mutable_job()->add_steps();
  s->set_name("encode");
  s->set_state(v1::STEP_STATE_DONE);
  s->set_started_ms(10'000);
  s->set_finished_ms(40'000);
  f.backend.Emit(e);
  f.backend.Emit(e);  // the same finished step again: counted once
  const std::string m = f.registry.Render();
  CHECK(m.find("mkvfleet_job_retries_total 0\n") != std::string::npos);  // not from events
  CHECK(m.find("mkvfleet_step_duration_seconds_count{step=\"encode\"} 1\n") != std::string::npos);
  CHECK(m.find("mkvfleet_step_duration_seconds_sum{step=\"encode\"} 30\n") != std::string::npos);
}

TEST_CASE("GET / gives the dashboard with the token and the login form without") {
  Fixture f;
  auto c = f.Client();
  auto page = c.Get("/", Fixture::Bearer());
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("<title>mkvfleet</title>") != std::string::npos);
  CHECK(page->body.find("/assets/app.js") != std::string::npos);

  auto login = c.Get("/");
  REQUIRE(login);
  CHECK(login->status == 401);
  CHECK(login->body.find("name=\"token\"") != std::string::npos);

  auto js = c.Get("/assets/app.js");
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->get_header_value("Content-Type").find("javascript") != std::string::npos);
  CHECK(c.Get("/assets/index.html")->status == 404);  // pages only through their routes
  CHECK(c.Get("/assets/nope.js")->status == 404);
}

TEST_CASE("login sets a session cookie (not the token); actions need its CSRF token") {
  Fixture f;
  auto c = f.Client();
  auto wrong = c.Post("/login", "token=nope", "application/x-www-form-urlencoded");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  CHECK(wrong->get_header_value("Set-Cookie").empty());

  auto ok = c.Post("/login", std::string("token=") + kToken, "application/x-www-form-urlencoded");
  REQUIRE(ok);
  CHECK(ok->status == 303);
  const std::string set_cookie = ok->get_header_value("Set-Cookie");
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(set_cookie.find(kToken) == std::string::npos);
  const std::string session =
      CookieValue(set_cookie.substr(0, set_cookie.find(';')), kSessionCookie);
  REQUIRE(session.size() == 64);
  const httplib::Headers cookie = {{"Cookie", std::string(kSessionCookie) + "=" + session}};

  auto page = c.Get("/", cookie);
  REQUIRE(page);
  REQUIRE(page->status == 200);
  const std::string marker = "name=\"csrf-token\" content=\"";
  const size_t at = page->body.find(marker);
  REQUIRE(at != std::string::npos);
  const std::string csrf = page->body.substr(at + marker.size(), 64);

  // Cookie alone: refused, nothing done.
  auto no_csrf = c.Post("/api/jobs/3/reset", cookie, "{\"from_step\":2}", "application/json");
  REQUIRE(no_csrf);
  CHECK(no_csrf->status == 403);
  CHECK(f.backend.actions().empty());

  httplib::Headers with_csrf = cookie;
  with_csrf.emplace(kCsrfHeader, csrf);
  httplib::Headers cross_site = with_csrf;
  cross_site.emplace("Origin", "http://evil.example");
  CHECK(c.Post("/api/jobs/3/reset", cross_site, "{}", "application/json")->status == 403);
  CHECK(f.backend.actions().empty());

  auto reset = c.Post("/api/jobs/3/reset", with_csrf, "{\"from_step\":2}", "application/json");
  REQUIRE(reset);
  CHECK(reset->status == 200);
  CHECK(nlohmann::json::parse(reset->body)["state"] == "pending");
  REQUIRE(f.backend.actions().size() == 1);
  CHECK(f.backend.actions()[0].verb == "reset");
  CHECK(f.backend.actions()[0].target == "3");
  CHECK(f.backend.actions()[0].step == 2);

  // Logout ends the session.
  CHECK(c.Post("/logout", with_csrf, "", "application/json")->status == 200);
  CHECK(c.Get("/api/jobs", cookie)->status == 401);
}

TEST_CASE("JSON API: lists, detail, errors mapped to HTTP statuses, bearer actions") {
  Fixture f;
  auto c = f.Client();
  const auto auth = Fixture::Bearer();

  auto list = c.Get("/api/jobs?state=pending", auth);
  REQUIRE(list);
  REQUIRE(list->status == 200);
  CHECK(nlohmann::json::parse(list->body)["jobs"].size() == 2);
  CHECK(c.Get("/api/jobs?state=bogus", auth)->status == 400);
  CHECK(c.Get("/api/jobs/999", auth)->status == 404);
  CHECK(nlohmann::json::parse(c.Get("/api/jobs/1/log", auth)->body)[0]["source"] == "coordinator");
  CHECK(nlohmann::json::parse(c.Get("/api/agents", auth)->body)[0]["name"] == "vm1");

  auto enq = c.Post("/api/enqueue", auth, R"({"paths":["/library/new.mkv","/etc/passwd"]})",
                    "application/json");
  REQUIRE(enq);
  CHECK(enq->status == 200);
  const auto results = nlohmann::json::parse(enq->body);
  CHECK(results[0]["outcome"] == "created");
  CHECK(results[1]["outcome"] == "refused");
  CHECK(c.Post("/api/enqueue", auth, "not json", "application/json")->status == 400);
  CHECK(c.Post("/api/enqueue", auth, R"({"paths":[]})", "application/json")->status == 400);

  CHECK(c.Post("/api/jobs/1/cancel", auth, "", "application/json")->status == 200);
  CHECK(c.Post("/api/jobs/999/cancel", auth, "", "application/json")->status == 404);
  auto drain = c.Post("/api/agents/vm1/drain", auth, "{}", "application/json");
  REQUIRE(drain);
  CHECK(nlohmann::json::parse(drain->body)["status"] == "draining");
  CHECK(c.Post("/api/agents/vm1/drain", auth, R"({"undrain":"yes"})", "application/json")->status ==
        400);

  f.backend.SetListError(absl::UnavailableError("coordinator stopping"));
  CHECK(c.Get("/api/jobs", auth)->status == 503);
}

TEST_CASE("JSON API: jobs page by limit and cursor, with the total and the counts") {
  Fixture f;
  for (int64_t id = 4; id <= 12; ++id) f.backend.PutJob(MakeJob(id, v1::JOB_STATE_COMPLETED));
  auto c = f.Client();
  const auto auth = Fixture::Bearer();
  auto page_of = [&](const std::string& query) {
    auto res = c.Get("/api/jobs?" + query, auth);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return nlohmann::json::parse(res->body);
  };
  std::vector<int64_t> ids;
  std::string cursor;
  int pages = 0;
  do {
    const auto page = page_of("order=newest&limit=5&cursor=" + cursor);
    CHECK(page["total"] == 12);
    CHECK(page["counts"] ==
          nlohmann::json{{"pending", 2}, {"failed_permanent", 1}, {"completed", 9}});
    CHECK(page["jobs"].size() <= 5);
    for (const auto& j : page["jobs"]) ids.push_back(j["id"]);
    cursor = page["next_cursor"];
    ++pages;
  } while (!cursor.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(ids == std::vector<int64_t>{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1});

  const auto completed = page_of("state=completed&limit=4&cursor=6");
  CHECK(completed["total"] == 9);
  CHECK(completed["jobs"][0]["id"] == 7);
  CHECK(completed["next_cursor"] == "10");
  const auto oldest = page_of("limit=2");
  CHECK(oldest["jobs"][0]["id"] == 1);
  CHECK(oldest["next_cursor"] == "2");
  CHECK(c.Get("/api/jobs?order=sideways", auth)->status == 400);
  CHECK(c.Get("/api/jobs?limit=-1", auth)->status == 400);
}

// A running dv-reencode job in its chunk phase: chunk 0 done on vm1, chunk 1 on vm2 (a retry).
v1::Job ChunkedJob(int64_t id) {
  v1::Job j = MakeJob(id, v1::JOB_STATE_RUNNING);
  j.set_plan("dv-reencode");
  j.set_step("encode");
  j.set_chunks_requested(0);
  j.set_chunk_manifest("/shared/mkvfleet-chunks/job-" + std::to_string(id) + "/manifest.json");
  for (int i = 0; i < 2; ++i) {
    v1::Chunk* c = j.add_chunks();
    c->set_index(i);
    c->set_first_frame(i * 500);
    c->set_frames(500);
    c->set_state(i == 0 ? v1::CHUNK_STATE_DONE : v1::CHUNK_STATE_RUNNING);
    c->set_agent(i == 0 ? "vm1" : "vm2");
    c->set_attempts(i + 1);
    c->mutable_progress()->set_frames_done(i == 0 ? 500 : 125);
    c->mutable_progress()->set_frames_total(500);
  }
  return j;
}

TEST_CASE("JSON API: a chunked job's chunks in its detail and in the list") {
  Fixture f;
  f.backend.PutJob(ChunkedJob(4));
  auto c = f.Client();
  const auto auth = Fixture::Bearer();

  auto detail = c.Get("/api/jobs/4", auth);
  REQUIRE(detail);
  REQUIRE(detail->status == 200);
  const auto job = nlohmann::json::parse(detail->body);
  REQUIRE(job["chunks"].size() == 2);
  CHECK(job["chunks"][1]["state"] == "running");
  CHECK(job["chunks"][1]["agent"] == "vm2");
  CHECK(job["chunks"][1]["retries"] == 1);
  CHECK(job["chunks"][1]["progress"]["percent"] == 25.0);
  CHECK(job["chunk_counts"]["done"] == 1);

  // The list leaves chunks out; the API fills them in for active chunked jobs only.
  const int gets_before = f.backend.get_job_calls();
  auto list = c.Get("/api/jobs?order=newest", auth);
  REQUIRE(list);
  REQUIRE(list->status == 200);
  const auto jobs = nlohmann::json::parse(list->body)["jobs"];
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0]["id"] == 4);
  CHECK(jobs[0]["chunk_counts"]["total"] == 2);
  CHECK(jobs[0]["chunks"][0]["state"] == "done");
  CHECK(jobs[1]["chunks"] == nlohmann::json::array());
  CHECK(f.backend.get_job_calls() == gets_before + 1);
}

TEST_CASE("JSON API: a job's brightness plot from its probe fact, 204 without one") {
  Fixture f;
  v1::Job job = MakeJob(5, v1::JOB_STATE_RUNNING);
  job.set_path("/library/<img src=x onerror=alert(1)>.mkv");
  v1::Step* probe = job.add_steps();
  probe->set_name("probe");
  std::vector<plot::FrameBrightness> frames(48);
  for (size_t i = 0; i < frames.size(); ++i) {
    frames[i].max_pq = static_cast<uint16_t>(2000 + 10 * i);
    frames[i].avg_pq = 1200;
    frames[i].scene_start = i % 24 == 0;
  }
  (*probe->mutable_checkpoint()->mutable_facts())[plot::kBrightnessFact] =
      plot::EncodeBrightness(plot::FoldBrightness(frames, plot::kBrightnessFactBuckets));
  f.backend.PutJob(job);
  auto c = f.Client();

  auto svg = c.Get("/api/jobs/5/brightness.svg", Fixture::Bearer());
  REQUIRE(svg);
  REQUIRE(svg->status == 200);
  CHECK(svg->get_header_value("Content-Type") == "image/svg+xml");
  CHECK(svg->get_header_value("Cache-Control") == "no-store");
  CHECK(svg->body.rfind("<svg ", 0) == 0);
  CHECK(svg->body.find("scene starts (2)") != std::string::npos);
  CHECK(svg->body.find("&lt;img src=x onerror=alert(1)&gt;.mkv") != std::string::npos);
  CHECK(svg->body.find("<img") == std::string::npos);

  auto none = c.Get("/api/jobs/1/brightness.svg", Fixture::Bearer());  // not probed yet
  REQUIRE(none);
  CHECK(none->status == 204);
  CHECK(none->body.empty());
  auto unknown = c.Get("/api/jobs/99/brightness.svg", Fixture::Bearer());
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  auto unauthenticated = c.Get("/api/jobs/5/brightness.svg");
  REQUIRE(unauthenticated);
  CHECK(unauthenticated->status == 401);
}

TEST_CASE("JSON API: agents carry their fps history, the jobs page the queue ETA") {
  Fixture f;
  v1::Event running;
  running.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  *running.mutable_job() = MakeJob(1, v1::JOB_STATE_RUNNING);
  running.mutable_job()->set_agent("vm1");
  running.mutable_job()->mutable_progress()->set_fps(23.5);
  f.backend.Emit(running);
  v1::Event done;
  done.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  *done.mutable_job() = MakeJob(7, v1::JOB_STATE_COMPLETED);
  f.backend.Emit(done);
  auto c = f.Client();

  auto agents = c.Get("/api/agents", Fixture::Bearer());
  REQUIRE(agents);
  REQUIRE(agents->status == 200);
  const auto vm1 = nlohmann::json::parse(agents->body)[0];
  CHECK(vm1["fps_history"]["bucket_seconds"] == 300);
  REQUIRE(vm1["fps_history"]["fps"].size() == 72);
  CHECK(vm1["fps_history"]["fps"].back() == 23.5);

  auto jobs = c.Get("/api/jobs", Fixture::Bearer());
  REQUIRE(jobs);
  const auto queue = nlohmann::json::parse(jobs->body)["queue"];
  CHECK(queue["remaining"] == 2);  // jobs 1 and 2 pending in the fake's table
  CHECK(queue["completed_per_hour"].get<double>() > 0);
  CHECK(queue["eta_ms"].get<int64_t>() > 0);
}

TEST_CASE("live events reach an open /events stream") {
  Fixture f;
  std::promise<std::string> got;
  std::thread reader([&] {
    auto c = f.Client();
    std::string buffer;
    bool done = false;
    c.Get("/events", Fixture::Bearer(), [&](const char* data, size_t n) {
      buffer.append(data, n);
      if (!done && buffer.find("event: job\n") != std::string::npos &&
          buffer.find("\n\n", buffer.find("event: job\n")) != std::string::npos) {
        done = true;
        got.set_value(buffer);
        return false;  // close the stream
      }
      return true;
    });
    if (!done) got.set_value(buffer);
  });
  // Emit until the stream is attached (the hub only delivers what is published after connect).
  v1::Event e;
  e.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  *e.mutable_job() = MakeJob(2, v1::JOB_STATE_RUNNING);
  e.mutable_job()->mutable_progress()->set_fps(42);
  std::future<std::string> result = got.get_future();
  while (result.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    f.backend.Emit(e);
  }
  reader.join();
  const std::string stream = result.get();
  CHECK(stream.find("event: hello\n") != std::string::npos);
  CHECK(stream.find("\"id\":2") != std::string::npos);
  CHECK(stream.find("\"state\":\"running\"") != std::string::npos);
}

TEST_CASE("the event stream needs auth, and Stop ends open streams") {
  Fixture f;
  auto c = f.Client();
  CHECK(c.Get("/events")->status == 401);
  std::thread reader([&] {
    auto c2 = f.Client();
    c2.Get("/events", Fixture::Bearer(), [](const char*, size_t) { return true; });
  });
  while (f.backend.subscribers() == 0) std::this_thread::yield();
  f.server->Stop();  // must return although a stream is open
  reader.join();
  CHECK(f.backend.subscribers() == 0);
}

TEST_CASE("without a token: loopback only, DNS-rebinding hosts refused, CSRF still required") {
  FakeBackend backend;
  metrics::Registry registry;
  http::OpsMetrics metrics(registry);
  DashboardOptions exposed;
  exposed.listen = {"0.0.0.0", 0};
  DashboardServer refused(backend, metrics, exposed);
  CHECK(absl::IsFailedPrecondition(refused.Start()));

  Fixture f("");
  auto c = f.Client();
  auto page = c.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Set-Cookie").find("HttpOnly") != std::string::npos);
  CHECK(c.Get("/metrics")->status == 200);
  CHECK(c.Get("/", {{"Host", "evil.example:80"}})->status == 403);
  CHECK(c.Post("/api/jobs/1/cancel", "", "application/json")->status == 403);
}

}  // namespace
}  // namespace mkvfleet::http
