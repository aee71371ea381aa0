// One small configuration mechanism shared by every mkvfleet binary: a TOML file, environment
// overrides and command-line flags, merged with a fixed precedence.
//
// Precedence, highest first:
//   1. flags   values set with SetFlag()/SetFlagList() (the binary's CLI11 parser fills them)
//   2. env     MKVFLEET_<KEY>, where KEY is the dotted key upper-cased with '.' -> '_'
//              (e.g. "lease_seconds" -> MKVFLEET_LEASE_SECONDS, "policy.crf" -> MKVFLEET_POLICY_CRF)
//   3. file    the TOML file given to Load(); nested tables become dotted keys ("policy.crf")
//   4. default the value passed to the getter
// An empty environment variable counts as unset. Lists in the environment are separated by ':'
// (like PATH), since media paths often contain commas.
//
// Getters never throw: a value of the wrong type fails with InvalidArgument naming the key and
// where it came from (flag, env variable or file), so the user knows what to fix.
// Thread-safety: a const ConfigLayers may be read from many threads; mutation needs exclusive access.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace mkvfleet::config {

// Looks up an environment variable; returns nullopt when unset. Injected so tests never touch the
// process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the real process environment (getenv).
EnvLookup ProcessEnv();

// The environment variable consulted for `key`: "MKVFLEET_" + upper(key) with '.' -> '_'.
std::string EnvNameFor(absl::string_view key);

// A scalar or list value from the TOML file, kept in its TOML type until a getter converts it.
using FileValue = std::variant<std::string, int64_t, double, bool, std::vector<std::string>>;

class ConfigLayers {
 public:
  // An empty configuration (no file); env is consulted through `env`.
  explicit ConfigLayers(EnvLookup env = ProcessEnv());

  // Reads the TOML file at `path` as the file layer. An empty `path` means "no file" and succeeds.
  // Errors: NotFound when the file does not exist, InvalidArgument with file:line:column when it does
  // not parse or holds a value type we cannot use (e.g. an array of tables).
  static absl::StatusOr<ConfigLayers> Load(const std::string& path, EnvLookup env = ProcessEnv());
  // Same, from TOML text (for tests and embedded defaults); `origin` names it in errors.
  static absl::StatusOr<ConfigLayers> Parse(absl::string_view toml_text, const std::string& origin,
                                            EnvLookup env = ProcessEnv());

  // Flag layer: the value wins over env, file and default.
  void SetFlag(const std::string& key, std::string value);
  void SetFlagList(const std::string& key, std::vector<std::string> values);

  absl::StatusOr<std::string> GetString(absl::string_view key, absl::string_view def = "") const;
  absl::StatusOr<int64_t> GetInt(absl::string_view key, int64_t def) const;
  absl::StatusOr<double> GetDouble(absl::string_view key, double def) const;
  // Accepts true/false/1/0/yes/no/on/off from flags and env.
  absl::StatusOr<bool> GetBool(absl::string_view key, bool def) const;
  // A TOML array of strings, a single string (one element), or a ':'-separated env value.
  absl::StatusOr<std::vector<std::string>> GetStringList(
      absl::string_view key, std::vector<std::string> def = {}) const;

  // All file keys under `prefix.` (e.g. "policy"), rendered as strings; env and flags do not add
  // keys here, but override the values of keys that exist. For pass-through tables.
  absl::StatusOr<std::map<std::string, std::string>> GetTable(absl::string_view prefix) const;

  // Where the winning value of `key` comes from: "flag --x", "env MKVFLEET_X", "file PATH" or
  // "default". For error messages.
  std::string OriginOf(absl::string_view key) const;

  // The file (or Parse origin) this configuration was read from; "" when none.
  const std::string& file_path() const { return file_path_; }

 private:
  // The winning raw value of `key`, if any layer sets it, with its origin.
  struct Raw {
    FileValue value;
    bool textual = false;  // from a flag or env: a string still to be parsed into the wanted type
    std::string origin;
  };
  std::optional<Raw> Find(absl::string_view key) const;

  EnvLookup env_;
  std::string file_path_;
  std::map<std::string, FileValue, std::less<>> file_;
  std::map<std::string, FileValue, std::less<>> flags_;
};

}  // namespace mkvfleet::config
