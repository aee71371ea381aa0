// Restating a track's statistics tags (see tags_edit.h).
#include "common/matroska/tags_edit.h"

#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/matroska/ebml.h"
#include "common/matroska/ebml_children.h"
#include "common/status/status_macros.h"

namespace mkvfleet::matroska {
namespace {

absl::string_view AsText(absl::Span<const uint8_t> data) {
  absl::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return s;
}

absl::StatusOr<uint64_t> TagNumber(const Child& simple_tag_string, absl::string_view name) {
  uint64_t v = 0;
  if (!absl::SimpleAtoi(AsText(simple_tag_string.data), &v)) {
    return absl::InvalidArgumentError(absl::StrCat("statistics tag ", name, " is not a number"));
  }
  return v;
}

// Does this Tag's Targets name `uid` as its track?
absl::StatusOr<bool> TargetsTrack(const std::vector<Child>& tag_kids, uint64_t uid) {
  const Child* targets = FindChild(tag_kids, kIdTargets);
  if (targets == nullptr) return false;
  ASSIGN_OR_RETURN(const std::vector<Child> t, ParseChildren(targets->data, "Targets"));
  for (const Child& c : t) {
    if (c.header.id != kIdTagTrackUid) continue;
    ASSIGN_OR_RETURN(const uint64_t v, ReadUnsigned(c.data));
    if (v == uid) return true;
  }
  return false;
}

// A SimpleTag with its TagString replaced by `value`.
std::vector<uint8_t> WithString(const std::vector<Child>& simple_kids, uint64_t value) {
  const std::string text = absl::StrCat(value);
  std::vector<uint8_t> data;
  for (const Child& c : simple_kids) {
    if (c.header.id == kIdTagString) {
      AppendElement(
          data, kIdTagString,
          absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    } else {
      data.insert(data.end(), c.whole.begin(), c.whole.end());
    }
  }
  return data;
}

absl::StatusOr<std::vector<uint8_t>> RewriteTag(const std::vector<Child>& tag_kids,
                                                uint64_t new_bytes) {
  // First pass: the old byte count, to scale BPS by.
  std::optional<uint64_t> old_bytes;
  std::vector<std::vector<Child>> simples(tag_kids.size());
  for (size_t i = 0; i < tag_kids.size(); ++i) {
    if (tag_kids[i].header.id != kIdSimpleTag) continue;
    ASSIGN_OR_RETURN(simples[i], ParseChildren(tag_kids[i].data, "SimpleTag"));
    const Child* name = FindChild(simples[i], kIdTagName);
    const Child* value = FindChild(simples[i], kIdTagString);
    if (name != nullptr && value != nullptr && AsText(name->data) == "NUMBER_OF_BYTES") {
      ASSIGN_OR_RETURN(old_bytes, TagNumber(*value, "NUMBER_OF_BYTES"));
    }
  }
  std::vector<uint8_t> out;
  for (size_t i = 0; i < tag_kids.size(); ++i) {
    const Child& c = tag_kids[i];
    const Child* name = c.header.id == kIdSimpleTag ? FindChild(simples[i], kIdTagName) : nullptr;
    const Child* value =
        c.header.id == kIdSimpleTag ? FindChild(simples[i], kIdTagString) : nullptr;
    const absl::string_view n = name != nullptr ? AsText(name->data) : absl::string_view();
    if (value != nullptr && n == "NUMBER_OF_BYTES") {
      AppendElement(out, kIdSimpleTag, WithString(simples[i], new_bytes));
    } else if (value != nullptr && n == "BPS" && old_bytes && *old_bytes > 0) {
      ASSIGN_OR_RETURN(const uint64_t bps, TagNumber(*value, "BPS"));
      const unsigned __int128 scaled =
          (static_cast<unsigned __int128>(bps) * new_bytes + *old_bytes / 2) / *old_bytes;
      AppendElement(out, kIdSimpleTag, WithString(simples[i], static_cast<uint64_t>(scaled)));
    } else {
      out.insert(out.end(), c.whole.begin(), c.whole.end());
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> UpdateTrackStatistics(absl::Span<const uint8_t> tags_data,
                                                           uint64_t track_uid, uint64_t new_bytes) {
  ASSIGN_OR_RETURN(const std::vector<Child> tags, ParseChildren(tags_data, "Tags"));
  std::vector<uint8_t> out;
  out.reserve(tags_data.size());
  for (const Child& tag : tags) {
    if (tag.header.id == kIdCrc32) {
      return absl::FailedPreconditionError("Tags with a CRC-32 element are not rewritten");
    }
    if (tag.header.id != kIdTag) {
      out.insert(out.end(), tag.whole.begin(), tag.whole.end());
      continue;
    }
    ASSIGN_OR_RETURN(const std::vector<Child> kids, ParseChildren(tag.data, "Tag"));
    ASSIGN_OR_RETURN(const bool ours, TargetsTrack(kids, track_uid));
    if (!ours) {
      out.insert(out.end(), tag.whole.begin(), tag.whole.end());
      continue;
    }
    ASSIGN_OR_RETURN(const std::vector<uint8_t> rewritten, RewriteTag(kids, new_bytes));
    AppendElement(out, kIdTag, rewritten);
  }
  return out;
}

}  // namespace mkvfleet::matroska
