// mkvctl job verbs: enqueue, scan, list, show, logs, reset, cancel.
#include <filesystem>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/cli/command_line.h"
#include "ctl/chunks_option.h"
#include "ctl/commands.h"
#include "ctl/output_format.h"
#include "ctl/scan_format.h"

namespace mkvfleet::ctl {
namespace {

// Prints enqueue results; refusals also go to stderr, one line each, and make the exit 1.
int PrintEnqueueResults(const CtlCommandContext& ctx, const v1::EnqueueResponse& resp) {
  std::vector<v1::EnqueueResult> results(resp.results().begin(), resp.results().end());
  if (ctx.options.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : results) arr.push_back(EnqueueResultToJson(r));
    std::cout << arr.dump(2) << "\n";
  } else {
    std::cout << EnqueueTable(results);
  }
  int code = 0;
  for (const auto& r : results) {
    if (r.outcome() == v1::ENQUEUE_OUTCOME_REFUSED) {
      code = Fail(absl::InvalidArgumentError(absl::StrCat("refused ", r.path(), ": ", r.reason())));
    }
  }
  return code;
}

// Prints a scan: the summary (every file with verbose) or the JSON object on stdout; the first
// refusals go to stderr, one line each, and make the exit 1.
int PrintScan(const CtlCommandContext& ctx, const ScanResults& scan, bool verbose) {
  if (ctx.options.json) {
    std::cout << ScanToJson(scan, verbose).dump(2) << "\n";
  } else {
    std::cout << ScanText(scan, verbose);
  }
  const std::vector<std::string> refusals =
      RefusalLines(scan.Refusals(), scan.summary.refused(), kScanRefusalsShown);
  for (const std::string& line : refusals) Fail(absl::InvalidArgumentError(line));
  return refusals.empty() ? 0 : 1;
}

int PrintJob(const CtlCommandContext& ctx, const v1::Job& job, bool with_steps) {
  if (ctx.options.json) {
    std::cout << JobToJson(job, with_steps).dump(2) << "\n";
  } else {
    std::cout << JobDetail(job);
  }
  return 0;
}

void AddEnqueue(CLI::App& app, CtlCommandContext& ctx) {
  struct Opts {
    std::vector<std::string> paths;
    std::string plan;
    int32_t chunks = 0;  // EnqueueRequest.chunks: 0 auto, 1 never, N >= 2 exactly N
    bool repair_rpus = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("enqueue", "queue .mkv files (paths under a library root)");
  cmd->add_option("paths", o->paths, "files to queue")->required();
  cmd->add_option("--plan", o->plan, "force a plan (dv-convert, dv-reencode, standard)");
  cmd->add_option("--chunks", o->chunks,
                  "split a re-encode across agents: auto (default: when several agents can take "
                  "chunks and the title is long), 1 (never) or N >= 2 (exactly N chunks)")
      ->transform(ChunksOptionValidator())
      ->type_name("N|auto");
  cmd->add_flag("--repair-rpus", o->repair_rpus,
                "repair Dolby Vision RPUs that do not match the frames one to one (a frame "
                "without one gets its neighbour's, a frame with two keeps the first) whatever the "
                "agents' [media] rpu_mismatch says");
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o] {
      return WithClient(ctx, [&](AdminClient& c) {
        v1::EnqueueRequest req;
        for (const auto& p : o->paths) req.add_paths(cli::MakeAbsolute(p));
        req.set_plan_override(o->plan);
        req.set_chunks(o->chunks);
        req.set_repair_rpus(o->repair_rpus);
        v1::EnqueueResponse resp;
        auto rpc = c.Context();
        grpc::Status s = c.stub().Enqueue(rpc.get(), req, &resp);
        if (!s.ok()) return Fail(c.Explain(s, "enqueue"));
        return PrintEnqueueResults(ctx, resp);
      });
    };
  });
}

void AddScan(CLI::App& app, CtlCommandContext& ctx) {
  struct Opts {
    bool full = false, test_file = false, dry_run = false, verbose = false;
    std::vector<std::string> files;
    std::string plan;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("scan", "find new or changed files and queue them");
  auto* full = cmd->add_flag("--full", o->full, "walk every library root");
  auto* files = cmd->add_option("--file", o->files, "check these files")->expected(1, -1);
  auto* test = cmd->add_flag("--test-file", o->test_file, "queue only the configured test file");
  full->excludes(files)->excludes(test);
  files->excludes(test);
  cmd->add_flag("--dry-run", o->dry_run, "print what would be queued; change nothing");
  cmd->add_option("--plan", o->plan, "force a plan for what gets queued");
  cmd->add_flag("--verbose,-v", o->verbose,
                "print every file's outcome (default: a summary and the first refusals)");
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o] {
      if (!o->full && !o->test_file && o->files.empty()) {
        return Fail(absl::InvalidArgumentError("scan needs --full, --file PATH... or --test-file"));
      }
      return WithClient(ctx, [&](AdminClient& c) {
        v1::ScanRequest req;
        req.set_mode(o->full ? v1::SCAN_MODE_FULL
                             : o->test_file ? v1::SCAN_MODE_TEST_FILE : v1::SCAN_MODE_FILES);
        for (const auto& f : o->files) req.add_paths(cli::MakeAbsolute(f));
        req.set_dry_run(o->dry_run);
        req.set_plan_override(o->plan);
        req.set_verbose(o->verbose);
        ScanResults scan;
        auto rpc = c.Context();
        auto reader = c.stub().Scan(rpc.get(), req);  // a stream of ScanReply
        for (v1::ScanReply reply; reader->Read(&reply);) scan.Add(reply);
        grpc::Status s = reader->Finish();
        if (!s.ok()) return Fail(c.Explain(s, "scan"));
        if (!scan.has_summary) {
          return Fail(absl::DataLossError("scan: the coordinator's reply ended without a summary"));
        }
        return PrintScan(ctx, scan, o->verbose);
      });
    };
  });
}

