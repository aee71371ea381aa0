// Free space, library roots, clock skew and coordinator checks (see the header).
#include "common/doctor/host_checks.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mkvfleet::doctor {
namespace {

namespace fs = std::filesystem;

std::string Gib(int64_t bytes) {
  return absl::StrFormat("%.1f GiB", static_cast<double>(bytes) / (int64_t{1} << 30));
}

bool IsUnreachableCode(absl::StatusCode c) {
  return c == absl::StatusCode::kUnavailable || c == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace

absl::StatusOr<int64_t> FreeBytes(const std::string& dir) {
  struct statvfs st;
  if (statvfs(dir.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot stat filesystem of ", dir, ": ", std::strerror(errno)));
  }
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

CheckLine CheckFreeSpace(const std::string& label, const std::string& dir,
                         const absl::StatusOr<int64_t>& free_bytes) {
  const std::string check = "free space " + label;
  if (!free_bytes.ok()) {
    return Error(
        check, std::string(free_bytes.status().message()),
        absl::StrCat("create ", dir, " (writable by this user) or fix the ", label, " setting"));
  }
  const std::string found = absl::StrCat(Gib(*free_bytes), " free in ", dir);
  if (*free_bytes < kWorkSpaceErrorBytes) {
    return Error(check, found,
                 absl::StrCat("free space or move the ", label,
                              " to a disk with at "
                              "least twice the size of your largest source"));
  }
  if (*free_bytes < kWorkSpaceWarnBytes) {
    return Warning(check, found,
                   absl::StrCat("a job needs about twice its source's size; 4K "
                                "remuxes may not fit (",
                                Gib(kWorkSpaceWarnBytes), " or more recommended)"));
  }
  return Ok(check, found);
}

DirFacts InspectDir(const std::string& dir, const std::string& marker) {
  DirFacts f;
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  f.exists = !ec && fs::exists(st);
  if (!f.exists) {
    f.error = ec ? ec.message() : "no such file or directory";
    return f;
  }
  f.is_dir = fs::is_directory(st);
  if (!f.is_dir) return f;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    f.error = ec.message();
    return f;
  }
  f.readable = true;
  f.empty = it == fs::directory_iterator();
  if (!marker.empty()) f.marker_found = fs::exists(fs::path(dir) / marker, ec);
  return f;
}

CheckLine CheckLibraryRoot(const std::string& dir, const std::string& marker, const DirFacts& f) {
  const std::string check = "library " + dir;
  const std::string mount = "mount the library share there (or fix library_roots / path_map)";
  if (!f.exists) return Error(check, "missing: " + f.error, mount);
  if (!f.is_dir) return Error(check, "not a folder", mount);
  if (!f.readable) {
    return Error(check, "cannot be listed: " + f.error,
                 "give the mkvfleet user read access to it (and ReadWritePaths= in the unit)");
  }
  if (f.empty) return Error(check, "empty: looks unmounted", mount);
  if (!marker.empty() && !f.marker_found) {
    return Error(check, absl::StrCat("marker file ", marker, " missing: looks unmounted or wrong"),
                 absl::StrCat(mount, "; the library's top folder must hold ", marker));
  }
  return Ok(check, marker.empty() ? "mounted (not empty)"
                                  : absl::StrCat("mounted (marker ", marker, " present)"));
}

absl::Duration EstimateClockSkew(absl::Time sent, absl::Time received, absl::Time server_time) {
  const absl::Time middle = sent + (received - sent) / 2;
  return server_time - middle;
}

CheckLine CheckClockSkew(absl::Time sent, absl::Time received, absl::Time server_time) {
  const absl::Duration skew = EstimateClockSkew(sent, received, server_time);
  const absl::Duration magnitude = absl::AbsDuration(skew);
  const std::string found = absl::StrCat(
      "coordinator clock is ", absl::FormatDuration(absl::Trunc(magnitude, absl::Milliseconds(1))),
      skew < absl::ZeroDuration() ? " behind" : " ahead", " of this machine (round trip ",
      absl::FormatDuration(absl::Trunc(received - sent, absl::Milliseconds(1))), ")");
  const std::string advice =
      "run time synchronisation on both machines (systemd-timesyncd or chrony)";
  if (magnitude > kSkewError) return Error("clock skew", found, advice);
  if (magnitude > kSkewWarn) return Warning("clock skew", found, advice);
  return Ok("clock skew", found);
}

std::vector<CheckLine> CheckCoordinatorCall(const std::string& server, TokenRole role,
                                            bool token_set, const absl::Status& call) {
  const bool admin = role == TokenRole::kAdmin;
  const std::string token_name = admin ? "admin token" : "agent token";
  const std::string env = admin ? "MKVFLEET_ADMIN_TOKEN" : "MKVFLEET_AGENT_TOKEN";
  const std::string where = admin ? "(env or --token)" : "(in /etc/mkvfleet/agent.env)";
  if (IsUnreachableCode(call.code())) {
    return {Error("coordinator", absl::StrCat("cannot reach ", server, ": ", call.message()),
                  "start mkv-coordinator there, or fix the server address / firewall")};
  }
  std::vector<CheckLine> lines = {Ok("coordinator", "reachable at " + server)};
  if (call.ok()) {
    lines.push_back(Ok("token", token_set ? token_name + " accepted"
                                          : "no token sent and the coordinator asks for none"));
  } else if (call.code() == absl::StatusCode::kUnauthenticated) {
    lines.push_back(Error("token",
                          absl::StrCat("the coordinator refused the ", token_name,
                                       token_set ? " (wrong token)" : " (none set)"),
                          absl::StrCat("set ", env, " ", where, " to the coordinator's ",
                                       admin ? "admin_token" : "agent_token")));
  } else if (call.code() == absl::StatusCode::kPermissionDenied) {
    lines.push_back(Error("token",
                          absl::StrCat("the coordinator refused this token for the ",
                                       admin ? "admin" : "agent", " API: ", call.message()),
                          absl::StrCat("use the ", token_name, " here, not the ",
                                       admin ? "agent" : "admin", " token")));
  } else if (call.code() == absl::StatusCode::kUnimplemented) {
    lines.push_back(Warning("token", "the coordinator is older than this tool: token not checked",
                            "upgrade mkv-coordinator to the same version"));
  } else {
    lines.push_back(Error("token", absl::StrCat("the coordinator answered: ", call.message()),
                          "see the coordinator's log (journalctl -u mkv-coordinator)"));
  }
  return lines;
}

}  // namespace mkvfleet::doctor
