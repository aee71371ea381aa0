// Which files the coordinator accepts as job sources, and where their outputs go.
//
// Accepted: an absolute path to an existing regular file with a ".mkv" extension (any case) whose
// canonical path (realpath: symlinks and "." resolved) lies under one of the configured library
// roots. A path containing a ".." component is refused outright, and a symlink that leads outside
// the roots is refused naming both the given and the resolved path. These functions read the
// filesystem (realpath, stat) but keep no state; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mkvfleet::server {

// A source file that passed the rules.
struct LibraryFile {
  std::string path;          // canonical absolute path
  std::string library_root;  // canonical root containing it
  std::string relative_path; // path relative to library_root
  int64_t size_bytes = 0;
  int64_t mtime_ms = 0;
};

// Canonicalises configured roots. InvalidArgument when a root is missing, not a directory, or
// relative, naming it. An empty list is allowed (then every file is refused).
absl::StatusOr<std::vector<std::string>> CanonicalLibraryRoots(
    const std::vector<std::string>& roots);

// Applies the rules to `path` against canonical `roots`.
// Errors (message names the path and what to do): InvalidArgument for a relative path, "..",
// wrong extension, not a regular file, outside the roots or a symlink escape; NotFound when the
// file does not exist.
absl::StatusOr<LibraryFile> ResolveLibraryFile(const std::string& path,
                                               const std::vector<std::string>& roots);

// The same rules for a `path` found by walking one of `roots` without following directory
// symlinks (library_scan.cc): such a path is canonical unless its last component is a symlink,
// so one lstat replaces realpath + stat; a symlink goes through ResolveLibraryFile.
absl::StatusOr<LibraryFile> ResolveWalkedFile(const std::string& path,
                                              const std::vector<std::string>& roots);

// Where the converted file is published: output_dir/<relative path> when output_dir is set (same
// file name), else beside the source as NAME.DV81.mkv.
std::string OutputPathFor(const LibraryFile& file, const std::string& output_dir);

// True when `path` equals `root` or lies below it (component-wise, both canonical).
bool IsUnder(const std::string& path, const std::string& root);

// Case-insensitive ".mkv" suffix check on the file name.
bool HasMkvExtension(const std::string& path);

}  // namespace mkvfleet::server
