// The dashboard on 127.0.0.1 over a scripted in-memory backend, for the browser test
// (dashboard.test.mjs): job 1 runs and its progress advances, job 2 failed permanently and waits
// for a reset, agent vm1 works on job 1, agent vm2 goes stale when this process gets SIGUSR1,
// job 4 is a chunked re-encode (3 chunks: one done, one advancing on vm3 (a retry), one failed
// with an error that carries markup, to show it is rendered as text), job 5 is a library file
// named like HTML ("<img src=x onerror=alert(1)>.mkv", failed with the name in its error and its
// log) and agent vm4 reports markup as its version and a tool's version.
// With `--jobs N` (N > 4) the table holds N jobs instead of job 5: ids 5..N are filler
// (FillerState says which state each has), for the test of the paged list at library scale.
// Prints "PORT <n>" on stdout once serving; exits on SIGTERM/SIGINT.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "common/plot/brightness_series.h"
#include "server/http/dashboard_server.h"
#include "tests/unit/http/fake_backend.h"

namespace {

using mkvfleet::v1::Agent;
using mkvfleet::v1::Event;
using mkvfleet::v1::Job;

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

Job MakeJob(int64_t id, const std::string& name, mkvfleet::v1::JobState state) {
  Job j;
  j.set_id(id);
  j.set_path("/library/Movies/" + name + ".mkv");
  j.set_state(state);
  j.set_max_attempts(3);
  j.set_created_ms(NowMs() - 3600 * 1000);
  j.set_updated_ms(NowMs());
  j.set_plan("dv-convert");
  const char* steps[] = {"probe", "plan", "rpu", "encode", "mux", "verify", "publish"};
  for (int i = 0; i < 7; ++i) {
    auto* s = j.add_steps();
    s->set_index(i);
    s->set_name(steps[i]);
    s->set_state(mkvfleet::v1::STEP_STATE_PENDING);
  }
  return j;
}

// Job 4: a dv-reencode in its chunk phase.
Job MakeChunkedJob() {
  Job j = MakeJob(4, "Oppenheimer (2023)", mkvfleet::v1::JOB_STATE_RUNNING);
  j.set_plan("dv-reencode");
  j.set_step("encode");
  j.set_attempts(1);
  j.set_chunk_manifest("/shared/mkvfleet-chunks/job-4/manifest.json");
  for (int i = 0; i < 3; ++i) j.mutable_steps(i)->set_state(mkvfleet::v1::STEP_STATE_DONE);
  // What the probe records for the brightness plot: 30000 frames, a scene every 240.
  std::vector<mkvfleet::plot::FrameBrightness> frames(30000);
  for (size_t f = 0; f < frames.size(); ++f) {
    frames[f].max_pq = static_cast<uint16_t>(2500 + (f * 29) % 1100);
    frames[f].avg_pq = static_cast<uint16_t>(1200 + (f * 17) % 800);
    frames[f].scene_start = f % 240 == 0;
  }
  (*j.mutable_steps(0)->mutable_checkpoint()->mutable_facts())[mkvfleet::plot::kBrightnessFact] =
      mkvfleet::plot::EncodeBrightness(
          mkvfleet::plot::FoldBrightness(frames, mkvfleet::plot::kBrightnessFactBuckets));
  j.mutable_steps(3)->set_state(mkvfleet::v1::STEP_STATE_RUNNING);
  j.mutable_steps(3)->set_started_ms(NowMs() - 120000);
  j.mutable_progress()->set_frames_total(30000);
  j.mutable_progress()->set_frames_done(10000);
  const struct {
    mkvfleet::v1::ChunkState state;
    const char* agent;
    int attempts;
    const char* error;
  } chunks[] = {
      {mkvfleet::v1::CHUNK_STATE_DONE, "vm1", 1, ""},
      {mkvfleet::v1::CHUNK_STATE_RUNNING, "vm3", 2, ""},
      {mkvfleet::v1::CHUNK_STATE_FAILED, "vm1", 1, "<img src=x onerror=alert(1)> RPU 12 differs"},
  };
  for (int i = 0; i < 3; ++i) {
    auto* c = j.add_chunks();
    c->set_index(i);
    c->set_first_frame(i * 10000);
    c->set_frames(10000);
    c->set_state(chunks[i].state);
    c->set_agent(chunks[i].agent);
    c->set_attempts(chunks[i].attempts);
    c->set_error(chunks[i].error);
    c->mutable_progress()->set_frames_total(10000);
    if (i == 0) c->mutable_progress()->set_frames_done(10000);
  }
  return j;
}

Agent MakeAgent(const std::string& name, mkvfleet::v1::AgentStatus status, int64_t job) {
  Agent a;
  a.set_name(name);
  a.set_version("0.1.0");
  a.set_status(status);
  a.set_current_job_id(job);
  a.set_registered_ms(NowMs() - 7200 * 1000);
  a.set_last_heartbeat_ms(NowMs());
  a.mutable_capabilities()->set_free_temp_bytes(int64_t{512} << 30);
  a.mutable_capabilities()->set_threads(16);
  for (const char* tool : {"ffmpeg", "x265", "mkvmerge"}) {
    auto* t = a.mutable_capabilities()->add_tools();
    t->set_name(tool);
    t->set_version("1.0");
  }
  return a;
}

// Filler job `id`'s state; dashboard.test.mjs counts with the same rule.
mkvfleet::v1::JobState FillerState(int64_t id) {
  if (id % 10 == 0) return mkvfleet::v1::JOB_STATE_PENDING;
  if (id % 7 == 0) return mkvfleet::v1::JOB_STATE_FAILED;
  return mkvfleet::v1::JOB_STATE_COMPLETED;
}

// Jobs 5..last, without steps (the list never shows them; GetJob returns what there is).
void PutFillerJobs(mkvfleet::testing::FakeBackend& backend, int64_t last) {
  const int64_t now = NowMs();
  for (int64_t id = 5; id <= last; ++id) {
    Job j;
    j.set_id(id);
    j.set_path("/library/Series/Show/Episode " + std::to_string(id) + ".mkv");
    j.set_state(FillerState(id));
    j.set_plan("dv-convert");
    j.set_max_attempts(3);
    j.set_created_ms(now - (last - id) * 1000);
    j.set_updated_ms(now);
    if (j.state() == mkvfleet::v1::JOB_STATE_FAILED) j.set_error("mkvmerge exited 2");
    backend.PutJob(j);
  }
}

// Job 5 and agent vm4: untrusted text that looks like HTML, which every view must show as text.
void PutMarkupNamed(mkvfleet::testing::FakeBackend& backend) {
  const std::string name = "<img src=x onerror=alert(1)>";
  Job j = MakeJob(5, name, mkvfleet::v1::JOB_STATE_FAILED);
  j.set_path("/library/Movies/" + name + ".mkv");
  j.set_step("probe");
  j.set_attempts(1);
  j.set_error("ffprobe cannot read /library/Movies/" + name + ".mkv");
  j.mutable_steps(0)->set_state(mkvfleet::v1::STEP_STATE_FAILED);
  j.mutable_steps(0)->set_message("cannot open " + name + ".mkv");
  backend.PutJob(j);
  Agent a = MakeAgent("vm4", mkvfleet::v1::AGENT_STATUS_IDLE, 0);
  a.set_version(name);
  a.mutable_capabilities()->mutable_tools(0)->set_version(name);
  backend.PutAgent(a);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t total_jobs = 4;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--jobs") == 0) total_jobs = std::atoll(argv[i + 1]);
  }
  const char* token = std::getenv("MKVFLEET_ADMIN_TOKEN");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mkvfleet::testing::FakeBackend backend;
  Job running = MakeJob(1, "Blade Runner 2049 (2017)", mkvfleet::v1::JOB_STATE_RUNNING);
  running.set_step("encode");
  running.set_agent("vm1");
  running.set_attempts(1);
  running.mutable_progress()->set_frames_total(240000);
  running.mutable_progress()->set_fps(23.8);
  for (int i = 0; i < 3; ++i) {
    auto* s = running.mutable_steps(i);
    s->set_state(mkvfleet::v1::STEP_STATE_DONE);
    s->set_agent("vm1");
    s->set_started_ms(NowMs() - 600000 + i * 60000);
    s->set_finished_ms(NowMs() - 600000 + i * 60000 + 45000);
  }
  running.mutable_steps(3)->set_state(mkvfleet::v1::STEP_STATE_RUNNING);
  running.mutable_steps(3)->set_started_ms(NowMs() - 300000);
  backend.PutJob(running);
  Job failed = MakeJob(2, "Dune (2021)", mkvfleet::v1::JOB_STATE_FAILED_PERMANENT);
  failed.set_step("mux");
  failed.set_attempts(3);
  failed.set_error("mkvmerge exited 2: not enough space on /work");
  backend.PutJob(failed);
  Job done = MakeJob(3, "Arrival (2016)", mkvfleet::v1::JOB_STATE_COMPLETED);
  done.set_output("/library/Movies/Arrival (2016).DV81.mkv");
  backend.PutJob(done);
  Job chunked = MakeChunkedJob();
  backend.PutJob(chunked);
  backend.PutAgent(MakeAgent("vm1", mkvfleet::v1::AGENT_STATUS_BUSY, 1));
  backend.PutAgent(MakeAgent("vm2", mkvfleet::v1::AGENT_STATUS_IDLE, 0));
  if (total_jobs > 4) {
    PutFillerJobs(backend, total_jobs);
  } else {
    PutMarkupNamed(backend);
  }

