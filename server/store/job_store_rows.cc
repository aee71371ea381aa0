// Row <-> domain conversion for the job store, and the JSON columns.
#include "server/store/job_store_rows.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::server::rows {
namespace {
using nlohmann::json;

json Parse(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

template <typename T>
T Get(const json& j, const char* key, T def) {
  auto it = j.find(key);
  if (it == j.end()) return def;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->template get<std::string>() : def;
  } else {
    return it->is_number() || it->is_boolean() ? it->template get<T>() : def;
  }
}

constexpr char kJobColumns[] =
    "j.id, j.path, j.library_root, j.output_path, j.state, j.step, j.attempts, j.max_attempts, "
    "j.error, j.output, j.plan, j.plan_override, j.agent, j.size_bytes, j.mtime_ms, "
    "j.created_ms, j.updated_ms, j.not_before_ms, j.progress, "
    "COALESCE(t.id, 0), COALESCE(t.lease_id, ''), COALESCE(t.lease_agent, ''), "
    "COALESCE(t.lease_deadline_ms, 0), j.chunks_requested, j.chunk_manifest, j.repair_rpus";
constexpr char kJobFrom[] =
    " FROM jobs j LEFT JOIN tasks t ON t.id = (SELECT MIN(id) FROM tasks WHERE job_id = j.id)";

Job JobFromRow(const SqliteStatement& s) {
  Job j;
  j.id = s.Int(0);
  j.path = s.Text(1);
  j.library_root = s.Text(2);
  j.output_path = s.Text(3);
  ParseJobState(s.Text(4), &j.state);
  j.step = s.Text(5);
  j.attempts = static_cast<int>(s.Int(6));
  j.max_attempts = static_cast<int>(s.Int(7));
  j.error = s.Text(8);
  j.output = s.Text(9);
  j.plan = s.Text(10);
  j.plan_override = s.Text(11);
  j.agent = s.Text(12);
  j.size_bytes = s.Int(13);
  j.mtime_ms = s.Int(14);
  j.created_ms = s.Int(15);
  j.updated_ms = s.Int(16);
  j.not_before_ms = s.Int(17);
  j.progress = ProgressFromJson(s.Text(18));
  j.task.id = s.Int(19);
  j.task.lease = Lease{s.Text(20), s.Text(21), s.Int(22)};
  j.chunks_requested = static_cast<int>(s.Int(23));
  j.chunk_manifest = s.Text(24);
  j.repair_rpus = s.Int(25) != 0;
  return j;
}

}  // namespace

std::string ToJson(const Progress& p) {
  return json{{"frames_done", p.frames_done},
              {"frames_total", p.frames_total},
              {"fps", p.fps},
              {"eta_ms", p.eta_ms}}
      .dump();
}

Progress ProgressFromJson(const std::string& text) {
  json j = Parse(text);
  Progress p;
  p.frames_done = Get<int64_t>(j, "frames_done", 0);
  p.frames_total = Get<int64_t>(j, "frames_total", 0);
  p.fps = Get<double>(j, "fps", 0);
  p.eta_ms = Get<int64_t>(j, "eta_ms", 0);
  return p;
}

std::string ToJson(const Checkpoint& c) {
  json artifacts = json::array();
  for (const Artifact& a : c.artifacts) {
    artifacts.push_back({{"name", a.name},
                         {"path", a.path},
                         {"shared", a.location == ArtifactLocation::kShared},
                         {"agent", a.agent},
                         {"size_bytes", a.size_bytes}});
  }
  return json{{"artifacts", artifacts}, {"facts", c.facts}}.dump();
}

Checkpoint CheckpointFromJson(const std::string& text) {
  json j = Parse(text);
  Checkpoint c;
  if (auto it = j.find("artifacts"); it != j.end() && it->is_array()) {
    for (const json& a : *it) {
      if (!a.is_object()) continue;
      c.artifacts.push_back({Get<std::string>(a, "name", ""), Get<std::string>(a, "path", ""),
                             Get<bool>(a, "shared", false) ? ArtifactLocation::kShared
                                                           : ArtifactLocation::kAgentLocal,
                             Get<std::string>(a, "agent", ""), Get<int64_t>(a, "size_bytes", 0)});
    }
  }
  if (auto it = j.find("facts"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) c.facts[k] = v.get<std::string>();
    }
  }
  return c;
}

std::string ToJson(const AgentCapabilities& c) {
  json tools = json::array();
  for (const Tool& t : c.tools) {
    tools.push_back({{"name", t.name}, {"version", t.version}, {"path", t.path}});
  }
  return json{{"tools", tools},
              {"threads", c.threads},
              {"free_temp_bytes", c.free_temp_bytes},
              {"work_dir", c.work_dir},
              {"shared_work_dir", c.shared_work_dir}}
      .dump();
}

