// mkvctl watch: live progress from the coordinator's WatchEvents stream, one line (with a bar) per
// active job. On a terminal the block of lines is redrawn in place; otherwise a line is printed
// whenever a job's state or step changes. --job ID follows one job and exits when it is terminal
// (exit 0 when completed or skipped, 3 otherwise); --until-idle exits when no job is pending,
// running or failed-awaiting-retry. Ctrl-C ends it at any time. A chunked job's line also says
// how its chunks stand ("chunks 3/8 done, 2 running: a1 45%, a2 12%").
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status/status_macros.h"
#include "ctl/commands.h"
#include "ctl/output_format.h"

namespace mkvfleet::ctl {
namespace {

// How often the terminal view is redrawn and idleness / the followed job is checked.
constexpr absl::Duration kWatchTick = absl::Milliseconds(500);
// Pause before re-opening a broken event stream.
constexpr absl::Duration kStreamRetry = absl::Seconds(1);
// Give up when the coordinator stays unreachable this long.
constexpr absl::Duration kWatchUnreachableLimit = absl::Seconds(60);
constexpr int kBarWidth = 24;

bool IsTerminal(v1::JobState s) {
  return s == v1::JOB_STATE_COMPLETED || s == v1::JOB_STATE_SKIPPED ||
         s == v1::JOB_STATE_FAILED_PERMANENT || s == v1::JOB_STATE_CANCELLED;
}

// Lists and events may carry no chunks: a job that comes without them keeps the ones last seen
// while it is active and not re-chunked (a different chunk_manifest).
void KeepChunks(const v1::Job& last, v1::Job* next) {
  if (next->chunks_size() > 0 || last.chunks_size() == 0 || IsTerminal(next->state())) return;
  if (!next->chunk_manifest().empty() && next->chunk_manifest() != last.chunk_manifest()) return;
  *next->mutable_chunks() = last.chunks();
}

// A chunked job whose list entry came without its chunks (GetJob has them).
bool NeedsChunks(const v1::Job& job) {
  return job.state() == v1::JOB_STATE_RUNNING && !job.chunk_manifest().empty() &&
         job.chunks_size() == 0;
}

struct WatchOptions {
  int64_t job = 0;
  bool until_idle = false;
};

// Shared between the stream reader thread and the main loop.
class WatchState {
 public:
  void Update(const v1::Job& job) {
    absl::MutexLock lock(&mu_);
    v1::Job& slot = jobs_[job.id()];
    v1::Job next = job;
    if (!job.has_progress() && job.state() == v1::JOB_STATE_RUNNING) {
      *next.mutable_progress() = slot.progress();
    }
    KeepChunks(slot, &next);
    slot = std::move(next);
  }
  // Replaces the set of active jobs with `active`; returns ids that left it.
  std::vector<int64_t> ReplaceActive(const std::vector<v1::Job>& active) {
    absl::MutexLock lock(&mu_);
    std::map<int64_t, v1::Job> next;
    for (const auto& j : active) next[j.id()] = j;
    std::vector<int64_t> left;
    for (const auto& [id, job] : jobs_) {
      if (!next.count(id)) left.push_back(id);
    }
    for (auto& [id, job] : next) {
      auto it = jobs_.find(id);
      if (it == jobs_.end()) continue;
      if (it->second.state() == job.state() && !job.has_progress()) {
        *job.mutable_progress() = it->second.progress();
      }
      KeepChunks(it->second, &job);
    }
    for (int64_t id : left) next[id] = jobs_[id];  // kept until its final state is known
    jobs_ = std::move(next);
    return left;
  }
  void Remove(int64_t id) {
    absl::MutexLock lock(&mu_);
    jobs_.erase(id);
  }
  std::vector<v1::Job> Snapshot() {
    absl::MutexLock lock(&mu_);
    std::vector<v1::Job> out;
    for (const auto& [id, job] : jobs_) out.push_back(job);
    return out;
  }
  void SetStreamContext(grpc::ClientContext* ctx) {
    absl::MutexLock lock(&mu_);
    stream_ctx_ = ctx;
    if (done_ && ctx) ctx->TryCancel();
  }
  void Finish() {
    absl::MutexLock lock(&mu_);
    done_ = true;
    if (stream_ctx_) stream_ctx_->TryCancel();
  }
  bool done() {
    absl::MutexLock lock(&mu_);
    return done_;
  }

