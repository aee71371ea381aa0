// The dashboard's JSON API: reads (jobs, one job, its log, agents) and the actions (enqueue,
// reset, cancel, drain), each a thin call into DashboardBackend, i.e. the admin API.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/plot/brightness_series.h"
#include "common/plot/brightness_svg.h"
#include "common/status/status_macros.h"
#include "server/http/dashboard_routes.h"
#include "server/http/json_view.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::http {
namespace {

// The JSON object in a request body ({} for an empty body); InvalidArgument otherwise.
absl::StatusOr<nlohmann::json> JsonBody(const httplib::Request& req) {
  if (req.body.empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InvalidArgumentError("request body must be a JSON object");
  }
  return body;
}

absl::StatusOr<int64_t> JobId(const httplib::Request& req) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(req.matches[1].str(), &id) || id <= 0) {
    return absl::InvalidArgumentError("job id must be a positive number");
  }
  return id;
}

absl::StatusOr<v1::ListJobsRequest> ListRequest(const httplib::Request& req) {
  v1::ListJobsRequest list;
  if (req.has_param("state")) {
    for (absl::string_view name :
         absl::StrSplit(req.get_param_value("state"), ',', absl::SkipEmpty())) {
      std::optional<v1::JobState> state = ParseJobStateName(name);
      if (!state.has_value()) {
        return absl::InvalidArgumentError("unknown state \"" + std::string(name) + "\"");
      }
      list.add_states(*state);
    }
  }
  list.set_path_contains(req.get_param_value("q"));
  if (req.has_param("limit")) {
    int32_t limit = 0;
    if (!absl::SimpleAtoi(req.get_param_value("limit"), &limit) || limit < 0) {
      return absl::InvalidArgumentError("limit must be a number >= 0");
    }
    list.set_limit(limit);
  }
  list.set_page_token(req.get_param_value("cursor"));
  const std::string order = req.get_param_value("order");
  if (order != "" && order != "oldest" && order != "newest") {
    return absl::InvalidArgumentError("order must be \"oldest\" or \"newest\"");
  }
  list.set_newest_first(order == "newest");
  return list;
}

// An active chunked job as a list gives it, without its chunks: the list's "chunked N" column
// needs them, and GetJob has them (a few jobs at a time, one per chunked title being encoded).
bool NeedsChunks(const v1::Job& job) {
  return (job.state() == v1::JOB_STATE_RUNNING || job.state() == v1::JOB_STATE_PENDING) &&
         !job.chunk_manifest().empty() && job.chunks_size() == 0;
}

// The queue-wide ETA of GET /api/jobs: what is left (pending + running) at the fleet's measured
// pace (jobs completed per hour over the last hours); eta_ms null without a pace.
nlohmann::json QueueEtaJson(const v1::CountJobsResponse& counts, RouteContext& ctx) {
  int64_t remaining = 0;
  for (const v1::JobStateCount& c : counts.counts()) {
    if (c.state() == v1::JOB_STATE_PENDING || c.state() == v1::JOB_STATE_RUNNING) {
      remaining += c.count();
    }
  }
  const absl::Time now = ctx.clock();
  const std::optional<absl::Duration> eta = ctx.pace.QueueEta(remaining, now);
  return {{"remaining", remaining},
          {"completed_per_hour", ctx.pace.CompletedPerHour(now)},
          {"eta_ms", eta ? nlohmann::json(absl::ToInt64Milliseconds(*eta)) : nlohmann::json()}};
}

// GET /api/jobs[?state=a,b&q=text&limit=N&cursor=C&order=oldest|newest]: one page,
// {"jobs":[..], "next_cursor":"" at the end, "total":N matching, "counts":{state:N} of all jobs,
// "queue":{remaining, completed_per_hour, eta_ms}}.
absl::StatusOr<nlohmann::json> ListJobs(const httplib::Request& req, RouteContext& ctx) {
  ASSIGN_OR_RETURN(const v1::ListJobsRequest list, ListRequest(req));
  ASSIGN_OR_RETURN(v1::ListJobsResponse page, ctx.backend.ListJobs(list));
  ASSIGN_OR_RETURN(const v1::CountJobsResponse counts, ctx.backend.CountJobs());
  nlohmann::json jobs = nlohmann::json::array();
  for (v1::Job& j : *page.mutable_jobs()) {
    if (NeedsChunks(j)) {
      // A job gone or unreadable since the list still lists, without its chunks.
      if (absl::StatusOr<v1::Job> full = ctx.backend.GetJob(j.id()); full.ok()) {
        *j.mutable_chunks() = full->chunks();
      }
    }
    jobs.push_back(JobToJson(j));
  }
  nlohmann::json by_state = nlohmann::json::object();
  for (const v1::JobStateCount& c : counts.counts()) by_state[JobStateName(c.state())] = c.count();
  return nlohmann::json{{"jobs", std::move(jobs)},
                        {"next_cursor", page.next_page_token()},
                        {"total", page.total()},
                        {"counts", std::move(by_state)},
                        {"queue", QueueEtaJson(counts, ctx)}};
}

