// mkvctl output formatting (see the header for the JSON contract).
#include "ctl/output_format.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace mkvfleet::ctl {
namespace {

constexpr v1::JobState kAllStates[] = {
    v1::JOB_STATE_PENDING,   v1::JOB_STATE_RUNNING, v1::JOB_STATE_COMPLETED,
    v1::JOB_STATE_SKIPPED,   v1::JOB_STATE_FAILED,  v1::JOB_STATE_FAILED_PERMANENT,
    v1::JOB_STATE_CANCELLED};

nlohmann::json ProgressJson(const v1::Progress& p) {
  if (p.frames_done() == 0 && p.frames_total() == 0) return nullptr;
  return {{"frames_done", p.frames_done()},
          {"frames_total", p.frames_total()},
          {"fps", p.fps()},
          {"eta_ms", p.eta_ms()}};
}

nlohmann::json StepToJson(const v1::Step& s) {
  nlohmann::json j = {{"index", s.index()},
                      {"name", s.name()},
                      {"state", StepStateName(s.state())},
                      {"started", TimeJson(s.started_ms())},
                      {"finished", TimeJson(s.finished_ms())},
                      {"started_ms", s.started_ms()},
                      {"finished_ms", s.finished_ms()},
                      {"agent", s.agent()},
                      {"message", s.message()}};
  if (s.progress().frames_total() > 0 || s.progress().frames_done() > 0) {
    j["frames_done"] = s.progress().frames_done();
    j["frames_total"] = s.progress().frames_total();
  }
  j["checkpoint"] = CheckpointJson(s.checkpoint());
  return j;
}

// The frames whose Dolby Vision RPUs the probe step had repaired (its "rpus_repaired" fact,
// agent/media/step_support.h); 0 when none or not probed yet.
int64_t RpusRepaired(const v1::Job& job) {
  for (const auto& s : job.steps()) {
    if (s.name() != "probe") continue;
    auto it = s.checkpoint().facts().find("rpus_repaired");
    int64_t n = 0;
    if (it != s.checkpoint().facts().end() && absl::SimpleAtoi(it->second, &n)) return n;
  }
  return 0;
}

std::string FormatEta(int64_t ms) {
  if (ms <= 0) return "";
  return absl::FormatDuration(absl::Seconds(ms / 1000));
}

}  // namespace

nlohmann::json TimeJson(int64_t ms) {
  if (ms == 0) return nullptr;
  return FormatTime(ms);
}

nlohmann::json CheckpointJson(const v1::Checkpoint& c) {
  nlohmann::json artifacts = nlohmann::json::array();
  for (const auto& a : c.artifacts()) {
    artifacts.push_back({{"name", a.name()},
                         {"path", a.path()},
                         {"location", a.location() == v1::ARTIFACT_LOCATION_SHARED ? "shared"
                                                                                  : "agent_local"},
                         {"agent", a.agent()},
                         {"size_bytes", a.size_bytes()}});
  }
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& [k, v] : c.facts()) facts[k] = v;
  return {{"artifacts", artifacts}, {"facts", facts}};
}

std::string RateText(const v1::Progress& p) {
  std::string out;
  if (p.fps() > 0) absl::StrAppend(&out, absl::StrFormat(" %.1f fps", p.fps()));
  if (p.eta_ms() > 0) absl::StrAppend(&out, " eta ", FormatEta(p.eta_ms()));
  return out;
}

std::string JobStateName(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_PENDING: return "pending";
    case v1::JOB_STATE_RUNNING: return "running";
    case v1::JOB_STATE_COMPLETED: return "completed";
    case v1::JOB_STATE_SKIPPED: return "skipped";
    case v1::JOB_STATE_FAILED: return "failed";
    case v1::JOB_STATE_FAILED_PERMANENT: return "failed_permanent";
    case v1::JOB_STATE_CANCELLED: return "cancelled";
    default: return "unknown";
  }
}

std::optional<v1::JobState> ParseJobState(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  for (v1::JobState s : kAllStates) {
    if (JobStateName(s) == lower) return s;
  }
  return std::nullopt;
}

std::string StepStateName(v1::StepState state) {
  switch (state) {
    case v1::STEP_STATE_PENDING: return "pending";
    case v1::STEP_STATE_RUNNING: return "running";
    case v1::STEP_STATE_DONE: return "done";
    case v1::STEP_STATE_FAILED: return "failed";
    case v1::STEP_STATE_SKIPPED: return "skipped";
    default: return "unknown";
  }
}

std::string AgentStatusName(v1::AgentStatus status) {
  switch (status) {
    case v1::AGENT_STATUS_IDLE: return "idle";
    case v1::AGENT_STATUS_BUSY: return "busy";
    case v1::AGENT_STATUS_DRAINING: return "draining";
    case v1::AGENT_STATUS_STALE: return "stale";
    default: return "unknown";
  }
}

