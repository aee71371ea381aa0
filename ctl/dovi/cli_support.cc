// Error reporting, --mode and atomic outputs for the dovi verbs.
#include "ctl/dovi/cli_support.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/media/scratch_files.h"

namespace mkvfleet::ctl {

void FailWith(const std::string& file, const absl::Status& status) {
  std::string message(status.message());
  if (message.empty()) message = status.ToString();
  if (!file.empty() && !absl::StrContains(message, file)) message = file + ": " + message;
  std::cerr << "mkvctl: " << message << std::endl;
  throw VerbFailed{};
}

std::function<void()> Verb(std::function<void()> body) {
  return [body = std::move(body)] {
    try {
      body();
    } catch (const VerbFailed&) {
      std::cout.flush();
      std::exit(1);
    }
  };
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
  absl::StatusOr<std::unique_ptr<media::AtomicOutput>> out =
      media::AtomicOutput::Create(final_path);
  if (!out.ok()) return out.status();
  if (absl::Status s = write((*out)->temp_path()); !s.ok()) return s;
  return (*out)->Commit();
}

}  // namespace mkvfleet::ctl
