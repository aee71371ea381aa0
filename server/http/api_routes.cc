// The dashboard's JSON API: reads (jobs, one job, its log, agents) and the actions (enqueue,
// reset, cancel, drain), each a thin call into DashboardBackend, i.e. the admin API.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
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
  return list;
}

}  // namespace

void AddApiRoutes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/api/jobs", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (!Guard(req, res, ctx, false)) return;
    absl::StatusOr<v1::ListJobsRequest> list = ListRequest(req);
    if (!list.ok()) return SendError(res, list.status());
    absl::StatusOr<std::vector<v1::Job>> jobs = ctx.backend.ListJobs(*list);
    if (!jobs.ok()) return SendError(res, jobs.status());
    nlohmann::json out = nlohmann::json::array();
    for (const v1::Job& j : *jobs) out.push_back(JobToJson(j));
    SendJson(res, out);
  });

  server.Get(R"(/api/jobs/(\d+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (!Guard(req, res, ctx, false)) return;
    absl::StatusOr<int64_t> id = JobId(req);
    if (!id.ok()) return SendError(res, id.status());
    absl::StatusOr<v1::Job> job = ctx.backend.GetJob(*id);
    if (!job.ok()) return SendError(res, job.status());
    SendJson(res, JobToJson(*job));
  });

  server.Get(R"(/api/jobs/(\d+)/log)", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (!Guard(req, res, ctx, false)) return;
    absl::StatusOr<int64_t> id = JobId(req);
    if (!id.ok()) return SendError(res, id.status());
    int32_t tail = 0;
    if (req.has_param("tail") &&
        (!absl::SimpleAtoi(req.get_param_value("tail"), &tail) || tail < 0)) {
      return SendError(res, absl::InvalidArgumentError("tail must be a number >= 0"));
    }
    absl::StatusOr<std::vector<v1::LogLine>> lines = ctx.backend.GetJobLog(*id, tail);
    if (!lines.ok()) return SendError(res, lines.status());
    nlohmann::json out = nlohmann::json::array();
    for (const v1::LogLine& l : *lines) out.push_back(LogLineToJson(l));
    SendJson(res, out);
  });

  server.Get("/api/agents", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (!Guard(req, res, ctx, false)) return;
    absl::StatusOr<std::vector<v1::Agent>> agents = ctx.backend.ListAgents();
    if (!agents.ok()) return SendError(res, agents.status());
    nlohmann::json out = nlohmann::json::array();
    for (const v1::Agent& a : *agents) out.push_back(AgentToJson(a));
    SendJson(res, out);
  });

  server.Post("/api/enqueue", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (!Guard(req, res, ctx, true)) return;
    absl::StatusOr<nlohmann::json> body = JsonBody(req);
    if (!body.ok()) return SendError(res, body.status());
    std::vector<std::string> paths;
    const nlohmann::json& list = (*body)["paths"];
    if (!list.is_array() || list.empty()) {
      return SendError(res, absl::InvalidArgumentError("\"paths\" must be a non-empty list"));
    }
    for (const nlohmann::json& p : list) {
      if (!p.is_string()) return SendError(res, absl::InvalidArgumentError("paths are strings"));
      paths.push_back(p.get<std::string>());
    }
    absl::StatusOr<v1::EnqueueResponse> result = ctx.backend.Enqueue(paths);
    if (!result.ok()) return SendError(res, result.status());
    spdlog::info("dashboard action=enqueue paths={} remote={}", paths.size(), req.remote_addr);
    SendJson(res, EnqueueResponseToJson(*result));
  });

  server.Post(
      R"(/api/jobs/(\d+)/reset)", [&ctx](const httplib::Request& req, httplib::Response& res) {
        if (!Guard(req, res, ctx, true)) return;
        absl::StatusOr<int64_t> id = JobId(req);
        if (!id.ok()) return SendError(res, id.status());
        absl::StatusOr<nlohmann::json> body = JsonBody(req);
        if (!body.ok()) return SendError(res, body.status());
        const nlohmann::json from = body->value("from_step", nlohmann::json(0));
        if (!from.is_number_integer() || from.get<int64_t>() < 0 || from.get<int64_t>() > 1000) {
          return SendError(res, absl::InvalidArgumentError("from_step must be a step index >= 0"));
        }
        absl::StatusOr<v1::Job> job = ctx.backend.ResetJob(*id, from.get<int32_t>());
        if (!job.ok()) return SendError(res, job.status());
        spdlog::info("dashboard action=reset job={} from_step={} remote={}", *id, from.get<int>(),
                     req.remote_addr);
        SendJson(res, JobToJson(*job));
      });

  server.Post(R"(/api/jobs/(\d+)/cancel)",
              [&ctx](const httplib::Request& req, httplib::Response& res) {
                if (!Guard(req, res, ctx, true)) return;
                absl::StatusOr<int64_t> id = JobId(req);
                if (!id.ok()) return SendError(res, id.status());
                absl::StatusOr<v1::Job> job = ctx.backend.CancelJob(*id);
                if (!job.ok()) return SendError(res, job.status());
                spdlog::info("dashboard action=cancel job={} remote={}", *id, req.remote_addr);
                SendJson(res, JobToJson(*job));
              });

  server.Post(
      "/api/agents/(.+)/drain", [&ctx](const httplib::Request& req, httplib::Response& res) {
        if (!Guard(req, res, ctx, true)) return;
        absl::StatusOr<nlohmann::json> body = JsonBody(req);
        if (!body.ok()) return SendError(res, body.status());
        const nlohmann::json undrain = body->value("undrain", nlohmann::json(false));
        if (!undrain.is_boolean()) {
          return SendError(res, absl::InvalidArgumentError("undrain must be true or false"));
        }
        const std::string name = req.matches[1].str();
        absl::StatusOr<v1::Agent> agent = ctx.backend.DrainAgent(name, undrain.get<bool>());
        if (!agent.ok()) return SendError(res, agent.status());
        spdlog::info("dashboard action={} agent={} remote={}",
                     undrain.get<bool>() ? "undrain" : "drain", name, req.remote_addr);
        SendJson(res, AgentToJson(*agent));
      });
}

}  // namespace mkvfleet::http
