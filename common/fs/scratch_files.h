// Files that must not be left behind half-made: a scratch folder removed with its contents when
// it goes out of scope, and an output written under a temporary name next to its final path and
// renamed into place only when complete (so readers never see a partial file).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mkvfleet::fs {

// A fresh folder under $TMPDIR (or /tmp), deleted recursively by the destructor.
class ScratchDir {
 public:
  // Errors: Internal naming the template when mkdtemp fails.
  static absl::StatusOr<std::unique_ptr<ScratchDir>> Create(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Reserves "<final>.partial-XXXXXX" in the final file's folder (same filesystem, so the rename is
// atomic). Write to temp_path(), then Commit(). Destroying an uncommitted output deletes the
// temporary file; the final path is untouched until Commit().
class AtomicOutput {
 public:
  // Errors: NotFound / PermissionDenied naming the folder when the temporary cannot be created.
  static absl::StatusOr<std::unique_ptr<AtomicOutput>> Create(const std::string& final_path);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  // Renames the temporary to the final path (replacing it). Errors: Internal naming both paths.
  absl::Status Commit();

 private:
  AtomicOutput(std::string final_path, std::string temp_path)
      : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)) {}
  std::string final_path_;
  std::string temp_path_;
  bool committed_ = false;
};

// Writes `contents` to `path` (created or truncated). Errors name the path.
absl::Status WriteWholeFile(const std::string& path, const std::string& contents);

}  // namespace mkvfleet::fs
