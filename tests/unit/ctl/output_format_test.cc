// mkvctl output: the JSON contract scripts rely on, state names, tables, progress bars.
#include "ctl/output_format.h"

#include <catch2/catch.hpp>

namespace mkvfleet::ctl {
namespace {

v1::Job SampleJob() {
  v1::Job job;
  job.set_id(42);
  job.set_path("/library/Film ü.mkv");
  job.set_state(v1::JOB_STATE_FAILED_PERMANENT);
  job.set_step("encode");
  job.set_attempts(3);
  job.set_max_attempts(3);
  job.set_error("x265 crashed");
  job.set_output("");
  v1::Step* s = job.add_steps();
  s->set_index(0);
  s->set_name("probe");
  s->set_state(v1::STEP_STATE_DONE);
  s->set_started_ms(1764077003000);
  s->set_finished_ms(1764077004000);
  (*s->mutable_checkpoint()->mutable_facts())["sha256"] = "ab";
  v1::Step* e = job.add_steps();
  e->set_index(1);
  e->set_name("encode");
  e->set_state(v1::STEP_STATE_FAILED);
  e->mutable_progress()->set_frames_done(10);
  e->mutable_progress()->set_frames_total(40);
  return job;
}

TEST_CASE("job JSON carries the contract fields with lowercase states") {
  nlohmann::json j = JobToJson(SampleJob(), false);
  CHECK(j["id"] == 42);
  CHECK(j["path"] == "/library/Film ü.mkv");
  CHECK(j["state"] == "failed_permanent");
  CHECK(j["step"] == "encode");
  CHECK(j["attempts"] == 3);
  CHECK(j["error"] == "x265 crashed");
  CHECK(j["output"] == "");
  CHECK(j["progress"].is_null());
  CHECK_FALSE(j.contains("steps"));
}

TEST_CASE("show JSON adds steps with times and frames when known") {
  nlohmann::json j = JobToJson(SampleJob(), true);
  REQUIRE(j["steps"].size() == 2);
  CHECK(j["steps"][0]["name"] == "probe");
  CHECK(j["steps"][0]["state"] == "done");
  CHECK(j["steps"][0]["started"] == "2025-11-25T13:23:23Z");
  CHECK(j["steps"][0]["finished_ms"] == 1764077004000);
  CHECK_FALSE(j["steps"][0].contains("frames_total"));
  CHECK(j["steps"][0]["checkpoint"]["facts"]["sha256"] == "ab");
  CHECK(j["steps"][1]["state"] == "failed");
  CHECK(j["steps"][1]["started"].is_null());
  CHECK(j["steps"][1]["frames_done"] == 10);
  CHECK(j["steps"][1]["frames_total"] == 40);
}

TEST_CASE("state names round-trip and unknown names are rejected") {
  for (const char* name : {"pending", "running", "completed", "skipped", "failed",
                           "failed_permanent", "cancelled"}) {
    auto st = ParseJobState(name);
    REQUIRE(st.has_value());
    CHECK(JobStateName(*st) == name);
  }
  CHECK(ParseJobState("RUNNING") == v1::JOB_STATE_RUNNING);
  CHECK_FALSE(ParseJobState("done").has_value());
}

TEST_CASE("progress bars") {
  v1::Progress p;
  CHECK(ProgressBar(p, 10) == "");
  p.set_frames_done(5);
  CHECK(ProgressBar(p, 10) == "frame 5");
  p.set_frames_total(20);
  CHECK(ProgressBar(p, 8) == "[##------]  25%");
  p.set_frames_done(40);  // never past 100%
  CHECK(ProgressBar(p, 4) == "[####] 100%");
}

TEST_CASE("tables align columns and trim trailing spaces") {
  CHECK(RenderTable({"ID", "STATE"}, {{"1", "running"}, {"123", ""}}) ==
        "ID   STATE\n1    running\n123\n");
  std::string detail = JobDetail(SampleJob());
  CHECK(detail.find("state:     failed_permanent") != std::string::npos);
  CHECK(detail.find("probe") != std::string::npos);
  CHECK(detail.find("10/40") != std::string::npos);
}

TEST_CASE("watch line shows state, step, and the error of a finished job") {
  v1::Job job = SampleJob();
  std::string line = WatchLine(job, 10);
  CHECK(line.find("#42") == 0);
  CHECK(line.find("failed_permanent") != std::string::npos);
  CHECK(line.find("(x265 crashed)") != std::string::npos);
  job.set_state(v1::JOB_STATE_RUNNING);
  job.mutable_progress()->set_frames_done(1);
  job.mutable_progress()->set_frames_total(2);
  job.mutable_progress()->set_fps(23.14);
  CHECK(WatchLine(job, 10).find("[#####-----]  50% 23.1 fps") != std::string::npos);
}

TEST_CASE("byte sizes are human-readable") {
  CHECK(FormatBytes(512) == "512 B");
  CHECK(FormatBytes(1536) == "1.5 KiB");
  CHECK(FormatBytes(int64_t{300} << 30) == "300 GiB");
}

}  // namespace
}  // namespace mkvfleet::ctl