 private:
  absl::Mutex mu_;
  std::map<int64_t, v1::Job> jobs_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* stream_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

// Prints the view: redrawn block on a terminal, change lines otherwise, JSON lines with --json.
class WatchPrinter {
 public:
  explicit WatchPrinter(bool json) : json_(json), tty_(!json && isatty(STDOUT_FILENO)) {}

  void Event(const v1::Event& ev) {
    if (json_) {
      nlohmann::json j = {{"time_ms", ev.time_ms()}};
      if (ev.kind() == v1::EVENT_KIND_JOB_CHANGED) j["job"] = JobToJson(ev.job(), false);
      if (ev.kind() == v1::EVENT_KIND_AGENT_CHANGED) j["agent"] = AgentToJson(ev.agent());
      if (ev.kind() == v1::EVENT_KIND_LOG) {
        j["job_id"] = ev.job().id();
        j["log"] = LogLineToJson(ev.log());
      }
      absl::MutexLock lock(&mu_);
      std::cout << j.dump() << std::endl;
    }
  }

  void Render(const std::vector<v1::Job>& jobs) {
    if (json_) return;
    absl::MutexLock lock(&mu_);
    if (tty_) {
      std::string out;
      if (drawn_ > 0) absl::StrAppend(&out, "\x1b[", drawn_, "A");
      for (const auto& j : jobs) absl::StrAppend(&out, "\x1b[2K", WatchLine(j, kBarWidth), "\n");
      for (int i = static_cast<int>(jobs.size()); i < drawn_; ++i) absl::StrAppend(&out, "\x1b[2K\n");
      int lines = std::max<int>(drawn_, jobs.size());
      std::cout << out << std::flush;
      drawn_ = lines;
      return;
    }
    for (const auto& j : jobs) {
      // A chunked job prints again when a chunk starts, ends or fails, not on every percent.
      int running = 0, done = 0, failed = 0;
      for (const auto& c : j.chunks()) {
        running += c.state() == v1::CHUNK_STATE_RUNNING;
        done += c.state() == v1::CHUNK_STATE_DONE;
        failed += c.state() == v1::CHUNK_STATE_FAILED;
      }
      std::string key = absl::StrCat(JobStateName(j.state()), "/", j.step(), "/", running, "/",
                                     done, "/", failed);
      if (printed_[j.id()] == key) continue;
      printed_[j.id()] = key;
      std::cout << WatchLine(j, kBarWidth) << std::endl;
    }
  }

  void Note(const std::string& line) {
    if (json_) return;
    absl::MutexLock lock(&mu_);
    std::cout << line << std::endl;
    drawn_ = 0;
  }

