// In-memory DashboardBackend for tests: a fake of the coordinator's *data* (jobs, agents, log,
// events), recording the actions it receives. Thread-safe.
#pragma once

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "server/http/dashboard_backend.h"

namespace mkvfleet::testing {

class FakeBackend final : public http::DashboardBackend {
 public:
  struct Action {
    std::string verb;  // "enqueue", "reset", "cancel", "drain", "undrain"
    std::string target;
    int32_t step = 0;
  };

  void PutJob(const v1::Job& job) {
    absl::MutexLock lock(&mu_);
    jobs_[job.id()] = job;
  }
  void PutAgent(const v1::Agent& agent) {
    absl::MutexLock lock(&mu_);
    agents_[agent.name()] = agent;
  }
  void SetHealth(absl::Status s) {
    absl::MutexLock lock(&mu_);
    health_ = std::move(s);
  }
  void SetListError(absl::Status s) {
    absl::MutexLock lock(&mu_);
    list_error_ = std::move(s);
  }
  int get_job_calls() {
    absl::MutexLock lock(&mu_);
    return get_job_calls_;
  }
  std::vector<Action> actions() {
    absl::MutexLock lock(&mu_);
    return actions_;
  }
  // Delivers `event` to every live subscriber, as the coordinator's event bus would.
  void Emit(const v1::Event& event) {
    absl::MutexLock lock(&mu_);
    for (auto& [id, sink] : sinks_) sink(event);
  }
  size_t subscribers() {
    absl::MutexLock lock(&mu_);
    return sinks_.size();
  }

