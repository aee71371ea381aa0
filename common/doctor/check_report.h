// One line per check (ok / warning / error, what was found, what to do) and the report both
// `mkvctl doctor` and `mkv-agent --check` print, as text or JSON, with the exit code rule.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mkvfleet::doctor {

enum class Severity {
  kOk,       // nothing to do
  kWarning,  // works, but something is degraded or unchecked
  kError,    // jobs will fail (or never arrive) until this is fixed
};

// "ok", "warning", "error".
const char* SeverityName(Severity severity);

// The result of one check. `advice` is empty for ok lines.
struct CheckLine {
  std::string check;  // short stable id: "tool ffmpeg", "coordinator", "clock skew", ...
  Severity severity = Severity::kOk;
  std::string message;  // what was found, e.g. "5.1.6 at /usr/bin/ffmpeg"
  std::string advice;   // what to do about a warning or error
};

CheckLine Ok(std::string check, std::string message);
CheckLine Warning(std::string check, std::string message, std::string advice);
CheckLine Error(std::string check, std::string message, std::string advice);

// One line per check: "ok       tool ffmpeg: 5.1.6 at /usr/bin/ffmpeg", then for warnings and
// errors "  -> advice" on the next line, and a summary line ("2 ok, 1 warning, 0 errors").
std::string FormatText(const std::vector<CheckLine>& lines);

// {"checks":[{"check":..,"status":"ok|warning|error","message":..,"advice":..}],
//  "ok":N,"warnings":N,"errors":N}, pretty-printed, newline-terminated.
std::string FormatJson(const std::vector<CheckLine>& lines);

// 1 when any line is an error, else 0.
int ExitCode(const std::vector<CheckLine>& lines);

}  // namespace mkvfleet::doctor