 private:
  const bool json_, tty_;
  absl::Mutex mu_;
  int drawn_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, std::string> printed_ ABSL_GUARDED_BY(mu_);
};

void ReadEvents(AdminClient& c, const WatchOptions& o, WatchState& state, WatchPrinter& printer) {
  while (!state.done()) {
    auto ctx = c.Context(/*with_deadline=*/false);
    state.SetStreamContext(ctx.get());
    v1::WatchEventsRequest req;
    req.set_job_id(o.job);
    auto reader = c.stub().WatchEvents(ctx.get(), req);
    v1::Event ev;
    while (reader->Read(&ev)) {
      printer.Event(ev);
      if (ev.kind() == v1::EVENT_KIND_JOB_CHANGED && (o.job == 0 || ev.job().id() == o.job)) {
        state.Update(ev.job());
      }
    }
    reader->Finish();
    state.SetStreamContext(nullptr);
    if (!state.done()) absl::SleepFor(kStreamRetry);
  }
}

// One poll: refreshes the state; returns true when watching is over. Sets *exit_code.
absl::StatusOr<bool> Poll(AdminClient& c, const WatchOptions& o, WatchState& state,
                          int* exit_code) {
  if (o.job != 0) {
    v1::GetJobRequest req;
    req.set_id(o.job);
    v1::Job job;
    auto rpc = c.Context();
    grpc::Status s = c.stub().GetJob(rpc.get(), req, &job);
    if (!s.ok()) return c.Explain(s, "watch");
    job.clear_steps();
    state.Update(job);
    if (IsTerminal(job.state())) {
      const bool good =
          job.state() == v1::JOB_STATE_COMPLETED || job.state() == v1::JOB_STATE_SKIPPED;
      *exit_code = good ? 0 : 3;
      return true;
    }
    return false;
  }
  v1::ListJobsRequest req;
  for (auto st : {v1::JOB_STATE_PENDING, v1::JOB_STATE_RUNNING, v1::JOB_STATE_FAILED}) {
    req.add_states(st);
  }
  ASSIGN_OR_RETURN(std::vector<v1::Job> active, ListAllJobs(c, req, /*max_jobs=*/0, "watch"));
  for (v1::Job& job : active) {
    if (!NeedsChunks(job)) continue;
    v1::GetJobRequest get;
    get.set_id(job.id());
    v1::Job full;
    auto ctx = c.Context();
    if (c.stub().GetJob(ctx.get(), get, &full).ok()) *job.mutable_chunks() = full.chunks();
  }
  for (int64_t id : state.ReplaceActive(active)) {
    v1::GetJobRequest get;
    get.set_id(id);
    v1::Job job;
    auto ctx = c.Context();
    if (c.stub().GetJob(ctx.get(), get, &job).ok()) {
      job.clear_steps();
      state.Update(job);
    }
  }
  return o.until_idle && active.empty();
}

int RunWatch(AdminClient& c, const CtlCommandContext& ctx, const WatchOptions& o) {
  WatchState state;
  WatchPrinter printer(ctx.options.json);
  int exit_code = 0;
  // The first poll decides whether the coordinator is reachable at all.
  auto first = Poll(c, o, state, &exit_code);
  if (!first.ok()) return Fail(first.status());
  std::thread reader;
  bool over = *first;
  if (!over) reader = std::thread([&] { ReadEvents(c, o, state, printer); });
  absl::Time last_ok = absl::Now();
  while (!over) {
    absl::SleepFor(kWatchTick);
    auto polled = Poll(c, o, state, &exit_code);
    if (!polled.ok()) {
      if (absl::Now() - last_ok > kWatchUnreachableLimit) {
        state.Finish();
        reader.join();
        return Fail(polled.status());
      }
    } else {
      last_ok = absl::Now();
      over = *polled;
    }
    printer.Render(state.Snapshot());
    if (!over) continue;
  }
  state.Finish();
  if (reader.joinable()) reader.join();
  printer.Render(state.Snapshot());
  if (o.until_idle && o.job == 0) printer.Note("idle: no job is pending or running");
  return exit_code;
}

}  // namespace

void AddWatchCommand(CLI::App& app, CtlCommandContext& ctx) {
  auto o = std::make_shared<WatchOptions>();
  CLI::App* cmd = app.add_subcommand("watch", "live progress of running jobs (Ctrl-C to quit)");
  cmd->add_option("--job", o->job, "follow one job; exit when it is terminal (0 ok, 3 failed)");
  cmd->add_flag("--until-idle", o->until_idle, "exit when no job is pending or running");
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o] {
      return WithClient(ctx, [&](AdminClient& c) { return RunWatch(c, ctx, *o); });
    };
  });
}

}  // namespace mkvfleet::ctl
