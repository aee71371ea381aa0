// Name lookup over the embedded assets; see assets.h.
#include "server/http/assets.h"

namespace mkvfleet::http {

const Asset* FindAsset(absl::string_view name) {
  for (const Asset& a : AllAssets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace mkvfleet::http