  mkvfleet::metrics::Registry registry;
  mkvfleet::http::OpsMetrics metrics(registry);
  mkvfleet::http::DashboardOptions options;
  options.admin_token = token ? token : "";
  options.sse_keepalive = absl::Seconds(1);
  mkvfleet::http::DashboardServer server(backend, metrics, options);
  if (absl::Status s = server.Start(); !s.ok()) {
    std::cerr << "fixture_server: " << s.message() << std::endl;
    return 1;
  }
  std::cout << "PORT " << server.port() << std::endl;

  std::atomic<bool> stop{false};
  std::atomic<bool> vm2_stale{false};
  std::thread ticker([&] {
    int64_t frames = 0;
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      frames = (frames + 2400) % 240000;
      running.mutable_progress()->set_frames_done(frames);
      running.mutable_progress()->set_eta_ms((240000 - frames) * 1000 / 24);
      running.set_updated_ms(NowMs());
      backend.PutJob(running);
      Event e;
      e.set_time_ms(NowMs());
      e.set_kind(mkvfleet::v1::EVENT_KIND_JOB_CHANGED);
      *e.mutable_job() = running;
      e.mutable_job()->clear_steps();
      backend.Emit(e);
      // Job 4's running chunk advances; the event carries no chunks, as a list entry.
      auto* chunk = chunked.mutable_chunks(1);
      chunk->mutable_progress()->set_frames_done((chunk->progress().frames_done() + 100) % 10000);
      chunk->mutable_progress()->set_fps(24.0);
      chunked.mutable_progress()->set_frames_done(10000 + chunk->progress().frames_done());
      chunked.set_updated_ms(NowMs());
      backend.PutJob(chunked);
      *e.mutable_job() = chunked;
      e.mutable_job()->clear_steps();
      e.mutable_job()->clear_chunks();
      backend.Emit(e);
      // Job 2 as the backend has it now (pending once the browser reset it).
      if (auto j2 = backend.GetJob(2); j2.ok()) {
        *e.mutable_job() = *j2;
        e.mutable_job()->clear_steps();
        backend.Emit(e);
      }
      Agent vm1 = MakeAgent("vm1", mkvfleet::v1::AGENT_STATUS_BUSY, 1);
      vm1.mutable_progress()->set_fps(23.8);
      backend.PutAgent(vm1);
      e.set_kind(mkvfleet::v1::EVENT_KIND_AGENT_CHANGED);
      *e.mutable_agent() = vm1;
      backend.Emit(e);
      if (vm2_stale.exchange(false)) {
        Agent vm2 = MakeAgent("vm2", mkvfleet::v1::AGENT_STATUS_STALE, 0);
        vm2.set_last_heartbeat_ms(NowMs() - 90 * 1000);
        backend.PutAgent(vm2);
        *e.mutable_agent() = vm2;
        backend.Emit(e);
      }
    }
  });

  while (true) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR1) {
      vm2_stale = true;
      continue;
    }
    break;
  }
  stop = true;
  ticker.join();
  server.Stop();
  return 0;
}
