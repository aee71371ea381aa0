// Test doubles for StepRunner tests: a step made from a function, and a reporter that records
// every report (and can refuse one, like a coordinator with a stale lease).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/step_runner.h"

namespace mkvfleet::agent::testing {

using StepFn = std::function<absl::StatusOr<StepResult>(StepContext&)>;

// A step whose Run is `fn`.
class FnStep final : public Step {
 public:
  FnStep(std::string name, StepFn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  absl::StatusOr<StepResult> Run(StepContext& ctx) override { return fn_(ctx); }

 private:
  std::string name_;
  StepFn fn_;
};

// Records every report as "started|finished|failed <index> <name>[ retryable| permanent]".
class RecordingReporter final : public TaskReporter {
 public:
  absl::Status StepStarted(int index, const std::string& name) override {
    events.push_back(absl::StrCat("started ", index, " ", name));
    if (index == refuse_start_of) return absl::FailedPreconditionError("lease is stale");
    return absl::OkStatus();
  }
  absl::Status StepFinished(int index, const std::string& name, const StepResult& r) override {
    events.push_back(absl::StrCat("finished ", index, " ", name));
    last_result = r;
    if (index == reject_finish_of) return absl::InvalidArgumentError("needs output_path");
    return absl::OkStatus();
  }
  absl::Status StepFailed(int index, const std::string& name, const std::string& error,
                          bool retryable, const std::vector<int>& redo) override {
    events.push_back(
        absl::StrCat("failed ", index, " ", name, retryable ? " retryable" : " permanent"));
    last_error = error;
    redo_chunks = redo;
    return absl::OkStatus();
  }
  void Log(LogLevel, const std::string& text) override { logs.push_back(text); }
  void UpdateProgress(const std::string&, const Progress&) override { ++progress_updates; }

  // True when some log line contains `part`.
  bool Logged(const std::string& part) const {
    for (const auto& l : logs) {
      if (absl::StrContains(l, part)) return true;
    }
    return false;
  }

  int refuse_start_of = -1;   // StepStarted of this index fails
  int reject_finish_of = -1;  // StepFinished of this index fails
  std::vector<std::string> events, logs;
  StepResult last_result;
  std::string last_error;
  std::vector<int> redo_chunks;  // of the last StepFailed
  int progress_updates = 0;
};

}  // namespace mkvfleet::agent::testing
