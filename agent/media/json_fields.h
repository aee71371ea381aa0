// Type-checked reads from nlohmann::json objects that never throw: a missing or mistyped field
// yields the fallback. Shared by the MediaInfo parsers and the checkpoint (de)serialiser.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::agent::media {

inline std::string JsonString(const nlohmann::json& j, const char* key, std::string def = "") {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : def;
}

// Integers also from strings ("48"), as ffprobe prints some counts.
inline int64_t JsonInt(const nlohmann::json& j, const char* key, int64_t def = 0) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  if (it == j.end()) return def;
  if (it->is_number_integer() || it->is_number_unsigned()) return it->get<int64_t>();
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  int64_t v = 0;
  if (it->is_string() && absl::SimpleAtoi(it->get<std::string>(), &v)) return v;
  return def;
}

// Doubles also from strings ("2.016000").
inline double JsonDouble(const nlohmann::json& j, const char* key, double def = 0) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  if (it == j.end()) return def;
  if (it->is_number()) return it->get<double>();
  double v = 0;
  if (it->is_string() && absl::SimpleAtod(it->get<std::string>(), &v)) return v;
  return def;
}

// Booleans also from 0/1 integers, as ffprobe prints flags.
inline bool JsonBool(const nlohmann::json& j, const char* key, bool def = false) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  if (it == j.end()) return def;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer()) return it->get<int64_t>() != 0;
  return def;
}

inline const nlohmann::json& JsonChild(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

}  // namespace mkvfleet::agent::media
