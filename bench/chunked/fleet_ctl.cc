// See fleet_ctl.h.
#include "bench/chunked/fleet_ctl.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/chunked/bench_daemon.h"
#include "common/process/subprocess.h"

namespace mkvfleet::bench {
namespace {

using nlohmann::json;

// How often FollowJob checks the watcher, the daemons and the deadline.
constexpr absl::Duration kFollowTick = absl::Milliseconds(100);
// How often it asks `mkvctl show` when `mkvctl watch` could not follow the job.
constexpr absl::Duration kShowPoll = absl::Seconds(2);

bool IsTerminal(const std::string& state) {
  return state == "completed" || state == "skipped" || state == "failed_permanent" ||
         state == "cancelled";
}

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

}  // namespace

absl::StatusOr<json> CtlJson(const CtlTarget& t, const std::vector<std::string>& args,
                             const std::atomic<bool>* cancel) {
  process::ProcessSpec spec;
  spec.argv = {t.mkvctl, "--server", t.server, "--json"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  spec.timeout = absl::Minutes(2);
  spec.cancel = cancel;
  absl::StatusOr<process::ProcessResult> r = process::RunProcess(spec);
  if (!r.ok()) return r.status();
  if (r->cancelled) return absl::CancelledError("interrupted");
  if (!r->success()) {
    return absl::InternalError(absl::StrCat(process::FormatArgv(spec.argv), ": ", r->Describe(),
                                            ": ", r->stderr_tail));
  }
  json j = json::parse(r->stdout_data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(process::FormatArgv(spec.argv),
                                                   " printed no JSON: ", r->stdout_data));
  }
  return j;
}

absl::StatusOr<int64_t> EnqueueReencode(const CtlTarget& t, const std::string& path,
                                        const std::string& chunks,
                                        const std::atomic<bool>* cancel) {
  absl::StatusOr<json> r =
      CtlJson(t, {"enqueue", path, "--plan", "dv-reencode", "--chunks", chunks}, cancel);
  if (!r.ok()) return r.status();
  if (!r->is_array() || r->size() != 1 || !(*r)[0].is_object()) {
    return absl::InvalidArgumentError("mkvctl enqueue printed " + r->dump());
  }
  const json& e = (*r)[0];
  if (e.value("outcome", "") != "created" || !e["job_id"].is_number_integer()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "enqueue ", path, ": ", e.value("outcome", "?"), " ", e.value("reason", ""),
        " (a path already enqueued is a duplicate: use a copy under another name)"));
  }
  return e["job_id"].get<int64_t>();
}

absl::StatusOr<FinishedJob> ReadJob(const CtlTarget& t, int64_t id,
                                    const std::atomic<bool>* cancel) {
  FinishedJob job;
  job.id = id;
  absl::StatusOr<json> show = CtlJson(t, {"show", absl::StrCat(id)}, cancel);
  if (!show.ok()) return show.status();
  absl::StatusOr<json> logs = CtlJson(t, {"logs", absl::StrCat(id)}, cancel);
  if (!logs.ok()) return logs.status();
  job.show = *std::move(show);
  job.logs = *std::move(logs);
  return job;
}

absl::StatusOr<FinishedJob> FollowJob(const CtlTarget& t, int64_t id, absl::Duration timeout,
                                      const std::function<absl::Status()>& alive,
                                      const std::atomic<bool>* cancel) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<std::unique_ptr<BenchDaemon>> watch = BenchDaemon::Start(
      {t.mkvctl, "--server", t.server, "watch", "--job", absl::StrCat(id)},
      absl::StrCat(t.watch_log_base, "-", id));
  if (!watch.ok()) return watch.status();
  // `watch --job` exits 0 (completed, skipped) or 3 (other terminal states); anything else means
  // it could not follow the job, and the loop asks `show` instead.
  bool watching = true;
  absl::Time next_show = absl::InfinitePast();
  int64_t done_ms = 0;
  while (done_ms == 0) {
    if (cancel != nullptr && cancel->load()) return absl::CancelledError("interrupted");
    if (alive) {
      if (absl::Status s = alive(); !s.ok()) return s;
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "job ", id, " did not finish in ", absl::FormatDuration(timeout), " (--timeout-minutes)"));
    }
    if (watching && (*watch)->exited()) {
      absl::StatusOr<process::ProcessResult> r = (*watch)->result();
      if (r.ok() && r->term_signal == 0 && (r->exit_code == 0 || r->exit_code == 3)) {
        done_ms = NowMs();
        break;
      }
      watching = false;  // fall back to asking show
    }
    if (!watching && absl::Now() >= next_show) {
      next_show = absl::Now() + kShowPoll;
      absl::StatusOr<json> show = CtlJson(t, {"show", absl::StrCat(id)}, cancel);
      if (!show.ok()) return show.status();
      if (IsTerminal(show->value("state", ""))) done_ms = NowMs();
    }
    if (done_ms == 0) absl::SleepFor(kFollowTick);
  }
  absl::StatusOr<FinishedJob> job = ReadJob(t, id, cancel);
  if (!job.ok()) return job.status();
  job->observed_done_ms = done_ms;
  if (job->show.value("state", "") != "completed") {
    return absl::FailedPreconditionError(DescribeFailure(*job));
  }
  return job;
}

std::string DescribeFailure(const FinishedJob& job, int lines) {
  std::string out = absl::StrCat("job ", job.id, " ", job.show.value("state", "?"), ": ",
                                 job.show.value("error", ""), "\nlast log lines:");
  if (job.logs.is_array()) {
    const size_t n = job.logs.size();
    for (size_t i = n > static_cast<size_t>(lines) ? n - lines : 0; i < n; ++i) {
      const json& l = job.logs[i];
      absl::StrAppend(&out, "\n  ", l.value("source", ""), " ", l.value("level", ""), " ",
                      l.value("text", ""));
    }
  }
  return out;
}

}  // namespace mkvfleet::bench
