// Per-job folders and the "last held job" marker (see the header).
#include "agent/work_dirs.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mkvfleet::agent {
namespace fs = std::filesystem;
namespace {

constexpr char kJobPrefix[] = "job-";
constexpr char kLastHeldFile[] = "last-held-job";

}  // namespace

std::string WorkDirs::JobsDir() const { return (fs::path(root_) / "jobs").string(); }

absl::Status WorkDirs::Prepare() {
  std::error_code ec;
  fs::create_directories(JobsDir(), ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create work dir ", JobsDir(), ": ",
                                            ec.message(), " (check --work-dir and permissions)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> WorkDirs::ForJob(int64_t job_id) {
  fs::path dir = fs::path(JobsDir()) / absl::StrCat(kJobPrefix, job_id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create job folder ", dir.string(), ": ", ec.message()));
  }
  std::ofstream(fs::path(root_) / kLastHeldFile, std::ios::trunc) << job_id << "\n";
  return dir.string();
}

void WorkDirs::Remove(int64_t job_id) {
  std::error_code ec;
  fs::remove_all(fs::path(JobsDir()) / absl::StrCat(kJobPrefix, job_id), ec);
}

int WorkDirs::RemoveAllExcept(std::optional<int64_t> keep) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(JobsDir(), ec)) {
    absl::string_view name = entry.path().filename().native();
    int64_t id = 0;
    if (!absl::ConsumePrefix(&name, kJobPrefix) || !absl::SimpleAtoi(name, &id)) continue;
    if (keep && *keep == id) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

std::optional<int64_t> WorkDirs::LastHeldJob() const {
  std::ifstream in(fs::path(root_) / kLastHeldFile);
  int64_t id = 0;
  if (in >> id) return id;
  return std::nullopt;
}

}  // namespace mkvfleet::agent
