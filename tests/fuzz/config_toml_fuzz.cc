// libFuzzer target for the TOML config loader every daemon runs at start: ConfigLayers::Parse on
// arbitrary text, then every getter on every key the file holds (and on a table prefix), as the
// agent's and coordinator's loaders do. Errors are fine; crashes, leaks and UB are not. Built and
// run by bench/fuzz.sh.
// fuzz-sources: common/config/config_layers.cc
// fuzz-flags: $(pkg-config --cflags --libs tomlplusplus)
#include <cstdint>
#include <string>

#include "common/config/config_layers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  absl::StatusOr<mkvfleet::config::ConfigLayers> layers = mkvfleet::config::ConfigLayers::Parse(
      text, "fuzz.toml", [](const std::string&) -> std::optional<std::string> {
        return std::nullopt;
      });
  if (!layers.ok()) return 0;
  absl::StatusOr<std::map<std::string, std::string>> all = layers->GetTable("");
  const std::string first_table = text.substr(0, text.find('.'));
  (void)layers->GetTable(first_table);
  if (!all.ok()) return 0;
  for (const auto& [key, value] : *all) {
    (void)layers->GetString(key);
    (void)layers->GetInt(key, 0);
    (void)layers->GetDouble(key, 0);
    (void)layers->GetBool(key, false);
    (void)layers->GetStringList(key);
    (void)layers->OriginOf(key);
  }
  return 0;
}
