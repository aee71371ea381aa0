// Per-job folders and the "last held job" marker (see the header).
#include "agent/work_dirs.h"

#include <sys/random.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mkvfleet::agent {
namespace fs = std::filesystem;
namespace {

constexpr char kJobPrefix[] = "job-";
constexpr char kLastHeldFile[] = "last-held-job";
constexpr char kInstanceFile[] = "agent-instance";
// Random bytes in the instance token (hex-encoded: twice as many characters).
constexpr size_t kInstanceTokenBytes = 12;

// The first line of `path` with surrounding spaces removed, "" when unreadable.
std::string FirstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return std::string(absl::StripAsciiWhitespace(line));
}

// A fresh hex token from the kernel's random source; "" when it fails.
std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    const ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "";
    got += static_cast<size_t>(n);
  }
  return absl::BytesToHexString(raw);
}

// Keeps A-Z a-z 0-9 only (the boot id's dashes go, so the id stays one dash-separated pair).
std::string Alnum(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

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

absl::StatusOr<std::string> WorkDirs::InstanceId(const std::string& boot_id_file) const {
  const fs::path file = fs::path(root_) / kInstanceFile;
  std::string token = Alnum(FirstLine(file));
  if (token.empty()) {
    token = RandomHex(kInstanceTokenBytes);
    std::ofstream out(file, std::ios::trunc);
    out << token << "\n";
    out.close();
    if (token.empty() || !out) {
      return absl::InternalError(absl::StrCat("cannot store the agent instance token in ",
                                              file.string(), ": check --work-dir permissions"));
    }
  }
  const std::string boot = Alnum(FirstLine(boot_id_file));
  return boot.empty() ? token : absl::StrCat(token, "-", boot);
}

}  // namespace mkvfleet::agent