AgentCapabilities CapabilitiesFromJson(const std::string& text) {
  json j = Parse(text);
  AgentCapabilities c;
  if (auto it = j.find("tools"); it != j.end() && it->is_array()) {
    for (const json& t : *it) {
      if (!t.is_object()) continue;
      c.tools.push_back({Get<std::string>(t, "name", ""), Get<std::string>(t, "version", ""),
                         Get<std::string>(t, "path", "")});
    }
  }
  c.threads = Get<int>(j, "threads", 0);
  c.free_temp_bytes = Get<int64_t>(j, "free_temp_bytes", 0);
  c.work_dir = Get<std::string>(j, "work_dir", "");
  c.shared_work_dir = Get<std::string>(j, "shared_work_dir", "");
  return c;
}

absl::StatusOr<Job> LoadJob(SqliteDb& db, int64_t id) {
  ASSIGN_OR_RETURN(std::vector<Job> jobs, LoadJobs(db, "j.id = ?", {absl::StrCat(id)}, 1));
  if (jobs.empty()) return absl::NotFoundError(absl::StrCat("job ", id, " does not exist"));
  Job job = std::move(jobs.front());
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare(
          "SELECT idx, name, state, started_ms, finished_ms, progress, checkpoint, agent, message "
          "FROM steps WHERE job_id = ? ORDER BY idx"));
  s.BindAll(id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    StepRecord step;
    step.index = static_cast<int>(s.Int(0));
    step.name = s.Text(1);
    ParseStepState(s.Text(2), &step.state);
    step.started_ms = s.Int(3);
    step.finished_ms = s.Int(4);
    step.progress = ProgressFromJson(s.Text(5));
    step.checkpoint = CheckpointFromJson(s.Text(6));
    step.agent = s.Text(7);
    step.message = s.Text(8);
    job.steps.push_back(std::move(step));
  }
  ASSIGN_OR_RETURN(job.chunks, LoadChunks(db, id));
  return job;
}

absl::StatusOr<std::vector<Job>> LoadJobs(SqliteDb& db, const std::string& where,
                                          const std::vector<std::string>& args, int limit,
                                          bool newest_first) {
  std::string sql = absl::StrCat("SELECT ", kJobColumns, kJobFrom);
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", where);
  // The limit is bound, not spelled, so one statement text serves every page size.
  absl::StrAppend(&sql, newest_first ? " ORDER BY j.id DESC" : " ORDER BY j.id", " LIMIT ?");
  ASSIGN_OR_RETURN(SqliteStatement s, db.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i) s.Bind(static_cast<int>(i + 1), args[i]);
  s.Bind(static_cast<int>(args.size() + 1), limit > 0 ? static_cast<int64_t>(limit) : int64_t{-1});
  std::vector<Job> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(JobFromRow(s));
  }
  return out;
}