  // Pages as the coordinator does: id order (newest_first: descending), page_token the decimal
  // id of the previous page's last job, at most 1000 jobs, total over every matching job.
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request) override {
    absl::MutexLock lock(&mu_);
    if (!list_error_.ok()) return list_error_;
    int64_t after = 0;
    if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &after)) {
      return absl::InvalidArgumentError("bad page_token " + request.page_token());
    }
    const int size = request.limit() > 0 && request.limit() < 1000 ? request.limit() : 1000;
    auto matches = [&request](const v1::Job& j) {
      return request.states_size() == 0 ||
             std::find(request.states().begin(), request.states().end(), j.state()) !=
                 request.states().end();
    };
    v1::ListJobsResponse out;
    int64_t total = 0;
    for (const auto& [id, j] : jobs_) total += matches(j) ? 1 : 0;
    out.set_total(total);
    auto take = [&](const v1::Job& job) {  // false once the page is full and one more matches
      if (!matches(job)) return true;
      if (out.jobs_size() == size) {
        out.set_next_page_token(std::to_string(out.jobs(size - 1).id()));
        return false;
      }
      v1::Job* j = out.add_jobs();
      *j = job;
      j->clear_steps();
      j->clear_chunks();  // as the admin API's lists: chunks come with GetJob only
      return true;
    };
    if (request.newest_first()) {
      auto it = after > 0 ? std::make_reverse_iterator(jobs_.lower_bound(after)) : jobs_.rbegin();
      for (; it != jobs_.rend() && take(it->second); ++it) {
      }
    } else {
      for (auto it = jobs_.upper_bound(after); it != jobs_.end() && take(it->second); ++it) {
      }
    }
    return out;
  }
  absl::StatusOr<v1::CountJobsResponse> CountJobs() override {
    absl::MutexLock lock(&mu_);
    if (!list_error_.ok()) return list_error_;
    std::map<v1::JobState, int64_t> counts;
    for (const auto& [id, j] : jobs_) ++counts[j.state()];
    v1::CountJobsResponse out;
    for (const auto& [state, n] : counts) {
      v1::JobStateCount* c = out.add_counts();
      c->set_state(state);
      c->set_count(n);
    }
    return out;
  }
  absl::StatusOr<v1::Job> GetJob(int64_t id) override {
    absl::MutexLock lock(&mu_);
    ++get_job_calls_;
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return absl::NotFoundError("no job " + std::to_string(id));
    return it->second;
  }
  absl::StatusOr<std::vector<v1::LogLine>> GetJobLog(int64_t id, int32_t) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return absl::NotFoundError("no job " + std::to_string(id));
    v1::LogLine line;
    line.set_time_ms(1700000000000);
    line.set_source("coordinator");
    line.set_level("info");
    line.set_text("job " + std::to_string(id) + " enqueued: " + it->second.path());
    return std::vector<v1::LogLine>{line};
  }
  absl::StatusOr<std::vector<v1::Agent>> ListAgents() override {
    absl::MutexLock lock(&mu_);
    std::vector<v1::Agent> out;
    for (auto& [name, a] : agents_) out.push_back(a);
    return out;
  }
  absl::StatusOr<v1::EnqueueResponse> Enqueue(const std::vector<std::string>& paths) override {
    absl::MutexLock lock(&mu_);
    v1::EnqueueResponse response;
    for (const std::string& p : paths) {
      actions_.push_back({"enqueue", p, 0});
      v1::EnqueueResult* r = response.add_results();
      r->set_path(p);
      if (p.size() < 4 || p.substr(p.size() - 4) != ".mkv") {
        r->set_outcome(v1::ENQUEUE_OUTCOME_REFUSED);
        r->set_reason("not an .mkv file");
        continue;
      }
      const int64_t id = jobs_.empty() ? 1 : jobs_.rbegin()->first + 1;
      v1::Job j;
      j.set_id(id);
      j.set_path(p);
      j.set_state(v1::JOB_STATE_PENDING);
      jobs_[id] = j;
      r->set_outcome(v1::ENQUEUE_OUTCOME_CREATED);
      r->set_job_id(id);
    }
    return response;
  }
  absl::StatusOr<v1::Job> ResetJob(int64_t id, int32_t from_step) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return absl::NotFoundError("no job " + std::to_string(id));
    actions_.push_back({"reset", std::to_string(id), from_step});
    it->second.set_state(v1::JOB_STATE_PENDING);
    it->second.set_attempts(0);
    it->second.set_error("");
    return it->second;
  }
  absl::StatusOr<v1::Job> CancelJob(int64_t id) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return absl::NotFoundError("no job " + std::to_string(id));
    if (it->second.state() == v1::JOB_STATE_COMPLETED) {
      return absl::FailedPreconditionError("job is completed");
    }
    actions_.push_back({"cancel", std::to_string(id), 0});
    it->second.set_state(v1::JOB_STATE_CANCELLED);
    return it->second;
  }
  absl::StatusOr<v1::Agent> DrainAgent(const std::string& name, bool undrain) override {
    absl::MutexLock lock(&mu_);
    auto it = agents_.find(name);
    if (it == agents_.end()) return absl::NotFoundError("no agent " + name);
    actions_.push_back({undrain ? "undrain" : "drain", name, 0});
    it->second.set_drained(!undrain);
    it->second.set_status(undrain ? v1::AGENT_STATUS_IDLE : v1::AGENT_STATUS_DRAINING);
    return it->second;
  }
  std::unique_ptr<http::DashboardSubscription> Subscribe(
      std::function<void(const v1::Event&)> sink) override {
    absl::MutexLock lock(&mu_);
    const int id = next_sink_++;
    sinks_[id] = std::move(sink);
    return std::make_unique<Sub>(this, id);
  }
  absl::Status CheckHealth() override {
    absl::MutexLock lock(&mu_);
    return health_;
  }

 private:
  struct Sub final : http::DashboardSubscription {
    Sub(FakeBackend* b, int id) : backend(b), id(id) {}
    ~Sub() override {
      absl::MutexLock lock(&backend->mu_);
      backend->sinks_.erase(id);
    }
    FakeBackend* backend;
    int id;
  };

  absl::Mutex mu_;
  std::map<int64_t, v1::Job> jobs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::Agent> agents_ ABSL_GUARDED_BY(mu_);
  std::vector<Action> actions_ ABSL_GUARDED_BY(mu_);
  std::map<int, std::function<void(const v1::Event&)>> sinks_ ABSL_GUARDED_BY(mu_);
  int next_sink_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status health_ ABSL_GUARDED_BY(mu_);
  absl::Status list_error_ ABSL_GUARDED_BY(mu_);
  int get_job_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mkvfleet::testing
