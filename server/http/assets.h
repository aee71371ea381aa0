// The dashboard's static files (HTML, CSS, JS from server/http/assets/), compiled into the binary
// by embed_assets.cmake so the coordinator serves them without any files or CDN.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"

namespace mkvfleet::http {

struct Asset {
  absl::string_view name;          // file name under assets/, e.g. "app.js"
  absl::string_view content_type;  // from the extension
  absl::string_view body;
};

// Every embedded file, sorted by name.
const std::vector<Asset>& AllAssets();

// The asset called `name`, or nullptr.
const Asset* FindAsset(absl::string_view name);

}  // namespace mkvfleet::http
