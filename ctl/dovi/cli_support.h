// What every dovi verb shares: running after parsing and turning its status into the one-line
// error and exit code 1, naming the file a failure concerns, the --mode option, and writing an
// output file atomically.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/dovi/rpu_convert.h"
#include "common/dvstream/rpu_file.h"
#include "ctl/dovi/dovi_commands.h"

namespace mkvfleet::ctl {

// A CLI11 callback for one verb: it stores in `action` (main's slot, run once parsing is over) a
// call of `body` whose status becomes the exit code: 0 when OK, otherwise 1 after printing
// "mkvctl: <message>" (status.ToString() when the message is empty) to stderr. Nothing is thrown;
// temporary outputs are removed by their owners as `body` returns.
std::function<void()> Verb(VerbAction& action, std::function<absl::Status()> body);

// `status` as a verb reports it about `file`: the message prefixed with "<file>: " unless it
// already names the file (an empty message becomes status.ToString() first). Keeps the code; OK
// stays OK. With an empty `file`, only the empty-message rule applies.
absl::Status NameFile(const std::string& file, const absl::Status& status);
template <typename T>
absl::StatusOr<T> NameFile(const std::string& file, absl::StatusOr<T> value) {
  if (value.ok()) return value;
  return NameFile(file, value.status());
}

// Whether mkvctl's global --json (accepted before the verb) was given, for verbs that also take
// their own --json: call the result when the verb runs. `cmd` is any command of the tree.
std::function<bool()> GlobalJsonGiven(CLI::App& cmd);

// Adds `--mode M` (0 rewrite, 1 to MEL, 2 to 8.1, 4 to 8.4, 5 to 8.1 keeping the mapping).
CLI::Option* AddModeOption(CLI::App& cmd, std::optional<int>& mode);

// The RPU transform for a mode, or none (RPUs copied as they are) when the mode is unset.
dvstream::RpuTransform TransformForMode(const std::optional<int>& mode);

// Writes `final_path` through `write` (given a temporary path in the same folder), then renames
// it into place. On error the temporary is removed and `final_path` is left as it was.
absl::Status WriteAtomically(const std::string& final_path,
                             const std::function<absl::Status(const std::string&)>& write);

}  // namespace mkvfleet::ctl