std::string EnqueueOutcomeName(v1::EnqueueOutcome outcome) {
  switch (outcome) {
    case v1::ENQUEUE_OUTCOME_CREATED: return "created";
    case v1::ENQUEUE_OUTCOME_DUPLICATE: return "duplicate";
    case v1::ENQUEUE_OUTCOME_REQUEUED: return "requeued";
    case v1::ENQUEUE_OUTCOME_REFUSED: return "refused";
    case v1::ENQUEUE_OUTCOME_WOULD_CREATE: return "would_create";
    default: return "unknown";
  }
}

nlohmann::json JobToJson(const v1::Job& job, bool with_steps) {
  nlohmann::json j = {{"id", job.id()},
                      {"path", job.path()},
                      {"state", JobStateName(job.state())},
                      {"step", job.step()},
                      {"attempts", job.attempts()},
                      {"max_attempts", job.max_attempts()},
                      {"plan", job.plan()},
                      {"plan_override", job.plan_override()},
                      {"agent", job.agent()},
                      {"error", job.error()},
                      {"output", job.output()},
                      {"size_bytes", job.size_bytes()},
                      {"created", TimeJson(job.created_ms())},
                      {"updated", TimeJson(job.updated_ms())},
                      {"not_before", TimeJson(job.not_before_ms())},
                      {"progress", ProgressJson(job.progress())},
                      {"chunks_requested", job.chunks_requested()},
                      {"chunk_manifest", job.chunk_manifest()},
                      {"repair_rpus", job.repair_rpus()}};
  if (with_steps) {
    j["steps"] = nlohmann::json::array();
    for (const auto& s : job.steps()) j["steps"].push_back(StepToJson(s));
    j["rpus_repaired"] = RpusRepaired(job);
  }
  if (with_steps || job.chunks_size() > 0) {
    j["chunks"] = nlohmann::json::array();
    for (const auto& c : job.chunks()) j["chunks"].push_back(ChunkToJson(c));
  }
  return j;
}

nlohmann::json AgentToJson(const v1::Agent& a) {
  nlohmann::json tools = nlohmann::json::array();
  for (const auto& t : a.capabilities().tools()) {
    tools.push_back({{"name", t.name()}, {"version", t.version()}, {"path", t.path()}});
  }
  return {{"name", a.name()},
          {"version", a.version()},
          {"status", AgentStatusName(a.status())},
          {"drained", a.drained()},
          {"registered", TimeJson(a.registered_ms())},
          {"last_heartbeat", TimeJson(a.last_heartbeat_ms())},
          {"current_job", a.current_job_id() == 0 ? nlohmann::json(nullptr)
                                                  : nlohmann::json(a.current_job_id())},
          {"progress", ProgressJson(a.progress())},
          {"threads", a.capabilities().threads()},
          {"free_temp_bytes", a.capabilities().free_temp_bytes()},
          {"work_dir", a.capabilities().work_dir()},
          {"tools", tools}};
}

nlohmann::json EnqueueResultToJson(const v1::EnqueueResult& r) {
  return {{"path", r.path()},
          {"outcome", EnqueueOutcomeName(r.outcome())},
          {"job_id", r.job_id() == 0 ? nlohmann::json(nullptr) : nlohmann::json(r.job_id())},
          {"reason", r.reason()}};
}

nlohmann::json LogLineToJson(const v1::LogLine& l) {
  return {{"time", TimeJson(l.time_ms())},
          {"time_ms", l.time_ms()},
          {"source", l.source()},
          {"level", l.level()},
          {"text", l.text()}};
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header);
  for (const auto& r : rows) emit(r);
  return out;
}

std::string JobsTable(const std::vector<v1::Job>& jobs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& j : jobs) {
    rows.push_back({absl::StrCat(j.id()), JobStateName(j.state()), j.step(),
                    absl::StrCat(j.attempts(), "/", j.max_attempts()), ProgressBar(j.progress(), 10),
                    j.agent(), j.path()});
  }
  return RenderTable({"ID", "STATE", "STEP", "ATTEMPTS", "PROGRESS", "AGENT", "PATH"}, rows);
}

