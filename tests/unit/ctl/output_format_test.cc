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

// A dv-reencode job in its chunk phase: 4 chunks of 1000 frames, one done, two running (one on
// its second attempt), one failed.
v1::Job ChunkedJob() {
  v1::Job job;
  job.set_id(7);
  job.set_path("/library/Dune.mkv");
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_step("encode");
  job.set_plan("dv-reencode");
  job.set_chunks_requested(4);
  job.set_chunk_manifest("/shared/mkvfleet-chunks/job-7/manifest.json");
  job.mutable_progress()->set_frames_done(1570);
  job.mutable_progress()->set_frames_total(4000);
  job.mutable_progress()->set_fps(41.5);
  job.mutable_progress()->set_eta_ms(62000);
  const struct {
    v1::ChunkState state;
    const char* agent;
    int attempts;
    int64_t done;
    double fps;
    const char* error;
  } rows[] = {{v1::CHUNK_STATE_DONE, "a1", 1, 1000, 0, ""},
              {v1::CHUNK_STATE_RUNNING, "a1", 1, 450, 20.5, ""},
              {v1::CHUNK_STATE_RUNNING, "a2", 2, 120, 21.0, ""},
              {v1::CHUNK_STATE_FAILED, "a3", 1, 0, 0, "chunk 3: RPU 17 differs from its slice"}};
  for (int i = 0; i < 4; ++i) {
    v1::Chunk* c = job.add_chunks();
    c->set_index(i);
    c->set_first_frame(i * 1000);
    c->set_frames(1000);
    c->set_state(rows[i].state);
    c->set_agent(rows[i].agent);
    c->set_attempts(rows[i].attempts);
    c->mutable_progress()->set_frames_done(rows[i].done);
    c->mutable_progress()->set_frames_total(rows[i].done > 0 ? 1000 : 0);
    c->mutable_progress()->set_fps(rows[i].fps);
    c->set_error(rows[i].error);
    c->set_task_id(100 + i);
  }
  v1::Chunk* done = job.mutable_chunks(0);
  done->set_started_ms(1764077003000);
  done->set_finished_ms(1764077004000);
  done->mutable_progress()->set_eta_ms(0);
  v1::Artifact* a = done->mutable_checkpoint()->add_artifacts();
  a->set_name("chunk");
  a->set_path("/shared/mkvfleet-chunks/job-7/chunk-0000.hevc");
  a->set_location(v1::ARTIFACT_LOCATION_SHARED);
  a->set_size_bytes(123456);
  (*done->mutable_checkpoint()->mutable_facts())["sha256"] = "cd";
  job.mutable_chunks(1)->mutable_progress()->set_eta_ms(27000);
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

TEST_CASE("show says how many frames had their RPUs repaired, and whether it was asked") {
  v1::Job job = SampleJob();
  CHECK(JobToJson(job, true)["rpus_repaired"] == 0);
  CHECK(JobToJson(job, false)["repair_rpus"] == false);
  CHECK(JobDetail(job).find("rpus:") == std::string::npos);
  (*job.mutable_steps(0)->mutable_checkpoint()->mutable_facts())["rpus_repaired"] = "3";
  job.set_repair_rpus(true);
  const nlohmann::json j = JobToJson(job, true);
  CHECK(j["rpus_repaired"] == 3);
  CHECK(j["repair_rpus"] == true);
  CHECK(JobDetail(job).find(
            "rpus:      3 frames repaired (--repair-rpus); the job log lists them\n") !=
        std::string::npos);
}

TEST_CASE("show JSON of a chunked job has its chunks with the contract keys") {
  nlohmann::json j = JobToJson(ChunkedJob(), true);
  CHECK(j["chunks_requested"] == 4);
  CHECK(j["chunk_manifest"] == "/shared/mkvfleet-chunks/job-7/manifest.json");
  CHECK(j["progress"] == nlohmann::json{{"frames_done", 1570},
                                        {"frames_total", 4000},
                                        {"fps", 41.5},
                                        {"eta_ms", 62000}});
  REQUIRE(j["chunks"].is_array());
  REQUIRE(j["chunks"].size() == 4);
  const nlohmann::json& c0 = j["chunks"][0];
  for (const char* key : {"index", "first_frame", "frames", "state", "agent", "attempts",
                          "progress", "error"}) {
    CHECK(c0.contains(key));
  }
  CHECK(c0["index"] == 0);
  CHECK(c0["first_frame"] == 0);
  CHECK(c0["frames"] == 1000);
  CHECK(c0["state"] == "done");
  CHECK(c0["agent"] == "a1");
  CHECK(c0["attempts"] == 1);
  CHECK(c0["progress"] ==
        nlohmann::json{{"frames_done", 1000}, {"frames_total", 1000}, {"fps", 0.0}, {"eta_ms", 0}});
  CHECK(c0["error"] == "");
  CHECK(c0["started"] == "2025-11-25T13:23:23Z");
  CHECK(c0["finished_ms"] == 1764077004000);
  CHECK(c0["task_id"] == 100);
  CHECK(c0["checkpoint"]["artifacts"][0]["location"] == "shared");
  CHECK(c0["checkpoint"]["artifacts"][0]["size_bytes"] == 123456);
  CHECK(c0["checkpoint"]["facts"]["sha256"] == "cd");

  const nlohmann::json& c1 = j["chunks"][1];
  CHECK(c1["first_frame"] == 1000);
  CHECK(c1["state"] == "running");
  CHECK(c1["progress"] == nlohmann::json{{"frames_done", 450},
                                         {"frames_total", 1000},
                                         {"fps", 20.5},
                                         {"eta_ms", 27000}});
  CHECK(c1["started"].is_null());
  CHECK(j["chunks"][2]["attempts"] == 2);
  CHECK(j["chunks"][3]["state"] == "failed");
  CHECK(j["chunks"][3]["error"] == "chunk 3: RPU 17 differs from its slice");
  // Pending chunks report zeros, never null, so scripts can read .progress.frames_done.
  CHECK(j["chunks"][3]["progress"]["frames_done"] == 0);
}

TEST_CASE("chunks in JSON: [] for show of an unchunked job, only when present in lists") {
  nlohmann::json shown = JobToJson(SampleJob(), true);
  CHECK(shown["chunks"] == nlohmann::json::array());
  CHECK(shown["chunks_requested"] == 0);
  CHECK(shown["chunk_manifest"] == "");
  CHECK_FALSE(JobToJson(SampleJob(), false).contains("chunks"));
  CHECK(JobToJson(ChunkedJob(), false)["chunks"].size() == 4);
}

TEST_CASE("chunk state names are lowercase") {
  CHECK(ChunkStateName(v1::CHUNK_STATE_PENDING) == "pending");
  CHECK(ChunkStateName(v1::CHUNK_STATE_RUNNING) == "running");
  CHECK(ChunkStateName(v1::CHUNK_STATE_DONE) == "done");
  CHECK(ChunkStateName(v1::CHUNK_STATE_FAILED) == "failed");
  CHECK(ChunkStateName(v1::CHUNK_STATE_UNSPECIFIED) == "unknown");
}

TEST_CASE("show of a chunked job: progress with ETA, a chunk summary and a chunk table") {
  const std::string detail = JobDetail(ChunkedJob());
  CHECK(detail.find("progress:  [########------------]  39% 41.5 fps eta 1m2s\n") !=
        std::string::npos);
  CHECK(detail.find("chunks:    1/4 done, 2 running: a1 45%, a2 12%, 1 failed\n") !=
        std::string::npos);
  const std::string table =
      "#  FRAMES      STATE    AGENT  ATTEMPTS  PROGRESS              ERROR\n"
      "0  0..999      done     a1     1         100%\n"
      "1  1000..1999  running  a1     1         45% 20.5 fps eta 27s\n"
      "2  2000..2999  running  a2     2         12% 21.0 fps\n"
      "3  3000..3999  failed   a3     1                               "
      "chunk 3: RPU 17 differs from its slice\n";
  CHECK(detail.substr(detail.size() - table.size()) == table);
}

TEST_CASE("show of a job that asked for chunks but has none yet says what was asked") {
  v1::Job job = SampleJob();
  CHECK(JobDetail(job).find("chunks:") == std::string::npos);  // auto, nothing to say
  job.set_chunks_requested(1);
  CHECK(JobDetail(job).find("chunks:    never (--chunks 1)\n") != std::string::npos);
  job.set_chunks_requested(6);
  CHECK(JobDetail(job).find("chunks:    6 requested\n") != std::string::npos);
}

TEST_CASE("chunk summary and percentages") {
  CHECK(ChunkSummary(SampleJob()) == "");
  v1::Job job = ChunkedJob();
  CHECK(ChunkSummary(job) == "1/4 done, 2 running: a1 45%, a2 12%, 1 failed");
  // Without a reported total, a chunk's percentage is over its frame count.
  v1::Chunk c = job.chunks(1);
  c.mutable_progress()->set_frames_total(0);
  c.mutable_progress()->set_frames_done(250);
  CHECK(ChunkPercent(c) == 25);
  c.mutable_progress()->set_frames_done(5000);
  CHECK(ChunkPercent(c) == 100);  // never past 100
  c.set_state(v1::CHUNK_STATE_DONE);
  c.mutable_progress()->set_frames_done(0);
  CHECK(ChunkPercent(c) == 100);
  c.set_frames(0);
  c.set_state(v1::CHUNK_STATE_PENDING);
  CHECK(ChunkPercent(c) == 0);
}

TEST_CASE("watch line of a chunked job summarises its chunks") {
  v1::Job job = ChunkedJob();
  std::string line = WatchLine(job, 10);
  CHECK(line.find("[####------]  39% 41.5 fps eta 1m2s") != std::string::npos);
  CHECK(line.find(" chunks 1/4 done, 2 running: a1 45%, a2 12%, 1 failed  /library/Dune.mkv") !=
        std::string::npos);
  job.set_state(v1::JOB_STATE_COMPLETED);
  CHECK(WatchLine(job, 10).find("chunks") == std::string::npos);
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