// GET /api/jobs/ID
absl::StatusOr<nlohmann::json> GetJob(const httplib::Request& req, RouteContext& ctx) {
  ASSIGN_OR_RETURN(const int64_t id, JobId(req));
  ASSIGN_OR_RETURN(const v1::Job job, ctx.backend.GetJob(id));
  return JobToJson(job);
}

// GET /api/jobs/ID/log[?tail=N]
absl::StatusOr<nlohmann::json> GetJobLog(const httplib::Request& req, RouteContext& ctx) {
  ASSIGN_OR_RETURN(const int64_t id, JobId(req));
  int32_t tail = 0;
  if (req.has_param("tail") &&
      (!absl::SimpleAtoi(req.get_param_value("tail"), &tail) || tail < 0)) {
    return absl::InvalidArgumentError("tail must be a number >= 0");
  }
  ASSIGN_OR_RETURN(const std::vector<v1::LogLine> lines, ctx.backend.GetJobLog(id, tail));
  nlohmann::json out = nlohmann::json::array();
  for (const v1::LogLine& l : lines) out.push_back(LogLineToJson(l));
  return out;
}

// GET /api/agents
absl::StatusOr<nlohmann::json> ListAgents(const httplib::Request&, RouteContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<v1::Agent> agents, ctx.backend.ListAgents());
  nlohmann::json out = nlohmann::json::array();
  const absl::Time now = ctx.clock();
  for (const v1::Agent& a : agents) {
    nlohmann::json j = AgentToJson(a);
    j["fps_history"] = {{"bucket_seconds", absl::ToInt64Seconds(FleetPace::kBucket)},
                        {"fps", ctx.pace.AgentFps(a.name(), now)}};
    out.push_back(std::move(j));
  }
  return out;
}

// POST /api/enqueue {"paths":[..]}
absl::StatusOr<nlohmann::json> Enqueue(const httplib::Request& req, RouteContext& ctx) {
  // Not const: operator[] of a const json is undefined for a missing key.
  ASSIGN_OR_RETURN(nlohmann::json body, JsonBody(req));
  std::vector<std::string> paths;
  const nlohmann::json& list = body["paths"];
  if (!list.is_array() || list.empty()) {
    return absl::InvalidArgumentError("\"paths\" must be a non-empty list");
  }
  for (const nlohmann::json& p : list) {
    if (!p.is_string()) return absl::InvalidArgumentError("paths are strings");
    paths.push_back(p.get<std::string>());
  }
  ASSIGN_OR_RETURN(const v1::EnqueueResponse result, ctx.backend.Enqueue(paths));
  spdlog::info("dashboard action=enqueue paths={} remote={}", paths.size(), req.remote_addr);
  return EnqueueResponseToJson(result);
}

// POST /api/jobs/ID/reset {"from_step":N}
absl::StatusOr<nlohmann::json> ResetJob(const httplib::Request& req, RouteContext& ctx) {
  ASSIGN_OR_RETURN(const int64_t id, JobId(req));
  ASSIGN_OR_RETURN(const nlohmann::json body, JsonBody(req));
  const nlohmann::json from = body.value("from_step", nlohmann::json(0));
  if (!from.is_number_integer() || from.get<int64_t>() < 0 || from.get<int64_t>() > 1000) {
    return absl::InvalidArgumentError("from_step must be a step index >= 0");
  }
  ASSIGN_OR_RETURN(const v1::Job job, ctx.backend.ResetJob(id, from.get<int32_t>()));
  spdlog::info("dashboard action=reset job={} from_step={} remote={}", id, from.get<int>(),
               req.remote_addr);
  return JobToJson(job);
}

// POST /api/jobs/ID/cancel
absl::StatusOr<nlohmann::json> CancelJob(const httplib::Request& req, RouteContext& ctx) {
  ASSIGN_OR_RETURN(const int64_t id, JobId(req));
  ASSIGN_OR_RETURN(const v1::Job job, ctx.backend.CancelJob(id));
  spdlog::info("dashboard action=cancel job={} remote={}", id, req.remote_addr);
  return JobToJson(job);
}