std::string JobDetail(const v1::Job& job) {
  std::string out;
  auto kv = [&](const char* k, const std::string& v) {
    if (!v.empty()) absl::StrAppend(&out, absl::StrFormat("%-10s %s\n", k, v));
  };
  kv("id:", absl::StrCat(job.id()));
  kv("path:", job.path());
  kv("state:", JobStateName(job.state()));
  kv("step:", job.step());
  kv("attempts:", absl::StrCat(job.attempts(), "/", job.max_attempts()));
  kv("plan:", job.plan().empty() ? job.plan_override() : job.plan());
  kv("agent:", job.agent());
  kv("progress:", ProgressBar(job.progress(), 20) +
                      (job.state() == v1::JOB_STATE_RUNNING ? RateText(job.progress()) : ""));
  kv("chunks:", ChunkingText(job));
  const int64_t repaired = RpusRepaired(job);
  if (repaired > 0 || job.repair_rpus()) {
    kv("rpus:",
       absl::StrCat(repaired, " frames repaired", job.repair_rpus() ? " (--repair-rpus)" : "",
                    repaired > 0 ? "; the job log lists them" : ""));
  }
  kv("error:", job.error());
  kv("output:", job.output());
  kv("created:", FormatTime(job.created_ms()));
  kv("updated:", FormatTime(job.updated_ms()));
  if (job.steps_size() > 0) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : job.steps()) {
      std::string frames;
      if (s.progress().frames_total() > 0) {
        frames = absl::StrCat(s.progress().frames_done(), "/", s.progress().frames_total());
      }
      rows.push_back({absl::StrCat(s.index()), s.name(), StepStateName(s.state()),
                      FormatTime(s.started_ms()), FormatTime(s.finished_ms()), frames, s.agent(),
                      s.message()});
    }
    out += "\n" + RenderTable({"#", "STEP", "STATE", "STARTED", "FINISHED", "FRAMES", "AGENT",
                               "MESSAGE"},
                              rows);
  }
  if (job.chunks_size() > 0) out += "\n" + ChunksTable(job);
  return out;
}

std::string AgentsTable(const std::vector<v1::Agent>& agents) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : agents) {
    std::string tools;
    for (const auto& t : a.capabilities().tools()) {
      absl::StrAppend(&tools, tools.empty() ? "" : ",", t.name());
    }
    rows.push_back({a.name(), AgentStatusName(a.status()) + (a.drained() ? " (drained)" : ""),
                    a.current_job_id() ? absl::StrCat(a.current_job_id()) : "",
                    ProgressBar(a.progress(), 10), FormatTime(a.last_heartbeat_ms()),
                    FormatBytes(a.capabilities().free_temp_bytes()), tools});
  }
  return RenderTable({"NAME", "STATUS", "JOB", "PROGRESS", "LAST HEARTBEAT", "FREE TEMP", "TOOLS"},
                     rows);
}

std::string EnqueueTable(const std::vector<v1::EnqueueResult>& results) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    rows.push_back({EnqueueOutcomeName(r.outcome()), r.job_id() ? absl::StrCat(r.job_id()) : "",
                    r.path(), r.reason()});
  }
  return RenderTable({"OUTCOME", "JOB", "PATH", "REASON"}, rows);
}

std::string LogText(const std::vector<v1::LogLine>& lines) {
  std::string out;
  for (const auto& l : lines) {
    absl::StrAppend(&out, FormatTime(l.time_ms()), " ", l.source(), " ", l.level(), " ", l.text(),
                    "\n");
  }
  return out;
}

std::string ProgressBar(const v1::Progress& p, int width) {
  if (p.frames_total() > 0) {
    const double frac = std::clamp(static_cast<double>(p.frames_done()) / p.frames_total(), 0.0, 1.0);
    const int filled = static_cast<int>(frac * width + 0.5);
    return absl::StrFormat("[%s%s] %3d%%", std::string(filled, '#'),
                           std::string(width - filled, '-'), static_cast<int>(frac * 100));
  }
  if (p.frames_done() > 0) return absl::StrCat("frame ", p.frames_done());
  return "";
}

std::string WatchLine(const v1::Job& job, int bar_width) {
  std::string line = absl::StrFormat("#%-5d %-16s %-10s", job.id(), JobStateName(job.state()),
                                     job.step());
  if (job.state() == v1::JOB_STATE_RUNNING) {
    absl::StrAppend(&line, " ", ProgressBar(job.progress(), bar_width), RateText(job.progress()));
    if (!job.agent().empty()) absl::StrAppend(&line, " @", job.agent());
  }
  if (!job.error().empty() && job.state() != v1::JOB_STATE_RUNNING) {
    absl::StrAppend(&line, " (", job.error(), ")");
  }
  if (job.chunks_size() > 0 &&
      (job.state() == v1::JOB_STATE_RUNNING || job.state() == v1::JOB_STATE_PENDING)) {
    absl::StrAppend(&line, " chunks ", ChunkSummary(job));
  }
  absl::StrAppend(&line, "  ", job.path());
  return line;
}

std::string FormatTime(int64_t unix_ms) {
  if (unix_ms == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

std::string FormatBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return absl::StrCat(bytes, " B");
  return absl::StrFormat(v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

}  // namespace mkvfleet::ctl
