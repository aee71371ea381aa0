// Wire conversion of the agent: tasks (with the chunk fields) from the coordinator's messages, and
// the FINISHED fields of step reports (with the chunked outcome) back.
#include "agent/wire_conversion.h"

#include <catch2/catch.hpp>

namespace mkvfleet::agent {
namespace {

// A chunk range as a step result carries it.
ChunkRecord Range(int index, int64_t first_frame, int64_t frames) {
  ChunkRecord c;
  c.index = index;
  c.first_frame = first_frame;
  c.frames = frames;
  return c;
}

v1::Checkpoint ChunkCheckpoint() {
  v1::Checkpoint cp;
  v1::Artifact* a = cp.add_artifacts();
  a->set_name("chunk");
  a->set_path("/shared/mkvfleet-chunks/job-7/chunk-0000.hevc");
  a->set_location(v1::ARTIFACT_LOCATION_SHARED);
  a->set_agent("vm2");
  a->set_size_bytes(4096);
  (*cp.mutable_facts())["sha256"] = std::string(64, 'a');
  (*cp.mutable_facts())["frames"] = "24";
  return cp;
}

TEST_CASE("a whole-job task carries its chunking request and no assignment") {
  v1::Task t;
  t.set_task_id(5);
  t.mutable_job()->set_id(7);
  v1::ChunkingRequest* c = t.mutable_chunking();
  c->set_chunks(0);
  c->set_agents(3);
  c->set_min_seconds(600);
  c->set_chunks_per_agent(4);
  c->set_min_chunk_seconds(30);
  c->set_max_chunk_seconds(300);
  const Task task = TaskFromProto(t);
  CHECK(task.chunking.chunks == 0);
  CHECK(task.chunking.agents == 3);
  CHECK(task.chunking.min_seconds == 600);
  CHECK(task.chunking.chunks_per_agent == 4);
  CHECK(task.chunking.min_chunk_seconds == 30);
  CHECK(task.chunking.max_chunk_seconds == 300);
  CHECK_FALSE(task.chunk.has_value());
  CHECK(task.chunks.empty());
  CHECK(task.chunk_manifest.empty());
}

TEST_CASE("a job's --repair-rpus reaches the task") {
  v1::Task t;
  t.mutable_job()->set_id(7);
  CHECK_FALSE(TaskFromProto(t).repair_rpus);
  t.mutable_job()->set_repair_rpus(true);
  CHECK(TaskFromProto(t).repair_rpus);
}

TEST_CASE("zero chunking fields keep the domain defaults, forced counts pass through") {
  v1::Task t;
  t.mutable_chunking()->set_chunks(4);
  const Task task = TaskFromProto(t);
  const ChunkingRequest defaults;
  CHECK(task.chunking.chunks == 4);
  CHECK(task.chunking.chunks_per_agent == defaults.chunks_per_agent);
  CHECK(task.chunking.min_chunk_seconds == defaults.min_chunk_seconds);
  CHECK(task.chunking.max_chunk_seconds == defaults.max_chunk_seconds);
}

TEST_CASE("a chunk task carries its assignment, the job's chunks and its manifest") {
  v1::Task t;
  t.set_task_id(71);
  t.set_lease_id("L71");
  t.mutable_job()->set_id(7);
  t.mutable_job()->set_chunk_manifest("/shared/mkvfleet-chunks/job-7/manifest.json");
  v1::ChunkAssignment* a = t.mutable_chunk();
  a->set_index(1);
  a->set_first_frame(24);
  a->set_frames(20);
  a->set_manifest_path("/shared/mkvfleet-chunks/job-7/manifest.json");
  a->set_parameter_sets_sha256(std::string(64, 'b'));
  v1::Chunk* done = t.mutable_job()->add_chunks();
  done->set_index(0);
  done->set_first_frame(0);
  done->set_frames(24);
  done->set_state(v1::CHUNK_STATE_DONE);
  done->set_agent("vm2");
  done->set_attempts(1);
  *done->mutable_checkpoint() = ChunkCheckpoint();
  v1::Chunk* running = t.mutable_job()->add_chunks();
  running->set_index(1);
  running->set_first_frame(24);
  running->set_frames(20);
  running->set_state(v1::CHUNK_STATE_RUNNING);
  running->set_attempts(2);

  const Task task = TaskFromProto(t);
  REQUIRE(task.chunk.has_value());
  CHECK(task.chunk->index == 1);
  CHECK(task.chunk->first_frame == 24);
  CHECK(task.chunk->frames == 20);
  CHECK(task.chunk->manifest_path == "/shared/mkvfleet-chunks/job-7/manifest.json");
  CHECK(task.chunk->parameter_sets_sha256 == std::string(64, 'b'));
  CHECK(task.chunk_manifest == "/shared/mkvfleet-chunks/job-7/manifest.json");
  REQUIRE(task.chunks.size() == 2);
  const ChunkRecord& c0 = task.chunks[0];
  CHECK(c0.index == 0);
  CHECK(c0.frames == 24);
  CHECK(c0.status == ChunkStatus::kDone);
  CHECK(c0.agent == "vm2");
  CHECK(c0.attempts == 1);
  REQUIRE(c0.checkpoint.artifacts.size() == 1);
  CHECK(c0.checkpoint.artifacts[0].name == "chunk");
  CHECK(c0.checkpoint.artifacts[0].location == ArtifactLocation::kShared);
  CHECK(c0.checkpoint.artifacts[0].size_bytes == 4096);
  CHECK(c0.checkpoint.facts.at("frames") == "24");
  CHECK(task.chunks[1].status == ChunkStatus::kRunning);
  CHECK(task.chunks[1].attempts == 2);
}

TEST_CASE("chunk states map one to one; unknown ones read as pending") {
  v1::Chunk c;
  c.set_state(v1::CHUNK_STATE_PENDING);
  CHECK(ChunkFromProto(c).status == ChunkStatus::kPending);
  c.set_state(v1::CHUNK_STATE_FAILED);
  CHECK(ChunkFromProto(c).status == ChunkStatus::kFailed);
  c.set_state(v1::CHUNK_STATE_UNSPECIFIED);
  CHECK(ChunkFromProto(c).status == ChunkStatus::kPending);
}

TEST_CASE("a chunked step result reports outcome CHUNKED with the ranges and the manifest") {
  StepResult r;
  r.outcome = StepResult::Outcome::kChunked;
  r.chunks = {Range(0, 0, 24), Range(1, 24, 20)};
  r.chunks[1].attempts = 3;  // not part of a report
  r.chunk_manifest = "/shared/mkvfleet-chunks/job-7/manifest.json";
  r.checkpoint.facts["frame_count"] = "44";
  v1::ReportStepRequest req;
  StepResultToProto(r, &req);
  CHECK(req.outcome() == v1::TASK_OUTCOME_CHUNKED);
  CHECK(req.chunk_manifest() == "/shared/mkvfleet-chunks/job-7/manifest.json");
  REQUIRE(req.chunks_size() == 2);
  CHECK(req.chunks(0).index() == 0);
  CHECK(req.chunks(0).first_frame() == 0);
  CHECK(req.chunks(0).frames() == 24);
  CHECK(req.chunks(1).index() == 1);
  CHECK(req.chunks(1).first_frame() == 24);
  CHECK(req.chunks(1).frames() == 20);
  CHECK(req.chunks(1).attempts() == 0);
  CHECK(req.checkpoint().facts().at("frame_count") == "44");
}

TEST_CASE("other outcomes report no chunks, and keep their own fields") {
  StepResult r;
  r.outcome = StepResult::Outcome::kCompleted;
  r.output_path = "/library/a.DV81.mkv";
  r.plan = "dv-reencode";
  r.chunks = {Range(0, 0, 24)};  // ignored: not chunked
  r.chunk_manifest = "/ignored";
  v1::ReportStepRequest req;
  StepResultToProto(r, &req);
  CHECK(req.outcome() == v1::TASK_OUTCOME_COMPLETED);
  CHECK(req.output_path() == "/library/a.DV81.mkv");
  CHECK(req.plan() == "dv-reencode");
  CHECK(req.chunks_size() == 0);
  CHECK(req.chunk_manifest().empty());

  StepResult skipped;
  skipped.outcome = StepResult::Outcome::kSkipped;
  skipped.reason = "no Dolby Vision";
  v1::ReportStepRequest req2;
  StepResultToProto(skipped, &req2);
  CHECK(req2.outcome() == v1::TASK_OUTCOME_SKIPPED);
  CHECK(req2.reason() == "no Dolby Vision");

  v1::ReportStepRequest req3;
  StepResultToProto(StepResult{}, &req3);
  CHECK(req3.outcome() == v1::TASK_OUTCOME_UNSPECIFIED);
}

TEST_CASE("a chunk's checkpoint survives the round trip") {
  Checkpoint cp = CheckpointFromProto(ChunkCheckpoint());
  v1::Checkpoint back;
  CheckpointToProto(cp, &back);
  REQUIRE(back.artifacts_size() == 1);
  CHECK(back.artifacts(0).location() == v1::ARTIFACT_LOCATION_SHARED);
  CHECK(back.artifacts(0).path() == "/shared/mkvfleet-chunks/job-7/chunk-0000.hevc");
  CHECK(back.facts().at("sha256") == std::string(64, 'a'));
}

}  // namespace
}  // namespace mkvfleet::agent