void AddList(CLI::App& app, CtlCommandContext& ctx) {
  struct Opts {
    std::vector<std::string> states;
    std::string path_contains;
    int limit = 0;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("list", "list jobs");
  cmd->add_option("--state", o->states,
                  "only these states (pending, running, completed, skipped, failed, "
                  "failed_permanent, cancelled); repeatable");
  cmd->add_option("--path-contains", o->path_contains, "only paths containing this text");
  cmd->add_option("--limit", o->limit, "at most this many jobs (0 = all)");
  cmd->callback([&ctx, o] {
    ctx.action = [&ctx, o] {
      v1::ListJobsRequest req;
      for (const auto& name : o->states) {
        auto st = ParseJobState(name);
        if (!st) {
          return Fail(absl::InvalidArgumentError(absl::StrCat(
              "unknown state \"", name, "\": use pending, running, completed, skipped, failed, "
                                        "failed_permanent or cancelled")));
        }
        req.add_states(*st);
      }
      req.set_path_contains(o->path_contains);
      return WithClient(ctx, [&](AdminClient& c) {
        absl::StatusOr<std::vector<v1::Job>> listed = ListAllJobs(c, req, o->limit, "list");
        if (!listed.ok()) return Fail(listed.status());
        const std::vector<v1::Job>& jobs = *listed;
        if (ctx.options.json) {
          nlohmann::json arr = nlohmann::json::array();
          for (const auto& j : jobs) arr.push_back(JobToJson(j, false));
          std::cout << arr.dump(2) << "\n";
        } else {
          std::cout << JobsTable(jobs);
        }
        return 0;
      });
    };
  });
}

// Verbs that take one job id: show, logs, reset, cancel.
void AddJobVerb(CLI::App& app, CtlCommandContext& ctx, const std::string& name,
                const std::string& help,
                std::function<int(AdminClient&, const CtlCommandContext&, int64_t, int)> run,
                const char* int_option = nullptr, const char* int_help = nullptr) {
  auto id = std::make_shared<int64_t>(0);
  auto extra = std::make_shared<int>(0);
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("job", *id, "job id")->required();
  if (int_option) cmd->add_option(int_option, *extra, int_help);
  cmd->callback([&ctx, id, extra, run] {
    ctx.action = [&ctx, id, extra, run] {
      return WithClient(ctx, [&](AdminClient& c) { return run(c, ctx, *id, *extra); });
    };
  });
}

}  // namespace

void AddJobCommands(CLI::App& app, CtlCommandContext& ctx) {
  AddEnqueue(app, ctx);
  AddScan(app, ctx);
  AddList(app, ctx);
  AddJobVerb(app, ctx, "show", "one job with its steps (and chunks)",
             [](AdminClient& c, const CtlCommandContext& ctx, int64_t id, int) {
               v1::GetJobRequest req;
               req.set_id(id);
               v1::Job job;
               auto rpc = c.Context();
               grpc::Status s = c.stub().GetJob(rpc.get(), req, &job);
               if (!s.ok()) return Fail(c.Explain(s, "show"));
               return PrintJob(ctx, job, true);
             });
  AddJobVerb(
      app, ctx, "logs", "a job's log",
      [](AdminClient& c, const CtlCommandContext& ctx, int64_t id, int tail) {
        v1::GetJobLogRequest req;
        req.set_id(id);
        req.set_tail(tail);
        v1::GetJobLogResponse resp;
        auto rpc = c.Context();
        grpc::Status s = c.stub().GetJobLog(rpc.get(), req, &resp);
        if (!s.ok()) return Fail(c.Explain(s, "logs"));
        std::vector<v1::LogLine> lines(resp.lines().begin(), resp.lines().end());
        if (ctx.options.json) {
          nlohmann::json arr = nlohmann::json::array();
          for (const auto& l : lines) arr.push_back(LogLineToJson(l));
          std::cout << arr.dump(2) << "\n";
        } else {
          std::cout << LogText(lines);
        }
        return 0;
      },
      "--tail", "only the last N lines");
  AddJobVerb(
      app, ctx, "reset", "send a job back to pending (revives failed_permanent and cancelled)",
      [](AdminClient& c, const CtlCommandContext& ctx, int64_t id, int from_step) {
        v1::ResetJobRequest req;
        req.set_id(id);
        req.set_from_step(from_step);
        v1::Job job;
        auto rpc = c.Context();
        grpc::Status s = c.stub().ResetJob(rpc.get(), req, &job);
        if (!s.ok()) return Fail(c.Explain(s, "reset"));
        return PrintJob(ctx, job, false);
      },
      "--from-step", "re-run from this step index (0 = from the start)");
  AddJobVerb(app, ctx, "cancel", "stop a job (revokes its lease)",
             [](AdminClient& c, const CtlCommandContext& ctx, int64_t id, int) {
               v1::CancelJobRequest req;
               req.set_id(id);
               v1::Job job;
               auto rpc = c.Context();
               grpc::Status s = c.stub().CancelJob(rpc.get(), req, &job);
               if (!s.ok()) return Fail(c.Explain(s, "cancel"));
               return PrintJob(ctx, job, false);
             });
}

int WithClient(const CtlCommandContext& ctx, const std::function<int(AdminClient&)>& body) {
  auto client = AdminClient::Connect(ctx.options);
  if (!client.ok()) return Fail(client.status());
  return body(*client);
}

}  // namespace mkvfleet::ctl
