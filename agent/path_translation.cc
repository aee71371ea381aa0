// Prefix-pair path translation (see the header).
#include "agent/path_translation.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::agent {
namespace {

std::string StripTrailingSlashes(absl::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

// True when `prefix` covers `path` on a component boundary.
bool PrefixMatches(absl::string_view path, absl::string_view prefix) {
  if (prefix == "/") return !path.empty() && path[0] == '/';
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

std::string Replace(absl::string_view path, absl::string_view from, absl::string_view to) {
  absl::string_view rest = from == "/" ? path.substr(1) : path.substr(from.size());
  if (rest.empty()) return std::string(to);
  if (rest[0] == '/') rest.remove_prefix(1);
  if (to == "/") return absl::StrCat("/", rest);
  return absl::StrCat(to, "/", rest);
}

std::string Translate(absl::string_view path, const std::vector<PathMapping>& mappings,
                      bool to_local) {
  const PathMapping* best = nullptr;
  size_t best_len = 0;
  for (const auto& m : mappings) {
    const std::string& from = to_local ? m.coordinator_prefix : m.local_prefix;
    if (PrefixMatches(path, from) && (best == nullptr || from.size() > best_len)) {
      best = &m;
      best_len = from.size();
    }
  }
  if (best == nullptr) return std::string(path);
  return to_local ? Replace(path, best->coordinator_prefix, best->local_prefix)
                  : Replace(path, best->local_prefix, best->coordinator_prefix);
}

}  // namespace

absl::StatusOr<std::vector<PathMapping>> ParsePathMappings(
    const std::vector<std::string>& entries) {
  std::vector<PathMapping> out;
  for (const auto& entry : entries) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "path_map entry \"", entry, "\" has no '=': write COORDINATOR_PREFIX=LOCAL_PREFIX"));
    }
    PathMapping m{StripTrailingSlashes(entry.substr(0, eq)),
                  StripTrailingSlashes(entry.substr(eq + 1))};
    if (m.coordinator_prefix.empty() || m.local_prefix.empty() || m.coordinator_prefix[0] != '/' ||
        m.local_prefix[0] != '/') {
      return absl::InvalidArgumentError(absl::StrCat(
          "path_map entry \"", entry, "\": both prefixes must be absolute paths"));
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string ToLocalPath(absl::string_view coordinator_path,
                        const std::vector<PathMapping>& mappings) {
  return Translate(coordinator_path, mappings, /*to_local=*/true);
}

std::string ToCoordinatorPath(absl::string_view local_path,
                              const std::vector<PathMapping>& mappings) {
  return Translate(local_path, mappings, /*to_local=*/false);
}

}  // namespace mkvfleet::agent