// POST /api/agents/NAME/drain {"undrain":bool}
absl::StatusOr<nlohmann::json> DrainAgent(const httplib::Request& req, RouteContext& ctx) {
  ASSIGN_OR_RETURN(const nlohmann::json body, JsonBody(req));
  const nlohmann::json undrain = body.value("undrain", nlohmann::json(false));
  if (!undrain.is_boolean()) {
    return absl::InvalidArgumentError("undrain must be true or false");
  }
  const std::string name = req.matches[1].str();
  ASSIGN_OR_RETURN(const v1::Agent agent, ctx.backend.DrainAgent(name, undrain.get<bool>()));
  spdlog::info("dashboard action={} agent={} remote={}", undrain.get<bool>() ? "undrain" : "drain",
               name, req.remote_addr);
  return AgentToJson(agent);
}

// GET /api/jobs/ID/brightness.svg: the title's Dolby Vision brightness plot, drawn from the probe
// step's brightness fact (the agent folds every frame's L1 into it); 204 (no content) before the
// probe or for a title without RPUs, 404 for an unknown job. The job page inlines it.
void BrightnessSvg(const httplib::Request& req, httplib::Response& res, RouteContext& ctx) {
  if (!Guard(req, res, ctx, /*state_changing=*/false)) return;
  absl::StatusOr<int64_t> id = JobId(req);
  if (!id.ok()) return SendError(res, id.status());
  absl::StatusOr<v1::Job> job = ctx.backend.GetJob(*id);
  if (!job.ok()) return SendError(res, job.status());
  for (const v1::Step& step : job->steps()) {
    const auto fact = step.checkpoint().facts().find(plot::kBrightnessFact);
    if (fact == step.checkpoint().facts().end()) continue;
    absl::StatusOr<plot::BrightnessSeries> series = plot::DecodeBrightness(fact->second);
    if (!series.ok()) return SendError(res, absl::InternalError(series.status().message()));
    plot::BrightnessPlotOptions options;
    options.title = std::filesystem::path(job->path()).filename().string();
    res.set_header("Cache-Control", "no-store");
    res.set_content(plot::RenderBrightnessSvg(*series, options), "image/svg+xml");
    return;
  }
  res.status = 204;  // no plot (yet, or a title without RPUs): nothing to draw, not an error
  res.set_header("Cache-Control", "no-store");
}

// A JSON API handler: the reply body, or an error that becomes {"error": message}.
using ApiHandler = absl::StatusOr<nlohmann::json> (*)(const httplib::Request&, RouteContext&);

// `handler` behind the auth guard (`state_changing` for the actions); its body is sent with 200,
// its error with HttpStatusFor(error).
httplib::Server::Handler ApiRoute(RouteContext& ctx, bool state_changing, ApiHandler handler) {
  return [&ctx, state_changing, handler](const httplib::Request& req, httplib::Response& res) {
    if (!Guard(req, res, ctx, state_changing)) return;
    absl::StatusOr<nlohmann::json> body = handler(req, ctx);
    if (!body.ok()) return SendError(res, body.status());
    SendJson(res, *body);
  };
}

}  // namespace

void AddApiRoutes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/jobs", ApiRoute(ctx, /*state_changing=*/false, ListJobs));
  server.Get(R"(/api/jobs/(\d+))", ApiRoute(ctx, /*state_changing=*/false, GetJob));
  server.Get(R"(/api/jobs/(\d+)/log)", ApiRoute(ctx, /*state_changing=*/false, GetJobLog));
  server.Get(R"(/api/jobs/(\d+)/brightness\.svg)",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               BrightnessSvg(req, res, ctx);
             });
  server.Get("/api/agents", ApiRoute(ctx, /*state_changing=*/false, ListAgents));
  server.Post("/api/enqueue", ApiRoute(ctx, /*state_changing=*/true, Enqueue));
  server.Post(R"(/api/jobs/(\d+)/reset)", ApiRoute(ctx, /*state_changing=*/true, ResetJob));
  server.Post(R"(/api/jobs/(\d+)/cancel)", ApiRoute(ctx, /*state_changing=*/true, CancelJob));
  server.Post("/api/agents/(.+)/drain", ApiRoute(ctx, /*state_changing=*/true, DrainAgent));
}

}  // namespace mkvfleet::http