absl::StatusOr<int64_t> CountJobs(SqliteDb& db, const std::string& where,
                                  const std::vector<std::string>& args) {
  std::string sql = "SELECT COUNT(*) FROM jobs j";
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", where);
  ASSIGN_OR_RETURN(SqliteStatement s, db.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i) s.Bind(static_cast<int>(i + 1), args[i]);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

absl::StatusOr<std::optional<Job>> LatestJobForPath(SqliteDb& db, const std::string& path) {
  ASSIGN_OR_RETURN(SqliteStatement s,
                   db.Prepare("SELECT id, state, size_bytes, mtime_ms FROM jobs WHERE path = ? "
                              "ORDER BY id DESC LIMIT 1"));
  ASSIGN_OR_RETURN(const bool row, s.BindAll(path).Step());
  if (!row) return std::optional<Job>();
  Job job;
  job.id = s.Int(0);
  job.path = path;
  ParseJobState(s.Text(1), &job.state);
  job.size_bytes = s.Int(2);
  job.mtime_ms = s.Int(3);
  return std::optional<Job>(std::move(job));
}

absl::Status InsertJob(SqliteDb& db, Job& job) {
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare(
          "INSERT INTO jobs(path, library_root, output_path, state, max_attempts, plan_override, "
          "size_bytes, mtime_ms, created_ms, updated_ms, chunks_requested, repair_rpus) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
  s.BindAll(job.path, job.library_root, job.output_path, JobStateName(job.state), job.max_attempts,
            job.plan_override, job.size_bytes, job.mtime_ms, job.created_ms, job.updated_ms,
            job.chunks_requested, job.repair_rpus ? 1 : 0);
  RETURN_IF_ERROR(s.Run());
  job.id = db.LastInsertRowId();
  ASSIGN_OR_RETURN(SqliteStatement t, db.Prepare("INSERT INTO tasks(job_id) VALUES (?)"));
  RETURN_IF_ERROR(t.BindAll(job.id).Run());
  job.task.id = db.LastInsertRowId();
  return absl::OkStatus();
}

absl::Status SaveJob(SqliteDb& db, Job& job) {
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare(
          "UPDATE jobs SET state=?, step=?, attempts=?, max_attempts=?, error=?, output=?, plan=?, "
          "plan_override=?, agent=?, updated_ms=?, not_before_ms=?, progress=?, "
          "chunks_requested=?, chunk_manifest=? WHERE id=?"));
  s.BindAll(JobStateName(job.state), job.step, job.attempts, job.max_attempts, job.error,
            job.output, job.plan, job.plan_override, job.agent, job.updated_ms, job.not_before_ms,
            ToJson(job.progress), job.chunks_requested, job.chunk_manifest, job.id);
  RETURN_IF_ERROR(s.Run());
  ASSIGN_OR_RETURN(
      SqliteStatement t,
      db.Prepare("UPDATE tasks SET lease_id=?, lease_agent=?, lease_deadline_ms=? WHERE id=?"));
  t.BindAll(job.task.lease.id, job.task.lease.agent, job.task.lease.deadline_ms, job.task.id);
  RETURN_IF_ERROR(t.Run());
  ASSIGN_OR_RETURN(SqliteStatement del, db.Prepare("DELETE FROM steps WHERE job_id=?"));
  RETURN_IF_ERROR(del.BindAll(job.id).Run());
  for (const StepRecord& step : job.steps) {
    ASSIGN_OR_RETURN(
        SqliteStatement ins,
        db.Prepare("INSERT INTO steps(job_id, idx, name, state, started_ms, finished_ms, progress, "
                   "checkpoint, agent, message) VALUES (?,?,?,?,?,?,?,?,?,?)"));
    ins.BindAll(job.id, step.index, step.name, StepStateName(step.state), step.started_ms,
                step.finished_ms, ToJson(step.progress), ToJson(step.checkpoint), step.agent,
                step.message);
    RETURN_IF_ERROR(ins.Run());
  }
  return SaveChunks(db, job);
}

absl::StatusOr<TaskRef> TaskOf(SqliteDb& db, int64_t task_id) {
  ASSIGN_OR_RETURN(SqliteStatement s,
                   db.Prepare("SELECT job_id, chunk_index FROM tasks WHERE id = ?"));
  ASSIGN_OR_RETURN(bool row, s.BindAll(task_id).Step());
  if (!row) return absl::NotFoundError(absl::StrCat("task ", task_id, " does not exist"));
  return TaskRef{s.Int(0), static_cast<int>(s.Int(1))};
}

absl::Status InsertLog(SqliteDb& db, int64_t job_id, const LogLine& line) {
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare("INSERT INTO job_log(job_id, time_ms, source, level, text) VALUES (?,?,?,?,?)"));
  return s.BindAll(job_id, line.time_ms, line.source, line.level, line.text).Run();
}

namespace {
constexpr char kAgentSelect[] =
    "SELECT a.name, a.version, a.capabilities, a.drained, a.stale, a.registered_ms, "
    "a.last_heartbeat_ms, a.progress FROM agents a";

AgentRecord AgentFromRow(const SqliteStatement& s) {
  AgentRecord a;
  a.name = s.Text(0);
  a.version = s.Text(1);
  a.capabilities = CapabilitiesFromJson(s.Text(2));
  a.drained = s.Int(3) != 0;
  a.stale = s.Int(4) != 0;
  a.registered_ms = s.Int(5);
  a.last_heartbeat_ms = s.Int(6);
  a.progress = ProgressFromJson(s.Text(7));
  return a;  // current_job_id: the store's live state knows the leases
}
}  // namespace

absl::StatusOr<std::vector<AgentRecord>> LoadAgents(SqliteDb& db) {
  ASSIGN_OR_RETURN(SqliteStatement s, db.Prepare(absl::StrCat(kAgentSelect, " ORDER BY a.name")));
  std::vector<AgentRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(AgentFromRow(s));
  }
  return out;
}

absl::Status SaveAgent(SqliteDb& db, const AgentRecord& a) {
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare(
          "INSERT INTO agents(name, version, capabilities, drained, stale, registered_ms, "
          "last_heartbeat_ms, progress) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
          "version=excluded.version, capabilities=excluded.capabilities, drained=excluded.drained, "
          "stale=excluded.stale, registered_ms=excluded.registered_ms, "
          "last_heartbeat_ms=excluded.last_heartbeat_ms, progress=excluded.progress"));
  return s
      .BindAll(a.name, a.version, ToJson(a.capabilities), a.drained ? 1 : 0, a.stale ? 1 : 0,
               a.registered_ms, a.last_heartbeat_ms, ToJson(a.progress))
      .Run();
}

}  // namespace mkvfleet::server::rows
