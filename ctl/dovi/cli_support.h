// What every dovi verb shares: turning a failed status into the one-line error and exit code 1,
// the --mode option, and writing an output file atomically.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"
#include "common/dovi/rpu_convert.h"
#include "common/dvstream/rpu_file.h"

namespace mkvfleet::ctl {

// Prints "mkvctl: <message>" to stderr (prefixed with "<file>: " unless the message already names
// it) and throws VerbFailed, which unwinds the verb (removing temporary outputs) up to Verb().
[[noreturn]] void FailWith(const std::string& file, const absl::Status& status);

// Thrown by FailWith once the error line is printed.
struct VerbFailed {};

// Wraps a verb body for CLI::App::callback: runs it and, when it throws VerbFailed, exits the
// process with status 1 (after the unwinding has cleaned up), whatever main() does with errors.
std::function<void()> Verb(std::function<void()> body);

// Calls FailWith when !status.ok().
inline void CheckOk(const std::string& file, const absl::Status& status) {
  if (!status.ok()) FailWith(file, status);
}

// Adds `--mode M` (0 rewrite, 1 to MEL, 2 to 8.1, 4 to 8.4, 5 to 8.1 keeping the mapping).
CLI::Option* AddModeOption(CLI::App& cmd, std::optional<int>& mode);

// The RPU transform for a mode, or none (RPUs copied as they are) when the mode is unset.
dvstream::RpuTransform TransformForMode(const std::optional<int>& mode);

// Writes `final_path` through `write` (given a temporary path in the same folder), then renames
// it into place. On error the temporary is removed and `final_path` is left as it was.
absl::Status WriteAtomically(const std::string& final_path,
                             const std::function<absl::Status(const std::string&)>& write);

}  // namespace mkvfleet::ctl
