// Child element lists (see ebml_children.h).
#include "common/matroska/ebml_children.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::matroska {

absl::StatusOr<std::vector<Child>> ParseChildren(absl::Span<const uint8_t> data,
                                                 absl::string_view what) {
  std::vector<Child> children;
  size_t pos = 0;
  while (pos < data.size()) {
    absl::StatusOr<ElementHeader> h = ParseElementHeader(data.subspan(pos));
    if (!h.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": bad child at byte ", pos, ": ", h.status().message()));
    }
    if (h->unknown_size) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": child 0x", absl::Hex(h->id), " at byte ", pos, " has an unknown size"));
    }
    const uint64_t end = pos + h->header_size + h->data_size;
    if (h->data_size > data.size() || end > data.size()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": child 0x", absl::Hex(h->id),
                                                     " at byte ", pos, " runs past the end (",
                                                     h->data_size, " bytes of data)"));
    }
    Child c;
    c.header = *h;
    c.offset = pos;
    c.data = data.subspan(pos + h->header_size, h->data_size);
    c.whole = data.subspan(pos, h->header_size + h->data_size);
    children.push_back(c);
    pos = end;
  }
  return children;
}

const Child* FindChild(const std::vector<Child>& children, uint32_t id) {
  for (const Child& c : children) {
    if (c.header.id == id) return &c;
  }
  return nullptr;
}

absl::StatusOr<uint64_t> ChildUnsigned(const std::vector<Child>& children, uint32_t id,
                                       uint64_t fallback) {
  const Child* c = FindChild(children, id);
  if (c == nullptr) return fallback;
  return ReadUnsigned(c->data);
}

}  // namespace mkvfleet::matroska
