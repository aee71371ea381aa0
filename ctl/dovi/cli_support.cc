// Status reporting, --mode and atomic outputs for the dovi verbs.
#include "ctl/dovi/cli_support.h"

#include <iostream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/fs/scratch_files.h"
#include "common/status/status_macros.h"

namespace mkvfleet::ctl {
namespace {

// The exit code for a verb's result, printing the error line first when it failed.
int ExitCode(const absl::Status& status) {
  if (status.ok()) return 0;
  std::string message(status.message());
  if (message.empty()) message = status.ToString();
  std::cerr << "mkvctl: " << message << std::endl;
  return 1;
}

}  // namespace

std::function<void()> Verb(VerbAction& action, std::function<absl::Status()> body) {
  return [&action, body = std::move(body)] { action = [body] { return ExitCode(body()); }; };
}

absl::Status NameFile(const std::string& file, const absl::Status& status) {
  if (status.ok()) return status;
  std::string message(status.message());
  if (message.empty()) message = status.ToString();
  if (!file.empty() && !absl::StrContains(message, file)) message = file + ": " + message;
  return absl::Status(status.code(), message);
}

CLI::Option* AddModeOption(CLI::App& cmd, std::optional<int>& mode) {
  return cmd
      .add_option("--mode,-m", mode,
                  "RPU conversion: 0 rewrite, 1 to profile 7 MEL, 2 to 8.1, 4 to 8.4, "
                  "5 to 8.1 keeping the FEL mapping")
      ->check(CLI::IsMember({0, 1, 2, 4, 5}));
}

dvstream::RpuTransform TransformForMode(const std::optional<int>& mode) {
  if (!mode) return nullptr;
  auto m = static_cast<dovi::ConversionMode>(*mode);
  return [m](absl::Span<const uint8_t> payload) { return dovi::ConvertRpuPayload(payload, m); };
}

absl::Status WriteAtomically(const std::string& final_path,
                             const std::function<absl::Status(const std::string&)>& write) {
  ASSIGN_OR_RETURN(std::unique_ptr<fs::AtomicOutput> out, fs::AtomicOutput::Create(final_path));
  RETURN_IF_ERROR(write(out->temp_path()));
  return out->Commit();
}

std::function<bool()> GlobalJsonGiven(CLI::App& cmd) {
  CLI::App* root = &cmd;
  while (root->get_parent() != nullptr) root = root->get_parent();
  return [root] {
    const CLI::Option* json = root->get_option_no_throw("--json");
    return json != nullptr && json->count() > 0;
  };
}

}  // namespace mkvfleet::ctl
